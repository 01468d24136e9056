"""Savings statement: what a design saves against a reference building, measure by measure.

The reference (e.g. ``scenarios/reference/regulatory-minimum.toml``) is a scenario that inherits the
design and overrides what a building that merely meets the regulation would have. Its overrides are
grouped into **measures** (envelope, heat recovery, PV, rainwater, BMS controls, ...; see
:func:`measure_of`). For every seed, with one weather year shared by every run (common random
numbers, as :func:`twin.compare.compare`), twin runs

* the design D and the reference R,
* each measure **added alone** to the reference (R + m: the reference's overrides without m's),
* each measure **removed alone** from the design (D − m: the design with only m's overrides).

Savings are reference minus design (positive = the design saves), per year (a shorter period is
scaled to a year and says so), for five quantities: € (energy and water bill net of PV sales),
MWh final energy, MWh primary energy, t CO₂ and m³ of mains water.

Per measure m and quantity q, with S = q(R) − q(D) the total saving:

* added alone  a_m = q(R) − q(R + m)
* removed alone r_m = q(D − m) − q(D)
* attributed   s_m = (a_m + r_m) / 2 (the two-point Shapley estimate, exact when measures do not
  interact and when there are two measures)
* interactions I = S − Σ s_m, so that Σ s_m + I = S exactly, seed by seed.

The same holds for each column: S − Σ a_m and S − Σ r_m are that column's interaction term. With no
interaction every column gives the same rows. The per-measure table gives the **mean** over seeds,
which keeps the sum (a sum of medians is not the median of the sum), with the P10–P90 of each row.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twin.api import scenario_weather, simulate
from twin.config import MAX_SEEDS
from twin.dotted import flatten, parse_assignments
from twin.engine import site_inputs
from twin.errors import ScenarioError
from twin.scenario import load_scenario, resolve_scenario_dict

__all__ = ["QUANTITIES", "SavingsStatement", "measure_of", "measures_between", "quantities", "savings_statement"]

log = logging.getLogger(__name__)

#: Quantities of the statement: name -> (unit, label).
QUANTITIES: dict[str, tuple[str, str]] = {
    "eur": ("EUR/yr", "energy and water bill, net of PV sales"),
    # P2 upkeep and P3 renewals of the systems each building has (economics.whole_operating_cost):
    # PV, the tank and the BMS are not free to keep; negative savings mean the design pays more.
    "upkeep_eur": ("EUR/yr", "upkeep (P2) and large renewals (P3) of the systems"),
    "final_mwh": ("MWh/yr", "final energy bought (district heat + grid electricity)"),
    "primary_mwh": ("MWh/yr", "primary energy (scenario's factors)"),
    "co2_t": ("t CO2/yr", "CO2 of the energy bought"),
    "mains_m3": ("m3/yr", "mains (drinking) water"),
    # Not money or energy, but what the BMS controls buy: fewer degree-hours above the comfort limit.
    "overheating_dh": ("°C·h/yr", "degree-hours above the comfort limit (26 °C)"),
}

#: Measures the overrides belong to: (measure, regular expression on the dotted path), first match wins.
MEASURE_RULES: tuple[tuple[str, str], ...] = (
    ("bms_controls", r"^(envelope\.blinds|ahu\.free_cooling|ahu\.night_flush|ahu\.heat_recovery\.bypass"
                     r"|zones\.[^.]+\.heating\.(start_control|preheat_h))"),
    ("heat_recovery", r"^ahu\.heat_recovery\."),
    ("envelope", r"^(constructions\.|envelope\.)"),
    ("pv", r"^pv(\.|$)"),
    ("rainwater", r"^rainwater(\.|$)"),
    ("battery", r"^battery(\.|$)"),
    ("ev_charging", r"^ev_charging(\.|$)"),
)

#: Languages of the justification page (twin.justification.LANGS; not imported, to keep jinja2 lazy).
REPORT_LANGS = ("fr", "en")

#: Top-level scenario keys a reference may change besides its overrides.
_FREE_KEYS = {"name", "description", "inherits", "overrides", "investment"}


def measure_of(path: str) -> str:
    """The measure a dotted override path belongs to (:data:`MEASURE_RULES`; else its first part)."""
    for name, pattern in MEASURE_RULES:
        if re.match(pattern, path):
            return name
    return path.split(".", 1)[0]


def measures_between(design: str | Path, reference: str | Path) -> dict[str, dict[str, Any]]:
    """The reference's overrides that differ from the design's, grouped by measure.

    Raises
    ------
    ScenarioError
        If the reference differs from the design elsewhere than in its overrides (another model,
        period, weather or tariff section), drops one of the design's overrides, or changes nothing.
    """
    d = resolve_scenario_dict(Path(design))
    r = resolve_scenario_dict(Path(reference))
    for key in sorted(set(d) | set(r)):
        if key not in _FREE_KEYS and d.get(key) != r.get(key):
            raise ScenarioError(f"{reference}: field '{key}' differs from the design's ({design}); expected a "
                                "reference that inherits the design and changes it only under [overrides]")
    d_flat, r_flat = flatten(d.get("overrides", {})), flatten(r.get("overrides", {}))
    missing = sorted(set(d_flat) - set(r_flat))
    if missing:
        raise ScenarioError(f"{reference}: does not carry the design's overrides {missing}; expected a reference "
                            "that inherits the design")
    measures: dict[str, dict[str, Any]] = {}
    for path, value in r_flat.items():
        if path in d_flat and d_flat[path] == value:
            continue
        measures.setdefault(measure_of(path), {})[path] = value
    if not measures:
        raise ScenarioError(f"{reference}: changes nothing against {design}; expected overrides that make it a "
                            "reference building")
    return measures


def quantities(summary: dict) -> dict[str, float]:
    """The statement's quantities of one run, per year (a shorter period is scaled to a year)."""
    years = summary["meta"].get("period_fraction_of_year") or 1.0
    area = summary["meta"]["floor_area_m2"]
    intensity = summary["intensity_kwh_m2"]
    revenue = summary["revenue_eur"]["pv_export"] or 0.0
    mains = summary["water"]["mains_m3"] if summary.get("water") else 0.0
    per_period = {
        "eur": summary["cost_eur"]["total"] - revenue,
        "final_mwh": intensity["final"] * area / 1e3,
        "primary_mwh": intensity["primary"] * area / 1e3,
        "co2_t": summary["co2_kg"]["total"] / 1e3,
        "mains_m3": float(mains or 0.0),
        "overheating_dh": float(summary["comfort"]["degree_hours_above_comfort"] or 0.0),
    }
    out = {k: v / years for k, v in per_period.items()}
    # Already per year (rates times the model's systems), not scaled again.
    upkeep = (summary.get("operating_cost_eur") or {}).get("upkeep_eur_year")
    out["upkeep_eur"] = float(upkeep or 0.0)
    return {k: out[k] for k in QUANTITIES}


