"""Décret tertiaire (Éco Énergie Tertiaire) figures in OPERAT's terms: pure functions, no I/O but the CSV.

What OPERAT counts, the 2030 absolute targets (Cabs) of the activities present, the relative
trajectory (-40/-50/-60 %), the degree-day adjustment and a CSV of the declaration fields.
Full sources and what was and was not verified: ``docs/economics.md`` §5. Flags as in
``domain-facts.md``: [V] read in the text, [E] estimate or reading of ours.

Texts (all read as the consolidated Légifrance PDF of 3 May 2026 and the Bulletin officiel annexes
of the arrêté of 1 Aug 2025, through a text extraction, see docs/economics.md §5):

* arrêté du 10 avril 2020 (NOR LOGL2005904A) "méthode", modified by the arrêtés "valeurs absolues"
  I (24 Nov 2020) to VI (1 Aug 2025, NOR ATDL2430864A, in force 7 Sep 2025);
* art. 3 III: Crelat 2030/2040/2050 = (1 - 0.4/0.5/0.6) x Créf [V];
* art. 4: Cabs = CVC + USE; several activities in one EFA: Cabs pro rata of their surfaces [V];
* art. 5 + annexe III: adjustment of the heating/cooling part by degree-days (DJ 18 °C, "méthode
  des professionnels de l'énergie", reference mean 2001-2020 of the station) [V];
* annexe I: 1 kWh of district heat counts 0.77 kWh of final energy (since 1 Feb 2024) [V];
  electricity 1 (the "hors autoconsommation" wording is in annexe VII) [V];
* annexe I of ATDL2430864A (ex-annexe II): CVC by zone x altitude band, USE étalon, per
  sub-category [V]; annexe II of ATDL2430864A: Coeff_ch / Coeff_fr [V].
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "DISTRICT_HEAT_FINAL_FACTOR", "SUB_CATEGORIES", "DEFAULT_ZONE_SUB_CATEGORIES", "TRAJECTORY",
    "SubCategory", "areas_by_sub_category", "cabs_kwh_m2", "cabs_prorata", "final_energy_kwh", "degree_days_pro", "daily_degree_days",
    "climate_adjusted_kwh", "estimated_heating_kwh", "relative_targets", "assess", "declaration_rows",
    "write_declaration_csv", "from_results", "from_summary", "register_cli",
]

DISTRICT_HEAT_FINAL_FACTOR = 0.77
"""kWh of final energy per kWh of district heat bought [V]: arrêté 10 Apr 2020, annexe I, as modified
by the arrêté of 28 Nov 2023 (in force 1 Feb 2024). Electricity counts 1 kWh per kWh."""

TRAJECTORY = {2030: 0.40, 2040: 0.50, 2050: 0.60}
"""Reductions against Créf by deadline [V] (arrêté 10 Apr 2020 art. 3 III; CCH L174-1)."""

ZONES = ("H1a", "H1b", "H1c", "H2a", "H2b", "H2c", "H2d", "H3")

# CVC component [kWh/m2/yr] for altitude < 400 m, zones H1a..H3 in that order [V] (ATDL2430864A annexe I).
# Only the < 400 m band is transcribed (Besançon station 25056001 is at 307 m, annexe III): the
# PDF text of the higher bands has empty cells whose column cannot be read reliably.
_CVC_OFFICES = (57, 66, 62, 57, 50, 56, 63, 40)           # every "Bureaux - ..." sub-category
_CVC_TRAINING = (34, 37, 36, 32, 34, 35, 38, 36)          # "Formation continue pour adultes" rooms
_CVC_TRAINING_WORKSHOP = (35, 36, 35, 29, 30, 26, 28, 18)  # "... - Atelier et Halle technique avec Process"

COEFF_CH_OFFICES = 0.000247
"""Coeff_ch [1/(°C.day)] of the office sub-categories [V] (ATDL2430864A annexe II); Coeff_fr 0.000198."""
COEFF_CH_TEACHING = 0.000314
"""Coeff_ch [1/(°C.day)] of teaching incl. adult training [V] (ATDL2430864A annexe II); Coeff_fr 0.0000535."""


@dataclass(frozen=True)
class SubCategory:
    """One OPERAT sub-category: its category, CVC row (< 400 m), USE étalon and étalon hours."""

    category: str
    cvc_below_400m: tuple[float, ...]
    use_etalon_kwh_m2: float
    hours_etalon: float
    coeff_ch: float


SUB_CATEGORIES: dict[str, SubCategory] = {
    "Bureaux - Bureaux Standards (cloisonnés - attribués)":
        SubCategory("Bureaux - Service Public - Banque", _CVC_OFFICES, 50.0, 3120.0, COEFF_CH_OFFICES),
    "Bureaux - Open Space (non cloisonné - attribué)":
        SubCategory("Bureaux - Service Public - Banque", _CVC_OFFICES, 60.0, 3120.0, COEFF_CH_OFFICES),
    "Bureaux - Espace Co-Working":
        SubCategory("Bureaux - Service Public - Banque", _CVC_OFFICES, 50.0, 3120.0, COEFF_CH_OFFICES),
    "Bureaux - Zone d’accueil du public":
        SubCategory("Bureaux - Service Public - Banque", _CVC_OFFICES, 35.0, 3120.0, COEFF_CH_OFFICES),
    "Bureaux - Grande salle de réunion - Auditorium - Amphithéâtre":
        SubCategory("Bureaux - Service Public - Banque", _CVC_OFFICES, 5.0, 625.0, COEFF_CH_OFFICES),
    "Formation continue pour adultes - Salle de formation et d'enseignement banalisé - Sans Process":
        SubCategory("Enseignement - Formation continue pour adultes", _CVC_TRAINING, 10.0, 1920.0, COEFF_CH_TEACHING),
    "Formation continue pour adultes - Salle de formation et d'enseignement banalisé - Avec Process":
        SubCategory("Enseignement - Formation continue pour adultes", _CVC_TRAINING, 90.0, 1920.0, COEFF_CH_TEACHING),
    "Formation continue pour adultes - Atelier et Halle technique avec Process":
        SubCategory("Enseignement - Formation continue pour adultes", _CVC_TRAINING_WORKSHOP, 24.0, 1920.0,
                    COEFF_CH_TEACHING),
    "Formation continue pour adultes - Amphithéâtre, Auditorium, Salle de conférences":
        SubCategory("Enseignement - Formation continue pour adultes", _CVC_TRAINING, 18.0, 1920.0, COEFF_CH_TEACHING),
}
"""The sub-categories that may describe Le Numérique, values at their étalon intensity of use [V]
(ATDL2430864A annexe I, "III. Valeurs absolues 2030")."""

DEFAULT_ZONE_SUB_CATEGORIES = {
    "coworking": "Bureaux - Espace Co-Working",
    "private_offices": "Bureaux - Bureaux Standards (cloisonnés - attribués)",
    "open_plan_floors": "Bureaux - Open Space (non cloisonné - attribué)",
    "training_rooms": "Formation continue pour adultes - Salle de formation et d'enseignement banalisé - Sans Process",
    "immersive_room": "Formation continue pour adultes - Salle de formation et d'enseignement banalisé - Avec Process",
    "fablab": "Formation continue pour adultes - Atelier et Halle technique avec Process",
    "reception_event": "Bureaux - Zone d’accueil du public",
}
"""Model zone -> OPERAT sub-category [E]: our reading of the activities; the owner declares them.
FabLab as a training workshop with process (machines), the immersive room as a training room with
process (projection, IT), the hall/event room as a public reception zone (an event room used a few
hours a week would fit "Grande salle de réunion - Auditorium", Cabs 67 instead of 97)."""


def _zone_index(zone: str) -> int:
    if zone not in ZONES:
        raise ValueError(f"climate zone must be one of {ZONES}, got {zone!r}")
    return ZONES.index(zone)


def cabs_kwh_m2(sub_category: str, zone: str = "H1c", altitude_m: float = 307.0) -> dict[str, float]:
    """Cabs 2030 of one sub-category at its étalon intensity of use [kWh_EF/m2/yr]: CVC + USE.

    The altitude enters by band (< 400, 400-800, ... m), not by a formula: the CVC table is read
    for the band of the site (ATDL2430864A annexe I); only the < 400 m band is transcribed here.
    """
    try:
        sc = SUB_CATEGORIES[sub_category]
    except KeyError:
        raise ValueError(f"unknown OPERAT sub-category {sub_category!r}; known: {sorted(SUB_CATEGORIES)}") from None
    if not 0 <= altitude_m < 400:
        raise ValueError(f"altitude {altitude_m} m: only the < 400 m band of annexe I is transcribed")
    cvc = float(sc.cvc_below_400m[_zone_index(zone)])
    return {"cvc": cvc, "use": sc.use_etalon_kwh_m2, "cabs": cvc + sc.use_etalon_kwh_m2}


def cabs_prorata(areas_m2: dict[str, float], zone: str = "H1c", altitude_m: float = 307.0) -> dict:
    """Cabs of an EFA with several sub-categories: Σ Cabs_i S_i / Σ S_i (art. 4) [kWh/m2/yr].

    ``areas_m2`` maps sub-category -> m2 (several model zones of one sub-category are summed first).
    Returns ``cabs_kwh_m2``, ``area_m2`` and ``by_sub_category`` (m2, cvc, use, cabs each).
    """
    if not areas_m2 or any(not (a > 0) for a in areas_m2.values()):
        raise ValueError(f"areas_m2 must be a non-empty mapping of positive areas, got {areas_m2!r}")
    rows = {name: {"area_m2": float(a), **cabs_kwh_m2(name, zone, altitude_m)} for name, a in areas_m2.items()}
    total = sum(r["area_m2"] for r in rows.values())
    return {
        "cabs_kwh_m2": sum(r["cabs"] * r["area_m2"] for r in rows.values()) / total,
        "area_m2": total,
        "by_sub_category": rows,
    }


def areas_by_sub_category(zone_areas_m2: dict[str, float], mapping: dict[str, str] | None = None) -> dict[str, float]:
    """Sum the model zones' floor areas by OPERAT sub-category (``DEFAULT_ZONE_SUB_CATEGORIES`` by default)."""
    mapping = DEFAULT_ZONE_SUB_CATEGORIES if mapping is None else mapping
    out: dict[str, float] = {}
    for zone, area in zone_areas_m2.items():
        if zone not in mapping:
            raise ValueError(f"zone {zone!r} has no OPERAT sub-category; give one in the mapping")
        out[mapping[zone]] = out.get(mapping[zone], 0.0) + float(area)
    return out


