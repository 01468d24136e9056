"""Results: the summary contract, save/load, the column glossary."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from twin.results import Results, column_glossary

CONTRACT = {
    "meta": ["scenario", "model", "seed", "weather_source", "start", "end", "step_s", "twin_version", "runtime_s"],
    "heat": ["demand_kwh", "district_heat_kwh", "heat_recovered_kwh", "peak_kw", "unmet_hours"],
    "electricity": ["demand_kwh", "by_use_kwh", "pv_kwh", "pv_self_consumed_kwh", "pv_exported_kwh",
                    "grid_import_kwh", "self_consumption_ratio", "self_sufficiency_ratio"],
    "water": ["demand_m3", "rain_harvested_m3", "rain_used_m3", "mains_m3", "overflow_m3", "rain_coverage_ratio"],
    "comfort": ["hours_above_26c", "hours_above_28c", "degree_hours_above_comfort", "hours_below_setpoint",
                "hours_cold_operative"],
    "occupancy": ["visits", "person_hours", "peak_occupants"],
    "cost_eur": ["total"],
    "revenue_eur": ["pv_export", "ev_charging"],
    "co2_kg": ["total"],
    "capacity": ["district_heat", "electricity"],
    "balance": ["energy_error_kwh", "water_error_m3"],
}
NOT_YET: dict[str, list[str]] = {}  # every key of the contract is simulated for the baseline


@pytest.mark.parametrize("group", sorted(CONTRACT))
def test_summary_follows_the_results_contract(short_results, group):
    summary = short_results.summary
    for key in CONTRACT[group]:
        assert key in summary[group], f"{group}.{key} missing"
        if key in NOT_YET.get(group, []):
            assert summary[group][key] is None
        else:
            assert summary[group][key] is not None, f"{group}.{key} is null"


def test_save_and_load_round_trip(short_results, tmp_path):
    short_results.save(tmp_path / "out")
    back = Results.load(tmp_path / "out")
    pd.testing.assert_frame_equal(back.timeseries, short_results.timeseries, check_freq=False)
    assert back.summary == json.loads(json.dumps(short_results.summary))
    meta = pq.read_schema(tmp_path / "out" / "timeseries.parquet").metadata
    glossary = json.loads(meta[b"twin.columns"])
    assert set(glossary) == set(short_results.timeseries.columns)


def test_every_column_has_a_unit_and_a_meaning(short_results):
    zones = short_results.summary["meta"]["zones"]
    glossary = column_glossary(zones)
    assert set(glossary) == set(short_results.timeseries.columns)
    assert all(entry["unit"] and entry["description"] for entry in glossary.values())


def test_load_names_what_is_missing(tmp_path):
    from twin.errors import TwinError

    with pytest.raises(TwinError, match="no summary.json"):
        Results.load(tmp_path)


def test_docs_glossary_is_up_to_date():
    from twin.results import glossary_markdown

    from .conftest import ROOT

    assert (ROOT / "docs" / "glossary.md").read_text() == glossary_markdown(), (
        "regenerate docs/glossary.md from twin.results.glossary_markdown()"
    )


def test_units_travel_with_the_data(tmp_path):
    # Parquet field metadata for every column, restored into DataFrame.attrs by Results.load, and an
    # xarray Dataset with a zone dimension and units.
    import numpy as np

    import twin

    from .conftest import short_scenario

    res = twin.simulate(short_scenario(**{"period.end": "2027-01-13"}))
    assert res.timeseries.attrs["units"]["district_heat_kw"] == "kW"
    out = res.save(tmp_path / "run")
    schema = pq.read_schema(out / "timeseries.parquet")
    zones = res.summary["meta"]["zones"]
    glossary = column_glossary(zones)
    for col in res.timeseries.columns:
        assert schema.field(col).metadata[b"unit"].decode() == glossary[col]["unit"], col
    loaded = Results.load(out)
    assert loaded.timeseries.attrs["units"] == {c: glossary[c]["unit"] for c in res.timeseries.columns}
    ds = res.to_xarray()
    assert list(ds["zone"].values) == zones
    assert ds["temp_air_c"].dims == ("time", "zone") and ds["temp_air_c"].attrs["units"] == "°C"
    assert ds["district_heat_kw"].attrs["units"] == "kW"
    np.testing.assert_array_equal(ds["temp_air_c"].sel(zone="coworking").values,
                                  res.timeseries["coworking.temp_air_c"].to_numpy())
