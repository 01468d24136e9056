"""KPIs and economics on small arrays, against hand counts."""

from __future__ import annotations

import numpy as np
import pytest

from twin import economics, kpis

from .conftest import short_scenario


def test_resilience_counts_hours_until_the_threshold():
    # 900 s steps; outage from step 4 to step 12; temperature falls 0.5 K per step from 18 °C at step 4.
    temp = np.array([18.0] * 4 + [18.0 - 0.5 * k for k in range(12)])
    [r] = kpis.resilience_hours([(3600.0, 3 * 3600.0)], temp, 900.0, 16.0)
    # Steps 4..11 lie in the outage; 16 °C is crossed (strictly below) at k = 5, i.e. 5 steps = 1.25 h.
    assert r["hours_above_threshold"] == pytest.approx(1.25)
    assert r["duration_h"] == pytest.approx(2.0) and r["stayed_above"] is False


def test_resilience_when_the_building_holds():
    [r] = kpis.resilience_hours([(0.0, 7200.0)], np.full(10, 20.0), 900.0, 16.0)
    assert r["stayed_above"] and r["hours_above_threshold"] == pytest.approx(2.0)


def test_comfort_counts_open_hours_only_and_names_the_worst_zone():
    op = np.array([[27.0, 25.0], [29.0, 25.0], [29.0, 30.0]])
    open_mask = np.array([[True, True], [True, True], [False, True]])
    c = kpis.comfort_kpis(op, op, np.full_like(op, 19.0), open_mask, ("a", "b"), 3600.0)
    assert c["by_zone"]["a"]["hours_above_26c"] == 2.0 and c["by_zone"]["a"]["hours_above_28c"] == 1.0
    assert c["by_zone"]["a"]["degree_hours_above_comfort"] == pytest.approx(1.0 + 3.0)
    assert c["by_zone"]["b"]["degree_hours_above_comfort"] == pytest.approx(4.0)
    assert c["hours_above_26c"] == 2.0
    assert c["worst_zone"] in ("a", "b")


def test_cold_hours_count_open_hours_with_cold_walls_not_cold_air():
    # Air at the 20 °C setpoint every hour; the operative temperature 18.5 (cold), 19.5 (not: within
    # 1 K), 18.0 while closed (not counted), 18.9 (cold).
    air = np.full((4, 1), 20.0)
    op = np.array([[18.5], [19.5], [18.0], [18.9]])
    open_mask = np.array([[True], [True], [False], [True]])
    c = kpis.comfort_kpis(op, air, np.full_like(air, 20.0), open_mask, ("a",), 3600.0)
    assert c["hours_cold_operative"] == 2.0
    assert c["hours_below_setpoint"] == 0.0


def test_heat_kpis_by_hand():
    n = 4
    rec = {k: np.zeros(n) for k in ("heat_emitters_w", "heat_coil_w", "district_heat_w", "heat_loss_w", "heat_recovered_w")}
    rec["heat_emitters_w"][:] = 1000.0
    rec["district_heat_w"][:] = 1050.0
    rec["district_heat_w"][2] = 4000.0
    unmet = np.array([[False, True], [False, False], [True, True], [False, False]])
    h = kpis.heat_kpis(rec, unmet, 1800.0)
    assert h["demand_kwh"] == pytest.approx(4 * 1.0 * 0.5)
    assert h["district_heat_kwh"] == pytest.approx((3 * 1.05 + 4.0) * 0.5)
    assert h["peak_kw"] == pytest.approx(4.0)
    assert h["unmet_hours"] == pytest.approx(1.0)  # two half-hour steps with an unmet zone


