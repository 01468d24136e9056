"""The one orchestrator: exogenous series, systems, one simpy Environment, recording.

A run goes through four stages:

1. **Exogenous series**, computed once and vectorised before the run: weather at
   the step, the calendar (opening, pre-heating, occupancy fractions), internal
   gains, solar gains through windows, fresh-air demand, the heating curve.
2. **Systems** are built from the model: zones (ISO 13790 5R1C), the AHU, the
   district-heating substation.
3. **Simulation** in one :class:`simpy.Environment`: a fixed-step process advances
   the continuous state (AHU, substation, zones) every ``step_s``; event processes
   (heat-network outages, and those subsystems add with :meth:`Engine.add_process`)
   change the shared state between steps. A warm-up pass over the first days
   settles the thermal mass before recording.
4. **Recording and checks**: every step writes one row of preallocated arrays;
   at the end the energy balance must close, or the run fails.

The per-step code works on floats and small numpy arrays indexed by position:
no pandas, no look-up by name, so that it can be compiled later if needed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import simpy

from twin import calendar, kernel
from twin.errors import BalanceError, Cancelled, ScenarioError
from twin.kpis import UNMET_TOLERANCE_K
from twin.physics import air, ground, pv, solar, zone_network
from twin.physics import water as water_physics
from twin.rng import child_rng
from twin.scenario import ORIENTATION_AZIMUTH_DEG, Model, Scenario
from twin.systems import water_demand
from twin.systems.ahu import AirHandlingUnit, ventilation_flows
from twin.systems.design_load import design_fresh_air_m3_h, fresh_air_per_person_m3_h
from twin.systems.electrical import Battery, EvChargers, dispatch
from twin.systems.heat_network import Substation, emitter_capacity_factor, heating_curve_c
from twin.systems.occupancy import OccupancyRealisation, Sanitary, simulate_occupancy
from twin.systems.optimum_start import (
    HISTORY_DAYS,
    MIN_RECOVERY_K,
    REACHED_TOLERANCE_K,
    OptimumStart,
)
from twin.systems.rainwater import simulate_tank
from twin.systems.zones import (
    Zones,
    ground_slabs,
    sky_loss_w,
    wall_areas_by_orientation,
    window_areas_by_orientation,
)
from twin.weather import Weather, load_weather, resample_to_step, weather_for_period

__all__ = [
    "Engine", "Exogenous", "SharedState", "SiteInputs", "period_times", "site_inputs", "WaterExogenous", "build_exogenous", "check_energy_balance",
    "check_water_balance", "occupancy_for", "run",
]

log = logging.getLogger(__name__)



BALANCE_RTOL = 1e-9
"""Relative closure required of the energy balance: round-off only (the 5R1C scheme is exact)."""


@dataclass
class Exogenous:
    """Everything that does not depend on the simulated state, one row per step."""

    times: pd.DatetimeIndex           # step ends, local standard time
    dt_s: float
    temp_out_c: np.ndarray            # (n,)
    wind_m_s: np.ndarray              # (n,) wind speed of the weather (10 m)
    ghi_w_m2: np.ndarray              # (n,)
    occupants: np.ndarray             # (n, z) expected persons present
    open_mask: np.ndarray             # (n, z) inside opening hours
    setpoint_c: np.ndarray            # (n, z) fixed-start setpoints (optimum-start zones: without the lead)
    hours_to_open: np.ndarray         # (n, z) time left before opening, this step included; 0 while open
    temp_ground_c: np.ndarray         # (n, z) virtual ground temperature behind each zone's slab (ISO 52016-1)
    temp_ground_coldest_c: np.ndarray  # (z,) its coldest month (NaN: slab to outdoor air, or none)
    lighting_w: np.ndarray            # (n, z)
    equipment_w: np.ndarray           # (n, z)
    internal_w: np.ndarray            # (n, z) people, lighting and equipment
    solar_w: np.ndarray               # (n, z) through windows, blinds open
    solar_shaded_w: np.ndarray        # (n, z) through windows, blinds closed on sunny facades
    sol_wall_w: np.ndarray            # (n, z) solar absorbed by the outer faces of external walls
    sol_roof_w: np.ndarray            # (n, z) solar absorbed by the outer face of the roof
    sky_w: np.ndarray                 # (z, 3) long-wave loss to the sky of walls, roof, windows (constant)
    fresh_air_m3_s: np.ndarray        # (n, z) demand-controlled fresh air while open
    design_fresh_air_m3_s: np.ndarray  # (z,) design flow: full occupancy plus the floor-area share
    network_supply_c: np.ndarray      # (n,) heating curve
    servers_w: np.ndarray             # (n,)
    lifts_w: np.ndarray               # (n,)
    occupancy: OccupancyRealisation | None  # the discrete-event realisation, if that model is used
    pv_w: np.ndarray                  # (n,) AC power of all PV arrays
    ev_off_peak: np.ndarray           # (n,) the step lies in an off-peak window of EV charging
    water: WaterExogenous | None      # demands, harvest and tank (state-independent)

    @property
    def n_steps(self) -> int:
        return len(self.times)


@dataclass
class WaterExogenous:
    """The building's water over the run, every array per step [m3] (pump in W)."""

    demand: water_demand.WaterDemand
    supplied_by_tank: tuple[str, ...]   # uses the tank serves
    inflow_m3: np.ndarray               # harvested rain reaching the tank
    tank: dict[str, np.ndarray] | None  # simulate_tank output, None without a tank
    pump_w: np.ndarray
    daily_irrigation: pd.DataFrame | None

    @property
    def supplied_demand_m3(self) -> np.ndarray:
        return sum(self.demand[u] for u in self.supplied_by_tank) if self.supplied_by_tank else np.zeros_like(self.pump_w)

    @property
    def mains_m3(self) -> np.ndarray:
        """All drinking water bought: uses not served by the tank, tank shortfalls and top-ups."""
        other = self.demand.total_m3 - self.supplied_demand_m3
        if self.tank is None:
            return other
        return other + self.tank["from_mains_m3"] + self.tank["topup_mains_m3"]


@dataclass
class SharedState:
    """State the engine owns and event processes may change between steps."""

    heat_outages_active: int = 0
    outage_log: list[tuple[float, float]] = field(default_factory=list)  # (start_s, end_s)


def period_times(scenario: Scenario, tz: dt.tzinfo) -> tuple[pd.Timestamp, pd.Timestamp, pd.DatetimeIndex]:
    """Start, end and step ends of a scenario's period in the fixed-offset zone ``tz`` (the weather's)."""
    start = pd.Timestamp(scenario.period.start).tz_localize(tz)
    end = pd.Timestamp(scenario.period.end).tz_localize(tz)
    step = pd.Timedelta(seconds=scenario.period.step_s)
    times = pd.date_range(start + step, end, freq=step)
    return start, end, times


def _every_day(kinds: calendar.DayKinds) -> calendar.DayKinds:
    """The same steps with no closed day: tariff windows apply on holidays too."""
    return calendar.DayKinds(kinds.civil_times, np.zeros_like(kinds.closed), kinds.school_holiday)


LUMINOUS_EFFICACY_LM_W = 110.0
"""Mean luminous efficacy of global daylight [lm/W] [E]: 105-120 lm/W for mixed skies (Littlefair 1985;
Perez et al. 1990 model averages); converts GHI to outdoor horizontal illuminance."""


def lighting_fraction(ghi_w_m2, daylight_factor_percent, target_lux, min_fraction):
    """Share of installed lighting power used under continuous daylight dimming [-].

    Notes
    -----
    E_in = DF/100 x E_out, E_out = K x GHI (K = :data:`LUMINOUS_EFFICACY_LM_W`); the lights make
    up the rest of the target: f = clip(1 - E_in / E_target, f_min, 1). The daylight factor is
    defined under an overcast sky (CIE), so this is the usual first-order daylight-dependency
    model (the concept of EN 15193-1's daylight dependency factor, not its tabulated method).
    """
    e_in_lux = np.asarray(daylight_factor_percent) / 100.0 * LUMINOUS_EFFICACY_LM_W * np.asarray(ghi_w_m2)
    return np.clip(1.0 - e_in_lux / np.asarray(target_lux), np.asarray(min_fraction), 1.0)


def _facade_irradiance(solpos: pd.DataFrame, at_step: pd.DataFrame, model: str, albedo: float) -> dict[str, np.ndarray]:
    """Irradiance on the four facades, (n, 4) each: plane-of-array total, angle of incidence, direct part."""
    surfaces = [(90.0, az) for az in ORIENTATION_AZIMUTH_DEG.values()]
    kw = {"model": model, "albedo": albedo}
    return {component: solar.facade_irradiance_w_m2(solpos, at_step, surfaces, component=component, **kw)
            for component in ("poa_global", "aoi", "poa_direct")}


