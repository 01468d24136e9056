"""Calendar: public and school holidays, summer closure, opening hours in civil time."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from twin import calendar

CET = dt.timezone(dt.timedelta(hours=1))


def _kinds(times, **kw):
    args = {"closed_on_public_holidays": True, "summer_closure": [("08-09", "08-22")], "school_holidays": []}
    args.update(kw)
    return calendar.day_kinds(pd.DatetimeIndex(times), "Europe/Paris", **args)


def test_parse_opening_hours():
    hours = calendar.parse_opening(["08:00-19:00", "", "10:30-22:00", "", "", "", "00:00-24:00"])
    np.testing.assert_array_equal(hours[0], [8.0, 19.0])
    np.testing.assert_array_equal(hours[1], [0.0, 0.0])
    np.testing.assert_array_equal(hours[2], [10.5, 22.0])
    np.testing.assert_array_equal(hours[6], [0.0, 24.0])


def test_parse_opening_rejects_reversed_range():
    with pytest.raises(ValueError, match="closes before it opens"):
        calendar.parse_opening(["19:00-08:00"] + [""] * 6)


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        ("2027-05-06", True),   # Ascension 2027 (DF §6, jours-feries-france)
        ("2027-03-29", True),   # Easter Monday 2027
        ("2027-07-14", True),   # Bastille Day (Wednesday)
        ("2027-11-11", True),   # Armistice (Thursday)
        ("2027-08-16", True),   # summer closure of the model
        ("2027-08-23", False),  # the day after it
        ("2027-05-05", False),  # an ordinary Wednesday
    ],
)
def test_public_holidays_and_summer_closure(day, closed):
    t = pd.Timestamp(f"{day} 11:30", tz=CET)
    assert bool(_kinds([t]).closed[0]) is closed


def test_school_holidays_are_inclusive():
    k = _kinds(
        [pd.Timestamp(d + " 12:00", tz=CET) for d in ("2027-02-05", "2027-02-06", "2027-02-21", "2027-02-22")],
        school_holidays=[(dt.date(2027, 2, 6), dt.date(2027, 2, 21))],
    )
    assert k.school_holiday.tolist() == [False, True, True, False]


def test_opening_follows_civil_time_across_daylight_saving():
    hours = calendar.parse_opening(["08:00-19:00"] * 5 + ["", ""])
    # 07:30 standard time is 07:30 civil in January but 08:30 civil (CEST) in July.
    jan = pd.Timestamp("2027-01-12 07:30", tz=CET)
    jul = pd.Timestamp("2027-07-13 07:30", tz=CET)
    mask = calendar.opening_mask(_kinds([jan, jul]), hours)
    assert mask.tolist() == [False, True]


def test_preheat_lead_opens_earlier_and_weekend_stays_closed():
    hours = calendar.parse_opening(["08:00-19:00"] * 5 + ["", ""])
    times = [pd.Timestamp(s, tz=CET) for s in ("2027-01-12 06:30", "2027-01-12 05:30", "2027-01-16 06:30")]
    k = _kinds(times)
    assert calendar.opening_mask(k, hours, lead_h=2.0).tolist() == [True, False, False]


def test_profile_fraction_is_zero_when_closed_and_capped_at_one():
    hours = calendar.parse_opening(["00:00-24:00"] * 7)
    times = [pd.Timestamp("2027-02-10 10:30", tz=CET), pd.Timestamp("2027-05-06 10:30", tz=CET)]
    k = _kinds(times, school_holidays=[(dt.date(2027, 2, 6), dt.date(2027, 2, 21))])
    open_mask = calendar.opening_mask(k, hours)
    frac = calendar.profile_fraction(k, [0.8] * 24, [1.0] * 7, 2.0, open_mask)
    # In school holidays 0.8 x 2.0 = 1.6 is capped at 1; Ascension is closed.
    assert frac.tolist() == [1.0, 0.0]


def test_official_zone_a_school_holidays_against_the_former_hand_typed_dates():
    # The `holidays` package publishes the official French zone A calendar; the model's former list was
    # the 2025-26 calendar shifted by 52 weeks [E]. Christmas 2026-27 and the summer start agree; the
    # 2027 winter and spring breaks are a week later in the official calendar (13-28 Feb, 10-25 Apr).
    import datetime as dt

    import pandas as pd

    from twin import calendar

    days = pd.date_range("2026-12-01 12:00", "2027-12-31 12:00", freq="D", tz="Europe/Paris")
    kinds = calendar.day_kinds(days, "Europe/Paris", closed_on_public_holidays=False, summer_closure=[],
                               school_holidays=[], school_holiday_zone="A")
    official = {d.date() for d, s in zip(days, kinds.school_holiday, strict=True) if s}
    former = [(dt.date(2026, 12, 19), dt.date(2027, 1, 3)), (dt.date(2027, 2, 6), dt.date(2027, 2, 21)),
              (dt.date(2027, 4, 3), dt.date(2027, 4, 18)), (dt.date(2027, 7, 3), dt.date(2027, 8, 30))]
    assert all(dt.date(2026, 12, 19) + dt.timedelta(days=k) in official for k in range(16))   # Christmas
    assert dt.date(2027, 2, 13) in official and dt.date(2027, 2, 28) in official            # winter
    assert dt.date(2027, 2, 6) not in official                                              # [E] was early
    assert dt.date(2027, 4, 10) in official and dt.date(2027, 4, 25) in official            # spring
    assert all(dt.date(2027, 7, 3) + dt.timedelta(days=k) in official for k in range(59))   # summer
    shared = sum(1 for a, b in former for k in range((b - a).days + 1) if a + dt.timedelta(days=k) in official)
    assert shared >= 0.8 * sum((b - a).days + 1 for a, b in former)


def test_a_summer_closure_can_leave_named_zones_open():
    # 2025: 15 August (a public holiday) is a Friday inside the closure 9-22 August; a second period
    # (1-3 September) closes every zone, the exempted one included.
    days = ["2025-08-08", "2025-08-11", "2025-08-15", "2025-08-22", "2025-08-25", "2025-09-02"]
    times = [pd.Timestamp(d + " 11:30", tz=CET) for d in days]
    closure = [("08-09", "08-22", ["offices"]), ("09-01", "09-03")]
    k = _kinds(times, summer_closure=closure)
    assert k.closed.tolist() == [False, True, True, True, False, True]           # the building's services
    assert k.summer_closure.tolist() == [False, True, True, True, False, True]
    assert k.for_zone("offices").closed.tolist() == [False, False, True, False, False, True]
    assert k.for_zone("fablab") is k                                              # not exempted: the building's days
    hours = calendar.parse_opening(["08:00-19:00"] * 5 + ["", ""])
    assert calendar.opening_mask(k.for_zone("offices"), hours).tolist() == [True, True, False, True, True, False]
    assert not calendar.opening_mask(k.for_zone("fablab"), hours)[1:4].any()


def test_a_closure_without_exemptions_is_the_former_closure():
    times = pd.date_range("2027-07-01", "2027-09-30", freq="h", tz=CET)
    former = _kinds(times)
    listed = _kinds(times, summer_closure=[("08-09", "08-22", [])])
    np.testing.assert_array_equal(listed.closed, former.closed)
    assert listed.for_zone("offices") is listed and listed.zones_kept_open == {}
    np.testing.assert_array_equal(former.summer_closure, former.closed & (times.month == 8))


def test_profiles_use_the_summer_closure_factor_on_the_days_a_zone_stays_open():
    times = [pd.Timestamp(d + " 10:30", tz=CET) for d in ("2027-08-06", "2027-08-11")]  # Fri before, Wed in
    k = _kinds(times, summer_closure=[("08-09", "08-22", ["offices"])],
               school_holidays=[(dt.date(2027, 7, 3), dt.date(2027, 8, 31))]).for_zone("offices")
    hours = calendar.parse_opening(["08:00-19:00"] * 5 + ["", ""])
    args = (k, [1.0] * 24, [1.0] * 7, 0.9, calendar.opening_mask(k, hours))
    np.testing.assert_array_equal(calendar.profile_fraction(*args), [0.9, 0.9])   # no factor: school holidays
    np.testing.assert_array_equal(calendar.profile_fraction(*args, summer_closure_factor=0.5), [0.9, 0.5])
