"""``twin explore``: a local web page to move design variables and see the year change (issue 18).

A small ASGI app (starlette, served by uvicorn on 127.0.0.1) with one static page and a JSON API:

- ``GET /`` the page (``twin/data/explore.html``, plain HTML/JS, figures drawn as inline SVG);
- ``GET /api/controls`` the design variables: unit, range and the scenario's own value;
- ``POST /api/evaluate`` ``{"values": {control: text}, "seeds": n}`` -> indicators of the option and
  the baseline, paired differences per seed (P10/P50/P90 with several seeds) and figure data;
- ``POST /api/save`` writes the settings as an option TOML that ``inherits`` the scenario;
- ``POST /api/export`` writes the comparison (``twin.compare.Comparison.save``: comparison.md, CSVs,
  and ``twin report``'s report.html).

Every run shares its seed's weather year and occupancy realisation with the baseline (common random
numbers, as ``twin compare``). Runs are cached by input; a request that arrives while another
simulates supersedes it: the older one stops within a simulated day (``twin.simulate(...,
cancel=...)``) and answers ``superseded``. With several seeds the first is simulated in the server and
the others at once in small worker processes of lower priority; the page shows the first seed and
then the P10-P90 when the others are in (docs/explore.md). Errors
come back as ``{"error": one line}``: the text of :class:`twin.errors.ScenarioError`, the same as
``twin run --set``; never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import re
import socket
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twin.dotted import get
from twin.errors import Cancelled, ScenarioError, TwinError
from twin.indicators import EXPLORER, REGISTRY
from twin.indicators import value as indicator_value

__all__ = ["CONTROLS", "Control", "Explorer", "Superseded", "make_app", "serve", "register_cli"]

log = logging.getLogger(__name__)

PAGE = Path(__file__).parent / "data" / "explore.html"
MAX_SEEDS = 50  # per evaluation: 50 paired years is already minutes of waiting
#: Runs kept (indicators, figures and summary, ~0.1 MB each): two evaluations at MAX_SEEDS, each the
#: baseline's and the option's years, so that going back to a setting re-runs nothing.
CACHE_SIZE = 4 * MAX_SEEDS
#: Worker processes for the seeds after the first: one per core (2 here), at lower priority than the
#: server, which simulates the first seed and whose core then serves the workers too; at most 4, as each
#: keeps the weather, site inputs and people of its seeds (docs/explore.md, "Several seeds").
SEED_WORKERS = min(4, os.cpu_count() or 1)
WORKER_NICE = 10


@dataclass(frozen=True)
class Control:
    """One design variable of the page.

    Attributes
    ----------
    key
        Name in the page and the API.
    label, unit
        Shown next to the field.
    path
        Dotted override path (``twin run --set``); ``zones.*`` is applied to every zone, and the
        battery's two fields build the ``battery`` table together.
    low, high, step
        Slider range (the field accepts any text; the scenario's validation judges it).
    choices
        For a choice list instead of a number.
    """

    key: str
    label: str
    unit: str
    path: str
    low: float = 0.0
    high: float = 1.0
    step: float = 1.0
    choices: tuple[str, ...] = ()


CONTROLS: tuple[Control, ...] = (
    Control("tank", "Rainwater tank volume", "m³", "rainwater.tank_volume_m3", 2, 100, 1),
    Control("pv", "PV peak power (roof south)", "kWp", "pv.arrays.roof_south.peak_power_kwp", 5, 300, 5),
    Control("hr", "Heat-recovery effectiveness", "–", "ahu.heat_recovery.effectiveness", 0, 0.95, 0.01),
    Control("wall_insulation", "Timber-wall insulation thickness", "m",
            "constructions.timber_frame_wall.layers.insulation.thickness_m", 0.05, 0.50, 0.01),
    Control("roof_insulation", "Roof insulation thickness", "m",
            "constructions.roof_timber.layers.insulation.thickness_m", 0.05, 0.40, 0.01),
    Control("window_u", "Window U", "W/(m²·K)", "envelope.window_u_w_m2k", 0.5, 3.0, 0.05),
    Control("window_g", "Window g", "–", "envelope.window_g_value", 0.1, 0.8, 0.01),
    Control("setpoint", "Heating setpoint, open hours (every zone)", "°C",
            "zones.*.heating.setpoint_open_c", 16, 24, 0.5),
    Control("ev_points", "EV charging points", "points", "ev_charging.points", 0, 30, 1),
    Control("ev_strategy", "EV charging strategy", "", "ev_charging.strategy",
            choices=("immediate", "pv_following", "tariff_aware")),
    Control("battery_kwh", "Battery capacity (0: none)", "kWh", "battery.capacity_kwh", 0, 500, 5),
    Control("battery_kw", "Battery power (0: none)", "kW", "battery.power_kw", 0, 250, 5),
    Control("tariff", "Electricity tariff", "", "tariffs.electricity.kind", choices=("time_of_use", "flat")),
    Control("climate", "Climate", "", "weather.climate", choices=("today", "tracc-2030", "tracc-2050", "tracc-2100")),
)
CONTROL_BY_KEY = {c.key: c for c in CONTROLS}

#: Shown in %: the registry's ratios (unit "-"); everything else in the registry's unit.
_PERCENT = {n: REGISTRY[n].unit == "-" for n in EXPLORER}
#: The page's indicators (twin.indicators.EXPLORER): name -> (label, unit, path, scale, better when lower).
INDICATORS: dict[str, tuple[str, str, tuple[str, ...], float, bool]] = {
    n: (REGISTRY[n].label, "%" if _PERCENT[n] else REGISTRY[n].unit, REGISTRY[n].path,
        REGISTRY[n].scale * (100.0 if _PERCENT[n] else 1.0), REGISTRY[n].lower_is_better)
    for n in EXPLORER
}

#: Override paths that leave the occupancy realisation unchanged under ``zones`` (it depends on the
#: populations, calendar, zones' capacities, period and seed: twin.engine.occupancy_for).
_OCCUPANCY_NEUTRAL_ZONE_PARTS = (".heating.",)
_OCCUPANCY_PATHS = ("occupancy", "zones", "calendar", "period", "seed", "profiles", "building")


def _overrides_key(overrides: dict[str, Any]) -> str:
    """The cache key of an option: its overrides as canonical JSON."""
    return json.dumps(overrides, sort_keys=True, default=str)


class Superseded(Exception):
    """A newer request arrived: this evaluation stopped (within a simulated day of its running year)."""


def indicators(summary: dict) -> dict[str, float]:
    """The page's indicators of one run (NaN where a system is absent), in the page's units."""
    return {name: indicator_value(summary, name) * (100.0 if _PERCENT[name] else 1.0) for name in INDICATORS}


def figures(results) -> dict[str, Any]:
    """Small series for the page's figures: monthly energy, daily tank level, the hottest week."""
    ts = results.timeseries
    dt_h = (ts.index[1] - ts.index[0]).total_seconds() / 3600.0 if len(ts) > 1 else 0.25
    naive = ts.index.tz_localize(None) if ts.index.tz is not None else ts.index
    frame = ts.set_axis(naive)
    energy = frame[["district_heat_kw", "grid_import_kw", "pv_kw", "grid_export_kw"]] * dt_h
    monthly = energy.resample("MS").sum()
    monthly = monthly[energy["pv_kw"].resample("MS").count() * dt_h >= 24.0]  # drop a stub month at the end
    out: dict[str, Any] = {
        "months": [d.strftime("%Y-%m") for d in monthly.index],
        "monthly_kwh": {c.removesuffix("_kw"): _floats(monthly[c]) for c in monthly.columns},
    }
    if "tank_level_m3" in frame:
        daily = frame["tank_level_m3"].resample("D").mean()
        out["tank_days"] = [d.strftime("%m-%d") for d in daily.index]
        out["tank_level_m3"] = _floats(daily)
    zone = results.summary["comfort"].get("re2020", {}).get("dh_zone") or results.summary["meta"]["zones"][0]
    hourly = frame[[f"{zone}.temp_op_c", "temp_out_c"]].resample("h").mean()
    daily_out = hourly["temp_out_c"].resample("D").mean()
    start = max(daily_out.idxmax() - pd.Timedelta(days=3), hourly.index[0])
    week = hourly.loc[start:start + pd.Timedelta(days=7) - pd.Timedelta(hours=1)]
    out["week"] = {"zone": zone, "start": week.index[0].strftime("%Y-%m-%d"),
                   "temp_op_c": _floats(week[f"{zone}.temp_op_c"]), "temp_out_c": _floats(week["temp_out_c"])}
    return out


def _floats(series: pd.Series) -> list[float | None]:
    return [None if not math.isfinite(v) else round(float(v), 3) for v in series.to_numpy(dtype=float)]


def _clean(value: Any) -> Any:
    """JSON-safe: NaN -> None, numpy scalars -> float."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(float(value)) else float(value)
    return value


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)


def _describe(overrides: dict[str, Any]) -> str:
    """'path = value, ...' with the per-zone setpoints folded into one ``zones.*`` entry."""
    items: dict[str, Any] = {}
    for path, value in overrides.items():
        items[re.sub(r"^zones\.[^.]+\.", "zones.*.", path)] = value
    return ", ".join(f"{k} = {v}" for k, v in items.items()) or "no change"


@dataclass
class _Run:
    indicators: dict[str, float]
    figures: dict[str, Any]
    summary: dict = field(repr=False)


class Explorer:
    """The state behind the page: the scenario, its baseline runs and the cache.

    Parameters
    ----------
    scenario
        Scenario file (the baseline of every comparison).
    overrides
        Dotted overrides applied to the baseline and every option (``--set``, e.g. a short period).
    seeds
        Number of seeds by default (the scenario's seed and the next ones).
    out_dir
        Folder for saved options and exports.
    workers
        Worker processes for the seeds after the first (0: every seed in this process). Started when
        an evaluation first asks for several seeds; :meth:`close` stops them.
    """

    def __init__(self, scenario: str | Path, overrides: dict[str, Any] | None = None, seeds: int = 1,
                 out_dir: str | Path = "explore", workers: int = SEED_WORKERS) -> None:
        from twin.scenario import load_scenario

        self.path = Path(scenario)
        self.overrides = dict(overrides or {})
        self.base = load_scenario(self.path, **self.overrides)
        if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= MAX_SEEDS:
            raise ScenarioError(f"--seeds {seeds!r}: expected a whole number from 1 to {MAX_SEEDS}")
        self.seeds = seeds
        self.out_dir = Path(out_dir)
        self._sources = self._source_values()
        self._runs: OrderedDict[tuple, _Run] = OrderedDict()
        self._weather: OrderedDict[tuple, Any] = OrderedDict()
        self._occupancy: OrderedDict[tuple, Any] = OrderedDict()
        self._site: OrderedDict[tuple, Any] = OrderedDict()
        self._scenarios: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()  # one simulation at a time in this process (numba kernel)
        self._cache_lock = threading.RLock()  # the run cache, also filled from the workers' answers
        import multiprocessing

        self._mp = multiprocessing.get_context("spawn")  # never fork a process running threads
        self._generation = self._mp.RawValue("q", 0)  # shared with the workers: their cancel reads it
        self._generation_lock = threading.Lock()
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
            raise ScenarioError(f"explore: workers {workers!r}: expected a whole number >= 0")
        self.workers = workers
        self._pools: list[ProcessPoolExecutor] = []
        self._pending: dict[tuple, tuple[int | None, Future]] = {}
        self._absorbed: weakref.WeakSet[Future] = weakref.WeakSet()
        self.stats = {"runs": 0, "cache_hits": 0, "superseded": 0, "worker_runs": 0}

    # ------------------------------------------------------------------ controls and overrides
    def _source_values(self) -> dict[str, Any]:
        model = self.base.asset.model_dump(mode="json")
        scenario = self.base.model_dump(mode="json", exclude={"asset"})
        values: dict[str, Any] = {}
        for c in CONTROLS:
            if c.key == "setpoint":
                points = {z["heating"]["setpoint_open_c"] for z in model["zones"]}
                values[c.key] = points.pop() if len(points) == 1 else None
                continue
            parts = tuple(c.path.split("."))
            node = scenario if parts[0] in scenario else model
            value = get(node, parts)
            if c.key.startswith("battery") and value is None:
                value = 0.0
            if c.key == "climate" and value is None:
                value = "today"
            values[c.key] = value
        return values

    def controls(self) -> list[dict[str, Any]]:
        """The controls with their unit, range and the scenario's value (JSON for the page)."""
        return [{**asdict(c), "choices": list(c.choices), "source": self._sources[c.key]} for c in CONTROLS]

    def overrides_for(self, values: dict[str, Any]) -> dict[str, Any]:
        """Dotted overrides of the page's field values; fields equal to the scenario's are left out.

        Text is parsed as ``twin run --set`` parses it (a TOML value, else a bare string), so a bad
        field ends in the same :class:`ScenarioError` as the CLI.

        Raises
        ------
        ScenarioError
            On an unknown control or a bad value.
        """
        from twin.dotted import parse_value

        parsed: dict[str, Any] = {}
        for key, raw in values.items():
            if key not in CONTROL_BY_KEY:
                raise ScenarioError(f"explore: unknown control {key!r}; expected one of {', '.join(CONTROL_BY_KEY)}")
            value = parse_value(raw.strip()) if isinstance(raw, str) else raw
            if isinstance(value, str) and value == "":
                continue
            if isinstance(value, int | float) and not isinstance(value, bool) and isinstance(self._sources[key], float):
                value = float(value)
            if value != self._sources[key]:
                parsed[key] = value
        out: dict[str, Any] = {}
        for key, value in parsed.items():
            c = CONTROL_BY_KEY[key]
            if key == "setpoint":
                for zone in self.base.asset.zones:
                    out[f"zones.{zone.name}.heating.setpoint_open_c"] = value
            elif key.startswith("battery"):
                continue
            else:
                out[c.path] = value
        if "battery_kwh" in parsed or "battery_kw" in parsed:
            kwh = parsed.get("battery_kwh", self._sources["battery_kwh"])
            kw = parsed.get("battery_kw", self._sources["battery_kw"])
            if kwh == 0 and kw == 0:
                out["battery"] = None
            elif self._sources["battery_kwh"]:  # the scenario's battery: keep its other settings
                if "battery_kwh" in parsed:
                    out["battery.capacity_kwh"] = kwh
                if "battery_kw" in parsed:
                    out["battery.power_kw"] = kw
            else:
                out["battery"] = {"capacity_kwh": kwh, "power_kw": kw}
        self.load(out, self.base.seed)  # validate now: one line, as the CLI (and kept for the first seed's run)
        return out

    def load(self, overrides: dict[str, Any], seed: int | None = None):
        """The scenario with the app's and these overrides (and a seed), validated; the last few are kept
        (a change validates its option, then runs it: one load)."""
        from twin.scenario import load_scenario

        extra = {"seed": seed} if seed is not None else {}
        key = (_overrides_key(overrides), seed)
        return self._cached(self._scenarios, key,
                            lambda: load_scenario(self.path, **{**self.overrides, **overrides, **extra}), size=16)

    # ------------------------------------------------------------------ simulations
    def seed_list(self, n: int | None = None) -> list[int]:
        """The scenario's seed and the next ``n - 1``."""
        if n is None:
            n = self.seeds
        elif isinstance(n, bool) or not isinstance(n, int | float | str) or not str(n).strip().isdigit():
            raise ScenarioError(f"explore: seeds {n!r}: expected a whole number from 1 to {MAX_SEEDS}")
        n = int(n)
        if not 1 <= n <= MAX_SEEDS:
            raise ScenarioError(f"explore: seeds {n}: expected a whole number from 1 to {MAX_SEEDS}")
        return [self.base.seed + i for i in range(n)]

    def _cached(self, cache: OrderedDict, key: tuple, make: Callable[[], Any], size: int = 8) -> Any:
        with self._cache_lock:  # the request threads validate while a run reads (never held in make())
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        value = make()
        with self._cache_lock:
            cache[key] = value
            while len(cache) > size:
                cache.popitem(last=False)
        return value

    def _inputs(self, scenario, overrides: dict[str, Any]):
        """The weather year, its site inputs and the occupancy realisation shared by every run of this seed
        (and climate)."""
        from twin.api import scenario_weather, weather_key
        from twin.engine import occupancy_for, period_times, site_inputs

        # The scenario's own weather (climate and heatwave included), shared by the runs with the same key.
        wkey = weather_key(scenario)
        weather = self._cached(self._weather, wkey, lambda: scenario_weather(scenario))
        skey = (wkey, scenario.period.start, scenario.period.end, scenario.period.step_s)
        site = self._cached(self._site, skey, lambda: site_inputs(scenario, weather))
        touches = [p for p in overrides if p.split(".", 1)[0] in _OCCUPANCY_PATHS
                   and not (p.startswith("zones.") and any(s in p for s in _OCCUPANCY_NEUTRAL_ZONE_PARTS))]
        if touches:
            return weather, None, site
        tz = dt.timezone(dt.timedelta(hours=weather.tz_offset_h))
        okey = (scenario.seed, scenario.period.start, scenario.period.end, scenario.period.step_s, weather.tz_offset_h)
        occupancy = self._cached(self._occupancy, okey,
                                 lambda: occupancy_for(scenario.asset, scenario, period_times(scenario, tz)[2]))
        return weather, occupancy, site

    def cached(self, overrides: dict[str, Any], seed: int, detail: bool = False) -> _Run | None:
        """The cached run of these overrides and seed, or None (a run with ``detail`` serves both)."""
        ov = _overrides_key(overrides)
        with self._cache_lock:
            for key in ((ov, seed, True),) if detail else ((ov, seed, False), (ov, seed, True)):
                if key in self._runs:
                    self._runs.move_to_end(key)
                    self.stats["cache_hits"] += 1
                    return self._runs[key]
        return None

    def _store(self, overrides: dict[str, Any], seed: int, detail: bool, run: _Run) -> None:
        with self._cache_lock:
            self._runs[(_overrides_key(overrides), seed, detail)] = run
            while len(self._runs) > CACHE_SIZE:
                self._runs.popitem(last=False)

    def run(self, overrides: dict[str, Any], seed: int, cancel: Callable[[], bool] | None = None,
            detail: bool = False) -> _Run:
        """One run of the scenario with these overrides and seed, from the cache when it has it.

        Parameters
        ----------
        overrides, seed
            The option (dotted overrides on top of the app's) and the seed.
        cancel
            Passed to :func:`twin.simulate`: asked once per simulated day, True stops the run
            (:class:`twin.errors.Cancelled`, nothing cached).
        detail
            The full summary (``twin.simulate(..., detail=True)``, for the export); the page's runs
            leave out the advice it never shows, with the same indicator values.
        """
        run = self.cached(overrides, seed, detail)
        if run is not None:
            return run
        from twin.api import simulate

        scenario = self.load(overrides, seed)
        weather, occupancy, site = self._inputs(scenario, overrides)
        results = simulate(scenario, weather=weather, occupancy=occupancy, site=site, cancel=cancel, detail=detail)
        run = _Run(indicators(results.summary), figures(results), results.summary)
        self.stats["runs"] += 1
        self._store(overrides, seed, detail, run)
        return run

    @property
    def generation(self) -> int:
        """The number of the latest request (:meth:`supersede`)."""
        return self._generation.value

    def supersede(self) -> int:
        """Start a new request: older evaluations stop within a simulated day. Returns its number."""
        with self._generation_lock:
            self._generation.value += 1
            return self._generation.value

    def stale(self, generation: int | None) -> bool:
        """True when a request newer than ``generation`` arrived (None: never)."""
        return generation is not None and generation != self._generation.value

    def _pair(self, overrides: dict[str, Any], seed: int, generation: int | None) -> tuple[_Run, _Run]:
        """The baseline and the option of one seed in this process; a newer request stops them."""
        out = []
        for ov in ({}, overrides):
            if self.stale(generation):
                raise Superseded()
            try:
                out.append(self.run(ov, seed, cancel=None if generation is None else lambda: self.stale(generation)))
            except Cancelled:
                raise Superseded() from None
        return out[0], out[1]

    def _submit(self, overrides: dict[str, Any], seed: int, generation: int | None, index: int,
                need_base: bool) -> Future:
        """The baseline (when ``need_base``) and the option of one seed in a worker process; seed
        ``index`` always goes to the same worker, which keeps that seed's weather, site inputs and people.
        The answer goes to the run cache when it comes, whether or not a request still waits for it."""
        key = (_overrides_key(overrides), seed)
        with self._cache_lock:
            known = self._pending.get(key)
            if known is not None and known[0] == generation and not known[1].cancelled() and not (
                    known[1].done() and known[1].exception() is not None):
                return known[1]
            if not self._pools:
                self._pools = [ProcessPoolExecutor(1, mp_context=self._mp, initializer=_worker_start,
                                                   initargs=(str(self.path), self.overrides, self._generation))
                               for _ in range(self.workers)]
            future = self._pools[index % len(self._pools)].submit(_worker_pair, overrides, seed, generation, need_base)
            self._pending[key] = (generation, future)
        future.add_done_callback(lambda done: self._absorb(overrides, seed, done))
        return future

    def _absorb(self, overrides: dict[str, Any], seed: int, future: Future) -> None:
        """A worker's answer into the run cache, once (a cancelled or failed one leaves nothing): from the
        future's callback, and from the request that waited for it, whichever comes first."""
        key = (_overrides_key(overrides), seed)
        with self._cache_lock:
            if future in self._absorbed:
                return
            self._absorbed.add(future)
            if self._pending.get(key, (None, None))[1] is future:
                del self._pending[key]
            if future.cancelled() or future.exception() is not None:
                return
            base, option = future.result()
            for ov, run in (({}, base), (overrides, option)):
                if run is not None:
                    self._store(ov, seed, False, run)
                    self.stats["worker_runs"] += 1

    def _collect(self, overrides: dict[str, Any], seed: int, future: Future, generation: int | None,
                 base_known: _Run | None) -> tuple[_Run, _Run]:
        """A worker's pair (``base_known`` when the worker was not asked for the baseline); a cancelled
        one is :class:`Superseded`. If a worker could not start or died, the workers are dropped and the
        seed runs in this process."""
        try:
            base, option = future.result()
        except (Cancelled, CancelledError):
            raise Superseded() from None
        except BrokenProcessPool as exc:
            log.warning("explore: a seed worker stopped (%s); every seed runs in the server from now on", exc)
            self.workers = 0
            self._stop_pools()
            with self._lock:
                return self._pair(overrides, seed, generation)
        self._absorb(overrides, seed, future)
        return (base if base is not None else base_known), option

    def close(self) -> None:
        """Stop the worker processes (their running year is cancelled within a simulated day)."""
        self.supersede()
        self._stop_pools()

    def _stop_pools(self) -> None:
        with self._cache_lock:
            pools, self._pools = self._pools, []
            self._pending.clear()
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)

    def evaluate(self, values: dict[str, Any], seeds: int | None = None, generation: int | None = None,
                 wait: bool = True) -> dict:
        """Indicators of the option and the baseline, their paired differences and the figures.

        Parameters
        ----------
        values
            The page's field values by control key (text or numbers).
        seeds
            Number of seeds (default: the app's).
        generation
            From :meth:`supersede`; a newer one stops this evaluation with :class:`Superseded`,
            within a simulated day of the running year.
        wait
            False answers as soon as the first seed is in (``pending`` lists the seeds still
            simulating in the workers; ask again with the same ``generation`` for all of them).

        Raises
        ------
        ScenarioError
            On a bad field (one line, as the CLI).
        Superseded
            When a newer request arrived.
        """
        t0 = time.perf_counter()
        overrides = self.overrides_for(values)
        seed_list = self.seed_list(seeds)
        try:
            pairs = self._pairs(overrides, seed_list, generation, wait)
        except Superseded:
            self.stats["superseded"] += 1
            raise
        done = [seed for seed in seed_list if seed in pairs]
        base_runs, opt_runs = [pairs[s][0] for s in done], [pairs[s][1] for s in done]
        rows = {}
        for name, (label, unit, _path, _scale, lower) in INDICATORS.items():
            diffs = np.array([o.indicators[name] - b.indicators[name] for b, o in zip(base_runs, opt_runs, strict=True)])
            opt = np.array([o.indicators[name] for o in opt_runs])
            base = np.array([b.indicators[name] for b in base_runs])
            finite = diffs[np.isfinite(diffs)]
            rows[name] = {
                "label": label, "unit": unit, "lower_is_better": lower,
                "value": float(np.median(opt)) if np.isfinite(opt).any() else None,
                "baseline": float(np.median(base)) if np.isfinite(base).any() else None,
                "diff": float(np.median(finite)) if finite.size else None,
                "diff_p10": float(np.quantile(finite, 0.1)) if finite.size else None,
                "diff_p90": float(np.quantile(finite, 0.9)) if finite.size else None,
                "diffs": diffs.tolist(),
            }
        meta = base_runs[0].summary["meta"]
        answer = _clean({
            "overrides": overrides, "seeds": done, "pending": [s for s in seed_list if s not in pairs],
            "generation": generation, "indicators": rows,
            "period": {"start": meta["start"], "end": meta["end"],
                       "fraction_of_year": meta.get("period_fraction_of_year", 1.0)},
        })
        # The figures are JSON-safe as built (figures(): None for NaN): ~2,000 values not walked again.
        answer["figures"] = {"option": opt_runs[0].figures, "baseline": base_runs[0].figures}
        answer["elapsed_s"] = time.perf_counter() - t0
        return answer

    def _pairs(self, overrides: dict[str, Any], seed_list: list[int], generation: int | None,
               wait: bool) -> dict[int, tuple[_Run, _Run]]:
        """(baseline, option) by seed: the first in this process, the others in the workers meanwhile."""
        pairs: dict[int, tuple[_Run, _Run]] = {}
        futures: dict[int, Future] = {}
        bases: dict[int, _Run | None] = {}
        for index, seed in enumerate(seed_list):
            base, option = self.cached({}, seed), self.cached(overrides, seed)
            if base is not None and option is not None:
                pairs[seed] = (base, option)
            elif index and self.workers:
                bases[seed] = base
                futures[seed] = self._submit(overrides, seed, generation, index - 1, need_base=base is None)
        with self._lock:
            for seed in seed_list:
                if seed not in pairs and seed not in futures:
                    pairs[seed] = self._pair(overrides, seed, generation)
        for seed, future in futures.items():
            if wait or future.done():
                pairs[seed] = self._collect(overrides, seed, future, generation, bases[seed])
        return pairs

    def warm(self) -> None:
        """Run the baseline for the default seeds now (in a background thread at start-up), so the
        page's first answer is a cache hit; a failure is logged, and the page will show it as one line."""
        try:
            self.evaluate({})
        except Exception as exc:  # the page's own request reports it; no traceback on the terminal
            log.warning("explore: baseline not pre-computed: %s", str(exc).splitlines()[0] if str(exc) else exc)

    # ------------------------------------------------------------------ save and export
    def save_option(self, name: str, values: dict[str, Any]) -> Path:
        """Write the settings as ``out_dir/<name>.toml``, an option that ``inherits`` the scenario.

        The app's own ``--set`` overrides (e.g. a short period) are not written: the option is a
        design, run over the scenario's period by ``twin compare``.
        """
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name or ""):
            raise ScenarioError(f"explore: option name {name!r}: expected letters, digits, '-', '_' or '.' "
                                "(up to 64, no folder)")
        overrides = self.overrides_for(values)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        target = self.out_dir / f"{name}.toml"
        inherits = os.path.relpath(self.path.resolve(), target.parent.resolve())
        lines = [
            f"# Design option saved by `twin explore` on {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}.",
            f"inherits = {_toml_value(Path(inherits).as_posix())}",
            f"name = {_toml_value(name)}",
            f"description = {_toml_value('Saved from twin explore: ' + _describe(overrides))}",
            "",
            "[overrides]",
        ]
        for path, value in overrides.items():
            if value is None:
                raise ScenarioError("explore: an option cannot remove the scenario's battery; set a battery "
                                    "or keep the scenario's")
            lines.append(f"{_toml_value(path)} = {_toml_value(value)}")
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        from twin.scenario import load_scenario

        load_scenario(target)  # it must load as written
        return target

    def export(self, values: dict[str, Any], seeds: int | None = None, name: str = "explore") -> Path:
        """Write the comparison of the current settings against the baseline (``twin compare`` files).

        Returns the folder holding comparison.md, runs.csv, differences.csv, summary.csv and the
        self-contained report.html of ``twin report``.
        """
        from twin.compare import Comparison, kpi_row

        overrides = self.overrides_for(values)
        option = re.sub(r"[^A-Za-z0-9_.-]", "-", name or "explore")[:64] or "explore"
        rows, caveats = [], []
        with self._lock:
            for seed in self.seed_list(seeds):
                for label, ov in ((self.base.name, {}), (option, overrides)):
                    run = self.run(ov, seed, detail=True)  # twin compare's rows read the advice too
                    rows.append({"scenario": label, "seed": seed, **kpi_row(run.summary)})
                    caveats = caveats or list(run.summary["meta"].get("caveats", []))
        out = self.out_dir / f"comparison-{option}"
        comparison = Comparison(pd.DataFrame(rows), self.base.name, caveats)
        comparison.save(out)
        extra = ["", "Settings: " + (", ".join(f"`{k} = {v}`" for k, v in overrides.items()) or "none")]
        with (out / "comparison.md").open("a", encoding="utf-8") as fh:
            fh.write("\n".join(extra) + "\n")
        from twin.report import write_report

        write_report(out)  # report.html, as `twin report DIR`
        return out


