"""Justification page for funders (twin/justification.py, issue 15): numbers, sums, escaping, OPERAT, CLI.

Most tests build a SavingsStatement from a small hand-made table (no simulation); one CLI test runs the
statement over three January days.
"""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from tests.conftest import BASELINE, ROOT
from twin import operat
from twin.justification import (
    MINUS,
    NBSP,
    NNBSP,
    format_number,
    format_quantity,
    render_justification,
    toml_comments,
)
from twin.savings import QUANTITIES, SavingsStatement, quantities

REFERENCE = BASELINE.parent / "reference" / "regulatory-minimum.toml"
MODEL = ROOT / "models" / "le-numerique.toml"
SHORT_CLI = ["--set", "period.start=2027-01-11", "--set", "period.end=2027-01-14", "--set", "period.warmup_days=1"]


# --- a statement by hand ---------------------------------------------------------------------------------


def _summary(name: str, *, heat_kwh: float, import_kwh: float, pv_export_eur: float, flat: bool = False,
             ev_eur: float | None = 3_000.0) -> dict:
    """A one-year summary.json with the keys the page reads (values by hand, not a run)."""
    cost = {"district_heat_energy": heat_kwh / 1e3 * 55.0, "district_heat_subscription": 1_486.4,
            "electricity_energy": import_kwh * (0.20 if flat else 0.13),
            "electricity_subscription": 0.0 if flat else 5_400.0,
            "electricity_taxes_network": 0.0 if flat else import_kwh * 0.07658,
            "electricity_overrun": 0.0, "water": 900.0}
    cost["total"] = sum(cost.values())
    cost.update(electricity_tariff="flat" if flat else "time_of_use", period_years=1.0)
    final = heat_kwh + import_kwh
    return {
        "meta": {"scenario": name, "model": str(MODEL), "seed": 1, "period_fraction_of_year": 1.0,
                 "floor_area_m2": 3072.0, "overrides": {}, "caveats": []},
        "heat": {"district_heat_kwh": heat_kwh, "unmet_hours": 0.0},
        "electricity": {"grid_import_kwh": import_kwh, "pv_kwh": 90_000.0 if pv_export_eur else None,
                        "hours_above_subscribed": 0.0,
                        "ev": {"delivered_kwh": 11_000.0, "from_pv_kwh": 1_300.0}},
        "water": {"mains_m3": 300.0},
        "comfort": {"degree_hours_above_comfort": 250.0},
        "intensity_kwh_m2": {"final": final / 3072.0, "primary": (heat_kwh + 2.3 * import_kwh) / 3072.0},
        "cost_eur": cost,
        "revenue_eur": {"pv_export": pv_export_eur, "ev_charging": ev_eur},
        "co2_kg": {"total": 0.066 * heat_kwh + 0.064 * import_kwh},
        "capacity": {"district_heat": {
            "current_kw": 160.0, "recommended_kw": 73.0, "peak_demand_kw": 146.6, "unmet_hours_limit": 20.0,
            "candidates": [{"capacity_kw": 66.0, "subscription_eur": 613.14, "hours_above_h": 22.75,
                            "energy_above_kwh": 538.6},
                           {"capacity_kw": 73.0, "subscription_eur": 678.17, "hours_above_h": 17.25,
                            "energy_above_kwh": 401.9}]}},
    }


