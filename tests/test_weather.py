"""Tests of twin.weather: generator calibration and plausibility, readers, validation, resampling."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin.errors import WeatherError
from twin.weather import (
    BESANCON_NORMALS,
    COLUMNS,
    INTERANNUAL_SPREAD,
    Weather,
    besancon_reference_year,
    interannual_normals,
    load_weather,
    monthly_climate,
    plot_monthly_climate,
    read_csv_weather,
    read_epw,
    read_pvgis_tmy,
    resample_to_step,
    solar_geometry,
    validate_weather,
    weather_for_period,
)

LYON_EPW = (Path(__file__).resolve().parents[2] / "shared" / "reference" / "weather"
            / "FRA_AR_Lyon-Bron.AP.074800_TMYx.2004-2018.epw")
SEEDS = (1, 2, 3)


@pytest.fixture(scope="module", params=SEEDS)
def generated(request) -> Weather:
    return besancon_reference_year(2027, request.param)


@pytest.fixture(scope="module")
def year1() -> Weather:
    return besancon_reference_year(2027, 1)


@pytest.fixture(scope="module")
def lyon() -> Weather:
    if not LYON_EPW.is_file():
        pytest.skip(f"real EPW not available at {LYON_EPW}")
    return read_epw(LYON_EPW)


def _daily(df: pd.DataFrame) -> pd.core.groupby.DataFrameGroupBy:
    """Group hour-ending rows by the day of their interval start."""
    return df.groupby((df.index - pd.Timedelta(hours=1)).normalize())


def _daily_clearness(w: Weather) -> pd.Series:
    _, cs = solar_geometry(w.data.index, w.latitude, w.longitude, w.altitude_m)
    cs_day = _daily(cs)["ghi"].sum()
    return _daily(w.data)["ghi"].sum() / cs_day


def _write_csv(df: pd.DataFrame, path: Path) -> Path:
    out = df.copy()
    out.insert(0, "timestamp", [t.isoformat() for t in df.index])
    path.write_text("# provenance: written by tests/test_weather.py from the generator\n"
                    + out.to_csv(index=False))
    return path


# --- generator: calibration -----------------------------------------------------------


@pytest.fixture(scope="module", params=SEEDS)
def generated_on_normals(request) -> Weather:
    return besancon_reference_year(2027, request.param, interannual=False)


@pytest.mark.parametrize("on_normals", [True, False])
def test_generator_matches_monthly_targets(on_normals: bool, generated: Weather, generated_on_normals: Weather) -> None:
    # interannual=False: every seed meets the normals; by default, the normals plus that seed's anomalies
    # (interannual_normals): the calibration must hold for either target.
    w = generated_on_normals if on_normals else generated
    seed = int(w.source.split("seed ")[1].split(")")[0].split(",")[0])
    table = monthly_climate(w.data).iloc[:12]
    n = BESANCON_NORMALS if on_normals else interannual_normals(seed)
    np.testing.assert_array_less(np.abs(table["tmean_c"].to_numpy() - n["tmean_c"].to_numpy()), 0.3)
    np.testing.assert_array_less(
        np.abs(table["ghi_kwh_m2"].to_numpy() / n["ghi_kwh_m2"].to_numpy() - 1.0), 0.05)
    np.testing.assert_array_less(
        np.abs(table["precip_mm"].to_numpy() / n["precip_mm"].to_numpy() - 1.0), 0.10)
    np.testing.assert_array_less(np.abs(table["rain_days"].to_numpy() - n["rain_days"].to_numpy()),
                                 2.0 + 1e-9)
    # Sunshine (hours with DNI > 120 W/m²) is calibrated too, to whole hours: on the normals every
    # month within 3 h (a few hours can flip together at one step of the monthly shift); on a seed's
    # anomalies GHI has priority when an extreme draw makes the two targets incompatible, so only
    # the year is checked there (measured over seeds 1-30: worst year 3.1 %, seed 26).
    sun, sun_n = table["sunshine_h"].to_numpy(), n["sunshine_h"].to_numpy()
    if on_normals:
        np.testing.assert_array_less(np.abs(sun - sun_n), 3.0)
    assert abs(sun.sum() / sun_n.sum() - 1.0) < 0.05


def test_generator_frame_conventions(generated: Weather) -> None:
    df = generated.data
    assert list(df.columns) == list(COLUMNS)
    assert len(df) == 8760
    assert df.index[0] == pd.Timestamp("2027-01-01 01:00", tz="UTC+01:00")
    assert df.index[-1] == pd.Timestamp("2028-01-01 00:00", tz="UTC+01:00")
    assert df.index.tz.utcoffset(None) == pd.Timedelta(hours=1)
    assert not df.isna().any().any()
    assert (generated.latitude, generated.longitude, generated.altitude_m) == (47.24, 6.02, 307.0)
    assert abs(df["wind_speed"].mean() - 2.2) < 1e-9  # domain-facts §1b


def test_generator_leap_year() -> None:
    w = besancon_reference_year(2028, 7, interannual=False)
    assert len(w.data) == 8784
    feb = monthly_climate(w.data).loc["Feb"]
    assert abs(feb["tmean_c"] - BESANCON_NORMALS.loc["Feb", "tmean_c"]) < 0.3
    assert abs(feb["ghi_kwh_m2"] / BESANCON_NORMALS.loc["Feb", "ghi_kwh_m2"] - 1) < 0.05


def test_generator_is_deterministic_and_seeds_differ(year1: Weather) -> None:
    again = besancon_reference_year(2027, 1)
    pd.testing.assert_frame_equal(year1.data, again.data)
    other = besancon_reference_year(2027, 2)
    for col in ("ghi", "temp_air", "precipitation_mm", "wind_speed"):
        assert not np.allclose(year1.data[col], other.data[col])
    # day-to-day variability remains after calibration: daily means differ by several K
    t1 = _daily(year1.data)["temp_air"].mean()
    t2 = _daily(other.data)["temp_air"].mean()
    assert (t1 - t2).abs().mean() > 1.0


def test_generator_ghi_bounded_by_clear_sky(generated: Weather) -> None:
    df = generated.data
    _, cs = solar_geometry(df.index, generated.latitude, generated.longitude,
                            generated.altitude_m)
    assert (df["ghi"] <= cs["ghi"] * 1.0 + 1e-9).all()
    assert (df[["ghi", "dni", "dhi"]] >= 0).all().all()


def test_generator_irradiance_closure(generated: Weather) -> None:
    # The generator evaluates the sun at mid-hour and sets DHI = GHI - DNI·cos(θz) after the
    # Erbs split, so the closure holds to rounding (1e-6 W/m²). Measured files (EPW) only
    # close within tens of W/m² because components are measured/modelled separately.
    df = generated.data
    solpos, _ = solar_geometry(df.index, generated.latitude, generated.longitude,
                                generated.altitude_m)
    cosz = np.clip(np.cos(np.radians(solpos["zenith"].to_numpy())), 0.0, None)
    np.testing.assert_allclose(df["ghi"], df["dhi"] + df["dni"] * cosz, atol=1e-6)


def test_generator_rain_hours_sum_to_wet_days(year1: Weather) -> None:
    daily = _daily(year1.data)["precipitation_mm"].sum()
    assert ((daily == 0) | (daily >= 1.0)).all()  # dry days are dry, wet days ≥ 1 mm


# --- generator: plausibility against the real Lyon-Bron TMYx ------------------------------


def _season_dtr(df: pd.DataFrame) -> pd.Series:
    d = _daily(df)["temp_air"]
    dtr = d.max() - d.min()
    return dtr.groupby((dtr.index.month % 12) // 3).mean()  # 0 DJF, 1 MAM, 2 JJA, 3 SON


def test_generator_plausible_against_lyon(lyon: Weather, year1: Weather) -> None:
    # Diurnal range: Besançon (307 m, cloudier) and Lyon differ; a ±2.5 K band per season
    # still catches a wrong diurnal model (a flat or doubled cycle is off by > 5 K).
    np.testing.assert_allclose(_season_dtr(year1.data), _season_dtr(lyon.data), atol=2.5)
    for w in (lyon, year1):
        tm = _daily(w.data)["temp_air"].mean()
        assert tm.autocorr(1) > 0.5
        anomaly = tm - tm.rolling(31, center=True, min_periods=1).mean()
        assert anomaly.autocorr(1) > 0.5  # persistence beyond the seasonal cycle
        kd = _daily_clearness(w)
        assert kd.quantile(0.1) < 0.45, "needs overcast days"
        assert kd.quantile(0.9) > 0.85, "needs clear days"
        assert kd.quantile(0.9) - kd.quantile(0.1) > 0.4


# --- readers ---------------------------------------------------------------------------------


def test_read_lyon_epw(lyon: Weather) -> None:
    df = lyon.data
    assert len(df) == 8760
    assert df.index.tz.utcoffset(None) == pd.Timedelta(hours=1)
    assert df.index[0].strftime("%m-%d %H:%M") == "01-01 01:00"  # hour-ending
    # README figures are rounded to 1 kWh/m², 0.1 K: tolerances are those roundings.
    assert abs(df["ghi"].sum() / 1000 - 1321) <= 1.0
    assert abs(df["temp_air"].mean() - 13.0) <= 0.05
    assert abs(df["precipitation_mm"].sum() - 788) <= 1.0
    # hour-ending check against the sun: clear-sky GHI at mid-interval correlates best with
    # the file for our labels (not shifted by ±1 h), and there is no GHI while the sun is down.
    ghi = df["ghi"].to_numpy()
    corr = {}
    for shift_h in (-1, 0, 1):
        _, cs = solar_geometry(df.index + pd.Timedelta(hours=shift_h), lyon.latitude,
                                lyon.longitude, lyon.altitude_m)
        corr[shift_h] = np.corrcoef(ghi, cs["ghi"].to_numpy())[0, 1]
        if shift_h == 0:
            assert not ((ghi > 0) & (cs["ghi"].to_numpy() == 0)).any()
    assert max(corr, key=corr.get) == 0
    assert (lyon.latitude, lyon.longitude, lyon.altitude_m, lyon.tz_offset_h) == (
        45.7261, 4.9378, 198.0, 1.0)


def test_epw_missing_codes(tmp_path: Path, lyon: Weather) -> None:
    # Same real file with EPW "missing" codes: 3 h of 99.9 °C (repaired) and no precipitation.
    lines = LYON_EPW.read_text().splitlines()
    for i in range(8 + 100, 8 + 103):  # 8 header lines
        f = lines[i].split(",")
        f[6] = "99.9"
        lines[i] = ",".join(f)
    for i in range(8, 8 + 1000):  # a long gap in the rain, as in NREL TMY3 files
        f = lines[i].split(",")
        f[33] = "999"
        lines[i] = ",".join(f)
    path = tmp_path / "lyon_missing.epw"
    path.write_text("\n".join(lines) + "\n")
    w = read_epw(path)
    rep = {(r.column, r.kind): r.count for r in w.repairs}
    assert rep == {("precipitation_mm", "filled"): 1000, ("temp_air", "interpolated"): 3}
    assert (w.data["precipitation_mm"].iloc[:1000] == 0).all()
    assert w.data["temp_air"].max() < 45.0
    # no rain at all is not a dry year: the file is refused, naming the column
    for i in range(8, len(lines)):
        f = lines[i].split(",")
        f[33] = "999"
        lines[i] = ",".join(f)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(WeatherError, match="precipitation_mm .*liquid_precipitation_depth.* every hour"):
        read_epw(path)


def test_csv_roundtrip(tmp_path: Path, year1: Weather) -> None:
    path = _write_csv(year1.data, tmp_path / "w.csv")
    w = load_weather("w.csv", year=2027, seed=0, base_dir=tmp_path)
    pd.testing.assert_frame_equal(w.data, year1.data, check_freq=False, check_names=False)
    assert w.source == str(path)


def _pvgis_rows(df: pd.DataFrame) -> list[dict]:
    """PVGIS TMY rows: UTC hour-start stamps, months taken from different years."""
    utc_start = (df.index - pd.Timedelta(hours=1)).tz_convert("UTC")
    years = {m: 2005 + m for m in range(1, 13)}  # a TMY mixes years month by month
    stamps = [f"{years[t.month]}{t.strftime('%m%d:%H%M')}" for t in utc_start]
    order = np.argsort([s[4:] for s in stamps], kind="stable")
    return [
        {"time(UTC)": stamps[i], "T2m": df["temp_air"].iat[i], "RH": df["relative_humidity"].iat[i],
         "G(h)": df["ghi"].iat[i], "Gb(n)": df["dni"].iat[i], "Gd(h)": df["dhi"].iat[i],
         "IR(h)": 300.0, "WS10m": df["wind_speed"].iat[i], "WD10m": 180.0,
         "SP": df["pressure"].iat[i]}
        for i in order
    ]


def test_pvgis_json_and_csv(tmp_path: Path, year1: Weather) -> None:
    df = year1.data
    rows = _pvgis_rows(df)
    loc = {"latitude": 47.24, "longitude": 6.02, "elevation": 307.0}
    doc = {"inputs": {"location": loc, "meteo_data": {}},
           "outputs": {"months_selected": [{"month": m, "year": 2005 + m} for m in range(1, 13)],
                       "tmy_hourly": rows},
           "meta": {"inputs": {}}}
    pj = tmp_path / "tmy.json"
    pj.write_text(json.dumps(doc))
    lines = ["Latitude (decimal degrees): 47.240", "Longitude (decimal degrees): 6.020",
             "Elevation (m): 307.0", "month,year"]
    lines += [f"{m},{2005 + m}" for m in range(1, 13)]
    keys = list(rows[0])
    lines.append(",".join(keys))
    lines += [",".join(str(r[k]) for k in keys) for r in rows]
    lines += ["", "T2m: 2-m air temperature (degree Celsius)"]
    pc = tmp_path / "tmy.csv"
    pc.write_text("\r\n".join(lines) + "\r\n")
    for w in (load_weather("tmy.json", year=2027, seed=0, base_dir=tmp_path),
              load_weather(f"pvgis:{pc}", year=2027, seed=0),
              load_weather("tmy.csv", year=2027, seed=0, base_dir=tmp_path),
              read_pvgis_tmy(pj, tz_offset_h=1)):
        assert (w.latitude, w.longitude, w.altitude_m, w.tz_offset_h) == (47.24, 6.02, 307.0, 1.0)
        assert w.data.index[0] == pd.Timestamp("2001-01-01 01:00", tz="UTC+01:00")
        for col in ("ghi", "dni", "dhi", "temp_air", "relative_humidity", "wind_speed",
                    "pressure"):
            np.testing.assert_allclose(w.data[col].to_numpy(), df[col].to_numpy(), rtol=1e-12)
        assert (w.data["precipitation_mm"] == 0).all()
        assert any(r.column == "precipitation_mm" and r.kind == "filled" for r in w.repairs)


def test_generator_via_load_weather(year1: Weather) -> None:
    w = load_weather("besancon-reference", year=2027, seed=1)
    pd.testing.assert_frame_equal(w.data, year1.data)
    assert "seed 1" in w.source


# --- bad input: one test per class of mistake ---------------------------------------------------


def _bad_csv(tmp_path: Path, frame: pd.DataFrame, kind: str) -> Path:
    df = frame.copy()
    if kind == "non_hourly":
        df.index = df.index.where(df.index != df.index[100], df.index[100] - pd.Timedelta("30min"))
    elif kind == "duplicated":
        df.index = df.index.where(df.index != df.index[100], df.index[99])
    elif kind == "wrong_length":
        df = df.iloc[:100]
    elif kind == "temperature":
        df.loc[pd.Timestamp("2027-03-02 14:00", tz="UTC+01:00"), "temp_air"] = 85.0
    elif kind == "long_gap":
        df.iloc[200:210, df.columns.get_loc("ghi")] = np.nan
    return _write_csv(df, tmp_path / f"bad_{kind}.csv")


BAD_CASES = [
    # (id, source builder, substrings the one-line message must contain)
    ("missing_file", lambda tp, f: "absent.epw", ["absent.epw", "not found", "besancon-reference"]),
    ("unknown_form", lambda tp, f: "weather.xlsx", ["weather.xlsx", "not recognised", ".epw"]),
    ("non_hourly", lambda tp, f: _bad_csv(tp, f, "non_hourly").name, ["bad_non_hourly.csv",
                                                                      "timestamp", "hourly"]),
    ("duplicated", lambda tp, f: _bad_csv(tp, f, "duplicated").name, ["bad_duplicated.csv",
                                                                      "timestamp", "duplicated"]),
    ("wrong_length", lambda tp, f: _bad_csv(tp, f, "wrong_length").name, ["bad_wrong_length.csv",
                                                                          "timestamp", "8760"]),
    ("temperature", lambda tp, f: _bad_csv(tp, f, "temperature").name,
     ["bad_temperature.csv", "column temp_air", "2027-03-02 14:00", "85", "-60 to 60"]),
    ("long_gap", lambda tp, f: _bad_csv(tp, f, "long_gap").name, ["bad_long_gap.csv",
                                                                  "column ghi", "10 missing"]),
]


@pytest.mark.parametrize("case,build,expected", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input(tmp_path: Path, year1: Weather, case, build, expected) -> None:
    source = build(tmp_path, year1.data)
    with pytest.raises(WeatherError) as info:
        load_weather(source, year=2027, seed=1, base_dir=tmp_path)
    msg = str(info.value)
    assert "\n" not in msg
    for part in expected:
        assert part in msg, (part, msg)


def test_short_gap_is_repaired_and_reported(tmp_path: Path, year1: Weather, caplog) -> None:
    df = year1.data.copy()
    df.iloc[1000:1003, df.columns.get_loc("temp_air")] = np.nan
    df.iloc[3000:3002, df.columns.get_loc("dhi")] = -3.0  # sensor noise, clipped to 0
    path = _write_csv(df, tmp_path / "gap.csv")
    with caplog.at_level("WARNING", logger="twin.weather"):
        w = read_csv_weather(path, 47.24, 6.02, 307.0, 1.0)
    rep = {(r.column, r.kind): r.count for r in w.repairs}
    assert rep == {("temp_air", "interpolated"): 3, ("dhi", "clipped"): 2}
    t = year1.data["temp_air"].to_numpy()
    np.testing.assert_allclose(w.data["temp_air"].to_numpy()[1000:1003],
                               t[999] + (t[1003] - t[999]) * np.arange(1, 4) / 4, rtol=1e-12)
    assert (w.data["dhi"].iloc[3000:3002] == 0).all()
    assert "temp_air" in caplog.text and "3 missing" in caplog.text


def test_validate_small_negative_irradiance_frame(year1: Weather) -> None:
    df = year1.data.copy()
    df.iloc[5, 0] = -20.0
    with pytest.raises(WeatherError, match=r"column ghi at 2027-01-01 06:00 is -20 W/m²"):
        validate_weather(df, "unit-test")


# --- calendar mapping and resampling ------------------------------------------------------------


@pytest.mark.parametrize("step_s", [900, 600])
def test_resample_conserves_totals(year1: Weather, step_s: int) -> None:
    hourly = year1.data
    sub = resample_to_step(hourly, step_s)
    n = 3600 // step_s
    assert len(sub) == n * len(hourly)
    assert sub.index[0] == hourly.index[0] - pd.Timedelta(seconds=3600 - step_s)
    assert sub.index[-1] == hourly.index[-1]
    for col in ("ghi", "dni", "dhi"):
        np.testing.assert_allclose(sub[col].sum() * step_s / 3600, hourly[col].sum(), rtol=1e-12)
    np.testing.assert_allclose(sub["precipitation_mm"].sum(), hourly["precipitation_mm"].sum(),
                               rtol=1e-12)
    # temperature: linear between hour ends, equal to the hourly value at each hour end
    np.testing.assert_allclose(sub["temp_air"].to_numpy()[n - 1::n], hourly["temp_air"], rtol=1e-12)


def test_resample_rejects_bad_step(year1: Weather) -> None:
    with pytest.raises(WeatherError, match="step_s"):
        resample_to_step(year1.data, 700)


def test_weather_for_period_leap_year(year1: Weather) -> None:
    tz = "UTC+01:00"
    out = weather_for_period(year1, pd.Timestamp("2028-01-01 00:00", tz=tz),
                             pd.Timestamp("2029-01-01 00:00", tz=tz))
    assert len(out) == 8784
    feb28 = out.loc["2028-02-28 01:00":"2028-02-29 00:00"].to_numpy()
    feb29 = out.loc["2028-02-29 01:00":"2028-03-01 00:00"].to_numpy()
    np.testing.assert_array_equal(feb28, feb29)
    # March 1st of the leap year is March 1st of the file
    np.testing.assert_array_equal(out.loc["2028-03-01 01:00"].to_numpy(),
                                  year1.data.loc["2027-03-01 01:00"].to_numpy())


def test_weather_for_period_two_years_and_time_zones(year1: Weather) -> None:
    # 2028-12-31 23:00 UTC is 2029-01-01 00:00 CET; the end is given in Paris civil time.
    out = weather_for_period(year1, pd.Timestamp("2028-12-31 23:00", tz="UTC"),
                             pd.Timestamp("2031-01-01 00:00", tz="Europe/Paris"))
    assert len(out) == 2 * 8760
    assert out.index[0] == pd.Timestamp("2029-01-01 01:00", tz="UTC+01:00")
    np.testing.assert_array_equal(out.iloc[:8760].to_numpy(), year1.data.to_numpy())
    np.testing.assert_array_equal(out.iloc[8760:].to_numpy(), year1.data.to_numpy())
    # the hour ending at or just after `end` is included
    part = weather_for_period(year1, pd.Timestamp("2030-06-01 10:15", tz="UTC+01:00"),
                              pd.Timestamp("2030-06-01 12:30", tz="UTC+01:00"))
    assert list(part.index.strftime("%H:%M")) == ["11:00", "12:00", "13:00"]


def test_monthly_climate_and_plot(tmp_path: Path, year1: Weather) -> None:
    table = monthly_climate(year1.data)
    assert list(table.index) == list(BESANCON_NORMALS.index) + ["Year"]
    assert abs(table.loc["Year", "ghi_kwh_m2"] - 1250) < 0.05 * 1250
    png = plot_monthly_climate(table, tmp_path / "climate.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_irradiance_in_kw_per_m2_is_refused(tmp_path):
    # A whole year with GHI written in kW/m2 (peak ~1) passes every range check but is nonsense.
    from twin.errors import WeatherError
    from twin.weather import besancon_reference_year, validate_weather

    df = besancon_reference_year(2027, 1).data.copy()
    for col in ("ghi", "dni", "dhi"):
        df[col] = df[col] / 1000.0
    with pytest.raises(WeatherError, match=r"column ghi peaks at .* W/m² over the year; expected at least 200"):
        validate_weather(df, "kw.csv")


# --- generator: years that differ as real years do (inter-annual variability) ---------------


@pytest.fixture(scope="module")
def thirty_years() -> np.ndarray:
    """Monthly tmean, GHI, precipitation, rain days, sunshine of seeds 1-30 (shape 30 x 12 x 5)."""
    cols = ["tmean_c", "ghi_kwh_m2", "precip_mm", "rain_days", "sunshine_h"]
    return np.stack([monthly_climate(besancon_reference_year(2027, s).data)[cols].to_numpy()[:12]
                     for s in range(1, 31)])


def test_median_year_stays_on_the_normals(thirty_years: np.ndarray) -> None:
    # The median of n draws has a standard error of ~1.25 sigma/sqrt(n) (normal law); with n = 30 the
    # tolerance is 3 such errors: 0.68 sigma. Temperature: sigma from INTERANNUAL_SPREAD (1.1-2.3 K ->
    # 0.75-1.6 K). Precipitation: lognormal, sigma_ln = sqrt(ln(1 + 0.45^2)) = 0.43 -> |ln ratio| < 0.29.
    # GHI: sigma_ln = 0.45 x sqrt(ln(1 + 0.26^2)) = 0.115 -> 0.079, plus the generator's 5 % calibration.
    # Rain days: sigma 3 d -> 2.0 d, plus 1 d of rounding. Measured (seeds 1-30): worst months
    # Jan -0.2 K / Apr +0.5 K, Dec precipitation x1.24, Mar x0.79.
    n = BESANCON_NORMALS
    med = np.median(thirty_years, axis=0)
    tol = 3 * 1.25 / np.sqrt(30)
    sd_t = INTERANNUAL_SPREAD["tmean_sd_k"].to_numpy()
    np.testing.assert_array_less(np.abs(med[:, 0] - n["tmean_c"].to_numpy()), tol * sd_t)
    np.testing.assert_array_less(np.abs(np.log(med[:, 1] / n["ghi_kwh_m2"].to_numpy())),
                                 tol * 0.45 * np.sqrt(np.log1p(0.26**2)) + 0.05)
    np.testing.assert_array_less(np.abs(np.log(med[:, 2] / n["precip_mm"].to_numpy())),
                                 tol * np.sqrt(np.log1p(0.45**2)))
    np.testing.assert_array_less(np.abs(med[:, 3] - n["rain_days"].to_numpy()), tol * 3.0 + 1.0)


def test_years_differ_as_real_years_do(thirty_years: np.ndarray) -> None:
    # Two seeds differ in their monthly totals (before: every seed had the normals to 0.3 K / 5 %).
    assert np.abs(thirty_years[0, :, 0] - thirty_years[1, :, 0]).max() > 0.5
    assert np.abs(thirty_years[0, :, 2] / thirty_years[1, :, 2] - 1).max() > 0.2
    # The spread over seeds is the one asked: January temperature sd ~2.3 K (measured 1.8 over 30 seeds;
    # the sd of a 30-sample sd is ~13 %, and the clip at 2.5 sigma trims it), July ~1.3 K.
    sd = thirty_years.std(axis=0, ddof=1)
    assert 1.4 < sd[0, 0] < 3.0 and 0.8 < sd[6, 0] < 1.8
    # Annual precipitation varies by ~150 mm (13.5 %): measured 160 mm.
    annual_p = thirty_years[:, :, 2].sum(axis=1)
    assert 100 < annual_p.std(ddof=1) < 250


def test_interannual_years_are_reproducible() -> None:
    a, b = besancon_reference_year(2027, 1), besancon_reference_year(2027, 1)
    pd.testing.assert_frame_equal(a.data, b.data)
    pd.testing.assert_frame_equal(interannual_normals(5), interannual_normals(5))
    assert not interannual_normals(5).equals(interannual_normals(6))


def test_median_sunshine_on_the_normals(thirty_years: np.ndarray) -> None:
    # Issue 15: the years used to have 2,136-2,200 h of sunshine (DNI > 120 W/m²) against 1,797 h.
    # Year: within 5 % of the 1991-2020 normal. The median of the annual sums sits ~3 % above the sum
    # of the monthly normals because each month's anomaly is lognormal with median
    # 1, so its mean is ~1 + CV²/2 = 1.034 and a sum of 12 of them centres on the means (the same
    # effect puts GHI at 1,262 kWh/m² for 1,250). Measured 1,857 h (+3.3 %).
    # Months: the median of 30 lognormal draws (sigma_ln = sqrt(ln(1 + 0.26²)) = 0.257) has a standard
    # error of ~1.25 sigma/sqrt(30); 3 such errors are 0.176 in ln, plus 0.05 because a month whose
    # drawn sunshine and GHI are incompatible keeps its GHI. Measured: worst months Apr x1.11, Mar x1.06.
    sun = thirty_years[:, :, 4]
    annual = np.median(sun.sum(axis=1))
    assert abs(annual / 1797.0 - 1.0) < 0.05, annual
    sig = np.sqrt(np.log1p(INTERANNUAL_SPREAD["sunshine_cv"].to_numpy() ** 2))
    tol = 3 * 1.25 / np.sqrt(30) * sig + 0.05
    med = np.median(sun, axis=0)
    np.testing.assert_array_less(np.abs(np.log(med / BESANCON_NORMALS["sunshine_h"].to_numpy())), tol)


def test_sunshine_differs_between_years(thirty_years: np.ndarray) -> None:
    # INTERANNUAL_SPREAD's comment asks for an annual sd of ~155 h (Besançon 2010s: 1,659-2,135 h).
    # Measured over seeds 1-30: 145 h (1,554-2,217 h). The sd of a 30-sample sd is ~13 %, and the
    # +/-2.5 sigma clip trims it: a band of 0.6-1.5 x 155 h.
    annual = thirty_years[:, :, 4].sum(axis=1)
    assert np.unique(annual).size > 25
    assert 0.6 * 155 < annual.std(ddof=1) < 1.5 * 155


def test_hourly_clearness_is_bimodal_as_in_lyon(lyon: Weather, year1: Weather) -> None:
    # Sunshine is a count of hours above a beam threshold, so it depends on how the hours are split
    # between clear and cloudy, not only on GHI. Real hourly clearness k_t at mid-latitudes is bimodal
    # (overcast ~0.2-0.35, clear ~0.6-0.75) with few hours in between, where Erbs crosses 120 W/m² of
    # DNI. Measured share of daylight hours with 0.40 <= k_t < 0.50: Lyon 8.2 %, generator 9.4 %
    # (19 % before issue 15, when sunshine ran 20 % high).
    import pvlib

    def share(w: Weather) -> float:
        sp, cs = solar_geometry(w.data.index, w.latitude, w.longitude, w.altitude_m)
        kt = pvlib.irradiance.clearness_index(w.data["ghi"], sp["zenith"],
                                              pvlib.irradiance.get_extra_radiation(w.data.index))
        kt = kt[cs["ghi"] > 20.0]
        return float(((kt >= 0.40) & (kt < 0.50)).mean())

    assert share(year1) < 1.5 * share(lyon)
    assert share(year1) < 0.12
