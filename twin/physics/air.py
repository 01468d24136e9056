"""Moist air properties, ventilation, heat recovery, heating coil and fans.

All functions are pure and vectorised (scalars, numpy arrays or pandas Series
with broadcasting). Temperatures in °C, pressures in Pa, relative humidity as
a fraction in [0, 1], humidity ratio in kg water / kg dry air.

References
----------
[ASHRAE] ASHRAE Handbook -- Fundamentals (SI), 2009, chapter 1
    "Psychrometrics": eq. (3) standard pressure vs altitude, eqs. (5)-(6)
    Hyland–Wexler saturation pressure, eq. (20)/(22) humidity ratio,
    eq. (32) moist air enthalpy (c_p = 1.006 + 1.86 W kJ/(kg·K)).
[EN308] EN 308:1997, *Heat exchangers -- Test procedures for establishing
    performance of air to air and flue gases heat recovery devices*, §3
    (temperature ratio on the supply side).
[EN16798-3] EN 16798-3:2017, *Ventilation for non-residential buildings*,
    §3 and §9.5 (specific fan power SFP = P / q_v).
[ISO2533] ISO 2533:1975 Standard Atmosphere (ρ = 1.2250 kg/m³ at 15 °C,
    101 325 Pa).
"""

from __future__ import annotations

import numpy as np
import pvlib

__all__ = [
    "R_DRY_AIR_J_KGK",
    "R_WATER_VAPOUR_J_KGK",
    "CP_DRY_AIR_J_KGK",
    "CP_WATER_VAPOUR_J_KGK",
    "P_STANDARD_PA",
    "air_pressure_pa",
    "co2_step_ppm",
    "air_density_kg_m3",
    "air_cp_j_kgk",
    "ventilation_conductance_w_k",
    "saturation_vapour_pressure_pa",
    "humidity_ratio",
    "dew_point_c",
    "heat_recovery_supply_temp_c",
    "heat_recovery_bypass_wanted",
    "coil_heating_power_w",
    "fan_power_w",
    "fan_heat_to_air_w",
]

#: Gas constant of dry air [J/(kg·K)] -- ASHRAE Fundamentals 2009 ch. 1 §1
#: (R_da = 287.042) differs slightly; 287.058 is the value of ISO 2533 /
#: ICAO standard atmosphere (R* / M_d = 8.31447/0.0289644), as in the brief.
R_DRY_AIR_J_KGK = 287.058
#: Gas constant of water vapour [J/(kg·K)] -- ASHRAE Fundamentals 2009 ch. 1
#: (R_w = 461.524); 8.31447/0.018015 = 461.5.
R_WATER_VAPOUR_J_KGK = 461.524
#: Specific heat of dry air [J/(kg·K)] -- ASHRAE Fundamentals 2009 ch. 1 eq. (30)/(32).
CP_DRY_AIR_J_KGK = 1006.0
#: Specific heat of water vapour [J/(kg·K)] -- ASHRAE Fundamentals 2009 ch. 1 eq. (31)/(32).
CP_WATER_VAPOUR_J_KGK = 1860.0
#: Standard sea-level pressure [Pa] -- ISO 2533 / ASHRAE Fundamentals ch. 1 eq. (3).
P_STANDARD_PA = 101_325.0
#: Ratio of molar masses water/dry air [-] -- ASHRAE Fundamentals 2009 ch. 1 eq. (20).
_EPSILON = 0.621945
_T0_K = 273.15

# Hyland & Wexler (1983) as given in ASHRAE Fundamentals 2009 ch. 1 eqs. (5), (6).
# Over ice, −100 °C ≤ t ≤ 0 °C (eq. 5):
_C1_7 = (-5.6745359e03, 6.3925247e00, -9.6778430e-03, 6.2215701e-07,
         2.0747825e-09, -9.4840240e-13, 4.1635019e00)
# Over liquid water, 0 °C ≤ t ≤ 200 °C (eq. 6):
_C8_13 = (-5.8002206e03, 1.3914993e00, -4.8640239e-02, 4.1764768e-05,
          -1.4452093e-08, 6.5459673e00)


