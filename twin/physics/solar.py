"""Solar position, plane-of-array irradiance and window solar gains.

Thin, vectorised wrappers over pvlib (0.16). Weather irradiance values are
means over the interval *ending* at their label, so the caller passes
MID-interval times to :func:`solar_position` (e.g. label − 30 min for hourly
data).

References
----------
[pvlib] Anderson K. et al. (2023), pvlib python: 2023 project update, JOSS
    8(92), 5994; functions ``solarposition.get_solarposition`` (NREL SPA,
    Reda & Andreas 2004), ``irradiance.get_total_irradiance``,
    ``irradiance.perez`` (Perez et al. 1990, Solar Energy 44(5)).
[ISO13790] ISO 13790:2008, §11.3.2 eqs. (43)-(44), §11.4.2 eq. (45)
    (F_w = 0.9), §11.4.5 (frame fraction).
[DB] Duffie J.A., Beckman W.A., *Solar Engineering of Thermal Processes*,
    4th ed. (2013), eqs. (1.6.2) (angle of incidence), (2.15.1) isotropic
    diffuse, (5.4.1)-(5.4.2) equivalent incidence angles of diffuse
    and ground-reflected radiation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pvlib

__all__ = [
    "TRANSPOSITION_MODELS",
    "F_W_DEFAULT",
    "solar_position",
    "plane_irradiance_w_m2",
    "facade_irradiance_w_m2",
    "window_solar_gain_w",
    "overhang_fin_sunlit_fraction",
    "overhang_fin_sky_view_ratio",
]

#: Sky-diffuse transposition models accepted (names of
#: ``pvlib.irradiance.get_sky_diffuse``; "king" is deprecated in pvlib 0.16
#: and left out).
TRANSPOSITION_MODELS = ("isotropic", "klucher", "haydavies", "reindl", "perez",
                        "perez-driesse")

#: Correction factor for non-scattering glazing, g_gl = F_w g_gl,n [-] --
#: ISO 13790:2008 §11.4.2 (F_w = 0,90), accounts for the time-averaged
#: angular dependence of g.
F_W_DEFAULT = 0.9

_MODELS_NEEDING_EXTRA = ("haydavies", "reindl", "perez", "perez-driesse")


def _check_model(model):
    if model not in TRANSPOSITION_MODELS:
        raise ValueError(
            f"unknown transposition model {model!r}; valid options: {list(TRANSPOSITION_MODELS)}"
        )


def solar_position(times_mid, latitude, longitude, altitude_m, pressure_pa=None, temp_c=None):
    """Solar position at the given (mid-interval) times.

    Parameters
    ----------
    times_mid : pandas.DatetimeIndex
        Mid-interval, timezone-aware times [-] (naive times are taken as UTC
        by pvlib).
    latitude : float
        Latitude, north positive [deg].
    longitude : float
        Longitude, east positive [deg].
    altitude_m : float
        Site altitude [m].
    pressure_pa : float or array_like, optional
        Air pressure for refraction [Pa]; default from the altitude.
    temp_c : float or array_like, optional
        Air temperature for refraction [°C]; default 12 °C (pvlib).

    Returns
    -------
    pandas.DataFrame
        Columns ``apparent_zenith, zenith, apparent_elevation, elevation,
        azimuth, equation_of_time`` [deg, deg, deg, deg, deg, min], indexed
        by ``times_mid``. Azimuth is measured clockwise from north.

    Notes
    -----
    NREL Solar Position Algorithm (uncertainty ±0.0003°), via
    :func:`pvlib.solarposition.get_solarposition` (method "nrel_numpy").

    References
    ----------
    Reda I., Andreas A. (2004), Solar position algorithm for solar radiation
    applications, Solar Energy 76(5), 577-589.
    """
    if not isinstance(times_mid, pd.DatetimeIndex):
        raise ValueError(f"times_mid must be a pandas.DatetimeIndex, got {type(times_mid)!r}")
    kwargs = {}
    if pressure_pa is not None:
        kwargs["pressure"] = pressure_pa
    if temp_c is not None:
        kwargs["temperature"] = temp_c
    return pvlib.solarposition.get_solarposition(
        times_mid, latitude, longitude, altitude=altitude_m, **kwargs
    )


def plane_irradiance_w_m2(
    surface_tilt_deg,
    surface_azimuth_deg,
    solar_zenith,
    solar_azimuth,
    dni,
    ghi,
    dhi,
    dni_extra=None,
    albedo=0.2,
    model="perez",
    airmass=None,
):
    """Irradiance on a tilted plane and its components.

    Parameters
    ----------
    surface_tilt_deg : float or array_like
        Tilt from horizontal (0 roof, 90 facade) [deg].
    surface_azimuth_deg : float or array_like
        Azimuth clockwise from north (180 = south) [deg].
    solar_zenith : float or array_like
        Apparent solar zenith [deg].
    solar_azimuth : float or array_like
        Solar azimuth clockwise from north [deg].
    dni, ghi, dhi : float or array_like
        Direct normal, global horizontal, diffuse horizontal irradiance [W/m²].
    dni_extra : float or array_like, optional
        Extraterrestrial normal irradiance [W/m²]; required for "haydavies",
        "reindl", "perez", "perez-driesse".
    albedo : float or array_like
        Ground reflectance [-] in [0, 1]; default 0.2 (ISO 52010-1 default).
    model : str
        One of :data:`TRANSPOSITION_MODELS` [-].
    airmass : float or array_like, optional
        Relative air mass [-] for Perez; computed from the zenith if None.

    Returns
    -------
    dict or pandas.DataFrame
        ``poa_global, poa_direct, poa_diffuse, poa_sky_diffuse,
        poa_ground_diffuse`` [W/m²] and ``aoi`` [deg] (DataFrame when the
        inputs are Series, as pvlib returns).

    Raises
    ------
    ValueError
        Unknown model, or missing dni_extra for a model that needs it.

    Notes
    -----
    .. math::

        I_{dir} = DNI \\max(\\cos θ, 0), \\quad
        \\cos θ = \\cos Z \\cos β + \\sin Z \\sin β \\cos(γ_s − γ)   (DB 1.6.2)

        I_{sky,iso} = DHI (1 + \\cos β)/2,\\quad
        I_{gnd} = GHI\\,ρ_g (1 − \\cos β)/2                        (DB 2.15.1)

    The sky diffuse of the other models adds circumsolar and horizon
    brightening terms (Perez 1990 eq. 9; Hay & Davies 1980).

    References
    ----------
    pvlib.irradiance.get_total_irradiance; Perez R. et al. (1990), Solar
    Energy 44(5), 271-289, eq. (9); Duffie & Beckman (2013) eqs. (1.6.2),
    (2.15.1).
    """
    _check_model(model)
    if model in _MODELS_NEEDING_EXTRA and dni_extra is None:
        raise ValueError(f"model {model!r} needs dni_extra (extraterrestrial DNI, W/m²)")
    alb = np.asarray(albedo, dtype=float)
    if np.any(~((alb >= 0) & (alb <= 1))):
        raise ValueError(f"albedo must lie in [0, 1], got {albedo!r}")
    if model == "perez" and airmass is None:
        airmass = pvlib.atmosphere.get_relative_airmass(solar_zenith)
    res = pvlib.irradiance.get_total_irradiance(
        surface_tilt_deg, surface_azimuth_deg, solar_zenith, solar_azimuth,
        dni, ghi, dhi, dni_extra=dni_extra, airmass=airmass, albedo=albedo, model=model,
    )
    if not isinstance(res, pd.DataFrame):
        res = dict(res)
    # Perez's sky-clearness index divides by DHI: with the sun up but DHI = 0 (a dark
    # hour at sunrise or sunset) it yields NaN although no diffuse light exists. The
    # sky diffuse is then 0; inputs are validated upstream, so no real NaN is hidden.
    no_diffuse = np.asarray(dhi, dtype=float) <= 0.0
    if np.any(no_diffuse):
        sky = np.where(no_diffuse, 0.0, np.asarray(res["poa_sky_diffuse"], dtype=float))
        sky = np.broadcast_to(sky, np.broadcast_shapes(sky.shape, np.shape(res["poa_direct"])))
        diffuse = sky + np.asarray(res["poa_ground_diffuse"], dtype=float)
        for key, value in (("poa_sky_diffuse", sky), ("poa_diffuse", diffuse),
                           ("poa_global", np.asarray(res["poa_direct"], dtype=float) + diffuse)):
            res[key] = pd.Series(value, index=res.index) if isinstance(res, pd.DataFrame) else value
    res["aoi"] = pvlib.irradiance.aoi(
        surface_tilt_deg, surface_azimuth_deg, solar_zenith, solar_azimuth
    )
    return res


def facade_irradiance_w_m2(
    solpos: pd.DataFrame,
    weather_df: pd.DataFrame,
    surfaces: Sequence[tuple[float, float]],
    model: str = "perez",
    albedo=0.2,
    component: str = "poa_global",
) -> np.ndarray:
    """Irradiance on several surfaces at once.

    Parameters
    ----------
    solpos : pandas.DataFrame
        Output of :func:`solar_position` (needs ``apparent_zenith``,
        ``azimuth``), same length and order as ``weather_df``.
    weather_df : pandas.DataFrame
        Columns ``ghi, dhi, dni`` [W/m²]; optional ``dni_extra`` [W/m²]
        (otherwise computed from ``solpos.index``) and ``albedo`` [-].
    surfaces : sequence of (tilt, azimuth)
        Surface tilt [deg] (90 facade, 0 flat roof) and azimuth clockwise
        from north [deg] for each surface.
    model : str
        One of :data:`TRANSPOSITION_MODELS` [-].
    albedo : float
        Ground reflectance [-], used if ``weather_df`` has no ``albedo``.
    component : str
        Which output of :func:`plane_irradiance_w_m2` to return
        ("poa_global", "poa_direct", "poa_diffuse", "aoi", ...) [-].

    Returns
    -------
    numpy.ndarray
        Shape (n_times, n_surfaces) [W/m²] (or [deg] for "aoi").

    Notes
    -----
    A single call of :func:`plane_irradiance_w_m2` with time along axis 0
    and surfaces along axis 1 (numpy broadcasting). Night values are 0.

    References
    ----------
    As :func:`plane_irradiance_w_m2`.
    """
    _check_model(model)
    if len(solpos) != len(weather_df):
        raise ValueError(
            f"solpos has {len(solpos)} rows but weather_df has {len(weather_df)}"
        )
    missing = [c for c in ("ghi", "dhi", "dni") if c not in weather_df.columns]
    if missing:
        raise ValueError(f"weather_df lacks columns {missing}; needs ghi, dhi, dni")
    surf = np.asarray(surfaces, dtype=float).reshape(-1, 2)
    tilt = surf[None, :, 0]
    azim = surf[None, :, 1]

    def col(x):
        return np.asarray(x, dtype=float)[:, None]

    zen = col(solpos["apparent_zenith"])
    az = col(solpos["azimuth"])
    if "dni_extra" in weather_df.columns:
        dni_extra = col(weather_df["dni_extra"])
    else:
        dni_extra = col(pvlib.irradiance.get_extra_radiation(solpos.index))
    alb = col(weather_df["albedo"]) if "albedo" in weather_df.columns else albedo
    res = plane_irradiance_w_m2(
        tilt, azim, zen, az,
        col(weather_df["dni"]), col(weather_df["ghi"]), col(weather_df["dhi"]),
        dni_extra=dni_extra, albedo=alb, model=model,
    )
    out = np.broadcast_to(np.asarray(res[component], dtype=float), (len(zen), len(surf)))
    return np.array(out)


def window_solar_gain_w(
    poa_global_w_m2,
    glazed_area_m2,
    g_value,
    frame_fraction,
    shading_factor,
    aoi_deg=None,
    *,
    poa_direct_w_m2=None,
    shading_factor_glazing=1.0,
    f_w=None,
    iam_b0=0.05,
    diffuse_aoi_deg=59.0,
    iam_table=None,
):
    """Solar heat gain through a window.

    Parameters
    ----------
    poa_global_w_m2 : float or array_like
        Total irradiance on the window plane I_sol [W/m²].
    glazed_area_m2 : float or array_like
        Overall projected window area A_w,p, glazing + frame [m²] (the
        frame is removed by ``frame_fraction``).
    g_value : float or array_like
        Total solar energy transmittance at normal incidence g_gl,n [-].
    frame_fraction : float or array_like
        Frame area fraction F_F [-] in [0, 1) (ISO 13790 §11.4.5 suggests
        0.3 when unknown).
    shading_factor : float or array_like
        Shading reduction factor for external obstacles F_sh,ob [-] in [0, 1].
    aoi_deg : float or array_like, optional
        Angle of incidence of the beam [deg]. If given, an explicit
        incidence-angle modifier replaces the averaged F_w (see Notes).
    poa_direct_w_m2 : float or array_like, optional
        Beam part of ``poa_global_w_m2`` [W/m²]; with ``aoi_deg`` the
        modifier at ``aoi_deg`` is applied to it and the modifier at
        ``diffuse_aoi_deg`` to the rest. Without it, the modifier at
        ``aoi_deg`` is applied to all of ``poa_global_w_m2``.
    shading_factor_glazing : float or array_like
        Reduction factor for movable shading F_sh,gl [-] in [0, 1].
    f_w : float, optional
        Non-scattering glazing correction F_w [-]; default 0.9
        (ISO 13790 §11.4.2) without ``aoi_deg`` and 1.0 with it (the explicit
        modifier already accounts for the angular dependence).
    iam_b0 : float
        ASHRAE incidence-angle-modifier coefficient b_0 [-].
    diffuse_aoi_deg : float
        Equivalent incidence angle of diffuse and ground-reflected
        radiation on a vertical surface [deg] (Duffie & Beckman eq. 5.4.1
        gives 59° for β = 90°).
    iam_table : tuple, optional
        ``(angles_deg, shgc_ratio, diffuse_ratio)``: tabulated angular SHGC
        relative to normal incidence, linear between the angles
        (:func:`pvlib.iam.interp`), and the hemispherical-diffuse ratio
        applied to the non-beam part. Replaces the ASHRAE modifier (needs
        ``aoi_deg``).

    Returns
    -------
    float or ndarray
        Solar heat gain Φ_sol [W].

    Raises
    ------
    ValueError
        If a factor lies outside its range.

    Notes
    -----
    .. math::

        Φ_{sol} = F_{sh,ob}\\,A_{sol}\\,I_{sol}                       (43)

        A_{sol} = F_{sh,gl}\\,g_{gl}\\,(1 − F_F)\\,A_{w,p}              (44)

        g_{gl} = F_w\\,g_{gl,n}                                       (45)

    With ``aoi_deg`` the ASHRAE modifier
    :math:`K(θ) = \\max(0, 1 − b_0 (1/\\cos θ − 1))` (0 for θ ≥ 90°)
    multiplies the irradiance: :math:`I_{eff} = K(θ) I_{dir} + K(θ_d)(I −
    I_{dir})`. b_0 = 0.05 is the single-cover value; double glazing has a
    steeper angular dependence (larger b_0). With ``iam_table`` the beam
    modifier is the table interpolated at θ and the diffuse one is the
    table's hemispherical value (for an isotropic sky it equals the
    cosine-weighted hemispherical mean of the angular values, Marion 2017). The thermal re-radiation term
    F_r Φ_r of eq. (43) is not included here (it belongs to the envelope
    transmission part).

    References
    ----------
    ISO 13790:2008, §11.3.2 eqs. (43)-(44), §11.4.2 eq. (45);
    ASHRAE Standard 93-77 / Souka & Safwat (1966) incidence-angle modifier
    as in :func:`pvlib.iam.ashrae`; Duffie & Beckman (2013) eq. (5.4.1);
    ASHRAE Handbook of Fundamentals 2005, ch. 31 Table 13 (angular SHGC);
    Marion, B. (2017), Numerical method for angle-of-incidence correction
    factors for diffuse radiation incident photovoltaic modules, Solar
    Energy 147, 344-348.
    """
    def frac(name, v, upper_open=False):
        a = np.asarray(v, dtype=float)
        ok = (a >= 0) & ((a < 1) if upper_open else (a <= 1))
        if np.any(~ok):
            rng = "[0, 1)" if upper_open else "[0, 1]"
            raise ValueError(f"{name} must lie in {rng}, got {v!r}")
        return a

    g = frac("g_value", g_value)
    ff = frac("frame_fraction", frame_fraction, upper_open=True)
    f_ob = frac("shading_factor", shading_factor)
    f_gl = frac("shading_factor_glazing", shading_factor_glazing)
    area = np.asarray(glazed_area_m2, dtype=float)
    if np.any(~(area >= 0)):
        raise ValueError(f"glazed_area_m2 must be >= 0, got {glazed_area_m2!r}")
    if f_w is None:
        f_w = F_W_DEFAULT if aoi_deg is None else 1.0
    fw = frac("f_w", f_w)
    irr = np.asarray(poa_global_w_m2, dtype=float)
    if iam_table is not None and aoi_deg is None:
        raise ValueError("iam_table needs aoi_deg")
    if aoi_deg is not None:
        aoi = np.asarray(aoi_deg, dtype=float)
        if iam_table is not None:
            angles, ratios, k_dif = iam_table
            k_dir = pvlib.iam.interp(aoi, angles, ratios, method="linear", normalize=False)
        else:
            k_dir = pvlib.iam.ashrae(aoi, b=iam_b0)
            k_dif = pvlib.iam.ashrae(diffuse_aoi_deg, b=iam_b0)
        if poa_direct_w_m2 is None:
            irr = k_dir * irr
        else:
            direct = np.asarray(poa_direct_w_m2, dtype=float)
            irr = k_dir * direct + k_dif * (irr - direct)
    a_sol = f_gl * fw * g * (1.0 - ff) * area  # (44), (45)
    return np.asarray(f_ob * a_sol * irr)[()]  # (43)


R_SE_M2K_W = 0.04
"""External surface resistance [m²K/W], ISO 6946 Table 7 (horizontal heat flow) as used by ISO 13790 §11.4.5."""

H_R_PER_EMISSIVITY_W_M2K = 5.0
"""External radiative coefficient per unit emissivity [W/(m²K)]: h_r ≈ 5 ε (ISO 13790 §11.4.6, ~10 °C)."""


def opaque_solar_gain_w(poa_global_w_m2, u_w_m2k, area_m2, absorptance, r_se_m2k_w=R_SE_M2K_W):
    """Solar heat gain through an opaque element [W].

    Parameters
    ----------
    poa_global_w_m2 : float or array_like
        Irradiance on the element's plane [W/m²].
    u_w_m2k : float or array_like
        Thermal transmittance of the element [W/(m²K)].
    area_m2 : float or array_like
        Projected area [m²].
    absorptance : float or array_like
        Solar absorptance of the external surface α_S [-].
    r_se_m2k_w : float
        External surface resistance [m²K/W].

    Notes
    -----
    .. math::

        Φ_{sol,op} = α_S R_{se} U A\\,I_{sol}

    the share of the absorbed solar flux that travels inward through the
    element (effective collecting area of ISO 13790 §11.4.5).

    References
    ----------
    ISO 13790:2008, §11.3.2 and §11.4.5.
    """
    return (np.asarray(absorptance) * r_se_m2k_w * np.asarray(u_w_m2k) * np.asarray(area_m2)
            * np.asarray(poa_global_w_m2))[()]


def sky_radiation_loss_w(u_w_m2k, area_m2, emissivity, form_factor, sky_temp_difference_k=11.0,
                         r_se_m2k_w=R_SE_M2K_W):
    """Extra heat loss of an element by long-wave radiation to the sky, F_r Φ_r [W].

    Parameters
    ----------
    u_w_m2k, area_m2 : float or array_like
        Thermal transmittance [W/(m²K)] and area [m²] of the element.
    emissivity : float
        Long-wave emissivity of the external surface [-].
    form_factor : float or array_like
        View factor to the sky F_r: 1 for an unshaded roof, 0.5 for an unshaded wall [-].
    sky_temp_difference_k : float
        Mean difference between outdoor air and apparent sky temperature Δθ_er [K];
        11 K in intermediate climates (ISO 13790 §11.4.6).

    Notes
    -----
    .. math::

        F_r Φ_r = F_r R_{se} U A\\,h_r Δθ_{er},\\qquad h_r = 5 ε

    It is subtracted from the solar gains (ISO 13790 eq. 43).

    References
    ----------
    ISO 13790:2008, §11.3.2 eq. (43), §11.3.5, §11.4.6.
    """
    h_r = H_R_PER_EMISSIVITY_W_M2K * np.asarray(emissivity)
    return (np.asarray(form_factor) * r_se_m2k_w * np.asarray(u_w_m2k) * np.asarray(area_m2) * h_r
            * sky_temp_difference_k)[()]


def overhang_fin_sunlit_fraction(elevation_deg, sun_azimuth_deg, surface_azimuth_deg, *, window_height_m,
                                 window_width_m, overhang_depth_m=0.0, overhang_gap_m=0.0, fin_depth_m=0.0):
    """Sunlit share of a vertical window under a horizontal overhang and between two vertical fins [-].

    Parameters
    ----------
    elevation_deg, sun_azimuth_deg : float or array_like
        Solar elevation and azimuth (clockwise from north) [deg].
    surface_azimuth_deg : float or array_like
        Azimuth of the window's outward normal [deg].
    window_height_m, window_width_m : float
        Window height H and width W [m].
    overhang_depth_m, overhang_gap_m : float
        Projection P of the overhang and its height G above the window head [m]; the overhang is taken as
        at least as long as the window (its shadow spans the whole width).
    fin_depth_m : float
        Projection F of the fins standing at both window edges, at least as tall as the window [m].

    Returns
    -------
    float or numpy.ndarray
        f = (1 - f_oh)(1 - f_fin), 0 when the sun is behind the facade or below the horizon, with
        f_oh = clip((P tan Ω - G) / H, 0, 1), tan Ω = tan α / cos γ (profile angle, γ the sun azimuth
        relative to the normal) and f_fin = clip(F |tan γ| / W, 0, 1): the shadows of an overhang and
        fins as in ISO 13790:2008 Annex G.3 / ISO 52016-1 (F_ov, F_fin), computed from the geometry at
        each step instead of from the monthly tables. The two shadows are a full-width band and a
        full-height strip, so their union leaves a rectangle: the product is exact.
    """
    alpha = np.radians(np.asarray(elevation_deg, dtype=float))
    gamma = np.radians((np.asarray(sun_azimuth_deg, dtype=float) - np.asarray(surface_azimuth_deg, dtype=float)
                        + 180.0) % 360.0 - 180.0)
    facing = (np.cos(gamma) > 1e-9) & (alpha > 0.0)
    cos_g = np.where(facing, np.cos(gamma), 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        tan_profile = np.where(facing, np.tan(np.minimum(alpha, np.radians(89.999))) / cos_g, 0.0)
    shadow_oh = np.clip((overhang_depth_m * tan_profile - overhang_gap_m) / window_height_m, 0.0, 1.0)
    shadow_fin = np.clip(fin_depth_m * np.abs(np.tan(np.where(facing, gamma, 0.0))) / window_width_m, 0.0, 1.0)
    out = np.where(facing, (1.0 - shadow_oh) * (1.0 - shadow_fin), 0.0)
    return out if out.ndim else float(out)


def overhang_fin_sky_view_ratio(*, window_height_m, window_width_m, overhang_depth_m=0.0, overhang_gap_m=0.0,
                                fin_depth_m=0.0) -> float:
    """Diffuse light reaching a window under an overhang and between fins, relative to a bare window [-].

    Notes
    -----
    Two-dimensional view factors of a vertical surface element (crossed strings): under an infinitely long
    overhang of depth P at height d above the point, the sky seen is sin(atan(d/P))/2 instead of 1/2;
    averaged over the window (d from G to G + H):
    r_oh = (sqrt((G+H)^2 + P^2) - sqrt(G^2 + P^2)) / H. Between two fins of depth F a window of width W sees
    r_fin = (sqrt(W^2 + F^2) - F) / W of the hemisphere in front of it. The ratio is r_oh x r_fin, applied to
    the whole diffuse (sky and ground-reflected) part [E]: the overhang hides sky, not ground, so it errs
    towards more shading of ground-reflected light and fewer of circumsolar light.
    """
    h, w, p, g, f = window_height_m, window_width_m, overhang_depth_m, overhang_gap_m, fin_depth_m
    r_oh = (np.hypot(g + h, p) - np.hypot(g, p)) / h if p > 0 else 1.0
    r_fin = (np.hypot(w, f) - f) / w if f > 0 else 1.0
    return float(r_oh * r_fin)