def _statement(design: str = "baseline", reference: str = "regulatory-minimum", flat: bool = False,
               summaries: bool = True) -> SavingsStatement:
    """Two seeds, two measures; the values make the rounded rows differ from the rounded total."""
    base = {"design": 10_000.4, "reference": 26_000.0, "+envelope": 25_300.3, "+pv": 11_400.2,
            "-envelope": 10_700.6, "-pv": 24_600.3}
    rows = []
    for seed, shift in ((1, 0.0), (2, 120.4)):
        for variant, eur in base.items():
            q = {k: 0.0 for k in QUANTITIES}
            q["eur"] = eur + shift * (variant != "design")
            q["final_mwh"] = eur / 300.0
            q["primary_mwh"] = eur / 150.0
            q["co2_t"] = eur / 4_000.0
            q["mains_m3"] = 300.0 if variant in ("design", "+envelope", "-pv") else 780.5
            rows.append({"seed": seed, "variant": variant, **q})
    measures = {"envelope": {"envelope.window_u_w_m2k": 1.6}, "pv": {"pv.arrays": []}}
    ds = _summary(design, heat_kwh=21_700.0, import_kwh=62_500.0, pv_export_eur=4_096.0, flat=flat)
    rs = _summary(reference, heat_kwh=35_000.0, import_kwh=115_000.0, pv_export_eur=0.0, flat=flat)
    return SavingsStatement(pd.DataFrame(rows), measures, design, reference, [],
                            design_summary=ds if summaries else None, reference_summary=rs if summaries else None)


def _number(cell: str) -> float:
    """A number as the French page writes it, back to a float."""
    text = html.unescape(cell).replace(NNBSP, "").replace(NBSP, "").replace(MINUS, "-").replace(",", ".")
    return float(text)


def _table_rows(page: str, table_id: str) -> dict[str, list[str]]:
    """measure -> the numeric cells of that row, for a table of the page."""
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S).group(1)
    out = {}
    for m, body in re.findall(r'<tr data-measure="([^"]+)"[^>]*>(.*?)</tr>', table, re.S):
        out[m] = re.findall(r'<td class="num">([^<]*)</td>', body)
    return out


# --- numbers -------------------------------------------------------------------------------------------


def test_french_number_format_by_hand():
    assert format_quantity(15_800, "€/an") == f"15{NNBSP}800{NBSP}€/an"
    assert format_number(1_234_567.891, 2) == f"1{NNBSP}234{NNBSP}567,89"
    assert format_number(-1_234.46, 1) == f"{MINUS}1{NNBSP}234,5"
    assert format_number(703.2, signed=True) == "+703"
    assert format_number(999.5) == f"1{NNBSP}000"
    assert format_number(-0.4) == "0" and format_number(-0.4, signed=True) == "0"   # no sign on a zero shown
    assert format_number(0.066, 3) == "0,066"
    assert format_number(float("nan")) == "–" and format_number(None) == "–"
    assert format_number(15_800.25, 1, lang="en") == "15,800.2"
    assert format_quantity(-12, "€/yr", lang="en", signed=True) == f"{MINUS}12{NBSP}€/yr"


def test_french_formats_reach_the_page():
    page = render_justification(_statement(), figures=False)
    # Total € saving: seed 1 26,000.0 - 10,000.4 = 15,999.6, seed 2 16,120.0; € shown without decimals.
    p50 = re.search(r'data-quantity="eur">.*?</tr>', page, re.S).group(0)
    assert f"16{NNBSP}060" in p50         # median of 15,999.6 and 16,120.0 = 16,059.8
    assert "€/an" in page and ",0" not in p50


# --- the per-measure rows add up to the total shown ---------------------------------------------------


@pytest.mark.parametrize("table_id", ["measures-all", "measures-eur", "measures-final_mwh"])
def test_the_rows_shown_add_up_to_the_total_shown(table_id):
    page = render_justification(_statement(), figures=False)
    rows = _table_rows(page, table_id)
    assert list(rows)[-2:] == ["interactions", "total"] and {"envelope", "pv"} <= set(rows)
    n = 3 if table_id != "measures-all" else len(QUANTITIES)       # added, removed, attributed (band apart)
    for col in range(n):
        parts = sum(_number(cells[col]) for m, cells in rows.items() if m != "total")
        assert parts == pytest.approx(_number(rows["total"][col]), abs=1e-6), (table_id, col)


