"""Layered constructions: surface films, thermal transmittance (ISO 6946) and the finite-volume
discretisation of each layer into nodes for the zone network (:mod:`twin.physics.zone_network`).

A construction is an ordered list of homogeneous layers, **outside to inside**, each with a
thickness d [m], a conductivity λ [W/(m K)], a density ρ [kg/m³] and a specific heat c
[J/(kg K)]. Inhomogeneous layers (insulation between studs) are entered with an equivalent
conductivity (ISO 6946 §6.7 combined method, or a manufacturer's λ_eq); air layers with the
conductivity d/R of their tabulated resistance.

Equations
---------
* surface resistances from the film coefficients of ISO 6946:2017 Annex C:
  R_s = 1/(h_c + h_r), h_r = ε h_r0 with ε = 0.9; h_r0 = 5.7 W/(m² K) at 20 °C inside and
  4.6 W/(m² K) at 0 °C outside (Table C.1); h_ci = 2.5 (horizontal heat flow), 5.0 (upwards),
  0.7 (downwards) W/(m² K); h_ce = 4 + 4 v = 20 W/(m² K) at the design wind of 4 m/s (C.8).
  These give back the tabulated R_si = 0.13 / 0.10 / 0.17 and R_se = 0.04 m² K/W (Table 7);
* U = 1 / (R_si + Σ d_j/λ_j + R_se)                                          ISO 6946 eq. (1), (7)
* discretisation: layer j is cut into n_j = ceil(d_j / d_max,j) equal sub-layers with
  d_max,j = δ_j / 3, δ_j = √(a_j P/π) the periodic penetration depth of the daily cycle
  (P = 86,400 s, a = λ/(ρc)), at most :data:`MAX_SUBLAYERS` per layer. Each sub-layer is one node
  at its centre holding ρ c d; neighbouring nodes are joined by 1/(d_k/(2λ_k) + d_l/(2λ_l)); the
  two faces are massless surface nodes joined to the outermost sub-layers by 2λ/d. A node per
  third of the daily penetration depth resolves the daily wave to a few percent in amplitude
  (tested against the analytical semi-infinite solid in ``tests/physics/test_zone_network.py``).

References
----------
ISO 6946:2017, Building components and building elements - Thermal resistance and thermal
transmittance - Calculation methods, §6.2, §6.8, Table 7, Annex C.
ISO 52016-1:2017, §6.5.7 (nodes of opaque elements; this module uses more nodes where the
layers ask for it, the standard five being a minimum).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported by discretise: validating a model uses the films and layers only
    import numpy as np

__all__ = [
    "DAY_S",
    "EMISSIVITY",
    "H_CE_W_M2K",
    "H_CI_W_M2K",
    "H_RE_W_M2K",
    "H_RI_W_M2K",
    "MAX_SUBLAYERS",
    "Layer",
    "Sublayers",
    "discretise",
    "r_se_m2k_w",
    "r_si_m2k_w",
    "resistance_m2k_w",
    "u_value_w_m2k",
]

#: Long-wave emissivity of building surfaces assumed by the ISO 6946 design films [-].
EMISSIVITY = 0.9
#: Internal convective film by position of the surface [W/(m² K)], ISO 6946:2017 Annex C.2:
#: a wall (horizontal heat flow) 2.5, a ceiling (heat flowing up into it) 5.0, a floor (heat
#: flowing down into it) 0.7.
H_CI_W_M2K = {"wall": 2.5, "ceiling": 5.0, "floor": 0.7}
#: Internal radiative film ε h_r0 = 0.9 x 5.7 at 20 °C [W/(m² K)], ISO 6946:2017 Table C.1.
H_RI_W_M2K = EMISSIVITY * 5.7
#: External convective film at 4 m/s, h_ce = 4 + 4 v [W/(m² K)], ISO 6946:2017 eq. (C.8).
H_CE_W_M2K = 20.0
#: External radiative film ε h_r0 = 0.9 x 4.6 at 0 °C [W/(m² K)], ISO 6946:2017 Table C.1.
H_RE_W_M2K = EMISSIVITY * 4.6
#: Most sub-layers one layer is cut into [-] (bounds the network size).
MAX_SUBLAYERS = 6
#: Period of the daily cycle used to size the sub-layers [s].
DAY_S = 86_400.0


def r_si_m2k_w(position: str) -> float:
    """Internal surface resistance of a face in ``position`` ('wall', 'ceiling', 'floor') [m² K/W]."""
    return 1.0 / (H_CI_W_M2K[position] + H_RI_W_M2K)


def r_se_m2k_w() -> float:
    """External surface resistance at the ISO 6946 design conditions [m² K/W] (≈ 0.04)."""
    return 1.0 / (H_CE_W_M2K + H_RE_W_M2K)


@dataclass(frozen=True)
class Layer:
    """One homogeneous layer of a construction (SI units)."""

    thickness_m: float
    conductivity_w_mk: float
    density_kg_m3: float
    specific_heat_j_kgk: float

    @property
    def resistance_m2k_w(self) -> float:
        return self.thickness_m / self.conductivity_w_mk

    @property
    def heat_capacity_j_m2k(self) -> float:
        return self.density_kg_m3 * self.specific_heat_j_kgk * self.thickness_m


def resistance_m2k_w(layers: list[Layer] | tuple[Layer, ...]) -> float:
    """Σ d/λ of the layers, surface to surface [m² K/W]."""
    return float(sum(layer.resistance_m2k_w for layer in layers))


def u_value_w_m2k(layers, r_si: float, r_se: float) -> float:
    """Thermal transmittance 1/(R_si + Σ d/λ + R_se) [W/(m² K)] (ISO 6946 eq. 1 and 7)."""
    return 1.0 / (r_si + resistance_m2k_w(layers) + r_se)


@dataclass(frozen=True)
class Sublayers:
    """A construction cut into nodes, outside to inside, per m² of element.

    ``capacity_j_m2k[k]`` is the heat capacity of sub-layer node k; ``conductance_w_m2k`` has one
    more entry than nodes: [outer face -> node 0, node 0 -> node 1, ..., node n-1 -> inner face].
    """

    thickness_m: np.ndarray
    capacity_j_m2k: np.ndarray
    conductance_w_m2k: np.ndarray

    @property
    def n_nodes(self) -> int:
        return len(self.capacity_j_m2k)


def discretise(layers: list[Layer] | tuple[Layer, ...], period_s: float = DAY_S) -> Sublayers:
    """Cut the layers into sub-layer nodes (see the module docstring for the rule).

    Parameters
    ----------
    layers : sequence of Layer
        Outside to inside.
    period_s : float
        Period whose penetration depth sizes the sub-layers [s].

    Returns
    -------
    Sublayers
        Node capacities [J/(m² K)] and the chain of conductances [W/(m² K)].
    """
    import numpy as np

    if not layers:
        raise ValueError("a construction needs at least one layer")
    d_sub, lam_sub, cap_sub = [], [], []
    for layer in layers:
        rho_c = layer.density_kg_m3 * layer.specific_heat_j_kgk
        if rho_c > 0.0:
            diffusivity = layer.conductivity_w_mk / rho_c
            d_max = math.sqrt(diffusivity * period_s / math.pi) / 3.0
            n = min(MAX_SUBLAYERS, max(1, math.ceil(layer.thickness_m / d_max - 1e-9)))
        else:
            n = 1
        d = layer.thickness_m / n
        d_sub += [d] * n
        lam_sub += [layer.conductivity_w_mk] * n
        cap_sub += [rho_c * d] * n
    d_arr, lam, cap = np.array(d_sub), np.array(lam_sub), np.array(cap_sub)
    half_r = d_arr / (2.0 * lam)
    conductance = np.empty(len(d_arr) + 1)
    conductance[0] = 1.0 / half_r[0]
    conductance[-1] = 1.0 / half_r[-1]
    conductance[1:-1] = 1.0 / (half_r[:-1] + half_r[1:])
    return Sublayers(d_arr, cap, conductance)
