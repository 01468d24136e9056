"""Passive-cooling design options (issue 16 part 2): shading geometry, options, fans, heatwave KPI."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

import twin
from twin import kpis
from twin.physics import solar

from .conftest import BASELINE, ROOT

OPTIONS = ROOT / "scenarios" / "options"
JULY = {"period.start": dt.date(2027, 7, 1), "period.end": dt.date(2027, 8, 1), "period.warmup_days": 7}
PASSIVE = ("shading-overhangs", "glazing-solar-control", "glazing-less-south-west", "night-ventilation",
           "ceiling-fans", "green-roof", "concrete-frame")

GEO = {"window_height_m": 2.0, "window_width_m": 1.0}


# ------------------------------------------------------------------ overhang and fin geometry (by hand)

def test_sun_straight_above_is_fully_shaded_by_any_overhang():
    assert solar.overhang_fin_sunlit_fraction(90.0, 180.0, 180.0, **GEO, overhang_depth_m=0.1) == pytest.approx(0.0)


def test_sun_at_the_horizon_facing_the_window_is_not_shaded_by_an_overhang():
    assert solar.overhang_fin_sunlit_fraction(1e-6, 180.0, 180.0, **GEO, overhang_depth_m=2.0) == pytest.approx(1.0)


def test_overhang_shadow_by_hand():
    # 45° sun facing the window: a 1 m overhang at the head casts 1 m of shadow on a 2 m window.
    assert solar.overhang_fin_sunlit_fraction(45.0, 180.0, 180.0, **GEO, overhang_depth_m=1.0) == pytest.approx(0.5)
    # 0.25 m gap above the head: 0.75 m of the window in shadow.
    f = solar.overhang_fin_sunlit_fraction(45.0, 180.0, 180.0, **GEO, overhang_depth_m=1.0, overhang_gap_m=0.25)
    assert f == pytest.approx(1 - 0.75 / 2)
    # 60° off the normal: profile angle tan = tan 45° / cos 60° = 2, so 2 m of shadow: all shaded.
    assert solar.overhang_fin_sunlit_fraction(45.0, 240.0, 180.0, **GEO, overhang_depth_m=1.0) == pytest.approx(0.0)
    # 30° elevation, 30° off the normal: tan 30 / cos 30 = 2/3, shadow 0.6667 of a 1 m overhang.
    f = solar.overhang_fin_sunlit_fraction(30.0, 150.0, 180.0, **GEO, overhang_depth_m=1.0)
    assert f == pytest.approx(1 - (2 / 3) / 2)


def test_fin_shadow_by_hand_and_sun_behind_the_facade():
    # Sun 45° off the normal, 0.5 m fins on a 1 m wide window: 0.5 m of the width in shadow.
    assert solar.overhang_fin_sunlit_fraction(10.0, 135.0, 180.0, **GEO, fin_depth_m=0.5) == pytest.approx(0.5)
    # Overhang and fins together: the unshaded rectangle.
    f = solar.overhang_fin_sunlit_fraction(45.0, 135.0, 180.0, **GEO, overhang_depth_m=0.5, fin_depth_m=0.5)
    tan_profile = 1.0 / math.cos(math.radians(45.0))
    assert f == pytest.approx((1 - 0.5 * tan_profile / 2) * 0.5)
    # Sun behind a north facade at noon: no beam at all.
    assert solar.overhang_fin_sunlit_fraction(60.0, 180.0, 0.0, **GEO, overhang_depth_m=1.0) == 0.0
    # Vectorised.
    out = solar.overhang_fin_sunlit_fraction(np.array([90.0, 1e-6]), np.array([180.0, 180.0]), 180.0, **GEO,
                                            overhang_depth_m=1.0)
    assert out == pytest.approx([0.0, 1.0])


def test_sky_view_ratio_by_hand():
    assert solar.overhang_fin_sky_view_ratio(**GEO) == 1.0
    # P = 1, G = 0, H = 1: (sqrt(2) - 1) / 1.
    assert solar.overhang_fin_sky_view_ratio(window_height_m=1.0, window_width_m=1.0, overhang_depth_m=1.0) == \
        pytest.approx(math.sqrt(2) - 1)
    # Fins F = 1 beside W = 1: (sqrt(2) - 1) / 1 as well; both: the product.
    r = solar.overhang_fin_sky_view_ratio(window_height_m=1.0, window_width_m=1.0, overhang_depth_m=1.0, fin_depth_m=1.0)
    assert r == pytest.approx((math.sqrt(2) - 1) ** 2)


# ------------------------------------------------------------------ options over a July month

@pytest.fixture(scope="module")
def july():
    def run(path):
        return twin.simulate(twin.load_scenario(path, **JULY)).summary
    out = {"baseline": run(BASELINE)}
    for name in PASSIVE:
        out[name] = run(OPTIONS / f"{name}.toml")
    return out


@pytest.mark.parametrize("name", PASSIVE)
def test_each_passive_option_lowers_the_worst_zone_dh(july, name):
    base = july["baseline"]["comfort"]["re2020"]
    opt = july[name]["comfort"]["re2020"]
    assert base["dh_c_h"] > 5.0  # July has discomfort to remove
    assert opt["dh_c_h"] < base["dh_c_h"]
    for zone, value in opt["dh_by_zone"].items():
        assert value <= base["dh_by_zone"][zone] + 0.5, zone


def test_fans_report_their_electricity_and_dh_without_them(july):
    c = july["ceiling-fans"]["comfort"]
    fans = c["ceiling_fans"]
    assert fans["electricity_kwh"] > 0 and "immersive_room" not in fans["by_zone"]
    # Without the allowance the DH is at least the baseline's: the fans' motor heat stays in the zone.
    base = july["baseline"]["comfort"]["re2020"]["dh_by_zone"]
    for zone, value in c["re2020"]["dh_no_fans_by_zone"].items():
        assert value >= base[zone] - 1e-9, zone
    # Their electricity is in the run's demand, as its own use.
    elec = july["ceiling-fans"]["electricity"]
    assert elec["by_use_kwh"]["ceiling_fans"] == pytest.approx(fans["electricity_kwh"], rel=1e-12)
    # Electricity by hand: hours on x 1.5 W/m2 x area.
    z = fans["by_zone"]["open_plan_floors"]
    assert z["electricity_kwh"] == pytest.approx(z["hours_on"] * 1.5 * 1140.0 / 1e3)
    assert july["baseline"]["comfort"]["ceiling_fans"] is None


def test_green_roof_harvests_less_rain(july):
    assert july["green-roof"]["water"]["rain_harvested_m3"] == pytest.approx(
        july["baseline"]["water"]["rain_harvested_m3"] * 0.4 / 0.8)


def test_glazing_option_keeps_each_facade_area():
    base = twin.load_scenario(BASELINE).asset
    opt = twin.load_scenario(OPTIONS / "glazing-less-south-west.toml").asset
    for zb, zo in zip(base.zones, opt.zones, strict=True):
        for side in ("north", "east", "south", "west"):
            total_b = getattr(zb.wall_area_m2, side) + getattr(zb.window_area_m2, side)
            total_o = getattr(zo.wall_area_m2, side) + getattr(zo.window_area_m2, side)
            assert total_o == pytest.approx(total_b), (zb.name, side)
            if side in ("south", "west") and getattr(zb.window_area_m2, side) > 0:
                assert getattr(zo.window_area_m2, side) == pytest.approx(0.75 * getattr(zb.window_area_m2, side))


# ------------------------------------------------------------------ heatwave KPI

def test_heatwave_kpis_on_a_known_sequence():
    # 1 h steps, 6 steps, 2 zones; the heatwave covers steps 1-4.
    t = np.array([[27.0, 25.0], [28.5, 26.0], [29.0, 30.5], [27.5, 31.0], [30.0, 29.0], [35.0, 35.0]])
    open_mask = np.array([[1, 1], [1, 0], [0, 0], [1, 1], [1, 1], [1, 1]], dtype=bool)
    inside = np.array([0, 1, 1, 1, 1, 0], dtype=bool)
    k = kpis.heatwave_kpis(t, open_mask, inside, ("a", "b"), 3600.0)
    assert k["by_zone"]["a"] == {"hours_above_limit": 3.0, "open_hours_above_limit": 2.0, "max_temp_op_c": 30.0}
    assert k["by_zone"]["b"] == {"hours_above_limit": 3.0, "open_hours_above_limit": 2.0, "max_temp_op_c": 31.0}
    assert k["worst_zone"] == "b" and k["hours"] == 4.0 and k["max_temp_op_c"] == 31.0


def test_a_heatwave_field_inserts_the_sequence_and_reports_it():
    window = {"period.start": dt.date(2027, 7, 20), "period.end": dt.date(2027, 8, 10), "period.warmup_days": 3}
    plain = twin.simulate(twin.load_scenario(BASELINE, **window)).summary
    hot = twin.simulate(twin.load_scenario(BASELINE, **window, **{"weather.heatwave": {"start": "07-22"}})).summary
    hw = hot["comfort"]["heatwave"]
    assert plain["comfort"]["heatwave"] is None
    assert hw["start"].startswith("2027-07-22") and hw["hours"] == pytest.approx(14 * 24)
    assert "heatwave from 2027-07-22 (peak 38.3" in hot["meta"]["weather_source"]
    assert hw["max_temp_op_c"] > max(v["max_temp_op_c"] for v in plain["comfort"]["by_zone"].values())
    assert hw["by_zone"]["open_plan_floors"]["hours_above_limit"] > 0


# ------------------------------------------------------------------ compare across climates

def test_compare_with_climates_writes_the_overheating_risk_table(tmp_path, capsys):
    from twin.cli import main

    opt = OPTIONS / "glazing-solar-control.toml"
    out = tmp_path / "cmp"
    args = ["compare", str(BASELINE), str(opt), "--climates", "today,tracc-2100", "--out", str(out), "--report",
            "--set", "period.start=2027-07-05", "--set", "period.end=2027-07-26", "--set", "period.warmup_days=5"]
    assert main(args) == 0
    html = (out / "report.html").read_text()
    assert "Overheating risk per zone and climate" in html and "tracc-2100" in html
    printed = capsys.readouterr().out
    assert "tracc-2100" in printed and "glazing-solar-control" in printed
    md = (out / "comparison.md").read_text()
    assert "## Climate `today`" in md and "## Climate `tracc-2100`" in md
    assert "## Overheating risk per zone and climate" in md
    assert "| zone | today | tracc-2100 |" in md and "| open_plan_floors | " in md
    import pandas as pd

    risk = pd.read_csv(out / "overheating_by_zone.csv")
    assert len(risk) == 2 * 2 * 7  # climates x scenarios x zones
    base = risk[(risk["scenario"] == "baseline") & (risk["zone"] == "open_plan_floors")].set_index("climate")
    assert base.loc["tracc-2100", "dh_re2020_c_h"] > base.loc["today", "dh_re2020_c_h"]
    assert base.loc["tracc-2100", "max_temp_op_c"] > base.loc["today", "max_temp_op_c"]
    runs = pd.read_csv(out / "runs.csv")
    assert set(runs["climate"]) == {"today", "tracc-2100"}
    # Paired: the today rows are those of a plain comparison of the same period.
    from twin.compare import compare

    dates = {"period.start": dt.date(2027, 7, 5), "period.end": dt.date(2027, 7, 26), "period.warmup_days": 5}
    plain = compare(BASELINE, [opt], overrides=dates)
    today = runs[runs["climate"] == "today"].set_index("scenario")
    assert today.loc["baseline", "district_heat_mwh"] == pytest.approx(
        plain.runs.set_index("scenario").loc["baseline", "district_heat_mwh"])
    assert plain.zones["zone"].nunique() == 7


def test_compare_climates_refuses_unknown_levels():
    from twin.compare import compare_climates
    from twin.errors import ScenarioError

    with pytest.raises(ScenarioError, match="expected distinct levels"):
        compare_climates(BASELINE, [], ["today", "tracc-2200"])


def test_compare_refuses_options_with_another_heatwave(tmp_path):
    from twin.compare import compare
    from twin.errors import ScenarioError

    hot = tmp_path / "hot.toml"
    hot.write_text(f'inherits = "{BASELINE}"\nname = "hot"\n[weather]\nheatwave = {{ start = "07-19" }}\n')
    with pytest.raises(ScenarioError, match="weather.heatwave differs"):
        compare(BASELINE, [hot])


def test_compare_with_a_heatwave_adds_its_resilience_table(tmp_path):
    from twin.cli import main

    out = tmp_path / "hw"
    args = ["compare", str(BASELINE), str(OPTIONS / "night-ventilation.toml"), "--climates", "tracc-2050",
            "--heatwave", "07-06", "--out", str(out), "-q",
            "--set", "period.start=2027-07-01", "--set", "period.end=2027-07-22", "--set", "period.warmup_days=3"]
    assert main(args) == 0
    md = (out / "comparison.md").read_text()
    assert "Heatwave resilience of `baseline`" in md and "Heatwave resilience of `night-ventilation`" in md
    import pandas as pd

    risk = pd.read_csv(out / "overheating_by_zone.csv").set_index(["scenario", "zone"])
    top = risk.loc[("baseline", "open_plan_floors")]
    assert top["heatwave_hours_above_28c"] > 0 and top["heatwave_max_temp_op_c"] > 30.0
    assert risk.loc[("night-ventilation", "open_plan_floors"), "heatwave_max_temp_op_c"] < top["heatwave_max_temp_op_c"]


def test_the_heatwave_peak_follows_the_climate_level():
    from twin.api import scenario_weather
    from twin.climate import climate_deltas

    s = twin.load_scenario(BASELINE, **{"weather.climate": "tracc-2050", "weather.heatwave": {"start": "07-19"}})
    w = scenario_weather(s)
    peak = 38.3 + float(climate_deltas("tracc-2050").loc[8, "dtemp_k"])
    july = w.data.loc["2027-07-19":"2027-08-01", "temp_air"]
    assert july.max() == pytest.approx(peak, abs=0.05)
    assert f"(peak {peak:.1f} °C)" in w.source
    fixed = scenario_weather(twin.load_scenario(BASELINE, **{"weather.heatwave": {"start": "07-19", "peak_c": 36.0}}))
    assert fixed.data.loc["2027-07-19":"2027-08-01", "temp_air"].max() == pytest.approx(36.0, abs=0.05)