def test_the_interaction_term_is_shown_and_is_the_rest():
    st = _statement()
    page = render_justification(st, figures=False)
    rows = _table_rows(page, "measures-eur")
    # Seed 1: added alone envelope 26,000 - 25,300.3 = 699.7, pv 14,599.8; total 15,999.6 -> rest 700.1.
    # Seed 2 adds 120.4 to every non-design variant: envelope and pv unchanged, total +120.4.
    # Means: envelope 699.7 -> 700, pv 14,599.8 -> 14,600, total 16,059.8 -> 16,060: interactions 760.
    assert [_number(c) for c in rows["envelope"][:1]] == [700]
    assert _number(rows["pv"][0]) == 14_600
    assert _number(rows["interactions"][0]) == 760
    assert _number(rows["total"][0]) == 16_060


# --- escaping ------------------------------------------------------------------------------------------


def test_a_scenario_name_with_markup_is_escaped():
    st = _statement(design="<script>alert(1)</script>", reference='ref"><b>x</b>')
    page = render_justification(st, figures=False)
    assert "<script>" not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "ref&#34;&gt;&lt;b&gt;x&lt;/b&gt;" in page


# --- OPERAT, bill, subscription -----------------------------------------------------------------------


def test_the_operat_figures_are_twin_operat_s():
    st = _statement()
    page = render_justification(st, figures=False)
    section = re.search(r'<h2 id="operat">.*?<h2 ', page, re.S).group(0)
    for summary in (st.design_summary, st.reference_summary):
        pos = operat.from_summary(summary)
        assert format_quantity(pos["adjusted_kwh_m2"], "kWh EF/m²/an", 1) in section
        assert format_quantity(pos["final_energy_kwh"]["total"] / 1e3, "MWh EF", 1) in section
        assert format_quantity(pos["final_energy_kwh"]["irve"] / 1e3, "MWh EF", 1) in section
        assert format_quantity(pos["status_2030"]["cabs_2030_kwh_m2"], "kWh EF/m²/an", 1) in section
    design = operat.from_summary(st.design_summary)
    for year, target in operat.relative_targets(design["adjusted_kwh_m2"]).items():
        cut = operat.TRAJECTORY[year]
        assert re.search(rf"<td>{year}</td><td class=\"num\">{MINUS}{cut * 100:.0f}{NBSP}%</td>"
                         rf"<td class=\"num\">{re.escape(format_quantity(target, 'kWh EF/m²/an', 1))}</td>", section)
    # By hand: design (21,700 x 0.77 + 62,500 - 9,700) / 3,072 m2 = 22.63 kWh EF/m2, below Cabs 107.2.
    assert design["adjusted_kwh_m2"] == pytest.approx((21_700 * 0.77 + 62_500 - 9_700) / 3_072)
    assert "atteint" in section


def test_operat_is_not_computed_on_a_short_period():
    st = _statement()
    for s in (st.design_summary, st.reference_summary):
        s["meta"]["period_fraction_of_year"] = 0.04
    page = render_justification(st, figures=False)
    assert "Position OPERAT non calculée" in page and 'id="operat-table"' not in page


def test_every_zero_euro_line_says_why_and_ev_revenue_is_outside_the_net_bill():
    st = _statement(flat=True)
    page = render_justification(st, figures=False)
    bill = re.search(r'<table id="bill-table">(.*?)</table>', page, re.S).group(1)
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", bill, re.S)[1:]:
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", tr)
        if any(c.strip() in ("0", "+0") for c in cells[1:4]):
            assert cells[4].strip(), f"a 0 € line without a reason: {cells}"
    assert "inclus dans le prix forfaitaire" in bill
    net = re.search(r'<tr class="total" id="net-bill">(.*?)</tr>', bill, re.S).group(1)
    assert format_number(quantities(st.design_summary)["eur"]) in net     # net bill = the statement's €
    assert "hors facture nette" in bill and "ne sont pas déduites de la facture nette" in page


