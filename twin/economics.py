"""Operating costs and CO2 of a run, from its energy totals and the scenario's tariffs.

What is priced: district heat as a two-part tariff (R1 energy, R2 on the
subscribed capacity, pro rata of the simulated period), electricity bought from
the grid (C4 time of use or a flat all-in price), drinking water, and the PV
surplus sold. A line that cannot be priced is ``None``, never zero;
``priced_lines`` says what the total covers. Costs are totals over the period
(:func:`period_caveats` when it is not a year). :func:`whole_operating_cost`
adds P2 upkeep, P3 renewals and the user's lines (docs/economics.md §6).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin import tariffs
from twin.physics import finance
from twin.scenario import Scenario

__all__ = [
    "OPERATING_COST_RANGES", "capacity_advice", "carrier_costs", "co2_kg", "life_cycle_vs_baseline", "operating_costs",
    "cost_units", "period_caveats", "rainwater_savings_eur", "whole_operating_cost",
]

HEAT_UNMET_HOURS_LIMIT = 20.0
"""Hours a year the heat network may fall short of the demand [h] [E]: a few cold mornings of
pre-heat, absorbed by the building's mass (EnergyPlus' unmet-hours convention tolerates ~300 h)."""

POWER_OVERRUN_HOURS_LIMIT = 10.0
"""Hours a year the grid import may exceed the subscribed power [h] [E] (C4 overruns are billed)."""


def operating_costs(scenario: Scenario, district_heat_kw: pd.Series, import_kw: pd.Series, export_kw: pd.Series,
                    water_mains_m3: float | None) -> tuple[dict, dict]:
    """Operating cost by line item and revenues over the period [EUR, excl. VAT].

    Parameters
    ----------
    district_heat_kw, import_kw, export_kw
        Heat meter, grid import and export, mean kW per step; tz-aware index of step ends.
    water_mains_m3
        Drinking water bought over the period [m3]; None when water is not simulated.

    Notes
    -----
    District heat: R1 x MWh + R2 x subscribed kW pro rata (:func:`twin.tariffs.district_heat_cost_eur`).
    Electricity: the scenario's tariff, flat all-in or time of use with subscription, excise and
    network components (:func:`twin.tariffs.electricity_cost_eur`). Water: volume x price plus the
    fixed charges pro rata. PV surplus: export x the cooperative's price.
    """
    t, asset = scenario.tariffs, scenario.asset
    civil = asset.building.location.civil_timezone
    heat = tariffs.district_heat_cost_eur(district_heat_kw, t.district_heat, asset.heat_network.subscribed_kw,
                                          civil_timezone=civil)
    loads = asset.electrical_loads
    kva = loads.subscribed_kva if loads is not None and loads.subscribed_kva is not None else float(
        np.ceil(import_kw.max() / (loads.power_factor if loads is not None else 1.0)))
    elec = tariffs.electricity_cost_eur(import_kw, t.electricity, kva, civil_timezone=civil,
                                        power_factor=loads.power_factor if loads is not None else 1.0)
    years = tariffs.period_years(district_heat_kw.index)
    water = None if water_mains_m3 is None else tariffs.water_cost_eur(
        water_mains_m3, t.water_eur_m3, t.water_fixed_eur_year, years)
    cost = {
        "district_heat_energy": heat["energy_eur"],
        "district_heat_subscription": heat["subscription_eur"],
        "electricity_energy": elec["energy_total_eur"],
        "electricity_subscription": elec["subscription_eur"],
        "electricity_taxes_network": elec["excise_eur"] + elec["network_eur"],
        "electricity_overrun": elec["overrun_eur"],
        "water": None if water is None else water["total_eur"],
    }
    priced = [k for k, v in cost.items() if v is not None]
    cost["total"] = float(sum(cost[k] for k in priced))
    cost["priced_lines"] = priced
    cost["period_years"] = years
    cost["electricity_tariff"] = t.electricity.kind
    cost["electricity_kwh_by_period"] = elec.get("kwh")
    revenue = {"pv_export": tariffs.pv_export_revenue_eur(export_kw, t.pv_export_eur_kwh), "ev_charging": None}
    return cost, revenue


FULL_YEAR_TOLERANCE = 0.005
"""A period within 0.5 % of a year (about 2 days) counts as a year [-]."""


def period_caveats(period_years: float) -> list[str]:
    """What a reader must know when the simulated period is not one year (empty for a year)."""
    if abs(period_years - 1.0) <= FULL_YEAR_TOLERANCE:
        return []
    return [
        f"the period covers {period_years:.3f} of a year: costs, energy and CO2 are totals over the period, "
        "not per year",
        "life-cycle figures (NPV, IRR, paybacks) scale this period's savings to a year, which extrapolates "
        "its season: use a full year for decisions",
    ]


def carrier_costs(summary: dict) -> dict[str, float]:
    """Cost by carrier of a run's summary [EUR], and the PV revenue, for savings between options."""
    c = summary["cost_eur"]
    return {
        "heat": c["district_heat_energy"] + c["district_heat_subscription"],
        "electricity": c["electricity_energy"] + c["electricity_subscription"] + c["electricity_taxes_network"]
        + c["electricity_overrun"],
        "water": c["water"] or 0.0,
        "pv_revenue": summary["revenue_eur"]["pv_export"] or 0.0,
    }


