"""Future weather: morphing to a warming level (TRACC), heatwave insertion, EPW writer.

Functions here take and return *weather frames* (see :mod:`twin.weather`: an
hourly, hour-ending, tz-aware index in local standard time; pvlib column
names). They are pure: the input frame is never modified.

Sources
-------
[Belcher2005] Belcher, S.E., Hacker, J.N., Powell, D.S. (2005). Constructing
    design weather data for future climates. Building Serv. Eng. Res. Technol.
    26(1), 49-61: "shift and stretch" morphing,
    θ' = θ + Δθ_m + α_m (θ − ⟨θ⟩_m), α_m = (ΔTmax_m − ΔTmin_m) / (⟨Tmax⟩_m − ⟨Tmin⟩_m);
    radiation stretched by a monthly ratio.
[TRACC] Trajectoire de réchauffement de référence pour l'adaptation au
    changement climatique, décret en Conseil d'État of 23 Jan 2026 (code de
    l'environnement; its number was not checked here) and its arrêté of
    23 Jan 2026: metropolitan France
    +2 °C in 2030, +2.7 °C in 2050, +4 °C in 2100 relative to the
    pre-industrial era (global +1.5/+2/+3 °C).
    https://www.ecologie.gouv.fr/actualites/climat-trajectoire-rechauffement-inscrite-loi-francaise
    (28 Jan 2026); https://www.ensemble77.fr/trajectoire-de-reference-pour-ladaptation-au-changement-climatique
[MF-TRACC] Météo-France report on the TRACC climate (Dec 2024), as summarised
    by vie-publique.fr (https://www.vie-publique.fr/en-bref/296578-quel-climat-en-france-aux-horizons-2030-2050-et-2100):
    at +4 °C the mean annual temperature of France would be 14.2 °C against
    10.9 °C over 1976-2005; warming ≈ 1 °C larger in summer than in winter;
    the south-east and the Alps warm ≈ 1 °C more than the north-west.
[MF-normales] Météo-France normals (June 2022): France 1991-2020 mean
    12.97 °C, +1.15 °C over 1961-1990; 1971-2000 +0.34 °C, 1981-2010 +0.73 °C
    over 1961-1990 (https://www.notre-environnement.gouv.fr/actualites/breves/article/meteo-france-applique-de-nouvelles-normales-de-reference ;
    table of fr.wikipedia "Climat de la France" citing Météo-France).
[Besançon heatwaves] 38.3 °C on 12 Aug 2003 at Besançon, the 2003 peak
    (https://www.macommune.info/record-de-chaleur-un-peu-plus-de-35-c-a-16h-a-besancon-166995);
    "dix jours d'affilée au-dessus de 37 °C" in 2003 and 37.9 °C on
    25 Jul 2019 (head of the Météo-France Besançon station,
    https://www.macommune.info/canicule-non-le-record-na-pas-ete-battu-a-besancon/amp/);
    station record 40.3 °C on 28 Jul 1921 (domain-facts.md §1a).

What is an estimate [E]
-----------------------
* The warming already contained in 1991-2020 normals, 1.3 K over
  pre-industrial: no single Météo-France figure was found. Derived from
  [MF-TRACC] (pre-industrial France = 14.2 − 4.0 = 10.2 °C, so 1976-2005 at
  10.9 °C is +0.7 K) plus the 1976-2005 → 1991-2020 step of [MF-normales]
  (1.15 − (0.34 + 0.73)/2 ≈ 0.6 K).
* The monthly pattern: a cosine peaking at the turn of July/August whose
  summer (JJA) minus winter (DJF) contrast is 1 K per 3.3 K of annual
  warming ([MF-TRACC]: ≈ +1 °C more in summer for 14.2 − 10.9 = 3.3 K). No
  regional factor for eastern France is applied (the "+1 °C in the
  south-east and Alps" of [MF-TRACC] is not Besançon-specific).
* The diurnal-range stretch: ΔTmax − ΔTmin = 0.2 Δθ_m in June-August,
  0.1 Δθ_m in May and September, 0 otherwise (summer maxima warming faster
  than minima as soils dry; no sourced number found).
* Radiation, wind, pressure and precipitation are unchanged by default
  (ratios of 1): no sourced monthly change for Besançon was found.
* Humidity: the vapour pressure is scaled by e_s(⟨θ⟩_m + Δθ_m)/e_s(⟨θ⟩_m),
  which keeps the monthly-mean relative humidity about constant while the
  hourly RH follows the stretched temperature; RH is then clipped to
  0-100 %, so the dew point never exceeds the dry bulb.
* The heatwave sequence: the RE2020 conventional "séquence caniculaire" data
  could not be found; :data:`HEATWAVE_BESANCON_2003_TMAX_C` is a
  14-day sequence built on the Besançon 2003 facts above (10 days ≥ 37 °C,
  peak 38.3 °C), with Tmin = Tmax − 17 K and a 15 °C dew point.
"""

