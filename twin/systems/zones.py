"""Thermal zones: the ISO 13790 5R1C network of every zone, advanced together.

The parameters of all zones are held as arrays so that one call advances the
whole building (vectorised over zones). The physics lives in
:mod:`twin.physics.thermal`; this module only turns the model file into
conductances and gains, holds the mass-node temperatures between steps and
returns what each step produced.

Assumptions (see ``docs/physics.md``):

* opaque elements (walls, roof) and the slab on ground form H_tr,op; the slab
  uses a b-factor towards outdoor air (EN ISO 13789 adjustment), not ISO 13370;
* linear thermal bridges add ``thermal_bridges_delta_u_w_m2k`` to every opaque U;
* solar gains (windows, opaque surfaces, sky radiation) are computed by the engine
  and arrive here as node gains;
* heat between zones (``zone_links``) is added by the engine to the mass nodes;
* emitters deliver their heat to the air node, up to ``emitter_max_w_m2`` times the
  capacity factor of the supply water temperature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.physics import thermal
from twin.scenario import ORIENTATION_AZIMUTH_DEG, Envelope, Zone

__all__ = ["ZoneArrays", "ZoneStep", "Zones", "window_areas_by_orientation"]

ORIENTATIONS = tuple(ORIENTATION_AZIMUTH_DEG)


def window_areas_by_orientation(zones: list[Zone]) -> np.ndarray:
    """Window areas, shape (n_zones, 4), columns in :data:`ORIENTATIONS` order [m2]."""
    return np.array([[getattr(z.window_area_m2, o) for o in ORIENTATIONS] for z in zones])


@dataclass(frozen=True)
class ZoneArrays:
    """Per-zone constants, each an array of shape (n_zones,)."""

    names: tuple[str, ...]
    floor_area_m2: np.ndarray
    volume_m3: np.ndarray
    h_tr_op_w_k: np.ndarray
    h_tr_w_w_k: np.ndarray
    emitter_max_w: np.ndarray
    infiltration_m3_s: np.ndarray

    @classmethod
    def from_model(cls, zones: list[Zone], envelope: Envelope) -> ZoneArrays:
        dU = envelope.thermal_bridges_delta_u_w_m2k
        walls = np.array([sum(getattr(z.wall_area_m2, o) for o in ORIENTATIONS) for z in zones])
        windows = window_areas_by_orientation(zones).sum(axis=1)
        roof = np.array([z.roof_area_m2 for z in zones])
        ground = np.array([z.ground_floor_area_m2 for z in zones])
        area = np.array([z.floor_area_m2 for z in zones])
        volume = area * np.array([z.height_m for z in zones])
        h_op = (
            walls * (envelope.wall_u_w_m2k + dU)
            + roof * (envelope.roof_u_w_m2k + dU)
            + ground * envelope.ground_floor_u_w_m2k * envelope.ground_temperature_factor
        )
        return cls(
            names=tuple(z.name for z in zones),
            floor_area_m2=area,
            volume_m3=volume,
            h_tr_op_w_k=h_op,
            h_tr_w_w_k=windows * envelope.window_u_w_m2k,
            emitter_max_w=area * np.array([z.heating.emitter_max_w_m2 for z in zones]),
            infiltration_m3_s=volume * np.array([z.ventilation.infiltration_ach for z in zones]) / 3600.0,
        )


class ZoneStep:
    """What one step of the zones produced (arrays of shape (n_zones,))."""

    __slots__ = ("heating_w", "temp_air_c", "temp_op_c", "temp_m_c", "residual_w")

    def __init__(self, heating_w, temp_air_c, temp_op_c, temp_m_c, residual_w):
        self.heating_w = heating_w
        self.temp_air_c = temp_air_c
        self.temp_op_c = temp_op_c
        self.temp_m_c = temp_m_c
        #: gains - losses - storage of each zone's network this step [W]; round-off only
        self.residual_w = residual_w


class Zones:
    """The building's zones: conductances, mass temperatures, one step at a time.

    Parameters
    ----------
    zones, envelope
        From the model file.
    dt_s
        Time step [s].
    initial_temp_c
        Starting temperature of every node [°C].
    """

    def __init__(self, zones: list[Zone], envelope: Envelope, dt_s: float, initial_temp_c: float = 18.0):
        self.arrays = ZoneArrays.from_model(zones, envelope)
        self.dt_s = float(dt_s)
        self.conductances = thermal.rc5_conductances(
            floor_area_m2=self.arrays.floor_area_m2,
            h_tr_op_w_k=self.arrays.h_tr_op_w_k,
            h_tr_w_w_k=self.arrays.h_tr_w_w_k,
            mass_class=envelope.mass_class,
        )
        n = len(zones)
        self.temp_m_c = np.full(n, initial_temp_c)
        self.temp_air_c = np.full(n, initial_temp_c)
        self.temp_s_c = np.full(n, initial_temp_c)
        self.temp_op_c = np.full(n, initial_temp_c)

    def split_gains(self, internal_w: np.ndarray, solar_w: np.ndarray):
        """Split internal and solar gains onto the three nodes (ISO 13790 C.1-C.3), any shape."""
        c = self.conductances
        return thermal.gain_split(internal_w, solar_w, c.h_tr_w_w_k, c.a_m_m2, c.a_t_m2)

    def heating_request_w(self, temp_out_c, temp_sup_c, h_ve_w_k, phi_ia, phi_st, phi_m, setpoint_c,
                          capacity_factor=1.0):
        """Emitter power each zone needs to reach its setpoint this step, within emitter limits [W].

        ``capacity_factor`` scales the emitters' design output (supply water temperature).

        The network is affine in the heating power: one free-floating evaluation and the
        analytic sensitivity give the exact ISO 13790 C.13 power (heating only).
        """
        free = thermal.rc5_step(
            self.temp_m_c, temp_out_c, temp_sup_c, h_ve_w_k, phi_ia, phi_st, phi_m, 0.0,
            self.conductances, self.dt_s, check_inputs=False,
        )
        slope = thermal.rc5_air_sensitivity_k_w(h_ve_w_k, self.conductances, self.dt_s)
        return np.clip((setpoint_c - free.theta_air_c) / slope, 0.0, self.arrays.emitter_max_w * capacity_factor)

    def advance(self, temp_out_c, temp_sup_c, h_ve_w_k, phi_ia, phi_st, phi_m, heating_w) -> ZoneStep:
        """Advance every zone by one step with the heating power actually delivered."""
        prev_m = self.temp_m_c
        state = thermal.rc5_step(
            prev_m, temp_out_c, temp_sup_c, h_ve_w_k, phi_ia, phi_st, phi_m, heating_w,
            self.conductances, self.dt_s, check_inputs=False,
        )
        flows = thermal.rc5_heat_flows_w(
            prev_m, state, temp_out_c, temp_sup_c, h_ve_w_k, phi_ia, phi_st, phi_m, heating_w,
            self.conductances, self.dt_s,
        )
        self.temp_m_c = state.theta_m_c
        self.temp_air_c = state.theta_air_c
        self.temp_s_c = state.theta_s_c
        self.temp_op_c = state.theta_op_c
        return ZoneStep(heating_w, state.theta_air_c, state.theta_op_c, state.theta_m_c, flows.residual_w)
