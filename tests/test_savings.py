"""Tests of issue 15's money figures: partial periods say so, whole operating cost by hand."""

from __future__ import annotations

import pytest

from tests.conftest import BASELINE
from twin import economics
from twin.cli import summary_rows

AREA = 3072.0


def test_a_year_has_no_caveat_and_a_fortnight_has_two():
    assert economics.period_caveats(1.0) == []
    assert economics.period_caveats(1.004) == []            # within 0.5 % (about 2 days) of a year
    caveats = economics.period_caveats(14 / 365)
    assert len(caveats) == 2 and "0.038 of a year" in caveats[0] and "NPV" in caveats[1]


def test_short_run_is_labelled_as_a_period(short_results):
    # The shared fixture runs 11-25 Jan 2027: 14 civil days = 14/365 = 0.0384 yr.
    m = short_results.summary["meta"]
    assert m["period_fraction_of_year"] == pytest.approx(14 / 365, rel=1e-12)
    assert len(m["caveats"]) == 2
    rows = {label: value for _, label, value in summary_rows(short_results.summary)}
    assert rows["Operating cost excl. VAT"].endswith("EUR over the period (0.04 yr)")


def test_cost_lines_add_up_to_the_total(short_results):
    c = short_results.summary["cost_eur"]
    lines = (c["district_heat_energy"] + c["district_heat_subscription"] + c["electricity_energy"]
             + c["electricity_subscription"] + c["electricity_taxes_network"] + c["electricity_overrun"]
             + (c["water"] or 0.0))
    assert lines == pytest.approx(c["total"], rel=1e-12)
    rows = {label: value for _, label, value in summary_rows(short_results.summary)}
    shown = rows["  electricity kWh + kVA + taxes"]          # the overrun shows only when billed
    assert shown.count("+") == 2
    with_overrun = {**short_results.summary, "cost_eur": {**c, "electricity_overrun": 12.0}}
    rows = {label: value for _, label, value in summary_rows(with_overrun)}
    assert rows["  electricity kWh + kVA + taxes + overrun"].endswith("+ 12 EUR")


def test_life_cycle_says_when_it_annualises():
    import twin

    option = twin.load_scenario(BASELINE.parent / "options" / "heat-recovery-90.toml")
    # Two summaries of a 14-day period, the option saving 100 EUR of heat: 100 x 365/14 = 2,607.14 EUR/yr.
    meta = {"start": "2027-01-11T00:00:00+01:00", "end": "2027-01-25T00:00:00+01:00"}
    cost = {"district_heat_energy": 500.0, "district_heat_subscription": 0.0, "electricity_energy": 0.0,
            "electricity_subscription": 0.0, "electricity_taxes_network": 0.0, "electricity_overrun": 0.0,
            "water": 0.0}
    base = {"meta": meta, "cost_eur": cost, "revenue_eur": {"pv_export": 0.0}}
    opt = {"meta": meta, "cost_eur": {**cost, "district_heat_energy": 400.0}, "revenue_eur": {"pv_export": 0.0}}
    lc = economics.life_cycle_vs_baseline(option, opt, base)
    assert lc["annualised"] is True and lc["period_fraction_of_year"] == pytest.approx(14 / 365)
    assert lc["first_year_savings_eur"]["heat"] == pytest.approx(100 * 365 / 14)
    assert len(lc["caveats"]) == 2


