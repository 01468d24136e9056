"""The wall/floor junction of a slab on ground in two dimensions: its steady conductance L_2D and
its linear thermal transmittance ψ_g (EN ISO 10211 numerical method, ISO 13370 convention).

ISO 13370's U of a slab on ground assumes an ideal edge: a wall of thickness w that only pushes
the outdoor surface away. A real junction can short-circuit the floor insulation, e.g. a
concrete wall standing on the soil beside a slab insulated underneath: heat leaves through the
slab's concrete into the wall and down into the soil next to the footing. ISO 13370 §5 adds this
as the junction's linear thermal transmittance, H_g = A U + P ψ_g, with ψ_g from a 2-D numerical
calculation (ISO 10211) or from ISO 14683's tables. This module does the calculation from the
model's own layers, so that nothing is entered twice.

Geometry (a vertical section perpendicular to the wall, per metre of perimeter; x outwards from
the wall's inside face, y upwards from the outside grade):

* floor: the slab's layers (ground side first) from its top at y = h_ag (floor above grade) down,
  over a half-width b = B'/2 (ISO 10211 §5.2.4 Table 1: the floor cut at half the characteristic
  dimension, a symmetry plane); soil or fill beneath;
* wall: the external wall's layers (outside to inside) from x = 0 to its thickness t_w,
  from the slab's bottom (the footing continues the wall; no deeper footing) up to h_w = 1 m above
  the floor (ISO 10211 §5.2.2: at least 1 m from the junction), cut there adiabatically;
* soil below everything and outside the wall up to grade, 2.5 B' outwards and 2.5 B' deep
  (ISO 10211 Table 1), adiabatic at those cut-off planes.

Equations (steady conduction, ∇·(λ ∇θ) = 0; finite volumes on a rectilinear grid refined at the
junction, cell faces on every material boundary):

* between neighbouring cells k, l across a face of length s:  G = s / (Δ_k/(2λ_k) + Δ_l/(2λ_l));
* to the inside air (θ_i = 1): G = s / (R_si + Δ/(2λ)), R_si = 0.17 m² K/W on the floor (heat
  flow down), 0.13 on the wall (ISO 6946 Table 7, the films ISO 10211 §7.2 asks for);
* to the outside air (θ_e = 0): G = s / (R_se + Δ/(2λ)), R_se = 0.04 m² K/W (wall face and
  ground surface);
* L_2D = Σ G_i (θ_i − θ_cell) over the inside faces [W/(m K)] (the heat entering per metre
  and per kelvin; it equals the heat leaving, checked);
* ψ_g = L_2D − h_w U_w − b U_fl                                       ISO 10211 §10.4, ISO 13370 §5
  with U_w = 1/(R_si + Σ d/λ + R_se) of the wall (ISO 6946) and U_fl the slab's ISO 13370 U with
  the ground, the value the zone network uses: P ψ_g is then exactly what the 2-D section loses
  beyond the two 1-D elements.

The same section answers annual sinusoids of the air temperatures (:func:`annual_response`:
(K + iωC) θ = g with the layers' and the soil's ρc, ω = 2π / 3.15·10⁷ s): the numerical
counterpart of ISO 13370 Annex H's periodic coefficients, used to check them.

Assumptions: steady state for ψ_g (the junction's heat flows with the annual means in ISO 13370's H_g);
the foundation wall is the above-ground wall continued down to the slab's bottom, the slab abuts
its inside face; 2-D, so the corners' 3-D effect is not counted (as in ISO 13370's B').
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from twin.physics import constructions as cons

__all__ = [
    "WALL_HEIGHT_ABOVE_FLOOR_M",
    "AnnualResponse",
    "JunctionFlows",
    "annual_response",
    "edge_psi_w_mk",
    "junction_flows",
]

#: Height of wall kept above the floor in the section [m]: ISO 10211 §5.2.2 (at least 1 m).
WALL_HEIGHT_ABOVE_FLOOR_M = 1.0
#: Soil kept outside the wall and below grade, in characteristic dimensions B' (ISO 10211 Table 1).
SOIL_EXTENT_B_PRIME = 2.5
#: Smallest cell at the junction [m]; cells grow by :data:`GROWTH` per step away from it, up to
#: :data:`MAX_CELL_M`. Halving all three changes L_2D by < 0.5 % (tests/physics/test_slab_edge.py).
MIN_CELL_M = 0.01
GROWTH = 1.25
MAX_CELL_M = 0.5
#: Soil heat capacity used by the steady section (it does not enter a steady solve) [J/(m³ K)].
SOIL_HEAT_CAPACITY_J_M3K = 2.0e6
#: ISO 6946 Table 7 surface resistances used by ISO 10211 §7.2 [m² K/W].
R_SI_FLOOR_M2K_W = 0.17
R_SI_WALL_M2K_W = 0.13
R_SE_M2K_W = 0.04


def _axis(lines: Sequence[float], focus_lo: float, focus_hi: float, min_cell_m: float) -> np.ndarray:
    """Cell faces through every line, MIN_CELL_M near [focus_lo, focus_hi], growing away from it."""
    lines = np.unique(np.asarray(lines, dtype=float))
    faces = [float(lines[0])]
    for b in lines[1:]:
        x = faces[-1]
        while True:
            h = min(MAX_CELL_M, min_cell_m + (GROWTH - 1.0) * max(focus_lo - x, x - focus_hi, 0.0))
            if x + 1.5 * h >= b:  # the last cell of the interval takes 0.5-1.5 h
                break
            x += h
            faces.append(x)
        faces.append(float(b))
    return np.asarray(faces)


def _stack(layers: Sequence[cons.Layer], start: float,
           direction: float) -> list[tuple[float, float, float, float]]:
    """(low, high, λ, ρc) of each layer laid from ``start`` in ``direction`` (+1 or -1)."""
    out, pos = [], start
    for layer in layers:
        end = pos + direction * layer.thickness_m
        out.append((min(pos, end), max(pos, end), layer.conductivity_w_mk,
                    layer.density_kg_m3 * layer.specific_heat_j_kgk))
        pos = end
    return out


class JunctionFlows(NamedTuple):
    """Steady heat flows of the section for 1 K between inside and outside air, per metre [W/(m K)]."""

    #: Heat entering from the inside air (floor top and wall face): L_2D.
    inside_w_mk: float
    #: Heat leaving to the outside air (wall face and ground surface); equals ``inside_w_mk``.
    outside_w_mk: float
    #: Number of finite-volume cells solved.
    cells: int


class _Section(NamedTuple):
    """The assembled section: conductance matrix K (films included on its diagonal), the film
    conductances to the inside and outside air per cell [W/(m K)], and each cell's heat capacity [J/(m K)]."""

    matrix: object
    inside_g: np.ndarray
    outside_g: np.ndarray
    capacity_j_mk: np.ndarray


