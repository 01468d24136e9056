"""Systems running together through the engine: electricity, EV charging, battery, water."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import twin
from twin import engine
from twin.errors import BalanceError
from twin.weather import load_weather

from .conftest import short_scenario

JUNE = {"period.start": dt.date(2027, 6, 7), "period.end": dt.date(2027, 6, 21), "period.warmup_days": 2}


@pytest.fixture(scope="module")
def june():
    return twin.simulate(short_scenario(**JUNE))


def test_electrical_balance_closes_every_step(june):
    ts = june.timeseries
    supply = ts["pv_kw"] + ts["grid_import_kw"] - ts["battery_kw"].clip(upper=0)
    use = ts["electricity_kw"] + ts["grid_export_kw"] + ts["battery_kw"].clip(lower=0)
    np.testing.assert_allclose(supply, use, atol=1e-9)  # kW; round-off of sums of a few hundred kW


def test_pv_is_used_on_site_before_export(june):
    ts = june.timeseries
    # Never import and export in the same step; export only when PV exceeds the demand.
    assert not ((ts["grid_import_kw"] > 1e-9) & (ts["grid_export_kw"] > 1e-9)).any()
    exporting = ts["grid_export_kw"] > 1e-9
    assert (ts.loc[exporting, "pv_kw"] > ts.loc[exporting, "electricity_kw"]).all()
    e = june.summary["electricity"]
    assert e["pv_self_consumed_kwh"] + e["pv_exported_kwh"] == pytest.approx(e["pv_kwh"])
    assert 0 < e["self_consumption_ratio"] <= 1 and 0 < e["self_sufficiency_ratio"] <= 1


def test_ev_cars_get_their_need_and_points_their_limit(june):
    ev = june.summary["electricity"]["ev"]
    assert ev["sessions_served"] > 50
    assert ev["delivered_kwh"] <= ev["requested_kwh"] + 1e-9
    points = short_scenario().asset.ev_charging
    assert june.timeseries["ev_kw"].max() <= points.points * points.power_kw + 1e-9


def test_pv_following_raises_the_pv_share_of_ev_charging(june):
    following = twin.simulate(short_scenario(**JUNE, **{"ev_charging.strategy": "pv_following"}))
    immediate = june.summary["electricity"]["ev"]
    smart = following.summary["electricity"]["ev"]
    assert smart["pv_share"] > immediate["pv_share"] + 0.1
    # The guaranteed floor still meets nearly every need by departure (a car staying less than a
    # step may leave a fraction of a kWh).
    assert smart["service_level"] > 0.98
    # Same cars: occupancy does not depend on the charging strategy (common random numbers).
    assert smart["sessions_served"] + smart["sessions_refused"] == immediate["sessions_served"] + immediate["sessions_refused"]


def test_a_battery_raises_self_consumption_and_closes_its_energy(june):
    battery = {"battery": {"capacity_kwh": 50.0, "power_kw": 25.0}}
    res = twin.simulate(short_scenario(**JUNE, **battery))
    e, base = res.summary["electricity"], june.summary["electricity"]
    assert e["self_consumption_ratio"] > base["self_consumption_ratio"]
    assert e["grid_import_kwh"] < base["grid_import_kwh"]
    b = e["battery"]
    assert b["charged_kwh"] > 0 and b["losses_kwh"] > 0
    soc = res.timeseries["battery_kwh"]
    assert soc.min() >= 0.1 * 50.0 - 1e-9 and soc.max() <= 0.95 * 50.0 + 1e-9


def test_water_balance_and_uses(june):
    w = june.summary["water"]
    assert june.summary["balance"]["water_error_m3"] < 1e-9
    assert w["demand_m3"]["total"] == pytest.approx(sum(v for k, v in w["demand_m3"].items() if k != "total"))
    # Everything drunk or flushed is either rain from the tank or mains water.
    assert w["rain_used_m3"] + w["mains_m3"] == pytest.approx(w["demand_m3"]["total"] + w.get("topup_m3", 0.0))
    assert w["demand_m3"]["irrigation"] > 0  # June is a watering month
    assert w["demand_m3"]["wc"] > w["demand_m3"]["urinal"] > 0


def test_a_bigger_tank_covers_more(june):
    bigger = twin.simulate(short_scenario(**JUNE, **{"rainwater.tank_volume_m3": 60.0}))
    assert bigger.summary["water"]["rain_coverage_ratio"] >= june.summary["water"]["rain_coverage_ratio"]
    assert bigger.summary["water"]["overflow_m3"] <= june.summary["water"]["overflow_m3"]


def test_schedule_occupancy_model_runs_end_to_end():
    res = twin.simulate(short_scenario(occupancy_model="schedule"))
    assert res.summary["occupancy"]["visits"] is None
    assert res.summary["occupancy"]["person_hours"] > 0
    assert res.summary["water"]["demand_m3"]["wc"] > 0   # expected uses from person-hours
    assert res.summary["electricity"]["ev"]["sessions_served"] == 0  # no individual cars without events


def test_electrical_balance_check_catches_a_leak():
    scenario = short_scenario()
    weather = load_weather(scenario.weather.source, year=2027, seed=scenario.seed)
    eng = engine.Engine(scenario, engine.build_exogenous(scenario.asset, scenario, weather))
    eng.run()
    engine.check_energy_balance(eng)
    eng.rec["electric_residual_w"][40] = 2_000.0
    with pytest.raises(BalanceError, match="electrical balance does not close"):
        engine.check_energy_balance(eng)


def test_occupancy_realisation_is_reusable_across_options():
    # Sweeps reuse inputs: the realisation depends on the model's people, the period and the seed only.
    a = short_scenario()
    b = short_scenario(**{"ahu.heat_recovery.effectiveness": 0.9})
    weather = load_weather(a.weather.source, year=2027, seed=a.seed)
    times = engine.build_exogenous(a.asset, a, weather).times
    occ = engine.occupancy_for(a.asset, a, times)
    with_reuse = engine.build_exogenous(b.asset, b, weather, occupancy=occ)
    fresh = engine.build_exogenous(b.asset, b, weather)
    np.testing.assert_array_equal(with_reuse.occupants, fresh.occupants)


def test_tariff_aware_charging_moves_energy_into_the_off_peak_window(june):
    aware = twin.simulate(short_scenario(**JUNE, **{"ev_charging.strategy": "tariff_aware"}))
    def off_peak_share(res):
        ts = res.timeseries
        civil = ts.index.tz_convert("Europe/Paris") - pd.Timedelta(minutes=7.5)
        in_window = (civil.hour >= 12) & (civil.hour < 15)
        return ts.loc[in_window, "ev_kw"].sum() / ts["ev_kw"].sum()
    assert off_peak_share(aware) > off_peak_share(june) + 0.05
    assert aware.summary["electricity"]["ev"]["service_level"] > 0.98


def test_mains_by_use_adds_up_to_the_mains(june):
    w = june.summary["water"]
    assert sum(w["mains_by_use_m3"].values()) == pytest.approx(w["mains_m3"], rel=1e-9)
    # Washbasins and kitchenettes never draw from the tank: all their water is mains water.
    assert w["mains_by_use_m3"]["washbasin"] == pytest.approx(w["demand_m3"]["washbasin"])


def test_capacity_advice_lists_the_cost_of_every_choice(june):
    heat = short_scenario()  # January: heating runs
    res = twin.simulate(heat)
    advice = res.summary["capacity"]["district_heat"]
    rows = advice["candidates"]
    # Larger subscriptions cost more and leave fewer hours above them; the advice meets its limit.
    assert all(a["subscription_eur"] < b["subscription_eur"] for a, b in zip(rows, rows[1:], strict=False))
    assert all(a["hours_above_h"] >= b["hours_above_h"] for a, b in zip(rows, rows[1:], strict=False))
    chosen = next(r for r in rows if r["capacity_kw"] == advice["recommended_kw"])
    assert chosen["hours_above_h"] <= advice["unmet_hours_limit"]
    smaller = [r for r in rows if r["capacity_kw"] < advice["recommended_kw"]]
    assert not smaller or smaller[-1]["hours_above_h"] > advice["unmet_hours_limit"]


def test_ev_charging_is_billed_per_kwh_delivered(june):
    ev = june.summary["electricity"]["ev"]
    price = short_scenario().tariffs.ev_charging_eur_kwh
    assert june.summary["revenue_eur"]["ev_charging"] == pytest.approx(ev["delivered_kwh"] * price)
