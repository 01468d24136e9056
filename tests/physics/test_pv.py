"""Unit tests of twin.physics.pv (PVWatts v8-style PV chain)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib
import pytest

from twin.physics import pv, solar
from twin.weather import besancon_reference_year, resample_to_step

ARRAY = {"name": "roof_south", "peak_power_kwp": 90.0, "surface_tilt_deg": 10.0, "surface_azimuth_deg": 180.0}


# ------------------------------------------------------------------ DC, losses, inverter
@pytest.mark.parametrize("module, gamma", [("standard", -0.0037), ("premium", -0.0035), ("thin_film", -0.0032)])
def test_dc_power_hand_values(module, gamma):
    g = pv.MODULE_TYPES[module].gamma_pdc_per_c
    assert g == gamma
    assert pv.dc_power_w(1000.0, 25.0, 90e3, g) == pytest.approx(90e3)
    assert pv.dc_power_w(1000.0, 45.0, 90e3, g) == pytest.approx(90e3 * (1 + gamma * 20))
    assert pv.dc_power_w(500.0, 25.0, 90e3, g) == pytest.approx(45e3)


def test_losses_and_degradation_are_multiplicative():
    assert pv.loss_factor(14.08) == pytest.approx(0.8592)
    assert pv.total_losses_percent() == pytest.approx(14.0757, abs=1e-4)  # PVWatts default, shown 14.08
    assert pv.total_losses_percent(soiling=0, shading=0, mismatch=0, wiring=0, connections=0, lid=0,
                                   nameplate_rating=0, availability=10) == pytest.approx(10.0)
    assert pv.degradation_factor(0.5, 0) == 1.0
    assert pv.degradation_factor(0.5, 10) == pytest.approx(0.995**10)


def test_inverter_clipping_and_efficiency():
    ac_rating = 75e3
    eta = 0.96
    # Far above the DC input limit: clipped at the AC rating.
    assert pv.ac_power_w(200e3, ac_rating, eta) == pytest.approx(ac_rating)
    # At the DC limit P_dc0 = P_ac0/η the efficiency is η_nom (Dobos eq. 10 normalised).
    assert pv.ac_power_w(ac_rating / eta, ac_rating, eta) == pytest.approx(ac_rating, rel=1e-9)
    # Part load: η = η_nom/η_ref (−0.0162ζ − 0.0059/ζ + 0.9858).
    z = 0.5
    expect = z * ac_rating / eta * eta / 0.9637 * (-0.0162 * z - 0.0059 / z + 0.9858)
    assert pv.ac_power_w(z * ac_rating / eta, ac_rating, eta) == pytest.approx(expect)
    out = pv.ac_power_w(np.array([0.0, -5.0, 1e-9]), ac_rating, eta)
    assert np.all(out >= 0) and out[0] == 0 and out[1] == 0  # no night tare, never negative


def test_scalar_array_series_equivalence():
    x = np.array([0.0, 200.0, 800.0, 1100.0])
    s = pd.Series(x, index=pd.date_range("2027-06-01", periods=4, freq="h"))
    a = pv.dc_power_w(x, 40.0, 1e3, -0.0037)
    b = pv.dc_power_w(s, 40.0, 1e3, -0.0037)
    assert isinstance(b, pd.Series) and b.index.equals(s.index)
    np.testing.assert_allclose(a, b.to_numpy())
    assert pv.dc_power_w(800.0, 40.0, 1e3, -0.0037) == pytest.approx(a[2])
    t_arr = pv.cover_transmitted_irradiance_w_m2(np.array([10.0, 60.0]), 30.0, 500.0, 100.0, 10.0)
    t_ser = pv.cover_transmitted_irradiance_w_m2(pd.Series([10.0, 60.0]), 30.0, 500.0, 100.0, 10.0)
    t_sca = pv.cover_transmitted_irradiance_w_m2(60.0, 30.0, 500.0, 100.0, 10.0)
    np.testing.assert_allclose(t_arr, t_ser.to_numpy())
    assert t_sca == pytest.approx(t_arr[1])


# ------------------------------------------------------------------------- optics
def test_iam_matches_pvlib_physical_with_ar_coating():
    aoi = np.array([0.0, 20.0, 40.0, 60.0, 75.0, 85.0])
    beam_only = pv.cover_transmitted_irradiance_w_m2(aoi, 20.0, 1.0, 0.0, 0.0)
    ref = pvlib.iam.physical(np.clip(aoi, 1, 89), n=1.526, K=4.0, L=0.002, n_ar=1.3)
    np.testing.assert_allclose(beam_only, ref, atol=5e-3)
    np.testing.assert_allclose(beam_only[:4], ref[:4], rtol=1.5e-3)
    assert np.all(np.diff(beam_only) <= 0) and beam_only[0] == pytest.approx(1.0, abs=1e-4)
    # Diffuse K at the Brandemuehl-Beckman angle is < 1, and never exceeds the input.
    k_sky = pv.cover_transmitted_irradiance_w_m2(0.0, 10.0, 0.0, 1.0, 0.0)
    assert 0.9 < k_sky < 1.0


def test_spectral_modifier():
    assert pv.spectral_modifier(0.0) == pytest.approx(sum(pv.AM_COEFFS_DESOTO), rel=2e-3)
    assert pv.spectral_modifier(95.0) == 0.0
    assert 0.0 <= pv.spectral_modifier(89.5) < pv.spectral_modifier(60.0)


# -------------------------------------------------------------------- temperature
@pytest.mark.parametrize("step_s", [900, 3600])
def test_fuentes_vectorised_matches_pvlib(step_s):
    n = 60
    idx = pd.date_range("2027-06-01", periods=n, freq=f"{step_s}s")
    rng = np.random.default_rng(3)
    poa = pd.Series(50 + 950 * rng.random(n), idx)  # always lit: pvlib and PVWatts agree
    tair = pd.Series(15 + 10 * rng.random(n), idx)
    wind = pd.Series(6 * rng.random(n), idx)
    for noct in (45.0, 49.0):
        ref = pvlib.temperature.fuentes(poa, tair, wind, noct, surface_tilt=30)
        got = pv.cell_temperature_fuentes_c(poa, tair, wind, noct, step_s)
        np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), atol=0.01)


def test_fuentes_dark_is_ambient_and_noct_orders_mounts():
    tair = np.array([10.0, 10.0, 10.0])
    poa = np.array([0.0, 800.0, 800.0])
    rack = pv.cell_temperature_fuentes_c(poa, tair, 1.0, 45.0, 3600)
    roof = pv.cell_temperature_fuentes_c(poa, tair, 1.0, 49.0, 3600)
    assert rack[0] == 10.0
    assert np.all(roof[1:] > rack[1:]) and np.all(rack[1:] > 25.0)


# ------------------------------------------------------------------------ the chain
def _hourly_besancon():
    w = besancon_reference_year(2027, seed=1)
    d = w.data
    sp = solar.solar_position(d.index - pd.Timedelta(minutes=30), w.latitude, w.longitude, w.altitude_m)
    return w, d, sp


@pytest.fixture(scope="module")
def besancon():
    return _hourly_besancon()


def test_chain_night_zero_nonnegative_and_clipped(besancon):
    w, d, sp = besancon
    ac = pv.pv_ac_power_w(sp, d, ARRAY, altitude_m=w.altitude_m)
    assert ac.shape == (len(d),)
    assert np.all(ac >= 0) and np.all(np.isfinite(ac))
    assert np.all(ac[sp["apparent_zenith"].to_numpy() >= 90] == 0)
    assert ac.max() <= 90e3 / 1.2 + 1e-6


def test_chain_degradation_and_pvarray_model(besancon):
    from twin.scenario import PvArray

    w, d, sp = besancon
    a0 = pv.pv_ac_power_w(sp, d, PvArray(**ARRAY), altitude_m=w.altitude_m)
    a10 = pv.pv_ac_power_w(sp, d, ARRAY, year_index=10, altitude_m=w.altitude_m)
    assert np.allclose(a0, pv.pv_ac_power_w(sp, d, ARRAY, altitude_m=w.altitude_m))
    ratio = a10.sum() / a0.sum()
    assert 0.995**10 * 0.99 < ratio < 0.995**10 * 1.005  # slightly more at part load (inverter curve)


def test_invalid_inputs(besancon):
    w, d, sp = besancon
    with pytest.raises(ValueError, match="valid options"):
        pv.pv_ac_power_w(sp, d, {**ARRAY, "transposition_model": "klucher2"})
    with pytest.raises(ValueError, match="valid options"):
        pv.pv_ac_power_w(sp, d, {**ARRAY, "module_type": "cigs"})
    with pytest.raises(ValueError, match="valid options"):
        pv.pv_ac_power_w(sp, d, {**ARRAY, "mounting": "pole"})
    with pytest.raises(ValueError, match="rows"):
        pv.pv_ac_power_w(sp.iloc[:10], d, ARRAY)
    with pytest.raises(ValueError, match="lacks columns"):
        pv.pv_ac_power_w(sp, d.drop(columns="wind_speed"), ARRAY)
    with pytest.raises(ValueError):
        pv.loss_factor(100.0)
    with pytest.raises(ValueError):
        pv.ac_power_w(1.0, 0.0, 0.96)
    with pytest.raises(ValueError):
        pv.degradation_factor(0.5, -1)
    with pytest.raises(ValueError):
        pv.pv_specific_yield_kwh_kwp([1.0], 0.0, 1.0)


def test_specific_yield_hand_value():
    # 1 kWp at 500 W for 2 h = 1 kWh/kWp.
    assert pv.pv_specific_yield_kwh_kwp([500.0, 500.0], 3600.0, 1.0) == pytest.approx(1.0)


def test_besancon_specific_yield_in_reference_range(besancon):
    """Default roof array (90 kWp, 10°, south) on the embedded Besançon year.

    domain-facts.md §1d: ≈1,050-1,100 kWh/kWp for south ~30°, ≈950 for flat or
    east-west roofs. A 10° south roof lies between the two, hence [950, 1,100].
    The 30° check allows −3 %/+5 % around 1,050-1,100: the references are [E]
    estimates from real plants (with availability and ageing losses), and the
    generated year has GHI = 1,250 kWh/m², 3.6 % above the 1,207 of the
    Ångström estimate of §1d. Measured: 1,055 (10°) and 1,132 (30°).
    """
    w, d, sp = besancon
    y10 = pv.pv_specific_yield_kwh_kwp(pv.pv_ac_power_w(sp, d, ARRAY, altitude_m=w.altitude_m), 3600, 90.0)
    y30 = pv.pv_specific_yield_kwh_kwp(
        pv.pv_ac_power_w(sp, d, {**ARRAY, "surface_tilt_deg": 30.0}, altitude_m=w.altitude_m), 3600, 90.0)
    assert 950.0 <= y10 <= 1100.0
    assert 1050.0 * 0.97 <= y30 <= 1100.0 * 1.05
    assert y30 > y10


def test_one_year_at_900_s_is_consistent_with_hourly(besancon):
    # Speed is measured in benchmarks/, never asserted here (shared CI machines).
    w, hourly, sp_h = besancon
    d = resample_to_step(hourly, 900)
    sp = solar.solar_position(d.index - pd.Timedelta(seconds=450), w.latitude, w.longitude, w.altitude_m)
    ac = pv.pv_ac_power_w(sp, d, ARRAY, altitude_m=w.altitude_m)
    assert len(ac) == 35040
    y15 = pv.pv_specific_yield_kwh_kwp(ac, 900, 90.0)
    y60 = pv.pv_specific_yield_kwh_kwp(pv.pv_ac_power_w(sp_h, hourly, ARRAY, altitude_m=w.altitude_m), 3600, 90.0)
    assert y15 == pytest.approx(y60, rel=0.01)