def final_energy_kwh(district_heat_kwh: float, grid_import_kwh: float, ev_from_grid_kwh: float = 0.0,
                     exclude_ev: bool = True) -> dict[str, float]:
    """Final energy in OPERAT's scope by energy [kWh_EF/yr].

    District heat x 0.77 (annexe I). Electricity = what is bought from the grid: PV used on site is
    not declared (annexe VII "hors autoconsommation"; FAQ OPERAT E7: individual self-consumption
    is not counted) [V]. EV charging is declared on its own IRVE line (annexe VI tables 3 and 4a)
    [V]; leaving it out of the total compared with the targets is [E] (``exclude_ev``).
    The grid part of the EV charging is the charging not covered by PV.
    """
    for name, v in (("district_heat_kwh", district_heat_kwh), ("grid_import_kwh", grid_import_kwh),
                    ("ev_from_grid_kwh", ev_from_grid_kwh)):
        if not (v >= 0 and math.isfinite(v)):
            raise ValueError(f"{name} must be >= 0 and finite, got {v!r}")
    if ev_from_grid_kwh > grid_import_kwh:
        raise ValueError("ev_from_grid_kwh cannot exceed grid_import_kwh")
    heat = district_heat_kwh * DISTRICT_HEAT_FINAL_FACTOR
    elec = grid_import_kwh - (ev_from_grid_kwh if exclude_ev else 0.0)
    return {"district_heat": heat, "electricity": elec, "irve": ev_from_grid_kwh, "total": heat + elec}


