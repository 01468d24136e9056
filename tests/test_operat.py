"""Tests of twin.operat: a worked Décret tertiaire example for Le Numérique, checked by hand.

Sources of the numbers: arrêté du 10 avril 2020 (méthode) as modified, and annexes I and II of the
arrêté du 1er août 2025 (NOR ATDL2430864A); see docs/economics.md §5. Tolerances are float
round-off only (1e-9 relative) except where a comment says otherwise: every value is exact arithmetic.
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from twin import operat as op

# Le Numérique's zones [m2] (models/le-numerique.toml): they add up to the 3,072 m2 of DF §0.
ZONES_M2 = {"fablab": 250.0, "immersive_room": 120.0, "training_rooms": 160.0, "reception_event": 262.0,
            "coworking": 570.0, "private_offices": 570.0, "open_plan_floors": 1140.0}


def test_cabs_of_each_sub_category_in_h1c_below_400m():
    # Annexe I (ATDL2430864A), zone H1c, "Altitude < 400 m" (Besançon station 307 m, annexe III):
    #   offices CVC 62; USE: co-working 50, standard 50, open space 60, public reception 35
    #   adult training rooms CVC 36; USE: without process 10, with process 90
    #   adult training workshop with process CVC 35, USE 24
    expected = {
        "Bureaux - Espace Co-Working": 62 + 50,
        "Bureaux - Bureaux Standards (cloisonnés - attribués)": 62 + 50,
        "Bureaux - Open Space (non cloisonné - attribué)": 62 + 60,
        "Bureaux - Zone d’accueil du public": 62 + 35,
        "Formation continue pour adultes - Salle de formation et d'enseignement banalisé - Sans Process": 36 + 10,
        "Formation continue pour adultes - Salle de formation et d'enseignement banalisé - Avec Process": 36 + 90,
        "Formation continue pour adultes - Atelier et Halle technique avec Process": 35 + 24,
    }
    for name, cabs in expected.items():
        assert op.cabs_kwh_m2(name, "H1c", 307.0)["cabs"] == cabs, name
    # Other zones read from the same row: offices H1b 66 + 50 = 116, H3 40 + 50 = 90.
    assert op.cabs_kwh_m2("Bureaux - Espace Co-Working", "H1b", 100.0)["cabs"] == 116
    assert op.cabs_kwh_m2("Bureaux - Espace Co-Working", "H3", 100.0)["cabs"] == 90


def test_cabs_refuses_what_is_not_transcribed():
    with pytest.raises(ValueError, match="400 m band"):
        op.cabs_kwh_m2("Bureaux - Espace Co-Working", "H1c", 831.0)   # Pontarlier's altitude
    with pytest.raises(ValueError, match="climate zone"):
        op.cabs_kwh_m2("Bureaux - Espace Co-Working", "H4", 100.0)
    with pytest.raises(ValueError, match="unknown OPERAT sub-category"):
        op.cabs_kwh_m2("FabLab", "H1c", 100.0)


def test_worked_example_le_numerique():
    areas = op.areas_by_sub_category(ZONES_M2)
    pro = op.cabs_prorata(areas, "H1c", 307.0)
    # Art. 4, pro rata of surfaces:
    #   co-working       570 x 112 =  63,840
    #   standard offices 570 x 112 =  63,840
    #   open space      1140 x 122 = 139,080
    #   training rooms   160 x  46 =   7,360
    #   immersive room   120 x 126 =  15,120
    #   FabLab           250 x  59 =  14,750
    #   reception/event  262 x  97 =  25,414
    #   sum                          329,404 kWh/yr over 3,072 m2 -> Cabs 2030 = 107.2279 kWh/m2/yr
    assert pro["area_m2"] == 3072.0
    assert pro["cabs_kwh_m2"] == pytest.approx(329_404 / 3072, rel=1e-12)
    assert pro["cabs_kwh_m2"] == pytest.approx(107.2279, abs=1e-4)

    # A year of the twin, rounded: 25,000 kWh of district heat, 64,000 kWh bought from the grid of
    # which 10,000 kWh charge cars (the PV-charged kWh were never bought).
    #   heat        25,000 x 0.77 = 19,250 kWh EF (annexe I)
    #   electricity 64,000 - 10,000 (IRVE line, left out [E]) = 54,000 kWh EF
    #   total       73,250 kWh EF / 3,072 m2 = 23.844 kWh/m2
    fe = op.final_energy_kwh(25_000.0, 64_000.0, 10_000.0)
    assert fe == {"district_heat": 19_250.0, "electricity": 54_000.0, "irve": 10_000.0, "total": 73_250.0}
    with_ev = op.final_energy_kwh(25_000.0, 64_000.0, 10_000.0, exclude_ev=False)
    assert with_ev["total"] == 83_250.0

    # Degree-day adjustment, heating metered (the substation meter): a mild year of 2,500 DJ against a
    # reference of 2,750: Acef = 19,250 x (2,750 - 2,500)/2,500 = 1,925 kWh -> 75,175 kWh EF.
    adj = op.climate_adjusted_kwh(fe["total"], fe["district_heat"], dj_year=2500.0, dj_reference=2750.0)
    assert adj["adjustment_kwh"] == pytest.approx(1925.0, rel=1e-12)
    assert adj["adjusted_kwh"] == pytest.approx(75_175.0, rel=1e-12)
    c = adj["adjusted_kwh"] / 3072.0             # 24.471 kWh/m2

    # 2030: 24.47 <= Cabs 107.23 -> met. New building: Créf = its first full year, Crelat 2030 = 0.6 Créf.
    status = op.assess(c, pro["cabs_kwh_m2"])
    assert status["meets_cabs_2030"] and status["meets_2030"]
    assert status["crelat_kwh_m2"][2030] == pytest.approx(0.6 * c, rel=1e-12)
    assert status["margin_to_cabs_kwh_m2"] == pytest.approx(107.2279 - 24.4710, abs=1e-3)


def test_relative_trajectory_and_either_condition():
    # Créf 150: Crelat 2030/2040/2050 = 90 / 75 / 60.
    assert op.relative_targets(150.0) == pytest.approx({2030: 90.0, 2040: 75.0, 2050: 60.0})
    # 100 is above Cabs 95 but below Crelat 2030 = 0.6 x 170 = 102: met by the relative target alone.
    s = op.assess(100.0, 95.0, cref_kwh_m2=170.0)
    assert not s["meets_cabs_2030"] and s["meets_crelat_2030"] and s["meets_2030"]
    s = op.assess(100.0, 95.0, cref_kwh_m2=160.0)           # Crelat 96 < 100 and Cabs 95 < 100
    assert not s["meets_2030"]


def test_degree_days_method_of_the_energy_professionals():
    # S = 18. Cold day 2/8: S > Tmax -> 18 - 5 = 13, no cooling.
    # Mid-season 10/20: heating (18-10)(0.08 + 0.42 x 8/10) = 8 x 0.416 = 3.328;
    #                   cooling (20-18)(0.08 + 0.42 x 2/10) = 2 x 0.164 = 0.328.
    # Hot day 19/27: S <= Tmin -> no heating, cooling 23 - 18 = 5.
    heat, cool = op.degree_days_pro([2.0, 10.0, 19.0], [8.0, 20.0, 27.0])
    assert heat == pytest.approx([13.0, 3.328, 0.0], abs=1e-12)
    assert cool == pytest.approx([0.0, 0.328, 5.0], abs=1e-12)


def test_daily_degree_days_from_a_series():
    # Two civil days at 15 min (labels are step ends, a step belongs to the day of its middle):
    # day 1 from 2 to 8 °C -> 18 - 5 = 13 heating DJ; day 2 constant 20 °C -> S <= Tmin, cooling 2.
    idx = pd.date_range("2027-01-04 00:15", periods=192, freq="15min", tz="Europe/Paris")
    temp = pd.Series(np.r_[np.linspace(2.0, 8.0, 96), np.full(96, 20.0)], index=idx)
    dd = op.daily_degree_days(temp)
    assert dd == {"heating": pytest.approx(13.0, abs=1e-12), "cooling": pytest.approx(2.0, abs=1e-12), "days": 2}


def test_estimated_heating_share():
    # Unmetered: standard offices only, 100,000 kWh, DJ 2,600, Coeff_ch 0.000247 (annexe II):
    # heating part = 100,000 x 0.000247 x 2,600 = 64,220 kWh.
    est = op.estimated_heating_kwh(100_000.0, {"Bureaux - Bureaux Standards (cloisonnés - attribués)": 1000.0}, 2600.0)
    assert est == pytest.approx(64_220.0, rel=1e-12)


def test_declaration_csv(tmp_path):
    rows = op.declaration_rows(efa_name="Le Numérique", year=2027,
                               area_m2_by_sub_category=op.areas_by_sub_category(ZONES_M2),
                               district_heat_kwh=25_000.0, grid_import_kwh=64_000.0, ev_from_grid_kwh=10_000.0)
    path = op.write_declaration_csv(tmp_path / "operat.csv", rows)
    with path.open(encoding="utf-8-sig") as f:
        back = list(csv.DictReader(f, delimiter=";"))
    fields = {r["field"]: r["value"] for r in back}
    assert fields["Electricité"] == "54000.0" and fields["Réseau de chaleur"] == "25000.0"
    assert fields["Zone climatique"] == "H1c"
    assert float(fields["Cabs 2030 au prorata des surfaces"]) == pytest.approx(107.2, abs=0.05)
    assert {r["table"] for r in back} == {"1A", "2", "3", "4a", "calc"}


def _fake_year_folder(tmp_path, years=1.0):
    """A run folder with the worked example's energies and two civil days of temperature."""
    import json

    from tests.conftest import MODEL
    from twin.results import Results

    idx = pd.date_range("2027-01-04 00:15", periods=192, freq="15min", tz="Europe/Paris")
    ts = pd.DataFrame({"temp_out_c": np.r_[np.linspace(2.0, 8.0, 96), np.full(96, 20.0)]}, index=idx)
    summary = {
        "meta": {"scenario": "example", "model": str(MODEL), "start": "2027-01-01T00:00:00+01:00",
                 "period_fraction_of_year": years},
        "heat": {"district_heat_kwh": 25_000.0},
        "electricity": {"grid_import_kwh": 64_000.0, "ev": {"delivered_kwh": 12_000.0, "from_pv_kwh": 2_000.0}},
        "cost_eur": {"period_years": years},
    }
    folder = tmp_path / "run"
    Results(timeseries=ts, summary=summary).save(folder)
    (folder / "summary.json").write_text(json.dumps(summary))
    return folder


