"""Design-option comparison: the same weather and random streams for every option, side by side.

Each option is a scenario (usually one that ``inherits`` the baseline). For every seed, the
baseline and the options run with that seed, so they share the weather year and every named
random stream (the same people, the same cars): a difference between two options is the effect
of the design, not noise. With several seeds the differences are paired by seed and reported as
percentiles (P10, P50, P90), which is how sure the project manager can be of a saving.

An option that declares an ``[investment]`` also gets its life cycle against the baseline for
each seed: NPV, IRR and simple payback of its CAPEX from the simulated year's savings
(:func:`twin.economics.life_cycle_vs_baseline`, with the scenario's ``[finance]`` parameters).

:func:`compare_climates` repeats the comparison under several climate levels (today and the TRACC
levels of :mod:`twin.climate`): each seed's weather year is morphed to each level, so a difference
between climates is the warming, not another year. It adds an overheating-risk table per zone and
per climate (RE2020 DH, hours above 28 °C, highest operative temperature, cooling need where set).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from twin.api import scenario_weather, simulate
from twin.economics import life_cycle_vs_baseline
from twin.engine import site_inputs
from twin.errors import ScenarioError, TwinError
from twin.indicators import COMPARE, LIFE_CYCLE, REGISTRY
from twin.indicators import value as indicator_value
from twin.scenario import load_scenario

__all__ = ["KPIS", "ClimateComparison", "Comparison", "compare", "compare_climates", "kpi_row", "zone_risk_rows"]

log = logging.getLogger(__name__)

#: Indicators of the comparison (twin.indicators): name -> (unit, path in summary.json, scale, better when lower).
KPIS: dict[str, tuple[str, tuple[str, ...], float, bool]] = {
    n: (REGISTRY[n].unit, REGISTRY[n].path, REGISTRY[n].scale, REGISTRY[n].lower_is_better) for n in COMPARE
}


def kpi_row(summary: dict) -> dict[str, float]:
    """The comparison's indicators of one run (NaN where a system is absent; life-cycle ones filled later)."""
    return {name: indicator_value(summary, name) for name in COMPARE}


