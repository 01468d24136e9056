"""Tests of twin.physics.comfort: running mean, RE2020 DH (hand-computed), EN 16798-1 categories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.physics import comfort as cf


def _hourly(days: int, start: str = "2027-07-01 01:00", tz: str | None = None) -> pd.DatetimeIndex:
    """Hour-ending labels: the first day runs 01:00 … next 00:00."""
    return pd.date_range(start, periods=24 * days, freq="h", tz=tz)


# ---------------------------------------------------------------------------
# running mean
# ---------------------------------------------------------------------------


def test_running_mean_by_hand():
    # θrm(d) = 0.2 θed(d-1) + 0.8 θrm(d-1), θrm(0) = initial.
    # daily means 10, 20, 30, initial 10:
    #   d0: 10
    #   d1: 0.2·10 + 0.8·10 = 10
    #   d2: 0.2·20 + 0.8·10 = 12
    #   d3 would need θed(2): 0.2·30 + 0.8·12 = 15.6
    rm = cf.running_mean_daily_c(np.array([10.0, 20.0, 30.0, 0.0]), initial_c=10.0)
    assert rm == pytest.approx([10.0, 10.0, 12.0, 15.6])
    # default warm start: the first day's own mean
    assert cf.running_mean_daily_c(np.array([5.0, 5.0]))[0] == 5.0


def test_running_mean_from_hourly_series_uses_calendar_days():
    times = _hourly(3, tz="Etc/GMT-1")
    temp = np.repeat([10.0, 20.0, 30.0], 24)
    # Hour-ending labels: the 00:00 label of day 2 still belongs to day 1.
    days, means = cf.daily_mean_c(temp, times)
    assert means == pytest.approx([10.0, 20.0, 30.0])
    assert str(days[0]) == "2027-07-01"
    rm = cf.running_mean_outdoor_c(temp, times, initial_c=10.0)
    assert rm.shape == (72,)
    assert rm[:24] == pytest.approx(10.0)
    assert rm[24:48] == pytest.approx(10.0)
    assert rm[48:] == pytest.approx(12.0)


def test_running_mean_matches_pythermalcomfort():
    ptc_env = pytest.importorskip("pythermalcomfort.environment")
    rng = np.random.default_rng(0)
    daily = 18 + 4 * rng.standard_normal(60)
    rm = cf.running_mean_daily_c(daily)
    # pythermalcomfort takes the previous days newest first; 40 days make the
    # truncated weights (0.8^40 ≈ 1e-4) indistinguishable from our recursion.
    for d in (45, 50, 59):
        ref = ptc_env.running_mean_outdoor_temperature(list(daily[d - 40:d][::-1]), alpha=0.8)
        assert rm[d] == pytest.approx(ref, abs=0.051)  # pythermalcomfort rounds to 0.1 K


# ---------------------------------------------------------------------------
# RE2020
# ---------------------------------------------------------------------------


def test_re2020_comfort_temperature_range_and_scalars():
    # 26 °C up to θrm = (26 - 20.8)/0.33 = 15.76, 28 °C from (28 - 20.8)/0.33 = 21.82.
    assert cf.re2020_comfort_temperature_c(10.0) == 26.0
    assert cf.re2020_comfort_temperature_c(30.0) == 28.0
    assert cf.re2020_comfort_temperature_c(18.0) == pytest.approx(0.33 * 18 + 20.8)
    assert isinstance(cf.re2020_comfort_temperature_c(18.0), float)
    arr = cf.re2020_comfort_temperature_c(np.array([10.0, 18.0, 30.0]))
    assert arr.shape == (3,)
    # dwelling night rule
    night = cf.re2020_comfort_temperature_c(np.array([30.0, 30.0]), hour_of_day=np.array([3, 12]),
                                            night_fixed=True)
    assert night == pytest.approx([26.0, 28.0])


def test_re2020_dh_hand_computed():
    """Three July days, two zones, offices open 08:00-18:00 (10 h/day).

    Outdoor daily means 24, 24, 30 °C; θrm of day 1 forced to 15 °C.
      θrm: d1 = 15
           d2 = 0.2·24 + 0.8·15    = 16.8
           d3 = 0.2·24 + 0.8·16.8  = 18.24
      θconf = min(28, max(26, 0.33 θrm + 20.8)):
           d1: 0.33·15 + 20.8 = 25.75 → 26.0
           d2: 0.33·16.8 + 20.8 = 26.344
           d3: 0.33·18.24 + 20.8 = 26.8192
      Adaptive period (θrm ≥ 16): d2 and d3 only.
    Zone A at 27.0 °C: d2 (27 - 26.344)·10 = 6.56; d3 (27 - 26.8192)·10 = 1.808 → 8.368 °C·h
    Zone B at 29.0 °C: d2 2.656·10 = 26.56;        d3 2.1808·10 = 21.808    → 48.368 °C·h
    Without the adaptive-period filter, day 1 adds (27-26)·10 = 10 and (29-26)·10 = 30.
    """
    times = _hourly(3)
    t_out = np.repeat([24.0, 24.0, 30.0], 24)
    t_op = np.column_stack([np.full(72, 27.0), np.full(72, 29.0)])
    start_hour = (times - pd.Timedelta(hours=1)).hour
    occupied = (start_hour >= 8) & (start_hour < 18)
    dh = cf.re2020_dh_c_h(t_op, t_out, times, occupied, theta_rm_initial_c=15.0)
    assert dh == pytest.approx([8.368, 48.368])
    dh_all = cf.re2020_dh_c_h(t_op, t_out, times, occupied, theta_rm_initial_c=15.0,
                              adaptive_period_only=False)
    assert dh_all == pytest.approx([18.368, 78.368])
    # hours at or above θconf, +1 K, +2 K: zone A margins 0.656 and 0.18 K, zone B 2.656 and 2.18 K
    hours = cf.re2020_discomfort_hours_h(t_op, t_out, times, occupied, theta_rm_initial_c=15.0)
    assert hours.tolist() == [[20.0, 0.0, 0.0], [20.0, 20.0, 20.0]]
    # a fan allowance of 1 K lowers zone B's excess by 1 K over 20 counted hours
    dh_fan = cf.re2020_dh_c_h(t_op, t_out, times, occupied, theta_rm_initial_c=15.0,
                              fan_allowance_k=1.0)
    assert dh_fan[1] == pytest.approx(48.368 - 20.0)
    # half-hour steps give the same integral
    times2 = pd.date_range("2027-07-01 00:30", periods=144, freq="30min")
    occ2 = np.repeat(occupied, 2)
    dh2 = cf.re2020_dh_c_h(np.repeat(t_op, 2, axis=0), np.repeat(t_out, 2), times2, occ2,
                           theta_rm_initial_c=15.0)
    assert dh2 == pytest.approx([8.368, 48.368])


def test_re2020_dh_1d_input_and_building_value():
    times = _hourly(2)
    dh = cf.re2020_dh_c_h(np.full(48, 30.0), np.full(48, 25.0), times, np.ones(48, bool))
    # θrm = 25 → θconf = 28; 48 h × 2 K
    assert dh.shape == (1,)
    assert dh[0] == pytest.approx(96.0)
    assert cf.building_dh_c_h([100.0, 300.0]) == 300.0
    assert cf.building_dh_c_h([100.0, 300.0], [3.0, 1.0], method="area") == pytest.approx(150.0)
    with pytest.raises(ValueError, match="area_m2"):
        cf.building_dh_c_h([1.0], method="area")


def test_re2020_dh_class():
    assert cf.re2020_dh_class(300.0) == "comfortable"
    assert cf.re2020_dh_class(1000.0) == "tolerable"
    assert cf.re2020_dh_class(1200.0) == "non-compliant"
    assert list(cf.re2020_dh_class(np.array([0.0, 2000.0]), dh_max_c_h=2600.0)) == \
        ["comfortable", "tolerable"]


def test_re2020_adaptive_period():
    rm = np.array([10, 16, 12, 20, 15, 10.0])
    assert cf.re2020_adaptive_period(rm).tolist() == [False, True, True, True, False, False]
    assert not cf.re2020_adaptive_period(np.full(3, 10.0)).any()


def test_re2020_fan_allowance():
    # no effect at or below 0.2 m/s
    assert cf.re2020_fan_allowance_k(0.2, 20.0, 28.0) == 0.0
    # θrm - θi = -8: 1.8322 e^(-0.2888) ln(0.8) + 3.0498 e^(-0.2944)
    expected = 1.8322 * np.exp(0.0361 * -8) * np.log(0.8) + 3.0498 * np.exp(0.0368 * -8)
    assert cf.re2020_fan_allowance_k(0.8, 20.0, 28.0) == pytest.approx(expected)
    out = cf.re2020_fan_allowance_k(np.array([0.1, 0.5, 1.0]), 20.0, 28.0)
    assert out.shape == (3,) and out[0] == 0 and out[2] > out[1] > 0


# ---------------------------------------------------------------------------
# EN 16798-1
# ---------------------------------------------------------------------------


def test_en16798_limits_by_hand():
    # θrm = 20: θc = 0.33·20 + 18.8 = 25.4; cat II: 21.4 … 28.4
    lo, up = cf.en16798_limits_c(20.0, 2)
    assert (lo, up) == pytest.approx((21.4, 28.4))
    # θrm = 12: upper applies, lower does not
    lo, up = cf.en16798_limits_c(12.0, 1)
    assert np.isnan(lo) and up == pytest.approx(0.33 * 12 + 18.8 + 2)
    lo, up = cf.en16798_limits_c(np.array([5.0, 20.0]), 3)
    assert np.isnan(up[0]) and up[1] == pytest.approx(29.4)
    with pytest.raises(ValueError, match="category"):
        cf.en16798_limits_c(20.0, 4)


def test_elevated_air_speed_allowance():
    v = np.array([0.1, 0.6, 0.9, 1.2, 2.0])
    assert cf.elevated_air_speed_allowance_k(v, 27.0) == pytest.approx([0, 1.2, 1.8, 2.2, 2.2])
    assert cf.elevated_air_speed_allowance_k(0.9, 24.0) == 0.0
    assert isinstance(cf.elevated_air_speed_allowance_k(0.9, 27.0), float)


def test_en16798_category_scalar_and_array():
    assert cf.en16798_category(25.4, 20.0) == 1
    assert cf.en16798_category(28.0, 20.0) == 2    # 27.4 < 28.0 ≤ 28.4
    assert cf.en16798_category(29.0, 20.0) == 3
    assert cf.en16798_category(30.0, 20.0) == 4
    assert cf.en16798_category(30.0, 20.0, air_speed_m_s=1.2) == 2   # upper II + 2.2 = 30.6
    assert cf.en16798_category(20.0, 20.0) == 4    # below 20.4 (III lower)
    assert cf.en16798_category(25.0, 5.0) == 0     # not applicable
    assert cf.en16798_category(15.0, 12.0) == 1    # no lower limit below θrm 15
    out = cf.en16798_category(np.array([25.4, 30.0]), np.array([20.0, 20.0]))
    assert out.tolist() == [1, 4]


@pytest.mark.parametrize("v", [0.1, 0.7, 1.0, 1.5])
def test_en16798_matches_pythermalcomfort(v):
    ptc = pytest.importorskip("pythermalcomfort.models")
    rng = np.random.default_rng(1)
    rm = rng.uniform(15.0, 30.0, 400)
    top = rng.uniform(18.0, 36.0, 400)
    # avoid the 25 °C edge where pythermalcomfort uses ≥ and the standard says >
    top = np.where(np.abs(top - 25.0) < 0.05, 25.1, top)
    ref = ptc.adaptive_en(tdb=top, tr=top, t_running_mean=rm, v=v, round_output=False)
    # pythermalcomfort computes the operative temperature from tdb = tr: it equals top.
    cat = cf.en16798_category(top, rm, air_speed_m_s=v)
    assert np.array_equal(cat == 1, ref.acceptability_cat_i.astype(bool))
    assert np.array_equal(cat <= 2, ref.acceptability_cat_ii.astype(bool))
    assert np.array_equal(cat <= 3, ref.acceptability_cat_iii.astype(bool))
    for c, up_ref, lo_ref in ((1, ref.tmp_cmf_cat_i_up, ref.tmp_cmf_cat_i_low),
                              (2, ref.tmp_cmf_cat_ii_up, ref.tmp_cmf_cat_ii_low),
                              (3, ref.tmp_cmf_cat_iii_up, ref.tmp_cmf_cat_iii_low)):
        lo, up = cf.en16798_limits_c(rm, c, air_speed_allowance_k=cf.elevated_air_speed_allowance_k(v, top))
        assert up == pytest.approx(up_ref)
        assert lo == pytest.approx(lo_ref)
    assert cf.en16798_comfort_temperature_c(rm) == pytest.approx(ref.tmp_cmf)


def test_en16798_hours_by_category():
    times = _hourly(2)
    t_out = np.full(48, 20.0)                      # θrm = 20 → θc = 25.4
    t_op = np.column_stack([np.full(48, 25.4), np.full(48, 31.0), np.full(48, 18.0)])
    occupied = np.zeros(48, bool)
    occupied[8:18] = True                          # 10 h counted
    hours = cf.en16798_hours_by_category(t_op, t_out, times, occupied)
    assert list(hours.columns) == ["I", "II", "III", "IV_hot", "IV_cold", "not_applicable"]
    assert hours.loc[0, "I"] == 10.0
    assert hours.loc[1, "IV_hot"] == 10.0
    assert hours.loc[2, "IV_cold"] == 10.0
    assert hours.to_numpy().sum() == 30.0
    # ceiling fans at 1.2 m/s: 31 ≤ 29.4 + 2.2 → category III
    fan = cf.en16798_hours_by_category(t_op, t_out, times, occupied, air_speed_m_s=1.2)
    assert fan.loc[1, "III"] == 10.0


def test_shape_errors():
    times = _hourly(1)
    with pytest.raises(ValueError, match="temp_op_c"):
        cf.re2020_dh_c_h(np.zeros((10, 2)), np.zeros(24), times, np.ones(24, bool))


def test_re2020_adaptive_period_is_found_per_year():
    # Two years of daily-constant weather: 10 °C except 25 °C in July; zone always at 30 °C.
    times = pd.date_range("2027-01-01 01:00", "2029-01-01 00:00", freq="h")
    start = times - pd.Timedelta(hours=1)
    t_out = np.where(start.month == 7, 25.0, 10.0)
    dh = cf.re2020_dh_c_h(np.full(len(times), 30.0), t_out, times, np.ones(len(times), bool))
    dh_2027 = cf.re2020_dh_c_h(np.full(8760, 30.0), t_out[:8760], times[:8760], np.ones(8760, bool))
    # counted days are the same each year (from the first day θrm ≥ 16 to the last), so the
    # two-year sum is twice one year, not a period spanning the winter in between
    assert dh[0] == pytest.approx(2 * dh_2027[0], rel=1e-3)


@pytest.mark.parametrize("ta, tr, v, rh, met, clo", [
    (22.0, 22.0, 0.1, 60.0, 1.2, 0.5),     # ISO 7730 Table D.1 style conditions
    (27.0, 29.0, 0.8, 50.0, 1.2, 0.5),     # a warm office with ceiling fans
    (19.0, 18.0, 0.1, 40.0, 1.2, 1.0),     # a winter office
    (25.0, 25.0, 0.15, 50.0, 1.0, 0.5),
])
def test_pmv_matches_pythermalcomfort_iso7730(ta, tr, v, rh, met, clo):
    models = pytest.importorskip("pythermalcomfort.models")
    from twin.physics import comfort

    pmv, ppd = comfort.pmv_ppd(ta, tr, v, rh, met, clo)
    ref = models.pmv_ppd_iso(tdb=ta, tr=tr, vr=v, rh=rh, met=met, clo=clo, model="7730-2005", round_output=False)
    # Same ISO 7730 equations; the iteration tolerances differ slightly: 0.01 in PMV is below the
    # 0.1 resolution the standard reports.
    assert float(pmv) == pytest.approx(float(ref.pmv), abs=0.01)
    assert float(ppd) == pytest.approx(float(ref.ppd), abs=0.2)


def test_pmv_iso7730_annex_d_example():
    # ISO 7730:2005 Table D.1, first row: t_a = t_r = 22 °C, v 0.1 m/s, RH 60 %, 1.2 met, 0.5 clo:
    # PMV -0.75, PPD 17 (as printed, rounded).
    from twin.physics import comfort

    pmv, ppd = comfort.pmv_ppd(22.0, 22.0, 0.1, 60.0, 1.2, 0.5)
    assert float(pmv) == pytest.approx(-0.75, abs=0.01)
    assert float(ppd) == pytest.approx(17.0, abs=0.5)


def test_clothing_follows_the_running_mean():
    from twin.physics import comfort

    np.testing.assert_allclose(comfort.clothing_clo([5.0, 10.0, 15.0, 20.0, 25.0]), [1.0, 1.0, 0.75, 0.5, 0.5])