# ---------------------------------------------------------------------------------- seed workers
_WORKER: dict[str, Any] = {}


def _worker_start(path: str, overrides: dict[str, Any], generation) -> None:
    """Initializer of a seed worker: lower priority (the page's first seed comes first) and its own
    explorer, whose caches keep the weather, site inputs and people of the seeds it is given."""
    try:
        os.nice(WORKER_NICE)
    except OSError:  # not allowed here: the workers simply compete as equals
        pass
    _WORKER["explorer"] = Explorer(path, overrides, seeds=1, workers=0)
    _WORKER["generation"] = generation


def _worker_pair(overrides: dict[str, Any], seed: int, generation: int | None,
                 need_base: bool) -> tuple[_Run | None, _Run]:
    """In a worker: the baseline (when the server lacks it) and the option of one seed.

    Raises :class:`twin.errors.Cancelled` within a simulated day once the server's request number
    moves past ``generation``.
    """
    explorer, shared = _WORKER["explorer"], _WORKER["generation"]
    cancel = None if generation is None else (lambda: shared.value != generation)
    base = explorer.run({}, seed, cancel=cancel) if need_base else None
    return base, explorer.run(overrides, seed, cancel=cancel)


# ---------------------------------------------------------------------------------- web app
def make_app(explorer: Explorer):
    """The starlette app of an :class:`Explorer`."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse
    from starlette.routing import Route

    def error(message: str, status: int = 400) -> JSONResponse:
        return JSONResponse({"error": message.splitlines()[0] if message else "error"}, status_code=status)

    async def body(request: Request) -> dict:
        try:
            data = await request.json()
        except ValueError:
            raise ScenarioError("explore: the request body must be a JSON object") from None
        if not isinstance(data, dict) or not isinstance(data.get("values", {}), dict):
            raise ScenarioError("explore: expected {\"values\": {control: value}, ...}")
        return data

    def guarded(handler):
        async def wrapped(request: Request):
            try:
                return await handler(request)
            except Superseded:
                return JSONResponse({"superseded": True}, status_code=409)
            except TwinError as exc:
                return error(str(exc))
            except Exception as exc:  # never a traceback to the page; the log keeps it
                log.exception("explore: %s", exc)
                return error(f"explore: internal error ({type(exc).__name__}); see the server's log", 500)
        return wrapped

    async def page(_request: Request):
        return HTMLResponse(PAGE.read_text(encoding="utf-8"))

    async def controls(_request: Request):
        return JSONResponse(_clean({"scenario": explorer.base.name, "seeds": explorer.seeds,
                                    "app_overrides": {k: str(v) for k, v in explorer.overrides.items()},
                                    "controls": explorer.controls()}))

    async def evaluate(request: Request):
        data = await body(request)
        follow = data.get("generation")  # the rest of the seeds of an answer already shown: not a new change
        generation = follow if isinstance(follow, int) and not isinstance(follow, bool) else explorer.supersede()
        result = await run_in_threadpool(explorer.evaluate, data.get("values", {}), data.get("seeds"), generation,
                                         not data.get("progressive"))
        return JSONResponse(result)

    async def save(request: Request):
        data = await body(request)
        path = await run_in_threadpool(explorer.save_option, str(data.get("name", "")), data.get("values", {}))
        return JSONResponse({"path": str(path)})

    async def export(request: Request):
        data = await body(request)
        out = await run_in_threadpool(explorer.export, data.get("values", {}), data.get("seeds"),
                                      str(data.get("name") or "explore"))
        return JSONResponse({"path": str(out / "comparison.md"), "report": str(out / "report.html")})

    routes = [
        Route("/", page),
        Route("/api/controls", guarded(controls)),
        Route("/api/evaluate", guarded(evaluate), methods=["POST"]),
        Route("/api/save", guarded(save), methods=["POST"]),
        Route("/api/export", guarded(export), methods=["POST"]),
    ]
    return Starlette(routes=routes)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(explorer: Explorer, port: int = 0, background: bool = False):
    """Serve the app on 127.0.0.1; ``port=0`` picks a free one.

    Returns the uvicorn server and its address; with ``background`` it runs in a daemon thread
    (tests; stop it with ``server.should_exit = True``), else this call blocks until Ctrl-C.
    """
    import uvicorn

    port = port or free_port()
    config = uvicorn.Config(make_app(explorer), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    url = f"http://127.0.0.1:{port}/"
    if background:
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not server.started:
            raise TwinError(f"explore: the server did not start on {url}")
        return server, url
    return server, url


# ---------------------------------------------------------------------------------- CLI
def cli_explore(args, console=None) -> int:
    """``twin explore``: build the explorer, print the address, serve until Ctrl-C."""
    from twin.dotted import parse_assignments

    overrides = parse_assignments(args.set or [])
    explorer = Explorer(args.scenario, overrides, seeds=args.seeds, out_dir=args.out)
    if not 0 <= args.port <= 65535:
        raise TwinError(f"--port {args.port}: expected 0..65535 (0: a free port)")
    if args.port:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", args.port))
            except OSError as exc:
                raise TwinError(f"--port {args.port}: cannot listen on 127.0.0.1:{args.port} "
                                f"({exc.strerror or exc}); choose another port or --port 0") from None
    server, url = serve(explorer, args.port)
    threading.Thread(target=explorer.warm, daemon=True).start()  # the baseline while the browser opens
    print(f"twin explore: {explorer.base.name} on {url}  (Ctrl-C to stop)", flush=True)
    try:
        server.run()
    except OSError as exc:
        raise TwinError(f"explore: cannot listen on {url}: {exc.strerror or exc}") from None
    finally:
        explorer.close()
    return 0


def register_cli(subparsers) -> None:
    """Add ``twin explore [SCENARIO] [--port P] [--seeds N] [--set PATH=VALUE] [--out DIR]`` (docs/explore.md)."""
    p = subparsers.add_parser("explore", help="local web page: move design variables, see the year change",
                              description="Serve a page on 127.0.0.1 where design variables re-simulate the "
                                          "year against the baseline, with common random numbers.")
    p.add_argument("scenario", nargs="?", default="scenarios/baseline.toml", help="baseline scenario")
    p.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765; 0: a free one)")
    p.add_argument("--seeds", type=int, default=1, help="seeds per evaluation by default (P10-P90 with several)")
    p.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override for the baseline and every option, e.g. period.end=2027-02-01")
    p.add_argument("--out", default="explore", help="folder for saved options and exports (default explore/)")
    p.set_defaults(func=cli_explore)