def _arr(x):
    return np.asarray(x, dtype=float)


def _out(x):
    """Return a 0-d result as a numpy scalar, keep arrays."""
    return np.asarray(x)[()]


def _check_fraction(name, value):
    v = _arr(value)
    if np.any(~((v >= 0) & (v <= 1))):
        raise ValueError(f"{name} must lie in [0, 1], got {value!r}")


def air_pressure_pa(altitude_m):
    """Standard-atmosphere air pressure at an altitude.

    Parameters
    ----------
    altitude_m : float or array_like
        Altitude above sea level [m].

    Returns
    -------
    float or ndarray
        Air pressure [Pa].

    Notes
    -----
    Delegates to :func:`pvlib.atmosphere.alt2pres`:

    .. math:: p = 100 \\left(\\frac{44331.514 − z}{11880.516}\\right)^{1/0.1902632}

    which agrees within 0.1 % with ASHRAE Fundamentals ch. 1 eq. (3),
    :math:`p = 101.325 (1 − 2.25577·10^{-5} z)^{5.2559}` kPa, up to 3000 m.

    References
    ----------
    pvlib.atmosphere.alt2pres; ASHRAE Handbook Fundamentals 2009, ch. 1, eq. (3).
    """
    return _out(pvlib.atmosphere.alt2pres(_arr(altitude_m)))


def saturation_vapour_pressure_pa(temp_c):
    """Saturation pressure of water vapour (over water ≥ 0 °C, over ice < 0 °C).

    Parameters
    ----------
    temp_c : float or array_like
        Temperature [°C], valid from −100 to 200 °C.

    Returns
    -------
    float or ndarray
        Saturation vapour pressure p_ws [Pa].

    Notes
    -----
    Hyland–Wexler formulation, T in K:

    .. math::

        \\ln p_{ws} = C_1/T + C_2 + C_3 T + C_4 T^2 + C_5 T^3 + C_6 T^4 + C_7 \\ln T
        \\quad (−100 … 0 °C, over ice)  (5)

        \\ln p_{ws} = C_8/T + C_9 + C_{10} T + C_{11} T^2 + C_{12} T^3 + C_{13} \\ln T
        \\quad (0 … 200 °C, over water)  (6)

    References
    ----------
    ASHRAE Handbook Fundamentals 2009, ch. 1, eqs. (5) and (6)
    (Hyland & Wexler 1983).
    """
    t = _arr(temp_c) + _T0_K
    c1, c2, c3, c4, c5, c6, c7 = _C1_7
    c8, c9, c10, c11, c12, c13 = _C8_13
    ln_ice = c1 / t + c2 + c3 * t + c4 * t**2 + c5 * t**3 + c6 * t**4 + c7 * np.log(t)
    ln_wat = c8 / t + c9 + c10 * t + c11 * t**2 + c12 * t**3 + c13 * np.log(t)
    return _out(np.exp(np.where(t < _T0_K, ln_ice, ln_wat)))


def _dln_pws_dt(t_k):
    c1, c2, c3, c4, c5, c6, c7 = _C1_7
    c8, c9, c10, c11, c12, c13 = _C8_13
    d_ice = -c1 / t_k**2 + c3 + 2 * c4 * t_k + 3 * c5 * t_k**2 + 4 * c6 * t_k**3 + c7 / t_k
    d_wat = -c8 / t_k**2 + c10 + 2 * c11 * t_k + 3 * c12 * t_k**2 + c13 / t_k
    return np.where(t_k < _T0_K, d_ice, d_wat)


