"""Tests of twin.physics.air against tables and hand calculations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.physics.air import (
    air_cp_j_kgk,
    air_density_kg_m3,
    air_pressure_pa,
    coil_heating_power_w,
    dew_point_c,
    fan_heat_to_air_w,
    fan_power_w,
    heat_recovery_bypass_wanted,
    heat_recovery_supply_temp_c,
    humidity_ratio,
    saturation_vapour_pressure_pa,
    ventilation_conductance_w_k,
)

BESANCON_ALT_M = 307.0


# ------------------------------------------------------------- density
def test_density_sea_level_tables():
    # Dry air at 101 325 Pa: 1.204 kg/m³ at 20 °C (ASHRAE Fundamentals / Engineering
    # ToolBox "Air - density at varying temperature" table: 1.204), and 1.2250 kg/m³
    # at 15 °C (ISO 2533 standard atmosphere, sea level).
    assert air_density_kg_m3(20.0, 101_325.0) == pytest.approx(1.204, abs=5e-4)
    assert air_density_kg_m3(15.0, 101_325.0) == pytest.approx(1.2250, abs=1e-4)


def test_pressure_and_density_besancon():
    # ASHRAE Fundamentals 2009 ch.1 eq. (3): p = 101.325 (1 − 2.25577e-5 Z)^5.2559 kPa
    # Z = 307 m: 2.25577e-5 × 307 = 0.0069252; ln(0.9930748) = −0.0069493;
    # × 5.2559 = −0.036525; exp → 0.964134; p = 97 691 Pa
    p = air_pressure_pa(BESANCON_ALT_M)
    assert p == pytest.approx(97_691.0, rel=1e-3)
    # ρ = 97 691 / (287.058 × 293.15) = 97 691 / 84 151.05 = 1.16090 kg/m³
    assert air_density_kg_m3(20.0, p) == pytest.approx(1.16090, rel=1e-3)


def test_moist_air_is_lighter():
    dry = air_density_kg_m3(25.0, 101_325.0, 0.0)
    wet = air_density_kg_m3(25.0, 101_325.0, 1.0)
    # p_ws(25 °C) ≈ 3169.9 Pa (ASHRAE table 3); Δρ = p_w (1/R_da − 1/R_w)/T
    # = 3169.9 × (1/287.058 − 1/461.524)/298.15 = 3169.9 × 0.0013169/298.15 = 0.014002
    assert dry - wet == pytest.approx(0.0140, abs=2e-4)


# ---------------------------------------------------------- saturation
def test_saturation_pressure_vs_ashrae_table():
    # ASHRAE Fundamentals 2009 ch. 1 Table 3: 20 °C → 2.3393 kPa; −20 °C (ice) → 0.10326 kPa
    assert saturation_vapour_pressure_pa(20.0) == pytest.approx(2339.3, rel=2e-3)
    assert saturation_vapour_pressure_pa(-20.0) == pytest.approx(103.26, rel=2e-3)
    # Triple point 611.657 Pa (IAPWS); boiling point at 100 °C ≈ 101 325 Pa
    assert saturation_vapour_pressure_pa(0.01) == pytest.approx(611.657, rel=2e-3)
    assert saturation_vapour_pressure_pa(100.0) == pytest.approx(101_325.0, rel=2e-3)


def test_humidity_ratio_and_dew_point():
    # W = 0.621945 × 0.5 × p_ws(20) / (101325 − 0.5 p_ws(20)); p_ws(20) = 2338.8
    # = 0.621945 × 1169.4 / 100155.6 = 0.0072617 kg/kg
    assert humidity_ratio(20.0, 0.5, 101_325.0) == pytest.approx(0.007262, rel=1e-3)
    # Dew point of 20 °C / 50 % ≈ 9.3 °C (psychrometric chart)
    assert dew_point_c(20.0, 0.5) == pytest.approx(9.27, abs=0.05)
    t = np.array([-15.0, -1.0, 5.0, 22.0, 35.0])
    rh = np.array([0.9, 0.3, 0.7, 0.45, 1.0])
    td = dew_point_c(t, rh)
    np.testing.assert_allclose(
        saturation_vapour_pressure_pa(td), rh * saturation_vapour_pressure_pa(t), rtol=1e-10
    )
    assert dew_point_c(35.0, 1.0) == pytest.approx(35.0, abs=1e-9)


def test_cp_and_conductance():
    assert air_cp_j_kgk() == 1006.0
    assert air_cp_j_kgk(0.01) == pytest.approx(1024.6)
    # dry: 1 m³/s × 1.20408 × 1006 = 1211.3 W/K
    assert ventilation_conductance_w_k(1.0, 20.0, 101_325.0) == pytest.approx(1211.3, abs=0.1)
    flows = pd.Series([0.0, 0.5, 2.0])
    h = ventilation_conductance_w_k(flows, 20.0, 101_325.0)
    np.testing.assert_allclose(h, [0.0, 605.65, 2422.6], atol=0.1)


def test_invalid_humidity():
    with pytest.raises(ValueError, match="relative_humidity"):
        humidity_ratio(20.0, 1.5)
    with pytest.raises(ValueError, match="relative_humidity"):
        air_density_kg_m3(20.0, 101_325.0, -0.1)


# ------------------------------------------------------- heat recovery
def test_heat_recovery_hand_balanced():
    # θ_sup = −5 + 0.75 × (21 − (−5)) = −5 + 19.5 = 14.5 °C; exhaust 21 − 19.5 = 1.5 °C ≥ 0
    t_sup, eps = heat_recovery_supply_temp_c(-5.0, 21.0, 0.75)
    assert t_sup == pytest.approx(14.5) and eps == pytest.approx(0.75)


def test_heat_recovery_frost_limited_exhaust_at_limit():
    # Nominal exhaust: 21 − 0.8 × 36 = −7.8 °C < 0 → ε_eff = (21 − 0)/36 = 0.583333
    # θ_sup = −15 + 21 = 6 °C; exhaust = 21 − 21 = 0 °C exactly
    t_sup, eps = heat_recovery_supply_temp_c(-15.0, 21.0, 0.8, frost_limit_exhaust_c=0.0)
    assert eps == pytest.approx(21.0 / 36.0)
    assert t_sup == pytest.approx(6.0)
    exhaust = 21.0 - 1.0 * (t_sup - (-15.0))
    assert exhaust == pytest.approx(0.0, abs=1e-12)
    # Other limit, vectorised
    t_out = np.array([-20.0, -10.0, 0.0, 10.0])
    t_sup, eps = heat_recovery_supply_temp_c(t_out, 20.0, 0.85, frost_limit_exhaust_c=-2.0)
    exhaust = 20.0 - (t_sup - t_out)
    assert np.all(exhaust >= -2.0 - 1e-12)
    assert exhaust[0] == pytest.approx(-2.0) and eps[-1] == pytest.approx(0.85)


def test_heat_recovery_bypass_gives_outdoor():
    t_sup, eps = heat_recovery_supply_temp_c(np.array([18.0, -5.0]), 24.0, 0.8,
                                             bypass=np.array([True, False]))
    assert t_sup[0] == 18.0 and eps[0] == 0.0
    assert t_sup[1] == pytest.approx(-5.0 + 0.8 * 29.0)


def test_heat_recovery_unbalanced():
    # r = ṁs/ṁe = 0.8: C_min = C_s → θ_sup = −5 + 0.75 × 26 = 14.5;
    #   exhaust = 21 − 0.8 × 19.5 = 5.4
    t_sup, _ = heat_recovery_supply_temp_c(-5.0, 21.0, 0.75, mass_flow_ratio=0.8)
    assert t_sup == pytest.approx(14.5)
    # r = 1.25: C_min = C_e → θ_sup = −5 + 0.75 × 0.8 × 26 = 10.6; exhaust = 21 − 1.25 × 15.6 = 1.5
    t_sup, _ = heat_recovery_supply_temp_c(-5.0, 21.0, 0.75, mass_flow_ratio=1.25)
    assert t_sup == pytest.approx(10.6)
    # frost with r = 1.25: ε_eff = 21 / (1 × 36); θ_sup = −15 + 0.58333 × 0.8 × 36 = 1.8;
    # exhaust = 21 − 1.25 × 16.8 = 0
    t_sup, eps = heat_recovery_supply_temp_c(-15.0, 21.0, 0.8, mass_flow_ratio=1.25)
    assert t_sup == pytest.approx(1.8) and eps == pytest.approx(21 / 36)


def test_heat_recovery_invalid():
    with pytest.raises(ValueError, match="effectiveness"):
        heat_recovery_supply_temp_c(0.0, 20.0, 1.2)
    with pytest.raises(ValueError, match="mass_flow_ratio"):
        heat_recovery_supply_temp_c(0.0, 20.0, 0.8, mass_flow_ratio=0.0)


def test_bypass_rule():
    wanted = heat_recovery_bypass_wanted(
        np.array([-5.0, 18.0, 30.0, 20.0]),
        np.array([21.0, 25.0, 24.0, 24.0]),
        np.array([18.0, 16.0, 20.0, 20.0]),
    )
    # winter: keep; summer free cooling: bypass; hot day: recovery cools → keep;
    # outdoor already at target → bypass
    np.testing.assert_array_equal(wanted, [False, True, False, True])


# ------------------------------------------------------------ coil, fan
def test_coil():
    # 1.2 × 1006 × (18 − 14.5) = 4225.2 W
    p, t = coil_heating_power_w(1.2, 1006.0, 14.5, 18.0, 1e4)
    assert p == pytest.approx(4225.2) and t == pytest.approx(18.0)
    # clipped: 14.5 + 3000/1207.2 = 16.98509
    p, t = coil_heating_power_w(1.2, 1006.0, 14.5, 18.0, 3000.0)
    assert p == 3000.0 and t == pytest.approx(16.98509, abs=1e-5)
    p, t = coil_heating_power_w(np.array([1.2, 0.0]), 1006.0, 20.0, 18.0, 3000.0)
    np.testing.assert_array_equal(p, [0.0, 0.0])
    np.testing.assert_array_equal(t, [20.0, 20.0])


def test_fan():
    assert fan_power_w(2.0, 1500.0) == pytest.approx(3000.0)
    assert fan_heat_to_air_w(3000.0) == pytest.approx(3000.0)
    assert fan_heat_to_air_w(3000.0, 0.9) == pytest.approx(2700.0)
    with pytest.raises(ValueError, match="fraction_to_air"):
        fan_heat_to_air_w(3000.0, 1.1)
