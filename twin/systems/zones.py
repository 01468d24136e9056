"""Thermal zones: the ISO 13790 5R1C network of every zone, advanced together.

The parameters of all zones are held as arrays so that one call advances the
whole building (vectorised over zones). The physics lives in
:mod:`twin.physics.thermal`; this module only turns the model file into
conductances and gains, holds the mass-node temperatures between steps and
returns what each step produced.

Assumptions (see ``docs/physics.md``):

* opaque elements (walls, roof) and the slab on ground form H_tr,op; the slab's share
  either sees a monthly virtual ground temperature through ISO 13370's U (the engine shifts
  its boundary with an exact mass-node term) or, with ``ground_model = "b_factor"``, outdoor air
  through b U A (EN ISO 13789);
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

from twin.physics import ground, thermal
from twin.scenario import ORIENTATION_AZIMUTH_DEG, Envelope, Zone

__all__ = ["ZoneArrays", "ZoneStep", "Zones", "exposed_perimeters_m", "ground_conductances_w_k", "ground_slabs",
           "window_areas_by_orientation"]

ORIENTATIONS = tuple(ORIENTATION_AZIMUTH_DEG)


def exposed_perimeters_m(zones: list[Zone]) -> np.ndarray:
    """Exposed perimeter of each zone's slab on ground [m]: as given, else its external wall length."""
    out = []
    for z in zones:
        if z.ground_floor_area_m2 <= 0.0:
            out.append(0.0)
        elif z.ground_floor_exposed_perimeter_m is not None:
            out.append(z.ground_floor_exposed_perimeter_m)
        else:
            gross = sum(getattr(z.wall_area_m2, o) + getattr(z.window_area_m2, o) for o in ORIENTATIONS)
            out.append(gross / z.height_m)
    return np.array(out)


def ground_slabs(zones: list[Zone], envelope: Envelope) -> list[ground.SlabOnGround | None]:
    """ISO 13370 coefficients of each zone's part of the slab (None without ground floor).

    B' and d_t are those of the whole slab (ISO 13370 §8.1: the characteristic dimension of the
    whole floor applies to each part); the periodic coefficients follow each part's area and
    perimeter.
    """
    areas = np.array([z.ground_floor_area_m2 for z in zones])
    perimeters = exposed_perimeters_m(zones)
    if areas.sum() <= 0.0:
        return [None] * len(zones)
    lam = envelope.ground_conductivity_w_mk
    r_floor = 1.0 / envelope.ground_floor_u_w_m2k - ground.R_SI_FLOOR_M2K_W - ground.R_SE_GROUND_M2K_W
    d_t = ground.equivalent_thickness_m(envelope.ground_wall_thickness_m, lam, r_floor)
    b_prime = ground.characteristic_dimension_m(areas.sum(), perimeters.sum())
    u = float(ground.slab_u_w_m2k(b_prime, d_t, lam))
    delta = ground.penetration_depth_m(lam, envelope.ground_heat_capacity_j_m3k)
    return [ground.slab_on_ground(a, p, u, d_t, lam, delta) if a > 0.0 else None
            for a, p in zip(areas, perimeters, strict=True)]


def ground_conductances_w_k(zones: list[Zone], envelope: Envelope) -> np.ndarray:
    """Steady conductance of each zone's slab on ground [W/K] under the envelope's ground model."""
    if envelope.ground_model == "b_factor":
        return np.array([z.ground_floor_area_m2 for z in zones]) * envelope.ground_floor_u_w_m2k \
            * envelope.ground_temperature_factor
    return np.array([s.h_g_w_k if s is not None else 0.0 for s in ground_slabs(zones, envelope)])


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
        area = np.array([z.floor_area_m2 for z in zones])
        volume = area * np.array([z.height_m for z in zones])
        h_op = (
            walls * (envelope.wall_u_w_m2k + dU)
            + roof * (envelope.roof_u_w_m2k + dU)
            + ground_conductances_w_k(zones, envelope)
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
            a_m_factor=envelope.mass_area_factor,
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
