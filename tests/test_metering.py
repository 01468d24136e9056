"""Meter files (twin mode): format, units, gaps, errors, ASHRAE Guideline 14 metrics, plots."""

from __future__ import annotations

import argparse
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

import twin
from twin.errors import TwinError
from twin.metering import (
    METERS,
    MeterError,
    compare_to_meters,
    cvrmse,
    nmbe,
    plot_meters,
    read_meters,
    simulated_per_interval,
    write_meter_csv,
)

from .conftest import BASELINE, ROOT

EXAMPLE = ROOT / "tests" / "data" / "meters_example.csv"
HOURLY = {"period.start": dt.date(2027, 1, 11), "period.end": dt.date(2027, 1, 18), "period.warmup_days": 2,
          "period.step_s": 3600}
HEADER = "timestamp,meter,quantity,unit,value\n"


@pytest.fixture(scope="module")
def week():
    return twin.simulate(twin.load_scenario(BASELINE, **HOURLY))


# ------------------------------------------------------------------------------------ metrics by hand

def test_metrics_by_hand():
    m, s = [10.0, 20.0, 30.0, 40.0], [11.0, 18.0, 33.0, 36.0]
    # m - s = [-1, 2, -3, 4]: sum 2, squares 30; mean measured 25; n - p = 3
    assert nmbe(m, s) == pytest.approx(2 / (3 * 25) * 100)  # 2.667 %
    assert cvrmse(m, s) == pytest.approx(math.sqrt(30 / 3) / 25 * 100)  # 12.649 %
    assert nmbe(m, s, p=0) == pytest.approx(2.0)
    assert cvrmse(m, s, p=0) == pytest.approx(math.sqrt(7.5) / 25 * 100)  # 10.954 %
    assert nmbe(m, m) == 0 and cvrmse(m, m) == 0
    assert nmbe([10, 10], [12, 12]) < 0  # the model over-predicts: negative NMBE (measured minus simulated)
    with pytest.raises(ValueError):
        cvrmse([1.0], [1.0])


# ------------------------------------------------------------------------------------- the example file

def test_example_file_reads_converts_and_reports_gaps():
    data = read_meters(EXAMPLE)
    assert set(data.meters) == {"district_heat", "grid_import", "pv", "water_mains", "rainwater"}
    assert EXAMPLE.read_text().startswith("# Synthetic")
    summary = data.summary().set_index("meter")
    assert summary.loc["district_heat", "total"] == pytest.approx(186.6)
    assert summary.loc["pv", "total"] == pytest.approx(30.5)  # Wh -> kWh
    assert summary.loc["water_mains", "total"] == pytest.approx(0.465)  # L and m3 -> m3, one empty value
    assert summary.loc["water_mains", "gaps"] == 1
    assert summary.loc["water_mains", "longest_gap"] == "1 interval(s)"
    assert summary.loc["grid_import", "resolution"] == "10 min"
    assert summary.loc["rainwater", "resolution"] == "monthly"
    # UTC timestamps are converted to local standard time (UTC+01:00)
    assert str(data.series["grid_import"].index[0]) == "2027-01-11 01:10:00+01:00"
    hourly = data.resample("hourly", ["district_heat", "grid_import"])
    # 10-min mean powers (6.0, 6.6, 6.0, 5.4, 6.0, 6.0 kW) -> 6.0 kWh in the hour from 01:00;
    # the incomplete hour from 02:00 is dropped
    assert hourly["grid_import"].dropna().to_dict() == {pd.Timestamp("2027-01-11 01:00+01:00"): pytest.approx(6.0)}
    monthly = data.resample("monthly", ["rainwater"])["rainwater"]
    assert list(monthly) == [14.2, 11.8]
    with pytest.raises(MeterError, match="spans more than one"):
        data.resample("hourly", ["rainwater"])


# ------------------------------------------------------------------------------------- bad files

