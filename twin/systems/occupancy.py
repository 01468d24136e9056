"""Occupancy as a discrete-event model: people arrive, stay, go out for lunch and leave.

People do not depend on the building's state, so occupancy is simulated once per
scenario and seed, *before* the physics, on its own clock (see *Execution*);
the realisation (per-step arrays, an event log, EV sessions, sanitary uses) is an
exogenous input that design options and sweeps reuse (common random numbers).

Populations
-----------
Each population occupies one zone of the model and has a ``kind`` that chooses
its arrival process (a registry by name, never guessed from the parameters):

``regulars``
    A base of ``persons`` (coworking members, a tenant's employees, FabLab
    subscribers, reception staff) who each come on a given weekday with a
    probability (telework and part-time are in that probability), arrive at a
    truncated-normal civil hour, stay a truncated-normal time and may go out
    for lunch (their seat is kept).
``walk_ins``
    A non-homogeneous Poisson process of arrivals per civil hour (FabLab public,
    e-inclusion desk visitors), with a weekday factor, short stays.
``bookings``
    Rooms booked as blocks (half day morning or afternoon, full day, several
    consecutive open days) by groups of trainees; the share of room-days used
    per weekday is the parameter.
``events``
    Seminars and public events, ``events_per_month`` on the allowed weekdays,
    attendance drawn around a number of persons, start times from a few slots,
    some in the evening.

Rules
-----
* Civil time (Europe/Paris, daylight saving) drives every schedule. The clock
  is seconds since ``times[0] - dt`` (local standard time). A civil day's hours
  are converted with that day's UTC offset at noon, exact from 03:00 to 24:00
  (the change-over happens at 02:00/03:00, before any opening of this building).
* Nobody arrives before opening (earlier draws wait for the doors) and everybody
  has left at closing; nobody comes on a closed day (public holiday if the
  model says so, summer closure) or a weekday with an empty opening range.
* **Capacity**: an arrival when the zone's seats are all held is *refused*
  (logged with ``what = "refused"`` and counted; no queue: a visitor turned
  away does not wait). A person out for lunch keeps the seat, so the number
  present never exceeds ``capacity_persons`` at any instant.
* Randomness comes only from :func:`twin.rng.child_rng` with the population's
  name (arrivals), ``"<name>.sanitary"`` (sex and fixture uses) and
  ``"<name>.ev"`` (EV sessions): changing one population, or any building
  option, leaves the other populations' draws identical. Populations sharing a
  zone still interact through refusals.
* Arrivals and departures (including lunch out/in) are discrete events, handled
  in time order (see *Execution*). Sanitary uses are drawn afterwards,
  vectorised, as timestamped events inside each presence interval (a Poisson
  process at the per-hour rates).

Execution
---------
The model is the one a :class:`simpy.Environment` runs with one process per
population (that is how it was first written, and the reference the
realisation is pinned to bit for bit): each day the process draws the day's
visits, sorts their events by (time, code, person) with departures before lunch
outs, lunch returns and arrivals at one instant, and plays them: for an event
later than its clock ``now`` it yields ``env.timeout(t - now)``, then applies
the zone's capacity at each arrival; the run stops at the horizon
(``run(until=...)``, urgent, so nothing at the horizon itself happens).

The same events are executed without an event queue, in four vectorised passes:

1. *Draws.* Each population draws the visits of the whole run at once, day
   after day from its own stream, in the order and amounts the daily process
   used (``rng.random(a)`` then ``rng.random(b)`` gives ``rng.random(a + b)``;
   Poisson draws stay one call per day).
2. *Processes.* A population's events are laid out in the order its process
   meets them (day, time, code, person). Its *wake-ups* are the groups of
   events it handles at one resumption, at the simpy time ``now + (t - now)``
   (checked equal to ``t`` for all at once; the exact loop is replayed when
   rounding makes them differ).
3. *Interleaving.* Simpy pops events by (time, priority, insertion number); the
   starts are urgent at time 0 in population order, and a timeout is inserted
   while its process handles its previous wake-up. So a stable sort of all
   wake-ups on time, with each group of equal times ordered by the rank of the
   previous wake-ups (a fixed point, reached in a few passes), gives simpy's
   order; the events follow, each wake-up's in its process's order.
4. *Capacity.* With everybody admitted, a zone's count of held seats bounds the
   true count; where it never exceeds the capacity nothing is refused. The other
   stretches (between instants when that bound is zero) are replayed event by
   event: an arrival with no free seat is refused and that visit's lunch and
   departure never happen.
"""

from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from twin import calendar
from twin.config.occupancy import (
    BookingsSpec,
    EvDemand,
    EventsSpec,
    OccupancySpec,
    RegularsSpec,
    Sanitary,
    TruncNormal,
    WalkInsSpec,
)
from twin.errors import ScenarioError
from twin.rng import child_rng

if TYPE_CHECKING:  # twin.scenario will import this module for Model.occupancy: no runtime cycle
    from twin.scenario import Model

__all__ = [
    "BookingsSpec",
    "EvDemand",
    "EventsSpec",
    "FIXTURES",
    "OccupancyRealisation",
    "OccupancySpec",
    "RegularsSpec",
    "Sanitary",
    "TruncNormal",
    "WalkInsSpec",
    "load_spec",
    "plot_occupancy",
    "simulate_occupancy",
]

log = logging.getLogger(__name__)

FIXTURES = ("wc_female", "wc_male", "urinal", "washbasin", "kitchenette")
"""Keys of :attr:`OccupancyRealisation.toilet_uses`, and codes (by position) in ``sanitary_log``."""

WHAT = ("arrive", "leave", "refused")
"""Codes (by position) of ``event_log['what']``."""

ARRIVE, LEAVE, REFUSED = 0, 1, 2
# Plan codes; sorted so that at one instant departures come before arrivals.
_P_LEAVE, _P_OUT, _P_IN, _P_ARRIVE = 0, 1, 2, 3

EVENT_DTYPE = np.dtype([("time_s", "f8"), ("what", "u1"), ("population", "u2"), ("zone", "u2"), ("person", "i8")])
EV_DTYPE = np.dtype(
    [("arrival_s", "f8"), ("departure_s", "f8"), ("energy_kwh", "f8"), ("population", "u2"), ("zone", "u2")]
)
SANITARY_DTYPE = np.dtype([("time_s", "f8"), ("fixture", "u1"), ("population", "u2"), ("zone", "u2")])

# ---------------------------------------------------------------------- realisation


