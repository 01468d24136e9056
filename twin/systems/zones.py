"""Thermal zones built from layered constructions, advanced together one step at a time.

Each zone is a linear network assembled from the model's geometry and constructions
(:mod:`twin.physics.zone_network`, :mod:`twin.physics.constructions`):

* **external walls** and the **roof**: outer face to outdoor air through the external films
  (h_ce + h_re), receiving absorbed solar α I and losing long-wave radiation to the sky
  (ε h_re F Δθ_sky, ISO 52016-1 §6.5.13.3); inner face to the zone;
* **windows**: massless, outer face as above (sky loss, no absorbed solar: the g-value carries all
  the solar gain), glazing conductance 1/(1/U − R_si − R_se), inner face to the zone;
* the **slab on ground**: its construction, 0.5 m of soil below it (ISO 52016-1 §6.5.8) and a
  resistance that brings the whole to ISO 13370's U, leading to the monthly virtual ground
  temperature of :mod:`twin.physics.ground`; or with ``ground_model = "b_factor"``, leading to
  outdoor air with U multiplied by b;
* **floors between zones** (``zone_links``): the construction is cut between two of its sub-layer
  nodes, each part belonging to one zone; the two parts exchange G (θ_other − θ_own) evaluated
  at the start of the step, a flux that leaves one zone exactly as it enters the other. The
  cut is placed where the explicit exchange is most stable (smallest Δt G (1/C₁ + 1/C₂), in
  practice inside the acoustic underlay or the insulation); the model is refused when even that
  exceeds 1;
* **floors inside a zone** and **partitions**: both faces in the zone;
* the **air and furniture node**, the radiant star, thermal bridges (H_tb = ΔU × (walls + roof)
  from the air to outdoor air), and the ventilation conductance set each step.

Internal gains are convective for a share f_int,c (air node) and radiant for the rest, spread
over the inside surfaces by area (windows included); solar gains through windows likewise with
f_sol,c. Emitters deliver their heat to the air node, up to ``emitter_max_w_m2`` times the
capacity factor of the supply water temperature.

Inside surface positions set the internal convective film: walls, windows and partitions
'wall'; roofs, ceilings of the zone below a link and the underside of inside floors 'ceiling';
floors 'floor' (ISO 6946 Annex C directions for heating conditions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.errors import ScenarioError
from twin.physics import constructions as cons
from twin.physics import ground, slab_edge, zone_network
from twin.physics.air import CP_DRY_AIR_J_KGK
from twin.scenario import ORIENTATION_AZIMUTH_DEG, Envelope, Model, Zone

__all__ = [
    "CHANNELS", "LinkCut", "ZoneArrays", "ZoneStep", "Zones", "build_networks", "exposed_perimeters_m",
    "ground_slabs", "sky_loss_w", "window_areas_by_orientation",
]

ORIENTATIONS = tuple(ORIENTATION_AZIMUTH_DEG)
#: Inputs of every zone network, in order: two boundary temperatures [°C], then powers [W].
BASE_CHANNELS = ("temp_out", "temp_ground", "internal", "solar", "sol_wall", "sol_roof",
                 "sky_wall", "sky_roof", "sky_window")
#: Thickness of the virtual soil layer under a slab on ground [m], ISO 52016-1 §6.5.8.
SOIL_THICKNESS_M = 0.5
#: Density of air at 20 °C used only for the floor of the air node's heat capacity [kg/m3].
RHO_AIR_KG_M3 = 1.2


def CHANNELS(n_links: int) -> tuple[str, ...]:  # noqa: N802 - a constant's shape, built for a model
    """The channel layout for a model with ``n_links`` zone links."""
    return BASE_CHANNELS + tuple(f"link{k}" for k in range(n_links))


def exposed_perimeters_m(zones: list[Zone]) -> np.ndarray:
    """Exposed perimeter of each zone's slab on ground [m]: as given, else its external wall length."""
    return np.array([z.exposed_perimeter_m() for z in zones])


def _floor_resistance_m2k_w(model: Model, zone: Zone) -> float:
    return cons.resistance_m2k_w(model.layers(model.zone_construction(zone, "ground_floor")))


