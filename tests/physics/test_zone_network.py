"""The zone network: steady state against U A ΔT, a layer's step response against the analytical
solution, exact set-point power and energy closure."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import erfc

from twin.physics import constructions as cons
from twin.physics import zone_network as zn

CHANNELS = ("temp_out", "power")


def _slab_network(layers, dt_s: float, area_m2: float = 1.0):
    """Air node (small capacity), star, one element from outdoor (temp_out) to the zone."""
    b = zn.NetworkBuilder(CHANNELS)
    air = b.node("air", 1e4)
    star = b.node("star")
    sub = cons.discretise(layers)
    outer = b.node("out")
    b.boundary(outer, "temp_out", (cons.H_CE_W_M2K + cons.H_RE_W_M2K) * area_m2)
    nodes = [b.node(f"n{k}", c * area_m2) for k, c in enumerate(sub.capacity_j_m2k)]
    b.link(outer, nodes[0], sub.conductance_w_m2k[0] * area_m2)
    for k in range(len(nodes) - 1):
        b.link(nodes[k], nodes[k + 1], sub.conductance_w_m2k[k + 1] * area_m2)
    inner = b.node("in")
    b.link(nodes[-1], inner, sub.conductance_w_m2k[-1] * area_m2)
    b.link(inner, air, cons.H_CI_W_M2K["wall"] * area_m2)
    b.link(inner, star, cons.H_RI_W_M2K * area_m2)
    b.source(air, "power", 1.0)
    conv = np.zeros(len(b.names))
    conv[inner] = cons.H_CI_W_M2K["wall"] * area_m2
    return b.build(air, star, dt_s, conv), sub, nodes


def test_steady_state_loss_is_u_a_delta_t_from_the_layer_sum():
    # With the air and the radiant environment both at 20 °C (star held there, as ISO 6946's
    # definition of U assumes) and 0 °C outdoors, the heat through 12 m2 of wall must be
    # U A ΔT with U = 1/(R_si + Σ d/λ + R_se). Exact up to the solver's round-off.
    layers = [cons.Layer(0.16, 0.035, 30.0, 1030.0), cons.Layer(0.2, 2.3, 2300.0, 1000.0)]
    net, _, _ = _slab_network(layers, 900.0, area_m2=12.0)
    k = net.conductance_w_k.copy()
    rhs = np.zeros(net.n_nodes)
    big = 1e12
    for node in (net.air, net.star):
        k[node, node] += big
        rhs[node] += big * 20.0
    x = np.linalg.solve(k, rhs)
    outer = net.names.index("out")
    loss_w = (cons.H_CE_W_M2K + cons.H_RE_W_M2K) * 12.0 * (x[outer] - 0.0)
    u = cons.u_value_w_m2k(layers, cons.r_si_m2k_w("wall"), cons.r_se_m2k_w())
    assert loss_w == pytest.approx(u * 12.0 * 20.0, rel=1e-9)


def test_a_layer_follows_the_analytical_step_response():
    # A 60 cm concrete block at 0 °C whose outer face is stepped to 10 °C (huge film), inner face
    # adiabatic: for t small against the block's diffusion time the semi-infinite solution
    # θ(x, t) = 10 erfc(x / (2 sqrt(a t))) holds. Nodes of 5 cm (δ_day/3) and 15-min backward-Euler
    # steps lag it: measured worst error at 2.5-17.5 cm 0.19 K at 3 h, 0.095 K at 6 h, 0.04 K at 12 h
    # (1.9 %, 1 % and 0.4 % of the step). The stated error of the discretisation is therefore 2 % of a
    # step change at 3 h and 1 % from 6 h; the time part is first order (0.13 K at 3 h with 450 s).
    concrete = cons.Layer(0.3, 2.3, 2300.0, 1000.0)
    a = 2.3 / 2.3e6

    def run(dt_s: float) -> dict[int, float]:
        b = zn.NetworkBuilder(CHANNELS)
        sub = cons.discretise([concrete, concrete])
        nodes = [b.node(f"n{k}", c) for k, c in enumerate(sub.capacity_j_m2k)]
        b.boundary(nodes[0], "temp_out", 1.0 / (1.0 / sub.conductance_w_m2k[0] + 1e-9))
        for k in range(len(nodes) - 1):
            b.link(nodes[k], nodes[k + 1], sub.conductance_w_m2k[k + 1])
        air, star = b.node("air", 1.0), b.node("star")
        b.link(nodes[-1], air, 1e-9)
        b.link(air, star, 1e-9)
        net = b.build(air, star, dt_s, np.zeros(len(b.names)))
        x = np.zeros(net.n_nodes)
        mc = net.inverse * (net.capacity_j_k / dt_s)[None, :]
        mb = net.inverse @ net.input_matrix
        u = np.array([10.0, 0.0])
        depth = np.cumsum(sub.thickness_m) - sub.thickness_m / 2
        worst = {}
        steps_per_h = int(3600 / dt_s)
        for step in range(1, 12 * steps_per_h + 1):
            x = mc @ x + mb @ u
            if step % (3 * steps_per_h) == 0:
                t = step * dt_s
                exact = 10.0 * erfc(depth[:4] / (2.0 * math.sqrt(a * t)))
                worst[step // steps_per_h] = float(np.max(np.abs(x[:4] - exact)))
        return worst

    coarse, fine = run(900.0), run(450.0)
    assert coarse[3] < 0.2 and max(coarse[6], coarse[9], coarse[12]) < 0.1
    assert all(fine[h] < coarse[h] for h in coarse)


def test_setpoint_power_is_exact_and_energy_closes():
    # One step of a wall zone with ventilation: the power from setpoint_power_w brings the air
    # exactly to the set-point, and the step's energy balance closes to round-off.
    layers = [cons.Layer(0.16, 0.035, 30.0, 1030.0), cons.Layer(0.2, 2.3, 2300.0, 1000.0)]
    net, _, _ = _slab_network(layers, 900.0, area_m2=30.0)
    nets = zn.stack_networks([net])
    x_prev = np.full((1, net.n_nodes), 15.0)
    u = np.array([[-5.0, 200.0]])
    x0 = zn.free_response(nets, x_prev, u)
    h_ve, t_sup = np.array([40.0]), np.array([-5.0])
    power = zn.setpoint_power_w(x0[:, net.air], nets.g_air, h_ve, t_sup, np.array([20.0]))
    air = zn.air_temp_c(x0[:, net.air], nets.g_air, h_ve, t_sup, power)
    assert float(air[0]) == pytest.approx(20.0, abs=1e-9)
    q = h_ve * (t_sup - air) + power
    x = x0 + nets.g * q[:, None]
    # The corrected state solves the full implicit system, ventilation included.
    full = np.diag(net.capacity_j_k / 900.0) + net.conductance_w_k
    full[net.air, net.air] += h_ve[0]
    rhs = net.capacity_j_k / 900.0 * x_prev[0] + net.input_matrix @ u[0]
    rhs[net.air] += h_ve[0] * t_sup[0] + power[0]
    np.testing.assert_allclose(x[0], np.linalg.solve(full, rhs), atol=1e-9)
    residual = zn.energy_residual_w(nets, x_prev, x, u, q)
    assert abs(float(residual[0])) < 1e-6 * abs(float(power[0]))


def test_arrow_solve_equals_the_dense_inverse_on_le_numerique():
    # Every zone of the default building: the structured solve of the kernel gives the dense
    # solution to round-off (relative 1e-10 on node temperatures).
    import twin
    from twin.systems.zones import build_networks

    model = twin.load_scenario("scenarios/baseline.toml").asset
    networks, _ = build_networks(model, 900.0)
    rng = np.random.default_rng(3)
    for net in networks:
        f = zn.arrow_factors(net)
        r = rng.normal(size=net.n_nodes) * 1e3
        np.testing.assert_allclose(zn.arrow_solve(f, r), net.inverse @ r, rtol=1e-10, atol=1e-10)


def test_zone_link_cuts_point_at_the_shared_construction_in_both_zones():
    # After the networks renumber their nodes, each cut still names a sub-layer node of that link's
    # construction in both zones, one on each side of the cut (G is the construction's own).
    import twin
    from twin.systems.zones import build_networks

    model = twin.load_scenario("scenarios/baseline.toml").asset
    networks, cuts = build_networks(model, 900.0)
    for k, cut in enumerate(cuts):
        for zone, node in zip(cut.zones, cut.nodes, strict=True):
            name = networks[zone].names[node]
            assert name.startswith(f"link{k}.") and not name.endswith(".in"), name
