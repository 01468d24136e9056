"""Annual indicators computed from a run's records (pure functions of arrays).

Conventions: a step's power is its mean over the step, so energy = sum(power) * dt.
Hours are counted in steps times dt / 3600. "Occupied" means inside the zone's
opening hours. Comfort indicators are reported for the worst zone (the one that
matters for a complaint or a regulation check), with every zone listed too.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "COMFORT_LIMITS_C",
    "ceiling_fan_kpis",
    "comfort_kpis",
    "heatwave_kpis",
    "heat_kpis",
    "occupancy_kpis",
    "resilience_hours",
]

UNMET_TOLERANCE_K = 0.5
"""A zone is 'unmet' (heat KPI) or 'below setpoint' (comfort KPI) when open and its air is this far
below its setpoint (EnergyPlus uses 0.2 K on its own controls; 0.5 K avoids counting the last
minutes of a morning pre-heat)."""

COMFORT_LIMITS_C = (26.0, 28.0)
"""Overheating thresholds of the results contract [°C]."""

COLD_OPERATIVE_MARGIN_K = 1.0
"""An open zone is 'cold' when its operative temperature is this far below its heating setpoint [K]:
the step between the comfort categories of EN 16798-1 (offices in winter 21 / 20 / 19 °C) [E]. It
catches the mornings when the air is at setpoint but the walls are still cold."""

DH_COMFORT_C = 26.0
"""Comfort limit for degree-hours [°C]: the lower bound of the RE2020 adaptive limit (26-28 °C);
a fixed 26 °C makes the figure conservative (RE2020 DH_max for category-1 offices: 1,150 °C.h)."""


def _kwh(power_w: np.ndarray, dt_s: float) -> float:
    return float(np.sum(power_w) * dt_s / 3.6e6)


def heat_kpis(rec: dict[str, np.ndarray], unmet: np.ndarray, dt_s: float) -> dict:
    """Heat-side totals: demand delivered, district heat, recovery, peak, unmet hours."""
    hours = dt_s / 3600.0
    return {
        "demand_kwh": _kwh(rec["heat_emitters_w"] + rec["heat_coil_w"], dt_s),
        "space_heating_kwh": _kwh(rec["heat_emitters_w"], dt_s),
        "ventilation_heating_kwh": _kwh(rec["heat_coil_w"], dt_s),
        "district_heat_kwh": _kwh(rec["district_heat_w"], dt_s),
        "distribution_loss_kwh": _kwh(rec["heat_loss_w"], dt_s),
        "heat_recovered_kwh": _kwh(rec["heat_recovered_w"], dt_s),
        "peak_kw": float(np.max(rec["district_heat_w"], initial=0.0) / 1e3),
        "unmet_hours": float(np.any(unmet, axis=1).sum() * hours),
    }


def comfort_kpis(temp_op_c: np.ndarray, temp_air_c: np.ndarray, setpoint_c: np.ndarray,
                 open_mask: np.ndarray, zone_names: tuple[str, ...], dt_s: float) -> dict:
    """Overheating hours and degree-hours while open, hours below setpoint (air) and cold hours
    (operative temperature more than :data:`COLD_OPERATIVE_MARGIN_K` below setpoint), worst zone first."""
    hours = dt_s / 3600.0
    above = {lim: ((temp_op_c > lim) & open_mask).sum(axis=0) * hours for lim in COMFORT_LIMITS_C}
    dh = (np.clip(temp_op_c - DH_COMFORT_C, 0.0, None) * open_mask).sum(axis=0) * hours
    below = ((temp_air_c < setpoint_c - UNMET_TOLERANCE_K) & open_mask).sum(axis=0) * hours
    cold = ((temp_op_c < setpoint_c - COLD_OPERATIVE_MARGIN_K) & open_mask).sum(axis=0) * hours
    by_zone = {
        name: {
            "hours_above_26c": float(above[26.0][j]),
            "hours_above_28c": float(above[28.0][j]),
            "degree_hours_above_comfort": float(dh[j]),
            "hours_below_setpoint": float(below[j]),
            "hours_cold_operative": float(cold[j]),
            "max_temp_op_c": float(np.max(temp_op_c[:, j])),
        }
        for j, name in enumerate(zone_names)
    }
    return {
        "hours_above_26c": float(above[26.0].max()),
        "hours_above_28c": float(above[28.0].max()),
        "degree_hours_above_comfort": float(dh.max()),
        "hours_below_setpoint": float(below.max()),
        "hours_cold_operative": float(cold.max()),
        "worst_zone": zone_names[int(np.argmax(dh))] if dh.max() > 0 else None,
        "by_zone": by_zone,
    }


def occupancy_kpis(occupants: np.ndarray, dt_s: float) -> dict:
    """Person-hours and peak occupants; visits need the discrete-event model (issue 3)."""
    total = occupants.sum(axis=1)
    return {
        "visits": None,
        "person_hours": float(total.sum() * dt_s / 3600.0),
        "peak_occupants": float(total.max(initial=0.0)),
    }


def resilience_hours(outages: list[tuple[float, float]], temp_op_c: np.ndarray, dt_s: float,
                     threshold_c: float) -> list[dict]:
    """For each heat outage, hours until the building's operative temperature drops below ``threshold_c``.

    Parameters
    ----------
    outages
        ``(start_s, end_s)`` of each outage, seconds since the period start.
    temp_op_c
        The building's operative temperature at each step, weighted by floor area
        (a closed room in setback should not decide the building's resilience) [°C].

    Returns
    -------
    list of dict
        ``start_s``, ``duration_h``, ``hours_above_threshold`` and ``stayed_above`` (True
        when the building never dropped below the threshold during the outage).
    """
    out = []
    n = len(temp_op_c)
    for start_s, end_s in outages:
        first = int(np.ceil(start_s / dt_s))
        last = min(n, int(np.ceil(end_s / dt_s)))
        below = np.flatnonzero(temp_op_c[first:last] < threshold_c)
        stayed = below.size == 0
        held_steps = (last - first) if stayed else int(below[0])
        out.append({
            "start_s": float(start_s),
            "duration_h": float((end_s - start_s) / 3600.0),
            "hours_above_threshold": held_steps * dt_s / 3600.0,
            "stayed_above": stayed,
        })
    return out


def _sum_kwh(power_w: np.ndarray, dt_s: float) -> float:
    return float(np.sum(power_w) * dt_s / 3.6e6)


def electricity_kpis(rec: dict[str, np.ndarray], uses_w: dict[str, np.ndarray], dt_s: float, loads_spec) -> dict:
    """Demand by use, PV, grid exchange, self-consumption and self-sufficiency, contracted power.

    Self-consumption ratio = PV used on site (including battery charging) / PV produced;
    self-sufficiency ratio = (demand - grid import) / demand.
    """
    by_use = {k: _sum_kwh(v, dt_s) for k, v in uses_w.items()}
    demand = sum(by_use.values())
    pv = _sum_kwh(rec["pv_w"], dt_s)
    export = _sum_kwh(rec["grid_export_w"], dt_s)
    grid_import = _sum_kwh(rec["grid_import_w"], dt_s)
    peak_kw = float(np.max(rec["grid_import_w"], initial=0.0) / 1e3)
    over_h = None
    limit_kw = None
    if loads_spec is not None and loads_spec.subscribed_kva is not None:
        limit_kw = loads_spec.subscribed_kva * loads_spec.power_factor
        over_h = float((rec["grid_import_w"] > limit_kw * 1e3).sum() * dt_s / 3600.0)
    return {
        "demand_kwh": demand,
        "by_use_kwh": by_use,
        "pv_kwh": pv,
        "pv_self_consumed_kwh": pv - export,
        "pv_exported_kwh": export,
        "grid_import_kwh": grid_import,
        "self_consumption_ratio": (pv - export) / pv if pv > 0 else None,
        "self_sufficiency_ratio": (demand - grid_import) / demand if demand > 0 else None,
        "peak_import_kw": peak_kw,
        "subscribed_kw": limit_kw,
        "hours_above_subscribed": over_h,
    }


def battery_kpis(rec: dict[str, np.ndarray], dt_s: float) -> dict:
    """Energy through the battery and its losses."""
    return {
        "charged_kwh": _sum_kwh(rec["battery_charge_w"], dt_s),
        "discharged_kwh": _sum_kwh(rec["battery_discharge_w"], dt_s),
        "losses_kwh": _sum_kwh(rec["battery_loss_w"], dt_s),
    }


WATER_KEYS = (
    "demand_m3", "rain_harvested_m3", "rain_used_m3", "mains_m3", "overflow_m3", "rain_coverage_ratio",
    "tank_supplies", "pump_kwh", "topup_m3", "days_tank_short", "et0_mm", "tank_size_curve", "rain_savings_eur",
    "mains_by_use_m3",
)
"""Keys of the summary's water group, always present (None when not applicable)."""


def water_kpis(water, dt_s: float) -> dict:
    """Water demand by use, rain harvested and used, mains, overflow, coverage, empty-tank days.

    ``rain_coverage_ratio`` is the share of the demand of the uses the tank serves that rain
    met (Fewkes & Butler's water-saving efficiency).
    """
    demand = {use: float(v.sum()) for use, v in water.demand.items()}
    demand["total"] = float(water.demand.total_m3.sum())
    tank = water.tank
    supplied = float(water.supplied_demand_m3.sum())
    out = {
        "demand_m3": demand,
        "rain_harvested_m3": float(water.inflow_m3.sum()),
        "rain_used_m3": float(tank["from_tank_m3"].sum()) if tank is not None else 0.0,
        "mains_m3": float(water.mains_m3.sum()),
        "overflow_m3": float(tank["overflow_m3"].sum()) if tank is not None else 0.0,
        "rain_coverage_ratio": None,
        "tank_supplies": list(water.supplied_by_tank),
        "pump_kwh": float(water.pump_w.sum() * dt_s / 3.6e6),
    }
    # Mains water per use: uses off the tank entirely; the tank's uses share each step's shortfall
    # in proportion to their demand that step; top-ups refill the tank itself.
    short = tank["from_mains_m3"] if tank is not None else np.zeros_like(water.pump_w)
    total_supplied = water.supplied_demand_m3
    by_use = {}
    for use, demand_m3 in water.demand.items():
        if use in water.supplied_by_tank and tank is not None:
            share = np.divide(demand_m3, total_supplied, out=np.zeros_like(demand_m3), where=total_supplied > 0)
            by_use[use] = float((short * share).sum())
        else:
            by_use[use] = float(demand_m3.sum())
    by_use["tank_topup"] = float(tank["topup_mains_m3"].sum()) if tank is not None else 0.0
    out["mains_by_use_m3"] = by_use
    if tank is not None:
        out["rain_coverage_ratio"] = out["rain_used_m3"] / supplied if supplied > 0 else None
        out["topup_m3"] = float(tank["topup_mains_m3"].sum())
        short = tank["from_mains_m3"] > 1e-12
        steps_per_day = int(round(86400.0 / dt_s))
        days = short[: len(short) // steps_per_day * steps_per_day].reshape(-1, steps_per_day).any(axis=1)
        out["days_tank_short"] = int(days.sum())
    if water.daily_irrigation is not None:
        out["et0_mm"] = float(water.daily_irrigation["et0_mm"].sum())
    return out


CO2_LIMIT_PPM = 1000.0
"""RSDT art. 64.1 limit for occupied rooms [ppm] (tolerance 1,300 ppm), DF §6."""


def air_quality_kpis(co2_ppm: np.ndarray, open_mask: np.ndarray, zone_names: tuple[str, ...], dt_s: float) -> dict:
    """Hours above the CO2 limit while open and the highest step-mean concentration, per zone and worst."""
    hours = ((co2_ppm > CO2_LIMIT_PPM) & open_mask).sum(axis=0) * dt_s / 3600.0
    peak = co2_ppm.max(axis=0)
    return {
        "co2_hours_above_1000ppm": float(hours.max()),
        "co2_max_ppm": float(peak.max()),
        "co2_by_zone": {n: {"hours_above_1000ppm": float(hours[j]), "max_ppm": float(peak[j])}
                        for j, n in enumerate(zone_names)},
    }


def re2020_comfort_kpis(temp_op_c: np.ndarray, temp_out_c: np.ndarray, times, open_mask: np.ndarray,
                        zone_names: tuple[str, ...], dt_s: float, dh_max_c_h: float = 1150.0,
                        fan_air_speed_m_s: np.ndarray | None = None, temp_air_c: np.ndarray | None = None) -> dict:
    """RE2020 degrees-hours of discomfort and EN 16798-1 adaptive categories (docs/comfort.md).

    DH per zone over the open hours inside the adaptive comfort period (twin.physics.comfort), the
    building's value being its worst zone, against the low threshold (350 °C·h) and ``dh_max_c_h``
    (offices, category 1: 1,150 °C·h); and the open hours in each EN 16798-1 category per zone.

    ``fan_air_speed_m_s`` (n, z): the air speed ceiling fans give at each step (0 where off); DH then
    subtracts the RE2020 fan allowance (fiche 8.32, with the zone air ``temp_air_c``) and the EN 16798-1
    categories use the elevated-air-speed allowance. ``dh_no_fans_by_zone`` keeps the DH without them.
    """
    from twin.physics import comfort

    step_h = dt_s / 3600.0
    dh_still = comfort.re2020_dh_c_h(temp_op_c, temp_out_c, times, open_mask, step_h=step_h)
    dh, speed = dh_still, 0.0
    if fan_air_speed_m_s is not None and np.any(fan_air_speed_m_s > 0):
        speed = fan_air_speed_m_s
        theta_rm = comfort.running_mean_outdoor_c(temp_out_c, times)[:, None]
        allowance = comfort.re2020_fan_allowance_k(speed, theta_rm, temp_op_c if temp_air_c is None else temp_air_c)
        dh = comfort.re2020_dh_c_h(temp_op_c, temp_out_c, times, open_mask, step_h=step_h, fan_allowance_k=allowance)
    building = comfort.building_dh_c_h(dh)
    cats = comfort.en16798_hours_by_category(temp_op_c, temp_out_c, times, open_mask, step_h=step_h,
                                             air_speed_m_s=speed)
    return {
        "dh_c_h": building,
        "dh_zone": zone_names[int(np.argmax(dh))] if len(dh) else None,
        "dh_by_zone": {name: float(v) for name, v in zip(zone_names, dh, strict=True)},
        "dh_no_fans_by_zone": {name: float(v) for name, v in zip(zone_names, dh_still, strict=True)},
        "dh_max_c_h": dh_max_c_h,
        "dh_verdict": str(comfort.re2020_dh_class(building, dh_max_c_h=dh_max_c_h)),
        "en16798_hours_by_zone": {name: {k: float(v) for k, v in cats.iloc[j].items()}
                                  for j, name in enumerate(zone_names)},
    }


def ceiling_fan_kpis(fans_w: np.ndarray, fans: list, zone_names: tuple[str, ...],
                     dt_s: float) -> tuple[np.ndarray, dict | None]:
    """The air speed the ceiling fans give while they run, and their electricity.

    ``fans_w`` (n, z) is what the run recorded: a zone's fans (a :class:`twin.scenario.CeilingFans` or
    None per zone) run while the zone is open and its operative temperature at the start of the step
    exceeds ``on_above_c``; their electricity is part of the run's demand and their heat is an
    internal gain of the zone.

    Returns
    -------
    (air_speed_m_s (n, z), summary dict or None when no zone has fans)
    """
    n, nz = fans_w.shape
    speed = np.zeros((n, nz))
    if not any(f is not None for f in fans):
        return speed, None
    hours = dt_s / 3600.0
    by_zone = {}
    for j, f in enumerate(fans):
        if f is None:
            continue
        on = fans_w[:, j] > 0.0
        speed[:, j] = np.where(on, f.air_speed_m_s, 0.0)
        by_zone[zone_names[j]] = {"hours_on": float(on.sum() * hours),
                                  "electricity_kwh": float(fans_w[:, j].sum() * dt_s / 3.6e6)}
    return speed, {
        "electricity_kwh": sum(z["electricity_kwh"] for z in by_zone.values()),
        "by_zone": by_zone,
    }


HEATWAVE_LIMIT_C = 28.0
"""Operative temperature above which a heatwave hour counts (the upper bound of the RE2020 θ_conf) [°C]."""


def heatwave_kpis(temp_op_c: np.ndarray, open_mask: np.ndarray, in_heatwave: np.ndarray,
                  zone_names: tuple[str, ...], dt_s: float, limit_c: float = HEATWAVE_LIMIT_C) -> dict:
    """Resilience to a heatwave: per zone, hours above ``limit_c`` (all hours and open hours) and the
    highest operative temperature over the steps ``in_heatwave`` (n,) bool; the worst zone first."""
    hours = dt_s / 3600.0
    hw = np.asarray(in_heatwave, dtype=bool)[:, None]
    hot = temp_op_c > limit_c
    above = (hot & hw).sum(axis=0) * hours
    above_open = (hot & hw & open_mask).sum(axis=0) * hours
    peak = np.where(hw, temp_op_c, -np.inf).max(axis=0)
    worst = int(np.argmax(peak))
    return {
        "limit_c": limit_c,
        "hours": float(hw.sum() * hours),
        "hours_above_limit": float(above.max()),
        "open_hours_above_limit": float(above_open.max()),
        "max_temp_op_c": float(peak.max()),
        "worst_zone": zone_names[worst],
        "by_zone": {name: {"hours_above_limit": float(above[j]), "open_hours_above_limit": float(above_open[j]),
                           "max_temp_op_c": float(peak[j])} for j, name in enumerate(zone_names)},
    }


def cooling_need_kpis(cooling_w: np.ndarray, setpoint_c: np.ndarray, zone_names: tuple[str, ...], dt_s: float) -> dict | None:
    """Ideal cooling need of the zones that have a cooling set-point [kWh, kW], or None when none has.

    An indicator of where the building would need cooling to hold ``cooling_setpoint_c`` (no chiller
    is simulated and nothing is bought): total, peak and per zone.
    """
    cooled = ~np.isnan(setpoint_c)
    if not cooled.any():
        return None
    by_zone = cooling_w.sum(axis=0) * dt_s / 3.6e6
    return {
        "total_kwh": float(by_zone.sum()),
        "peak_kw": float(cooling_w.sum(axis=1).max() / 1e3),
        "by_zone_kwh": {name: float(v) for name, v, c in zip(zone_names, by_zone, cooled, strict=True) if c},
        "setpoint_c": {name: float(t) for name, t, c in zip(zone_names, setpoint_c, cooled, strict=True) if c},
    }


#: Indoor relative humidity assumed for PMV [%] [E]: the model has no moisture balance; 50 % is the
#: middle of EN 16798-1's category II band (25-60 %) and moves PMV by about 0.1 per 20 points.
PMV_RELATIVE_HUMIDITY_PERCENT = 50.0
#: Air speed without fans [m/s]: still office air, ISO 7730 Annex A's < 0.15 m/s at the occupants.
STILL_AIR_M_S = 0.1


def pmv_kpis(temp_air_c: np.ndarray, temp_op_c: np.ndarray, air_speed_m_s: np.ndarray, temp_out_c: np.ndarray,
             times, open_mask: np.ndarray, zone_names: tuple[str, ...], dt_s: float) -> dict:
    """ISO 7730 PMV and PPD of every zone over its open hours (twin.physics.comfort.pmv_ppd).

    Mean radiant temperature 2 θ_op − θ_air (θ_op is their mean); air speed still (0.1 m/s) or the
    ceiling fans' while they run; 1.2 met; clothing from the running mean outdoor temperature
    (1.0 clo below 10 °C to 0.5 clo above 20 °C); RH 50 % [E]. Per zone: open hours warmer than
    PMV +0.5 and cooler than −0.5 (outside ISO 7730 category B), the highest PMV and the mean PPD.
    """
    from twin.physics import comfort

    theta_rm = comfort.running_mean_outdoor_c(temp_out_c, times)
    # PMV only in the open (step, zone) cells, about a fifth of them.
    clo = np.broadcast_to(np.asarray(comfort.clothing_clo(theta_rm), dtype=float)[:, None], open_mask.shape)[open_mask]
    speed = np.where(air_speed_m_s > 0.0, air_speed_m_s, STILL_AIR_M_S)[open_mask]
    ta, top = temp_air_c[open_mask], temp_op_c[open_mask]
    pmv, ppd = comfort.pmv_ppd(ta, 2.0 * top - ta, speed, PMV_RELATIVE_HUMIDITY_PERCENT, comfort.MET_OFFICE, clo)
    zone_of_cell = np.nonzero(open_mask)[1]
    hours = dt_s / 3600.0
    out = {}
    for j, name in enumerate(zone_names):
        is_open = zone_of_cell == j
        if not is_open.any():
            out[name] = None
            continue
        p = pmv[is_open]
        out[name] = {"hours_warm": float((p > 0.5).sum() * hours), "hours_cool": float((p < -0.5).sum() * hours),
                     "max_pmv": float(p.max()), "mean_ppd_percent": float(ppd[is_open].mean())}
    return out
