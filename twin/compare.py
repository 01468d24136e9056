"""Design-option comparison: the same weather and random streams for every option, side by side.

Each option is a scenario (usually one that ``inherits`` the baseline). For every seed, the
baseline and the options run with that seed, so they share the weather year and every named
random stream (the same people, the same cars): a difference between two options is the effect
of the design, not noise. With several seeds the differences are paired by seed and reported as
percentiles (P10, P50, P90), which is how sure the project manager can be of a saving.

An option that declares an ``[investment]`` also gets its life cycle against the baseline for
each seed: NPV, IRR and simple payback of its CAPEX from the simulated year's savings
(:func:`twin.economics.life_cycle_vs_baseline`, with the scenario's ``[finance]`` parameters).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from twin.api import simulate
from twin.economics import life_cycle_vs_baseline
from twin.errors import ScenarioError
from twin.scenario import load_scenario
from twin.weather import load_weather

__all__ = ["KPIS", "Comparison", "compare", "kpi_row"]

log = logging.getLogger(__name__)

#: Indicators of the comparison: name -> (unit, path in summary.json, scale, better when lower).
KPIS: dict[str, tuple[str, tuple[str, ...], float, bool]] = {
    "district_heat_mwh": ("MWh", ("heat", "district_heat_kwh"), 1e-3, True),
    "heat_recovered_mwh": ("MWh", ("heat", "heat_recovered_kwh"), 1e-3, False),
    "unmet_hours": ("h", ("heat", "unmet_hours"), 1.0, True),
    "electricity_demand_mwh": ("MWh", ("electricity", "demand_kwh"), 1e-3, True),
    "grid_import_mwh": ("MWh", ("electricity", "grid_import_kwh"), 1e-3, True),
    "pv_exported_mwh": ("MWh", ("electricity", "pv_exported_kwh"), 1e-3, False),
    "self_consumption": ("-", ("electricity", "self_consumption_ratio"), 1.0, False),
    "ev_pv_share": ("-", ("electricity", "ev", "pv_share"), 1.0, False),
    "mains_water_m3": ("m3", ("water", "mains_m3"), 1.0, True),
    "rain_coverage": ("-", ("water", "rain_coverage_ratio"), 1.0, False),
    "degree_hours_above_26c": ("°C·h", ("comfort", "degree_hours_above_comfort"), 1.0, True),
    "cold_hours_operative": ("h", ("comfort", "hours_cold_operative"), 1.0, True),
    "co2_hours_above_1000ppm": ("h", ("comfort", "co2_hours_above_1000ppm"), 1.0, True),
    "operating_cost_eur": ("EUR", ("cost_eur", "total"), 1.0, True),
    "pv_revenue_eur": ("EUR", ("revenue_eur", "pv_export"), 1.0, False),
    "net_cost_eur": ("EUR", (), 1.0, True),
    "co2_t": ("t", ("co2_kg", "total"), 1e-3, True),
    # Life cycle of the option's investment against the baseline (absolute, not differenced):
    "capex_eur": ("EUR", (), 1.0, True),
    "npv_eur": ("EUR", (), 1.0, False),
    "irr": ("-", (), 1.0, False),
    "simple_payback_years": ("yr", (), 1.0, True),
}
LIFE_CYCLE = ("capex_eur", "npv_eur", "irr", "simple_payback_years")


def _get(summary: dict, path: tuple[str, ...]):
    node = summary
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def kpi_row(summary: dict) -> dict[str, float]:
    """The comparison's indicators of one run (NaN where a system is absent)."""
    row = {}
    for name, (_unit, path, scale, _lower) in KPIS.items():
        if name in LIFE_CYCLE:
            row[name] = float("nan")
            continue
        if name == "net_cost_eur":
            revenue = summary["revenue_eur"]["pv_export"] or 0.0
            row[name] = summary["cost_eur"]["total"] - revenue
            continue
        value = _get(summary, path)
        row[name] = float("nan") if value is None else float(value) * scale
    return row


