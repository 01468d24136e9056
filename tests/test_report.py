"""HTML reports of a run folder and of a comparison folder (twin.report)."""

from __future__ import annotations

import argparse
import html
import io
import json
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

import twin
from twin.compare import KPIS, Comparison, kpi_row
from twin.errors import TwinError
from twin.report import make_comparison_report, make_report, register_cli, write_report

from .conftest import ROOT, short_scenario

PNG_URI = "data:image/png;base64,"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    twin.simulate(short_scenario()).save(folder)
    return folder


@pytest.fixture(scope="module")
def report(run_dir):
    path = make_report(run_dir)
    return path, path.read_text(encoding="utf-8"), json.loads((run_dir / "summary.json").read_text())


def _assert_self_contained(text: str) -> None:
    assert 'src="http' not in text and "src='http" not in text
    assert "<link" not in text
    assert "<script" not in text
    assert "url(" not in text  # no CSS resource either
    assert "@import" not in text


def test_report_is_written_and_self_contained(report, run_dir):
    path, text, _ = report
    assert path == run_dir / "report.html"
    assert text.startswith("<!DOCTYPE html>")
    _assert_self_contained(text)
    assert "<style>" in text and 'name="viewport"' in text


def test_report_embeds_every_figure(report, run_dir):
    _, text, _ = report
    pngs = sorted((run_dir / "figures").glob("report-*.png"))
    names = {p.stem for p in pngs}
    assert names == {"report-energy-balance", "report-heat-carpet", "report-pv-self-consumption",
                     "report-tank-level", "report-occupancy-week", "report-costs"}
    assert text.count(PNG_URI) == len(pngs) == 6
    for p in pngs:
        assert p.stat().st_size > 5_000


def test_report_shows_the_key_figures(report):
    _, text, s = report
    meta = s["meta"]
    for expected in (
        meta["scenario"],
        html.escape(meta["description"]),
        html.escape(meta["weather_source"]),
        meta["twin_version"],
        f"{s['heat']['district_heat_kwh']:,.0f} kWh",
        f"{s['electricity']['grid_import_kwh']:,.0f} kWh",
        f"{s['electricity']['self_consumption_ratio'] * 100:,.0f} %",
        f"{s['water']['mains_m3']:,.1f} m³",
        f"{s['water']['rain_coverage_ratio'] * 100:,.0f} %",
        f"{s['cost_eur']['total']:,.0f} EUR",
        f"{s['cost_eur']['total'] - s['revenue_eur']['pv_export']:,.0f} EUR",
        f"{s['co2_kg']['total']:,.0f} kg CO₂",
        f"{s['comfort']['co2_hours_above_1000ppm']:,.0f} h",
        "RE2020 limit of 1,150 °C·h",
        "3,072 m²",
    ):
        assert expected in text, expected
    for reason in meta["not_simulated"].values():
        assert html.escape(reason) in text
    assert "not simulated" in text  # revenue_eur.ev_charging is null: shown as such, never 0
    # thousands separators where numbers reach thousands (district heat of two January weeks)
    assert s["heat"]["district_heat_kwh"] > 1_000 and "," in f"{s['heat']['district_heat_kwh']:,.0f}"


def test_report_without_tank_or_pv(run_dir, tmp_path):
    folder = tmp_path / "no-tank"
    shutil.copytree(run_dir, folder, ignore=shutil.ignore_patterns("figures", "report.html"))
    ts = pd.read_parquet(folder / "timeseries.parquet")
    drop = [c for c in ts.columns if c.startswith("tank_") or c in ("pv_kw", "grid_export_kw")
            or c.endswith(".occupants")]
    ts.drop(columns=drop).to_parquet(folder / "timeseries.parquet")
    summary = json.loads((folder / "summary.json").read_text())
    for key in ("rain_harvested_m3", "rain_used_m3", "overflow_m3", "rain_coverage_ratio", "tank_size_curve"):
        summary["water"][key] = None
    (folder / "summary.json").write_text(json.dumps(summary))
    out = make_report(folder, tmp_path / "elsewhere" / "r.html")
    text = out.read_text(encoding="utf-8")
    _assert_self_contained(text)
    pngs = sorted((out.parent / "figures").glob("report-*.png"))
    assert {p.stem for p in pngs} == {"report-energy-balance", "report-heat-carpet", "report-occupancy-week",
                                      "report-costs"}
    assert text.count(PNG_URI) == 4
    assert "no rainwater tank" in text and "no tank in this run" in text


def test_not_a_results_folder_is_a_one_line_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(TwinError) as err:
        write_report(tmp_path)
    msg = str(err.value)
    assert str(tmp_path) in msg and "summary.json" in msg and "summary.csv" in msg and "\n" not in msg
    with pytest.raises(TwinError, match="no such folder"):
        make_report(tmp_path / "missing")
    with pytest.raises(TwinError, match="timeseries.parquet"):
        (tmp_path / "summary.json").write_text('{"meta": {}}')
        (tmp_path / "timeseries.parquet").write_text("not parquet")
        make_report(tmp_path)


def test_bad_out_name_is_an_error(run_dir, tmp_path):
    with pytest.raises(TwinError, match=r"\.html"):
        make_report(run_dir, tmp_path / "report.pdf")