def humidity_ratio(temp_c, relative_humidity, pressure_pa=P_STANDARD_PA):
    """Humidity ratio of moist air.

    Parameters
    ----------
    temp_c : float or array_like
        Dry-bulb temperature [°C].
    relative_humidity : float or array_like
        Relative humidity φ as a fraction [-], in [0, 1].
    pressure_pa : float or array_like
        Total pressure p [Pa].

    Returns
    -------
    float or ndarray
        Humidity ratio W [kg/kg dry air].

    Raises
    ------
    ValueError
        If relative_humidity is outside [0, 1].

    Notes
    -----
    .. math:: p_w = φ\\,p_{ws}(t), \\quad W = 0.621945\\,\\frac{p_w}{p − p_w}

    References
    ----------
    ASHRAE Handbook Fundamentals 2009, ch. 1, eqs. (20), (22), (24).
    """
    _check_fraction("relative_humidity", relative_humidity)
    p_w = _arr(relative_humidity) * saturation_vapour_pressure_pa(temp_c)
    return _out(_EPSILON * p_w / (_arr(pressure_pa) - p_w))


def dew_point_c(temp_c, relative_humidity):
    """Dew-point (frost-point below 0 °C) temperature.

    Parameters
    ----------
    temp_c : float or array_like
        Dry-bulb temperature [°C].
    relative_humidity : float or array_like
        Relative humidity as a fraction [-], in (0, 1].

    Returns
    -------
    float or ndarray
        Temperature at which p_ws(t_d) = φ p_ws(t) [°C].

    Notes
    -----
    Solves :math:`\\ln p_{ws}(t_d) = \\ln φ + \\ln p_{ws}(t)` by Newton's
    method on the Hyland–Wexler equations (5)-(6) (started from the Magnus
    inverse), so that it is the exact inverse of
    :func:`saturation_vapour_pressure_pa`. Below 0 °C the saturation curve
    over ice is used, i.e. the result is the frost point (ASHRAE convention).

    References
    ----------
    ASHRAE Handbook Fundamentals 2009, ch. 1, eqs. (5), (6) and the
    definition of dew-point temperature (§"Dew-point temperature").
    """
    rh = _arr(relative_humidity)
    if np.any(~((rh > 0) & (rh <= 1))):
        raise ValueError(f"relative_humidity must lie in (0, 1], got {relative_humidity!r}")
    t = _arr(temp_c)
    target = np.log(rh) + np.log(saturation_vapour_pressure_pa(t))
    # Magnus (Alduchov & Eskridge 1996: 17.625, 243.04 °C) inverse as start value
    gamma = np.log(rh) + 17.625 * t / (243.04 + t)
    td = 243.04 * gamma / (17.625 - gamma) + _T0_K
    for _ in range(8):
        f = np.log(saturation_vapour_pressure_pa(td - _T0_K)) - target
        td = td - f / _dln_pws_dt(td)
    return _out(td - _T0_K)


def air_density_kg_m3(temp_c, pressure_pa=P_STANDARD_PA, relative_humidity=0.0):
    """Density of (moist) air from the ideal-gas law.

    Parameters
    ----------
    temp_c : float or array_like
        Temperature [°C].
    pressure_pa : float or array_like
        Total pressure [Pa].
    relative_humidity : float or array_like
        Relative humidity fraction [-]; 0 gives dry air.

    Returns
    -------
    float or ndarray
        Density of the mixture ρ [kg/m³].

    Notes
    -----
    .. math:: ρ = \\frac{p − p_w}{R_{da} T} + \\frac{p_w}{R_w T},
              \\quad p_w = φ p_{ws}(t)

    with R_da = 287.058 J/(kg·K), R_w = 461.524 J/(kg·K), T = t + 273.15.

    References
    ----------
    Ideal-gas mixture, ASHRAE Handbook Fundamentals 2009, ch. 1, eqs. (1),
    (28); ISO 2533:1975 (R_da).
    """
    _check_fraction("relative_humidity", relative_humidity)
    t_k = _arr(temp_c) + _T0_K
    p_w = _arr(relative_humidity) * saturation_vapour_pressure_pa(temp_c)
    p = _arr(pressure_pa)
    return _out((p - p_w) / (R_DRY_AIR_J_KGK * t_k) + p_w / (R_WATER_VAPOUR_J_KGK * t_k))


