"""The 2-D wall/slab junction (ISO 10211 numerical method) against its own balance, a finer grid,
ISO 13370's analytical slab and a hand calculation of the bridge."""

from __future__ import annotations

import numpy as np
import pytest

from twin.physics import constructions as cons
from twin.physics import ground, slab_edge

# The validation shoebox's layers (models/validation/shoebox.toml): slab XPS / concrete / screed,
# ground side first; walls outside to inside.
SLAB = (cons.Layer(0.125, 0.034, 30.0, 1450.0), cons.Layer(0.15, 2.3, 2300.0, 1000.0),
        cons.Layer(0.05, 1.0, 2000.0, 1000.0))
BROKEN_WALL = (cons.Layer(0.305, 0.035, 30.0, 1000.0),)               # insulation only: no bridge
CONCRETE_WALL = (cons.Layer(0.105, 0.035, 30.0, 1000.0), cons.Layer(0.2, 2.3, 2300.0, 1000.0))
SOIL_W_MK = 2.0


def _floor_u(b_prime_m: float, wall_m: float = 0.305) -> float:
    d_t = ground.equivalent_thickness_m(wall_m, SOIL_W_MK, cons.resistance_m2k_w(SLAB))
    return float(ground.slab_u_w_m2k(b_prime_m, d_t, SOIL_W_MK))


def test_heat_in_equals_heat_out():
    flows = slab_edge.junction_flows(CONCRETE_WALL, SLAB, 0.2, 80.0 / 18.0, SOIL_W_MK)
    # A linear solve of a conservative scheme: only round-off separates the two sums.
    assert flows.outside_w_mk == pytest.approx(flows.inside_w_mk, rel=1e-9)
    assert flows.cells > 1000


def test_grid_independent():
    coarse = slab_edge.junction_flows(CONCRETE_WALL, SLAB, 0.2, 80.0 / 18.0, SOIL_W_MK)
    fine = slab_edge.junction_flows(CONCRETE_WALL, SLAB, 0.2, 80.0 / 18.0, SOIL_W_MK, min_cell_m=0.005)
    # The module's claim (MIN_CELL_M): halving the junction's cells moves L_2D by < 0.5 %.
    assert fine.inside_w_mk == pytest.approx(coarse.inside_w_mk, rel=0.005)


@pytest.mark.parametrize("b_prime_m", [80.0 / 18.0, 12.8])
def test_thermally_broken_edge_gives_back_iso_13370(b_prime_m):
    """With an insulating wall and footing the 2-D floor loses what ISO 13370's formula says."""
    u = _floor_u(b_prime_m)
    psi = slab_edge.edge_psi_w_mk(BROKEN_WALL, SLAB, 0.0, b_prime_m, SOIL_W_MK, u)
    # ISO 13370 eq. (4) is a closed-form fit of 2-D results for an ideal edge: the residual psi must
    # stay within 12 % of the floor's own loss (B'/2) U (measured 3.5 % at B' 12.8 m, 8 % at 4.4 m).
    assert abs(psi) <= 0.12 * 0.5 * b_prime_m * u


def test_concrete_wall_on_the_soil_bridges_the_slab_insulation():
    """Hand calculation of the bridge: the slab's concrete as a fin, the wall's concrete, the soil."""
    b_prime = 80.0 / 18.0
    psi = slab_edge.edge_psi_w_mk(CONCRETE_WALL, SLAB, 0.2, b_prime, SOIL_W_MK, _floor_u(b_prime))
    broken = slab_edge.edge_psi_w_mk(BROKEN_WALL, SLAB, 0.2, b_prime, SOIL_W_MK, _floor_u(b_prime))
    # Series path, per metre: slab concrete as a fin cooled through R_si + screed (length
    # sqrt(lambda t R) = sqrt(2.3 x 0.15 x 0.22) = 0.275 m, G = lambda t / L = 1.25 W/(m K)); the wall's
    # 20 cm of concrete over the 0.3 m down to its foot (G = 2.3 x 0.2 / 0.3 = 1.5); the soil from that
    # 0.2 m foot to the ground surface 0.1-0.3 m away (a strip's shape factor ~1.5: G ~ 3): about
    # 1 / (1/1.25 + 1/1.5 + 1/3) = 0.55 W/(m K). The hand estimate ignores the spreading in the
    # slab and the soil: the 2-D result must agree within 35 %.
    assert psi - broken == pytest.approx(0.55, rel=0.35)
    assert psi > 5 * broken