def test_subscription_advice_with_hours_above():
    page = render_justification(_statement(), figures=False)
    table = re.search(r'<table id="subscription-table">(.*?)</table>', page, re.S).group(1)
    assert f"73{NBSP}kW" in table and f"17,2{NBSP}h" in table      # 17.25 h above the advised 73 kW
    # R2 x (160 - 73) kW = 678.17/73 x 87 = 808 €/an
    assert f"808{NBSP}€/an" in table


def test_without_summaries_the_page_says_what_is_missing():
    page = render_justification(_statement(summaries=False), figures=False)
    assert "facture poste par poste non détaillée" in page and "Position OPERAT non calculée" in page


# --- assumptions --------------------------------------------------------------------------------------


def test_every_assumption_has_a_source_or_is_an_estimate():
    st = _statement()
    st.design_file, st.reference_file = str(BASELINE), str(REFERENCE)
    from twin.justification import assumption_rows

    groups = assumption_rows(st, "fr")
    rows = [r for g in groups for r in g["rows"]]
    assert len(rows) > 20
    for r in rows:
        assert r["flag"] in ("[V]", "[E]", "[V]/[E]")
        assert r["source"] != "source non indiquée" or r["flag"] == "[E]"
    by = {r["parameter"]: r for r in rows}
    assert "Uw 1,6" in by["envelope.window_u_w_m2k"]["source"]           # the reference file's comment, in French
    en = {r["parameter"]: r for g in assumption_rows(st, "en") for r in g["rows"]}
    assert "Uw 1.6" in en["envelope.window_u_w_m2k"]["source"]            # as written in the file
    assert by["tariffs.water_fixed_eur_year"]["flag"] == "[V]"        # "[V] GBM fixed charges ..." in baseline.toml
    assert by["tariffs.district_heat.energy_eur_mwh"]["value"] == "55"