@dataclass
class OccupancyRealisation:
    """One realisation of the occupancy of a run; zone order = ``model.zones``.

    Per-step arrays use the results convention: row k covers the interval
    ``(times[k] - dt, times[k]]``.
    """

    zone_names: list[str]
    population_names: list[str]
    occupants: np.ndarray            # (n_steps, n_zones) mean persons present over the step [persons]
    arrivals: np.ndarray             # (n_steps, n_zones) entries, lunch returns included [1]
    toilet_uses: dict[str, np.ndarray]  # FIXTURES -> (n_steps, n_zones) uses in the step [1]
    ev_sessions: np.ndarray          # structured EV_DTYPE, sorted by arrival
    event_log: np.ndarray            # structured EVENT_DTYPE, in simulation order
    sanitary_log: np.ndarray         # structured SANITARY_DTYPE, sorted by time
    kpis: dict[str, Any] = field(default_factory=dict)
    #: Realisations of the same people over another period, e.g. the warm-up days before the run,
    #: kept here so that runs sharing this realisation (a sweep's variants) share those too.
    companions: dict[Any, OccupancyRealisation | None] = field(default_factory=dict, repr=False, compare=False)

    def event_frame(self) -> pd.DataFrame:
        """The event log with names instead of codes."""
        log_ = self.event_log
        return pd.DataFrame({
            "time_s": log_["time_s"],
            "what": np.array(WHAT)[log_["what"]],
            "population": np.array(self.population_names, dtype=object)[log_["population"]],
            "zone": np.array(self.zone_names, dtype=object)[log_["zone"]],
            "person": log_["person"],
        })


# ---------------------------------------------------------------------------- calendar


@dataclass(frozen=True)
class _Calendar:
    """The civil days of a run as arrays over days (from the day of the clock origin to the last step's day)."""

    weekday: np.ndarray      # (n_days,) 0 = Monday
    school: np.ndarray       # (n_days,) school holiday
    closure: np.ndarray      # (n_days,) in a summer closure (zones it exempts stay open)
    base_s: np.ndarray       # (n_days,) clock seconds of civil 00:00 with that day's noon UTC offset [s]
    hours: np.ndarray        # (n_days, n_zones, 2) open/close civil hours; [0, 0] when closed [h]

    def is_open(self, z: int) -> np.ndarray:
        """Days on which zone ``z`` opens."""
        return self.hours[:, z, 1] > self.hours[:, z, 0]


_CALENDARS: dict[tuple, _Calendar] = {}   # sweeps run many seeds on one calendar


def _calendar(model: Model, origin: pd.Timestamp, end: pd.Timestamp,
              access: tuple[tuple[str, str], ...] = ()) -> _Calendar:
    """The civil days from the clock origin to ``end``, from a small cache (arrays read-only).

    ``hours`` has one column per zone, then one per ``(opening, zone)`` of ``access``: populations'
    badge hours, on the days their zone is open.
    """
    key = (model.building.location.civil_timezone, origin, end, model.calendar.model_dump_json(),
           tuple(z.occupancy.opening for z in model.zones), access)
    found = _CALENDARS.get(key)
    if found is None:
        if len(_CALENDARS) >= 16:
            _CALENDARS.clear()
        found = _CALENDARS[key] = _make_calendar(model, origin, end, access)
        for a in (found.weekday, found.school, found.closure, found.base_s, found.hours):
            a.setflags(write=False)
    return found


def _make_calendar(model: Model, origin: pd.Timestamp, end: pd.Timestamp,
                   access: tuple[tuple[str, str], ...] = ()) -> _Calendar:
    tz = model.building.location.civil_timezone
    first = origin.tz_convert(tz).date()
    last = end.tz_convert(tz).date()
    dates = pd.date_range(first, last, freq="D")
    noon = dates.tz_localize(tz) + pd.Timedelta(hours=12)
    cal = model.calendar
    kinds = calendar.day_kinds(
        noon, tz,
        closed_on_public_holidays=cal.closed_on_public_holidays,
        summer_closure=[(p.start, p.end, p.except_zones) for p in cal.summer_closure],
        school_holidays=cal.school_holidays, country=cal.country, school_holiday_zone=cal.school_holiday_zone,
    )
    offsets = (noon.tz_localize(None) - noon.tz_convert("UTC").tz_localize(None)).total_seconds().to_numpy()
    naive_s = (dates.to_numpy().astype("datetime64[s]").astype(np.int64)).astype(float)
    weekday = np.asarray(kinds.weekday, dtype=np.int64)
    columns = [(z.occupancy.opening, z.name) for z in model.zones] + list(access)
    opening = [np.asarray(calendar.parse_opening(cal.opening[name]), dtype=float) for name, _ in columns]
    hours = np.stack([op[weekday] for op in opening], axis=1).reshape(len(dates), len(opening), 2)
    for j, (_, zone) in enumerate(columns):   # closed days: the zone's (a summer closure may exempt it)
        hours[np.asarray(kinds.for_zone(zone).closed, dtype=bool), j] = 0.0
    return _Calendar(weekday, np.asarray(kinds.school_holiday, dtype=bool),
                     np.asarray(kinds.summer_closure, dtype=bool), naive_s - offsets - origin.timestamp(), hours)


# ------------------------------------------------------------------------ planners
# A planner draws a population's visits of the whole run at once, day after day from its own
# stream, in the same order and amounts as one call per day would (so results do not depend on
# how the draws are batched), then vectorises the arithmetic over all days.


class _Uniforms:
    """The uniforms of a generator, read in order and drawn ahead in blocks.

    ``rng.random(a)`` then ``rng.random(b)`` gives the same numbers as ``rng.random(a + b)``
    (PCG64 spends one 64-bit output per double and keeps no buffer), so reading ahead does not
    change any value; the stream is private to the planner, so the draws left unread do not matter.
    """

    def __init__(self, rng: np.random.Generator, size_hint: int):
        self.rng = rng
        self.u = rng.random(max(int(size_hint), 64))
        self.pos = 0

    def take(self, n: int) -> int:
        """Reserve the next ``n`` uniforms; returns their offset in :attr:`u` (read it after the call)."""
        start = self.pos
        self.pos += n
        if self.pos > self.u.size:
            self.u = np.concatenate([self.u, self.rng.random(max(self.pos - self.u.size, self.u.size))])
        return start


@dataclass
class _Visits:
    """A population's visits in draw order (day by day), civil hours before clipping to the opening."""

    day: np.ndarray
    arr_h: np.ndarray
    leave_h: np.ndarray
    out_h: np.ndarray | None = None   # lunch out; NaN: no lunch out
    in_h: np.ndarray | None = None    # lunch back

    @classmethod
    def empty(cls) -> _Visits:
        return cls(np.empty(0, dtype=np.int64), np.empty(0), np.empty(0))


def _stable_argsort(x: np.ndarray) -> np.ndarray:
    """``np.argsort(x, kind="stable")`` for keys without NaN, several times faster on shuffled keys.

    An unstable sort (vectorised quicksort), then each run of equal keys put back in index order.
    """
    order = np.argsort(x)
    xs = x[order]
    same = xs[1:] == xs[:-1]
    if same.any():
        tied = np.zeros(x.size, dtype=bool)
        tied[1:] |= same
        tied[:-1] |= same
        pos = np.flatnonzero(tied)
        # Sort the tied positions by (run, index): unique integer keys, so any sort is stable.
        run = np.cumsum(np.concatenate([[True], xs[pos[1:]] != xs[pos[:-1]]]))
        members = order[pos]
        order[pos] = members[np.argsort(run * x.size + members)]
    return order


