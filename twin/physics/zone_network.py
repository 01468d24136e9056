"""A zone as an assembled linear thermal network, stepped implicitly (ISO 52016-1 §6.5, generalised).

Nodes
-----
* the **air and furniture node** (heat capacity C_int = κ_int A_floor, ISO 52016-1 default
  κ_int = 10,000 J/(m² K)); it exchanges heat by convection h_ci A with every inside surface, with
  outdoor air through the thermal-bridge conductance H_tb, and with the supply and infiltration
  air through the (time-varying) ventilation conductance H_ve;
* a massless **radiant star node** joined to every inside surface by h_ri A: its temperature is
  the area-weighted mean of the inside surfaces, i.e. the mean radiant temperature, and the star
  reproduces ISO 52016-1's long-wave exchange h_ri A_i (θ_i − Σ_k A_k θ_k / A_tot) exactly;
* for every element, massless surface nodes and one node per sub-layer
  (:func:`twin.physics.constructions.discretise`); windows are massless (outer and inner surface).

Equations
---------
With x the node temperatures, C their capacities (diagonal) and K the symmetric conductance
matrix of the fixed links (boundary conductances on its diagonal), every step of length Δt solves
the **implicit (backward) Euler** balance

    (C/Δt + K + H_ve e_a e_aᵀ) x_t = C/Δt x_{t−1} + B u_t + e_a (H_ve θ_sup + Φ_HC)

where u_t holds the step's boundary temperatures (outdoor air, virtual ground) and powers
(internal and solar gains, absorbed solar and sky radiation on outer faces, heat from
neighbouring zones) and B maps them onto the nodes. With M = (C/Δt + K)⁻¹ computed once:

    x⁰ = M (C/Δt x_{t−1} + B u_t)        (free response, no ventilation, no heating)
    g  = M e_a                            (response to 1 W on the air node)
    x_t = x⁰ + g q,  q = H_ve (θ_sup − θ_a) + Φ_HC,
    θ_a = (x⁰_a + g_a (H_ve θ_sup + Φ_HC)) / (1 + g_a H_ve)

so the ventilation and the heating that holds a set-point are exact scalar corrections:
Φ_HC = (θ_set (1 + g_a H_ve) − x⁰_a) / g_a − H_ve θ_sup. Backward Euler is first order but
L-stable: the massless and near-massless nodes (surfaces, films, insulation) cannot oscillate,
which a Crank–Nicolson step would allow. Summing the rows gives the exact energy balance of a
step, checked every step: Σ C (x_t − x_{t−1})/Δt = Σ_b G_b (θ_b − x_b) + Σ Φ + q.

Operative temperature θ_op = (θ_a + θ_mrt)/2 with θ_mrt the star temperature (ISO 52016-1
§6.5.5.3; EnergyPlus' default). All functions are pure; the stepping functions work on a batch
of zones (arrays of shape (z, …), zones padded with isolated dummy nodes to a common size).

References
----------
ISO 52016-1:2017, Energy performance of buildings - Energy needs for heating and cooling,
internal temperatures and sensible and latent heat loads - Part 1: Calculation procedures,
§6.5.5-6.5.7 (node balances), Table B.17 (κ_int), §6.5.13 (convective fractions f_int,c = 0.4,
f_sol,c = 0.1; their values read in the pybuildingenergy implementation of ISO 52016-1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "ArrowFactors",
    "NetworkBuilder",
    "arrow_factors",
    "arrow_solve",
    "ZoneNetwork",
    "air_temp_c",
    "energy_residual_w",
    "free_response",
    "setpoint_power_w",
    "stack_networks",
    "StackedNetworks",
]


@dataclass
class NetworkBuilder:
    """Collects nodes, links, boundaries and sources of one zone; :meth:`build` makes the matrices.

    Channels name the inputs u (a temperature for a boundary, a power for a source); their order
    is fixed by ``channels`` so that every zone of a building shares one input layout.
    """

    channels: tuple[str, ...]
    capacity_j_k: list[float] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    links: list[tuple[int, int, float]] = field(default_factory=list)
    boundaries: list[tuple[int, str, float]] = field(default_factory=list)
    sources: list[tuple[int, str, float]] = field(default_factory=list)

    def node(self, name: str, capacity_j_k: float = 0.0) -> int:
        """Add a node; return its index."""
        self.names.append(name)
        self.capacity_j_k.append(float(capacity_j_k))
        return len(self.names) - 1

    def link(self, i: int, j: int, conductance_w_k: float) -> None:
        """Conductance between two nodes [W/K]."""
        if conductance_w_k > 0.0:
            self.links.append((i, j, float(conductance_w_k)))

    def boundary(self, i: int, channel: str, conductance_w_k: float) -> None:
        """Conductance from node i to the boundary temperature of ``channel`` [W/K]."""
        self._check(channel)
        if conductance_w_k > 0.0:
            self.boundaries.append((i, channel, float(conductance_w_k)))

    def source(self, i: int, channel: str, share: float) -> None:
        """Node i receives ``share`` of the power of ``channel`` [-]."""
        self._check(channel)
        if share != 0.0:
            self.sources.append((i, channel, float(share)))

    def _check(self, channel: str) -> None:
        if channel not in self.channels:
            raise ValueError(f"unknown network channel '{channel}'; expected one of {self.channels}")

    def build(self, air: int, star: int, dt_s: float, convective_w_k: np.ndarray,
              exterior_area_m2: np.ndarray | None = None) -> ZoneNetwork:
        """Assemble K, B and M = (C/Δt + K)⁻¹ for step ``dt_s``.

        The nodes are renumbered with the air and star nodes LAST, the others in creation order: a
        builder that creates each element's nodes in their physical order then yields the "arrow"
        structure that :func:`arrow_factors` exploits.
        """
        n, k = len(self.names), len(self.channels)
        order = [i for i in range(n) if i not in (air, star)] + [air, star]
        new = {old: pos for pos, old in enumerate(order)}
        self.renumbered = new  # old index -> new index, for callers holding node indices
        self.names = [self.names[i] for i in order]
        self.capacity_j_k = [self.capacity_j_k[i] for i in order]
        self.links = [(new[i], new[j], g) for i, j, g in self.links]
        self.boundaries = [(new[i], c, g) for i, c, g in self.boundaries]
        self.sources = [(new[i], c, s) for i, c, s in self.sources]
        convective_w_k = np.asarray(convective_w_k, dtype=float)[order]
        exterior_area_m2 = (np.zeros(n) if exterior_area_m2 is None else np.asarray(exterior_area_m2, dtype=float))[order]
        air, star = new[air], new[star]
        col = {c: j for j, c in enumerate(self.channels)}
        cond = np.zeros((n, n))
        for i, j, g in self.links:
            cond[i, i] += g
            cond[j, j] += g
            cond[i, j] -= g
            cond[j, i] -= g
        boundary = np.zeros((n, k))
        for i, c, g in self.boundaries:
            boundary[i, col[c]] += g
            cond[i, i] += g
        source = np.zeros((n, k))
        for i, c, s in self.sources:
            source[i, col[c]] += s
        cap = np.array(self.capacity_j_k)
        matrix = np.diag(cap / dt_s) + cond
        inverse = np.linalg.inv(matrix)
        return ZoneNetwork(
            names=tuple(self.names), channels=self.channels, air=air, star=star, dt_s=float(dt_s),
            capacity_j_k=cap, conductance_w_k=cond, boundary_w_k=boundary, source=source,
            inverse=inverse, convective_w_k=np.asarray(convective_w_k, dtype=float), exterior_area_m2=exterior_area_m2,
        )


@dataclass(frozen=True)
class ZoneNetwork:
    """The matrices of one zone (n nodes, k channels)."""

    names: tuple[str, ...]
    channels: tuple[str, ...]
    air: int
    star: int
    dt_s: float
    capacity_j_k: np.ndarray      # (n,)
    conductance_w_k: np.ndarray   # (n, n) K, boundary conductances on the diagonal
    boundary_w_k: np.ndarray      # (n, k) conductance of each node to each temperature channel
    source: np.ndarray            # (n, k) share of each power channel on each node
    inverse: np.ndarray           # (n, n) M = (C/Δt + K)⁻¹
    convective_w_k: np.ndarray    # (n,) h_ci A from the air node to each inside surface node
    exterior_area_m2: np.ndarray  # (n,) area of each outer face exposed to the wind (0 elsewhere)

    @property
    def n_nodes(self) -> int:
        return len(self.names)

    @property
    def input_matrix(self) -> np.ndarray:
        """B (n, k): boundary conductances on temperature channels plus source shares on power channels."""
        return self.boundary_w_k + self.source

    def steady_state_c(self, u: np.ndarray) -> np.ndarray:
        """Node temperatures in steady state under constant inputs ``u`` (no ventilation) [°C]."""
        return np.linalg.solve(self.conductance_w_k, self.input_matrix @ u)


@dataclass(frozen=True)
class StackedNetworks:
    """Zones padded to a common node count, for stepping the whole building at once.

    Padded nodes have no capacity and no link: their rows of M are zero, they stay at 0 °C and
    carry no energy (``matrix`` has a unit diagonal there so that it stays invertible).
    """

    matrix: np.ndarray        # (z, n, n) C/Δt + K
    input_matrix: np.ndarray  # (z, n, k) B
    exterior_area_m2: np.ndarray  # (z, n) outer faces exposed to the wind
    mc: np.ndarray            # (z, n, n) M C/Δt
    mb: np.ndarray            # (z, n, k) M B
    g: np.ndarray             # (z, n)    M e_air
    g_air: np.ndarray         # (z,)      g at the air node
    capacity_j_k: np.ndarray  # (z, n)
    boundary_w_k: np.ndarray  # (z, n, k)
    source: np.ndarray        # (z, n, k)
    convective_w_k: np.ndarray  # (z, n)
    air: np.ndarray           # (z,) index of the air node
    star: np.ndarray          # (z,) index of the star node
    n_nodes: np.ndarray       # (z,) real node counts
    dt_s: float


def stack_networks(networks: list[ZoneNetwork]) -> StackedNetworks:
    """Pad the zones' matrices to one size (see :class:`StackedNetworks`)."""
    z = len(networks)
    n = max(net.n_nodes for net in networks)
    k = len(networks[0].channels)
    mc, mb = np.zeros((z, n, n)), np.zeros((z, n, k))
    matrix, b_in, ext = np.tile(np.eye(n), (z, 1, 1)), np.zeros((z, n, k)), np.zeros((z, n))
    g, cap = np.zeros((z, n)), np.zeros((z, n))
    bnd, src, conv = np.zeros((z, n, k)), np.zeros((z, n, k)), np.zeros((z, n))
    for j, net in enumerate(networks):
        m = net.n_nodes
        matrix[j, :m, :m] = np.diag(net.capacity_j_k / net.dt_s) + net.conductance_w_k
        b_in[j, :m], ext[j, :m] = net.input_matrix, net.exterior_area_m2
        mc[j, :m, :m] = net.inverse * (net.capacity_j_k / net.dt_s)[None, :]
        mb[j, :m] = net.inverse @ net.input_matrix
        g[j, :m] = net.inverse[:, net.air]
        cap[j, :m] = net.capacity_j_k
        bnd[j, :m], src[j, :m], conv[j, :m] = net.boundary_w_k, net.source, net.convective_w_k
    air = np.array([net.air for net in networks])
    return StackedNetworks(
        matrix=matrix, input_matrix=b_in, exterior_area_m2=ext,
        mc=mc, mb=mb, g=g, g_air=g[np.arange(z), air], capacity_j_k=cap, boundary_w_k=bnd, source=src,
        convective_w_k=conv, air=air, star=np.array([net.star for net in networks]),
        n_nodes=np.array([net.n_nodes for net in networks]), dt_s=networks[0].dt_s,
    )


