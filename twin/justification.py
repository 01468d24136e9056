"""Justification of savings: one self-contained HTML page a project manager can forward to funders.

``twin savings DESIGN --against REFERENCE --report [PATH] [--lang fr|en]`` renders it from a
:class:`twin.savings.SavingsStatement` (and the design's and reference's run summaries the statement
keeps for every seed) through the autoescaped template ``twin/templates/justification.html.j2``.
French by default, with French number formats (narrow no-break space between thousands, decimal
comma, the unit after the number: ``15 800 €/an``); English with ``lang="en"``.

What the page holds (docs/economics.md §7.2):

* the design against the reference, each saving per year (€ excl. VAT, as every price of twin,
  MWh final and primary, t CO₂, m³ of mains water, degree-hours above 26 °C) with P10/P50/P90 over
  the seeds;
* the per-measure breakdown of :meth:`SavingsStatement.summary` (added alone, removed alone,
  attributed; the interaction row is the rest, so the rows shown add up to the total shown);
* the yearly bill line by line, design and reference, of the median seed (:func:`median_seed`) with
  each line's saving as P10-P90 over the seeds, each 0 € line with its reason, and the EV charging
  revenue shown **outside** the net bill (as :func:`twin.savings.quantities` counts it);
* the Décret tertiaire position of both buildings and the −40/−50/−60 % trajectory, from
  :func:`twin.operat.from_summary` and :func:`twin.operat.relative_targets`;
* the district-heat (and electrical) subscription advice of ``summary["capacity"]`` with the hours
  the demand spends above each subscription (median seed), and the advice of every seed;
* the assumptions, each with the source written beside it in the scenario files or in the tariff
  schema's field descriptions (in French on the French page: :mod:`twin.sources_fr`), flagged [V]
  (read in a source) or [E] (estimate; also when no source).

The module formats and lays out; it computes no saving, no OPERAT figure and no advice of its own.
"""

from __future__ import annotations

import base64
import io
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2
import numpy as np

from twin import operat
from twin.dotted import scenario_value
from twin.errors import TwinError
from twin.savings import QUANTITIES, SavingsStatement, quantities
from twin.sources_fr import MODEL_ASSUMPTIONS, SOURCES_FR, UNTRANSLATED

__all__ = ["LANGS", "assumption_rows", "format_number", "format_quantity", "justification_context",
           "render_justification", "toml_comments", "write_justification"]

LANGS = ("fr", "en")
"""Languages of the page."""

NNBSP = "\u202f"
"""Narrow no-break space: the French thousands separator (Imprimerie nationale; CLDR ``fr``)."""
NBSP = "\u00a0"
"""No-break space between a number and its unit (``15 800 €/an`` never breaks)."""
MINUS = "\u2212"
"""The minus sign (not the hyphen)."""

TEMPLATE = "justification.html.j2"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

#: Decimals shown per quantity (what the model's precision supports, not more).
DECIMALS = {"eur": 0, "upkeep_eur": 0, "final_mwh": 1, "primary_mwh": 1, "co2_t": 2, "mains_m3": 0, "overheating_dh": 0}

#: Per quantity: (French label, English label, French unit, English unit).
QUANTITY_TEXT = {
    "eur": ("Facture énergie et eau, nette des ventes d'électricité PV (HT)",
            "Energy and water bill, net of PV electricity sales (excl. VAT)", "€/an", "€/yr"),
    "upkeep_eur": ("Entretien (P2) et gros renouvellements (P3) des équipements (HT)",
                   "Upkeep (P2) and large renewals (P3) of the systems (excl. VAT)", "€/an", "€/yr"),
    "final_mwh": ("Énergie finale achetée (réseau de chaleur + électricité)",
                  "Final energy bought (district heat + electricity)", "MWh EF/an", "MWh final/yr"),
    "primary_mwh": ("Énergie primaire", "Primary energy", "MWh EP/an", "MWh primary/yr"),
    "co2_t": ("Émissions de CO₂ de l'énergie achetée", "CO₂ of the energy bought", "t CO₂/an", "t CO₂/yr"),
    "mains_m3": ("Eau du réseau (potable)", "Mains (drinking) water", "m³/an", "m³/yr"),
    "overheating_dh": ("Degrés-heures au-dessus de 26 °C évités (confort d'été)",
                       "Degree-hours above 26 °C avoided (summer comfort)", "°C·h/an", "°C·h/yr"),
}

#: Measure -> (French, English) label; other measures show their own name.
MEASURE_TEXT = {
    "envelope": ("Enveloppe (isolation, menuiseries, ponts thermiques)",
                 "Envelope (insulation, windows, thermal bridges)"),
    "heat_recovery": ("Récupération de chaleur de la CTA", "AHU heat recovery"),
    "pv": ("Centrale photovoltaïque", "PV plant"),
    "rainwater": ("Récupération des eaux de pluie", "Rainwater harvesting"),
    "bms_controls": ("Pilotage GTB (stores, free cooling, surventilation nocturne)",
                     "BMS controls (blinds, free cooling, night flush)"),
    "battery": ("Batterie", "Battery"),
    "ev_charging": ("Recharge des véhicules électriques", "EV charging"),
    "interactions": ("Interactions entre mesures", "Interactions between measures"),
    "total": ("Total", "Total"),
}

#: Bill line of ``summary["cost_eur"]`` -> (French, English).
BILL_LINES = {
    "district_heat_energy": ("Réseau de chaleur : énergie (R1)", "District heat: energy (R1)"),
    "district_heat_subscription": ("Réseau de chaleur : abonnement (R2)", "District heat: subscription (R2)"),
    "electricity_energy": ("Électricité : énergie", "Electricity: energy"),
    "electricity_subscription": ("Électricité : abonnement (kVA)", "Electricity: subscription (kVA)"),
    "electricity_taxes_network": ("Électricité : accise et réseau (TURPE)", "Electricity: excise and network (TURPE)"),
    "electricity_overrun": ("Électricité : dépassements de puissance", "Electricity: power overruns"),
    "water": ("Eau potable et assainissement", "Drinking water and sanitation"),
}

TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "html_lang": "fr",
        "title": "Justification des économies",
        "subtitle": "Projet « {design} » comparé au bâtiment de référence « {reference} »",
        "intro": "Ce document chiffre ce que le projet économise chaque année par rapport à un bâtiment identique "
                 "qui respecterait seulement la réglementation. Les deux bâtiments sont simulés en dynamique sur "
                 "la même année météo et avec les mêmes occupants (nombres aléatoires communs), pour {n_seeds} tirage(s) de météo et d'occupation (graines {seeds}).",
        "prices_note": "Montants en euros hors TVA (HT), comme tous les prix du modèle : un preneur assujetti "
                       "récupère la TVA. Économie = référence − projet, par an (positive : le projet économise).",
        "caveat": "Avertissement :",
        "totals": "Économies annuelles",
        "quantity": "Grandeur",
        "unit": "Unité",
        "p10": "P10",
        "p50": "P50 (médiane)",
        "p90": "P90",
        "totals_note": "P10, P50 et P90 : 10 %, 50 % et 90 % des tirages donnent une économie inférieure ou "
                       "égale à la valeur.",
        "one_seed": "Un seul tirage : P10 = P50 = P90. Relancer avec --seeds 5 ou plus pour une fourchette.",
        "measures": "Économies par mesure",
        "measures_intro": "Chaque mesure est retirée seule du projet (on la remplace par la valeur de la "
                          "référence) et ajoutée seule à la référence. L'économie attribuée est la moyenne des "
                          "deux ; la ligne « interactions » est le reste (total − somme des mesures, arrondis "
                          "compris), de sorte que chaque colonne s'additionne exactement au total affiché. "
                          "Moyenne sur les tirages (une moyenne conserve la somme).",
        "measure": "Mesure",
        "attributed_all": "Économie attribuée par mesure, toutes grandeurs (moyenne sur les tirages)",
        "detail_of": "Détail : {label}",
        "added_alone": "Ajoutée seule à la référence",
        "removed_alone": "Retirée seule du projet",
        "attributed": "Attribuée (moyenne des deux)",
        "band": "P10 – P90 attribuée",
        "remark": "Remarque",
        "figure_alt": "Économie attribuée par mesure, en euros HT par an",
        "bill": "Facture annuelle poste par poste",
        "bill_intro": "Tirage {seed}, par an, en euros HT. La facture nette est la grandeur « € » des économies "
                      "ci-dessus.",
        "bill_intro_median": "Facture du tirage médian (graine {seed}, celle dont l'économie nette est la médiane des "
                             "{n} tirages, graines {seeds}), par an, en euros HT : ses postes s'additionnent. La "
                             "colonne P10 – P90 donne la fourchette de chaque économie sur les {n} tirages. La "
                             "facture nette est la grandeur « € » des économies ci-dessus.",
        "bill_band": "P10 – P90 de l'économie",
        "subscription_seeds": "Le tableau est celui du tirage médian (graine {seed}) ; la colonne « conseillée, "
                              "tous tirages » donne la puissance conseillée la plus basse et la plus haute des {n} "
                              "tirages, détaillée sous le tableau.",
        "advised_seeds": "Conseillée, tous tirages",
        "advised_listing": "Puissance conseillée par tirage",
        "line": "Poste",
        "design": "Projet",
        "reference": "Référence",
        "difference": "Économie",
        "bill_total": "Total des achats d'énergie et d'eau",
        "pv_sales": "Ventes du surplus PV (déduites)",
        "net_bill": "Facture nette",
        "ev_revenue": "Recettes de la recharge VE (hors facture nette)",
        "ev_note": "Les recettes de recharge des véhicules électriques sont montrées à part : elles ne sont pas "
                   "déduites de la facture nette ni comptées dans les économies (un service vendu aux usagers, "
                   "pas une économie d'énergie du bâtiment). L'électricité de la recharge est, elle, dans les "
                   "achats des deux bâtiments.",
        "no_bill": "Les résumés de simulation ne sont pas disponibles : facture poste par poste non détaillée.",
        "operat": "Décret tertiaire (OPERAT)",
        "operat_intro": "Énergie finale au sens d'OPERAT : chaleur du réseau × {factor}, électricité achetée × 1 "
                        "(l'autoconsommation PV n'est pas déclarée), recharge VE (IRVE) déclarée à part. Valeur "
                        "absolue Cabs 2030 au prorata des surfaces des sous-catégories (zone {zone}, {altitude} m). "
                        "Consommation non corrigée du climat (les degrés-jours de référence de la station ne "
                        "sont pas fournis). Calcul : twin.operat.",
        "operat_row_heat": "Réseau de chaleur (× {factor})",
        "operat_row_elec": "Électricité achetée hors IRVE",
        "operat_row_irve": "IRVE (déclarée à part)",
        "operat_row_total": "Énergie finale hors IRVE",
        "operat_row_intensity": "Consommation par m²",
        "operat_row_band": "Consommation par m², P10 ; P90 des graines",
        "operat_seed": "Colonnes : la graine {seed}, médiane des {n} graines pour l'économie nette (celle de la facture).",
        "operat_row_cabs": "Valeur absolue Cabs 2030",
        "operat_row_status": "Objectif 2030",
        "met": "atteint",
        "not_met": "non atteint",
        "trajectory": "Trajectoire en valeur relative",
        "trajectory_intro": "Pour un bâtiment neuf, l'année de référence est la première année pleine "
                            "d'exploitation (arrêté du 10 avril 2020, art. 3 I) : la consommation simulée du "
                            "projet, {cref}. Objectifs = (1 − réduction) × Créf (art. 3 III). L'obligation 2030 "
                            "est remplie par la valeur absolue ou par la valeur relative.",
        "deadline": "Échéance",
        "reduction": "Réduction",
        "target": "Objectif",
        "operat_missing": "Position OPERAT non calculée : {reason}.",
        "operat_one_year": "OPERAT déclare 12 mois consécutifs, la période simulée n'en couvre pas un ; relancer "
                           "sur une année complète",
        "operat_no_summary": "résumés de simulation absents",
        "subscription": "Puissances souscrites",
        "subscription_intro": "Conseil tiré de la courbe des puissances appelées du projet (tirage {seed}) : la "
                              "plus petite puissance dont le dépassement reste sous {limit} h {period}. Heures "
                              "au-dessus : heures où la demande dépasserait cette puissance. Le projet et la "
                              "référence gardent la même puissance souscrite : l'abonnement économisé ici "
                              "s'ajoute aux économies ci-dessus.",
        "per_year": "par an",
        "over_period": "sur la période simulée",
        "heat_sub": "Réseau de chaleur",
        "elec_sub": "Électricité (kVA)",
        "current": "Souscrite",
        "advised": "Conseillée",
        "peak": "Appel maximal",
        "hours_above_advised": "Heures au-dessus de la puissance conseillée",
        "hours_above_current": "Heures au-dessus de la puissance souscrite",
        "subscription_saving": "Abonnement économisé avec la puissance conseillée",
        "candidates": "Puissances étudiées (réseau de chaleur)",
        "capacity": "Puissance",
        "hours_above": "Heures au-dessus",
        "energy_above": "Énergie au-dessus",
        "subscription_cost": "Abonnement",
        "no_capacity": "Le résumé de simulation ne contient pas de conseil de puissance.",
        "assumptions": "Hypothèses et sources",
        "assumptions_intro": "Chaque valeur est suivie de sa source, traduite de celle écrite (en anglais) dans les "
                             "fichiers du modèle ou dans le code. [V] : lu dans une source ; [E] : estimation (aussi "
                             "quand aucune source n'est écrite).",
        "parameter": "Paramètre",
        "value": "Valeur",
        "source": "Source",
        "flag": "Statut",
        "group_prices": "Prix (HT) et facteurs du projet",
        "group_reference": "Bâtiment de référence : ce qui le distingue du projet",
        "group_operat": "Décret tertiaire",
        "group_model": "Hypothèses du modèle dont dépendent les économies",
        "no_source": "source non indiquée",
        "footer": "Produit par twin {version} (jumeau numérique de Le Numérique, Besançon). Méthode : "
                  "docs/economics.md §7.",
        "zero_same": "la mesure ne change ni l'énergie achetée ni l'eau sur la période simulée",
        "zero_small": "effet sur la facture inférieur à 0,5 €/an",
        "zero_interactions": "les mesures n'interagissent pas sur la facture (à 0,5 €/an près)",
        "zero_flat": "inclus dans le prix forfaitaire de l'électricité (tarif « flat »)",
        "zero_overrun": "aucun dépassement facturé : dépassements non tarifés par défaut (overrun_eur_kvah = 0, "
                        "[E]) ou puissance souscrite jamais dépassée",
        "zero_no_pv": "pas de centrale PV dans ce bâtiment",
        "zero_no_export": "aucun surplus PV exporté sur la période",
        "zero_generic": "poste nul sur la période simulée",
        "zero_same_line": "poste identique dans les deux bâtiments",
        "zero_same_sub": "même puissance souscrite dans les deux bâtiments : abonnement identique",
        "not_simulated": "non simulé",
        "no_ev_price": "pas de prix de recharge dans le scénario (recharge gratuite)",
        "yes": "oui",
        "no": "non",
    },
    "en": {
        "html_lang": "en",
        "title": "Justification of savings",
        "subtitle": "Design “{design}” against the reference building “{reference}”",
        "intro": "This page states what the design saves every year against an identical building that merely "
                 "meets the regulation. Both buildings are simulated dynamically over the same weather year "
                 "and with the same occupants (common random numbers), for {n_seeds} draw(s) of weather and "
                 "occupancy (seeds {seeds}).",
        "prices_note": "Amounts in euros excluding VAT, as every price of the model (a business lessee recovers "
                       "VAT). Saving = reference − design, per year (positive: the design saves).",
        "caveat": "Caveat:",
        "totals": "Yearly savings",
        "quantity": "Quantity",
        "unit": "Unit",
        "p10": "P10",
        "p50": "P50 (median)",
        "p90": "P90",
        "totals_note": "P10, P50, P90: 10 %, 50 % and 90 % of the draws save at most the value.",
        "one_seed": "One draw only: P10 = P50 = P90. Run with --seeds 5 or more for a range.",
        "measures": "Savings per measure",
        "measures_intro": "Each measure is removed alone from the design (set to the reference's value) and added "
                          "alone to the reference. The attributed saving is the mean of the two; the "
                          "“interactions” row is the rest (total − sum of the measures, rounding included), so "
                          "every column adds up exactly to the total shown. Mean over the draws (a mean keeps "
                          "the sum).",
        "measure": "Measure",
        "attributed_all": "Attributed saving per measure, every quantity (mean over the draws)",
        "detail_of": "Detail: {label}",
        "added_alone": "Added alone to the reference",
        "removed_alone": "Removed alone from the design",
        "attributed": "Attributed (mean of both)",
        "band": "P10 – P90 attributed",
        "remark": "Remark",
        "figure_alt": "Attributed saving per measure, euros excl. VAT per year",
        "bill": "Yearly bill line by line",
        "bill_intro": "Seed {seed}, per year, euros excl. VAT. The net bill is the “€” quantity of the savings "
                      "above.",
        "bill_intro_median": "Bill of the median draw (seed {seed}, whose net saving is the median of the {n} draws, "
                             "seeds {seeds}), per year, euros excl. VAT: its lines add up. The P10 – P90 column "
                             "gives the range of each saving over the {n} draws. The net bill is the “€” quantity "
                             "of the savings above.",
        "bill_band": "P10 – P90 of the saving",
        "subscription_seeds": "The table is the median draw's (seed {seed}); the column “advised, all draws” gives "
                              "the lowest and the highest advised power of the {n} draws, listed under the table.",
        "advised_seeds": "Advised, all draws",
        "advised_listing": "Advised power per draw",
        "line": "Line",
        "design": "Design",
        "reference": "Reference",
        "difference": "Saving",
        "bill_total": "Energy and water bought",
        "pv_sales": "PV surplus sales (deducted)",
        "net_bill": "Net bill",
        "ev_revenue": "EV charging revenue (outside the net bill)",
        "ev_note": "EV charging revenue is shown apart: it is not deducted from the net bill nor counted in the "
                   "savings (a service sold to users, not an energy saving of the building). The charging "
                   "electricity is in both buildings' purchases.",
        "no_bill": "The run summaries are not available: no line-by-line bill.",
        "operat": "Décret tertiaire (OPERAT)",
        "operat_intro": "Final energy as OPERAT counts it: district heat × {factor}, electricity bought × 1 (PV "
                        "self-consumption is not declared), EV charging (IRVE) declared apart. Absolute value "
                        "Cabs 2030 pro rata of the sub-categories' areas (zone {zone}, {altitude} m). Consumption "
                        "not adjusted for the climate (the station's reference degree-days are not given). "
                        "Computed by twin.operat.",
        "operat_row_heat": "District heat (× {factor})",
        "operat_row_elec": "Electricity bought, IRVE excluded",
        "operat_row_irve": "IRVE (declared apart)",
        "operat_row_total": "Final energy, IRVE excluded",
        "operat_row_intensity": "Consumption per m²",
        "operat_row_band": "Consumption per m², P10, P90 over the seeds",
        "operat_seed": "Columns: seed {seed}, the median of the {n} seeds for the net saving (the bill's).",
        "operat_row_cabs": "Absolute value Cabs 2030",
        "operat_row_status": "2030 target",
        "met": "met",
        "not_met": "not met",
        "trajectory": "Relative trajectory",
        "trajectory_intro": "For a new building the reference year is its first full year of operation (arrêté of "
                            "10 April 2020, art. 3 I): the design's simulated consumption, {cref}. Targets = "
                            "(1 − reduction) × Créf (art. 3 III). The 2030 obligation is met by either the "
                            "absolute or the relative value.",
        "deadline": "Deadline",
        "reduction": "Reduction",
        "target": "Target",
        "operat_missing": "OPERAT position not computed: {reason}.",
        "operat_one_year": "OPERAT declares 12 consecutive months and the simulated period is not one year; run "
                           "a full year",
        "operat_no_summary": "no run summaries",
        "subscription": "Subscribed power",
        "subscription_intro": "Advice from the design's load-duration curve (seed {seed}): the smallest power whose "
                              "shortfall stays within {limit} h {period}. Hours above: hours the demand would "
                              "exceed that power. The design and the reference keep the same subscription: the "
                              "subscription saved here comes on top of the savings above.",
        "per_year": "a year",
        "over_period": "over the simulated period",
        "heat_sub": "District heat",
        "elec_sub": "Electricity (kVA)",
        "current": "Subscribed",
        "advised": "Advised",
        "peak": "Peak demand",
        "hours_above_advised": "Hours above the advised power",
        "hours_above_current": "Hours above the subscribed power",
        "subscription_saving": "Subscription saved at the advised power",
        "candidates": "Powers studied (district heat)",
        "capacity": "Power",
        "hours_above": "Hours above",
        "energy_above": "Energy above",
        "subscription_cost": "Subscription",
        "no_capacity": "The run summary holds no capacity advice.",
        "assumptions": "Assumptions and sources",
        "assumptions_intro": "Each value comes with its source as written in the model files or the code. [V]: "
                             "read in a source; [E]: estimate (also when no source is written).",
        "parameter": "Parameter",
        "value": "Value",
        "source": "Source",
        "flag": "Status",
        "group_prices": "Prices (excl. VAT) and factors of the design",
        "group_reference": "Reference building: what sets it apart from the design",
        "group_operat": "Décret tertiaire",
        "group_model": "Model assumptions the savings rest on",
        "no_source": "no source given",
        "footer": "Made by twin {version} (digital twin of Le Numérique, Besançon). Method: docs/economics.md §7.",
        "zero_same": "the measure changes neither the energy bought nor the water over the simulated period",
        "zero_small": "effect on the bill below 0.5 €/yr",
        "zero_interactions": "the measures do not interact on the bill (within 0.5 €/yr)",
        "zero_flat": "included in the flat electricity price (tariff “flat”)",
        "zero_overrun": "no overrun billed: overruns not priced by default (overrun_eur_kvah = 0, [E]) or the "
                        "subscribed power never exceeded",
        "zero_no_pv": "no PV plant in this building",
        "zero_no_export": "no PV surplus exported over the period",
        "zero_generic": "nothing on this line over the simulated period",
        "zero_same_line": "the same in both buildings",
        "zero_same_sub": "same subscribed power in both buildings: same subscription",
        "not_simulated": "not simulated",
        "no_ev_price": "no charging price in the scenario (free charging)",
        "yes": "yes",
        "no": "no",
    },
}