def _assemble(wall_layers, slab_layers, floor_above_grade_m, b_prime_m, soil_conductivity_w_mk,
              soil_heat_capacity_j_m3k, wall_height_above_floor_m, min_cell_m) -> _Section:
    """Grid, materials and films of the section (arguments as :func:`junction_flows`)."""
    if floor_above_grade_m < 0.0 or not np.isfinite(b_prime_m) or b_prime_m <= 0.0:
        raise ValueError("the junction needs a floor at or above grade and a finite B' > 0")
    t_wall = sum(layer.thickness_m for layer in wall_layers)
    t_slab = sum(layer.thickness_m for layer in slab_layers)
    y_floor = floor_above_grade_m
    y_bottom = y_floor - t_slab
    half_width = 0.5 * b_prime_m
    extent = SOIL_EXTENT_B_PRIME * b_prime_m
    y_top = y_floor + wall_height_above_floor_m
    # Wall layers from the outside face (x = t_wall) inwards; slab layers from its bottom upwards.
    wall = _stack(wall_layers, t_wall, -1.0)
    slab = _stack(slab_layers, y_bottom, +1.0)
    x_lines = [-half_width, 0.0, t_wall + extent, *[v for lo, hi, *_ in wall for v in (lo, hi)]]
    y_lines = [min(-extent, y_bottom - extent), 0.0, y_top, *[v for lo, hi, *_ in slab for v in (lo, hi)]]
    xf = _axis(x_lines, 0.0, t_wall, min_cell_m)
    yf = _axis(y_lines, min(y_bottom, 0.0), y_floor, min_cell_m)
    xc, yc = 0.5 * (xf[1:] + xf[:-1]), 0.5 * (yf[1:] + yf[:-1])
    dx, dy = np.diff(xf), np.diff(yf)
    X, Y = np.meshgrid(xc, yc, indexing="ij")

    lam = np.full(X.shape, soil_conductivity_w_mk)
    rho_c = np.full(X.shape, soil_heat_capacity_j_m3k)
    in_wall = (X > 0.0) & (X < t_wall) & (Y > y_bottom)
    for lo, hi, k, c in wall:
        cells = in_wall & (X > lo) & (X < hi)
        lam[cells], rho_c[cells] = k, c
    in_slab = (X < 0.0) & (Y > y_bottom) & (Y < y_floor)
    for lo, hi, k, c in slab:
        cells = in_slab & (Y > lo) & (Y < hi)
        lam[cells], rho_c[cells] = k, c
    inside_air = (X < 0.0) & (Y > y_floor)
    outside_air = (X > t_wall) & (Y > 0.0)
    solid = ~(inside_air | outside_air)

    idx = -np.ones(X.shape, dtype=np.int64)
    idx[solid] = np.arange(int(solid.sum()))
    n = int(solid.sum())
    rows, cols, vals = [], [], []
    diag = np.zeros(n)
    half_x = dx[:, None] / (2.0 * lam)      # Δx/(2λ) per cell, (nx, ny)
    half_y = dy[None, :] / (2.0 * lam)

    def couple(a, b, g):
        ia, ib = idx[a], idx[b]
        rows.extend([ia, ib])
        cols.extend([ib, ia])
        vals.extend([-g, -g])
        np.add.at(diag, ia, g)
        np.add.at(diag, ib, g)

    # Interior faces between solid neighbours, x then y.
    both = solid[:-1, :] & solid[1:, :]
    g = (np.broadcast_to(dy[None, :], both.shape) / (half_x[:-1, :] + half_x[1:, :]))[both]
    couple(tuple(np.nonzero(both)), tuple(a + d for a, d in zip(np.nonzero(both), (1, 0), strict=True)), g)
    both = solid[:, :-1] & solid[:, 1:]
    g = (np.broadcast_to(dx[:, None], both.shape) / (half_y[:, :-1] + half_y[:, 1:]))[both]
    couple(tuple(np.nonzero(both)), tuple(a + d for a, d in zip(np.nonzero(both), (0, 1), strict=True)), g)

    inside_g, outside_g = np.zeros(n), np.zeros(n)
    along_x = np.broadcast_to(dx[:, None], X.shape), np.broadcast_to(half_y, X.shape)   # horizontal faces
    along_y = np.broadcast_to(dy[None, :], X.shape), np.broadcast_to(half_x, X.shape)   # vertical faces

    def film(face: np.ndarray, geometry, r_s: float, into: np.ndarray) -> None:
        """A surface film from the cells in ``face`` to the air; its conductances into ``into``."""
        length, half = geometry
        g = length[face] / (r_s + half[face])
        i = idx[face]
        np.add.at(diag, i, g)
        np.add.at(into, i, g)

    def faces(shift: tuple[int, int], air: np.ndarray) -> np.ndarray:
        """Solid cells whose neighbour at ``shift`` (+1 right/up, -1 left/down) is ``air``."""
        out = np.zeros(X.shape, bool)
        src = tuple(slice(None, -1) if d == 1 else slice(1, None) if d == -1 else slice(None) for d in shift)
        dst = tuple(slice(1, None) if d == 1 else slice(None, -1) if d == -1 else slice(None) for d in shift)
        out[src] = solid[src] & air[dst]
        return out

    film(faces((0, 1), inside_air), along_x, R_SI_FLOOR_M2K_W, inside_g)    # floor top
    film(faces((-1, 0), inside_air), along_y, R_SI_WALL_M2K_W, inside_g)    # wall's inside face
    film(faces((1, 0), outside_air), along_y, R_SE_M2K_W, outside_g)        # wall's outside face
    film(faces((0, 1), outside_air), along_x, R_SE_M2K_W, outside_g)        # ground surface

    # scipy imported here: loading a model that never asks for the section stays light.
    from scipy.sparse import coo_matrix

    rows = np.concatenate([np.atleast_1d(np.asarray(r)).ravel() for r in rows] + [np.arange(n)])
    cols = np.concatenate([np.atleast_1d(np.asarray(c)).ravel() for c in cols] + [np.arange(n)])
    vals = np.concatenate([np.atleast_1d(np.asarray(v)).ravel() for v in vals] + [diag])
    matrix = coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsc()
    capacity = (rho_c * dx[:, None] * dy[None, :])[solid]
    return _Section(matrix, inside_g, outside_g, capacity)




