"""Seconds per simulated year of the discrete-event occupancy, cold and warm.

Run by hand (never in the test suite): ``python benchmarks/bench_occupancy.py [--repeat N] [--step-s S]``.
The default scenario (``scenarios/baseline.toml``, one year) is simulated ``1 + repeat`` times in
one process: the first call is *cold* (first use of the holiday tables and of scipy's special
functions in this process, and the run's civil calendar, cached afterwards), the others are
*warm*, as in a sweep that runs many seeds in one worker. It reports the time of the import of
``twin.systems.occupancy``, of each call and the number of logged events (arrivals, departures,
refusals). Wall time depends on what else the machine runs; CPU time (this process) less so.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="warm calls after the cold one")
    parser.add_argument("--step-s", type=int, default=900, help="step length [s]")
    parser.add_argument("--seed", type=int, default=None, help="scenario seed (default: the scenario's)")
    parser.add_argument("--module", type=Path, default=None,
                        help="time simulate_occupancy from this file instead (e.g. an older version, "
                             "`git show REV:twin/systems/occupancy.py > old.py`), for before/after figures")
    args = parser.parse_args()

    t0 = time.perf_counter()
    if args.module is None:
        from twin.systems.occupancy import simulate_occupancy  # imported here to time the import
    else:
        spec = importlib.util.spec_from_file_location("occupancy_under_test", args.module)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module   # pydantic resolves the annotations through it
        spec.loader.exec_module(module)
        simulate_occupancy = module.simulate_occupancy
    t_import_s = time.perf_counter() - t0

    import twin

    scenario = twin.load_scenario(ROOT / "scenarios" / "baseline.toml", **{"period.step_s": args.step_s})
    model = scenario.asset
    seed = scenario.seed if args.seed is None else args.seed
    start = pd.Timestamp(scenario.period.start).tz_localize("Etc/GMT-1")  # local standard time, UTC+01:00
    step = pd.Timedelta(seconds=args.step_s)
    times = pd.date_range(start + step, pd.Timestamp(scenario.period.end).tz_localize("Etc/GMT-1"), freq=step)
    print(f"import {args.module or 'twin.systems.occupancy'}: {t_import_s:.3f} s; {len(times)} steps of {args.step_s} s")

    warm, warm_cpu = [], []
    for k in range(1 + args.repeat):
        t1, c1 = time.perf_counter(), time.process_time()
        r = simulate_occupancy(model.occupancy, model, times, float(args.step_s), seed)
        elapsed, cpu = time.perf_counter() - t1, time.process_time() - c1
        label = "cold" if k == 0 else "warm"
        if k:
            warm.append(elapsed)
            warm_cpu.append(cpu)
        print(f"call {k + 1} ({label}): {elapsed:.3f} s wall, {cpu:.3f} s CPU; {r.kpis['log_events']} events, "
              f"{r.kpis['visits_total']} visits, {r.sanitary_log.size} fixture uses, {r.ev_sessions.size} EV sessions")
    if warm:
        print(f"warm, per simulated year: best {min(warm):.3f} s wall ({min(warm_cpu):.3f} s CPU), "
              f"median {sorted(warm)[len(warm) // 2]:.3f} s wall ({sorted(warm_cpu)[len(warm) // 2]:.3f} s CPU)")


if __name__ == "__main__":
    main()