# ------------------------------------------------------------------------------------------------ numbers


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise TwinError(f"--lang {lang}: expected one of {', '.join(LANGS)}")
    return lang


def format_number(value: float | None, decimals: int = 0, lang: str = "fr", signed: bool = False) -> str:
    """A number as a reader of ``lang`` writes it: ``12 345,6`` (fr) or ``12,345.6`` (en).

    French: narrow no-break space (U+202F) between groups of three digits, decimal comma; both: the
    minus sign U+2212, ``+`` in front of a positive value when ``signed``, no sign on a value that
    rounds to zero, an en dash for a missing or non-finite value.
    """
    if value is None or not math.isfinite(float(value)):
        return "–"
    text = f"{abs(float(value)):,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    zero = not any(c in "123456789" for c in text)
    sign = "" if zero else (MINUS if value < 0 else ("+" if signed else ""))
    return sign + text


def format_quantity(value: float | None, unit: str, decimals: int = 0, lang: str = "fr", signed: bool = False) -> str:
    """Number and unit joined by a no-break space: ``15 800 €/an``."""
    return f"{format_number(value, decimals, lang, signed)}{NBSP}{unit}"


def _rounded(value: float, decimals: int) -> int:
    """``value`` in integer units of 10^-decimals (what the page shows), half away from zero."""
    scaled = float(value) * 10 ** decimals
    return int(math.floor(abs(scaled) + 0.5)) * (1 if scaled >= 0 else -1)


