"""twin.indicators: one registry behind compare, sweep, the explorer and the reports."""

from __future__ import annotations

import math

from twin import compare, explore, report, sweep
from twin.indicators import COMPARE, EXPLORER, LIFE_CYCLE, REGISTRY, SWEEP_EXTRA, value

SUMMARY = {
    "heat": {"district_heat_kwh": 21_700.0, "peak_kw": 147.0},
    "electricity": {"grid_import_kwh": 62_500.0, "self_consumption_ratio": 0.56, "ev": None},
    "water": {"rain_coverage_ratio": None},
    "cost_eur": {"total": 25_000.0},
    "revenue_eur": {"pv_export": 2_700.0},
}


def test_values_follow_path_and_scale_and_say_nan_when_absent():
    assert value(SUMMARY, "district_heat_mwh") == 21.7
    assert value(SUMMARY, "peak_heat_kw") == 147.0
    assert value(SUMMARY, "net_cost_eur") == 25_000.0 - 2_700.0
    assert math.isnan(value(SUMMARY, "rain_coverage"))      # no tank
    assert math.isnan(value(SUMMARY, "ev_pv_share"))        # no EV group
    assert math.isnan(value(SUMMARY, "npv_eur"))            # life cycle: filled by compare


def test_every_user_reads_the_same_registry():
    assert list(compare.KPIS) == list(COMPARE) and set(LIFE_CYCLE) <= set(COMPARE)
    assert list(sweep.KPI_UNITS) == [*COMPARE, *SWEEP_EXTRA]
    assert all(sweep.KPI_UNITS[n] == REGISTRY[n].unit for n in sweep.KPI_UNITS)
    assert all(report.INDICATOR_LABELS[n] == REGISTRY[n].label for n in COMPARE)
    assert list(explore.INDICATORS) == list(EXPLORER)
    # The page shows ratios in %, everything else in the registry's unit.
    assert explore.INDICATORS["self_consumption"][1] == "%" and abs(explore.indicators(SUMMARY)["self_consumption"] - 56.0) < 1e-9
    assert explore.INDICATORS["district_heat_mwh"][1] == "MWh"


def test_every_indicator_has_a_label_a_unit_and_a_direction():
    for ind in REGISTRY.values():
        assert ind.label and ind.unit and isinstance(ind.lower_is_better, bool)
        assert ind.path or ind.name in (*LIFE_CYCLE, "net_cost_eur")
