"""Tests of twin.tariffs: schemas, time-of-use classification in civil time, costs, subscription choice."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from twin import tariffs as t

PARIS = "Europe/Paris"
TOU = t.ElectricityTariff(kind="time_of_use")   # defaults: HC 22:00-06:00, high season 1 Nov - 31 Mar


def constant(kw, start, end, step="15min", tz=PARIS):
    """A constant series over [start, end) in civil time, labelled by step ends."""
    idx = pd.date_range(pd.Timestamp(start, tz=tz), pd.Timestamp(end, tz=tz), freq=step, inclusive="right")
    return pd.Series(float(kw), index=idx)


# ----------------------------------------------------------------------------- schemas


def test_defaults_are_the_domain_facts():
    assert (TOU.hph_eur_mwh, TOU.hch_eur_mwh, TOU.hpe_eur_mwh, TOU.hce_eur_mwh) == (180, 133, 88, 74)
    assert TOU.subscription_eur_kva_year == 45 and TOU.excise_eur_mwh == 26.58
    assert (TOU.high_season_from, TOU.high_season_to) == ("11-01", "03-31")
    dh = t.DistrictHeatTariff()
    assert (dh.energy_eur_mwh, dh.subscription_eur_kw_year, dh.vat_rate) == (55, 8.98, 0.055)


def test_flat_tariff_stays_backward_compatible():
    # Today's scenario section: [tariffs.electricity] energy_eur_kwh = 0.20
    flat = t.ElectricityTariff.model_validate({"energy_eur_kwh": 0.20})
    assert flat.kind == "flat"
    # An option switches with one override; the flat price stays, unused.
    tou = t.ElectricityTariff.model_validate({**flat.model_dump(), "kind": "time_of_use"})
    s = constant(1, "2027-01-11", "2027-01-18")
    assert t.electricity_cost_eur(s, tou, 36)["total_eur"] == t.electricity_cost_eur(s, TOU, 36)["total_eur"]


@pytest.mark.parametrize(
    ("data", "match"),
    [({}, "energy_eur_kwh"),
     ({"kind": "time_of_use", "off_peak_hours": ["22:00-06:00", "05:00-07:00"]}, "overlaps"),
     ({"kind": "time_of_use", "off_peak_hours": ["06:00-06:00"]}, "empty"),
     ({"kind": "time_of_use", "off_peak_hours": ["6:00-07:00"]}, "off_peak_hours"),
     ({"kind": "time_of_use", "high_season_to": "02-30"}, "02-30"),
     ({"kind": "time_of_use", "tva": 0.2}, "tva"),
     ({"kind": "weekly"}, "kind")],
)
def test_schema_rejects_mistakes(data, match):
    with pytest.raises(ValidationError, match=match):
        t.ElectricityTariff.model_validate(data)


def test_schemas_are_frozen():
    with pytest.raises(ValidationError):
        TOU.hph_eur_mwh = 1.0
    with pytest.raises(ValidationError):
        t.DistrictHeatTariff(vat_rate=1.5)


# ----------------------------------------------------------------------------- period length


def test_period_years():
    year = constant(1, "2027-01-01", "2028-01-01", "1h")
    assert t.period_years(year.index) == pytest.approx(1.0, abs=1e-12)          # 8760 h, DST included
    leap = constant(1, "2028-01-01", "2029-01-01", "1h")
    assert t.period_years(leap.index) == pytest.approx(1.0, abs=1e-12)          # 8784 h
    week = constant(1, "2027-01-11", "2027-01-18", "15min")
    assert t.period_years(week.index) == pytest.approx(7 / 365, rel=1e-12)
    # Two weeks across the new year: 7 days of 2027 and 7 days of the leap year 2028.
    across = constant(1, "2027-12-25", "2028-01-08", "1h")
    assert t.period_years(across.index) == pytest.approx(7 / 365 + 7 / 366, rel=1e-12)


def test_series_checks():
    naive = pd.Series(1.0, index=pd.date_range("2027-01-01 01:00", periods=4, freq="1h"))
    with pytest.raises(ValueError, match="tz-aware"):
        t.electricity_cost_eur(naive, TOU, 36)
    s = constant(1, "2027-01-11", "2027-01-12", "1h")
    with pytest.raises(ValueError, match="regular"):
        t.electricity_cost_eur(s.drop(s.index[3]), TOU, 36)
    with pytest.raises(ValueError, match="overlap"):
        t.electricity_cost_eur(s, TOU, 36, step_s=7200)
    with pytest.raises(ValueError, match="NaN"):
        t.electricity_cost_eur(s.where(s.index != s.index[2]), TOU, 36)
    with pytest.raises(ValueError, match=">= 0"):
        t.electricity_cost_eur(-s, TOU, 36)
    with pytest.raises(ValueError, match="subscribed_kva"):
        t.electricity_cost_eur(s, TOU, 0)
    with pytest.raises(ValueError, match="step_s"):
        t.electricity_cost_eur(s.iloc[:1], TOU, 36)
    one = t.electricity_cost_eur(s.iloc[:1], TOU, 36, step_s=3600)
    assert one["kwh"]["hch"] == 1.0      # 00:00-01:00 on 11 Jan: off-peak, high season


# ----------------------------------------------------------------------------- time-of-use


@pytest.mark.parametrize("step", ["1min", "15min", "1h"])
def test_january_week_constant_1kw(step):
    # Mon 11 - Mon 18 Jan 2027: 168 h at 1 kW = 168 kWh, all high season.
    # Off-peak 22:00-06:00 = 8 h/day -> HCH 56 kWh, HPH 112 kWh, whatever the step.
    s = constant(1, "2027-01-11", "2027-01-18", step)
    out = t.electricity_cost_eur(s, TOU, subscribed_kva=36)
    assert out["kwh"] == pytest.approx({"hph": 112.0, "hch": 56.0, "hpe": 0.0, "hce": 0.0}, abs=1e-9)
    # Energy 112 x 0.180 + 56 x 0.133 = 20.16 + 7.448 = 27.608 EUR
    assert out["energy_total_eur"] == pytest.approx(27.608, rel=1e-12)
    # Subscription 45 EUR/kVA/yr x 36 kVA x 7/365 yr = 31.0684.. EUR
    assert out["subscription_eur"] == pytest.approx(45 * 36 * 7 / 365, rel=1e-12)
    # Accise 0.168 MWh x 26.58 = 4.46544; network 0.168 x 50 = 8.4
    assert out["excise_eur"] == pytest.approx(4.46544, rel=1e-12)
    assert out["network_eur"] == pytest.approx(8.4, rel=1e-12)
    assert out["overrun_eur"] == 0.0
    total = 27.608 + 45 * 36 * 7 / 365 + 4.46544 + 8.4
    assert out["total_eur"] == pytest.approx(total, rel=1e-12)
    assert out["average_eur_kwh"] == pytest.approx(total / 168, rel=1e-12)


def test_flat_tariff_week():
    s = constant(1, "2027-01-11", "2027-01-18")
    out = t.electricity_cost_eur(s, t.ElectricityTariff(energy_eur_kwh=0.20), 36)
    # 168 kWh x 0.20 = 33.6 EUR, no other line.
    assert out["total_eur"] == pytest.approx(33.6, rel=1e-12)
    assert out["kwh"] == pytest.approx({"all": 168.0})
    assert out["subscription_eur"] == out["excise_eur"] == out["network_eur"] == 0.0


@pytest.mark.parametrize("step", ["1min", "15min", "1h"])
def test_dst_week_in_march(step):
    # Mon 22 - Mon 29 Mar 2027; clocks go 02:00 CET -> 03:00 CEST on Sun 28 Mar: 167 h of steps.
    # Off-peak 22:00-06:00 in civil time: Mon 00-06 (6 h) + seven evenings 22-24 (14 h)
    # + six mornings 00-06 from Tue to Sun (36 h) - the missing hour 02-03 on Sunday (1 h) = 55 h.
    s = constant(1, "2027-03-22", "2027-03-29", step)
    assert len(s) * t.step_hours(s.index) == pytest.approx(167.0)
    out = t.electricity_cost_eur(s, TOU, 36)
    assert out["kwh"] == pytest.approx({"hph": 112.0, "hch": 55.0, "hpe": 0.0, "hce": 0.0}, abs=1e-9)
    # The results time series has a fixed-offset index (UTC+01:00): same instants, same answer.
    fixed = s.copy()
    fixed.index = s.index.tz_convert(dt.timezone(dt.timedelta(hours=1)))
    assert t.electricity_cost_eur(fixed, TOU, 36)["kwh"] == out["kwh"]


@pytest.mark.parametrize("step", ["15min", "1h"])
def test_dst_week_in_october(step):
    # Mon 25 Oct - Mon 1 Nov 2027 (low season throughout); clocks go back 03:00 CEST -> 02:00 CET on
    # Sun 31 Oct: 169 h. Off-peak: 6 + 14 + 36 + the repeated hour 02-03 (1 h) = 57 h.
    s = constant(1, "2027-10-25", "2027-11-01", step)
    out = t.electricity_cost_eur(s, TOU, 36)
    assert out["kwh"] == pytest.approx({"hph": 0.0, "hch": 0.0, "hpe": 112.0, "hce": 57.0}, abs=1e-9)


def test_classification_follows_civil_time_across_the_change():
    # Hourly steps in UTC. 04:00-05:00 UTC is 05:00-06:00 CET on Sat 27 Mar (off-peak) but
    # 06:00-07:00 CEST on Sun 28 Mar (peak): a UTC or fixed-offset rule would get one of them wrong.
    idx = pd.DatetimeIndex(["2027-03-27 05:00", "2027-03-28 05:00"], tz="UTC")
    periods = t.time_of_use_periods(idx, TOU, step_s=3600)
    assert list(periods) == ["hch", "hph"]
    # 21:00-22:00 UTC is 22:00-23:00 CET (Sat, off-peak) but 23:00-24:00 CEST (Sun, off-peak);
    # 20:00-21:00 UTC on Sunday is 22:00-23:00 CEST (off-peak), 21:00-22:00 CET on Saturday (peak).
    idx = pd.DatetimeIndex(["2027-03-27 21:00", "2027-03-28 21:00"], tz="UTC")
    assert list(t.time_of_use_periods(idx, TOU, step_s=3600)) == ["hph", "hch"]


def test_step_is_classified_by_its_middle():
    # 15-min step ending 06:00 (middle 05:52:30): off-peak; ending 06:15 (middle 06:07:30): peak.
    # Ending 22:00 (middle 21:52:30): peak; ending 22:15: off-peak.
    s = constant(1, "2027-01-12 05:45", "2027-01-12 06:15")
    assert list(t.time_of_use_periods(s.index, TOU)) == ["hch", "hph"]
    s = constant(1, "2027-01-12 21:45", "2027-01-12 22:15")
    assert list(t.time_of_use_periods(s.index, TOU)) == ["hph", "hch"]


def test_season_boundary_days():
    # 31 Mar is the last high-season day, 1 Apr the first low-season day; 31 Oct low, 1 Nov high.
    # Noon (peak) hours: the step ending 12:00 has its middle at 11:30 on that civil day.
    days = ["2027-03-31", "2027-04-01", "2027-10-31", "2027-11-01"]
    idx = pd.DatetimeIndex([pd.Timestamp(f"{d} 12:00", tz=PARIS) for d in days])
    assert list(t.time_of_use_periods(idx, TOU, step_s=3600)) == ["hph", "hpe", "hpe", "hph"]
    # The 15-min step ending at 00:00 on 1 Apr lies in 31 Mar (high season); the next one in 1 Apr.
    s = constant(1, "2027-03-31 23:45", "2027-04-01 00:15")
    assert list(t.time_of_use_periods(s.index, TOU)) == ["hch", "hce"]
    # Two days across the boundary at 1 kW: 24 h high season (8 HCH + 16 HPH), 24 h low season.
    out = t.electricity_cost_eur(constant(1, "2027-03-31", "2027-04-02"), TOU, 36)
    assert out["kwh"] == pytest.approx({"hph": 16.0, "hch": 8.0, "hpe": 16.0, "hce": 8.0}, abs=1e-9)


def test_custom_seasons_without_wrap():
    tariff = t.ElectricityTariff(kind="time_of_use", high_season_from="01-10", high_season_to="01-20")
    idx = pd.DatetimeIndex([pd.Timestamp(f"2027-01-{d} 12:00", tz=PARIS) for d in ("09", "10", "20", "21")])
    assert list(t.high_season_mask(idx, tariff, step_s=3600)) == [False, True, True, False]


def test_low_season_afternoon_off_peak_hours():
    # Since Nov 2025 up to 3 h of the 8 may fall between 11:00 and 17:00, mainly in summer (DF §3).
    tariff = t.ElectricityTariff(kind="time_of_use", off_peak_hours_low_season=["02:00-07:00", "12:00-15:00"])
    summer = t.electricity_cost_eur(constant(1, "2027-07-05", "2027-07-06"), tariff, 36)
    assert summer["kwh"] == pytest.approx({"hph": 0, "hch": 0, "hpe": 16.0, "hce": 8.0}, abs=1e-9)
    s = constant(1, "2027-07-05 13:00", "2027-07-05 16:00", "1h")
    assert list(t.time_of_use_periods(s.index, tariff)) == ["hce", "hce", "hpe"]
    # The winter keeps the night hours.
    winter = constant(1, "2027-01-12 13:00", "2027-01-12 14:00", "1h")
    assert list(t.time_of_use_periods(winter.index, tariff, step_s=3600)) == ["hph"]


def test_full_year_constant_load():
    # 2027 at 10 kW: high season = Jan-Mar (90 d) + Nov-Dec (61 d) = 151 d, low = 214 d.
    # HCH = 151 x 8 x 10 - 10 (the lost hour 02-03 on 28 Mar is off-peak) = 12,070 kWh
    # HCE = 214 x 8 x 10 + 10 (the repeated hour on 31 Oct) = 17,130 kWh
    s = constant(10, "2027-01-01", "2028-01-01")
    out = t.electricity_cost_eur(s, TOU, 36)
    assert out["kwh"] == pytest.approx({"hph": 24_160.0, "hch": 12_070.0, "hpe": 34_240.0, "hce": 17_130.0})
    assert out["subscription_eur"] == pytest.approx(45 * 36, rel=1e-12)   # one full year
    assert out["total_kwh"] == pytest.approx(87_600.0)


def test_overrun_penalty():
    # 40 kW for 2 h against 36 kVA at 10 EUR/(kVA h): 4 kVA x 2 h x 10 = 80 EUR.
    tariff = t.ElectricityTariff(kind="time_of_use", overrun_eur_kvah=10.0)
    s = constant(40, "2027-01-12 10:00", "2027-01-12 12:00")
    out = t.electricity_cost_eur(s, tariff, 36)
    assert out["overrun_kvah"] == pytest.approx(8.0) and out["overrun_eur"] == pytest.approx(80.0)
    assert out["overrun_hours"] == pytest.approx(2.0)
    # cos phi = 0.8: 40 kW = 50 kVA -> 14 kVA x 2 h x 10 = 280 EUR.
    out = t.electricity_cost_eur(s, tariff, 36, power_factor=0.8)
    assert out["overrun_eur"] == pytest.approx(280.0) and out["max_kva"] == pytest.approx(50.0)
    # A flat tariff prices overruns too.
    flat = t.ElectricityTariff(energy_eur_kwh=0.2, overrun_eur_kvah=10.0)
    assert t.electricity_cost_eur(s, flat, 36)["overrun_eur"] == pytest.approx(80.0)


# ----------------------------------------------------------------------------- heat, PV, water


def test_district_heat_week():
    # 50 kW for 168 h = 8.4 MWh; R1 55 -> 462 EUR; R2 50 EUR/kW/yr x 100 kW x 7/365 = 95.89 EUR.
    s = constant(50, "2027-01-11", "2027-01-18")
    out = t.district_heat_cost_eur(s, t.DistrictHeatTariff(subscription_eur_kw_year=50.0), subscribed_kw=100)
    assert out["mwh"] == pytest.approx(8.4)
    assert out["energy_eur"] == pytest.approx(462.0)
    r2 = 50 * 100 * 7 / 365
    assert out["subscription_eur"] == pytest.approx(r2, rel=1e-12)
    assert out["total_incl_vat_eur"] == pytest.approx((462 + r2) * 1.055, rel=1e-12)
    assert out["hours_at_or_above_subscribed"] == 0.0
    assert out["full_load_hours"] == pytest.approx(84.0)
    capped = t.district_heat_cost_eur(constant(100, "2027-01-11", "2027-01-12"), t.DistrictHeatTariff(), 100)
    assert capped["hours_at_or_above_subscribed"] == pytest.approx(24.0)


def test_pv_export_revenue():
    s = constant(2, "2027-06-01", "2027-06-02")          # 48 kWh
    assert t.pv_export_revenue_eur(s, 0.10) == pytest.approx(4.8)
    price = pd.Series(np.where(s.index.hour < 12, 0.05, 0.10), index=s.index)
    # Labels 00:15..11:45 (47) and the last one, 00:00 next day (1), have hour < 12: 48 quarter-hours
    # = 12 h at 0.05, the other 12 h at 0.10 -> 2 kW x (12 x 0.05 + 12 x 0.10) = 3.6 EUR
    assert t.pv_export_revenue_eur(s, price) == pytest.approx(3.6)
    with pytest.raises(ValueError, match="price_eur_kwh"):
        t.pv_export_revenue_eur(s, -0.1)


def test_water_cost():
    # 100 m3 x 3.10 + 25 EUR/yr fixed (15 water + 10 sanitation, DF §5) x 0.5 yr = 322.5
    out = t.water_cost_eur(100.0, 3.10, 25.0, 0.5)
    assert out == pytest.approx({"volume_eur": 310.0, "fixed_eur": 12.5, "total_eur": 322.5})
    with pytest.raises(ValueError, match="price_eur_m3"):
        t.water_cost_eur(1.0, -3.0)


# ----------------------------------------------------------------------------- subscription


def ldc_load():
    """100 hourly steps of 1, 2, ..., 100 kW (shuffled: the duration curve ignores order), in 2027."""
    values = np.random.default_rng(3).permutation(np.arange(1.0, 101.0))
    idx = pd.date_range(pd.Timestamp("2027-02-01 01:00", tz=PARIS), periods=100, freq="1h")
    return pd.Series(values, index=idx)


def test_recommend_subscription_by_hand():
    # Period Y = 100 h / 8760 h. Choose f so that f*Y = 20.5 EUR per kW, and c = 1 EUR/kWh:
    # total(C) = 20.5 C + sum_{P > C} (P - C) = 20.5 C + (100 - C)(101 - C)/2 for integer C.
    # total(C+1) - total(C) = 20.5 - (100 - C) changes sign between C = 79 (-0.5) and C = 80 (+0.5):
    # C* = 80 kW, with 20 h above: from there one more kW costs 20.5 EUR and saves only 20 kWh = 20 EUR.
    # total(80) = 1640 + 20*21/2 = 1640 + 210 = 1850 EUR.
    f = 20.5 * 8760 / 100
    df = t.recommend_subscription(ldc_load(), np.arange(1, 101), f, shortfall_cost_eur_per_kwh=1.0)
    assert df.attrs["recommended_kw"] == 80.0
    best = df[df.recommended].iloc[0]
    assert best.total_eur == pytest.approx(1850.0, rel=1e-12)
    assert best.energy_above_kwh == pytest.approx(210.0) and best.hours_above_h == pytest.approx(20.0)
    assert df.total_eur.min() == pytest.approx(1850.0, rel=1e-12)
    assert df.attrs["peak_kw"] == 100.0
    # Between grid points: C = 80.5 leaves sum_{81..100} (P - 80.5) = 210 - 20 x 0.5 = 200 kWh above.
    df = t.recommend_subscription(ldc_load(), [80.5], f, shortfall_cost_eur_per_kwh=1.0)
    assert df.energy_above_kwh.iloc[0] == pytest.approx(200.0)


def test_recommend_subscription_with_hours_limit():
    f = 20.5 * 8760 / 100
    # At most 10 h above: H(C) = 100 - C <= 10 -> C >= 90, the cheapest subscription is 90.
    df = t.recommend_subscription(ldc_load(), np.arange(1, 101), f, unmet_hours_limit=10)
    assert df.attrs["recommended_kw"] == 90.0
    assert df.shortfall_eur.isna().all()
    # Both: limit 30 h (C >= 70) keeps the cost optimum 80; limit 15 h (C >= 85) binds -> 85.
    both = t.recommend_subscription(ldc_load(), np.arange(1, 101), f, shortfall_cost_eur_per_kwh=1.0,
                                    unmet_hours_limit=30)
    assert both.attrs["recommended_kw"] == 80.0
    both = t.recommend_subscription(ldc_load(), np.arange(1, 101), f, shortfall_cost_eur_per_kwh=1.0,
                                    unmet_hours_limit=15)
    assert both.attrs["recommended_kw"] == 85.0
    # Nothing meets a 0-h limit below the peak.
    none = t.recommend_subscription(ldc_load(), [50, 60], f, unmet_hours_limit=0)
    assert math.isnan(none.attrs["recommended_kw"]) and not none.recommended.any()


def test_recommend_subscription_rejects_mistakes():
    with pytest.raises(ValueError, match="shortfall_cost_eur_per_kwh, unmet_hours_limit"):
        t.recommend_subscription(ldc_load(), [50], 10.0)
    with pytest.raises(ValueError, match="candidates_kw"):
        t.recommend_subscription(ldc_load(), [0, 50], 10.0, unmet_hours_limit=1)
    with pytest.raises(ValueError, match="fixed_eur_per_kw_year"):
        t.recommend_subscription(ldc_load(), [50], -1.0, unmet_hours_limit=1)


def test_r2_calibrated_to_the_networks_all_in_price():
    # DF §2: 90.04 EUR TTC/MWh [V], VAT 5.5 % -> 85.346 HT. R1 55 [E]. The baseline's median draw over
    # weather seeds 1-10, 21.305 MWh on the median advised 72 kW:
    # R2 = (85.346 - 55) x 21.305 / 72 = 30.346 x 0.29590 = 8.9795 EUR/(kW yr).
    r2 = t.calibrate_subscription_eur_kw_year(90.04, 0.055, 55.0, 21.305, 72.0)
    assert r2 == pytest.approx(8.9795, abs=1e-4)
    # Check back: (55 x 21.305 + 8.98 x 72) / 21.305 x 1.055 = 90.04 EUR TTC/MWh (8.98 is r2 rounded).
    assert (55 * 21.305 + 8.98 * 72) / 21.305 * 1.055 == pytest.approx(90.04, abs=0.02)
    with pytest.raises(ValueError, match="exceeds"):
        t.calibrate_subscription_eur_kw_year(50.0, 0.055, 55.0, 21.305, 72.0)
