"""Design-option comparison with common random numbers."""

from __future__ import annotations

import pytest

from twin.cli import main
from twin.compare import KPIS, compare
from twin.errors import ScenarioError

from .conftest import BASELINE, ROOT

WEEK = {"period.start": "2027-01-11", "period.end": "2027-01-18", "period.warmup_days": 3}


def _write(tmp_path, name, body):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'inherits = "{BASELINE}"\nname = "{name}"\n{body}')
    return path


@pytest.fixture(scope="module")
def options(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("compare")
    same = _write(tmp, "same-as-base", '[overrides]\n"zones.fablab.height_m" = 4.0\n')  # the base value
    return [same, ROOT / "scenarios" / "options" / "heat-recovery-90.toml"]


@pytest.fixture(scope="module")
def result(options):
    return compare(BASELINE, options, seeds=[1, 2], overrides=_dates(), workers=2)  # on a local cluster


def _dates():
    import datetime as dt

    return {k: dt.date.fromisoformat(v) if "-" in str(v) else v for k, v in WEEK.items()}


def test_an_option_that_changes_nothing_differs_by_exactly_zero(result):
    # Common random numbers: same weather and same people per seed, so no noise at all.
    d = result.differences()
    same = d[d["scenario"] == "same-as-base"]
    assert (same[[k for k in KPIS]].fillna(0.0).abs().to_numpy() == 0.0).all()


def test_seeds_pair_the_options_and_give_different_years(result):
    assert result.seeds == [1, 2]
    base = result.runs[result.runs["scenario"] == "baseline"].set_index("seed")
    assert base.loc[1, "district_heat_mwh"] != base.loc[2, "district_heat_mwh"]


def test_better_heat_recovery_saves_heat_in_every_seed(result):
    d = result.differences()
    hr = d[d["scenario"] == "heat-recovery-90"]
    assert (hr["district_heat_mwh"] < 0).all() and (hr["heat_recovered_mwh"] > 0).all()
    s = result.summary()
    row = s[(s["scenario"] == "heat-recovery-90") & (s["indicator"] == "district_heat_mwh")].iloc[0]
    assert row["diff_p10"] <= row["diff_p50"] <= row["diff_p90"] < 0


def test_options_must_share_the_period(tmp_path):
    other = _write(tmp_path, "other-year", "[period]\nstart = 2028-01-01\nend = 2029-01-01\n")
    with pytest.raises(ScenarioError, match="period or weather source differ"):
        compare(BASELINE, [other])


def test_cli_compare_writes_its_tables(tmp_path, capsys):
    hr90 = ROOT / "scenarios" / "options" / "heat-recovery-90.toml"
    args = ["compare", str(BASELINE), str(hr90), "--out", str(tmp_path / "cmp")]
    for key, value in WEEK.items():
        args += ["--set", f"{key}={value}"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "heat-recovery-90" in out and "option minus baseline" in out
    assert "Caveat: the period covers 0.019 of a year" in out          # one week: 7/365
    md = (tmp_path / "cmp" / "comparison.md").read_text()
    assert "**Caveat:** life-cycle figures (NPV, IRR, paybacks) scale this period" in md
    assert "| district_heat_mwh | MWh |" in md
    for name in ("runs.csv", "differences.csv", "summary.csv"):
        assert (tmp_path / "cmp" / name).stat().st_size > 0


def test_life_cycle_of_an_option_with_an_investment(result):
    # heat-recovery-90 declares capex 12,000 EUR: its NPV and payback come from the simulated
    # savings scaled to a year; the no-op option declares none, so it has no life cycle.
    d = result.differences().set_index(["scenario", "seed"])
    hr = d.loc["heat-recovery-90"]
    assert (hr["capex_eur"] == 12_000.0).all()
    assert (hr["simple_payback_years"] > 0).all() and hr["npv_eur"].notna().all()
    assert d.loc["same-as-base"]["npv_eur"].isna().all()


def test_life_cycle_matches_the_finance_function_by_hand():
    # Savings of 1,000 EUR/yr for 20 years at 4 % against 12,000 EUR: NPV = -12,000 + 1,000 x
    # (1 - 1.04^-20)/0.04 = -12,000 + 13,590.33 = 1,590.33 EUR; simple payback 12 years.
    from twin.physics.finance import life_cycle

    lc = life_cycle(12_000.0, {"heat": 1_000.0}, {}, {}, 0.04, 20)
    assert lc["npv_eur"] == pytest.approx(-12_000 + 1_000 * (1 - 1.04 ** -20) / 0.04)
    assert lc["simple_payback_years"] == pytest.approx(12.0)


def test_an_option_that_changes_only_the_tank_leaves_the_energy_identical(tmp_path):
    # Common random numbers: the same weather and people, so the heat side and PV are identical to
    # the last digit; the only electrical difference allowed is the rainwater pump's energy.
    import twin

    dates = _dates()
    base = twin.simulate(twin.load_scenario(BASELINE, **dates)).summary
    tank = twin.simulate(twin.load_scenario(BASELINE, **dates, **{"rainwater.tank_volume_m3": 40.0})).summary
    assert tank["heat"] == base["heat"]
    assert tank["electricity"]["pv_kwh"] == base["electricity"]["pv_kwh"]
    pump = tank["electricity"]["by_use_kwh"]["rainwater_pump"] - base["electricity"]["by_use_kwh"]["rainwater_pump"]
    assert tank["electricity"]["demand_kwh"] - base["electricity"]["demand_kwh"] == pytest.approx(pump, abs=1e-9)


def test_compare_with_set_gets_its_own_folder_and_drops_a_stale_report(tmp_path, monkeypatch, capsys):
    # Newcomer findings of issue 17: `--set` must not write into the plain results/compare-<baseline>, and a
    # re-run without --report must not leave the previous report.html beside the new tables.
    from pathlib import Path

    from twin.cli import main

    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(tmp_path)
    args = [str(root / "scenarios" / "baseline.toml"), str(root / "scenarios" / "options" / "tank-40m3.toml"),
            "--set", "period.end=2027-01-05", "--set", "period.warmup_days=1", "-q"]
    assert main(["compare", *args, "--report"]) == 0
    [folder] = (tmp_path / "results").iterdir()
    assert folder.name.startswith("compare-baseline-set-") and (folder / "report.html").is_file()
    assert main(["compare", *args]) == 0
    assert not (folder / "report.html").exists() and (folder / "summary.csv").is_file()


def test_parallel_seeds_give_the_serial_tables(result, options):
    # Issue 13: the seeds ran on 2 worker processes (the fixture); in this process, one after another,
    # every table must be identical to the last bit (same inputs per seed, assembled in seed order).
    import pandas as pd

    serial = compare(BASELINE, options, seeds=[1, 2], overrides=_dates(), serial=True)
    pd.testing.assert_frame_equal(serial.runs, result.runs)
    pd.testing.assert_frame_equal(serial.zones, result.zones)
    pd.testing.assert_frame_equal(serial.differences(), result.differences())
    pd.testing.assert_frame_equal(serial.summary(), result.summary())
    assert serial.caveats == result.caveats


def test_one_seed_runs_in_this_process_without_a_cluster(monkeypatch):
    # Starting dask costs seconds: one task never starts it, whatever --workers says.
    from twin.executor import Executor

    def no_cluster(self, n_tasks):
        raise AssertionError("a cluster was started for one seed")

    monkeypatch.setattr(Executor, "_start", no_cluster)
    lines = []
    one = compare(BASELINE, [ROOT / "scenarios" / "options" / "tank-40m3.toml"], seeds=[3],
                  overrides={**_dates(), "period.end": _dates()["period.start"].replace(day=13)}, workers=2,
                  progress=lines.append)
    assert one.seeds == [3] and lines == ["seed 3: baseline", "seed 3: tank-40m3"]


@pytest.mark.parametrize("value, message", [
    ("0", "--workers 0: expected at least 1"),
    ("-2", "--workers -2: expected at least 1"),
    ("two", "--workers two: expected a whole number"),
    ("1.5", "--workers 1.5: expected a whole number"),
])
def test_cli_compare_refuses_bad_workers_before_any_work(value, message, tmp_path, capsys):
    hr90 = ROOT / "scenarios" / "options" / "heat-recovery-90.toml"
    assert main(["compare", str(BASELINE), str(hr90), "--out", str(tmp_path / "cmp"), f"--workers={value}"]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "cmp").exists()


def test_cli_compare_refuses_serial_with_a_scheduler(tmp_path, capsys):
    hr90 = ROOT / "scenarios" / "options" / "heat-recovery-90.toml"
    assert main(["compare", str(BASELINE), str(hr90), "--serial", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--serial and --scheduler exclude each other" in capsys.readouterr().err
