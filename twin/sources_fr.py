"""French text of the sources the justification page quotes (``twin savings --report --lang fr``).

The model and scenario files write their sources in English beside each number; the French page
shows these translations instead, one per assumption key (a dotted path). Each keeps the flags
([V] read in a source, [E] estimate), the figures and the addresses of the English text. A key
missing here is shown with :data:`UNTRANSLATED` (the English comment stays in the file it names), so
a French page never carries English prose; ``tests/test_justification.py`` checks that every key of
the default statement is translated.

:data:`MODEL_ASSUMPTIONS` lists the model values the savings rest on that are neither prices nor
reference measures (out-of-hours plug loads, fresh air, tenants' hours, water per use), with their
sources in both languages.
"""

from __future__ import annotations

__all__ = ["MODEL_ASSUMPTIONS", "SOURCES_FR", "UNTRANSLATED"]

#: Shown for a key without a translation: where the (English) source is written.
UNTRANSLATED = "{flags} source rédigée en anglais dans {file}, non traduite ici"

_DH = ("Réseau de Planoise : prix tout compris 87,64 → 90,04 € TTC/MWh [V] (DF §2). Le partage R1/R2 n'est pas "
       "public. R1 55 € HT/MWh [E] (DF §2 : 50-60) ; R2 calé pour que le bâtiment paie lui-même 90,04 € TTC/MWh "
       "sur son propre soutirage une année médiane (médianes sur les graines météo 1-10 : 21,31 MWh/an, 72 kW "
       "conseillés) : (90,04/1,055 − 55) × 21,31 / 72 = 8,98 € HT/kW/an (docs/economics.md §1.2). Avec les 160 kW "
       "du modèle, la chaleur revient à ~122 € HT/MWh.")
_WINDOWS = ("Fenêtres : menuiseries aluminium à rupture de pont thermique et double vitrage ordinaire, Uw 1,6 [E] "
            "(murs-rideaux et fenêtres alu du tertiaire : Uw 1,4-1,8 ; le plafond de la RT « existant » est 2,6 "
            "[V] https://legal.tricoteuses.fr/articles/JORFARTI000019308340), et verre clair faiblement émissif "
            "g 0,50 [E] au lieu du verre de contrôle solaire 0,40 du projet.")
_ROOFS = "toitures : 10 cm de PIR (R 4,55) : U 0,168 sur bois, 0,208 sur béton (projet 0,13 / 0,15) [E]"
_TANK = ("Pas de cuve d'eau de pluie : aucune règle ne l'impose (le décret 2024-796 ne fait qu'autoriser les "
         "usages, DF §5) [V]. Une cuve de 0 m³ ne récupère rien : tous les usages passent sur le réseau ; "
         "economics.cost_units retire alors son entretien.")
_BMS = ("Aucune fonction de GTB au-delà des horaires fixes (la base garde déjà une relance fixe de 2 h, sans "
        "optimisation) : stores jamais baissés (un store fermé qui n'ombre rien, F_c = 1), ni rafraîchissement "
        "gratuit par la dérivation (bipasse) de la CTA, ni surventilation nocturne (seuils à 100 °C = jamais, le « jamais » "
        "documenté du schéma) [E].")