def _solar_gains_w(env, zones, solpos: pd.DataFrame, at_step: pd.DataFrame,
                   facade: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Solar inputs of every zone [W], shape (n, z) each.

    ``window``: transmitted through windows with blinds open, ``window_shaded``: with the blinds
    closed on sunny facades (ISO 13790 eqs. 43-45 with the chosen angular model); ``wall`` and
    ``roof``: absorbed by the outer faces of the opaque elements, α I A (the construction then
    decides how much reaches the inside).
    """
    if facade is None:
        facade = _facade_irradiance(solpos, at_step, env.facade_solar_model, env.ground_albedo)
    poa = facade["poa_global"]  # (n, 4)
    angular = {}
    if env.window_solar_model in ("angular", "tabulated"):
        angular = {
            "aoi_deg": facade["aoi"][:, None, :],
            "poa_direct_w_m2": facade["poa_direct"][:, None, :],
            "iam_b0": env.window_iam_b0,
        }
        if env.window_solar_model == "tabulated":
            t = env.window_angular
            angular["iam_table"] = (np.asarray(t.angles_deg), np.asarray(t.shgc_ratio), t.diffuse_ratio)
    windows = window_areas_by_orientation(zones)  # (z, 4)
    shading = np.array([z.window_shading_factor for z in zones])[None, :, None]
    poa_window = poa[:, None, :]
    if env.fixed_shading is not None:
        poa_direct = facade["poa_direct"]
        beam, diffuse = _fixed_shading_factors(env.fixed_shading, solpos)
        poa_window = (beam * poa_direct + diffuse * (poa - poa_direct))[:, None, :]
        if "poa_direct_w_m2" in angular:
            angular["poa_direct_w_m2"] = (beam * poa_direct)[:, None, :]

    def through_windows(factor):
        return solar.window_solar_gain_w(
            poa_window, windows[None, :, :], env.window_g_value, env.window_frame_fraction, factor, **angular
        ).sum(axis=2)

    open_w = through_windows(shading)
    shaded_w = open_w
    if env.blinds is not None:
        blinds = np.where(poa > env.blinds.close_above_w_m2, env.blinds.shading_factor, 1.0)
        shaded_w = through_windows(shading * blinds[:, None, :])
    walls = wall_areas_by_orientation(zones)  # (z, 4)
    roofs = np.array([z.roof_area_m2 for z in zones])
    ghi = at_step["ghi"].to_numpy(dtype=float)
    alpha = env.opaque_solar_absorptance
    alpha_roof = alpha if env.roof_solar_absorptance is None else env.roof_solar_absorptance
    return {
        "window": open_w,
        "window_shaded": shaded_w,
        "wall": alpha * poa @ walls.T,
        "roof": alpha_roof * ghi[:, None] * roofs[None, :],
    }


def _fixed_shading_factors(shading, solpos: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Beam sunlit fraction (n, 4) and diffuse sky-view ratio (4,) of each facade's fixed overhangs and fins."""
    n = len(solpos)
    beam = np.ones((n, len(ORIENTATION_AZIMUTH_DEG)))
    diffuse = np.ones(len(ORIENTATION_AZIMUTH_DEG))
    elevation = solpos["apparent_elevation"].to_numpy(dtype=float)
    azimuth = solpos["azimuth"].to_numpy(dtype=float)
    for k, (orientation, surface_az) in enumerate(ORIENTATION_AZIMUTH_DEG.items()):
        geo = getattr(shading, orientation)
        if geo is None:
            continue
        dims = geo.model_dump()
        beam[:, k] = solar.overhang_fin_sunlit_fraction(elevation, azimuth, surface_az, **dims)
        diffuse[k] = solar.overhang_fin_sky_view_ratio(**dims)
    return beam, diffuse


def _sky_losses_w(model: Model) -> np.ndarray:
    """Constant long-wave loss to the sky of each zone's walls, roof and windows [W], (z, 3)."""
    env, zones = model.envelope, model.zones
    walls = wall_areas_by_orientation(zones).sum(axis=1)
    roofs = np.array([z.roof_area_m2 for z in zones])
    windows = window_areas_by_orientation(zones).sum(axis=1)
    return np.stack([sky_loss_w(env, walls, 0.5), sky_loss_w(env, roofs, 1.0), sky_loss_w(env, windows, 0.5)], axis=1)


def _day_kinds(model: Model, step_mid_times: pd.DatetimeIndex) -> calendar.DayKinds:
    cal = model.calendar
    return calendar.day_kinds(
        step_mid_times,
        model.building.location.civil_timezone,
        closed_on_public_holidays=cal.closed_on_public_holidays,
        summer_closure=[(p.start, p.end, p.except_zones) for p in cal.summer_closure],
        school_holidays=cal.school_holidays,
        school_holiday_zone=cal.school_holiday_zone,
        country=cal.country,
    )


def _schedules(model: Model, kinds: calendar.DayKinds) -> tuple[np.ndarray, np.ndarray]:
    """Open mask and scheduled heating setpoint of every zone, shape (n, z) each.

    The setpoint includes the fixed pre-heat lead; optimum-start zones get none here (the
    controller adds it during the run).
    """
    zones, cal = model.zones, model.calendar
    n, nz = len(kinds.weekday), len(zones)
    open_mask = np.empty((n, nz), dtype=bool)
    setpoint = np.empty((n, nz))
    for j, z in enumerate(zones):
        hours = calendar.parse_opening(cal.opening[z.occupancy.opening])
        zone_kinds = kinds.for_zone(z.name)
        open_mask[:, j] = calendar.opening_mask(zone_kinds, hours)
        lead_h = z.heating.preheat_h if z.heating.start_control == "fixed" else 0.0
        heat_on = calendar.opening_mask(zone_kinds, hours, lead_h=lead_h)
        setpoint[:, j] = np.where(heat_on, z.heating.setpoint_open_c, z.heating.setpoint_closed_c)
    return open_mask, setpoint


def _json_key(*parts) -> str:
    """A memo key for model values (pydantic models or plain values), their JSON text."""
    return json.dumps([p.model_dump(mode="json") if hasattr(p, "model_dump") else p for p in parts],
                      sort_keys=True, default=str)


def _schedules_and_lead(model: Model, kinds: calendar.DayKinds, dt_s: float) -> tuple[np.ndarray, ...]:
    open_mask, setpoint = _schedules(model, kinds)
    return open_mask, setpoint, _hours_to_open(open_mask, dt_s)


def _monthly_setpoint_c(model: Model, year: int, tz: dt.tzinfo) -> np.ndarray:
    """Monthly means of each zone's scheduled setpoint over the calendar year ``year``, (12, z) [°C].

    Hourly over the whole year, so the ground's indoor temperature does not depend on the length
    of the run (a January run and an annual run see the same virtual ground).
    """
    hours = pd.date_range(pd.Timestamp(year=year, month=1, day=1, hour=1, tz=tz), periods=8760, freq="h")
    _, setpoint = _schedules(model, _day_kinds(model, hours - pd.Timedelta(minutes=30)))
    month = (hours - pd.Timedelta(minutes=30)).month.to_numpy()
    return np.array([setpoint[month == m].mean(axis=0) for m in range(1, 13)])


def _virtual_ground_temp_c(model: Model, weather: Weather, times: pd.DatetimeIndex, temp_out_c: np.ndarray,
                           year: int, tz: dt.tzinfo, monthly_setpoint: Callable[[], np.ndarray] | None = None) -> np.ndarray:
    """Boundary temperature behind each zone's slab on ground [°C], (n, z), and the coldest month's (z,)
    (NaN where the slab leads to outdoor air or there is none).

    With ``ground_model = "iso13370"``: the monthly virtual ground temperature θ_gr,ve of ISO
    52016-1 §6.5.8 (:func:`twin.physics.ground.virtual_ground_temp_c`), from the weather's twelve
    monthly mean outdoor temperatures and the monthly means of each zone's scheduled setpoint over
    the calendar year (:func:`_monthly_setpoint_c`). Assumption: the indoor side of ISO 13370's
    harmonics is the heating schedule, not the warmer free-running summer. Zones without slab (and
    the b-factor model, whose slab leads to outdoor air) get the outdoor temperature, unused.
    """
    out = np.repeat(temp_out_c[:, None], len(model.zones), axis=1)
    coldest = np.full(len(model.zones), np.nan)
    if model.envelope.ground_model != "iso13370":
        return out, coldest
    slabs = ground_slabs(model)
    if all(s is None for s in slabs):
        return out, coldest
    hourly = weather.data["temp_air"]
    temp_out_monthly = hourly.groupby(hourly.index.month).mean().reindex(range(1, 13)).to_numpy()
    if np.isnan(temp_out_monthly).any():
        raise ScenarioError(f"weather '{weather.source}': the ground model needs all twelve months of temperature")
    setpoint_monthly_c = monthly_setpoint() if monthly_setpoint is not None else _monthly_setpoint_c(model, year, tz)
    month = times.month.to_numpy()
    for j, slab in enumerate(slabs):
        if slab is None or slab.floor_w_k <= 0.0:
            continue
        theta_gr = ground.virtual_ground_temp_c(slab, setpoint_monthly_c[:, j], temp_out_monthly)
        out[:, j] = theta_gr[month - 1]
        coldest[j] = float(np.min(theta_gr))
    return out, coldest


def _hours_to_open(open_mask: np.ndarray, dt_s: float) -> np.ndarray:
    """Time left before each zone's next opening, this step included [h]; 0 while open, inf if never.

    On the last closed step before opening it is one step; the next open step is found by a
    reverse running minimum of the open steps' indices (vectorised over steps and zones).
    """
    n = open_mask.shape[0]
    index = np.where(open_mask, np.arange(n)[:, None], n + 10**9)
    next_open = np.minimum.accumulate(index[::-1], axis=0)[::-1]
    steps = np.where(next_open >= n, np.inf, next_open - np.arange(n)[:, None])
    return steps * dt_s / 3600.0


def occupancy_for(model: Model, scenario: Scenario, times: pd.DatetimeIndex) -> OccupancyRealisation | None:
    """The discrete-event occupancy realisation of a scenario (None for the schedule model).

    It depends only on the model's populations and calendar, the period and the seed: sweeps
    reuse it across variants that change nothing else.
    """
    if model.occupancy_model != "discrete_events":
        return None
    return simulate_occupancy(model.occupancy, model, times, float(scenario.period.step_s), scenario.seed)


def _water_exogenous(model: Model, kinds, occupants: np.ndarray, occupancy: OccupancyRealisation | None,
                     open_mask: np.ndarray, at_step: pd.DataFrame, hourly: pd.DataFrame, weather: Weather,
                     dt_s: float, site: SiteInputs | None = None, sched_key: tuple = ()) -> WaterExogenous | None:
    """Water demands per use, rain harvested and the tank, over the whole run (vectorised, then one lean loop).

    The tank depends only on rain and on people, never on the thermal state, so it runs
    before the simpy run; its pump power joins the electrical balance of each step.
    """
    spec = model.water_uses
    if spec is None:
        return None
    n = len(at_step)
    if occupancy is not None:
        counts = {use: per_zone.sum(axis=1) for use, per_zone in occupancy.toilet_uses.items()}
    else:  # schedule model: expected uses = person-hours x the sanitary rates
        sanitary = model.occupancy.sanitary if model.occupancy is not None else Sanitary()
        person_h = occupants.sum(axis=1) * dt_s / 3600.0
        women = sanitary.female_share
        counts = {
            "wc_female": person_h * women * sanitary.wc_female_per_h,
            "wc_male": person_h * (1 - women) * sanitary.wc_male_per_h,
            "urinal": person_h * (1 - women) * sanitary.urinal_per_h,
            "washbasin": person_h * sanitary.washbasin_per_h,
            "kitchenette": person_h * sanitary.kitchenette_per_h,
        }
    demand = water_demand.WaterDemand(water_demand.fixture_volumes_m3(counts, spec))
    def memo(key, make):  # weather-and-calendar series, shared through the site inputs when given
        return make() if site is None else site.memo(key, make)

    area_m2 = model.building.total_floor_area_m2
    demand["cleaning"] = memo(
        ("cleaning", sched_key, area_m2, spec.cleaning_l_per_m2_day, spec.cleaning_hour),
        lambda: water_demand.cleaning_m3(kinds.civil_times, open_mask.any(axis=1) & ~kinds.closed, area_m2, spec)).copy()
    rw = model.rainwater
    daily = None
    demand["irrigation"] = np.zeros(n)
    if rw is not None and rw.irrigation is not None:
        irrigation, daily = memo(
            ("irrigation", _json_key(rw.irrigation), spec.irrigation_hour, weather.latitude, weather.altitude_m),
            lambda: water_demand.irrigation_m3(kinds.civil_times, hourly, weather.latitude, weather.altitude_m,
                                               rw.irrigation, spec.irrigation_hour))
        demand["irrigation"], daily = irrigation.copy(), daily.copy()
    if rw is None:
        return WaterExogenous(demand, (), np.zeros(n), None, np.zeros(n), daily)
    supplied = tuple(rw.supplies)
    inflow = water_physics.harvested_inflow_m3(
        at_step["precipitation_mm"].to_numpy(dtype=float), rw.roof_area_m2, rw.runoff_coefficient,
        filter_efficiency=rw.filter_efficiency, first_flush_mm=rw.first_flush_mm,
        dry_gap_steps=max(1, int(6 * 3600 / dt_s)),
    )
    tank = simulate_tank(
        inflow, sum(demand[u] for u in supplied), rw.tank_volume_m3, dead_volume_m3=rw.dead_volume_m3,
        topup_below_m3=rw.topup_below_m3, topup_to_m3=rw.topup_to_m3, pump_kwh_per_m3=rw.pump_kwh_per_m3,
        rule=rw.rule,
    )
    tank = {k: np.asarray(v, dtype=float) for k, v in tank.items()}
    return WaterExogenous(demand, supplied, inflow, tank, tank["pump_kwh"] * 3.6e6 / dt_s, daily)


#: Values kept per kind of :meth:`SiteInputs.memo` (least recently used dropped first).
MEMO_PER_KIND = 8


@dataclass
class SiteInputs:
    """What depends only on the weather year, the period and the step: computed once and shared
    EXPLICITLY by the runs that use the same weather and period (a comparison's options for one seed,
    a sweep's variants, the explorer), never rediscovered by comparing scenarios.

    Holds the weather at the steps and the solar position at mid-step; the PV output of an array is
    computed on first use and kept per array description (its frozen model values), so variants that
    change something else reuse it.
    """

    source: str
    times: pd.DatetimeIndex
    hourly: pd.DataFrame
    at_step: pd.DataFrame
    solpos: pd.DataFrame
    _memo: dict = field(default_factory=dict)

    def facade(self, model: str, albedo: float) -> dict[str, np.ndarray]:
        """Irradiance on the four facades for a transposition model and ground albedo, computed once."""
        return self.memo(("facade", model, albedo), lambda: _facade_irradiance(self.solpos, self.at_step, model, albedo))

    def memo(self, key: tuple, make: Callable[[], Any]) -> Any:
        """``make()`` computed once per ``key`` for these site inputs (keys name every model value used).

        For series that depend on the weather and period plus a few model values that design
        variants rarely change (the calendar, the irrigated area, the heating schedules): a
        comparison's or a sweep's variants then compute them once. Values are shared: read only.
        """
        kind, rest = key[0], key[1:]
        kept = self._memo.setdefault(kind, {})
        if rest in kept:
            kept[rest] = kept.pop(rest)  # most recently used last
        else:
            kept[rest] = make()
            while len(kept) > MEMO_PER_KIND:  # a sweep over a schedule value must not keep every variant's
                kept.pop(next(iter(kept)))
        return kept[rest]

    def pv_w(self, array, year_index: int, dt_s: float, altitude_m: float) -> np.ndarray:
        """AC power of one PV array at every step [W] (twin.physics.pv), computed once per description.

        The plane's light and the cells' temperature (the costly part) are kept per orientation,
        module and mounting, so that arrays differing only by size, losses or inverter share them
        (a sweep or the explorer's PV power): the same operations as pv.pv_ac_power_w, bit for bit.
        """
        def make() -> np.ndarray:
            looks = tuple(getattr(array, f) for f in pv.CONDITION_FIELDS)
            conditions = self.memo(("pv_conditions", looks, dt_s, altitude_m),
                                   lambda: pv.array_conditions(self.solpos, self.at_step, array, step_s=dt_s,
                                                               altitude_m=altitude_m))
            return pv.array_ac_power_w(conditions, array, year_index=year_index)

        return self.memo(("pv", array, year_index, dt_s, altitude_m), make)


def site_inputs(scenario: Scenario, weather: Weather) -> SiteInputs:
    """The :class:`SiteInputs` of a scenario's period and step under ``weather``."""
    dt_s = float(scenario.period.step_s)
    tz = dt.timezone(dt.timedelta(hours=weather.tz_offset_h))
    start, end, times = period_times(scenario, tz)
    hourly = weather_for_period(weather, start - pd.Timedelta(hours=1), end)
    at_step = resample_to_step(hourly, int(dt_s)).reindex(times)
    if at_step.isna().any().any():
        bad = at_step.columns[at_step.isna().any()].tolist()
        raise ScenarioError(f"weather '{weather.source}': no data at some steps of the period for {bad}")
    mid = times - pd.Timedelta(seconds=dt_s / 2)
    # Solar geometry where the irradiance was measured or generated: the weather's own site.
    solpos = solar.solar_position(mid, weather.latitude, weather.longitude, weather.altitude_m)
    return SiteInputs(weather.source, times, hourly, at_step, solpos)


def build_exogenous(model: Model, scenario: Scenario, weather: Weather,
                    occupancy: OccupancyRealisation | None = None, site: SiteInputs | None = None) -> Exogenous:
    """Compute every state-independent series of the run, vectorised.

    ``occupancy`` may be passed to reuse a realisation computed for the same model, period and
    seed (see :func:`occupancy_for`); ``site`` to reuse the weather-side inputs of the same weather
    and period (:func:`site_inputs`).
    """
    dt_s = float(scenario.period.step_s)
    tz = dt.timezone(dt.timedelta(hours=weather.tz_offset_h))
    start, end, times = period_times(scenario, tz)
    if site is None:
        site = site_inputs(scenario, weather)
    elif site.source != weather.source or not site.times.equals(times):
        raise ScenarioError(f"scenario '{scenario.name}': shared site inputs were made for another weather or "
                            "period; expected the same weather source, period and step")
    hourly, at_step, solpos = site.hourly, site.at_step, site.solpos
    mid = times - pd.Timedelta(seconds=dt_s / 2)

    zones = model.zones
    cal_key = _json_key(model.calendar, model.building.location.civil_timezone)
    kinds = site.memo(("day_kinds", cal_key), lambda: _day_kinds(model, mid))
    n, nz = len(times), len(zones)
    sched_key = (cal_key, *(_json_key(z.occupancy.opening, z.heating) for z in zones))
    open_mask, setpoint, hours_to_open = site.memo(("schedules", sched_key), lambda: _schedules_and_lead(model, kinds, dt_s))
    capacity = np.array([z.occupancy.capacity_persons for z in zones], dtype=float)
    if occupancy is None:
        occupancy = occupancy_for(model, scenario, times)
    # fraction: the share of a zone's activity, which drives its plug loads.
    if occupancy is not None:
        occupants = occupancy.occupants
        fraction = np.divide(occupants, capacity, out=np.zeros_like(occupants), where=capacity > 0)
    else:  # occupancy_model = "schedule": expected values of the profiles
        fraction = np.empty((n, nz))
        for j, z in enumerate(zones):
            prof = model.profiles[z.occupancy.profile]
            fraction[:, j] = calendar.profile_fraction(
                kinds, prof.hourly_fraction, prof.weekday_factor, prof.school_holiday_factor, open_mask[:, j],
                prof.summer_closure_factor,
            )
        occupants = fraction * capacity

    area = np.array([z.floor_area_m2 for z in zones])
    people_w = occupants * np.array([z.occupancy.sensible_gain_w_per_person for z in zones])
    # Lights: on while the zone is open and someone is there (presence detection), dimmed with daylight.
    # Outside the zone's opening (tenants by badge), presence detectors light only the workstations in
    # use: the share occupants / capacity of the floor [E]; heating and the AHU keep their schedule.
    ghi = at_step["ghi"].to_numpy(dtype=float)
    dimming = lighting_fraction(
        ghi[:, None],
        np.array([z.loads.daylight_factor_percent for z in zones]),
        np.array([z.loads.lighting_target_lux for z in zones]),
        np.array([z.loads.lighting_min_dim_fraction for z in zones]),
    )
    lit = np.where(open_mask, occupants > 0.0, np.minimum(occupants / np.maximum(capacity, 1.0), 1.0))
    lighting_w = lit * dimming * area * np.array([z.loads.lighting_w_m2 for z in zones])
    equipment_w = area * (
        np.array([z.loads.equipment_base_w_m2 for z in zones])
        + fraction * np.array([z.loads.equipment_open_w_m2 for z in zones])
    )
    internal_w = people_w + lighting_w + equipment_w

    env = model.envelope
    # Keyed by the whole envelope and zones: design variants that change neither share them.
    sol = site.memo(("solar_gains", _json_key(env, *zones)),
                    lambda: _solar_gains_w(env, zones, solpos, at_step, site.facade(env.facade_solar_model,
                                                                                    env.ground_albedo)))

    # Fresh air: per person plus a floor-area share while open, never below the DCV floor.
    per_person = fresh_air_per_person_m3_h(zones)   # public and staff rates by their share
    per_area = np.array([z.ventilation.min_fresh_air_m3_h_m2 for z in zones]) * area
    design = design_fresh_air_m3_h(zones)
    wanted = per_person * occupants + per_area
    fresh_m3_s = np.where(open_mask, np.maximum(wanted, model.ahu.min_flow_fraction * design), 0.0) / 3600.0

    hn = model.heat_network
    temp_out = at_step["temp_air"].to_numpy(dtype=float)
    supply_c = heating_curve_c(
        temp_out, hn.design_outdoor_c, hn.supply_temp_design_c, hn.supply_temp_min_c, hn.heating_limit_outdoor_c
    )
    any_open = open_mask.any(axis=1)
    el = model.electrical_loads
    servers_w = np.full(n, el.servers_base_kw * 1e3 if el else 0.0)
    # Lifts: the day's energy spread evenly over the day's open steps.
    open_steps_per_day = pd.Series(any_open, index=kinds.civil_times.normalize()).groupby(level=0).transform("sum")
    lifts_w = np.where(
        any_open, (el.lifts_kwh_per_day if el else 0.0) * 3.6e6 / np.maximum(open_steps_per_day.to_numpy() * dt_s, 1.0), 0.0
    )

    pv_w = np.zeros(n)
    if model.pv is not None:
        for array in model.pv.arrays:
            pv_w += site.pv_w(array, max(start.year - array.commissioning_year, 0), dt_s, weather.altitude_m)
    water = _water_exogenous(model, kinds, occupants, occupancy, open_mask, at_step, hourly, weather, dt_s,
                             site=site, sched_key=sched_key)
    ev_off_peak = np.zeros(n, dtype=bool)
    if model.ev_charging is not None:
        for window in model.ev_charging.off_peak_hours:
            ev_off_peak |= calendar.opening_mask(_every_day(kinds), calendar.parse_opening([window] * 7))

    temp_ground_c, temp_ground_coldest_c = _virtual_ground_temp_c(
        model, weather, times, temp_out, start.year, tz,
        lambda: site.memo(("monthly_setpoint", sched_key, start.year, str(tz)),
                          lambda: _monthly_setpoint_c(model, start.year, tz)))
    return Exogenous(
        times=times, dt_s=dt_s, temp_out_c=temp_out, ghi_w_m2=at_step["ghi"].to_numpy(dtype=float),
        wind_m_s=at_step["wind_speed"].to_numpy(dtype=float),
        occupants=occupants, open_mask=open_mask, setpoint_c=setpoint, hours_to_open=hours_to_open,
        temp_ground_c=temp_ground_c, temp_ground_coldest_c=temp_ground_coldest_c,
        lighting_w=lighting_w, equipment_w=equipment_w, internal_w=internal_w,
        solar_w=sol["window"], solar_shaded_w=sol["window_shaded"], sol_wall_w=sol["wall"], sol_roof_w=sol["roof"],
        sky_w=_sky_losses_w(model),
        fresh_air_m3_s=fresh_m3_s, design_fresh_air_m3_s=design / 3600.0,
        network_supply_c=supply_c,
        servers_w=servers_w, lifts_w=lifts_w, occupancy=occupancy, pv_w=pv_w, water=water, ev_off_peak=ev_off_peak,
    )




class Engine:
    """Builds the systems of one run and advances them in a simpy Environment."""

    def __init__(self, scenario: Scenario, exo: Exogenous, compiled: bool = True):
        if scenario.asset is None:
            raise ScenarioError(f"scenario '{scenario.name}': no model loaded; use twin.load_scenario")
        self.scenario = scenario
        self.model = scenario.asset
        self.exo = exo
        self.env = simpy.Environment()
        self.state = SharedState()
        self.dt_s = exo.dt_s
        loc = self.model.building.location
        pressure_pa = float(air.air_pressure_pa(loc.altitude_m))
        # Flows are specified at room conditions (20 °C, site pressure).
        self.rho_cp_j_m3k = float(air.air_density_kg_m3(20.0, pressure_pa) * air.CP_DRY_AIR_J_KGK)
        self.zones = Zones(self.model, self.dt_s, initial_temp_c=19.0)
        self.ahu = AirHandlingUnit(self.model.ahu, self.rho_cp_j_m3k)
        self.substation = Substation(self.model.heat_network)
        za = self.zones.arrays
        self._h_inf_w_k = self.rho_cp_j_m3k * za.infiltration_m3_s
        self._night_flush_m3_s = self.model.ahu.night_flush_m3_h_m2 * za.floor_area_m2 / 3600.0
        hn = self.model.heat_network
        self._emitter_design = (hn.supply_temp_design_c, hn.water_temp_drop_k, hn.emitter_exponent)
        self._co2_out = self.model.outdoor_co2_ppm
        self.co2_ppm = np.full(len(za.names), self._co2_out)
        self._co2_gen_m3_s_per_person = np.array([z.occupancy.co2_l_h_per_person for z in self.model.zones]) / 3.6e6
        self._design_flow_m3_s = exo.design_fresh_air_m3_s
        self._recovery_when_heating = self.model.ahu.heat_recovery.control == "when_heating"
        env = self.model.envelope
        self._f_int_c, self._f_sol_c = env.internal_gains_convective_fraction, env.solar_convective_fraction
        # Zone-network inputs that do not depend on the state, one (z, k) block per step; the window
        # solar channel (blinds) and the link fluxes are filled in each step.
        ch = {c: j for j, c in enumerate(self.zones.channels)}
        self._col_solar, self._col_internal = ch["solar"], ch["internal"]
        u = np.zeros((exo.n_steps, len(self.zones.arrays.names), len(self.zones.channels)))
        u[:, :, ch["temp_out"]] = exo.temp_out_c[:, None]
        u[:, :, ch["temp_ground"]] = exo.temp_ground_c
        u[:, :, ch["internal"]] = exo.internal_w
        u[:, :, ch["sol_wall"]] = exo.sol_wall_w
        u[:, :, ch["sol_roof"]] = exo.sol_roof_w
        u[:, :, ch["sky_wall"]] = exo.sky_w[:, 0]
        u[:, :, ch["sky_roof"]] = exo.sky_w[:, 1]
        u[:, :, ch["sky_window"]] = exo.sky_w[:, 2]
        self._inputs = u
        self.zones.initialise_steady(u[0], 19.0)
        heating = [z.heating for z in self.model.zones]
        optimum = np.array([h.start_control == "optimum" for h in heating])
        self.optimum_start = (
            OptimumStart(optimum, [h.preheat_h for h in heating], [h.setpoint_open_c for h in heating],
                         [h.setpoint_closed_c for h in heating], self.dt_s)
            if optimum.any() else None
        )
        blinds = self.model.envelope.blinds
        self._blinds_above_c = None if blinds is None else blinds.close_when_zone_above_c
        n, nz = exo.n_steps, len(za.names)
        # Records: one row per series, written in place by the kernel (or by step()); the dicts are views.
        self._rec = np.zeros((len(kernel.BUILDING_SERIES), n))
        self._rec_zone = np.zeros((len(kernel.ZONE_SERIES), n, nz))
        self.rec = {name: self._rec[k] for k, name in enumerate(kernel.BUILDING_SERIES)}
        self.rec_zone = {name: self._rec_zone[k] for k, name in enumerate(kernel.ZONE_SERIES)}
        self.compiled = compiled
        self._recording = True
        self._processes: list[Callable[[Engine], Generator]] = []
        ev = self.model.ev_charging
        self.chargers = EvChargers(ev.points, ev.power_kw, ev.strategy) if ev is not None and ev.points > 0 else None
        self.ev_points = simpy.Resource(self.env, capacity=ev.points) if self.chargers is not None else None
        self.ev_refused = 0
        b = self.model.battery
        self.battery = (
            Battery(b.capacity_kwh, b.power_kw, b.round_trip_efficiency, b.soc_min, b.soc_max, b.soc_initial)
            if b is not None else None
        )
        self.battery_start_kwh = self.battery.stored_kwh if self.battery is not None else 0.0
        water = exo.water
        pump = water.pump_w if water is not None else np.zeros(n)
        # Electrical loads that do not depend on the state, summed once.
        self._fixed_load_w = exo.lighting_w.sum(axis=1) + exo.equipment_w.sum(axis=1) + exo.servers_w + exo.lifts_w + pump
        self._kernel_args = self._kernel_arguments()

    # ----------------------------------------------------------------- processes

    def add_process(self, factory: Callable[[Engine], Generator]) -> None:
        """Register an event process: ``factory(engine)`` must return a simpy generator."""
        self._processes.append(factory)

    def _outage(self, start_s: float, duration_s: float) -> Generator:
        yield self.env.timeout(start_s)
        self.state.heat_outages_active += 1
        self.substation.available = False
        self.state.outage_log.append((self.env.now, self.env.now + duration_s))
        yield self.env.timeout(duration_s)
        self.state.heat_outages_active -= 1
        self.substation.available = self.state.heat_outages_active == 0

    def _random_outages(self, rng: np.random.Generator, per_year: float, mean_s: float) -> Generator:
        year_s = 365.0 * 86400.0
        while True:
            yield self.env.timeout(rng.exponential(year_s / per_year))
            duration = rng.exponential(mean_s)
            self.env.process(self._outage(0.0, duration))

    def _advance_co2(self, generation_m3_s: np.ndarray, flow_m3_s: np.ndarray) -> np.ndarray:
        """Advance every zone's CO2 concentration by one step; return its mean over the step [ppm]."""
        self.co2_ppm, mean = air.co2_step_ppm(self.co2_ppm, generation_m3_s, flow_m3_s, self.zones.arrays.volume_m3,
                                              self.dt_s, self._co2_out)
        return mean

    def _start_ev_arrivals(self, sessions: np.ndarray) -> None:
        """Cars arrive in time order. Without waiting, a car takes a free point or leaves: each arrival
        and each departure is one simpy timeout with a callback (two events per car instead of a
        process, a resource request and its release: same times, same order, a tenth of the cost).
        With ``wait_if_busy``, cars queue on a simpy Resource (:meth:`_ev_arrivals`).
        """
        if self.model.ev_charging.wait_if_busy:
            self.env.process(self._ev_arrivals(sessions))
            return
        self._ev_sessions = (sessions["arrival_s"].astype(float), sessions["departure_s"].astype(float),
                             sessions["energy_kwh"].astype(float))
        self._ev_next = 0
        self.env.timeout(max(self._ev_sessions[0][0] - self.env.now, 0.0)).callbacks.append(self._ev_arrive)

    def _ev_arrive(self, _event) -> None:
        arrival_s, departure_s, energy_kwh = self._ev_sessions
        k = self._ev_next
        self._ev_next = k + 1
        # The next arrival is scheduled before this car's departure, as the arrivals process did
        # (a departure and a later arrival at the same instant keep their order).
        if k + 1 < len(arrival_s):
            self.env.timeout(max(arrival_s[k + 1] - self.env.now, 0.0)).callbacks.append(self._ev_arrive)
        point = self.chargers.connect(self.env.now, float(departure_s[k]), float(energy_kwh[k]))
        if point is None:
            self.ev_refused += 1
            return
        leave = self.env.timeout(max(float(departure_s[k]) - self.env.now, 0.0))
        leave.callbacks.append(lambda _e, p=point: self.chargers.disconnect(p))

    def _ev_arrivals(self, sessions: np.ndarray) -> Generator:
        """Cars arrive in time order; each gets a process that charges it until it leaves (or waits)."""
        for session in sessions:
            yield self.env.timeout(max(session["arrival_s"] - self.env.now, 0.0))
            self.env.process(self._car(float(session["departure_s"]), float(session["energy_kwh"])))

    def _car(self, departure_s: float, energy_kwh: float) -> Generator:
        request = self.ev_points.request()
        wait = self.model.ev_charging.wait_if_busy
        if not request.triggered:
            if not wait:
                request.cancel()
                self.ev_refused += 1
                return
            got = yield request | self.env.timeout(max(departure_s - self.env.now, 0.0))
            if request not in got:
                request.cancel()
                self.ev_refused += 1
                return
        point = self.chargers.connect(self.env.now, departure_s, energy_kwh)
        yield self.env.timeout(max(departure_s - self.env.now, 0.0))
        self.chargers.disconnect(point)
        self.ev_points.release(request)

    def _fixed_step(self) -> Generator:
        """The continuous physics: one step per ``step_s``, in compiled chunks between discrete events.

        Events at a time t <= i dt are applied before step i, as when each step was its own simpy
        event (its timeout was always scheduled after the event's).
        """
        n, dt = self.exo.n_steps, self.dt_s
        i = 0
        while i < n:
            upcoming = self.env.peek()
            if self.compiled:
                j = n if upcoming == float("inf") else min(n, max(i + 1, math.ceil(upcoming / dt - 1e-9)))
                self._advance(i, j)
            else:
                j = i + 1
                self.step(i)
            yield self.env.timeout((j - i) * dt)
            i = j

    def _advance(self, i0: int, i1: int) -> None:
        """Steps ``i0 .. i1-1`` in the compiled kernel (twin.kernel.advance)."""
        k, exo = self._kernel_args, self.exo
        k["ip"][kernel.I_REC] = 1 if self._recording else 0
        kernel.advance(i0, i1, k["fp"], k["ip"], self.zones.x, self.co2_ppm, self.substation.state,
                       k["opt_f"], k["opt_b"], k["opt_hist"], k["opt_n"], k["ev_f"], k["battery"],
                       exo.temp_out_c, exo.wind_m_s, exo.fresh_air_m3_s, self._inputs, exo.solar_w, exo.solar_shaded_w,
                       exo.internal_w, exo.setpoint_c, exo.hours_to_open, exo.network_supply_c, exo.occupants,
                       self._fixed_load_w, exo.pv_w, exo.ev_off_peak, exo.open_mask, *k["nets"], *k["links"],
                       k["zp"], self._rec, self._rec_zone)

    def _arrow_arrays(self) -> tuple[np.ndarray, ...]:
        """Every zone's arrow factors and sparse input map, padded to common sizes for the kernel."""
        networks = self.zones.networks
        z, n = len(networks), max(net.n_nodes for net in networks)
        low, piv, up = np.zeros((z, n)), np.ones((z, n)), np.zeros((z, n))
        e, w, s_inv = np.zeros((z, n, 2)), np.zeros((z, n, 2)), np.zeros((z, 2, 2))
        diag, d_raw, ext = np.ones((z, n)), np.zeros((z, 2, 2)), np.zeros((z, n))
        entries = [np.argwhere(net.input_matrix != 0.0) for net in networks]
        nb_max = max(len(x) for x in entries)
        b_idx, b_ch = np.zeros((z, nb_max), dtype=np.int64), np.zeros((z, nb_max), dtype=np.int64)
        b_val, nb = np.zeros((z, nb_max)), np.array([len(x) for x in entries], dtype=np.int64)
        for j, net in enumerate(networks):
            f = zone_network.arrow_factors(net)
            m = len(f.pivot)
            low[j, :m], piv[j, :m], up[j, :m] = f.lower, f.pivot, f.upper
            e[j, :m], w[j, :m], s_inv[j] = f.e, f.w, f.s_inv
            a = np.diag(net.capacity_j_k / net.dt_s) + net.conductance_w_k
            diag[j, :m], d_raw[j], ext[j, :m] = np.diag(a)[:m], a[m:, m:], net.exterior_area_m2[:m]
            b_idx[j, :nb[j]], b_ch[j, :nb[j]] = entries[j][:, 0], entries[j][:, 1]
            b_val[j, :nb[j]] = net.input_matrix[entries[j][:, 0], entries[j][:, 1]]
        return low, piv, up, e, w, s_inv, diag, d_raw, ext, b_idx, b_ch, b_val, nb

    def _kernel_arguments(self) -> dict:
        """Flat arrays and parameters of the compiled kernel, built once per engine."""
        model, ahu, hn = self.model, self.model.ahu, self.model.heat_network
        za, nets = self.zones.arrays, self.zones.nets
        blinds = model.envelope.blinds
        battery = self.battery
        values = {
            "dt_s": self.dt_s, "rho_cp": self.rho_cp_j_m3k, "supply_setpoint_c": ahu.supply_setpoint_c,
            "coil_max_w": ahu.coil_max_kw * 1e3, "sfp_w_per_m3_s": ahu.sfp_kw_per_m3_s * 1e3,
            "free_cooling_above_c": ahu.free_cooling_zone_above_c, "night_flush_above_c": ahu.night_flush_zone_above_c,
            "hr_effectiveness": ahu.heat_recovery.effectiveness, "frost_limit_c": ahu.heat_recovery.frost_limit_exhaust_c,
            "blinds_above_c": blinds.close_when_zone_above_c if blinds is not None else 0.0,
            "capacity_w": hn.subscribed_kw * 1e3, "loss_fraction": hn.distribution_loss_fraction,
            "pump_w": hn.pump_kw * 1e3, "design_supply_c": hn.supply_temp_design_c, "water_drop_k": hn.water_temp_drop_k,
            "emitter_exponent": hn.emitter_exponent, "f_int_c": self._f_int_c, "f_sol_c": self._f_sol_c,
            "co2_out_ppm": self._co2_out, "unmet_tolerance_k": UNMET_TOLERANCE_K,
            "ev_point_power_w": self.chargers.point_power_w if self.chargers is not None else 0.0,
            "battery_eta": battery.eta if battery is not None else 1.0,
            "battery_power_w": battery.power_w if battery is not None else 0.0,
            "battery_min_kwh": battery.min_kwh if battery is not None else 0.0,
            "battery_max_kwh": battery.max_kwh if battery is not None else 0.0,
            "opt_tolerance_k": REACHED_TOLERANCE_K, "opt_min_recovery_k": MIN_RECOVERY_K,
        }
        ints = {
            "hr_control": kernel.HR_CONTROL[ahu.heat_recovery.control],
            "bypass_for_free_cooling": int(ahu.heat_recovery.bypass_for_free_cooling),
            "has_blinds": int(blinds is not None), "has_optimum": int(self.optimum_start is not None),
            "ev_strategy": kernel.EV_STRATEGY[self.chargers.strategy] if self.chargers is not None else 0,
            "has_ev": int(self.chargers is not None), "has_battery": int(battery is not None),
            "col_solar": self._col_solar, "recording": 1,
            "wind_films": int(self.zones.wind_films), "col_out": self.zones.channels.index("temp_out"),
            "col_internal": self.zones.channels.index("internal"),
        }
        os_ = self.optimum_start
        nz = len(za.names)
        if os_ is not None:
            opt_f = np.stack([os_.rate_h_per_k, os_.start_temp_c, os_.elapsed_h, os_.max_lead_h, os_.setpoint_open_c])
            opt_b = np.stack([os_.active, os_.observing, os_.enabled]).astype(float)
        else:
            opt_f, opt_b = np.zeros((5, nz)), np.zeros((3, nz))
        cuts = self.zones.cuts
        cols = [self.zones.channels.index(f"link{m}") for m in range(len(cuts))]
        return {
            "fp": np.array([values[name] for name in kernel.FP], dtype=float),
            "ip": np.array([ints[name] for name in kernel.IP], dtype=np.int64),
            "opt_f": opt_f, "opt_b": opt_b, "opt_hist": np.zeros((nz, HISTORY_DAYS)), "opt_n": np.zeros((2, nz)),
            "ev_f": self.chargers.state if self.chargers is not None else np.zeros((5, 0)),
            "battery": battery.state if battery is not None else np.zeros(1),
            "nets": (*self._arrow_arrays(), nets.g, nets.g_air, nets.capacity_j_k, nets.boundary_w_k.sum(axis=2),
                     (nets.boundary_w_k + nets.source).sum(axis=1), nets.convective_w_k, nets.air, nets.star),
            "links": (np.array([c.zones[0] for c in cuts], dtype=np.int64), np.array([c.zones[1] for c in cuts], dtype=np.int64),
                      np.array([c.nodes[0] for c in cuts], dtype=np.int64), np.array([c.nodes[1] for c in cuts], dtype=np.int64),
                      np.array([c.conductance_w_k for c in cuts], dtype=float), np.array(cols, dtype=np.int64)),
            "zp": np.stack([self._h_inf_w_k, self._design_flow_m3_s, self._night_flush_m3_s, za.emitter_max_w,
                            za.volume_m3, self._co2_gen_m3_s_per_person, za.thermal_bridges_w_k, za.infiltration_m3_s,
                            za.cooling_setpoint_c, za.ceiling_fans_w, za.ceiling_fans_on_above_c]),
        }

    # --------------------------------------------------------------------- step

    def step(self, i: int) -> None:
        """Advance AHU, substation and zones over step ``i`` and record it."""
        exo, zones, ahu = self.exo, self.zones, self.ahu
        temp_out = exo.temp_out_c[i]
        temp_air = zones.temp_air_c
        f = ventilation_flows(exo.fresh_air_m3_s[i], temp_air, temp_out, self._design_flow_m3_s,
                              self._night_flush_m3_s, self.model.ahu)
        flows, total_flow, temp_extract, free_cooling = f.flow_m3_s, f.total_m3_s, f.temp_extract_c, f.free_cooling
        # Blinds: closed on the sunny facades of zones warmer than their threshold (the BMS rule).
        if self._blinds_above_c is not None:
            closed = temp_air > self._blinds_above_c
            solar_w = np.where(closed, exo.solar_shaded_w[i], exo.solar_w[i])
        else:
            closed = False
            solar_w = exo.solar_w[i]
        u = self._inputs[i].copy()
        u[:, self._col_solar] = solar_w
        # Ceiling fans: on while open and warm; their electricity ends as heat in the zone.
        za = zones.arrays
        ceiling_fans_w = np.where((za.ceiling_fans_w > 0.0) & exo.open_mask[i] & (zones.temp_op_c > za.ceiling_fans_on_above_c),
                                  za.ceiling_fans_w, 0.0)
        u[:, self._col_internal] += ceiling_fans_w
        zones.link_fluxes(u)
        setpoint = exo.setpoint_c[i]
        if self.optimum_start is not None:
            setpoint = self.optimum_start.setpoint_c(exo.hours_to_open[i], zones.temp_op_c, setpoint)
        h_mech = self.rho_cp_j_m3k * flows
        h_ve = h_mech + self._h_inf_w_k
        recovery_allowed = True
        if self._recovery_when_heating and total_flow > 0.0:
            plain = ahu.step(float(total_flow), float(temp_out), temp_extract, free_cooling, recovery_allowed=False)
            convective_w = self._f_int_c * exo.internal_w[i] + self._f_sol_c * solar_w
            recovery_allowed = self._heating_mode(plain, temp_out, h_mech, convective_w, setpoint)
        a = ahu.step(float(total_flow), float(temp_out), temp_extract, free_cooling, recovery_allowed)

        sup_req = ahu.supply_temp_c(a, a.coil_request_w)
        temp_sup = (h_mech * sup_req + self._h_inf_w_k * temp_out) / h_ve
        capacity = emitter_capacity_factor(exo.network_supply_c[i], temp_air, *self._emitter_design)
        zones.free(u, exo.wind_m_s[i])
        request = zones.heating_request_w(temp_sup, h_ve, setpoint, capacity)
        total_request = float(request.sum()) + a.coil_request_w
        scale, meter_w, loss_w = self.substation.allocate(total_request)
        heating = request * scale
        coil_w = a.coil_request_w * scale
        if scale < 1.0:
            sup = ahu.supply_temp_c(a, coil_w)
            temp_sup = (h_mech * sup + self._h_inf_w_k * temp_out) / h_ve
        else:
            sup = sup_req
        cooling = zones.cooling_request_w(temp_sup, h_ve, heating)
        out = zones.advance(temp_sup, h_ve, heating - cooling)
        if self.optimum_start is not None:
            self.optimum_start.observe(exo.hours_to_open[i], out.temp_op_c)

        # CO2 of each zone, well mixed: V dC/dt = G + Q (C_out - C), solved exactly over the step.
        flow_total = flows + self.zones.arrays.infiltration_m3_s
        co2_mean = self._advance_co2(exo.occupants[i] * self._co2_gen_m3_s_per_person, flow_total)

        # Electricity: PV first to the building's loads, then EV charging, then the battery, then the grid.
        pump_w = self.substation.pump_w(meter_w)
        load_w = self._fixed_load_w[i] + a.fan_w + pump_w + float(ceiling_fans_w.sum())
        bus = dispatch(load_w, exo.pv_w[i], self.chargers if self._recording else None,
                       self.battery if self._recording else None, i * self.dt_s, self.dt_s, bool(exo.ev_off_peak[i]))
        pv_w, ev_w, ev_from_pv_w, import_w, export_w = bus.pv_w, bus.ev_w, bus.ev_from_pv_w, bus.import_w, bus.export_w
        charge_w, discharge_w, battery_loss_w = bus.charge_w, bus.discharge_w, bus.battery_loss_w

        if not self._recording:
            return
        r, rz = self.rec, self.rec_zone
        r["pv_w"][i] = pv_w
        r["ev_w"][i] = ev_w
        r["ev_from_pv_w"][i] = ev_from_pv_w
        r["battery_charge_w"][i] = charge_w
        r["battery_discharge_w"][i] = discharge_w
        r["battery_loss_w"][i] = battery_loss_w
        r["battery_kwh"][i] = self.battery.stored_kwh if self.battery is not None else 0.0
        r["grid_import_w"][i] = import_w
        r["grid_export_w"][i] = export_w
        r["electric_load_w"][i] = load_w
        r["electric_residual_w"][i] = pv_w + import_w + discharge_w - (load_w + ev_w + export_w + charge_w)
        r["heat_emitters_w"][i] = heating.sum()
        r["heat_coil_w"][i] = coil_w
        r["heat_request_w"][i] = total_request
        r["heat_recovered_w"][i] = a.recovered_w
        r["district_heat_w"][i] = meter_w
        r["heat_loss_w"][i] = loss_w
        r["pumps_w"][i] = pump_w
        r["fans_w"][i] = a.fan_w
        r["ahu_flow_m3_s"][i] = total_flow
        r["ahu_supply_temp_c"][i] = sup if total_flow > 0.0 else np.nan
        r["ahu_effectiveness"][i] = a.effectiveness
        r["heat_available"][i] = 1.0 if self.substation.available else 0.0
        # Closure of every zone's 5R1C network plus the substation's own identity.
        r["gains_w"][i] = float(u[:, self._col_solar].sum() + u[:, self._col_internal].sum() + heating.sum() + cooling.sum())
        r["cooling_w"][i] = float(cooling.sum())
        r["solar_w"][i] = float(np.sum(solar_w))
        r["blinds_closed"][i] = float(np.mean(closed))
        zone_residual = float(out.residual_w.sum())
        substation_residual = meter_w - (heating.sum() + coil_w) - loss_w
        # AHU: what recovery and coil add must be what the supply air carries above outdoor air.
        ahu_residual = (a.recovered_w + coil_w - self.rho_cp_j_m3k * total_flow * (sup - temp_out)
                        if total_flow > 0.0 else 0.0)
        r["balance_residual_w"][i] = zone_residual + substation_residual + ahu_residual
        rz["co2_ppm"][i] = co2_mean
        rz["temp_air_c"][i] = out.temp_air_c
        rz["temp_op_c"][i] = out.temp_op_c
        rz["heating_w"][i] = heating
        rz["cooling_w"][i] = cooling
        rz["ceiling_fans_w"][i] = ceiling_fans_w
        rz["setpoint_c"][i] = setpoint
        rz["unmet"][i] = exo.open_mask[i] & (out.temp_air_c < setpoint - UNMET_TOLERANCE_K)

    def _heating_mode(self, plain, temp_out: float, h_mech: np.ndarray, convective_w: np.ndarray,
                      setpoint: np.ndarray) -> bool:
        """Whether the zones are in heating mode, the test of the ``when_heating`` recovery control.

        EnergyPlus' rule for its ideal-loads system (``CalcPurchAirLoads`` in
        ``PurchasedAirManager.cc``): heating mode when the sensible output of the outdoor air
        supplied WITHOUT recovery, H_mech (θ_sup0 − θ_air), is below the load that holds the
        setpoint, predicted from the state at the start of the step (what a controller reads) by
        :meth:`twin.systems.zones.Zones.setpoint_load_w`: the air node's capacity, the convective
        exchange with every inside surface (the zone's real surfaces, from its geometry),
        infiltration and thermal bridges, less the convective gains. Summed over the zones one AHU
        serves.
        """
        zones = self.zones
        sup0 = self.ahu.supply_temp_c(plain, plain.coil_request_w)
        q_sp = zones.setpoint_load_w(setpoint, temp_out, self._h_inf_w_k, convective_w)
        return bool(np.sum(q_sp - h_mech * (sup0 - zones.temp_air_c)) > 0.0)

    # ---------------------------------------------------------------------- run

    def warm_up(self, weather: Weather, site: SiteInputs | None = None) -> None:
        """Settle the thermal mass and the air over the ``warmup_days`` BEFORE the period.

        Those days get their own weather (the weather source mapped onto their dates), calendar
        and people; nothing is recorded, and only the zones' temperatures, CO2 and learned warm-up rates are carried
        into this engine (the tank and the battery start from their stated initial levels).
        With the run's ``site`` inputs, the warm-up's own site inputs are kept there, and its people
        beside the run's occupancy realisation, so that runs sharing those share the warm-up's too.
        """
        days = self.scenario.period.warmup_days
        if days <= 0:
            return
        start = self.scenario.period.start
        period = self.scenario.period.model_copy(
            update={"start": start - dt.timedelta(days=days), "end": start, "warmup_days": 0}
        )
        before = self.scenario.model_copy(update={"period": period})
        warm_site = None if site is None else site.memo(("warmup_site", days), lambda: site_inputs(before, weather))
        people = self.exo.occupancy
        warm_people = None
        if people is not None:
            key = ("warmup", days)
            if key not in people.companions:
                people.companions[key] = occupancy_for(self.model, before, warm_site.times if warm_site is not None
                                                       else period_times(before, self.exo.times.tz)[2])
            warm_people = people.companions[key]
        warm = Engine(before, build_exogenous(self.model, before, weather, occupancy=warm_people, site=warm_site),
                      compiled=self.compiled)
        warm._recording = False
        if self.compiled:
            warm._advance(0, warm.exo.n_steps)
        else:
            for i in range(warm.exo.n_steps):
                warm.step(i)
        self.zones.x[:] = warm.zones.x
        self.co2_ppm = warm.co2_ppm.copy()
        if self.optimum_start is not None:
            self.optimum_start.copy_learning_from(warm.optimum_start)
            for key in ("opt_hist", "opt_n"):
                self._kernel_args[key][:] = warm._kernel_args[key]
            self._kernel_args["opt_f"][0] = warm._kernel_args["opt_f"][0]

    def run(self) -> None:
        """Start the event processes and the fixed-step process; run the recorded period."""
        hn = self.model.heat_network
        # The clock counts seconds from the period start in local STANDARD time (the weather's);
        # outage times in the model are civil times (daylight saving in summer).
        clock_zero = self.exo.times[0] - pd.Timedelta(seconds=self.dt_s)
        for outage in hn.outages:
            t = pd.Timestamp(outage.start)
            t = t.tz_localize(self.model.building.location.civil_timezone) if t.tzinfo is None else t
            start_s = (t - clock_zero).total_seconds()
            if 0 <= start_s < self.exo.n_steps * self.dt_s:
                self.env.process(self._outage(start_s, outage.duration_h * 3600.0))
        if hn.random_outages_per_year > 0:
            rng = child_rng(self.scenario.seed, "heat_network_outages")
            self.env.process(self._random_outages(rng, hn.random_outages_per_year, hn.random_outage_mean_h * 3600.0))
        if self.chargers is not None and self.exo.occupancy is not None and self.exo.occupancy.ev_sessions.size:
            self._start_ev_arrivals(self.exo.occupancy.ev_sessions)
        for factory in self._processes:
            self.env.process(factory(self))
        self.env.process(self._fixed_step())
        self.env.run(until=self.exo.n_steps * self.dt_s)


def run(scenario: Scenario, weather: Weather | None = None,
        occupancy: OccupancyRealisation | None = None, site: SiteInputs | None = None,
        cancel: Callable[[], bool] | None = None) -> tuple[Engine, dict]:
    """Simulate a scenario; return the engine (with its records) and run metadata.

    ``weather``, ``occupancy`` and ``site`` may be passed to reuse inputs computed once for several
    scenarios that share them (same weather source and seed; same people, period and seed; same
    weather and period). ``cancel`` is asked once per simulated day (:func:`cancel_check`); when it
    returns True the run stops with :class:`twin.errors.Cancelled`.
    """
    t0 = time.perf_counter()
    if weather is None:
        ws = scenario.weather
        seed = scenario.seed if ws.seed is None else ws.seed
        loc = scenario.asset.building.location
        # A CSV weather file carries no site: it is the model's (EPW and PVGIS files name their own).
        weather = load_weather(ws.source, year=scenario.period.start.year, seed=seed, latitude=loc.latitude_deg,
                               longitude=loc.longitude_deg, altitude_m=loc.altitude_m,
                               tz_offset_h=loc.standard_utc_offset_h, climate=ws.climate)
    if site is None:
        site = site_inputs(scenario, weather)
    exo = build_exogenous(scenario.asset, scenario, weather, occupancy=occupancy, site=site)
    engine = Engine(scenario, exo)
    if cancel is not None:
        engine.add_process(lambda eng: cancel_check(eng.env, cancel))
    engine.warm_up(weather, site)
    engine.run()
    meta_balance = {**check_energy_balance(engine), **check_water_balance(engine)}
    meta = {"weather_source": weather.source, "runtime_s": time.perf_counter() - t0, **meta_balance}
    return engine, meta


def cancel_check(env: simpy.Environment, cancel: Callable[[], bool]) -> Generator:
    """Ask ``cancel()`` at the start and after every simulated day; stop the run if it says so.

    A simpy process: its daily timeouts only split the kernel's chunks (the steps are the same).

    Raises
    ------
    twin.errors.Cancelled
        Out of ``env.run`` at the first day boundary after ``cancel()`` turned True.
    """
    while True:
        if cancel():
            raise Cancelled(f"run cancelled after {env.now / 86400.0:.0f} simulated days")
        yield env.timeout(86400.0)


def check_energy_balance(engine: Engine) -> dict[str, float]:
    """Fail the run unless every step closed its energy balance.

    Each recorded step holds the sum of two residuals: every zone's 5R1C network
    (gains in = losses out + change of energy stored in the mass, to round-off
    with the Crank-Nicolson scheme) and the substation (meter = delivered +
    losses). Their absolute sum over the run must stay below
    :data:`BALANCE_RTOL` times the energy that flowed through the zones.

    Returns
    -------
    dict
        ``energy_error_kwh`` (absolute residual over the run) and
        ``energy_throughput_kwh`` (the scale it was compared with).

    Raises
    ------
    BalanceError
        When the residual exceeds the tolerance.
    """
    r = engine.rec
    residual_j = float(np.abs(r["balance_residual_w"]).sum() * engine.dt_s)
    throughput_j = float((r["district_heat_w"].sum() + np.abs(r["gains_w"]).sum()) * engine.dt_s)
    series = {**{k: v for k, v in r.items() if k != "ahu_supply_temp_c"},  # NaN by design while the AHU is off
              **{f"zone {k}": v for k, v in engine.rec_zone.items()}}
    for name, values in series.items():
        finite = np.isfinite(values).reshape(len(values), -1).all(axis=1)
        if not finite.all():
            first = engine.exo.times[np.flatnonzero(~finite)[0]]
            raise BalanceError(f"scenario '{engine.scenario.name}': non-finite {name} from {first}; the run is invalid")
    if not (residual_j <= BALANCE_RTOL * max(throughput_j, 1.0)):
        raise BalanceError(
            f"scenario '{engine.scenario.name}': energy balance does not close: "
            f"residual {residual_j / 3.6e6:.3g} kWh over {throughput_j / 3.6e6:.3g} kWh of flows"
        )
    # Electricity: every step's power balance, and the battery's energy over the run.
    elec_j = float(np.abs(r["electric_residual_w"]).sum() * engine.dt_s)
    elec_scale_j = float((r["pv_w"] + r["grid_import_w"] + r["battery_discharge_w"]).sum() * engine.dt_s)
    battery_j = 0.0
    if engine.battery is not None:
        stored_change_j = (engine.battery.stored_kwh - engine.battery_start_kwh) * 3.6e6
        flows_j = float((r["battery_charge_w"] - r["battery_discharge_w"] - r["battery_loss_w"]).sum() * engine.dt_s)
        battery_j = abs(flows_j - stored_change_j)
    if not (elec_j + battery_j <= BALANCE_RTOL * max(elec_scale_j, 1.0)):
        raise BalanceError(
            f"scenario '{engine.scenario.name}': electrical balance does not close: "
            f"residual {(elec_j + battery_j) / 3.6e6:.3g} kWh over {elec_scale_j / 3.6e6:.3g} kWh supplied"
        )
    return {
        "energy_error_kwh": (residual_j + elec_j + battery_j) / 3.6e6,
        "energy_throughput_kwh": (throughput_j + elec_scale_j) / 3.6e6,
    }


def check_water_balance(engine: Engine) -> dict[str, float]:
    """Fail the run unless the tank and every point of use close their water balance.

    Tank: inflow + top-up - overflow - drawn = change of storage, every step. Points of use
    served by the tank: demand = drawn from the tank + mains shortfall, every step.

    Raises
    ------
    BalanceError
        When either residual exceeds round-off.
    """
    w = engine.exo.water
    if w is None or w.tank is None:
        return {"water_error_m3": 0.0 if w is not None else None}
    t = w.tank
    tank_m3 = float(np.abs(t["residual_m3"]).sum())
    use_m3 = float(np.abs(w.supplied_demand_m3 - t["from_tank_m3"] - t["from_mains_m3"]).sum())
    scale = float(w.inflow_m3.sum() + w.demand.total_m3.sum() + t["topup_mains_m3"].sum()) + 1e-12
    if not (tank_m3 + use_m3 <= BALANCE_RTOL * max(scale, 1.0)):
        raise BalanceError(
            f"scenario '{engine.scenario.name}': water balance does not close: residual "
            f"{tank_m3 + use_m3:.3g} m3 over {scale:.3g} m3 of flows"
        )
    return {"water_error_m3": tank_m3 + use_m3}