def life_cycle_vs_baseline(option: Scenario, option_summary: dict, baseline_summary: dict) -> dict | None:
    """NPV, IRR and paybacks of an option's investment against the baseline's running costs.

    The first-year savings by item are the simulated period's baseline cost minus the option's
    (and the option's extra PV revenue), scaled to a year when the period is not one (a short
    period extrapolates its season: the result says so in ``annualised`` and ``caveats``), escalated with
    ``finance.escalation``; PV revenue degrades with the arrays' degradation rate. The difference
    in P2 upkeep and P3 renewals (:func:`whole_operating_cost`, already per year) is the item
    ``upkeep``. None when the option declares no investment.
    """
    if option.investment is None:
        return None
    base, opt = carrier_costs(baseline_summary), carrier_costs(option_summary)
    # A shorter (or longer) simulated period is scaled to one year: the life cycle counts years.
    meta = option_summary["meta"]
    # The period runs from meta.start (its beginning) to meta.end (the last step's end).
    years = tariffs.period_years(pd.DatetimeIndex([pd.Timestamp(meta["end"])]),
                                 step_s=(pd.Timestamp(meta["end"]) - pd.Timestamp(meta["start"])).total_seconds())
    per_year = 1.0 / years
    savings = {item: (base[item] - opt[item]) * per_year for item in ("heat", "electricity", "water")}
    savings["pv_revenue"] = (opt["pv_revenue"] - base["pv_revenue"]) * per_year
    if "operating_cost_eur" in baseline_summary and "operating_cost_eur" in option_summary:
        # P2 upkeep and P3 renewals are already per year: an option with more equipment pays its upkeep.
        savings["upkeep"] = (baseline_summary["operating_cost_eur"]["upkeep_eur_year"]
                             - option_summary["operating_cost_eur"]["upkeep_eur_year"])
    arrays = option.asset.pv.arrays if option.asset.pv is not None else []
    degradation = {"pv_revenue": max((a.degradation_percent_per_year for a in arrays), default=0.0) / 100.0}
    f = option.finance
    lc = finance.life_cycle(option.investment.capex_eur, savings, dict(f.escalation), degradation,
                            f.discount_rate, f.horizon_years, dict(option.investment.replacement_costs),
                            option.investment.residual_value_eur)
    return {
        "capex_eur": option.investment.capex_eur,
        "period_fraction_of_year": years,
        "annualised": abs(years - 1.0) > FULL_YEAR_TOLERANCE,
        "caveats": period_caveats(years),
        "first_year_savings_eur": savings,
        "npv_eur": float(lc["npv_eur"]),
        "irr": float(lc["irr"]),
        "simple_payback_years": float(lc["simple_payback_years"]),
        "discounted_payback_years": float(lc["discounted_payback_years"]),
    }


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

    The pump is priced at the flat price, or at the low-season peak price plus taxes and network with a
    time-of-use tariff: an upper bound when PV covers it.
    """
    t = scenario.tariffs
    kwh_price = t.electricity.energy_eur_kwh if t.electricity.kind == "flat" else (
        (t.electricity.hpe_eur_mwh + t.electricity.excise_eur_mwh + t.electricity.network_eur_mwh) / 1000.0)
    return rain_used_m3 * t.water_eur_m3 - pump_kwh * kwh_price


def _candidates(peak: float) -> np.ndarray:
    """Capacities from 40 % to 150 % of a peak, rounded to about three significant figures."""
    decimals = max(0, 2 - int(np.floor(np.log10(peak))))
    values = np.unique(np.round(np.linspace(0.4, 1.5, 23) * peak, decimals))
    return values[values > 0]


def capacity_advice(scenario: Scenario, heat_demand_kw: pd.Series, import_kw: pd.Series) -> dict:
    """Subscribed district-heat kW and electrical kVA from the run's load-duration curves.

    Heat: the substation's demand before its capacity limit (requests plus losses), candidates
    from 40 % to 150 % of the peak, priced at R2; the recommendation is the least subscription
    whose shortfall stays within :data:`HEAT_UNMET_HOURS_LIMIT`. Electricity: the grid import in kVA
    (power factor), priced at the C4 subscription per kVA, within :data:`POWER_OVERRUN_HOURS_LIMIT`.
    Each candidate's hours and energy above it are listed, so the project manager sees the cost of
    every choice.
    """
    t, asset = scenario.tariffs, scenario.asset
    civil = asset.building.location.civil_timezone
    out = {}
    heat_peak = float(heat_demand_kw.max())
    if heat_peak > 0:
        table = tariffs.recommend_subscription(heat_demand_kw, _candidates(heat_peak),
                                               t.district_heat.subscription_eur_kw_year,
                                               unmet_hours_limit=HEAT_UNMET_HOURS_LIMIT, civil_timezone=civil)
        out["district_heat"] = {
            "current_kw": asset.heat_network.subscribed_kw,
            "recommended_kw": float(table.attrs["recommended_kw"]),
            "peak_demand_kw": heat_peak,
            "unmet_hours_limit": HEAT_UNMET_HOURS_LIMIT,
            "candidates": table[["capacity_kw", "subscription_eur", "hours_above_h", "energy_above_kwh"]]
            .round(3).to_dict(orient="records"),
        }
    pf = asset.electrical_loads.power_factor if asset.electrical_loads is not None else 1.0
    kva = import_kw / pf
    if float(kva.max()) > 0:
        table = tariffs.recommend_subscription(kva, _candidates(float(kva.max())),
                                               t.electricity.subscription_eur_kva_year,
                                               unmet_hours_limit=POWER_OVERRUN_HOURS_LIMIT, civil_timezone=civil)
        loads = asset.electrical_loads
        out["electricity"] = {
            "current_kva": loads.subscribed_kva if loads is not None else None,
            "recommended_kva": float(table.attrs["recommended_kw"]),
            "peak_kva": float(kva.max()),
            "overrun_hours_limit": POWER_OVERRUN_HOURS_LIMIT,
            "candidates": table[["capacity_kw", "subscription_eur", "hours_above_h", "energy_above_kwh"]]
            .rename(columns={"capacity_kw": "capacity_kva", "energy_above_kwh": "energy_above_kvah"})
            .round(3).to_dict(orient="records"),
        }
    return out


OPERATING_COST_RANGES = {
    "building_operation_arseg_2017": (97.0, "EUR/m2/yr", "ARSEG 2017 office panel, charges d'exploitation du "
                                      "bâtiment (fluids, security, maintenance, cleaning), fluids ~24 % of it; "
                                      "https://workplacemagazine.fr/profession/3805/combien-coute-un-poste-de-travail-en-2018"),
    "global_charges_cbre_low": (100.0, "EUR/m2/yr", "CBRE Research benchmark, 10,000 m2 Ile-de-France office, "
                                "private + common charges, low to high range 100-190; "
                                "https://iwms.fr/infographie-combien-coute-lexploitation-dun-immeuble-tertiaire"),
    "global_charges_cbre_high": (190.0, "EUR/m2/yr", "idem"),
}
"""Published French ratios to set the twin's operating cost against [V as quoted by the press; ranges,
not targets]. Regional, new and small buildings sit below the Paris-region office panels."""


def cost_units(scenario: Scenario) -> dict[str, float]:
    """How much of each system the model has, for the upkeep rates of ``finance.operating``."""
    a = scenario.asset
    arrays = a.pv.arrays if a.pv is not None else []
    return {
        "pv_kwp": float(sum(arr.peak_power_kwp for arr in arrays)),
        "pv_kwac": float(sum(arr.peak_power_kwp / arr.dc_ac_ratio for arr in arrays)),
        "ev_points": float(a.ev_charging.points) if a.ev_charging is not None else 0.0,
        "battery_kwh": float(a.battery.capacity_kwh) if a.battery is not None else 0.0,
        "rainwater": 1.0 if a.rainwater is not None else 0.0,
    }


def whole_operating_cost(scenario: Scenario, summary_cost: dict, floor_area_m2: float) -> dict:
    """Whole operating cost per year [EUR excl. VAT]: energy and water, P2 upkeep, P3 renewals, user lines.

    Energy and water come from the run (scaled to a year when the period is not one:
    ``annualised_from_period``); P2 applies ``finance.operating``'s rates to the model's systems
    (:func:`cost_units`); P3 counts each renewal as its cost / interval per year (straight line,
    undiscounted); insurance, cleaning and staff are the user's inputs, reported in
    ``total_eur_year`` but outside ``technical_eur_year``, the part design options change.
    """
    op = scenario.finance.operating
    u = cost_units(scenario)
    years = summary_cost.get("period_years", 1.0)
    energy_water = summary_cost["total"] / years if years > 0 else float("nan")
    maintenance = {
        "district_heat_substation": op.substation_eur_year,
        "ahu": op.ahu_eur_year,
        "pv": op.pv_eur_kwp_year * u["pv_kwp"],
        "rainwater": op.rainwater_eur_year * u["rainwater"],
        "ev_points": op.ev_eur_point_year * u["ev_points"],
        "battery": op.battery_eur_kwh_year * u["battery_kwh"],
        **op.other_maintenance_eur_year,
    }
    renewals = {
        "pv_inverters": op.pv_inverter_eur_kwac * u["pv_kwac"] / op.pv_inverter_life_years,
        "ahu_fans": op.ahu_fans_eur / op.ahu_fans_life_years,
        "pumps": op.pumps_eur / op.pumps_life_years,
        "ev_chargers": op.ev_charger_eur_point * u["ev_points"] / op.ev_charger_life_years,
        "rainwater_pump": op.rainwater_pump_eur * u["rainwater"] / op.rainwater_pump_life_years,
        **{k: r.cost_eur / r.every_years for k, r in op.other_renewals.items()},
    }
    user = {"insurance": op.insurance_eur_year, "cleaning": op.cleaning_eur_year, "staff": op.staff_eur_year}
    upkeep = sum(maintenance.values()) + sum(renewals.values())
    technical = energy_water + upkeep
    total = technical + sum(user.values())
    return {
        "energy_and_water_eur_year": energy_water,
        "maintenance_p2_eur_year": maintenance,
        "renewals_p3_eur_year": renewals,
        "upkeep_eur_year": upkeep,
        "user_inputs_eur_year": user,
        "technical_eur_year": technical,
        "total_eur_year": total,
        "technical_eur_m2_year": technical / floor_area_m2,
        "total_eur_m2_year": total / floor_area_m2,
        "units": u,
        "annualised_from_period": abs(years - 1.0) > FULL_YEAR_TOLERANCE,
        "reference_ranges_eur_m2_year": {k: v[0] for k, v in OPERATING_COST_RANGES.items()},
    }