from __future__ import annotations

import calendar
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from twin.config.climate import CLIMATE_LEVELS, TRACC_WARMING_VS_PREINDUSTRIAL_K
from twin.errors import ScenarioError, WeatherError
from twin.weather import (
    BESANCON_ALTITUDE_M,
    BESANCON_LATITUDE,
    BESANCON_LONGITUDE,
    Weather,
    magnus_es_hpa,
    solar_geometry,
)

__all__ = [
    "CLIMATE_LEVELS",
    "TRACC_WARMING_VS_PREINDUSTRIAL_K",
    "WARMING_IN_1991_2020_NORMALS_K",
    "HEATWAVE_BESANCON_2003_TMAX_C",
    "climate_deltas",
    "morph_weather",
    "apply_climate",
    "insert_heatwave",
    "write_epw",
    "plot_climate_change",
]

# --- Warming levels ----------------------------------------------------------
# TRACC_WARMING_VS_PREINDUSTRIAL_K (France over pre-industrial, K [TRACC]) and CLIMATE_LEVELS are
# defined in twin.config.climate, read without numpy when a scenario is validated.
#: Warming already in 1991-2020 normals over pre-industrial, K [E] (module docstring).
WARMING_IN_1991_2020_NORMALS_K = 1.3

#: Summer (JJA) minus winter (DJF) warming per K of annual warming [E] from [MF-TRACC]: 1/3.3.
SEASONAL_CONTRAST_PER_K = 1.0 / 3.3
#: Month (1-12, fractional) of the largest warming: turn of July/August [E].
SEASONAL_PEAK_MONTH = 7.5
#: (ΔTmax − ΔTmin)/Δθ_m by month Jan→Dec [E].
DTR_CHANGE_PER_K: tuple[float, ...] = (0, 0, 0, 0, 0.1, 0.2, 0.2, 0.2, 0.1, 0, 0, 0)

# --- Heatwave ------------------------------------------------------------------
#: Daily Tmax of the 14-day 2003-like Besançon sequence, °C: ramp, 10 days ≥ 37 °C with the
#: 38.3 °C peak of 12 Aug 2003 on day 8, decay [Besançon heatwaves]; shape [E].
HEATWAVE_BESANCON_2003_TMAX_C: tuple[float, ...] = (
    32.0, 34.5, 37.0, 37.3, 37.6, 37.9, 38.1, 38.3, 38.0, 37.8, 37.5, 37.2, 34.0, 30.0)