def degree_days_pro(tmin_c, tmax_c, base_c: float = 18.0) -> tuple[np.ndarray, np.ndarray]:
    """Daily heating and cooling degree-days, "méthode des professionnels de l'énergie" [°C.day] [V].

    Arrêté 10 Apr 2020 annexe III, S = 18 °C, Tmoy = (Tmin + Tmax)/2. Heating: S > Tmax: S - Tmoy;
    S <= Tmin: 0; otherwise (S - Tmin)(0.08 + 0.42 (S - Tmin)/(Tmax - Tmin)). Cooling: S > Tmax: 0;
    S <= Tmin: Tmoy - S; otherwise (Tmax - S)(0.08 + 0.42 (Tmax - S)/(Tmax - Tmin)).
    """
    tmin, tmax = np.asarray(tmin_c, dtype=float), np.asarray(tmax_c, dtype=float)
    if np.any(tmax < tmin):
        raise ValueError("tmax must be >= tmin day by day")
    tmoy = (tmin + tmax) / 2.0
    span = np.where(tmax > tmin, tmax - tmin, 1.0)
    between = (tmin < base_c) & (base_c <= tmax)
    heat = np.where(base_c > tmax, base_c - tmoy,
                    np.where(between, (base_c - tmin) * (0.08 + 0.42 * (base_c - tmin) / span), 0.0))
    cool = np.where(base_c <= tmin, tmoy - base_c,
                    np.where(between, (tmax - base_c) * (0.08 + 0.42 * (tmax - base_c) / span), 0.0))
    return heat, cool


