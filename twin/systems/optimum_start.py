"""Adaptive optimum start: the BMS restarts the heating just early enough to be warm at opening.

Method (the temperature-gradient optimum start of commercial controllers; Seem, Armstrong &
Hancock 1989 review this family and its regression refinements):

* each zone carries a warm-up rate r [h/K], the time its heating needs per kelvin of recovery;
* during the setback, the zone switches to its occupied setpoint at the first step when the
  time left before opening t_open [h] is no more than the lead it needs,
  ``t_open <= min(r (θ_set,open − θ_op), lead_max)``, and stays there until opening;
* each warm-up is observed: from the start, at θ_op,0, until θ_op first reaches
  ``θ_set,open − REACHED_TOLERANCE_K`` (1 K) or the opening comes, after t_obs hours at θ_op,1:
  r_obs = t_obs / (θ_op,1 − θ_op,0), the rate actually achieved. r is the slowest of the last
  :data:`HISTORY_DAYS` observations: a cold snap lengthens the lead at once, milder mornings
  shorten it after a working week (the mean would open cold on every morning slower than average,
  Mondays after the weekend setback first);
* the first guess is the fixed lead the model states spread over the full setback,
  ``r_0 = lead_max / (θ_set,open − θ_set,closed)``, so an untrained start from the setback
  temperature is the fixed one.

The target is the **operative** temperature θ_op (the comfort quantity of EN 16798-1 and
ISO 7730), while the emitters control the air: in the 5R1C network the air node has no heat
capacity and reaches its setpoint within a step once heated, so a controller learning on air
temperature would learn a near-zero warm-up and open with cold walls; the operative temperature
waits for the surfaces. The decision uses θ_op at the end of the previous step (what a BMS
reads), so the setpoint stays a control input and the 5R1C step remains exact. Warm-ups with
less rise than :data:`MIN_RECOVERY_K` teach nothing about the rate and are not learned from.
Units: hours, kelvin, °C.

References
----------
Seem, J. E., Armstrong, P. R., Hancock, C. E. (1989), Algorithms for predicting recovery time
from night setback, ASHRAE Transactions 95(2), 439-446.
Johnson Controls, Metasys Optimal Start object: daily adaptation of the warm-up constant
("Adaptation Enabled"), https://docs.johnsoncontrols.com (Optimal Start Equation).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from twin.kpis import COLD_OPERATIVE_MARGIN_K

__all__ = ["HISTORY_DAYS", "MIN_RECOVERY_K", "REACHED_TOLERANCE_K", "OptimumStart"]

#: Recent warm-ups whose slowest sets the learned rate [-]: about a working week.
HISTORY_DAYS = 5
#: The operative temperature counts as warm within this margin below the (air) setpoint [K]: the
#: air is held at the setpoint while the walls catch up, so θ_op only tends to it. The same margin
#: defines the "cold open hours" comfort KPI (EN 16798-1 category step, see twin.kpis).
REACHED_TOLERANCE_K = COLD_OPERATIVE_MARGIN_K
#: Warm-ups with less rise than this are not learned from [K].
MIN_RECOVERY_K = 0.5


class OptimumStart:
    """Learned warm-up of each zone and the setpoint it implies, one step at a time.

    Parameters
    ----------
    enabled : array of bool, shape (z,)
        Zones under optimum start (the others keep their exogenous setpoint).
    max_lead_h : array, shape (z,)
        Longest allowed warm-up [h].
    setpoint_open_c, setpoint_closed_c : array, shape (z,)
        Occupied and setback setpoints [°C].
    dt_s : float
        Step [s].
    """

    def __init__(self, enabled, max_lead_h, setpoint_open_c, setpoint_closed_c, dt_s: float):
        self.enabled = np.asarray(enabled, dtype=bool)
        self.max_lead_h = np.asarray(max_lead_h, dtype=float)
        self.setpoint_open_c = np.asarray(setpoint_open_c, dtype=float)
        swing_k = np.maximum(self.setpoint_open_c - np.asarray(setpoint_closed_c, dtype=float), 1.0)
        self.rate_h_per_k = np.where(self.enabled, self.max_lead_h / swing_k, 0.0)
        self.dt_h = float(dt_s) / 3600.0
        n = len(self.enabled)
        self.active = np.zeros(n, dtype=bool)      # warming up, setpoint held at the occupied value
        self.observing = np.zeros(n, dtype=bool)   # warm-up not yet observed to its end
        self.start_temp_c = np.zeros(n)
        self.elapsed_h = np.zeros(n)
        self.history: list[deque[float]] = [deque(maxlen=HISTORY_DAYS) for _ in range(n)]
        self.warmups = np.zeros(n, dtype=int)       # warm-ups started, per zone (diagnostic)

    def lead_h(self, temp_op_c: np.ndarray) -> np.ndarray:
        """Warm-up time each zone needs from the operative temperature ``temp_op_c`` [h], capped."""
        gap_k = np.maximum(self.setpoint_open_c - temp_op_c, 0.0)
        return np.minimum(self.rate_h_per_k * gap_k, self.max_lead_h)

    def setpoint_c(self, hours_to_open: np.ndarray, temp_op_c: np.ndarray, base_setpoint_c: np.ndarray) -> np.ndarray:
        """Air setpoint of this step: the occupied one for zones warming up, else ``base_setpoint_c``.

        ``hours_to_open`` counts this step: 0 while open, ``dt`` on the last closed step;
        ``temp_op_c`` is the operative temperature at the end of the previous step.
        """
        closed = hours_to_open > 0.0
        start = self.enabled & closed & ~self.active & (hours_to_open <= self.lead_h(temp_op_c) + 1e-9)
        if np.any(start):
            self.active |= start
            self.observing |= start
            self.start_temp_c = np.where(start, temp_op_c, self.start_temp_c)
            self.elapsed_h = np.where(start, 0.0, self.elapsed_h)
            self.warmups += start
        self.active &= closed
        return np.where(self.active, self.setpoint_open_c, base_setpoint_c)

    def observe(self, hours_to_open: np.ndarray, temp_op_c: np.ndarray) -> None:
        """Learn from the step just simulated (operative temperature ``temp_op_c`` at its end)."""
        if not np.any(self.observing):
            return
        self.elapsed_h = np.where(self.observing, self.elapsed_h + self.dt_h, self.elapsed_h)
        reached = self.observing & (temp_op_c >= self.setpoint_open_c - REACHED_TOLERANCE_K)
        opened = self.observing & ~reached & (hours_to_open <= self.dt_h + 1e-9)
        for j in np.flatnonzero(reached | opened):
            rise_k = temp_op_c[j] - self.start_temp_c[j]
            if rise_k >= MIN_RECOVERY_K:
                self.history[j].append(self.elapsed_h[j] / rise_k)
                self.rate_h_per_k[j] = float(np.max(self.history[j]))
            self.observing[j] = False

    def copy_learning_from(self, other: OptimumStart) -> None:
        """Carry the learned rates (e.g. from the warm-up days) into this controller."""
        self.rate_h_per_k = other.rate_h_per_k.copy()
        self.history = [deque(h, maxlen=HISTORY_DAYS) for h in other.history]
