"""The public entry points: load a scenario, simulate it, get :class:`~twin.results.Results`.

>>> import twin
>>> scenario = twin.load_scenario("scenarios/baseline.toml", seed=2)   # doctest: +SKIP
>>> results = twin.simulate(scenario)                                  # doctest: +SKIP
>>> results.summary["heat"]["district_heat_kwh"]                       # doctest: +SKIP

The CLI calls exactly these functions.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from twin import economics, engine, kpis
from twin.columns import electric_uses_w
from twin.errors import Cancelled, ScenarioError
from twin.results import Results
from twin.scenario import Scenario, load_scenario
from twin.systems.rainwater import tank_size_curve
from twin.weather import Weather, load_weather

__all__ = ["load_scenario", "scenario_weather", "simulate"]

NOT_SIMULATED = "not simulated yet"


def simulate(scenario: Scenario, weather: Weather | None = None, occupancy=None, site=None,
             timeseries: bool = True, cancel: Callable[[], bool] | None = None, detail: bool = True) -> Results:
    """Run one scenario over its period and return its results.

    Parameters
    ----------
    scenario
        From :func:`twin.load_scenario`.
    weather
        Optional weather to use instead of the scenario's source (e.g. the same
        object reused across design options).
    occupancy
        Optional occupancy realisation from :func:`twin.engine.occupancy_for` for the same
        model people, period and seed, reused instead of simulated again (sweeps).
    site
        Optional :class:`twin.engine.SiteInputs` from :func:`twin.engine.site_inputs` for the same
        weather and period: solar position and PV output, reused (comparisons, sweeps, the explorer).
    timeseries
        False skips building the per-step table (``Results.timeseries`` is then None): a sweep's
        variants keep only their summary.
    cancel
        Optional callable without arguments, asked once per simulated day and once more before the
        summary (e.g. ``threading.Event().is_set``): True stops the run with
        :class:`twin.errors.Cancelled` (the explorer, when a newer change arrives). None, or a
        callable that never says True, leaves the results bit-identical.
    detail
        False leaves out of the summary the advice and detail no indicator of the explorer reads (they
        are None): ``comfort.pmv_by_zone``, ``electricity.ev.points_advice``, ``water.tank_size_curve``
        and ``capacity`` (~0.15 s of a year's 0.25 s summary). Every other value is the same.

    Raises
    ------
    twin.errors.TwinError
        On bad input, or a run whose balances do not close.
    twin.errors.Cancelled
        When ``cancel()`` returned True.
    """
    if not isinstance(scenario, Scenario) or scenario.asset is None:
        raise ScenarioError("simulate() expects a scenario from twin.load_scenario(path)")
    if weather is None and scenario.weather.heatwave is not None:
        weather = scenario_weather(scenario)
    eng, meta = engine.run(scenario, weather, occupancy, site, cancel=cancel)
    if cancel is not None and cancel():
        raise Cancelled("run cancelled before its summary")
    return Results(timeseries=_timeseries(eng) if timeseries else None, summary=_summary(scenario, eng, meta, detail),
                   occupancy=eng.exo.occupancy)


def weather_key(scenario: Scenario) -> tuple:
    """Everything :func:`scenario_weather` reads: two scenarios with the same key get the same weather.

    Sweeps and the explorer share one weather year (and its :class:`twin.engine.SiteInputs`, add the
    period) between the runs with the same key.
    """
    ws, loc = scenario.weather, scenario.asset.building.location
    args = dict(year=scenario.period.start.year, seed=scenario.seed if ws.seed is None else ws.seed,
                latitude=loc.latitude_deg, longitude=loc.longitude_deg, altitude_m=loc.altitude_m,
                tz_offset_h=loc.standard_utc_offset_h, climate=ws.climate)
    return str(ws.source), tuple(sorted(args.items())), ws.heatwave


def scenario_weather(scenario: Scenario, seed: int | None = None) -> Weather:
    """The weather a scenario runs with: its source for ``seed`` (default: the scenario's), morphed to
    ``weather.climate``, with ``weather.heatwave`` inserted (twin.climate.insert_heatwave).

    Without a heatwave the peak defaults to 38.3 °C plus the August warming of the climate level.
    """
    from dataclasses import replace

    from twin import climate

    ws = scenario.weather
    seed = (scenario.seed if seed is None else seed) if ws.seed is None else ws.seed
    loc = scenario.asset.building.location
    weather = load_weather(ws.source, year=scenario.period.start.year, seed=seed, latitude=loc.latitude_deg,
                           longitude=loc.longitude_deg, altitude_m=loc.altitude_m,
                           tz_offset_h=loc.standard_utc_offset_h, climate=ws.climate)
    hw = ws.heatwave
    if hw is None:
        return weather
    start = _heatwave_start(scenario, weather.data.index.tz)
    peak = hw.peak_c
    if peak is None:
        peak = max(climate.HEATWAVE_BESANCON_2003_TMAX_C) + float(climate.climate_deltas(ws.climate).loc[8, "dtemp_k"])
    data = climate.insert_heatwave(weather.data, start, peak_c=peak, latitude=weather.latitude,
                                   longitude=weather.longitude, altitude_m=weather.altitude_m)
    return replace(weather, data=data, source=f"{weather.source} | heatwave from {start.date()} (peak {peak:.1f} °C)")


def _heatwave_start(scenario: Scenario, tz) -> pd.Timestamp:
    return pd.Timestamp(f"{scenario.period.start.year}-{scenario.weather.heatwave.start}").tz_localize(tz)


def _heatwave_summary(scenario: Scenario, eng: engine.Engine) -> dict | None:
    """Resilience KPIs over the inserted heatwave's days (None without one)."""
    if scenario.weather.heatwave is None:
        return None
    from twin import climate

    exo = eng.exo
    start = _heatwave_start(scenario, exo.times.tz)
    end = start + pd.Timedelta(days=len(climate.HEATWAVE_BESANCON_2003_TMAX_C))
    step_start = exo.times - pd.Timedelta(seconds=eng.dt_s)
    inside = np.asarray((step_start >= start) & (step_start < end))
    if not inside.any():
        return None
    out = kpis.heatwave_kpis(eng.rec_zone["temp_op_c"], exo.open_mask, inside, eng.zones.arrays.names, eng.dt_s)
    return {"start": start.isoformat(), "end": end.isoformat(), **out}


def _timeseries(eng: engine.Engine) -> pd.DataFrame:
    """The run's per-step table, column by column from the registry (twin.columns)."""
    from twin.columns import BUILDING, ZONE, Run
    from twin.results import column_glossary

    run = Run(eng)
    cols: dict[str, np.ndarray] = {}
    for column in BUILDING:
        values = column.values(run)
        if values is not None:
            cols[column.name] = values
    names = eng.zones.arrays.names
    per_zone = {column.name: column.values(run) for column in ZONE}
    for j, name in enumerate(names):
        for quantity, values in per_zone.items():
            cols[f"{name}.{quantity}"] = values[:, j]
    frame = pd.DataFrame(cols, index=eng.exo.times)
    frame.index.name = "time"
    frame.attrs["units"] = {name: g["unit"] for name, g in column_glossary(names).items() if name in frame.columns}
    return frame


def _occupancy_summary(eng: engine.Engine) -> dict:
    """Results-contract occupancy group: discrete-event KPIs, or person-hours of the schedule model."""
    base = kpis.occupancy_kpis(eng.exo.occupants, eng.dt_s)
    occ = eng.exo.occupancy
    if occ is None:
        return base
    k = occ.kpis
    return {
        **base,
        "visits": int(k["visits_total"]),
        "visits_by_population": k["visits"],
        "peak_occupants": float(k["peak_occupants_building"]),
        "utilisation_by_zone": k["utilisation"],
        "refused_by_zone": k["refused"],
        "training_sessions": k["sessions"],
        "ev_sessions": int(k["ev_sessions"]),
    }


TANK_CURVE_VOLUMES_M3 = (5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 60.0, 80.0, 100.0)


def _tank_size_curve(scenario: Scenario, water) -> list[dict]:
    """Rain coverage of the run's own inflow and demand for other tank volumes (issue 6 curve)."""
    rw = scenario.asset.rainwater
    curve = tank_size_curve(
        TANK_CURVE_VOLUMES_M3, water.inflow_m3, water.supplied_demand_m3,
        dead_volume_m3=rw.dead_volume_m3, pump_kwh_per_m3=rw.pump_kwh_per_m3, rule=rw.rule,
    )
    return curve[["volume_m3", "coverage", "overflow_m3", "mains_m3"]].to_dict(orient="records")


def _ev_summary(eng: engine.Engine, detail: bool = True) -> dict | None:
    if eng.chargers is None:
        return None
    from twin.systems.electrical import ev_points_advice

    served = np.array(eng.chargers.sessions, dtype=float).reshape(-1, 5)
    requested, delivered, from_pv = served[:, 2].sum(), served[:, 3].sum(), served[:, 4].sum()
    ev = eng.model.ev_charging
    sessions = eng.exo.occupancy.ev_sessions if eng.exo.occupancy is not None else None
    # Points advice: the same arrivals replayed with other point counts (cars that cannot wait).
    advice = (ev_points_advice(sessions["arrival_s"], sessions["departure_s"], ev.points)
              if detail and sessions is not None and not ev.wait_if_busy else None)
    return {
        "strategy": eng.chargers.strategy,
        "points": int(ev.points),
        "sessions_served": int(len(served)),
        "sessions_refused": int(eng.ev_refused),
        "refused_share": float(eng.ev_refused / (len(served) + eng.ev_refused)) if len(served) + eng.ev_refused else None,
        "points_advice": advice,
        "requested_kwh": float(requested),
        "delivered_kwh": float(delivered),
        "from_pv_kwh": float(from_pv),
        "pv_share": float(from_pv / delivered) if delivered > 0 else None,
        "service_level": float(delivered / requested) if requested > 0 else None,
    }


def _intensity(scenario: Scenario, district_heat_kwh: float, electricity: dict, floor_area_m2: float) -> dict:
    """Energy use intensity, final and primary [kWh/m2]: heat bought, electricity bought (grid import).

    Final energy counts what crosses the site boundary (PV used on site is not bought); primary
    energy applies the scenario's conversion factors (RE2020: electricity 2.3, heat networks 1.0 [E]).
    """
    pef = scenario.primary_energy_factors
    bought = electricity["grid_import_kwh"]
    return {
        "district_heat": district_heat_kwh / floor_area_m2,
        "electricity": electricity["demand_kwh"] / floor_area_m2,
        "final": (district_heat_kwh + bought) / floor_area_m2,
        "primary": (district_heat_kwh * pef.district_heat + bought * pef.electricity) / floor_area_m2,
    }


def _area_weighted(per_zone: np.ndarray, area_m2: np.ndarray) -> np.ndarray:
    return per_zone @ area_m2 / area_m2.sum()


def _summary(scenario: Scenario, eng: engine.Engine, meta: dict, detail: bool = True) -> dict:
    from twin import __version__
    from twin.systems.design_load import design_heat_load

    exo, rec, rz = eng.exo, eng.rec, eng.rec_zone
    dt_s = eng.dt_s
    names = eng.zones.arrays.names
    heat = kpis.heat_kpis(rec, rz["unmet"].astype(bool), dt_s)
    fan_speed, fans = kpis.ceiling_fan_kpis(rz["ceiling_fans_w"], [z.ceiling_fans for z in scenario.asset.zones],
                                            names, dt_s)
    hn = scenario.asset.heat_network
    heat["subscribed_kw"] = hn.subscribed_kw
    heat["design_day"] = design_heat_load(scenario.asset, eng.zones.networks, eng.ahu, eng.rho_cp_j_m3k,
                                          exo.temp_ground_coldest_c)
    heat["design_day"]["coldest_outdoor_c_in_run"] = float(exo.temp_out_c.min())
    heat["resilience"] = kpis.resilience_hours(
        eng.state.outage_log, _area_weighted(rz["temp_op_c"], eng.zones.arrays.floor_area_m2), dt_s,
        hn.resilience_threshold_c,
    )
    electricity = kpis.electricity_kpis(rec, electric_uses_w(eng), dt_s, scenario.asset.electrical_loads)
    electricity["ev"] = _ev_summary(eng, detail)
    electricity["battery"] = kpis.battery_kpis(rec, dt_s) if eng.battery is not None else None
    water = {key: None for key in kpis.WATER_KEYS}
    if exo.water is not None:
        water.update(kpis.water_kpis(exo.water, dt_s))
    if exo.water is not None and exo.water.tank is not None:
        water["tank_size_curve"] = _tank_size_curve(scenario, exo.water) if detail else None
        water["rain_savings_eur"] = economics.rainwater_savings_eur(
            scenario, water["rain_used_m3"], water["pump_kwh"]
        )
    idx = exo.times
    cost, revenue = economics.operating_costs(
        scenario, pd.Series(rec["district_heat_w"] / 1e3, index=idx), pd.Series(rec["grid_import_w"] / 1e3, index=idx),
        pd.Series(rec["grid_export_w"] / 1e3, index=idx), water["mains_m3"],
    )
    loss = 1.0 + scenario.asset.heat_network.distribution_loss_fraction
    capacity = economics.capacity_advice(
        scenario, pd.Series(rec["heat_request_w"] * loss / 1e3, index=idx), pd.Series(rec["grid_import_w"] / 1e3, index=idx)
    ) if detail else None
    ev = electricity.get("ev")
    if scenario.tariffs.ev_charging_eur_kwh is not None and ev is not None:
        revenue["ev_charging"] = ev["delivered_kwh"] * scenario.tariffs.ev_charging_eur_kwh
    co2 = economics.co2_kg(scenario, heat["district_heat_kwh"], electricity["grid_import_kwh"])
    floor_area = scenario.asset.building.total_floor_area_m2
    return {
        "meta": {
            "scenario": scenario.name,
            "description": scenario.description,
            "model": str(scenario.model),
            "seed": scenario.seed,
            "overrides": dict(scenario.applied_overrides),
            "weather_source": meta["weather_source"],
            "start": (exo.times[0] - pd.Timedelta(seconds=dt_s)).isoformat(),
            "end": exo.times[-1].isoformat(),
            "step_s": int(dt_s),
            "twin_version": __version__,
            "runtime_s": round(meta["runtime_s"], 3),
            "floor_area_m2": floor_area,
            "zones": list(names),
            "occupancy_model": scenario.asset.occupancy_model,
            "not_simulated": {},
            "period_fraction_of_year": cost["period_years"],
            "caveats": economics.period_caveats(cost["period_years"]),
        },
        "heat": heat,
        "electricity": electricity,
        "water": water,
        "comfort": {
            **kpis.comfort_kpis(rz["temp_op_c"], rz["temp_air_c"], rz["setpoint_c"], exo.open_mask, names, dt_s),
            **kpis.air_quality_kpis(rz["co2_ppm"], exo.open_mask, names, dt_s),
            "re2020": kpis.re2020_comfort_kpis(rz["temp_op_c"], exo.temp_out_c, exo.times, exo.open_mask, names, dt_s,
                                               fan_air_speed_m_s=fan_speed, temp_air_c=rz["temp_air_c"]),
            "pmv_by_zone": kpis.pmv_kpis(rz["temp_air_c"], rz["temp_op_c"], fan_speed, exo.temp_out_c, exo.times,
                                         exo.open_mask, names, dt_s) if detail else None,
            "cooling_need": kpis.cooling_need_kpis(rz["cooling_w"], eng.zones.arrays.cooling_setpoint_c, names, dt_s),
            "ceiling_fans": fans,
            "heatwave": _heatwave_summary(scenario, eng),
        },
        "occupancy": _occupancy_summary(eng),
        "intensity_kwh_m2": _intensity(scenario, heat["district_heat_kwh"], electricity, floor_area),
        "cost_eur": cost,
        "operating_cost_eur": economics.whole_operating_cost(scenario, cost, floor_area),
        "capacity": capacity,
        "revenue_eur": revenue,
        "co2_kg": co2,
        "balance": {
            "energy_error_kwh": meta["energy_error_kwh"],
            "energy_throughput_kwh": meta["energy_throughput_kwh"],
            "water_error_m3": meta["water_error_m3"],
        },
    }
