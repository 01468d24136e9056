"""Issue 17: every bad input is answered by one line on stderr and exit status 2, before any work.

One parametrised table per class of input; each row is a command line (files written to
``tmp_path`` by a small maker) and words the message must hold.
"""

from __future__ import annotations

import pytest

from twin.cli import main

from .conftest import BASELINE

QUICK = ["--set", "period.end=2027-01-04", "--set", "period.warmup_days=0"]


def answer(argv: list[str], capsys) -> list[str]:
    """Run the CLI; assert exit status 2 and one line on stderr; return that line's words."""
    rc = main(argv)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert rc == 2, f"exit {rc}, stderr {err!r}"
    assert len(lines) == 1, err
    return lines


def _scenario(tmp_path, body: str, name: str = "bad") -> str:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'inherits = "{BASELINE}"\nname = "{name}"\n{body}\n')
    return str(path)


# --------------------------------------------------------------------- 1. numbers

NUMBERS = {
    "nan effectiveness": (["--set", "ahu.heat_recovery.effectiveness=nan"], ["effectiveness", "finite"]),
    "inf resilience": (["--set", "heat_network.resilience_threshold_c=inf"], ["resilience_threshold_c", "finite"]),
    "night flush 1e9": (["--set", "ahu.night_flush_zone_above_c=1e9"], ["night_flush_zone_above_c", "100"]),
    "free cooling -inf": (["--set", "ahu.free_cooling_zone_above_c=-inf"], ["free_cooling_zone_above_c", "finite"]),
    "storey 1 km": (["--set", "zones.fablab.height_m=1e3"], ["zones.fablab.height_m", "20"]),
    "tank 1e12": (["--set", "rainwater.tank_volume_m3=1e12"], ["tank_volume_m3", "10000"]),
    "inf electricity price": (["--set", "tariffs.electricity.energy_eur_kwh=inf"], ["energy_eur_kwh", "finite"]),
    "nan water price": (["--set", "tariffs.water_eur_m3=nan"], ["water_eur_m3", "finite"]),
    "nan arrival mean": (["--set", "occupancy.populations.coworkers.arrival_h.mean=nan"], ["arrival_h.mean", "finite"]),
    "inf stay high": (["--set", "occupancy.populations.coworkers.stay_h.high=inf"], ["stay_h.high", "finite"]),
    "slab edge psi 30": (["--set", "envelope.ground_edge_psi_w_mk=30"], ["ground_edge_psi_w_mk", "iso10211"]),
    "slab edge psi nan": (["--set", "envelope.ground_edge_psi_w_mk=nan"], ["ground_edge_psi_w_mk", "-0.5 to 2.0"]),
    "slab edge word": (["--set", "envelope.ground_edge_psi_w_mk=iso14683"], ["ground_edge_psi_w_mk", "iso10211"]),
    "floor 3 m above grade": (["--set", "envelope.floor_above_grade_m=3"], ["floor_above_grade_m", "1.5"]),
    "two errors": (["--set", "zones.fablab.height_m=1e3", "--set", "ahu.night_flush_zone_above_c=1e9"],
                   ["height_m", "night_flush_zone_above_c"]),
    "staff share without a staff rate": (["--set", "zones.coworking.ventilation.staff_share=0.5"],
                                         ["le-numerique.toml", "zones.coworking.ventilation", "staff_share",
                                          "staff_fresh_air_m3_h_per_person", "Code du travail"]),
    "unknown badge hours": (["--set", "occupancy.populations.office_tenants.access=nights"],
                            ["le-numerique.toml", "occupancy.populations.office_tenants.access", "nights",
                             "calendar.opening", "expected one of"]),
    "unknown zone kept open in the summer closure": (
        ["--set", 'calendar.summer_closure=[{start = "08-09", end = "08-22", except_zones = ["offices"]}]'],
        ["le-numerique.toml", "calendar.summer_closure[0].except_zones", "offices", "expected one of",
         "open_plan_floors"]),
    "staff share above 1": (["--set", "zones.training_rooms.ventilation.staff_share=1.5"],
                            ["zones.training_rooms.ventilation.staff_share", "1"]),
}


@pytest.mark.parametrize("sets, words", NUMBERS.values(), ids=NUMBERS.keys())
def test_non_finite_and_absurd_numbers(sets, words, capsys):
    [line] = answer(["run", str(BASELINE), *QUICK, *sets], capsys)
    for word in words:
        assert word in line