# ------------------------------------------------------------------------------------------------ sections


#: The caveats twin writes (economics.period_caveats, savings.savings_statement) in French: pattern -> text.
CAVEATS_FR = (
    (r"the period covers (?P<y>[\d.]+) of a year: costs, energy and CO2 are totals over the period, not per year",
     "la période simulée couvre {y} d'une année : coûts, énergie et CO₂ du résumé de simulation sont des totaux "
     "sur la période, pas par an"),
    (r"life-cycle figures \(NPV, IRR, paybacks\) scale this period's savings to a year, which extrapolates its "
     r"season: use a full year for decisions",
     "les indicateurs de cycle de vie (VAN, TRI, temps de retour) ramènent les économies de la période à une année, "
     "ce qui extrapole sa saison : simuler une année complète pour décider"),
    (r"savings are scaled from the period simulated to a year \(x 1/period\), which extrapolates the season "
     r"simulated",
     "les économies sont ramenées à une année (× 1/période), ce qui extrapole la saison simulée"),
)


def _caveat(text: str, lang: str) -> str:
    """A caveat in ``lang``: the known English sentences translated to French, others as written."""
    if lang == "fr":
        for pattern, french in CAVEATS_FR:
            m = re.fullmatch(pattern, text)
            if m:
                return french.format(**{k: format_number(float(v), 3, "fr") for k, v in m.groupdict().items()})
    return text


def _totals(st: SavingsStatement, lang: str) -> list[dict[str, str]]:
    tot = st.totals()
    rows = []
    for q in QUANTITIES:
        fr, en, ufr, uen = QUANTITY_TEXT[q]
        s, d = tot[q], DECIMALS[q]
        rows.append({"quantity": q, "label": fr if lang == "fr" else en, "unit": ufr if lang == "fr" else uen,
                     "p10": format_number(s.quantile(0.1), d, lang), "p50": format_number(s.median(), d, lang),
                     "p90": format_number(s.quantile(0.9), d, lang)})
    return rows


def _measure_label(m: str, lang: str) -> str:
    return MEASURE_TEXT[m][0 if lang == "fr" else 1] if m in MEASURE_TEXT else m


def _column(summ, q: str, col: str, measures: Sequence[str]) -> dict[str, int]:
    """Rounded values of one column; interactions = shown total − Σ shown measures (so the rows add up)."""
    d = DECIMALS[q]
    rows = summ[summ["quantity"] == q].set_index("measure")
    shown = {m: _rounded(rows.loc[m, col], d) for m in measures}
    total = _rounded(rows.loc["total", col], d)
    shown["interactions"] = total - sum(shown.values())
    shown["total"] = total
    return shown


def _measure_tables(st: SavingsStatement, lang: str) -> dict[str, Any]:
    t = TEXT[lang]
    summ = st.summary()
    measures = list(st.measures)
    order = [*measures, "interactions", "total"]
    attributed = {q: _column(summ, q, "attributed_mean", measures) for q in QUANTITIES}
    all_rows = []
    for m in order:
        all_rows.append({"measure": m, "label": _measure_label(m, lang), "total": m == "total",
                         "cells": [format_number(attributed[q][m] / 10 ** DECIMALS[q], DECIMALS[q], lang,
                                                 signed=True) for q in QUANTITIES]})
    heads = [f"{QUANTITY_TEXT[q][2 if lang == 'fr' else 3]}" for q in QUANTITIES]
    several = len(st.seeds) > 1
    details = []
    for q in ("eur", "final_mwh"):
        d = DECIMALS[q]
        cols = {c: _column(summ, q, c, measures) for c in ("added_alone", "removed_alone", "attributed_mean")}
        rows_q = summ[summ["quantity"] == q].set_index("measure")
        rows = []
        for m in order:
            cells = [format_number(cols[c][m] / 10 ** d, d, lang, signed=True) for c in cols]
            band = ""
            if several and m != "interactions":
                sep = " ; " if lang == "fr" else ", "
                band = (format_number(rows_q.loc[m, "attributed_p10"], d, lang, signed=True) + sep
                        + format_number(rows_q.loc[m, "attributed_p90"], d, lang, signed=True))
            remark = ""
            if q == "eur" and m != "total" and any(cols[c][m] == 0 for c in cols):
                remark = _zero_measure_reason(summ, m, t)
            rows.append({"measure": m, "label": _measure_label(m, lang), "cells": cells, "band": band,
                         "remark": remark, "total": m == "total"})
        fr, en, ufr, uen = QUANTITY_TEXT[q]
        details.append({"quantity": q, "title": t["detail_of"].format(label=(fr if lang == "fr" else en)),
                        "unit": ufr if lang == "fr" else uen, "rows": rows})
    return {"heads": heads, "rows": all_rows, "details": details, "several": several,
            "attributed_eur": {m: attributed["eur"][m] for m in order}}