def ground_slabs(model: Model) -> list[ground.SlabOnGround | None]:
    """ISO 13370 coefficients of each zone's part of the slab (None without ground floor).

    B' and d_t are those of the whole slab (ISO 13370 §8.1: the characteristic dimension of the
    whole floor applies to each part); d_t uses the area-weighted floor construction resistance;
    the periodic coefficients follow each part's area and perimeter.
    """
    zones, envelope = model.zones, model.envelope
    areas = np.array([z.ground_floor_area_m2 for z in zones])
    perimeters = exposed_perimeters_m(zones)
    if areas.sum() <= 0.0:
        return [None] * len(zones)
    lam = envelope.ground_conductivity_w_mk
    r_f = np.array([_floor_resistance_m2k_w(model, z) if a > 0 else 0.0 for z, a in zip(zones, areas, strict=True)])
    r_floor = float(r_f @ areas / areas.sum())
    d_t = ground.equivalent_thickness_m(envelope.ground_wall_thickness_m, lam, r_floor)
    b_prime = ground.characteristic_dimension_m(areas.sum(), perimeters.sum())
    u = float(ground.slab_u_w_m2k(b_prime, d_t, lam))
    delta = ground.penetration_depth_m(lam, envelope.ground_heat_capacity_j_m3k)
    psi = [_edge_psi_w_mk(model, z, float(b_prime), u) if a > 0.0 else 0.0 for z, a in zip(zones, areas, strict=True)]
    return [ground.slab_on_ground(a, p, u, d_t, lam, delta, k) if a > 0.0 else None
            for a, p, k in zip(areas, perimeters, psi, strict=True)]


def _edge_psi_w_mk(model: Model, zone: Zone, b_prime_m: float, floor_u_w_m2k: float) -> float:
    """ψ_g of a zone's slab edge: as given, or from its wall and slab layers (``"iso10211"``) [W/(m K)]."""
    env = model.envelope
    if env.ground_edge_psi_w_mk != "iso10211":
        return float(env.ground_edge_psi_w_mk)
    if not np.isfinite(b_prime_m):
        return 0.0  # no exposed perimeter: no edge
    wall = tuple(model.layers(model.zone_construction(zone, "external_wall")))
    slab = tuple(model.layers(model.zone_construction(zone, "ground_floor")))
    return slab_edge.edge_psi_w_mk(wall, slab, env.floor_above_grade_m, b_prime_m, env.ground_conductivity_w_mk,
                                   floor_u_w_m2k)


def window_areas_by_orientation(zones: list[Zone]) -> np.ndarray:
    """Window areas, shape (n_zones, 4), columns in :data:`ORIENTATIONS` order [m2]."""
    return np.array([[getattr(z.window_area_m2, o) for o in ORIENTATIONS] for z in zones])


def wall_areas_by_orientation(zones: list[Zone]) -> np.ndarray:
    """Opaque external wall areas, shape (n_zones, 4) [m2]."""
    return np.array([[getattr(z.wall_area_m2, o) for o in ORIENTATIONS] for z in zones])


def sky_loss_w(envelope: Envelope, area_m2, form_factor: float):
    """Long-wave loss of outer faces to the sky [W]: ε h_re F Δθ_er A (ISO 52016-1 §6.5.13.3).

    h_re is the external radiative film of the ISO 6946 design films over their emissivity (4.6),
    times the faces' own emissivity; Δθ_er the mean air-to-sky difference (11 K, ISO 13790
    §11.4.6); F = 0.5 for walls, 1 for a flat roof.
    """
    h_r0 = cons.H_RE_W_M2K / cons.EMISSIVITY
    return (envelope.external_emissivity * h_r0 * form_factor * envelope.sky_temperature_difference_k
            * np.asarray(area_m2, dtype=float))


@dataclass(frozen=True)
class LinkCut:
    """Where a zone link's construction is cut and how its two parts exchange heat."""

    zones: tuple[int, int]          # zone indices (lower/first, upper/second)
    nodes: tuple[int, int]          # the cut node of each part in its zone's network
    conductance_w_k: float          # G A between the two cut nodes [W/K]