def air_cp_j_kgk(humidity_ratio_kg_kg=0.0):
    """Specific heat of moist air per kg of dry air.

    Parameters
    ----------
    humidity_ratio_kg_kg : float or array_like
        Humidity ratio W [kg/kg dry air].

    Returns
    -------
    float or ndarray
        c_p [J/(kg dry air · K)].

    Notes
    -----
    .. math:: c_p = 1006 + 1860\\,W

    References
    ----------
    ASHRAE Handbook Fundamentals 2009, ch. 1, eq. (32) (derivative of the
    moist-air enthalpy h = 1.006 t + W (2501 + 1.86 t) kJ/kg).
    """
    return _out(CP_DRY_AIR_J_KGK + CP_WATER_VAPOUR_J_KGK * _arr(humidity_ratio_kg_kg))


def ventilation_conductance_w_k(
    flow_m3_s, temp_c=20.0, pressure_pa=P_STANDARD_PA, relative_humidity=0.0
):
    """Ventilation heat-transfer coefficient H_ve = ρ c_p V̇.

    Parameters
    ----------
    flow_m3_s : float or array_like
        Volume flow rate V̇ measured at ``temp_c`` [m³/s], ≥ 0.
    temp_c : float or array_like
        Temperature at which the volume flow is given [°C].
    pressure_pa : float or array_like
        Total pressure [Pa].
    relative_humidity : float or array_like
        Relative humidity fraction [-] (0: dry air).

    Returns
    -------
    float or ndarray
        H_ve [W/K].

    Notes
    -----
    Per kg of dry air: :math:`H_{ve} = V̇\\,ρ_{da}\\,(1006 + 1860 W)` with
    :math:`ρ_{da} = (p − p_w)/(R_{da}T)`. For dry air this is ρ c_p V̇.
    (ISO 13790 uses the fixed ρ_a c_a = 1200 J/(m³·K); at 20 °C and
    101 325 Pa this function gives 1211 J/(m³·K).)

    References
    ----------
    ISO 13790:2008, §9.3.1 eq. (21); ASHRAE Fundamentals 2009, ch. 1.
    """
    flow = _arr(flow_m3_s)
    if np.any(~(flow >= 0)):
        raise ValueError(f"flow_m3_s must be >= 0, got {flow_m3_s!r}")
    _check_fraction("relative_humidity", relative_humidity)
    t_k = _arr(temp_c) + _T0_K
    p = _arr(pressure_pa)
    p_w = _arr(relative_humidity) * saturation_vapour_pressure_pa(temp_c)
    rho_da = (p - p_w) / (R_DRY_AIR_J_KGK * t_k)
    w = _EPSILON * p_w / (p - p_w)
    return _out(flow * rho_da * air_cp_j_kgk(w))


