"""Operating costs and CO2 of a run, from its energy totals and the scenario's tariffs.

What is priced today: district heat as a two-part tariff (R1 energy, R2 on the
subscribed capacity, pro rata of the simulated period), electricity bought from
the grid at the scenario's all-in average price, drinking water, and the PV
surplus sold. A line that cannot be priced yet (EV charging billed to users) is
``None``, never zero; ``priced_lines`` says what the total covers. Time-of-use
electricity, capacity recommendations and life-cycle figures belong to issue 7.
"""

from __future__ import annotations

from twin.scenario import Scenario

__all__ = ["co2_kg", "operating_costs", "rainwater_savings_eur"]


def operating_costs(scenario: Scenario, district_heat_kwh: float, electricity_bought_kwh: float,
                    water_mains_m3: float | None, pv_exported_kwh: float, period_years: float) -> tuple[dict, dict]:
    """Operating cost by line item and revenues over the period [EUR, excl. VAT].

    Parameters
    ----------
    district_heat_kwh
        Heat drawn from the network [kWh].
    electricity_bought_kwh
        Electricity imported from the grid [kWh].
    water_mains_m3
        Drinking water bought [m3]; None when water is not simulated.
    pv_exported_kwh
        PV surplus sold to the local cooperative [kWh].
    period_years
        Length of the period in years (R2 is charged pro rata) [-].
    """
    t = scenario.tariffs
    hn = scenario.asset.heat_network
    cost = {
        "district_heat_energy": district_heat_kwh / 1000.0 * t.district_heat.energy_eur_mwh,
        "district_heat_subscription": hn.subscribed_kw * t.district_heat.subscription_eur_kw_year * period_years,
        "electricity_energy": electricity_bought_kwh * t.electricity.energy_eur_kwh,
        "water": None if water_mains_m3 is None else water_mains_m3 * t.water_eur_m3,
    }
    priced = [k for k, v in cost.items() if v is not None]
    cost["total"] = sum(cost[k] for k in priced)
    cost["priced_lines"] = priced
    revenue = {"pv_export": pv_exported_kwh * t.pv_export_eur_kwh, "ev_charging": None}
    return cost, revenue


def co2_kg(scenario: Scenario, district_heat_kwh: float, electricity_bought_kwh: float) -> dict:
    """CO2 emissions by carrier [kg], with the scenario's emission factors."""
    f = scenario.emission_factors
    by_carrier = {
        "district_heat": district_heat_kwh * f.district_heat_kg_kwh,
        "electricity": electricity_bought_kwh * f.electricity_kg_kwh,
    }
    return {**by_carrier, "total": sum(by_carrier.values())}


def rainwater_savings_eur(scenario: Scenario, rain_used_m3: float, pump_kwh: float) -> float:
    """Drinking water not bought thanks to rain, less the pump's electricity [EUR, excl. VAT].

    The pump is priced at the average electricity price, an upper bound when PV covers it.
    """
    t = scenario.tariffs
    return rain_used_m3 * t.water_eur_m3 - pump_kwh * t.electricity.energy_eur_kwh