#: Assumption key -> French source text.
SOURCES_FR: dict[str, str] = {
    "tariffs.district_heat.energy_eur_mwh": _DH,
    "tariffs.district_heat.subscription_eur_kw_year": _DH,
    "tariffs.district_heat.vat_rate": "TVA pour les montants TTC [-]. [V] DF §2 : 5,5 % sur R2, et sur R1 quand le "
                                      "réseau dépasse 50 % d'énergies renouvelables et de récupération (Planoise "
                                      "≈ 75 %).",
    "tariffs.electricity.kind": "C4 « tarif jaune » : prix CRE 2025, 45 €/kVA/an, accise 26,58, réseau 50 €/MWh "
                                "(DF §3) [V]",
    "tariffs.electricity.energy_eur_kwh": "[E] prix C4 tout compris (DF §3 : 0,18-0,22), pour le tarif forfaitaire",
    "tariffs.electricity.hph_eur_mwh": "Heures pleines de saison haute [€/MWh]. [V] référence CRE « profil jaune » "
                                       "du 20 janvier 2025 (DF §3).",
    "tariffs.electricity.hch_eur_mwh": "Heures creuses de saison haute [€/MWh]. [V] CRE, 20 janvier 2025 (DF §3).",
    "tariffs.electricity.hpe_eur_mwh": "Heures pleines de saison basse [€/MWh]. [V] CRE, 20 janvier 2025 (DF §3).",
    "tariffs.electricity.hce_eur_mwh": "Heures creuses de saison basse [€/MWh]. [V] CRE, 20 janvier 2025 (DF §3).",
    "tariffs.electricity.subscription_eur_kva_year": "Abonnement par kVA souscrit et par an [€/(kVA·an)]. [V] CRE, "
                                                     "20 janvier 2025 (DF §3 ; variante saisonnière 41).",
    "tariffs.electricity.excise_eur_mwh": "Accise (ex-TICFE), taux « PME » > 36 kVA au 1er février 2026 [€/MWh]. "
                                          "[V] DF §3.",
    "tariffs.electricity.network_eur_mwh": "Part énergie du réseau (TURPE), toutes périodes [€/MWh]. [E] DF §3 "
                                           "estime le TURPE à 0,04-0,06 €/kWh en sus des prix CRE ; les coefficients "
                                           "C4 du TURPE 7 n'ont pas été trouvés. Mettre 0 si les prix de l'énergie "
                                           "comprennent déjà le réseau.",
    "tariffs.electricity.overrun_eur_kvah": "Pénalité par kVA au-dessus de la puissance souscrite et par heure "
                                            "[€/(kVA·h)]. [E] 0 = non facturé ; la composante de dépassement C4 du "
                                            "TURPE (CMDPS) n'a pas été trouvée (DF §3).",
    "tariffs.pv_export_eur_kwh": "[E] vente à la coopérative « Planoise solaire », prix par défaut de "
                                 "l'autoconsommation collective (DF §4)",
    "tariffs.water_eur_m3": "[E] cible de GBM 3,30 € TTC/m³ en 2028 (DF §5), hors TVA",
    "tariffs.water_fixed_eur_year": "[V] parts fixes de GBM 15 + 10 € HT/an (DF §5)",
    "tariffs.ev_charging_eur_kwh": "[E] facturé aux usagers : les 0,20 €/kWh achetés plus l'entretien des bornes ; "
                                   "la recharge en courant alternatif au travail ou en accès public est couramment "
                                   "facturée 0,25-0,45 €/kWh en France",
    "emission_factors.district_heat_kg_kwh": "[E] réseau de Planoise, chiffre de presse lu comme 66 g (DF §2)",
    "emission_factors.electricity_kg_kwh": "[V] facteur DPE/RE2020 des usages autres que le chauffage (DF §3)",
    "primary_energy_factors.electricity": "La RE2020 garde 2,3 ; le DPE prend 1,9 depuis 2026 [V].",
    "primary_energy_factors.district_heat": "Les énergies non électriques comptent 1,0 dans les méthodes "
                                            "françaises [E].",
    "constructions.timber_frame_wall.layers.insulation.thickness_m":
        "La RE2020 ne fixe pas de U par paroi pour un bâtiment neuf : elle plafonne le besoin (Bbio ≤ Bbio_max) et "
        "garde deux garde-fous (ratio moyen de ponts thermiques ψ ≤ 0,28 W/(m²·K), U ≤ 0,36 entre parties à "
        "occupation continue et discontinue) [V] https://www.babin-bet.fr/reglementation-environnementale-2020/. "
        "Les valeurs sont donc celles d'un bâtiment tertiaire qui passe le Bbio_max en H1c sans plus [E] : isolants "
        "aux résistances demandées par les fiches CEE (murs R ≥ 3,7, toitures-terrasses R ≥ 4,5, planchers "
        "R ≥ 3 m²·K/W ; de mémoire, fiches BAT-EN-102/107/103, non revérifiées [E]), soit à peu près les bâtiments "
        "RT 2012. U selon ISO 6946 : mur bois 6 cm de fibre de bois (R 1,30) + 10,5 cm de montants isolés "
        "(R 2,33) : U 0,248 (projet 0,16).",
    "constructions.concrete_wall.layers.insulation.thickness_m":
        "mur béton : 13 cm de laine minérale (R 3,71) : U 0,250 (projet 0,21) [E]",
    "constructions.roof_timber.layers.insulation.thickness_m": _ROOFS,
    "constructions.roof_concrete.layers.insulation.thickness_m": _ROOFS,
    "constructions.slab_on_ground.layers.insulation.thickness_m":
        "dallage : 10 cm de XPS (R 2,94, le seuil plancher R 3) au lieu de 12 cm [E]",
    "envelope.window_u_w_m2k": _WINDOWS,
    "envelope.window_g_value": _WINDOWS,
    "envelope.thermal_bridges_delta_u_w_m2k":
        "Ponts thermiques : mise en œuvre ordinaire, +0,10 W/(m²·K) sur l'enveloppe [E] (projet 0,05 ; règles "
        "usuelles de l'ISO 13789 : 0,05 soignée / 0,10 ordinaire / 0,15 médiocre).",
    "ahu.heat_recovery.effectiveness":
        "Règlement écoconception (UE) 1253/2014, unités double flux non résidentielles : rendement thermique "
        "≥ 73 % depuis 2018 pour les échangeurs à plaques et rotatifs [V] (DF §6, https://kampmann.ch/fr/). "
        "Projet : 0,80.",
    "pv.arrays": "Pas de PV : la RE2020 n'impose pas de production sur site aux bureaux (le Cep,nr peut être tenu "
                 "avec le réseau de chaleur, DF §7) [E]. Une liste vide retire le champ : ni production, ni vente, "
                 "ni entretien PV (economics.cost_units).",
    "rainwater.tank_volume_m3": _TANK,
    "rainwater.dead_volume_m3": _TANK,
    "envelope.blinds.shading_factor": _BMS,
    "ahu.free_cooling_zone_above_c": _BMS,
    "ahu.night_flush_zone_above_c": _BMS,
}

