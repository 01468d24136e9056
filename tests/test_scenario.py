"""Model and scenario files: loading, inheritance, overrides, and one line per mistake."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

import twin
from twin.errors import ScenarioError
from twin.scenario import apply_override, check_file, json_schemas, load_model_file

from .conftest import BASELINE, MODEL, ROOT


def test_baseline_loads_with_its_model(baseline_scenario):
    s = baseline_scenario
    assert s.name == "baseline"
    assert s.asset.building.name == "Le Numérique"
    assert sum(z.floor_area_m2 for z in s.asset.zones) == pytest.approx(3072.0)
    ground = sum(z.floor_area_m2 for z in s.asset.zones if z.floor == 0)
    assert ground == pytest.approx(792.0)  # DF §0: RDC 792 m2, upper floors 2,280 m2


def test_every_shipped_option_inherits_and_overrides():
    options = sorted((ROOT / "scenarios" / "options").glob("*.toml"))
    assert options
    for path in options:
        s = twin.load_scenario(path)
        assert s.name != "baseline"
        assert s.overrides, f"{path.name} changes nothing"
        assert s.tariffs == twin.load_scenario(BASELINE).tariffs  # inherited


def test_option_override_reaches_the_model():
    s = twin.load_scenario(ROOT / "scenarios" / "options" / "heat-recovery-90.toml")
    assert s.asset.ahu.heat_recovery.effectiveness == 0.90


def test_keyword_overrides_dotted_and_double_underscore():
    s = twin.load_scenario(BASELINE, seed=7, ahu__heat_recovery__effectiveness=0.7,
                           **{"zones.fablab.height_m": 5.0, "period.step_s": 600})
    assert s.seed == 7
    assert s.period.step_s == 600
    assert s.asset.ahu.heat_recovery.effectiveness == 0.7
    assert next(z for z in s.asset.zones if z.name == "fablab").height_m == 5.0


def test_apply_override_addresses_named_list_entries():
    data = {"zones": [{"name": "a", "x": 1}, {"name": "b", "x": 2}]}
    apply_override(data, "zones.b.x", 5)
    assert data["zones"][1]["x"] == 5


def test_check_file_describes_both_kinds():
    assert "valid model" in check_file(MODEL)
    assert "valid scenario 'baseline'" in check_file(BASELINE)


def test_json_schemas_are_json_for_every_kind():
    schemas = json_schemas()
    assert set(schemas) == {"model.schema.json", "scenario.schema.json", "sweep.schema.json"}
    assert "parameters" in json.loads(schemas["sweep.schema.json"])["properties"]
    model = json.loads(schemas["model.schema.json"])
    scenario = json.loads(schemas["scenario.schema.json"])
    assert "zones" in model["properties"]
    assert "inherits" in scenario["properties"] and "asset" not in scenario["properties"]


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(textwrap.dedent(text))
    return path


def _scenario(tmp: Path, body: str, name: str = "bad.toml") -> Path:
    """A scenario inheriting the baseline, with ``body`` appended."""
    return _write(tmp, name, f'inherits = "{BASELINE}"\nname = "bad"\n{body}')


# One row per class of mistake: (what the file holds, words the one-line error must contain).
BAD_SCENARIOS = {
    "unknown key": ("sed = 3\n", ["unknown key 'sed'"]),
    "wrong type": ('seed = "one"\n', ["field 'seed'", "'one'", "integer"]),
    "out of range": ("[period]\nstep_s = 700\n", ["period.step_s", "does not divide 3600"]),
    "negative value": ("seed = -1\n", ["field 'seed'", "greater than or equal to 0"]),
    "dates reversed": ("[period]\nstart = 2027-06-01\nend = 2027-01-01\n", ["period", "must be after start"]),
    "override typo": ('[overrides]\n"ahu.heat_recovery.efficiency" = 0.9\n',
                      ["ahu.heat_recovery.efficiency", "no key 'efficiency'", "effectiveness"]),
    "override unknown zone": ('[overrides]\n"zones.kitchen.height_m" = 3.0\n', ["no entry named 'kitchen'", "fablab"]),
    "override out of range": ('[overrides]\n"ahu.heat_recovery.effectiveness" = 1.4\n',
                              ["ahu.heat_recovery.effectiveness", "1.4", "less than or equal to 1"]),
    "override breaks area sum": ('[overrides]\n"zones.fablab.floor_area_m2" = 10.0\n', ["add up to", "3072"]),
    "bad enum": ('[overrides]\n"envelope.ground_model" = "concrete"\n', ["envelope.ground_model", "'concrete'", "iso13370"]),
    "bad weather": ('[weather]\nsource = 12\n', ["weather.source", "string"]),
}


@pytest.mark.parametrize("case", sorted(BAD_SCENARIOS))
def test_bad_scenario_gives_one_line_naming_file_and_field(tmp_path, case):
    body, words = BAD_SCENARIOS[case]
    path = _scenario(tmp_path, body)
    with pytest.raises(ScenarioError) as err:
        twin.load_scenario(path)
    msg = str(err.value)
    assert "\n" not in msg
    assert ("bad.toml" in msg) or ("le-numerique.toml" in msg)
    for word in words:
        assert word in msg, f"{case}: {word!r} not in {msg!r}"


def test_missing_scenario_file(tmp_path):
    with pytest.raises(ScenarioError, match=r"nothere\.toml: scenario file not found"):
        twin.load_scenario(tmp_path / "nothere.toml")


def test_invalid_toml_syntax(tmp_path):
    path = _write(tmp_path, "broken.toml", "name = \n")
    with pytest.raises(ScenarioError, match=r"broken\.toml: not valid TOML"):
        twin.load_scenario(path)


def test_missing_model_file(tmp_path):
    path = _scenario(tmp_path, 'model = "nowhere.toml"\n')
    with pytest.raises(ScenarioError, match=r"nowhere\.toml: model file not found"):
        twin.load_scenario(path)


def test_missing_parent_scenario(tmp_path):
    path = _write(tmp_path, "child.toml", 'inherits = "parent.toml"\nname = "child"\n')
    with pytest.raises(ScenarioError, match=r"child\.toml: field 'inherits' = 'parent\.toml': file not found"):
        twin.load_scenario(path)


def test_inheritance_loop(tmp_path):
    _write(tmp_path, "a.toml", 'inherits = "b.toml"\n')
    _write(tmp_path, "b.toml", 'inherits = "a.toml"\n')
    with pytest.raises(ScenarioError, match="makes a loop"):
        twin.load_scenario(tmp_path / "a.toml")


def test_missing_required_field(tmp_path):
    path = _write(tmp_path, "lonely.toml", f'model = "{MODEL}"\nname = "x"\nseed = 1\n')
    with pytest.raises(ScenarioError, match=r"missing required field 'period'"):
        twin.load_scenario(path)


def test_model_reference_to_undefined_profile(tmp_path):
    text = MODEL.read_text().replace('profile = "fablab"', 'profile = "makerspace"')
    text = text.replace('occupancy_model = "discrete_events"', 'occupancy_model = "schedule"')
    path = _write(tmp_path, "model.toml", text)
    with pytest.raises(ScenarioError, match=r"zone fablab: occupancy.profile 'makerspace' is not defined"):
        load_model_file(path)


def test_population_in_an_unknown_zone(tmp_path):
    text = MODEL.read_text().replace('zone = "coworking"', 'zone = "cowork"', 1)
    path = _write(tmp_path, "model.toml", text)
    with pytest.raises(ScenarioError, match=r"occupancy.populations.coworkers.zone 'cowork' is not a zone"):
        load_model_file(path)


def test_schedule_model_runs_without_populations():
    s = twin.load_scenario(BASELINE, occupancy_model="schedule")
    assert s.asset.occupancy_model == "schedule"


def test_model_unknown_key_names_the_zone(tmp_path):
    text = MODEL.read_text().replace("height_m = 4.0\nwall_area_m2 = { north = 38.0 }",
                                     "height_m = 4.0\nheigth_m = 4.0\nwall_area_m2 = { north = 38.0 }")
    path = _write(tmp_path, "model.toml", text)
    with pytest.raises(ScenarioError, match=r"unknown key 'zones.immersive_room.heigth_m'"):
        load_model_file(path)


def test_check_file_rejects_a_file_of_neither_kind(tmp_path):
    path = _write(tmp_path, "other.toml", "title = 'x'\n")
    with pytest.raises(ScenarioError, match="neither a model"):
        check_file(path)


def test_ground_model_and_b_factor_must_agree():
    with pytest.raises(ScenarioError, match="ground_temperature_factor is used only with ground_model = 'b_factor'"):
        twin.load_scenario("scenarios/baseline.toml", **{"envelope.ground_temperature_factor": 0.5})
    with pytest.raises(ScenarioError, match="'b_factor' needs envelope.ground_temperature_factor"):
        twin.load_scenario("scenarios/baseline.toml", **{"envelope.ground_model": "b_factor"})


def test_slab_edge_needs_the_iso_13370_ground_model():
    with pytest.raises(ScenarioError, match="ground_edge_psi_w_mk is used only with ground_model = 'iso13370'"):
        twin.load_scenario("scenarios/baseline.toml", **{"envelope.ground_model": "b_factor",
                                                         "envelope.ground_temperature_factor": 0.5,
                                                         "envelope.ground_edge_psi_w_mk": "iso10211"})


@pytest.mark.parametrize("override, message", [
    ({"envelope.constructions.roof": "straw"}, "envelope.constructions.roof = 'straw' is not a construction"),
    ({"constructions.roof_timber.layers.insulation.material": "unobtainium"}, "material 'unobtainium' is not defined"),
    ({"zones.fablab.constructions.external_wall": "glass"}, "zones.fablab.constructions.external_wall = 'glass'"),
    ({"envelope.window_u_w_m2k": 6.5}, "leaves no glazing"),
    ({"zones.coworking.ground_floor_exposed_perimeter_m": 10.0}, "without ground_floor_area_m2"),
    ({"zones.fablab.heating.start_control": "optimum", "zones.fablab.heating.preheat_h": 0.0}, "preheat_h > 0"),
    ({"zones.fablab.ground_floor_exposed_perimeter_m": 0.0, "zones.immersive_room.ground_floor_exposed_perimeter_m": 0.0,
      "zones.training_rooms.ground_floor_exposed_perimeter_m": 0.0,
      "zones.reception_event.ground_floor_exposed_perimeter_m": 0.0}, "no exposed perimeter"),
])
def test_ground_and_optimum_start_inputs_are_checked(override, message):
    with pytest.raises(ScenarioError, match=message):
        twin.load_scenario("scenarios/baseline.toml", **override)