def daily_degree_days(temp_c: pd.Series, civil_timezone: str = "Europe/Paris") -> dict[str, float]:
    """Heating and cooling degree-days of a temperature series (step ends, tz-aware) [°C.day].

    Each step belongs to the civil day of its middle. Tmin and Tmax are taken per civil day; the arrêté's windows (Tmin from 18:00 UTC the day before
    to 18:00 UTC, Tmax from 06:00 to 06:00 UTC) are not reproduced: a few tenths of a degree-day
    per day at the season changes [E].
    """
    idx = temp_c.index
    step = (idx[1] - idx[0]) if len(idx) > 1 else pd.Timedelta(hours=1)
    middles = (idx - step / 2).tz_convert(civil_timezone)     # labels are step ends: day by step middle
    day = pd.Series(temp_c.to_numpy(dtype=float), index=middles).groupby(middles.date)
    heat, cool = degree_days_pro(day.min().to_numpy(), day.max().to_numpy())
    return {"heating": float(heat.sum()), "cooling": float(cool.sum()), "days": int(len(heat))}


def climate_adjusted_kwh(total_kwh: float, heating_kwh: float, dj_year: float, dj_reference: float) -> dict:
    """Consumption adjusted to the reference climate, heating metered (art. 5 II 1°, first case).

    Acef = Conso_chauff x (DJ_ref - DJ_year)/DJ_year, i.e. the heating part scaled by DJ_ref/DJ_year;
    a DJ of 0 is taken as 1 (art. 5). The formula itself is an image in the Légifrance text; this
    form is our reading of its definitions [E]. Returns ``adjustment_kwh`` and ``adjusted_kwh``.
    """
    if not 0 <= heating_kwh <= total_kwh:
        raise ValueError(f"heating_kwh must lie in [0, total_kwh], got {heating_kwh!r} of {total_kwh!r}")
    dj_year, dj_reference = max(dj_year, 1.0), max(dj_reference, 1.0)
    adjustment = heating_kwh * (dj_reference - dj_year) / dj_year
    return {"adjustment_kwh": adjustment, "adjusted_kwh": total_kwh + adjustment}


def estimated_heating_kwh(total_kwh: float, areas_m2: dict[str, float], dj_year: float, zone: str = "H1c",
                          altitude_m: float = 307.0, heated_fraction: float = 1.0) -> float:
    """Heating part of an unmetered consumption (art. 5 II 1°, second case) [kWh].

    Each sub-category's share of the total is its Cabs x surface share; its heating part is
    Coeff_ch x DJ_year x heated fraction: Σ_i C_tot (Cabs_i S_i / Σ Cabs S) Coeff_ch,i DJ_year S_ch,i/S_i.
    The definitions are [V]; their assembly (an image in the text) is our reading [E].
    """
    pro = cabs_prorata(areas_m2, zone, altitude_m)
    weight = sum(r["cabs"] * r["area_m2"] for r in pro["by_sub_category"].values())
    share = sum(r["cabs"] * r["area_m2"] / weight * SUB_CATEGORIES[name].coeff_ch
                for name, r in pro["by_sub_category"].items())
    return total_kwh * min(1.0, share * max(dj_year, 1.0) * heated_fraction)