def free_response(nets: StackedNetworks, x_prev: np.ndarray, u: np.ndarray) -> np.ndarray:
    """x⁰ = M C/Δt x_{t−1} + M B u of every zone: the step without ventilation or heating [°C], (z, n)."""
    return np.einsum("zij,zj->zi", nets.mc, x_prev) + np.einsum("zik,zk->zi", nets.mb, u)


def air_temp_c(x0_air, g_air, h_ve_w_k, temp_sup_c, heating_w):
    """Air temperature of the step for given ventilation and heating [°C] (module docstring)."""
    return (x0_air + g_air * (h_ve_w_k * temp_sup_c + heating_w)) / (1.0 + g_air * h_ve_w_k)


def setpoint_power_w(x0_air, g_air, h_ve_w_k, temp_sup_c, setpoint_c):
    """Power on the air node that brings the air exactly to ``setpoint_c`` this step [W] (any sign)."""
    return (setpoint_c * (1.0 + g_air * h_ve_w_k) - x0_air) / g_air - h_ve_w_k * temp_sup_c


def energy_residual_w(nets: StackedNetworks, x_prev: np.ndarray, x: np.ndarray, u: np.ndarray,
                      air_input_w: np.ndarray) -> np.ndarray:
    """Gains − losses − storage of every zone over the step [W], (z,): zero to round-off.

    ``air_input_w`` is what ventilation and heating brought to the air node, H_ve (θ_sup − θ_a) + Φ_HC.
    """
    storage = np.sum(nets.capacity_j_k * (x - x_prev), axis=1) / nets.dt_s
    boundary = np.einsum("znk,zk->z", nets.boundary_w_k, u) - np.einsum("znk,zn->z", nets.boundary_w_k, x)
    sources = np.einsum("znk,zk->z", nets.source, u)
    return boundary + sources + air_input_w - storage