def test_whole_operating_cost_by_hand(baseline_scenario):
    # Energy and water 10,000 EUR over half a year -> 20,000 EUR/yr.
    # P2 defaults: substation 1,000 + AHU 2,500 + PV 1,350 + rainwater 400 + EV 1,500 = 6,750 EUR/yr.
    # P3 defaults: inverters 7,500/13 = 576.923 + AHU fans 5,000/15 = 333.333 + pumps 2,000/12 = 166.667
    #              + EV chargers 7,200/10 = 720 + rainwater pump 1,200/12 = 100 -> 1,896.923 EUR/yr.
    # Technical 20,000 + 6,750 + 1,896.923 = 28,646.923 EUR/yr = 9.3252 EUR/m2/yr on 3,072 m2.
    out = economics.whole_operating_cost(baseline_scenario, {"total": 10_000.0, "period_years": 0.5}, AREA)
    assert out["energy_and_water_eur_year"] == pytest.approx(20_000.0)
    assert sum(out["maintenance_p2_eur_year"].values()) == pytest.approx(6_750.0)
    assert sum(out["renewals_p3_eur_year"].values()) == pytest.approx(1_896.923, abs=1e-3)
    assert out["technical_eur_year"] == pytest.approx(28_646.923, abs=1e-3)
    assert out["technical_eur_m2_year"] == pytest.approx(9.3252, abs=1e-4)
    assert out["annualised_from_period"] is True
    assert out["units"]["pv_kwac"] == pytest.approx(75.0)            # 90 kWp / DC:AC 1.2
    assert out["maintenance_p2_eur_year"]["battery"] == 0.0           # the baseline has no battery
    # User lines are shown but stay out of the technical (savable) part.
    import twin

    s = twin.load_scenario(BASELINE, **{"finance.operating.cleaning_eur_year": 30_000.0})
    with_cleaning = economics.whole_operating_cost(s, {"total": 10_000.0, "period_years": 0.5}, AREA)
    assert with_cleaning["technical_eur_year"] == pytest.approx(out["technical_eur_year"])
    assert with_cleaning["total_eur_year"] == pytest.approx(out["technical_eur_year"] + 30_000.0)


def test_upkeep_follows_the_equipment_and_enters_the_life_cycle(baseline_scenario):
    import twin

    battery = twin.load_scenario(BASELINE.parent / "options" / "battery-50kwh.toml")
    # 50 kWh x 5 EUR/kWh/yr = 250 EUR/yr more P2 than the baseline; nothing else changes.
    cost = {"total": 0.0, "period_years": 1.0}
    base = economics.whole_operating_cost(baseline_scenario, cost, AREA)
    opt = economics.whole_operating_cost(battery, cost, AREA)
    assert opt["upkeep_eur_year"] - base["upkeep_eur_year"] == pytest.approx(250.0)
    meta = {"start": "2027-01-01T00:00:00+01:00", "end": "2028-01-01T00:00:00+01:00"}
    lines = {"district_heat_energy": 0.0, "district_heat_subscription": 0.0, "electricity_energy": 1000.0,
             "electricity_subscription": 0.0, "electricity_taxes_network": 0.0, "electricity_overrun": 0.0,
             "water": 0.0}
    s_base = {"meta": meta, "cost_eur": lines, "revenue_eur": {"pv_export": 0.0}, "operating_cost_eur": base}
    s_opt = {"meta": meta, "cost_eur": {**lines, "electricity_energy": 600.0}, "revenue_eur": {"pv_export": 0.0},
             "operating_cost_eur": opt}
    lc = economics.life_cycle_vs_baseline(battery, s_opt, s_base)
    # A year: electricity saves 400 EUR, the battery's upkeep costs 250 -> first-year saving 150 EUR.
    assert lc["first_year_savings_eur"]["electricity"] == pytest.approx(400.0)
    assert lc["first_year_savings_eur"]["upkeep"] == pytest.approx(-250.0)
    assert lc["annualised"] is False and lc["caveats"] == []


def test_one_override_changes_one_rate():
    # Scalar rates: --set on one leaves the others at their defaults (a dict default would be replaced whole).
    import twin

    s = twin.load_scenario(BASELINE, **{"finance.operating.pv_eur_kwp_year": 20.0,
                                        "finance.operating.other_maintenance_eur_year.bms": 800.0})
    out = economics.whole_operating_cost(s, {"total": 0.0, "period_years": 1.0}, AREA)
    # PV 20 x 90 = 1,800; BMS 800 added; the other P2 lines unchanged: 1,000 + 2,500 + 400 + 1,500 + 0.
    assert out["maintenance_p2_eur_year"]["pv"] == pytest.approx(1800.0)
    assert sum(out["maintenance_p2_eur_year"].values()) == pytest.approx(1800 + 800 + 1000 + 2500 + 400 + 1500)