#: Tmax − Tmin during the heatwave, K [E] (July normal range is 11.5 K, §1c col. B; clear
#: dry days have a wider range).
HEATWAVE_DAILY_RANGE_K = 17.0
#: Dew point during the heatwave, °C [E].
HEATWAVE_DEW_POINT_C = 15.0
#: Share of clear-sky irradiance during the heatwave [E] (haze).
HEATWAVE_CLEAR_SKY_SHARE = 0.95
#: Hours (interval start, local standard time) of the daily minimum and maximum [E].
HEATWAVE_TMIN_HOUR = 5.0
HEATWAVE_TMAX_HOUR = 15.0


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _interval_start(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    step = pd.Timedelta(hours=1) if len(index) < 2 else index[1] - index[0]
    return index - step


def _check_level(level: str | None) -> str:
    lvl = "today" if level is None else str(level).strip().lower()
    if lvl not in CLIMATE_LEVELS:
        raise ScenarioError(f"weather.climate is {level!r}; expected one of "
                            f"{', '.join(CLIMATE_LEVELS)} (or null for today)")
    return lvl


def _seasonal_pattern() -> np.ndarray:
    """Monthly multipliers f_m (mean 1): f = 1 + (c/2) cos(2π(m − 7.5)/12) / k."""
    m = np.arange(1, 13)
    cosm = np.cos(2.0 * np.pi * (m - SEASONAL_PEAK_MONTH) / 12.0)
    jja = cosm[[5, 6, 7]].mean()  # = −DJF mean by symmetry about 7.5
    return 1.0 + 0.5 * SEASONAL_CONTRAST_PER_K * cosm / jja


def climate_deltas(level: str | None) -> pd.DataFrame:
    """Monthly changes applied for a climate level, relative to 1991-2020 normals.

    Parameters
    ----------
    level : str or None
        ``None``/``"today"``, ``"tracc-2030"``, ``"tracc-2050"`` or ``"tracc-2100"``.

    Returns
    -------
    pandas.DataFrame
        Index 1-12 (month), columns ``dtemp_k`` (Δθ_m, K),
        ``ddtr_k`` (ΔTmax − ΔTmin, K) and ``ghi_ratio`` (-):

        .. math::
            Δθ_m = (L − 1.3)\\, f_m, \\quad f_m = 1 + \\frac{c}{2}\\,
            \\frac{\\cos(2π(m − 7.5)/12)}{\\overline{\\cos}_{JJA}}

        with L the TRACC level over pre-industrial, 1.3 K the warming already
        in the normals [E] and c = 1/3.3 the summer-winter contrast per K [E].

    Raises
    ------
    ScenarioError
        Unknown level (the message lists the valid ones).
    """
    lvl = _check_level(level)
    annual = 0.0 if lvl == "today" else (TRACC_WARMING_VS_PREINDUSTRIAL_K[lvl]
                                         - WARMING_IN_1991_2020_NORMALS_K)
    dtemp = annual * _seasonal_pattern()
    return pd.DataFrame({"dtemp_k": dtemp, "ddtr_k": dtemp * np.asarray(DTR_CHANGE_PER_K),
                         "ghi_ratio": np.ones(12)}, index=pd.RangeIndex(1, 13, name="month"))


# ---------------------------------------------------------------------------
# morphing
# ---------------------------------------------------------------------------


def morph_weather(weather_df: pd.DataFrame, dtemp_k, ddtr_k=0.0, ghi_ratio=1.0) -> pd.DataFrame:
    """Shift-and-stretch a weather frame [Belcher2005].

    Parameters
    ----------
    weather_df : pandas.DataFrame
        Hourly weather frame (twin conventions), any number of whole months.
    dtemp_k : float or array_like of 12
        Δθ_m, change of the monthly mean dry-bulb temperature, K (Jan→Dec).
    ddtr_k : float or array_like of 12, default 0
        ΔTmax_m − ΔTmin_m, change of the mean daily range, K.
    ghi_ratio : float or array_like of 12, default 1
        Monthly ratio applied to ``ghi``, ``dni`` and ``dhi`` alike (keeps
        GHI = DHI + DNI cos z and zeros at night); must be ≥ 0.

    Returns
    -------
    pandas.DataFrame
        A new frame, same index and columns:

        .. math::
            θ' = θ + Δθ_m + α_m (θ − ⟨θ⟩_m), \\quad
            α_m = \\frac{ΔT_{max,m} − ΔT_{min,m}}{⟨T_{max} − T_{min}⟩_m}

        (⟨·⟩_m over the month in the frame, days and months taken at the
        interval start), so each monthly mean shifts by exactly Δθ_m and
        every daily range is multiplied by 1 + α_m;
        e' = e · e_s(⟨θ⟩_m + Δθ_m)/e_s(⟨θ⟩_m), RH' = clip(100 e'/e_s(θ'), 0, 100)
        (Magnus, as in :mod:`twin.weather`). Wind, pressure and precipitation
        are unchanged.
    """
    df = weather_df.copy()
    start = _interval_start(df.index)
    month = np.asarray(start.month)
    ym = np.asarray(start.year) * 12 + month          # month key, robust to multi-year frames
    day = np.asarray(start.normalize().tz_localize(None) if start.tz is not None
                     else start.normalize()).astype("datetime64[D]").astype(np.int64)

    def per_month(x, name) -> np.ndarray:
        a = np.broadcast_to(np.asarray(x, dtype=float), (12,))
        if not np.all(np.isfinite(a)):
            raise WeatherError(f"climate morphing: field {name} holds a non-finite value; "
                               "expected 12 finite monthly values")
        return a[month - 1]

    d_t = per_month(dtemp_k, "dtemp_k")
    d_dtr = per_month(ddtr_k, "ddtr_k")
    g_r = per_month(ghi_ratio, "ghi_ratio")
    if (g_r < 0).any():
        raise WeatherError("climate morphing: field ghi_ratio is negative; expected ratios ≥ 0")

    t = df["temp_air"].to_numpy(dtype=float, copy=True)
    t_s = pd.Series(t)
    mean_m = t_s.groupby(ym).transform("mean").to_numpy()
    dmax = t_s.groupby(day).transform("max").to_numpy()
    dmin = t_s.groupby(day).transform("min").to_numpy()
    # mean daily range of the month: average over days (not hours)
    daily = pd.DataFrame({"ym": ym, "day": day, "r": dmax - dmin}).drop_duplicates("day")
    dtr_m = daily.groupby("ym")["r"].mean()
    dtr = dtr_m.reindex(ym).to_numpy()
    alpha = np.where(dtr > 0, d_dtr / np.where(dtr > 0, dtr, 1.0), 0.0)
    t_new = t + d_t + alpha * (t - mean_m)
    df["temp_air"] = t_new

    if "relative_humidity" in df:
        rh = df["relative_humidity"].to_numpy(dtype=float, copy=True)
        e = rh / 100.0 * magnus_es_hpa(t)
        e_new = e * magnus_es_hpa(mean_m + d_t) / magnus_es_hpa(mean_m)
        df["relative_humidity"] = np.clip(100.0 * e_new / magnus_es_hpa(t_new), 0.0, 100.0)
    for col in ("ghi", "dni", "dhi"):
        if col in df:
            df[col] = df[col].to_numpy(dtype=float) * g_r
    return df


def apply_climate(weather: Weather, level: str | None) -> Weather:
    """Return ``weather`` morphed to a climate level (unchanged for today).

    Parameters
    ----------
    weather : twin.weather.Weather
        Weather of today's climate (1991-2020 normals or a typical year).
    level : str or None
        See :func:`climate_deltas`.

    Returns
    -------
    twin.weather.Weather
        Same site; ``source`` gains ``" | climate tracc-2050 (+1.40 K/yr vs
        1991-2020)"``.

    Raises
    ------
    ScenarioError
        Unknown level.
    """
    lvl = _check_level(level)
    if lvl == "today":
        return weather
    d = climate_deltas(lvl)
    data = morph_weather(weather.data, d["dtemp_k"], d["ddtr_k"], d["ghi_ratio"])
    annual = TRACC_WARMING_VS_PREINDUSTRIAL_K[lvl] - WARMING_IN_1991_2020_NORMALS_K
    src = (f"{weather.source} | climate {lvl} (+{annual:.2f} K/yr vs 1991-2020, "
           f"shift-and-stretch, twin.climate)")
    return replace(weather, data=data, source=src)


# ---------------------------------------------------------------------------
# heatwave
# ---------------------------------------------------------------------------


def _cosine_anchor_interp(x: np.ndarray, xa: np.ndarray, ya: np.ndarray) -> np.ndarray:
    j = np.clip(np.searchsorted(xa, x, side="right") - 1, 0, xa.size - 2)
    w = 0.5 * (1.0 - np.cos(np.pi * np.clip((x - xa[j]) / (xa[j + 1] - xa[j]), 0.0, 1.0)))
    return ya[j] + (ya[j + 1] - ya[j]) * w


def insert_heatwave(weather_df: pd.DataFrame, start_date, *,
                    tmax_c=HEATWAVE_BESANCON_2003_TMAX_C, peak_c: float | None = None,
                    daily_range_k: float = HEATWAVE_DAILY_RANGE_K,
                    dew_point_c: float = HEATWAVE_DEW_POINT_C,
                    clear_sky_share: float = HEATWAVE_CLEAR_SKY_SHARE,
                    latitude: float = BESANCON_LATITUDE, longitude: float = BESANCON_LONGITUDE,
                    altitude_m: float = BESANCON_ALTITUDE_M) -> pd.DataFrame:
    """Overwrite days of a weather frame with a heatwave sequence.

    Parameters
    ----------
    weather_df : pandas.DataFrame
        Hourly weather frame (twin conventions), tz-aware.
    start_date : str or datetime-like
        First day of the heatwave (a calendar date in the frame's time zone).
    tmax_c : sequence of float, default the 2003-like Besançon sequence
        Daily maximum temperature of each heatwave day, °C.
    peak_c : float, optional
        Shift the whole sequence so that its maximum equals this, °C (e.g.
        38.3 + the August Δθ of a TRACC level).
    daily_range_k : float, default 17
        Tmax − Tmin of each day, K [E].
    dew_point_c : float, default 15
        Constant dew point, °C [E]; RH = 100 e_s(T_d)/e_s(T), ≤ 100 %.
    clear_sky_share : float, default 0.95
        Irradiance as a share of the Ineichen clear sky (ghi, dni and dhi
        alike), [E].
    latitude, longitude, altitude_m : float
        Site for the clear sky (default Besançon, domain-facts.md §1a).

    Returns
    -------
    pandas.DataFrame
        A new frame. Inside the heatwave: temperature joins Tmin at 05:00
        and Tmax at 15:00 (interval start) with half-cosines, starting from
        and returning to the original values at the edges; sunny sky; no
        rain. Wind and pressure are kept.

    Raises
    ------
    WeatherError
        The sequence does not fit inside the frame, or the frame is not tz-aware.
    """
    df = weather_df.copy()
    idx = df.index
    if not isinstance(idx, pd.DatetimeIndex) or idx.tz is None:
        raise WeatherError("heatwave: the weather frame index is not a tz-aware DatetimeIndex; "
                           "expected a twin weather frame")
    tmax = np.asarray(tmax_c, dtype=float)
    if peak_c is not None:
        tmax = tmax + (float(peak_c) - tmax.max())
    ndays = tmax.size
    day0 = pd.Timestamp(start_date)
    day0 = (day0.tz_convert(idx.tz) if day0.tz is not None else day0.tz_localize(idx.tz)).normalize()
    begin = day0
    end = day0 + pd.Timedelta(days=ndays)
    start = _interval_start(idx)
    inside = np.asarray((start >= begin) & (start < end))
    if inside.sum() < ndays * 24 or not (start < begin).any():
        raise WeatherError(f"heatwave: field start_date {day0.date()} with {ndays} days does not "
                           f"fit inside the weather frame ({idx[0]} to {idx[-1]}); expected a "
                           "start at least one hour after the frame's first row")
    h_rel = np.asarray((start - begin) / pd.Timedelta(hours=1), dtype=float) + 0.5
    t = df["temp_air"].to_numpy(dtype=float, copy=True)
    first, last = np.flatnonzero(inside)[[0, -1]]
    before = t[first - 1]
    after = t[last + 1] if last + 1 < t.size else t[last]
    tmin = tmax - daily_range_k
    xa = [-0.5]
    ya = [before]
    for d in range(ndays):
        xa += [d * 24 + HEATWAVE_TMIN_HOUR + 0.5, d * 24 + HEATWAVE_TMAX_HOUR + 0.5]
        ya += [tmin[d], tmax[d]]
    xa.append(ndays * 24 + 0.5)
    ya.append(after)
    t_hw = _cosine_anchor_interp(h_rel[inside], np.asarray(xa), np.asarray(ya))
    t[inside] = t_hw
    df["temp_air"] = t
    if "relative_humidity" in df:
        rh = df["relative_humidity"].to_numpy(dtype=float, copy=True)
        rh[inside] = np.minimum(100.0 * magnus_es_hpa(np.minimum(dew_point_c, t_hw))
                                / magnus_es_hpa(t_hw), 100.0)
        df["relative_humidity"] = rh
    sub = idx[inside]
    _, cs = solar_geometry(sub, latitude, longitude, altitude_m)
    for col in ("ghi", "dni", "dhi"):
        if col in df:
            v = df[col].to_numpy(dtype=float, copy=True)
            v[inside] = clear_sky_share * np.nan_to_num(cs[col].to_numpy(dtype=float))
            df[col] = v
    if "precipitation_mm" in df:
        p = df["precipitation_mm"].to_numpy(dtype=float, copy=True)
        p[inside] = 0.0
        df["precipitation_mm"] = p
    return df


# ---------------------------------------------------------------------------
# EPW writer
# ---------------------------------------------------------------------------


def _dew_point_c(t_c: np.ndarray, rh_pct: np.ndarray) -> np.ndarray:
    """Inverse Magnus (Sonntag 1990 coefficients, as :func:`twin.weather.magnus_es_hpa`)."""
    g = np.log(np.clip(rh_pct, 1e-3, 100.0) / 100.0) + 17.62 * t_c / (243.12 + t_c)
    return 243.12 * g / (17.62 - g)


def write_epw(weather: Weather, path: str | Path, *, city: str = "Besancon",
              comment: str = "") -> Path:
    """Write a weather to an EnergyPlus weather (EPW) file.

    Parameters
    ----------
    weather : twin.weather.Weather
        One year of hourly weather (8,760 or 8,784 hour-ending rows, local
        standard time).
    path : str or pathlib.Path
        File to write.
    city : str, default "Besancon"
        LOCATION city field (commas are removed).
    comment : str, optional
        Text of the COMMENTS 1 line (default: ``weather.source``).

    Returns
    -------
    pathlib.Path
        The written file.

    Notes
    -----
    Fields follow the EPW data dictionary (EnergyPlus Auxiliary Programs,
    "Weather Converter Program"): hour h = the hour ENDING at h:00, 1-24.
    Written: dry bulb, dew point (inverse Magnus), RH, pressure, GHI, DNI,
    DHI, wind speed, liquid precipitation depth (mm); every other field gets
    its "missing" code (9999, 999, 99 …), except extraterrestrial and
    horizontal infrared radiation (missing codes too: EnergyPlus recomputes
    them) and wind direction (0). Both ``pvlib.iotools.read_epw`` and
    :func:`twin.weather.read_epw` read it back.
    """
    df = weather.data
    n = len(df)
    if n not in (8760, 8784):
        raise WeatherError(f"EPW writer: weather {weather.source} has {n} rows; expected one "
                           "year of hourly rows (8760 or 8784)")
    start = _interval_start(df.index)
    year = np.asarray(start.year)
    month = np.asarray(start.month)
    dom = np.asarray(start.day)
    hour = np.asarray(start.hour) + 1
    t = df["temp_air"].to_numpy(dtype=float, copy=True)
    rh = np.clip(df["relative_humidity"].to_numpy(dtype=float), 0.0, 100.0)
    td = np.minimum(_dew_point_c(t, rh), t)
    p = df["pressure"].to_numpy(dtype=float) if "pressure" in df else np.full(n, 101325.0)
    rain = df["precipitation_mm"].to_numpy(dtype=float) if "precipitation_mm" in df \
        else np.zeros(n)
    cols = {
        "ghi": df["ghi"].to_numpy(dtype=float),
        "dni": df["dni"].to_numpy(dtype=float),
        "dhi": df["dhi"].to_numpy(dtype=float),
        "wind": df["wind_speed"].to_numpy(dtype=float),
    }
    tz = weather.tz_offset_h
    first = pd.Timestamp(start[0])
    weekday = calendar.day_name[first.weekday()]
    header = [
        f"LOCATION,{city.replace(',', ' ')},-,FRA,twin,000000,{weather.latitude:.4f},"
        f"{weather.longitude:.4f},{tz:.1f},{weather.altitude_m:.1f}",
        "DESIGN CONDITIONS,0",
        "TYPICAL/EXTREME PERIODS,0",
        "GROUND TEMPERATURES,0",
        "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
        f"COMMENTS 1,\"{(comment or weather.source).replace(chr(34), chr(39))}\"",
        "COMMENTS 2,\"written by twin.climate.write_epw\"",
        f"DATA PERIODS,1,1,Data,{weekday},{month[0]}/{dom[0]},{month[-1]}/{dom[-1]}",
    ]
    flags = "?9?9?9?9E0?9?9?9?9?9?9?9?9?9?9?9?9?9?9?9*9*9?9?9?9"
    lines = []
    for i in range(n):
        lines.append(
            f"{year[i]},{month[i]},{dom[i]},{hour[i]},60,{flags},"
            f"{t[i]:.1f},{td[i]:.1f},{rh[i]:.0f},{p[i]:.0f},"
            f"9999,9999,9999,"                                   # ext. horiz, ext. DNI, IR sky
            f"{cols['ghi'][i]:.0f},{cols['dni'][i]:.0f},{cols['dhi'][i]:.0f},"
            f"999999,999999,999999,9999,"                        # illuminances, zenith luminance
            f"0,{cols['wind'][i]:.1f},99,99,9999,99999,9,999999999,"
            f"999,0.999,999,99,999,{rain[i]:.1f},99"
        )
    out = Path(path)
    out.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    return out


# ---------------------------------------------------------------------------
# plot
# ---------------------------------------------------------------------------


def plot_climate_change(today_table: pd.DataFrame, future_table: pd.DataFrame,
                        path: str | Path, *, label: str = "morphed") -> Path:
    """Plot monthly temperatures of today's and a morphed climate to a PNG.

    Parameters
    ----------
    today_table, future_table : pandas.DataFrame
        Outputs of :func:`twin.weather.monthly_climate` (rows Jan … Dec, optional ``Year``).
    path : str or pathlib.Path
        PNG file to write.
    label : str, default "morphed"
        Legend of the morphed climate (e.g. ``"tracc-2050"``).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    from twin.plotting import pyplot

    plt = pyplot()
    a = today_table.drop(index="Year", errors="ignore")
    b = future_table.drop(index="Year", errors="ignore")
    x = np.arange(len(a))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for tab, name, colour in ((a, "today", "tab:blue"), (b, label, "tab:red")):
        ax.fill_between(x, tab["tmin_c"], tab["tmax_c"], alpha=0.2, color=colour)
        ax.plot(x, tab["tmean_c"], marker="o", color=colour,
                label=f"{name}: mean, band = mean daily min-max")
    ax.set_xticks(x, list(a.index))
    ax.set_ylabel("temperature [°C]")
    ax.legend(loc="upper left")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out
