"""Tests of twin.physics.finance: discount factors, NPV, IRR, paybacks, series and the life cycle.

Hand calculations are written out in the comments; numpy-financial (when installed) is a second,
independent implementation: ``npf.npv(rate, values)`` treats values[0] as year 0 (undiscounted), the
same convention as ``npv_eur``; ``npf.irr`` finds the roots of the NPV polynomial from the eigenvalues
of its companion matrix, accurate to about 1e-12 relative, so 1e-9 absolute on a rate is a safe margin
for brentq's xtol of 1e-14 plus npf's own round-off.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twin.physics import finance as f
from twin.physics.pv import degradation_factor

# ----------------------------------------------------------------------------- factors


def test_present_value_factor_by_hand():
    # (1.05)^-2 = 1 / 1.1025 = 0.90702947845...
    assert f.present_value_factor(0.05, 2) == pytest.approx(1 / 1.1025, rel=1e-15)
    assert f.present_value_factor(0.0, 30) == 1.0
    assert f.present_value_factor(0.07, 0) == 1.0
    np.testing.assert_allclose(f.present_value_factor(np.array([0.0, 0.1]), 1), [1.0, 1 / 1.1], rtol=1e-15)


def test_annuity_factor_by_hand():
    # 1/1.1 + 1/1.21 + 1/1.331 = 0.909090.. + 0.826446.. + 0.751314.. = 2.486851991
    assert f.annuity_factor(0.1, 3) == pytest.approx(1 / 1.1 + 1 / 1.21 + 1 / 1.331, rel=1e-14)
    assert f.annuity_factor(0.0, 20) == 20.0
    # Consistency: P/A is the sum of the P/F factors of years 1..n.
    pf = sum(f.present_value_factor(0.04, t) for t in range(1, 26))
    assert f.annuity_factor(0.04, 25) == pytest.approx(pf, rel=1e-13)


@pytest.mark.parametrize(
    ("call", "name"),
    [(lambda: f.present_value_factor(-1.0, 2), "rate"), (lambda: f.present_value_factor(0.05, -1), "years"),
     (lambda: f.annuity_factor(0.05, 2.5), "years"), (lambda: f.npv_eur([], 0.05), "cash_flows_eur"),
     (lambda: f.npv_eur([-1, np.nan], 0.05), "cash_flows_eur"), (lambda: f.npv_eur([-1, 2], -1.5), "discount_rate"),
     (lambda: f.simple_payback_years(-5, 1), "investment_eur")],
)
def test_bad_values_are_named(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ----------------------------------------------------------------------------- NPV


def test_npv_by_hand():
    # -100 + 60/1.1 + 60/1.21 = -100 + 54.5454.. + 49.5867.. = 4.1322314..
    assert f.npv_eur([-100, 60, 60], 0.1) == pytest.approx(-100 + 60 / 1.1 + 60 / 1.21, rel=1e-14)
    # Zero rate: the plain sum.
    assert f.npv_eur([-100, 60, 60], 0.0) == 20.0
    # Year 0 alone is not discounted.
    assert f.npv_eur([-250.0], 0.3) == -250.0


def test_npv_vectorised_over_rates_and_series():
    got = f.npv_eur([-100, 60, 60], np.array([0.0, 0.1]))
    np.testing.assert_allclose(got, [20.0, -100 + 60 / 1.1 + 60 / 1.21], rtol=1e-14)
    two = f.npv_eur(np.array([[-100, 60, 60], [-50, 0, 60.5]]), 0.1)
    np.testing.assert_allclose(two, [-100 + 60 / 1.1 + 60 / 1.21, 0.0], atol=1e-12)  # 60.5/1.21 = 50


def test_npv_matches_numpy_financial():
    npf = pytest.importorskip("numpy_financial")
    rng = np.random.default_rng(7)
    for _ in range(20):
        cf = np.concatenate([[-rng.uniform(1e3, 1e5)], rng.uniform(-1e3, 2e4, rng.integers(1, 40))])
        r = rng.uniform(-0.05, 0.15)
        # Same year-0 convention; both are plain sums of about 40 terms: 1e-12 relative.
        assert f.npv_eur(cf, r) == pytest.approx(npf.npv(r, cf), rel=1e-12, abs=1e-6)


# ----------------------------------------------------------------------------- IRR


def test_irr_by_hand():
    # -100 + 110/(1+r) = 0  ->  r = 0.10
    assert f.irr([-100, 110]) == pytest.approx(0.10, abs=1e-12)
    # -100 + 60x + 60x^2 = 0 with x = 1/(1+r): x = (-1 + sqrt(1 + 4*100/60)) / 2 = 0.88443..,
    # r = 1/x - 1 = 0.130662..
    x = (-1 + math.sqrt(1 + 4 * 100 / 60)) / 2
    assert f.irr([-100, 60, 60]) == pytest.approx(1 / x - 1, abs=1e-12)
    # Savings that only give back half the money: IRR negative. -100 + 50/(1+r) = 0 -> r = -0.5
    assert f.irr([-100, 50]) == pytest.approx(-0.5, abs=1e-12)
    # The NPV is zero at the IRR.
    assert f.npv_eur([-100, 60, 60], f.irr([-100, 60, 60])) == pytest.approx(0.0, abs=1e-9)


def test_irr_matches_numpy_financial():
    npf = pytest.importorskip("numpy_financial")
    rng = np.random.default_rng(11)
    for _ in range(30):
        # Conventional flows: one outlay, then positive savings (one sign change, one root).
        n = int(rng.integers(2, 31))
        cf = np.concatenate([[-rng.uniform(1e3, 1e5)], rng.uniform(50, 2e4, n)])
        expected = npf.irr(cf)
        if not -0.99 < expected < 10:
            continue
        assert f.irr(cf) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("flows", "reason"),
    [([100, 10, 10], "no sign change"),         # nothing invested
     ([-100, -10, 0], "no sign change"),        # never anything back
     ([0, 0, 0], "no sign change"),
     ([-100, 0.5], "no root"),                  # -100 + 0.5/(1+r) = 0 -> r = -0.995, below -99 %
     ([-100, 230, -132], "several roots")],     # -100 + 230x - 132x^2 = 0: x = 1/1.1 and 1/1.2
)
def test_irr_nan_with_reason(flows, reason):
    value, why = f.irr_with_reason(flows)
    assert math.isnan(value)
    assert reason in why
    assert math.isnan(f.irr(flows))


def test_irr_roots_of_non_conventional_flows():
    np.testing.assert_allclose(f.irr_roots([-100, 230, -132]), [0.10, 0.20], atol=1e-10)
    assert f.irr_roots([100, 10]).size == 0


def test_irr_vectorised_over_series():
    got = f.irr(np.array([[-100, 110], [-100, 120], [100, 1]]))
    np.testing.assert_allclose(got, [0.10, 0.20, np.nan], atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(100, 1e6), st.lists(st.floats(0, 1e5), min_size=1, max_size=40))
def test_npv_vanishes_at_the_irr(investment, savings):
    cf = np.array([-investment, *savings])
    rate = f.irr(cf)
    if math.isnan(rate):
        # Only when there are no savings, or the one root lies outside [-99 %, 1000 %]: the NPV
        # keeps its sign over the range (still negative at -99 %, or still positive at 1000 %).
        assert sum(savings) == 0 or f.npv_eur(cf, -0.99) <= 0 or f.npv_eur(cf, 10.0) >= 0
    else:
        assert abs(f.npv_eur(cf, rate)) <= 1e-7 * (investment + sum(savings))


# ----------------------------------------------------------------------------- paybacks


def test_simple_payback():
    assert f.simple_payback_years(1000.0, 250.0) == 4.0
    assert f.simple_payback_years(1000.0, 0.0) == math.inf
    assert f.simple_payback_years(1000.0, -50.0) == math.inf
    assert f.simple_payback_years(0.0, 10.0) == 0.0
    np.testing.assert_array_equal(f.simple_payback_years(100.0, np.array([50.0, 0.0])), [2.0, np.inf])


def test_discounted_payback_by_hand():
    # r = 10 %: discounted flows -100, 54.5454.. (= 600/11), 49.5867.. (= 6000/121).
    # Cumulative after year 1: -500/11. Year 2 recovers it: 1 + (500/11) / (6000/121) = 1 + 11/12.
    assert f.discounted_payback_years([-100, 60, 60], 0.1) == pytest.approx(1 + 11 / 12, rel=1e-14)
    # Undiscounted: 1 + 40/60.
    assert f.discounted_payback_years([-100, 60, 60], 0.0) == pytest.approx(1 + 40 / 60, rel=1e-14)
    assert f.discounted_payback_years([-100, 10, 10], 0.05) == math.inf
    assert f.discounted_payback_years([0, 10], 0.05) == 0.0
    # Exactly recovered at the end of year 2.
    assert f.discounted_payback_years([-100, 50, 50], 0.0) == 2.0


# ----------------------------------------------------------------------------- series


def test_escalated_and_degraded_series_by_hand():
    # 100, 100*1.02, 100*1.02^2
    np.testing.assert_allclose(f.escalated_series(100.0, 0.02, 3), [100.0, 102.0, 104.04], rtol=1e-15)
    # 1000, 1000*0.995, 1000*0.995^2
    np.testing.assert_allclose(f.degraded_series(1000.0, 0.005, 3), [1000.0, 995.0, 990.025], rtol=1e-15)
    assert f.escalated_series(5.0, 0.1, 0).shape == (0,)
    assert f.escalated_series(np.array([1.0, 2.0]), 0.0, 4).shape == (2, 4)
    with pytest.raises(ValueError, match="degradation_rate"):
        f.degraded_series(1.0, 1.0, 3)


def test_degraded_series_agrees_with_pv_module():
    got = f.degraded_series(1.0, 0.005, 25)
    np.testing.assert_allclose(got, [degradation_factor(0.5, y) for y in range(25)], rtol=1e-14)


# ----------------------------------------------------------------------------- life cycle


def test_life_cycle_by_hand():
    # I = 1000; heat saves 100 in year 1, +2 %/yr; PV sells 50 in year 1, -1 %/yr output; r = 5 %, N = 3;
    # a 30 EUR replacement in year 2.
    # year 1: 100 + 50                    = 150
    # year 2: 102 + 49.5 - 30             = 121.5
    # year 3: 104.04 + 49.005             = 153.045
    lc = f.life_cycle(1000.0, {"heat": 100.0, "pv_revenue": 50.0}, {"heat": 0.02}, {"pv_revenue": 0.01},
                      0.05, 3, {2: 30.0})
    np.testing.assert_allclose(lc["cash_flows_eur"], [-1000.0, 150.0, 121.5, 153.045], rtol=1e-14)
    np.testing.assert_allclose(lc["savings_by_item_eur"]["heat"], [0.0, 100.0, 102.0, 104.04], rtol=1e-14)
    np.testing.assert_allclose(lc["replacement_eur"], [0.0, 0.0, 30.0, 0.0])
    npv = -1000 + 150 / 1.05 + 121.5 / 1.05**2 + 153.045 / 1.05**3     # = -613.87..
    assert lc["npv_eur"] == pytest.approx(npv, rel=1e-13)
    assert lc["cumulative_discounted_cash_flow_eur"][-1] == pytest.approx(npv, rel=1e-13)
    assert lc["simple_payback_years"] == pytest.approx(1000 / 150)
    assert lc["payback_years"] == math.inf and lc["discounted_payback_years"] == math.inf
    assert lc["first_year_saving_eur"] == 150.0
    assert lc["total_savings_eur"] == pytest.approx(150 + 151.5 + 153.045)
    # IRR well below zero but defined: the NPV vanishes there.
    assert lc["irr_note"] == "" and lc["irr"] < 0
    assert f.npv_eur(lc["cash_flows_eur"], lc["irr"]) == pytest.approx(0.0, abs=1e-8)
    np.testing.assert_array_equal(lc["years"], [0, 1, 2, 3])


def test_life_cycle_zero_rate_flat_savings():
    # I = 1000, 250/yr for 10 yr, r = 0: NPV = 2500 - 1000 = 1500; payback 4 yr either way.
    lc = f.life_cycle(1000.0, {"electricity": 250.0}, {}, {}, 0.0, 10)
    assert lc["npv_eur"] == pytest.approx(1500.0)
    assert lc["simple_payback_years"] == 4.0
    assert lc["payback_years"] == pytest.approx(4.0)
    assert lc["discounted_payback_years"] == pytest.approx(4.0)
    # IRR of a level annuity: 1000 = 250 * (P/A, i, 10)
    assert f.annuity_factor(lc["irr"], 10) * 250 == pytest.approx(1000.0, rel=1e-10)


def test_life_cycle_residual_value_and_cross_check():
    npf = pytest.importorskip("numpy_financial")
    lc = f.life_cycle(50_000.0, {"heat": 3000.0, "electricity": 1500.0, "water": -200.0},
                      {"heat": 0.03, "electricity": 0.02}, {}, 0.04, 20, {12: 8000.0}, residual_value_eur=5000.0)
    cf = lc["cash_flows_eur"]
    assert cf[20] == pytest.approx(3000 * 1.03**19 + 1500 * 1.02**19 - 200 + 5000, rel=1e-13)
    assert cf[12] == pytest.approx(3000 * 1.03**11 + 1500 * 1.02**11 - 200 - 8000, rel=1e-13)
    assert lc["npv_eur"] == pytest.approx(npf.npv(0.04, cf), rel=1e-12)
    assert lc["irr"] == pytest.approx(npf.irr(cf), abs=1e-9)


def test_life_cycle_negative_savings():
    # An option that costs more to run: no payback, no IRR, NPV = -I - PV of the extra costs.
    lc = f.life_cycle(1000.0, {"heat": -50.0}, {}, {}, 0.05, 5)
    assert lc["simple_payback_years"] == math.inf
    assert lc["discounted_payback_years"] == math.inf
    assert math.isnan(lc["irr"]) and "no sign change" in lc["irr_note"]
    assert lc["npv_eur"] == pytest.approx(-1000 - 50 * f.annuity_factor(0.05, 5), rel=1e-13)


def test_life_cycle_no_investment():
    lc = f.life_cycle(0.0, {"heat": 10.0}, {}, {}, 0.05, 5)
    assert lc["simple_payback_years"] == 0.0 and lc["discounted_payback_years"] == 0.0
    assert math.isnan(lc["irr"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"escalation_by_item": {"haet": 0.02}}, "escalation_by_item"),
     ({"degradation_by_item": {"pv": 0.005}}, "degradation_by_item"),
     ({"replacement_costs": {0: 10.0}}, "replacement_costs"),
     ({"replacement_costs": {6: 10.0}}, "replacement_costs"),
     ({"replacement_costs": {2: -10.0}}, "replacement_costs"),
     ({"horizon_years": 0}, "horizon_years"),
     ({"discount_rate": -1.0}, "discount_rate"),
     ({"investment_eur": -1.0}, "investment_eur"),
     ({"annual_savings_eur": {}}, "annual_savings_eur")],
)
def test_life_cycle_rejects_bad_values(kwargs, match):
    args = {"investment_eur": 100.0, "annual_savings_eur": {"heat": 10.0}, "escalation_by_item": {},
            "degradation_by_item": {}, "discount_rate": 0.04, "horizon_years": 5, **kwargs}
    with pytest.raises(ValueError, match=match):
        f.life_cycle(**args)
