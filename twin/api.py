"""The public entry points: load a scenario, simulate it, get :class:`~twin.results.Results`.

>>> import twin
>>> scenario = twin.load_scenario("scenarios/baseline.toml", seed=2)   # doctest: +SKIP
>>> results = twin.simulate(scenario)                                  # doctest: +SKIP
>>> results.summary["heat"]["district_heat_kwh"]                       # doctest: +SKIP

The CLI calls exactly these functions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin import economics, engine, kpis
from twin.errors import ScenarioError
from twin.results import Results
from twin.scenario import Scenario, load_scenario
from twin.weather import Weather

__all__ = ["load_scenario", "simulate"]

NOT_SIMULATED = "not simulated yet"


def simulate(scenario: Scenario, weather: Weather | None = None) -> Results:
    """Run one scenario over its period and return its results.

    Parameters
    ----------
    scenario
        From :func:`twin.load_scenario`.
    weather
        Optional weather to use instead of the scenario's source (e.g. the same
        object reused across design options).

    Raises
    ------
    twin.errors.TwinError
        On bad input, or a run whose balances do not close.
    """
    if not isinstance(scenario, Scenario) or scenario.asset is None:
        raise ScenarioError("simulate() expects a scenario from twin.load_scenario(path)")
    eng, meta = engine.run(scenario, weather)
    return Results(timeseries=_timeseries(eng), summary=_summary(scenario, eng, meta), occupancy=eng.exo.occupancy)


def _electric_uses_w(eng: engine.Engine) -> dict[str, np.ndarray]:
    exo, rec = eng.exo, eng.rec
    return {
        "lighting": exo.lighting_w.sum(axis=1),
        "plug": exo.equipment_w.sum(axis=1),
        "fans": rec["fans_w"],
        "pumps": rec["pumps_w"],
        "servers": exo.servers_w,
        "lifts": exo.lifts_w,
    }


def _timeseries(eng: engine.Engine) -> pd.DataFrame:
    exo, rec, rz = eng.exo, eng.rec, eng.rec_zone
    uses = _electric_uses_w(eng)
    cols: dict[str, np.ndarray] = {
        "temp_out_c": exo.temp_out_c,
        "ghi_w_m2": exo.ghi_w_m2,
        "occupants": exo.occupants.sum(axis=1),
        "heat_request_kw": rec["heat_request_w"] / 1e3,
        "heat_emitters_kw": rec["heat_emitters_w"] / 1e3,
        "heat_coil_kw": rec["heat_coil_w"] / 1e3,
        "heat_recovered_kw": rec["heat_recovered_w"] / 1e3,
        "district_heat_kw": rec["district_heat_w"] / 1e3,
        "heat_loss_kw": rec["heat_loss_w"] / 1e3,
        "heat_available": rec["heat_available"],
        "solar_gains_kw": rec["solar_w"] / 1e3,
        "blinds_closed": rec["blinds_closed"],
        "ahu_flow_m3_h": rec["ahu_flow_m3_s"] * 3600.0,
        "ahu_supply_temp_c": rec["ahu_supply_temp_c"],
        "ahu_effectiveness": rec["ahu_effectiveness"],
        "lighting_kw": uses["lighting"] / 1e3,
        "plug_kw": uses["plug"] / 1e3,
        "fans_kw": uses["fans"] / 1e3,
        "pumps_kw": uses["pumps"] / 1e3,
        "servers_kw": uses["servers"] / 1e3,
        "lifts_kw": uses["lifts"] / 1e3,
        "electricity_kw": sum(uses.values()) / 1e3,
    }
    for j, name in enumerate(eng.zones.arrays.names):
        cols[f"{name}.temp_air_c"] = rz["temp_air_c"][:, j]
        cols[f"{name}.temp_op_c"] = rz["temp_op_c"][:, j]
        cols[f"{name}.setpoint_c"] = exo.setpoint_c[:, j]
        cols[f"{name}.heating_kw"] = rz["heating_w"][:, j] / 1e3
        cols[f"{name}.occupants"] = exo.occupants[:, j]
    frame = pd.DataFrame(cols, index=exo.times)
    frame.index.name = "time"
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


def _area_weighted(per_zone: np.ndarray, area_m2: np.ndarray) -> np.ndarray:
    return per_zone @ area_m2 / area_m2.sum()


def _summary(scenario: Scenario, eng: engine.Engine, meta: dict) -> dict:
    from twin import __version__

    exo, rec, rz = eng.exo, eng.rec, eng.rec_zone
    dt_s = eng.dt_s
    names = eng.zones.arrays.names
    heat = kpis.heat_kpis(rec, rz["unmet"].astype(bool), dt_s)
    hn = scenario.asset.heat_network
    heat["subscribed_kw"] = hn.subscribed_kw
    heat["resilience"] = kpis.resilience_hours(
        eng.state.outage_log, _area_weighted(rz["temp_op_c"], eng.zones.arrays.floor_area_m2), dt_s,
        hn.resilience_threshold_c,
    )
    uses_kwh = {k: float(v.sum() * dt_s / 3.6e6) for k, v in _electric_uses_w(eng).items()}
    uses_kwh["ev"] = None
    demand_kwh = sum(v for v in uses_kwh.values() if v is not None)
    electricity = {
        "demand_kwh": demand_kwh,
        "by_use_kwh": uses_kwh,
        "pv_kwh": None,
        "pv_self_consumed_kwh": None,
        "pv_exported_kwh": None,
        "grid_import_kwh": None,
        "self_consumption_ratio": None,
        "self_sufficiency_ratio": None,
    }
    water = {
        "demand_m3": None, "rain_harvested_m3": None, "rain_used_m3": None, "mains_m3": None,
        "overflow_m3": None, "rain_coverage_ratio": None,
    }
    period_years = exo.n_steps * dt_s / (365.0 * 86400.0)
    # Until PV lands (issue 5), every kWh of demand is bought from the grid.
    cost, revenue = economics.operating_costs(scenario, heat["district_heat_kwh"], demand_kwh, period_years)
    co2 = economics.co2_kg(scenario, heat["district_heat_kwh"], demand_kwh)
    floor_area = scenario.asset.building.total_floor_area_m2
    return {
        "meta": {
            "scenario": scenario.name,
            "description": scenario.description,
            "model": str(scenario.model),
            "seed": scenario.seed,
            "weather_source": meta["weather_source"],
            "start": exo.times[0].isoformat(),
            "end": exo.times[-1].isoformat(),
            "step_s": int(dt_s),
            "twin_version": __version__,
            "runtime_s": round(meta["runtime_s"], 3),
            "floor_area_m2": floor_area,
            "zones": list(names),
            "occupancy_model": scenario.asset.occupancy_model,
            "not_simulated": {
                "electricity": "PV, EV charging and grid exchange come with issue 5; electricity cost assumes all demand is bought",
                "water": "rainwater and water balance come with issue 6",
            },
        },
        "heat": heat,
        "electricity": electricity,
        "water": water,
        "comfort": kpis.comfort_kpis(rz["temp_op_c"], rz["temp_air_c"], exo.setpoint_c, exo.open_mask, names, dt_s),
        "occupancy": _occupancy_summary(eng),
        "intensity_kwh_m2": {
            "district_heat": heat["district_heat_kwh"] / floor_area,
            "electricity": demand_kwh / floor_area,
        },
        "cost_eur": cost,
        "revenue_eur": revenue,
        "co2_kg": co2,
        "balance": {
            "energy_error_kwh": meta["energy_error_kwh"],
            "energy_throughput_kwh": meta["energy_throughput_kwh"],
            "water_error_m3": None,
        },
    }
