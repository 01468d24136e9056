"""End to end through the `twin` command, as a user types it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from twin.cli import main

from .conftest import BASELINE, MODEL, ROOT

TWIN = [sys.executable, "-m", "twin.cli"]


def _run(args, cwd=ROOT):
    return subprocess.run([*TWIN, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_default_run_simulates_a_year_and_writes_results(tmp_path):
    """`twin run` with no argument, from a copy of the project: the README's main command."""
    for folder in ("models", "scenarios"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    done = _run(["run"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "District heat bought" in done.stdout and "Results written to" in done.stdout
    summary = json.loads((tmp_path / "results" / "baseline" / "summary.json").read_text())
    assert summary["meta"]["start"].startswith("2027-01-01")
    assert summary["meta"]["end"].startswith("2028-01-01")
    assert summary["heat"]["district_heat_kwh"] > 0
    assert (tmp_path / "results" / "baseline" / "timeseries.parquet").stat().st_size > 100_000


def test_run_with_options_out_seed_and_set(tmp_path, capsys):
    code = main(["run", str(BASELINE), "--out", str(tmp_path / "r"), "--seed", "3", "-q",
                 "--set", "period.end=2027-01-08", "--set", "ahu.heat_recovery.effectiveness=0.9"])
    assert code == 0
    assert capsys.readouterr().out == ""
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["meta"]["seed"] == 3 and summary["meta"]["end"].startswith("2027-01-08")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["run", "nowhere.toml"], ["nowhere.toml", "not found"]),
        (["run", str(BASELINE), "--set", "ahu.heat_recovery.efficiency=0.9"], ["no key 'efficiency'"]),
        (["run", str(BASELINE), "--set", "novalue"], ["--set 'novalue'", "PATH=VALUE"]),
        (["run", str(BASELINE), "--set", "seed=-4"], ["field 'seed'"]),
        (["check", str(ROOT / "pyproject.toml")], ["pyproject.toml", "neither a model"]),
        (["weather", "missing.epw"], ["missing.epw"]),
        # issue 13: worker counts, checked before any run (compare, sweep, calibrate share the check)
        (["compare", str(BASELINE), str(BASELINE), "--workers", "0"], ["--workers 0", "at least 1"]),
        (["sweep", str(ROOT / "scenarios" / "sweeps" / "tank-pv-hr.toml"), "--workers", "two"],
         ["--workers two", "whole number"]),
        (["calibrate", str(BASELINE), "missing.csv", "--param", "ahu.heat_recovery.effectiveness=0.5:0.9",
          "--workers=-1"], ["--workers -1", "at least 1"]),
    ],
)
def test_user_errors_are_one_line_and_exit_2(args, words):
    done = _run(args)
    assert done.returncode == 2
    err = done.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith("twin: error: ")
    for word in words:
        assert word in err


def test_bad_command_line_exits_2_with_usage():
    done = _run(["run", "--seed", "many"])
    assert done.returncode == 2 and "invalid int value" in done.stderr


def test_check_validates_both_kinds(capsys):
    assert main(["check", str(MODEL), str(BASELINE)]) == 0
    out = capsys.readouterr().out
    assert "valid model 'Le Numérique', 7 zones" in out and "valid scenario 'baseline'" in out


#: Loaded by a run, never by validation: `twin check` and the first step of every run stay light.
NOT_FOR_VALIDATION = ("numpy", "pandas", "scipy", "scipy.optimize", "pvlib", "matplotlib", "numba", "simpy",
                      "holidays")


def test_validation_imports_no_numerical_stack():
    """load_scenario, `twin check` and `twin schema` import pydantic and the schemas only (twin.config), in a
    fresh interpreter.

    Structural, not timed: a module-level import of numpy, pandas, pvlib... reached from twin.scenario
    or twin.cli fails here, whatever the machine's speed.
    """
    code = "\n".join([
        "import sys",
        "from twin.cli import main",
        "from twin.scenario import load_scenario",
        f"load_scenario({str(BASELINE)!r})",
        f"assert main(['check', {str(MODEL)!r}, {str(BASELINE)!r}]) == 0",
        "import tempfile",
        "assert main(['schema', '--out', tempfile.mkdtemp()]) == 0",  # the sweep file's schema too
        f"print('loaded:', *[m for m in {NOT_FOR_VALIDATION!r} if m in sys.modules])",
    ])
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "loaded:"


def test_schema_writes_two_json_files(tmp_path):
    assert main(["schema", "--out", str(tmp_path)]) == 0
    for name in ("model.schema.json", "scenario.schema.json"):
        assert json.loads((tmp_path / name).read_text())["type"] == "object"


def test_weather_prints_the_monthly_climate_and_plots(tmp_path, capsys):
    assert main(["weather", "--plot", str(tmp_path / "climate.png")]) == 0
    out = capsys.readouterr().out
    assert "Monthly climate" in out and "Jan" in out
    assert (tmp_path / "climate.png").stat().st_size > 10_000


def test_run_with_report_writes_the_html(tmp_path):
    code = main(["run", str(BASELINE), "--out", str(tmp_path / "r"), "-q", "--report",
                 "--set", "period.end=2027-01-08", "--set", "period.warmup_days=2"])
    assert code == 0
    html = (tmp_path / "r" / "report.html").read_text()
    assert "data:image/png;base64" in html and "Key figures" in html
