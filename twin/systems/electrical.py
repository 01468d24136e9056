"""Electrical systems: battery, EV charging points, grid exchange.

Power balance of every step (all mean powers over the step, W):

    pv + grid_import + battery_discharge = loads + ev + grid_export + battery_charge

The battery's own losses are inside it: its stored energy changes by
``charge * eta_c - discharge / eta_d`` (times dt), with eta_c = eta_d =
sqrt(round-trip efficiency), the usual symmetric split.

EV charging: each car that reaches a free point is connected until it leaves,
with an energy need; the fixed-step process allocates power to connected cars
each step according to a named strategy:

``immediate``
    every car charges at the point's power until its need is met;
``pv_following``
    every car gets at least the power that still meets its need by its
    departure (spread evenly over the time left), plus its share of the PV
    surplus, up to the point's power;
``tariff_aware``
    the same guaranteed floor, and the point's full power during off-peak
    hours (the caller says when).

Cars never charge beyond their need or after leaving, and a point never
exceeds its power (tested).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Battery", "BatteryStep", "BusStep", "EV_STRATEGIES", "EvChargers", "dispatch", "split_grid"]

EV_STRATEGIES = ("immediate", "pv_following", "tariff_aware")


@dataclass(frozen=True, slots=True)
class BatteryStep:
    charge_w: float
    discharge_w: float
    stored_kwh: float
    loss_w: float


class Battery:
    """A stationary battery dispatched for self-consumption.

    Parameters
    ----------
    capacity_kwh
        Usable nameplate energy [kWh].
    power_kw
        Charge and discharge power limit [kW].
    round_trip_efficiency
        AC-to-AC round trip [-], split evenly between charge and discharge.
    soc_min, soc_max, soc_initial
        State-of-charge bounds and start, as fractions of capacity [-].
    """

    def __init__(self, capacity_kwh: float, power_kw: float, round_trip_efficiency: float,
                 soc_min: float, soc_max: float, soc_initial: float):
        if not 0.0 <= soc_min <= soc_initial <= soc_max <= 1.0:
            raise ValueError(f"battery state of charge must satisfy 0 <= min <= initial <= max <= 1, got "
                             f"{soc_min}, {soc_initial}, {soc_max}")
        self.capacity_kwh = capacity_kwh
        self.power_w = power_kw * 1e3
        self.eta = math.sqrt(round_trip_efficiency)
        self.min_kwh = soc_min * capacity_kwh
        self.max_kwh = soc_max * capacity_kwh
        #: Stored energy [kWh], a one-element array shared in place with the compiled kernel.
        self.state = np.array([soc_initial * capacity_kwh])

    @property
    def stored_kwh(self) -> float:
        return float(self.state[0])

    def step(self, net_load_w: float, dt_s: float) -> BatteryStep:
        """Charge from a surplus (net load < 0) or discharge to cover a deficit (> 0)."""
        hours = dt_s / 3600.0
        charge = discharge = 0.0
        if net_load_w < 0.0:
            room_w = (self.max_kwh - self.stored_kwh) * 1e3 / (self.eta * hours)
            charge = max(0.0, min(-net_load_w, self.power_w, room_w))
        elif net_load_w > 0.0:
            avail_w = (self.stored_kwh - self.min_kwh) * 1e3 * self.eta / hours
            discharge = max(0.0, min(net_load_w, self.power_w, avail_w))
        self.state[0] += (charge * self.eta - discharge / self.eta) * hours / 1e3
        loss = charge * (1.0 - self.eta) + discharge * (1.0 / self.eta - 1.0)
        return BatteryStep(charge, discharge, self.stored_kwh, loss)


def split_grid(net_load_w: float) -> tuple[float, float]:
    """Import and export [W] of a net load (positive: the building needs power)."""
    return (net_load_w, 0.0) if net_load_w > 0.0 else (0.0, -net_load_w)


class EvChargers:
    """Per-point state of the EV charging points.

    Parameters
    ----------
    points
        Number of points.
    power_kw
        Power of each point [kW].
    strategy
        One of :data:`EV_STRATEGIES`.
    """

    def __init__(self, points: int, power_kw: float, strategy: str):
        if strategy not in EV_STRATEGIES:
            raise ValueError(f"EV strategy '{strategy}' is unknown; expected one of {EV_STRATEGIES}")
        self.strategy = strategy
        self.point_power_w = power_kw * 1e3
        #: Per-point state, one row each (shared in place with the compiled kernel, twin.kernel):
        #: remaining kWh, departure s, delivered kWh, delivered from PV kWh, connected (0/1).
        self.state = np.zeros((5, points))
        self.requested_kwh = np.zeros(points)
        self.sessions: list[tuple[float, float, float, float, float]] = []
        """(arrival_s, departure_s, requested_kwh, delivered_kwh, delivered_from_pv_kwh) per served car."""
        self._arrival_s = np.zeros(points)

    @property
    def remaining_kwh(self) -> np.ndarray:
        return self.state[0]

    @property
    def departure_s(self) -> np.ndarray:
        return self.state[1]

    @property
    def delivered_kwh(self) -> np.ndarray:
        return self.state[2]

    @property
    def delivered_pv_kwh(self) -> np.ndarray:
        return self.state[3]

    @property
    def connected(self) -> np.ndarray:
        return self.state[4] == 1.0

    def connect(self, now_s: float, departure_s: float, energy_kwh: float) -> int | None:
        """Plug a car into a free point; return the point, or None if all are busy."""
        free = np.flatnonzero(self.state[4] == 0.0)
        if free.size == 0:
            return None
        p = int(free[0])
        self.state[:, p] = (energy_kwh, departure_s, 0.0, 0.0, 1.0)
        self.requested_kwh[p] = energy_kwh
        self._arrival_s[p] = now_s
        return p

    def disconnect(self, point: int) -> None:
        """The car leaves: record its session and free the point."""
        self.sessions.append((self._arrival_s[point], self.departure_s[point], self.requested_kwh[point],
                              self.delivered_kwh[point], self.delivered_pv_kwh[point]))
        self.state[4, point] = 0.0
        self.state[0, point] = 0.0

    def allocate_w(self, now_s: float, dt_s: float, pv_surplus_w: float, off_peak: bool = False) -> np.ndarray:
        """Charging power of each point over the coming step [W].

        Parameters
        ----------
        now_s
            Start of the step [s].
        dt_s
            Step length [s].
        pv_surplus_w
            PV power left after the building's other loads [W], >= 0.
        off_peak
            The step lies in an off-peak window (``tariff_aware`` only).
        """
        hours = dt_s / 3600.0
        # Never more than the point's power, nor than the energy still needed, nor beyond the car's
        # departure: a car leaving mid-step charges only for the part of the step it is there.
        present = np.clip((self.departure_s - now_s) / dt_s, 0.0, 1.0)
        cap_w = np.where(self.connected,
                         np.minimum(self.point_power_w * present, self.remaining_kwh * 1e3 / hours), 0.0)
        if self.strategy == "immediate":
            return cap_w
        if self.strategy == "tariff_aware" and off_peak:
            return cap_w
        time_left_h = np.maximum((self.departure_s - now_s) / 3600.0, hours)
        floor_w = np.minimum(np.where(self.connected, self.remaining_kwh * 1e3 / time_left_h, 0.0), cap_w)
        if self.strategy == "tariff_aware":
            return floor_w
        power = floor_w.copy()
        spare = max(pv_surplus_w - floor_w.sum(), 0.0)
        # Share the surplus among cars that can take more, water-filling so none exceeds its cap.
        for _ in range(len(power)):
            room = cap_w - power
            takers = room > 1e-9
            if spare <= 1e-9 or not takers.any():
                break
            share = spare / takers.sum()
            add = np.where(takers, np.minimum(room, share), 0.0)
            power += add
            spare -= add.sum()
        return power

    def deliver(self, power_w: np.ndarray, dt_s: float, pv_share: float) -> None:
        """Account for a step of charging; ``pv_share`` is the fraction of it that PV covered."""
        energy = power_w * dt_s / 3.6e6
        self.state[0] = np.maximum(self.state[0] - energy, 0.0)
        self.state[2] += energy
        self.state[3] += energy * pv_share


@dataclass(frozen=True, slots=True)
class BusStep:
    """The electrical balance of one step [W]."""

    load_w: float
    pv_w: float
    ev_w: float
    ev_from_pv_w: float
    charge_w: float
    discharge_w: float
    battery_loss_w: float
    import_w: float
    export_w: float


def dispatch(load_w: float, pv_w: float, chargers: EvChargers | None, battery: Battery | None, now_s: float,
             dt_s: float, off_peak: bool) -> BusStep:
    """The electrical bus of one step: PV first to the building's loads, then EV charging, then the
    battery, then the grid (import or export). EV charging and the battery change their state."""
    ev_w = ev_from_pv_w = 0.0
    if chargers is not None:
        surplus_w = max(pv_w - load_w, 0.0)
        power = chargers.allocate_w(now_s, dt_s, surplus_w, off_peak)
        ev_w = float(power.sum())
        ev_from_pv_w = min(ev_w, surplus_w)
        chargers.deliver(power, dt_s, ev_from_pv_w / ev_w if ev_w > 0.0 else 0.0)
    net_w = load_w + ev_w - pv_w
    charge_w = discharge_w = loss_w = 0.0
    if battery is not None:
        b = battery.step(net_w, dt_s)
        charge_w, discharge_w, loss_w = b.charge_w, b.discharge_w, b.loss_w
    import_w, export_w = split_grid(net_w + charge_w - discharge_w)
    return BusStep(load_w, pv_w, ev_w, ev_from_pv_w, charge_w, discharge_w, loss_w, import_w, export_w)


#: Share of arriving cars that may find every point busy, for the points advice [E]: one car in
#: twenty sent away. No French standard sets a service level for workplace charging; 5 % is the
#: usual "grade of service" of loss systems (Erlang B tables are read at 1-5 %).
EV_REFUSAL_TARGET = 0.05


def ev_refusals_by_points(arrival_s, departure_s, points) -> np.ndarray:
    """Cars refused for each number of charging points, when a car finding every point busy leaves.

    Parameters
    ----------
    arrival_s, departure_s : array_like
        The sessions of a run, sorted by arrival [s] (``OccupancyRealisation.ev_sessions``).
    points : array_like of int
        Numbers of points to try, each ≥ 1.

    Returns
    -------
    numpy.ndarray
        Cars refused for each entry of ``points``.

    Notes
    -----
    A loss system replayed on the run's own arrivals and departures (parking time does not depend on
    the charging, so the sequence is the same for every number of points): a car takes a point if
    one is free at its arrival, else leaves. Same order as the engine's events: the points of cars
    that left at or before an arrival are free, except the previous arrival's own car, whose
    departure at the same instant comes after (tests/test_electrical.py checks the engine's count).
    """
    import heapq

    arrival = np.asarray(arrival_s, dtype=float)
    departure = np.asarray(departure_s, dtype=float)
    out = np.zeros(len(points), dtype=int)
    for m, n in enumerate(points):
        n = int(n)
        if n < 1:
            raise ValueError(f"points: {n}; expected at least 1")
        connected: list[tuple[float, int]] = []  # (departure, arrival index) of the cars at a point
        refused = 0
        for k in range(len(arrival)):
            a = float(arrival[k])
            while connected and (connected[0][0] < a or (connected[0][0] == a and connected[0][1] != k - 1)):
                heapq.heappop(connected)
            if len(connected) < n:
                heapq.heappush(connected, (float(departure[k]), k))
            else:
                refused += 1
        out[m] = refused
    return out


def ev_points_advice(arrival_s, departure_s, points_now: int, target: float = EV_REFUSAL_TARGET) -> dict:
    """Cars refused for a range of point counts around the design, and the fewest points that keep the
    refused share at or below ``target`` (None when even twice the design plus four does not).
    """
    arrivals = len(arrival_s)
    counts = np.arange(max(1, points_now - 2), max(points_now, 1) * 2 + 5)
    refused = ev_refusals_by_points(arrival_s, departure_s, counts) if arrivals else np.zeros(len(counts), dtype=int)
    share = refused / arrivals if arrivals else np.zeros(len(counts))
    ok = counts[share <= target]
    return {"refused_by_points": {int(n): int(r) for n, r in zip(counts, refused, strict=True)},
            "target_refused_share": target,
            "advised_points": int(ok.min()) if ok.size else None}