def heat_recovery_supply_temp_c(
    temp_out_c,
    temp_extract_c,
    effectiveness,
    bypass=False,
    frost_limit_exhaust_c=0.0,
    mass_flow_ratio=1.0,
):
    """Supply temperature after a sensible heat-recovery exchanger.

    Parameters
    ----------
    temp_out_c : float or array_like
        Outdoor (fresh) air temperature entering the exchanger θ_out [°C].
    temp_extract_c : float or array_like
        Extract air temperature entering the exchanger θ_ext [°C].
    effectiveness : float or array_like
        Nominal sensible effectiveness ε [-] in [0, 1] (EN 308 temperature
        ratio; for unbalanced flows, referred to the minimum capacity rate).
    bypass : bool or array_like of bool
        True where the recovery is bypassed (ε_eff = 0).
    frost_limit_exhaust_c : float or array_like
        Minimum allowed exhaust-air temperature leaving the exchanger [°C].
        Default 0 °C: an assumption (plate exchanger, exhaust air condensing
        below 0 °C freezes), not a value from a standard; use −∞ to disable.
    mass_flow_ratio : float or array_like
        ṁ_supply / ṁ_extract [-], > 0 (1 = balanced).

    Returns
    -------
    temp_sup_c : float or ndarray
        Supply-air temperature leaving the exchanger θ_sup,hr [°C].
    effectiveness_eff : float or ndarray
        Effectiveness actually used after bypass and frost protection [-].

    Raises
    ------
    ValueError
        If effectiveness is outside [0, 1] or mass_flow_ratio ≤ 0.

    Notes
    -----
    With capacity rates C_s = ṁ_s c_p, C_e = ṁ_e c_p, C_min = min(C_s, C_e)
    and r = ṁ_s/ṁ_e, the exchanged heat is :math:`Q = ε C_{min}(θ_{ext} − θ_{out})`:

    .. math::

        θ_{sup,hr} = θ_{out} + ε \\frac{C_{min}}{C_s}(θ_{ext} − θ_{out})

        θ_{exh} = θ_{ext} − ε \\frac{C_{min}}{C_e}(θ_{ext} − θ_{out})
                = θ_{ext} − r (θ_{sup,hr} − θ_{out})

    For balanced flows C_min/C_s = C_min/C_e = 1 and ε equals the EN 308
    supply-side temperature ratio η_t = (θ_22 − θ_21)/(θ_11 − θ_21).
    ε is taken as given at the operating point (its own dependence on the
    flow ratio through NTU is not modelled). Frost protection: where
    θ_exh < θ_lim, ε is reduced to
    :math:`ε_{eff} = (θ_{ext} − θ_{lim}) / ((C_{min}/C_e)(θ_{ext} − θ_{out}))`
    (clipped to [0, ε]), which keeps the exhaust exactly at θ_lim -- the
    equivalent of a modulating frost bypass or of preheating the outdoor air
    to the temperature that gives the same supply temperature.

    References
    ----------
    EN 308:1997, §3 (temperature ratio); ε–NTU definition of effectiveness
    (Incropera & DeWitt, *Fundamentals of Heat and Mass Transfer*, 6th ed.,
    eq. 11.19-11.20).
    """
    eps = _arr(effectiveness)
    _check_fraction("effectiveness", eps)
    r = _arr(mass_flow_ratio)
    if np.any(~(r > 0)):
        raise ValueError(f"mass_flow_ratio must be > 0, got {mass_flow_ratio!r}")
    t_out = _arr(temp_out_c)
    t_ext = _arr(temp_extract_c)
    lim = _arr(frost_limit_exhaust_c)
    cmin_over_cs = np.minimum(1.0, 1.0 / r)  # C_min/C_s
    cmin_over_ce = np.minimum(1.0, r)  # C_min/C_e
    delta = t_ext - t_out
    exh_nominal = t_ext - eps * cmin_over_ce * delta
    with np.errstate(divide="ignore", invalid="ignore"):
        eps_frost = (t_ext - lim) / (cmin_over_ce * delta)
    frost = (exh_nominal < lim) & (delta > 0)
    eps_eff = np.where(frost, np.clip(np.where(frost, eps_frost, 0.0), 0.0, eps), eps)
    eps_eff = np.where(np.asarray(bypass, dtype=bool), 0.0, eps_eff)
    t_sup = t_out + eps_eff * cmin_over_cs * delta
    return _out(t_sup), _out(eps_eff)


