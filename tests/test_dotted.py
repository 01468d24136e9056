"""twin.dotted: the one parser and reader of dotted paths (scenarios, models, summaries, --set)."""

from __future__ import annotations

import datetime as dt

import pytest

from twin import load_scenario
from twin.dotted import (
    MAX_DEPTH,
    depth,
    flatten,
    get,
    parse_assignments,
    parse_value,
    scenario_value,
)
from twin.errors import ScenarioError

from .conftest import ROOT

TREE = {"heat": {"district_heat_kwh": 21.7e3, "peak_kw": None},
        "zones": [{"name": "fablab", "height_m": 4.5}, {"name": "coworking", "height_m": 3.0}]}


def test_get_walks_dicts_and_named_lists():
    assert get(TREE, "heat.district_heat_kwh") == 21.7e3
    assert get(TREE, ("zones", "coworking", "height_m")) == 3.0


def test_get_is_lenient_unless_strict():
    assert get(TREE, "heat.missing") is None
    assert get(TREE, "heat.peak_kw.value") is None  # a group not simulated
    assert get(TREE, "zones.nowhere.height_m") is None
    with pytest.raises(ScenarioError, match="'zones.nowhere.height_m': no entry named 'nowhere'"):
        get(TREE, "zones.nowhere.height_m", strict=True)
    with pytest.raises(ScenarioError, match="no key 'missing'"):
        get(TREE, "heat.missing", strict=True)


def test_flatten_gives_dotted_keys_and_refuses_empty_tables():
    assert flatten({"ahu": {"heat_recovery": {"effectiveness": 0.85}}, "seed": 3}) == {
        "ahu.heat_recovery.effectiveness": 0.85, "seed": 3}
    with pytest.raises(ValueError, match="'pv' = {} is an empty table"):
        flatten({"pv": {}})


def test_parse_value_reads_toml_values_else_text():
    assert parse_value("0.85") == 0.85
    assert parse_value("true") is True
    assert parse_value("[1, 2]") == [1, 2]
    assert parse_value("2027-04-01") == dt.date(2027, 4, 1)
    assert parse_value("embedded") == "embedded"
    with pytest.raises(ScenarioError, match="nested more than"):
        parse_value("[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2))


def test_depth_counts_without_recursion():
    deep: list = []
    node = deep
    for _ in range(5000):
        node.append([])
        node = node[0]
    assert depth({"a": [1, {"b": 2}]}) == 3
    assert depth(deep) == MAX_DEPTH + 1  # stops counting past the limit, no RecursionError


def test_parse_assignments():
    assert parse_assignments(["a.b=1", " c = x "]) == {"a.b": 1, "c": "x"}
    for bad in ("a.b", "=1"):
        with pytest.raises(ScenarioError, match="expected PATH=VALUE"):
            parse_assignments([bad])


def test_scenario_value_reads_the_scenario_or_its_model():
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml")
    assert scenario_value(scenario, "seed") == scenario.seed
    assert scenario_value(scenario, "ahu.heat_recovery.effectiveness") == scenario.asset.ahu.heat_recovery.effectiveness
    assert scenario_value(scenario, "zones.fablab.floor_area_m2") == next(
        z.floor_area_m2 for z in scenario.asset.zones if z.name == "fablab")
    with pytest.raises(ScenarioError, match="no key 'nope'"):
        scenario_value(scenario, "ahu.nope")
