"""Tests of twin.climate: TRACC deltas, shift-and-stretch morphing, heatwave, EPW round trip."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib
import pytest

from twin import climate as cl
from twin.errors import ScenarioError, WeatherError
from twin.weather import Weather, besancon_reference_year, load_weather, read_epw


@pytest.fixture(scope="module")
def today() -> Weather:
    return besancon_reference_year(2027, 1)


def _start(df: pd.DataFrame) -> pd.DatetimeIndex:
    return df.index - pd.Timedelta(hours=1)


def _dew_point(t, rh):
    return cl._dew_point_c(np.asarray(t, float), np.asarray(rh, float))


def test_deltas_table():
    d = cl.climate_deltas("tracc-2050")
    # annual mean: 2.7 - 1.3 = 1.4 K, summer warmer than winter by 1.4/3.3 K
    assert d["dtemp_k"].mean() == pytest.approx(1.4)
    jja, djf = d.loc[[6, 7, 8], "dtemp_k"].mean(), d.loc[[12, 1, 2], "dtemp_k"].mean()
    assert jja - djf == pytest.approx(1.4 / 3.3)
    assert (cl.climate_deltas(None)["dtemp_k"] == 0).all()
    assert cl.climate_deltas("tracc-2100")["dtemp_k"].mean() == pytest.approx(2.7)
    with pytest.raises(ScenarioError, match="tracc-2030, tracc-2050, tracc-2100"):
        cl.climate_deltas("rcp85")


def test_monthly_mean_shifts_by_exactly_delta(today):
    d = cl.climate_deltas("tracc-2100")
    before = today.data.copy()
    out = cl.apply_climate(today, "tracc-2100")
    pd.testing.assert_frame_equal(today.data, before)       # the input is not modified
    m = _start(today.data).month
    shift = out.data["temp_air"].groupby(m).mean() - today.data["temp_air"].groupby(m).mean()
    assert shift.to_numpy() == pytest.approx(d["dtemp_k"].to_numpy(), abs=1e-9)
    assert "climate tracc-2100" in out.source
    assert cl.apply_climate(today, "today") is today


def test_diurnal_range_is_stretched_as_specified(today):
    dtemp = np.full(12, 2.0)
    ddtr = np.zeros(12)
    ddtr[6] = 1.5                                   # July: ranges widen by 1.5 K on average
    out = cl.morph_weather(today.data, dtemp, ddtr)
    day = _start(today.data).normalize()
    jul = _start(today.data).month == 7
    r0 = (today.data["temp_air"].groupby(day).max() - today.data["temp_air"].groupby(day).min())
    r1 = (out["temp_air"].groupby(day).max() - out["temp_air"].groupby(day).min())
    days_jul = pd.DatetimeIndex(r0.index).month == 7
    alpha = 1.5 / r0[days_jul].mean()
    assert (r1[days_jul] / r0[days_jul]).to_numpy() == pytest.approx(1 + alpha)
    assert r1[days_jul].mean() - r0[days_jul].mean() == pytest.approx(1.5)
    # other months: pure shift, ranges unchanged
    assert (r1[~days_jul] - r0[~days_jul]).abs().max() < 1e-9
    assert out["temp_air"][jul].mean() - today.data["temp_air"][jul].mean() == pytest.approx(2.0)


def test_humidity_and_radiation_stay_physical(today):
    out = cl.morph_weather(today.data, np.full(12, 4.0), np.full(12, 2.0), ghi_ratio=1.1)
    rh = out["relative_humidity"].to_numpy()
    assert rh.min() >= 0.0 and rh.max() <= 100.0
    assert (_dew_point(out["temp_air"], rh) <= out["temp_air"].to_numpy() + 1e-9).all()
    for col in ("ghi", "dni", "dhi"):
        assert (out[col] >= 0).all()
        night = today.data["ghi"].to_numpy() == 0
        assert (out[col].to_numpy()[night] == 0).all()
    assert out["ghi"].sum() == pytest.approx(1.1 * today.data["ghi"].sum())
    # monthly-mean RH roughly kept (within a few points)
    m = _start(today.data).month
    drh = out["relative_humidity"].groupby(m).mean() - today.data["relative_humidity"].groupby(m).mean()
    assert drh.abs().max() < 6.0
    with pytest.raises(WeatherError, match="ghi_ratio"):
        cl.morph_weather(today.data, 1.0, ghi_ratio=-1.0)


def test_heatwave(today):
    out = cl.insert_heatwave(today.data, "2027-08-02")
    start = _start(today.data)
    inside = (start >= pd.Timestamp("2027-08-02", tz=start.tz)) & \
             (start < pd.Timestamp("2027-08-16", tz=start.tz))
    t = out["temp_air"][inside]
    assert t.max() == pytest.approx(38.3, abs=0.05)
    daily_max = t.groupby(start[inside].normalize()).max()
    assert (daily_max >= 36.9).sum() == 10
    assert (out["precipitation_mm"][inside] == 0).all()
    assert (out["ghi"] >= 0).all()
    assert (out["ghi"][inside & (today.data["ghi"] == 0)] < 1).all()   # night stays dark
    rh = out["relative_humidity"][inside]
    assert rh.max() <= 100 and (_dew_point(t, rh) <= t + 1e-9).all()
    # outside the sequence nothing changes; the edges join smoothly
    pd.testing.assert_frame_equal(out[~inside], today.data[~inside])
    i0 = np.flatnonzero(inside)[0]
    assert abs(out["temp_air"].iloc[i0] - today.data["temp_air"].iloc[i0 - 1]) < 3.0
    # a warmer level: shift the peak
    hot = cl.insert_heatwave(today.data, "2027-08-02", peak_c=40.0)
    assert hot["temp_air"].max() == pytest.approx(40.0, abs=0.05)
    with pytest.raises(WeatherError, match="start_date"):
        cl.insert_heatwave(today.data, "2027-12-25")


def test_epw_round_trip_read_by_pvlib_and_twin(today, tmp_path):
    future = cl.apply_climate(today, "tracc-2050")
    future = Weather(cl.insert_heatwave(future.data, "2027-07-20"), future.latitude,
                     future.longitude, future.altitude_m, future.tz_offset_h, future.source)
    path = cl.write_epw(future, tmp_path / "besancon_tracc2050.epw")
    raw, meta = pvlib.iotools.read_epw(path)
    assert len(raw) == 8760
    assert meta["latitude"] == pytest.approx(47.24)
    assert meta["TZ"] == 1.0
    assert raw["temp_air"].to_numpy() == pytest.approx(future.data["temp_air"].to_numpy(), abs=0.051)
    assert raw["ghi"].to_numpy() == pytest.approx(future.data["ghi"].to_numpy(), abs=0.51)
    back = read_epw(path)
    assert back.data.index.equals(future.data.index)
    assert back.data["temp_air"].to_numpy() == pytest.approx(future.data["temp_air"].to_numpy(),
                                                             abs=0.051)
    assert back.data["precipitation_mm"].sum() == pytest.approx(
        future.data["precipitation_mm"].sum(), rel=1e-2)


def test_load_weather_climate_keyword():
    w = load_weather("besancon-reference", year=2027, seed=3, climate="tracc-2030")
    base = load_weather("besancon-reference", year=2027, seed=3)
    assert w.data["temp_air"].mean() - base.data["temp_air"].mean() == pytest.approx(0.7, abs=0.02)
    assert "tracc-2030" in w.source
    with pytest.raises(ScenarioError, match="weather.climate"):
        load_weather("besancon-reference", year=2027, seed=3, climate="+3K")


def test_weather_spec_climate_field():
    from pydantic import ValidationError

    from twin.scenario import WeatherSpec

    assert WeatherSpec().climate is None
    assert WeatherSpec(climate="tracc-2050").climate == "tracc-2050"
    with pytest.raises(ValidationError, match="tracc-2100"):
        WeatherSpec(climate="2050")


def test_cli_weather_climate_plot(tmp_path, capsys):
    from twin.cli import main

    png = tmp_path / "climate.png"
    assert main(["weather", "--climate", "tracc-2050", "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    assert "tracc-2050" in out and "Jan" in out
    assert png.stat().st_size > 10_000


def test_cli_run_climate_sets_the_scenario_field(monkeypatch, tmp_path):
    import twin
    from twin import cli

    from .conftest import ROOT

    seen = {}

    def fake_simulate(scenario):
        seen["climate"] = scenario.weather.climate
        raise SystemExit(0)

    monkeypatch.setattr(twin, "simulate", fake_simulate)
    with pytest.raises(SystemExit):
        cli.main(["run", str(ROOT / "scenarios" / "baseline.toml"), "--climate", "tracc-2050",
                  "--out", str(tmp_path / "r"), "-q"])
    assert seen["climate"] == "tracc-2050"


def test_unknown_climate_in_a_scenario_is_a_scenario_error():
    import twin

    from .conftest import BASELINE

    with pytest.raises(ScenarioError, match="weather.climate.*tracc-2030, tracc-2050, tracc-2100"):
        twin.load_scenario(BASELINE, **{"weather.climate": "rcp85"})
    assert twin.load_scenario(BASELINE, **{"weather.climate": "tracc-2100"}).weather.climate == "tracc-2100"


def test_compare_refuses_options_in_another_climate(tmp_path):
    from twin.compare import compare

    from .conftest import BASELINE

    hot = tmp_path / "hot.toml"
    hot.write_text(f'inherits = "{BASELINE}"\nname = "hot"\n[weather]\nclimate = "tracc-2050"\n')
    with pytest.raises(ScenarioError, match="field weather.climate is 'tracc-2050'"):
        compare(BASELINE, [hot])