def junction_flows(wall_layers: Sequence[cons.Layer], slab_layers: Sequence[cons.Layer],
                   floor_above_grade_m: float, b_prime_m: float, soil_conductivity_w_mk: float,
                   wall_height_above_floor_m: float = WALL_HEIGHT_ABOVE_FLOOR_M,
                   min_cell_m: float = MIN_CELL_M) -> JunctionFlows:
    """Steady heat flow through the 2-D section per metre of perimeter and kelvin [W/(m K)].

    Parameters
    ----------
    wall_layers
        External wall construction, outside to inside.
    slab_layers
        Slab construction, ground side first.
    floor_above_grade_m
        Height of the floor's top surface above the outside ground [m], ≥ 0.
    b_prime_m
        Characteristic dimension of the whole floor B' = A / (0.5 P) [m]; the section keeps half.
    soil_conductivity_w_mk
        λ of the soil (and of the fill under a slab raised above grade) [W/(m K)].
    wall_height_above_floor_m
        Wall kept above the floor before the adiabatic cut [m] (ISO 10211: ≥ 1 m).
    min_cell_m
        Cell size at the junction [m] (grid studies).
    """
    section = _assemble(wall_layers, slab_layers, floor_above_grade_m, b_prime_m, soil_conductivity_w_mk,
                        SOIL_HEAT_CAPACITY_J_M3K, wall_height_above_floor_m, min_cell_m)
    from scipy.sparse.linalg import spsolve

    # θ_i = 1, θ_e = 0: K θ = g_i (the outside films pull towards 0).
    temp = spsolve(section.matrix, section.inside_g)
    return JunctionFlows(float(section.inside_g @ (1.0 - temp)), float(section.outside_g @ temp),
                         len(section.capacity_j_mk))


