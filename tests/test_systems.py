"""Systems: AHU and substation wrappers, checked against hand calculations."""

from __future__ import annotations

import pytest

from twin.scenario import Ahu, HeatNetwork, HeatRecovery
from twin.systems.ahu import AirHandlingUnit
from twin.systems.heat_network import Substation, heating_curve_c

RHO_CP = 1200.0  # J/(m3 K), a round value so the hand calculations stay readable


def _ahu(**kw) -> AirHandlingUnit:
    spec = dict(
        heat_recovery=HeatRecovery(effectiveness=0.8, frost_limit_exhaust_c=-20.0),
        supply_setpoint_c=18.0, coil_max_kw=50.0, sfp_kw_per_m3_s=1.5, min_flow_fraction=0.3,
        night_flush_m3_h_m2=2.0, night_flush_zone_above_c=24.0, free_cooling_zone_above_c=24.0,
    )
    spec.update(kw)
    return AirHandlingUnit(Ahu(**spec), RHO_CP)


def test_ahu_recovery_and_coil_by_hand():
    # 1 m3/s, outdoor 0 °C, extract 20 °C, eps 0.8: after recovery 0 + 0.8 x 20 = 16 °C;
    # recovered 1200 x 1 x 16 = 19.2 kW; coil to 18 °C: 1200 x 2 = 2.4 kW; fans 1.5 kW/(m3/s) x 1 = 1.5 kW.
    step = _ahu().step(1.0, 0.0, 20.0, free_cooling=False)
    assert step.temp_after_recovery_c == pytest.approx(16.0)
    assert step.recovered_w == pytest.approx(19_200.0)
    assert step.coil_request_w == pytest.approx(2_400.0)
    assert step.fan_w == pytest.approx(1_500.0)
    assert _ahu().supply_temp_c(step, 2_400.0) == pytest.approx(18.0)
    assert _ahu().supply_temp_c(step, 1_200.0) == pytest.approx(17.0)  # half the coil power: half the lift


def test_ahu_coil_is_capped():
    # 10 m3/s from -10 °C with no recovery needs 1200 x 10 x 28 = 336 kW; the coil gives 50.
    ahu = _ahu(heat_recovery=HeatRecovery(effectiveness=0.0, frost_limit_exhaust_c=-20.0))
    assert ahu.step(10.0, -10.0, 20.0, free_cooling=False).coil_request_w == pytest.approx(50_000.0)


def test_ahu_frost_protection_keeps_exhaust_at_its_limit():
    ahu = _ahu(heat_recovery=HeatRecovery(effectiveness=0.8, frost_limit_exhaust_c=1.0))
    step = ahu.step(1.0, -10.0, 20.0, free_cooling=False)
    # Balanced flows: exhaust = extract - (supply - outdoor) = 20 - (T_hr + 10) = 1 -> T_hr = 9 °C.
    assert step.temp_after_recovery_c == pytest.approx(9.0)
    assert step.effectiveness == pytest.approx(19.0 / 30.0)


def test_ahu_free_cooling_bypasses_recovery_and_coil():
    step = _ahu().step(1.0, 15.0, 27.0, free_cooling=True)
    assert step.bypass and step.effectiveness == 0.0
    assert step.temp_after_recovery_c == pytest.approx(15.0)
    assert step.coil_request_w == 0.0 and step.recovered_w == 0.0


def test_ahu_off_does_nothing():
    step = _ahu().step(0.0, -5.0, 20.0, free_cooling=False)
    assert (step.coil_request_w, step.recovered_w, step.fan_w) == (0.0, 0.0, 0.0)


def _network(**kw) -> HeatNetwork:
    spec = dict(subscribed_kw=100.0, design_outdoor_c=-10.0, supply_temp_design_c=70.0, supply_temp_min_c=35.0,
                heating_limit_outdoor_c=16.0, distribution_loss_fraction=0.05, pump_kw=1.0)
    spec.update(kw)
    return HeatNetwork(**spec)


def test_substation_delivers_with_losses_below_capacity():
    scale, meter, loss = Substation(_network()).allocate(50_000.0)
    assert scale == 1.0
    assert meter == pytest.approx(52_500.0)  # 50 kW + 5 %
    assert loss == pytest.approx(2_500.0)


def test_substation_scales_every_request_above_capacity():
    # 200 kW asked, 100 kW at the meter: delivered = 100 / 1.05 = 95.24 kW, share 0.4762.
    scale, meter, loss = Substation(_network()).allocate(200_000.0)
    assert meter == pytest.approx(100_000.0)
    assert scale == pytest.approx(100_000.0 / 1.05 / 200_000.0)
    assert loss == pytest.approx(100_000.0 - 100_000.0 / 1.05)


def test_substation_outage_delivers_nothing():
    sub = Substation(_network())
    sub.available = False
    assert sub.allocate(10_000.0) == (0.0, 0.0, 0.0)
    assert sub.pump_w(0.0) == 0.0


@pytest.mark.parametrize(("t_out", "expected"), [(-15.0, 70.0), (-10.0, 70.0), (3.0, 52.5), (16.0, 35.0), (25.0, 35.0)])
def test_heating_curve_points(t_out, expected):
    # Linear from (−10 °C, 70 °C) to (16 °C, 35 °C): at 3 °C, 35 + 35 x 13/26 = 52.5 °C.
    assert heating_curve_c(t_out, -10.0, 70.0, 35.0, 16.0) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("t_out", "t_ext", "expected"),
    [
        (0.0, 20.0, 0.8),          # winter: full recovery (0 + 0.8 x 20 = 16 °C, below 18)
        (12.0, 22.0, 0.6),         # mid-season: 12 + 0.6 x 10 = 18 °C exactly, not 20 °C
        (19.0, 23.0, 0.0),         # outdoor above the setpoint and cooler than extract: bypass
        (30.0, 26.0, 0.8),         # summer: recover coolness, 30 - 0.8 x 4 = 26.8 °C
        (20.0, 20.0, 0.0),         # nothing to recover
    ],
)
def test_modulated_effectiveness_by_hand(t_out, t_ext, expected):
    from twin.systems.ahu import modulated_effectiveness

    assert modulated_effectiveness(0.8, t_out, t_ext, 18.0) == pytest.approx(expected)


def test_ahu_never_overshoots_its_supply_setpoint_by_recovery():
    step = _ahu().step(1.0, 12.0, 22.0, free_cooling=False)
    assert step.temp_after_recovery_c == pytest.approx(18.0)
    assert step.coil_request_w == pytest.approx(0.0)
    assert step.recovered_w == pytest.approx(1200.0 * 6.0)


def test_emitter_capacity_factor_by_hand():
    from twin.systems.heat_network import emitter_capacity_factor

    # Design 70 °C supply, 20 K drop, 20 °C room: ΔT_design = 70 - 10 - 20 = 40 K -> factor 1.
    assert emitter_capacity_factor(70.0, 20.0, 70.0, 20.0, 1.3) == pytest.approx(1.0)
    # 45 °C supply: ΔT = 15 K -> (15/40)^1.3 = 0.2797.
    assert emitter_capacity_factor(45.0, 20.0, 70.0, 20.0, 1.3) == pytest.approx((15 / 40) ** 1.3)
    # Water colder than the room gives nothing, never a negative output.
    assert emitter_capacity_factor(25.0, 20.0, 70.0, 20.0, 1.3) == 0.0
