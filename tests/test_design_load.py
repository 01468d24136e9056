"""Design heat load at the design outdoor temperature (twin.systems.design_load), checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from twin import load_scenario
from twin.api import scenario_weather
from twin.engine import Engine, build_exogenous
from twin.physics import constructions as cons
from twin.systems.design_load import (
    design_fresh_air_m3_h,
    design_heat_load,
    fresh_air_per_person_m3_h,
)

from .conftest import ROOT


@pytest.fixture(scope="module")
def building():
    sc = load_scenario(ROOT / "scenarios" / "baseline.toml",
                       **{"period.start": "2027-01-04", "period.end": "2027-01-05", "period.warmup_days": 0})
    eng = Engine(sc, build_exogenous(sc.asset, sc, scenario_weather(sc)))
    ground_c = eng.exo.temp_ground_coldest_c
    return sc.asset, eng, ground_c, design_heat_load(sc.asset, eng.zones.networks, eng.ahu, eng.rho_cp_j_m3k, ground_c)


def test_transmission_of_a_middle_floor_is_u_a_delta_t(building):
    # Coworking sits between floors (no roof, no ground): its loss is walls + windows + thermal
    # bridges, Σ U A ΔT with U from the layer sum (ISO 6946) and the window's declared U. The network
    # holds only the air at θ_int; its inside surfaces also see a radiant star a little colder than
    # the air (U's definition puts the whole environment at θ_int), so the network loses 2.6 % less
    # (measured). Tolerance 4 %; a wrong area or layer moves it by 10 % or more.
    model, _, _, load = building
    z = next(z for z in model.zones if z.name == "coworking")
    env = model.envelope
    u_wall = cons.u_value_w_m2k(model.layers(model.zone_construction(z, "external_wall")),
                                cons.r_si_m2k_w("wall"), cons.r_se_m2k_w())
    walls = sum(z.wall_area_m2.model_dump().values())
    windows = sum(z.window_area_m2.model_dump().values())
    assert z.roof_area_m2 == 0.0
    ua = u_wall * walls + env.window_u_w_m2k * windows + env.thermal_bridges_delta_u_w_m2k * walls
    hand_kw = ua * (z.heating.setpoint_open_c - model.heat_network.design_outdoor_c) / 1e3
    assert load["zones"]["coworking"]["transmission_kw"] == pytest.approx(hand_kw, rel=0.04)
    assert load["zones"]["coworking"]["transmission_kw"] < hand_kw  # the colder star, never more


def test_ventilation_and_coil_follow_the_frost_limited_recovery_by_hand(building):
    model, eng, _, load = building
    hr = model.ahu.heat_recovery
    theta_e, theta_int = model.heat_network.design_outdoor_c, 19.0  # every zone's occupied set-point
    assert all(z.heating.setpoint_open_c == theta_int for z in model.zones)
    # The exhaust may not leave the plate below its frost limit: ε = (θ_int − θ_frost) / (θ_int − θ_e).
    eps = min(hr.effectiveness, (theta_int - hr.frost_limit_exhaust_c) / (theta_int - theta_e))
    assert load["recovery_effectiveness"] == pytest.approx(eps, rel=1e-9)
    q = design_fresh_air_m3_h(model.zones).sum() / 3600.0
    t_hr = theta_e + eps * (theta_int - theta_e)
    coil = min(eng.rho_cp_j_m3k * q * (model.ahu.supply_setpoint_c - t_hr), model.ahu.coil_max_kw * 1e3)
    assert load["coil_kw"] == pytest.approx(coil / 1e3, rel=1e-9)
    vent = sum(zl["ventilation_kw"] for zl in load["zones"].values())
    supply = t_hr + coil / (eng.rho_cp_j_m3k * q)
    assert vent == pytest.approx(eng.rho_cp_j_m3k * q * (theta_int - supply) / 1e3, rel=1e-9)


def test_parts_add_up_and_the_substation_adds_its_losses(building):
    model, _, _, load = building
    parts = sum(v for zl in load["zones"].values() for k, v in zl.items() if k.endswith("_kw")) + load["coil_kw"]
    assert load["total_kw"] == pytest.approx(parts, rel=1e-12)
    assert load["substation_kw"] == pytest.approx(load["total_kw"] * (1 + model.heat_network.distribution_loss_fraction))


def test_a_colder_design_day_needs_more_heat(building):
    model, eng, ground_c, load = building
    colder = design_heat_load(model, eng.zones.networks, eng.ahu, eng.rho_cp_j_m3k, ground_c, temp_out_c=-15.0)
    assert colder["total_kw"] > load["total_kw"]
    assert np.isfinite(colder["total_kw"])


def test_the_run_summary_carries_the_design_day_and_the_coldest_hour(building):
    from twin import simulate

    sc = load_scenario(ROOT / "scenarios" / "baseline.toml",
                       **{"period.start": "2027-07-01", "period.end": "2027-07-03", "period.warmup_days": 0})
    heat = simulate(sc, timeseries=False).summary["heat"]
    _, _, _, january = building
    # A summer run states the same design load: it does not depend on the run's own months.
    assert heat["design_day"]["total_kw"] == pytest.approx(january["total_kw"], rel=1e-9)
    assert heat["design_day"]["coldest_outdoor_c_in_run"] > 5.0


def test_training_rooms_add_the_trainers_code_du_travail_rate_to_the_trainees_rsdt_rate(building):
    # RSDT art. 62/64.1: the public (trainees) at 18 m3/h; Code du travail R4222-6: staff (trainers)
    # at 25 m3/h; the two add up, weighted by the staff share (one trainer per group of ~12).
    model = building[0]
    rates = dict(zip([z.name for z in model.zones], fresh_air_per_person_m3_h(model.zones), strict=True))
    v = next(z for z in model.zones if z.name == "training_rooms").ventilation
    assert (v.fresh_air_m3_h_per_person, v.staff_fresh_air_m3_h_per_person) == (18.0, 25.0)
    assert rates["training_rooms"] == pytest.approx((1 - v.staff_share) * 18.0 + v.staff_share * 25.0, rel=1e-12)
    assert 18.0 < rates["training_rooms"] < 25.0
    assert rates["coworking"] == 25.0                     # no staff share: the zone's one rate
    z = next(z for z in model.zones if z.name == "training_rooms")
    i = [zz.name for zz in model.zones].index("training_rooms")
    assert design_fresh_air_m3_h(model.zones)[i] == pytest.approx(
        rates["training_rooms"] * z.occupancy.capacity_persons + z.ventilation.min_fresh_air_m3_h_m2 * z.floor_area_m2)
