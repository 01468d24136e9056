"""Parameter sweeps: designs, execution on dask.distributed, a resumable store, sensitivity.

A sweep definition (``scenarios/sweeps/*.toml``, see ``docs/sweeps.md``) names a base scenario,
parameters by dotted path with their values or ranges, a design (``grid``, ``lhs``, ``sobol``,
``morris``), the seeds and the KPIs to analyse. :func:`run_sweep` turns it into variants (one per
sample point and seed, identified by a hash of their overrides and seed), runs the missing ones on
a dask cluster (or in-process with ``serial=True``), appends one row of KPIs per variant to
``OUT/rows/*.parquet`` as they complete, and finally writes ``results.parquet`` and the analysis
(sensitivity indices, scatter and tornado plots, the best variants).

Inputs shared by variants (the weather year of a seed; the occupancy realisation of a seed when no
swept parameter touches people, calendar, period, seed, weather or site) are computed once per
worker process and reused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import math
import os
import socket
import time
import tomllib
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import (
    ValidationError,
)

from twin.config.sweep import (
    KPI_UNITS,
    BestSpec,
    Parameter,
    SweepDefinition,
    sweep_json_schema,
)
from twin.dotted import scenario_value
from twin.errors import ScenarioError, TwinError
from twin.executor import Executor, TaskFailed, check_workers, progress_bar, sigterm_as_interrupt
from twin.indicators import value as indicator_value

__all__ = [
    "KPI_UNITS", "Design", "Parameter", "SweepDefinition", "Variant", "analyse", "load_sweep",
    "make_design", "register_cli", "run_sweep", "run_variant", "sensitivity", "status", "variants",
]

#: Where rows are stored under the output directory.
ROWS_DIR = "rows"
MANIFEST = "manifest.json"
#: Held by the running sweep (pid and host inside): a second sweep into the same folder is refused.
LOCK = "sweep.lock"
#: dask's scratch space, inside the output folder (not a shared /tmp/dask-scratch-space).
SCRATCH_DIR = "dask-scratch"
#: Largest design (sample points x seeds): a 1000^3 grid would exhaust memory before any run.
MAX_VARIANTS = 100_000
#: Swept paths starting with one of these change the occupancy realisation (or its clock): a
#: variant with such a parameter never reuses a realisation computed for another variant.
NO_OCCUPANCY_REUSE = ("occupancy", "zones", "calendar", "period", "seed", "weather", "building", "profiles")


def sweep_kpis(summary: dict) -> dict[str, float]:
    """The row of KPIs of one run: every indicator in :data:`KPI_UNITS` (NaN where absent)."""
    return {name: indicator_value(summary, name) for name in KPI_UNITS}


def load_sweep(path: str | Path, check_paths: bool = True,
               set_overrides: dict[str, Any] | None = None) -> SweepDefinition:
    """Read and validate a sweep file.

    Every parameter path is checked by loading the base scenario with it overridden by the
    parameter's first value. Errors are one-line :class:`ScenarioError` naming the file and field.

    Parameters
    ----------
    path
        Sweep file.
    check_paths
        Load the base scenario with each parameter set (slower; off for pure design tests).
    set_overrides
        ``--set`` overrides (dotted path -> value) applied to the base of every variant, after the
        file's ``[overrides]``; the swept parameters still win.
    """
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"{path}: sweep file not found")
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{path}: tables or arrays nested too deep to read; expected a sweep file") from None
    if isinstance(data.get("overrides"), dict):
        from twin.dotted import flatten

        try:
            data["overrides"] = flatten(data["overrides"])
        except ValueError as exc:
            raise ScenarioError(f"{path}: field 'overrides': {exc}") from None
    try:
        sweep = SweepDefinition(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        if err["loc"] and err["loc"][0] == "parameters" and len(err["loc"]) > 1 and isinstance(err["loc"][1], int):
            loc = f"parameters[{err['loc'][1]}]" + "".join(f".{p}" for p in err["loc"][2:])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "literal_error":
            msg = f"got {err.get('input')!r}; {msg.lower()}"
        raise ScenarioError(f"{path}: field '{loc}': {msg}") from None
    base = sweep.base if sweep.base.is_absolute() else (path.parent / sweep.base)
    sweep = sweep.model_copy(update={"base": base.resolve(), "source_file": path})
    if set_overrides:
        try:
            _load(sweep.base, {**sweep.overrides, **set_overrides})
        except ScenarioError as exc:
            msg = str(exc).split(": ", 1)[-1] if str(exc).startswith(str(sweep.base)) else str(exc)
            raise ScenarioError(f"--set {_fmt_set(set_overrides)}: {msg}") from None
        sweep = sweep.model_copy(update={"overrides": {**sweep.overrides, **set_overrides}})
    if check_paths:
        base_scenario = _load_base(sweep)
        for i, p in enumerate(sweep.parameters):
            first = p.values[0] if p.values is not None else float(p.from_unit(np.array([0.5]))[0])
            try:
                ov = _resolve_overrides(base_scenario, p, first)
                _load(sweep.base, {**sweep.overrides, **ov})
            except ScenarioError as exc:
                msg = str(exc).split(": ", 1)[-1]
                raise ScenarioError(f"{path}: field 'parameters[{i}]' ({p.label}): {msg}") from None
    return sweep


def _fmt_set(set_overrides: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in set_overrides.items())


def _load(base: Path, overrides: dict[str, Any]):
    from twin.scenario import load_scenario

    return load_scenario(base, **overrides)


def _load_base(sweep: SweepDefinition):
    try:
        return _load(sweep.base, dict(sweep.overrides))
    except ScenarioError as exc:
        raise ScenarioError(f"{sweep.source_file}: field 'base'/'overrides': {exc}") from None


def _resolve_overrides(base_scenario, param: Parameter, value: Any) -> dict[str, Any]:
    """The dotted-path overrides of one parameter value."""
    out = {}
    for path in param.all_paths:
        if param.mode == "set":
            out[path] = value
            continue
        base = scenario_value(base_scenario, path)
        if isinstance(base, list):
            out[path] = [float(b) * value for b in base]
        elif isinstance(base, int | float) and not isinstance(base, bool):
            out[path] = float(base) * value
        else:
            raise ScenarioError(f"'{path}': mode = 'factor' needs a number or a list of numbers, got {base!r}")
    return out


def definition_hash(sweep: SweepDefinition) -> str:
    """sha256 of the validated definition and of the fully resolved base scenario."""
    base = _load_base(sweep)
    doc = {
        "definition": sweep.model_dump(mode="json", exclude={"source_file", "description"}),
        "base_scenario": json.loads(base.model_dump_json(exclude={"source_file", "applied_overrides"})),
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


# ---------------------------------------------------------------------------- design

@dataclass
class Design:
    """Sample points of a sweep: ``unit`` in [0, 1]^d (None for a grid) and their ``values``."""

    kind: str
    parameters: list[Parameter]
    unit: np.ndarray | None
    values: list[dict[str, Any]]
    second_order: bool = False
    morris_levels: int = 4

    @property
    def problem(self) -> dict:
        """The SALib problem on the unit hypercube (indices are invariant to the monotone maps)."""
        d = len(self.parameters)
        return {"num_vars": d, "names": [p.label for p in self.parameters], "bounds": [[0.0, 1.0]] * d}


def design_size(sweep: SweepDefinition) -> int:
    """Number of sample points of a sweep's design, counted before sampling anything."""
    d = len(sweep.parameters)
    if sweep.design == "grid":
        # A range without levels is refused later by make_design with its own message.
        return math.prod(len(p.values) if p.values is not None else (p.levels or 1) for p in sweep.parameters)
    n = int(sweep.samples)
    if sweep.design == "sobol":
        return n * (2 * d + 2 if sweep.second_order else d + 2)
    if sweep.design == "morris":
        return n * (d + 1)
    return n


