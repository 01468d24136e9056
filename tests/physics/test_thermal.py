"""Tests of twin.physics.thermal against independent references.

References used: a hand calculation (arithmetic written below), the steady
state of the resistor network solved directly with numpy.linalg.solve, the
analytic exponential response of the network (time constant from the Schur
complement of the conductance matrix), and fine-step runs.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twin.physics.thermal import (
    MASS_CLASSES,
    Rc5Conductances,
    gain_split,
    mix_air_streams,
    rc5_conductances,
    rc5_heat_flows_w,
    rc5_heating_power,
    rc5_step,
)

# Small zone used throughout: A_f = 10 m², medium mass, H_op = 20 W/K, H_w = 5 W/K.
A_F = 10.0
H_OP = 20.0
H_W = 5.0


@pytest.fixture
def cond():
    return rc5_conductances(A_F, H_OP, H_W, "medium")


# ---------------------------------------------------------------- (7) table
def test_mass_class_table_values():
    # ISO 13790:2008 Table 12
    expected = {
        "very_light": (2.5, 80_000),
        "light": (2.5, 110_000),
        "medium": (2.5, 165_000),
        "heavy": (3.0, 260_000),
        "very_heavy": (3.5, 370_000),
    }
    assert set(MASS_CLASSES) == set(expected)
    for name, (a_fac, c_m) in expected.items():
        assert MASS_CLASSES[name]["a_m_factor"] == a_fac
        assert MASS_CLASSES[name]["c_m_j_m2k"] == c_m
        c = rc5_conductances(100.0, 50.0, 10.0, name)
        assert c.a_m_m2 == pytest.approx(a_fac * 100.0)
        assert c.c_m_j_k == pytest.approx(c_m * 100.0)


def test_invalid_mass_class_names_options():
    with pytest.raises(ValueError, match="superheavy") as err:
        rc5_conductances(10.0, 20.0, 5.0, "superheavy")
    assert "very_heavy" in str(err.value) and "medium" in str(err.value)


def test_hop_above_hms_rejected():
    # H_tr,ms = 9.1 × 2.5 × 10 = 227.5 W/K
    with pytest.raises(ValueError, match="h_tr_op_w_k"):
        rc5_conductances(10.0, 227.5, 5.0, "medium")


def test_conductances_hand_values(cond):
    # A_t = 4.5 × 10 = 45 m²; H_tr,is = 3.45 × 45 = 155.25 W/K
    # A_m = 2.5 × 10 = 25 m²; H_tr,ms = 9.1 × 25 = 227.5 W/K
    # H_tr,em = 1/(1/20 − 1/227.5) = 1/(0.05 − 0.0043956) = 21.92771 W/K (= 1820/83)
    assert cond.a_t_m2 == pytest.approx(45.0)
    assert cond.h_tr_is_w_k == pytest.approx(155.25)
    assert cond.h_tr_ms_w_k == pytest.approx(227.5)
    assert cond.h_tr_em_w_k == pytest.approx(1820 / 83, rel=1e-12)
    assert cond.c_m_j_k == pytest.approx(1.65e6)


# ----------------------------------------------------------- (1) hand calc
def test_one_step_hand_calculation(cond):
    # Inputs: Φ_int = 100 W, Φ_sol = 50 W, θ_e = 0 °C, θ_sup = 10 °C, H_ve = 10 W/K,
    # θ_m,t-1 = 20 °C, Φ_HC = 0, Δt = 3600 s.
    # Gains (C.1-C.3): radiant part 0.5·100 + 50 = 100 W
    #   Φ_ia = 50 W; Φ_m = 25/45 × 100 = 55.5556 W
    #   Φ_st = (1 − 25/45 − 5/(9.1×45)) × 100 = (1 − 0.555556 − 0.012210) × 100 = 43.2234 W
    # H_tr,1 = 1/(1/10 + 1/155.25) = 9.394856; H_tr,2 = 14.394856
    # H_tr,3 = 1/(1/14.394856 + 1/227.5) = 13.538237
    # Φ_mtot = 55.5556 + 0 + 13.538237 × (43.2234 + 0 + 9.394856 × (50/10 + 10)) / 14.394856
    #        = 55.5556 + 13.538237 × 184.1462 / 14.394856 = 228.74353 W
    # C_m/Δt = 1.65e6/3600 = 458.3333; ½(H_tr,3 + H_tr,em) = ½(13.538237 + 21.927711) = 17.732974
    # θ_m,t = (20 × (458.3333 − 17.732974) + 228.74353) / (458.3333 + 17.732974)
    #       = (8812.0067 + 228.74353) / 476.06631 = 18.990528 °C
    # θ_m   = (18.990528 + 20)/2 = 19.495264 °C
    # θ_s   = (227.5 × 19.495264 + 43.2234 + 0 + 9.394856 × (10 + 5)) / (227.5 + 5 + 9.394856)
    #       = (4435.1726 + 43.2234 + 140.92284) / 241.894856 = 19.096392 °C
    # θ_air = (155.25 × 19.096392 + 10 × 10 + 50) / (155.25 + 10) = 3314.7147/165.25 = 18.848501 °C
    # θ_op  = 0.3 × 18.848501 + 0.7 × 19.096392 = 19.022024 °C
    phi_ia, phi_st, phi_m = gain_split(100.0, 50.0, H_W, cond.a_m_m2, cond.a_t_m2)
    assert phi_ia == pytest.approx(50.0)
    assert phi_m == pytest.approx(55.5556, abs=1e-4)
    assert phi_st == pytest.approx(43.2234, abs=1e-4)
    s = rc5_step(20.0, 0.0, 10.0, 10.0, phi_ia, phi_st, phi_m, 0.0, cond, 3600.0)
    assert s.theta_m_c == pytest.approx(18.990528, abs=2e-6)
    assert s.theta_m_mean_c == pytest.approx(19.495264, abs=2e-6)
    assert s.theta_s_c == pytest.approx(19.096392, abs=2e-6)
    assert s.theta_air_c == pytest.approx(18.848501, abs=2e-6)
    assert s.theta_op_c == pytest.approx(19.022024, abs=2e-6)


# ---------------------------------------------------- independent network
def _conductance_matrix(c: Rc5Conductances, h_ve):
    """Nodal conductance matrix G (air, surface, mass) and the matrix B of the
    couplings to the boundary temperatures (θ_sup, θ_e), built from the
    network topology only: G θ = B [θ_sup, θ_e] + Φ."""
    h_is, h_w, h_ms, h_em = c.h_tr_is_w_k, c.h_tr_w_w_k, c.h_tr_ms_w_k, c.h_tr_em_w_k
    g = np.array(
        [
            [h_ve + h_is, -h_is, 0.0],
            [-h_is, h_is + h_w + h_ms, -h_ms],
            [0.0, -h_ms, h_ms + h_em],
        ]
    )
    b = np.array([[h_ve, 0.0], [0.0, h_w], [0.0, h_em]])
    return g, b


def _steady(c, h_ve, t_sup, t_e, phi):
    g, b = _conductance_matrix(c, h_ve)
    return np.linalg.solve(g, b @ np.array([t_sup, t_e]) + np.asarray(phi))


# --------------------------------------------------------- (2) steady state
@pytest.mark.parametrize("h_ve", [0.0, 10.0, 300.0])
def test_steady_state_matches_network_solution(cond, h_ve):
    phi = (40.0, 70.0, 30.0)  # Φ_ia + Φ_HC, Φ_st, Φ_m
    t_sup, t_e = 16.0, -5.0
    air, surf, mass = _steady(cond, h_ve, t_sup, t_e, phi)
    # Fixed point: starting at the steady mass temperature, nothing moves.
    s = rc5_step(mass, t_e, t_sup, h_ve, phi[0], phi[1], phi[2], 0.0, cond, 3600.0)
    np.testing.assert_allclose(
        [s.theta_m_c, s.theta_s_c, s.theta_air_c], [mass, surf, air], rtol=0, atol=1e-10
    )
    # Convergence from a distant start (τ ≈ 13 h, 400 h of simulation).
    theta = 35.0
    for _ in range(400):
        s = rc5_step(theta, t_e, t_sup, h_ve, *phi, 0.0, cond, 3600.0)
        theta = s.theta_m_c
    np.testing.assert_allclose(
        [s.theta_m_c, s.theta_s_c, s.theta_air_c], [mass, surf, air], rtol=0, atol=1e-8
    )


# -------------------------------------------------------- (3) step response
def _time_constant_s(c, h_ve):
    """τ = C_m / G_eff where G_eff is the Schur complement of the conductance
    matrix on the mass node (air and surface nodes are massless)."""
    g, _ = _conductance_matrix(c, h_ve)
    g_eff = g[2, 2] - g[2, :2] @ np.linalg.solve(g[:2, :2], g[:2, 2])
    return c.c_m_j_k / g_eff


def _free_float(c, dt_s, hours, theta0=20.0):
    n = int(hours * 3600 / dt_s)
    theta = theta0
    out = [theta]
    for _ in range(n):
        theta = rc5_step(theta, 0.0, 0.0, 10.0, 0.0, 0.0, 0.0, 0.0, c, dt_s).theta_m_c
        out.append(theta)
    return np.array(out)[:: int(3600 / dt_s)]  # hourly samples


def test_free_floating_decay_time_step_independence(cond):
    hours = 48
    tau = _time_constant_s(cond, 10.0)
    assert 10 * 3600 < tau < 16 * 3600  # order of magnitude: ≈ 12.9 h
    t = np.arange(hours + 1) * 3600.0
    exact = 20.0 * np.exp(-t / tau)  # θ_e = θ_sup = 0, no gains → θ_∞ = 0
    fine = _free_float(cond, 60.0, hours)
    # Crank–Nicolson: per-step amplification (1 − x/2)/(1 + x/2) = e^{−x} (1 + O(x³/12)),
    # x = Δt/τ, so the global error at t is ≈ (t/τ)(x²/12) e^{−t/τ} |Δθ| ≤ x²/(12 e)·|Δθ|.
    for dt in (60.0, 900.0, 3600.0):
        x = dt / tau
        bound = x**2 / (12 * np.e) * 20.0
        run = _free_float(cond, dt, hours)
        assert np.max(np.abs(run - exact)) < 1.5 * bound + 1e-12
        assert np.max(np.abs(run - fine)) < 1.5 * bound + 1e-9
    # In numbers: τ ≈ 46 400 s, Δt = 3600 s → bound ≈ 3.7 mK; Δt = 900 s → 0.23 mK.
    assert np.max(np.abs(_free_float(cond, 3600.0, hours) - fine)) < 0.006


# ------------------------------------------------------- (4) heating power
def test_heating_power_reaches_setpoint_and_clips(cond):
    args = (15.0, -5.0, 12.0, 10.0, 20.0, 10.0, 10.0)
    phi, s = rc5_heating_power(*args, 21.0, 1e5, cond, 3600.0)
    assert phi > 0
    assert s.theta_air_c == pytest.approx(21.0, abs=1e-9)
    # consistency with a plain step at that power
    s2 = rc5_step(*args, phi, cond, 3600.0)
    assert s2.theta_air_c == pytest.approx(21.0, abs=1e-9)
    # clipped at max power: setpoint not reached
    phi_c, s_c = rc5_heating_power(*args, 21.0, 0.5 * phi, cond, 3600.0)
    assert phi_c == pytest.approx(0.5 * phi)
    assert s_c.theta_air_c < 21.0
    # warm zone: no heating, free-floating state, never negative (no cooling)
    phi_0, s_0 = rc5_heating_power(*args, 5.0, 1e5, cond, 3600.0)
    assert phi_0 == 0.0
    free = rc5_step(*args, 0.0, cond, 3600.0)
    assert s_0.theta_air_c == pytest.approx(free.theta_air_c)
    assert s_0.theta_air_c > 5.0


def test_heating_power_vectorised_over_zones(cond):
    setpoints = np.array([5.0, 19.0, 21.0, 26.0])
    phi, s = rc5_heating_power(15.0, -5.0, 12.0, 10.0, 20.0, 10.0, 10.0, setpoints, 900.0,
                               cond, 3600.0)
    assert phi.shape == (4,)
    for k, sp in enumerate(setpoints):
        pk, sk = rc5_heating_power(15.0, -5.0, 12.0, 10.0, 20.0, 10.0, 10.0, sp, 900.0,
                                   cond, 3600.0)
        assert phi[k] == pytest.approx(pk) and s.theta_air_c[k] == pytest.approx(sk.theta_air_c)
    assert np.all((phi >= 0) & (phi <= 900.0))


# ------------------------------------------------------- (5) broadcasting
def test_scalar_array_broadcast_agree():
    conds = [rc5_conductances(a, h, w, "heavy") for a, h, w in [(10, 20, 5), (200, 300, 60)]]
    cond_arr = rc5_conductances(np.array([10.0, 200.0]), np.array([20.0, 300.0]),
                                np.array([5.0, 60.0]), "heavy")
    t_out = np.array([-10.0, 0.0, 8.0])[:, None]  # (times, 1)
    theta_prev = np.array([19.0, 21.0])  # (zones,)
    res = rc5_step(theta_prev, t_out, 15.0, np.array([5.0, 80.0]), 10.0, 20.0, 30.0,
                   np.array([100.0, 0.0]), cond_arr, 1800.0)
    assert res.theta_air_c.shape == (3, 2)
    for i in range(3):
        for z in range(2):
            s = rc5_step(float(theta_prev[z]), float(t_out[i, 0]), 15.0, [5.0, 80.0][z],
                         10.0, 20.0, 30.0, [100.0, 0.0][z], conds[z], 1800.0)
            for a, b in zip(s, res, strict=True):
                assert np.ndim(a) == 0
                assert a == pytest.approx(b[i, z], rel=1e-13, abs=1e-12)


def test_mix_air_streams():
    h, t = mix_air_streams([100.0, 20.0], [18.0, -2.0])
    # (100×18 + 20×(−2)) / 120 = 1760/120 = 14.6667
    assert h == pytest.approx(120.0) and t == pytest.approx(1760 / 120)
    h0, t0 = mix_air_streams([0.0, 0.0], [18.0, -2.0])
    assert h0 == 0.0 and np.isfinite(t0)
    h2, t2 = mix_air_streams(np.array([[100.0, 20.0], [0.0, 20.0]]), np.array([18.0, -2.0]))
    np.testing.assert_allclose(h2, [120.0, 20.0])
    np.testing.assert_allclose(t2, [1760 / 120, -2.0])


def test_gain_split_drops_window_share(cond):
    # Φ_ia + Φ_st + Φ_m = Φ_int + Φ_sol − H_w/(9.1 A_t)(0.5 Φ_int + Φ_sol)
    ia, st_, m = gain_split(100.0, 50.0, H_W, cond.a_m_m2, cond.a_t_m2)
    assert ia + st_ + m == pytest.approx(150.0 - 5.0 / (9.1 * 45.0) * 100.0)


# --------------------------------------------------- (6) energy closure
_finite = dict(allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    mass_class=st.sampled_from(sorted(MASS_CLASSES)),
    a_f=st.floats(5.0, 5000.0, **_finite),
    h_op_per_m2=st.floats(0.05, 5.0, **_finite),
    h_w_per_m2=st.floats(0.0, 3.0, **_finite),
    dt_s=st.sampled_from([60.0, 900.0, 3600.0, 86400.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_energy_closure(mass_class, a_f, h_op_per_m2, h_w_per_m2, dt_s, seed):
    cond = rc5_conductances(a_f, h_op_per_m2 * a_f, h_w_per_m2 * a_f, mass_class)
    rng = np.random.default_rng(seed)
    n = 24
    theta = 20.0
    for k in range(n):
        t_e = rng.uniform(-20, 35)
        t_sup = rng.uniform(-20, 35)
        h_ve = rng.uniform(0, 3) * a_f * (k % 5 != 0)  # includes H_ve = 0
        phi_ia, phi_st, phi_m = gain_split(rng.uniform(0, 30) * a_f, rng.uniform(0, 50) * a_f,
                                           cond.h_tr_w_w_k, cond.a_m_m2, cond.a_t_m2)
        phi_hc = rng.uniform(-20, 60) * a_f
        s = rc5_step(theta, t_e, t_sup, h_ve, phi_ia, phi_st, phi_m, phi_hc, cond, dt_s)
        f = rc5_heat_flows_w(theta, s, t_e, t_sup, h_ve, phi_ia, phi_st, phi_m, phi_hc,
                             cond, dt_s)
        scale = (abs(f.gains_w) + abs(f.loss_window_w) + abs(f.loss_opaque_w)
                 + abs(f.loss_ventilation_w) + abs(f.storage_w))
        assert abs(f.residual_w) <= 1e-9 * scale
        theta = s.theta_m_c


def test_invalid_parameters(cond):
    with pytest.raises(ValueError, match="dt_s"):
        rc5_step(20.0, 0.0, 0.0, 10.0, 0.0, 0.0, 0.0, 0.0, cond, 0.0)
    with pytest.raises(ValueError, match="h_ve_w_k"):
        rc5_step(20.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, cond, 3600.0)
    with pytest.raises(ValueError, match="max_power_w"):
        rc5_heating_power(20.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 20.0, -5.0, cond, 3600.0)


def test_air_sensitivity_matches_finite_difference_and_gives_the_c13_power():
    # The analytic dθ_air/dΦ_HC must equal the difference of two rc5_step calls (the network is
    # affine, so any ΔΦ gives the same slope to round-off), and the power it implies must equal
    # rc5_heating_power's two-trial (C.13) answer.
    from twin.physics.thermal import (
        rc5_air_sensitivity_k_w,
        rc5_conductances,
        rc5_heating_power,
        rc5_step,
    )

    cond = rc5_conductances(np.array([100.0, 570.0]), np.array([40.0, 200.0]), np.array([30.0, 150.0]), "medium")
    args = (np.array([17.0, 18.5]), -3.0, 12.0, np.array([35.0, 400.0]), 300.0, 200.0, 150.0)
    s = rc5_air_sensitivity_k_w(args[3], cond, 900.0)
    a0 = rc5_step(*args, 0.0, cond, 900.0).theta_air_c
    a1 = rc5_step(*args, 1000.0, cond, 900.0).theta_air_c
    np.testing.assert_allclose(s, (a1 - a0) / 1000.0, rtol=1e-10)
    power, _ = rc5_heating_power(*args, 20.0, 1e9, cond, 900.0)
    np.testing.assert_allclose(np.clip((20.0 - a0) / s, 0, None), power, rtol=1e-10)
