"""ISO 6946 films and U-values from layers, and the discretisation of layers into nodes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from twin.physics import constructions as cons

CONCRETE = cons.Layer(0.20, 2.3, 2300.0, 1000.0)
WOOL = cons.Layer(0.16, 0.035, 30.0, 1030.0)
PLASTER = cons.Layer(0.01, 0.40, 1000.0, 1000.0)


def test_design_films_give_back_the_tabulated_surface_resistances():
    # ISO 6946:2017 Table 7: R_si 0.13 (horizontal), 0.10 (upwards), 0.17 (downwards), R_se 0.04;
    # the table rounds to two decimals, hence 0.005.
    assert cons.r_si_m2k_w("wall") == pytest.approx(0.13, abs=0.005)
    assert cons.r_si_m2k_w("ceiling") == pytest.approx(0.10, abs=0.005)
    assert cons.r_si_m2k_w("floor") == pytest.approx(0.17, abs=0.005)
    assert cons.r_se_m2k_w() == pytest.approx(0.04, abs=0.005)


def test_u_value_is_the_inverse_of_the_resistances_by_hand():
    # 0.01/0.87 render is omitted here: wool 0.16/0.035 = 4.5714, concrete 0.20/2.3 = 0.0870,
    # plaster 0.01/0.40 = 0.025; + R_si 0.13 + R_se 0.04 = 4.8534 -> U = 0.20604.
    u = cons.u_value_w_m2k([WOOL, CONCRETE, PLASTER], 0.13, 0.04)
    assert u == pytest.approx(1.0 / (0.13 + 0.16 / 0.035 + 0.2 / 2.3 + 0.01 / 0.4 + 0.04), rel=1e-12)
    assert u == pytest.approx(0.20604, abs=5e-5)


def test_discretisation_keeps_resistance_and_heat_capacity():
    sub = cons.discretise([WOOL, CONCRETE, PLASTER])
    # Exact by construction: the chain of conductances in series is the layers' resistance, the
    # nodes hold the layers' heat capacity.
    assert np.sum(1.0 / sub.conductance_w_m2k) == pytest.approx(cons.resistance_m2k_w([WOOL, CONCRETE, PLASTER]), rel=1e-12)
    assert sub.capacity_j_m2k.sum() == pytest.approx(sum(x.heat_capacity_j_m2k for x in (WOOL, CONCRETE, PLASTER)),
                                                     rel=1e-12)


def test_sublayers_follow_a_third_of_the_daily_penetration_depth():
    # Concrete: a = 2.3 / 2.3e6 = 1e-6 m2/s, delta = sqrt(a 86400 / pi) = 0.1658 m, /3 = 0.0553 m:
    # 20 cm -> ceil(3.62) = 4 sub-layers of 5 cm. Plaster 1 cm stays one node.
    sub = cons.discretise([CONCRETE, PLASTER])
    d_max = math.sqrt(1e-6 * 86400 / math.pi) / 3
    assert math.ceil(0.2 / d_max) == 4
    np.testing.assert_allclose(sub.thickness_m, [0.05] * 4 + [0.01])


def test_a_thick_layer_is_capped_and_a_massless_layer_is_one_node():
    thick = cons.discretise([cons.Layer(2.0, 2.3, 2300.0, 1000.0)])
    assert thick.n_nodes == cons.MAX_SUBLAYERS
    air_gap = cons.discretise([cons.Layer(0.05, 0.28, 0.0, 0.0)])
    assert air_gap.n_nodes == 1 and air_gap.capacity_j_m2k[0] == 0.0


def test_a_construction_needs_layers():
    with pytest.raises(ValueError, match="at least one layer"):
        cons.discretise([])
