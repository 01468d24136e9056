"""Calendar: opening hours, French public holidays, school holidays, summer closure.

Schedules follow civil time (Europe/Paris, with daylight saving) while the
simulation clock and the weather run in local standard time (UTC+1). Every
function here takes the *middle* of each simulation step, converts it to civil
time and answers per step, vectorised over the whole run.

Public holidays come from the ``holidays`` package (France, metropolitan).
School holidays are listed in the model file (no package publishes them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import holidays
import numpy as np
import pandas as pd

__all__ = [
    "DayKinds",
    "day_kinds",
    "opening_mask",
    "parse_opening",
    "profile_fraction",
]


def parse_opening(ranges: Sequence[str]) -> np.ndarray:
    """Parse seven ``'HH:MM-HH:MM'`` strings (Mon..Sun, ``''`` = closed).

    Returns
    -------
    numpy.ndarray
        Shape (7, 2): opening and closing time of each weekday in hours since
        midnight; a closed day has ``[0, 0]``.

    Raises
    ------
    ValueError
        If a range closes before it opens.
    """
    out = np.zeros((7, 2))
    for day, text in enumerate(ranges):
        if not text:
            continue
        start, end = text.split("-")
        h0 = int(start[:2]) + int(start[3:]) / 60
        h1 = int(end[:2]) + int(end[3:]) / 60
        if h1 <= h0:
            raise ValueError(f"opening range '{text}' closes before it opens")
        out[day] = (h0, h1)
    return out


class DayKinds:
    """Per-step flags of the days: closed (public holiday, summer closure), school holiday.

    Parameters
    ----------
    civil_times
        Middle of each step in civil time.
    closed
        True on days the building is closed (public holidays if the model says
        so, summer-closure weeks): the calendar of its shared services.
    school_holiday
        True on school-holiday days.
    summer_closure
        True on the days of a summer-closure period (default: none).
    zones_kept_open
        Per zone name, the steps of a summer closure that this zone stays open through (rented
        floors exempted by ``except_zones``); zones not named follow ``closed`` (default: none).
    """

    def __init__(self, civil_times: pd.DatetimeIndex, closed: np.ndarray, school_holiday: np.ndarray,
                 summer_closure: np.ndarray | None = None, zones_kept_open: dict[str, np.ndarray] | None = None):
        self.civil_times = civil_times
        self.closed = closed
        self.school_holiday = school_holiday
        self.summer_closure = np.zeros_like(closed) if summer_closure is None else summer_closure
        self.zones_kept_open = dict(zones_kept_open or {})
        self.weekday = civil_times.day_of_week.to_numpy()
        self.hour_of_day = (civil_times.hour + civil_times.minute / 60 + civil_times.second / 3600).to_numpy()

    def for_zone(self, zone: str) -> DayKinds:
        """The same steps as one zone sees them: closed unless a summer closure exempts the zone.

        Returns ``self`` for a zone that no closure exempts, so a model without exemptions
        computes exactly what it did before they existed.
        """
        kept_open = self.zones_kept_open.get(zone)
        if kept_open is None:
            return self
        return DayKinds(self.civil_times, self.closed & ~kept_open, self.school_holiday, self.summer_closure)


def day_kinds(
    step_mid_times: pd.DatetimeIndex,
    civil_timezone: str,
    *,
    closed_on_public_holidays: bool,
    summer_closure: Sequence[tuple[str, str] | tuple[str, str, Sequence[str]]],
    school_holidays: Sequence[tuple[dt.date, dt.date]],
    country: str = "FR",
    school_holiday_zone: str | None = None,
) -> DayKinds:
    """Classify each step's civil day.

    Parameters
    ----------
    step_mid_times
        Middle of each simulation step, tz-aware (any zone).
    civil_timezone
        IANA zone of schedules, e.g. ``"Europe/Paris"``.
    closed_on_public_holidays
        Whether public holidays close the building.
    summer_closure
        ``(MM-DD, MM-DD)`` inclusive ranges closed every year, each optionally followed by the
        names of the zones that stay open through it (``except_zones``: tenants' floors).
    school_holidays
        Inclusive ``(first, last)`` dates of school holidays.
    country
        Country code for the ``holidays`` package.
    school_holiday_zone
        French school-holiday zone ("A", "B" or "C"): its official school holidays, from the
        ``holidays`` package (subdivision "Zone A" etc., category "school"), are added to ``school_holidays``.
    """
    civil = step_mid_times.tz_convert(civil_timezone)
    dates = civil.normalize().tz_localize(None)
    days = dates.to_numpy().astype("datetime64[D]")
    years = sorted(set(civil.year))
    closed = np.zeros(len(civil), dtype=bool)
    if closed_on_public_holidays:
        public = holidays.country_holidays(country, years=years)
        public_days = np.array(sorted(public), dtype="datetime64[D]")
        closed |= np.isin(days, public_days)
    # "MM-DD" ranges compared as MM*100 + DD (the same order as the zero-padded text, without strftime).
    month_day = (civil.month * 100 + civil.day).to_numpy()
    periods = [((month_day >= _mmdd(first)) & (month_day <= _mmdd(last)), frozenset(rest[0] if rest else ()))
               for first, last, *rest in summer_closure]
    closure = np.zeros(len(civil), dtype=bool)
    for in_period, _ in periods:
        closure |= in_period
    exempted = frozenset().union(*(except_zones for _, except_zones in periods))
    kept_open = {zone: _kept_open(closed, periods, zone) for zone in sorted(exempted)}
    closed = closed | closure
    school = np.zeros(len(civil), dtype=bool)
    for first, last in school_holidays:
        school |= (days >= np.datetime64(first, "D")) & (days <= np.datetime64(last, "D"))
    if school_holiday_zone is not None:
        official = holidays.country_holidays(country, subdiv=f"Zone {school_holiday_zone}", years=years,
                                             categories=("school",))
        school |= np.isin(days, np.array(sorted(official), dtype="datetime64[D]"))
    return DayKinds(civil, closed, school, closure, kept_open)


def _kept_open(public_holiday: np.ndarray, periods: list[tuple[np.ndarray, frozenset[str]]], zone: str) -> np.ndarray:
    """Steps of a summer closure that ``zone`` stays open through: in a period exempting it, and
    neither a public holiday (when they close the building) nor in a period that closes it."""
    kept, shut = np.zeros_like(public_holiday), public_holiday.copy()
    for in_period, except_zones in periods:
        if zone in except_zones:
            kept |= in_period
        else:
            shut |= in_period
    return kept & ~shut


def _mmdd(text: str) -> int:
    month, day = text.split("-")
    return int(month) * 100 + int(day)


def opening_mask(kinds: DayKinds, opening_hours: np.ndarray, lead_h: float = 0.0) -> np.ndarray:
    """True for steps inside opening hours, or within ``lead_h`` hours before opening.

    Parameters
    ----------
    kinds
        Day classification of the steps (:func:`day_kinds`).
    opening_hours
        Array (7, 2) from :func:`parse_opening`.
    lead_h
        Hours before opening that also count (pre-heating) [h].
    """
    hours = opening_hours[kinds.weekday]
    open_now = (kinds.hour_of_day >= hours[:, 0] - lead_h) & (kinds.hour_of_day < hours[:, 1])
    return open_now & (hours[:, 1] > hours[:, 0]) & ~kinds.closed


def profile_fraction(
    kinds: DayKinds,
    hourly_fraction: Sequence[float],
    weekday_factor: Sequence[float],
    school_holiday_factor: float,
    open_mask: np.ndarray,
    summer_closure_factor: float | None = None,
) -> np.ndarray:
    """Expected share of a space's capacity present at each step, in [0, 1].

    ``hourly_fraction[hour] * weekday_factor[day] * (school_holiday_factor on
    school-holiday days)``, zero outside opening hours, capped at 1. On the days of a summer
    closure that the space stays open through, ``summer_closure_factor`` (when given) replaces
    the school-holiday factor.
    """
    hour_index = np.floor(kinds.hour_of_day).astype(int) % 24
    fraction = np.asarray(hourly_fraction)[hour_index] * np.asarray(weekday_factor)[kinds.weekday]
    factor = np.where(kinds.school_holiday, school_holiday_factor, 1.0)
    if summer_closure_factor is not None:
        factor = np.where(kinds.summer_closure, summer_closure_factor, factor)
    fraction = fraction * factor
    return np.clip(np.where(open_mask, fraction, 0.0), 0.0, 1.0)
