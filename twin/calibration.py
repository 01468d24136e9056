"""Calibration of the twin against meters, and IPMVP Option D savings (twin mode, docs/twin-mode.md).

:func:`calibrate` fits a few uncertain parameters (dotted paths with bounds, set or multiplied) so
that the twin's hourly, daily or monthly sums match the meters, by minimising the (weighted) mean
CV(RMSE) of ASHRAE Guideline 14-2014 over the chosen meters with ``scipy.optimize.minimize``
(Powell, bounded, on parameters scaled to [0, 1]). The meter file is read and checked before the
first run; weather is loaded once and the occupancy realisation simulated once when no fitted path
can change it. Every evaluation is appended to ``evaluations.jsonl`` as it completes and reused if
the same calibration is started again, so an interrupted calibration loses nothing. The result is a
new scenario that ``inherits`` the original with the fitted values under ``[overrides]``, and a fit
report (``calibration.json``, ``calibration.md``).

:func:`verify_savings` applies IPMVP Option D (calibrated simulation): avoided consumption =
calibrated baseline run under the reporting period's conditions (weather, period, same seed)
minus the reporting-period consumption (the meters if given, else the measure scenario's run).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twin.errors import ScenarioError, TwinError
from twin.metering import (
    METERS,
    THRESHOLDS,
    MeterData,
    check_overlap,
    compare_to_meters,
    cvrmse,
    nmbe,
    read_meters,
)

__all__ = [
    "CalibrationParameter", "CalibrationResult", "calibrate", "register_cli", "verify_savings",
    "write_calibrated_scenario",
]

#: Path prefixes that may change the occupancy realisation (people, calendar, period, seed,
#: weather, site, profiles): when a fitted path starts with one, occupancy is simulated per run.
OCCUPANCY_PREFIXES = ("occupancy", "calendar", "period", "seed", "weather", "building", "profiles")
#: Zone fields that never change occupancy (zones.<name>.<field>...).
ZONE_FIELDS_WITHOUT_PEOPLE = ("ventilation", "heating", "wall_area_m2", "window_area_m2", "roof_area_m2",
                              "ground_floor_area_m2", "window_shading_factor", "height_m")


@dataclass
class CalibrationParameter:
    """One fitted input.

    ``path``: a dotted path; ``*`` stands for every entry of a named list (``zones.*.ventilation.
    infiltration_ach``: every zone). ``mode``: ``set`` (the value itself) or ``factor`` (multiplies the
    base value(s), so one factor scales every zone). ``lower``/``upper``: bounds; ``start``: the first
    guess (default: the base value for ``set``, 1 for ``factor``).
    """

    path: str
    lower: float
    upper: float
    mode: str = "set"
    start: float | None = None
    name: str = ""

    def __post_init__(self):
        if not self.name:
            self.name = self.path if self.mode == "set" else f"{self.path} (factor)"
        if self.mode not in ("set", "factor"):
            raise ScenarioError(f"parameter {self.name}: mode '{self.mode}': expected set or factor")
        if not (math.isfinite(self.lower) and math.isfinite(self.upper) and self.lower < self.upper):
            raise ScenarioError(f"parameter {self.name}: bounds [{self.lower}, {self.upper}]: expected lower < upper")
        if self.start is not None and not self.lower <= self.start <= self.upper:
            raise ScenarioError(f"parameter {self.name}: start {self.start} outside [{self.lower}, {self.upper}]")

    def paths(self, scenario) -> list[str]:
        """The dotted paths this parameter sets, with ``*`` expanded over the named entries."""
        from twin.dotted import scenario_value

        if "*" not in self.path.split("."):
            scenario_value(scenario, self.path)  # raises a one-line error if the path does not exist
            return [self.path]
        keys = self.path.split(".")
        k = keys.index("*")
        prefix = ".".join(keys[:k])
        node = scenario_value(scenario, prefix)
        if not isinstance(node, list):
            raise ScenarioError(f"parameter {self.name}: '{prefix}' is not a list of named entries")
        out = [".".join([*keys[:k], item["name"], *keys[k + 1:]]) for item in node]
        return [p for q in out for p in CalibrationParameter(q, self.lower, self.upper, self.mode).paths(scenario)]

    def base_start(self, scenario) -> float:
        from twin.dotted import scenario_value

        if self.start is not None:
            return float(self.start)
        if self.mode == "factor":
            return 1.0
        value = scenario_value(scenario, self.paths(scenario)[0])
        return float(min(max(float(value), self.lower), self.upper))

    def overrides(self, scenario, value: float) -> dict[str, Any]:
        """Dotted-path overrides for a value of this parameter."""
        from twin.dotted import scenario_value

        out = {}
        for path in self.paths(scenario):
            if self.mode == "set":
                out[path] = float(value)
                continue
            base = scenario_value(scenario, path)
            if isinstance(base, list):
                out[path] = [float(b) * value for b in base]
            elif isinstance(base, int | float) and not isinstance(base, bool):
                out[path] = float(base) * value
            else:
                raise ScenarioError(f"parameter {self.name}: '{path}' = {base!r}: a factor needs a number")
        return out

    def touches_occupancy(self) -> bool:
        keys = self.path.split(".")
        if keys[0] == "zones":
            return len(keys) < 3 or keys[2] not in ZONE_FIELDS_WITHOUT_PEOPLE
        return self.path.startswith(OCCUPANCY_PREFIXES)


@dataclass
class CalibrationResult:
    """Fitted values, metrics before and after, and where the files went."""

    parameters: list[CalibrationParameter]
    start: dict[str, float]
    fitted: dict[str, float]
    metrics_before: pd.DataFrame
    metrics_after: pd.DataFrame
    objective_before: float
    objective_after: float
    evaluations: int
    reused_evaluations: int
    runtime_s: float
    message: str
    scenario_file: Path | None = None
    report_files: list[Path] = field(default_factory=list)
    overrides: dict[str, Any] = field(default_factory=dict)
    method: str = "least_squares"
    stderr: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.metrics_after["pass"].all())


class _Evaluator:
    """Runs the twin for parameter values; shares weather/occupancy; logs each run as it completes."""

    def __init__(self, scenario_path: Path, overrides: dict, params: list[CalibrationParameter],
                 meters: MeterData, which: list[str], resolution: str, weights: dict[str, float],
                 p: int, log_path: Path | None):
        from twin.engine import occupancy_for, period_times
        from twin.scenario import load_scenario
        from twin.weather import load_weather

        self.scenario_path, self.overrides, self.params = scenario_path, dict(overrides), params
        self.meters, self.which, self.resolution, self.weights, self.p = meters, which, resolution, weights, p
        self.base = load_scenario(scenario_path, **self.overrides)
        ws, loc = self.base.weather, self.base.asset.building.location
        self.weather = load_weather(ws.source, year=self.base.period.start.year,
                                    seed=self.base.seed if ws.seed is None else ws.seed,
                                    latitude=loc.latitude_deg, longitude=loc.longitude_deg,
                                    altitude_m=loc.altitude_m, tz_offset_h=loc.standard_utc_offset_h,
                                    climate=ws.climate)
        self.occupancy = None
        if not any(q.touches_occupancy() for q in params):
            tz = dt.timezone(dt.timedelta(hours=self.weather.tz_offset_h))
            self.occupancy = occupancy_for(self.base.asset, self.base, period_times(self.base, tz)[2])
        self.log_path = log_path
        self.cache: dict[tuple, dict] = {}
        self.prefetched: set[tuple] = set()
        self.computed = 0
        self.reused = 0
        self.key = self._key()
        if log_path is not None and log_path.is_file():
            for line in log_path.read_text().splitlines():
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut by an interruption
                if rec.get("key") == self.key and "residuals" in rec:
                    self.cache[self._rounded(rec["values"])] = rec

    def _key(self) -> str:
        doc = {"scenario": str(self.scenario_path.resolve()), "overrides": self.overrides,
               "params": [vars(q) for q in self.params], "meters": hashlib.sha256(Path(self.meters.source).read_bytes()).hexdigest()
               if Path(self.meters.source).is_file() else self.meters.source,
               "which": self.which, "resolution": self.resolution, "weights": self.weights, "p": self.p}
        return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:16]

    @staticmethod
    def _rounded(values) -> tuple:
        return tuple(round(float(v), 10) for v in values)

    def scenario(self, values):
        from twin.scenario import load_scenario

        extra = {}
        for q, v in zip(self.params, values, strict=True):
            extra.update(q.overrides(self.base, v))
        return load_scenario(self.scenario_path, **{**self.overrides, **extra}), extra

    def run(self, values):
        from twin.api import simulate

        scenario, _ = self.scenario(values)
        return simulate(scenario, weather=self.weather, occupancy=self.occupancy)

    def metrics(self, values) -> pd.DataFrame:
        return compare_to_meters(self.run(values), self.meters, self.resolution, self.p, self.which)

    def evaluate(self, values) -> dict:
        """One run's record: objective, CV(RMSE) and NMBE per meter, scaled residuals (cached, logged)."""
        key = self._rounded(values)
        if key in self.cache:
            if key in self.prefetched:  # computed by evaluate_many for this very call: not a reuse
                self.prefetched.discard(key)
            else:
                self.reused += 1
            return self.cache[key]
        return self.store(values, self.compute(values))

    def evaluate_many(self, points, executor) -> None:
        """Compute the records of the ``points`` not yet known, in parallel on ``executor``.

        Each completed run is stored and logged as it comes back (an interruption keeps it); the
        caller then reads them with :meth:`evaluate` (not counted as reused).
        """
        todo, seen = [], set()
        for values in points:
            key = self._rounded(values)
            if key not in self.cache and key not in seen:
                seen.add(key)
                todo.append([float(v) for v in values])
        if not todo:
            return
        from twin.executor import TaskFailed

        context = {"scenario_path": str(self.scenario_path), "overrides": self.overrides, "params": self.params,
                   "meters": self.meters, "which": self.which, "resolution": self.resolution,
                   "weights": self.weights, "p": self.p, "key": self.key}
        tasks = [{"context": context, "values": values} for values in todo]

        def on_result(i: int, rec) -> None:
            if isinstance(rec, TaskFailed):
                if isinstance(rec.exception, TwinError):
                    raise rec.exception
                raise TwinError(f"calibrate: the run at {todo[i]} failed: {rec.message}")
            self.store(todo[i], {**rec, "key": self.key})  # the driver's key, under which a resume finds it
            self.prefetched.add(self._rounded(todo[i]))

        executor.map(evaluate_task, tasks, on_result)

    def store(self, values, rec: dict) -> dict:
        """Keep ``rec`` (the record of ``values``) in the cache and append it to the log."""
        self.cache[self._rounded(values)] = rec
        self.computed += 1
        if self.log_path is not None:
            with self.log_path.open("a") as fh:
                fh.write(json.dumps(rec) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        return rec

    def compute(self, values) -> dict:
        """Run the twin at ``values`` and score it against the meters (no cache, no log)."""
        from twin.metering import aligned

        pairs = aligned(self.run(values), self.meters, self.resolution, self.which)
        total = sum(self.weights[m] for m in self.which)
        residuals, cv, bias = [], {}, {}
        for m in self.which:
            both = pairs[m]
            meas, sim = both["measured"].to_numpy(), both["simulated"].to_numpy()
            n, mean = len(meas), float(meas.mean()) if len(meas) else 0.0
            if n <= self.p or mean <= 0:
                cv[m] = bias[m] = math.nan
                continue
            cv[m] = cvrmse(meas, sim, self.p)
            bias[m] = nmbe(meas, sim, self.p)
            # Σ r² = Σ_m (w_m / Σw) · CV(RMSE)_m² / 100²: least squares minimises the weighted CV(RMSE)²
            residuals.append((meas - sim) / (mean * math.sqrt(n - self.p)) * math.sqrt(self.weights[m] / total))
        obj = float(sum(self.weights[m] * cv[m] for m in self.which) / total)
        if not math.isfinite(obj):
            obj = 1e6
        return {"key": self.key, "values": [float(v) for v in values], "objective": obj, "cvrmse_pct": cv,
                "nmbe_pct": bias, "residuals": np.concatenate(residuals).tolist() if residuals else []}

    def objective(self, values) -> float:
        return self.evaluate(values)["objective"]

    def residuals(self, values) -> np.ndarray:
        return np.asarray(self.evaluate(values)["residuals"], dtype=float)


#: Evaluators of this worker process, by calibration key: weather and occupancy built once per process.
_WORKER_EVALUATORS: dict[str, _Evaluator] = {}


def evaluate_task(task: dict) -> dict:
    """One evaluation of a calibration in a worker process (a task of :meth:`_Evaluator.evaluate_many`).

    ``task["context"]`` holds what the driver's evaluator was built from (scenario, overrides,
    parameters, meters, resolution, weights, p and its ``key``); the evaluator is rebuilt once per
    process and calibration, without a log. Returns the record of ``task["values"]``.
    """
    c = task["context"]
    ev = _WORKER_EVALUATORS.get(c["key"])
    if ev is None:
        _WORKER_EVALUATORS.clear()  # one calibration at a time: keep one weather year in memory
        ev = _WORKER_EVALUATORS[c["key"]] = _Evaluator(
            Path(c["scenario_path"]), c["overrides"], c["params"], c["meters"], c["which"], c["resolution"],
            c["weights"], c["p"], None)
    return ev.compute(task["values"])


def calibrate(scenario: str | Path, meters: str | Path | MeterData, parameters: list[CalibrationParameter], *,
              overrides: dict | None = None, resolution: str = "hourly", which: list[str] | None = None,
              weights: dict[str, float] | None = None, p: int = 1, method: str = "least_squares",
              max_evaluations: int = 80, xtol: float = 1e-4, out_dir: str | Path | None = None, name: str | None = None,
              workers: int | None = 1, scheduler: str | None = None) -> CalibrationResult:
    """Fit ``parameters`` of ``scenario`` to the meters (module docstring).

    What runs in parallel: the optimisers are sequential (each step needs the previous result), so
    only independent runs are spread over processes. ``least_squares`` estimates its Jacobian by
    forward differences, one run per parameter at the current point: these runs go to the
    executor together (scipy's ``workers`` map), at every iteration including the first. Powell's
    line searches are strictly sequential: with ``method="powell"`` everything runs here. The
    points, hence the fitted values, are those of the serial path: only the wall time changes.

    Parameters
    ----------
    scenario
        Scenario file to calibrate.
    meters
        A meter CSV (read and checked first, before any run) or :class:`~twin.metering.MeterData`.
    parameters
        The fitted inputs with their bounds.
    overrides
        Dotted-path overrides of every run (e.g. ``period.start``/``period.end`` to the metered
        period, ``weather.source`` to a measured-weather file). Not written to the calibrated file.
    resolution
        ``hourly``, ``daily`` or ``monthly`` sums compared.
    which, weights
        Meters fitted (default: those of the file) and their weights in the objective (default 1).
    p
        Parameters in the n − p of the Guideline 14 statistics (1 by default, as in the acceptance check).
    method
        ``least_squares`` (default: ``scipy.optimize.least_squares``, trust-region reflective within the
        bounds, on the residuals scaled so that their sum of squares is the weighted sum of CV(RMSE)²;
        gives standard errors of the parameters) or ``powell`` (``scipy.optimize.minimize``, bounded
        Powell, on the weighted mean CV(RMSE) itself; no derivatives, more runs).
    max_evaluations
        Budget of optimiser calls (a finite-difference Jacobian costs one run per parameter).
    out_dir
        Where to write ``evaluations.jsonl``, the calibrated scenario and the report (nothing if None).
    workers
        Worker processes for the Jacobian's runs (1, the default: everything in this process; None:
        one per core). At most one per parameter is ever busy.
    scheduler
        Address of a running dask scheduler for those runs instead of a local cluster.

    Raises
    ------
    TwinError
        Bad meter file, parameter or scenario, meters not covering the period, a run that fails.
    """
    from scipy.optimize import least_squares, minimize

    t0 = time.perf_counter()
    data = meters if isinstance(meters, MeterData) else read_meters(meters)
    which = list(which or data.meters)
    for m in which:
        if m not in data.series:
            raise TwinError(f"{data.source}: no readings of meter '{m}' to calibrate on; the file has "
                            f"{', '.join(data.meters)}")
    weights = {m: float((weights or {}).get(m, 1.0)) for m in which}
    if not parameters:
        raise TwinError("calibrate: no parameters to fit")
    scenario_path = Path(scenario)
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    ev = _Evaluator(scenario_path, overrides or {}, parameters, data, which, resolution, weights, p,
                    out / "evaluations.jsonl" if out is not None else None)
    lo = np.array([q.lower for q in parameters])
    hi = np.array([q.upper for q in parameters])
    x0 = np.array([q.base_start(ev.base) for q in parameters])
    check_overlap(data, ev.base, which)  # before the first run
    before = ev.metrics(x0)
    if (before["n"] <= p).any():
        bad = before.loc[before["n"] <= p, "meter"].tolist()
        raise TwinError(f"{data.source}: meter(s) {', '.join(bad)} cover no complete {resolution} period of the "
                        f"run ({ev.base.period.start} to {ev.base.period.end}); set the period to the metered one")

    def to_x(u):
        return lo + np.clip(u, 0.0, 1.0) * (hi - lo)

    u0 = (x0 - lo) / (hi - lo)
    obj0 = ev.objective(x0)
    stderr = {q.name: math.nan for q in parameters}
    if method == "least_squares":
        with _jacobian_map(ev, to_x, workers, scheduler, len(parameters), out) as extra:
            res = least_squares(lambda u: ev.residuals(to_x(u)), u0, bounds=(0.0, 1.0), diff_step=1e-3,
                                xtol=xtol, max_nfev=max_evaluations, **extra)
        x = to_x(res.x)
        # Standard errors from the Jacobian at the optimum: cov = s² (JᵀJ)⁻¹, s² = SSR / (N − k).
        n_res, k = len(res.fun), len(parameters)
        if n_res > k:
            try:
                cov = np.linalg.inv(res.jac.T @ res.jac) * float(res.fun @ res.fun) / (n_res - k)
                se = np.sqrt(np.clip(np.diag(cov), 0.0, None)) * (hi - lo)
                stderr = {q.name: float(v) for q, v in zip(parameters, se, strict=True)}
            except np.linalg.LinAlgError:
                pass
    elif method == "powell":
        res = minimize(lambda u: ev.objective(to_x(u)), u0, method="Powell", bounds=[(0.0, 1.0)] * len(parameters),
                       options={"maxfev": max_evaluations, "xtol": xtol, "ftol": 1e-6})
        x = to_x(res.x)
    else:
        raise TwinError(f"calibrate: method '{method}': expected least_squares or powell")
    after = ev.metrics(x)
    obj1 = ev.objective(x)
    fitted = {q.name: float(v) for q, v in zip(parameters, x, strict=True)}
    _, fitted_overrides = ev.scenario(x)
    result = CalibrationResult(
        parameters=parameters, start={q.name: float(v) for q, v in zip(parameters, x0, strict=True)},
        fitted=fitted, metrics_before=before, metrics_after=after, objective_before=obj0,
        objective_after=obj1, evaluations=ev.computed, reused_evaluations=ev.reused,
        runtime_s=time.perf_counter() - t0, message=str(res.message), overrides=fitted_overrides,
        method=method, stderr=stderr,
    )
    if out is not None:
        name = name or f"{ev.base.name}-calibrated"
        result.scenario_file = write_calibrated_scenario(scenario_path, out / f"{name}.toml", fitted_overrides, name=name,
                                                         description=f"{ev.base.name} calibrated on {Path(data.source).name} "
                                                                     f"({resolution}, ASHRAE Guideline 14)")
        result.report_files = _write_report(result, out, scenario_path, data, resolution, which, weights)
    return result


@contextmanager
def _jacobian_map(ev: _Evaluator, to_x, workers: int | None, scheduler: str | None, n_params: int,
                  out: Path | None) -> Iterator[dict]:
    """``least_squares`` keywords: none in this process, else ``workers``, a map that runs the points
    of a finite-difference Jacobian on an executor first (the map itself then reads them back)."""
    from twin.executor import Executor, check_workers

    workers = check_workers(workers)
    if scheduler is None and (workers == 1 or n_params == 1):  # nothing would run side by side
        yield {}
        return
    scratch = out / "dask-scratch" if out is not None else None
    with Executor(scheduler=scheduler, workers=workers, scratch=scratch, max_workers=n_params) as ex:
        def parallel_map(f, points):
            points = list(points)
            ev.evaluate_many([to_x(u) for u in points], ex)
            return [f(u) for u in points]

        yield {"workers": parallel_map}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)