@dataclass(frozen=True)
class ArrowFactors:
    """A = C/Δt + K factored for the arrow structure: a tridiagonal block T of the element nodes and
    the last two rows and columns (air, star).

    With A = [[T, E], [Eᵀ, D]]: T y = r₁ (Thomas: ``lower`` multipliers, ``pivot`` diagonal, ``upper``
    off-diagonal), x₂ = S⁻¹ (r₂ − Eᵀ y) with the 2 x 2 Schur complement S = D − Eᵀ T⁻¹ E, x₁ = y − W x₂
    with W = T⁻¹ E. About 9 m operations for m element nodes instead of m² for the dense inverse.
    """

    lower: np.ndarray   # (m,) elimination multipliers (entry 0 unused)
    pivot: np.ndarray   # (m,)
    upper: np.ndarray   # (m,) T[i, i+1] (last entry unused)
    e: np.ndarray       # (m, 2) coupling of the element nodes to air and star
    w: np.ndarray       # (m, 2) T⁻¹ E
    s_inv: np.ndarray   # (2, 2)


def arrow_factors(net: ZoneNetwork) -> ArrowFactors:
    """Factor a zone's (C/Δt + K) for :func:`arrow_solve`.

    Raises
    ------
    ValueError
        When two element nodes that are not neighbours in the numbering are linked (the builder
        must create each element's nodes in their physical order).
    """
    a = np.diag(net.capacity_j_k / net.dt_s) + net.conductance_w_k
    m = net.n_nodes - 2
    t = a[:m, :m]
    off = np.abs(t - np.triu(np.tril(t, 1), -1)).max(initial=0.0)
    if off > 0.0:
        raise ValueError("the zone network is not arrow-shaped: element nodes are not numbered in their physical order")
    upper = np.append(np.diag(t, 1), 0.0)
    lower = np.zeros(m)
    pivot = np.zeros(m)
    pivot[0] = t[0, 0]
    for i in range(1, m):
        lower[i] = t[i, i - 1] / pivot[i - 1]
        pivot[i] = t[i, i] - lower[i] * upper[i - 1]
    e = a[:m, m:]
    w = np.column_stack([_thomas(lower, pivot, upper, e[:, c]) for c in range(2)])
    s = a[m:, m:] - e.T @ w
    return ArrowFactors(lower, pivot, upper, e, w, np.linalg.inv(s))


def _thomas(lower, pivot, upper, r):
    y = np.array(r, dtype=float)
    for i in range(1, len(y)):
        y[i] -= lower[i] * y[i - 1]
    y[-1] /= pivot[-1]
    for i in range(len(y) - 2, -1, -1):
        y[i] = (y[i] - upper[i] * y[i + 1]) / pivot[i]
    return y


def arrow_solve(f: ArrowFactors, r: np.ndarray) -> np.ndarray:
    """Solve (C/Δt + K) x = r with the factors of :func:`arrow_factors` (pure-Python twin of the kernel's)."""
    m = len(f.pivot)
    y = _thomas(f.lower, f.pivot, f.upper, r[:m])
    x2 = f.s_inv @ (r[m:] - f.e.T @ y)
    return np.concatenate([y - f.w @ x2, x2])
