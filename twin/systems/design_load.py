"""Design heat load: the steady heat the building needs at the design outdoor temperature.

The subscription advice (:func:`twin.economics.capacity_advice`) reads the peak of the simulated
year, whose coldest hour is often far above the design temperature (the embedded Besançon years
rarely go below −6 °C; the Doubs design temperature below 400 m is −10 °C, NF EN 12831 national
annex). This check answers the question a heating engineer asks first: what does the building
draw on the coldest design day, with nobody inside and no sun?

Method, in the spirit of EN 12831-1:2017 §6 (design transmission and ventilation heat losses) but
on twin's own zone networks rather than the standard's tabulated U-values:

* transmission, per zone: the steady state of the zone's network (every layer, window, slab and
  thermal bridge of the model) with the outdoor channel at θ_e, the ground channel at the coldest
  month's ISO 13370 virtual ground temperature (the boundary the run uses), no sun, no internal
  gains, no long-wave sky loss, zone links at zero exchange (every zone at its own set-point), and
  the air node held at the zone's occupied heating set-point θ_int:
  Φ_T = (K x − B u)_air [W];
* infiltration: Φ_inf = ρc q_inf (θ_int − θ_e);
* mechanical ventilation at the design fresh-air flows (per person at capacity plus per area), with
  the AHU as modelled (recovery with its frost limit, then the coil up to its maximum):
  the zones heat the supply air from θ_su to θ_int, Φ_V = ρc q (θ_int − θ_su), and the coil delivers
  ρc q (θ_su − θ_hr);
* substation: (Σ Φ + coil) × (1 + distribution losses).

Not included (stated in the result): the reheat allowance after set-back (EN 12831-1 §6.3.4, Φ_RH),
which depends on the boost time the operator accepts.
"""

from __future__ import annotations

import numpy as np

__all__ = ["design_fresh_air_m3_h", "design_heat_load", "fresh_air_per_person_m3_h"]


def fresh_air_per_person_m3_h(zones) -> np.ndarray:
    """Fresh air per occupant of each zone [m3/(h person)], public and staff rates weighted by the staff share.

    Notes
    -----
    q = (1 - s) q_public + s q_staff: the public breathes at the RSDT art. 64.1 rate, staff at the Code du
    travail R4222-6 rate, and the requirements add up when both share a room (RSDT art. 62).
    """
    return np.array([z.ventilation.per_person_m3_h for z in zones])


def design_fresh_air_m3_h(zones) -> np.ndarray:
    """Design fresh air of each zone [m3/h]: per person at capacity plus the per-area minimum.

    The rate per person is the zone's mean over public and staff
    (:attr:`twin.scenario.ZoneVentilation.per_person_m3_h`).
    """
    per_person = fresh_air_per_person_m3_h(zones)
    capacity = np.array([z.occupancy.capacity_persons for z in zones], dtype=float)
    per_area = np.array([z.ventilation.min_fresh_air_m3_h_m2 * z.floor_area_m2 for z in zones])
    return per_person * capacity + per_area


def design_heat_load(model, networks, ahu, rho_cp_j_m3k: float, temp_ground_c: np.ndarray,
                     temp_out_c: float | None = None) -> dict:
    """Steady design heat load of the building [kW], per zone and by part.

    Parameters
    ----------
    model
        The building (its zones, AHU and heat network).
    networks
        The zones' :class:`twin.physics.zone_network.ZoneNetwork` (model order).
    ahu
        The :class:`twin.systems.ahu.AirHandlingUnit` of the run.
    rho_cp_j_m3k
        Volumetric heat capacity of air at the flows' reference conditions [J/(m3 K)].
    temp_ground_c
        Ground boundary temperature of each zone [°C] (the coldest month's virtual ground temperature);
        NaN where the slab leads to outdoor air (the b-factor ground model) or there is none: θ_e.
    temp_out_c
        Design outdoor temperature [°C]; default the model's ``heat_network.design_outdoor_c``.

    Returns
    -------
    dict
        ``temp_out_c``; ``zones`` {name: {temp_int_c, transmission_kw, infiltration_kw, ventilation_kw}};
        ``coil_kw``, ``recovery_effectiveness`` (after the frost limit), ``supply_temp_c``;
        ``total_kw`` (delivered to zones and coil) and ``substation_kw`` (with distribution losses).
    """
    theta_e = model.heat_network.design_outdoor_c if temp_out_c is None else float(temp_out_c)
    zones = model.zones
    theta_int = np.array([z.heating.setpoint_open_c for z in zones])
    volume = np.array([z.floor_area_m2 * z.height_m for z in zones])
    h_inf = rho_cp_j_m3k * volume * np.array([z.ventilation.infiltration_ach for z in zones]) / 3600.0
    transmission = np.empty(len(zones))
    for j, net in enumerate(networks):
        u = np.zeros(len(net.channels))
        u[net.channels.index("temp_out")] = theta_e
        u[net.channels.index("temp_ground")] = theta_e if np.isnan(temp_ground_c[j]) else temp_ground_c[j]
        k, bu, a = net.conductance_w_k, net.input_matrix @ u, net.air
        rest = np.arange(net.n_nodes) != a
        x = np.empty(net.n_nodes)
        x[a] = theta_int[j]
        x[rest] = np.linalg.solve(k[np.ix_(rest, rest)], bu[rest] - k[rest, a] * theta_int[j])
        transmission[j] = float(k[a] @ x - bu[a])
    flow = design_fresh_air_m3_h(zones) / 3600.0
    total_flow = float(flow.sum())
    coil_w, supply_c, eps = 0.0, theta_e, 0.0
    if total_flow > 0.0:
        extract_c = float(flow @ theta_int / total_flow)
        step = ahu.step(total_flow, theta_e, extract_c, free_cooling=False)
        coil_w, eps = step.coil_request_w, step.effectiveness
        supply_c = step.temp_after_recovery_c + coil_w / (rho_cp_j_m3k * total_flow)
    ventilation = rho_cp_j_m3k * flow * (theta_int - supply_c)
    infiltration = h_inf * (theta_int - theta_e)
    total_w = float(transmission.sum() + infiltration.sum() + ventilation.sum() + coil_w)
    loss = model.heat_network.distribution_loss_fraction
    return {
        "temp_out_c": theta_e,
        "zones": {z.name: {"temp_int_c": float(theta_int[j]), "transmission_kw": float(transmission[j] / 1e3),
                           "infiltration_kw": float(infiltration[j] / 1e3), "ventilation_kw": float(ventilation[j] / 1e3)}
                  for j, z in enumerate(zones)},
        "coil_kw": coil_w / 1e3,
        "recovery_effectiveness": float(eps),
        "supply_temp_c": float(supply_c),
        "total_kw": total_w / 1e3,
        "substation_kw": total_w * (1.0 + loss) / 1e3,
        "excludes": "reheat after set-back (EN 12831-1 §6.3.4)",
    }