def make_design(sweep: SweepDefinition) -> Design:
    """Sample the parameter space of a sweep (deterministic for a given ``sample_seed``).

    Raises
    ------
    ScenarioError
        The design would exceed :data:`MAX_VARIANTS` runs (sample points x seeds).
    """
    params = list(sweep.parameters)
    d = len(params)
    points = design_size(sweep)
    if points * len(sweep.seeds) > MAX_VARIANTS:
        field = "parameters" if sweep.design == "grid" else "samples"
        raise ScenarioError(
            f"{sweep.source_file}: field '{field}': a {sweep.design} design of {points:,} points x "
            f"{len(sweep.seeds)} seed(s) = {points * len(sweep.seeds):,} runs; expected at most "
            f"{MAX_VARIANTS:,} (fewer levels or samples, or split the sweep)")
    if sweep.design == "grid":
        try:
            grids = [p.grid_values() for p in params]
        except ValueError as exc:
            raise ScenarioError(f"{sweep.source_file}: field 'parameters': {exc}") from None
        values = [dict(zip([p.label for p in params], combo, strict=True)) for combo in itertools.product(*grids)]
        return Design("grid", params, None, values)
    design = Design(sweep.design, params, None, [], sweep.second_order, sweep.morris_levels)
    n = int(sweep.samples)
    if sweep.design == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=d, seed=np.random.default_rng(sweep.sample_seed)).random(n)
    elif sweep.design == "sobol":
        from SALib.sample import sobol as sobol_sample

        # N is a power of 2 (checked by SweepDefinition): SALib has nothing to warn about.
        unit = sobol_sample.sample(design.problem, n, calc_second_order=sweep.second_order,
                                   scramble=True, seed=sweep.sample_seed)
    else:
        from SALib.sample import morris as morris_sample

        unit = morris_sample.sample(design.problem, n, num_levels=sweep.morris_levels, seed=sweep.sample_seed)
    design.unit = np.asarray(unit, dtype=float)
    columns = [p.from_unit(design.unit[:, j]) for j, p in enumerate(params)]
    design.values = [dict(zip([p.label for p in params], row, strict=True)) for row in zip(*columns, strict=True)]
    return design


@dataclass(frozen=True)
class Variant:
    """One run: a sample point's overrides and a seed. ``variant_id`` hashes both."""

    variant_id: str
    seed: int
    params: dict[str, Any]
    overrides: dict[str, Any]


