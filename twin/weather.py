"""Weather for the Besançon building twin: generator, readers, validation, resampling.

Conventions (binding for every other module)
--------------------------------------------
A *weather frame* is a :class:`pandas.DataFrame` with an hourly, tz-aware
:class:`~pandas.DatetimeIndex` in LOCAL STANDARD TIME (a fixed UTC offset, no
daylight saving; UTC+01:00 for Besançon). Each row holds the MEAN over the hour
that ENDS at its timestamp (for ``precipitation_mm`` the TOTAL over that hour),
as in EPW files: the first row of a year is labelled ``YYYY-01-01 01:00`` and
the last ``YYYY+1-01-01 00:00``.

Columns (pvlib names where pvlib has one) and units:

=====================  ==========================
``ghi``                global horizontal, W/m²
``dni``                direct normal, W/m²
``dhi``                diffuse horizontal, W/m²
``temp_air``           dry-bulb air temperature, °C
``relative_humidity``  %
``wind_speed``         m/s (10 m)
``pressure``           Pa
``precipitation_mm``   mm in the hour
=====================  ==========================

Every reader passes its frame through :func:`validate_weather`, which raises
:class:`twin.errors.WeatherError` with a one-line message or returns the frame
with documented, counted repairs.
"""

from __future__ import annotations

import calendar
import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
from scipy.special import (  # ndtr: the standard normal CDF, without importing scipy.stats
    expit,
    ndtr,
)

from twin.errors import WeatherError

__all__ = [
    "COLUMNS",
    "BESANCON_NORMALS",
    "Repair",
    "Weather",
    "besancon_reference_year",
    "INTERANNUAL_SPREAD",
    "interannual_normals",
    "read_epw",
    "read_pvgis_tmy",
    "read_csv_weather",
    "validate_weather",
    "weather_for_period",
    "resample_to_step",
    "monthly_climate",
    "plot_monthly_climate",
    "load_weather",
]

log = logging.getLogger(__name__)

#: Column names of a weather frame, in order.
COLUMNS: tuple[str, ...] = (
    "ghi",
    "dni",
    "dhi",
    "temp_air",
    "relative_humidity",
    "wind_speed",
    "pressure",
    "precipitation_mm",
)
IRRADIANCE_COLUMNS: tuple[str, ...] = ("ghi", "dni", "dhi")
UNITS: dict[str, str] = {
    "ghi": "W/m²",
    "dni": "W/m²",
    "dhi": "W/m²",
    "temp_air": "°C",
    "relative_humidity": "%",
    "wind_speed": "m/s",
    "pressure": "Pa",
    "precipitation_mm": "mm",
}

# --- Site: domain-facts.md §1a (city coordinates [V], station altitude 307 m [V]);
# France uses CET = UTC+1 as standard time (no DST in our frames).
BESANCON_LATITUDE = 47.24
BESANCON_LONGITUDE = 6.02
BESANCON_ALTITUDE_M = 307.0
BESANCON_TZ_OFFSET_H = 1.0
#: Annual mean wind speed, m/s, domain-facts.md §1b (1991-2020, [V]).
BESANCON_MEAN_WIND_M_S = 2.2

#: Monthly climate targets of the embedded reference year. Copied verbatim from
#: shared/reference/besancon-normals.csv, itself built from domain-facts.md §1
#: (Tmin/Tmax shape: §1c column B [U]; precipitation scaled to 1,108 mm and rain
#: days to 141 d, 1991-2020 [V]; sunshine scaled to 1,797 h [V]; GHI from an
#: Ångström-Prescott estimate scaled to 1,250 kWh/m²/yr [E], §1d).
BESANCON_NORMALS: pd.DataFrame = pd.read_csv(
    StringIO(
        """month,tmin_c,tmax_c,tmean_c,precip_mm,rain_days,sunshine_h,ghi_kwh_m2
Jan,-0.4,5.6,2.6,86,11.0,65,36
Feb,-0.3,7.5,3.6,75,9.5,91,54
Mar,2.6,12.1,7.3,77,9.8,149,97
Apr,5.4,16.1,10.8,80,10.1,178,132
May,9.4,20.0,14.7,105,13.4,200,161
Jun,12.9,23.9,18.4,96,12.2,227,177
Jul,14.8,26.3,20.6,84,10.8,250,184
Aug,14.5,26.0,20.2,92,11.8,228,159
Sep,11.0,21.6,16.3,95,12.1,178,113
Oct,7.6,16.4,12.0,102,13.0,117,70
Nov,3.2,9.8,6.5,101,12.9,65,38
Dec,0.5,6.2,3.4,114,14.5,50,29
"""
    ),
    index_col="month",
)

MONTH_NAMES: tuple[str, ...] = tuple(calendar.month_abbr[1:])

# --- Validation limits (physical plausibility, generous on purpose).
#: Irradiance below 0 down to this value is sensor/model noise: clipped to 0 as a repair.
IRRADIANCE_NOISE_W_M2 = -5.0
#: Upper bound of hourly irradiance: above the solar constant (1,361 W/m²) plus margin.
IRRADIANCE_MAX_W_M2 = 1400.0
GHI_PEAK_MIN_W_M2 = 200.0  # a full year must reach this at least once (units check)
LIMITS: dict[str, tuple[float, float]] = {
    "temp_air": (-60.0, 60.0),
    "relative_humidity": (0.0, 110.0),
    "wind_speed": (0.0, 75.0),
    # 50-110 kPa covers any inhabited altitude (Everest summit ≈ 33 kPa is excluded on purpose).
    "pressure": (50_000.0, 110_000.0),
    "precipitation_mm": (0.0, 400.0),  # world record 1-h rainfall ≈ 305 mm (WMO)
}
#: Longest run of missing hours (NaN) repaired by interpolation; longer runs are errors.
MAX_GAP_H = 6

#: Reference years used when a typical-year file has mixed or no years.
TYPICAL_YEAR = 2001  # not leap
TYPICAL_LEAP_YEAR = 2000

#: Sources accepted by :func:`load_weather` (for error messages and docs).
VALID_SOURCE_FORMS = (
    "'besancon-reference' (embedded generator), a path to an .epw file, "
    "a PVGIS TMY .json file, 'pvgis:<path>' for a PVGIS TMY .csv/.json, "
    "or a .csv in the twin weather CSV format (docs/weather.md)"
)


@dataclass(frozen=True)
class Repair:
    """One documented repair of a weather column.

    Attributes
    ----------
    column : str
        Column name.
    kind : str
        ``"interpolated"`` (short NaN gaps), ``"clipped"`` (small negative
        irradiance set to 0) or ``"filled"`` (a column absent from the source).
    count : int
        Number of hourly values changed.
    detail : str
        One-line human-readable description, ready for logging.
    """

    column: str
    kind: str
    count: int
    detail: str

    def __str__(self) -> str:
        return self.detail


@dataclass(frozen=True)
class Weather:
    """Hourly weather of one year at one site.

    Attributes
    ----------
    data : pandas.DataFrame
        Weather frame (see module docstring for index and column conventions).
    latitude, longitude : float
        Degrees north / east.
    altitude_m : float
        Site altitude, m.
    tz_offset_h : float
        Standard-time offset from UTC, h (+1 for Besançon).
    source : str
        Human-readable origin (generator and seed, or file path).
    repairs : tuple of Repair
        Repairs applied by :func:`validate_weather` (empty when none).
    """

    data: pd.DataFrame
    latitude: float
    longitude: float
    altitude_m: float
    tz_offset_h: float
    source: str
    repairs: tuple[Repair, ...] = field(default=())


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------


def _tz(tz_offset_h: float) -> timezone:
    return timezone(timedelta(hours=float(tz_offset_h)))


def _year_index(year: int, tz_offset_h: float) -> pd.DatetimeIndex:
    """Hour-ending labels of one calendar year: YYYY-01-01 01:00 … YYYY+1-01-01 00:00."""
    n = 8784 if calendar.isleap(year) else 8760
    start = pd.Timestamp(year=year, month=1, day=1, hour=1, tz=_tz(tz_offset_h))
    return pd.date_range(start, periods=n, freq="h", name="time")