def heat_recovery_bypass_wanted(temp_out_c, temp_extract_c, temp_supply_target_c):
    """On/off bypass rule: bypass when recovery would move the supply away from target.

    Parameters
    ----------
    temp_out_c : float or array_like
        Outdoor air temperature [°C].
    temp_extract_c : float or array_like
        Extract air temperature [°C].
    temp_supply_target_c : float or array_like
        Wanted supply temperature [°C] (e.g. the supply set-point, or a
        free-cooling target when the zone is too warm).

    Returns
    -------
    bool or ndarray of bool
        True where the exchanger should be bypassed.

    Notes
    -----
    Recovery changes the supply temperature in the direction of
    (θ_ext − θ_out); it is wanted only if the target lies on the same side
    of θ_out:

    .. math:: \\text{bypass} = (θ_{ext} − θ_{out})(θ_{target} − θ_{out}) ≤ 0

    Example (summer free cooling): θ_out = 18 °C, θ_ext = 25 °C,
    θ_target = 16 °C → the exchanger would warm air that should be cooler →
    bypass. Winter: θ_out = −5 °C, θ_ext = 21 °C, θ_target = 18 °C → keep
    the recovery. When θ_out
    already equals the target, or θ_ext = θ_out, recovery is useless and
    the bypass is opened (saves the exchanger pressure drop). This rule is
    on/off; overshoot of a partial need (θ_out < target < θ_sup,hr) is not
    bypassed here -- a caller wanting a modulating bypass can use
    ε_needed = (θ_target − θ_out)/(θ_ext − θ_out).

    References
    ----------
    Design rule (summer bypass) as described in EN 16798-3:2017 §9.4
    (heat recovery by-pass for free cooling); not a normative equation.
    """
    d_rec = _arr(temp_extract_c) - _arr(temp_out_c)
    d_need = _arr(temp_supply_target_c) - _arr(temp_out_c)
    return _out(d_rec * d_need <= 0)


def coil_heating_power_w(mass_flow_kg_s, cp_j_kgk, temp_in_c, setpoint_c, max_power_w):
    """Heating-coil power to reach a supply set-point, clipped to capacity.

    Parameters
    ----------
    mass_flow_kg_s : float or array_like
        Air mass flow ṁ [kg/s], ≥ 0.
    cp_j_kgk : float or array_like
        Specific heat of the air c_p [J/(kg·K)].
    temp_in_c : float or array_like
        Air temperature entering the coil [°C].
    setpoint_c : float or array_like
        Leaving-air set-point [°C].
    max_power_w : float or array_like
        Coil capacity [W], ≥ 0.

    Returns
    -------
    power_w : float or ndarray
        Heat delivered to the air, in [0, max_power_w] [W].
    temp_out_c : float or ndarray
        Air temperature leaving the coil [°C].

    Notes
    -----
    .. math::

        Φ = \\min(\\max(ṁ c_p (θ_{set} − θ_{in}), 0), Φ_{max}),
        \\quad θ_{out} = θ_{in} + Φ/(ṁ c_p)

    Heating only (no cooling coil). With ṁ = 0: Φ = 0 and θ_out = θ_in.

    References
    ----------
    Steady-flow energy balance (ASHRAE Fundamentals 2009, ch. 1, eq. (43)
    sensible heating of moist air).
    """
    m = _arr(mass_flow_kg_s)
    if np.any(~(m >= 0)):
        raise ValueError(f"mass_flow_kg_s must be >= 0, got {mass_flow_kg_s!r}")
    p_max = _arr(max_power_w)
    if np.any(~(p_max >= 0)):
        raise ValueError(f"max_power_w must be >= 0, got {max_power_w!r}")
    mc = m * _arr(cp_j_kgk)
    t_in = _arr(temp_in_c)
    power = np.clip(mc * (_arr(setpoint_c) - t_in), 0.0, p_max)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_out = np.where(mc > 0, t_in + power / np.where(mc > 0, mc, 1.0), t_in)
    return _out(power), _out(t_out)