class AnnualResponse(NamedTuple):
    """The section's answer to annual sinusoids of the air temperatures, per metre [W/(m K)].

    Complex amplitudes of the heat flow from the inside air into the construction for a unit
    cosine of the inside (``internal``) or outside (``external``) air temperature, the other held
    at 0: ``abs`` is the amplitude, ``np.angle(.) / (2π) × 12`` its lead in months.
    """

    steady_w_mk: float
    internal_w_mk: complex
    external_w_mk: complex


def annual_response(wall_layers: Sequence[cons.Layer], slab_layers: Sequence[cons.Layer],
                    floor_above_grade_m: float, b_prime_m: float, soil_conductivity_w_mk: float,
                    soil_heat_capacity_j_m3k: float,
                    wall_height_above_floor_m: float = WALL_HEIGHT_ABOVE_FLOOR_M) -> AnnualResponse:
    """Steady and annual-harmonic heat flows of the section (ISO 10211 geometry, ISO 13370's year).

    Solves (K + iωC) θ = g for ω = 2π / 3.15·10⁷ s (ISO 13370 H.1) with the layers' and the soil's
    ρc: the numerical counterpart of ISO 13370 Annex H's H_pi (internal) and H_pe with its lag
    β (external), used to check them (tests/physics/test_slab_edge.py).
    """
    from scipy.sparse import diags
    from scipy.sparse.linalg import spsolve

    from twin.physics.ground import YEAR_S

    section = _assemble(wall_layers, slab_layers, floor_above_grade_m, b_prime_m, soil_conductivity_w_mk,
                        soil_heat_capacity_j_m3k, wall_height_above_floor_m, MIN_CELL_M)
    g_in, g_out = section.inside_g, section.outside_g
    steady = spsolve(section.matrix, g_in)
    periodic = (section.matrix + 1j * (2.0 * np.pi / YEAR_S) * diags(section.capacity_j_mk)).tocsc()
    internal = spsolve(periodic, g_in.astype(complex))
    external = spsolve(periodic, g_out.astype(complex))
    return AnnualResponse(float(g_in @ (1.0 - steady)), complex(g_in @ (1.0 - internal)), complex(-(g_in @ external)))


@functools.lru_cache(maxsize=32)
def edge_psi_w_mk(wall_layers: tuple[cons.Layer, ...], slab_layers: tuple[cons.Layer, ...],
                  floor_above_grade_m: float, b_prime_m: float, soil_conductivity_w_mk: float,
                  floor_u_w_m2k: float) -> float:
    """Linear thermal transmittance of the wall/floor junction ψ_g = L_2D − h_w U_w − (B'/2) U_fl [W/(m K)].

    ``floor_u_w_m2k`` is the slab's ISO 13370 U with the ground (the one the zone network uses);
    the other arguments as :func:`junction_flows` (layers as tuples: the result is cached, a
    section takes 0.1-1 s). Negative when the 1-D elements overestimate.
    """
    flows = junction_flows(wall_layers, slab_layers, floor_above_grade_m, b_prime_m, soil_conductivity_w_mk)
    u_wall = cons.u_value_w_m2k(wall_layers, R_SI_WALL_M2K_W, R_SE_M2K_W)
    return flows.inside_w_mk - WALL_HEIGHT_ABOVE_FLOOR_M * u_wall - 0.5 * b_prime_m * floor_u_w_m2k
