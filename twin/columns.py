"""The time-series columns of a run, in one registry: name, unit, meaning and where each value comes from.

Every column of ``Results.timeseries``, its Parquet field metadata, ``df.attrs["units"]``, the
xarray attributes and ``docs/glossary.md`` come from :data:`BUILDING` and :data:`ZONE`; a new column is
one entry here. A column's ``values`` reads a finished run (:class:`Run`, over a
:class:`twin.engine.Engine`) and returns one value per step, or None when the system is absent (the
column is then left out).

Every value is the mean power (or the mean state) over the step that ENDS at its timestamp; water
columns are volumes over the step.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["BUILDING", "ZONE", "Column", "Run", "electric_uses_w"]


@dataclass(frozen=True)
class Column:
    """One time-series column: ``name``, ``unit``, ``description`` and ``values(run)`` (None: absent).

    For zone columns ``values(run)`` returns an (n_steps, n_zones) array; the column of zone z is
    named ``<z>.<name>``.
    """

    name: str
    unit: str
    description: str
    values: Callable[[Any], Any]


def _rec(key: str) -> Callable:
    return lambda run: run.rec[key]


def _rec_kw(key: str) -> Callable:
    return lambda run: run.rec[key] / 1e3


def _exo(attr: str) -> Callable:
    return lambda run: getattr(run.exo, attr)


def _use(key: str) -> Callable:
    return lambda run: run.uses_w[key] / 1e3


def _water(get: Callable) -> Callable:
    return lambda run: None if run.exo.water is None else get(run.exo.water)


def _tank(key: str) -> Callable:
    return lambda run: None if run.exo.water is None or run.exo.water.tank is None else run.exo.water.tank[key]


def _zone_rec(key: str) -> Callable:
    return lambda run: run.rec_zone[key]


def _zone_rec_kw(key: str) -> Callable:
    return lambda run: run.rec_zone[key] / 1e3


class Run:
    """A finished engine as the columns read it: its records and inputs, and the electricity by use,
    summed once for every column that needs it."""

    def __init__(self, eng):
        self.eng, self.exo, self.rec, self.rec_zone = eng, eng.exo, eng.rec, eng.rec_zone

    @functools.cached_property
    def uses_w(self) -> dict[str, Any]:
        return electric_uses_w(self.eng)


def electric_uses_w(eng) -> dict[str, Any]:
    """Electricity of every use at every step [W] (the ``by_use`` breakdown of the summary)."""
    import numpy as np

    exo, rec = eng.exo, eng.rec
    zeros = np.zeros(exo.n_steps)
    return {
        "lighting": exo.lighting_w.sum(axis=1),
        "plug": exo.equipment_w.sum(axis=1),
        "fans": rec["fans_w"],
        "pumps": rec["pumps_w"],
        "rainwater_pump": exo.water.pump_w if exo.water is not None else zeros,
        "servers": exo.servers_w,
        "lifts": exo.lifts_w,
        "ev": rec["ev_w"],
        "ceiling_fans": eng.rec_zone["ceiling_fans_w"].sum(axis=1),
    }


BUILDING: tuple[Column, ...] = (
    Column("temp_out_c", "°C", "outdoor dry-bulb air temperature", _exo("temp_out_c")),
    Column("ghi_w_m2", "W/m2", "global horizontal irradiance", _exo("ghi_w_m2")),
    Column("occupants", "persons", "occupants in the building (mean over the step)",
           lambda run: run.exo.occupants.sum(axis=1)),
    Column("heat_request_kw", "kW", "heat asked by emitters and AHU coil before the substation limit",
           _rec_kw("heat_request_w")),
    Column("heat_emitters_kw", "kW", "heat delivered by the zones' emitters", _rec_kw("heat_emitters_w")),
    Column("heat_coil_kw", "kW", "heat delivered by the AHU heating coil", _rec_kw("heat_coil_w")),
    Column("heat_recovered_kw", "kW", "heat recovered from extract air by the AHU", _rec_kw("heat_recovered_w")),
    Column("district_heat_kw", "kW", "heat drawn from the district-heating network (meter)",
           _rec_kw("district_heat_w")),
    Column("heat_loss_kw", "kW", "substation and distribution losses", _rec_kw("heat_loss_w")),
    Column("cooling_need_kw", "kW", "ideal cooling holding the zones' cooling set-points (an indicator: no "
           "chiller, nothing bought)", _rec_kw("cooling_w")),
    Column("network_supply_temp_c", "°C", "secondary supply water temperature from the heating curve",
           _exo("network_supply_c")),
    Column("heat_available", "-", "1 when the heat network supplies, 0 during an outage", _rec("heat_available")),
    Column("solar_gains_kw", "kW", "solar gains of windows (after shading and blinds) and opaque surfaces, less "
           "long-wave radiation to the sky (negative on clear nights)", _rec_kw("solar_w")),
    Column("blinds_closed", "-", "share of zones whose blinds are closed", _rec("blinds_closed")),
    Column("ahu_flow_m3_h", "m3/h", "AHU supply (= extract) air flow", lambda run: run.rec["ahu_flow_m3_s"] * 3600.0),
    Column("ahu_supply_temp_c", "°C", "AHU supply air temperature (empty when the AHU is off)",
           _rec("ahu_supply_temp_c")),
    Column("ahu_effectiveness", "-", "heat-recovery effectiveness used (0 in bypass, reduced by frost protection)",
           _rec("ahu_effectiveness")),
    Column("lighting_kw", "kW", "lighting electricity", _use("lighting")),
    Column("plug_kw", "kW", "plug and process loads (offices, FabLab machines, projectors)", _use("plug")),
    Column("fans_kw", "kW", "AHU fans electricity", _use("fans")),
    Column("pumps_kw", "kW", "heating circulation pump electricity", _use("pumps")),
    Column("servers_kw", "kW", "servers and network base load", _use("servers")),
    Column("lifts_kw", "kW", "lifts electricity", _use("lifts")),
    Column("electricity_kw", "kW", "total electricity demand, EV charging included",
           lambda run: sum(run.uses_w.values()) / 1e3),
    Column("ev_kw", "kW", "EV charging", _use("ev")),
    Column("pv_kw", "kW", "PV AC output of all arrays", _rec_kw("pv_w")),
    Column("battery_kw", "kW", "battery charging (+) or discharging (-) at its terminals",
           lambda run: (run.rec["battery_charge_w"] - run.rec["battery_discharge_w"]) / 1e3),
    Column("battery_kwh", "kWh", "energy stored in the battery at the end of the step", _rec("battery_kwh")),
    Column("grid_import_kw", "kW", "electricity bought from the grid", _rec_kw("grid_import_w")),
    Column("grid_export_kw", "kW", "PV surplus sold to the grid (local cooperative)", _rec_kw("grid_export_w")),
    Column("water_demand_m3", "m3", "water drawn by every use in the step (total, not a rate)",
           _water(lambda w: w.demand.total_m3)),
    Column("water_mains_m3", "m3", "drinking water bought in the step: uses not on the tank, shortfalls, top-ups",
           _water(lambda w: w.mains_m3)),
    Column("rain_inflow_m3", "m3", "harvested rain reaching the tank in the step", _water(lambda w: w.inflow_m3)),
    Column("water_from_tank_m3", "m3", "rainwater drawn from the tank in the step", _tank("from_tank_m3")),
    Column("tank_overflow_m3", "m3", "rainwater spilled by the full tank in the step", _tank("overflow_m3")),
    Column("tank_level_m3", "m3", "water in the tank at the end of the step", _tank("level_after_m3")),
)

ZONE: tuple[Column, ...] = (
    Column("temp_air_c", "°C", "zone air temperature", _zone_rec("temp_air_c")),
    Column("temp_op_c", "°C", "zone operative temperature, (air + mean radiant)/2 (ISO 52016-1 §6.5.5.3)",
           _zone_rec("temp_op_c")),
    Column("setpoint_c", "°C", "heating setpoint in force", _zone_rec("setpoint_c")),
    Column("heating_kw", "kW", "heat delivered by the zone's emitters", _zone_rec_kw("heating_w")),
    Column("cooling_need_kw", "kW", "ideal cooling need at the zone's cooling_setpoint_c (0 without one)",
           _zone_rec_kw("cooling_w")),
    Column("occupants", "persons", "occupants of the zone (mean over the step)", _exo("occupants")),
    Column("co2_ppm", "ppm", "CO2 concentration of the zone air, well mixed (mean over the step)",
           _zone_rec("co2_ppm")),
)
