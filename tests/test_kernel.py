"""The compiled kernel against its pure-Python twin (Engine.step), series by series."""

from __future__ import annotations

import numpy as np
import pytest

import twin
from twin import engine
from twin.weather import load_weather

#: Short January runs exercising every control path the kernel has: the default (modulating recovery,
#: immediate EV charging, blinds), EnergyPlus-style recovery in heating mode with optimum start,
#: PV-following charging, a battery, an outage, an undersized substation, ideal cooling and ceiling fans
#: (at 20 and 19.5 °C, so that they run in January), and tariff-aware
#: charging with constant recovery, and the wind-dependent exterior films (a refactored matrix each step).
VARIANTS = {
    "default": {},
    "controls": {"ahu.heat_recovery.control": "when_heating", "zones.coworking.heating.start_control": "optimum",
                 "ev_charging.strategy": "pv_following", "battery": {"capacity_kwh": 50.0, "power_kw": 25.0},
                 "heat_network.outages": [{"start": "2027-01-10T08:00:00", "duration_h": 6.0}],
                 "heat_network.subscribed_kw": 60.0, "zones.open_plan_floors.cooling_setpoint_c": 20.0,
                 "zones.coworking.ceiling_fans": {"air_speed_m_s": 0.8, "power_w_m2": 1.5, "on_above_c": 19.5}},
    "tariff_aware": {"ev_charging.strategy": "tariff_aware", "ahu.heat_recovery.control": "constant"},
    "wind_films": {"envelope.films": "wind"},
}


def _run(scenario, compiled: bool) -> engine.Engine:
    weather = load_weather(scenario.weather.source, year=scenario.period.start.year, seed=scenario.seed)
    eng = engine.Engine(scenario, engine.build_exogenous(scenario.asset, scenario, weather), compiled=compiled)
    eng.warm_up(weather)
    eng.run()
    return eng


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_compiled_kernel_equals_the_python_step(variant):
    scenario = twin.load_scenario("scenarios/baseline.toml", **{"period.end": "2027-01-15", **VARIANTS[variant]})
    py, jit = _run(scenario, compiled=False), _run(scenario, compiled=True)
    # Same equations in the same order; only the summation order of the matrix products differs
    # (einsum against loops): measured differences below 6e-9 in W and °C, i.e. round-off.
    for name in py.rec:
        np.testing.assert_allclose(jit.rec[name], py.rec[name], rtol=1e-9, atol=1e-7, err_msg=name)
    for name in py.rec_zone:
        np.testing.assert_allclose(jit.rec_zone[name], py.rec_zone[name], rtol=1e-9, atol=1e-7, err_msg=name)
    np.testing.assert_allclose(jit.zones.x, py.zones.x, rtol=1e-9, atol=1e-7)
    if py.chargers is not None:
        assert len(py.chargers.sessions) == len(jit.chargers.sessions)
        np.testing.assert_allclose(np.array(jit.chargers.sessions), np.array(py.chargers.sessions), rtol=1e-9, atol=1e-9)
    if py.battery is not None:
        assert jit.battery.stored_kwh == pytest.approx(py.battery.stored_kwh, rel=1e-9, abs=1e-9)


def test_the_kernel_advances_in_chunks_between_events():
    # A chunk never crosses a discrete event: with EV arrivals the year runs in many calls, and the
    # result is the same as one step per call (the previous test); without any event, one call.
    scenario = twin.load_scenario("scenarios/baseline.toml", **{"period.end": "2027-01-08", "ev_charging.points": 0})
    weather = load_weather(scenario.weather.source, year=2027, seed=scenario.seed)
    eng = engine.Engine(scenario, engine.build_exogenous(scenario.asset, scenario, weather))
    calls = []
    original = eng._advance
    eng._advance = lambda i0, i1: (calls.append((i0, i1)), original(i0, i1))
    eng.run()
    assert calls == [(0, eng.exo.n_steps)]
