"""Occupancy: exact timelines, calendar rules, capacities, statistics over a year, named streams.

Statistical checks (one simulated year, fixed seeds, so each test is deterministic; the
thresholds say how unlikely a failure would be for a correct model):

* counts (visits, events, fixture uses): a z-test, |z| < 4 (two-sided alpha ~ 6e-5), with the
  variance of the process (binomial for attendance, Poisson for walk-ins);
* distributions (arrival hours, stays): Kolmogorov-Smirnov against the truncated normal of the
  parameters, rejected below p = 0.001.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd
import pytest
import simpy
from pydantic import ValidationError
from scipy import stats

from twin import calendar
from twin.errors import ScenarioError
from twin.scenario import load_model_file
from twin.systems.occupancy import (
    _P_ARRIVE,
    _P_IN,
    _P_LEAVE,
    _P_OUT,
    ARRIVE,
    LEAVE,
    REFUSED,
    WHAT,
    OccupancySpec,
    TruncNormal,
    _execute,
    _Track,
    plot_occupancy,
    simulate_occupancy,
)

from .conftest import MODEL

LST = dt.timezone(dt.timedelta(hours=1))
DT = 900.0
PARIS = "Europe/Paris"


def step_ends(start: str, end: str, dt_s: float = DT) -> pd.DatetimeIndex:
    """Step ends from ``start`` 00:00 to ``end`` 00:00, local standard time."""
    first = pd.Timestamp(start, tz=LST)
    return pd.date_range(first + pd.Timedelta(seconds=dt_s), pd.Timestamp(end, tz=LST), freq=f"{int(dt_s)}s")


def spec_of(**populations) -> OccupancySpec:
    return OccupancySpec.model_validate({"populations": populations})


def regulars(zone="coworking", persons=1, attendance=(1, 1, 1, 1, 1, 0, 0), arrival=(9.1, 0, 8, 12),
             stay=(2.0, 0, 0.5, 12), **extra):
    tn = lambda m, s, lo, hi: {"mean": m, "sd": s, "low": lo, "high": hi}  # noqa: E731
    return {"kind": "regulars", "zone": zone, "persons": persons, "attendance_by_weekday": list(attendance),
            "arrival_h": tn(*arrival), "stay_h": tn(*stay), **extra}


def civil_hours(time_s: np.ndarray, times: pd.DatetimeIndex) -> tuple[np.ndarray, pd.DatetimeIndex]:
    stamps = (times[0] - pd.Timedelta(seconds=DT) + pd.to_timedelta(time_s, unit="s")).tz_convert(PARIS)
    return (stamps.hour + stamps.minute / 60 + stamps.second / 3600 + stamps.microsecond / 3.6e9).to_numpy(), stamps


def timeline(r) -> list[tuple[str, float]]:
    return [(WHAT[w], float(t)) for t, w in zip(r.event_log["time_s"], r.event_log["what"], strict=True)]


@pytest.fixture(scope="module")
def model():
    return load_model_file(MODEL)


@pytest.fixture(scope="module")
def default_spec(model):
    return model.occupancy


@pytest.fixture(scope="module")
def year():
    return step_ends("2027-01-01", "2028-01-01")


@pytest.fixture(scope="module")
def default_year(default_spec, model, year):
    return simulate_occupancy(default_spec, model, year, DT, seed=1)


# ------------------------------------------------------------------------------ timelines


def test_one_person_winter_timeline_and_step_integral(model):
    # Monday 11 January 2027 (CET = local standard time): arrive 09:06, stay 2 h.
    times = step_ends("2027-01-11", "2027-01-12")
    r = simulate_occupancy(spec_of(solo=regulars()), model, times, DT, seed=0)
    assert timeline(r) == [("arrive", 9.1 * 3600), ("leave", 11.1 * 3600)]
    j = r.zone_names.index("coworking")
    expected = np.zeros(len(times))
    # 32760 s falls in step 36 ((32400, 33300]): present for 540 of its 900 s.
    expected[36] = (33300 - 32760) / 900
    expected[37:44] = 1.0                      # 33300 .. 39600 s
    expected[44] = (39960 - 39600) / 900       # leaves at 39960 s
    np.testing.assert_allclose(r.occupants[:, j], expected, rtol=0, atol=1e-12)  # exact up to round-off
    assert np.delete(r.occupants, j, axis=1).sum() == 0
    assert r.arrivals[36, j] == 1 and r.arrivals.sum() == 1
    assert r.kpis["visits"] == {"solo": 1}
    assert r.kpis["person_hours"]["solo"] == pytest.approx(2.0, abs=1e-12)
    assert r.kpis["peak_occupants"]["coworking"] == 1


def test_summer_time_shifts_the_clock_by_one_hour(model):
    # Monday 5 July 2027 (CEST): 09:06 civil is 08:06 local standard time.
    times = step_ends("2027-07-05", "2027-07-06")
    r = simulate_occupancy(spec_of(solo=regulars()), model, times, DT, seed=0)
    assert timeline(r) == [("arrive", 8.1 * 3600), ("leave", 10.1 * 3600)]


def test_lunch_out_keeps_the_seat_and_closing_cuts_the_stay(model):
    times = step_ends("2027-01-11", "2027-01-12")
    spec = spec_of(
        worker=regulars(arrival=(9.0, 0, 8, 12), stay=(8.0, 0, 1, 12), lunch_out_share=1.0,
                        lunch_start_h={"mean": 12.25, "sd": 0, "low": 11, "high": 14},
                        lunch_h={"mean": 0.75, "sd": 0, "low": 0.1, "high": 2}),
        late=regulars(arrival=(17.5, 0, 8, 18), stay=(5.0, 0, 1, 12)),
    )
    r = simulate_occupancy(spec, model, times, DT, seed=0)
    h = 3600.0
    assert timeline(r) == [
        ("arrive", 9 * h), ("leave", 12.25 * h), ("arrive", 13 * h), ("leave", 17 * h),
        ("arrive", 17.5 * h), ("leave", 19 * h),
    ]
    assert r.kpis["visits"] == {"worker": 1, "late": 1}
    assert r.kpis["person_hours"]["worker"] == pytest.approx(8.0 - 0.75)
    assert r.kpis["person_hours"]["late"] == pytest.approx(1.5)   # 17:30 to closing at 19:00


def test_full_zone_refuses_arrivals(model):
    small = load_model_file(MODEL, {"zones.immersive_room.occupancy.capacity_persons": 2})
    times = step_ends("2027-01-11", "2027-01-12")
    r = simulate_occupancy(spec_of(crowd=regulars(zone="immersive_room", persons=3)), small, times, DT, seed=0)
    h = 3600.0
    assert timeline(r) == [("arrive", 9.1 * h), ("arrive", 9.1 * h), ("refused", 9.1 * h),
                           ("leave", 11.1 * h), ("leave", 11.1 * h)]
    assert r.kpis["refused"]["immersive_room"] == 1
    assert r.kpis["refused_by_population"] == {"crowd": 1}
    assert r.occupants.max() == pytest.approx(2.0)


def test_no_population_no_people(model):
    times = step_ends("2027-01-11", "2027-01-12")
    r = simulate_occupancy(spec_of(), model, times, DT, seed=0)
    assert r.event_log.size == 0 and r.occupants.shape == (len(times), len(model.zones))
    assert r.occupants.sum() == 0 and r.kpis["visits_total"] == 0 and r.toilet_uses["washbasin"].dtype == float


def test_nobody_on_closed_days(model):
    # Saturday 2 Jan, Monday 29 March (Easter Monday), Wednesday 11 August (summer closure).
    spec = spec_of(solo=regulars(attendance=(1,) * 7))
    for day in ("2027-01-02", "2027-03-29", "2027-08-11"):
        end = (pd.Timestamp(day) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
        r = simulate_occupancy(spec, model, step_ends(day, end), DT, seed=0)
        assert r.event_log.size == 0, day


# --------------------------------------------------------------------- year-long checks


def test_nobody_outside_opening_hours(default_year, model, year):
    log = default_year.event_log
    log = log[log["what"] != REFUSED]
    hours, stamps = civil_hours(log["time_s"], year)
    from twin import calendar

    cal = model.calendar
    noon = stamps.normalize() + pd.Timedelta(hours=12)
    kinds = calendar.day_kinds(noon, PARIS, closed_on_public_holidays=True,
                               summer_closure=[(p.start, p.end, p.except_zones) for p in cal.summer_closure],
                               school_holidays=cal.school_holidays, school_holiday_zone=cal.school_holiday_zone)
    # Each population within its hours: its zone's opening, or its badge access (tenants), on its zone's open days.
    for k, name in enumerate(default_year.population_names):
        pop = model.occupancy.populations[name]
        opening = getattr(pop, "access", None) or model.zones[[z.name for z in model.zones].index(pop.zone)].occupancy.opening
        sel = log["population"] == k
        assert not kinds.for_zone(pop.zone).closed[sel].any(), name
        op = calendar.parse_opening(cal.opening[opening])[kinds.weekday[sel]]
        h = hours[sel]
        assert sel.any() and (op[:, 1] > op[:, 0]).all(), name
        assert (h >= op[:, 0] - 1e-6).all() and (h <= op[:, 1] + 1e-6).all(), name


def test_tenants_come_a_little_out_of_hours_by_badge(default_year, model, year):
    # calendar.opening.tenants (07:00-22:00 weekdays, 09:00-18:00 Saturdays) bounds the tenants;
    # their zones keep the 08:00-19:00 "standard" BMS schedule. Expected from the parameters: a
    # Saturday attendance of 0.03, and P(arrival + stay > 20:00) = P(z > (20 - 16.75) / sqrt(0.5² + 1.5²))
    # = 2.0 % of weekday visits (truncation aside).
    from scipy.stats import norm

    pops = default_year.population_names
    log = default_year.event_log
    spec = model.occupancy.populations
    assert {z.occupancy.opening for z in model.zones if z.name in ("private_offices", "open_plan_floors")} == \
        {"standard"}
    for name in ("office_tenants", "open_plan_tenants"):
        assert spec[name].access == "tenants"
        mine = log[(log["population"] == pops.index(name)) & (log["what"] != REFUSED)]
        hours, stamps = civil_hours(mine["time_s"], year)
        weekday = np.asarray(stamps.day_of_week)
        arrive = mine["what"] == 0
        assert not (weekday == 6).any()                                   # closed on Sundays
        sat = arrive & (weekday == 5)                                       # a visit = one (day, person)
        saturday_visits = len(set(zip(stamps.normalize()[sat], mine["person"][sat].tolist(), strict=True)))
        kinds, _, _ = _open_days(model, year, spec[name].zone)         # badge Saturdays, on the zone's open days
        saturdays = (kinds.weekday == 5) & ~kinds.for_zone(spec[name].zone).closed
        expected = spec[name].persons * 0.03 * _day_factor(kinds, spec[name])[saturdays].sum()
        assert abs(saturday_visits - expected) < 4 * np.sqrt(expected), (name, saturday_visits, expected)
        late = np.count_nonzero(~arrive & (weekday < 5) & (hours > 20.0))
        week_visits = default_year.kpis["visits"][name] - saturday_visits   # arrivals include lunch returns
        p = norm.sf((20.0 - 16.75) / np.hypot(0.5, 1.5))
        assert abs(late - p * week_visits) < 4 * np.sqrt(p * week_visits) + 0.1 * p * week_visits, (name, late)
        assert np.count_nonzero(arrive & (hours < 8.0)) > 0              # some come before the BMS opens


def test_tenants_come_through_the_summer_closure_at_the_leave_peak_attendance(default_year, default_spec, model, year):
    # calendar.summer_closure (9-22 August) closes the tiers-lieu but exempts the rented floors. About one
    # employee in two is on leave then (INSEE 2012, the model's summer_closure_factor = 0.5): the tenants'
    # visits of those days are binomial with p = attendance_by_weekday x 0.5 per person-day, tested with
    # |z| < 4 as the other counts; the school-holiday level (x 0.85) is rejected. Other zones: nobody.
    log = default_year.event_log
    log = log[log["what"] != REFUSED]
    _, stamps = civil_hours(log["time_s"], year)
    in_closure = np.asarray((stamps.month == 8) & (stamps.day >= 9) & (stamps.day <= 22))
    steps = (year - pd.Timedelta(seconds=DT / 2)).tz_convert(PARIS)
    closure_steps = np.asarray((steps.month == 8) & (steps.day >= 9) & (steps.day <= 22))
    tenants_zones = ("private_offices", "open_plan_floors")
    for j, zone in enumerate(default_year.zone_names):
        here = in_closure & (log["zone"] == j)
        assert here.any() == (zone in tenants_zones), zone
        assert (default_year.occupants[closure_steps, j].sum() > 0) == (zone in tenants_zones), zone
    for name in ("office_tenants", "open_plan_tenants"):
        pop = default_spec.populations[name]
        assert pop.summer_closure_factor == 0.5
        k = default_year.population_names.index(name)
        arrive = in_closure & (log["population"] == k) & (log["what"] == ARRIVE)
        visits = len(set(zip(stamps.normalize()[arrive], log["person"][arrive].tolist(), strict=True)))
        kinds, _, _ = _open_days(model, year, pop.zone)
        badge = calendar.parse_opening(model.calendar.opening[pop.access])[kinds.weekday]
        days = (badge[:, 1] > badge[:, 0]) & ~kinds.for_zone(pop.zone).closed & kinds.summer_closure
        assert days.sum() == 12            # 9-22 August 2027: ten weekdays and two Saturdays (their badge hours)
        for factor, rejected in ((0.5, False), (pop.school_holiday_factor, True)):
            p = np.minimum(np.array(pop.attendance_by_weekday)[kinds.weekday[days]] * factor, 1.0)
            z = (visits - pop.persons * p.sum()) / np.sqrt((pop.persons * p * (1 - p)).sum())
            assert bool(abs(z) >= 4) == rejected, (name, factor, visits, z)


def test_an_unknown_access_opening_is_refused_naming_it(model):
    spec = spec_of(solo=regulars(access="nights"))
    with pytest.raises(ScenarioError, match=r"occupancy.populations.solo.access = 'nights'.*expected one of"):
        simulate_occupancy(spec, model, step_ends("2027-01-11", "2027-01-12"), DT, seed=0)


def test_capacity_never_exceeded_at_any_instant(default_spec, model, year):
    # Tighten two zones so that refusals happen; count presence event by event, in simpy order.
    tight = load_model_file(MODEL, {"zones.coworking.occupancy.capacity_persons": 30,
                                    "zones.fablab.occupancy.capacity_persons": 8})
    for m in (model, tight):
        r = simulate_occupancy(default_spec, m, year, DT, seed=1)
        log = r.event_log
        step = np.where(log["what"] == ARRIVE, 1, np.where(log["what"] == LEAVE, -1, 0))
        for j, zone in enumerate(m.zones):
            sel = log["zone"] == j
            running = np.cumsum(step[sel])
            assert running.min() >= 0
            assert running.max() <= zone.occupancy.capacity_persons, zone.name
            assert running.max() == r.kpis["peak_occupants"][zone.name]
        assert (r.occupants <= np.array([z.occupancy.capacity_persons for z in m.zones]) + 1e-9).all()
    assert r.kpis["refused"]["coworking"] > 0 and r.kpis["refused"]["fablab"] > 0


def test_step_means_integrate_the_person_hours(default_year):
    r = default_year
    assert r.occupants.sum() * DT / 3600 == pytest.approx(r.kpis["person_hours_total"], rel=1e-9)
    assert r.arrivals.sum() == (r.event_log["what"] == ARRIVE).sum()


def _open_days(model, year, zone):
    from twin import calendar

    cal = model.calendar
    days = pd.date_range("2027-01-01", "2027-12-31", freq="D").tz_localize(PARIS) + pd.Timedelta(hours=12)
    kinds = calendar.day_kinds(days, PARIS, closed_on_public_holidays=True,
                               summer_closure=[(p.start, p.end, p.except_zones) for p in cal.summer_closure],
                               school_holidays=cal.school_holidays, school_holiday_zone=cal.school_holiday_zone)
    z = next(z for z in model.zones if z.name == zone)
    op = calendar.parse_opening(cal.opening[z.occupancy.opening])[kinds.weekday]
    is_open = (op[:, 1] > op[:, 0]) & ~kinds.for_zone(zone).closed
    return kinds, op, is_open


def _day_factor(kinds, pop) -> np.ndarray:
    """The population's multiplier of each day: school holidays, then the summer closure's factor."""
    factor = np.where(kinds.school_holiday, pop.school_holiday_factor, 1.0)
    if pop.summer_closure_factor is not None:
        factor = np.where(kinds.summer_closure, pop.summer_closure_factor, factor)
    return factor


def test_regulars_daily_visits_match_attendance(default_year, default_spec, model, year):
    for name in ("coworkers", "office_tenants", "open_plan_tenants"):
        pop = default_spec.populations[name]
        kinds, _, is_open = _open_days(model, year, pop.zone)
        p = np.array(pop.attendance_by_weekday)[kinds.weekday] * _day_factor(kinds, pop)
        p = np.where(is_open, np.minimum(p, 1), 0.0)
        mean = pop.persons * p.sum()
        sd = np.sqrt((pop.persons * p * (1 - p)).sum())
        z = (default_year.kpis["visits"][name] - mean) / sd   # binomial per day, summed
        assert abs(z) < 4, (name, z)


def test_walk_ins_daily_visits_are_poisson(default_year, default_spec, model, year):
    for name in ("fablab_public", "desk_visitors"):
        pop = default_spec.populations[name]
        kinds, op, is_open = _open_days(model, year, pop.zone)
        hour = np.arange(24.0)
        overlap = np.clip(np.minimum(hour + 1, op[:, 1:2]) - np.maximum(hour, op[:, 0:1]), 0, 1)
        factor = np.array(pop.weekday_factor)[kinds.weekday] * np.where(kinds.school_holiday,
                                                                        pop.school_holiday_factor, 1.0)
        mean = (overlap * np.array(pop.arrivals_per_hour)).sum(axis=1) @ (factor * is_open)
        z = (default_year.kpis["visits"][name] - mean) / np.sqrt(mean)
        assert abs(z) < 4, (name, z)


def test_arrival_and_stay_distributions(model, year):
    # Bounds inside the opening hours (8-19) and arrival + stay <= 19 h: no clipping, no cut,
    # so the first arrival and the stay follow the parameters exactly.
    spec = spec_of(staff=regulars(persons=40, attendance=(0.5,) * 5 + (0, 0), arrival=(9.0, 0.8, 8.0, 11.0),
                                  stay=(6.0, 1.5, 2.0, 8.0)))
    r = simulate_occupancy(spec, model, year, DT, seed=7)
    log = r.event_log
    arr, lea = log[log["what"] == ARRIVE], log[log["what"] == LEAVE]
    arr, lea = np.sort(arr, order="person"), np.sort(lea, order="person")
    assert np.array_equal(arr["person"], lea["person"])  # no lunch: one arrival and one leave per visit
    assert np.unique(arr["person"]).size == arr.size
    stays_h = (lea["time_s"] - arr["time_s"]) / 3600
    hours, _ = civil_hours(arr["time_s"], year)
    a, s = spec.populations["staff"].arrival_h, spec.populations["staff"].stay_h
    assert stats.kstest(hours, a.cdf).pvalue > 1e-3
    assert stats.kstest(stays_h, s.cdf).pvalue > 1e-3
    for sample, dist in ((hours, a), (stays_h, s)):  # z-test on the mean as well
        z = (sample.mean() - dist.expected()) / (sample.std(ddof=1) / np.sqrt(sample.size))
        assert abs(z) < 4


def test_events_per_month_and_attendance(default_year, default_spec, model, year):
    pop = default_spec.populations["events"]
    kinds, _, is_open = _open_days(model, year, pop.zone)
    eligible = int((is_open & np.array(pop.weekdays)[kinds.weekday]).sum())
    n_events = default_year.kpis["sessions"]["events"]
    p = pop.events_per_month * 12 * 365 / 365.25 / eligible   # period of 365 days = 11.99 months
    z = (n_events - eligible * p) / np.sqrt(eligible * p * (1 - p))
    assert abs(z) < 4, z
    # Attendance: visits per event against the truncated normal (rounding is symmetric).
    per_event = default_year.kpis["visits"]["events"] / n_events
    z = (per_event - pop.attendance.expected()) / (pop.attendance.sd / np.sqrt(n_events))
    assert abs(z) < 4, z


def test_bookings_use_the_target_share_of_room_days(default_year, default_spec, model, year):
    for name in ("trainees", "immersive_groups"):
        pop = default_spec.populations[name]
        kinds, _, is_open = _open_days(model, year, pop.zone)
        f = np.array(pop.used_fraction_by_weekday)[kinds.weekday] * np.where(
            kinds.school_holiday, pop.school_holiday_factor, 1.0)
        target = f[is_open].mean()
        used = default_year.kpis["sessions"][name] / (pop.rooms * is_open.sum())
        # The renewal formula holds in the long run; blocks cut by closures and the weekday mix
        # shift it a little: 0.06 absolute is ~3 binomial standard errors over ~250-500 room-days.
        assert used == pytest.approx(target, abs=0.06), name


def test_sanitary_uses_follow_the_rates(default_year, default_spec):
    r = default_year
    san = default_spec.sanitary
    ph = r.kpis["person_hours_total"]
    # Sex is drawn per visit with p = 0.5; the expected counts use half the person-hours.
    expected = {"wc_female": san.wc_female_per_h * ph * san.female_share,
                "wc_male": san.wc_male_per_h * ph * (1 - san.female_share),
                "urinal": san.urinal_per_h * ph * (1 - san.female_share),
                "washbasin": san.washbasin_per_h * ph, "kitchenette": san.kitchenette_per_h * ph}
    for fixture, mean in expected.items():
        # 3 % relative: Poisson noise is < 1 %, the per-visit sex draw adds ~0.5 %.
        assert r.kpis["toilet_uses"][fixture] == pytest.approx(mean, rel=0.03), fixture
    # Every use happens while someone is present in that zone: its step has people.
    log = r.sanitary_log
    k = np.ceil(log["time_s"] / DT).astype(int) - 1
    assert (r.occupants[k, log["zone"].astype(int)] > 0).all()
    assert sum(v.sum() for v in r.toilet_uses.values()) == r.sanitary_log.size


def test_ev_sessions(default_year, default_spec):
    ev = default_year.ev_sessions
    assert (ev["departure_s"] > ev["arrival_s"]).all()
    e = default_spec.populations["coworkers"].ev.energy_kwh
    assert ((ev["energy_kwh"] >= e.low) & (ev["energy_kwh"] <= e.high)).all()
    z = (ev["energy_kwh"].mean() - e.expected()) / (ev["energy_kwh"].std() / np.sqrt(ev.size))
    assert abs(z) < 4
    for name in ("office_tenants", "open_plan_tenants", "coworkers"):
        k = default_year.population_names.index(name)
        n, share = default_year.kpis["visits"][name], default_spec.populations[name].ev.share_of_visits
        z = ((ev["population"] == k).sum() - n * share) / np.sqrt(n * share * (1 - share))
        assert abs(z) < 4, name


# ------------------------------------------------------------------ determinism, streams


def test_same_seed_same_log_other_seed_same_statistics(default_year, default_spec, model, year):
    again = simulate_occupancy(default_spec, model, year, DT, seed=1)
    assert np.array_equal(again.event_log, default_year.event_log)
    assert np.array_equal(again.sanitary_log, default_year.sanitary_log)
    other = simulate_occupancy(default_spec, model, year, DT, seed=2)
    assert not np.array_equal(other.event_log["time_s"][:1000], default_year.event_log["time_s"][:1000])
    # Same statistics: ~57,000 visits a year, sd ~ 250; 2 % is > 4 sd.
    assert other.kpis["visits_total"] == pytest.approx(default_year.kpis["visits_total"], rel=0.02)
    assert other.kpis["person_hours_total"] == pytest.approx(default_year.kpis["person_hours_total"], rel=0.02)


def test_changing_one_population_leaves_the_others_identical(default_year, default_spec, model, year):
    data = default_spec.model_dump()
    data["populations"]["desk_visitors"]["weekday_factor"] = [2.0, 2.0, 2.0, 2.0, 2.0, 0.0, 0.0]
    data["populations"]["coworkers"]["ev"]["share_of_visits"] = 0.5
    changed = simulate_occupancy(OccupancySpec.model_validate(data), model, year, DT, seed=1)

    def of(r, name):
        k = r.population_names.index(name)
        return r.event_log[r.event_log["population"] == k]

    for name in ("coworkers", "office_tenants", "open_plan_tenants", "trainees", "fablab_public"):
        assert np.array_equal(of(changed, name), of(default_year, name)), name
    assert len(of(changed, "desk_visitors")) > len(of(default_year, "desk_visitors"))
    k = default_year.population_names.index("office_tenants")
    same = lambda r: r.ev_sessions[r.ev_sessions["population"] == k]  # noqa: E731
    assert np.array_equal(same(changed), same(default_year))


def _digest(r) -> str:
    """First 16 hex digits of a SHA-256 over the bytes of the log, the step arrays and the side events."""
    h = hashlib.sha256()
    for a in (r.event_log, r.occupants, r.arrivals, r.ev_sessions, r.sanitary_log):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]


def test_realisation_is_pinned_bit_for_bit(default_year, default_spec, model, year):
    # A change of how the discrete events are executed must not change one bit of the realisation
    # (same streams, same draws, same event order). A deliberate change of the model updates these
    # numbers (last: the official zone A school holidays replaced the hand-typed [E] dates); so may a
    # numpy or scipy release that changes PCG64 doubles or ndtri by one ulp.
    # (last: the rented floors stay open through the summer closure, issue 15 review; the realisations
    # before it, without exemption and without badge hours, are pinned below as well).
    r = default_year
    assert (r.kpis["log_events"], r.kpis["visits_total"], r.kpis["peak_occupants_building"]) == (149164, 57751, 320)
    assert (sum(r.kpis["toilet_uses"].values()), r.kpis["ev_sessions"]) == (310467, 1667)
    assert _digest(r) == "f99be896b53f4a80"
    # A closure that exempts no zone is the former closure: not one bit moves.
    closing_all = load_model_file(MODEL, {"calendar.summer_closure": [{"start": "08-09", "end": "08-22"}]})
    everyone_closed = simulate_occupancy(default_spec, closing_all, year, DT, seed=1)
    assert (everyone_closed.kpis["log_events"], everyone_closed.kpis["visits_total"]) == (148112, 57325)
    assert _digest(everyone_closed) == "3528cbf024896c87"
    # Without badge hours (access = None, the former tenants' parameters) not one bit moves.
    data = default_spec.model_dump()
    for name in ("office_tenants", "open_plan_tenants"):
        d = data["populations"][name]
        d["access"], d["attendance_by_weekday"][5] = None, 0.0
        d["arrival_h"]["low"] = 8.0
        d["stay_h"].update(sd=1.0, high=10.0)
    former = simulate_occupancy(OccupancySpec.model_validate(data), closing_all, year, DT, seed=1)
    assert (former.kpis["log_events"], former.kpis["visits_total"]) == (147938, 57062)
    assert _digest(former) == "70931350f7e64809"
    spring = simulate_occupancy(default_spec, model, step_ends("2027-03-01", "2027-05-15", 3600.0), 3600.0, seed=5)
    assert (spring.kpis["log_events"], spring.kpis["visits_total"]) == (31988, 12349)
    assert _digest(spring) == "23968e3a1e8e88e4"
    # Refusals, and two populations competing for one zone: the order of simultaneous events counts.
    tight = load_model_file(MODEL, {"zones.coworking.occupancy.capacity_persons": 30,
                                    "zones.fablab.occupancy.capacity_persons": 8,
                                    "zones.immersive_room.occupancy.capacity_persons": 6})
    data = default_spec.model_dump()
    data["populations"]["walkers2"] = data["populations"]["fablab_public"]
    crowded = simulate_occupancy(OccupancySpec.model_validate(data), tight, step_ends("2027-09-01", "2027-10-01"),
                                 DT, seed=1)
    assert crowded.kpis["refused"] == {"fablab": 536, "immersive_room": 82, "training_rooms": 0, "reception_event": 0,
                                       "coworking": 398, "private_offices": 0, "open_plan_floors": 0}
    assert _digest(crowded) == "e14ae20357a26c2d"


def _simpy_log(plans, zone_of_pop, capacity, horizon_s):
    """The reference: one simpy process per population playing its days' plans, as the model defines."""
    env = simpy.Environment()
    held = [0] * len(capacity)
    log = []

    def play(k, days):
        z, admitted = zone_of_pop[k], set()
        for t_day, codes, persons in days:
            now = env.now
            for t, c, p in zip(t_day.tolist(), codes.tolist(), persons.tolist(), strict=True):
                if t >= horizon_s:
                    break
                if t > now:
                    yield env.timeout(t - now)
                    now = t
                if c == _P_ARRIVE:
                    if held[z] == capacity[z]:
                        log.append((k, p, c, True))
                        continue
                    held[z] += 1
                    admitted.add(p)
                elif p not in admitted:
                    continue
                elif c == _P_LEAVE:
                    held[z] -= 1
                log.append((k, p, c, False))

    for k, days in enumerate(plans):
        env.process(play(k, days))
    env.run(until=horizon_s)
    return log


