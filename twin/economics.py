"""Operating costs and CO2 of a run, from its energy totals and the scenario's tariffs.

What is priced today: district heat as a two-part tariff (R1 energy, R2 on the
subscribed capacity, pro rata of the simulated period) and electricity at the
scenario's all-in average price. Lines whose quantity is not simulated yet
(water, PV export, EV charging) are ``None``, never zero: the total covers the
priced lines only, and ``priced_lines`` says which. Time-of-use electricity,
capacity recommendations and life-cycle figures belong to issue 7.
"""

from __future__ import annotations

from twin.scenario import Scenario

__all__ = ["co2_kg", "operating_costs"]


def operating_costs(scenario: Scenario, district_heat_kwh: float, electricity_bought_kwh: float,
                    period_years: float) -> tuple[dict, dict]:
    """Annual operating cost by line item and revenues [EUR, excl. VAT].

    Parameters
    ----------
    district_heat_kwh
        Heat drawn from the network over the period [kWh].
    electricity_bought_kwh
        Electricity bought from the grid over the period [kWh].
    period_years
        Length of the period in years (R2 is charged pro rata) [-].
    """
    t = scenario.tariffs
    hn = scenario.asset.heat_network
    cost = {
        "district_heat_energy": district_heat_kwh / 1000.0 * t.district_heat.energy_eur_mwh,
        "district_heat_subscription": hn.subscribed_kw * t.district_heat.subscription_eur_kw_year * period_years,
        "electricity_energy": electricity_bought_kwh * t.electricity.energy_eur_kwh,
        "water": None,
    }
    priced = [k for k, v in cost.items() if v is not None]
    cost["total"] = sum(cost[k] for k in priced)
    cost["priced_lines"] = priced
    revenue = {"pv_export": None, "ev_charging": None}
    return cost, revenue


def co2_kg(scenario: Scenario, district_heat_kwh: float, electricity_bought_kwh: float) -> dict:
    """CO2 emissions by carrier [kg], with the scenario's emission factors."""
    f = scenario.emission_factors
    by_carrier = {
        "district_heat": district_heat_kwh * f.district_heat_kg_kwh,
        "electricity": electricity_bought_kwh * f.electricity_kg_kwh,
    }
    return {**by_carrier, "total": sum(by_carrier.values())}
