"""Occupancy as a discrete-event model: people arrive, stay, go out for lunch and leave.

People do not depend on the building's state, so occupancy is simulated once per
scenario and seed, *before* the physics, in its own :class:`simpy.Environment`;
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
* Arrivals and departures (including lunch out/in) are real simpy events, one
  thin process per population that plays the day's vectorised draws in time
  order. Sanitary uses are drawn afterwards, vectorised, as timestamped events
  inside each presence interval (a Poisson process at the per-hour rates).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import pandas as pd
import simpy
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import special

from twin import calendar
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

Fraction = Annotated[float, Field(ge=0, le=1)]
NonNegFloat = Annotated[float, Field(ge=0)]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
HHMMRange = Annotated[str, Field(pattern=r"^([01]\d|2[0-4]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")]


class _Strict(BaseModel):
    """Unknown keys are errors, values are immutable (as ``twin.scenario.Strict``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# ----------------------------------------------------------------------------- schema


class TruncNormal(_Strict):
    """A normal distribution truncated to ``[low, high]``.

    Sampled by inversion (one uniform per draw, so a stream's consumption does
    not depend on the values). ``sd = 0`` gives ``mean`` clipped to the bounds.
    """

    mean: float = Field(description="Mean of the parent normal (unit of the field using it).")
    sd: NonNegFloat = Field(description="Standard deviation of the parent normal.")
    low: float = Field(description="Lower bound (inclusive).")
    high: float = Field(description="Upper bound (inclusive).")

    @model_validator(mode="after")
    def _ordered(self) -> TruncNormal:
        if self.high < self.low:
            raise ValueError(f"high = {self.high} is below low = {self.low}")
        if self.sd > 0 and special.ndtr((self.high - self.mean) / self.sd) - special.ndtr(
            (self.low - self.mean) / self.sd
        ) < 1e-9:
            raise ValueError(f"[{self.low}, {self.high}] holds no probability of N({self.mean}, {self.sd})")
        return self

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` draws, consuming exactly ``size`` uniforms of ``rng``."""
        u = rng.random(size)
        if self.sd == 0:
            return np.full(size, min(max(self.mean, self.low), self.high))
        a = special.ndtr((self.low - self.mean) / self.sd)
        b = special.ndtr((self.high - self.mean) / self.sd)
        x = self.mean + self.sd * special.ndtri(a + u * (b - a))
        return np.clip(x, self.low, self.high)

    def expected(self) -> float:
        """Mean of the truncated distribution."""
        if self.sd == 0:
            return min(max(self.mean, self.low), self.high)
        alpha, beta = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        z = special.ndtr(beta) - special.ndtr(alpha)
        pdf = lambda x: np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi)  # noqa: E731
        return float(self.mean + self.sd * (pdf(alpha) - pdf(beta)) / z)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Cumulative distribution function (for tests and checks)."""
        x = np.asarray(x, dtype=float)
        if self.sd == 0:
            return (x >= self.expected()).astype(float)
        a = special.ndtr((self.low - self.mean) / self.sd)
        b = special.ndtr((self.high - self.mean) / self.sd)
        return np.clip((special.ndtr((x - self.mean) / self.sd) - a) / (b - a), 0.0, 1.0)


class Sanitary(_Strict):
    """Per-person fixture uses per hour of presence, by sex.

    LEED's default uses per full-time occupant per day (DF §5, [V]) divided by an
    8-hour presence: female 3 WC; male 1 WC + 2 urinals; washbasin 3. At these
    rates a visitor staying 1.3 h makes 0.5 female WC uses, the LEED visitor
    figure, and 0.17 WC + 0.33 urinal for a man (LEED 0.1 + 0.4): the per-hour
    form covers staff and visitors with one set of rates.
    """

    female_share: Fraction = Field(default=0.5, description="Share of women among persons [-]. [E] parity.")
    wc_female_per_h: NonNegFloat = Field(
        default=3 / 8, description="WC uses per woman per hour present [1/h]. [V] LEED 3/day (DF §5) / 8 h."
    )
    wc_male_per_h: NonNegFloat = Field(
        default=1 / 8, description="WC uses per man per hour present [1/h]. [V] LEED 1/day (DF §5) / 8 h."
    )
    urinal_per_h: NonNegFloat = Field(
        default=2 / 8, description="Urinal uses per man per hour present [1/h]. [V] LEED 2/day (DF §5) / 8 h."
    )
    washbasin_per_h: NonNegFloat = Field(
        default=3 / 8, description="Washbasin uses per person per hour present [1/h]. [V] LEED 3/day (DF §5) / 8 h."
    )
    kitchenette_per_h: NonNegFloat = Field(
        default=2 / 8,
        description="Kitchenette sink uses per person per hour present [1/h]. [E] a coffee and a lunch rinse per day.",
    )


class EvDemand(_Strict):
    """Electric-vehicle charging demand brought by a population.

    A share of visits come by an EV that plugs in on arrival and leaves when the
    person leaves (lunch breaks on foot). Charger availability is not checked
    here: the EV-charging system decides what is served.
    """

    share_of_visits: Fraction = Field(default=0.0, description="Share of visits that bring an EV to charge [-].")
    energy_kwh: TruncNormal = Field(
        default=TruncNormal(mean=8.0, sd=2.0, low=6.0, high=12.0),
        description="Energy wanted per session [kWh]. [E] DF §8: ~8 kWh (6-12), 43 km x 0.18 kWh/km.",
    )


class _PopulationBase(_Strict):
    zone: Identifier = Field(description="Name of the model zone the population occupies.")
    description: str = Field(default="", description="Who they are, for reports.")
    school_holiday_factor: float = Field(
        default=1.0, ge=0, le=3, description="Multiplier of the attendance/arrival rate on school-holiday days [-]."
    )
    ev: EvDemand = Field(default=EvDemand(), description="EV sessions brought by this population.")
    sanitary: Sanitary | None = Field(default=None, description="Overrides OccupancySpec.sanitary for this population.")


class RegularsSpec(_PopulationBase):
    """Members or employees who come on some weekdays (coworking, tenants, subscribers, staff)."""

    kind: Literal["regulars"]
    persons: int = Field(ge=0, description="Size of the member base or staff [persons].")
    attendance_by_weekday: list[Fraction] = Field(
        min_length=7, max_length=7, description="Probability that one person comes, Mon..Sun [-]."
    )
    arrival_h: TruncNormal = Field(description="Arrival civil time [h since midnight]; before opening = at opening.")
    stay_h: TruncNormal = Field(description="Time from arrival to final departure, lunch included [h]; cut at closing.")
    lunch_out_share: Fraction = Field(default=0.0, description="Share of attendees who go out for lunch [-].")
    lunch_start_h: TruncNormal = Field(
        default=TruncNormal(mean=12.25, sd=0.4, low=11.5, high=13.5), description="Lunch departure civil time [h]."
    )
    lunch_h: TruncNormal = Field(
        default=TruncNormal(mean=0.75, sd=0.2, low=0.33, high=1.5), description="Time out for lunch [h]."
    )


class WalkInsSpec(_PopulationBase):
    """Walk-in visitors, a Poisson process whose rate depends on the civil hour and weekday."""

    kind: Literal["walk_ins"]
    arrivals_per_hour: list[NonNegFloat] = Field(
        min_length=24, max_length=24, description="Arrival rate in civil hour h (h:00-h+1:00) while open [1/h]."
    )
    weekday_factor: list[NonNegFloat] = Field(min_length=7, max_length=7, description="Rate multiplier Mon..Sun [-].")
    stay_h: TruncNormal = Field(description="Length of a visit [h]; cut at closing.")


class BookingsSpec(_PopulationBase):
    """Rooms booked by groups: half days, full days, blocks of consecutive open days."""

    kind: Literal["bookings"]
    rooms: int = Field(ge=1, description="Rooms of the zone booked independently [-].")
    used_fraction_by_weekday: list[Fraction] = Field(
        min_length=7, max_length=7, description="Target share of room-days used, Mon..Sun [-]."
    )
    block_days: list[Annotated[int, Field(ge=1, le=20)]] = Field(
        min_length=1, description="Possible lengths of a booking, in consecutive open days."
    )
    block_days_probability: list[Fraction] = Field(min_length=1, description="Probability of each block length.")
    slot_probability: list[Fraction] = Field(
        min_length=3, max_length=3, description="Probability of morning, afternoon, full day [-]."
    )
    morning: HHMMRange = Field(default="09:00-12:30", description="Civil hours of a morning session.")
    afternoon: HHMMRange = Field(default="13:30-17:00", description="Civil hours of an afternoon session.")
    group_size: TruncNormal = Field(description="Persons per booking (rounded) [persons].")
    arrive_early_h: NonNegFloat = Field(default=0.25, description="Trainees arrive uniformly this long before start [h].")
    leave_late_h: NonNegFloat = Field(default=0.1, description="... and leave uniformly up to this long after end [h].")
    lunch_out_share: Fraction = Field(default=0.7, description="Share of full-day trainees who go out at lunch [-].")

    @model_validator(mode="after")
    def _probabilities(self) -> BookingsSpec:
        if len(self.block_days) != len(self.block_days_probability):
            raise ValueError("block_days and block_days_probability must have the same length")
        for name in ("block_days_probability", "slot_probability"):
            total = sum(getattr(self, name))
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"{name} adds up to {total:g}; expected 1")
        return self

    def mean_block_days(self) -> float:
        return float(np.dot(self.block_days, self.block_days_probability))


class EventsSpec(_PopulationBase):
    """Seminars and public events: a few a month, attendance around a number, some in the evening."""

    kind: Literal["events"]
    events_per_month: NonNegFloat = Field(description="Mean number of events per month [1/month].")
    weekdays: list[bool] = Field(min_length=7, max_length=7, description="Days an event may happen, Mon..Sun.")
    start_h: list[Annotated[float, Field(ge=0, le=24)]] = Field(min_length=1, description="Start slots, civil [h].")
    start_probability: list[Fraction] = Field(min_length=1, description="Probability of each start slot [-].")
    duration_h: TruncNormal = Field(description="Event length [h]; cut at closing.")
    attendance: TruncNormal = Field(description="Persons attending (rounded) [persons].")
    arrive_before_h: NonNegFloat = Field(default=0.5, description="Attendees arrive uniformly this long before start [h].")
    leave_spread_h: NonNegFloat = Field(default=0.5, description="... and leave uniformly over this span around the end [h].")

    @model_validator(mode="after")
    def _probabilities(self) -> EventsSpec:
        if len(self.start_h) != len(self.start_probability):
            raise ValueError("start_h and start_probability must have the same length")
        if abs(sum(self.start_probability) - 1.0) > 1e-6:
            raise ValueError(f"start_probability adds up to {sum(self.start_probability):g}; expected 1")
        return self


PopulationSpec = Annotated[
    RegularsSpec | WalkInsSpec | BookingsSpec | EventsSpec, Field(discriminator="kind")
]


class OccupancySpec(_Strict):
    """The people of the building: named populations and their side events (sanitary, EV)."""

    sanitary: Sanitary = Field(default=Sanitary(), description="Fixture-use rates of every population by default.")
    populations: dict[Identifier, PopulationSpec] = Field(
        description="Populations by name; the name keys the random stream. kind: regulars | walk_ins | bookings | events."
    )

    @model_validator(mode="after")
    def _limit(self) -> OccupancySpec:
        if len(self.populations) > 60000:
            raise ValueError("at most 60000 populations")
        return self


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
class _Day:
    index: int
    date: dt.date
    weekday: int
    school: bool
    base_s: float            # sim seconds of civil 00:00 of that day's noon offset
    hours: np.ndarray        # (n_zones, 2) open/close civil hours; [0, 0] when closed

    def s(self, hours: np.ndarray | float) -> np.ndarray:
        return self.base_s + np.asarray(hours, dtype=float) * 3600.0


def _days(model: Model, origin: pd.Timestamp, end: pd.Timestamp) -> list[_Day]:
    tz = model.building.location.civil_timezone
    first = origin.tz_convert(tz).date()
    last = end.tz_convert(tz).date()
    dates = pd.date_range(first, last, freq="D")
    noon = dates.tz_localize(tz) + pd.Timedelta(hours=12)
    cal = model.calendar
    kinds = calendar.day_kinds(
        noon, tz,
        closed_on_public_holidays=cal.closed_on_public_holidays,
        summer_closure=[(p.start, p.end) for p in cal.summer_closure],
        school_holidays=cal.school_holidays, country=cal.country,
    )
    offsets = np.array([ts.utcoffset().total_seconds() for ts in noon])
    naive_s = (dates.to_numpy().astype("datetime64[s]").astype(np.int64)).astype(float)
    origin_s = origin.timestamp()
    opening = [calendar.parse_opening(cal.opening[z.occupancy.opening]) for z in model.zones]
    out = []
    for i, date in enumerate(dates):
        w = int(kinds.weekday[i])
        hours = np.array([op[w] for op in opening])
        if kinds.closed[i]:
            hours[:] = 0.0
        out.append(_Day(i, date.date(), w, bool(kinds.school_holiday[i]), naive_s[i] - offsets[i] - origin_s, hours))
    return out


# ------------------------------------------------------------------------ day planners
# A planner turns one civil day into arrays sorted by (time, code): time_s, code, person (local).
Plan = tuple[np.ndarray, np.ndarray, np.ndarray]
_EMPTY: Plan = (np.empty(0), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))


def _assemble(times: list[np.ndarray], codes: list[np.ndarray], persons: list[np.ndarray]) -> Plan:
    t = np.concatenate(times)
    c = np.concatenate(codes)
    p = np.concatenate(persons)
    order = np.lexsort((p, c, t))
    return t[order], c[order], p[order]


def _visits_plan(day: _Day, z: int, arr_h: np.ndarray, leave_h: np.ndarray,
                 out_h: np.ndarray | None = None, in_h: np.ndarray | None = None) -> Plan:
    """Plan of visits given civil hours; clipped to opening; lunch where ``out_h`` is finite."""
    open_h, close_h = day.hours[z]
    if close_h <= open_h or arr_h.size == 0:
        return _EMPTY
    arr_h = np.maximum(arr_h, open_h)
    leave_h = np.minimum(leave_h, close_h)
    keep = (arr_h < close_h) & (leave_h > arr_h)
    n = int(keep.sum())
    if n == 0:
        return _EMPTY
    ids = np.arange(n)
    t = [day.s(arr_h[keep]), day.s(leave_h[keep])]
    c = [np.full(n, _P_ARRIVE), np.full(n, _P_LEAVE)]
    p = [ids, ids]
    if out_h is not None and in_h is not None:
        o, i = out_h[keep], in_h[keep]
        lunch = np.isfinite(o) & (o > arr_h[keep]) & (i < leave_h[keep]) & (i > o)
        m = int(lunch.sum())
        t += [day.s(o[lunch]), day.s(i[lunch])]
        c += [np.full(m, _P_OUT), np.full(m, _P_IN)]
        p += [ids[lunch], ids[lunch]]
    return _assemble(t, c, p)


class _Planner:
    kind = ""

    def __init__(self, name: str, spec: Any, zone: int, seed: int, days: list[_Day], period_days: float):
        self.name, self.spec, self.zone = name, spec, zone
        self.rng = child_rng(seed, name)
        self.sessions = 0  # bookings (room-days) or events held

    def is_open(self, day: _Day) -> bool:
        return bool(day.hours[self.zone, 1] > day.hours[self.zone, 0])

    def plan(self, day: _Day) -> Plan:
        raise NotImplementedError


class _Regulars(_Planner):
    kind = "regulars"

    def plan(self, day: _Day) -> Plan:
        s: RegularsSpec = self.spec
        if not self.is_open(day) or s.persons == 0:
            return _EMPTY
        p = s.attendance_by_weekday[day.weekday] * (s.school_holiday_factor if day.school else 1.0)
        come = self.rng.random(s.persons) < min(p, 1.0)
        k = int(come.sum())
        rng = self.rng
        arr = s.arrival_h.sample(rng, k)
        leave = arr + s.stay_h.sample(rng, k)
        lunch = rng.random(k) < s.lunch_out_share
        out = s.lunch_start_h.sample(rng, k)
        back = out + s.lunch_h.sample(rng, k)
        out[~lunch] = np.nan
        return _visits_plan(day, self.zone, arr, leave, out, back)


class _WalkIns(_Planner):
    kind = "walk_ins"

    def plan(self, day: _Day) -> Plan:
        s: WalkInsSpec = self.spec
        if not self.is_open(day):
            return _EMPTY
        open_h, close_h = day.hours[self.zone]
        hour = np.arange(24.0)
        lo = np.clip(hour, open_h, close_h)
        hi = np.clip(hour + 1, open_h, close_h)
        factor = s.weekday_factor[day.weekday] * (s.school_holiday_factor if day.school else 1.0)
        lam = np.asarray(s.arrivals_per_hour) * factor * (hi - lo)
        counts = self.rng.poisson(lam)
        arr = np.repeat(lo, counts) + self.rng.random(int(counts.sum())) * np.repeat(hi - lo, counts)
        leave = arr + s.stay_h.sample(self.rng, arr.size)
        return _visits_plan(day, self.zone, arr, leave)


def _hhmm(text: str) -> tuple[float, float]:
    (h0, h1), = calendar.parse_opening([text] + [""] * 6)[:1]
    return float(h0), float(h1)


class _Bookings(_Planner):
    kind = "bookings"

    def __init__(self, *args: Any):
        super().__init__(*args)
        s: BookingsSpec = self.spec
        self.remaining = [0] * s.rooms      # open days left in each room's current block
        self.current: list[tuple[int, int]] = [(0, 0)] * s.rooms  # (slot, group size)
        self.mean_days = s.mean_block_days()
        self.morning, self.afternoon = _hhmm(s.morning), _hhmm(s.afternoon)

    def start_probability(self, f: float) -> float:
        """Daily start probability giving a long-run used share f with blocks of mean length L.

        Idle runs are geometric with mean (1-p)/p, so f = L / (L + (1-p)/p), i.e.
        p = f / (L (1 - f) + f).
        """
        f = min(f, 1.0)
        return f / (self.mean_days * (1.0 - f) + f) if f > 0 else 0.0

    def plan(self, day: _Day) -> Plan:
        s: BookingsSpec = self.spec
        if not self.is_open(day):
            return _EMPTY
        rng = self.rng
        f = s.used_fraction_by_weekday[day.weekday] * (s.school_holiday_factor if day.school else 1.0)
        p_start = self.start_probability(f)
        arr_l, leave_l, out_l, in_l = [], [], [], []
        for r in range(s.rooms):
            u = rng.random(3)
            size = int(round(s.group_size.sample(rng, 1)[0]))
            if self.remaining[r] == 0:
                if u[0] >= p_start:
                    continue
                length = np.searchsorted(np.cumsum(s.block_days_probability), u[1], side="right")
                self.remaining[r] = s.block_days[min(int(length), len(s.block_days) - 1)]
                slot = min(int(np.searchsorted(np.cumsum(s.slot_probability), u[2], side="right")), 2)
                self.current[r] = (slot, max(size, 1))
            self.remaining[r] -= 1
            slot, n = self.current[r]
            self.sessions += 1
            start = self.afternoon[0] if slot == 1 else self.morning[0]
            end = self.morning[1] if slot == 0 else self.afternoon[1]
            arr_l.append(start - s.arrive_early_h * rng.random(n))
            leave_l.append(end + s.leave_late_h * rng.random(n))
            goes_out = (rng.random(n) < s.lunch_out_share) & (slot == 2)
            out_l.append(np.where(goes_out, self.morning[1], np.nan))
            in_l.append(np.full(n, self.afternoon[0]) - s.arrive_early_h * rng.random(n))
        if not arr_l:
            return _EMPTY
        return _visits_plan(day, self.zone, *map(np.concatenate, (arr_l, leave_l, out_l, in_l)))


class _Events(_Planner):
    kind = "events"

    def __init__(self, name: str, spec: EventsSpec, zone: int, seed: int, days: list[_Day], period_days: float):
        super().__init__(name, spec, zone, seed, days, period_days)
        eligible = sum(1 for d in days if self.is_open(d) and spec.weekdays[d.weekday])
        months = period_days / 30.4375
        self.p_day = min(1.0, spec.events_per_month * months / eligible) if eligible else 0.0

    def plan(self, day: _Day) -> Plan:
        s: EventsSpec = self.spec
        if not self.is_open(day) or not s.weekdays[day.weekday]:
            return _EMPTY
        rng = self.rng
        u = rng.random(2)
        p = self.p_day * (s.school_holiday_factor if day.school else 1.0)
        if u[0] >= p:
            return _EMPTY
        slot = min(int(np.searchsorted(np.cumsum(s.start_probability), u[1], side="right")), len(s.start_h) - 1)
        start = s.start_h[slot]
        end = start + float(s.duration_h.sample(rng, 1)[0])
        n = max(int(round(s.attendance.sample(rng, 1)[0])), 0)
        open_h, close_h = day.hours[self.zone]
        if start >= close_h or n == 0:
            return _EMPTY
        self.sessions += 1
        arr = start - s.arrive_before_h * rng.random(n)
        leave = np.minimum(end, close_h) + s.leave_spread_h * (rng.random(n) - 0.5)
        return _visits_plan(day, self.zone, arr, leave)


PLANNERS: dict[str, type[_Planner]] = {
    "regulars": _Regulars, "walk_ins": _WalkIns, "bookings": _Bookings, "events": _Events,
}
"""Arrival processes by ``kind``."""


# --------------------------------------------------------------------------- simulation


def simulate_occupancy(
    spec: OccupancySpec, model: Model, times: pd.DatetimeIndex, dt_s: float, seed: int
) -> OccupancyRealisation:
    """Simulate the people of the building over a run, with simpy.

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
    if times.tz is None:
        raise ScenarioError("simulate_occupancy: times must be tz-aware (local standard time)")
    n_steps, nz = len(times), len(zone_names)
    origin = times[0] - pd.Timedelta(seconds=dt_s)
    horizon_s = n_steps * dt_s
    days = _days(model, origin, times[-1])
    period_days = horizon_s / 86400.0
    capacity = [z.occupancy.capacity_persons for z in model.zones]

    planners = [
        PLANNERS[pop.kind](name, pop, zone_names.index(pop.zone), seed, days, period_days)
        for name, pop in spec.populations.items()
    ]

    env = simpy.Environment()
    held = [0] * nz
    present = [0] * nz
    peak = [0] * nz
    refused = [0] * nz
    total = [0, 0]  # present in the building, its peak
    records: list[tuple[float, int, int, int, int]] = []
    next_id = [0] * len(planners)

    def play(k: int, planner: _Planner) -> Generator[simpy.Event, Any, None]:
        z = planner.zone
        cap = capacity[z]
        append = records.append
        timeout = env.timeout
        for day in days:
            t_arr, codes, persons = planner.plan(day)
            if t_arr.size == 0:
                continue
            base = next_id[k]
            next_id[k] += int(persons.max()) + 1
            admitted = np.zeros(int(persons.max()) + 1, dtype=bool).tolist()
            if t_arr[0] < 0:  # visits begun before the clock starts are left out
                early = np.isin(persons, persons[(codes == _P_ARRIVE) & (t_arr < 0)])
                t_arr, codes, persons = t_arr[~early], codes[~early], persons[~early]
            now = env.now
            for t, c, p in zip(t_arr.tolist(), codes.tolist(), persons.tolist(), strict=True):
                if t >= horizon_s:
                    break
                if t > now:
                    yield timeout(t - now)
                    now = t
                if c == _P_ARRIVE:
                    if held[z] < cap:
                        held[z] += 1
                        admitted[p] = True
                    else:
                        refused[z] += 1
                        append((t, REFUSED, k, z, base + p))
                        continue
                elif not admitted[p]:
                    continue
                elif c == _P_LEAVE:
                    held[z] -= 1
                if c == _P_ARRIVE or c == _P_IN:
                    present[z] += 1
                    total[0] += 1
                    if present[z] > peak[z]:
                        peak[z] = present[z]
                    if total[0] > total[1]:
                        total[1] = total[0]
                    append((t, ARRIVE, k, z, base + p))
                else:
                    present[z] -= 1
                    total[0] -= 1
                    append((t, LEAVE, k, z, base + p))

    for k, planner in enumerate(planners):
        env.process(play(k, planner))
    env.run(until=horizon_s)

    event_log = np.array(records, dtype=EVENT_DTYPE)
    return _realise(spec, model, planners, pop_names, zone_names, event_log, times, dt_s, seed, days,
                    peak, total[1], refused)


def _intervals(event_log: np.ndarray, horizon_s: float) -> tuple[np.ndarray, ...]:
    """Presence intervals (start, end, population, zone, person) from the log; open ones end at the horizon."""
    moves = event_log[event_log["what"] != REFUSED]
    order = np.lexsort((moves["time_s"], moves["person"], moves["population"]))
    m = moves[order]
    starts = np.flatnonzero(m["what"] == ARRIVE)
    nxt = starts + 1
    has_end = nxt < len(m)
    closes = np.zeros(len(starts), dtype=bool)
    closes[has_end] = (
        (m["what"][nxt[has_end]] == LEAVE)
        & (m["person"][nxt[has_end]] == m["person"][starts[has_end]])
        & (m["population"][nxt[has_end]] == m["population"][starts[has_end]])
    )
    end = np.full(len(starts), float(horizon_s))
    end[closes] = m["time_s"][nxt[closes]]
    s = m[starts]
    return s["time_s"].astype(float), end, s["population"].astype(int), s["zone"].astype(int), s["person"]


def _step_means(start: np.ndarray, end: np.ndarray, zone: np.ndarray, nz: int, n: int, dt_s: float) -> np.ndarray:
    """Exact mean count per step: integral of the piecewise-constant count / dt."""
    grid = np.arange(n + 1) * dt_s
    out = np.zeros((n, nz))
    for j in range(nz):
        sel = zone == j
        t = np.concatenate([start[sel], end[sel]])
        sign = np.concatenate([np.ones(sel.sum()), -np.ones(sel.sum())])
        order = np.argsort(t, kind="stable")
        t, sign = t[order], sign[order]
        cum_n = np.concatenate([[0.0], np.cumsum(sign)])
        cum_t = np.concatenate([[0.0], np.cumsum(sign * t)])
        k = np.searchsorted(t, grid, side="right")
        integral = grid * cum_n[k] - cum_t[k]   # ∫_0^grid count(τ) dτ
        out[:, j] = np.diff(integral) / dt_s
    return out


def _bin(t: np.ndarray, zone: np.ndarray, n: int, nz: int, dt_s: float) -> np.ndarray:
    """Counts per (step, zone); step k holds (k dt, (k+1) dt]."""
    k = np.clip(np.ceil(t / dt_s).astype(np.int64) - 1, 0, n - 1)
    out = np.zeros((n, nz))
    np.add.at(out, (k, zone), 1.0)
    return out


def _realise(spec: OccupancySpec, model: Model, planners: list[_Planner], pop_names: list[str],
             zone_names: list[str], event_log: np.ndarray, times: pd.DatetimeIndex, dt_s: float, seed: int,
             days: list[_Day], peak: list[int], peak_building: int, refused: list[int]) -> OccupancyRealisation:
    n, nz = len(times), len(zone_names)
    horizon_s = n * dt_s
    start, end, pop, zone, person = _intervals(event_log, horizon_s)
    occupants = _step_means(start, end, zone, nz, n, dt_s)
    arr = event_log[event_log["what"] == ARRIVE]
    arrivals = _bin(arr["time_s"], arr["zone"].astype(int), n, nz, dt_s)

    sanitary_parts, ev_parts = [], []
    for k, name in enumerate(pop_names):
        popspec = spec.populations[name]
        sel = pop == k
        a, b, z, who = start[sel], end[sel], zone[sel], person[sel]
        visit_ids, visit_of = np.unique(who, return_inverse=True)
        # Sanitary: sex per visit, then a Poisson process per fixture within each presence interval.
        san = popspec.sanitary or spec.sanitary
        rng = child_rng(seed, f"{name}.sanitary")
        female = (rng.random(visit_ids.size) < san.female_share)[visit_of]
        hours = (b - a) / 3600.0
        rates = {
            "wc_female": np.where(female, san.wc_female_per_h, 0.0),
            "wc_male": np.where(female, 0.0, san.wc_male_per_h),
            "urinal": np.where(female, 0.0, san.urinal_per_h),
            "washbasin": np.full(a.size, san.washbasin_per_h),
            "kitchenette": np.full(a.size, san.kitchenette_per_h),
        }
        for f, fixture in enumerate(FIXTURES):
            count = rng.poisson(rates[fixture] * hours)
            t = np.repeat(a, count) + rng.random(int(count.sum())) * np.repeat(b - a, count)
            part = np.zeros(t.size, dtype=SANITARY_DTYPE)
            part["time_s"], part["fixture"], part["population"], part["zone"] = t, f, k, np.repeat(z, count)
            sanitary_parts.append(part)
        # EV: one draw per visit; the car stays from the first arrival to the final departure.
        rng = child_rng(seed, f"{name}.ev")
        flag = rng.random(visit_ids.size) < popspec.ev.share_of_visits
        energy = popspec.ev.energy_kwh.sample(rng, visit_ids.size)
        first = np.full(visit_ids.size, np.inf)
        last = np.full(visit_ids.size, -np.inf)
        np.minimum.at(first, visit_of, a)
        np.maximum.at(last, visit_of, b)
        zone_of = np.zeros(visit_ids.size, dtype=int)
        zone_of[visit_of] = z
        part = np.zeros(int(flag.sum()), dtype=EV_DTYPE)
        part["arrival_s"], part["departure_s"], part["energy_kwh"] = first[flag], last[flag], energy[flag]
        part["population"], part["zone"] = k, zone_of[flag]
        ev_parts.append(part)

    sanitary_log = np.concatenate(sanitary_parts) if sanitary_parts else np.zeros(0, SANITARY_DTYPE)
    sanitary_log = sanitary_log[np.argsort(sanitary_log["time_s"], kind="stable")]
    toilet_uses = {}
    for f, fixture in enumerate(FIXTURES):
        part = sanitary_log[sanitary_log["fixture"] == f]
        toilet_uses[fixture] = _bin(part["time_s"], part["zone"].astype(int), n, nz, dt_s)
    ev = np.concatenate(ev_parts) if ev_parts else np.zeros(0, EV_DTYPE)
    ev = ev[np.argsort(ev["arrival_s"], kind="stable")]

    # KPIs
    person_h = (end - start) / 3600.0
    capacity = np.array([zz.occupancy.capacity_persons for zz in model.zones], dtype=float)
    in_period = [d for d in days if d.s(0.0) >= -1.0 and d.s(24.0) <= horizon_s + 1.0]
    open_h = np.sum([np.maximum(d.hours[:, 1] - d.hours[:, 0], 0.0) for d in in_period], axis=0) if in_period \
        else np.zeros(nz)
    ph_zone = np.bincount(zone, weights=person_h, minlength=nz)
    visits = {name: int(np.unique(person[pop == k]).size) for k, name in enumerate(pop_names)}
    period_days = horizon_s / 86400.0
    open_days = {name: sum(1 for d in in_period if pl.is_open(d)) for name, pl in zip(pop_names, planners, strict=True)}
    ref = event_log[event_log["what"] == REFUSED]
    kpis: dict[str, Any] = {
        "days": period_days,
        "visits": visits,
        "visits_per_day": {p: v / period_days for p, v in visits.items()},
        "visits_per_open_day": {p: visits[p] / max(open_days[p], 1) for p in pop_names},
        "visits_total": int(sum(visits.values())),
        "person_hours": {p: float(person_h[pop == k].sum()) for k, p in enumerate(pop_names)},
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
        "refused_by_population": {p: int((ref["population"] == k).sum()) for k, p in enumerate(pop_names)},
        "sessions": {p: pl.sessions for p, pl in zip(pop_names, planners, strict=True) if pl.kind in ("bookings", "events")},
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

    fig, axes = plt.subplots(3, 1, figsize=(12, 11), constrained_layout=True)
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

