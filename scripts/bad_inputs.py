"""Corpus of bad inputs (issue 17): how many are answered by one line on stderr and exit status 2?

Each case runs ``python -m twin.cli ...`` in a subprocess from the repository root, with files
written to a temporary folder, and is counted as answered when the exit status is 2 and stderr is
exactly one line. Run ``python scripts/bad_inputs.py [-j 2] [-k WORD]``; it prints one row per case
and the count per class.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EPW = ROOT.parent / "shared" / "reference" / "weather" / "FRA_AR_Lyon-Bron.AP.074800_TMYx.2004-2018.epw"
QUICK = ["--set", "period.end=2027-01-04", "--set", "period.warmup_days=0"]


def _scenario(tmp: Path, name: str, body: str, inherits: str = "") -> str:
    """A scenario file inheriting the baseline (or ``inherits``), with ``body`` appended."""
    parent = inherits or str(ROOT / "scenarios" / "baseline.toml")
    path = tmp / f"{name}.toml"
    path.write_text(f'inherits = "{parent}"\nname = "{name.replace("_", "-")}"\n{body}\n')
    return str(path)


def _chain(tmp: Path) -> str:
    prev = str(ROOT / "scenarios" / "baseline.toml")
    for i in range(60):
        prev = _scenario(tmp, f"chain{i}", "", prev)
    return prev


def _deep(tmp: Path) -> str:
    path = tmp / "deep.toml"
    path.write_text("model = 'x'\nname = 'deep'\na = " + "[" * 20000 + "]" * 20000 + "\n")
    return str(path)


def _weather_csv(tmp: Path, name: str, change: Callable | None = None) -> str:
    """A twin weather CSV of the embedded year 2027, modified by ``change(df)``."""
    from twin.weather import besancon_reference_year

    df = besancon_reference_year(2027, 1).data.copy()
    if change is not None:
        change(df)
    path = tmp / f"{name}.csv"
    out = df.copy()
    out.index = [t.isoformat() for t in df.index]
    out.index.name = "timestamp"
    out.to_csv(path)
    return str(path)


def _epw(tmp: Path, name: str, change: Callable[[list[str]], list[str]]) -> str:
    src = EPW if EPW.is_file() else Path("/work/shared/reference/weather") / EPW.name
    lines = src.read_text(encoding="utf-8", errors="replace").splitlines()
    path = tmp / f"{name}.epw"
    path.write_text("\n".join(change(lines)) + "\n", encoding="utf-8")
    return str(path)


def _epw_lat(lines: list[str]) -> list[str]:
    parts = lines[0].split(",")
    parts[6] = "999"
    return [",".join(parts), *lines[1:]]


def _epw_no_rain(lines: list[str]) -> list[str]:
    out = lines[:8]
    for line in lines[8:]:
        parts = line.split(",")
        parts[33] = "999"
        out.append(",".join(parts))
    return out


def _pvgis(tmp: Path, name: str, drop_location: bool = False, text: bool = False) -> str:
    from twin.weather import besancon_reference_year

    df = besancon_reference_year(2027, 1).data
    hourly = []
    for t, row in zip(df.index.tz_convert("UTC"), df.itertuples(), strict=True):
        hourly.append({"time(UTC)": t.strftime("%Y%m%d:%H%M"), "T2m": "warm" if text else row.temp_air,
                       "RH": row.relative_humidity, "G(h)": row.ghi, "Gb(n)": row.dni, "Gd(h)": row.dhi,
                       "IR(h)": 300.0, "WS10m": row.wind_speed, "WD10m": 180.0, "SP": row.pressure})
    inputs = {} if drop_location else {"location": {"latitude": 47.24, "longitude": 6.02, "elevation": 307.0}}
    doc = {"inputs": inputs, "outputs": {"months_selected": [{"month": m, "year": 2010} for m in range(1, 13)],
                                         "tmy_hourly": hourly}, "meta": {"inputs": {}}}
    path = tmp / f"{name}.json"
    path.write_text(json.dumps(doc))
    return str(path)


def _meters(tmp: Path, name: str, rows: list[str]) -> str:
    path = tmp / f"{name}.csv"
    path.write_text("timestamp,meter,quantity,unit,value\n" + "\n".join(rows) + "\n")
    return str(path)


def _summary_with_text(tmp: Path) -> str:
    """A results folder of a short run whose summary.json holds a string in a numeric field."""
    out = tmp / "runres"
    subprocess.run([sys.executable, "-m", "twin.cli", "run", "-q", "--out", str(out), *QUICK], cwd=ROOT,
                   check=True, capture_output=True)
    s = json.loads((out / "summary.json").read_text())
    s["heat"]["district_heat_kwh"] = "lots"
    (out / "summary.json").write_text(json.dumps(s))
    return str(out)


def _readonly(tmp: Path) -> str:
    """A folder nobody can write into, root included (chmod does not stop root)."""
    if os.geteuid() == 0:
        return "/proc/twin-out"
    d = tmp / "ro"
    d.mkdir()
    d.chmod(0o500)
    return str(d / "out")


def _file(tmp: Path) -> str:
    f = tmp / "afile.txt"
    f.write_text("x")
    return str(f)


def _rows(lines: int, fmt: str) -> list[str]:
    return [fmt.format(h=h + 1) for h in range(lines)]


BASE = "scenarios/baseline.toml"
PARAM = ["--param", "ahu.heat_recovery.effectiveness=0.6:0.9", "--meter", "district_heat", "--set", "period.start=2027-01-11",
         "--set", "period.end=2027-01-12"]
MEX = str(ROOT / "tests" / "data" / "meters_example.csv")


def cases(tmp: Path) -> list[tuple[str, str, Callable[[], list[str]]]]:
    """(class, name, argv maker): argv makers run lazily so that file setup is per case."""
    s = _scenario
    return [
        # 1. numbers
        ("numbers", "set nan", lambda: ["run", *QUICK, "--set", "ahu.heat_recovery.effectiveness=nan"]),
        ("numbers", "set inf threshold", lambda: ["run", *QUICK, "--set", "heat_network.resilience_threshold_c=inf"]),
        ("numbers", "night flush 1e9", lambda: ["run", *QUICK, "--set", "ahu.night_flush_zone_above_c=1e9"]),
        ("numbers", "free cooling -inf", lambda: ["run", *QUICK, "--set", "ahu.free_cooling_zone_above_c=-inf"]),
        ("numbers", "height 1e6", lambda: ["run", *QUICK, "--set", "zones.fablab.height_m=1e6"]),
        ("numbers", "tank 1e12", lambda: ["run", *QUICK, "--set", "rainwater.tank_volume_m3=1e12"]),
        ("numbers", "elec price inf", lambda: ["run", *QUICK, "--set", "tariffs.electricity.energy_eur_kwh=inf"]),
        ("numbers", "water price nan", lambda: ["run", *QUICK, "--set", "tariffs.water_eur_m3=nan"]),
        ("numbers", "truncnormal mean nan",
         lambda: ["run", *QUICK, "--set", "occupancy.populations.coworkers.arrival_h.mean=nan"]),
        ("numbers", "truncnormal high inf",
         lambda: ["run", *QUICK, "--set", "occupancy.populations.coworkers.stay_h.high=inf"]),
        ("numbers", "file override nan",
         lambda: ["run", *QUICK, s(tmp, "fnan", '[overrides]\n"envelope.window_u_w_m2k" = nan')]),
        ("numbers", "file setpoint inf",
         lambda: ["check", s(tmp, "finf", '[overrides]\n"ahu.supply_setpoint_c" = inf')]),
        # 2. structure
        ("structure", "60 inherits", lambda: ["check", _chain(tmp)]),
        ("structure", "TOML 20000 deep", lambda: ["check", _deep(tmp)]),
        ("structure", "pv = {}", lambda: ["run", *QUICK, s(tmp, "pvempty", '[overrides]\n"pv" = {}')]),
        ("structure", "rainwater = {}", lambda: ["run", *QUICK, s(tmp, "rwempty", '[overrides]\n"rainwater" = {}')]),
        ("structure", "start 1800", lambda: ["check", s(tmp, "y1800", "[period]\nstart = 1800-01-01")]),
        ("structure", "end 9999", lambda: ["check", s(tmp, "y9999", "[period]\nend = 9999-01-01")]),
        ("structure", "50 years", lambda: ["check", s(tmp, "y50", "[period]\nend = 2077-01-01")]),
        ("structure", "--set value 5000 deep", lambda: ["run", *QUICK, "--set", "seed=" + "[" * 5000 + "]" * 5000]),
        # 3. CLI arguments
        ("cli", "weather --year 0", lambda: ["weather", "--year", "0"]),
        ("cli", "weather --seed -1", lambda: ["weather", "--seed", "-1"]),
        ("cli", "weather --plot x.txt", lambda: ["weather", "--plot", str(tmp / "x.txt")]),
        ("cli", "calibrate --max-evals 0", lambda: ["calibrate", BASE, MEX, *PARAM, "--max-evals", "0", "--out", str(tmp / "c0")]),
        ("cli", "calibrate --weight -1", lambda: ["calibrate", BASE, MEX, *PARAM, "--weight", "district_heat=-1",
                                                  "--max-evals", "2", "--out", str(tmp / "c1")]),
        ("cli", "calibrate --weight unknown meter", lambda: ["calibrate", BASE, MEX, *PARAM, "--weight", "gas=2",
                                                            "--max-evals", "2", "--out", str(tmp / "c2")]),
        ("cli", "compare --seeds 0", lambda: ["compare", BASE, "scenarios/options/tank-40m3.toml", "--seeds", "0",
                                              *QUICK, "--out", str(tmp / "cmp0")]),
        ("cli", "report string in summary", lambda: ["report", _summary_with_text(tmp), "--out", str(tmp / "r.html")]),
        # 4. output paths
        ("output", "run --out file", lambda: ["run", *QUICK, "--out", _file(tmp)]),
        ("output", "compare --out file", lambda: ["compare", BASE, "scenarios/options/tank-40m3.toml", *QUICK,
                                                  "--out", _file(tmp)]),
        ("output", "sweep --out file", lambda: ["sweep", "scenarios/sweeps/tank-pv-hr.toml", "--serial", "--out", _file(tmp)]),
        ("output", "calibrate --out file", lambda: ["calibrate", BASE, MEX, *PARAM, "--max-evals", "2", "--out", _file(tmp)]),
        ("output", "schema --out file", lambda: ["schema", "--out", _file(tmp)]),
        ("output", "meters --plots file", lambda: ["meters", MEX, "--against", BASE, "--plots", _file(tmp),
                                                   "--set", "period.start=2027-01-11", "--set", "period.end=2027-01-12"]),
        ("output", "run --out read-only", lambda: ["run", *QUICK, "--out", _readonly(tmp)]),
        ("output", "run --out twin/", lambda: ["run", *QUICK, "--out", str(ROOT / "twin" / "zz-bad-out")]),
        # 5. meters
        ("meters", "decimal comma", lambda: ["meters", _meters(tmp, "comma", _rows(
            5, '2027-01-11T{h:02d}:00:00+01:00,district_heat,energy,kWh,"21,4"'))]),
        ("meters", "extra field", lambda: ["meters", _meters(tmp, "extra", _rows(
            5, "2027-01-11T{h:02d}:00:00+01:00,district_heat,energy,kWh,21,4"))]),
        ("meters", "missing field", lambda: ["meters", _meters(tmp, "short", _rows(
            5, "2027-01-11T{h:02d}:00:00+01:00,district_heat,energy,kWh") )]),
        ("meters", "no overlap", lambda: ["meters", _meters(tmp, "far", _rows(
            20, "2025-01-11T{h:02d}:00:00+01:00,district_heat,energy,kWh,21.4")), "--against", BASE,
            "--set", "period.end=2027-01-08"]),
        # 6. weather
        ("weather", "EPW latitude 999 (weather)", lambda: ["weather", _epw(tmp, "lat", _epw_lat)]),
        ("weather", "EPW latitude 999 (run)", lambda: ["run", *QUICK, "--set",
                                                       f"weather.source={_epw(tmp, 'lat2', _epw_lat)}"]),
        ("weather", "EPW precipitation all missing", lambda: ["weather", _epw(tmp, "norain", _epw_no_rain)]),
        ("weather", "PVGIS no location", lambda: ["weather", _pvgis(tmp, "noloc", drop_location=True)]),
        ("weather", "PVGIS text in T2m", lambda: ["weather", _pvgis(tmp, "text", text=True)]),
        ("weather", "CSV RH fraction", lambda: ["weather", _weather_csv(
            tmp, "rhfrac", lambda d: d.__setitem__("relative_humidity", d["relative_humidity"] / 100))]),
        ("weather", "CSV rain in metres", lambda: ["weather", _weather_csv(
            tmp, "rainm", lambda d: d.__setitem__("precipitation_mm", d["precipitation_mm"] / 1000))]),
        ("weather", "CSV rain in tenths of mm", lambda: ["weather", _weather_csv(
            tmp, "rain10", lambda d: d.__setitem__("precipitation_mm", d["precipitation_mm"] * 20))]),
        ("weather", "CSV sun at night", lambda: ["weather", _weather_csv(
            tmp, "night", lambda d: d.__setitem__("ghi", d["ghi"].to_numpy()[::-1].copy()))]),
        ("weather", "CSV temperatures +25", lambda: ["weather", _weather_csv(
            tmp, "hot", lambda d: d.__setitem__("temp_air", d["temp_air"] + 25))]),
    ]


def run_case(argv_maker: Callable[[], list[str]]) -> tuple[int, str]:
    try:
        argv = argv_maker()
    except Exception as exc:  # setup failure: report, do not count
        return -1, f"setup failed: {exc!r}"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    try:
        p = subprocess.run([sys.executable, "-m", "twin.cli", *argv], cwd=ROOT, capture_output=True, text=True,
                           timeout=180, env=env)
    except subprocess.TimeoutExpired:
        return -2, "timeout"
    return p.returncode, p.stderr


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("-k", default="", help="only cases whose name contains this")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        todo = [c for c in cases(tmp) if args.k in c[1]]
        with ThreadPoolExecutor(args.j) as pool:
            results = list(pool.map(lambda c: run_case(c[2]), todo))
        (tmp / "ro").exists() and (tmp / "ro").chmod(0o700)
    totals: dict[str, list[int]] = {}
    for (cls, name, _), (rc, err) in zip(todo, results, strict=True):
        lines = [line for line in err.splitlines() if line.strip()]
        ok = rc == 2 and len(lines) == 1
        totals.setdefault(cls, [0, 0])
        totals[cls][0] += ok
        totals[cls][1] += 1
        shown = (lines[-1] if lines else "(no stderr)")[:150]
        print(f"{'OK ' if ok else 'BAD'} {cls:9s} {name:30s} rc={rc:3d} lines={len(lines):3d} {shown}")
    print()
    for cls, (ok, n) in totals.items():
        print(f"{cls:9s} {ok}/{n}")
    print(f"{'total':9s} {sum(v[0] for v in totals.values())}/{sum(v[1] for v in totals.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