@pytest.fixture(scope="module")
def compare_dir(report, tmp_path_factory):
    """A comparison folder built from the short run's KPIs (no extra simulation)."""
    _, _, summary = report
    rows = []
    rng = np.random.default_rng(3)
    for seed in (1, 2, 3):
        base = kpi_row(summary)
        rows.append({"scenario": "baseline", "seed": seed, **base})
        for name, factor in (("heat-recovery-90", 0.93), ("pv-120kwp", 0.98)):
            row = {k: (v * factor * (1 + 0.01 * rng.standard_normal()) if np.isfinite(v) else v)
                   for k, v in base.items()}
            row.update(capex_eur=12_000.0, npv_eur=-4_000.0 + 500 * seed, irr=0.01, simple_payback_years=20.0)
            rows.append({"scenario": name, "seed": seed, **row})
    folder = tmp_path_factory.mktemp("compare")
    Comparison(runs=pd.DataFrame(rows, columns=["scenario", "seed", *KPIS]), baseline="baseline").save(folder)
    return folder


def test_comparison_report(compare_dir):
    path = make_comparison_report(compare_dir)
    assert path == compare_dir / "report.html"
    text = path.read_text(encoding="utf-8")
    _assert_self_contained(text)
    assert text.count(PNG_URI) == 1
    assert "heat-recovery-90" in text and "pv-120kwp" in text and "P10" in text
    summary = pd.read_csv(compare_dir / "summary.csv")
    base_cost = summary.query("indicator == 'net_cost_eur' and scenario == 'baseline'")["value_p50"].iloc[0]
    assert f"{base_cost:,.0f} EUR" in text
    npv = summary.query("indicator == 'npv_eur' and scenario == 'pv-120kwp'")["diff_p50"].iloc[0]
    assert f"{npv:,.0f} EUR" in text


HOSTILE = "<script>alert(1)</script> & co"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"


def test_text_from_the_data_is_escaped_in_the_run_report(run_dir, tmp_path):
    """Names, descriptions and reasons come from files: the autoescaping templates print them as text."""
    folder = tmp_path / "hostile-run"
    shutil.copytree(run_dir, folder, ignore=shutil.ignore_patterns("figures", "report.html"))
    summary = json.loads((folder / "summary.json").read_text())
    summary["meta"].update(scenario=HOSTILE, description=f"Tom & Jerry's {HOSTILE}", model="models/a&b<i>.toml",
                           weather_source=HOSTILE, not_simulated={"<b>gap</b>": HOSTILE})
    summary["comfort"]["worst_zone"] = HOSTILE
    summary["cost_eur"]["electricity_tariff"] = HOSTILE
    (folder / "summary.json").write_text(json.dumps(summary))
    text = make_report(folder).read_text(encoding="utf-8")
    _assert_self_contained(text)  # no "<script" at all
    assert f"<title>{ESCAPED} report</title>" in text and f"<h1>{ESCAPED}: energy" in text
    assert "Tom &amp; Jerry&#39;s " + ESCAPED in text and "a&amp;b&lt;i&gt;.toml" in text
    assert "<strong>&lt;b&gt;gap&lt;/b&gt;</strong>: " + ESCAPED in text
    assert f"(worst zone: {ESCAPED})" in text and f"(electricity tariff: {ESCAPED})" in text
    # the emphasis the report means is still HTML
    assert '<span class="ok">within</span>' in text or '<span class="bad">ABOVE</span>' in text
    assert "<strong>" in text and "&lt;strong&gt;" not in text and "&amp;amp;" not in text


def test_text_from_the_data_is_escaped_in_the_comparison_report(report, tmp_path):
    _, _, summary = report
    option = "opt<i>&amp;"
    rows = []
    for seed in (1, 2):
        base = kpi_row(summary)
        rows.append({"scenario": HOSTILE, "seed": seed, **base})
        rows.append({"scenario": option, "seed": seed, **{k: v * 0.9 for k, v in base.items()}})
    folder = tmp_path / "hostile-compare"
    Comparison(runs=pd.DataFrame(rows, columns=["scenario", "seed", *KPIS]), baseline=HOSTILE).save(folder)
    text = make_comparison_report(folder).read_text(encoding="utf-8")
    _assert_self_contained(text)
    assert f"<title>Options vs {ESCAPED}</title>" in text and f"compared with {ESCAPED}</h1>" in text
    assert f'<th class="num">{ESCAPED}</th>' in text
    assert '<td class="opt">opt&lt;i&gt;&amp;amp;</td>' in text and "opt<i>" not in text


def test_cli_handler_detects_the_folder_kind(run_dir, compare_dir, tmp_path):
    parser = argparse.ArgumentParser(prog="twin")
    register_cli(parser.add_subparsers(dest="command", required=True))
    console = Console(file=io.StringIO(), width=200)
    args = parser.parse_args(["report", str(compare_dir), "--out", str(tmp_path / "cmp.html")])
    assert args.func(args, console) == 0
    assert (tmp_path / "cmp.html").read_text(encoding="utf-8").count(PNG_URI) == 1
    args = parser.parse_args(["report", str(run_dir), "--out", str(tmp_path / "run.html")])
    assert args.func(args, console) == 0
    assert "run.html" in console.file.getvalue()
    args = parser.parse_args(["report", str(tmp_path / "nothing")])
    with pytest.raises(TwinError):
        args.func(args, console)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_report_renders_in_headless_chromium(report, tmp_path):
    from twin.plotting import pyplot

    path, _, _ = report
    shot = tmp_path / "shot.png"
    done = subprocess.run(["bash", str(ROOT / "scripts" / "check_report_browser.sh"), str(path), str(shot)],
                          capture_output=True, text=True, timeout=150)
    assert done.returncode == 0, done.stderr
    assert shot.stat().st_size > 50_000
    pixels = pyplot().imread(shot)
    assert pixels.shape[1] == 1280
    assert float(pixels[..., :3].std()) > 0.05  # text, tables and figures, not a blank page