def zone_risk_rows(summary: dict) -> list[dict]:
    """Overheating risk of every zone in one run: RE2020 DH, open hours above 26 and 28 °C, the highest
    operative temperature (all hours) and the ideal cooling need where the zone has a cooling set-point."""
    comfort = summary["comfort"]
    cooling = (comfort.get("cooling_need") or {}).get("by_zone_kwh", {})
    heatwave = (comfort.get("heatwave") or {}).get("by_zone", {})
    nan = float("nan")
    rows = []
    for zone, z in comfort["by_zone"].items():
        hw = heatwave.get(zone, {})
        rows.append({
            "zone": zone,
            "dh_re2020_c_h": comfort["re2020"]["dh_by_zone"][zone],
            "hours_above_26c": z["hours_above_26c"],
            "hours_above_28c": z["hours_above_28c"],
            "max_temp_op_c": z["max_temp_op_c"],
            "cooling_need_kwh": cooling.get(zone, nan),
            "heatwave_hours_above_28c": hw.get("hours_above_limit", nan),
            "heatwave_open_hours_above_28c": hw.get("open_hours_above_limit", nan),
            "heatwave_max_temp_op_c": hw.get("max_temp_op_c", nan),
        })
    return rows


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
    zones: pd.DataFrame = field(default_factory=pd.DataFrame)  # (scenario, seed, zone) overheating risk

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
                with np.errstate(invalid="ignore"):  # an infinite payback (no saving) has no spread
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
        lines = [f"# Design-option comparison against `{self.baseline}`", "", *self.markdown_table(summary)]
        (out / "comparison.md").write_text("\n".join(lines) + "\n")
        return [out / "runs.csv", out / "differences.csv", out / "summary.csv", out / "comparison.md"]

    def markdown_table(self, summary: pd.DataFrame | None = None) -> list[str]:
        """The comparison table of comparison.md with its preamble, as lines."""
        summary = self.summary() if summary is None else summary
        several = len(self.seeds) > 1
        lines = [
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
        return lines


def _fmt(value: float, signed: bool = False) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    sign = "+" if signed else ""
    return f"{value:{sign},.3f}" if abs(value) < 10 else f"{value:{sign},.0f}"


def compare(baseline: str | Path, options: Sequence[str | Path], seeds: Sequence[int] | None = None,
            overrides: dict | None = None, progress: Callable[[str], None] | None = None, *,
            serial: bool = False, workers: int | None = None, scheduler: str | None = None,
            progress_bar: bool = False) -> Comparison:
    """Run a baseline and its options with common random numbers.

    Each seed is one task (:func:`run_seed`: the baseline and every option with that seed, sharing
    its weather year and site inputs); the seeds run in parallel through :class:`twin.executor.Executor`
    and are assembled in seed order, so the tables are identical to a serial run.

    Parameters
    ----------
    baseline, options
        Scenario files.
    seeds
        Seeds to run every scenario with; default: the baseline's own seed.
    overrides
        Dotted-path overrides applied to every scenario (e.g. a shorter period).
    progress
        Called with a line of text before each run, when the seeds run in this process.
    serial
        Run the seeds one after another in this process. One seed (without ``scheduler``) always
        runs here: starting a cluster costs seconds.
    workers
        Local cluster: worker processes (default one per core), at most one per seed.
    scheduler
        Address of a running dask scheduler (default: a local cluster).
    progress_bar
        Show a tqdm bar (stderr) of the seeds done.

    Raises
    ------
    ScenarioError
        If two scenarios share a name, or options use another period or weather source than the
        baseline (their differences would not be paired).
    """
    overrides = dict(overrides or {})
    base, tasks = _prepare(baseline, options, seeds, overrides)
    results = _run_tasks(tasks, progress, serial, workers, scheduler, progress_bar, "compare")
    return _assemble(base.name, results)


def _prepare(baseline, options, seeds, overrides: dict) -> tuple:
    """Load and check the scenarios; one task per seed (plain data for :func:`run_seed`)."""
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
        if o.weather.heatwave != base.weather.heatwave:
            raise ScenarioError(
                f"{o.source_file}: field weather.heatwave differs from the baseline's; expected the same weather "
                "for every option"
            )
    seeds = list(seeds) if seeds else [base.seed]
    files = [str(s.source_file) for s in (base, *opts)]
    return base, [{"scenarios": files, "overrides": dict(overrides), "seed": int(seed)} for seed in seeds]


def run_seed(task: dict, progress: Callable[[str], None] | None = None) -> dict:
    """One seed of a comparison (a task, run in a worker process or here): the baseline, then each option.

    ``task`` holds ``scenarios`` (files, the baseline first), ``overrides``, ``seed`` and optionally
    ``label`` (a prefix of the ``progress`` lines, e.g. the climate level). The seed's
    weather year and its site inputs are computed once and shared by every scenario. Returns the
    rows of :data:`KPIS` (life cycle against the baseline included), the zones' overheating-risk
    rows and the baseline's caveats.
    """
    seed, overrides = task["seed"], task["overrides"]
    rows, zone_rows = [], []
    weather = site = base_summary = None
    for path in task["scenarios"]:
        s = load_scenario(path, **{**overrides, "seed": seed})
        if weather is None:  # one weather year per seed, and its site inputs, shared by every option
            weather = scenario_weather(s, seed)
            site = site_inputs(s, weather)
        if progress:
            progress(("" if task.get("label") is None else f"{task['label']}, ") + f"seed {seed}: {s.name}")
        summary = simulate(s, weather=weather, site=site).summary
        row = {"scenario": s.name, "seed": seed, **kpi_row(summary)}
        zone_rows += [{"scenario": s.name, "seed": seed, **z} for z in zone_risk_rows(summary)]
        if base_summary is None:
            base_summary = summary
        else:
            lc = life_cycle_vs_baseline(s, summary, base_summary)
            if lc is not None:
                row.update({k: lc[k] for k in LIFE_CYCLE})
        rows.append(row)
    return {"rows": rows, "zone_rows": zone_rows, "caveats": list(base_summary["meta"].get("caveats", []))}


def _run_tasks(tasks: list[dict], progress, serial: bool, workers: int | None, scheduler: str | None,
               bar: bool, desc: str) -> list[dict]:
    """Run :func:`run_seed` on every task; results in the order of ``tasks``."""
    from twin.executor import Executor, TaskFailed, check_workers, progress_bar

    workers = check_workers(workers)
    results: list[dict | None] = [None] * len(tasks)
    in_process = serial or (len(tasks) == 1 and scheduler is None)
    with progress_bar(len(tasks), bar, desc, "seed") as pbar:
        if in_process:
            for i, task in enumerate(tasks):
                results[i] = run_seed(task, progress)
                pbar.update(1)
            return results

        def on_result(i: int, result) -> None:
            if isinstance(result, TaskFailed):
                if isinstance(result.exception, TwinError):  # e.g. a scenario error raised in the worker
                    raise result.exception
                raise TwinError(f"compare: seed {tasks[i]['seed']} failed: {result.message}")
            results[i] = result

        with Executor(scheduler=scheduler, workers=workers) as ex:
            ex.map(run_seed, tasks, on_result, bar=pbar)
    return results


def _assemble(baseline: str, results: list[dict]) -> Comparison:
    """A :class:`Comparison` from the per-seed results, in seed order (as a serial run makes it)."""
    rows = [r for res in results for r in res["rows"]]
    zone_rows = [z for res in results for z in res["zone_rows"]]
    caveats = list(results[-1]["caveats"]) if results else []
    return Comparison(pd.DataFrame(rows), baseline, caveats, pd.DataFrame(zone_rows))


ZONE_RISK_COLUMNS = ("dh_re2020_c_h", "hours_above_26c", "hours_above_28c", "max_temp_op_c", "cooling_need_kwh",
                     "heatwave_hours_above_28c", "heatwave_open_hours_above_28c", "heatwave_max_temp_op_c")


@dataclass
class ClimateComparison:
    """The same comparison under several climate levels, with paired seeds (one weather year per seed,
    morphed to each level).

    Attributes
    ----------
    by_climate
        Climate level -> its :class:`Comparison`.
    """

    by_climate: dict[str, Comparison]

    @property
    def baseline(self) -> str:
        return next(iter(self.by_climate.values())).baseline

    @property
    def climates(self) -> list[str]:
        return list(self.by_climate)

    def runs(self) -> pd.DataFrame:
        return pd.concat([c.runs.assign(climate=k) for k, c in self.by_climate.items()], ignore_index=True)

    def zone_risk(self) -> pd.DataFrame:
        """One row per (climate, scenario, seed, zone): the overheating-risk indicators."""
        return pd.concat([c.zones.assign(climate=k) for k, c in self.by_climate.items()], ignore_index=True)[
            ["climate", "scenario", "seed", "zone", *ZONE_RISK_COLUMNS]]

    def save(self, out_dir: str | Path) -> list[Path]:
        """Write comparison.md (one table per climate, then the overheating risk per zone and climate),
        runs.csv, differences.csv and summary.csv (with a climate column) and overheating_by_zone.csv."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.runs().to_csv(out / "runs.csv", index=False)
        pd.concat([c.differences().assign(climate=k) for k, c in self.by_climate.items()],
                  ignore_index=True).to_csv(out / "differences.csv", index=False)
        pd.concat([c.summary().assign(climate=k) for k, c in self.by_climate.items()],
                  ignore_index=True).to_csv(out / "summary.csv", index=False)
        risk = self.zone_risk()
        risk.to_csv(out / "overheating_by_zone.csv", index=False)
        lines = [f"# Design-option comparison against `{self.baseline}` under {len(self.climates)} climates", "",
                 "Each climate level morphs the same weather year of each seed (twin.climate, TRACC; docs/weather.md): "
                 "the differences between climates are the warming alone.", ""]
        for level, comp in self.by_climate.items():
            lines += [f"## Climate `{level}`", "", *comp.markdown_table(), ""]
        lines += self.risk_markdown(risk)
        (out / "comparison.md").write_text("\n".join(lines) + "\n")
        return [out / "runs.csv", out / "differences.csv", out / "summary.csv", out / "overheating_by_zone.csv",
                out / "comparison.md"]

    def risk_markdown(self, risk: pd.DataFrame | None = None) -> list[str]:
        """The overheating-risk section: per scenario, one row per zone and one column per climate."""
        risk = self.zone_risk() if risk is None else risk
        several = risk["seed"].nunique() > 1
        med = risk.groupby(["scenario", "zone", "climate"], sort=False)[list(ZONE_RISK_COLUMNS)].median()
        lines = [
            "## Overheating risk per zone and climate",
            "",
            "Each cell: RE2020 DH (°C·h, open hours in the adaptive period; DH_max of category-1 offices 1,150, "
            "low threshold 350) / open hours with an operative temperature above 28 °C / highest operative "
            "temperature of the year (°C, all hours)" + (" — medians over the seeds" if several else "") + ". "
            "Free running, no cooling (DH of a zone with a cooling set-point is that of its cooled temperatures).",
            "",
        ]
        climates = self.climates
        for scenario in risk["scenario"].unique():
            lines += [f"### `{scenario}`", "", "| zone | " + " | ".join(climates) + " |",
                      "|---|" + "---:|" * len(climates)]
            zones = risk[risk["scenario"] == scenario]["zone"].unique()
            for zone in zones:
                cells = []
                for level in climates:
                    r = med.loc[(scenario, zone, level)]
                    cells.append(f"{r['dh_re2020_c_h']:,.0f} / {r['hours_above_28c']:,.0f} h / {r['max_temp_op_c']:.1f}")
                lines.append(f"| {zone} | " + " | ".join(cells) + " |")
            cool = med.loc[scenario]["cooling_need_kwh"]
            if np.isfinite(cool.to_numpy(dtype=float)).any():
                lines += ["", f"Ideal cooling need of `{scenario}` (kWh per year; no chiller, an indicator):", "",
                          "| zone | " + " | ".join(climates) + " |", "|---|" + "---:|" * len(climates)]
                for zone in zones:
                    lines.append(f"| {zone} | " + " | ".join(_fmt(cool.loc[(zone, level)]) for level in climates) + " |")
            hw = med.loc[scenario][["heatwave_hours_above_28c", "heatwave_open_hours_above_28c", "heatwave_max_temp_op_c"]]
            if np.isfinite(hw.to_numpy(dtype=float)).any():
                lines += ["", f"Heatwave resilience of `{scenario}` (the weather.heatwave days): hours above 28 °C "
                          "(open hours in brackets) / highest operative temperature (°C):", "",
                          "| zone | " + " | ".join(climates) + " |", "|---|" + "---:|" * len(climates)]
                for zone in zones:
                    cells = []
                    for level in climates:
                        r = hw.loc[(zone, level)]
                        cells.append(f"{r['heatwave_hours_above_28c']:,.0f} ({r['heatwave_open_hours_above_28c']:,.0f}) / "
                                     f"{r['heatwave_max_temp_op_c']:.1f}")
                    lines.append(f"| {zone} | " + " | ".join(cells) + " |")
            lines.append("")
        return lines


def compare_climates(baseline: str | Path, options: Sequence[str | Path], climates: Sequence[str],
                     seeds: Sequence[int] | None = None, overrides: dict | None = None,
                     progress: Callable[[str], None] | None = None, *, serial: bool = False,
                     workers: int | None = None, scheduler: str | None = None,
                     progress_bar: bool = False) -> ClimateComparison:
    """:func:`compare` under each climate level (``weather.climate`` set for every scenario), same seeds.

    Every (climate, seed) pair is one task, all run in parallel on one executor (see :func:`compare`
    for ``serial``, ``workers``, ``scheduler``, ``progress_bar``); ``progress`` lines start with the level.

    Raises
    ------
    ScenarioError
        An unknown or repeated climate level, or :func:`compare`'s own errors.
    """
    from twin.climate import CLIMATE_LEVELS

    levels = list(climates)
    bad = [c for c in levels if c not in CLIMATE_LEVELS]
    if bad or not levels or len(set(levels)) != len(levels):
        raise ScenarioError(f"compare: climates {levels}: expected distinct levels among {', '.join(CLIMATE_LEVELS)}")
    prepared = {level: _prepare(baseline, options, seeds, {**(overrides or {}), "weather.climate": level})
                for level in levels}
    tasks = [{**t, "label": level} for level, (_base, level_tasks) in prepared.items() for t in level_tasks]
    results = _run_tasks(tasks, progress, serial, workers, scheduler, progress_bar, "compare")
    out, k = {}, 0
    for level, (base, level_tasks) in prepared.items():
        out[level] = _assemble(base.name, results[k:k + len(level_tasks)])
        k += len(level_tasks)
    return ClimateComparison(out)