class _ZoneBuilder:
    """Assembles one zone's network from its elements."""

    def __init__(self, model: Model, zone: Zone, channels: tuple[str, ...], dt_s: float):
        self.model, self.zone, self.dt_s = model, zone, dt_s
        self.env = model.envelope
        self.b = zone_network.NetworkBuilder(channels)
        volume = zone.floor_area_m2 * zone.height_m
        c_int = max(self.env.internal_heat_capacity_j_m2k * zone.floor_area_m2,
                    RHO_AIR_KG_M3 * CP_DRY_AIR_J_KGK * volume)
        self.air = self.b.node("air", c_int)
        self.star = self.b.node("star")
        self.surfaces: list[tuple[int, float]] = []   # (inside surface node, area)
        self.convective = {}                          # node -> h_ci A
        self.exterior_faces = {}                      # outer face node -> area (wind-dependent film)

    def inside_face(self, node: int, area: float, position: str) -> None:
        h_ci = cons.H_CI_W_M2K[position]
        self.b.link(node, self.air, h_ci * area)
        self.b.link(node, self.star, cons.H_RI_W_M2K * area)
        self.surfaces.append((node, area))
        self.convective[node] = h_ci * area

    def chain(self, name: str, sub: cons.Sublayers, area: float) -> list[int]:
        """Sub-layer nodes of a chain, outside to inside, linked in series; returns their indices."""
        nodes = [self.b.node(f"{name}.{k}", c * area) for k, c in enumerate(sub.capacity_j_m2k)]
        for k in range(len(nodes) - 1):
            self.b.link(nodes[k], nodes[k + 1], sub.conductance_w_m2k[k + 1] * area)
        return nodes

    def exterior(self, name: str, construction: str, area: float, position: str, sol: str | None, sky: str) -> None:
        if area <= 0.0:
            return
        sub = cons.discretise(self.model.layers(construction))
        outer = self.b.node(f"{name}.out")
        self.b.boundary(outer, "temp_out", (cons.H_CE_W_M2K + cons.H_RE_W_M2K) * area)
        self.exterior_faces[outer] = area
        if sol is not None:
            self.b.source(outer, sol, 1.0)
        self.b.source(outer, sky, -1.0)
        nodes = self.chain(name, sub, area)
        inner = self.b.node(f"{name}.in")
        self.b.link(outer, nodes[0], sub.conductance_w_m2k[0] * area)
        self.b.link(nodes[-1], inner, sub.conductance_w_m2k[-1] * area)
        self.inside_face(inner, area, position)

    def window(self, area: float) -> None:
        if area <= 0.0:
            return
        # Positive: the model's validator refuses a U-value that leaves no glazing beside the films.
        r_glass = 1.0 / self.env.window_u_w_m2k - cons.r_si_m2k_w("wall") - cons.r_se_m2k_w()
        outer, inner = self.b.node("window.out"), self.b.node("window.in")
        self.b.boundary(outer, "temp_out", (cons.H_CE_W_M2K + cons.H_RE_W_M2K) * area)
        self.exterior_faces[outer] = area
        self.b.source(outer, "sky_window", -1.0)
        self.b.link(outer, inner, area / r_glass)
        self.inside_face(inner, area, "wall")

    def slab_on_ground(self, slab: ground.SlabOnGround | None) -> None:
        z, env = self.zone, self.env
        area = z.ground_floor_area_m2
        if area <= 0.0:
            return
        layers = self.model.layers(self.model.zone_construction(z, "ground_floor"))
        r_si = cons.r_si_m2k_w("floor")
        if env.ground_model == "iso13370":
            soil = cons.Layer(SOIL_THICKNESS_M, env.ground_conductivity_w_mk, env.ground_heat_capacity_j_m3k, 1.0)
            layers = (soil, *layers)
            r_extra = 1.0 / slab.u_w_m2k - r_si - cons.resistance_m2k_w(layers)
            channel = "temp_ground"
        else:
            u_c = cons.u_value_w_m2k(layers, r_si, cons.r_se_m2k_w())
            r_extra = 1.0 / (env.ground_temperature_factor * u_c) - r_si - cons.resistance_m2k_w(layers)
            channel = "temp_out"
        r_extra = max(r_extra, 0.0)
        sub = cons.discretise(layers)
        nodes = self.chain("ground_floor", sub, area)
        self.b.boundary(nodes[0], channel, area / (1.0 / sub.conductance_w_m2k[0] + r_extra))
        inner = self.b.node("ground_floor.in")
        self.b.link(nodes[-1], inner, sub.conductance_w_m2k[-1] * area)
        self.inside_face(inner, area, "floor")

    def internal(self, name: str, construction: str, area: float, outer_position: str, inner_position: str) -> None:
        """An element with both faces in this zone (layers listed from its 'outer' face)."""
        if area <= 0.0:
            return
        sub = cons.discretise(self.model.layers(construction))
        outer = self.b.node(f"{name}.out")
        nodes = self.chain(name, sub, area)
        inner = self.b.node(f"{name}.in")
        self.b.link(outer, nodes[0], sub.conductance_w_m2k[0] * area)
        self.b.link(nodes[-1], inner, sub.conductance_w_m2k[-1] * area)
        self.inside_face(outer, area, outer_position)
        self.inside_face(inner, area, inner_position)

    def link_part(self, name: str, sub: cons.Sublayers, area: float, keep: slice, face_first: bool,
                  position: str, channel: str) -> int:
        """One zone's part of a cut construction; returns its cut node."""
        capacity = sub.capacity_j_m2k[keep]
        conductance = sub.conductance_w_m2k[keep.start:keep.stop + 1]
        part = cons.Sublayers(sub.thickness_m[keep], capacity, conductance)
        # Nodes are created in their physical order (face, layers or layers, face): every element is
        # then a run of consecutive indices linked only to its neighbours (a tridiagonal block).
        if face_first:   # the zone sees the first layer (its outer face in the construction's order)
            face = self.b.node(f"{name}.in")
            nodes = self.chain(name, part, area)
            self.b.link(face, nodes[0], part.conductance_w_m2k[0] * area)
            cut = nodes[-1]
        else:
            nodes = self.chain(name, part, area)
            face = self.b.node(f"{name}.in")
            self.b.link(nodes[-1], face, part.conductance_w_m2k[-1] * area)
            cut = nodes[0]
        self.inside_face(face, area, position)
        self.b.source(cut, channel, 1.0)
        return cut

    def gains(self) -> None:
        """Distribute internal and solar gains: convective share to air, the rest by area."""
        total = sum(a for _, a in self.surfaces)
        for channel, convective in (("internal", self.env.internal_gains_convective_fraction),
                                    ("solar", self.env.solar_convective_fraction)):
            self.b.source(self.air, channel, convective)
            for node, area in self.surfaces:
                self.b.source(node, channel, (1.0 - convective) * area / total)

    def build(self) -> zone_network.ZoneNetwork:
        conv, ext = np.zeros(len(self.b.names)), np.zeros(len(self.b.names))
        for node, value in self.convective.items():
            conv[node] = value
        for node, area in self.exterior_faces.items():
            ext[node] = area
        return self.b.build(self.air, self.star, self.dt_s, conv, ext)


