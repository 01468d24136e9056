"""Heat transfer through a slab on ground: ISO 13370 steady and periodic coefficients, and the
monthly "virtual ground temperature" that lets an hourly model use them (ISO 52016-1 §6.5.8).

The slab loses heat to the ground, which is damped and lagged against outdoor air. ISO 13370
sums a steady part and two annual harmonics (internal and external temperature swings); ISO
52016-1 turns the month's heat flow into a boundary temperature θ_gr,ve behind the floor's
conductance A·U, so that A·U·(θ_i,m − θ_gr,ve,m) = Φ_m every month.

Equations (SI units; A floor area [m²], P exposed perimeter [m], λ ground conductivity [W/(m K)],
ρc its volumetric heat capacity [J/(m³ K)]):

* characteristic dimension B' = A / (0.5 P)                                      ISO 13370 (2)
* total equivalent thickness d_t = w + λ (R_si + R_f + R_se), R_si = 0.17 (heat flow down),
  R_se = 0.04, w the wall thickness, R_f the floor construction                    ISO 13370 (3)
* U = 2λ/(πB' + d_t) · ln(πB'/d_t + 1) if d_t < B', else U = λ/(0.457 B' + d_t)    ISO 13370 (4), (5)
* periodic penetration depth δ = √(3.15·10⁷ λ / (π ρc))                             ISO 13370 (H.1)
* H_pi = A λ/d_t · √(2 / ((1 + δ/d_t)² + 1)),  H_pe = 0.37 P λ ln(δ/d_t + 1)         ISO 13370 Annex H
* Φ_m = A U (θ̄_i − θ̄_e) − H_pi θ̂_i cos(2π(m − τ + α)/12) + H_pe θ̂_e cos(2π(m − τ − β)/12),
  α = 0 and β = 1 month for a slab on ground, τ the coldest month, θ̄ annual means and θ̂
  amplitudes (half the range of the monthly means)                               ISO 13370 Annex H
* the wall/floor junction adds P ψ_g to the steady conductance: H_g = A U + P ψ_g   ISO 13370 §5
  (ψ_g given, or from the 2-D calculation of :mod:`twin.physics.slab_edge`)
* θ_gr,ve,m = θ_i,m − Φ_m / (A U)                                              ISO 52016-1 §6.5.8
  (the floor's network keeps the conductance A U; the edge's loss reaches it through θ_gr,ve)

The Annex-H expressions and the time lead/lag were taken from the ISO 52016-1 implementation of
pybuildingenergy (``Temp_calculation_of_ground``), cross-read with HEM (BS EN ISO 52016-1) for
the ground properties; they are [U] until checked against the printed standard. Ground
properties default to ISO 13370 Table 7 category 2 (sand or gravel: λ = 2.0 W/(m K),
ρc = 2.0·10⁶ J/(m³ K), δ = 3.2 m), the standard's choice when the soil is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "R_SE_GROUND_M2K_W",
    "R_SI_FLOOR_M2K_W",
    "YEAR_S",
    "SlabOnGround",
    "characteristic_dimension_m",
    "equivalent_thickness_m",
    "monthly_heat_flow_w",
    "penetration_depth_m",
    "slab_on_ground",
    "slab_u_w_m2k",
    "virtual_ground_temp_c",
]

#: Internal surface resistance, heat flow downwards [m² K/W] (ISO 6946 Table 7).
R_SI_FLOOR_M2K_W = 0.17
#: External surface resistance used by ISO 13370 for the ground side [m² K/W].
R_SE_GROUND_M2K_W = 0.04
#: Period of the annual cycle in ISO 13370 (H.1) [s].
YEAR_S = 3.15e7


def characteristic_dimension_m(area_m2, perimeter_m):
    """B' = A / (0.5 P) [m] (ISO 13370 eq. 2); infinite without an exposed perimeter."""
    a = np.asarray(area_m2, dtype=float)
    p = np.asarray(perimeter_m, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(p > 0, a / (0.5 * p), np.inf)[()]


def equivalent_thickness_m(wall_thickness_m, conductivity_w_mk, floor_resistance_m2k_w):
    """d_t = w + λ (R_si + R_f + R_se) [m] (ISO 13370 eq. 3)."""
    return wall_thickness_m + conductivity_w_mk * (R_SI_FLOOR_M2K_W + floor_resistance_m2k_w + R_SE_GROUND_M2K_W)


def slab_u_w_m2k(b_prime_m, d_t_m, conductivity_w_mk):
    """U of a slab on ground, the ground included [W/(m² K)] (ISO 13370 eqs. 4 and 5)."""
    b = np.asarray(b_prime_m, dtype=float)
    d = np.asarray(d_t_m, dtype=float)
    lam = conductivity_w_mk
    with np.errstate(divide="ignore", invalid="ignore"):
        thin = 2.0 * lam / (np.pi * b + d) * np.log(np.pi * b / d + 1.0)
        thick = lam / (0.457 * b + d)
    # An infinitely large slab (no exposed perimeter) loses nothing to the ground: ln(x)/x -> 0.
    return np.where(np.isinf(b), 0.0, np.where(d < b, thin, thick))[()]


def penetration_depth_m(conductivity_w_mk, heat_capacity_j_m3k):
    """Annual periodic penetration depth δ [m] (ISO 13370 eq. H.1)."""
    return float(np.sqrt(YEAR_S * conductivity_w_mk / (np.pi * heat_capacity_j_m3k)))


@dataclass(frozen=True)
class SlabOnGround:
    """ISO 13370 coefficients of one floor (or the part of a floor that one zone covers).

    Attributes
    ----------
    area_m2, perimeter_m : float
        Floor area and exposed perimeter of this part [m²], [m].
    u_w_m2k : float
        U with the ground, from the B' of the WHOLE floor (ISO 13370 §8.1) [W/(m² K)].
    h_pi_w_k, h_pe_w_k : float
        Periodic coefficients for internal and external temperature swings [W/K].
    edge_w_k : float
        The wall/floor junction's steady conductance P ψ_g [W/K] (0: a thermally broken edge).
    """

    area_m2: float
    perimeter_m: float
    u_w_m2k: float
    h_pi_w_k: float
    h_pe_w_k: float
    edge_w_k: float = 0.0

    @property
    def floor_w_k(self) -> float:
        """Conductance of the floor with the ground A·U, the one the zone network carries [W/K]."""
        return self.area_m2 * self.u_w_m2k

    @property
    def h_g_w_k(self) -> float:
        """Steady conductance H_g = A·U + P·ψ_g [W/K] (ISO 13370 §5)."""
        return self.floor_w_k + self.edge_w_k


def slab_on_ground(area_m2: float, perimeter_m: float, u_w_m2k: float, d_t_m: float,
                   conductivity_w_mk: float, delta_m: float, edge_psi_w_mk: float = 0.0) -> SlabOnGround:
    """Coefficients of one part of a slab; ``u_w_m2k`` and ``d_t_m`` are those of the whole floor,
    ``edge_psi_w_mk`` the ψ_g of this part's exposed perimeter."""
    h_pi = area_m2 * conductivity_w_mk / d_t_m * np.sqrt(2.0 / ((1.0 + delta_m / d_t_m) ** 2 + 1.0))
    h_pe = 0.37 * perimeter_m * conductivity_w_mk * np.log(delta_m / d_t_m + 1.0)
    return SlabOnGround(float(area_m2), float(perimeter_m), float(u_w_m2k), float(h_pi), float(h_pe),
                        float(perimeter_m * edge_psi_w_mk))


def monthly_heat_flow_w(slab: SlabOnGround, temp_in_monthly_c, temp_out_monthly_c,
                        lead_months: float = 0.0, lag_months: float = 1.0) -> np.ndarray:
    """Mean heat flow from the zone into the ground of each month Φ_m [W] (ISO 13370 Annex H).

    ``temp_in_monthly_c`` and ``temp_out_monthly_c`` are the twelve monthly means (January
    first). τ is the month of the lowest outdoor mean (1-12).
    """
    t_i = np.asarray(temp_in_monthly_c, dtype=float)
    t_e = np.asarray(temp_out_monthly_c, dtype=float)
    if t_i.shape != (12,) or t_e.shape != (12,):
        raise ValueError("monthly temperatures must have 12 values, January first")
    amp_i = 0.5 * (t_i.max() - t_i.min())
    amp_e = 0.5 * (t_e.max() - t_e.min())
    tau = int(np.argmin(t_e)) + 1
    m = np.arange(1, 13)
    return (slab.h_g_w_k * (t_i.mean() - t_e.mean())
            - slab.h_pi_w_k * amp_i * np.cos(2 * np.pi * (m - tau + lead_months) / 12.0)
            + slab.h_pe_w_k * amp_e * np.cos(2 * np.pi * (m - tau - lag_months) / 12.0))


def virtual_ground_temp_c(slab: SlabOnGround, temp_in_monthly_c, temp_out_monthly_c) -> np.ndarray:
    """θ_gr,ve of each month [°C]: the boundary behind A·U that carries Φ_m (ISO 52016-1 §6.5.8)."""
    flow = monthly_heat_flow_w(slab, temp_in_monthly_c, temp_out_monthly_c)
    return np.asarray(temp_in_monthly_c, dtype=float) - flow / slab.floor_w_k
