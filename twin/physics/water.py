"""Rainwater yield, first flush, reference evapotranspiration (FAO-56) and irrigation need.

All functions are pure and vectorised (scalars, numpy arrays or pandas Series
with broadcasting), except :func:`first_flush_diverted_mm` (1-D time series)
and :func:`et0_daily_from_weather` (a weather frame in, a daily frame out).
Depths in mm (1 mm on 1 m² = 1 L), volumes in m³, temperatures in °C,
vapour pressures in kPa, radiation in MJ/(m²·day) as in FAO-56. Invalid
parameters raise ``ValueError`` naming the value.

References
----------
[EN16941] NF EN 16941-1:2018, *On-site non-potable water systems -- Part 1:
    Systems for the use of rainwater*, §6.2 (yield = rainfall × collecting
    area × yield coefficient × hydraulic filter efficiency); runoff
    coefficients as quoted in domain-facts.md §5 (smooth pitched 0.9,
    flat without gravel 0.8, flat with gravel 0.7, green roof 0.3-0.5).
[FAO56] Allen, R.G., Pereira, L.S., Raes, D., Smith, M. (1998). *Crop
    evapotranspiration -- Guidelines for computing crop water requirements*.
    FAO Irrigation and Drainage Paper 56, Rome. Chapter 3 eqs. (7)-(47),
    chapter 4 eq. (6), worked examples 17 and 18.
[DF] /work/shared/reference/domain-facts.md §5 (first flush 1-2 mm,
    diverter/filter efficiency ≈ 90 %) and §1d (ET0 ≈ 800-850 mm/yr).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "FILTER_EFFICIENCY_DEFAULT",
    "FIRST_FLUSH_MM_DEFAULT",
    "DRY_GAP_STEPS_DEFAULT",
    "ALBEDO_REFERENCE_CROP",
    "roof_runoff_m3",
    "first_flush_diverted_mm",
    "harvested_inflow_m3",
    "atmospheric_pressure_kpa",
    "psychrometric_constant_kpa_k",
    "saturation_vapour_pressure_kpa",
    "svp_slope_kpa_k",
    "actual_vapour_pressure_kpa",
    "extraterrestrial_radiation_mj_m2_day",
    "daylight_hours",
    "wind_speed_2m_m_s",
    "net_radiation_mj_m2_day",
    "et0_fao56_daily_mm",
    "et0_daily_from_weather",
    "irrigation_need_m3",
]

#: Fraction of the runoff passed by the filter / first-flush device [-].
#: [E] DF §5: diverter efficiency ≈ 90 %, recommended yield = P·A·C·0.9 (the
#: 0.9 lumps filter and first-flush losses; with an explicit first flush, a
#: higher value is consistent).
FILTER_EFFICIENCY_DEFAULT = 0.9
#: First-flush depth diverted at the start of each event [mm]. [V] DF §5: 1-2 mm.
FIRST_FLUSH_MM_DEFAULT = 1.0
#: Dry steps (hours at hourly resolution) that separate two rain events [-].
#: [E] a 6-h minimum inter-event time is the usual storm-separation criterion
#: in rainfall event analysis (e.g. US EPA SWMM / NetSTORM practice).
DRY_GAP_STEPS_DEFAULT = 6
#: Albedo of the hypothetical grass reference crop [-] -- FAO-56 eq. (38).
ALBEDO_REFERENCE_CROP = 0.23

_GSC_MJ_M2_MIN = 0.0820  # solar constant, FAO-56 eq. (21)
_SIGMA_MJ_K4_M2_DAY = 4.903e-9  # Stefan-Boltzmann, FAO-56 eq. (39)
_T0_K = 273.16  # FAO-56 uses 273.16 in eq. (39); eq. (6) uses T + 273


def _arr(x):
    return np.asarray(x, dtype=float)


def _out(x):
    return np.asarray(x)[()]


def _check(name, value, low=None, high=None, low_open=False):
    v = _arr(value)
    ok = np.isfinite(v)
    if low is not None:
        ok &= (v > low) if low_open else (v >= low)
    if high is not None:
        ok &= v <= high
    if not np.all(ok):
        lo = "" if low is None else (f"> {low}" if low_open else f">= {low}")
        hi = "" if high is None else f"<= {high}"
        rng = " and ".join(s for s in (lo, hi) if s) or "finite"
        raise ValueError(f"{name} must be {rng} (and finite), got {value!r}")
    return v


# --------------------------------------------------------------------------- yield
def roof_runoff_m3(precipitation_mm, roof_area_m2, runoff_coefficient):
    """Rainwater running off a roof.

    Parameters
    ----------
    precipitation_mm : float or array_like
        Rainfall depth over the step [mm], ≥ 0.
    roof_area_m2 : float or array_like
        Horizontal projection of the collecting roof A [m²], ≥ 0.
    runoff_coefficient : float or array_like
        Yield (runoff) coefficient C [-] in [0, 1]: 0.8 for a flat roof
        without gravel, 0.7 with gravel, 0.9 smooth pitched (NF EN 16941-1,
        DF §5).

    Returns
    -------
    float or ndarray
        Runoff volume Q [m³].

    Raises
    ------
    ValueError
        Negative rain or area, or C outside [0, 1].

    Notes
    -----
    .. math:: Q = P \\, A \\, C / 1000

    (1 mm on 1 m² is 1 L). Filter losses are applied separately
    (:func:`harvested_inflow_m3`).

    References
    ----------
    NF EN 16941-1:2018 §6.2 (rainwater yield); coefficients DF §5
    (technipluie.fr summary of the standard).
    """
    p = _check("precipitation_mm", precipitation_mm, low=0)
    a = _check("roof_area_m2", roof_area_m2, low=0)
    c = _check("runoff_coefficient", runoff_coefficient, low=0, high=1)
    return _out(p * a * c / 1000.0)


def first_flush_diverted_mm(precipitation_mm, dry_gap_steps=DRY_GAP_STEPS_DEFAULT,
                            first_flush_mm=FIRST_FLUSH_MM_DEFAULT):
    """Rain depth sent to waste by a first-flush diverter, per step.

    Parameters
    ----------
    precipitation_mm : array_like, 1-D
        Rain depth per step [mm], ≥ 0, in time order.
    dry_gap_steps : int
        Minimum number of consecutive dry steps (P = 0) that ends an event
        and re-arms the diverter, ≥ 1. At hourly resolution this is hours;
        for daily data pass 1 (every wet day after a dry day is a new event).
        Default 6 ([E], usual 6-h inter-event time).
    first_flush_mm : float
        Depth diverted at the start of each event [mm], ≥ 0.
        Default 1.0 ([V] DF §5: 1-2 mm).

    Returns
    -------
    ndarray
        Diverted depth per step [mm], 0 ≤ d_t ≤ P_t; the rest, P_t − d_t,
        goes on to the filter.

    Raises
    ------
    ValueError
        Negative or non-finite rain, a 2-D series, dry_gap_steps < 1,
        first_flush_mm < 0.

    Notes
    -----
    Event rule: a wet step (P_t > 0) starts a new event when it is the first
    wet step of the series (the diverter is assumed empty at the start) or
    when at least ``dry_gap_steps`` dry steps separate it from the previous
    wet step. Shorter dry spells do not re-arm the diverter (it drains
    slowly). Within event k, with the rain fallen before step t,

    .. math::

        S_t = \\sum_{τ ∈ k, τ < t} P_τ, \\qquad
        d_t = \\min\\bigl(P_t,\\ \\max(0,\\ F − S_t)\\bigr)

    so that Σ_k d = min(F, event total). Vectorised with cumulative sums
    over the wet steps, offset at each event start.

    References
    ----------
    DF §5 (first flush 1-2 mm, i.e. 1-2 L per m² of roof); NF EN 16941-1
    §6 (first-flush and filter losses reduce the usable yield).
    """
    p = _arr(precipitation_mm)
    if p.ndim != 1:
        raise ValueError(f"precipitation_mm must be a 1-D series, got shape {p.shape}")
    _check("precipitation_mm", p, low=0)
    if int(dry_gap_steps) != dry_gap_steps or dry_gap_steps < 1:
        raise ValueError(f"dry_gap_steps must be an integer >= 1, got {dry_gap_steps!r}")
    ff = float(_check("first_flush_mm", first_flush_mm, low=0))
    out = np.zeros_like(p)
    wet_idx = np.flatnonzero(p > 0)
    if wet_idx.size == 0 or ff == 0.0:
        return out
    pw = p[wet_idx]
    start = np.empty(wet_idx.size, dtype=bool)
    start[0] = True
    start[1:] = (np.diff(wet_idx) - 1) >= dry_gap_steps
    before_all = np.cumsum(pw) - pw  # rain of earlier wet steps, whole series
    event = np.cumsum(start) - 1  # event number of each wet step
    before = before_all - before_all[start][event]  # within the event
    out[wet_idx] = np.minimum(pw, np.maximum(0.0, ff - before))
    return out


def harvested_inflow_m3(precipitation_mm, roof_area_m2, runoff_coefficient,
                        filter_efficiency=FILTER_EFFICIENCY_DEFAULT, first_flush_mm=0.0,
                        dry_gap_steps=DRY_GAP_STEPS_DEFAULT):
    """Volume reaching the tank per step: runoff less first flush, times filter efficiency.

    Parameters
    ----------
    precipitation_mm : array_like, 1-D
        Rain per step [mm], ≥ 0.
    roof_area_m2 : float
        Collecting area [m²].
    runoff_coefficient : float
        C [-] in [0, 1].
    filter_efficiency : float
        Fraction of the runoff passed by the filter η [-] in [0, 1].
        Default 0.9 ([E] DF §5).
    first_flush_mm : float
        First flush per event [mm]; default 0, because the DF §5 default
        η = 0.9 already lumps first-flush and filter losses. Set 1-2 mm (and
        η ≈ 0.95 [E]) to model a diverter explicitly.
    dry_gap_steps : int
        Event separation for the first flush (see
        :func:`first_flush_diverted_mm`).

    Returns
    -------
    ndarray
        Inflow to the tank Q_in [m³] per step.

    Notes
    -----
    .. math:: Q_{in,t} = (P_t − d_t)\\,A\\,C\\,η / 1000

    with d_t the diverted first-flush depth.

    References
    ----------
    NF EN 16941-1:2018 §6.2 (yield = P × A × e × η, with η the hydraulic
    filter efficiency); DF §5.
    """
    p = _arr(precipitation_mm)
    eta = _check("filter_efficiency", filter_efficiency, low=0, high=1)
    d = first_flush_diverted_mm(p, dry_gap_steps, first_flush_mm) if first_flush_mm else 0.0
    return _out(roof_runoff_m3(p - d, roof_area_m2, runoff_coefficient) * eta)


# --------------------------------------------------------------------------- FAO-56
def atmospheric_pressure_kpa(altitude_m):
    """Atmospheric pressure from altitude, FAO-56 eq. (7).

    Parameters
    ----------
    altitude_m : float or array_like
        Elevation above sea level z [m].

    Returns
    -------
    float or ndarray
        P [kPa].

    Notes
    -----
    .. math:: P = 101.3 \\left(\\frac{293 − 0.0065 z}{293}\\right)^{5.26}

    References
    ----------
    FAO-56, chapter 3, eq. (7).
    """
    z = _arr(altitude_m)
    return _out(101.3 * ((293.0 - 0.0065 * z) / 293.0) ** 5.26)


def psychrometric_constant_kpa_k(pressure_kpa):
    """Psychrometric constant γ = 0.665·10⁻³ P [kPa/°C], FAO-56 eq. (8).

    Parameters
    ----------
    pressure_kpa : float or array_like
        Atmospheric pressure [kPa], > 0.

    Returns
    -------
    float or ndarray
        γ [kPa/°C].

    Notes
    -----
    .. math:: γ = \\frac{c_p P}{ε λ} = 0.665 × 10^{-3} P

    References
    ----------
    FAO-56, chapter 3, eq. (8) (λ = 2.45 MJ/kg, c_p = 1.013·10⁻³ MJ/(kg·°C),
    ε = 0.622).
    """
    p = _check("pressure_kpa", pressure_kpa, low=0, low_open=True)
    return _out(0.665e-3 * p)


def saturation_vapour_pressure_kpa(temp_c):
    """Saturation vapour pressure e°(T), FAO-56 eq. (11).

    Parameters
    ----------
    temp_c : float or array_like
        Air temperature [°C].

    Returns
    -------
    float or ndarray
        e°(T) [kPa].

    Notes
    -----
    .. math:: e°(T) = 0.6108 \\exp\\left(\\frac{17.27 T}{T + 237.3}\\right)

    FAO-56 prescribes this Tetens form for ET0 (over water, also below
    0 °C); :func:`twin.physics.air.saturation_vapour_pressure_pa` is the
    more accurate Hyland–Wexler form used for psychrometrics.

    References
    ----------
    FAO-56, chapter 3, eq. (11) and Annex 2 Table 2.3.
    """
    t = _arr(temp_c)
    return _out(0.6108 * np.exp(17.27 * t / (t + 237.3)))


def svp_slope_kpa_k(temp_c):
    """Slope of the saturation vapour pressure curve Δ, FAO-56 eq. (13).

    Parameters
    ----------
    temp_c : float or array_like
        Air temperature [°C].

    Returns
    -------
    float or ndarray
        Δ [kPa/°C].

    Notes
    -----
    .. math:: Δ = \\frac{4098\\,[0.6108 \\exp(17.27 T/(T + 237.3))]}{(T + 237.3)^2}

    References
    ----------
    FAO-56, chapter 3, eq. (13) and Annex 2 Table 2.4.
    """
    t = _arr(temp_c)
    return _out(4098.0 * saturation_vapour_pressure_kpa(t) / (t + 237.3) ** 2)


def actual_vapour_pressure_kpa(temp_min_c, temp_max_c, rh_max_percent=None,
                               rh_min_percent=None, rh_mean_percent=None):
    """Actual vapour pressure e_a from relative humidity, FAO-56 eqs. (17)/(19).

    Parameters
    ----------
    temp_min_c, temp_max_c : float or array_like
        Daily minimum and maximum air temperature [°C].
    rh_max_percent, rh_min_percent : float or array_like, optional
        Daily maximum and minimum relative humidity [%] in [0, 100]
        (preferred, eq. 17).
    rh_mean_percent : float or array_like, optional
        Daily mean relative humidity [%], used only if RH_max/RH_min are not
        given (eq. 19, less reliable).

    Returns
    -------
    float or ndarray
        e_a [kPa].

    Raises
    ------
    ValueError
        Humidity outside [0, 100] or neither form of humidity given.

    Notes
    -----
    .. math::

        e_a = \\frac{e°(T_{min}) RH_{max}/100 + e°(T_{max}) RH_{min}/100}{2}
        \\quad (17)

        e_a = \\frac{RH_{mean}}{100}\\,\\frac{e°(T_{max}) + e°(T_{min})}{2}
        \\quad (19)

    References
    ----------
    FAO-56, chapter 3, eqs. (17), (19); Example 5.
    """
    e_min = saturation_vapour_pressure_kpa(temp_min_c)
    e_max = saturation_vapour_pressure_kpa(temp_max_c)
    if rh_max_percent is not None and rh_min_percent is not None:
        rh_x = _check("rh_max_percent", rh_max_percent, low=0, high=100)
        rh_n = _check("rh_min_percent", rh_min_percent, low=0, high=100)
        return _out((e_min * rh_x / 100.0 + e_max * rh_n / 100.0) / 2.0)
    if rh_mean_percent is not None:
        rh = _check("rh_mean_percent", rh_mean_percent, low=0, high=100)
        return _out(rh / 100.0 * (e_max + e_min) / 2.0)
    raise ValueError("give rh_max_percent and rh_min_percent, or rh_mean_percent; got none")


def extraterrestrial_radiation_mj_m2_day(day_of_year, latitude_deg):
    """Daily extraterrestrial radiation R_a, FAO-56 eqs. (21)-(25).

    Parameters
    ----------
    day_of_year : int or array_like
        J, 1..366 [-].
    latitude_deg : float or array_like
        Latitude φ [°], positive north, in [−90, 90].

    Returns
    -------
    float or ndarray
        R_a [MJ/(m²·day)].

    Notes
    -----
    .. math::

        R_a = \\frac{24 (60)}{π} G_{sc} d_r [ω_s \\sin φ \\sin δ + \\cos φ \\cos δ \\sin ω_s]
        \\quad (21)

        d_r = 1 + 0.033 \\cos(2πJ/365) \\quad (23), \\qquad
        δ = 0.409 \\sin(2πJ/365 − 1.39) \\quad (24)

        ω_s = \\arccos(−\\tan φ \\tan δ) \\quad (25)

    with G_sc = 0.0820 MJ/(m²·min); the arccos argument is clipped to
    [−1, 1] (polar day/night).

    References
    ----------
    FAO-56, chapter 3, eqs. (21), (23)-(25); Example 8 (R_a = 32.2 at 20° S,
    3 September).
    """
    j = _arr(day_of_year)
    phi = np.radians(_check("latitude_deg", latitude_deg, low=-90, high=90))
    dr = 1.0 + 0.033 * np.cos(2.0 * np.pi * j / 365.0)
    delta = 0.409 * np.sin(2.0 * np.pi * j / 365.0 - 1.39)
    ws = np.arccos(np.clip(-np.tan(phi) * np.tan(delta), -1.0, 1.0))
    ra = (24.0 * 60.0 / np.pi) * _GSC_MJ_M2_MIN * dr * (
        ws * np.sin(phi) * np.sin(delta) + np.cos(phi) * np.cos(delta) * np.sin(ws)
    )
    return _out(np.maximum(ra, 0.0))


def daylight_hours(day_of_year, latitude_deg):
    """Maximum possible sunshine duration N = 24 ω_s / π [h], FAO-56 eq. (34).

    Parameters
    ----------
    day_of_year : int or array_like
        J [-].
    latitude_deg : float or array_like
        Latitude [°].

    Returns
    -------
    float or ndarray
        N [h].

    Notes
    -----
    .. math:: N = \\frac{24}{π} ω_s

    References
    ----------
    FAO-56, chapter 3, eq. (34); Example 9.
    """
    j = _arr(day_of_year)
    phi = np.radians(_check("latitude_deg", latitude_deg, low=-90, high=90))
    delta = 0.409 * np.sin(2.0 * np.pi * j / 365.0 - 1.39)
    ws = np.arccos(np.clip(-np.tan(phi) * np.tan(delta), -1.0, 1.0))
    return _out(24.0 / np.pi * ws)


def wind_speed_2m_m_s(wind_speed_m_s, height_m=10.0):
    """Wind speed at 2 m from a measurement at height z, FAO-56 eq. (47).

    Parameters
    ----------
    wind_speed_m_s : float or array_like
        Wind speed u_z at height z [m/s], ≥ 0.
    height_m : float
        Measurement height z [m], > 0.095 (where ln(67.8 z − 5.42) > 0) (default 10 m, the standard
        meteorological height of the weather frame).

    Returns
    -------
    float or ndarray
        u_2 [m/s].

    Notes
    -----
    .. math:: u_2 = u_z \\frac{4.87}{\\ln(67.8 z − 5.42)}

    (logarithmic profile over short grass; factor 0.748 at z = 10 m).

    References
    ----------
    FAO-56, chapter 3, eq. (47); Example 14.
    """
    u = _check("wind_speed_m_s", wind_speed_m_s, low=0)
    z = _check("height_m", height_m, low=5.42 / 67.8 + 1.0 / 67.8, low_open=True)
    return _out(u * 4.87 / np.log(67.8 * z - 5.42))


def net_radiation_mj_m2_day(solar_radiation_mj_m2_day, extraterrestrial_mj_m2_day,
                            temp_min_c, temp_max_c, actual_vapour_pressure_kpa,
                            altitude_m, albedo=ALBEDO_REFERENCE_CROP):
    """Daily net radiation R_n over the reference crop, FAO-56 eqs. (37)-(40).

    Parameters
    ----------
    solar_radiation_mj_m2_day : float or array_like
        Global (incoming shortwave) radiation R_s [MJ/(m²·day)], ≥ 0.
    extraterrestrial_mj_m2_day : float or array_like
        R_a [MJ/(m²·day)] (:func:`extraterrestrial_radiation_mj_m2_day`).
    temp_min_c, temp_max_c : float or array_like
        Daily minimum and maximum temperature [°C].
    actual_vapour_pressure_kpa : float or array_like
        e_a [kPa], ≥ 0.
    altitude_m : float
        Station elevation z [m].
    albedo : float
        α [-]; 0.23 for the grass reference (eq. 38).

    Returns
    -------
    rn : float or ndarray
        Net radiation R_n = R_ns − R_nl [MJ/(m²·day)].
    rnl : float or ndarray
        Net outgoing longwave radiation R_nl [MJ/(m²·day)].

    Notes
    -----
    .. math::

        R_{so} = (0.75 + 2·10^{-5} z) R_a \\quad (37), \\qquad
        R_{ns} = (1 − α) R_s \\quad (38)

        R_{nl} = σ \\frac{T_{max,K}^4 + T_{min,K}^4}{2}
                 (0.34 − 0.14\\sqrt{e_a})
                 \\left(1.35 \\frac{R_s}{R_{so}} − 0.35\\right) \\quad (39)

        R_n = R_{ns} − R_{nl} \\quad (40)

    with σ = 4.903·10⁻⁹ MJ/(K⁴·m²·day), T_K = T + 273.16 and
    R_s/R_so limited to [0, 1] (FAO-56, note to eq. 39; taken as 1 where
    R_so = 0).

    References
    ----------
    FAO-56, chapter 3, eqs. (37)-(40); Example 11 and 18.
    """
    rs = _check("solar_radiation_mj_m2_day", solar_radiation_mj_m2_day, low=0)
    ra = _arr(extraterrestrial_mj_m2_day)
    ea = _check("actual_vapour_pressure_kpa", actual_vapour_pressure_kpa, low=0)
    a = _check("albedo", albedo, low=0, high=1)
    rso = (0.75 + 2e-5 * _arr(altitude_m)) * ra
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(rso > 0, rs / np.where(rso > 0, rso, 1.0), 1.0)
    ratio = np.clip(ratio, 0.0, 1.0)
    tx = _arr(temp_max_c) + _T0_K
    tn = _arr(temp_min_c) + _T0_K
    rnl = _SIGMA_MJ_K4_M2_DAY * (tx**4 + tn**4) / 2.0 * (0.34 - 0.14 * np.sqrt(ea)) * (
        1.35 * ratio - 0.35
    )
    rn = (1.0 - a) * rs - rnl
    return _out(rn), _out(rnl)


def et0_fao56_daily_mm(temp_min_c, temp_max_c, actual_vapour_pressure_kpa, wind_speed_2m_m_s,
                       solar_radiation_mj_m2_day, day_of_year, latitude_deg, altitude_m,
                       pressure_kpa=None, temp_mean_c=None, soil_heat_flux_mj_m2_day=0.0,
                       albedo=ALBEDO_REFERENCE_CROP):
    """FAO-56 Penman–Monteith reference evapotranspiration ET0, daily (eq. 6).

    Parameters
    ----------
    temp_min_c, temp_max_c : float or array_like
        Daily minimum and maximum air temperature at 2 m [°C].
    actual_vapour_pressure_kpa : float or array_like
        e_a [kPa] (:func:`actual_vapour_pressure_kpa`).
    wind_speed_2m_m_s : float or array_like
        Mean wind speed at 2 m u_2 [m/s] (:func:`wind_speed_2m_m_s`).
    solar_radiation_mj_m2_day : float or array_like
        Global radiation R_s [MJ/(m²·day)].
    day_of_year : int or array_like
        J [-].
    latitude_deg : float
        [°], positive north.
    altitude_m : float
        Elevation z [m] (used for R_so, and for P when not given).
    pressure_kpa : float or array_like, optional
        Mean atmospheric pressure [kPa]; default eq. (7) from the altitude.
    temp_mean_c : float or array_like, optional
        Mean temperature for Δ and the aerodynamic term; default
        (T_max + T_min)/2 (eq. 9, the FAO-56 standard for daily periods).
    soil_heat_flux_mj_m2_day : float or array_like
        G [MJ/(m²·day)]; 0 for daily steps (eq. 42), eq. (43)/(44) for months.
    albedo : float
        0.23 (reference crop).

    Returns
    -------
    float or ndarray
        ET0 [mm/day], clipped at 0 (no dew deposition counted).

    Notes
    -----
    .. math::

        ET_0 = \\frac{0.408\\,Δ\\,(R_n − G) + γ \\frac{900}{T + 273} u_2 (e_s − e_a)}
                    {Δ + γ (1 + 0.34 u_2)}  \\quad (6)

    with e_s = [e°(T_max) + e°(T_min)]/2 (eq. 12), Δ at T (eq. 13),
    γ from P (eq. 8), R_n from eqs. (37)-(40) with R_a from eqs. (21)-(25).

    References
    ----------
    FAO-56, chapter 4, eq. (6), Example 17 (Bangkok, monthly, 5.72 mm/day)
    and Example 18 (Uccle, 6 July, 3.9 mm/day).
    """
    tn = _arr(temp_min_c)
    tx = _arr(temp_max_c)
    if np.any(tx < tn):
        raise ValueError(f"temp_max_c must be >= temp_min_c, got {temp_max_c!r} < {temp_min_c!r}")
    u2 = _check("wind_speed_2m_m_s", wind_speed_2m_m_s, low=0)
    ea = _arr(actual_vapour_pressure_kpa)
    t = (tx + tn) / 2.0 if temp_mean_c is None else _arr(temp_mean_c)
    p = atmospheric_pressure_kpa(altitude_m) if pressure_kpa is None else _arr(pressure_kpa)
    gamma = psychrometric_constant_kpa_k(p)
    delta = svp_slope_kpa_k(t)
    es = (saturation_vapour_pressure_kpa(tx) + saturation_vapour_pressure_kpa(tn)) / 2.0
    ra = extraterrestrial_radiation_mj_m2_day(day_of_year, latitude_deg)
    rn, _ = net_radiation_mj_m2_day(solar_radiation_mj_m2_day, ra, tn, tx, ea, altitude_m, albedo)
    g = _arr(soil_heat_flux_mj_m2_day)
    num = 0.408 * delta * (rn - g) + gamma * 900.0 / (t + 273.0) * u2 * (es - ea)
    den = delta + gamma * (1.0 + 0.34 * u2)
    return _out(np.maximum(num / den, 0.0))


def et0_daily_from_weather(weather_df, latitude_deg, altitude_m, wind_height_m=10.0):
    """Daily FAO-56 ET0 and rain from an hourly (or sub-hourly) weather frame.

    Parameters
    ----------
    weather_df : pandas.DataFrame
        Weather frame (see :mod:`twin.weather`): tz-aware index labelled at
        the END of each interval, columns ``ghi`` [W/m²], ``temp_air`` [°C],
        ``relative_humidity`` [%], ``wind_speed`` [m/s] at
        ``wind_height_m``, optionally ``pressure`` [Pa] and
        ``precipitation_mm`` [mm per interval].
    latitude_deg, altitude_m : float
        Site latitude [°] and elevation [m].
    wind_height_m : float
        Height of ``wind_speed`` [m]; default 10 m (converted with eq. 47).

    Returns
    -------
    pandas.DataFrame
        One row per local calendar day (index: ``datetime.date``-like
        normalised timestamps) with ``temp_min_c``, ``temp_max_c``,
        ``ea_kpa``, ``wind_2m_m_s``, ``rs_mj_m2``, ``pressure_kpa``,
        ``precipitation_mm`` and ``et0_mm``.

    Raises
    ------
    ValueError
        Missing columns or an index that is not a DatetimeIndex.

    Notes
    -----
    Each row is assigned to the day in which its interval STARTS (the row
    labelled 00:00 closes the previous day). Daily values: T_min, T_max and
    RH_max, RH_min are the extremes of the interval means; e_a from eq. (17);
    R_s = Σ GHI·Δt / 10⁶; u_2 = eq. (47) applied to the daily mean wind;
    P = daily mean of ``pressure`` (eq. 7 when absent); G = 0 (eq. 42).
    Partial days at the ends of the frame are kept (their R_s is partial).

    References
    ----------
    FAO-56, chapter 3 and 4 (eqs. 6, 7, 17, 37-40, 42, 47).
    """
    if not isinstance(weather_df.index, pd.DatetimeIndex):
        raise ValueError(f"weather_df needs a DatetimeIndex, got {type(weather_df.index)!r}")
    need = {"ghi", "temp_air", "relative_humidity", "wind_speed"}
    missing = sorted(need - set(weather_df.columns))
    if missing:
        raise ValueError(f"weather_df lacks columns {missing}; needs {sorted(need)}")
    idx = weather_df.index
    if len(idx) < 2:
        raise ValueError(f"weather_df needs at least 2 rows, got {len(idx)}")
    step = pd.Series(idx).diff().median()
    day = (idx - step).normalize()
    df = weather_df.assign(_rs=weather_df["ghi"].clip(lower=0) * step.total_seconds() / 1e6)
    g = df.groupby(day)
    daily = pd.DataFrame(
        {
            "temp_min_c": g["temp_air"].min(),
            "temp_max_c": g["temp_air"].max(),
            "rh_min": g["relative_humidity"].min().clip(0, 100),
            "rh_max": g["relative_humidity"].max().clip(0, 100),
            "wind_2m_m_s": wind_speed_2m_m_s(g["wind_speed"].mean().to_numpy(), wind_height_m),
            "rs_mj_m2": g["_rs"].sum(),
        }
    )
    if "pressure" in df.columns:
        daily["pressure_kpa"] = g["pressure"].mean() / 1000.0
    else:
        daily["pressure_kpa"] = float(atmospheric_pressure_kpa(altitude_m))
    daily["precipitation_mm"] = g["precipitation_mm"].sum() if "precipitation_mm" in df else 0.0
    daily["ea_kpa"] = actual_vapour_pressure_kpa(
        daily["temp_min_c"].to_numpy(), daily["temp_max_c"].to_numpy(),
        rh_max_percent=daily["rh_max"].to_numpy(), rh_min_percent=daily["rh_min"].to_numpy(),
    )
    daily["et0_mm"] = et0_fao56_daily_mm(
        daily["temp_min_c"].to_numpy(), daily["temp_max_c"].to_numpy(), daily["ea_kpa"].to_numpy(),
        daily["wind_2m_m_s"].to_numpy(), daily["rs_mj_m2"].to_numpy(),
        daily.index.day_of_year.to_numpy(), latitude_deg, altitude_m,
        pressure_kpa=daily["pressure_kpa"].to_numpy(),
    )
    return daily.drop(columns=["rh_min", "rh_max"])


# --------------------------------------------------------------------------- irrigation
def irrigation_need_m3(et0_mm_day, precipitation_mm_day, area_m2, crop_coefficient,
                       effective_rain_fraction=0.8, skip_if_rain_mm=3.0):
    """Daily irrigation need of a planted area.

    Parameters
    ----------
    et0_mm_day : float or array_like
        Reference evapotranspiration ET0 [mm/day], ≥ 0.
    precipitation_mm_day : float or array_like
        Rain of the same day [mm/day], ≥ 0.
    area_m2 : float or array_like
        Irrigated area A [m²], ≥ 0.
    crop_coefficient : float or array_like
        K_c (or landscape coefficient K_L) [-], ≥ 0: cool-season turf
        0.90-0.95 (FAO-56 Table 12), warm-season turf 0.80-0.85 (ibid.),
        mixed ornamental planting ≈ 0.5, drought-tolerant ≈ 0.2-0.3
        (WUCOLS landscape coefficients) [E].
    effective_rain_fraction : float or array_like
        Fraction of a (light) rain that is effective f_e [-] in [0, 1].
        Default 0.8 [E]: the "fixed percentage" effective-rain method
        (FAO Irrigation and Drainage Paper 25/33 practice, 70-90 %).
    skip_if_rain_mm : float or array_like
        Rain depth from which the day's irrigation is skipped R_skip [mm],
        ≥ 0; default 3 mm [E] (rain sensors of irrigation controllers trip at
        ≈ 3-6 mm, 1/8-1/4 inch).

    Returns
    -------
    float or ndarray
        Irrigation water need [m³/day].

    Notes
    -----
    .. math::

        I = \\begin{cases}
            0 & P ≥ R_{skip},\\ P > 0 \\ (\\text{rainy day: irrigation skipped}) \\\\
            \\max(0,\\ K_c ET_0 − f_e P)\\,A / 1000 & \\text{otherwise}
        \\end{cases}

    A day-by-day balance without soil storage: a wet day does not carry
    water over to the next days, and a skipped day's deficit is not made up
    later (the soil is assumed to buffer one day). This over-estimates need
    in showery weeks and under-estimates it after a skipped hot wet day;
    both are small against the K_c uncertainty.

    References
    ----------
    FAO-56, chapter 6 (ET_c = K_c ET0, eq. 56) and Table 12; DF §5
    (summer deficit ≈ 150-250 mm for lawns).
    """
    et0 = _check("et0_mm_day", et0_mm_day, low=0)
    p = _check("precipitation_mm_day", precipitation_mm_day, low=0)
    a = _check("area_m2", area_m2, low=0)
    kc = _check("crop_coefficient", crop_coefficient, low=0)
    fe = _check("effective_rain_fraction", effective_rain_fraction, low=0, high=1)
    skip = _check("skip_if_rain_mm", skip_if_rain_mm, low=0)
    need_mm = np.where((p >= skip) & (p > 0), 0.0, np.maximum(0.0, kc * et0 - fe * p))
    return _out(need_mm * a / 1000.0)