def _zero_measure_reason(summ, measure: str, t: dict[str, str]) -> str:
    if measure == "interactions":
        return t["zero_interactions"]
    rows = summ[(summ["measure"] == measure) & summ["quantity"].isin(["final_mwh", "mains_m3", "eur"])]
    if (rows[["added_alone", "removed_alone"]].abs() < 1e-9).all().all():
        return t["zero_same"]
    return t["zero_small"]


def seed_summaries(st: SavingsStatement) -> list[tuple[int, dict, dict]]:
    """(seed, design summary, reference summary) for every seed kept, by seed.

    A statement made by hand with only ``design_summary``/``reference_summary`` gives that one pair
    under its first seed.
    """
    pairs = [(seed, st.design_summaries[seed], st.reference_summaries[seed])
             for seed in sorted(st.design_summaries) if seed in st.reference_summaries]
    if not pairs and st.design_summary and st.reference_summary:
        pairs = [(st.seeds[0] if st.seeds else 0, st.design_summary, st.reference_summary)]
    return pairs


def median_seed(pairs: Sequence[tuple[int, dict, dict]]) -> tuple[int, dict, dict]:
    """The pair whose net-bill saving (reference − design, :func:`twin.savings.quantities` €) is the median.

    With an even number of seeds, the lower of the two middle ones (ties broken by seed), so that
    the bill shown is one seed's whole bill, whose lines add up.
    """
    ranked = sorted(pairs, key=lambda p: (quantities(p[2])["eur"] - quantities(p[1])["eur"], p[0]))
    return ranked[(len(ranked) - 1) // 2]


def _band(values: Sequence[float | None], lang: str, digits: int = 0, signed: bool = True,
          unit: str | None = None) -> str:
    """``P10 ; P90`` (fr) or ``P10, P90`` (en) of per-year values over seeds (savings: signed, no unit;
    a level: unsigned, ``unit`` after P90); '' for fewer than 2."""
    vals = [v for v in values if v is not None]
    if len(vals) < 2:
        return ""
    sep = " ; " if lang == "fr" else ", "
    lo, hi = np.quantile(vals, [0.1, 0.9])
    high = format_quantity(hi, unit, digits, lang) if unit else format_number(hi, digits, lang, signed=signed)
    return format_number(lo, digits, lang, signed=signed) + sep + high


def _bill(st: SavingsStatement, lang: str) -> dict[str, Any] | None:
    pairs = seed_summaries(st)
    if not pairs:
        return None
    seed, ds, rs = median_seed(pairs)
    t = TEXT[lang]
    unit = "€/an" if lang == "fr" else "€/yr"
    several = len(pairs) > 1

    def per_year(summary: dict, value: float | None) -> float | None:
        years = summary["meta"].get("period_fraction_of_year") or 1.0
        return None if value is None else value / years

    def zero_reason(key: str, summary: dict) -> str:
        if key in ("electricity_subscription", "electricity_taxes_network") and \
                summary["cost_eur"].get("electricity_tariff") == "flat":
            return t["zero_flat"]
        if key == "electricity_overrun":
            return t["zero_overrun"]
        if key == "pv_export":
            return t["zero_no_pv"] if not summary["electricity"].get("pv_kwh") else t["zero_no_export"]
        return t["zero_generic"]

    def cell(summary: dict, key: str, value: float | None) -> tuple[str, str]:
        v = per_year(summary, value)
        if v is None:
            return "–", t["not_simulated"]
        text = format_number(v, 0, lang)
        return text, (zero_reason(key, summary) if _rounded(v, 0) == 0 else "")

    def remark(design_reason: str, reference_reason: str, a: float | None, b: float | None, key: str) -> str:
        """Why a line shows 0: one reason if both columns share it, else each column's own."""
        if design_reason and design_reason == reference_reason:
            return design_reason
        parts = [f"{t[col]}{colon}{r}" for col, r in (("design", design_reason), ("reference", reference_reason)) if r]
        if not parts and a is not None and b is not None and _rounded(b - a, 0) == 0:
            parts = [t["zero_same_sub"] if key.endswith("subscription") else t["zero_same_line"]]
        return sep.join(parts)

    colon, sep = (" : ", " ; ") if lang == "fr" else (": ", "; ")
    rows = []
    for key, labels in BILL_LINES.items():
        dv, dr = cell(ds, key, ds["cost_eur"].get(key))
        rv, rr = cell(rs, key, rs["cost_eur"].get(key))
        a, b = per_year(ds, ds["cost_eur"].get(key)), per_year(rs, rs["cost_eur"].get(key))
        diff = "–" if a is None or b is None else format_number(b - a, 0, lang, signed=True)
        band = _band([None if per_year(d, d["cost_eur"].get(key)) is None or per_year(r, r["cost_eur"].get(key)) is None
                      else per_year(r, r["cost_eur"][key]) - per_year(d, d["cost_eur"][key])
                      for _, d, r in pairs], lang)
        rows.append({"label": labels[0 if lang == "fr" else 1], "design": dv, "reference": rv, "difference": diff,
                     "band": band, "remark": remark(dr, rr, a, b, key)})
    d_tot, r_tot = per_year(ds, ds["cost_eur"]["total"]), per_year(rs, rs["cost_eur"]["total"])
    d_pv = per_year(ds, ds["revenue_eur"].get("pv_export") or 0.0)
    r_pv = per_year(rs, rs["revenue_eur"].get("pv_export") or 0.0)
    pv_remark = remark(zero_reason("pv_export", ds) if _rounded(d_pv, 0) == 0 else "",
                       zero_reason("pv_export", rs) if _rounded(r_pv, 0) == 0 else "", d_pv, r_pv, "pv_export")
    d_net, r_net = quantities(ds)["eur"], quantities(rs)["eur"]

    def ev(summary: dict) -> tuple[str, str]:
        v = summary["revenue_eur"].get("ev_charging")
        if v is None:
            return "–", t["no_ev_price"]
        return format_number(per_year(summary, v), 0, lang), ""

    (dev, dev_r), (rev, rev_r) = ev(ds), ev(rs)
    bands = {
        "total": _band([per_year(r, r["cost_eur"]["total"]) - per_year(d, d["cost_eur"]["total"]) for _, d, r in pairs],
                       lang),
        "pv": _band([per_year(d, d["revenue_eur"].get("pv_export") or 0.0)
                     - per_year(r, r["revenue_eur"].get("pv_export") or 0.0) for _, d, r in pairs], lang),
        "net": _band([quantities(r)["eur"] - quantities(d)["eur"] for _, d, r in pairs], lang),
    }
    seeds = ", ".join(str(p[0]) for p in pairs)
    intro = (t["bill_intro_median"].format(seed=seed, n=len(pairs), seeds=seeds) if several
             else t["bill_intro"].format(seed=seed))
    return {
        "seed": seed,
        "several": several,
        "intro": intro,
        "unit": unit,
        "rows": rows,
        "total": {"design": format_number(d_tot, 0, lang), "reference": format_number(r_tot, 0, lang),
                  "difference": format_number(r_tot - d_tot, 0, lang, signed=True), "band": bands["total"]},
        "pv": {"design": format_number(-d_pv, 0, lang), "reference": format_number(-r_pv, 0, lang),
               "difference": format_number(d_pv - r_pv, 0, lang, signed=True), "remark": pv_remark,
               "band": bands["pv"]},
        "net": {"design": format_number(d_net, 0, lang), "reference": format_number(r_net, 0, lang),
                "difference": format_number(r_net - d_net, 0, lang, signed=True), "band": bands["net"]},
        "ev": {"design": dev, "reference": rev, "remark": remark(dev_r, rev_r, None, None, "ev")},
    }


def _operat(st: SavingsStatement, lang: str) -> dict[str, Any]:
    """OPERAT position of the median seed (:func:`median_seed`, as the bill), with the consumption per
    m² of every seed's year beside it (P10–P90 over the seeds)."""
    t = TEXT[lang]
    pairs = seed_summaries(st)
    if not pairs:
        return {"missing": t["operat_missing"].format(reason=t["operat_no_summary"])}
    seed, ds, rs = median_seed(pairs)
    try:
        pos = {"design": operat.from_summary(ds), "reference": operat.from_summary(rs)}
        spread = {side: [operat.from_summary(pair[k])["adjusted_kwh_m2"] for pair in pairs]
                  for side, k in (("design", 1), ("reference", 2))}
    except TwinError:
        return {"missing": t["operat_missing"].format(reason=t["operat_one_year"])}
    kwh_m2 = "kWh EF/m²/an" if lang == "fr" else "kWh final/m²/yr"
    mwh = "MWh EF" if lang == "fr" else "MWh final"
    factor = format_number(operat.DISTRICT_HEAT_FINAL_FACTOR, 2, lang)

    def row(label: str, fn) -> dict[str, str]:
        return {"label": label, "design": fn(pos["design"]), "reference": fn(pos["reference"])}

    rows = [
        row(t["operat_row_heat"].format(factor=factor),
            lambda p: format_quantity(p["final_energy_kwh"]["district_heat"] / 1e3, mwh, 1, lang)),
        row(t["operat_row_elec"], lambda p: format_quantity(p["final_energy_kwh"]["electricity"] / 1e3, mwh, 1, lang)),
        row(t["operat_row_irve"], lambda p: format_quantity(p["final_energy_kwh"]["irve"] / 1e3, mwh, 1, lang)),
        row(t["operat_row_total"], lambda p: format_quantity(p["final_energy_kwh"]["total"] / 1e3, mwh, 1, lang)),
        row(t["operat_row_intensity"], lambda p: format_quantity(p["adjusted_kwh_m2"], kwh_m2, 1, lang)),
        *([{"label": t["operat_row_band"], "design": _band(spread["design"], lang, 1, False, kwh_m2),
            "reference": _band(spread["reference"], lang, 1, False, kwh_m2)}] if len(pairs) > 1 else []),
        row(t["operat_row_cabs"], lambda p: format_quantity(p["status_2030"]["cabs_2030_kwh_m2"], kwh_m2, 1, lang)),
        row(t["operat_row_status"], lambda p: t["met"] if p["status_2030"]["meets_2030"] else t["not_met"]),
    ]
    cref = pos["design"]["adjusted_kwh_m2"]
    targets = operat.relative_targets(cref)
    trajectory = [{"year": year, "reduction": f"{MINUS}{format_number(cut * 100, 0, lang)}{NBSP}%",
                   "target": format_quantity(targets[year], kwh_m2, 1, lang)}
                  for year, cut in operat.TRAJECTORY.items()]
    d = pos["design"]
    intro = t["operat_intro"].format(factor=factor, zone=d["climate_zone"], altitude=format_number(d["altitude_m"], 0, lang))
    if len(pairs) > 1:
        intro += " " + t["operat_seed"].format(seed=seed, n=len(pairs))
    return {"missing": "", "rows": rows, "trajectory": trajectory, "seed": seed, "intro": intro,
            "trajectory_intro": t["trajectory_intro"].format(cref=format_quantity(cref, kwh_m2, 1, lang)),
            "figures": pos}


def _advice_per_seed(pairs: Sequence[tuple[int, dict, dict]], key: str, rec_k: str, unit: str,
                     lang: str) -> tuple[str, str]:
    """The advised power of every seed: (``min–max`` over seeds, ``seed: value`` list); ('', '') for one seed."""
    advised = [(seed, ((d.get("capacity") or {}).get(key) or {}).get(rec_k)) for seed, d, _ in pairs]
    advised = [(seed, v) for seed, v in advised if v is not None]
    if len(advised) < 2:
        return "", ""
    values = [v for _, v in advised]
    lo, hi = min(values), max(values)
    span = format_quantity(lo, unit, 0, lang) if lo == hi else \
        f"{format_number(lo, 0, lang)}–{format_quantity(hi, unit, 0, lang)}"
    colon, sep = (" : ", " ; ") if lang == "fr" else (": ", "; ")
    seed_word = "graine" if lang == "fr" else "seed"
    listing = sep.join(f"{seed_word} {seed}{colon}{format_quantity(v, unit, 0, lang)}" for seed, v in advised)
    return span, listing


def _subscription(st: SavingsStatement, lang: str) -> dict[str, Any] | None:
    pairs = seed_summaries(st)
    if not pairs:
        return None
    seed, s, _ = median_seed(pairs)
    cap = s.get("capacity") or {}
    if not cap:
        return None
    t = TEXT[lang]
    years = s["meta"].get("period_fraction_of_year") or 1.0
    one_year = abs(years - 1.0) <= 0.005
    out: dict[str, Any] = {"seed": seed, "several": len(pairs) > 1, "rows": [], "candidates": []}
    eur_yr = "€/an" if lang == "fr" else "€/yr"
    for key, label, unit, cur_k, rec_k, peak_k, limit_k, cap_k, above_current in (
            ("district_heat", t["heat_sub"], "kW", "current_kw", "recommended_kw", "peak_demand_kw", "unmet_hours_limit",
             "capacity_kw", s["heat"].get("unmet_hours")),
            ("electricity", t["elec_sub"], "kVA", "current_kva", "recommended_kva", "peak_kva", "overrun_hours_limit",
             "capacity_kva", s["electricity"].get("hours_above_subscribed"))):
        a = cap.get(key)
        if not a:
            continue
        cands = a.get("candidates") or []
        rec = a.get(rec_k)
        at_rec = next((c for c in cands if c[cap_k] == rec), None)
        saving = ""
        cur = a.get(cur_k)
        if at_rec and cur and rec and rec > 0:
            rate = at_rec["subscription_eur"] / rec / years        # € per kW (kVA) per year
            saving = format_quantity(rate * (cur - rec), eur_yr, 0, lang, signed=False)
        span, listing = _advice_per_seed(pairs, key, rec_k, unit, lang)
        out["rows"].append({
            "advised_seeds": span or "–",
            "advised_listing": listing,
            "label": label,
            "current": "–" if cur is None else format_quantity(cur, unit, 0, lang),
            "advised": format_quantity(rec, unit, 0, lang),
            "peak": format_quantity(a.get(peak_k), unit, 0, lang),
            "hours_above_advised": "–" if at_rec is None else format_quantity(at_rec["hours_above_h"], "h", 1, lang),
            "hours_above_current": "–" if above_current is None else format_quantity(above_current, "h", 1, lang),
            "saving": saving or "–",
            "limit": a.get(limit_k),
        })
        if key == "district_heat":
            out["limit"] = format_number(a.get(limit_k), 0, lang)
            for c in cands:
                if cur is None or c[cap_k] <= cur:
                    out["candidates"].append({
                        "capacity": format_quantity(c[cap_k], unit, 0, lang),
                        "hours": format_quantity(c["hours_above_h"], "h", 2, lang),
                        "energy": format_quantity(c["energy_above_kwh"], "kWh", 0, lang),
                        "cost": format_quantity(c["subscription_eur"] / years, eur_yr, 0, lang),
                        "advised": c[cap_k] == rec,
                    })
    out["intro"] = t["subscription_intro"].format(seed=out["seed"], limit=out.get("limit", "–"),
                                                  period=t["per_year"] if one_year else t["over_period"])
    if out["several"]:
        out["intro"] += " " + t["subscription_seeds"].format(n=len(pairs), seed=seed)
    return out


# ------------------------------------------------------------------------------------------------ assumptions

_KEY_LINE = re.compile(r'^\s*("(?P<q>[^"]+)"|(?P<k>[A-Za-z0-9_.-]+))\s*=\s*(?P<rest>.*)$')
_TABLE_LINE = re.compile(r"^\s*\[(?P<t>[^\[\]]+)\]\s*(#.*)?$")


def _inline_comment(rest: str) -> str:
    """The ``# comment`` after a TOML value (a ``#`` inside a quoted string is not one)."""
    quote = None
    for i, ch in enumerate(rest):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return rest[i + 1:].strip()
    return ""


def toml_comments(path: str | Path) -> dict[str, str]:
    """The comment that documents each key of a TOML file: dotted key -> text.

    A key's comment is its inline comment with the indented comment lines that continue it, else
    the block of comment lines just above it, else the previous key's comment in the same table
    (consecutive keys under one comment share it). Quoted keys (``"a.b.c" = ...`` under
    ``[overrides]``) keep their dots as path separators.
    """
    table, block, previous, out = "", [], "", {}
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        tm = _TABLE_LINE.match(line)
        km = None if tm else _KEY_LINE.match(line)
        if stripped.startswith("#"):
            block.append(stripped.lstrip("#").strip())
        elif not stripped:
            block = []
        elif tm:
            table, block, previous = tm.group("t").strip(), [], ""
        elif km:
            key = km.group("q") or km.group("k")
            text = _inline_comment(km.group("rest"))
            j = i + 1
            while text and j < len(lines) and re.match(r"^\s+#", lines[j]):    # indented continuation
                text += " " + lines[j].strip().lstrip("#").strip()
                j += 1
            i = j - 1
            above = " ".join(b for b in block if b and not re.fullmatch(r"-+\s*\w*[\w ]*-*", b))
            comment = " ".join(x for x in (above, text) if x) or previous
            out[f"{table}.{key}" if table and table != "overrides" else key] = comment
            previous, block = comment, []
        i += 1
    return out


def _chain_comments(path: str | Path) -> dict[str, str]:
    """:func:`toml_comments` of a scenario and of the files it inherits (the child's comment wins)."""
    import tomllib

    out: dict[str, str] = {}
    seen = set()
    p: Path | None = Path(path)
    while p is not None and p.exists() and p.resolve() not in seen:
        seen.add(p.resolve())
        for k, v in toml_comments(p).items():
            out.setdefault(k, v)
        parent = tomllib.loads(p.read_text(encoding="utf-8")).get("inherits")
        p = (p.parent / parent) if isinstance(parent, str) else None
    return out


#: Unit of an override path from its suffix (the project's naming convention, DESIGN.md).
_SUFFIX_UNITS = (("_w_m2k", "W/(m²·K)"), ("_m3", "m³"), ("_m2", "m²"), ("_kwp", "kWc"), ("_kwh", "kWh"),
                 ("_kw", "kW"), ("_c", "°C"), ("_h", "h"), ("_m", "m"), ("_factor", "–"), ("_value", "–"),
                 ("effectiveness", "–"))


def _unit_of(path: str) -> str:
    return next((unit for suffix, unit in _SUFFIX_UNITS if path.endswith(suffix)), "")


def _flag(text: str) -> str:
    flags = [f for f in ("[V]", "[E]") if f in text]
    if not flags and "[V]/[E]" in text:
        flags = ["[V]", "[E]"]
    return "/".join(flags) if flags else "[E]"


def _value_text(value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        v = float(value)
        decimals = 0 if v == int(v) else min(4, max(2, len(repr(v).split(".")[-1])))
        return format_number(v, decimals, lang)
    if isinstance(value, list | tuple) and not value:
        return "[] (aucun)" if lang == "fr" else "[] (none)"
    return str(value)


def assumption_rows(st: SavingsStatement, lang: str = "fr") -> list[dict[str, Any]]:
    """Groups of rows (parameter, value, unit, source, flag): prices and factors, reference, OPERAT."""
    from twin.scenario import load_scenario
    from twin.tariffs import DistrictHeatTariff, ElectricityTariff

    t = TEXT[_check_lang(lang)]
    groups: list[dict[str, Any]] = []

    def row(name: str, value: Any, unit: str, source: str) -> dict[str, str]:
        source = " ".join(source.split())
        return {"parameter": name, "value": _value_text(value, lang), "unit": unit,
                "source": source or t["no_source"], "flag": _flag(source), "measure": ""}

    def in_lang(name: str, source: str, file: str | None) -> str:
        """The source of ``name`` as the page shows it: its French translation on the French page."""
        if lang != "fr" or not source.strip():
            return source
        flags = " ".join(f for f in ("[V]", "[E]") if f in source) or "[E]"
        return SOURCES_FR.get(name) or UNTRANSLATED.format(flags=flags, file=Path(file).name if file else "?")

    if st.design_file and Path(st.design_file).exists():
        overrides = dict((st.design_summary or {}).get("meta", {}).get("overrides") or {})
        try:
            scenario = load_scenario(st.design_file, **overrides)
        except TwinError:
            scenario = load_scenario(st.design_file)
        comments = _chain_comments(st.design_file)
        tar = scenario.tariffs

        def described(prefix: str, obj, cls, names: Sequence[str], units: Sequence[str]) -> list[dict[str, str]]:
            out = []
            for name, unit in zip(names, units, strict=True):
                source = comments.get(f"{prefix}.{name}") or cls.model_fields[name].description or ""
                key = f"{prefix}.{name}"
                out.append(row(key, getattr(obj, name), unit, in_lang(key, source, st.design_file)))
            return out

        rows = described("tariffs.district_heat", tar.district_heat, DistrictHeatTariff,
                         ("energy_eur_mwh", "subscription_eur_kw_year", "vat_rate"), ("€/MWh", "€/(kW·an)", "–"))
        e = tar.electricity
        if e.kind == "flat":
            rows += described("tariffs.electricity", e, ElectricityTariff, ("kind", "energy_eur_kwh"), ("", "€/kWh"))
        else:
            rows += described("tariffs.electricity", e, ElectricityTariff,
                              ("kind", "hph_eur_mwh", "hch_eur_mwh", "hpe_eur_mwh", "hce_eur_mwh",
                               "subscription_eur_kva_year", "excise_eur_mwh", "network_eur_mwh", "overrun_eur_kvah"),
                              ("", "€/MWh", "€/MWh", "€/MWh", "€/MWh", "€/(kVA·an)", "€/MWh", "€/MWh", "€/(kVA·h)"))
        from twin.scenario import EmissionFactors, PrimaryEnergyFactors, Tariffs

        rows += described("tariffs", tar, Tariffs, ("pv_export_eur_kwh", "water_eur_m3", "water_fixed_eur_year",
                                                    "ev_charging_eur_kwh"), ("€/kWh", "€/m³", "€/an", "€/kWh"))
        rows += described("emission_factors", scenario.emission_factors, EmissionFactors,
                          ("district_heat_kg_kwh", "electricity_kg_kwh"), ("kg CO₂/kWh", "kg CO₂/kWh"))
        rows += described("primary_energy_factors", scenario.primary_energy_factors, PrimaryEnergyFactors,
                          ("electricity", "district_heat"), ("–", "–"))
        groups.append({"title": t["group_prices"], "rows": rows})
        model_rows = []
        for path, unit, source_en, source_fr in MODEL_ASSUMPTIONS:
            try:
                value = scenario_value(scenario, path)
            except (KeyError, AttributeError, IndexError, TypeError, TwinError):
                continue                          # a model without this zone or population
            if isinstance(value, str) and path.endswith(".access"):
                value = " ".join(h or "–" for h in scenario.asset.calendar.opening.get(value, [value]))
            model_rows.append(row(path, value, unit, source_fr if lang == "fr" else source_en))
        if model_rows:
            groups.append({"title": t["group_model"], "rows": model_rows})
    ref_comments = _chain_comments(st.reference_file) if st.reference_file and Path(st.reference_file).exists() else {}
    rows = []
    for m, paths in st.measures.items():
        for path, value in paths.items():
            rows.append({**row(path, value, _unit_of(path), in_lang(path, ref_comments.get(path, ""), st.reference_file)),
                         "measure": _measure_label(m, lang)})
    groups.append({"title": t["group_reference"], "rows": rows})
    groups.append({"title": t["group_operat"], "rows": [
        row("operat.DISTRICT_HEAT_FINAL_FACTOR", operat.DISTRICT_HEAT_FINAL_FACTOR, "kWh EF/kWh",
            "[V] arrêté du 10 avril 2020, annexe I, modifié par l'arrêté du 28 novembre 2023 (en vigueur le "
            "1er février 2024)"),
        row("operat.TRAJECTORY", " / ".join(f"{y}{':' if lang == 'en' else ' :'} {MINUS}{c * 100:.0f}{NBSP}%"
                                            for y, c in operat.TRAJECTORY.items()),
            "", "[V] arrêté du 10 avril 2020, art. 3 III ; CCH L174-1"),
        row("operat.DEFAULT_ZONE_SUB_CATEGORIES", "; ".join(f"{z} → {c}" for z, c in
                                                            operat.DEFAULT_ZONE_SUB_CATEGORIES.items()), "",
            "[E] lecture des activités par twin ; le propriétaire les déclare (docs/economics.md §5.3)"),
        row("Cabs 2030 (CVC + USE)", "H1c, < 400 m", "kWh EF/m²/an",
            "[V] arrêté du 1er août 2025 (NOR ATDL2430864A), annexe I"),
    ]})
    return groups


# ------------------------------------------------------------------------------------------------ figure


def _figure(st: SavingsStatement, measures: dict[str, Any], lang: str) -> str:
    """Horizontal bars of the attributed € per measure, as a PNG data URI."""
    from twin.plotting import pyplot

    plt = pyplot()
    names = [m for m in measures["attributed_eur"] if m != "total"]
    values = [measures["attributed_eur"][m] for m in names]
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(names) + 1.2), dpi=110)
    try:
        colors = ["#2a7f62" if v >= 0 else "#b5473a" for v in values]
        ax.barh([_measure_label(m, lang) for m in names], values, color=colors)
        ax.invert_yaxis()
        ax.axvline(0, color="#333", lw=0.8)
        for y, v in enumerate(values):
            ax.annotate(format_quantity(v, "€", 0, lang, signed=True), (v, y), xytext=(4 if v >= 0 else -4, 0),
                        textcoords="offset points", va="center", ha="left" if v >= 0 else "right", fontsize=8)
        ax.set_xlabel("€ HT/an" if lang == "fr" else "€ excl. VAT/yr")
        ax.xaxis.set_major_formatter(lambda x, _pos: format_number(x, 0, lang))
        ax.margins(x=0.25)
        ax.tick_params(labelsize=8)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    finally:
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