#: Model values the savings rest on: (dotted path, unit, English source, French source).
MODEL_ASSUMPTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("zones.open_plan_floors.loads.equipment_base_w_m2", "W/m²",
     "[E] from [V]: out-of-hours plug loads, 10 % of the full-occupancy 10 W/m2. 40 % of French workstations stay "
     "on at night, 26 % at weekends (AVOB audits 2009-10) [V]; an idle computer draws 20-40 % of its working power "
     "[V]: 8-16 % of the daytime load. Upper bound: the US DOE reference office keeps 0.40 at night against 0.90 by "
     "day (44 %) [V]; LBNL-46930 found 44 % of computers switched off at night [V].",
     "[E] d'après [V] : talon des prises hors occupation, 10 % des 10 W/m² à pleine occupation. 40 % des postes "
     "de travail français restent allumés la nuit, 26 % le week-end (audits AVOB 2009-10) [V] ; un ordinateur "
     "inactif appelle 20 à 40 % de sa puissance en marche [V] : 8 à 16 % de l'appel de jour. Borne haute : le "
     "bureau de référence du DOE américain garde 0,40 la nuit contre 0,90 le jour (44 %) [V] ; le LBNL "
     "(LBNL-46930) a trouvé 44 % des ordinateurs éteints la nuit [V]."),
    ("zones.training_rooms.ventilation.fresh_air_m3_h_per_person", "m³/(h·pers.)",
     "[V] RSDT art. 64.1: 18 m3/h per person in upper-secondary and university teaching rooms, for people without "
     "a salaried activity in the room (art. 62): the trainees.",
     "[V] RSDT art. 64.1 : 18 m³/h par personne dans les locaux d'enseignement du second cycle et universitaires, "
     "pour les personnes sans activité salariée dans le local (art. 62) : les stagiaires."),
    ("zones.training_rooms.ventilation.staff_fresh_air_m3_h_per_person", "m³/(h·pers.)",
     "[V] Code du travail R4222-6: 25 m3/h per occupant of offices and rooms without physical work: the trainers; "
     "the two requirements add up (RSDT art. 62).",
     "[V] Code du travail R4222-6 : 25 m³/h par occupant des bureaux et locaux sans travail physique : les "
     "formateurs ; les deux exigences s'ajoutent (RSDT art. 62)."),
    ("zones.training_rooms.ventilation.staff_share", "–",
     "[E] one trainer per group of 12 +/- 4 trainees: 1/13.",
     "[E] un formateur par groupe de 12 ± 4 stagiaires : 1/13."),
    ("occupancy.populations.open_plan_tenants.access", "",
     "[E] tenants' badge hours: members of shared workplaces often have 24/7 badge access (DF §6); 7:00-22:00 on "
     "weekdays and 9:00-18:00 on Saturdays; heating stays on its schedule outside 8:00-19:00, fresh air and light "
     "follow the people present.",
     "[E] horaires de badge des locataires : les membres d'espaces partagés ont souvent un accès 24 h/24 par "
     "badge (DF §6) ; 7 h-22 h en semaine et 9 h-18 h le samedi ; hors 8 h-19 h le chauffage garde son horaire, "
     "l'air neuf et l'éclairage suivent les personnes présentes."),
    ("water_uses.washbasin_l_per_use", "L",
     "[V]/[E] 6 L/min flow-limited tap [E] x 13 s: BREEAM Wat 01 counts 40 s of tap per person per day in offices "
     "[V] over LEED's 3 washbasin uses a day [V].",
     "[V]/[E] robinet limité à 6 L/min [E] × 13 s : BREEAM Wat 01 compte 40 s de robinet par personne et par jour "
     "dans les bureaux [V], pour les 3 lavages de mains par jour de LEED [V]."),
    ("rainwater.irrigation.crop_coefficient", "–",
     "[E] from [V]: 2/3 lawn, 1/3 planted beds: 2/3 x 0.925 + 1/3 x 0.5 = 0.78; cool-season turf Kc 0.90-0.95 "
     "(FAO-56 Table 12) [V]; beds of moderate water use 0.4-0.6 of ET0 (WUCOLS III) [V].",
     "[E] d'après [V] : 2/3 de pelouse, 1/3 de massifs : 2/3 × 0,925 + 1/3 × 0,5 = 0,78 ; gazon de saison fraîche "
     "Kc 0,90-0,95 (FAO-56, tableau 12) [V] ; massifs à besoin en eau moyen 0,4-0,6 de l'ET0 (WUCOLS III) [V]."),
)