def write_calibrated_scenario(original: str | Path, path: str | Path, overrides: dict[str, Any],
                              name: str, description: str = "") -> Path:
    """Write a scenario that ``inherits`` ``original`` (path relative to the new file) with ``[overrides]``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rel = os.path.relpath(Path(original).resolve(), path.parent.resolve())
    lines = [
        f"# Calibrated by twin calibrate on {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"inherits = {json.dumps(Path(rel).as_posix())}",
        f"name = {json.dumps(name)}",
        f"description = {json.dumps(description, ensure_ascii=False)}",
        "",
        "[overrides]",
        *(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in overrides.items()),
    ]
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text("\n".join(lines) + "\n")
    os.replace(tmp, path)
    return path


def _md_metrics(table: pd.DataFrame) -> list[str]:
    lines = ["| meter | n | metered | twin | NMBE % | CV(RMSE) % | limits | pass |", "|---|---:|---:|---:|---:|---:|---|---|"]
    for _, r in table.iterrows():
        lines.append(f"| {r['meter']} | {r['n']} | {r['measured']:,.1f} {r['unit']} | {r['simulated']:,.1f} | "
                     f"{r['nmbe_pct']:+.2f} | {r['cvrmse_pct']:.2f} | ±{r['nmbe_limit_pct']:g} / "
                     f"{r['cvrmse_limit_pct']:g} | {'yes' if r['pass'] else 'no'} |")
    return lines


def _write_report(result: CalibrationResult, out: Path, scenario: Path, data: MeterData, resolution: str,
                  which: list[str], weights: dict[str, float]) -> list[Path]:
    doc = {
        "scenario": str(scenario), "meters": data.source, "resolution": resolution, "meters_fitted": which,
        "weights": weights, "method": result.method + " (scipy.optimize) on [0, 1]-scaled parameters",
        "objective": "weighted mean CV(RMSE) [%] (ASHRAE Guideline 14-2014)",
        "thresholds_pct": {"nmbe": THRESHOLDS[resolution][0], "cvrmse": THRESHOLDS[resolution][1]},
        "parameters": [{"name": q.name, "path": q.path, "mode": q.mode, "lower": q.lower, "upper": q.upper,
                        "before": result.start[q.name], "after": result.fitted[q.name],
                        "standard_error": result.stderr.get(q.name)} for q in result.parameters],
        "objective_before": result.objective_before, "objective_after": result.objective_after,
        "metrics_before": result.metrics_before.to_dict(orient="records"),
        "metrics_after": result.metrics_after.to_dict(orient="records"),
        "evaluations": result.evaluations, "reused_evaluations": result.reused_evaluations,
        "runtime_s": round(result.runtime_s, 2), "optimizer_message": result.message,
        "calibrated_scenario": str(result.scenario_file), "overrides": result.overrides,
        "passed": result.passed,
    }
    j = out / "calibration.json"
    j.write_text(json.dumps(doc, indent=2, default=str) + "\n")
    lines = [
        f"# Calibration of `{scenario}` on `{data.source}`", "",
        f"{resolution.capitalize()} sums of {', '.join(which)}; objective: weighted CV(RMSE), minimised by "
        f"{result.method} within the bounds; {result.evaluations} twin runs ({result.reused_evaluations} reused "
        f"from the log), {result.runtime_s:.1f} s. Optimiser: {result.message}", "",
        "| parameter | bounds | before | after | standard error |", "|---|---|---:|---:|---:|",
        *(f"| {q.name} | [{q.lower:g}, {q.upper:g}] | {result.start[q.name]:.4g} | {result.fitted[q.name]:.4g} | "
          f"{result.stderr.get(q.name, math.nan):.2g} |"
          for q in result.parameters),
        "", f"Objective: {result.objective_before:.2f} % before, {result.objective_after:.2f} % after.", "",
        "## Before", "", *_md_metrics(result.metrics_before), "",
        "## After", "", *_md_metrics(result.metrics_after), "",
        f"Calibrated scenario: `{result.scenario_file}`. Guideline 14 acceptance ({resolution}): "
        f"{'met' if result.passed else 'NOT met'} by every meter.",
    ]
    m = out / "calibration.md"
    m.write_text("\n".join(lines) + "\n")
    return [j, m]


# ------------------------------------------------------------------------------- IPMVP option D

SAVINGS_METERS = {"district_heat": ("heat", "district_heat_kwh", ("district_heat_energy",)),
                  # accise and network are paid per kWh: an avoided kWh avoids them too (0 with a flat tariff)
                  "grid_import": ("electricity", "grid_import_kwh", ("electricity_energy", "electricity_taxes_network")),
                  "water_mains": ("water", "mains_m3", ("water",))}


def verify_savings(calibrated_baseline: str | Path, measure: str | Path | None = None, *,
                   reporting_period: tuple[dt.date, dt.date] | None = None,
                   reporting_weather: Any = None, meters: str | Path | MeterData | None = None,
                   overrides: dict | None = None) -> dict:
    """IPMVP Option D (calibrated simulation) savings over a reporting period.

    avoided consumption = adjusted baseline − reporting-period consumption, where the adjusted
    baseline is the calibrated baseline scenario run under the reporting period's conditions
    (``reporting_period`` (start, end), ``reporting_weather``: a weather source such as a
    measured-weather CSV, or a :class:`~twin.weather.Weather`; same seed, so the same people), and
    the reporting-period consumption is the meters' (``meters``, summed over the complete days of
    the period both cover) or, before meters exist, the ``measure`` scenario's run (a calibrated
    scenario with the measure). Cost avoided uses the baseline run's mean price per kWh or m³ of each
    meter (energy and volume charges; subscriptions are not avoided by a saving).

    Returns
    -------
    dict: ``period``, ``weather``, and per meter ``baseline``, ``reporting``, ``avoided``,
    ``avoided_pct``, ``unit``, ``price_eur_per_unit``, ``avoided_eur``; ``total_avoided_eur``;
    ``reporting_source`` (``meters`` or ``simulation``).
    """
    from twin.api import simulate
    from twin.metering import aligned
    from twin.scenario import load_scenario
    from twin.weather import Weather

    if measure is None and meters is None:
        raise TwinError("verify_savings: give the measure scenario or the reporting-period meters")
    ov = dict(overrides or {})
    if reporting_period is not None:
        ov["period.start"], ov["period.end"] = reporting_period
    weather_obj = reporting_weather if isinstance(reporting_weather, Weather) else None
    if reporting_weather is not None and weather_obj is None:
        ov["weather.source"] = str(reporting_weather)
    data = meters if isinstance(meters, MeterData) or meters is None else read_meters(meters)
    base_sc = load_scenario(calibrated_baseline, **ov)
    base = simulate(base_sc, weather=weather_obj)
    rep = simulate(load_scenario(measure, **ov), weather=weather_obj) if data is None else None
    out: dict[str, Any] = {"period": [str(base_sc.period.start), str(base_sc.period.end)],
                           "weather": str(base_sc.weather.source if weather_obj is None else weather_obj.source),
                           "reporting_source": "meters" if data is not None else "simulation", "meters": {}}
    total = 0.0
    cost = base.summary["cost_eur"]
    for meter, (group, key, cost_keys) in SAVINGS_METERS.items():
        base_total = base.summary[group].get(key)
        if base_total is None:
            continue
        if data is not None:
            if meter not in data.series:
                continue
            both = aligned(base, data, "daily", [meter])[meter]
            if both.empty:
                continue
            b, r = float(both["simulated"].sum()), float(both["measured"].sum())
        else:
            b, r = float(base_total), float(rep.summary[group][key])
        spent = sum(cost.get(k) or 0.0 for k in cost_keys)
        price = spent / float(base_total) if base_total else 0.0
        avoided = b - r
        out["meters"][meter] = {"unit": METERS[meter].unit, "baseline": b, "reporting": r, "avoided": avoided,
                                "avoided_pct": 100.0 * avoided / b if b else math.nan,
                                "price_eur_per_unit": price, "avoided_eur": avoided * price}
        total += avoided * price
    out["total_avoided_eur"] = total
    return out


# ---------------------------------------------------------------------------------- command line

def _parse_param(text: str, mode: str) -> CalibrationParameter:
    path, sep, rng = text.partition("=")
    parts = rng.split(":")
    try:
        if not sep or len(parts) not in (2, 3):
            raise ValueError
        nums = [float(v) for v in parts]
    except ValueError:
        raise TwinError(f"--{'factor' if mode == 'factor' else 'param'} '{text}': expected PATH=LOWER:UPPER[:START], "
                        "e.g. ahu.heat_recovery.effectiveness=0.6:0.9") from None
    return CalibrationParameter(path.strip(), nums[0], nums[1], mode, nums[2] if len(nums) == 3 else None)


def cli_meters(args, console) -> int:
    """Handler of ``twin meters FILE``: validate and summarise a meter file."""
    data = read_meters(args.file)
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"Meters in {args.file} (local standard time UTC+01:00)", header_style="bold")
    for c in ("meter", "twin column", "in file", "resolution", "from", "to", "readings", "total", "gaps", "longest gap"):
        table.add_column(c, justify="right" if c in ("readings", "total", "gaps") else "left")
    for _, r in data.summary().iterrows():
        table.add_row(r["meter"], r["column"], escape(f"{r['quantity']} [{r['unit_in_file']}]"), r["resolution"],
                      str(r["first_start"])[:16], str(r["last_end"])[:16], f"{r['readings']:,}",
                      f"{r['total']:,.1f} {r['total_unit']}", f"{r['gaps']}", r["longest_gap"])
    console.print(table)
    if args.against:
        import twin

        overrides = _cli_overrides(args)
        if args.plots:
            from twin.paths import check_output_dir

            check_output_dir(args.plots, "--plots", force=args.force)
        scenario = twin.load_scenario(args.against, **overrides)
        check_overlap(data, scenario)
        results = twin.simulate(scenario)
        which = []
        for meter in data.meters:  # meters coarser than the resolution (monthly asked hourly) are left out
            try:
                data.resample(args.resolution, [meter])
                which.append(meter)
            except TwinError:
                console.print(f"{meter}: readings coarser than {args.resolution}, left out", highlight=False)
        if not which:
            raise TwinError(f"{args.file}: no meter fine enough for --resolution {args.resolution}")
        table = compare_to_meters(results, data, args.resolution, which=which)
        console.print(table.to_string(index=False), soft_wrap=True, highlight=False, markup=False)
        if args.plots:
            from twin.metering import plot_meters

            for path in plot_meters(results, data, args.plots, args.resolution, which):
                console.print(f"wrote {path}", highlight=False)
    return 0


def _cli_overrides(args) -> dict:
    from twin.dotted import parse_assignments

    return parse_assignments(args.set or [])


def cli_calibrate(args, console) -> int:
    """Handler of ``twin calibrate SCENARIO METERS --param/--factor PATH=LO:HI``."""
    params = [_parse_param(t, "set") for t in args.param or []] + [_parse_param(t, "factor") for t in args.factor or []]
    if not params:
        raise TwinError("twin calibrate: give at least one --param PATH=LO:HI or --factor PATH=LO:HI")
    from twin.paths import check_output_dir

    if args.max_evals < 1:
        raise TwinError(f"--max-evals {args.max_evals}: expected a budget of at least 1 run")
    from twin.executor import check_workers

    workers = check_workers(args.workers)
    if args.serial and args.scheduler:
        raise TwinError("--serial and --scheduler exclude each other")
    scheduler = None if args.serial else (args.scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None)
    if args.serial:
        workers = 1
    data = read_meters(args.meters)  # checked before any run
    out = check_output_dir(args.out or Path("results") / f"calibrate-{Path(args.scenario).stem}",
                           force=args.force)
    weights = {}
    for item in args.weight or []:
        m, _, w = item.partition("=")
        try:
            weights[m] = float(w)
        except ValueError:
            raise TwinError(f"--weight '{item}': expected METER=NUMBER") from None
        if not (math.isfinite(weights[m]) and weights[m] > 0):
            raise TwinError(f"--weight '{item}': expected a finite weight > 0")
        if m not in data.series:
            raise TwinError(f"--weight '{item}': no meter '{m}' in {args.meters}; expected one of "
                            f"{', '.join(data.meters)}")
    res = calibrate(args.scenario, data, params, overrides=_cli_overrides(args), resolution=args.resolution,
                    which=args.meter or None, weights=weights, max_evaluations=args.max_evals, out_dir=out,
                    method=args.method, workers=workers, scheduler=scheduler)
    for q in res.parameters:
        console.print(f"{q.name}: {res.start[q.name]:.4g} -> {res.fitted[q.name]:.4g}", highlight=False)
    console.print(res.metrics_after[["meter", "n", "nmbe_pct", "cvrmse_pct", "pass"]].to_string(index=False),
                  highlight=False)
    console.print(f"{res.evaluations} runs in {res.runtime_s:.1f} s; calibrated scenario {res.scenario_file}; "
                  f"report {out / 'calibration.md'}", soft_wrap=True, highlight=False)
    return 0


def register_cli(subparsers) -> None:
    """Add ``twin meters FILE`` and ``twin calibrate SCENARIO METERS`` to the CLI's subparsers."""
    p = subparsers.add_parser("meters", help="validate and summarise a meter file (docs/twin-mode.md)")
    p.add_argument("file", help="meter CSV: timestamp,meter,quantity,unit,value")
    p.add_argument("--against", metavar="SCENARIO", help="also run SCENARIO and print ASHRAE Guideline 14 metrics")
    p.add_argument("--resolution", choices=("hourly", "daily", "monthly"), default="hourly")
    p.add_argument("--set", action="append", metavar="PATH=VALUE", help="override of the --against run, e.g. period.end=...")
    p.add_argument("--plots", metavar="DIR", help="with --against: write overlay and scatter plots to DIR")
    p.add_argument("--force", action="store_true", help="allow a --plots folder inside the twin package")
    p.set_defaults(func=cli_meters, handler=cli_meters)

    p = subparsers.add_parser("calibrate", help="fit uncertain parameters to meters (ASHRAE Guideline 14)")
    p.add_argument("scenario", help="scenario to calibrate, e.g. scenarios/baseline.toml")
    p.add_argument("meters", help="meter CSV (docs/twin-mode.md)")
    p.add_argument("--param", action="append", metavar="PATH=LO:HI[:START]", help="fit the value at PATH within bounds")
    p.add_argument("--factor", action="append", metavar="PATH=LO:HI[:START]",
                   help="fit a factor on the value(s) at PATH; '*' for every zone, e.g. zones.*.ventilation.infiltration_ach=0.3:3")
    p.add_argument("--meter", action="append", help="meter id to fit (default: all in the file)")
    p.add_argument("--weight", action="append", metavar="METER=W", help="weight of a meter in the objective (default 1)")
    p.add_argument("--resolution", choices=("hourly", "daily", "monthly"), default="hourly")
    p.add_argument("--set", action="append", metavar="PATH=VALUE", help="override of every run (period, weather.source)")
    p.add_argument("--method", choices=("least_squares", "powell"), default="least_squares",
                   help="optimiser (default least_squares on the residuals; powell on CV(RMSE))")
    p.add_argument("--max-evals", type=int, default=80, help="budget of twin runs (default 80)")
    p.add_argument("--workers", metavar="N", help="worker processes for the runs of a Jacobian, one per "
                   "parameter (default: one per core; one parameter, or --method powell, runs in this process)")
    p.add_argument("--serial", action="store_true", help="every run in this process")
    p.add_argument("--scheduler", help="address of a running dask scheduler, e.g. tcp://10.0.0.5:8786 "
                   "(default: $DASK_SCHEDULER_ADDRESS, else a local cluster)")
    p.add_argument("--out", help="output folder (default results/calibrate-<scenario>)")
    p.add_argument("--force", action="store_true", help="allow an output folder inside the twin package")
    p.set_defaults(func=cli_calibrate, handler=cli_calibrate)