def _fmt_ts(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%d %H:%M")


def _interval_start(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Start of each hour-ending interval (used to assign hours to days/months)."""
    return index - pd.Timedelta(hours=1)


def _fail(source: str, msg: str) -> WeatherError:
    return WeatherError(f"weather source {source}: {msg}".replace("\n", " "))


def magnus_es_hpa(t_c: np.ndarray) -> np.ndarray:
    """Saturation vapour pressure over water, hPa (Magnus form, Sonntag 1990 coefficients)."""
    return 6.112 * np.exp(17.62 * t_c / (243.12 + t_c))


def _ar1(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    """Stationary AR(1) series with unit variance: x_t = φ x_{t-1} + sqrt(1-φ²) ε_t."""
    eps = rng.standard_normal(n)
    x = np.empty(n)
    x[0] = eps[0]
    s = np.sqrt(1.0 - phi * phi)
    # scipy.signal.lfilter would vectorise this; a plain loop over ≤ 8784 floats is
    # cheap and keeps the recursion obvious.
    for i in range(1, n):
        x[i] = phi * x[i - 1] + s * eps[i]
    return x


# ---------------------------------------------------------------------------
# 1. embedded generator
# ---------------------------------------------------------------------------

# Generator parameters. Values are typical of WGEN-type generators for
# mid-latitude Europe (Richardson & Wright 1984; Wilks & Wilby 1999) and were
# checked against the Lyon-Bron TMYx file (tests/test_weather.py).
_RAIN_PERSISTENCE = 0.30  # lag-1 autocorrelation of wet/dry occurrence, p11 - p01
_RAIN_GAMMA_SHAPE = 0.75  # gamma shape of wet-day amounts above 1 mm (Wilks 1999: 0.6-0.9)
_KT_PHI = 0.35  # lag-1 autocorrelation of the daily clearness driver
_KT_SIGMA = 1.1  # std of the daily clearness driver in logit space
_KT_WET_SHIFT = 1.3  # wet days are cloudier: logit shift
_KT_HOURLY_PHI = 0.7  # hour-to-hour persistence of intra-day cloud noise
_TEMP_PHI = 0.80  # lag-1 autocorrelation of daily temperature anomalies
_TEMP_SIGMA_WINTER_K = 3.2  # std of daily mean temperature anomaly (Jan)
_TEMP_SIGMA_SUMMER_K = 2.3  # (Jul)
_TMAX_DELAY_H = 2.0  # Tmax mid-afternoon, 14:00 solar time: Lyon-Bron TMYx peaks at 15:00 CET ≈ 14:20 solar
_WIND_WEIBULL_K = 2.0  # Weibull shape of daily mean wind
_WIND_PHI = 0.6
_PRESSURE_SIGMA_PA = 800.0  # synoptic std of station pressure
#: Clear-sky cap on generated hourly GHI (1.0 = never above Ineichen clear sky).
CLEARSKY_CAP = 1.0
#: WMO sunshine threshold: the sun "shines" when DNI > 120 W/m² (WMO-No. 8, 2018, §8.1.1).
SUNSHINE_DNI_W_M2 = 120.0
# Sky states of the irradiance generator (issue 15, :func:`_sky_state_irradiance`).
_SUN_HOURLY_SD = 1.0  # weight of the hourly AR(1) in the sun-state driver (the daily one has sd 1.1)
_K_SUN = 0.98  # GHI / clear-sky GHI of a sunny hour, median [E]: Lyon-Bron TMYx clear hours sit at 0.9-1.1
_K_SUN_SD = 0.05  # lognormal spread of that ratio (haze, thin cirrus, broken cloud near the sun) [E]
_K_CLOUD_SD = 0.8  # spread (logit) of the GHI ratio of sunless hours below their bound (cloud depth) [E]
_K_CLOUD_DAY = 1.0  # weight of the day's clearness driver in that logit: wet, dull days are darker [E]
_C_BOUND = 10.0  # search range of the monthly logit shift of sunless hours


def solar_geometry(
    index: pd.DatetimeIndex, latitude: float, longitude: float, altitude_m: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Solar position and Ineichen clear sky at the middle of each hour-ending interval.

    The mid-hour value approximates the hourly mean; the Linke turbidity comes
    from the climatology bundled with pvlib (LinkeTurbidities.h5), so nothing
    is downloaded.
    """
    mid = index - pd.Timedelta(minutes=30)
    loc = pvlib.location.Location(latitude, longitude, tz="UTC", altitude=altitude_m)
    solpos = loc.get_solarposition(mid)
    cs = loc.get_clearsky(mid, model="ineichen", solar_position=solpos)
    solpos.index = index
    cs.index = index
    return solpos, cs


def _smooth_daily_climatology(monthly: np.ndarray, doy: np.ndarray, ndays: int) -> np.ndarray:
    """Periodic linear interpolation of 12 monthly values placed at mid-month."""
    mid = (np.cumsum([0] + [calendar.monthrange(2001, m)[1] for m in range(1, 13)])[:-1]
           + np.array([calendar.monthrange(2001, m)[1] for m in range(1, 13)]) / 2.0)
    mid = mid * ndays / 365.0
    x = np.concatenate([mid - ndays, mid, mid + ndays])
    y = np.tile(monthly, 3)
    return np.interp(doy - 0.5, x, y)


def _rain_occurrence(
    rng: np.random.Generator, month_of_day: np.ndarray, targets: np.ndarray
) -> np.ndarray:
    """Wet-day flags: two-state Markov chain per month, then exact monthly count.

    For a wet-day probability f and persistence r = p11 - p01, the chain has
    p01 = f (1 - r) and p11 = p01 + r, whose stationary wet fraction is f.
    """
    ndays = month_of_day.size
    days_in_month = np.bincount(month_of_day, minlength=13)[1:]
    f = np.clip(targets / days_in_month, 0.01, 0.99)
    p01 = f * (1.0 - _RAIN_PERSISTENCE)
    p11 = p01 + _RAIN_PERSISTENCE
    u = rng.random(ndays)
    wet = np.zeros(ndays, dtype=bool)
    wet[0] = u[0] < f[month_of_day[0] - 1]
    for d in range(1, ndays):
        m = month_of_day[d] - 1
        wet[d] = u[d] < (p11[m] if wet[d - 1] else p01[m])
    # Calibrate the count of each month exactly (banker's rounding of the
    # normals gives 141 d/yr, as domain-facts §1b). Days are added preferably
    # next to wet days to keep the clustering of the chain.
    n_target = np.round(targets).astype(int)
    for m in range(12):
        days = np.flatnonzero(month_of_day == m + 1)
        w = days[wet[days]]
        diff = n_target[m] - w.size
        if diff < 0:
            wet[rng.choice(w, size=-diff, replace=False)] = False
        elif diff > 0:
            dry = days[~wet[days]]
            neighbour = np.zeros(ndays, dtype=bool)
            neighbour[1:] |= wet[:-1]
            neighbour[:-1] |= wet[1:]
            p = np.where(neighbour[dry], 3.0, 1.0)
            wet[rng.choice(dry, size=diff, replace=False, p=p / p.sum())] = True
    return wet


def _cosine_interp(t_h: np.ndarray, t_anchor: np.ndarray, v_anchor: np.ndarray) -> np.ndarray:
    """Half-cosine interpolation between anchors (zero slope at each anchor, C¹ smooth)."""
    j = np.clip(np.searchsorted(t_anchor, t_h, side="right") - 1, 0, t_anchor.size - 2)
    t0, t1 = t_anchor[j], t_anchor[j + 1]
    v0, v1 = v_anchor[j], v_anchor[j + 1]
    w = 0.5 * (1.0 - np.cos(np.pi * np.clip((t_h - t0) / (t1 - t0), 0.0, 1.0)))
    return v0 + (v1 - v0) * w


def _sky_state_irradiance(
    driver_day_h: np.ndarray, eta: np.ndarray, xi: np.ndarray, month_of_hour: np.ndarray, cs_ghi: np.ndarray,
    zenith: np.ndarray, doy_h: np.ndarray, nrm: pd.DataFrame, latitude: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hourly GHI, DNI, DHI [W/m²] from sunny and sunless hours, calibrated on GHI and sunshine.

    Parameters
    ----------
    driver_day_h : numpy.ndarray
        The day's clearness driver D_d = 1.1 z_d − 1.3 w_d (AR(1) z_d, wet day w_d) on each hour [-].
    eta, xi : numpy.ndarray
        Two independent hourly AR(1) series (φ = 0.7, unit variance) [-]: sun spells and cloud depth.
    month_of_hour : numpy.ndarray
        Month 1-12 of each hour.
    cs_ghi, zenith, doy_h : numpy.ndarray
        Ineichen clear-sky GHI [W/m²], solar zenith [°] and day of year of each hour.
    nrm : pandas.DataFrame
        Monthly targets ``ghi_kwh_m2`` [kWh/m²] and ``sunshine_h`` [h], 12 rows.
    latitude : float
        For the error message [°].

    Notes
    -----
    A daylight hour is *sunny* when D_d + 1.0 η_h + b_m > 0 and *sunless* otherwise, so sun comes
    in spells, some days stay overcast and others clear; b_m is one shift per month. Then

    * sunny hour: GHI_h = min(0.98 e^(0.05 ξ_h), 1) · GHI_cs,h (near the clear sky);
    * sunless hour: GHI_h = K*_h · expit(c_m + 1.0 D_d + 0.8 ξ_h) · GHI_cs,h, where K*_h is the
      largest GHI / GHI_cs at which the Erbs decomposition still gives DNI ≤ 120 W/m² at that
      hour's sun position (k_t ≈ 0.43): an hour without sunshine (WMO: beam below 120 W/m² [2]_)
      can be bright overcast but never bright enough for its split to carry sunshine; dull and wet
      days (low D_d) have thicker cloud. c_m is solved by bisection so that the month's GHI equals
      ``ghi_kwh_m2`` exactly;
    * DNI from the Erbs decomposition [1]_ (``pvlib.irradiance.erbs``), DHI = GHI − DNI cos θz;
    * b_m is solved by an outer bisection so that the month's hours with DNI > 120 W/m² equal
      ``sunshine_h`` (to an hour or two).

    This is the Ångström-Prescott relation [3]_ H/H0 = a + b n/N read hour by hour: the monthly
    GHI is a mix of hours with sun (near the clear sky) and hours without (a fraction of it), in
    the proportion n/N of the sunshine normal. Real hourly clearness at mid-latitudes is bimodal in
    this way (Lyon-Bron TMYx: peaks near k_t 0.3 and 0.65, 8 % of daylight hours at 0.4-0.5). With
    the Ineichen clear sky (0.56-0.67 H0 monthly at Besançon, below Ångström's a + b = 0.75) the
    normals' GHI needs sunless hours at ≈ 0.5 of the clear sky on average, close to K*_h; the bound
    keeps them sunless. When a month's sunshine and GHI are not compatible (an extreme inter-annual
    draw), GHI wins: b_m stops where the sunless hours reach their bound (too few sunny hours for
    the GHI) or their floor (too many).

    References
    ----------
    .. [1] Erbs, D.G., Klein, S.A., Duffie, J.A. (1982). Estimation of the diffuse radiation
       fraction for hourly, daily and monthly-average global radiation. Solar Energy 28(4), 293-302.
    .. [2] WMO (2018). Guide to Instruments and Methods of Observation (WMO-No. 8), Vol. I, ch. 8:
       sunshine duration is the time during which DNI exceeds 120 W/m².
    .. [3] Allen, R.G., Pereira, L.S., Raes, D., Smith, M. (1998). Crop evapotranspiration,
       FAO Irrigation and Drainage Paper 56, eq. (35) (Ångström-Prescott, a = 0.25, b = 0.50).
    """
    if "sunshine_h" not in nrm:
        raise WeatherError("weather normals: column sunshine_h missing; expected monthly sunshine "
                           "hours (the generator matches both ghi_kwh_m2 and sunshine_h)")
    target_ghi = nrm["ghi_kwh_m2"].to_numpy(dtype=float) * 1000.0
    target_sun = nrm["sunshine_h"].to_numpy(dtype=float)
    cosz = np.cos(np.radians(zenith))
    day = np.flatnonzero(cs_ghi > 0.0)  # the work is done on daylight hours only
    m0, cs_d, z_d, doy_d, cosz_d = month_of_hour[day] - 1, cs_ghi[day], zenith[day], doy_h[day], cosz[day]
    drv_d = driver_day_h[day] + _SUN_HOURLY_SD * eta[day]  # sun-state driver

    def monthly(x: np.ndarray) -> np.ndarray:
        return np.bincount(m0, weights=x, minlength=12)

    def erbs_dni(ghi_d: np.ndarray) -> np.ndarray:
        dni = np.nan_to_num(np.asarray(pvlib.irradiance.erbs(ghi_d, z_d, doy_d)["dni"], dtype=float))
        return np.where(cosz_d > 0.0, dni, 0.0)

    # K*_h: bisection on the ratio, DNI(Erbs) increasing with GHI at a given sun position.
    lo, hi = np.zeros_like(cs_d), np.full_like(cs_d, CLEARSKY_CAP)
    for _ in range(24):
        mid = 0.5 * (lo + hi)
        over = erbs_dni(mid * cs_d) > SUNSHINE_DNI_W_M2
        hi, lo = np.where(over, mid, hi), np.where(over, lo, mid)
    sunless_max = lo * cs_d  # DNI ≤ 120 W/m² by construction [W/m²]
    sunny_ghi = np.minimum(_K_SUN * np.exp(_K_SUN_SD * xi[day]), CLEARSKY_CAP) * cs_d
    depth = _K_CLOUD_DAY * driver_day_h[day] + _K_CLOUD_SD * xi[day]  # thinner cloud on brighter days

    def ghi_of(sunny: np.ndarray, c: np.ndarray) -> np.ndarray:
        return np.where(sunny, sunny_ghi, sunless_max * expit(c[m0] + depth))

    def calibrated(sunny: np.ndarray) -> np.ndarray:
        lo_c, hi_c = np.full(12, -_C_BOUND), np.full(12, _C_BOUND)
        for _ in range(26):  # monotone in c_m; 26 halvings → |Δc| < 3e-7
            c = 0.5 * (lo_c + hi_c)
            too_high = monthly(ghi_of(sunny, c)) > target_ghi
            hi_c, lo_c = np.where(too_high, c, hi_c), np.where(too_high, lo_c, c)
        return ghi_of(sunny, 0.5 * (lo_c + hi_c))

    c_min, c_max = np.full(12, -_C_BOUND), np.full(12, _C_BOUND)
    lo_b, hi_b = np.full(12, -12.0), np.full(12, 12.0)
    for _ in range(30):  # more sunny hours as b_m grows; 30 halvings → |Δb| < 3e-8
        b = 0.5 * (lo_b + hi_b)
        sunny = drv_d + b[m0] > 0.0
        sun = monthly((erbs_dni(calibrated(sunny)) > SUNSHINE_DNI_W_M2).astype(float))
        too_sunny = (monthly(ghi_of(sunny, c_min)) > target_ghi) | (
            (monthly(ghi_of(sunny, c_max)) >= target_ghi) & (sun > target_sun))
        hi_b, lo_b = np.where(too_sunny, b, hi_b), np.where(too_sunny, lo_b, b)
    ghi_d = calibrated(drv_d + (0.5 * (lo_b + hi_b))[m0] > 0.0)
    unreachable = monthly(ghi_d) < 0.95 * target_ghi
    if unreachable.any():
        bad = [MONTH_NAMES[i] for i in np.flatnonzero(unreachable)]
        raise WeatherError(f"weather normals: ghi_kwh_m2 of {', '.join(bad)} exceeds what the "
                           f"clear sky allows at {latitude} N; expected a lower monthly GHI")
    ghi, dni = np.zeros_like(cs_ghi), np.zeros_like(cs_ghi)
    ghi[day], dni[day] = ghi_d, erbs_dni(ghi_d)
    dhi = np.maximum(ghi - dni * np.maximum(cosz, 0.0), 0.0)
    return ghi, dni, dhi


#: Inter-annual spread of the monthly climate at Besançon, one row per month [E]. No station table of
#: 1991-2020 standard deviations was found (domain-facts.md gap 1); the values are engineering
#: estimates, each checked against a figure that is sourced:
#:
#: * ``tmean_sd_k``: standard deviation of a month's mean temperature, 2.3 K in Jan-Feb down to
#:   1.1-1.3 K in summer and autumn, typical of continental western Europe (winter months vary most:
#:   a cold easterly month against a mild Atlantic one) [E]. Check: with independent months the annual
#:   mean varies by sqrt(Σ σ²)/12 = 0.45 K, the order of the year-to-year spread of French annual means
#:   (0.5-0.6 K, months are slightly correlated) [E].
#: * ``sunshine_cv``: 0.26 in every month [E], calibrated so that the annual sunshine varies as much
#:   as Besançon's did in the 2010s: 1,659 h (2013) to 2,135 h (2015) [V] (DF §1b); a range of 476 h
#:   over ~10 years is ~3.1 σ for normal years, σ ≈ 155 h = 8.6 % of 1,797 h; independent monthly
#:   anomalies of CV c give an annual σ of c · sqrt(Σ S_m²) = c · 570 h, so c ≈ 0.27.
#: * GHI follows sunshine through Ångström-Prescott (FAO-56 a = 0.25, b = 0.50, the DF §1d method):
#:   d(GHI)/GHI = b s / (a + b s) · dS/S with s = S/S0 ≈ 0.4 → an elasticity of 0.45 [E].
#: * ``precip_cv``: 0.45 [E]: monthly totals in a humid temperate climate are close to a gamma law of
#:   shape 4-5 (CV 1/sqrt(k) = 0.45-0.5); the annual total then varies by ≈ 0.45 · sqrt(Σ P_m²) =
#:   150 mm (13.5 % of 1,108 mm), within the 12-18 % usual in France [E].
#: * ``rain_days_sd``: 3 days [E] (a month has 9.5-14.5 rain days on average, DF §1c).
#: Correlations [E]: rain days with precipitation +0.7, sunshine with precipitation -0.5, temperature
#: with sunshine +0.5 from April to September (sunny summers are hot) and -0.3 from October to March
#: (clear winter months are cold).
INTERANNUAL_SPREAD: pd.DataFrame = pd.DataFrame(
    {
        "tmean_sd_k": [2.3, 2.3, 1.6, 1.3, 1.2, 1.2, 1.3, 1.2, 1.1, 1.3, 1.4, 2.0],
        "sunshine_cv": [0.26] * 12,
        "precip_cv": [0.45] * 12,
        "rain_days_sd": [3.0] * 12,
        "t_sun_corr": [-0.3, -0.3, -0.3, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, -0.3, -0.3, -0.3],
    },
    index=list(calendar.month_abbr[1:]),
)
_GHI_SUNSHINE_ELASTICITY = 0.45
_RAIN_DAYS_PRECIP_CORR = 0.7
_SUN_PRECIP_CORR = -0.5
#: Anomalies are drawn as standard normals clipped to ±2.5 σ (symmetric, so the median stays 0).
_ANOMALY_CLIP = 2.5
#: GHI factor bounds: a month cannot be sunnier than the clear sky allows (the generator's bisection
#: needs the target below the clear-sky total), so the factor is clipped symmetrically in log space.
_GHI_FACTOR_MAX = 1.15


def interannual_normals(seed: int, normals: pd.DataFrame | None = None,
                        spread: pd.DataFrame | None = None) -> pd.DataFrame:
    """Monthly targets of one plausible year: the normals plus anomalies drawn with ``seed``.

    Each month draws standard normals z_P (precipitation), z_R (rain days), z_S (sunshine) and z_T
    (temperature), correlated as :data:`INTERANNUAL_SPREAD` says and clipped to ±2.5. Then

    * temperatures (tmin, tmax, tmean) + σ_T z_T,
    * precipitation × exp(σ_P z_P), σ_P = sqrt(ln(1 + CV²)) (lognormal, median factor 1),
    * rain days + σ_R z_R, kept within [1, days − 1] and at most precipitation / 1.5 mm,
    * sunshine × exp(σ_S z_S), GHI × exp(0.45 σ_S z_S) within [1/1.15, 1.15].

    Every anomaly has median 0 (factor 1), so over many seeds the median month is the normal.
    The random stream is its own (``default_rng([seed, 1991])``): the day-to-day generator's stream
    is unchanged, and the same seed gives the same year.
    """
    nrm = (BESANCON_NORMALS if normals is None else normals).copy()
    sp = INTERANNUAL_SPREAD if spread is None else spread
    rng = np.random.default_rng([int(seed), 1991])
    e = np.clip(rng.standard_normal((4, 12)), -_ANOMALY_CLIP, _ANOMALY_CLIP)
    z_p = e[0]
    z_r = _RAIN_DAYS_PRECIP_CORR * z_p + np.sqrt(1 - _RAIN_DAYS_PRECIP_CORR**2) * e[1]
    z_s = _SUN_PRECIP_CORR * z_p + np.sqrt(1 - _SUN_PRECIP_CORR**2) * e[2]
    c = sp["t_sun_corr"].to_numpy(float)
    z_t = c * z_s + np.sqrt(1 - c * c) * e[3]
    z_r, z_s, z_t = (np.clip(z, -_ANOMALY_CLIP, _ANOMALY_CLIP) for z in (z_r, z_s, z_t))
    dt = sp["tmean_sd_k"].to_numpy(float) * z_t
    for col in ("tmin_c", "tmax_c", "tmean_c"):
        nrm[col] = nrm[col].to_numpy(float) + dt
    sig_p = np.sqrt(np.log1p(sp["precip_cv"].to_numpy(float) ** 2))
    nrm["precip_mm"] = nrm["precip_mm"].to_numpy(float) * np.exp(sig_p * z_p)
    days = np.array([calendar.monthrange(2001, m)[1] for m in range(1, 13)], dtype=float)
    rd = nrm["rain_days"].to_numpy(float) + sp["rain_days_sd"].to_numpy(float) * z_r
    nrm["rain_days"] = np.clip(np.minimum(rd, nrm["precip_mm"].to_numpy(float) / 1.5), 1.0, days - 1.0)
    sig_s = np.sqrt(np.log1p(sp["sunshine_cv"].to_numpy(float) ** 2))
    if "sunshine_h" in nrm:
        nrm["sunshine_h"] = nrm["sunshine_h"].to_numpy(float) * np.exp(sig_s * z_s)
    lim = np.log(_GHI_FACTOR_MAX)
    nrm["ghi_kwh_m2"] = nrm["ghi_kwh_m2"].to_numpy(float) * np.exp(
        np.clip(_GHI_SUNSHINE_ELASTICITY * sig_s * z_s, -lim, lim))
    return nrm


def besancon_reference_year(
    year: int, seed: int, normals: pd.DataFrame | None = None, interannual: bool = True
) -> Weather:
    """Generate a stochastic hourly weather year for Besançon calibrated to monthly normals.

    Parameters
    ----------
    year : int
        Calendar year of the index (a leap year gives 8784 rows).
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same frame.
    normals : pandas.DataFrame, optional
        Monthly targets with the columns of :data:`BESANCON_NORMALS`
        (``tmin_c``, ``tmax_c``, ``tmean_c`` [°C], ``precip_mm`` [mm],
        ``rain_days`` [d], ``sunshine_h`` [h], ``ghi_kwh_m2`` [kWh/m²]), 12 rows Jan→Dec.
        Default :data:`BESANCON_NORMALS`.
    interannual : bool
        True (default): the year's monthly targets are the normals plus this seed's anomalies
        (:func:`interannual_normals`), so years differ as real years do; False: every seed meets the
        normals exactly (only the days are reshuffled).

    Returns
    -------
    Weather
        Site 47.24 N, 6.02 E, 307 m, UTC+1 (domain-facts.md §1a).

    Notes
    -----
    A daily generator in the spirit of WGEN [1]_ and Meteonorm [2]_, then
    hourly disaggregation, then per-month calibration:

    * Rain occurrence: two-state Markov chain with p01 = f(1-r), p11 = p01 + r,
      f = rain days / days in month, r = 0.30; the count of wet days of each
      month is then set to round(rain_days) by switching random days.
      Amounts: P_d = 1.05 mm + G_d, G_d ~ Gamma(k=0.75), scaled so that the
      monthly total equals ``precip_mm`` exactly. Each wet day's rain falls in
      one block of 1-24 h with Dirichlet weights.
    * Irradiance from sunny and sunless hours (:func:`_sky_state_irradiance`,
      since issue 15): a day's clearness driver D_d = 1.1 z_d − 1.3 w_d (z_d an
      AR(1), φ = 0.35; w_d wet) plus an hourly AR(1) decides which hours have
      sun; sunny hours get ≈ 0.98 of the Ineichen-Perez clear sky [3]_ (pvlib's
      bundled Linke turbidity), sunless hours a fraction of it kept below the
      GHI at which the Erbs decomposition [4]_ would give DNI > 120 W/m² (the
      WMO-No. 8 sunshine threshold [5]_). Two bisections per month make both
      Σ_month GHI = ``ghi_kwh_m2`` (exactly) and the hours with DNI > 120 W/m²
      = ``sunshine_h`` (to an hour or two; GHI wins when an extreme draw makes
      them incompatible): the Ångström-Prescott relation of FAO-56 [6]_ read
      hour by hour. GHI ≤ GHI_cs always; DNI from ``pvlib.irradiance.erbs``,
      DHI = GHI − DNI cos θz (exact closure). K_d below is the day's
      GHI / clear-sky GHI.
    * Temperature: T̄_d = T_clim(d) + A_d + c_m with A_d an AR(1) (φ = 0.8,
      σ 3.2 K in winter to 2.3 K in summer); daily range
      DTR_d = DTR_clim · clip(0.4 + 0.6 K_d / K̄_m, 0.3, 1.5) (cloudy and wet
      days have a small range, so a cooler Tmax); Tmin at sunrise and Tmax at
      14:00 solar time joined by half-cosines; c_m shifts each month so the
      monthly mean equals ``tmean_c`` (3 fixed-point iterations).
    * Humidity: dew point T_d = Tmin_d - D_d (D_d ≈ 0.3-1.8 K, smaller on wet
      days, plus noise), RH = 100 e_s(T_d)/e_s(T) (Magnus), capped at 100 %.
    * Wind: daily mean from a Weibull (k = 2) through a Gaussian copula with
      AR(1) persistence, seasonal (+15 % in winter) and diurnal (peak 14:00
      solar) modulation, hourly noise, rescaled to the 2.2 m/s annual mean
      (domain-facts.md §1b).
    * Pressure: barometric formula at 307 m (``pvlib.atmosphere.alt2pres``)
      plus a synoptic AR(1) anomaly (σ 800 Pa), lower on wet days.

    References
    ----------
    .. [1] Richardson, C.W., Wright, D.A. (1984). WGEN: A model for generating
       daily weather variables. USDA ARS-8.
    .. [2] Remund, J., Kunz, S. (2003-2024). Meteonorm Handbook, Part II: Theory.
    .. [3] Ineichen, P., Perez, R. (2002). A new airmass independent formulation
       for the Linke turbidity coefficient. Solar Energy 73(3), 151-157.
    .. [4] Erbs, D.G., Klein, S.A., Duffie, J.A. (1982). Estimation of the
       diffuse radiation fraction for hourly, daily and monthly-average global
       radiation. Solar Energy 28(4), 293-302.
    .. [5] WMO (2018). Guide to Instruments and Methods of Observation
       (WMO-No. 8), Vol. I, ch. 8 (sunshine duration: DNI > 120 W/m²).
    .. [6] Allen, R.G., Pereira, L.S., Raes, D., Smith, M. (1998). Crop
       evapotranspiration. FAO Irrigation and Drainage Paper 56, eq. (35).
    """
    nrm = BESANCON_NORMALS if normals is None else normals
    if interannual:
        nrm = interannual_normals(seed, nrm)
    lat, lon, alt, tzh = (BESANCON_LATITUDE, BESANCON_LONGITUDE, BESANCON_ALTITUDE_M,
                          BESANCON_TZ_OFFSET_H)
    rng = np.random.default_rng(seed)
    index = _year_index(year, tzh)
    nh = index.size
    nd = nh // 24
    day_of_hour = np.arange(nh) // 24
    days = pd.date_range(f"{year}-01-01", periods=nd, freq="D")
    month_of_day = days.month.to_numpy()
    month_of_hour = month_of_day[day_of_hour]
    doy = np.arange(1, nd + 1, dtype=float)

    solpos, cs = solar_geometry(index, lat, lon, alt)
    cs_ghi = cs["ghi"].to_numpy()
    zenith = solpos["zenith"].to_numpy()

    # --- precipitation -----------------------------------------------------
    wet = _rain_occurrence(rng, month_of_day, nrm["rain_days"].to_numpy(dtype=float))
    g = rng.gamma(_RAIN_GAMMA_SHAPE, 1.0, nd)
    precip_day = np.zeros(nd)
    for m in range(12):
        sel = (month_of_day == m + 1) & wet
        base = 1.05 * sel.sum()  # 1.05 mm floor: every wet day counts as ≥ 1 mm
        target = float(nrm["precip_mm"].iloc[m])
        if sel.any():
            precip_day[sel] = 1.05 + g[sel] * max(target - base, 0.0) / g[sel].sum()
    precip = np.zeros(nh)
    for d in np.flatnonzero(wet):
        dur = int(min(24, 1 + rng.poisson(2.0 + precip_day[d] / 2.0)))
        start = int(rng.integers(0, 24 - dur + 1))
        precip[d * 24 + start: d * 24 + start + dur] = precip_day[d] * rng.dirichlet(
            np.ones(dur))

    # --- irradiance: hourly sky states, calibrated on GHI and sunshine ---------
    z_kt = _ar1(rng, nd, _KT_PHI)
    driver_day = _KT_SIGMA * z_kt - _KT_WET_SHIFT * wet
    eta = _ar1(rng, nh, _KT_HOURLY_PHI)
    # Cloud-depth noise from a child stream: spawning does not advance ``rng``, so the
    # temperature, humidity, wind and pressure draws below are those of earlier versions.
    xi = _ar1(rng.spawn(1)[0], nh, _KT_HOURLY_PHI)
    ghi, dni, dhi = _sky_state_irradiance(
        driver_day[day_of_hour], eta, xi, month_of_hour, cs_ghi, zenith,
        index.day_of_year.to_numpy(), nrm, lat)
    k_day = (np.bincount(day_of_hour, weights=ghi, minlength=nd)
             / np.maximum(np.bincount(day_of_hour, weights=cs_ghi, minlength=nd), 1e-9))

    # --- temperature -----------------------------------------------------------
    tmean_clim = _smooth_daily_climatology(nrm["tmean_c"].to_numpy(float), doy, nd)
    dtr_clim = _smooth_daily_climatology(
        (nrm["tmax_c"] - nrm["tmin_c"]).to_numpy(float), doy, nd)
    season = 0.5 * (1.0 + np.cos(2.0 * np.pi * (doy - 15.0) / nd))  # 1 mid-Jan, 0 mid-Jul
    sigma_t = _TEMP_SIGMA_SUMMER_K + (_TEMP_SIGMA_WINTER_K - _TEMP_SIGMA_SUMMER_K) * season
    anom = sigma_t * _ar1(rng, nd, _TEMP_PHI)
    k_month_mean = np.bincount(month_of_day - 1, weights=k_day, minlength=12) / np.bincount(
        month_of_day - 1, minlength=12)
    dtr = dtr_clim * np.clip(0.4 + 0.6 * k_day / k_month_mean[month_of_day - 1], 0.3, 1.5)

    decl = pvlib.solarposition.declination_spencer71(doy)
    eot_min = pvlib.solarposition.equation_of_time_spencer71(doy)
    noon_h = 12.0 - (lon / 15.0 - tzh) - eot_min / 60.0  # solar noon, local standard time
    omega_s = np.degrees(np.arccos(np.clip(-np.tan(np.radians(lat)) * np.tan(decl), -1, 1)))
    sunrise_h = noon_h - omega_s / 15.0
    t_min = (np.arange(nd) * 24.0 + sunrise_h)
    t_max = (np.arange(nd) * 24.0 + noon_h + _TMAX_DELAY_H)
    t_mid_h = np.arange(nh) + 0.5  # mid-hour, hours since Jan 1 00:00

    offset_m = np.zeros(12)
    for _ in range(4):
        tmean_d = tmean_clim + anom + offset_m[month_of_day - 1]
        tmin_d = tmean_d - 0.5 * dtr
        tmax_d = tmean_d + 0.5 * dtr
        ta = np.empty(2 * nd + 2)
        va = np.empty(2 * nd + 2)
        ta[1:-1:2], ta[2:-1:2] = t_min, t_max
        va[1:-1:2], va[2:-1:2] = tmin_d, tmax_d
        ta[0], va[0] = t_max[0] - 24.0, tmax_d[0]
        ta[-1], va[-1] = t_min[-1] + 24.0, tmin_d[-1]
        temp = _cosine_interp(t_mid_h, ta, va)
        month_mean = np.bincount(month_of_hour - 1, weights=temp, minlength=12) / np.bincount(
            month_of_hour - 1, minlength=12)
        offset_m += nrm["tmean_c"].to_numpy(float) - month_mean

    # --- humidity --------------------------------------------------------------
    dep = (0.3 + 1.5 * (1.0 - season)) * np.where(wet, 0.4, 1.0)  # dew-point depression, K
    dep = np.maximum(dep + 0.8 * rng.standard_normal(nd), 0.0)
    tdew_d = tmin_d - dep
    tdew = np.interp(t_mid_h, np.arange(nd) * 24.0 + 12.0, tdew_d)
    rh = np.clip(100.0 * magnus_es_hpa(tdew) / magnus_es_hpa(temp), 5.0, 100.0)

    # --- wind --------------------------------------------------------------------
    u = ndtr(_ar1(rng, nd, _WIND_PHI))
    wind_d = (-np.log1p(-u)) ** (1.0 / _WIND_WEIBULL_K)
    wind_d *= 1.0 + 0.15 * (2.0 * season - 1.0)  # windier in winter
    solar_hour = (t_mid_h % 24.0) - (noon_h[day_of_hour] - 12.0)
    diurnal = 1.0 + 0.3 * np.cos(2.0 * np.pi * (solar_hour - 14.0) / 24.0)
    noise = np.exp(0.15 * _ar1(rng, nh, 0.7) - 0.5 * 0.15**2)
    wind = wind_d[day_of_hour] * diurnal * noise
    wind = np.minimum(wind * BESANCON_MEAN_WIND_M_S / wind.mean(), 30.0)

    # --- pressure --------------------------------------------------------------
    p_day = (pvlib.atmosphere.alt2pres(alt) + _PRESSURE_SIGMA_PA * _ar1(rng, nd, 0.8)
             - 300.0 * wet)
    pressure = np.interp(t_mid_h, np.arange(nd) * 24.0 + 12.0, p_day)

    df = pd.DataFrame(
        {
            "ghi": ghi,
            "dni": dni,
            "dhi": dhi,
            "temp_air": temp,
            "relative_humidity": rh,
            "wind_speed": wind,
            "pressure": pressure,
            "precipitation_mm": precip,
        },
        index=index,
    )
    source = f"embedded Besançon reference year (seed {seed}{'' if interannual else ', normals exactly'})"
    df, repairs = validate_weather(df, source)
    return Weather(df, lat, lon, alt, tzh, source, tuple(repairs))


# ---------------------------------------------------------------------------
# 4. validation
# ---------------------------------------------------------------------------


def _nan_runs(isna: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start positions and lengths of runs of True."""
    padded = np.concatenate([[False], isna, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    starts, ends = edges[::2], edges[1::2]
    return starts, ends - starts


def validate_weather(df: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[Repair]]:
    """Check a weather frame and apply the documented repairs.

    Parameters
    ----------
    df : pandas.DataFrame
        Candidate weather frame (columns :data:`COLUMNS`, hour-ending tz-aware index).
    source : str
        Name of the source (file path or generator) used in messages.

    Returns
    -------
    df_repaired : pandas.DataFrame
        Copy with columns in :data:`COLUMNS` order, float64.
    repairs : list of Repair
        One record per column and kind of repair, with its count, for the
        caller to log. Empty when nothing was changed.

    Raises
    ------
    WeatherError
        One-line message naming the source, the column (or ``index``), the
        timestamp and what is expected, when: the index is not a tz-aware
        DatetimeIndex; a column is missing or not numeric; timestamps are
        duplicated, not increasing or not hourly; the frame is not one year
        (8760 or 8784 rows); a value is impossible (irradiance < -5 or
        > 1400 W/m², temperature outside -60…60 °C, RH outside 0…110 %, wind
        outside 0…75 m/s, pressure outside 50…110 kPa, precipitation outside
        0…400 mm/h); a run of missing values is longer than 6 h.

    Notes
    -----
    Repairs (never silent, each counted): runs of at most ``MAX_GAP_H`` = 6
    missing hours are filled by linear interpolation in time (at the start or
    end of the frame, by the nearest value); irradiance between -5 and 0 W/m²
    is set to 0, as are interpolated irradiances below 0.
    """
    idx = df.index
    if not isinstance(idx, pd.DatetimeIndex) or idx.tz is None:
        raise _fail(source, "timestamps are not a tz-aware DatetimeIndex; expected hour-ending "
                            "timestamps with a UTC offset")
    for col in COLUMNS:
        if col not in df.columns:
            raise _fail(source, f"column {col} is missing; expected columns {', '.join(COLUMNS)}")
    if idx.has_duplicates:
        ts = idx[idx.duplicated()][0]
        raise _fail(source, f"timestamp {_fmt_ts(ts)} is duplicated; expected unique "
                            "hourly timestamps")
    if idx.size > 1:
        step = idx[1:] - idx[:-1]
        if (step <= pd.Timedelta(0)).any():
            i = int(np.flatnonzero(step <= pd.Timedelta(0))[0])
            raise _fail(source, f"timestamp {_fmt_ts(idx[i + 1])} comes after "
                                f"{_fmt_ts(idx[i])}; expected increasing timestamps")
        if (step != pd.Timedelta(hours=1)).any():
            i = int(np.flatnonzero(step != pd.Timedelta(hours=1))[0])
            raise _fail(source, f"timestamp step from {_fmt_ts(idx[i])} to {_fmt_ts(idx[i + 1])} "
                                f"is {step[i]}; expected hourly timestamps")
    if idx.size not in (8760, 8784):
        raise _fail(source, f"timestamps cover {idx.size} hourly rows; expected one year of hourly rows "
                            "(8760, or 8784 in a leap year)")

    out = pd.DataFrame(index=idx)
    for col in COLUMNS:
        vals = pd.to_numeric(df[col], errors="coerce").astype(float)
        bad = vals.isna() & df[col].notna()
        if bad.any():
            ts = idx[bad.to_numpy()][0]
            raise _fail(source, f"column {col} at {_fmt_ts(ts)} is {df[col][bad].iloc[0]!r}; "
                                "expected a number")
        out[col] = vals

    repairs: list[Repair] = []
    for col in COLUMNS:
        v = out[col].to_numpy()
        unit = UNITS[col]
        if col in IRRADIANCE_COLUMNS:
            lo, hi = IRRADIANCE_NOISE_W_M2, IRRADIANCE_MAX_W_M2
        else:
            lo, hi = LIMITS[col]
        with np.errstate(invalid="ignore"):
            outside = (v < lo) | (v > hi)
        if outside.any():
            i = int(np.flatnonzero(outside)[0])
            raise _fail(source, f"column {col} at {_fmt_ts(idx[i])} is {v[i]:g} {unit}; "
                                f"expected {lo:g} to {hi:g} {unit}")
        starts, lengths = _nan_runs(np.isnan(v))
        if lengths.size and lengths.max() > MAX_GAP_H:
            j = int(np.argmax(lengths))
            raise _fail(source, f"column {col} has {lengths[j]} missing hours from "
                                f"{_fmt_ts(idx[starts[j]])}; expected gaps of at most "
                                f"{MAX_GAP_H} h")
        n_nan = int(lengths.sum())
        if n_nan:
            s = out[col].interpolate(method="time", limit_area="inside").ffill().bfill()
            out[col] = s
            repairs.append(Repair(col, "interpolated", n_nan,
                                  f"weather source {source}: column {col}: {n_nan} missing "
                                  f"hour(s) in {lengths.size} gap(s) of ≤ {MAX_GAP_H} h filled "
                                  "by linear interpolation"))
        if col in IRRADIANCE_COLUMNS:
            v2 = out[col].to_numpy()
            neg = v2 < 0.0
            if neg.any():
                out[col] = np.where(neg, 0.0, v2)
                repairs.append(Repair(col, "clipped", int(neg.sum()),
                                      f"weather source {source}: column {col}: {int(neg.sum())} "
                                      f"value(s) between {IRRADIANCE_NOISE_W_M2:g} and 0 W/m² "
                                      "set to 0"))
    # Units: a year whose sun never exceeds 200 W/m2 was almost surely written in kW/m2 (or
    # is not irradiance); clear noon on Earth gives 600-1,100 W/m2 at any latitude below 60°.
    if len(out) >= 24 * 360 and float(out["ghi"].max()) < GHI_PEAK_MIN_W_M2:
        raise _fail(source, f"column ghi peaks at {float(out['ghi'].max()):g} W/m² over the year; expected "
                            f"at least {GHI_PEAK_MIN_W_M2:g} W/m² (is it in kW/m² or Wh/m²/day?)")
    return out, repairs


def _log_repairs(repairs: list[Repair] | tuple[Repair, ...]) -> None:
    for r in repairs:
        log.warning("%s", r.detail)


#: Hours of sunlight at night tolerated before a file is refused (sensor glitches, rounding).
NIGHT_SUN_MAX_H = 3
#: Below this solar elevation during a whole hour, the sky gives no light worth measuring [deg].
NIGHT_ELEVATION_DEG = -5.0
#: GHI above this with the sun well below the horizon is not twilight [W/m²].
NIGHT_GHI_W_M2 = 20.0


def _check_coordinates(source: str, latitude, longitude, altitude_m, tz_offset_h) -> tuple[float, ...]:
    """Finite site coordinates in range, as floats; one-line WeatherError otherwise."""
    out = []
    for name, value, lo, hi in (("latitude", latitude, -90.0, 90.0), ("longitude", longitude, -180.0, 180.0),
                                ("altitude", altitude_m, -500.0, 9000.0), ("UTC offset", tz_offset_h, -12.0, 14.0)):
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise _fail(source, f"site {name} is {value!r}; expected a number from {lo:g} to {hi:g}") from None
        if not (np.isfinite(v) and lo <= v <= hi):
            raise _fail(source, f"site {name} is {v:g}; expected {lo:g} to {hi:g}")
        out.append(v)
    return tuple(out)


def check_site(df: pd.DataFrame, source: str, latitude: float, longitude: float, altitude_m: float) -> None:
    """Refuse a year of weather that cannot be the site's: wrong units, clock or place.

    Run by every file reader after :func:`validate_weather` (which checks each value alone); these
    checks look at the whole year against the site, and each names the file, the rule and an
    example timestamp.

    Raises
    ------
    WeatherError
        Relative humidity given as a fraction (every value ≤ 1); precipitation in metres (wet
        hours whose largest total is below 0.1 mm) or above 12,000 mm over the year; sunlight
        (GHI > 20 W/m²) while the sun stays more than 5° below the horizon for more than 3 hours
        (time zone, longitude sign or hour labels); an annual mean temperature outside the band
        possible at the site's latitude (°F or a shifted column).
    """
    rh = df["relative_humidity"].to_numpy()
    if len(rh) >= 24 * 28 and np.nanmax(rh) <= 1.0:
        raise _fail(source, f"column relative_humidity peaks at {np.nanmax(rh):g} % at "
                            f"{_fmt_ts(df.index[int(np.nanargmax(rh))])}; rule: humidity in %, 0-100 "
                            "(every value ≤ 1 is a fraction: multiply by 100)")
    rain = df["precipitation_mm"].to_numpy()
    wet = rain > 0
    if wet.sum() >= 20 and rain.max() < 0.1:
        raise _fail(source, f"column precipitation_mm has {int(wet.sum())} wet hours but peaks at "
                            f"{rain.max():g} mm at {_fmt_ts(df.index[int(np.argmax(rain))])}; rule: rain in mm "
                            "per hour, gauges count 0.1-0.2 mm steps (is it in metres?)")
    years = len(rain) / 8760.0
    if rain.sum() / years > 12_000.0:
        raise _fail(source, f"column precipitation_mm totals {rain.sum() / years:,.0f} mm a year (wettest "
                            f"hour {_fmt_ts(df.index[int(np.argmax(rain))])}); rule: at most 12,000 mm a year, "
                            "the wettest places on Earth (is it in tenths of mm?)")
    _check_night_sun(df, source, latitude, longitude, altitude_m)
    mean = float(np.nanmean(df["temp_air"].to_numpy()))
    hot = 32.0 - 0.4 * max(abs(latitude) - 20.0, 0.0)
    cold = (-10.0 if abs(latitude) <= 50.0 else -30.0) - 0.0065 * max(altitude_m, 0.0)
    if len(rain) >= 24 * 360 and not cold <= mean <= hot:
        month = df["temp_air"].groupby(df.index.month).mean()
        worst = int(month.idxmax() if mean > hot else month.idxmin())
        raise _fail(source, f"column temp_air averages {mean:.1f} °C over the year ({MONTH_NAMES[worst - 1]} "
                            f"{month[worst]:.1f} °C, e.g. {_fmt_ts(df.index[df.index.month == worst][0])}); rule: "
                            f"{cold:.0f} to {hot:.0f} °C a year at latitude {latitude:g} (°F, or the wrong site?)")


def _check_night_sun(df: pd.DataFrame, source: str, latitude: float, longitude: float, altitude_m: float) -> None:
    ghi = df["ghi"].to_numpy()
    lit = np.flatnonzero(ghi > NIGHT_GHI_W_M2)
    if not len(lit):
        return
    idx = df.index[lit]
    # highest elevation over each lit hour: its start, middle and end
    elev = np.max([
        pvlib.solarposition.get_solarposition(idx - pd.Timedelta(minutes=m), latitude, longitude,
                                              altitude=altitude_m, method="nrel_numpy")["apparent_elevation"]
        .to_numpy() for m in (0, 30, 60)
    ], axis=0)
    night = elev < NIGHT_ELEVATION_DEG
    if night.sum() > NIGHT_SUN_MAX_H:
        k = int(np.argmax(night))
        raise _fail(source, f"column ghi is {ghi[lit[k]]:g} W/m² at {_fmt_ts(idx[k])} with the sun "
                            f"{-elev[k]:.0f}° below the horizon ({int(night.sum())} such hours); rule: no sunlight "
                            f"while the sun is more than {-NIGHT_ELEVATION_DEG:g}° below the horizon for more than "
                            f"{NIGHT_SUN_MAX_H} h (time zone, longitude sign or hour-ending labels?)")


# ---------------------------------------------------------------------------
# 2./3. readers
# ---------------------------------------------------------------------------

_EPW_MISSING = {  # EnergyPlus Auxiliary Programs, EPW data dictionary "missing" codes
    "temp_air": 99.9,
    "relative_humidity": 999.0,
    "atmospheric_pressure": 999999.0,
    "ghi": 9999.0,
    "dni": 9999.0,
    "dhi": 9999.0,
    "wind_speed": 999.0,
    "liquid_precipitation_depth": 999.0,
}


def _typical_year(years: np.ndarray, months: np.ndarray, days: np.ndarray) -> int:
    has_feb29 = bool(((months == 2) & (days == 29)).any())
    uniq = np.unique(years)
    if uniq.size == 1 and calendar.isleap(int(uniq[0])) == has_feb29:
        return int(uniq[0])
    return TYPICAL_LEAP_YEAR if has_feb29 else TYPICAL_YEAR


def read_epw(path: str | Path) -> Weather:
    """Read an EnergyPlus weather (EPW) file.

    Parameters
    ----------
    path : str or pathlib.Path
        EPW file.

    Returns
    -------
    Weather
        Site and UTC offset from the LOCATION line; index hour-ending in the
        file's standard time (EPW hour h of a day ends at h:00).

    Notes
    -----
    ``pvlib.iotools.read_epw`` (pvlib 0.16) labels row "hour h" with h-1, the
    START of the hour; the index is rebuilt here from the month, day and hour
    fields so that it labels the END of the hour. A file whose rows carry
    several years (TMY, TMYx) is placed in a reference year (2001, or 2000 if
    it has a 29 February); use :func:`weather_for_period` to map it onto a
    simulation calendar. EPW missing codes (99.9 °C, 9999 W/m², …) become
    NaN and go through the gap policy of :func:`validate_weather`.
    Precipitation is ``liquid_precipitation_depth`` read as mm in the hour
    (the ``liquid_precipitation_quantity`` field is 0 in TMYx files and is
    ignored); gaps longer than 6 h are set to 0 mm and reported as a repair, but a
    file with no precipitation at all is refused (it would pass for a dry year).

    References
    ----------
    .. [1] EnergyPlus Auxiliary Programs, "Weather Converter Program: EnergyPlus
       Weather File (EPW) Data Dictionary".
    """
    src = str(path)
    try:
        raw, meta = pvlib.iotools.read_epw(path)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise _fail(src, f"cannot be read as EPW ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}); expected an "
                         "EnergyPlus weather file") from exc
    raw = raw.copy()
    lat, lon, alt, tzh = _check_coordinates(src, meta.get("latitude"), meta.get("longitude"), meta.get("altitude"),
                                            meta.get("TZ"))
    for col, code in _EPW_MISSING.items():
        raw[col] = raw[col].where(raw[col] < code)
    if raw["liquid_precipitation_depth"].isna().all():
        raise _fail(src, "column precipitation_mm (EPW field 34, liquid_precipitation_depth) is missing (999 or "
                         f"empty) for every hour, e.g. {int(raw['month'].iloc[0])}/{int(raw['day'].iloc[0])} hour "
                         f"{int(raw['hour'].iloc[0])}; rule: rain in mm, or the rainwater system sees a dry year "
                         "(use a file with precipitation, or a twin CSV with precipitation_mm)")
    year = _typical_year(raw["year"].to_numpy(), raw["month"].to_numpy(), raw["day"].to_numpy())
    try:
        idx = pd.DatetimeIndex(
            pd.to_datetime(dict(year=np.full(len(raw), year), month=raw["month"].to_numpy(),
                                day=raw["day"].to_numpy()))
            + pd.to_timedelta(raw["hour"].to_numpy(), unit="h")
        ).tz_localize(_tz(tzh))
    except (ValueError, OverflowError) as exc:
        raise _fail(src, f"field month/day/hour holds an invalid date ({exc}); expected "
                         "calendar dates and hours 1-24") from exc
    df = pd.DataFrame(
        {
            "ghi": raw["ghi"].to_numpy(float),
            "dni": raw["dni"].to_numpy(float),
            "dhi": raw["dhi"].to_numpy(float),
            "temp_air": raw["temp_air"].to_numpy(float),
            "relative_humidity": raw["relative_humidity"].to_numpy(float),
            "wind_speed": raw["wind_speed"].to_numpy(float),
            "pressure": raw["atmospheric_pressure"].to_numpy(float),
            "precipitation_mm": raw["liquid_precipitation_depth"].to_numpy(float),
        },
        index=idx.rename("time"),
    )
    pre: list[Repair] = []
    rain_missing = df["precipitation_mm"].isna().to_numpy()
    _, rain_gaps = _nan_runs(rain_missing)
    if rain_gaps.size and rain_gaps.max() > MAX_GAP_H:
        # Many EPW files (e.g. NREL TMY3) leave precipitation at 999 for long stretches: a gap
        # too long to interpolate. Rain matters only to the rainwater system, so it is set to
        # 0 mm there and counted, and the repair is logged as a warning: a rainwater result
        # from such a file underestimates the harvest.
        n_missing = int(rain_missing.sum())
        df["precipitation_mm"] = df["precipitation_mm"].fillna(0.0)
        pre.append(Repair("precipitation_mm", "filled", n_missing,
                          f"weather source {src}: column precipitation_mm: "
                          f"liquid_precipitation_depth is missing (999) for {n_missing} hours, in "
                          f"gaps up to {int(rain_gaps.max())} h; set to 0 mm (rainwater results "
                          "from this file are underestimated)"))
    df, repairs = validate_weather(df, src)
    check_site(df, src, lat, lon, alt)
    repairs = pre + repairs
    _log_repairs(repairs)
    return Weather(df, lat, lon, alt, tzh, src, tuple(repairs))


def read_pvgis_tmy(path: str | Path, *, tz_offset_h: float | None = None) -> Weather:
    """Read a PVGIS typical meteorological year (TMY) file, JSON or CSV.

    Parameters
    ----------
    path : str or pathlib.Path
        File saved from the PVGIS TMY tool or API (``outputformat=json`` or
        ``csv``), recognised by its extension ``.json`` / ``.csv``.
    tz_offset_h : float, optional
        Standard-time offset of the site, h. PVGIS files are in UTC and carry
        no time zone; default +1 (Besançon, CET).

    Returns
    -------
    Weather
        Reference year 2001, hour-ending index in local standard time.

    Notes
    -----
    Read with ``pvlib.iotools.read_pvgis_tmy`` (columns mapped by pvlib:
    ``G(h)``→ghi, ``Gb(n)``→dni, ``Gd(h)``→dhi, ``T2m``→temp_air,
    ``RH``→relative_humidity, ``WS10m``→wind_speed, ``SP``→pressure [Pa]).
    PVGIS time stamps are UTC; each row is taken as the mean of the hour that
    STARTS at its stamp (PVGIS hourly convention, an assumption: PVGIS states
    the values are hourly but not whether stamps begin or end the hour). The
    12 months come from different years, so rows are ordered by (month, day,
    hour) in UTC, any 29 February dropped, and the year rotated by the UTC
    offset (the last hours of 31 December in UTC open 1 January local), as
    pvlib does with ``coerce_year``/``utc_offset`` in ``get_pvgis_tmy``.
    PVGIS TMY has no precipitation: ``precipitation_mm`` is set to 0 and
    reported as a repair.

    References
    ----------
    .. [1] Huld, T., Müller, R., Gambardella, A. (2012). A new solar radiation
       database for estimating PV performance in Europe and Africa. Solar
       Energy 86, 1803-1815. PVGIS TMY tool, https://joint-research-centre.ec.europa.eu/pvgis
    """
    src = str(path)
    p = Path(path)
    fmt = p.suffix[1:].lower()
    if fmt not in ("json", "csv"):
        raise _fail(src, f"extension .{fmt} is not a PVGIS TMY format; expected .json or .csv")
    try:
        raw, meta = pvlib.iotools.read_pvgis_tmy(p, pvgis_format=fmt)
    except (OSError, ValueError, KeyError, IndexError, TypeError, json.JSONDecodeError) as exc:
        raise _fail(src, f"cannot be read as a PVGIS TMY {fmt} file ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}); expected a file "
                         "saved from the PVGIS TMY tool") from exc
    inputs = meta.get("inputs", {}) if isinstance(meta, dict) else {}
    loc = inputs.get("location", inputs) if isinstance(inputs, dict) else {}
    if not isinstance(loc, dict) or loc.get("latitude") is None or loc.get("longitude") is None:
        raise _fail(src, "has no site location (inputs.location.latitude/longitude, or the 'Latitude' and "
                         "'Longitude' lines of a CSV); expected a file saved from the PVGIS TMY tool")
    tzh = BESANCON_TZ_OFFSET_H if tz_offset_h is None else tz_offset_h
    lat, lon, alt, tzh = _check_coordinates(src, loc.get("latitude"), loc.get("longitude"),
                                            loc.get("elevation", 0.0), tzh)
    if float(tzh) != int(tzh):
        raise _fail(src, f"field tz_offset_h is {tzh}; expected a whole number of hours")
    utc = raw.index.tz_convert("UTC")
    key = utc.month * 10000 + utc.day * 100 + utc.hour
    raw = raw.assign(_key=np.asarray(key)).sort_values("_key")
    raw = raw[~((raw.index.month == 2) & (raw.index.day == 29))]
    for col in ("ghi", "dni", "dhi", "temp_air", "relative_humidity", "wind_speed", "pressure"):
        if col not in raw.columns:
            raise _fail(src, f"column {col} (PVGIS name) is missing; expected a PVGIS TMY file")
    # object, not float: text where a number belongs is reported by validate_weather with its time
    values = raw[["ghi", "dni", "dhi", "temp_air", "relative_humidity", "wind_speed",
                  "pressure"]].to_numpy(object)
    # local hour-ending row j starts at UTC hour j - tz (mod year): roll by tz hours
    values = np.roll(values, int(tzh), axis=0)
    n = values.shape[0]
    start = pd.Timestamp(year=TYPICAL_YEAR, month=1, day=1, hour=1, tz=_tz(tzh))
    idx = pd.date_range(start, periods=n, freq="h", name="time")
    df = pd.DataFrame(values, index=idx, columns=["ghi", "dni", "dhi", "temp_air",
                                                  "relative_humidity", "wind_speed", "pressure"])
    df["precipitation_mm"] = 0.0
    pre = [Repair("precipitation_mm", "filled", n,
                  f"weather source {src}: column precipitation_mm: PVGIS TMY has no "
                  "precipitation; set to 0 mm")]
    df, repairs = validate_weather(df, src)
    check_site(df, src, lat, lon, alt)
    repairs = pre + repairs
    _log_repairs(repairs)
    return Weather(df, lat, lon, alt, float(tzh), src, tuple(repairs))


def read_csv_weather(
    path: str | Path,
    latitude: float,
    longitude: float,
    altitude_m: float,
    tz_offset_h: float,
) -> Weather:
    """Read a weather CSV in the twin format (docs/weather.md).

    Parameters
    ----------
    path : str or pathlib.Path
        CSV with a header row: ``timestamp`` (ISO 8601 with UTC offset, e.g.
        ``2027-01-01T01:00+01:00``, END of the hour) and the columns
        :data:`COLUMNS` in their units. Lines starting with ``#`` are comments.
    latitude, longitude : float
        Site, degrees north / east.
    altitude_m : float
        Site altitude, m.
    tz_offset_h : float
        Standard-time offset, h; timestamps are converted to it.

    Returns
    -------
    Weather
    """
    src = str(path)
    latitude, longitude, altitude_m, tz_offset_h = _check_coordinates(src, latitude, longitude, altitude_m,
                                                                      tz_offset_h)
    try:
        raw = pd.read_csv(path, comment="#")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise _fail(src, f"cannot be read as CSV ({type(exc).__name__}); expected the twin "
                         "weather CSV format (docs/weather.md)") from exc
    raw.columns = [str(c).strip() for c in raw.columns]
    for col in ("timestamp",) + COLUMNS:
        if col not in raw.columns:
            raise _fail(src, f"column {col} is missing; expected a header with timestamp,"
                             f"{','.join(COLUMNS)}")
    stamps = raw["timestamp"].astype(str).str.strip()
    try:
        ts = pd.to_datetime(stamps, format="ISO8601", utc=False)
    except (ValueError, TypeError) as exc:
        raise _fail(src, f"column timestamp cannot be parsed ({str(exc).splitlines()[0]}); "
                         "expected ISO 8601 with UTC offset, e.g. 2027-01-01T01:00+01:00") from exc
    if not isinstance(ts.dtype, pd.DatetimeTZDtype):
        first = stamps.iloc[0] if len(stamps) else ""
        raise _fail(src, f"column timestamp value {first!r} has no UTC offset or mixes "
                         "offsets; expected ISO 8601 with offset, e.g. 2027-01-01T01:00+01:00")
    idx = pd.DatetimeIndex(ts).tz_convert(_tz(tz_offset_h)).rename("time")
    df = raw[list(COLUMNS)].set_axis(idx, axis=0)
    df, repairs = validate_weather(df, src)
    check_site(df, src, latitude, longitude, altitude_m)
    _log_repairs(repairs)
    return Weather(df, float(latitude), float(longitude), float(altitude_m),
                   float(tz_offset_h), src, tuple(repairs))


# ---------------------------------------------------------------------------
# 5./6. calendar mapping and resampling
# ---------------------------------------------------------------------------


def weather_for_period(weather: Weather, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Hourly weather covering [start, end], mapped from a one-year frame.

    Parameters
    ----------
    weather : Weather
        One year of weather (typical or actual).
    start, end : pandas.Timestamp
        tz-aware instants, any time zone; ``end`` ≥ ``start``.

    Returns
    -------
    pandas.DataFrame
        Hour-ending rows from the hour containing ``start`` to the hour ending
        at or just after ``end``, in the weather's standard time.

    Notes
    -----
    Each target hour takes the file's row with the same (month, day, hour)
    of its interval START, whatever the file's year: a typical year repeats
    for multi-year periods. A 29 February absent from the file is copied from
    28 February.
    """
    for name, t in (("start", start), ("end", end)):
        if not isinstance(t, pd.Timestamp) or t.tz is None:
            raise WeatherError(f"weather period: field {name} is {t!r}; expected a tz-aware "
                               "pandas.Timestamp")
    if end < start:
        raise WeatherError(f"weather period: field end {end} is before start {start}; "
                           "expected end ≥ start")
    tz = _tz(weather.tz_offset_h)
    first = start.tz_convert(tz).floor("h") + pd.Timedelta(hours=1)
    last = end.tz_convert(tz).ceil("h")
    last = max(last, first)
    target = pd.date_range(first, last, freq="h", name="time")

    def keys(index: pd.DatetimeIndex) -> np.ndarray:
        s = _interval_start(index)
        return np.asarray(s.month * 10000 + s.day * 100 + s.hour)

    src = weather.data
    src_keys = keys(src.index)
    lookup = pd.Series(np.arange(len(src)), index=src_keys)
    lookup = lookup[~lookup.index.duplicated()]
    tk = keys(target)
    feb29 = (tk // 100 // 100 == 2) & ((tk // 100) % 100 == 29)
    missing29 = feb29 & ~np.isin(tk, lookup.index.to_numpy())
    tk = np.where(missing29, tk - 100, tk)
    pos = lookup.reindex(tk).to_numpy()
    if np.isnan(pos).any():
        bad = target[np.isnan(pos)][0]
        raise WeatherError(f"weather source {weather.source}: no row for the hour ending "
                           f"{_fmt_ts(bad)} (month-day-hour); expected a complete year")
    out = src.iloc[pos.astype(int)].copy()
    out.index = target
    return out


#: Columns held constant within the hour by :func:`resample_to_step`.
_HELD = ("ghi", "dni", "dhi", "relative_humidity", "wind_speed", "pressure")


def resample_to_step(hourly: pd.DataFrame, step_s: int) -> pd.DataFrame:
    """Resample an hourly weather frame to a sub-hourly step.

    Parameters
    ----------
    hourly : pandas.DataFrame
        Weather frame with hour-ending hourly index.
    step_s : int
        Step, s; must divide 3600 and be between 60 and 3600.

    Returns
    -------
    pandas.DataFrame
        Index labels are step ENDS; ``n = 3600/step_s`` rows per hour.

    Notes
    -----
    * ``ghi``, ``dni``, ``dhi``, ``relative_humidity``, ``wind_speed``,
      ``pressure`` and any unknown column: each sub-step of hour h takes hour
      h's mean, so Σ G Δt over the hour is conserved exactly.
    * ``precipitation_mm``: hour h's total split evenly, P_h / n per sub-step
      (totals conserved).
    * ``temp_air``: linear interpolation between consecutive hour-end values,
      T(t_{h-1} + kΔt) = T_{h-1} + (T_h - T_{h-1}) k/n, k = 1…n (the first hour
      is held constant). This treats the hourly mean as a point value at the
      hour end: a simple choice that keeps the curve continuous and lags the
      true hourly mean by half an hour at most.
    """
    if not isinstance(step_s, (int, np.integer)) or step_s < 60 or step_s > 3600 \
            or 3600 % step_s:
        raise WeatherError(f"weather resampling: field step_s is {step_s!r}; expected an "
                           "integer number of seconds dividing 3600, from 60 to 3600")
    n = 3600 // int(step_s)
    if n == 1:
        return hourly.copy()
    nh = len(hourly)
    k = np.tile(np.arange(1, n + 1), nh)
    base = np.repeat(hourly.index - pd.Timedelta(hours=1), n)
    index = pd.DatetimeIndex(base + pd.to_timedelta(k * int(step_s), unit="s"),
                             name=hourly.index.name)
    out = {}
    for col in hourly.columns:
        v = hourly[col].to_numpy(dtype=float)
        if col == "precipitation_mm":
            out[col] = np.repeat(v / n, n)
        elif col == "temp_air":
            prev = np.concatenate([v[:1], v[:-1]])
            out[col] = np.repeat(prev, n) + np.repeat(v - prev, n) * (k / n)
        else:
            out[col] = np.repeat(v, n)
    return pd.DataFrame(out, index=index)


# ---------------------------------------------------------------------------
# 7. monthly climate table and plot
# ---------------------------------------------------------------------------

def monthly_climate(weather_df: pd.DataFrame) -> pd.DataFrame:
    """Monthly climate summary of a weather frame.

    Parameters
    ----------
    weather_df : pandas.DataFrame
        Weather frame (hour-ending index).

    Returns
    -------
    pandas.DataFrame
        Index ``Jan`` … ``Dec`` and ``Year``; columns ``tmean_c`` (mean of
        hourly temperature), ``tmin_c`` / ``tmax_c`` (mean daily min / max of
        hourly values), ``ghi_kwh_m2`` (Σ GHI · 1 h / 1000), ``precip_mm``,
        ``rain_days`` (days with ≥ 1 mm), ``sunshine_h`` (hours with
        DNI > 120 W/m², WMO-No. 8 definition, applied to hourly means: the
        sunshine duration the generator is calibrated on).
        Sums are per year: with several years, the mean over years.

    Notes
    -----
    Hours and days are assigned by their interval START (the row labelled
    Feb 1 00:00 belongs to 31 January).
    """
    start = _interval_start(weather_df.index)
    key = pd.DataFrame(
        {
            "year": start.year,
            "month": start.month,
            "date": start.normalize().tz_localize(None),
            "t": weather_df["temp_air"].to_numpy(),
            "ghi": weather_df["ghi"].to_numpy() / 1000.0,
            "p": weather_df["precipitation_mm"].to_numpy(),
            "sun": (weather_df["dni"].to_numpy() > SUNSHINE_DNI_W_M2).astype(float),
        }
    )
    daily = key.groupby("date").agg(year=("year", "first"), month=("month", "first"),
                                    tmin=("t", "min"), tmax=("t", "max"), p=("p", "sum"))
    daily["wet"] = (daily["p"] >= 1.0).astype(float)
    ym = key.groupby(["year", "month"]).agg(tmean_c=("t", "mean"), ghi_kwh_m2=("ghi", "sum"),
                                            precip_mm=("p", "sum"), sunshine_h=("sun", "sum"))
    ym_d = daily.groupby(["year", "month"]).agg(tmin_c=("tmin", "mean"), tmax_c=("tmax", "mean"),
                                                rain_days=("wet", "sum"))
    ym = ym.join(ym_d)
    table = ym.groupby(level="month").mean()
    table = table.reindex(range(1, 13))
    table.index = [MONTH_NAMES[m - 1] for m in table.index]
    cols = ["tmean_c", "tmin_c", "tmax_c", "ghi_kwh_m2", "precip_mm", "rain_days", "sunshine_h"]
    table = table[cols]
    days_in_month = np.array([calendar.monthrange(2001, m)[1] for m in range(1, 13)])
    ok = table.notna().all(axis=1).to_numpy()
    w = days_in_month[ok]
    year_row = {
        "tmean_c": float(np.average(table["tmean_c"].to_numpy()[ok], weights=w)),
        "tmin_c": float(np.average(table["tmin_c"].to_numpy()[ok], weights=w)),
        "tmax_c": float(np.average(table["tmax_c"].to_numpy()[ok], weights=w)),
    }
    for c in ("ghi_kwh_m2", "precip_mm", "rain_days", "sunshine_h"):
        year_row[c] = float(table[c].sum())
    table.loc["Year"] = pd.Series(year_row)
    table.index.name = "month"
    return table


def plot_monthly_climate(table: pd.DataFrame, path: str | Path) -> Path:
    """Plot a :func:`monthly_climate` table to a PNG (matplotlib, Agg backend).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`monthly_climate`.
    path : str or pathlib.Path
        PNG file to write.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    from twin.plotting import pyplot

    plt = pyplot()

    t = table.drop(index="Year", errors="ignore")
    x = np.arange(len(t))
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    ax1.fill_between(x, t["tmin_c"], t["tmax_c"], alpha=0.3, label="mean daily min-max")
    ax1.plot(x, t["tmean_c"], marker="o", label="mean")
    ax1.set_ylabel("temperature [°C]")
    ax1.legend(loc="upper left")
    ax2.bar(x - 0.2, t["ghi_kwh_m2"], width=0.4, label="GHI [kWh/m²]")
    ax2.bar(x + 0.2, t["precip_mm"], width=0.4, label="precipitation [mm]")
    ax2.set_xticks(x, list(t.index))
    ax2.legend(loc="upper left")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


# ---------------------------------------------------------------------------
# 8. dispatcher
# ---------------------------------------------------------------------------


def _is_pvgis_csv(path: Path) -> bool:
    """PVGIS TMY csv files start with 'Latitude (decimal degrees):'."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.readline().lower().startswith("latitude")
    except OSError:
        return False


def load_weather(
    source: str,
    *,
    year: int,
    seed: int,
    base_dir: Path | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    altitude_m: float | None = None,
    tz_offset_h: float | None = None,
    climate: str | None = None,
) -> Weather:
    """Load weather from a source string.

    Parameters
    ----------
    source : str
        ``"besancon-reference"`` (embedded generator for ``year`` and
        ``seed``); a path to an ``.epw``; a PVGIS TMY ``.json``;
        ``"pvgis:<path>"`` for a PVGIS TMY ``.csv`` or ``.json`` (a ``.csv``
        whose first line starts with ``Latitude`` is also recognised as
        PVGIS); any other ``.csv`` in the twin format (docs/weather.md).
    year : int
        Calendar year for the generator (files keep their own year; map them
        with :func:`weather_for_period`).
    seed : int
        Seed for the generator (unused by files).
    base_dir : pathlib.Path, optional
        Directory against which relative paths resolve (default: current directory).
    latitude, longitude, altitude_m, tz_offset_h : float, optional
        Site of a twin CSV file (default Besançon: 47.24 N, 6.02 E, 307 m,
        UTC+1); ``tz_offset_h`` also sets the time zone of a PVGIS file.
        Ignored for EPW (the file's LOCATION line rules) and the generator.
    climate : str, optional
        ``None`` or ``"today"`` (as loaded), ``"tracc-2030"``, ``"tracc-2050"``
        or ``"tracc-2100"``: morph the loaded weather to that warming level
        with :func:`twin.climate.apply_climate` (shift-and-stretch, TRACC;
        docs/weather.md); the level is noted in ``Weather.source``.

    Returns
    -------
    Weather

    Raises
    ------
    WeatherError
        Unknown source form or missing file (the message lists the valid
        forms), or any error of the readers and of :func:`validate_weather`.
    ScenarioError
        Unknown ``climate`` level (the message lists the valid ones).
    """
    weather = _load_weather_today(source, year=year, seed=seed, base_dir=base_dir,
                                  latitude=latitude, longitude=longitude, altitude_m=altitude_m,
                                  tz_offset_h=tz_offset_h)
    if climate is None or climate == "today":
        return weather
    from twin.climate import apply_climate  # twin.climate imports this module

    return apply_climate(weather, climate)


def _load_weather_today(
    source: str,
    *,
    year: int,
    seed: int,
    base_dir: Path | None,
    latitude: float | None,
    longitude: float | None,
    altitude_m: float | None,
    tz_offset_h: float | None,
) -> Weather:
    """:func:`load_weather` without the climate morph."""
    s = str(source).strip()
    if s == "besancon-reference":
        return besancon_reference_year(year, seed)
    pvgis = s.lower().startswith("pvgis:")
    path = Path(s[6:] if pvgis else s).expanduser()
    if not path.is_absolute():
        path = (Path(base_dir) if base_dir is not None else Path.cwd()) / path
    suffix = path.suffix.lower()
    if suffix not in (".epw", ".json", ".csv"):
        raise WeatherError(f"weather source {s}: form not recognised; expected {VALID_SOURCE_FORMS}")
    if not path.is_file():
        raise WeatherError(f"weather source {s}: file {path} not found; expected "
                           f"{VALID_SOURCE_FORMS}")
    if suffix == ".epw" and not pvgis:
        return read_epw(path)
    if pvgis or suffix == ".json" or _is_pvgis_csv(path):
        return read_pvgis_tmy(path, tz_offset_h=tz_offset_h)
    return read_csv_weather(
        path,
        BESANCON_LATITUDE if latitude is None else latitude,
        BESANCON_LONGITUDE if longitude is None else longitude,
        BESANCON_ALTITUDE_M if altitude_m is None else altitude_m,
        BESANCON_TZ_OFFSET_H if tz_offset_h is None else tz_offset_h,
    )