_ROUNDED = [(2.534581489847488, 18.707633946783414), (8.50526660963271, 60.49906739260978),
            (9.697965044964699, 29.343957959793006)]


def _random_plans(rng, n_pops, n_days):
    """Day plans sorted by (time, code, person): times on a coarse grid (ties between populations),
    a first day of tiny times (simpy's ``now + (t - now)`` rounds away from t) and a day that
    starts before the previous one ends (as a late day before a spring-forward change could)."""
    plans = []
    for _ in range(n_pops):
        days, pid = [], 0
        for d in range(n_days):
            n = int(rng.integers(1 if d in (1, 2) else 0, 7))
            if d == 0:   # a + (b - a) != b for these pairs
                n = 1
                arr, leave = np.array(_ROUNDED[int(rng.integers(0, 3))])[:, None]
            else:
                base = d * 86400.0 - (26 * 3600.0 if d == 2 else 0.0)
                arr = base + 900.0 * rng.integers(32, 44, n) + rng.choice([0.0, 0.1, 1 / 3], n)
                leave = arr + 900.0 * rng.integers(1, 16, n)
            lunch = (rng.random(n) < 0.5) & (leave - arr > 2000.0)
            out, back = arr + 600.0, arr + 600.0 + rng.choice([300.0, 900.0], n)
            ids = np.arange(pid, pid + n)
            pid += n
            t = np.concatenate([leave, out[lunch], back[lunch], arr])
            c = np.repeat([_P_LEAVE, _P_OUT, _P_IN, _P_ARRIVE], [n, lunch.sum(), lunch.sum(), n])
            p = np.concatenate([ids, ids[lunch], ids[lunch], ids])
            order = np.lexsort((p, c, t))
            days.append((t[order], c[order], p[order]))
        plans.append(days)
    return plans