def test_from_results_and_cli(tmp_path):
    from twin.cli import main

    folder = _fake_year_folder(tmp_path)
    # The worked example: 73,250 kWh EF; EV from the grid 12,000 - 2,000 = 10,000 kWh (IRVE line).
    # Degree-days of the two days: 13 heating. Adjusted to 14.3 DJ: Acef = 19,250 x (14.3 - 13)/13 = 1,925.
    r = op.from_results(folder, dj_reference=14.3, out_csv=tmp_path / "o.csv")
    assert r["final_energy_kwh"]["total"] == pytest.approx(73_250.0)
    assert r["degree_days"]["heating"] == pytest.approx(13.0)
    assert r["adjusted_kwh"] == pytest.approx(75_175.0)
    assert r["cabs"]["cabs_kwh_m2"] == pytest.approx(329_404 / 3072)
    assert r["status_2030"]["meets_2030"] and (tmp_path / "o.csv").is_file()
    assert main(["operat", str(folder), "--out", str(tmp_path / "cli.csv")]) == 0
    assert (tmp_path / "cli.csv").is_file()


def test_from_results_refuses_a_partial_year(tmp_path, capsys):
    from twin.cli import main
    from twin.errors import TwinError

    folder = _fake_year_folder(tmp_path, years=14 / 365)
    with pytest.raises(TwinError, match="one-year run"):
        op.from_results(folder)
    assert main(["operat", str(folder)]) == 2
    assert "one-year run" in capsys.readouterr().err
