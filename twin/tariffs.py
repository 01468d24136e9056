"""Tariff schemas and pricing of recorded time series: electricity (flat or C4 time-of-use), district heat, PV, water.

The schemas live in :mod:`twin.config.tariffs` (light, read by every validation)
and are re-exported here; they follow the house style of :mod:`twin.scenario`
(unknown keys are errors, values are frozen) so that the scenario can use them
as its ``[tariffs]`` sections. Prices are excluding VAT unless a field says otherwise (a business
lessee recovers VAT); sources are in ``/work/shared/reference/domain-facts.md``
("DF §x"), flags as there: [V] read in a source, [E] estimate.

Time series conventions (those of the results time series): a pandas Series
with a tz-aware, regular, increasing DatetimeIndex of step ENDS, each value the
mean power over the step ending at that label [kW]. The energy of a step is
``kW × step_h``. A step is classified in time-of-use periods by its MIDDLE,
converted to civil time (``Europe/Paris``), so a 15-min step ending at 06:00
(middle 05:52:30) is still off-peak under ``22:00-06:00``, and the
daylight-saving changes are followed (the 23-h and 25-h days have 23 and 25 h
of steps, and the clock hours decide the period).

Annual charges (subscriptions, fixed water charges) are pro rata of the
period: each civil calendar day counts 1/365 of a year, or 1/366 in a leap
year (:func:`period_years`), as ``twin.api`` does for R2 today.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from twin.config.tariffs import DistrictHeatTariff, ElectricityTariff, minute_mask

__all__ = [
    "TOU_PERIODS",
    "ElectricityTariff",
    "DistrictHeatTariff",
    "calibrate_subscription_eur_kw_year",
    "period_years",
    "step_hours",
    "high_season_mask",
    "off_peak_mask",
    "time_of_use_periods",
    "electricity_cost_eur",
    "district_heat_cost_eur",
    "pv_export_revenue_eur",
    "water_cost_eur",
    "recommend_subscription",
]

#: The four C4 "tarif jaune" periods: Heures Pleines/Creuses of the High
#: (winter) season and of the low season ("Été").
TOU_PERIODS = ("hph", "hch", "hpe", "hce")


def _minute_mask(ranges) -> np.ndarray:
    """(1440,) bool: minute m of the civil day lies in one of the ranges (start inclusive, end exclusive)."""
    return np.array(minute_mask(ranges), dtype=bool)


def calibrate_subscription_eur_kw_year(all_in_eur_mwh_incl_vat: float, vat_rate: float, energy_eur_mwh: float,
                                       mwh_per_year: float, subscribed_kw: float) -> float:
    """R2 that makes a two-part heat tariff cost a known all-in price at one customer's draw [EUR/(kW yr)].

    .. math:: R_2 = \\left(\\frac{p_{TTC}}{1 + VAT} - R_1\\right) \\frac{E}{S}

    with p_TTC the all-in price incl. VAT [EUR/MWh], E the heat bought per year [MWh] and S the
    subscribed kW. Raises when R1 alone already exceeds the all-in price (no R2 >= 0 fits).
    """
    for name, v in (("all_in_eur_mwh_incl_vat", all_in_eur_mwh_incl_vat), ("energy_eur_mwh", energy_eur_mwh),
                    ("mwh_per_year", mwh_per_year), ("subscribed_kw", subscribed_kw)):
        if not (v > 0 and math.isfinite(v)):
            raise ValueError(f"{name} must be > 0 and finite, got {v!r}")
    if not 0 <= vat_rate < 1:
        raise ValueError(f"vat_rate must lie in [0, 1), got {vat_rate!r}")
    margin = all_in_eur_mwh_incl_vat / (1.0 + vat_rate) - energy_eur_mwh
    if margin < 0:
        raise ValueError(f"R1 {energy_eur_mwh} EUR/MWh already exceeds the all-in price excl. VAT "
                         f"{all_in_eur_mwh_incl_vat / (1.0 + vat_rate):.2f}")
    return margin * mwh_per_year / subscribed_kw


# --------------------------------------------------------------------------- time helpers


def _check_series(name: str, series, allow_negative: bool = False) -> pd.Series:
    if not isinstance(series, pd.Series):
        raise ValueError(f"{name} must be a pandas Series indexed by step ends, got {type(series).__name__}")
    idx = series.index
    if not isinstance(idx, pd.DatetimeIndex) or idx.tz is None:
        raise ValueError(f"{name} must have a tz-aware DatetimeIndex (step ends), got {type(idx).__name__} "
                         f"tz={getattr(idx, 'tz', None)!r}")
    if len(series) == 0:
        raise ValueError(f"{name} is empty")
    values = series.to_numpy(dtype=float)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} has {int(np.sum(~np.isfinite(values)))} NaN or infinite value(s)")
    if not allow_negative and np.any(values < 0):
        raise ValueError(f"{name} must be >= 0, got a minimum of {values.min()!r}")
    return series


def step_hours(index: pd.DatetimeIndex, step_s: float | None = None) -> float:
    """Length of one step [h], from an index of step ends.

    Without ``step_s`` the index must be regular and strictly increasing (its
    step is inferred). With ``step_s`` the labels may skip steps (gaps, e.g. a
    few sample instants) but two labels must be at least one step apart.

    Raises
    ------
    ValueError
        If the index is irregular or not increasing (no ``step_s``), labels are
        closer than ``step_s``, or a single label comes without ``step_s``.
    """
    diffs = (index[1:] - index[:-1]).total_seconds().to_numpy() if len(index) >= 2 else np.zeros(0)
    if step_s is None:
        if diffs.size == 0:
            raise ValueError("a single-step series needs step_s > 0, got None")
        if np.any(diffs <= 0) or not np.allclose(diffs, diffs[0], rtol=0, atol=1e-6):
            raise ValueError(f"the index must be regular and increasing (step ends), got steps of "
                             f"{np.unique(diffs)[:5]} s; pass step_s for an index with gaps")
        return float(diffs[0]) / 3600.0
    step = float(step_s)
    if not (step > 0 and math.isfinite(step)):
        raise ValueError(f"step_s must be > 0 and finite, got {step_s!r}")
    if np.any(diffs < step - 1e-6):
        raise ValueError(f"labels closer than step_s = {step_s!r} s (steps would overlap): min "
                         f"{diffs.min()} s")
    return step / 3600.0


def period_years(index: pd.DatetimeIndex, step_s: float | None = None,
                 civil_timezone: str = "Europe/Paris") -> float:
    """Length of the period covered by the steps, in years of civil calendar days [yr].

    .. math:: Y = \\sum_{y} \\frac{\\text{time of the period in civil year } y}{\\text{length of year } y}

    from the start of the first step (first end − step) to the last end, with
    year y 365 or 366 civil days long. 2027-01-01 to 2028-01-01 (Paris) is
    exactly 1.0, and so is a full leap year.
    """
    dt_h = step_hours(index, step_s)
    first = index[0].tz_convert(civil_timezone) - pd.Timedelta(hours=dt_h)
    last = index[-1].tz_convert(civil_timezone)
    total = 0.0
    for year in range(first.year, last.year + 1):
        y0 = pd.Timestamp(year=year, month=1, day=1, tz=civil_timezone)
        y1 = pd.Timestamp(year=year + 1, month=1, day=1, tz=civil_timezone)
        overlap = (min(last, y1) - max(first, y0)).total_seconds()
        if overlap > 0:
            total += overlap / (y1 - y0).total_seconds()
    return total


def _civil_midpoints(index: pd.DatetimeIndex, dt_h: float, civil_timezone: str) -> pd.DatetimeIndex:
    return (index - pd.Timedelta(hours=dt_h / 2.0)).tz_convert(civil_timezone)


def high_season_mask(index: pd.DatetimeIndex, tariff: ElectricityTariff, civil_timezone: str = "Europe/Paris",
                     step_s: float | None = None) -> np.ndarray:
    """True for the steps whose middle falls on a civil day of the high season (bounds inclusive)."""
    mid = _civil_midpoints(index, step_hours(index, step_s), civil_timezone)
    md = mid.month.to_numpy() * 100 + mid.day.to_numpy()
    lo = int(tariff.high_season_from[:2]) * 100 + int(tariff.high_season_from[3:])
    hi = int(tariff.high_season_to[:2]) * 100 + int(tariff.high_season_to[3:])
    if lo <= hi:
        return (md >= lo) & (md <= hi)
    return (md >= lo) | (md <= hi)


def off_peak_mask(index: pd.DatetimeIndex, tariff: ElectricityTariff, civil_timezone: str = "Europe/Paris",
                  step_s: float | None = None) -> np.ndarray:
    """True for the steps whose middle, in civil time, lies in an off-peak window of its season.

    A window 'HH:MM-HH:MM' includes its start and excludes its end; it may wrap
    midnight. The civil minute of the middle is used (seconds dropped), so
    1-min steps and coarser ones are classified consistently.
    """
    dt_h = step_hours(index, step_s)
    mid = _civil_midpoints(index, dt_h, civil_timezone)
    minute = mid.hour.to_numpy() * 60 + mid.minute.to_numpy()
    out = _minute_mask(tariff.off_peak_hours)[minute]
    if tariff.off_peak_hours_low_season is not None:
        low = ~high_season_mask(index, tariff, civil_timezone, step_s)
        out = np.where(low, _minute_mask(tariff.off_peak_hours_low_season)[minute], out)
    return out


def time_of_use_periods(index: pd.DatetimeIndex, tariff: ElectricityTariff, civil_timezone: str = "Europe/Paris",
                        step_s: float | None = None) -> np.ndarray:
    """Period of each step, one of ``TOU_PERIODS`` ('hph', 'hch', 'hpe', 'hce'), by its civil middle."""
    high = high_season_mask(index, tariff, civil_timezone, step_s)
    off = off_peak_mask(index, tariff, civil_timezone, step_s)
    return np.where(high, np.where(off, "hch", "hph"), np.where(off, "hce", "hpe"))


# --------------------------------------------------------------------------- pricing


def electricity_cost_eur(import_kw: pd.Series, tariff: ElectricityTariff, subscribed_kva: float,
                         civil_timezone: str = "Europe/Paris", power_factor: float = 1.0,
                         step_s: float | None = None) -> dict:
    """Cost of the electricity imported over the period, by line item [EUR, excl. VAT].

    .. math::

        E_p = \\sum_{k \\in p} P_k Δt, \\quad
        C = \\sum_p \\frac{E_p}{1000} c_p + a\\,S\\,Y + (x + n)\\frac{\\sum_p E_p}{1000}
            + o \\sum_k \\max(0, P_k/\\cos φ - S)\\,Δt

    with P_k the mean import of step k [kW], Δt the step [h], p the
    time-of-use period of the step's civil middle (flat: a single period
    "all" at ``energy_eur_kwh``), c_p [EUR/MWh], a the subscription
    [EUR/(kVA yr)], S the subscribed power [kVA], Y :func:`period_years`, x the
    accise, n the network component [EUR/MWh], o the overrun price
    [EUR/(kVA h)] and cos φ the power factor. A flat tariff has no
    subscription, accise or network line (all inside its price) but does
    price overruns when ``overrun_eur_kvah`` > 0.

    Parameters
    ----------
    import_kw : pandas.Series
        Grid import, mean kW over each step, tz-aware index of step ends, ≥ 0.
    tariff : ElectricityTariff
    subscribed_kva : float
        Contracted power [kVA], > 0.
    civil_timezone : str
        IANA zone of the off-peak hours and seasons.
    power_factor : float
        cos φ in (0, 1] to turn kW into kVA for the overrun (default 1).
    step_s : float, optional
        Step length [s]; needed only for a one-step series.

    Returns
    -------
    dict
        ``energy_eur`` (period -> EUR), ``kwh`` (period -> kWh),
        ``energy_total_eur``, ``subscription_eur``, ``excise_eur``,
        ``network_eur``, ``overrun_eur``, ``total_eur``, ``total_kwh``,
        ``average_eur_kwh`` (total / kWh, NaN without import), ``overrun_kvah``
        (excess kVA·h), ``overrun_hours``, ``max_kva``, ``period_years``.

    References
    ----------
    DF §3 (CRE 'profil jaune' reference prices 20 Jan 2025; seasons; off-peak
    hours; accise from 1 Feb 2026).
    """
    _check_series("import_kw", import_kw)
    s_kva = float(subscribed_kva)
    if not (s_kva > 0 and math.isfinite(s_kva)):
        raise ValueError(f"subscribed_kva must be > 0 and finite, got {subscribed_kva!r}")
    pf = float(power_factor)
    if not 0 < pf <= 1:
        raise ValueError(f"power_factor must lie in (0, 1], got {power_factor!r}")
    idx = import_kw.index
    dt_h = step_hours(idx, step_s)
    years = period_years(idx, step_s, civil_timezone)
    p = import_kw.to_numpy(dtype=float)
    kwh_steps = p * dt_h

    if tariff.kind == "flat":
        kwh = {"all": float(kwh_steps.sum())}
        energy = {"all": kwh["all"] * float(tariff.energy_eur_kwh)}
        subscription = excise = network = 0.0
    else:
        periods = time_of_use_periods(idx, tariff, civil_timezone, step_s)
        prices = tariff.period_prices_eur_mwh()
        kwh = {name: float(kwh_steps[periods == name].sum()) for name in TOU_PERIODS}
        energy = {name: kwh[name] / 1000.0 * prices[name] for name in TOU_PERIODS}
        total_mwh = sum(kwh.values()) / 1000.0
        subscription = tariff.subscription_eur_kva_year * s_kva * years
        excise = tariff.excise_eur_mwh * total_mwh
        network = tariff.network_eur_mwh * total_mwh
    excess_kva = np.maximum(0.0, p / pf - s_kva)
    overrun_kvah = float(np.sum(excess_kva) * dt_h)
    overrun = tariff.overrun_eur_kvah * overrun_kvah
    energy_total = float(sum(energy.values()))
    total = energy_total + subscription + excise + network + overrun
    total_kwh = float(sum(kwh.values()))
    return {
        "energy_eur": energy,
        "kwh": kwh,
        "energy_total_eur": energy_total,
        "subscription_eur": float(subscription),
        "excise_eur": float(excise),
        "network_eur": float(network),
        "overrun_eur": float(overrun),
        "total_eur": float(total),
        "total_kwh": total_kwh,
        "average_eur_kwh": total / total_kwh if total_kwh > 0 else math.nan,
        "overrun_kvah": overrun_kvah,
        "overrun_hours": float(np.count_nonzero(excess_kva > 0) * dt_h),
        "max_kva": float(p.max() / pf),
        "period_years": years,
    }


def district_heat_cost_eur(meter_kw: pd.Series, tariff: DistrictHeatTariff, subscribed_kw: float,
                           civil_timezone: str = "Europe/Paris", step_s: float | None = None) -> dict:
    """Cost of the heat drawn from the network over the period: R1 + R2 pro rata [EUR].

    .. math:: C = \\frac{\\sum_k P_k Δt}{1000} R_1 + R_2\\,S\\,Y, \\qquad C_{TTC} = C (1 + VAT)

    Parameters
    ----------
    meter_kw : pandas.Series
        Heat at the substation meter, mean kW over each step (step ends), ≥ 0.
    tariff : DistrictHeatTariff
    subscribed_kw : float
        Subscribed capacity S [kW], > 0.

    Returns
    -------
    dict
        ``energy_eur`` (R1), ``subscription_eur`` (R2), ``total_eur`` (excl.
        VAT), ``vat_eur``, ``total_incl_vat_eur``, ``mwh``, ``peak_kw``,
        ``hours_at_or_above_subscribed`` (steps drawing ≥ 99.9 % of S: the
        engine caps the draw at S, so these are hours when the capacity
        limited the heat), ``full_load_hours`` (MWh·1000 / S),
        ``average_eur_mwh`` (excl. VAT), ``period_years``.

    References
    ----------
    DF §2 (R1/R2 structure, VAT 5.5 %).
    """
    _check_series("meter_kw", meter_kw)
    s = float(subscribed_kw)
    if not (s > 0 and math.isfinite(s)):
        raise ValueError(f"subscribed_kw must be > 0 and finite, got {subscribed_kw!r}")
    idx = meter_kw.index
    dt_h = step_hours(idx, step_s)
    years = period_years(idx, step_s, civil_timezone)
    p = meter_kw.to_numpy(dtype=float)
    mwh = float(p.sum() * dt_h / 1000.0)
    energy = mwh * tariff.energy_eur_mwh
    subscription = tariff.subscription_eur_kw_year * s * years
    total = energy + subscription
    return {
        "energy_eur": energy,
        "subscription_eur": subscription,
        "total_eur": total,
        "vat_eur": total * tariff.vat_rate,
        "total_incl_vat_eur": total * (1.0 + tariff.vat_rate),
        "mwh": mwh,
        "peak_kw": float(p.max()),
        "hours_at_or_above_subscribed": float(np.count_nonzero(p >= 0.999 * s) * dt_h),
        "full_load_hours": mwh * 1000.0 / s,
        "average_eur_mwh": total / mwh if mwh > 0 else math.nan,
        "period_years": years,
    }


def pv_export_revenue_eur(export_kw: pd.Series, price_eur_kwh, step_s: float | None = None) -> float:
    """Revenue from the PV surplus sold [EUR]: Σ P_k Δt · price_k.

    Parameters
    ----------
    export_kw : pandas.Series
        Export to the grid, mean kW over each step (step ends), ≥ 0.
    price_eur_kwh : float or pandas.Series
        Sale price [EUR/kWh], ≥ 0: a scalar (OA surplus tariff, ACC price;
        DF §4: ACC default 0.10 [E], OA 9-100 kWc Q1 2026 0.0536 [V]) or a
        Series on the same index (a price varying in time).
    """
    _check_series("export_kw", export_kw)
    dt_h = step_hours(export_kw.index, step_s)
    if isinstance(price_eur_kwh, pd.Series):
        if not price_eur_kwh.index.equals(export_kw.index):
            raise ValueError("price_eur_kwh as a Series must have the same index as export_kw")
        price = price_eur_kwh.to_numpy(dtype=float)
    else:
        price = np.asarray(price_eur_kwh, dtype=float)
        if price.ndim != 0:
            raise ValueError(f"price_eur_kwh must be a scalar or a Series on the export index, got {price_eur_kwh!r}")
    if np.any(~(price >= 0)) or np.any(~np.isfinite(price)):
        raise ValueError(f"price_eur_kwh must be >= 0 and finite, got {price_eur_kwh!r}")
    return float(np.sum(export_kw.to_numpy(dtype=float) * dt_h * price))


def water_cost_eur(mains_m3_total: float, price_eur_m3: float, fixed_eur_per_year: float = 0.0,
                   period_years: float = 1.0) -> dict:
    """Cost of the drinking water bought [EUR]: volume × price + fixed charges pro rata.

    .. math:: C = V p + F Y

    Parameters
    ----------
    mains_m3_total : float
        V, mains water over the period [m³], ≥ 0.
    price_eur_m3 : float
        p, water + sanitation per m³ [EUR/m³], ≥ 0. DF §5: GBM target 3.30 EUR
        TTC/m³ by 2028 (≈ 3.10 HT) [E].
    fixed_eur_per_year : float
        F, fixed charges [EUR/yr], ≥ 0. DF §5: water 15 + sanitation 10 EUR HT/yr [V].
    period_years : float
        Y [yr], ≥ 0 (see :func:`period_years`).

    Returns
    -------
    dict
        ``volume_eur``, ``fixed_eur``, ``total_eur``.

    Notes
    -----
    The GBM tariff is progressive (first 3 m³ free, a higher band above
    100 m³/yr, DF §5); the band prices were not found, so one price is used.
    """
    values = {"mains_m3_total": mains_m3_total, "price_eur_m3": price_eur_m3,
              "fixed_eur_per_year": fixed_eur_per_year, "period_years": period_years}
    for name, value in values.items():
        v = float(value)
        if not (v >= 0 and math.isfinite(v)):
            raise ValueError(f"{name} must be >= 0 and finite, got {value!r}")
    volume = float(mains_m3_total) * float(price_eur_m3)
    fixed = float(fixed_eur_per_year) * float(period_years)
    return {"volume_eur": volume, "fixed_eur": fixed, "total_eur": volume + fixed}


def recommend_subscription(load_kw: pd.Series, candidates_kw, fixed_eur_per_kw_year: float, *,
                           shortfall_cost_eur_per_kwh: float | None = None,
                           unmet_hours_limit: float | None = None,
                           civil_timezone: str = "Europe/Paris", step_s: float | None = None) -> pd.DataFrame:
    """Subscribed capacity: cost of each candidate from the load-duration curve, and the least-cost one.

    For a capacity C (the same unit as the load: kW for district heat, kVA for
    electricity if the load is given in kVA):

    .. math::

        \\text{subscription}(C) = f\\,C\\,Y, \\quad
        E_{above}(C) = \\sum_k \\max(0, P_k - C)\\,Δt, \\quad
        H_{above}(C) = Δt\\,\\#\\{k: P_k > C\\}

    and, with a shortfall price c, total(C) = subscription(C) + c·E_above(C).
    On the load-duration curve, the optimum is where the marginal kW costs as
    much as it saves: H_above(C*) ≈ f·Y / c (hours per period).

    Parameters
    ----------
    load_kw : pandas.Series
        The UNCONSTRAINED demand, mean over each step (step ends), ≥ 0. A
        series already capped at the current capacity (the district heat the
        engine delivers) cannot show the energy above it.
    candidates_kw : array_like
        Capacities to compare, > 0 (any order; returned sorted).
    fixed_eur_per_kw_year : float
        f, subscription price [EUR/(kW yr)] (R2 for district heat; the C4
        subscription per kVA for electricity), ≥ 0.
    shortfall_cost_eur_per_kwh : float, optional
        c, price of each kWh above the capacity (overrun penalty, or the
        value of the heat not delivered) [EUR/kWh], ≥ 0.
    unmet_hours_limit : float, optional
        Largest acceptable H_above over the period [h], ≥ 0. At least one of
        the two must be given; with both, the least total cost among the
        candidates meeting the limit.

    Returns
    -------
    pandas.DataFrame
        One row per candidate: ``capacity_kw``, ``subscription_eur`` (over the
        period), ``energy_above_kwh``, ``hours_above_h``, ``shortfall_eur``
        (NaN without c), ``total_eur`` (subscription + shortfall, or the
        subscription alone without c), ``meets_limit``, ``recommended``.
        ``df.attrs`` holds ``recommended_kw`` (NaN when no candidate meets the
        limit), ``period_years``, ``peak_kw``. Ties go to the smaller capacity.
    """
    _check_series("load_kw", load_kw)
    cand = np.sort(np.asarray(candidates_kw, dtype=float).ravel())
    if cand.size == 0 or np.any(~(cand > 0)) or np.any(~np.isfinite(cand)):
        raise ValueError(f"candidates_kw must be a non-empty array of values > 0, got {candidates_kw!r}")
    f = float(fixed_eur_per_kw_year)
    if not (f >= 0 and math.isfinite(f)):
        raise ValueError(f"fixed_eur_per_kw_year must be >= 0 and finite, got {fixed_eur_per_kw_year!r}")
    if shortfall_cost_eur_per_kwh is None and unmet_hours_limit is None:
        raise ValueError("give shortfall_cost_eur_per_kwh, unmet_hours_limit, or both")
    for name, value in (("shortfall_cost_eur_per_kwh", shortfall_cost_eur_per_kwh),
                        ("unmet_hours_limit", unmet_hours_limit)):
        if value is not None and not (float(value) >= 0 and math.isfinite(float(value))):
            raise ValueError(f"{name} must be >= 0 and finite, got {value!r}")
    dt_h = step_hours(load_kw.index, step_s)
    years = period_years(load_kw.index, step_s, civil_timezone)

    # Load-duration curve (ascending sort) and suffix sums: for each C, the steps above it.
    p = np.sort(load_kw.to_numpy(dtype=float))
    suffix = np.concatenate([np.cumsum(p[::-1])[::-1], [0.0]])
    first_above = np.searchsorted(p, cand, side="right")
    n_above = p.size - first_above
    energy_above = (suffix[first_above] - n_above * cand) * dt_h
    hours_above = n_above * dt_h
    subscription = f * cand * years
    if shortfall_cost_eur_per_kwh is None:
        shortfall = np.full(cand.size, np.nan)
        total = subscription.copy()
    else:
        shortfall = float(shortfall_cost_eur_per_kwh) * energy_above
        total = subscription + shortfall
    meets = np.ones(cand.size, dtype=bool) if unmet_hours_limit is None else hours_above <= float(unmet_hours_limit) + 1e-9
    recommended = np.zeros(cand.size, dtype=bool)
    if meets.any():
        masked = np.where(meets, total, np.inf)
        recommended[int(np.argmin(masked))] = True  # argmin takes the first: the smaller capacity on ties
    df = pd.DataFrame({
        "capacity_kw": cand,
        "subscription_eur": subscription,
        "energy_above_kwh": energy_above,
        "hours_above_h": hours_above,
        "shortfall_eur": shortfall,
        "total_eur": total,
        "meets_limit": meets,
        "recommended": recommended,
    })
    df.attrs["recommended_kw"] = float(cand[recommended][0]) if recommended.any() else math.nan
    df.attrs["period_years"] = years
    df.attrs["peak_kw"] = float(p[-1])
    return df