@dataclass
class SavingsStatement:
    """Runs and per-measure savings of a design against a reference.

    Attributes
    ----------
    runs
        One row per (seed, variant): variant is ``design``, ``reference``, ``+<measure>`` (added alone to
        the reference) or ``-<measure>`` (removed alone from the design); columns :data:`QUANTITIES`.
    measures
        Measure -> {dotted path: reference value}.
    design, reference
        Scenario names.
    caveats
        What the reader must know (e.g. a period shorter than a year, scaled to a year).
    design_summary, reference_summary
        ``summary.json`` of the design and of the reference for the first seed (None when not kept): the
        page's one pair when ``design_summaries`` is empty (a statement built by hand), and the overrides.
    design_summaries, reference_summaries
        Seed -> ``summary.json`` of the design and of the reference, for every seed: the page shows the
        bill of the median seed with each line's P10-P90 over the seeds, and the capacity advice per seed.
    design_file, reference_file
        The scenario files compared (None when not known): the page quotes their sourced comments.
    """

    runs: pd.DataFrame
    measures: dict[str, dict[str, Any]]
    design: str
    reference: str
    caveats: list[str] = field(default_factory=list)
    design_summary: dict | None = field(default=None, repr=False)
    reference_summary: dict | None = field(default=None, repr=False)
    design_file: str | None = None
    reference_file: str | None = None
    design_summaries: dict[int, dict] = field(default_factory=dict, repr=False)
    reference_summaries: dict[int, dict] = field(default_factory=dict, repr=False)

    @property
    def seeds(self) -> list[int]:
        return [int(s) for s in sorted(self.runs["seed"].unique())]

    def _q(self, variant: str) -> pd.DataFrame:
        return self.runs[self.runs["variant"] == variant].set_index("seed")[list(QUANTITIES)]

    def totals(self) -> pd.DataFrame:
        """Total saving (reference − design) per seed, one column per quantity."""
        return self._q("reference") - self._q("design")

    def breakdown(self) -> pd.DataFrame:
        """Long table: one row per (seed, quantity, measure) with added/removed alone and attributed.

        Extra rows per (seed, quantity): ``interactions`` (total − Σ of the measures, in each column)
        and ``total`` (the same in every column). Rows of a column add up to the total, seed by seed.
        """
        ref, des, total = self._q("reference"), self._q("design"), self.totals()
        rows = []
        for q in QUANTITIES:
            for seed in self.seeds:
                sums = {"added_alone": 0.0, "removed_alone": 0.0, "attributed": 0.0}
                for m in self.measures:
                    a = ref.loc[seed, q] - self._q(f"+{m}").loc[seed, q]
                    r = self._q(f"-{m}").loc[seed, q] - des.loc[seed, q]
                    row = {"added_alone": a, "removed_alone": r, "attributed": 0.5 * (a + r)}
                    for k in sums:
                        sums[k] += row[k]
                    rows.append({"seed": seed, "quantity": q, "measure": m, **row})
                t = total.loc[seed, q]
                rows.append({"seed": seed, "quantity": q, "measure": "interactions",
                             **{k: t - v for k, v in sums.items()}})
                rows.append({"seed": seed, "quantity": q, "measure": "total",
                             "added_alone": t, "removed_alone": t, "attributed": t})
        return pd.DataFrame(rows)

    def summary(self) -> pd.DataFrame:
        """One row per (quantity, measure): mean, P10, P50, P90 over seeds of each column."""
        b = self.breakdown()
        order = {m: i for i, m in enumerate([*self.measures, "interactions", "total"])}
        out = b.groupby(["quantity", "measure"], sort=False).agg(
            added_alone=("added_alone", "mean"), removed_alone=("removed_alone", "mean"),
            attributed_mean=("attributed", "mean"),
            attributed_p10=("attributed", lambda s: s.quantile(0.1)),
            attributed_p50=("attributed", "median"),
            attributed_p90=("attributed", lambda s: s.quantile(0.9)),
        ).reset_index()
        out["unit"] = out["quantity"].map(lambda q: QUANTITIES[q][0])
        out["_o"] = out["measure"].map(order)
        return out.sort_values(["quantity", "_o"], key=lambda s: s.map(list(QUANTITIES).index)
                               if s.name == "quantity" else s).drop(columns="_o").reset_index(drop=True)

    def to_markdown(self) -> str:
        tot = self.totals()
        several = len(self.seeds) > 1
        lines = [
            f"# Savings of `{self.design}` against `{self.reference}`",
            "",
            f"Seeds {self.seeds}: every run of a seed shares its weather year and random streams. Savings are "
            f"{self.reference} minus {self.design} per year (positive = the design saves)"
            + (", P10 / P50 / P90 over the seeds, paired by seed." if several else "."),
            "",
            *(f"**Caveat:** {c}." for c in self.caveats),
            *([""] if self.caveats else []),
            "| quantity | unit | P10 | P50 | P90 |",
            "|---|---|---:|---:|---:|",
        ]
        for q, (unit, label) in QUANTITIES.items():
            s = tot[q]
            lines.append(f"| {label} | {unit} | {_fmt(s.quantile(0.1))} | {_fmt(s.median())} | "
                         f"{_fmt(s.quantile(0.9))} |")
        lines += [
            "",
            "## Per measure",
            "",
            "Each measure added alone to the reference, removed alone from the design, and attributed the mean "
            "of the two; `interactions` is the total minus the sum of the rows above it, so every column adds "
            "up to the total. Mean over the seeds (a mean keeps the sum)"
            + ("; P10–P90 of the attributed saving in brackets." if several else "."),
            "",
        ]
        summ = self.summary()
        header = "| measure | " + " | ".join(f"{q} ({QUANTITIES[q][0]})" for q in QUANTITIES) + " |"
        for col, title in (("attributed_mean", "attributed"), ("added_alone", "added alone to the reference"),
                           ("removed_alone", "removed alone from the design")):
            lines += [f"**{title.capitalize()}**", "", header, "|---|" + "---:|" * len(QUANTITIES)]
            for m in [*self.measures, "interactions", "total"]:
                cells = []
                for q in QUANTITIES:
                    r = summ[(summ["quantity"] == q) & (summ["measure"] == m)].iloc[0]
                    cell = _fmt(r[col], signed=True)
                    if col == "attributed_mean" and several and m != "interactions":
                        cell += f" [{_fmt(r['attributed_p10'], True)}, {_fmt(r['attributed_p90'], True)}]"
                    cells.append(cell)
                lines.append(f"| {m} | " + " | ".join(cells) + " |")
            lines.append("")
        lines += ["## Measures (overrides of the reference)", ""]
        for m, paths in self.measures.items():
            lines.append(f"* **{m}**: " + ", ".join(f"`{p}` = {v!r}" for p, v in paths.items()))
        return "\n".join(lines) + "\n"

    def save(self, out_dir: str | Path) -> list[Path]:
        """Write savings.md, savings.csv (the per-measure summary) and savings_runs.csv into ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "savings.md").write_text(self.to_markdown())
        self.summary().to_csv(out / "savings.csv", index=False)
        self.runs.to_csv(out / "savings_runs.csv", index=False)
        return [out / "savings.md", out / "savings.csv", out / "savings_runs.csv"]


def _fmt(value: float, signed: bool = False) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    sign = "+" if signed else ""
    return f"{value:{sign},.2f}" if abs(value) < 10 else f"{value:{sign},.0f}"


def savings_statement(design_path: str | Path, reference_path: str | Path, seeds: Sequence[int] | None = None,
                      overrides: dict | None = None, measures: dict[str, dict[str, Any]] | None = None,
                      progress: Callable[[str], None] | None = None) -> SavingsStatement:
    """Savings of a design against a reference building, in total and per measure.

    Parameters
    ----------
    design_path, reference_path
        Scenario files; the reference inherits the design and changes it only under ``[overrides]``.
    seeds
        Seeds (weather year and random streams); default the design's own seed.
    overrides
        Dotted-path overrides applied to every run (e.g. ``{"period.end": "2027-02-01"}``).
    measures
        Measure -> {path: reference value}; default :func:`measures_between` the two files.
    progress
        Called with a line of text before each run.
    """
    overrides = dict(overrides or {})
    measures = measures if measures is not None else measures_between(design_path, reference_path)
    ref_all = {p: v for paths in measures.values() for p, v in paths.items()}
    design = load_scenario(design_path, **overrides)
    reference = load_scenario(reference_path, **overrides)
    seeds = list(seeds) if seeds else [design.seed]
    variants: list[tuple[str, dict[str, Any]]] = [("design", {}), ("reference", ref_all)]
    for m, paths in measures.items():
        variants.append((f"+{m}", {p: v for p, v in ref_all.items() if p not in paths}))
        variants.append((f"-{m}", dict(paths)))
    rows, caveats, kept, per_seed = [], [], {}, {"design": {}, "reference": {}}
    for seed in seeds:
        weather = site = None
        for variant, extra in variants:
            s = load_scenario(design_path, **{**overrides, **extra, "seed": seed})
            if weather is None:  # one weather year per seed and its site inputs, shared by every variant
                weather = scenario_weather(s, seed)
                site = site_inputs(s, weather)
            if progress:
                progress(f"seed {seed}: {variant}")
            summary = simulate(s, weather=weather, site=site, timeseries=False).summary
            rows.append({"seed": seed, "variant": variant, **quantities(summary)})
            if variant in ("design", "reference"):
                per_seed[variant][seed] = summary
                if seed == seeds[0]:
                    kept[variant] = summary
            caveats = list(summary["meta"].get("caveats", []))
    if caveats:
        caveats.append("savings are scaled from the period simulated to a year (x 1/period), which extrapolates "
                       "the season simulated")
    return SavingsStatement(pd.DataFrame(rows), measures, design.name, reference.name, caveats,
                            design_summary=kept.get("design"), reference_summary=kept.get("reference"),
                            design_file=str(design_path), reference_file=str(reference_path),
                            design_summaries=per_seed["design"], reference_summaries=per_seed["reference"])


def cli_savings(args, console=None) -> int:
    """Handler of ``twin savings DESIGN --against REFERENCE [--seeds N] [--out DIR] [--set PATH=VALUE] [--report]``."""
    from twin.errors import TwinError
    from twin.paths import check_output_dir, check_output_file

    if args.seeds is not None and not 1 <= args.seeds <= MAX_SEEDS:
        raise TwinError(f"--seeds {args.seeds}: expected a number of seeds from 1 to {MAX_SEEDS}")
    lang = getattr(args, "lang", None)
    report = getattr(args, "report", None)
    if lang is not None and lang not in REPORT_LANGS:
        raise TwinError(f"--lang {lang}: expected one of {', '.join(REPORT_LANGS)}")
    overrides = parse_assignments(args.set or [])
    if not args.out:
        args.out = str(Path("results") / f"savings-{load_scenario(args.design, **overrides).name}")
    check_output_dir(args.out, force=args.force)
    if report is not None or lang is not None:   # --lang alone asks for the page too, at its default place
        report = Path(report) if report else Path(args.out) / "justification.html"
        check_output_file(report, "--report", (".html", ".htm"))
    n_unc = getattr(args, "uncertainty", None)
    if n_unc is not None:
        text = str(n_unc).strip()
        n_unc = int(text) if text.isdigit() else 0
        if not (1 <= n_unc <= 4096 and n_unc & (n_unc - 1) == 0):
            raise TwinError(f"--uncertainty {text}: expected a power of 2 from 1 to 4096 (Saltelli base samples)")
    seeds = list(range(1, args.seeds + 1)) if args.seeds else None
    quiet = console is None or args.quiet
    st = savings_statement(args.design, args.against, seeds=seeds, overrides=overrides,
                           progress=None if quiet else lambda line: console.print(f"[dim]{line}[/dim]"))
    files = st.save(args.out)
    if report is not None:
        from twin.justification import write_justification

        files.append(write_justification(st, report, lang=lang or "fr"))
    if not quiet:
        tot = st.totals()
        console.print(f"Savings of {st.design} against {st.reference} per year, P50 [P10, P90] over seeds {st.seeds}:",
                      highlight=False, soft_wrap=True)
        for c in st.caveats:
            console.print(f"[yellow]Caveat: {c}[/yellow]", highlight=False, soft_wrap=True)
        for q, (unit, label) in QUANTITIES.items():
            s = tot[q]
            console.print(f"  {label}: {_fmt(s.median())} [{_fmt(s.quantile(0.1))}, {_fmt(s.quantile(0.9))}] {unit}",
                          highlight=False, soft_wrap=True)
        console.print(f"Per measure: {files[0]}", highlight=False, soft_wrap=True)
        if report is not None:
            console.print(f"Justification page: {report}", highlight=False, soft_wrap=True)
    if n_unc is not None:
        unc = savings_uncertainty(args.design, args.against, n_base=n_unc, seed=st.seeds[0], overrides=overrides,
                                  progress=None if quiet else lambda line: console.print(f"[dim]{line}[/dim]"))
        out = Path(args.out)
        unc.samples.to_csv(out / "uncertainty_samples.csv", index=False)
        unc.indices.to_csv(out / "uncertainty_indices.csv", index=False)
        unc.percentiles().to_csv(out / "uncertainty_percentiles.csv")
        if not quiet:
            pct = unc.percentiles()
            console.print(f"Savings over {len(unc.samples)} joint samples of {', '.join(unc.inputs)} (seed {st.seeds[0]}), "
                          "P50 [P10, P90], and the inputs causing most of the spread (total Sobol index ST):",
                          highlight=False, soft_wrap=True)
            for q, (unit, label) in QUANTITIES.items():
                top = unc.indices[unc.indices["quantity"] == q].sort_values("ST", ascending=False).head(2)
                shares = ", ".join(f"{r.input} {r.ST:.2f}" for r in top.itertuples() if r.ST > 0.005) or "none"
                console.print(f"  {label}: {_fmt(pct.loc[q, 'p50'])} [{_fmt(pct.loc[q, 'p10'])}, "
                              f"{_fmt(pct.loc[q, 'p90'])}] {unit}; {shares}", highlight=False, soft_wrap=True)
            console.print(f"Samples and indices: {out / 'uncertainty_indices.csv'}", highlight=False, soft_wrap=True)
    return 0


def register_cli(subparsers) -> None:
    """Add ``twin savings DESIGN --against REFERENCE [--seeds N] [--out DIR] [--report [PATH]] [--lang fr|en]``.

    docs/economics.md §7; the page: §7.2.
    """
    p = subparsers.add_parser("savings", help="savings of a design against a reference building, per measure",
                              description="Savings per year (EUR, MWh final and primary, t CO2, m3 of mains water) "
                                          "of DESIGN against REFERENCE, P10/P50/P90 over seeds, and per measure "
                                          "(added alone, removed alone, interactions).")
    p.add_argument("design", help="design scenario, e.g. scenarios/baseline.toml")
    p.add_argument("--against", required=True, help="reference scenario inheriting the design, e.g. "
                                                    "scenarios/reference/regulatory-minimum.toml")
    p.add_argument("--seeds", type=int, help="run seeds 1..N (default: the design's seed)")
    p.add_argument("--out", help="output folder (default results/savings-<design>)")
    p.add_argument("--set", action="append", metavar="PATH=VALUE", help="override applied to every run")
    p.add_argument("--report", nargs="?", const="", metavar="PATH",
                   help="also write the justification page for funders (HTML; default <out>/justification.html)")
    p.add_argument("--lang", metavar="fr|en", help="language of the page: fr (default) or en; implies --report")
    p.add_argument("--uncertainty", metavar="N",  # text: a bad value is one line, not argparse's usage
                   help="also sample prices, setpoint and out-of-hours plug loads jointly (N Saltelli base samples, "
                        "a power of 2; N x 7 x 2 runs on the first seed) and report P10/P50/P90 and Sobol shares")
    p.add_argument("--force", action="store_true", help="allow an output folder inside the twin package")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    p.set_defaults(func=cli_savings)


# ----------------------------------------------------------------------------------------------------------
# Uncertainty beyond the weather: prices, setpoint, plug loads (issue 15 part 2, step 4)
# ----------------------------------------------------------------------------------------------------------

#: Inputs sampled jointly by :func:`savings_uncertainty`: name -> (low, high, source).
UNCERTAIN_INPUTS: dict[str, tuple[float, float, str]] = {
    "heat_escalation": (-0.01, 0.04, "[E] real escalation of the district-heat R1 and R2 per year over the 20-year "
                                     "horizon; the network's all-in price rose 87.64 -> 90.04 EUR TTC/MWh at the 2025 "
                                     "concession (DF §2), biomass and waste keep it steadier than gas"),
    "electricity_escalation": (-0.02, 0.05, "[E] real escalation of the C4 energy and network prices per year; the "
                                            "2022-25 swings and TURPE 7's indexation (DF §3) span both signs"),
    "pv_export_eur_kwh": (0.04, 0.12, "[V]/[E] DF §4: purchase obligation (OA) surplus tariff ~0.04-0.05 for a 2027 "
                                      "connection, up to an ACC sale at 0.08-0.12"),
    "heating_setpoint_c": (19.0, 21.0, "[E] the setpoint occupants keep while open: 19 °C by Code de l'énergie "
                                       "R241-26 (the model's value), 20-21 °C commonly found in offices"),
    "plug_base_factor": (0.5, 2.0, "[E] from [V]: out-of-hours plug loads (equipment_base_w_m2, 10 % of the "
                                   "full-occupancy office load) x 0.5-2, i.e. 5-20 %: 40 % of French workstations "
                                   "stay on at night (AVOB 2009-10) at 20-40 % of their working draw gives 8-16 %; "
                                   "the US DOE reference office's 44 % (0.40/0.90, 2000s desktops) is the upper "
                                   "bound (models/le-numerique.toml)"),
}
#: Horizon over which an escalation rate is levelised into a price factor [years] (the OA contract, §3).
LEVELISATION_YEARS = 20


def levelised_factor(escalation: float, years: int = LEVELISATION_YEARS) -> float:
    """Mean of (1 + e)^(t-1) over t = 1..years: the constant price factor equal to an escalating path's mean.

    e = 0 gives 1; e = 2 %/yr over 20 years gives (1.02^20 - 1)/(0.02 x 20) = 1.2149.
    """
    if escalation == 0.0:
        return 1.0
    return ((1.0 + escalation) ** years - 1.0) / (escalation * years)


def _uncertain_overrides(scenario, values: dict[str, float]) -> dict[str, Any]:
    """Dotted-path overrides of one sample (applied alike to the design and the reference)."""
    t = scenario.tariffs
    out: dict[str, Any] = {}
    if "heat_escalation" in values:
        f = levelised_factor(values["heat_escalation"])
        out["tariffs.district_heat.energy_eur_mwh"] = t.district_heat.energy_eur_mwh * f
        out["tariffs.district_heat.subscription_eur_kw_year"] = t.district_heat.subscription_eur_kw_year * f
    if "electricity_escalation" in values:
        f = levelised_factor(values["electricity_escalation"])
        e = t.electricity
        for name in ("hph_eur_mwh", "hch_eur_mwh", "hpe_eur_mwh", "hce_eur_mwh", "network_eur_mwh"):
            out[f"tariffs.electricity.{name}"] = getattr(e, name) * f
        out["tariffs.electricity.energy_eur_kwh"] = e.energy_eur_kwh * f
    if "pv_export_eur_kwh" in values:
        out["tariffs.pv_export_eur_kwh"] = values["pv_export_eur_kwh"]
    for z in scenario.asset.zones:
        if "heating_setpoint_c" in values:
            out[f"zones.{z.name}.heating.setpoint_open_c"] = values["heating_setpoint_c"]
        if "plug_base_factor" in values:
            out[f"zones.{z.name}.loads.equipment_base_w_m2"] = z.loads.equipment_base_w_m2 * values["plug_base_factor"]
    return out


@dataclass
class SavingsUncertainty:
    """Total savings over jointly sampled inputs, and which input causes what share of their spread.

    Attributes
    ----------
    samples
        One row per sample: the inputs, then the saving of each quantity (reference − design, per year).
    indices
        One row per (quantity, input): first-order S1 and total ST Sobol indices with their 95 % confidence
        half-widths (SALib, Saltelli 2010 / Jansen estimators).
    """

    samples: pd.DataFrame
    indices: pd.DataFrame
    inputs: dict[str, tuple[float, float, str]]

    def percentiles(self) -> pd.DataFrame:
        """P10/P50/P90 of each quantity's saving over the samples."""
        q = self.samples[list(QUANTITIES)]
        return pd.DataFrame({"p10": q.quantile(0.1), "p50": q.median(), "p90": q.quantile(0.9)})


