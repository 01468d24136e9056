"""ISO 13370 slab on ground and the virtual ground temperature, against hand calculations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from twin.physics import ground


def test_penetration_depth_reproduces_iso_13370_table_h1():
    # ISO 13370 Table H.1 prints 2.2 / 3.2 / 4.2 m for the Table 7 soils (two digits: +/- 0.05 m).
    assert ground.penetration_depth_m(1.5, 3.0e6) == pytest.approx(2.2, abs=0.05)
    assert ground.penetration_depth_m(2.0, 2.0e6) == pytest.approx(3.2, abs=0.05)
    assert ground.penetration_depth_m(3.5, 2.0e6) == pytest.approx(4.2, abs=0.05)


def test_slab_u_by_hand_in_both_branches():
    # 10 m x 8 m slab, all four sides exposed: B' = 80 / (0.5 x 36) = 4.444 m.
    b = ground.characteristic_dimension_m(80.0, 36.0)
    assert b == pytest.approx(80.0 / 18.0)
    # Uninsulated: R_f = 0.1, w = 0.3, lambda 2: d_t = 0.3 + 2 (0.17 + 0.1 + 0.04) = 0.92 m < B'.
    d = ground.equivalent_thickness_m(0.3, 2.0, 0.1)
    assert d == pytest.approx(0.92)
    u = ground.slab_u_w_m2k(b, d, 2.0)
    assert u == pytest.approx(2 * 2.0 / (math.pi * b + d) * math.log(math.pi * b / d + 1))
    assert 0.4 < u < 0.8  # ISO 13370's order for a small uninsulated slab
    # Insulated: R_f = 3.79 -> d_t = 0.3 + 2 x 4.0 = 8.3 m >= B': U = 2 / (0.457 B' + 8.3).
    d2 = ground.equivalent_thickness_m(0.3, 2.0, 3.79)
    assert ground.slab_u_w_m2k(b, d2, 2.0) == pytest.approx(2.0 / (0.457 * b + 8.3))
    # No exposed perimeter: B' infinite, no heat loss through the ground (an inner slab).
    assert ground.slab_u_w_m2k(ground.characteristic_dimension_m(80.0, 0.0), d2, 2.0) == 0.0


def _slab():
    b = ground.characteristic_dimension_m(80.0, 36.0)
    d = ground.equivalent_thickness_m(0.3, 2.0, 3.79)
    u = float(ground.slab_u_w_m2k(b, d, 2.0))
    return ground.slab_on_ground(80.0, 36.0, u, d, 2.0, ground.penetration_depth_m(2.0, 2.0e6)), d


def test_periodic_coefficients_by_hand():
    slab, d = _slab()
    delta = ground.penetration_depth_m(2.0, 2.0e6)
    assert slab.h_pi_w_k == pytest.approx(80 * 2.0 / d * math.sqrt(2 / ((1 + delta / d) ** 2 + 1)))
    assert slab.h_pe_w_k == pytest.approx(0.37 * 36 * 2.0 * math.log(delta / d + 1))


def test_virtual_ground_temperature_carries_the_steady_flow_over_the_year():
    slab, _ = _slab()
    months = np.arange(1, 13)
    t_out = 10.0 - 8.0 * np.cos(2 * np.pi * (months - 1) / 12)  # coldest in January, mean 10 °C
    t_in = np.full(12, 20.0)
    flow = ground.monthly_heat_flow_w(slab, t_in, t_out)
    # The harmonics average out over the year: the mean flow is the steady H_g (20 - 10).
    assert flow.mean() == pytest.approx(slab.h_g_w_k * 10.0)
    # The external swing peaks one month after the coldest month (ISO 13370 lag beta = 1).
    assert int(np.argmax(flow)) + 1 == 2
    theta = ground.virtual_ground_temp_c(slab, t_in, t_out)
    np.testing.assert_allclose(slab.h_g_w_k * (t_in - theta), flow, rtol=1e-12)
    # Without any swing the virtual ground is the outdoor mean.
    flat = ground.virtual_ground_temp_c(slab, t_in, np.full(12, 10.0))
    np.testing.assert_allclose(flat, 10.0)
    with pytest.raises(ValueError, match="12 values"):
        ground.monthly_heat_flow_w(slab, t_in[:11], t_out)