def test_toml_comments(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text('# header\n\n[tariffs]\n# block above\nwater_eur_m3 = 3.1\nfixed = 25  # [V] inline "#"\n'
                 "                 # continued\n\n[overrides]\n# shared [E]\n\"a.b.c\" = 1\n\"a.b.d\" = [1, 2]\n")
    c = toml_comments(f)
    assert c["tariffs.water_eur_m3"] == "block above"
    assert c["tariffs.fixed"] == '[V] inline "#" continued'
    assert c["a.b.c"] == "shared [E]" and c["a.b.d"] == "shared [E]"


# --- English and the CLI ------------------------------------------------------------------------------


def test_english_headings():
    page = render_justification(_statement(), lang="en", figures=False)
    assert '<html lang="en">' in page
    for heading in ("Justification of savings", "Yearly savings", "Savings per measure", "Décret tertiaire (OPERAT)",
                    "Subscribed power", "Assumptions and sources"):
        assert f">{heading}</h" in page
    assert "16,060" in page and "Économies" not in page


def test_cli_bad_lang_is_one_line_and_exit_2(tmp_path, capsys):
    from twin.cli import main

    code = main(["savings", str(BASELINE), "--against", str(REFERENCE), "--out", str(tmp_path / "sv"), "--lang", "de"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("twin: error: --lang de: expected one of fr, en")


@pytest.mark.parametrize("report", ["/proc/twin-page.html", "page.txt"])
def test_cli_bad_report_path_is_one_line_and_exit_2(tmp_path, capsys, report):
    from twin.cli import main

    code = main(["savings", str(BASELINE), "--against", str(REFERENCE), "--out", str(tmp_path / "sv"),
                 "--report", report, *SHORT_CLI])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("twin: error: --report")
    assert not (tmp_path / "sv" / "savings.md").exists()        # refused before any run


def test_cli_writes_the_page(tmp_path):
    from twin.cli import main

    out = tmp_path / "sv"
    page_path = tmp_path / "page" / "just.html"
    assert main(["savings", str(BASELINE), "--against", str(REFERENCE), "--out", str(out), "-q",
                 "--report", str(page_path), "--lang", "en", *SHORT_CLI]) == 0
    page = page_path.read_text(encoding="utf-8")
    assert ">Savings per measure</h2>" in page and "data:image/png;base64," in page
    assert "{{" not in page and "http" not in page.split("<body>")[0]      # self-contained head
    rows = _table_rows(page, "measures-eur")
    assert set(rows) == {"envelope", "heat_recovery", "pv", "rainwater", "bms_controls", "interactions", "total"}
    # --report without a path: the French page in --out
    assert main(["savings", str(BASELINE), "--against", str(REFERENCE), "--out", str(out), "-q", "--report",
                 *SHORT_CLI]) == 0
    assert ">Justification des économies</h1>" in (out / "justification.html").read_text(encoding="utf-8")


ENGLISH_WORDS = ("the", "of", "per", "assumed", "and", "with", "from", "is", "for", "which", "by", "than")


def test_the_french_assumptions_table_has_no_english_source():
    # The files write their sources in English; the French page shows their translations
    # (twin/sources_fr.py), for every key of the default statement (its real measures).
    from twin.justification import assumption_rows
    from twin.savings import measures_between

    st = _statement()
    st.design_file, st.reference_file = str(BASELINE), str(REFERENCE)
    page = render_justification(st, figures=False)
    section = page.split('id="assumptions"', 1)[1]
    cells = [html.unescape(c) for c in re.findall(r'<td class="src">([^<]*)</td>', section)]   # the source column
    assert len(cells) > 20
    for cell in cells:
        words = set(re.findall(r"[A-Za-z]+", re.sub(r"https?://\S+", "", cell)))
        assert not words & set(ENGLISH_WORDS), cell
    st.measures = measures_between(BASELINE, REFERENCE)                 # every measure of the real reference
    rows = [r for g in assumption_rows(st, "fr") for r in g["rows"]]
    assert {"envelope.window_g_value", "ahu.night_flush_zone_above_c",
            "zones.open_plan_floors.loads.equipment_base_w_m2",
            "zones.training_rooms.ventilation.staff_fresh_air_m3_h_per_person"} <= {r["parameter"] for r in rows}
    for r in rows:
        words = set(re.findall(r"[A-Za-z]+", re.sub(r"https?://\S+", "", html.unescape(r["source"]))))
        assert not words & set(ENGLISH_WORDS), (r["parameter"], words & set(ENGLISH_WORDS), r["source"])
        assert "non traduite" not in r["source"], r["parameter"]          # every default key is translated
    # An unknown key says where its English source is, in French, with the source's flag.
    st.measures = {"extra": {"ahu.sfp_kw_per_m3_s": 2.0}}
    st.reference_file = str(_extra_reference())
    [extra] = [r for g in assumption_rows(st, "fr") for r in g["rows"] if r["parameter"] == "ahu.sfp_kw_per_m3_s"]
    assert extra["source"].startswith("[V] source rédigée en anglais dans") and extra["flag"] == "[V]"


def _extra_reference():
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "ref.toml"
    path.write_text(f'inherits = "{REFERENCE}"\nname = "x"\n[overrides]\n# The fans of the market [V]\n'
                    '"ahu.sfp_kw_per_m3_s" = 2.0\n', encoding="utf-8")
    return path


def _several_seeds() -> SavingsStatement:
    """Three seeds whose net-bill savings rank 3, 1, 2: the median is seed 3's... by hand below."""
    st = _statement()
    heat = {1: 21_700.0, 2: 20_000.0, 3: 23_000.0}
    advised = {1: 73.0, 2: 66.0, 3: 80.0}
    for seed in (1, 2, 3):
        ds = _summary("baseline", heat_kwh=heat[seed], import_kwh=62_500.0, pv_export_eur=4_096.0)
        ds["capacity"]["district_heat"]["recommended_kw"] = advised[seed]
        rs = _summary("regulatory-minimum", heat_kwh=35_000.0 + 1_000.0 * seed, import_kwh=115_000.0,
                      pv_export_eur=0.0)
        st.design_summaries[seed], st.reference_summaries[seed] = ds, rs
    return st


def test_the_bill_is_the_median_seed_s_with_each_line_s_p10_p90_over_the_seeds():
    import numpy as np

    from twin.justification import median_seed, seed_summaries

    st = _several_seeds()
    pairs = seed_summaries(st)
    assert [p[0] for p in pairs] == [1, 2, 3]
    net = {seed: quantities(r)["eur"] - quantities(d)["eur"] for seed, d, r in pairs}
    # heat saved x 55 EUR/MWh: seed 1 (35+1-21.7) = 14.3, seed 2 (37-20) = 17, seed 3 (38-23) = 15 MWh
    assert sorted(net, key=net.get) == [1, 3, 2] and median_seed(pairs)[0] == 3
    page = render_justification(st, figures=False)
    bill = re.search(r'<table id="bill-table">(.*?)</table>', page, re.S).group(1)
    assert "P10 – P90" in bill
    assert "graine 3" in page.split('id="bill"', 1)[1].split("</p>", 1)[0]
    heat_line = next(tr for tr in re.findall(r"<tr>(.*?)</tr>", bill, re.S) if "énergie" in tr and "chaleur" in tr)
    cells = re.findall(r'<td class="num">([^<]*)</td>', heat_line)
    saved = [(35_000.0 + 1_000.0 * s - h) / 1e3 * 55.0 for s, h in ((1, 21_700.0), (2, 20_000.0), (3, 23_000.0))]
    assert _number(cells[2]) == pytest.approx(saved[2], abs=0.5)                       # seed 3's own line
    lo, hi = np.quantile(saved, [0.1, 0.9])
    assert cells[3] == f"+{format_number(lo)} ; +{format_number(hi)}"
    # One seed: no band column, the seed named.
    one = render_justification(_statement(), figures=False)
    assert "P10 – P90 de l'économie" not in one and "Tirage 1," in one


def test_subscription_advice_covers_every_seed():
    page = render_justification(_several_seeds(), figures=False)
    table = re.search(r'<table id="subscription-table">(.*?)</table>', page, re.S).group(1)
    assert f"80{NBSP}kW" in table                                  # the median seed's (3) advice
    assert f"66–80{NBSP}kW" in table                               # min-max over the three seeds
    listing = re.search(r'<ul id="advice-per-seed">(.*?)</ul>', page, re.S).group(1)
    assert all(f"graine {s} : {v}{NBSP}kW" in listing for s, v in ((1, 73), (2, 66), (3, 80)))
    assert "premier tirage" not in page and "first seed" not in page


def test_operat_is_the_median_seed_s_with_the_spread_over_the_seeds():
    import numpy as np

    st = _several_seeds()
    page = render_justification(st, figures=False)
    section = re.search(r'<h2 id="operat">.*?<h2 ', page, re.S).group(0)
    median = operat.from_summary(st.design_summaries[3])           # seed 3, as the bill (test above)
    first = operat.from_summary(st.design_summaries[1])
    assert format_quantity(median["adjusted_kwh_m2"], "kWh EF/m²/an", 1) in section
    assert format_quantity(first["adjusted_kwh_m2"], "kWh EF/m²/an", 1) not in section
    assert "la graine 3, médiane des 3 graines" in section
    design = [operat.from_summary(st.design_summaries[s])["adjusted_kwh_m2"] for s in (1, 2, 3)]
    lo, hi = np.quantile(design, [0.1, 0.9])
    assert f"{format_number(lo, 1)} ; {format_quantity(hi, 'kWh EF/m²/an', 1)}" in section
    # The trajectory starts from the median seed's year.
    for year, target in operat.relative_targets(median["adjusted_kwh_m2"]).items():
        assert re.search(rf"<td>{year}</td>.*?{re.escape(format_quantity(target, 'kWh EF/m²/an', 1))}", section, re.S)
