"""Sweeps safe at scale (issue 17): one-line refusals, the lock, --set, units in the store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("distributed")
pytest.importorskip("SALib")

from twin import cli  # noqa: E402
from twin import sweep as sw  # noqa: E402
from twin.errors import ScenarioError, TwinError  # noqa: E402

from .test_sweep import TINY, _write  # noqa: E402


def _main(capsys, *argv: str) -> tuple[int, str]:
    """Exit status and stderr of ``twin ARGV``."""
    code = cli.main(list(argv))
    return code, capsys.readouterr().err


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("twin: error: "), err
    return lines[0]


def test_sobol_samples_must_be_a_power_of_two(tmp_path, capsys):
    path = _write(tmp_path, TINY.replace('design = "lhs"\nsamples = 6', 'design = "sobol"\nsamples = 48'))
    code, err = _main(capsys, "sweep", str(path), "--serial", "--out", str(tmp_path / "out"))
    line = _one_line(err)
    assert code == 2 and "field 'samples'" in line and "power of 2" in line and "32 or 64" in line
    assert "got 48" in line and not (tmp_path / "out").exists()


def test_design_too_large_is_refused_before_sampling(tmp_path, capsys):
    grid = TINY.replace('design = "lhs"\nsamples = 6', 'design = "grid"').replace(
        "range = [1.5, 10.0]", "range = [1.5, 10.0]\nlevels = 1000").replace(
        'distribution = "triangular"', "levels = 1000")
    grid += '\n[[parameters]]\nname = "pv"\npath = "pv.arrays.roof_south.peak_power_kwp"\nrange = [60.0, 120.0]\nlevels = 1000\n'
    path = _write(tmp_path, grid)
    assert sw.design_size(sw.load_sweep(path, check_paths=False)) == 10**9
    code, err = _main(capsys, "sweep", str(path), "--serial", "--out", str(tmp_path / "out"))
    line = _one_line(err)
    assert code == 2 and str(path) in line and "2,000,000,000 runs" in line and "at most 100,000" in line


@pytest.mark.parametrize("item, expected", [
    ("nonsense", "--set 'nonsense': expected PATH=VALUE"),
    ("rainwater.tank_volume_m4=3", "--set rainwater.tank_volume_m4=3: "),
    ("rainwater.tank_volume_m3=-5", "--set rainwater.tank_volume_m3=-5: "),
])
def test_bad_set_is_one_line(tmp_path, capsys, item, expected):
    path = _write(tmp_path, TINY)
    code, err = _main(capsys, "sweep", str(path), "--serial", "--out", str(tmp_path / "out"), "--set", item)
    line = _one_line(err)
    assert code == 2 and expected in line, line


def test_set_applies_to_every_variant_and_is_recorded(tmp_path):
    path = _write(tmp_path, TINY)
    out = tmp_path / "out"
    res = sw.run_sweep(path, out, serial=True, progress=False, analysis=False, max_variants=2,
                       set_overrides={"tariffs.water_eur_m3": 10.0})
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["set"] == {"tariffs.water_eur_m3": 10.0}
    plain = sw.run_sweep(path, tmp_path / "plain", serial=True, progress=False, analysis=False, max_variants=2)
    both = res.rows.merge(plain.rows, on="variant_id", suffixes=("_set", ""))
    assert len(both) == 2 and (both["operating_cost_eur_set"] > both["operating_cost_eur"]).all()
    # A --set changes the definition: the stored rows are not mixed with rows of another base.
    with pytest.raises(TwinError, match="another sweep definition"):
        sw.run_sweep(path, out, serial=True, progress=False, analysis=False, max_variants=1)


def test_a_second_sweep_into_the_same_folder_is_refused(tmp_path, capsys):
    path = _write(tmp_path, TINY)
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (out / sw.LOCK).write_text(f"{holder.pid} {sw.socket.gethostname()}\n")
        code, err = _main(capsys, "sweep", str(path), "--serial", "--out", str(out), "--no-progress")
        line = _one_line(err)
        assert code == 2 and f"pid {holder.pid}" in line and "another sweep" in line
        assert not (out / "manifest.json").exists() and (out / sw.LOCK).exists()
    finally:
        holder.kill()
        holder.wait(10)
    # Its process is gone: the lock is stale, taken over, and removed at the end.
    res = sw.run_sweep(path, out, serial=True, progress=False, analysis=False, max_variants=1)
    assert res.ran == 1 and not (out / sw.LOCK).exists()


def test_lock_is_released_after_an_error(tmp_path):
    path = _write(tmp_path, TINY)
    out = tmp_path / "out"
    sw.run_sweep(path, out, serial=True, progress=False, analysis=False, max_variants=1)
    with pytest.raises(TwinError, match="another sweep definition"):
        sw.run_sweep(_write(tmp_path, TINY.replace("samples = 6", "samples = 5"), "b.toml"), out,
                     serial=True, progress=False)
    assert not (out / sw.LOCK).exists()


def test_results_carry_kpi_units(tmp_path):
    path = _write(tmp_path, TINY)
    out = tmp_path / "out"
    sw.run_sweep(path, out, serial=True, progress=False, analysis=False, max_variants=2)
    units = sw.kpi_units(out / "results.parquet")
    assert units["net_cost_eur"] == "EUR" and units["district_heat_mwh"] == "MWh" and units["pv_mwh"] == "MWh"
    assert "tank_volume_m3" not in units and "variant_id" not in units
    assert json.loads((out / "manifest.json").read_text())["kpi_units"] == sw.KPI_UNITS
    assert len(pd.read_parquet(out / "results.parquet")) == 2


def test_non_twin_exception_fails_only_that_variant(tmp_path, monkeypatch):
    path = _write(tmp_path, TINY)
    real = sw.run_variant
    first = sw.variants(sw.load_sweep(path))[0][0].variant_id

    def broken(task):
        if task["variant_id"] == first:
            raise ZeroDivisionError("a bug")
        return real(task)

    monkeypatch.setattr(sw, "run_variant", broken)
    res = sw.run_sweep(path, tmp_path / "out", serial=True, progress=False, analysis=False, max_variants=3)
    assert list(res.failed) == [first] and "ZeroDivisionError: a bug" in res.failed[first]
    assert "[worker pid " in res.failed[first] and len(res.rows) == 2
    assert json.loads((tmp_path / "out" / "failed.json").read_text()) == res.failed


def test_scenario_digest_sees_a_different_copy(tmp_path):
    from .conftest import BASELINE

    a = sw.scenario_digest(BASELINE, {"period.end": "2027-01-08"})
    assert a == sw.scenario_digest(BASELINE, {"period.end": "2027-01-08"})
    assert a != sw.scenario_digest(BASELINE, {"period.end": "2027-01-08", "tariffs.water_eur_m3": 10.0})
    with pytest.raises(ScenarioError):
        sw.scenario_digest(Path(tmp_path / "missing.toml"), {})