def fan_power_w(flow_m3_s, sfp_w_per_m3_s):
    """Electric power of a fan from its specific fan power.

    Parameters
    ----------
    flow_m3_s : float or array_like
        Air volume flow through the fan q_v [m³/s], ≥ 0.
    sfp_w_per_m3_s : float or array_like
        Specific fan power SFP [W/(m³/s)], ≥ 0.

    Returns
    -------
    float or ndarray
        Electric power drawn P [W].

    Notes
    -----
    .. math:: P = SFP × q_v

    EN 16798-3 classes for reference: SFP 1 ≤ 500, SFP 2 ≤ 750,
    SFP 3 ≤ 1250, SFP 4 ≤ 2000, SFP 5 ≤ 3000 W/(m³/s). A constant SFP means
    power proportional to flow; real part-load fans follow roughly the
    cube law, so pass a flow-dependent SFP if needed.

    References
    ----------
    EN 16798-3:2017, §3 (definition of SFP = P/q_v) and Table 11 (SFP
    categories; same as EN 13779:2007 Table 8).
    """
    q = _arr(flow_m3_s)
    sfp = _arr(sfp_w_per_m3_s)
    if np.any(~(q >= 0)):
        raise ValueError(f"flow_m3_s must be >= 0, got {flow_m3_s!r}")
    if np.any(~(sfp >= 0)):
        raise ValueError(f"sfp_w_per_m3_s must be >= 0, got {sfp_w_per_m3_s!r}")
    return _out(sfp * q)


def fan_heat_to_air_w(power_w, fraction_to_air=1.0):
    """Part of the fan electric power that ends up as heat in the air stream.

    Parameters
    ----------
    power_w : float or array_like
        Fan electric power [W].
    fraction_to_air : float or array_like
        Fraction of the electric power heating the air [-] in [0, 1].
        Default 1.0: motor in the air stream (all losses and all shaft work
        dissipate into the air). Motor outside the stream: use the motor
        efficiency (only shaft power reaches the air).

    Returns
    -------
    float or ndarray
        Heat added to the air stream [W]; for a supply fan it raises the
        supply temperature by that value / (ṁ c_p).

    Notes
    -----
    .. math:: Φ_{fan} = f_{air} P

    References
    ----------
    ASHRAE Handbook Fundamentals 2009, ch. 18, "Heat gain from electric
    motors" (motor inside / outside the air stream); ISO 52016-1 /
    EN 16798-5-1 treat the recovered fan heat the same way.
    """
    _check_fraction("fraction_to_air", fraction_to_air)
    return _out(_arr(power_w) * _arr(fraction_to_air))


def co2_step_ppm(co2_ppm, generation_m3_s, flow_m3_s, volume_m3, dt_s, outdoor_ppm):
    """CO₂ of well-mixed zones over one step: the concentration at its end and its mean [ppm].

    Parameters
    ----------
    co2_ppm : array_like
        Concentration at the start of the step [ppm].
    generation_m3_s : array_like
        CO₂ exhaled in the zone [m³/s].
    flow_m3_s : array_like
        Outdoor air entering the zone (ventilation and infiltration) [m³/s], ≥ 0.
    volume_m3 : array_like
        Zone volume [m³].
    dt_s : float
        Step [s].
    outdoor_ppm : float
        Outdoor concentration [ppm].

    Returns
    -------
    end_ppm, mean_ppm : ndarray

    Notes
    -----
    V dC/dt = G + Q (C_out − C) with constant G and Q over the step is solved exactly: C tends to
    C_ss = C_out + G/Q with the time constant V/Q, so with k = Q Δt / V,
    C_end = C_ss + (C₀ − C_ss) e^{−k} and the step mean is C_ss + (C₀ − C_ss)(1 − e^{−k})/k.
    Without air flow C rises linearly by G Δt / V (mean: half of it).
    """
    c0 = np.asarray(co2_ppm, dtype=float)
    volume = np.asarray(volume_m3, dtype=float)
    flow = np.asarray(flow_m3_s, dtype=float)
    gen_ppm_s = np.asarray(generation_m3_s, dtype=float) / volume * 1e6
    k = flow * dt_s / volume
    moving = k > 1e-12
    safe_k = np.where(moving, k, 1.0)
    c_ss = outdoor_ppm + np.divide(gen_ppm_s * volume, flow, out=np.zeros_like(c0), where=moving)
    decay = np.exp(-safe_k)
    end = np.where(moving, c_ss + (c0 - c_ss) * decay, c0 + gen_ppm_s * dt_s)
    mean = np.where(moving, c_ss + (c0 - c_ss) * (1.0 - decay) / safe_k, c0 + 0.5 * gen_ppm_s * dt_s)
    return end, mean
