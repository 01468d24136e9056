"""Tests of twin.systems.rainwater: YAS/YBS reference, exact balance, edges, tank-size curve."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twin.physics import water as w
from twin.systems.rainwater import (
    RainwaterTank,
    TankStep,
    plot_tank_size_curve,
    simulate_tank,
    tank_size_curve,
)

# Daily reference: S = 5 m³, dead volume 0.5 m³ (start at it), demand 1 m³/day.
INFLOW = [0.0, 3.0, 0.0, 0.0, 4.0, 2.0, 0.0, 0.0, 0.0, 6.0]
DEMAND = [1.0] * 10

# YAS by hand (O = max(0, V + Q - S); Y = min(D, max(0, V - 0.5)); V' = V + Q - O - Y):
# day  V    Q   O                      Y                     V'
#  1  0.5  0   0                      min(1, 0)   = 0       0.5
#  2  0.5  3   max(0, 3.5-5) = 0      min(1, 0)   = 0       3.5
#  3  3.5  0   0                      min(1, 3.0) = 1       2.5
#  4  2.5  0   0                      1                     1.5
#  5  1.5  4   max(0, 5.5-5) = 0.5    min(1, 1.0) = 1       1.5+4-0.5-1 = 4.0
#  6  4.0  2   max(0, 6-5)   = 1      1                     4+2-1-1     = 4.0
#  7  4.0  0   0                      1                     3.0
#  8  3.0  0   0                      1                     2.0
#  9  2.0  0   0                      1                     1.0
# 10  1.0  6   max(0, 7-5)   = 2      min(1, 0.5) = 0.5     1+6-2-0.5   = 4.5
# Totals: Q 15 = O 3.5 + Y 7.5 + ΔV (4.5 - 0.5 = 4.0); mains = 10 - 7.5 = 2.5.
YAS_OVERFLOW = [0, 0, 0, 0, 0.5, 1, 0, 0, 0, 2]
YAS_FROM_TANK = [0, 0, 1, 1, 1, 1, 1, 1, 1, 0.5]
YAS_LEVEL = [0.5, 3.5, 2.5, 1.5, 4.0, 4.0, 3.0, 2.0, 1.0, 4.5]

# YBS by hand (Y = min(D, max(0, V + Q - 0.5)); O = max(0, V + Q - Y - S)):
# levels 0.5, 2.5, 1.5, 0.5, 3.5, 4.5, 3.5, 2.5, 1.5, then day 10: Y = 1,
# O = max(0, 1.5 + 6 - 1 - 5) = 1.5, V = 5.0. Y total 9, O 1.5, ΔV 4.5: 15 = 1.5 + 9 + 4.5.
YBS_OVERFLOW = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1.5]
YBS_FROM_TANK = [0, 1, 1, 1, 1, 1, 1, 1, 1, 1]
YBS_LEVEL = [0.5, 2.5, 1.5, 0.5, 3.5, 4.5, 3.5, 2.5, 1.5, 5.0]


def test_yas_daily_reference_by_hand():
    tank = RainwaterTank(5.0, dead_volume_m3=0.5)
    steps = [tank.step(q, d) for q, d in zip(INFLOW, DEMAND, strict=True)]
    assert all(isinstance(s, TankStep) for s in steps)
    np.testing.assert_allclose([s.overflow_m3 for s in steps], YAS_OVERFLOW, atol=1e-12)
    np.testing.assert_allclose([s.from_tank_m3 for s in steps], YAS_FROM_TANK, atol=1e-12)
    np.testing.assert_allclose([s.level_after_m3 for s in steps], YAS_LEVEL, atol=1e-12)
    np.testing.assert_allclose(
        [s.from_mains_m3 for s in steps], 1.0 - np.array(YAS_FROM_TANK), atol=1e-12
    )
    assert sum(s.pump_kwh for s in steps) == pytest.approx(7.5 * 0.5)
    # the vectorised helper gives the same numbers
    r = simulate_tank(INFLOW, DEMAND, 5.0, dead_volume_m3=0.5)
    np.testing.assert_allclose(r["level_after_m3"], YAS_LEVEL, atol=1e-12)
    assert r["from_mains_m3"].sum() == pytest.approx(2.5)


def test_ybs_daily_reference_by_hand():
    r = simulate_tank(INFLOW, DEMAND, 5.0, dead_volume_m3=0.5, rule="YBS")
    np.testing.assert_allclose(r["overflow_m3"], YBS_OVERFLOW, atol=1e-12)
    np.testing.assert_allclose(r["from_tank_m3"], YBS_FROM_TANK, atol=1e-12)
    np.testing.assert_allclose(r["level_after_m3"], YBS_LEVEL, atol=1e-12)
    # YAS is the conservative rule: it never yields more than YBS here
    assert r["from_tank_m3"].sum() >= sum(YAS_FROM_TANK)


# Exact balance. Every step does ≤ 6 floating-point additions/subtractions on values
# ≤ scale = max(S, Q, D, V); each rounds by ≤ 2^-53 ≈ 1.1e-16 of its operands, so the
# residual is bounded by ~1e-15 × scale. 1e-12 × scale leaves a 1000× margin and still
# catches any real leak (a lost term is at least one ulp of the flows, i.e. not an O(1e-16)
# effect, for any non-trivial step).
volumes = st.floats(0.0, 100.0, allow_nan=False)
flows = st.lists(st.one_of(st.just(0.0), st.floats(0.0, 50.0)), min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(
    flows, st.data(), volumes, st.floats(0.0, 1.0), st.floats(0.0, 1.0),
    st.sampled_from(["YAS", "YBS"]), st.booleans(),
)
def test_water_balance_closes_every_step(q, data, cap, f_dead, f_init, rule, topup):
    d = data.draw(st.lists(st.floats(0.0, 50.0), min_size=len(q), max_size=len(q)))
    dead = f_dead * cap * 0.3
    kw = dict(dead_volume_m3=dead, initial_level_m3=f_init * cap, rule=rule)
    if topup:
        kw.update(topup_below_m3=dead + 0.2 * (cap - dead), topup_to_m3=dead + 0.4 * (cap - dead))
    tank = RainwaterTank(cap, **kw)
    r = simulate_tank(q, d, cap, **kw)
    for i, (qi, di) in enumerate(zip(q, d, strict=True)):
        s = tank.step(qi, di)
        scale = max(cap, qi, di, s.level_before_m3, 1e-300)
        lhs = s.inflow_m3 + s.topup_mains_m3 - s.overflow_m3 - s.from_tank_m3
        assert abs(lhs - (s.level_after_m3 - s.level_before_m3)) <= 1e-12 * scale
        assert abs(s.residual_m3) <= 1e-12 * scale
        assert s.from_tank_m3 + s.from_mains_m3 == pytest.approx(di, rel=1e-12, abs=1e-300)
        assert s.overflow_m3 >= 0 and s.from_tank_m3 >= 0 and s.from_mains_m3 >= -1e-12 * scale
        assert -1e-12 * scale <= s.level_after_m3 <= cap + 1e-12 * scale
        # step() and the vectorised loop are the same model
        assert s.level_after_m3 == r["level_after_m3"][i]
        assert s.from_tank_m3 == r["from_tank_m3"][i]


# ----------------------------------------------------------------------------- edges


def test_empty_tank_everything_from_mains():
    r = simulate_tank([0.0] * 5, [1.0] * 5, 10.0, initial_level_m3=0.0)
    assert r["from_tank_m3"].sum() == 0.0
    np.testing.assert_array_equal(r["from_mains_m3"], 1.0)
    assert r["pump_kwh"].sum() == 0.0


def test_full_tank_overflows():
    r = simulate_tank([3.0, 3.0], [0.0, 0.0], 10.0, initial_level_m3=10.0)
    np.testing.assert_array_equal(r["overflow_m3"], [3.0, 3.0])
    np.testing.assert_array_equal(r["level_after_m3"], [10.0, 10.0])


def test_zero_rain_drains_to_dead_volume_then_mains():
    r = simulate_tank(np.zeros(6), np.full(6, 1.0), 10.0, dead_volume_m3=1.0, initial_level_m3=4.0)
    np.testing.assert_allclose(r["from_tank_m3"], [1, 1, 1, 0, 0, 0])
    np.testing.assert_allclose(r["level_after_m3"], [3, 2, 1, 1, 1, 1])
    assert r["overflow_m3"].sum() == 0.0


def test_hundred_year_storm_day():
    # 150 mm in a day on the 792 m² roof (C 0.8, η 0.9): 85.536 m³ into a 20 m³ tank.
    q = w.harvested_inflow_m3([150.0], 792.0, 0.8)
    assert q[0] == pytest.approx(85.536)
    tank = RainwaterTank(20.0, dead_volume_m3=0.5, initial_level_m3=10.0)
    s = tank.step(q[0], 1.5)
    # YAS: spill = 10 + 85.536 - 20 = 75.536; draw from the previous level, 1.5.
    assert s.overflow_m3 == pytest.approx(75.536)
    assert s.from_tank_m3 == 1.5 and s.from_mains_m3 == 0.0
    assert s.level_after_m3 == pytest.approx(18.5)


def test_zero_volume_tank():
    r = simulate_tank([2.0, 0.0, 5.0], [1.0, 1.0, 1.0], 0.0)
    np.testing.assert_array_equal(r["overflow_m3"], [2.0, 0.0, 5.0])
    np.testing.assert_array_equal(r["from_mains_m3"], 1.0)
    np.testing.assert_array_equal(r["level_after_m3"], 0.0)


@settings(max_examples=60, deadline=None)
@given(flows, st.floats(0.1, 5.0), st.sampled_from(["YAS", "YBS"]))
def test_dead_volume_never_drawn(q, dead, rule):
    d = [3.0] * len(q)
    r = simulate_tank(q, d, 10.0, dead_volume_m3=dead, initial_level_m3=dead, rule=rule)
    assert np.all(r["level_after_m3"] >= dead - 1e-12 * 60)


@settings(max_examples=60, deadline=None)
@given(flows, st.sampled_from(["YAS", "YBS"]))
def test_topup_never_exceeds_target(q, rule):
    d = [2.0] * len(q)
    r = simulate_tank(q, d, 10.0, dead_volume_m3=0.5, topup_below_m3=1.0, topup_to_m3=2.0, rule=rule)
    topped = r["topup_mains_m3"] > 0
    # where the valve opens, it fills exactly to the target, never above
    np.testing.assert_array_equal(r["level_after_m3"][topped], 2.0)
    assert np.all(r["topup_mains_m3"] <= 2.0 - 0.5 + 1e-12)
    # after a top-up the level is never below the switch-on level
    assert np.all(r["level_after_m3"] >= 1.0 - 1e-12)


def test_topup_by_hand():
    # S 10, dead 0.5, V0 3, valve opens below 1.0 and fills to 2.0, 1 m³/day, no rain (YAS):
    # day 1: Y = 1, V = 2; day 2: Y = 1, V = 1.0 (not < 1, valve shut);
    # day 3: Y = min(1, 1.0 - 0.5) = 0.5, shortfall 0.5 from the mains at the point of use,
    #        V = 0.5 < 1 -> top-up 1.5 to 2.0; day 4: Y = 1, V = 1.0; day 5 as day 3.
    # Lesson (docs/water.md): set topup_below >= dead volume + one step's peak demand.
    r = simulate_tank(np.zeros(5), np.ones(5), 10.0, dead_volume_m3=0.5,
                      initial_level_m3=3.0, topup_below_m3=1.0, topup_to_m3=2.0)
    np.testing.assert_allclose(r["from_tank_m3"], [1.0, 1.0, 0.5, 1.0, 0.5])
    np.testing.assert_allclose(r["from_mains_m3"], [0.0, 0.0, 0.5, 0.0, 0.5])
    np.testing.assert_allclose(r["topup_mains_m3"], [0.0, 0.0, 1.5, 0.0, 1.5])
    np.testing.assert_allclose(r["level_after_m3"], [2.0, 1.0, 2.0, 1.0, 2.0])
    # valve set high enough: no shortfall at the point of use
    r = simulate_tank(np.zeros(5), np.ones(5), 10.0, dead_volume_m3=0.5,
                      initial_level_m3=3.0, topup_below_m3=1.5, topup_to_m3=2.0)
    assert r["from_mains_m3"].sum() == 0.0


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"volume_m3": -1.0}, "volume_m3"),
     ({"volume_m3": 5.0, "dead_volume_m3": 6.0}, "dead_volume_m3"),
     ({"volume_m3": 5.0, "initial_level_m3": 7.0}, "initial_level_m3"),
     ({"volume_m3": 5.0, "topup_below_m3": 1.0}, "topup"),
     ({"volume_m3": 5.0, "topup_below_m3": 3.0, "topup_to_m3": 2.0}, "topup_below_m3"),
     ({"volume_m3": 5.0, "pump_kwh_per_m3": -0.1}, "pump_kwh_per_m3"),
     ({"volume_m3": 5.0, "rule": "FIFO"}, "rule")],
)
def test_bad_parameters(kwargs, name):
    with pytest.raises(ValueError, match=name):
        RainwaterTank(**kwargs)


def test_bad_flows():
    tank = RainwaterTank(5.0)
    with pytest.raises(ValueError, match="inflow_m3"):
        tank.step(-1.0, 0.0)
    with pytest.raises(ValueError, match="demand_m3"):
        tank.simulate([0.0, 0.0], [0.0, np.nan])


def test_year_of_quarter_hours_closes_its_balance():
    # Speed is measured in benchmarks/, never asserted in a unit test.
    rng = np.random.default_rng(3)
    n = 35_040
    q = rng.exponential(0.05, n) * (rng.random(n) < 0.1)
    d = np.full(n, 0.015)
    r = simulate_tank(q, d, 20.0, dead_volume_m3=0.5, topup_below_m3=1.0, topup_to_m3=2.0)
    assert np.abs(r["residual_m3"]).max() <= 1e-12 * 50


# ----------------------------------------------------------------------------- size curve


def test_tank_size_curve_diminishing_returns(tmp_path):
    from twin.weather import besancon_reference_year

    wx = besancon_reference_year(2027, 1).data
    inflow = w.harvested_inflow_m3(wx["precipitation_mm"].to_numpy(), 792.0, 0.8)
    start = wx.index - pd.Timedelta(hours=1)
    working = (start.day_of_week < 5) & (start.hour >= 8) & (start.hour < 18)
    demand = np.where(working, 1.5 / 10, 0.0)  # 1.5 m³ per weekday, 08-18 h
    vols = np.arange(5.0, 101.0, 5.0)
    df = tank_size_curve(vols, inflow, demand, dead_volume_m3=0.5)
    assert list(df["volume_m3"]) == list(vols)
    cov = df["coverage"].to_numpy()
    assert np.all((cov >= 0) & (cov <= 1))
    inc = np.diff(cov)
    assert np.all(inc >= -1e-12)  # non-decreasing
    assert np.all(np.diff(inc) <= 1e-3)  # concave-ish: increments non-increasing (±0.1 %)
    assert inc[0] > 10 * inc[-1]
    # balance over the year
    assert np.allclose(df["rain_supplied_m3"] + df["mains_m3"], df["demand_m3"])
    out = plot_tank_size_curve(df, tmp_path / "curve.png")
    assert out.exists() and out.stat().st_size > 1000
