"""Parameter sweeps (issue 8): definitions, resumable store, dask execution, sensitivity."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")
pytest.importorskip("SALib")

from twin import sweep as sw  # noqa: E402
from twin.errors import ScenarioError, TwinError  # noqa: E402

from .conftest import BASELINE, ROOT  # noqa: E402

# Two April weeks at hourly steps, no warm-up: ~0.2 s a run, and it rains (the tank matters).
QUICK = """
[overrides]
"period.start" = 2027-04-01
"period.end" = 2027-04-15
"period.step_s" = 3600
"period.warmup_days" = 0
"rainwater.dead_volume_m3" = 0.5
"""

TINY = f"""
name = "tiny"
base = "{BASELINE.as_posix()}"
design = "lhs"
samples = 6
seeds = [1, 2]
kpis = ["rain_coverage", "district_heat_mwh", "net_cost_eur"]
{QUICK}
[[parameters]]
name = "tank_volume_m3"
path = "rainwater.tank_volume_m3"
range = [1.5, 10.0]

[[parameters]]
name = "hr_effectiveness"
path = "ahu.heat_recovery.effectiveness"
range = [0.6, 0.9]
distribution = "triangular"
"""



def _write(tmp_path: Path, text: str, name: str = "sweep.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _numbers(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows without the wall-clock column, in a fixed order."""
    return rows.drop(columns="runtime_s").sort_values("variant_id").reset_index(drop=True)


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory) -> Path:
    return _write(tmp_path_factory.mktemp("def"), TINY)