def variant_id(overrides: dict[str, Any], seed: int) -> str:
    """Deterministic id of a variant: sha256 of its resolved overrides and seed (16 hex digits)."""
    doc = json.dumps({"overrides": overrides, "seed": int(seed)}, sort_keys=True, default=str)
    return hashlib.sha256(doc.encode()).hexdigest()[:16]


def variants(sweep: SweepDefinition, design: Design | None = None) -> tuple[list[Variant], pd.DataFrame]:
    """The unique variants of a sweep and the map (sample, seed) -> variant_id.

    Two sample points with the same values (a discrete parameter) are one variant.
    """
    design = design or make_design(sweep)
    base = _load_base(sweep)
    out: dict[str, Variant] = {}
    rows = []
    for i, point in enumerate(design.values):
        ov: dict[str, Any] = {}
        for p in design.parameters:
            ov.update(_resolve_overrides(base, p, point[p.label]))
        for seed in sweep.seeds:
            vid = variant_id(ov, seed)
            out.setdefault(vid, Variant(vid, seed, dict(point), ov))
            rows.append({"sample": i, "seed": seed, "variant_id": vid})
    return list(out.values()), pd.DataFrame(rows)


# ---------------------------------------------------------------------------- execution

_WEATHER_CACHE: OrderedDict = OrderedDict()
_OCCUPANCY_CACHE: OrderedDict = OrderedDict()
_SITE_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 8
#: Counters of this process (tests and the benchmark read them): computed vs reused inputs.
CACHE_STATS = {"weather_computed": 0, "weather_reused": 0, "occupancy_computed": 0, "occupancy_reused": 0,
               "site_computed": 0, "site_reused": 0}


def _cached(cache: OrderedDict, key, make, what: str):
    if key in cache:
        cache.move_to_end(key)
        CACHE_STATS[f"{what}_reused"] += 1
        return cache[key]
    value = make()
    CACHE_STATS[f"{what}_computed"] += 1
    cache[key] = value
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)
    return value


def occupancy_reusable(sweep: SweepDefinition) -> bool:
    """True when no swept path can change the occupancy realisation (conservative prefixes)."""
    return not any(path.startswith(NO_OCCUPANCY_REUSE) for p in sweep.parameters for path in p.all_paths)


def run_variant(task: dict) -> dict:
    """Run one variant (in a worker process); return its row.

    ``task`` holds ``base`` (scenario path), ``overrides`` (sweep-level and the variant's), ``seed``,
    ``variant_id``, ``params``, ``reuse`` (share the weather per seed in this process) and
    ``occupancy_key`` (None, or the key under which the occupancy realisation may be shared).
    """
    from twin.api import scenario_weather, simulate, weather_key
    from twin.engine import occupancy_for, period_times, site_inputs

    t0 = time.perf_counter()
    scenario = _load(Path(task["base"]), {**task["overrides"], "seed": task["seed"]})
    weather = occupancy = site = None
    if task.get("reuse"):
        # The scenario's own weather (climate and heatwave included), shared by the variants with the same key.
        key = weather_key(scenario)
        weather = _cached(_WEATHER_CACHE, key, lambda: scenario_weather(scenario), "weather")
        # Solar position, facade irradiance, PV output, calendar: per weather and period (engine.SiteInputs).
        p = scenario.period
        skey = (key, p.start, p.end, p.step_s)
        site = _cached(_SITE_CACHE, skey, lambda: site_inputs(scenario, weather), "site")
        if task.get("occupancy_key") is not None:
            tz = dt.timezone(dt.timedelta(hours=weather.tz_offset_h))
            okey = (task["occupancy_key"], scenario.seed, scenario.period.start, scenario.period.end,
                    scenario.period.step_s, weather.tz_offset_h)

            def make():
                return occupancy_for(scenario.asset, scenario, period_times(scenario, tz)[2])

            occupancy = _cached(_OCCUPANCY_CACHE, okey, make, "occupancy")
    # detail=False: a row keeps indicators only, none of which reads the summary's advice (tested).
    summary = simulate(scenario, weather=weather, occupancy=occupancy, site=site, timeseries=False,
                       detail=False).summary
    return {"variant_id": task["variant_id"], "seed": int(task["seed"]), **task["params"],
            **sweep_kpis(summary), "runtime_s": time.perf_counter() - t0}


def scenario_digest(base: Path, overrides: dict[str, Any]) -> str:
    """sha256 of what this process reads for a sweep's base: scenario, model, weather file.

    The driver computes it once; every worker recomputes it before each variant, so a worker
    holding another copy of a file at the same path fails that variant instead of storing a row
    computed from other inputs.
    """
    scenario = _load(base, overrides)
    doc = json.loads(scenario.model_dump_json(exclude={"source_file", "applied_overrides"}))
    digest = hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode())
    source = Path(str(scenario.weather.source))
    if not source.is_absolute() and scenario.source_file is not None:
        source = Path(scenario.source_file).parent / source
    if source.is_file():  # a weather file (EPW, CSV); a named generator has no file
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _where() -> str:
    """Address of the dask worker running this code, or this process."""
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"pid {os.getpid()} on {socket.gethostname()}"


