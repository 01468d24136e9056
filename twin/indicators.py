"""The indicators of a run, in one registry: where each comes from in ``summary.json``, its unit, its
label and which direction is better.

``twin compare`` (its tables and report), ``twin sweep`` (its KPI columns, units and "best" choice),
the option explorer and the reports read this registry; a new indicator is one entry here. Values
come from a run's summary by :func:`value` (NaN where the system is absent).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from twin.dotted import get

__all__ = ["COMPARE", "EXPLORER", "LIFE_CYCLE", "REGISTRY", "SWEEP_EXTRA", "Indicator", "value"]


@dataclass(frozen=True)
class Indicator:
    """One indicator: ``path`` in summary.json times ``scale`` gives it in ``unit``.

    ``lower_is_better`` says which direction is an improvement. An empty ``path`` marks an indicator
    computed otherwise: the net cost (cost less PV sales) and the life-cycle figures of an option
    against its baseline (:func:`twin.economics.life_cycle_vs_baseline`).
    """

    name: str
    label: str
    unit: str
    path: tuple[str, ...]
    scale: float
    lower_is_better: bool


_ALL = (
    Indicator("district_heat_mwh", "District heat bought", "MWh", ("heat", "district_heat_kwh"), 1e-3, True),
    Indicator("heat_recovered_mwh", "Heat recovered by the AHU", "MWh", ("heat", "heat_recovered_kwh"), 1e-3, False),
    Indicator("unmet_hours", "Unmet heating hours", "h", ("heat", "unmet_hours"), 1.0, True),
    Indicator("electricity_demand_mwh", "Electricity demand", "MWh", ("electricity", "demand_kwh"), 1e-3, True),
    Indicator("grid_import_mwh", "Grid import", "MWh", ("electricity", "grid_import_kwh"), 1e-3, True),
    Indicator("pv_exported_mwh", "PV exported", "MWh", ("electricity", "pv_exported_kwh"), 1e-3, False),
    Indicator("self_consumption", "PV self-consumption", "-", ("electricity", "self_consumption_ratio"), 1.0, False),
    Indicator("ev_pv_share", "EV charging from PV", "-", ("electricity", "ev", "pv_share"), 1.0, False),
    Indicator("mains_water_m3", "Mains water", "m3", ("water", "mains_m3"), 1.0, True),
    Indicator("rain_coverage", "Rain coverage", "-", ("water", "rain_coverage_ratio"), 1.0, False),
    Indicator("degree_hours_above_26c", "Degree-hours above 26 °C", "°C·h",
              ("comfort", "degree_hours_above_comfort"), 1.0, True),
    Indicator("re2020_dh_worst_zone", "RE2020 DH (worst zone)", "°C·h", ("comfort", "re2020", "dh_c_h"), 1.0, True),
    Indicator("cooling_need_mwh", "Ideal cooling need", "MWh", ("comfort", "cooling_need", "total_kwh"), 1e-3, True),
    Indicator("cold_hours_operative", "Cold hours (operative)", "h", ("comfort", "hours_cold_operative"), 1.0, True),
    Indicator("co2_hours_above_1000ppm", "Hours with CO₂ above 1,000 ppm", "h",
              ("comfort", "co2_hours_above_1000ppm"), 1.0, True),
    Indicator("operating_cost_eur", "Operating cost", "EUR", ("cost_eur", "total"), 1.0, True),
    Indicator("pv_revenue_eur", "PV sales", "EUR", ("revenue_eur", "pv_export"), 1.0, False),
    Indicator("net_cost_eur", "Net cost (cost less PV sales)", "EUR", (), 1.0, True),
    Indicator("co2_t", "CO₂ emissions", "t", ("co2_kg", "total"), 1e-3, True),
    # Life cycle of an option's investment against its baseline (absolute values, not differences):
    Indicator("capex_eur", "CAPEX (option's own value)", "EUR", (), 1.0, True),
    Indicator("npv_eur", "NPV (option's own value)", "EUR", (), 1.0, False),
    Indicator("irr", "IRR (option's own value)", "-", (), 1.0, False),
    Indicator("simple_payback_years", "Simple payback (option's own value)", "yr", (), 1.0, True),
    # Sweep-only columns:
    Indicator("pv_mwh", "PV produced", "MWh", ("electricity", "pv_kwh"), 1e-3, False),
    Indicator("peak_heat_kw", "Peak heat", "kW", ("heat", "peak_kw"), 1.0, True),
    Indicator("peak_import_kw", "Peak grid import", "kW", ("electricity", "peak_import_kw"), 1.0, True),
    Indicator("rain_used_m3", "Rainwater used", "m3", ("water", "rain_used_m3"), 1.0, False),
)
REGISTRY: dict[str, Indicator] = {i.name: i for i in _ALL}

#: The life-cycle indicators (filled by compare from the option against its baseline).
LIFE_CYCLE = ("capex_eur", "npv_eur", "irr", "simple_payback_years")
#: The comparison's columns, in order.
COMPARE = tuple(i.name for i in _ALL[:_ALL.index(REGISTRY["simple_payback_years"]) + 1])
#: What a sweep adds to the comparison's columns.
SWEEP_EXTRA = ("pv_mwh", "peak_heat_kw", "peak_import_kw", "rain_used_m3")
#: The option explorer's table, in order.
EXPLORER = ("district_heat_mwh", "grid_import_mwh", "self_consumption", "rain_coverage", "net_cost_eur", "co2_t",
            "re2020_dh_worst_zone", "cold_hours_operative")


def value(summary: dict, name: str) -> float:
    """Indicator ``name`` of a run's summary (NaN where the system is absent; life-cycle ones: NaN)."""
    ind = REGISTRY[name]
    if name == "net_cost_eur":
        total = summary["cost_eur"]["total"]
        if total is None:
            return math.nan
        return total - (summary["revenue_eur"]["pv_export"] or 0.0)
    if not ind.path:
        return math.nan
    v = get(summary, ind.path)
    return math.nan if v is None else float(v) * ind.scale