def test_refuses_a_floor_below_grade():
    with pytest.raises(ValueError, match="at or above grade"):
        slab_edge.junction_flows(CONCRETE_WALL, SLAB, -0.5, 4.4, SOIL_W_MK)


def test_edge_enters_the_steady_conductance_and_the_virtual_ground_temperature():
    slab = ground.slab_on_ground(80.0, 36.0, 0.19, 6.0, SOIL_W_MK, 3.2, edge_psi_w_mk=0.5)
    assert slab.edge_w_k == pytest.approx(18.0)
    assert slab.h_g_w_k == pytest.approx(80.0 * 0.19 + 18.0)
    # Without swings (flat months) the floor's A U behind the virtual ground temperature carries
    # exactly H_g (theta_i - theta_e): the edge's loss reaches the zone through the floor node.
    theta = ground.virtual_ground_temp_c(slab, np.full(12, 20.0), np.full(12, 5.0))
    np.testing.assert_allclose(slab.floor_w_k * (20.0 - theta), slab.h_g_w_k * 15.0, rtol=1e-12)


BARE_SLAB = (cons.Layer(0.05, 2.0, 2000.0, 1000.0),)


@pytest.mark.parametrize("slab, b_prime_m", [(SLAB, 80.0 / 18.0), (SLAB, 12.8), (BARE_SLAB, 80.0 / 18.0),
                                              (BARE_SLAB, 12.8)], ids=["xps-small", "xps-large", "bare-small",
                                                                       "bare-large"])
def test_iso_13370_annex_h_against_the_2d_section(slab, b_prime_m):
    """ISO 13370's steady U and Annex H external harmonic (read from an implementation, flagged [U]
    in twin.physics.ground) against the same floor solved in 2-D at the annual frequency."""
    perimeter = 36.0
    area = 0.5 * b_prime_m * perimeter
    d_t = ground.equivalent_thickness_m(0.305, SOIL_W_MK, cons.resistance_m2k_w(slab))
    iso = ground.slab_on_ground(area, perimeter, float(ground.slab_u_w_m2k(b_prime_m, d_t, SOIL_W_MK)), d_t,
                                SOIL_W_MK, ground.penetration_depth_m(SOIL_W_MK, 2.0e6))
    # Floor at grade, thermally broken edge, wall cut at the floor: ISO 13370's own geometry.
    r = slab_edge.annual_response(BROKEN_WALL, slab, 0.0, b_prime_m, SOIL_W_MK, 2.0e6, wall_height_above_floor_m=1e-9)
    # Measured: steady +0 to +8 %; external amplitude 18-27 % below Annex H's 0.37 P lambda ln(delta/d_t + 1),
    # its lag 0.9-1.7 months against Annex H's beta = 1 month. Tolerances: 10 %, 30 %, 0.75 month (a wrong
    # constant, delta or sign in the Annex H forms would fall far outside).
    assert r.steady_w_mk * perimeter == pytest.approx(iso.h_g_w_k, rel=0.10)
    assert abs(r.external_w_mk) * perimeter == pytest.approx(iso.h_pe_w_k, rel=0.30)
    # The flow into the ground answers a warm month by falling: half a year out of phase, less the lag.
    lag_months = 6.0 - np.angle(r.external_w_mk) / (2 * np.pi) * 12.0
    assert lag_months == pytest.approx(1.0, abs=0.75)
