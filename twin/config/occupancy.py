"""Schema of the ``[occupancy]`` table: populations, their arrival processes and side events.

The model of people itself (draws, capacity, the event log) is :mod:`twin.systems.occupancy`,
which re-exports these classes. This module is read by every validation, so numpy and
scipy.special are imported only by the methods that sample (at run time).
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "BookingsSpec",
    "EvDemand",
    "EventsSpec",
    "OccupancySpec",
    "PopulationSpec",
    "RegularsSpec",
    "Sanitary",
    "TruncNormal",
    "WalkInsSpec",
]

_SQRT1_2 = math.sqrt(0.5)

Fraction = Annotated[float, Field(ge=0, le=1)]
NonNegFloat = Annotated[float, Field(ge=0)]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
HHMMRange = Annotated[str, Field(pattern=r"^([01]\d|2[0-4]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")]


class _Strict(BaseModel):
    """Unknown keys are errors, values are immutable (as ``twin.scenario.Strict``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _special():
    """:mod:`scipy.special`, imported on first use: sampling needs it, validation does not."""
    from scipy import special

    return special


def _ndtr(x: float) -> float:
    """Standard normal CDF of one value, as :func:`scipy.special.ndtr` computes it (Cephes), in pure Python."""
    y = x * _SQRT1_2
    z = abs(y)
    if z < _SQRT1_2:
        return 0.5 + 0.5 * math.erf(y)
    tail = 0.5 * math.erfc(z)
    return 1.0 - tail if y > 0 else tail


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
        if self.sd > 0 and _ndtr((self.high - self.mean) / self.sd) - _ndtr((self.low - self.mean) / self.sd) < 1e-9:
            raise ValueError(f"[{self.low}, {self.high}] holds no probability of N({self.mean}, {self.sd})")
        return self

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` draws, consuming exactly ``size`` uniforms of ``rng``."""
        return self.from_uniform(rng.random(size))

    @functools.cached_property
    def _cdf_bounds(self) -> tuple[float, float]:
        """Parent CDF at ``low`` and ``high`` (sd > 0)."""
        special = _special()
        return special.ndtr((self.low - self.mean) / self.sd), special.ndtr((self.high - self.mean) / self.sd)

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        """Draws by inversion of the uniforms ``u`` in [0, 1), element by element."""
        import numpy as np

        if self.sd == 0:
            return np.full(u.size, min(max(self.mean, self.low), self.high))
        a, b = self._cdf_bounds
        x = self.mean + self.sd * _special().ndtri(a + u * (b - a))
        return np.clip(x, self.low, self.high)

    def from_one_uniform(self, u: float) -> float:
        """:meth:`from_uniform` of one uniform (the same arithmetic, without arrays)."""
        if self.sd == 0:
            return min(max(self.mean, self.low), self.high)
        a, b = self._cdf_bounds
        return float(min(max(self.mean + self.sd * _special().ndtri(a + u * (b - a)), self.low), self.high))

    def expected(self) -> float:
        """Mean of the truncated distribution."""
        if self.sd == 0:
            return min(max(self.mean, self.low), self.high)
        import numpy as np

        special = _special()
        alpha, beta = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        z = special.ndtr(beta) - special.ndtr(alpha)
        pdf = lambda x: np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi)  # noqa: E731
        return float(self.mean + self.sd * (pdf(alpha) - pdf(beta)) / z)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Cumulative distribution function (for tests and checks)."""
        import numpy as np

        special = _special()
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
    summer_closure_factor: float | None = Field(
        default=None, ge=0, le=3, description="Multiplier of the attendance/arrival rate on the days of a "
        "calendar.summer_closure that the population's zone stays open through (its except_zones), instead of "
        "school_holiday_factor [-]; None: those days are like any other. Unused where the zone closes.",
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
    access: Identifier | None = Field(
        default=None, description="Name of a calendar.opening whose hours bound this population's presence (badge "
        "access, e.g. tenants coming early, late or on Saturdays) instead of its zone's opening; the zone's opening "
        "stays the BMS schedule of heating and ventilation. None: the zone's opening.",
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
        import numpy as np

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