def _cut_index(sub: cons.Sublayers, dt_s: float) -> tuple[int, float]:
    """Cut between nodes k-1 and k with the most stable explicit exchange; returns k and its ratio."""
    c = sub.capacity_j_m2k
    g = sub.conductance_w_m2k[1:-1]
    with np.errstate(divide="ignore"):
        ratio = dt_s * g * (1.0 / c[:-1] + 1.0 / c[1:])
    k = int(np.argmin(ratio))
    return k + 1, float(ratio[k])


def build_networks(model: Model, dt_s: float) -> tuple[list[zone_network.ZoneNetwork], list[LinkCut]]:
    """Every zone's network and the cuts of the zone links, for step ``dt_s``.

    Raises
    ------
    ScenarioError
        When a zone link's construction cannot be cut for a stable explicit exchange at this step.
    """
    zones = model.zones
    index = {z.name: j for j, z in enumerate(zones)}
    channels = CHANNELS(len(model.zone_links))
    builders = [_ZoneBuilder(model, z, channels, dt_s) for z in zones]
    slabs = ground_slabs(model) if model.envelope.ground_model == "iso13370" else [None] * len(zones)
    walls = wall_areas_by_orientation(zones).sum(axis=1)
    windows = window_areas_by_orientation(zones).sum(axis=1)
    for j, (zb, z) in enumerate(zip(builders, zones, strict=True)):
        zb.exterior("wall", model.zone_construction(z, "external_wall"), walls[j], "wall", "sol_wall", "sky_wall")
        zb.exterior("roof", model.zone_construction(z, "roof"), z.roof_area_m2, "ceiling", "sol_roof", "sky_roof")
        zb.window(windows[j])
        zb.slab_on_ground(slabs[j])
        zb.internal("inner_floor", model.zone_construction(z, "internal_floor"), z.internal_floor_area_m2,
                    "floor", "ceiling")
        zb.internal("partition", model.zone_construction(z, "partition"), z.partition_area_m2, "wall", "wall")
        zb.b.boundary(zb.air, "temp_out", model.envelope.thermal_bridges_delta_u_w_m2k * (walls[j] + z.roof_area_m2))
    cuts = []
    for k, link in enumerate(model.zone_links):
        name = link.construction or model.envelope.constructions.internal_floor
        # Coarser sub-layers where needed: the explicit exchange at the cut is stable when
        # Δt G (1/C₁ + 1/C₂) < 1, i.e. for sub-layers thicker than √(2 a Δt) (8.5 cm of concrete at
        # hourly steps); the period sizing the sub-layers is doubled until a cut qualifies.
        period_s = cons.DAY_S
        while True:
            sub = cons.discretise(model.layers(name), period_s)
            if sub.n_nodes < 2:
                raise ScenarioError(f"zone_links[{k}]: construction '{name}' has a single node and cannot be shared "
                                    "by two zones; expected at least two layers or a thicker one")
            cut, ratio = _cut_index(sub, dt_s)
            if ratio < 1.0 or period_s > 64 * cons.DAY_S:
                break
            period_s *= 2.0
        if not ratio < 1.0:
            raise ScenarioError(f"zone_links[{k}]: construction '{name}' is too light to exchange heat explicitly at "
                                f"period.step_s = {dt_s:g} (stability ratio {ratio:.2f}); expected a shorter step or "
                                "a heavier construction")
        lower, upper = (index[n] for n in link.zones)
        pos_lower, pos_upper = ("ceiling", "floor") if link.orientation == "floor" else ("wall", "wall")
        channel = f"link{k}"
        # Layers run from the upper (second) zone's side: it owns the first part, its face first.
        node_upper = builders[upper].link_part(f"link{k}", sub, link.area_m2, slice(0, cut), True, pos_upper, channel)
        node_lower = builders[lower].link_part(f"link{k}", sub, link.area_m2, slice(cut, sub.n_nodes), False,
                                               pos_lower, channel)
        g_cut = sub.conductance_w_m2k[cut] * link.area_m2
        cuts.append(LinkCut((lower, upper), (node_lower, node_upper), g_cut))
    for zb in builders:
        zb.gains()
    networks = [zb.build() for zb in builders]
    # The networks number their nodes anew (air and star last): follow the cut nodes.
    cuts = [LinkCut(c.zones, (builders[c.zones[0]].b.renumbered[c.nodes[0]], builders[c.zones[1]].b.renumbered[c.nodes[1]]),
                    c.conductance_w_k) for c in cuts]
    return networks, cuts