@pytest.mark.parametrize("body, words", [
    ('[overrides]\n"envelope.window_u_w_m2k" = nan', ["window_u_w_m2k", "finite"]),
    ('[overrides]\n"ahu.supply_setpoint_c" = inf', ["supply_setpoint_c", "finite"]),
    ("[tariffs]\nwater_eur_m3 = -inf", ["water_eur_m3", "finite"]),
], ids=["override nan", "override inf", "tariff -inf"])
def test_non_finite_numbers_in_files(tmp_path, body, words, capsys):
    [line] = answer(["check", _scenario(tmp_path, body)], capsys)
    for word in words:
        assert word in line


def _numeric_paths() -> list[str]:
    """Dotted paths of every number in the default model and scenario (zones and lists by name)."""
    import tomllib

    from .conftest import MODEL

    def walk(node, prefix: str):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, f"{prefix}.{key}" if prefix else key)
        elif isinstance(node, list) and node and all(isinstance(x, dict) and "name" in x for x in node):
            for item in node:
                yield from walk({k: v for k, v in item.items() if k != "name"}, f"{prefix}.{item['name']}")
        elif isinstance(node, int | float) and not isinstance(node, bool):
            yield prefix

    scenario = tomllib.loads(BASELINE.read_text())
    model = tomllib.loads(MODEL.read_text())
    return sorted(set(walk(scenario, "")) | set(walk(model, "")))


NUMERIC_PATHS = _numeric_paths()


def test_numeric_paths_cover_model_and_scenario():
    assert {"seed", "tariffs.water_eur_m3", "zones.fablab.height_m",
            "occupancy.populations.coworkers.arrival_h.mean"} <= set(NUMERIC_PATHS)


def _property_test():
    import math

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    import twin
    from twin.errors import ScenarioError

    values = st.one_of(
        st.sampled_from([math.nan, math.inf, -math.inf, 0, 0.0, -1, -1e300, 1e300, 2**63, -(2**63)]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(2**70), max_value=2**70),
    )

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.dictionaries(st.sampled_from(NUMERIC_PATHS), values, min_size=1, max_size=3))
    def check(overrides):
        try:
            twin.load_scenario(BASELINE, **overrides)
        except ScenarioError:
            return
        # loaded: then no NaN or infinity got in (they pass every bound unnoticed)
        assert all(math.isfinite(v) for v in overrides.values()), overrides

    return check


def test_random_numbers_load_or_raise_scenario_error():
    """Property: NaN, ±inf, huge, negative or zero in any numeric field loads or raises ScenarioError,
    and NaN or ±inf never loads."""
    _property_test()()


# ------------------------------------------------------------------- 2. structure

def _chain(tmp_path, n: int) -> str:
    parent = str(BASELINE)
    for i in range(n):
        path = tmp_path / f"c{i}.toml"
        path.write_text(f'inherits = "{parent}"\nname = "c{i}"\n')
        parent = str(path)
    return parent


STRUCTURE = {
    "60 inherits": (lambda tmp: _chain(tmp, 60), ["inherits", "50"]),
    "TOML 20,000 deep": (lambda tmp: _write(tmp, "a = " + "[" * 20000 + "]" * 20000), ["nested"]),
    "TOML 100 deep": (lambda tmp: _write(tmp, "a = " + "[" * 100 + "]" * 100), ["nested", "32"]),
    "pv = {}": (lambda tmp: _scenario(tmp, '[overrides]\n"pv" = {}'), ["'pv' = {}", "empty"]),
    "rainwater = {}": (lambda tmp: _scenario(tmp, '[overrides]\nrainwater = {}'), ["'rainwater' = {}"]),
    "start 1800": (lambda tmp: _scenario(tmp, "[period]\nstart = 1800-01-01"), ["period.start", "1900"]),
    "end 9999": (lambda tmp: _scenario(tmp, "[period]\nend = 9999-01-01"), ["period.end", "2200"]),
    "50 years": (lambda tmp: _scenario(tmp, "[period]\nend = 2077-01-01"), ["10 years"]),
    "end before start": (lambda tmp: _scenario(tmp, "[period]\nend = 2026-01-01"), ["after start"]),
}


def _write(tmp_path, text: str) -> str:
    path = tmp_path / "deep.toml"
    path.write_text(f"model = 'x.toml'\nname = 'deep'\n{text}\n")
    return str(path)


@pytest.mark.parametrize("make, words", STRUCTURE.values(), ids=STRUCTURE.keys())
def test_structure_limits(tmp_path, make, words, capsys):
    [line] = answer(["check", make(tmp_path)], capsys)
    for word in words:
        assert word in line


