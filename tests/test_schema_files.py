"""The JSON Schemas `twin schema` writes accept every shipped file and refuse typos (issue 17)."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")

from twin.cli import main  # noqa: E402
from twin.sweep import sweep_json_schema  # noqa: E402

from .conftest import ROOT  # noqa: E402

SCENARIOS = sorted(p for p in (ROOT / "scenarios").rglob("*.toml") if "sweeps" not in p.parts)
MODELS = sorted((ROOT / "models").rglob("*.toml"))
SWEEPS = sorted((ROOT / "scenarios" / "sweeps").glob("*.toml"))


def _json(value):
    """TOML data as an editor's JSON view of it: dates and times become ISO strings."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def _read(path: Path) -> dict:
    return _json(tomllib.loads(path.read_text()))


@pytest.fixture(scope="module")
def validators(tmp_path_factory) -> dict[str, jsonschema.Draft202012Validator]:
    out = tmp_path_factory.mktemp("schemas")
    assert main(["schema", "--out", str(out), "--force"]) == 0
    schemas = {p.name: json.loads(p.read_text()) for p in out.glob("*.json")}
    assert main(["sweep", "schema", str(out)]) == 0
    schemas = {p.name: json.loads(p.read_text()) for p in out.glob("*.json")}
    assert set(schemas) == {"model.schema.json", "scenario.schema.json", "sweep.schema.json"}
    assert schemas["sweep.schema.json"] == json.loads(json.dumps(sweep_json_schema(), default=str))
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    return {name: jsonschema.Draft202012Validator(s) for name, s in schemas.items()}


def _errors(validator, data) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def test_every_shipped_file_validates(validators):
    assert len(SCENARIOS) >= 40 and sum("inherits" in _read(p) for p in SCENARIOS) >= 37
    assert MODELS and SWEEPS
    problems = {}
    for kind, files in (("scenario", SCENARIOS), ("model", MODELS), ("sweep", SWEEPS)):
        for path in files:
            errors = _errors(validators[f"{kind}.schema.json"], _read(path))
            if errors:
                problems[str(path.relative_to(ROOT))] = errors[:3]
    assert not problems, problems


@pytest.mark.parametrize("name, edit", [
    ("options/tank-40m3.toml", lambda d: d.update(colour="red")),          # unknown key in an option
    ("options/tank-40m3.toml", lambda d: d.update(seed=-1)),               # a bad value in an option
    ("baseline.toml", lambda d: d.pop("seed")),                            # a complete file needs every key
    ("baseline.toml", lambda d: d["period"].pop("start")),                 # ... down to nested tables
])
def test_scenario_schema_refuses_mistakes(validators, name, edit):
    data = _read(ROOT / "scenarios" / name)
    edit(data)
    assert _errors(validators["scenario.schema.json"], data)


def test_sweep_schema_refuses_mistakes(validators):
    data = _read(SWEEPS[0])
    assert not _errors(validators["sweep.schema.json"], data)
    for edit in (lambda d: d.update(colour="red"), lambda d: d.update(design="fractal"),
                 lambda d: d["parameters"][0].update(range=[1.0]), lambda d: d.pop("parameters")):
        bad = json.loads(json.dumps(data))
        edit(bad)
        assert _errors(validators["sweep.schema.json"], bad), edit