BAD = {
    "wrong unit": ("2027-01-11T01:00:00+01:00,district_heat,energy,m3,3\n", ["row 2", "field 'unit' = 'm3'", "kWh"]),
    "unit of another quantity": ("2027-01-11T01:00:00+01:00,water_mains,volume,kWh,3\n", ["row 2", "'unit'"]),
    "wrong quantity": ("2027-01-11T01:00:00+01:00,water_mains,energy,kWh,3\n", ["row 2", "'quantity'"]),
    "unparseable timestamp": ("2027-01-11T01:00:00+01:00,pv,energy,kWh,3\n11/01/2027 02:00,pv,energy,kWh,3\n",
                              ["row 3", "'timestamp' = '11/01/2027 02:00'"]),
    "timestamp without offset": ("2027-01-11T01:00:00,pv,energy,kWh,3\n", ["row 2", "no UTC offset"]),
    "duplicated timestamp": ("2027-01-11T01:00:00+01:00,pv,energy,kWh,3\n2027-01-11T02:00:00+01:00,pv,energy,kWh,3\n"
                             "2027-01-11T01:00:00Z,pv,energy,kWh,4\n", ["rows", "duplicated timestamp", "pv"]),
    "overlapping series": ("2027-01-11T01:00:00+01:00,grid_import,energy,kWh,3\n"
                           "2027-01-11T02:00:00+01:00,grid_import,energy,kWh,3\n"
                           "2027-01-11T01:30:00+01:00,grid_import,power,kW,3\n"
                           "2027-01-11T02:30:00+01:00,grid_import,power,kW,3\n", ["overlapping series", "grid_import"]),
    "misaligned readings": ("2027-01-11T01:00:00+01:00,pv,energy,kWh,3\n2027-01-11T02:00:00+01:00,pv,energy,kWh,3\n"
                            "2027-01-11T03:00:00+01:00,pv,energy,kWh,3\n2027-01-11T03:20:00+01:00,pv,energy,kWh,3\n",
                            ["overlapping series", "pv"]),
    "unknown meter id": ("2027-01-11T01:00:00+01:00,gas,energy,kWh,3\n",
                         ["row 2", "unknown meter id", *METERS]),
    "negative value": ("2027-01-11T01:00:00+01:00,pv,energy,kWh,-3\n", ["row 2", "'value'", "≥ 0"]),
    "text value": ("2027-01-11T01:00:00+01:00,pv,energy,kWh,lots\n", ["row 2", "'value' = 'lots'"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_files_give_one_line_errors(tmp_path, case):
    body, expected = BAD[case]
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + body)
    with pytest.raises(MeterError) as info:
        read_meters(path)
    msg = str(info.value)
    assert "\n" not in msg
    assert str(path) in msg
    for part in expected:
        assert part in msg, (case, msg)
    assert isinstance(info.value, TwinError)


def test_missing_columns_and_file(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("time,meter,value\n")
    with pytest.raises(MeterError, match="missing column"):
        read_meters(path)
    with pytest.raises(MeterError, match="not found"):
        read_meters(tmp_path / "none.csv")


# ------------------------------------------------------------------------------------- comparison

def test_compare_to_meters_identical_and_biased(week, tmp_path):
    ts = week.timeseries
    frame = pd.DataFrame({m: simulated_per_interval(ts, m)["value"] for m in ("district_heat", "grid_import", "water_mains")})
    frame["district_heat"] *= 1.2  # metered 20 % above the twin
    path = write_meter_csv(tmp_path / "m.csv", frame, quantity={"water_mains": ("volume", "L"),
                                                                "grid_import": ("energy", "MWh")})
    data = read_meters(path)
    table = compare_to_meters(week, data, "hourly").set_index("meter")
    assert table.loc["grid_import", "n"] == 7 * 24
    assert abs(table.loc["grid_import", "nmbe_pct"]) < 1e-4 and table.loc["grid_import", "pass"]
    assert abs(table.loc["water_mains", "cvrmse_pct"]) < 1e-4
    heat = table.loc["district_heat"]
    # NMBE = Σ(m - s) / ((n - 1) m̄) = 0.2 Σs / ((n - 1) 1.2 Σs / n) = (0.2 / 1.2) n / (n - 1)
    n = heat["n"]
    assert heat["nmbe_pct"] == pytest.approx(100 * 0.2 / 1.2 * n / (n - 1), rel=1e-6)
    assert not heat["pass"] and heat["nmbe_limit_pct"] == 10 and heat["cvrmse_limit_pct"] == 30
    daily = compare_to_meters(week, data, "daily").set_index("meter")
    assert daily.loc["grid_import", "n"] == 7
    monthly = compare_to_meters(week, data, "monthly")
    assert (monthly["n"] == 0).all()  # one week: no complete month, no statistic
    assert (monthly["nmbe_limit_pct"] == 5).all() and (monthly["cvrmse_limit_pct"] == 15).all()
    paths = plot_meters(week, data, tmp_path / "plots", "daily", ["district_heat"])
    assert paths[0].name == "meter-district_heat-daily.png" and paths[0].stat().st_size > 1000


def test_twin_and_meter_intervals_line_up(week):
    """A 10-min meter summed hourly equals the twin's hourly energy on the same clock."""
    ts = week.timeseries
    hourly = simulated_per_interval(ts, "district_heat")
    ends = pd.date_range(ts.index[0] - pd.Timedelta("50min"), ts.index[-1], freq="10min")
    ten = pd.Series(np.repeat(hourly["value"].to_numpy() / 6, 6), index=ends)
    start = ten.index - pd.Timedelta("10min")
    from twin.metering import MeterData

    data = MeterData({"district_heat": pd.DataFrame({"start": start, "value": ten.to_numpy()}, index=ten.index)},
                     {"district_heat": {}}, "synthetic")
    table = compare_to_meters(week, data, "hourly")
    assert table["n"].iloc[0] == len(ts) and table["cvrmse_pct"].iloc[0] < 1e-9


# ------------------------------------------------------------------------------------- CLI

def _parser():
    from twin.calibration import register_cli

    parser = argparse.ArgumentParser(prog="twin")
    register_cli(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli_meters(tmp_path):
    console = Console(record=True, width=200)
    args = _parser().parse_args(["meters", str(EXAMPLE)])
    assert args.func(args, console) == 0
    text = console.export_text()
    assert "water_mains" in text and "monthly" in text
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "2027-01-11T01:00:00+01:00,gas,energy,kWh,3\n")
    args = _parser().parse_args(["meters", str(bad)])
    with pytest.raises(TwinError, match="unknown meter id"):
        args.func(args, console)