def test_deep_set_value_is_refused(capsys):
    [line] = answer(["run", str(BASELINE), "--set", "seed=" + "[" * 5000 + "]" * 5000], capsys)
    assert "nested" in line


# --------------------------------------------------------------- 3. CLI arguments

METERS_EXAMPLE = str(BASELINE.parents[1] / "tests" / "data" / "meters_example.csv")
CALIBRATE = ["calibrate", str(BASELINE), METERS_EXAMPLE, "--param", "ahu.heat_recovery.effectiveness=0.6:0.9",
             "--meter", "district_heat"]


def _damaged_summary(tmp_path) -> str:
    import json

    out = tmp_path / "run"
    assert main(["run", str(BASELINE), "-q", *QUICK, "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    summary["heat"]["district_heat_kwh"] = "lots"
    (out / "summary.json").write_text(json.dumps(summary))
    return str(out)


CLI = {
    "weather --year 0": (lambda tmp: ["weather", "--year", "0"], ["--year 0", "1900"]),
    "weather --seed -1": (lambda tmp: ["weather", "--seed", "-1"], ["--seed -1", ">= 0"]),
    "weather --plot x.txt": (lambda tmp: ["weather", "--plot", str(tmp / "x.txt")], ["--plot", ".txt", ".png"]),
    "run --seed -1": (lambda tmp: ["run", str(BASELINE), *QUICK, "--seed", "-1"], ["seed", "-1"]),
    "calibrate --max-evals 0": (lambda tmp: [*CALIBRATE, "--max-evals", "0", "--out", str(tmp / "c")],
                                ["--max-evals 0"]),
    "calibrate --weight x=-1": (lambda tmp: [*CALIBRATE, "--weight", "district_heat=-1", "--out", str(tmp / "c")],
                                ["--weight", "> 0"]),
    "calibrate --weight unknown": (lambda tmp: [*CALIBRATE, "--weight", "gas=2", "--out", str(tmp / "c")],
                                   ["no meter 'gas'"]),
    "compare --seeds 0": (lambda tmp: ["compare", str(BASELINE), str(BASELINE), "--seeds", "0"], ["--seeds 0"]),
    "report on a damaged summary": (lambda tmp: ["report", _damaged_summary(tmp)],
                                    ["heat.district_heat_kwh", "'lots'", "number"]),
}


@pytest.mark.parametrize("make, words", CLI.values(), ids=CLI.keys())
def test_command_line_arguments(tmp_path, make, words, capsys):
    [line] = answer(make(tmp_path), capsys)
    for word in words:
        assert word in line


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("twin ")


# ---------------------------------------------------------------- 4. output paths

def _a_file(tmp_path) -> str:
    path = tmp_path / "a-file.txt"
    path.write_text("x")
    return str(path)


def _unwritable(tmp_path) -> str:
    import os

    if os.geteuid() == 0:  # root ignores permission bits; /proc refuses everyone
        return "/proc/twin-out"
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    return str(folder / "out")


OUTPUTS = {
    "run --out file": lambda tmp: ["run", str(BASELINE), *QUICK, "--out", _a_file(tmp)],
    "compare --out file": lambda tmp: ["compare", str(BASELINE), str(BASELINE), "--out", _a_file(tmp)],
    "sweep --out file": lambda tmp: ["sweep", str(BASELINE.parent / "sweeps" / "tank-pv-hr.toml"), "--serial",
                                     "--out", _a_file(tmp)],
    "calibrate --out file": lambda tmp: [*CALIBRATE, "--out", _a_file(tmp)],
    "schema --out file": lambda tmp: ["schema", "--out", _a_file(tmp)],
    "meters --plots file": lambda tmp: ["meters", METERS_EXAMPLE, "--against", str(BASELINE), "--plots",
                                        _a_file(tmp)],
    "run --out read-only": lambda tmp: ["run", str(BASELINE), *QUICK, "--out", _unwritable(tmp)],
    "schema --out read-only": lambda tmp: ["schema", "--out", _unwritable(tmp)],
    "run --out twin/": lambda tmp: ["run", str(BASELINE), *QUICK, "--out",
                                    str(BASELINE.parents[1] / "twin" / "results")],
    "report --out folder": lambda tmp: ["report", str(tmp), "--out", str(tmp)],
    "report --out .txt": lambda tmp: ["report", str(tmp), "--out", str(tmp / "r.txt")],
}


@pytest.mark.parametrize("make", OUTPUTS.values(), ids=OUTPUTS.keys())
def test_output_paths_checked_first(tmp_path, make, capsys, monkeypatch):
    import twin

    def no_simulation(*args, **kwargs):
        raise AssertionError("simulated before checking the output path")

    monkeypatch.setattr(twin, "simulate", no_simulation)
    [line] = answer(make(tmp_path), capsys)
    assert "--out" in line or "--plots" in line


def test_run_with_overrides_names_its_folder_and_records_them(tmp_path, monkeypatch, capsys):
    import json

    monkeypatch.chdir(tmp_path)
    assert main(["run", str(BASELINE), "-q", *QUICK]) == 0
    [folder] = (tmp_path / "results").iterdir()
    assert folder.name.startswith("baseline-set-") and len(folder.name) == len("baseline-set-") + 6
    meta = json.loads((folder / "summary.json").read_text())["meta"]
    assert meta["overrides"] == {"period.end": "2027-01-04", "period.warmup_days": 0}


# ------------------------------------------------------------------ 5. meter files

def _meter_file(tmp_path, rows: list[str]) -> str:
    path = tmp_path / "meters.csv"
    path.write_text("# invented readings\ntimestamp,meter,quantity,unit,value\n" + "\n".join(rows) + "\n")
    return str(path)


def _hours(fmt: str, n: int = 6) -> list[str]:
    return [fmt.format(h=h) for h in range(1, n + 1)]


METER_FILES = {
    "decimal comma": (lambda tmp: ["meters", _meter_file(tmp, _hours("2027-01-11T{h:02d}:00:00+01:00,pv,energy,kWh,2,5"))],
                      ["row 3", "6 fields", "decimal comma"]),
    "quoted decimal comma": (lambda tmp: ["meters", _meter_file(tmp, _hours('2027-01-11T{h:02d}:00:00+01:00,pv,energy,kWh,"2,5"'))],
                             ["row 3", "'2,5'", "number"]),
    "missing field": (lambda tmp: ["meters", _meter_file(tmp, _hours("2027-01-11T{h:02d}:00:00+01:00,pv,energy,kWh,1")
                                                         + ["2027-01-11T08:00:00+01:00,pv,energy"])],
                      ["row 9", "3 fields"]),
    "no overlap with the run": (lambda tmp: ["meters", _meter_file(tmp, _hours("2025-01-11T{h:02d}:00:00+01:00,pv,energy,kWh,1")),
                                             "--against", str(BASELINE), *QUICK],
                                ["meter pv", "do not overlap", "2027-01-01"]),
}


@pytest.mark.parametrize("make, words", METER_FILES.values(), ids=METER_FILES.keys())
def test_meter_files(tmp_path, make, words, capsys, monkeypatch):
    import twin

    monkeypatch.setattr(twin, "simulate", lambda *a, **k: pytest.fail("simulated with a bad meter file"))
    [line] = answer(make(tmp_path), capsys)
    for word in words:
        assert word in line


def test_meter_reader_keeps_row_numbers_and_gaps(tmp_path):
    from twin.metering import read_meters

    rows = _hours("2027-01-11T{h:02d}:00:00+01:00,pv,energy,kWh,1")
    rows[2] = "2027-01-11T03:00:00+01:00,pv,energy,kWh,"  # an empty value is a gap
    data = read_meters(_meter_file(tmp_path, ["", *rows, "# end"]))
    assert data.info["pv"]["readings"] == 5 and data.info["pv"]["gaps"] == 1


# ---------------------------------------------------------------- 6. weather files

@pytest.fixture(scope="module")
def reference_year():
    from twin.weather import besancon_reference_year

    return besancon_reference_year(2027, 1).data


def _weather_csv(tmp_path, data, change) -> str:
    df = data.copy()
    change(df)
    df.index = [t.isoformat() for t in df.index]
    df.index.name = "timestamp"
    path = tmp_path / "weather.csv"
    df.to_csv(path)
    return str(path)


def _epw(tmp_path, change) -> str:
    # A real EPW written from the embedded Besançon year (twin.climate.write_epw), so that the test does
    # not depend on files outside the repository.
    from twin.climate import write_epw
    from twin.weather import load_weather

    source = tmp_path / "source.epw"
    write_epw(load_weather("besancon-reference", year=2027, seed=1), source)
    lines = source.read_text().splitlines()
    path = tmp_path / "site.epw"
    path.write_text("\n".join(change(lines)) + "\n")
    return str(path)


def _latitude_999(lines):
    head = lines[0].split(",")
    head[6] = "999"
    return [",".join(head), *lines[1:]]


def _no_rain(lines):
    return lines[:8] + [",".join([*line.split(",")[:33], "999", *line.split(",")[34:]]) for line in lines[8:]]


def _pvgis(tmp_path, data, location=True, text=False) -> str:
    import json

    rows = [{"time(UTC)": t.strftime("%Y%m%d:%H%M"), "T2m": "warm" if text else r.temp_air,
             "RH": r.relative_humidity, "G(h)": r.ghi, "Gb(n)": r.dni, "Gd(h)": r.dhi, "IR(h)": 300.0,
             "WS10m": r.wind_speed, "WD10m": 180.0, "SP": r.pressure}
            for t, r in zip(data.index.tz_convert("UTC") - __import__("pandas").Timedelta(hours=1),
                            data.itertuples(), strict=True)]
    inputs = {"location": {"latitude": 47.24, "longitude": 6.02, "elevation": 307.0}} if location else {}
    doc = {"inputs": inputs, "meta": {"inputs": {}},
           "outputs": {"months_selected": [{"month": m, "year": 2010} for m in range(1, 13)], "tmy_hourly": rows}}
    path = tmp_path / "pvgis.json"
    path.write_text(json.dumps(doc))
    return str(path)


def _set(column, f):
    return lambda df: df.__setitem__(column, f(df[column]))


WEATHER = {
    "EPW latitude 999": (lambda tmp, d: _epw(tmp, _latitude_999), ["site latitude is 999", "-90 to 90"]),
    "EPW without rain": (lambda tmp, d: _epw(tmp, _no_rain), ["precipitation_mm", "every hour", "1/1 hour 1"]),
    "PVGIS without location": (lambda tmp, d: _pvgis(tmp, d, location=False), ["no site location"]),
    "PVGIS text in T2m": (lambda tmp, d: _pvgis(tmp, d, text=True), ["temp_air", "'warm'", "number"]),
    "CSV humidity as a fraction": (lambda tmp, d: _weather_csv(tmp, d, _set("relative_humidity", lambda s: s / 100)),
                                   ["relative_humidity", "fraction", "2027-"]),
    "CSV rain in metres": (lambda tmp, d: _weather_csv(tmp, d, _set("precipitation_mm", lambda s: s / 1000)),
                           ["precipitation_mm", "metres", "2027-"]),
    "CSV rain in tenths of mm": (lambda tmp, d: _weather_csv(tmp, d, _set("precipitation_mm", lambda s: s * 20)),
                                 ["precipitation_mm", "12,000 mm", "2027-"]),
    "CSV sun at night": (lambda tmp, d: _weather_csv(tmp, d, _set("ghi", lambda s: s.shift(12, fill_value=0.0))),
                         ["ghi", "below the horizon", "2027-"]),
    "CSV 25 K too warm": (lambda tmp, d: _weather_csv(tmp, d, _set("temp_air", lambda s: s + 25)),
                          ["temp_air", "averages", "latitude 47.24", "2027-"]),
}


@pytest.mark.parametrize("make, words", WEATHER.values(), ids=WEATHER.keys())
def test_weather_files(tmp_path, reference_year, make, words, capsys):
    source = make(tmp_path, reference_year)
    [line] = answer(["weather", source], capsys)
    for word in words:
        assert word in line
    assert source in line


def test_run_refuses_a_bad_weather_site_like_twin_weather(tmp_path, capsys):
    source = _epw(tmp_path, _latitude_999)
    [line] = answer(["run", str(BASELINE), *QUICK, "--set", f"weather.source={source}"], capsys)
    assert "site latitude is 999" in line


# ------------------------------------------------------------------ 7. light start

def test_help_check_and_schema_do_not_import_the_engine():
    """`twin --help`, `check` and `schema` load neither the engine, pvlib nor matplotlib."""
    import subprocess
    import sys

    code = ("import sys; from twin.cli import build_parser; build_parser('check'); import twin.scenario; "
            "print(sorted(m for m in ('twin.engine', 'pvlib', 'matplotlib', 'twin.api', 'dask') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ------------------------------------------------------------------- 8. packaging

def test_default_scenario_is_found_from_any_folder(tmp_path, monkeypatch):
    from twin.paths import packaged_file

    monkeypatch.chdir(tmp_path)
    found = packaged_file("scenarios/baseline.toml")
    assert found is not None and found.is_file() and (found.parents[1] / "models" / "le-numerique.toml").is_file()
    assert packaged_file("scenarios/none.toml") is None
