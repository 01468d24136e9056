"""Rooftop photovoltaic output: a PVWatts v8-style chain built from pvlib models.

One public entry point, :func:`pv_ac_power_w`, computes the AC power of one
array over a whole run, vectorised (one call per run and array). Each step of
the chain is a small pure function below, usable on its own:

1. plane-of-array irradiance (:func:`twin.physics.solar.plane_irradiance_w_m2`,
   Perez 1990 by default, as PVWatts v8);
2. transmission through the module cover (:func:`cover_transmitted_irradiance_w_m2`,
   De Soto physical IAM with an anti-reflective coating, as PVWatts v8);
3. spectral (air-mass) modifier (:func:`spectral_modifier`, De Soto 2006
   polynomial, as PVWatts v8);
4. cell temperature (:func:`cell_temperature_fuentes_c`, Fuentes 1987 as in
   PVWatts v5-v8, vectorised);
5. DC power (:func:`dc_power_w`, :func:`pvlib.pvsystem.pvwatts_dc`) times the
   lumped DC losses (:func:`loss_factor`) and degradation
   (:func:`degradation_factor`);
6. AC power (:func:`ac_power_w`, :func:`pvlib.inverter.pvwatts`) with clipping
   at the AC rating DC/ratio.

Time convention: weather rows are means over the step ENDING at their label;
the caller passes solar positions computed at MID-step times (label − Δt/2),
as :func:`twin.engine.build_exogenous` does. The result is the mean AC power
over each step.

Not modelled (documented in docs/pv.md): row-to-row self-shading from the
ground coverage ratio (PVWatts v8 applies it to ``open_rack`` arrays only),
snow, soiling beyond the lumped losses, bifacial gain, transformer losses,
inverter night tare (PVWatts has none either).

References
----------
[PVW8] Dobos A.P. (2014), PVWatts Version 5 Manual, NREL/TP-6A20-62641, and
    NREL SAM/SSC ``cmod_pvwattsv8.cpp`` (PVWatts v8, SAM 2022+), the source of
    the constants used here.
[DeSoto] De Soto W., Klein S.A., Beckman W.A. (2006), Improvement and
    validation of a model for photovoltaic array performance, Solar Energy
    80(1), 78-88.
[Fuentes] Fuentes M.K. (1987), A simplified thermal model for flat-plate
    photovoltaic arrays, SAND85-0330, Sandia National Laboratories.
[DB] Duffie J.A., Beckman W.A., Solar Engineering of Thermal Processes,
    4th ed. (2013), eqs. (5.1.4)-(5.3.1), (5.4.1)-(5.4.2).
[pvlib] Anderson K. et al. (2023), pvlib python: 2023 project update, JOSS
    8(92), 5994.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pvlib

from twin.physics import solar

__all__ = [
    "MODULE_TYPES",
    "MOUNTING_NOCT_C",
    "PV_TRANSPOSITION_MODELS",
    "ModuleType",
    "cover_transmitted_irradiance_w_m2",
    "spectral_modifier",
    "cell_temperature_fuentes_c",
    "dc_power_w",
    "loss_factor",
    "total_losses_percent",
    "degradation_factor",
    "ac_power_w",
    "pv_ac_power_w",
    "pv_specific_yield_kwh_kwp",
    "CONDITION_FIELDS",
    "ArrayConditions",
    "array_conditions",
    "array_ac_power_w",
]


@dataclass(frozen=True)
class ModuleType:
    """PVWatts module-type constants.

    Attributes
    ----------
    gamma_pdc_per_c : float
        Temperature coefficient of power [1/°C].
    ar_coating : bool
        Anti-reflective coated glass (PVWatts v8: true for all three types).
    """

    gamma_pdc_per_c: float
    ar_coating: bool = True


#: PVWatts v8 module types [PVW8]: γ = −0.37, −0.35, −0.32 %/°C, AR glass for all.
MODULE_TYPES: dict[str, ModuleType] = {
    "standard": ModuleType(-0.0037),
    "premium": ModuleType(-0.0035),
    "thin_film": ModuleType(-0.0032),
}

#: Installed nominal operating cell temperature by mounting [°C] (PVWatts:
#: INOCT 45 °C open rack, 49 °C roof mount) [PVW8].
MOUNTING_NOCT_C: dict[str, float] = {"open_rack": 45.0, "roof_mount": 49.0}

#: Transposition models accepted for a PV array (those of :class:`twin.scenario.PvArray`).
PV_TRANSPOSITION_MODELS = ("isotropic", "haydavies", "perez")

# Cover optics [DeSoto], as PVWatts v8 (lib_pv_incidence_modifier.h).
N_GLASS = 1.526          # refractive index of glass [-]
K_GLASS_PER_M = 4.0      # extinction coefficient [1/m]
L_GLASS_M = 0.002        # glass thickness [m]
N_AR = 1.3               # refractive index of the anti-reflective coating [-]
L_AR_M = L_GLASS_M * 0.01  # coating thickness [m]

#: De Soto (2006) air-mass modifier coefficients a0..a4, as PVWatts v8.
AM_COEFFS_DESOTO = (0.918093, 0.086257, -0.024459, 0.002816, -0.000126)

#: PVWatts inverter reference efficiency η_ref [-] (Dobos 2014 eq. 10).
ETA_INV_REF = 0.9637


def _check_choice(name, value, valid):
    if value not in valid:
        raise ValueError(f"unknown {name} {value!r}; valid options: {list(valid)}")


def _as_float(x):
    """Float ndarray view of scalar/array/Series input."""
    return np.asarray(x, dtype=float)


def _like(result, template):
    """Return ``result`` as a Series if ``template`` is one, a float if scalar."""
    result = np.asarray(result, dtype=float)
    if isinstance(template, pd.Series):
        return pd.Series(np.broadcast_to(result, template.shape), index=template.index)
    return result[()] if result.ndim == 0 else result


# ----------------------------------------------------------------------------- optics
def _transmittance(theta_deg, n_cover, n_incoming, k_per_m, l_m):
    """Fresnel + Bouguer transmittance of one cover layer; also the refraction angle.

    Notes
    -----
    θ₂ = asin(n₁/n₂ sin θ₁) (Snell);
    τ = [1 − ½(sin²(θ₂−θ₁)/sin²(θ₂+θ₁) + tan²(θ₂−θ₁)/tan²(θ₂+θ₁))]
    · exp(−K L / cos θ₂)  [DB eqs. 5.1.1-5.1.4, 5.2.1].
    """
    t1 = np.radians(theta_deg)
    t2 = np.arcsin(n_incoming / n_cover * np.sin(t1))
    refl = 0.5 * (np.sin(t2 - t1) ** 2 / np.sin(t2 + t1) ** 2
                  + np.tan(t2 - t1) ** 2 / np.tan(t2 + t1) ** 2)
    return (1.0 - refl) * np.exp(-k_per_m * l_m / np.cos(t2)), np.degrees(t2)


def _cover_tau(theta_deg, ar_coating):
    """Transmittance of the (optionally AR-coated) glass cover at θ [-]."""
    if not ar_coating:
        return _transmittance(theta_deg, N_GLASS, 1.0, K_GLASS_PER_M, L_GLASS_M)[0]
    tau_ar, theta2 = _transmittance(theta_deg, N_AR, 1.0, K_GLASS_PER_M, L_AR_M)
    return tau_ar * _transmittance(theta2, N_GLASS, N_AR, K_GLASS_PER_M, L_GLASS_M)[0]


def cover_transmitted_irradiance_w_m2(aoi_deg, surface_tilt_deg, poa_direct_w_m2,
                                      poa_sky_diffuse_w_m2, poa_ground_diffuse_w_m2,
                                      ar_coating=True):
    """Irradiance transmitted through the module cover (PVWatts v8 IAM).

    Parameters
    ----------
    aoi_deg : float or array_like or Series
        Angle of incidence of the beam on the plane [deg].
    surface_tilt_deg : float or array_like
        Plane tilt from horizontal [deg].
    poa_direct_w_m2, poa_sky_diffuse_w_m2, poa_ground_diffuse_w_m2 : float or array_like
        Beam, sky-diffuse and ground-reflected irradiance on the plane [W/m²].
    ar_coating : bool
        Anti-reflective coated glass (PVWatts v8 uses it for every module type).

    Returns
    -------
    float, ndarray or Series
        Transmitted irradiance G_t [W/m²], ≥ 0.

    Notes
    -----
    .. math::

        G_t = K_b(θ) G_b + K_s G_s + K_g G_g,\\qquad K = \\min(1, τ(θ)/τ_n)

    τ(θ) is the Fresnel-Bouguer transmittance of the cover (glass n = 1.526,
    K = 4 m⁻¹, L = 2 mm; AR coating n = 1.3, 20 µm) [DeSoto], θ clipped to
    [1°, 89°], τ_n = τ(1°) with the coating. The diffuse components use the
    Brandemuehl-Beckman equivalent angles [DB eqs. 5.4.1-5.4.2]:
    θ_s = 59.7 − 0.1388 β + 0.001497 β², θ_g = 90 − 0.5788 β + 0.002693 β².
    All three components go through the coating and the glass and are
    divided by the same coated τ_n, so each K ≤ 1 and K → 1 at normal
    incidence; K_b agrees with :func:`pvlib.iam.physical` (n = 1.526, K = 4,
    L = 2 mm, n_ar = 1.3) to 0.1 % up to 60° and 0.5 percentage points at 85°
    (pvlib neglects absorption in the coating layer). The SSC source of PVWatts v8
    (``calculateIrradianceThroughCoverDeSoto``) has changed across versions in
    which layers enter the diffuse terms and the normalisation; the measured
    effect against PySAM 7.1.1 is reported in docs/pv.md.

    References
    ----------
    [DeSoto] eqs. (9)-(12); [DB] §5.1-5.4; NREL SSC
    ``lib_pv_incidence_modifier.cpp``.
    """
    aoi = np.clip(_as_float(aoi_deg), 1.0, 89.0)
    tilt = _as_float(surface_tilt_deg)
    tau_n = _cover_tau(1.0, ar_coating)
    k_b = np.minimum(1.0, _cover_tau(aoi, ar_coating) / tau_n)
    theta_s = 59.7 - 0.1388 * tilt + 0.001497 * tilt**2
    theta_g = 90.0 - 0.5788 * tilt + 0.002693 * tilt**2
    k_s = np.minimum(1.0, _cover_tau(theta_s, ar_coating) / tau_n)
    k_g = np.minimum(1.0, _cover_tau(np.clip(theta_g, 1.0, 89.0), ar_coating) / tau_n)
    g = (k_b * _as_float(poa_direct_w_m2) + k_s * _as_float(poa_sky_diffuse_w_m2)
         + k_g * _as_float(poa_ground_diffuse_w_m2))
    return _like(np.maximum(g, 0.0), aoi_deg)


def spectral_modifier(solar_zenith_deg, altitude_m=0.0):
    """Air-mass (spectral) modifier M(AM_a) of PVWatts v8.

    Parameters
    ----------
    solar_zenith_deg : float or array_like or Series
        Solar zenith [deg]; ≥ 90° gives 0.
    altitude_m : float
        Site altitude [m].

    Returns
    -------
    float, ndarray or Series
        Modifier [-], ≥ 0.

    Notes
    -----
    .. math::

        AM = [\\cos Z + 0.5057 (96.080 − Z)^{−1.634}]^{−1}\\ (Kasten & Young 1989),
        \\quad AM_a = AM\\, e^{−0.0001184 h},\\quad M = \\sum_{i=0}^{4} a_i AM_a^i

    with a = (0.918093, 0.086257, −0.024459, 0.002816, −0.000126) [DeSoto].
    Uses :func:`pvlib.atmosphere.get_relative_airmass` and
    :func:`pvlib.spectrum.spectral_factor_sapm`.

    References
    ----------
    [DeSoto] eq. (13); Kasten F., Young A.T. (1989), Applied Optics 28(22);
    King D.L. et al. (2004), SAND2004-3535 (elevation correction).
    """
    zen = _as_float(solar_zenith_deg)
    am = pvlib.atmosphere.get_relative_airmass(np.where(zen < 90.0, zen, np.nan), "kastenyoung1989")
    am_a = np.asarray(am, dtype=float) * np.exp(-0.0001184 * float(altitude_m))
    coeffs = dict(zip(("A0", "A1", "A2", "A3", "A4"), AM_COEFFS_DESOTO, strict=True))
    m = np.asarray(pvlib.spectrum.spectral_factor_sapm(am_a, coeffs), dtype=float)
    return _like(np.where(zen < 90.0, m, 0.0), solar_zenith_deg)


# ------------------------------------------------------------------------ temperature
_BOLTZ = 5.669e-8  # Stefan-Boltzmann constant as in Fuentes (1987) [W/(m² K⁴)]


def _fuentes_hconv(tave, windmod, temp_delta, xlen, sin_tilt, check_reynolds):
    """Convective coefficient [W/(m² K)] (Fuentes 1987 eqs. 10-14), vectorised."""
    densair = 0.003484 * 101325.0 / tave
    visair = 0.24237e-6 * tave**0.76 / densair
    condair = 2.1695e-4 * tave**0.84
    reynold = windmod * xlen / visair
    laminar = 0.8600 / reynold**0.5 * densair * windmod * 1007 / 0.71**0.67
    if check_reynolds:
        turbulent = 0.0282 / reynold**0.2 * densair * windmod * 1007 / 0.71**0.4
        hforce = np.where(reynold > 1.2e5, turbulent, laminar)
    else:
        hforce = laminar
    grashof = 9.8 / tave * temp_delta * xlen**3 / visair**2 * sin_tilt
    hfree = 0.21 * (grashof * 0.71) ** 0.32 * condair / xlen
    return (hfree**3 + hforce**3) ** (1.0 / 3.0)


def cell_temperature_fuentes_c(poa_global_w_m2, temp_air_c, wind_speed_m_s, noct_installed_c,
                               step_s, *, module_height_m=5.0, wind_height_m=9.144,
                               emissivity=0.84, absorption=0.83, n_sweeps=6):
    """Cell temperature by the Fuentes (1987) model as used in PVWatts (v5-v8).

    Parameters
    ----------
    poa_global_w_m2 : array_like or Series
        Plane-of-array irradiance (before the cover) [W/m²], time-ordered.
    temp_air_c : array_like or Series
        Air temperature [°C].
    wind_speed_m_s : array_like or Series
        Wind speed at ``wind_height_m`` [m/s]; negative values taken as 0.
    noct_installed_c : float
        Installed nominal operating cell temperature [°C] (:data:`MOUNTING_NOCT_C`).
    step_s : float
        Time step [s] (thermal lag).
    module_height_m, wind_height_m : float
        Module and anemometer heights [m] (PVWatts: 5 and 9.144).
    emissivity, absorption : float
        Module emissivity and absorptance [-] (Fuentes: 0.84, 0.83).
    n_sweeps : int
        Fixed-point sweeps over the whole series (see Notes).

    Returns
    -------
    ndarray or Series
        Cell temperature [°C]; equals the air temperature when the POA is 0.

    Notes
    -----
    Energy balance of the module with thermal capacity C (Fuentes eq. 7):

    .. math::

        T_m = T_{m,0} e^{λ} + \\frac{(1 − e^{λ})(h_c T_a + h_s T_{sky} + h_g T_g
        + S_0 + (S − S_0)/λ) + S − S_0}{h_c + h_s + h_g},\\quad
        λ = −\\frac{(h_c + h_s + h_g) Δt}{C}

    with S = α G_poa, T_sky = 0.68·0.0552 T_a^{1.5} + 0.32 T_a, wind at module
    height v (h/9.144)^{0.2}, the radiative coefficients
    h = ε σ (T_m² + T²)(T_m + T) and the mixed free/forced convection of
    Fuentes (hydraulic diameter 0.5 m, free convection with sin β = 0.5 as
    hard-wired in PVWatts). The INOCT calibrates the back-side convection and
    ground-temperature ratios, and C = 11,000 J/(m² K) × (1 + (INOCT − 48 °C)/12)
    above 48 °C. As in PVWatts, when G_poa = 0 the module is set to the air
    temperature and S₀ = 0 for the next step.

    PVWatts solves each step in turn with 10 fixed-point iterations started
    from T_{m,0}; here the same 10 iterations run on the whole series at once,
    repeated ``n_sweeps`` times with T_{m,0} taken from the previous sweep
    (Jacobi). Because e^λ ≲ 0.2 for steps ≥ 15 min, the sweeps converge to
    the sequential result (agreement with :func:`pvlib.temperature.fuentes`
    < 0.01 K in the tests) at a fraction of its cost (pvlib's is a Python
    loop, ~2.4 s per 35,040 steps).

    References
    ----------
    [Fuentes] eqs. (3)-(27) and Appendix A; :func:`pvlib.temperature.fuentes`;
    NREL SSC ``lib_pvwatts.cpp`` (``pvwatts_celltemp``).
    """
    poa = _as_float(poa_global_w_m2)
    shape = poa.shape
    poa = np.atleast_1d(poa)
    tamb = np.broadcast_to(np.atleast_1d(_as_float(temp_air_c)), poa.shape) + 273.15
    wind = np.maximum(np.broadcast_to(np.atleast_1d(_as_float(wind_speed_m_s)), poa.shape), 0.0)
    if not (np.isfinite(step_s) and step_s > 0):
        raise ValueError(f"step_s must be a positive number of seconds, got {step_s!r}")
    boltz, emiss, absorp = _BOLTZ, emissivity, absorption
    xlen = 0.5                      # hydraulic diameter [m] (PVWatts / pvlib default)
    sin_tilt = 0.5                  # sin(30°), hard-wired in Fuentes/PVWatts
    tinoct = float(noct_installed_c) + 273.15
    # Calibration at NOCT conditions (wind 1 m/s, 800 W/m², 20 °C).
    hconv0 = _fuentes_hconv((tinoct + 293.15) / 2, 1.0, tinoct - 293.15, xlen, sin_tilt, False)
    hground0 = emiss * boltz * (tinoct**2 + 293.15**2) * (tinoct + 293.15)
    backrat = ((absorp * 800.0 - emiss * boltz * (tinoct**4 - 282.21**4)
                - hconv0 * (tinoct - 293.15)) / ((hground0 + hconv0) * (tinoct - 293.15)))
    tground0 = np.clip((tinoct**4 - backrat * (tinoct**4 - 293.15**4)) ** 0.25, 293.15, tinoct)
    tgrat = (tground0 - 293.15) / (tinoct - 293.15)
    convrat = (absorp * 800.0 - emiss * boltz * (2 * tinoct**4 - 282.21**4 - tground0**4)) \
        / (hconv0 * (tinoct - 293.15))
    cap = 11000.0 * (1.0 + (tinoct - 321.15) / 12.0) if tinoct > 321.15 else 11000.0

    sun = poa * absorp
    day = poa > 0.0
    tsky = 0.68 * (0.0552 * tamb**1.5) + 0.32 * tamb
    windmod = wind * (module_height_m / wind_height_m) ** 0.2 + 1e-4
    # Previous-step state (PVWatts: after a dark step T_m,0 = T_a and S_0 = 0).
    sun0 = np.concatenate(([0.0], np.where(day[:-1], sun[:-1], 0.0)))
    tmod = np.where(day, tamb + sun / 30.0, tamb)  # first guess
    for _ in range(n_sweeps):
        tmod0 = np.concatenate(([293.15], tmod[:-1]))
        t = tmod0.copy()
        for _ in range(10):  # PVWatts: 10 fixed-point iterations from T_m,0
            tave = (t + tamb) / 2
            hconv = convrat * _fuentes_hconv(tave, windmod, np.abs(t - tamb), xlen, sin_tilt, True)
            hsky = emiss * boltz * (t**2 + tsky**2) * (t + tsky)
            tground = tamb + tgrat * (t - tamb)
            hground = emiss * boltz * (t**2 + tground**2) * (t + tground)
            htot = hconv + hsky + hground
            eigen = -htot / cap * float(step_s)
            ex = np.where(eigen > -10.0, np.exp(np.maximum(eigen, -10.0)), 0.0)
            t_new = tmod0 * ex + ((1 - ex) * (hconv * tamb + hsky * tsky + hground * tground
                                             + sun0 + (sun - sun0) / eigen) + sun - sun0) / htot
            t = np.where(day, t_new, tamb)
        tmod = t
    out = (tmod - 273.15).reshape(shape) if shape else float(tmod[0] - 273.15)
    return _like(out, poa_global_w_m2)


# ----------------------------------------------------------------------- DC and AC
def dc_power_w(effective_irradiance_w_m2, cell_temperature_c, pdc0_w, gamma_pdc_per_c):
    """PVWatts DC power before system losses.

    Parameters
    ----------
    effective_irradiance_w_m2 : float or array_like or Series
        Irradiance reaching the cells (after cover and spectral modifiers) [W/m²].
    cell_temperature_c : float or array_like or Series
        Cell temperature [°C].
    pdc0_w : float
        DC nameplate at STC (1000 W/m², 25 °C) [W].
    gamma_pdc_per_c : float
        Temperature coefficient of power [1/°C] (negative).

    Returns
    -------
    float, ndarray or Series
        DC power [W].

    Notes
    -----
    .. math:: P_{dc} = \\frac{G_e}{1000} P_{dc0} [1 + γ (T_c − 25)]

    (:func:`pvlib.pvsystem.pvwatts_dc`; Dobos 2014 eq. 5).

    References
    ----------
    Dobos A.P. (2014), PVWatts Version 5 Manual, NREL/TP-6A20-62641, eq. (5).
    """
    if not pdc0_w > 0:
        raise ValueError(f"pdc0_w must be > 0, got {pdc0_w!r}")
    res = pvlib.pvsystem.pvwatts_dc(_as_float(effective_irradiance_w_m2), _as_float(cell_temperature_c),
                                    pdc0_w, gamma_pdc_per_c)
    return _like(res, effective_irradiance_w_m2)


def total_losses_percent(soiling=2.0, shading=3.0, snow=0.0, mismatch=2.0, wiring=2.0,
                         connections=0.5, lid=1.5, nameplate_rating=1.0, age=0.0,
                         availability=3.0):
    """PVWatts total system losses from its components [%].

    Parameters
    ----------
    soiling, shading, snow, mismatch, wiring, connections, lid, nameplate_rating, age, availability : float
        Loss components [%] (PVWatts defaults shown).

    Returns
    -------
    float
        Total losses L [%]; 14.0757 with the defaults (PVWatts displays 14.08).

    Notes
    -----
    .. math:: L = 100 [1 − \\prod_i (1 − l_i/100)]

    (:func:`pvlib.pvsystem.pvwatts_losses`; Dobos 2014 eq. 6).

    References
    ----------
    Dobos A.P. (2014), PVWatts Version 5 Manual, eq. (6) and Table 6.
    """
    return float(pvlib.pvsystem.pvwatts_losses(soiling, shading, snow, mismatch, wiring, connections,
                                               lid, nameplate_rating, age, availability))


def loss_factor(system_losses_percent):
    """Multiplicative DC derate 1 − L/100 [-].

    Parameters
    ----------
    system_losses_percent : float or array_like
        Total system losses L [%] in [0, 100).

    Returns
    -------
    float or ndarray
        Factor [-] in (0, 1].

    Notes
    -----
    PVWatts applies all its "system losses" to the DC power:
    P = P_{dc} (1 − L/100) (Dobos 2014 §6).

    References
    ----------
    Dobos (2014) §6; NREL SSC ``cmod_pvwattsv8.cpp`` (``f_losses``).
    """
    loss = _as_float(system_losses_percent)
    if np.any(~((loss >= 0) & (loss < 100))):
        raise ValueError(f"system_losses_percent must lie in [0, 100), got {system_losses_percent!r}")
    return (1.0 - loss / 100.0)[()]


def degradation_factor(degradation_percent_per_year, year_index):
    """Output remaining after ``year_index`` years of degradation [-].

    Parameters
    ----------
    degradation_percent_per_year : float
        Annual degradation rate d [%/yr], ≥ 0.
    year_index : int or float
        Years in service (0 = first year, no degradation), ≥ 0.

    Returns
    -------
    float
        (1 − d/100)^year_index [-].

    Notes
    -----
    Compound degradation as PVWatts/SAM lifetime mode (``dc_degradation``):
    year y is scaled by (1 − d)^y, y = 0, 1, ...

    References
    ----------
    NREL SSC ``cmod_pvwattsv8.cpp`` (``degradationFactor``).
    """
    d = float(degradation_percent_per_year)
    y = float(year_index)
    if not (0.0 <= d < 100.0):
        raise ValueError(f"degradation_percent_per_year must lie in [0, 100), got {degradation_percent_per_year!r}")
    if not y >= 0.0:
        raise ValueError(f"year_index must be >= 0, got {year_index!r}")
    return (1.0 - d / 100.0) ** y


def ac_power_w(dc_power_w_, ac_rating_w, inverter_efficiency):
    """PVWatts inverter: part-load efficiency and clipping at the AC rating.

    Parameters
    ----------
    dc_power_w_ : float or array_like or Series
        DC power into the inverter [W].
    ac_rating_w : float
        AC nameplate P_ac0 = P_dc0 / (DC/AC ratio) [W].
    inverter_efficiency : float
        Nominal efficiency η_nom [-] in (0.5, 1].

    Returns
    -------
    float, ndarray or Series
        AC power [W] in [0, P_ac0] (no night tare, as PVWatts).

    Notes
    -----
    .. math::

        ζ = P_{dc}/P_{dc0},\\quad P_{dc0} = P_{ac0}/η_{nom},\\quad
        η = \\frac{η_{nom}}{η_{ref}}\\left(−0.0162 ζ − \\frac{0.0059}{ζ} + 0.9858\\right),
        \\quad P_{ac} = \\min(η P_{dc}, P_{ac0})

    with η_ref = 0.9637 (:func:`pvlib.inverter.pvwatts`; Dobos 2014 eqs. 10-11).

    References
    ----------
    Dobos A.P. (2014), PVWatts Version 5 Manual, eqs. (10)-(11).
    """
    if not ac_rating_w > 0:
        raise ValueError(f"ac_rating_w must be > 0, got {ac_rating_w!r}")
    if not (0.5 < inverter_efficiency <= 1.0):
        raise ValueError(f"inverter_efficiency must lie in (0.5, 1], got {inverter_efficiency!r}")
    res = pvlib.inverter.pvwatts(_as_float(dc_power_w_), ac_rating_w / inverter_efficiency,
                                 eta_inv_nom=inverter_efficiency, eta_inv_ref=ETA_INV_REF)
    return _like(np.clip(np.asarray(res, dtype=float), 0.0, ac_rating_w), dc_power_w_)


# ------------------------------------------------------------------------ the chain
_ARRAY_FIELDS = ("peak_power_kwp", "surface_tilt_deg", "surface_azimuth_deg")
_ARRAY_DEFAULTS = {
    "module_type": "standard", "mounting": "open_rack", "system_losses_percent": 14.08,
    "dc_ac_ratio": 1.2, "inverter_efficiency_percent": 96.0, "ground_coverage_ratio": 0.4,
    "albedo": 0.2, "transposition_model": "perez", "degradation_percent_per_year": 0.5,
}


def _array_params(array) -> dict:
    if isinstance(array, Mapping):
        src = dict(array)
    elif hasattr(array, "model_dump"):
        src = array.model_dump()
    else:
        raise ValueError(f"array must be a PvArray or a mapping of its fields, got {type(array)!r}")
    missing = [k for k in _ARRAY_FIELDS if k not in src]
    if missing:
        raise ValueError(f"array lacks fields {missing}")
    p = {**_ARRAY_DEFAULTS, **src}
    _check_choice("module_type", p["module_type"], MODULE_TYPES)
    _check_choice("mounting", p["mounting"], MOUNTING_NOCT_C)
    _check_choice("transposition_model", p["transposition_model"], PV_TRANSPOSITION_MODELS)
    if not p["peak_power_kwp"] > 0:
        raise ValueError(f"peak_power_kwp must be > 0, got {p['peak_power_kwp']!r}")
    if not p["dc_ac_ratio"] > 0:
        raise ValueError(f"dc_ac_ratio must be > 0, got {p['dc_ac_ratio']!r}")
    return p


def pv_ac_power_w(solpos: pd.DataFrame, weather: pd.DataFrame, array, *, year_index=0,
                  step_s=None, altitude_m=0.0, return_details=False):
    """AC power of one PV array over a run (PVWatts v8-style chain).

    Parameters
    ----------
    solpos : pandas.DataFrame
        :func:`twin.physics.solar.solar_position` at MID-step times, same
        length and order as ``weather`` (needs ``apparent_zenith``, ``zenith``,
        ``azimuth``); its index gives the day of year for the extraterrestrial
        irradiance.
    weather : pandas.DataFrame
        Step means: ``ghi, dni, dhi`` [W/m²], ``temp_air`` [°C],
        ``wind_speed`` [m/s]; index = step ends.
    array : twin.scenario.PvArray or Mapping
        Array parameters (fields of ``PvArray``; missing optional fields take
        the ``PvArray`` defaults).
    year_index : int
        Years since commissioning (degradation (1 − d)^year_index).
    step_s : float, optional
        Step length [s] for the module thermal lag; inferred from the
        ``weather`` index when None.
    altitude_m : float
        Site altitude [m] (air-mass elevation correction).
    return_details : bool
        Also return a dict of the intermediate series.

    Returns
    -------
    numpy.ndarray
        Mean AC power over each step [W], length ``len(weather)``, ≥ 0; with
        ``return_details`` a tuple ``(ac, details)``.

    Raises
    ------
    ValueError
        Unknown model names, mismatched lengths, missing columns, bad values.

    Notes
    -----
    .. math::

        P_{ac} = f_{inv}\\Big(\\frac{M(AM_a)\\, G_t}{1000} P_{dc0}
        [1 + γ (T_c − 25)]\\,(1 − L)\\,(1 − d)^{y}\\Big)

    with G_t the cover-transmitted POA (:func:`cover_transmitted_irradiance_w_m2`),
    M the spectral modifier (:func:`spectral_modifier`), T_c from
    :func:`cell_temperature_fuentes_c` driven by the untransmitted POA,
    f_inv = :func:`ac_power_w` with P_ac0 = P_dc0/ratio. Steps with the sun
    below the horizon at mid-step give 0. Ground-coverage self-shading is not
    modelled (see module docstring).

    References
    ----------
    See the module docstring ([PVW8], [DeSoto], [Fuentes], [pvlib]).
    """
    p = _array_params(array)
    conditions = array_conditions(solpos, weather, p, step_s=step_s, altitude_m=altitude_m)
    ac = array_ac_power_w(conditions, p, year_index=year_index)
    if return_details:
        return ac, conditions.details(p, year_index)
    return ac


#: Fields of an array that the plane's light and the cells' temperature depend on; the others
#: (size, losses, inverter, degradation) enter only :func:`array_ac_power_w`.
CONDITION_FIELDS = ("surface_tilt_deg", "surface_azimuth_deg", "module_type", "mounting", "albedo",
                    "transposition_model")


@dataclass(frozen=True)
class ArrayConditions:
    """What an array's plane receives and how hot its cells get, per step (size-independent).

    Attributes
    ----------
    effective_w_m2 : numpy.ndarray
        Cover-transmitted POA times the spectral modifier, M(AM_a) G_t [W/m²].
    cell_temp_c : numpy.ndarray
        Fuentes cell temperature [°C].
    sun_up : numpy.ndarray
        True where the sun is above the horizon at mid-step.
    poa_global_w_m2, poa_transmitted_w_m2, spectral_modifier, aoi_deg : numpy.ndarray
        Intermediate series (``return_details``).
    """

    effective_w_m2: np.ndarray
    cell_temp_c: np.ndarray
    sun_up: np.ndarray
    poa_global_w_m2: np.ndarray
    poa_transmitted_w_m2: np.ndarray
    spectral_modifier: np.ndarray
    aoi_deg: np.ndarray

    def details(self, array, year_index: int = 0) -> dict:
        """The intermediate series of :func:`pv_ac_power_w` ``return_details`` for ``array``."""
        return {"poa_global_w_m2": self.poa_global_w_m2, "poa_transmitted_w_m2": self.poa_transmitted_w_m2,
                "spectral_modifier": self.spectral_modifier, "cell_temperature_c": self.cell_temp_c,
                "dc_w": _dc_w(self, _array_params(array), year_index), "aoi_deg": self.aoi_deg}


def array_conditions(solpos: pd.DataFrame, weather: pd.DataFrame, array, *, step_s=None,
                     altitude_m=0.0) -> ArrayConditions:
    """Plane-of-array light and cell temperature of an array (:data:`CONDITION_FIELDS` only).

    The costly part of :func:`pv_ac_power_w` (transposition, cover transmission, spectral modifier,
    Fuentes' iterative cell temperature): arrays that differ only by size, losses, inverter or age
    share it. Arguments as :func:`pv_ac_power_w`.
    """
    p = _array_params(array)
    if len(solpos) != len(weather):
        raise ValueError(f"solpos has {len(solpos)} rows but weather has {len(weather)}")
    need = ["ghi", "dni", "dhi", "temp_air", "wind_speed"]
    missing = [c for c in need if c not in weather.columns]
    if missing:
        raise ValueError(f"weather lacks columns {missing}; needs {need}")
    if step_s is None:
        if not isinstance(weather.index, pd.DatetimeIndex) or len(weather) < 2:
            raise ValueError("step_s is required when weather has no DatetimeIndex of >= 2 rows")
        step_s = float((weather.index[1] - weather.index[0]).total_seconds())
    if len(weather) == 0:
        empty = np.zeros(0)
        return ArrayConditions(empty, empty, np.zeros(0, dtype=bool), empty, empty, empty, empty)
    mod = MODULE_TYPES[p["module_type"]]
    tilt, azim = float(p["surface_tilt_deg"]), float(p["surface_azimuth_deg"])
    zen = solpos["apparent_zenith"].to_numpy(dtype=float)
    az = solpos["azimuth"].to_numpy(dtype=float)
    ghi, dni, dhi = (weather[c].to_numpy(dtype=float) for c in ("ghi", "dni", "dhi"))
    sun_up = zen < 90.0
    dni_extra = np.asarray(pvlib.irradiance.get_extra_radiation(solpos.index), dtype=float)
    poa = solar.plane_irradiance_w_m2(tilt, azim, zen, az, dni, ghi, dhi, dni_extra=dni_extra,
                                      albedo=float(p["albedo"]), model=p["transposition_model"])
    b = np.where(sun_up, np.nan_to_num(_as_float(poa["poa_direct"])), 0.0)
    s = np.where(sun_up, np.nan_to_num(_as_float(poa["poa_sky_diffuse"])), 0.0)
    g = np.where(sun_up, np.nan_to_num(_as_float(poa["poa_ground_diffuse"])), 0.0)
    poa_global = np.maximum(b + s + g, 0.0)
    g_t = cover_transmitted_irradiance_w_m2(_as_float(poa["aoi"]), tilt, b, s, g, mod.ar_coating)
    g_t = np.minimum(g_t, poa_global)
    f_am = spectral_modifier(solpos["zenith"].to_numpy(dtype=float), altitude_m)
    t_cell = cell_temperature_fuentes_c(poa_global, weather["temp_air"].to_numpy(dtype=float),
                                        weather["wind_speed"].to_numpy(dtype=float),
                                        MOUNTING_NOCT_C[p["mounting"]], step_s)
    return ArrayConditions(g_t * f_am, t_cell, sun_up, poa_global, g_t, f_am, _as_float(poa["aoi"]))


def _dc_w(conditions: ArrayConditions, p: dict, year_index: int) -> np.ndarray:
    pdc0 = 1000.0 * float(p["peak_power_kwp"])
    dc = dc_power_w(conditions.effective_w_m2, conditions.cell_temp_c, pdc0, MODULE_TYPES[p["module_type"]].gamma_pdc_per_c)
    return dc * loss_factor(p["system_losses_percent"]) * degradation_factor(p["degradation_percent_per_year"], year_index)


def array_ac_power_w(conditions: ArrayConditions, array, *, year_index=0) -> np.ndarray:
    """AC power of an array of the given size, losses, inverter and age under ``conditions`` [W].

    P_dc = M G_t / 1000 · P_dc0 [1 + γ (T_c − 25)] (1 − L)(1 − d)^y, then the PVWatts inverter with
    P_ac0 = P_dc0 / ratio (see :func:`pv_ac_power_w`); 0 with the sun down.
    """
    p = _array_params(array)
    if len(conditions.sun_up) == 0:
        return np.zeros(0)
    pdc0 = 1000.0 * float(p["peak_power_kwp"])
    ac = ac_power_w(np.maximum(_dc_w(conditions, p, year_index), 0.0), pdc0 / float(p["dc_ac_ratio"]),
                    float(p["inverter_efficiency_percent"]) / 100.0)
    return np.where(conditions.sun_up, ac, 0.0)


def pv_specific_yield_kwh_kwp(ac_w, dt_s, peak_kwp):
    """Specific yield: AC energy per installed kWp [kWh/kWp].

    Parameters
    ----------
    ac_w : array_like
        Mean AC power over each step [W].
    dt_s : float
        Step length [s].
    peak_kwp : float
        DC nameplate [kWp].

    Returns
    -------
    float
        Y = Σ P_ac Δt / (3.6e6 P_dc0) [kWh/kWp].

    Notes
    -----
    .. math:: Y = \\frac{\\sum_k P_{ac,k} Δt}{3.6\\times10^6\\,P_{dc0,kWp}}

    References
    ----------
    IEC 61724-1:2021, final yield Y_f.
    """
    if not (dt_s > 0 and peak_kwp > 0):
        raise ValueError(f"dt_s and peak_kwp must be > 0, got {dt_s!r}, {peak_kwp!r}")
    return float(np.sum(_as_float(ac_w)) * dt_s / 3.6e6 / peak_kwp)
