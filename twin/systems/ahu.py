"""Air-handling unit: demand-controlled flow, heat recovery with bypass and frost limit, coil, fans.

One balanced AHU serves every zone. Each step it takes the fresh-air flow the
zones ask for, the outdoor temperature and the extract-air temperature (the
flow-weighted mean of the zones' air), and returns the supply temperature after
recovery, the coil power it would need to reach its supply setpoint, the heat
recovered and the fan power. The coil power actually delivered is decided by
the heat-network substation; :meth:`AirHandlingUnit.supply_temp_c` then gives
the supply temperature that results.

Physics in :mod:`twin.physics.air`. Assumptions: balanced supply and extract
flows; fan heat is not added to the supply air (a conservative choice for
heating); no humidity control.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.physics import air
from twin.scenario import Ahu

__all__ = ["AhuFlows", "AhuStep", "AirHandlingUnit", "modulated_effectiveness", "ventilation_flows"]


def modulated_effectiveness(max_effectiveness: float, temp_out_c: float, temp_extract_c: float,
                            supply_setpoint_c: float) -> float:
    """Effectiveness a modulating bypass sets to bring the supply air closest to its setpoint [-].

    Notes
    -----
    The recovered supply is T_hr = T_out + ε (T_ext − T_out); the damper chooses
    ε = clip((T_set − T_out)/(T_ext − T_out), 0, ε_max). In winter the exchanger runs at
    ε_max until the supply would pass the setpoint; in mid-season it throttles rather than
    overheating the zones; in summer, with outdoor air warmer than the extract, it recovers
    coolness. Equal temperatures leave nothing to recover (ε = 0).
    """
    delta = temp_extract_c - temp_out_c
    if abs(delta) < 1e-9:
        return 0.0
    return min(max((supply_setpoint_c - temp_out_c) / delta, 0.0), max_effectiveness)


@dataclass(frozen=True, slots=True)
class AhuFlows:
    flow_m3_s: np.ndarray       # per zone [m3/s]
    total_m3_s: float
    temp_extract_c: float       # flow-weighted mean of the zones' air (outdoor air when off) [°C]
    free_cooling: bool          # recovery bypassed and coil off: the zones are warm, outdoor air is cooler


def ventilation_flows(fresh_air_m3_s: np.ndarray, temp_air_c: np.ndarray, temp_out_c: float,
                      design_flow_m3_s: np.ndarray, night_flush_m3_s: np.ndarray, spec: Ahu) -> AhuFlows:
    """The AHU controller: the flows of one step from the zones' demand and state.

    While any zone is open the flows are the demand-controlled fresh air; when the extract air is
    warmer than ``free_cooling_zone_above_c`` and outdoor air is cooler, the BMS bypasses the
    recovery and raises the open warm zones to their design flow (free cooling). When all are
    closed, zones warmer than ``night_flush_zone_above_c`` with outdoor air at least 2 K cooler get
    the night-flush rate. Decided on the start-of-step air temperatures (what a BMS reads).
    """
    flows = fresh_air_m3_s
    total = float(flows.sum())
    if total > 0.0:
        temp_extract = float(flows @ temp_air_c / total)
        free_cooling = temp_extract > spec.free_cooling_zone_above_c and temp_out_c < temp_extract
        if free_cooling:
            warm = (flows > 0.0) & (temp_air_c > spec.free_cooling_zone_above_c)
            flows = np.where(warm, np.maximum(flows, design_flow_m3_s), flows)
            total = float(flows.sum())
    else:
        flush = (temp_air_c > spec.night_flush_zone_above_c) & (temp_out_c < temp_air_c - 2.0)
        flows = np.where(flush, night_flush_m3_s, 0.0)
        total = float(flows.sum())
        temp_extract = float(flows @ temp_air_c / total) if total > 0.0 else float(temp_out_c)
        free_cooling = total > 0.0
    return AhuFlows(flows, total, temp_extract, free_cooling)


@dataclass(frozen=True, slots=True)
class AhuStep:
    flow_m3_s: float
    temp_after_recovery_c: float
    coil_request_w: float
    recovered_w: float
    fan_w: float
    effectiveness: float
    bypass: bool


class AirHandlingUnit:
    """Stateful wrapper over the AHU physics.

    Parameters
    ----------
    spec
        The ``[ahu]`` section of the model.
    rho_cp_j_m3k
        Volumetric heat capacity of air at the site's pressure and 20 °C,
        the conditions at which flows are specified [J/(m3 K)].
    """

    def __init__(self, spec: Ahu, rho_cp_j_m3k: float):
        self.spec = spec
        self.rho_cp_j_m3k = rho_cp_j_m3k
        self._sfp_w_per_m3_s = spec.sfp_kw_per_m3_s * 1000.0

    def step(self, flow_m3_s: float, temp_out_c: float, temp_extract_c: float, free_cooling: bool,
             recovery_allowed: bool = True) -> AhuStep:
        """Recovery, coil request and fans for one step.

        Parameters
        ----------
        flow_m3_s
            Supply (= extract) flow [m3/s]; 0 when the unit is off.
        temp_out_c, temp_extract_c
            Outdoor and extract air temperatures [°C].
        free_cooling
            The zones are warm: bypass the recovery and leave the coil off.
        recovery_allowed
            False bypasses the exchanger this step (the ``when_heating`` control outside heating).
        """
        if flow_m3_s <= 0.0:
            return AhuStep(0.0, temp_out_c, 0.0, 0.0, 0.0, 0.0, False)
        hr = self.spec.heat_recovery
        bypass = free_cooling and hr.bypass_for_free_cooling
        if bypass or not recovery_allowed:
            effectiveness = 0.0
        elif hr.control == "modulating":
            effectiveness = modulated_effectiveness(hr.effectiveness, temp_out_c, temp_extract_c,
                                                    self.spec.supply_setpoint_c)
        else:
            effectiveness = hr.effectiveness
        temp_hr_c, eff_used = air.heat_recovery_supply_temp_c(
            temp_out_c, temp_extract_c, effectiveness, bypass, hr.frost_limit_exhaust_c
        )
        temp_hr_c = float(temp_hr_c)
        capacity_w_k = self.rho_cp_j_m3k * flow_m3_s
        coil_w = 0.0
        if not free_cooling:
            coil_w = min(max(capacity_w_k * (self.spec.supply_setpoint_c - temp_hr_c), 0.0), self.spec.coil_max_kw * 1e3)
        return AhuStep(
            flow_m3_s=flow_m3_s,
            temp_after_recovery_c=temp_hr_c,
            coil_request_w=coil_w,
            recovered_w=capacity_w_k * (temp_hr_c - temp_out_c),
            fan_w=float(air.fan_power_w(flow_m3_s, self._sfp_w_per_m3_s)),
            effectiveness=float(eff_used),
            bypass=bypass,
        )

    def supply_temp_c(self, step: AhuStep, coil_w: float) -> float:
        """Supply temperature after the coil delivers ``coil_w`` [°C]."""
        if step.flow_m3_s <= 0.0:
            return step.temp_after_recovery_c
        return step.temp_after_recovery_c + coil_w / (self.rho_cp_j_m3k * step.flow_m3_s)