@dataclass
class Comparison:
    """Per-run indicators and the paired differences against the baseline.

    Attributes
    ----------
    runs
        One row per (option, seed): the indicators of :data:`KPIS`.
    baseline
        Name of the baseline scenario.
    caveats
        What the reader must know about the period (e.g. not a year: costs are period totals and the
        life-cycle figures annualise it), from :func:`twin.economics.period_caveats`.
    """

    runs: pd.DataFrame
    baseline: str
    caveats: list[str] = field(default_factory=list)

    @property
    def seeds(self) -> list[int]:
        return [int(v) for v in sorted(self.runs["seed"].unique())]

    @property
    def options(self) -> list[str]:
        return [n for n in self.runs["scenario"].unique() if n != self.baseline]

    def differences(self) -> pd.DataFrame:
        """Option minus baseline for every seed (paired), one row per (option, seed)."""
        base = self.runs[self.runs["scenario"] == self.baseline].set_index("seed")[list(KPIS)]
        rows = []
        for name, group in self.runs.groupby("scenario", sort=False):
            own = group.set_index("seed")[list(KPIS)]
            diff = own - base
            diff[list(LIFE_CYCLE)] = own[list(LIFE_CYCLE)]  # already relative to the baseline
            rows.append(diff.assign(scenario=name).reset_index())
        return pd.concat(rows, ignore_index=True)

    def summary(self) -> pd.DataFrame:
        """One row per (indicator, scenario): the median value and the P10/P50/P90 of the difference."""
        diffs = self.differences()
        rows = []
        for name in self.runs["scenario"].unique():
            values = self.runs[self.runs["scenario"] == name]
            d = diffs[diffs["scenario"] == name]
            for kpi in KPIS:
                rows.append({
                    "indicator": kpi, "unit": KPIS[kpi][0], "scenario": name,
                    "value_p50": values[kpi].median(),
                    "diff_p10": d[kpi].quantile(0.1), "diff_p50": d[kpi].median(), "diff_p90": d[kpi].quantile(0.9),
                })
        return pd.DataFrame(rows)

    def save(self, out_dir: str | Path) -> list[Path]:
        """Write runs.csv, differences.csv, summary.csv and comparison.md into ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.runs.to_csv(out / "runs.csv", index=False)
        self.differences().to_csv(out / "differences.csv", index=False)
        summary = self.summary()
        summary.to_csv(out / "summary.csv", index=False)
        several = len(self.seeds) > 1
        lines = [
            f"# Design-option comparison against `{self.baseline}`",
            "",
            f"Seeds {self.seeds}: every scenario ran with the same weather year and random streams per seed. "
            f"The `{self.baseline}` column gives its values"
            + (" (median over seeds)" if several else "")
            + "; each option's column gives option minus baseline, paired by seed"
            + (", as P50 [P10, P90] over the seeds." if several else "."),
            "",
            *(f"**Caveat:** {c}." for c in self.caveats),
            *([""] if self.caveats else []),
            f"| indicator | unit | {self.baseline} | " + " | ".join(self.options) + " |",
            "|---|---|---:|" + "---:|" * len(self.options),
        ]
        for kpi, (unit, *_rest) in KPIS.items():
            rows = summary[summary["indicator"] == kpi].set_index("scenario")
            cells = [_fmt(rows.loc[self.baseline, "value_p50"])]
            for name in self.options:
                r = rows.loc[name]
                cell = _fmt(r["diff_p50"], signed=True)
                if several and np.isfinite(r["diff_p50"]):
                    cell += f" [{_fmt(r['diff_p10'], signed=True)}, {_fmt(r['diff_p90'], signed=True)}]"
                cells.append(cell)
            lines.append(f"| {kpi} | {unit} | " + " | ".join(cells) + " |")
        (out / "comparison.md").write_text("\n".join(lines) + "\n")
        return [out / "runs.csv", out / "differences.csv", out / "summary.csv", out / "comparison.md"]


def _fmt(value: float, signed: bool = False) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    sign = "+" if signed else ""
    return f"{value:{sign},.3f}" if abs(value) < 10 else f"{value:{sign},.0f}"


def compare(baseline: str | Path, options: Sequence[str | Path], seeds: Sequence[int] | None = None,
            overrides: dict | None = None, progress: Callable[[str], None] | None = None) -> Comparison:
    """Run a baseline and its options with common random numbers.

    Parameters
    ----------
    baseline, options
        Scenario files.
    seeds
        Seeds to run every scenario with; default: the baseline's own seed.
    overrides
        Dotted-path overrides applied to every scenario (e.g. a shorter period).
    progress
        Called with a line of text before each run.

    Raises
    ------
    ScenarioError
        If two scenarios share a name, or options use another period or weather source than the
        baseline (their differences would not be paired).
    """
    overrides = dict(overrides or {})
    base = load_scenario(baseline, **overrides)
    opts = [load_scenario(p, **overrides) for p in options]
    names = [base.name, *(o.name for o in opts)]
    if len(set(names)) != len(names):
        raise ScenarioError(f"compare: scenario names must differ; got {names}")
    for o in opts:
        if o.period != base.period or o.weather.source != base.weather.source:
            raise ScenarioError(
                f"{o.source_file}: period or weather source differ from the baseline's; a comparison needs "
                "the same year for every option"
            )
        if o.weather.climate != base.weather.climate:
            raise ScenarioError(
                f"{o.source_file}: field weather.climate is {o.weather.climate!r} but the baseline's is "
                f"{base.weather.climate!r}; expected the same climate for every option (set it for all with "
                "--set weather.climate=LEVEL)"
            )
    seeds = list(seeds) if seeds else [base.seed]
    rows = []
    for seed in seeds:
        weather = None
        base_summary = None
        for scenario in (base, *opts):
            s = load_scenario(scenario.source_file, **{**overrides, "seed": seed})
            if weather is None:  # one weather year per seed, shared by every option
                ws = s.weather
                loc = s.asset.building.location
                weather = load_weather(ws.source, year=s.period.start.year, seed=seed if ws.seed is None else ws.seed,
                                       latitude=loc.latitude_deg, longitude=loc.longitude_deg,
                                       altitude_m=loc.altitude_m, tz_offset_h=loc.standard_utc_offset_h,
                                       climate=ws.climate)
            if progress:
                progress(f"seed {seed}: {s.name}")
            summary = simulate(s, weather=weather).summary
            row = {"scenario": s.name, "seed": seed, **kpi_row(summary)}
            if base_summary is None:
                base_summary = summary
            else:
                lc = life_cycle_vs_baseline(s, summary, base_summary)
                if lc is not None:
                    row.update({k: lc[k] for k in LIFE_CYCLE})
            rows.append(row)
    caveats = list(base_summary["meta"].get("caveats", [])) if base_summary is not None else []
    return Comparison(pd.DataFrame(rows), base.name, caveats)