def test_costs_and_co2_by_hand():
    import pandas as pd

    s = short_scenario(**{"tariffs.electricity.kind": "flat"})
    # A whole year at constant powers: 100 MWh of heat (11.416 kW), 50 MWh bought, 20 MWh sold.
    idx = pd.date_range("2027-01-01 01:00", "2028-01-01 00:00", freq="1h", tz="Etc/GMT-1")
    heat = pd.Series(100_000.0 / 8760, index=idx)
    imp = pd.Series(50_000.0 / 8760, index=idx)
    exp = pd.Series(20_000.0 / 8760, index=idx)
    cost, revenue = economics.operating_costs(s, heat, imp, exp, water_mains_m3=300.0)
    # R1 55 EUR/MWh x 100 MWh + R2 8.98 EUR/kW x 160 kW + flat 0.20 EUR/kWh x 50 MWh + 3.10 EUR/m3 x 300 m3
    # + 25 EUR/yr fixed water charges (baseline tariffs); PV surplus 20 MWh x 0.10 EUR/kWh.
    assert cost["district_heat_energy"] == pytest.approx(5_500.0)
    assert cost["district_heat_subscription"] == pytest.approx(1_436.8)
    assert cost["electricity_energy"] == pytest.approx(10_000.0)
    assert cost["electricity_subscription"] == 0.0  # inside the flat all-in price
    assert cost["water"] == pytest.approx(955.0)
    assert cost["total"] == pytest.approx(17_891.8)
    assert revenue == {"pv_export": pytest.approx(2_000.0), "ev_charging": None}
    co2 = economics.co2_kg(s, 100_000.0, 50_000.0)
    assert co2["total"] == pytest.approx(100_000 * 0.066 + 50_000 * 0.064)


def test_time_of_use_is_one_override_away():
    import pandas as pd

    s = short_scenario(**{"tariffs.electricity.kind": "time_of_use"})
    idx = pd.date_range("2027-01-01 01:00", "2028-01-01 00:00", freq="1h", tz="Etc/GMT-1")
    flat = pd.Series(10.0, index=idx)
    cost, _ = economics.operating_costs(s, flat, flat, flat * 0.0, None)
    assert cost["electricity_tariff"] == "time_of_use"
    assert cost["electricity_subscription"] > 0 and cost["electricity_taxes_network"] > 0
    assert set(cost["electricity_kwh_by_period"]) == {"hph", "hch", "hpe", "hce"}
    assert sum(cost["electricity_kwh_by_period"].values()) == pytest.approx(87_600.0)


def test_intensity_final_and_primary_by_hand():
    from twin.api import _intensity

    s = short_scenario()
    # 3,072 m2; heat 30,720 kWh (10 kWh/m2); 61,440 kWh bought (20 kWh/m2) of a 92,160 kWh demand.
    out = _intensity(s, 30_720.0, {"grid_import_kwh": 61_440.0, "demand_kwh": 92_160.0}, 3_072.0)
    assert out["final"] == pytest.approx(30.0)
    assert out["primary"] == pytest.approx(10.0 * 1.0 + 20.0 * 2.3)   # RE2020 factors
    assert out["electricity"] == pytest.approx(30.0)


def test_pmv_kpis_by_hand():
    # Two days at 27 °C air and 29 °C operative in zone a (warm), 22/22 in zone b, a warm week before
    # (θ_rm > 20 °C: 0.5 clo), open all hours: zone a is warm (PMV > 0.5) every hour, zone b is not;
    # with fans at 0.8 m/s zone a's PMV drops (ISO 7730 convection).
    import pandas as pd

    from twin.kpis import pmv_kpis
    from twin.physics import comfort

    times = pd.date_range("2027-07-01 01:00", periods=24 * 9, freq="h")
    n = len(times)
    temp_air = np.column_stack([np.full(n, 27.0), np.full(n, 22.0)])
    temp_op = np.column_stack([np.full(n, 28.0), np.full(n, 22.0)])
    still = np.zeros((n, 2))
    out = pmv_kpis(temp_air, temp_op, still, np.full(n, 24.0), times, np.ones((n, 2), bool), ("a", "b"), 3600.0)
    pmv_a, _ = comfort.pmv_ppd(27.0, 29.0, 0.1, 50.0, 1.2, 0.5)
    assert out["a"]["max_pmv"] == pytest.approx(float(pmv_a), abs=1e-9) and pmv_a > 0.5
    assert out["a"]["hours_warm"] == n and out["b"]["hours_warm"] == 0.0
    fans = pmv_kpis(temp_air, temp_op, np.column_stack([np.full(n, 0.8), np.zeros(n)]), np.full(n, 24.0), times,
                    np.ones((n, 2), bool), ("a", "b"), 3600.0)
    assert fans["a"]["max_pmv"] < out["a"]["max_pmv"]