@dataclass(frozen=True)
class ZoneArrays:
    """Per-zone constants, each an array of shape (n_zones,)."""

    names: tuple[str, ...]
    floor_area_m2: np.ndarray
    volume_m3: np.ndarray
    emitter_max_w: np.ndarray
    infiltration_m3_s: np.ndarray
    thermal_bridges_w_k: np.ndarray
    cooling_setpoint_c: np.ndarray     # NaN where the zone has no (ideal) cooling
    ceiling_fans_w: np.ndarray         # electric power of the zone's ceiling fans while on (0: none)
    ceiling_fans_on_above_c: np.ndarray  # the fans run while open above this operative temperature

    @classmethod
    def from_model(cls, model: Model) -> ZoneArrays:
        zones = model.zones
        area = np.array([z.floor_area_m2 for z in zones])
        volume = area * np.array([z.height_m for z in zones])
        walls = wall_areas_by_orientation(zones).sum(axis=1)
        roof = np.array([z.roof_area_m2 for z in zones])
        return cls(
            names=tuple(z.name for z in zones),
            floor_area_m2=area,
            volume_m3=volume,
            emitter_max_w=area * np.array([z.heating.emitter_max_w_m2 for z in zones]),
            infiltration_m3_s=volume * np.array([z.ventilation.infiltration_ach for z in zones]) / 3600.0,
            thermal_bridges_w_k=model.envelope.thermal_bridges_delta_u_w_m2k * (walls + roof),
            cooling_setpoint_c=np.array([np.nan if z.cooling_setpoint_c is None else z.cooling_setpoint_c
                                         for z in zones]),
            ceiling_fans_w=area * np.array([0.0 if z.ceiling_fans is None else z.ceiling_fans.power_w_m2 for z in zones]),
            ceiling_fans_on_above_c=np.array([np.inf if z.ceiling_fans is None else z.ceiling_fans.on_above_c
                                              for z in zones]),
        )


