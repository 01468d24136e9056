"""District-heating substation: subscribed capacity, heating curve, losses, pump, outages.

The substation serves the zones' emitters and the AHU coil. Its output (what
the heat meter reads) is capped by the subscribed capacity; the heat reaching
the emitters and the coil is the output less distribution losses, a fixed share
of it. When the requests exceed what the substation can give, every request is
scaled by the same factor: the zones then fall below their setpoints and the
run reports unmet hours. During an outage nothing is delivered.

Equations
---------
meter = (emitters + coil) * (1 + f_loss),   meter <= P_sub,
T_supply = T_min + (T_design - T_min) * clip((T_limit - T_out) / (T_limit - T_design), 0, 1)

The heating curve is linear between the design point and the heating limit, a
common secondary-side control law (weather compensation).
"""

from __future__ import annotations

import numpy as np

from twin.scenario import HeatNetwork

__all__ = ["Substation", "emitter_capacity_factor", "heating_curve_c"]


def heating_curve_c(temp_out_c, design_outdoor_c, supply_design_c, supply_min_c, limit_outdoor_c):
    """Secondary supply temperature from a linear heating curve [°C], vectorised."""
    share = np.clip((limit_outdoor_c - np.asarray(temp_out_c)) / (limit_outdoor_c - design_outdoor_c), 0.0, 1.0)
    return supply_min_c + (supply_design_c - supply_min_c) * share


def emitter_capacity_factor(supply_c, room_c, design_supply_c, water_drop_k, exponent, design_room_c=20.0):
    """Share of an emitter's design output it can give at a lower supply temperature [-], vectorised.

    Notes
    -----
    EN 442-2 characteristic: Φ = Φ_design (ΔT/ΔT_design)^n, with ΔT the mean water temperature
    (supply − drop/2, the design drop kept at part load as a simplification) above the room air.
    A weather-compensated supply temperature thus caps what the emitters can deliver in mild
    weather, which is what makes the heating curve matter.

    References
    ----------
    EN 442-2:2014, §5 (characteristic equation); n = 1.3 for panel radiators.
    """
    design_dt = design_supply_c - 0.5 * water_drop_k - design_room_c
    dt = np.maximum(np.asarray(supply_c) - 0.5 * water_drop_k - np.asarray(room_c), 0.0)
    return (dt / design_dt) ** exponent


class Substation:
    """The building's district-heating substation.

    ``available`` is switched off and on by the outage processes the engine runs.
    """

    def __init__(self, spec: HeatNetwork):
        self.spec = spec
        #: 1.0 while the network delivers, 0.0 during an outage; a one-element array shared in place
        #: with the compiled kernel (the outage processes switch it).
        self.state = np.ones(1)
        self._capacity_w = spec.subscribed_kw * 1e3
        self._loss = spec.distribution_loss_fraction

    @property
    def available(self) -> bool:
        return bool(self.state[0] == 1.0)

    @available.setter
    def available(self, value: bool) -> None:
        self.state[0] = 1.0 if value else 0.0

    def allocate(self, request_w: float) -> tuple[float, float, float]:
        """Share of each request delivered, meter reading and losses for this step.

        Parameters
        ----------
        request_w
            Sum of the emitters' and the coil's requests [W].

        Returns
        -------
        scale, meter_w, loss_w
            Factor applied to every request [-], heat drawn from the network [W],
            distribution losses [W].
        """
        if not self.available or request_w <= 0.0:
            return 0.0, 0.0, 0.0
        wanted_meter_w = request_w * (1.0 + self._loss)
        scale = min(1.0, self._capacity_w / wanted_meter_w)
        delivered_w = request_w * scale
        return scale, delivered_w * (1.0 + self._loss), delivered_w * self._loss

    def pump_w(self, meter_w: float) -> float:
        """Secondary pump power: on while heat flows [W]."""
        return self.spec.pump_kw * 1e3 if meter_w > 0.0 else 0.0
