"""Battery, EV charging points and grid split, against hand calculations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twin.systems.electrical import Battery, EvChargers, split_grid


def test_battery_charges_from_surplus_with_its_efficiency():
    # 81 % round trip -> 90 % each way. 10 kW surplus for 1 h into 20 kWh at 50 %: stores 9 kWh.
    b = Battery(20.0, 10.0, 0.81, 0.1, 0.95, 0.5)
    step = b.step(-10_000.0, 3600.0)
    assert step.charge_w == pytest.approx(10_000.0)
    assert step.stored_kwh == pytest.approx(10.0 + 9.0)
    assert step.loss_w == pytest.approx(1_000.0)


def test_battery_respects_power_and_state_of_charge_limits():
    b = Battery(20.0, 5.0, 0.81, 0.1, 0.95, 0.9)
    # Room left: 0.95*20 - 18 = 1 kWh stored -> 1/0.9 = 1.111 kWh drawn in 1 h.
    assert b.step(-10_000.0, 3600.0).charge_w == pytest.approx(1_000.0 / 0.9)
    # Now full at 19 kWh; discharge capped at 5 kW.
    assert b.step(8_000.0, 3600.0).discharge_w == pytest.approx(5_000.0)
    b2 = Battery(20.0, 50.0, 0.81, 0.1, 0.95, 0.15)
    # Only 1 kWh above the 2 kWh floor: delivers 0.9 kWh in 1 h.
    assert b2.step(8_000.0, 3600.0).discharge_w == pytest.approx(900.0)
    assert b2.stored_kwh == pytest.approx(2.0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-50_000, 50_000), min_size=1, max_size=50))
def test_battery_energy_closes(net_loads):
    b = Battery(30.0, 10.0, 0.9, 0.1, 0.9, 0.5)
    start = b.stored_kwh
    charged = discharged = losses = 0.0
    for net in net_loads:
        s = b.step(net, 900.0)
        charged += s.charge_w * 0.25 / 1e3
        discharged += s.discharge_w * 0.25 / 1e3
        losses += s.loss_w * 0.25 / 1e3
        assert 3.0 - 1e-9 <= s.stored_kwh <= 27.0 + 1e-9
    # Energy in at the terminals = stored change + energy out + losses, to round-off.
    assert charged == pytest.approx(b.stored_kwh - start + discharged + losses, abs=1e-9)


def test_split_grid():
    assert split_grid(1500.0) == (1500.0, 0.0)
    assert split_grid(-700.0) == (0.0, 700.0)


def test_immediate_charging_stops_at_the_need():
    ev = EvChargers(2, 7.4, "immediate")
    p = ev.connect(0.0, 4 * 3600.0, 2.0)
    power = ev.allocate_w(0.0, 900.0, 0.0)
    assert power[p] == pytest.approx(7_400.0) and power[1 - p] == 0.0
    ev.deliver(power, 900.0, 0.0)  # 1.85 kWh
    power = ev.allocate_w(900.0, 900.0, 0.0)
    assert power[p] == pytest.approx(0.15 * 4 * 1e3)  # 0.15 kWh left over 0.25 h
    ev.deliver(power, 900.0, 0.0)
    assert ev.remaining_kwh[p] == pytest.approx(0.0, abs=1e-12)
    assert ev.allocate_w(1800.0, 900.0, 0.0)[p] == 0.0


def test_all_points_busy_refuses_a_car():
    ev = EvChargers(1, 7.4, "immediate")
    assert ev.connect(0.0, 3600.0, 5.0) == 0
    assert ev.connect(10.0, 3600.0, 5.0) is None
    ev.disconnect(0)
    assert ev.sessions == [(0.0, 3600.0, 5.0, 0.0, 0.0)]
    assert ev.connect(20.0, 3600.0, 5.0) == 0


def test_pv_following_guarantees_the_need_by_departure_and_shares_surplus():
    ev = EvChargers(3, 7.4, "pv_following")
    ev.connect(0.0, 4 * 3600.0, 8.0)   # needs 2 kW over 4 h
    ev.connect(0.0, 2 * 3600.0, 2.0)   # needs 1 kW over 2 h
    floor = ev.allocate_w(0.0, 900.0, 0.0)
    np.testing.assert_allclose(floor, [2_000.0, 1_000.0, 0.0])
    # 10 kW of PV: 7 kW spare above the 3 kW of floors, shared equally (3.5 kW each): no cap binds.
    shared = ev.allocate_w(0.0, 900.0, 10_000.0)
    np.testing.assert_allclose(shared, [5_500.0, 4_500.0, 0.0])
    # 16 kW of PV: 13 kW spare; equal shares of 6.5 kW would exceed car 1's room (5.4 kW to 7.4 kW)
    # and car 2's (6.4 kW): both end at the 7.4 kW point power, 1.2 kW of surplus left unused.
    np.testing.assert_allclose(ev.allocate_w(0.0, 900.0, 16_000.0), [7_400.0, 7_400.0, 0.0])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(0.1, 30.0), st.floats(0.5, 10.0)), min_size=1, max_size=6),
       st.floats(0, 60_000), st.sampled_from(["immediate", "pv_following"]))
def test_points_never_exceed_power_nor_need(cars, surplus, strategy):
    ev = EvChargers(4, 7.4, strategy)
    for need, hours in cars:
        ev.connect(0.0, hours * 3600.0, need)
    for k in range(60):
        power = ev.allocate_w(k * 900.0, 900.0, surplus)
        assert np.all(power <= 7_400.0 + 1e-6) and np.all(power >= 0.0)
        assert np.all(power * 0.25 / 1e3 <= ev.remaining_kwh + 1e-9)
        ev.deliver(power, 900.0, 0.0)
    assert np.all(ev.delivered_kwh <= ev.requested_kwh + 1e-9)


def test_unknown_strategy_is_named():
    with pytest.raises(ValueError, match="'cheapest' is unknown; expected one of"):
        EvChargers(1, 7.4, "cheapest")


def test_a_car_leaving_mid_step_charges_only_while_present():
    ev = EvChargers(1, 7.4, "immediate")
    ev.connect(0.0, 300.0, 20.0)  # leaves 5 minutes into a 15-minute step
    assert ev.allocate_w(0.0, 900.0, 0.0)[0] == pytest.approx(7_400.0 / 3.0)


def test_tariff_aware_charges_fully_off_peak_and_only_the_floor_otherwise():
    ev = EvChargers(2, 7.4, "tariff_aware")
    ev.connect(0.0, 4 * 3600.0, 8.0)  # floor: 2 kW over 4 h
    assert ev.allocate_w(0.0, 900.0, 50_000.0, off_peak=False)[0] == pytest.approx(2_000.0)  # PV ignored
    assert ev.allocate_w(0.0, 900.0, 0.0, off_peak=True)[0] == pytest.approx(7_400.0)


def test_cars_that_may_wait_are_refused_less_and_every_car_is_accounted_for():
    # Two points for the whole car park, a March fortnight: many cars find both points busy.
    from twin import load_scenario, simulate

    from .conftest import ROOT

    runs = {}
    advice = None
    for wait in (False, True):
        sc = load_scenario(ROOT / "scenarios" / "baseline.toml", **{
            "ev_charging.points": 2, "ev_charging.wait_if_busy": wait,
            "period.start": "2027-03-01", "period.end": "2027-03-15"})
        r = simulate(sc)
        ev = r.summary["electricity"]["ev"]
        assert ev["sessions_served"] + ev["sessions_refused"] == len(r.occupancy.ev_sessions)
        runs[wait] = ev
        advice = advice or ev["points_advice"]
    assert runs[False]["sessions_refused"] > 0
    # A waiting car takes the first point freed before it leaves, so fewer cars go away unserved.
    assert runs[True]["sessions_refused"] < runs[False]["sessions_refused"]
    assert runs[True]["sessions_served"] > runs[False]["sessions_served"]

    assert runs[True]["points_advice"] is None  # the loss-system replay does not apply to waiting cars
    # The replay of the same arrivals gives the engine's own count at the design's 2 points.
    assert advice["refused_by_points"][2] == runs[False]["sessions_refused"]


def test_ev_refusals_by_points_by_hand():
    from twin.systems.electrical import ev_points_advice, ev_refusals_by_points

    # Cars at 0, 1, 2, 3 h staying 2.5 h; car 4 arrives when car 2 leaves (its predecessor is car 3).
    arrival = np.array([0.0, 1.0, 2.0, 3.0, 4.5]) * 3600
    departure = np.array([2.5, 3.5, 4.5, 5.5, 6.0]) * 3600
    # 1 point: car 0 (until 2.5 h), car 1 refused, car 2 at 2 h refused (0 still there), car 3 takes
    # the point freed at 2.5 h, car 4 refused (3 stays until 5.5 h): 3 refused.
    # 2 points: 0 and 1; 2 refused; 3 takes 0's point; 4 at 4.5 h: 1 left at 3.5 h -> served: 1 refused.
    # 3 points: nobody refused.
    assert list(ev_refusals_by_points(arrival, departure, [1, 2, 3])) == [3, 1, 0]
    # The previous arrival's car leaving at the same instant still holds its point (engine order).
    assert list(ev_refusals_by_points([0.0, 10.0], [10.0, 20.0], [1])) == [1]
    assert list(ev_refusals_by_points([0.0, 5.0, 10.0], [10.0, 6.0, 20.0], [2])) == [0]
    advice = ev_points_advice(arrival, departure, 1, target=0.2)
    assert advice["refused_by_points"][1] == 3 and advice["advised_points"] == 2  # 1/5 = 20 % refused