def relative_targets(cref_kwh_m2: float) -> dict[int, float]:
    """Crelat by deadline = (1 - reduction) x Créf [kWh/m2/yr] (art. 3 III)."""
    return {year: (1.0 - cut) * cref_kwh_m2 for year, cut in TRAJECTORY.items()}


def assess(consumption_kwh_m2: float, cabs_kwh_m2_value: float, cref_kwh_m2: float | None = None) -> dict:
    """2030 status: met when the adjusted consumption is at or below Cabs OR below Crelat 2030 [V].

    (FAQ OPERAT EC2: "le respect d'une seule des 2 conditions suffit".) For a new building the
    reference year is its first full year of operation (art. 3 I), so Créf is the twin's own year
    when not given, and the relative target is then 60 % of it.
    """
    cref = consumption_kwh_m2 if cref_kwh_m2 is None else cref_kwh_m2
    rel = relative_targets(cref)
    return {
        "consumption_kwh_m2": consumption_kwh_m2,
        "cabs_2030_kwh_m2": cabs_kwh_m2_value,
        "margin_to_cabs_kwh_m2": cabs_kwh_m2_value - consumption_kwh_m2,
        "cref_kwh_m2": cref,
        "crelat_kwh_m2": rel,
        "meets_cabs_2030": consumption_kwh_m2 <= cabs_kwh_m2_value,
        "meets_crelat_2030": consumption_kwh_m2 <= rel[2030],
        "meets_2030": consumption_kwh_m2 <= cabs_kwh_m2_value or consumption_kwh_m2 <= rel[2030],
    }


DECLARATION_FIELDS = (
    "table", "field", "value", "unit", "source",
)


def declaration_rows(*, efa_name: str, year: int, area_m2_by_sub_category: dict[str, float],
                     district_heat_kwh: float, grid_import_kwh: float, ev_from_grid_kwh: float,
                     zone: str = "H1c", altitude_m: float = 307.0, department: str = "25",
                     station: str = "25056001 Besançon (307 m)", heat_network_id: str = "",
                     structure_siren: str = "", ownership: str = "Propriétaire occupant",
                     case: str = "Cas 1a") -> list[dict]:
    """Rows (table, field, value, unit, source) of an OPERAT declaration for one EFA.

    Field names follow annexe VI of the arrêté (tables 1A structure, 2 building, 3 reference
    situation, 4a yearly consumption); energies are declared in the unit they are bought in (kWh
    of electricity, kWh of district heat): the platform converts them (annexe I).
    """
    areas = dict(area_m2_by_sub_category)
    pro = cabs_prorata(areas, zone, altitude_m)
    final = final_energy_kwh(district_heat_kwh, grid_import_kwh, ev_from_grid_kwh, exclude_ev=True)
    an6 = "arrêté 10/04/2020 annexe VI"
    rows = [
        ("1A", "Structure assujettie - SIREN", structure_siren, "", an6),
        ("2", "Qualité de l'assujetti", ownership, "", an6),
        ("2", "Cas d'assujettissement", case, "", an6 + " (Cas 1a..3)"),
        ("2", "Entité fonctionnelle assujettie (EFA)", efa_name, "", an6),
        ("3", "Numéro de département", department, "", an6),
        ("3", "Zone climatique", zone, "", "annexe III, colonne Zclim"),
        ("3", "Station météorologique de référence", station, "", "annexe III"),
        ("3", "Réseau de chaleur - identifiant", heat_network_id, "", an6),
        ("3", "Année de référence", f"{year} (première année pleine d'exploitation)", "", "art. 3 I"),
        ("3", "Surface totale assujettie", round(pro["area_m2"], 1), "m2", an6),
    ]
    for name, r in pro["by_sub_category"].items():
        rows.append(("3", f"Surface - {SUB_CATEGORIES[name].category} / {name}", round(r["area_m2"], 1), "m2", an6))
    rows += [
        ("4a", "Année", year, "", an6),
        ("4a", "Mois de début de la plage de 12 mois", "01", "", an6),
        ("4a", "Electricité", round(grid_import_kwh - ev_from_grid_kwh, 0), "kWh",
         an6 + " (hors autoconsommation; IRVE retranchée [E])"),
        ("4a", "Réseau de chaleur", round(district_heat_kwh, 0), "kWh", an6),
        ("4a", "Recharge des véhicules électriques ou hybrides rechargeables (IRVE)", round(ev_from_grid_kwh, 0),
         "kWh", an6),
        ("calc", "Consommation en énergie finale (hors IRVE)", round(final["total"], 0), "kWh EF",
         "annexe I: chaleur x 0.77, électricité x 1"),
        ("calc", "Cabs 2030 au prorata des surfaces", round(pro["cabs_kwh_m2"], 1), "kWh EF/m2/an", "art. 4, ATDL2430864A annexe I"),
    ]
    return [dict(zip(DECLARATION_FIELDS, row, strict=True)) for row in rows]