def savings_uncertainty(design_path: str | Path, reference_path: str | Path, n_base: int = 16, seed: int = 1,
                        inputs: dict[str, tuple[float, float, str]] | None = None, overrides: dict | None = None,
                        progress: Callable[[str], None] | None = None) -> SavingsUncertainty:
    """Total saving of a design against its reference over Saltelli samples of uncertain inputs.

    The weather is one year (``seed``) shared by every run, so the spread is the inputs' alone. Each sample
    runs the design and the reference with the same input values (paired); prices are levelised over
    :data:`LEVELISATION_YEARS` (:func:`levelised_factor`). ``n_base`` Saltelli base samples give
    ``n_base x (k + 2)`` samples for k inputs (first and total order, no second order), 2 runs each.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    inputs = dict(inputs or UNCERTAIN_INPUTS)
    overrides = dict(overrides or {})
    measures = measures_between(design_path, reference_path)
    ref_all = {p: v for paths in measures.values() for p, v in paths.items()}
    problem = {"num_vars": len(inputs), "names": list(inputs), "bounds": [[lo, hi] for lo, hi, _ in inputs.values()]}
    x = sobol_sample.sample(problem, n_base, calc_second_order=False, scramble=False)
    base = load_scenario(design_path, **{**overrides, "seed": seed})
    weather = scenario_weather(base, seed)
    site = site_inputs(base, weather)  # solar position, PV, calendar series: shared by every run
    rows = []
    for i, xi in enumerate(x):
        values = dict(zip(inputs, (float(v) for v in xi), strict=True))
        extra = _uncertain_overrides(base, values)
        if progress:
            progress(f"sample {i + 1}/{len(x)}")
        q = {}
        for variant, ovs in (("design", {}), ("reference", ref_all)):
            s = load_scenario(design_path, **{**overrides, **ovs, **extra, "seed": seed})
            # quantities() reads no advice: the summary without it (detail=False) is enough.
            q[variant] = quantities(simulate(s, weather=weather, site=site, timeseries=False, detail=False).summary)
        rows.append({**values, **{k: q["reference"][k] - q["design"][k] for k in QUANTITIES}})
    samples = pd.DataFrame(rows)
    idx = []
    for k in QUANTITIES:
        y = samples[k].to_numpy(float)
        if np.ptp(y) == 0.0:  # no spread: every share is zero
            res = {"S1": np.zeros(len(inputs)), "S1_conf": np.zeros(len(inputs)),
                   "ST": np.zeros(len(inputs)), "ST_conf": np.zeros(len(inputs))}
        else:
            res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        for j, name in enumerate(inputs):
            idx.append({"quantity": k, "input": name, "S1": float(res["S1"][j]), "S1_conf": float(res["S1_conf"][j]),
                        "ST": float(res["ST"][j]), "ST_conf": float(res["ST_conf"][j])})
    return SavingsUncertainty(samples, pd.DataFrame(idx), inputs)
