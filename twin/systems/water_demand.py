"""Water demand of the building per use and step: toilets, urinals, washbasins, kitchenettes, cleaning, irrigation.

Counts of uses come from occupancy (discrete events, or expected values of the
schedule model: person-hours times the sanitary rates); volumes per use from
the model's ``[water_uses]``. Cleaning is drawn at a fixed civil hour on days
the building opened; irrigation at a fixed civil hour on watering days, from the
FAO-56 daily need (:func:`twin.physics.water.irrigation_need_m3`).

All volumes are totals over each step [m3], arrays of shape (n_steps,).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.physics import water
from twin.scenario import Irrigation, WaterUses

__all__ = ["USES", "WaterDemand", "fixture_volumes_m3", "irrigation_m3", "cleaning_m3"]

USES = ("wc", "urinal", "washbasin", "kitchenette", "cleaning", "irrigation")


class WaterDemand(dict):
    """Volumes per use (keys :data:`USES`), each an array over the steps [m3]."""

    @property
    def total_m3(self) -> np.ndarray:
        return sum(self[use] for use in USES)


def fixture_volumes_m3(uses_per_step: dict[str, np.ndarray], spec: WaterUses) -> dict[str, np.ndarray]:
    """Volumes of the sanitary uses [m3 per step] from their counts per step.

    Parameters
    ----------
    uses_per_step
        Counts per step (summed over zones) for ``wc_female``, ``wc_male``, ``urinal``,
        ``washbasin``, ``kitchenette``.
    spec
        Volumes per use.

    Notes
    -----
    A WC flush is ``s V_half + (1 - s) V_full`` with s the share of half flushes.
    """
    flush_l = spec.wc_half_flush_share * spec.wc_half_flush_l + (1 - spec.wc_half_flush_share) * spec.wc_full_flush_l
    return {
        "wc": (uses_per_step["wc_female"] + uses_per_step["wc_male"]) * flush_l / 1000.0,
        "urinal": uses_per_step["urinal"] * spec.urinal_flush_l / 1000.0,
        "washbasin": uses_per_step["washbasin"] * spec.washbasin_l_per_use / 1000.0,
        "kitchenette": uses_per_step["kitchenette"] * spec.kitchenette_l_per_use / 1000.0,
    }


def _at_hour(civil_times: pd.DatetimeIndex, hour: int, per_day: pd.Series) -> np.ndarray:
    """Spread each civil day's volume evenly over the steps of ``hour`` that day."""
    dates = civil_times.normalize().tz_localize(None)
    in_hour = np.asarray(civil_times.hour == hour)
    steps_in_hour = pd.Series(in_hour, index=dates).groupby(level=0).transform("sum").to_numpy()
    volume = per_day.reindex(dates).fillna(0.0).to_numpy()
    return np.where(in_hour, volume / np.maximum(steps_in_hour, 1), 0.0)


def cleaning_m3(civil_times: pd.DatetimeIndex, open_any: np.ndarray, floor_area_m2: float, spec: WaterUses) -> np.ndarray:
    """Cleaning water on days the building opened, drawn at ``spec.cleaning_hour`` [m3 per step]."""
    dates = civil_times.normalize().tz_localize(None)
    opened = pd.Series(open_any, index=dates).groupby(level=0).any()
    per_day = opened.astype(float) * spec.cleaning_l_per_m2_day * floor_area_m2 / 1000.0
    return _at_hour(civil_times, spec.cleaning_hour, per_day)


def irrigation_m3(civil_times: pd.DatetimeIndex, hourly_weather: pd.DataFrame, latitude_deg: float,
                  altitude_m: float, spec: Irrigation, hour: int) -> tuple[np.ndarray, pd.DataFrame]:
    """Irrigation water [m3 per step] and the daily FAO-56 table it came from.

    The daily need is max(0, K_c ET0 - f P) x A, skipped on rainy days and outside the
    watering months, drawn at the civil ``hour``.
    """
    daily = water.et0_daily_from_weather(hourly_weather, latitude_deg, altitude_m)
    need = water.irrigation_need_m3(
        daily["et0_mm"].to_numpy(), daily["precipitation_mm"].to_numpy(), spec.area_m2, spec.crop_coefficient,
        effective_rain_fraction=spec.effective_rain_fraction, skip_if_rain_mm=spec.skip_if_rain_mm,
    )
    index = pd.DatetimeIndex(daily.index)
    index = index.tz_localize(None) if index.tz is not None else index
    months = np.isin(index.month, spec.months)
    per_day = pd.Series(np.where(months, need, 0.0), index=index.normalize())
    daily = daily.assign(irrigation_m3=per_day.to_numpy())
    return _at_hour(civil_times, hour, per_day), daily