class ZoneStep:
    """What one step of the zones produced (arrays of shape (n_zones,))."""

    __slots__ = ("heating_w", "temp_air_c", "temp_op_c", "temp_mrt_c", "residual_w")

    def __init__(self, heating_w, temp_air_c, temp_op_c, temp_mrt_c, residual_w):
        self.heating_w = heating_w
        self.temp_air_c = temp_air_c
        self.temp_op_c = temp_op_c
        self.temp_mrt_c = temp_mrt_c
        #: gains - losses - storage of each zone's network this step [W]; round-off only
        self.residual_w = residual_w


class Zones:
    """The building's zones: their networks, node temperatures, one step at a time.

    A step is two calls: :meth:`free` (the response without ventilation and heating, from the
    start-of-step state and the step's inputs) and :meth:`advance` (with the ventilation and the
    heating actually delivered); :meth:`heating_request_w` in between gives the exact power that
    reaches each set-point.

    Parameters
    ----------
    model
        The validated model.
    dt_s
        Time step [s].
    initial_temp_c
        Starting temperature of every node [°C] (until :meth:`initialise_steady`).
    """

    def __init__(self, model: Model, dt_s: float, initial_temp_c: float = 19.0):
        self.arrays = ZoneArrays.from_model(model)
        self.wind_films = model.envelope.films == "wind"
        self.dt_s = float(dt_s)
        self.networks, self.cuts = build_networks(model, dt_s)
        self.channels = self.networks[0].channels
        self.nets = zone_network.stack_networks(self.networks)
        z = len(self.networks)
        self._zi = np.arange(z)
        mask = np.zeros_like(self.nets.capacity_j_k, dtype=bool)
        for j, net in enumerate(self.networks):
            mask[j, :net.n_nodes] = True
        self.x = np.where(mask, initial_temp_c, 0.0)
        self._link_cols = [self.channels.index(f"link{k}") for k in range(len(self.cuts))]
        self._col_out = self.channels.index("temp_out")
        self._x0 = self.x
        self._g, self._g_air = self.nets.g, self.nets.g_air
        self._dg = np.zeros_like(self.x)

    # -- state views ---------------------------------------------------------------------------
    @property
    def temp_air_c(self) -> np.ndarray:
        return self.x[self._zi, self.nets.air]

    @property
    def temp_mrt_c(self) -> np.ndarray:
        return self.x[self._zi, self.nets.star]

    @property
    def temp_op_c(self) -> np.ndarray:
        return 0.5 * (self.temp_air_c + self.temp_mrt_c)

    @property
    def air_capacity_w_k(self) -> np.ndarray:
        """C_int/Δt of the air and furniture node [W/K]."""
        return self.nets.capacity_j_k[self._zi, self.nets.air] / self.dt_s

    def link_fluxes(self, u: np.ndarray) -> None:
        """Write the heat each zone receives through its links this step into ``u`` (z, k), in place.

        Explicit in the start-of-step temperatures of the two cut nodes: what one zone gains the
        other loses, exactly.
        """
        for cut, col in zip(self.cuts, self._link_cols, strict=True):
            (a, b), (ia, ib) = cut.zones, cut.nodes
            q = cut.conductance_w_k * (self.x[b, ib] - self.x[a, ia])
            u[a, col] = q
            u[b, col] = -q

    def setpoint_load_w(self, setpoint_c, temp_out_c, h_inf_w_k, convective_gains_w) -> np.ndarray:
        """Load that holds each set-point, predicted from the start-of-step state [W] (EnergyPlus' predictor).

        Q_sp = C_int/Δt (θ_set − θ_a) + Σ h_ci A (θ_set − θ_s) + (H_inf + H_tb)(θ_set − θ_e) − Φ_conv,
        the zone air balance of EnergyPlus' ``PredictSystemLoads`` with this model's air node.
        """
        surfaces = np.sum(self.nets.convective_w_k * (setpoint_c[:, None] - self.x), axis=1)
        return (self.air_capacity_w_k * (setpoint_c - self.temp_air_c) + surfaces
                + (h_inf_w_k + self.arrays.thermal_bridges_w_k) * (setpoint_c - temp_out_c) - convective_gains_w)

    def free(self, u: np.ndarray, wind_m_s: float = 4.0) -> np.ndarray:
        """Free response x⁰ of the step (no ventilation, no heating) for inputs ``u`` (z, k).

        With ``films = "wind"`` the outer faces' convective film is h_ce = 4 + 4 v (ISO 6946 eq. C.8)
        instead of the design 20 W/(m² K): the step's matrix changes by ΔG = (h_ce − 20) A on those
        nodes and is solved anew (the kernel refactors its tridiagonal part; here a dense solve).
        """
        self._u = u
        if not self.wind_films:
            self._x0 = zone_network.free_response(self.nets, self.x, u)
            return self._x0
        nets = self.nets
        self._dg = (4.0 + 4.0 * max(wind_m_s, 0.0) - cons.H_CE_W_M2K) * nets.exterior_area_m2
        a = nets.matrix + self._dg[:, :, None] * np.eye(nets.matrix.shape[1])[None]
        inverse = np.linalg.inv(a)
        rhs = (nets.capacity_j_k / self.dt_s * self.x + np.einsum("znk,zk->zn", nets.input_matrix, u)
               + self._dg * u[:, self._col_out][:, None])
        # Padded nodes are decoupled unit rows with no input: they stay at 0 and carry no g.
        self._x0 = np.einsum("zij,zj->zi", inverse, rhs)
        self._g = inverse[self._zi, :, nets.air]
        self._g_air = self._g[self._zi, nets.air]
        return self._x0

    def heating_request_w(self, temp_sup_c, h_ve_w_k, setpoint_c, capacity_factor=1.0) -> np.ndarray:
        """Emitter power each zone needs to reach its set-point this step, within emitter limits [W]."""
        x0_air = self._x0[self._zi, self.nets.air]
        need = zone_network.setpoint_power_w(x0_air, self._g_air, h_ve_w_k, temp_sup_c, setpoint_c)
        return np.clip(need, 0.0, self.arrays.emitter_max_w * capacity_factor)

    def cooling_request_w(self, temp_sup_c, h_ve_w_k, heating_w) -> np.ndarray:
        """Ideal cooling that holds each zone's air at its cooling set-point, given the heating [W], ≥ 0.

        Zero where the zone has no cooling set-point or stays below it: an indicator of the need.
        """
        x0_air = self._x0[self._zi, self.nets.air]
        setpoint = self.arrays.cooling_setpoint_c
        with np.errstate(invalid="ignore"):
            need = zone_network.setpoint_power_w(x0_air, self._g_air, h_ve_w_k, temp_sup_c, setpoint) - heating_w
        return np.where(np.isnan(setpoint), 0.0, np.maximum(-need, 0.0))

    def advance(self, temp_sup_c, h_ve_w_k, heating_w) -> ZoneStep:
        """Complete the step with the ventilation and heating actually delivered."""
        x0_air = self._x0[self._zi, self.nets.air]
        temp_air = zone_network.air_temp_c(x0_air, self._g_air, h_ve_w_k, temp_sup_c, heating_w)
        q = h_ve_w_k * (temp_sup_c - temp_air) + heating_w
        x = self._x0 + self._g * q[:, None]
        residual = zone_network.energy_residual_w(self.nets, self.x, x, self._u, q)
        if self.wind_films:  # the film's change ΔG (θ_e − θ_outer face) is part of the boundary flow
            residual = residual + np.sum(self._dg * (self._u[:, self._col_out][:, None] - x), axis=1)
        self.x = x
        return ZoneStep(heating_w, self.temp_air_c, self.temp_op_c, self.temp_mrt_c, residual)

    def initialise_steady(self, u: np.ndarray, temp_air_c: float) -> None:
        """Start every node from the steady profile between ``temp_air_c`` inside and the inputs ``u``.

        The air node is held at ``temp_air_c`` by a large conductance; the massive nodes then start
        where a long spell of those conditions would leave them (the warm-up refines it).
        """
        for j, net in enumerate(self.networks):
            k = net.conductance_w_k.copy()
            b = net.input_matrix @ u[j]
            big = 1e9
            k[net.air, net.air] += big
            b[net.air] += big * temp_air_c
            self.x[j, :net.n_nodes] = np.linalg.solve(k, b)