def run_task(task: dict) -> dict:
    """Run one variant wherever it lands, never raising: ``{"row": row}`` or ``{"error": message}``.

    With ``task["base_sha256"]`` the inputs read here are first checked against the driver's
    (:func:`scenario_digest`). Any exception fails only this variant; its message names the worker.
    """
    where = _where()
    try:
        expected = task.get("base_sha256")
        if expected is not None:
            got = scenario_digest(Path(task["base"]), task["base_overrides"])
            if got != expected:
                raise ScenarioError(
                    f"{task['base']}: the scenario, model or weather files read on {where} differ from "
                    f"the driver's (sha256 {got[:12]}, driver {expected[:12]}); expected the same files "
                    "on every worker")
        return {"row": run_variant(task)}
    except TwinError as exc:
        return {"error": f"{exc} [worker {where}]"}
    except Exception as exc:  # a bug or a broken worker: one failed variant, not a lost sweep
        return {"error": f"{type(exc).__name__}: {exc} [worker {where}]"}


def _read_rows(out: Path) -> pd.DataFrame:
    files = sorted((out / ROWS_DIR).glob("*.parquet"))
    if not files:
        return pd.DataFrame()
    df = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    return df.drop_duplicates("variant_id", keep="first")


def _write_parquet_atomic(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` (temporary file + rename); KPI columns carry their unit as field metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    fields = [f.with_metadata({**(f.metadata or {}), b"unit": KPI_UNITS[f.name].encode()})
              if f.name in KPI_UNITS else f for f in table.schema]
    table = table.cast(pa.schema(fields, metadata=table.schema.metadata))
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def kpi_units(path: str | Path) -> dict[str, str]:
    """The unit of each KPI column of a sweep's Parquet file (field metadata ``unit``)."""
    import pyarrow.parquet as pq

    return {f.name: f.metadata[b"unit"].decode() for f in pq.read_schema(path)
            if f.metadata and b"unit" in f.metadata}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


@contextmanager
def sweep_lock(out: Path) -> Iterator[Path]:
    """Hold ``out/sweep.lock`` while a sweep writes into ``out``.

    The lock holds the pid and host of its sweep. A lock left by a dead process of this host (a
    ``kill -9``, a power cut) is taken over; a live one, or one from another host, is refused.

    Raises
    ------
    TwinError
        Another sweep is running into ``out``.
    """
    path = out / LOCK
    host = socket.gethostname()
    for _attempt in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                pid_text, _, owner = path.read_text().strip().partition(" ")
                pid = int(pid_text)
            except (OSError, ValueError):
                # Just created by a sweep that has not written its pid yet, or garbage: stale after a minute.
                if path.exists() and time.time() - path.stat().st_mtime > 60:
                    path.unlink(missing_ok=True)
                    continue
                raise TwinError(f"{out}: {LOCK} is held by another sweep; wait for it, or delete "
                                f"{path} if no sweep runs there") from None
            if owner == host and pid != os.getpid() and not _pid_alive(pid):
                path.unlink(missing_ok=True)  # stale: its sweep died without cleaning up
                continue
            raise TwinError(f"{out}: another sweep (pid {pid} on {owner}) is writing here; wait for it, "
                            f"use another --out, or delete {path} if that process is gone") from None
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{os.getpid()} {host}\n")
        break
    else:
        raise TwinError(f"{out}: cannot take {path}; delete it if no sweep runs there")
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _write_json_atomic(doc: dict, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(doc, indent=2, default=str) + "\n")
    os.replace(tmp, path)


def _prepare_store(sweep: SweepDefinition, out: Path, n_variants: int, force: bool,
                   set_overrides: dict[str, Any] | None = None) -> dict:
    from twin import __version__ as twin_version

    digest = definition_hash(sweep)
    manifest_path = out / MANIFEST
    if manifest_path.exists():
        old = json.loads(manifest_path.read_text())
        if old.get("definition_sha256") != digest:
            if not force:
                raise TwinError(
                    f"{out}: holds results of another sweep definition ({old.get('name')}, hash "
                    f"{str(old.get('definition_sha256'))[:12]}); use another --out or --force to discard them"
                )
            for f in (out / ROWS_DIR).glob("*.parquet"):
                f.unlink()
            (out / "results.parquet").unlink(missing_ok=True)
    (out / ROWS_DIR).mkdir(parents=True, exist_ok=True)
    manifest = {
        "name": sweep.name, "definition_file": str(sweep.source_file), "definition_sha256": digest,
        "twin_version": twin_version, "design": sweep.design, "samples": sweep.samples,
        "seeds": list(sweep.seeds), "n_variants": n_variants,
        "parameters": [p.label for p in sweep.parameters], "kpis": list(sweep.kpis),
        "set": dict(set_overrides or {}), "kpi_units": dict(KPI_UNITS),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if manifest_path.exists():
        manifest["created"] = json.loads(manifest_path.read_text()).get("created", manifest["created"])
    _write_json_atomic(manifest, manifest_path)
    return manifest


@dataclass
class SweepResult:
    """What :func:`run_sweep` did: the rows of every variant, counts, and the files written."""

    rows: pd.DataFrame
    samples: pd.DataFrame
    ran: int
    skipped: int
    failed: dict[str, str]
    files: list[Path]


def run_sweep(path: str | Path, out: str | Path, scheduler: str | None = None, serial: bool = False,
              workers: int | None = None, force: bool = False, reuse: bool = True, progress: bool = True,
              flush_s: float = 2.0, max_variants: int | None = None, analysis: bool = True,
              set_overrides: dict[str, Any] | None = None) -> SweepResult:
    """Run the missing variants of a sweep into ``out`` and analyse the results.

    Parameters
    ----------
    path
        Sweep file.
    out
        Results directory (see docs/sweeps.md for its layout).
    scheduler
        Address of a running dask scheduler (``tcp://host:8786``); default the environment
        variable ``DASK_SCHEDULER_ADDRESS``, else a ``LocalCluster`` of ``workers`` processes
        (default: one per core), one thread each, its scratch space in ``out/dask-scratch``.
    serial
        Run in this process, without dask.
    force
        Discard results of another definition found in ``out`` instead of refusing.
    reuse
        Share the weather (and, when allowed, the occupancy realisation) per seed.
    flush_s
        Completed rows are written to ``out/rows/`` at least this often.
    max_variants
        Stop after this many new variants (for tests and quick looks); the rest run next time.
    set_overrides
        Overrides (dotted path -> value, like ``--set``) applied to the base of every variant;
        recorded in the manifest and part of the definition hash.

    Raises
    ------
    TwinError
        Bad definition, another sweep is running into ``out``, or ``out`` holds another
        definition's results without ``force``.
    """
    sweep = load_sweep(path, set_overrides=set_overrides)
    out = Path(out)
    design = make_design(sweep)
    todo_all, samples = variants(sweep, design)
    if scheduler is None and not serial:
        scheduler = os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    out.mkdir(parents=True, exist_ok=True)
    with sweep_lock(out):
        return _run_locked(sweep, out, design, todo_all, samples, scheduler, serial, workers, force, reuse,
                           progress, flush_s, max_variants, analysis, set_overrides)


def _run_locked(sweep: SweepDefinition, out: Path, design: Design, todo_all: list[Variant],
                samples: pd.DataFrame, scheduler: str | None, serial: bool, workers: int | None, force: bool,
                reuse: bool, progress: bool, flush_s: float, max_variants: int | None, analysis: bool,
                set_overrides: dict[str, Any] | None) -> SweepResult:
    """The body of :func:`run_sweep`, run while holding ``out``'s lock."""
    _prepare_store(sweep, out, len(todo_all), force, set_overrides)
    _write_parquet_atomic(samples, out / "samples.parquet")
    done = _read_rows(out)
    done_ids = set(done["variant_id"]) if len(done) else set()
    todo = [v for v in todo_all if v.variant_id not in done_ids]
    if max_variants is not None:
        todo = todo[:max_variants]
    occ_key = definition_hash(sweep) if occupancy_reusable(sweep) else None
    # Workers check what they read against this before each variant (mixed inputs are impossible).
    base_sha = None if serial or not todo else scenario_digest(sweep.base, dict(sweep.overrides))
    tasks = [{"base": str(sweep.base), "base_overrides": dict(sweep.overrides), "base_sha256": base_sha,
              "overrides": {**sweep.overrides, **v.overrides}, "seed": v.seed,
              "variant_id": v.variant_id, "params": v.params, "reuse": reuse,
              "occupancy_key": occ_key if reuse else None} for v in todo]
    failed: dict[str, str] = {}
    pending: list[dict] = []
    last = time.monotonic()

    def flush():
        nonlocal last
        if pending:
            _write_parquet_atomic(pd.DataFrame(pending), out / ROWS_DIR / f"part-{time.time_ns()}-{uuid.uuid4().hex[:8]}.parquet")
            pending.clear()
        last = time.monotonic()

    def record(result: dict, task: dict):
        if "error" in result:
            failed[task["variant_id"]] = result["error"]
        else:
            pending.append(result["row"])
        if time.monotonic() - last >= flush_s:
            flush()

    def on_result(i: int, result):
        if isinstance(result, TaskFailed):  # the worker died, or dask failed: run_task itself never raises
            result = {"error": result.message}
        record(result, tasks[i])

    bar = progress_bar(len(tasks), progress, f"sweep {sweep.name}", "variant")
    try:
        with Executor(serial=serial, scheduler=None if serial else scheduler, workers=workers,
                      scratch=out / SCRATCH_DIR) as ex:
            ex.map(run_task, tasks, on_result, keys=[f"twin-variant-{t['variant_id']}" for t in tasks], bar=bar)
    finally:
        flush()
        bar.close()
        # Also on Ctrl-C: what failed so far is kept, and retried next time like the rest.
        if failed:
            _write_json_atomic(failed, out / "failed.json")
        else:
            (out / "failed.json").unlink(missing_ok=True)
    rows = _read_rows(out)
    files = []
    if len(rows):
        order = {v.variant_id: i for i, v in enumerate(todo_all)}
        rows = rows.assign(_o=rows["variant_id"].map(order)).sort_values("_o").drop(columns="_o").reset_index(drop=True)
        _write_parquet_atomic(rows, out / "results.parquet")
        files.append(out / "results.parquet")
        if analysis:
            files += analyse(sweep, out, rows=rows, samples=samples, design=design)
    return SweepResult(rows, samples, len(tasks) - len(failed), len(todo_all) - len(todo), failed, files)


def status(out: str | Path) -> dict:
    """Progress of a sweep directory: ``{"name", "done", "total", "failed", ...}``."""
    out = Path(out)
    if not (out / MANIFEST).is_file():
        raise TwinError(f"{out}: no {MANIFEST}; not a sweep directory")
    manifest = json.loads((out / MANIFEST).read_text())
    rows = _read_rows(out)
    failed = json.loads((out / "failed.json").read_text()) if (out / "failed.json").is_file() else {}
    return {"name": manifest["name"], "design": manifest["design"], "done": int(len(rows)),
            "total": int(manifest["n_variants"]), "failed": len(failed),
            "definition_sha256": manifest["definition_sha256"]}


# ---------------------------------------------------------------------------- analysis

def sample_kpis(rows: pd.DataFrame, samples: pd.DataFrame, kpi: str) -> np.ndarray:
    """One value per sample point: the KPI averaged over the seeds (paired, same seeds per point)."""
    per = samples.merge(rows[["variant_id", kpi]], on="variant_id", how="left")
    return per.groupby("sample", sort=True)[kpi].mean().to_numpy()


def sensitivity(design: Design, y: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """Sobol (S1, ST) or Morris (mu*, sigma) indices of one output ``y`` (one value per sample).

    Returns one row per parameter. Sobol indices use SALib's estimators (Saltelli 2010, Jansen) on
    the design's unit samples; Morris elementary effects are per unit of the normalised range
    (the quantile scale of the parameter's distribution).
    """
    y = np.asarray(y, dtype=float)
    names = [p.label for p in design.parameters]
    if design.kind == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(design.problem, y, calc_second_order=design.second_order, seed=seed)
        return pd.DataFrame({"parameter": names, "S1": res["S1"], "S1_conf": res["S1_conf"],
                             "ST": res["ST"], "ST_conf": res["ST_conf"]})
    if design.kind == "morris":
        from SALib.analyze import morris

        res = morris.analyze(design.problem, design.unit, y, num_levels=design.morris_levels, seed=seed)
        return pd.DataFrame({"parameter": names, "mu_star": res["mu_star"], "mu_star_conf": res["mu_star_conf"],
                             "mu": res["mu"], "sigma": res["sigma"]})
    raise ValueError(f"no variance-based indices for a '{design.kind}' design")


def tornado_table(rows: pd.DataFrame, params: list[Parameter], kpi: str) -> pd.DataFrame:
    """Mean KPI over the variants in the lowest and highest third of each parameter, and the swing."""
    out = []
    mean = rows[kpi].mean()
    for p in params:
        x = pd.to_numeric(rows[p.label], errors="coerce")
        if x.nunique() < 2:
            continue
        lo_cut, hi_cut = x.quantile(1 / 3), x.quantile(2 / 3)
        low, high = rows.loc[x <= lo_cut, kpi].mean(), rows.loc[x >= hi_cut, kpi].mean()
        out.append({"kpi": kpi, "parameter": p.label, "low": low, "high": high, "mean": mean,
                    "swing": abs(high - low)})
    return pd.DataFrame(out).sort_values("swing", ascending=False) if out else pd.DataFrame()


def best_variants(rows: pd.DataFrame, spec: BestSpec) -> pd.DataFrame:
    """Variants meeting ``spec``'s limits, best first (mean over seeds per parameter point)."""
    params = [c for c in rows.columns if c not in KPI_UNITS and c not in ("variant_id", "seed", "runtime_s")]
    kpis = [c for c in rows.columns if c in KPI_UNITS]
    grouped = rows.groupby(params, dropna=False, sort=False)[kpis].mean().reset_index() if params else rows
    ok = np.ones(len(grouped), dtype=bool)
    for kpi, limit in spec.max.items():
        ok &= (grouped[kpi] <= limit).to_numpy()
    for kpi, limit in spec.min.items():
        ok &= (grouped[kpi] >= limit).to_numpy()
    return grouped[ok].sort_values(spec.minimise, ascending=not spec.maximise).head(spec.n).reset_index(drop=True)


def analyse(sweep: SweepDefinition, out: str | Path, rows: pd.DataFrame | None = None,
            samples: pd.DataFrame | None = None, design: Design | None = None) -> list[Path]:
    """Write the analysis of a sweep's rows into ``out/analysis/``; return the files.

    Sobol and Morris designs: ``sensitivity.csv`` and ``sensitivity.png`` (the indices per KPI,
    once every sample point is done). Grid and LHS designs: ``tornado.csv`` and ``tornado.png``
    (binned means are not an analysis of a Saltelli or Morris sample, whose points share columns:
    there they showed swings the indices deny). Every design: ``scatter_<kpi>.png``, ``best.csv``
    and ``report.html``, which embeds the figures and the best variants.
    """
    out = Path(out)
    rows = _read_rows(out) if rows is None else rows
    design = design or make_design(sweep)
    if samples is None:
        samples = pd.read_parquet(out / "samples.parquet")
    dest = out / "analysis"
    dest.mkdir(exist_ok=True)
    for stale in ("tornado.csv", "tornado.png", "sensitivity.csv", "sensitivity.png"):
        (dest / stale).unlink(missing_ok=True)  # from an earlier, partial analysis
    files: list[Path] = []
    complete = set(samples["variant_id"]) <= set(rows["variant_id"])
    if design.kind in ("sobol", "morris") and complete:
        tables = []
        for kpi in sweep.kpis:
            y = sample_kpis(rows, samples, kpi)
            if np.isfinite(y).all() and np.ptp(y) > 0:
                tables.append(sensitivity(design, y, seed=sweep.sample_seed).assign(kpi=kpi))
        if tables:
            table = pd.concat(tables, ignore_index=True)
            table = table[["kpi", *[c for c in table.columns if c != "kpi"]]]
            table.to_csv(dest / "sensitivity.csv", index=False)
            files += [dest / "sensitivity.csv", _plot_sensitivity(table, design.kind, dest / "sensitivity.png")]
    elif design.kind in ("grid", "lhs"):
        torn = [tornado_table(rows, design.parameters, k) for k in sweep.kpis]
        torn = [t for t in torn if len(t)]
        if torn:
            table = pd.concat(torn, ignore_index=True)
            table.to_csv(dest / "tornado.csv", index=False)
            files += [dest / "tornado.csv", _plot_tornado(table, sweep.kpis, dest / "tornado.png")]
    for kpi in sweep.kpis:
        files.append(_plot_scatter(rows, design.parameters, kpi, dest / f"scatter_{kpi}.png"))
    best = best_variants(rows, sweep.best)
    best.to_csv(dest / "best.csv", index=False)
    files.append(dest / "best.csv")
    files.append(_write_report(sweep, out, rows, samples, best, files, dest / "report.html"))
    return files


def _plot_sensitivity(table: pd.DataFrame, kind: str, path: Path) -> Path:
    """Bars of the indices per KPI (S1 and ST with their 95 % intervals, or Morris mu*)."""
    from twin.plotting import pyplot

    plt = pyplot()
    kpis = list(dict.fromkeys(table["kpi"]))
    n_par = table["parameter"].nunique()
    fig, axes = plt.subplots(len(kpis), 1, figsize=(7, 1.0 + (0.35 * n_par + 0.6) * len(kpis)), squeeze=False)
    for ax, kpi in zip(axes[:, 0], kpis, strict=True):
        t = table[table["kpi"] == kpi].iloc[::-1]
        ypos = np.arange(len(t))
        if kind == "sobol":
            ax.barh(ypos + 0.2, t["ST"], 0.4, xerr=t["ST_conf"], color="tab:orange", label="total (ST)")
            ax.barh(ypos - 0.2, t["S1"], 0.4, xerr=t["S1_conf"], color="tab:blue", label="first order (S1)")
            # Indices live in [0, 1]; wide intervals (a small N) are cut at +-0.5 beyond that.
            lo = float(np.nanmin([(t["S1"] - t["S1_conf"]).min(), (t["ST"] - t["ST_conf"]).min(), 0.0]))
            hi = float(np.nanmax([(t["S1"] + t["S1_conf"]).max(), (t["ST"] + t["ST_conf"]).max(), 1.0]))
            ax.set_xlim(max(lo, -0.5), min(hi, 1.5))
        else:
            ax.barh(ypos, t["mu_star"], xerr=t["mu_star_conf"], color="tab:blue", label="mu*")
        ax.set_yticks(ypos, t["parameter"])
        ax.set_title(f"{kpi} [{KPI_UNITS.get(kpi, '')}]", fontsize=9)
    axes[0, 0].legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _write_report(sweep: SweepDefinition, out: Path, rows: pd.DataFrame, samples: pd.DataFrame,
                  best: pd.DataFrame, files: list[Path], path: Path) -> Path:
    """A self-contained HTML page: the counts, the figures (embedded PNG) and the best variants, through the
    autoescaped template ``sweep_report.html.j2`` (names and descriptions from the file are data, never HTML)."""
    from twin.report import figure, render

    failed = json.loads((out / "failed.json").read_text()) if (out / "failed.json").is_file() else {}

    def cell(x):
        return f"{x:,.4g}" if isinstance(x, float) else str(x)

    page = render(
        "sweep_report.html.j2", name=sweep.name, description=sweep.description, design=sweep.design,
        done=len(rows), total=int(samples["variant_id"].nunique()), failed=len(failed),
        figures=[figure(f, f.stem) for f in files if f.suffix == ".png"],
        best_columns=[str(c) for c in best.columns], best_rows=[[cell(x) for x in r] for r in best.itertuples(index=False)],
        units=[(k, v) for k, v in KPI_UNITS.items() if k in rows.columns],
    )
    path.write_text(page)
    return path


def _plot_tornado(table: pd.DataFrame, kpis: list[str], path: Path) -> Path:
    from twin.plotting import pyplot

    plt = pyplot()
    kpis = [k for k in kpis if k in set(table["kpi"])]
    fig, axes = plt.subplots(len(kpis), 1, figsize=(7, 1.2 + 0.5 * len(table) / max(len(kpis), 1) * len(kpis)),
                             squeeze=False)
    for ax, kpi in zip(axes[:, 0], kpis, strict=True):
        t = table[table["kpi"] == kpi].iloc[::-1]
        mean = t["mean"].iloc[0]
        ypos = np.arange(len(t))
        ax.barh(ypos, t["low"] - mean, left=mean, color="tab:blue", label="lowest third")
        ax.barh(ypos, t["high"] - mean, left=mean, color="tab:orange", label="highest third")
        ax.axvline(mean, color="k", lw=0.8)
        ax.set_yticks(ypos, t["parameter"])
        ax.set_title(f"{kpi} [{KPI_UNITS.get(kpi, '')}]", fontsize=9)
    axes[0, 0].legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _plot_scatter(rows: pd.DataFrame, params: list[Parameter], kpi: str, path: Path) -> Path:
    from twin.plotting import pyplot

    plt = pyplot()
    fig, axes = plt.subplots(1, len(params), figsize=(3 * len(params), 3), squeeze=False, sharey=True)
    for ax, p in zip(axes[0], params, strict=True):
        x = rows[p.label]
        if not pd.api.types.is_numeric_dtype(x):
            x = x.astype("category").cat.codes
        ax.scatter(x, rows[kpi], s=8, alpha=0.7)
        ax.set_xlabel(p.label, fontsize=8)
    axes[0, 0].set_ylabel(f"{kpi} [{KPI_UNITS.get(kpi, '')}]")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ---------------------------------------------------------------------------- command line

def register_cli(subparsers) -> None:
    """Add ``twin sweep FILE --out DIR``, ``twin sweep status DIR`` and ``twin sweep schema [DIR]``."""
    p = subparsers.add_parser(
        "sweep", help="run a parameter sweep (grid, LHS, Sobol, Morris) on dask; resumable",
        description="Run the missing variants of a sweep file on a dask cluster and analyse them. "
                    "'twin sweep status DIR' shows how many variants are done.",
    )
    p.add_argument("file", help="sweep file (scenarios/sweeps/*.toml), or 'status', or 'schema'")
    p.add_argument("dir", nargs="?", help="with 'status': the sweep's results directory; with 'schema': "
                   "the folder for sweep.schema.json (default: schemas)")
    p.add_argument("--out", help="results directory (default results/sweep-NAME)")
    p.add_argument("--scheduler", help="address of a running dask scheduler, e.g. tcp://10.0.0.5:8786 "
                   "(default: $DASK_SCHEDULER_ADDRESS, else a local cluster)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="override applied to the base of every variant (recorded in the manifest)")
    p.add_argument("--workers", metavar="N", help="local cluster: worker processes (default: one per core)")
    p.add_argument("--serial", action="store_true", help="run in this process, without dask")
    p.add_argument("--force", action="store_true", help="discard results of another definition in --out")
    p.add_argument("--status", action="store_true", help="only show done/total for FILE's --out")
    p.add_argument("--no-reuse", action="store_true", help="recompute weather and occupancy for every variant")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cli_sweep, handler=cli_sweep)  # cli.py dispatches on args.func


def _print_status(st: dict) -> None:
    print(f"{st['name']} ({st['design']}): {st['done']}/{st['total']} variants done"
          + (f", {st['failed']} failed" if st["failed"] else ""))


def cli_sweep(args, console=None) -> int:
    """Handler of ``twin sweep`` (``console`` accepted for cli.py, unused); returns the exit status."""
    if args.file == "status":
        if not args.dir:
            raise TwinError("twin sweep status DIR: missing the results directory")
        _print_status(status(args.dir))
        return 0
    if args.file == "schema":
        from twin.paths import check_output_dir

        dest = check_output_dir(args.dir or "schemas", option="twin sweep schema", force=args.force)
        dest.mkdir(parents=True, exist_ok=True)
        (dest / "sweep.schema.json").write_text(json.dumps(sweep_json_schema(), indent=2, default=str) + "\n")
        print(f"wrote {dest / 'sweep.schema.json'}")
        return 0
    if args.dir:
        raise TwinError(f"twin sweep {args.file} {args.dir}: unexpected argument '{args.dir}' (use --out DIR)")
    if args.serial and args.scheduler:
        raise TwinError("--serial and --scheduler exclude each other")
    args.workers = check_workers(args.workers)
    from twin.dotted import parse_assignments

    set_overrides = parse_assignments(args.set)
    sweep = load_sweep(args.file, set_overrides=set_overrides)
    out = Path(args.out) if args.out else Path("results") / f"sweep-{sweep.name}"
    if args.status:
        _print_status(status(out))
        return 0
    from twin.paths import check_output_dir

    check_output_dir(out, force=args.force)  # before hours of runs, not after
    # `kill PID` ends like Ctrl-C: rows flushed, lock removed, one line, no traceback from dask.
    with sigterm_as_interrupt():
        res = run_sweep(args.file, out, scheduler=args.scheduler, serial=args.serial, workers=args.workers,
                        force=args.force, reuse=not args.no_reuse, progress=not args.no_progress,
                        set_overrides=set_overrides)
    _print_status(status(out))
    for vid, msg in list(res.failed.items())[:10]:
        print(f"variant {vid} failed: {msg}")
    if len(res.failed) > 10:  # a lost scheduler fails every pending variant with the same message
        print(f"... and {len(res.failed) - 10} more, listed in {out}/failed.json")
    print(f"results in {out}/results.parquet, analysis in {out}/analysis/")
    return 0 if not res.failed else 1