@pytest.fixture(scope="module")
def serial_run(tiny_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    res = sw.run_sweep(tiny_file, out, serial=True, progress=False)
    return out, res


# --------------------------------------------------------------------------- definitions

@pytest.mark.parametrize("edit, field", [
    (("design = \"lhs\"", "design = \"lhs\"\ncolour = \"red\""), "colour"),
    (("path = \"rainwater.tank_volume_m3\"", "path = \"rainwater.tank_volume_m4\""), "parameters[0]"),
    (("range = [1.5, 10.0]", "range = [10.0, 10.0]"), "parameters[0]': 'range'"),
    (("design = \"lhs\"", "design = \"fractal\""), "design"),
    (("range = [1.5, 10.0]", "range = [1.5, 10.0]\nsteps = 3"), "parameters[0].steps"),
    (("kpis = [\"rain_coverage\",", "kpis = [\"happiness\", \"rain_coverage\","), "kpis"),
])
def test_bad_sweep_files_give_one_line_errors(tmp_path, edit, field):
    path = _write(tmp_path, TINY.replace(*edit, 1))
    with pytest.raises(ScenarioError) as err:
        sw.load_sweep(path)
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg and field in msg, msg


def test_shipped_sweeps_are_valid():
    files = sorted((ROOT / "scenarios" / "sweeps").glob("*.toml"))
    assert len(files) >= 2
    for f in files:
        s = sw.load_sweep(f)
        variants, samples = sw.variants(s)
        assert len(variants) == len(set(v.variant_id for v in variants)) > 0
        assert samples["variant_id"].isin({v.variant_id for v in variants}).all()


def test_designs_and_deterministic_ids(tiny_file, tmp_path):
    s = sw.load_sweep(tiny_file)
    v1, _ = sw.variants(s)
    v2, _ = sw.variants(sw.load_sweep(tiny_file))
    assert [v.variant_id for v in v1] == [v.variant_id for v in v2] and len(v1) == 12
    for v in v1:  # within the ranges
        assert 1.5 <= v.params["tank_volume_m3"] <= 10 and 0.6 <= v.params["hr_effectiveness"] <= 0.9
    # A grid over discrete values; duplicated points collapse into one variant.
    grid = TINY.replace('design = "lhs"\nsamples = 6', 'design = "grid"').replace(
        "range = [1.5, 10.0]", "values = [2.0, 2.0, 5.0]").replace(
        "range = [0.6, 0.9]\ndistribution = \"triangular\"", "range = [0.6, 0.9]\nlevels = 3")
    variants, samples = sw.variants(sw.load_sweep(_write(tmp_path, grid)))
    assert len(samples) == 3 * 3 * 2 and len(variants) == 2 * 3 * 2


def test_factor_mode_multiplies_every_path(tmp_path):
    text = TINY.replace('path = "rainwater.tank_volume_m3"\nrange = [1.5, 10.0]',
                        'paths = ["zones.fablab.ventilation.infiltration_ach", "zones.reception_event.ventilation.infiltration_ach"]'
                        '\nmode = "factor"\nrange = [2.0, 3.0]').replace('name = "tank_volume_m3"', 'name = "infiltration"')
    s = sw.load_sweep(_write(tmp_path, text))
    v = sw.variants(s)[0][0]
    f = v.params["infiltration"]
    assert v.overrides["zones.fablab.ventilation.infiltration_ach"] == pytest.approx(0.1 * f)
    assert v.overrides["zones.reception_event.ventilation.infiltration_ach"] == pytest.approx(0.15 * f)
    assert not sw.occupancy_reusable(s)  # a zones.* path: no shared occupancy realisation


# --------------------------------------------------------------------------- store and execution

def test_serial_run_writes_rows_manifest_and_analysis(serial_run):
    out, res = serial_run
    rows = pd.read_parquet(out / "results.parquet")
    assert len(rows) == 12 and rows["variant_id"].is_unique and res.ran == 12 and not res.failed
    assert rows[["rain_coverage", "district_heat_mwh", "net_cost_eur"]].notna().all().all()
    manifest = __import__("json").loads((out / "manifest.json").read_text())
    assert manifest["n_variants"] == 12 and manifest["design"] == "lhs" and len(manifest["definition_sha256"]) == 64
    for name in ("tornado.csv", "tornado.png", "best.csv", "scatter_rain_coverage.png", "report.html"):
        assert (out / "analysis" / name).is_file()
    # A bigger tank never covers less rain demand, whatever the seed.
    for _seed, g in rows.groupby("seed"):
        g = g.sort_values("tank_volume_m3")
        assert (np.diff(g["rain_coverage"]) >= -1e-12).all()
    assert sw.status(out) == {**sw.status(out), "done": 12, "total": 12, "failed": 0}


def test_input_reuse_gives_the_same_numbers(tiny_file, serial_run, tmp_path):
    before = dict(sw.CACHE_STATS)
    sw.run_sweep(tiny_file, tmp_path / "again", serial=True, progress=False, analysis=False)
    after = sw.CACHE_STATS
    # 12 variants, 2 seeds: weather and people computed once per seed, reused 10 times.
    assert after["weather_reused"] - before["weather_reused"] >= 10
    assert after["occupancy_reused"] - before["occupancy_reused"] >= 10
    res = sw.run_sweep(tiny_file, tmp_path / "noreuse", serial=True, reuse=False, progress=False, analysis=False)
    pd.testing.assert_frame_equal(_numbers(res.rows), _numbers(serial_run[1].rows))


def test_rerun_skips_done_variants_and_changed_definition_needs_force(tiny_file, serial_run, tmp_path):
    out, _ = serial_run
    res = sw.run_sweep(tiny_file, out, serial=True, progress=False, analysis=False)
    assert res.ran == 0 and res.skipped == 12 and len(res.rows) == 12
    changed = _write(tmp_path, TINY.replace("samples = 6", "samples = 4"))
    with pytest.raises(TwinError, match="another sweep definition"):
        sw.run_sweep(changed, out, serial=True, progress=False)
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    res = sw.run_sweep(changed, copy, serial=True, progress=False, force=True, analysis=False)
    assert len(res.rows) == 8 and sw.status(copy)["total"] == 8


def test_killed_sweep_resumes_without_duplicates(tiny_file, serial_run, tmp_path):
    out = tmp_path / "killed"
    code = ("import sys; from twin import sweep; "
            "sweep.run_sweep(sys.argv[1], sys.argv[2], serial=True, progress=False, flush_s=0.0)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tiny_file), str(out)], start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / "rows").glob("*.parquet"))) >= 3:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the sweep finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    partial = sw.status(out)["done"]
    assert 3 <= partial < 12
    res = sw.run_sweep(tiny_file, out, serial=True, progress=False, analysis=False)
    assert res.ran == 12 - partial and res.skipped == partial
    parts = pd.concat([pd.read_parquet(f) for f in (out / "rows").glob("*.parquet")])
    assert len(parts) == 12 and parts["variant_id"].is_unique
    pd.testing.assert_frame_equal(_numbers(res.rows), _numbers(serial_run[1].rows))


def test_local_cluster_matches_serial(tiny_file, serial_run, tmp_path):
    res = sw.run_sweep(tiny_file, tmp_path / "local", workers=2, progress=False, analysis=False)
    pd.testing.assert_frame_equal(_numbers(res.rows), _numbers(serial_run[1].rows))


def test_cli_user_errors(tmp_path):
    parser = argparse.ArgumentParser()
    sw.register_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["sweep", "status", str(tmp_path)])
    with pytest.raises(TwinError, match="not a sweep directory"):
        args.handler(args)
    args = parser.parse_args(["sweep", str(tmp_path / "nope.toml"), "--serial"])
    with pytest.raises(TwinError, match="not found"):
        args.handler(args)


# --------------------------------------------------------------------------- sensitivity

def test_sobol_indices_of_the_ishigami_function(tmp_path):
    """Analytic values for a=7, b=0.1 (Ishigami & Homma 1990; Saltelli et al. 2008).

    N = 8192 base samples, first order only: N(D+2) = 40,960 evaluations. SALib's bootstrap 95 %
    half-widths at this N are 0.01-0.03 (an i.i.d. Monte Carlo bound; the scrambled Sobol' sequence
    does better: over sample seeds 1-3 the largest error seen was 0.002). The tolerance, 0.03, is the
    upper end of those intervals: tight enough to catch a wrong estimator, a mis-ordered sample or a
    mis-mapped range (those err by 0.1 or more), and not flaky.
    """
    from SALib.test_functions import Ishigami

    text = f"""
name = "ishigami"
base = "{BASELINE.as_posix()}"
design = "sobol"
samples = 8192
sample_seed = 3
[[parameters]]
path = "seed"
name = "x1"
range = [-3.141592653589793, 3.141592653589793]
[[parameters]]
path = "seed"
name = "x2"
range = [-3.141592653589793, 3.141592653589793]
[[parameters]]
path = "seed"
name = "x3"
range = [-3.141592653589793, 3.141592653589793]
"""
    s = sw.load_sweep(_write(tmp_path, text), check_paths=False)
    design = sw.make_design(s)
    x = np.array([[v[n] for n in ("x1", "x2", "x3")] for v in design.values])
    y = Ishigami.evaluate(x, A=7.0, B=0.1)
    idx = sw.sensitivity(design, y).set_index("parameter")
    np.testing.assert_allclose(idx["S1"], [0.3139, 0.4424, 0.0], atol=0.03)
    np.testing.assert_allclose(idx["ST"], [0.5576, 0.4424, 0.2437], atol=0.03)
    assert (idx["S1_conf"] < 0.04).all() and (idx["ST_conf"] < 0.04).all()


def test_sobol_and_morris_on_the_twin_rank_the_obvious_driver(tmp_path):
    text = TINY.replace('design = "lhs"\nsamples = 6\nseeds = [1, 2]', 'design = "sobol"\nsamples = 8\nseeds = [1]')
    text = text.replace('name = "tiny"', 'name = "tiny"\ndescription = "<script>alert(1)</script> & tank"')
    out = tmp_path / "sobol"
    res = sw.run_sweep(_write(tmp_path, text), out, serial=True, progress=False)
    assert len(res.rows) == 8 * (2 + 2)
    idx = pd.read_csv(out / "analysis" / "sensitivity.csv").set_index(["kpi", "parameter"])["ST"]
    assert idx["rain_coverage", "tank_volume_m3"] > 0.5 > idx["rain_coverage", "hr_effectiveness"]
    assert idx["district_heat_mwh", "hr_effectiveness"] > 0.5 > idx["district_heat_mwh", "tank_volume_m3"]
    # The plot shows these indices; no tornado (binned means of a Saltelli sample contradicted them).
    assert (out / "analysis" / "sensitivity.png").is_file() and not (out / "analysis" / "tornado.csv").exists()
    report = (out / "analysis" / "report.html").read_text()
    assert "<h2>sensitivity</h2>" in report and "data:image/png;base64," in report
    # The page comes from an autoescaped template: the file's text is data, never HTML.
    assert "<script>" not in report and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; tank" in report
    # Morris on the same model: elementary effects rank the same way.
    text = text.replace('design = "sobol"\nsamples = 8', 'design = "morris"\nsamples = 4')
    out = tmp_path / "morris"
    sw.run_sweep(_write(tmp_path, text, "morris.toml"), out, serial=True, progress=False)
    mu = pd.read_csv(out / "analysis" / "sensitivity.csv").set_index(["kpi", "parameter"])["mu_star"]
    assert mu["rain_coverage", "tank_volume_m3"] > mu["rain_coverage", "hr_effectiveness"]