# ------------------------------------------------------------------------------------------------ page


def justification_context(st: SavingsStatement, lang: str = "fr", figures: bool = True) -> dict[str, Any]:
    """Everything the template shows, already formatted for ``lang`` (strings; the template escapes them)."""
    from twin import __version__

    t = TEXT[_check_lang(lang)]
    measures = _measure_tables(st, lang)
    seeds = ", ".join(str(s) for s in st.seeds)
    return {
        "t": t,
        "lang": lang,
        "design": st.design,
        "reference": st.reference,
        "subtitle": t["subtitle"].format(design=st.design, reference=st.reference),
        "intro": t["intro"].format(n_seeds=len(st.seeds), seeds=seeds),
        "caveats": [_caveat(c, lang) for c in st.caveats],
        "totals": _totals(st, lang),
        "one_seed": len(st.seeds) == 1,
        "measures": measures,
        "figure": _figure(st, measures, lang) if figures else "",
        "bill": _bill(st, lang),
        "operat": _operat(st, lang),
        "subscription": _subscription(st, lang),
        "assumptions": assumption_rows(st, lang),
        "footer": t["footer"].format(version=__version__),
    }


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_justification(st: SavingsStatement, lang: str = "fr", figures: bool = True) -> str:
    """The page as one HTML string (figures inlined as data URIs, no external resource)."""
    return _environment().get_template(TEMPLATE).render(**justification_context(st, lang, figures))


def write_justification(st: SavingsStatement, path: str | Path, lang: str = "fr", figures: bool = True) -> Path:
    """Write :func:`render_justification` to ``path`` (UTF-8); its folder is created if needed."""
    path = Path(path)
    html = render_justification(st, lang, figures)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