@pytest.mark.parametrize("seed", range(12))
def test_vectorised_execution_is_simpys_event_for_event(seed):
    # Populations share zones of few seats, so refusals depend on the order of simultaneous events.
    rng = np.random.default_rng(seed)
    n_pops, n_days = 5, 6
    plans = _random_plans(rng, n_pops, n_days)
    zone_of_pop, capacity = [0, 0, 1, 0, 1], [3, 4]
    horizon_s = 5 * 86400.0 + 9.5 * 3600.0   # cuts the last day
    tracks = []
    for days in plans:
        cat = [np.concatenate(x) for x in zip(*days, strict=True)]
        day = np.repeat(np.arange(n_days), [d[0].size for d in days])
        tracks.append(_Track.of(*cat, day, int(max((d[2].max() + 1 for d in days if d[2].size), default=0)),
                                horizon_s))
    _, code, person, pop, _, _, _, status = _execute(tracks, np.array(zone_of_pop), capacity)
    ours = [(int(k), int(p), int(c), bool(s == 1)) for k, p, c, s in zip(pop, person, code, status, strict=True)
            if s < 2]
    assert ours == _simpy_log(plans, zone_of_pop, capacity, horizon_s)
    assert any(s == 1 for s in status)
    assert any(not np.isin(tr.wake_s[1:], tr.time_s).all() for tr in tracks)   # rounded wake-ups
    assert any((np.diff(tr.time_s) < 0).any() for tr in tracks)                 # overlapping days