def write_declaration_csv(path: str | Path, rows: list[dict]) -> Path:
    """Write :func:`declaration_rows` as a semicolon CSV (French spreadsheet default), UTF-8 with BOM."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=DECLARATION_FIELDS, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    return path


# --------------------------------------------------------------------------- from a run folder, CLI


def from_summary(summary: dict, *, degree_days: dict | None = None, dj_reference: float | None = None,
                 climate_zone: str = "H1c", zone_sub_categories: dict[str, str] | None = None) -> dict:
    """OPERAT figures of a one-year run's ``summary.json`` (as a dict): final energy, Cabs 2030, status.

    Zone areas and altitude are read from the model file named in ``meta.model`` (scenario
    overrides of the model are not re-applied). ``degree_days`` is :func:`daily_degree_days` of the
    run's outdoor temperature; with it and ``dj_reference`` (the station's 2001-2020 mean heating
    degree-days) the consumption is adjusted to the reference climate, else it is not. A period
    that is not one year is refused: OPERAT declares 12 consecutive months (art. 3 I).

    Raises
    ------
    TwinError
        The summary does not cover one year.
    """
    from twin.errors import TwinError
    from twin.scenario import load_model_file

    s, meta = summary, summary["meta"]
    years = meta.get("period_fraction_of_year", s["cost_eur"].get("period_years"))
    if years is None or abs(years - 1.0) > 0.005:
        raise TwinError(f"{meta.get('scenario', 'run')}: OPERAT figures need a one-year run (12 consecutive "
                        f"months), this one covers {years if years is not None else 'an unknown'} year(s)")
    model = load_model_file(meta["model"])
    zone_areas = {z.name: z.floor_area_m2 for z in model.zones}
    altitude = model.building.location.altitude_m
    areas = areas_by_sub_category(zone_areas, zone_sub_categories)
    pro = cabs_prorata(areas, climate_zone, altitude)
    ev = s["electricity"].get("ev") or {}
    ev_grid = max(0.0, (ev.get("delivered_kwh") or 0.0) - (ev.get("from_pv_kwh") or 0.0))
    heat_kwh, import_kwh = s["heat"]["district_heat_kwh"], s["electricity"]["grid_import_kwh"]
    final = final_energy_kwh(heat_kwh, import_kwh, min(ev_grid, import_kwh))
    adjusted = final["total"]
    if dj_reference is not None and degree_days is not None:
        adjusted = climate_adjusted_kwh(final["total"], final["district_heat"], degree_days["heating"], dj_reference)[
            "adjusted_kwh"]
    area = pro["area_m2"]
    return {
        "climate_zone": climate_zone,
        "altitude_m": altitude,
        "final_energy_kwh": final,
        "degree_days": degree_days,
        "dj_reference": dj_reference,
        "adjusted_kwh": adjusted,
        "adjusted_kwh_m2": adjusted / area,
        "cabs": pro,
        "status_2030": assess(adjusted / area, pro["cabs_kwh_m2"]),
        "areas_m2_by_sub_category": areas,
    }


def from_results(folder: str | Path, *, dj_reference: float | None = None, climate_zone: str = "H1c",
                 zone_sub_categories: dict[str, str] | None = None, out_csv: str | Path | None = None) -> dict:
    """OPERAT figures of a full-year run folder written by ``twin run --out`` (summary + timeseries).

    :func:`from_summary` of the folder's summary, with the degree-days of its outdoor temperature;
    ``out_csv`` also writes the declaration fields (:func:`declaration_rows`).
    """
    from twin.errors import TwinError
    from twin.results import Results
    from twin.scenario import load_model_file

    res = Results.load(folder)
    s, ts = res.summary, res.timeseries
    meta = s["meta"]
    years = meta.get("period_fraction_of_year", s["cost_eur"].get("period_years"))
    if years is None or abs(years - 1.0) > 0.005:
        raise TwinError(f"{folder}: OPERAT figures need a one-year run (12 consecutive months), this one covers "
                        f"{years if years is not None else 'an unknown'} year(s)")
    civil = load_model_file(meta["model"]).building.location.civil_timezone
    dd = daily_degree_days(ts["temp_out_c"], civil)
    out = from_summary(s, degree_days=dd, dj_reference=dj_reference, climate_zone=climate_zone,
                       zone_sub_categories=zone_sub_categories)
    areas = out.pop("areas_m2_by_sub_category")
    if out_csv is not None:
        year = pd.Timestamp(meta["start"]).year
        rows = declaration_rows(efa_name=meta.get("scenario", "EFA"), year=year, area_m2_by_sub_category=areas,
                                district_heat_kwh=s["heat"]["district_heat_kwh"],
                                grid_import_kwh=s["electricity"]["grid_import_kwh"],
                                ev_from_grid_kwh=out["final_energy_kwh"]["irve"], zone=climate_zone,
                                altitude_m=out["altitude_m"])
        out["csv"] = str(write_declaration_csv(out_csv, rows))
    return out


def cli_operat(args, console=None) -> int:
    """Handler of ``twin operat DIR [--out FILE] [--dj-reference N]``."""
    folder = Path(args.dir)
    out_csv = Path(args.out) if args.out else folder / "operat.csv"
    r = from_results(folder, dj_reference=args.dj_reference, climate_zone=args.zone, out_csv=out_csv)
    if console is not None:
        st = r["status_2030"]
        fe = r["final_energy_kwh"]
        console.print(f"Final energy (OPERAT scope): heat {fe['district_heat'] / 1e3:,.1f} + electricity "
                      f"{fe['electricity'] / 1e3:,.1f} MWh EF (IRVE {fe['irve'] / 1e3:,.1f} MWh declared apart)",
                      highlight=False, soft_wrap=True)
        adj = "" if r["dj_reference"] is None else f", adjusted to {r['dj_reference']:,.0f} DJ"
        console.print(f"{r['adjusted_kwh_m2']:,.1f} kWh EF/m²{adj} against Cabs 2030 {st['cabs_2030_kwh_m2']:,.1f} "
                      f"({r['climate_zone']}, {r['altitude_m']:,.0f} m): "
                      + ("met" if st["meets_2030"] else "NOT met"), highlight=False, soft_wrap=True)
        console.print(f"Heating degree-days of the run: {r['degree_days']['heating']:,.0f}. Declaration fields "
                      f"written to {r['csv']}", highlight=False, soft_wrap=True)
    return 0


def register_cli(subparsers) -> None:
    """Add ``twin operat DIR [--out FILE] [--dj-reference N] [--zone H1c]`` (docs/economics.md §5)."""
    p = subparsers.add_parser("operat", help="Décret tertiaire figures and OPERAT declaration CSV of a one-year run",
                              description="Final energy in OPERAT's scope, Cabs 2030 pro rata of the zones' "
                                          "sub-categories, and a CSV of the declaration fields.")
    p.add_argument("dir", help="results folder of `twin run` over one year")
    p.add_argument("--out", help="CSV to write (default DIR/operat.csv)")
    p.add_argument("--dj-reference", type=float, help="station's 2001-2020 mean heating degree-days (Météo-France)")
    p.add_argument("--zone", default="H1c", help="climate zone of annexe III (default H1c, Doubs)")
    p.set_defaults(func=cli_operat)