def _segments(n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For consecutive segments of lengths ``n``: each element's segment and its position in it."""
    # One repeat of rows: np.repeat costs per input element, whatever its width.
    rows = np.repeat(np.stack([np.arange(n.size), np.cumsum(n) - n], axis=1), n, axis=0)
    return rows[:, 0], np.arange(rows.shape[0]) - rows[:, 1]


class _Planner:
    kind = ""

    def __init__(self, name: str, spec: Any, zone: int, seed: int, cal: _Calendar, period_days: float):
        self.name, self.spec, self.zone = name, spec, zone
        # The calendar column of the hours the population may be present: its zone's, or (set by
        # simulate_occupancy) its access opening's.
        self.hours_col = zone
        self.rng = child_rng(seed, name)
        self.sessions_by_day = np.zeros(cal.weekday.size, dtype=np.int64)  # room-days booked or events held

    def school_factor(self, cal: _Calendar, days: np.ndarray) -> np.ndarray:
        """Multiplier of the days' rates: ``school_holiday_factor`` in school holidays, replaced by
        ``summer_closure_factor`` (when set) on summer-closure days (those the zone is open on)."""
        factor = np.where(cal.school[days], float(self.spec.school_holiday_factor), 1.0)
        if self.spec.summer_closure_factor is not None:
            factor = np.where(cal.closure[days], float(self.spec.summer_closure_factor), factor)
        return factor

    def plan(self, cal: _Calendar) -> _Visits:
        """The population's visits over the run, drawn from its stream day after day."""
        raise NotImplementedError


class _Regulars(_Planner):
    kind = "regulars"

    def plan(self, cal: _Calendar) -> _Visits:
        s: RegularsSpec = self.spec
        days = np.flatnonzero(cal.is_open(self.hours_col)) if s.persons else np.empty(0, dtype=np.int64)
        if days.size == 0:
            return _Visits.empty()
        n_persons = s.persons
        come_p = np.minimum(np.asarray(s.attendance_by_weekday)[cal.weekday[days]] * self.school_factor(cal, days), 1.0)
        # Per day: one uniform per person (comes?), then five per attendee (arrival, stay, lunch out?,
        # lunch start, lunch length), block by block.
        expected = n_persons * (days.size + 5.0 * come_p.sum())
        uniforms = _Uniforms(self.rng, int(1.05 * expected) + 5 * n_persons)
        first, count = [], []
        u, pos, count_nonzero = uniforms.u, 0, np.count_nonzero
        for p in come_p.tolist():
            end = pos + n_persons
            if end > u.size:
                uniforms.take(end - uniforms.pos)
                u = uniforms.u
            k = int(count_nonzero(u[pos:end] < p))
            first.append(end)
            count.append(k)
            pos = end + 5 * k
        uniforms.take(pos - uniforms.pos)   # the last attendees' draws
        first, count = np.array(first), np.array(count)
        seg, within = _segments(count)
        at = first[seg] + within
        k = count[seg]
        u = uniforms.u
        arr = s.arrival_h.from_uniform(u[at])
        leave = arr + s.stay_h.from_uniform(u[at + k])
        lunch = np.flatnonzero(u[at + 2 * k] < s.lunch_out_share)
        out = np.full(at.size, np.nan)   # the lunch draws of those who stay in are never used
        back = np.full(at.size, np.nan)
        out[lunch] = s.lunch_start_h.from_uniform(u[at[lunch] + 3 * k[lunch]])
        back[lunch] = out[lunch] + s.lunch_h.from_uniform(u[at[lunch] + 4 * k[lunch]])
        return _Visits(days[seg], arr, leave, out, back)


class _WalkIns(_Planner):
    kind = "walk_ins"

    def plan(self, cal: _Calendar) -> _Visits:
        s: WalkInsSpec = self.spec
        days = np.flatnonzero(cal.is_open(self.zone))
        if days.size == 0:
            return _Visits.empty()
        open_h = cal.hours[days, self.zone, 0][:, None]
        close_h = cal.hours[days, self.zone, 1][:, None]
        hour = np.arange(24.0)
        lo = np.clip(hour, open_h, close_h)
        hi = np.clip(hour + 1, open_h, close_h)
        factor = np.asarray(s.weekday_factor)[cal.weekday[days]] * self.school_factor(cal, days)
        lam = np.asarray(s.arrivals_per_hour) * factor[:, None] * (hi - lo)
        # Poisson draws spend a value-dependent number of uniforms: one call per day, as the
        # process is defined; then the day's arrival instants and stays in one block.
        rng = self.rng
        counts = np.empty(lam.shape, dtype=np.int64)
        u_arr, u_stay = [], []
        for j in range(days.size):
            counts[j] = c = rng.poisson(lam[j])
            n = int(np.add.reduce(c))
            u = rng.random(2 * n)
            u_arr.append(u[:n])
            u_stay.append(u[n:])
        rows = np.repeat(np.stack([lo.ravel(), (hi - lo).ravel()], axis=1), counts.ravel(), axis=0)
        arr = rows[:, 0] + np.concatenate(u_arr) * rows[:, 1]
        leave = arr + s.stay_h.from_uniform(np.concatenate(u_stay))
        return _Visits(np.repeat(days, counts.sum(axis=1)), arr, leave)


def _hhmm(text: str) -> tuple[float, float]:
    (h0, h1), = calendar.parse_opening([text] + [""] * 6)[:1]
    return float(h0), float(h1)


class _Bookings(_Planner):
    kind = "bookings"

    def __init__(self, *args: Any):
        super().__init__(*args)
        s: BookingsSpec = self.spec
        self.mean_days = s.mean_block_days()
        self.morning, self.afternoon = _hhmm(s.morning), _hhmm(s.afternoon)

    def start_probability(self, f: float) -> float:
        """Daily start probability giving a long-run used share f with blocks of mean length L.

        Idle runs are geometric with mean (1-p)/p, so f = L / (L + (1-p)/p), i.e.
        p = f / (L (1 - f) + f).
        """
        f = min(f, 1.0)
        return f / (self.mean_days * (1.0 - f) + f) if f > 0 else 0.0

    def plan(self, cal: _Calendar) -> _Visits:
        s: BookingsSpec = self.spec
        days = np.flatnonzero(cal.is_open(self.zone))
        if days.size == 0:
            return _Visits.empty()
        used = np.asarray(s.used_fraction_by_weekday)[cal.weekday[days]] * self.school_factor(cal, days)
        cum_block = np.cumsum(s.block_days_probability).tolist()   # bisect_right = searchsorted(side="right")
        cum_slot = np.cumsum(s.slot_probability).tolist()
        remaining = [0] * s.rooms                   # open days left in each room's current block
        current = [(0, 0)] * s.rooms                # (slot, group size)
        # Per room and open day: 3 uniforms (start?, length, slot) and a group size, then 4 per
        # trainee of a running block (arrival, departure, lunch out?, lunch return).
        uniforms = _Uniforms(self.rng, days.size * s.rooms * 8)
        rec_day, rec_slot, rec_n, rec_at = [], [], [], []
        for d, f in zip(days.tolist(), used.tolist(), strict=True):
            p_start = self.start_probability(f)
            for r in range(s.rooms):
                o = uniforms.take(4)
                if remaining[r] == 0:
                    u = uniforms.u
                    if u[o] >= p_start:
                        continue
                    size = int(round(s.group_size.from_one_uniform(u[o + 3])))
                    length = bisect.bisect_right(cum_block, u[o + 1])
                    remaining[r] = s.block_days[min(length, len(s.block_days) - 1)]
                    slot = min(bisect.bisect_right(cum_slot, u[o + 2]), 2)
                    current[r] = (slot, max(size, 1))
                remaining[r] -= 1
                slot, n = current[r]
                self.sessions_by_day[d] += 1
                rec_day.append(d)
                rec_slot.append(slot)
                rec_n.append(n)
                rec_at.append(uniforms.take(4 * n))
        if not rec_day:
            return _Visits.empty()
        n = np.array(rec_n, dtype=np.int64)
        seg, within = _segments(n)
        at = np.array(rec_at, dtype=np.int64)[seg] + within
        k = n[seg]
        slot = np.array(rec_slot)[seg]
        u = uniforms.u
        start = np.where(slot == 1, self.afternoon[0], self.morning[0])
        end = np.where(slot == 0, self.morning[1], self.afternoon[1])
        arr = start - s.arrive_early_h * u[at]
        leave = end + s.leave_late_h * u[at + k]
        goes_out = (u[at + 2 * k] < s.lunch_out_share) & (slot == 2)
        out = np.where(goes_out, self.morning[1], np.nan)
        back = self.afternoon[0] - s.arrive_early_h * u[at + 3 * k]
        return _Visits(np.array(rec_day, dtype=np.int64)[seg], arr, leave, out, back)


class _Events(_Planner):
    kind = "events"

    def __init__(self, name: str, spec: EventsSpec, zone: int, seed: int, cal: _Calendar, period_days: float):
        super().__init__(name, spec, zone, seed, cal, period_days)
        self.eligible = cal.is_open(zone) & np.asarray(spec.weekdays)[cal.weekday]
        eligible = int(self.eligible.sum())
        months = period_days / 30.4375
        self.p_day = min(1.0, spec.events_per_month * months / eligible) if eligible else 0.0

    def plan(self, cal: _Calendar) -> _Visits:
        s: EventsSpec = self.spec
        days = np.flatnonzero(self.eligible)
        p_held = (self.p_day * self.school_factor(cal, days)).tolist()
        cum_start = np.cumsum(s.start_probability).tolist()
        uniforms = _Uniforms(self.rng, days.size * 2)
        rec_day, rec_start, rec_end, rec_close, rec_n, rec_at = [], [], [], [], [], []
        # Per eligible day: 2 uniforms (held?, slot); if held, a length and an attendance, then 2
        # per attendee (arrival, departure).
        for d, p in zip(days.tolist(), p_held, strict=True):
            o = uniforms.take(2)
            u0, u1 = uniforms.u[o:o + 2]
            if u0 >= p:
                continue
            slot = min(bisect.bisect_right(cum_start, u1), len(s.start_h) - 1)
            start = s.start_h[slot]
            o = uniforms.take(2)
            end = start + s.duration_h.from_one_uniform(uniforms.u[o])
            n = max(int(round(s.attendance.from_one_uniform(uniforms.u[o + 1]))), 0)
            close_h = cal.hours[d, self.zone, 1]
            if start >= close_h or n == 0:
                continue
            self.sessions_by_day[d] += 1
            rec_day.append(d)
            rec_start.append(start)
            rec_end.append(end)
            rec_close.append(close_h)
            rec_n.append(n)
            rec_at.append(uniforms.take(2 * n))
        if not rec_day:
            return _Visits.empty()
        n = np.array(rec_n, dtype=np.int64)
        seg, within = _segments(n)
        at = np.array(rec_at, dtype=np.int64)[seg] + within
        u = uniforms.u
        arr = np.array(rec_start, dtype=float)[seg] - s.arrive_before_h * u[at]
        leave = np.minimum(np.array(rec_end, dtype=float), np.array(rec_close, dtype=float))[seg] + \
            s.leave_spread_h * (u[at + n[seg]] - 0.5)
        return _Visits(np.array(rec_day, dtype=np.int64)[seg], arr, leave)


PLANNERS: dict[str, type[_Planner]] = {
    "regulars": _Regulars, "walk_ins": _WalkIns, "bookings": _Bookings, "events": _Events,
}
"""Arrival processes by ``kind``."""


# ------------------------------------------------------------------ discrete-event pass


@dataclass
class _Track:
    """One population's events in the order its process meets them, and its wake-ups.

    Events are sorted by (day, time, code, person); a *wake-up* is a group of events the process
    handles at one resumption (the first is the one it waited for, the others are not later).
    Wake-up 0 is the process's start at time 0.
    """

    time_s: np.ndarray       # (n_events,) event instants [s]
    code: np.ndarray         # (n_events,) _P_* codes
    person: np.ndarray       # (n_events,) visit number in the population
    wake: np.ndarray         # (n_events,) wake-up of each event
    wake_s: np.ndarray       # (n_wakes,) simpy time of each wake-up [s]
    n_visits: int
    last_day: int | None     # the day the process stopped in (None: it went through every day)

    @classmethod
    def of(cls, time_s: np.ndarray, code: np.ndarray, person: np.ndarray, day: np.ndarray, n_visits: int,
           horizon_s: float) -> _Track:
        """The track of events already in the process's order (by day, then as the day's plan)."""
        if time_s.size and time_s.max() >= horizon_s:   # nothing at or after the horizon happens
            keep = time_s < horizon_s
            time_s, code, person, day = time_s[keep], code[keep], person[keep], day[keep]
        wake, wake_s, last_day = _wakes(time_s, day, horizon_s)
        n = wake.size   # fewer if the process waits past the horizon
        return cls(time_s[:n], code[:n], person[:n], wake, wake_s, n_visits, last_day)


def _track(v: _Visits, cal: _Calendar, z: int, horizon_s: float) -> _Track:
    """Visits clipped to the opening, as events with times and wake-ups of the population's process."""
    open_h, close_h = cal.hours[v.day, z, 0], cal.hours[v.day, z, 1]
    arr_h = np.maximum(v.arr_h, open_h)
    leave_h = np.minimum(v.leave_h, close_h)
    keep = (arr_h < close_h) & (leave_h > arr_h)
    day, arr_h, leave_h = v.day[keep], arr_h[keep], leave_h[keep]
    n = day.size
    base_s = cal.base_s[day]
    ids = np.arange(n)
    t = [base_s + leave_h * 3600.0, base_s + arr_h * 3600.0]
    lunch_ids = np.empty(0, dtype=np.int64)
    if v.out_h is not None and v.in_h is not None:
        o, i = v.out_h[keep], v.in_h[keep]
        lunch = np.isfinite(o) & (o > arr_h) & (i < leave_h) & (i > o)
        lunch_ids = ids[lunch]
        t[1:1] = [base_s[lunch] + o[lunch] * 3600.0, base_s[lunch] + i[lunch] * 3600.0]
    m = lunch_ids.size
    # Laid out by code, then person: the stable sort on (day, time) keeps that order at equal times.
    time_s = np.concatenate(t)
    code = np.repeat(np.array([_P_LEAVE, _P_OUT, _P_IN, _P_ARRIVE], dtype=np.int8), [n, m, m, n])
    person = np.concatenate([ids, lunch_ids, lunch_ids, ids])
    days = day[person]
    order = _stable_argsort(time_s)
    days = days[order]
    if np.any(days[1:] < days[:-1]):   # days overlap in time: sort by day first
        order = np.lexsort((time_s, day[person]))
        days = day[person][order]
    time_s, code, person = time_s[order], code[order], person[order]
    # Visits begun before the clock starts are left out.
    early = t[-1][person] < 0.0
    if early.any():
        time_s, code, person, days = time_s[~early], code[~early], person[~early], days[~early]
    return _Track.of(time_s, code, person, days, n, horizon_s)


def _wakes(time_s: np.ndarray, day: np.ndarray, horizon_s: float) -> tuple[np.ndarray, np.ndarray, int | None]:
    """Wake-ups of a process that plays events in order, as the simpy process did.

    The process keeps its own clock ``now`` (the time it waited for, or ``env.now`` at the start of
    a day) and, for an event later than ``now``, yields ``env.timeout(t - now)``: simpy wakes it at
    ``env.now + (t - now)``. That is ``t`` itself whenever ``w + (t - w) == t`` for the previous
    wake-up ``w``, checked here for every wake-up at once; otherwise (rounding, in the first hours
    of a run) the exact loop below replays the arithmetic.

    Returns
    -------
    wake
        Wake-up of each event handled (0 = the start at time 0); shorter than ``time_s`` if the
        process waits past the horizon and stops.
    wake_s
        Simpy time of each wake-up [s].
    last_day
        The day of the first event not handled, if the process stopped; else None.
    """
    if time_s.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(1), None
    seen = np.maximum.accumulate(time_s)
    new = time_s > np.concatenate([[0.0], seen[:-1]])
    targets = time_s[new]
    prev = np.concatenate([[0.0], targets[:-1]])
    if np.array_equal(prev + (targets - prev), targets):
        return np.cumsum(new), np.concatenate([[0.0], targets]), None
    env_now, now, current_day = 0.0, 0.0, None
    wake = np.empty(time_s.size, dtype=np.int64)
    wake_s = [0.0]
    for k, (t, d) in enumerate(zip(time_s.tolist(), day.tolist(), strict=True)):
        if d != current_day:
            current_day, now = d, env_now
        if t > now:
            env_now += t - now
            if env_now >= horizon_s:   # run(until=horizon) stops first
                return wake[:k], np.array(wake_s), d
            now = t
            wake_s.append(env_now)
        wake[k] = len(wake_s) - 1
    return wake, np.array(wake_s), None


def _wake_order(tracks: list[_Track]) -> np.ndarray:
    """Order in which simpy resumes every wake-up of every process (indices into their concatenation).

    Simpy pops events by (time, priority, insertion number). The K starts are urgent, at time 0,
    in process order. A timeout is inserted while its process handles the previous wake-up, so
    among wake-ups at one time the one whose previous wake-up ran first runs first. A stable sort
    on time gives the order up to ties; each group of equal times is then sorted by the rank of
    the previous wake-ups, repeated until nothing moves (a fixed point: ranks of earlier times
    settle first, and ties chain over a few wake-ups only).
    """
    k_procs = len(tracks)
    wake_s = np.concatenate([t.wake_s for t in tracks])
    sizes = np.array([t.wake_s.size for t in tracks])
    first = np.cumsum(sizes) - sizes
    # Previous wake-up of each (global index); the starts get k - K, below every rank, in process order.
    parent = np.arange(wake_s.size) - 1
    parent[first] = np.arange(k_procs) - k_procs
    order = np.argsort(wake_s, kind="stable")   # a merge: each process's wake-ups are in time order
    sorted_s = wake_s[order]
    tied = np.zeros(order.size, dtype=bool)
    same = sorted_s[1:] == sorted_s[:-1]
    tied[1:] |= same
    tied[:-1] |= same
    pos = np.flatnonzero(tied)
    if pos.size == 0:
        return order
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    members, par, key_s = order[pos], parent[order[pos]], sorted_s[pos]
    identity = np.arange(pos.size)
    for _ in range(pos.size + 1):
        prev_rank = np.where(par >= 0, rank[np.maximum(par, 0)], par)
        sub = np.lexsort((prev_rank, key_s))
        if np.array_equal(sub, identity):
            break
        members, par = members[sub], par[sub]
        rank[members] = pos
    else:  # pragma: no cover - a fixed point exists (ranks follow time)
        raise RuntimeError("occupancy: the order of simultaneous wake-ups did not settle")
    order[pos] = members
    return order


def _admit(by_zone: list[np.ndarray], code: np.ndarray, visit: np.ndarray, capacity: list[int]) -> np.ndarray:
    """Refusals, events in simulation order: 0 handled, 1 arrival refused, 2 skipped (a refused visit's later event).

    ``by_zone`` holds the positions of each zone's events, in order.

    An arrival takes a seat if one is free; a refused visit's lunch and departure never happen.
    Where a zone's seats would never all be held with everybody admitted, nothing is refused
    (vectorised); otherwise the stretches between two instants when that count is zero (then the
    zone is empty whatever was refused) that overflow are replayed one event at a time.
    """
    status = np.zeros(code.size, dtype=np.int8)
    seat = np.where(code == _P_ARRIVE, 1, np.where(code == _P_LEAVE, -1, 0))
    for idx, cap in zip(by_zone, capacity, strict=True):
        if idx.size == 0:
            continue
        held = np.cumsum(seat[idx])
        if held.max() <= cap:
            continue
        stretch = np.concatenate([[0], np.cumsum(held[:-1] == 0)])
        bounds = np.searchsorted(stretch, np.arange(stretch[-1] + 2))
        for b in np.unique(stretch[held > cap]).tolist():
            seg = idx[bounds[b]:bounds[b + 1]]
            n_held, refused = 0, set()
            for e, c, who in zip(seg.tolist(), code[seg].tolist(), visit[seg].tolist(), strict=True):
                if c == _P_ARRIVE:
                    if n_held < cap:
                        n_held += 1
                    else:
                        refused.add(who)
                        status[e] = 1
                elif who in refused:
                    status[e] = 2
                elif c == _P_LEAVE:
                    n_held -= 1
    return status


def _execute(tracks: list[_Track], zone_of_pop: np.ndarray, capacity: list[int]) -> tuple[np.ndarray, ...]:
    """Every event of every process in simulation order, and the refusals.

    Wake-ups run in simpy's order, each one's events in its process's order.

    Returns
    -------
    tuple
        ``time_s, code, person, population, zone, visit`` (a number over all populations) of each
        event in that order; the positions of each zone's events (a list over zones); the status
        of each event (see :func:`_admit`).
    """
    if not tracks:
        none = np.zeros(0, dtype=np.int64)
        return np.zeros(0), none.astype(np.int8), none, none, none, none, [none] * len(capacity), none.astype(np.int8)
    n_ev = np.array([tr.time_s.size for tr in tracks])
    n_wakes = np.array([tr.wake_s.size for tr in tracks])
    wake_of = np.concatenate([tr.wake for tr in tracks]) + np.repeat(np.cumsum(n_wakes) - n_wakes, n_ev)
    wake_len = np.bincount(wake_of, minlength=int(n_wakes.sum()))
    wake_at = np.cumsum(wake_len) - wake_len            # first event of each wake-up (process order)
    woken = _wake_order(tracks)
    # Counting sort: a wake-up's events go to its slot in simpy's order, in process order.
    slot = np.empty(woken.size, dtype=np.int64)
    slot[woken] = np.cumsum(wake_len[woken]) - wake_len[woken]
    order = np.empty(wake_of.size, dtype=np.int64)
    order[slot[wake_of] + np.arange(wake_of.size) - wake_at[wake_of]] = np.arange(wake_of.size)

    n_visits = np.array([tr.n_visits for tr in tracks])
    visit_first = np.cumsum(n_visits) - n_visits
    pop_of = np.repeat(np.arange(len(tracks)), n_ev)[order]
    time_s = np.concatenate([tr.time_s for tr in tracks])[order]
    code = np.concatenate([tr.code for tr in tracks])[order]
    person = np.concatenate([tr.person for tr in tracks])[order]
    zone = zone_of_pop[pop_of]
    visit = visit_first[pop_of] + person
    by_zone = np.argsort(zone.astype(np.int16), kind="stable")   # radix sort: positions grouped by zone, in order
    by_zone = np.split(by_zone, np.searchsorted(zone[by_zone], np.arange(1, len(capacity))))
    status = _admit(by_zone, code, visit, capacity)
    return time_s, code, person, pop_of, zone, visit, by_zone, status


# --------------------------------------------------------------------------- simulation


def simulate_occupancy(
    spec: OccupancySpec, model: Model, times: pd.DatetimeIndex, dt_s: float, seed: int
) -> OccupancyRealisation:
    """Simulate the people of the building over a run, as a discrete-event model.

    Parameters
    ----------
    spec
        Populations and side-event parameters.
    model
        The building: zones (capacities, opening names) and calendar.
    times
        Step ends, tz-aware (local standard time); the clock starts at ``times[0] - dt``.
    dt_s
        Step length [s].
    seed
        Scenario seed; each population draws from ``child_rng(seed, name)``.

    Returns
    -------
    OccupancyRealisation

    Raises
    ------
    ScenarioError
        If a population names a zone the model does not have.
    """
    zone_names = [z.name for z in model.zones]
    pop_names = list(spec.populations)
    for name, pop in spec.populations.items():
        if pop.zone not in zone_names:
            raise ScenarioError(
                f"occupancy.populations.{name}.zone = '{pop.zone}': no such zone; expected one of {zone_names}"
            )
        access = getattr(pop, "access", None)
        if access is not None and access not in model.calendar.opening:
            raise ScenarioError(f"occupancy.populations.{name}.access = '{access}': no such calendar.opening; "
                                f"expected one of {sorted(model.calendar.opening)}")
    if times.tz is None:
        raise ScenarioError("simulate_occupancy: times must be tz-aware (local standard time)")
    n_steps, nz = len(times), len(zone_names)
    origin = times[0] - pd.Timedelta(seconds=dt_s)
    horizon_s = n_steps * dt_s
    access = tuple(dict.fromkeys((a, pop.zone) for pop in spec.populations.values()
                                 if (a := getattr(pop, "access", None))))
    cal = _calendar(model, origin, times[-1], access)
    period_days = horizon_s / 86400.0
    capacity = [z.occupancy.capacity_persons for z in model.zones]

    planners = [
        PLANNERS[pop.kind](name, pop, zone_names.index(pop.zone), seed, cal, period_days)
        for name, pop in spec.populations.items()
    ]
    for pl, pop in zip(planners, spec.populations.values(), strict=True):
        if getattr(pop, "access", None) is not None:       # regulars only: their badge hours
            pl.hours_col = nz + access.index((pop.access, pop.zone))
    tracks = [_track(pl.plan(cal), cal, pl.hours_col, horizon_s) for pl in planners]
    sessions = [int(pl.sessions_by_day[: None if tr.last_day is None else tr.last_day + 1].sum())
                for pl, tr in zip(planners, tracks, strict=True)]

    zone_of_pop = np.array([pl.zone for pl in planners], dtype=np.int64)
    time_s, code, person, pop_of, zone, visit, by_zone, status = _execute(tracks, zone_of_pop, capacity)

    n_visits = np.array([tr.n_visits for tr in tracks], dtype=np.int64)
    visit_first = np.cumsum(n_visits) - n_visits
    logged = status < 2
    moved = status == 0
    what = np.where(status == 1, REFUSED, np.where((code == _P_ARRIVE) | (code == _P_IN), ARRIVE, LEAVE))
    event_log = np.empty(int(logged.sum()), dtype=EVENT_DTYPE)
    event_log["time_s"] = time_s[logged]
    event_log["what"] = what[logged]
    event_log["population"] = pop_of[logged]
    event_log["zone"] = zone[logged]
    event_log["person"] = person[logged]

    step = np.where(moved, np.where(what == ARRIVE, 1, -1), 0)
    peak = [max(int(np.cumsum(step[idx]).max()), 0) if idx.size else 0 for idx in by_zone]
    peak_building = max(int(np.cumsum(step).max()), 0) if step.size else 0
    refused = np.bincount(zone[status == 1], minlength=nz).tolist()

    # Presence intervals from the handled moves of each visit: arrival (or lunch return) to the
    # next departure (lunch out or final), or the horizon.
    total_visits = int(n_visits.sum())
    at = np.full((total_visits, 4), np.nan)       # columns: the _P_* codes
    at.ravel()[visit[moved] * 4 + code[moved]] = time_s[moved]
    t_a, t_o, t_i, t_l = at[:, _P_ARRIVE], at[:, _P_OUT], at[:, _P_IN], at[:, _P_LEAVE]
    end_l = np.where(np.isnan(t_l), horizon_s, t_l)
    start = np.empty(2 * total_visits)
    end = np.empty(2 * total_visits)
    start[0::2], start[1::2] = t_a, t_i
    end[0::2], end[1::2] = np.where(np.isnan(t_o), end_l, t_o), end_l
    present = ~np.isnan(start)
    visit_pop = np.repeat(np.arange(len(tracks)), n_visits)
    visit_person = np.arange(total_visits) - visit_first[visit_pop]
    intervals = (start[present], end[present], np.repeat(visit_pop, 2)[present],
                 np.repeat(zone_of_pop[visit_pop], 2)[present], np.repeat(visit_person, 2)[present])
    return _realise(spec, model, planners, pop_names, zone_names, event_log, intervals, times, dt_s, seed, cal,
                    peak, peak_building, refused, sessions)


def _step_means(start: np.ndarray, end: np.ndarray, zone: np.ndarray, nz: int, n: int, dt_s: float) -> np.ndarray:
    """Exact mean count per step: integral of the piecewise-constant count / dt."""
    grid = np.arange(n + 1) * dt_s
    out = np.zeros((n, nz))
    for j in range(nz):
        sel = zone == j
        m = int(np.count_nonzero(sel))
        t = np.concatenate([start[sel], end[sel]])
        sign = np.concatenate([np.ones(m), -np.ones(m)])
        order = _stable_argsort(t)
        t, sign = t[order], sign[order]
        cum_n = np.concatenate([[0.0], np.cumsum(sign)])
        cum_t = np.concatenate([[0.0], np.cumsum(sign * t)])
        k = _count_up_to(t, grid, dt_s)
        integral = grid * cum_n[k] - cum_t[k]   # ∫_0^grid count(τ) dτ
        out[:, j] = np.diff(integral) / dt_s
    return out


def _count_up_to(t: np.ndarray, grid: np.ndarray, dt_s: float) -> np.ndarray:
    """``np.searchsorted(t, grid, side="right")`` for sorted ``t`` and ``grid = arange(n + 1) * dt_s``.

    Each t finds its first grid point at or after it by arithmetic (corrected by one where
    ``t / dt_s`` rounds across an integer), and the counts accumulate over the grid.
    """
    n = grid.size - 1
    g = np.clip(np.ceil(t / dt_s), 0, n).astype(np.int64)
    g += grid[g] < t
    g -= (g > 0) & (grid[np.maximum(g - 1, 0)] >= t)
    return np.cumsum(np.bincount(g, minlength=n + 2))[: n + 1]


def _bin(t: np.ndarray, zone: np.ndarray, n: int, nz: int, dt_s: float) -> np.ndarray:
    """Counts per (step, zone); step k holds (k dt, (k+1) dt]."""
    k = np.clip(np.ceil(t / dt_s).astype(np.int64) - 1, 0, n - 1)
    # Summing weights of 1.0 counts exactly and gives floats without a conversion pass (but for no
    # input at all: then bincount gives integers).
    counts = np.bincount(k * nz + zone, weights=np.ones(k.size), minlength=n * nz)
    return counts.astype(float, copy=False).reshape(n, nz)


def _realise(spec: OccupancySpec, model: Model, planners: list[_Planner], pop_names: list[str],
             zone_names: list[str], event_log: np.ndarray, intervals: tuple[np.ndarray, ...],
             times: pd.DatetimeIndex, dt_s: float, seed: int, cal: _Calendar, peak: list[int],
             peak_building: int, refused: list[int], sessions: list[int]) -> OccupancyRealisation:
    """Per-step arrays, side events (sanitary uses, EV sessions) and KPIs of the executed events.

    ``intervals`` are the presence intervals ``(start, end, population, zone, person)`` sorted by
    (population, person, time); open ones end at the horizon.
    """
    n, nz = len(times), len(zone_names)
    horizon_s = n * dt_s
    # Presence intervals sorted by (population, person, time).
    start, end, pop, zone, person = intervals
    occupants = _step_means(start, end, zone, nz, n, dt_s)
    arr = event_log["what"] == ARRIVE
    arrivals = _bin(event_log["time_s"][arr], event_log["zone"][arr].astype(np.int64), n, nz, dt_s)

    san_t, san_n, ev_parts = [], [], []
    bounds = np.searchsorted(pop, np.arange(len(pop_names) + 1))
    visits = {}
    for k, name in enumerate(pop_names):
        popspec = spec.populations[name]
        sel = slice(bounds[k], bounds[k + 1])
        a, b, z, who = start[sel], end[sel], zone[sel], person[sel]
        visit_of = np.cumsum(np.concatenate([[0], who[1:] != who[:-1]])) if who.size else np.zeros(0, np.int64)
        n_ids = int(visit_of[-1]) + 1 if who.size else 0
        visits[name] = n_ids
        # Sanitary: sex per visit, then a Poisson process per fixture within each presence interval.
        san = popspec.sanitary or spec.sanitary
        rng = child_rng(seed, f"{name}.sanitary")
        female = (rng.random(n_ids) < san.female_share)[visit_of]
        hours = (b - a) / 3600.0
        rates = {
            "wc_female": np.where(female, san.wc_female_per_h, 0.0),
            "wc_male": np.where(female, 0.0, san.wc_male_per_h),
            "urinal": np.where(female, 0.0, san.urinal_per_h),
            "washbasin": np.full(a.size, san.washbasin_per_h),
            "kitchenette": np.full(a.size, san.kitchenette_per_h),
        }
        rows = np.stack([a, b - a], axis=1)
        for fixture in FIXTURES:
            count = rng.poisson(rates[fixture] * hours)
            u = rng.random(int(count.sum()))
            r = np.repeat(rows, count, axis=0)
            san_t.append(r[:, 0] + u * r[:, 1])
            san_n.append(u.size)
        # EV: one draw per visit; the car stays from the first arrival to the final departure
        # (a visit's intervals are in time order).
        rng = child_rng(seed, f"{name}.ev")
        flag = rng.random(n_ids) < popspec.ev.share_of_visits
        energy = popspec.ev.energy_kwh.sample(rng, n_ids)
        is_first = np.concatenate([[True], visit_of[1:] != visit_of[:-1]]) if who.size else np.zeros(0, bool)
        is_last = np.concatenate([visit_of[1:] != visit_of[:-1], [True]]) if who.size else np.zeros(0, bool)
        part = np.zeros(int(flag.sum()), dtype=EV_DTYPE)
        part["arrival_s"], part["departure_s"], part["energy_kwh"] = a[is_first][flag], b[is_last][flag], energy[flag]
        part["population"], part["zone"] = k, z[is_first][flag]
        ev_parts.append(part)

    # Uses by (population, fixture), then sorted by time (stable). A population is in one zone.
    t_use = np.concatenate(san_t) if san_t else np.zeros(0)
    part_pop = np.repeat(np.arange(len(pop_names)), len(FIXTURES))
    k_use = np.repeat(part_pop, san_n)
    f_use = np.repeat(np.tile(np.arange(len(FIXTURES)), len(pop_names)), san_n)
    z_use = np.repeat(np.array([pl.zone for pl in planners], dtype=np.int64)[part_pop], san_n)
    uses = np.empty(t_use.size, dtype=SANITARY_DTYPE)
    uses["time_s"], uses["fixture"], uses["population"], uses["zone"] = t_use, f_use, k_use, z_use
    sanitary_log = np.take(uses, _stable_argsort(t_use))   # take: indexing records is ~10x slower
    step = np.clip(np.ceil(t_use / dt_s).astype(np.int64) - 1, 0, n - 1)   # as _bin
    per_fixture = np.bincount((f_use * n + step) * nz + z_use, weights=np.ones(step.size),
                              minlength=len(FIXTURES) * n * nz).astype(float, copy=False).reshape(len(FIXTURES), n, nz)
    toilet_uses = {fixture: per_fixture[f] for f, fixture in enumerate(FIXTURES)}
    ev = np.concatenate(ev_parts) if ev_parts else np.zeros(0, EV_DTYPE)
    ev = np.take(ev, _stable_argsort(ev["arrival_s"]))

    # KPIs
    person_h = (end - start) / 3600.0
    capacity = np.array([zz.occupancy.capacity_persons for zz in model.zones], dtype=float)
    in_period = (cal.base_s + 0.0 * 3600.0 >= -1.0) & (cal.base_s + 24.0 * 3600.0 <= horizon_s + 1.0)
    open_h = np.sum(np.maximum(cal.hours[in_period, :nz, 1] - cal.hours[in_period, :nz, 0], 0.0), axis=0) \
        if in_period.any() else np.zeros(nz)
    ph_zone = np.bincount(zone, weights=person_h, minlength=nz)
    period_days = horizon_s / 86400.0
    open_days = {name: int(np.count_nonzero(in_period & cal.is_open(pl.hours_col)))
                 for name, pl in zip(pop_names, planners, strict=True)}
    ref_pop = event_log["population"][event_log["what"] == REFUSED]
    kpis: dict[str, Any] = {
        "days": period_days,
        "visits": visits,
        "visits_per_day": {p: v / period_days for p, v in visits.items()},
        "visits_per_open_day": {p: visits[p] / max(open_days[p], 1) for p in pop_names},
        "visits_total": int(sum(visits.values())),
        "person_hours": {p: float(person_h[bounds[k]:bounds[k + 1]].sum()) for k, p in enumerate(pop_names)},
        "person_hours_by_zone": dict(zip(zone_names, ph_zone.tolist(), strict=True)),
        "person_hours_total": float(person_h.sum()),
        "peak_occupants": dict(zip(zone_names, peak, strict=True)),
        "peak_occupants_building": int(peak_building),
        "open_hours": dict(zip(zone_names, open_h.tolist(), strict=True)),
        "utilisation": {
            zn: float(ph_zone[j] / (capacity[j] * open_h[j])) if capacity[j] * open_h[j] > 0 else 0.0
            for j, zn in enumerate(zone_names)
        },
        "refused": dict(zip(zone_names, refused, strict=True)),
        "refused_by_population": {p: int((ref_pop == k).sum()) for k, p in enumerate(pop_names)},
        "sessions": {p: sessions[k] for k, (p, pl) in enumerate(zip(pop_names, planners, strict=True))
                     if pl.kind in ("bookings", "events")},
        "ev_sessions": int(ev.size),
        "ev_energy_kwh": float(ev["energy_kwh"].sum()),
        "toilet_uses": {f: int(v.sum()) for f, v in toilet_uses.items()},
        "log_events": int(event_log.size),
    }
    return OccupancyRealisation(
        zone_names=zone_names, population_names=pop_names, occupants=occupants, arrivals=arrivals,
        toilet_uses=toilet_uses, ev_sessions=ev, event_log=event_log, sanitary_log=sanitary_log, kpis=kpis,
    )


# -------------------------------------------------------------------------------- figure


def plot_occupancy(realisation: OccupancyRealisation, times: pd.DatetimeIndex, zone_names: list[str],
                   path: str | Path, civil_timezone: str = "Europe/Paris") -> Path:
    """Figure for a sanity check: a typical week, and mean daily profiles (weekdays, weekends).

    The typical week is the first Monday-to-Sunday week of the run whose five
    weekdays all have people (no holiday, no closure). Profiles are means per
    civil hour over the days of each kind.
    """
    from twin.plotting import pyplot

    plt = pyplot()

    occ = realisation.occupants
    dt_s = (times[1] - times[0]).total_seconds() if len(times) > 1 else 3600.0
    mid = (times - pd.Timedelta(seconds=dt_s / 2)).tz_convert(civil_timezone)
    frame = pd.DataFrame(occ, index=mid, columns=zone_names)
    daily = frame.sum(axis=1).groupby(mid.normalize()).sum()
    week_start = None
    for day in daily.index:
        if day.weekday() == 0:
            span = daily.loc[day: day + pd.Timedelta(days=6)]
            if len(span) == 7 and (span.iloc[:5] > 0).all():
                week_start = day
                break
    if week_start is None:
        week_start = mid[0].normalize()
    week = frame.loc[week_start: week_start + pd.Timedelta(days=7)]

    # Fixed margins: the constrained layout engine drew the figure twice (0.35 s of every `twin run`).
    fig, axes = plt.subplots(3, 1, figsize=(12, 11))
    fig.subplots_adjust(left=0.06, right=0.98, top=0.96, bottom=0.05, hspace=0.3)
    ax = axes[0]
    ax.stackplot(week.index.tz_localize(None), week.to_numpy().T, labels=zone_names, step="pre")
    ax.set_title(f"Occupants, week of {week_start:%Y-%m-%d} (mean persons per step, stacked)")
    ax.set_ylabel("persons")
    ax.legend(loc="upper right", fontsize=8, ncol=2)
    hour = mid.hour + mid.minute / 60
    weekend = mid.day_of_week >= 5
    for ax, mask, title in ((axes[1], ~weekend, "Mon-Fri"), (axes[2], weekend, "Sat-Sun")):
        prof = frame[mask].groupby(np.floor(hour[mask] * 4) / 4).mean()
        for name in zone_names:
            ax.plot(prof.index, prof[name], label=name)
        ax.set_title(f"Mean daily profile, {title} (all days of the run, holidays included)")
        ax.set_xlabel("civil hour")
        ax.set_ylabel("persons")
        ax.set_xlim(0, 24)
        ax.legend(loc="upper right", fontsize=8, ncol=2)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def load_spec(path: str | Path) -> OccupancySpec:
    """Read the ``[occupancy]`` table of a TOML file into an :class:`OccupancySpec`."""
    import tomllib

    with Path(path).open("rb") as fh:
        return OccupancySpec.model_validate(tomllib.load(fh)["occupancy"])