# --------------------------------------------------------------------- schema and errors


def test_default_fragment_validates_and_names_model_zones(default_spec, model):
    zones = {z.name for z in model.zones}
    assert {p.zone for p in default_spec.populations.values()} == zones
    assert {p.kind for p in default_spec.populations.values()} == {"regulars", "walk_ins", "bookings", "events"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"persons": 3, "colour": "red"}, "colour"),                          # unknown key
        ({"kind": "crowd"}, "kind"),                                           # unknown kind
        ({"attendance_by_weekday": [1, 1, 1]}, "attendance_by_weekday"),       # not seven days
        ({"attendance_by_weekday": [1.5, 1, 1, 1, 1, 0, 0]}, "less than or equal to 1"),
        ({"stay_h": {"mean": 1, "sd": 1, "low": 3, "high": 2}}, "below low"),
        ({"persons": -1}, "greater than or equal to 0"),
    ],
)
def test_invalid_populations_are_rejected(change, message):
    with pytest.raises(ValidationError, match=message):
        spec_of(bad={**regulars(), **change})


def test_unknown_zone_names_the_population(model):
    with pytest.raises(ScenarioError, match=r"occupancy.populations.bad.zone = 'attic'.*expected one of"):
        simulate_occupancy(spec_of(bad=regulars(zone="attic")), model, step_ends("2027-01-11", "2027-01-12"),
                           DT, seed=0)


def test_truncnormal_sampling_uses_one_uniform_per_draw():
    d = TruncNormal(mean=1.0, sd=2.0, low=0.0, high=2.0)
    r1, r2 = np.random.default_rng(3), np.random.default_rng(3)
    x = d.sample(r1, 1000)
    r2.random(1000)
    assert r1.random() == r2.random()
    assert ((x >= 0) & (x <= 2)).all()
    assert stats.kstest(x, d.cdf).pvalue > 1e-3


# --------------------------------------------------------------------------------- figure


def test_plot_occupancy_writes_a_png(default_spec, model, tmp_path):
    times = step_ends("2027-03-01", "2027-03-15")
    r = simulate_occupancy(default_spec, model, times, DT, seed=1)
    path = plot_occupancy(r, times, r.zone_names, tmp_path / "occupancy.png")
    assert path.stat().st_size > 10_000
