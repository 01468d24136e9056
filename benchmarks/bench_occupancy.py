"""Seconds per simulated year of the discrete-event occupancy, cold and warm.

Run by hand (never in the test suite): ``python benchmarks/bench_occupancy.py [--repeat N] [--step-s S]``.
The default scenario (``scenarios/baseline.toml``, one year) is simulated ``1 + repeat`` times in
one process: the first call is *cold* (first use of the calendar's holiday tables, of scipy's
special functions and of any compiled kernel in this process), the others are *warm*, as in a
sweep that runs many seeds in one worker. It reports the time of the import of
``twin.systems.occupancy``, of each call and the number of logged events (arrivals, departures,
refusals) and presence intervals.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="warm calls after the cold one")
    parser.add_argument("--step-s", type=int, default=900, help="step length [s]")
    parser.add_argument("--seed", type=int, default=None, help="scenario seed (default: the scenario's)")
    args = parser.parse_args()

    t0 = time.perf_counter()
    from twin.systems.occupancy import simulate_occupancy  # imported here to time the import
    t_import_s = time.perf_counter() - t0

    import twin

    scenario = twin.load_scenario(ROOT / "scenarios" / "baseline.toml", **{"period.step_s": args.step_s})
    model = scenario.asset
    seed = scenario.seed if args.seed is None else args.seed
    start = pd.Timestamp(scenario.period.start).tz_localize("Etc/GMT-1")  # local standard time, UTC+01:00
    step = pd.Timedelta(seconds=args.step_s)
    times = pd.date_range(start + step, pd.Timestamp(scenario.period.end).tz_localize("Etc/GMT-1"), freq=step)
    print(f"import twin.systems.occupancy: {t_import_s:.3f} s; {len(times)} steps of {args.step_s} s")

    warm = []
    for k in range(1 + args.repeat):
        t1 = time.perf_counter()
        r = simulate_occupancy(model.occupancy, model, times, float(args.step_s), seed)
        elapsed = time.perf_counter() - t1
        label = "cold" if k == 0 else "warm"
        if k:
            warm.append(elapsed)
        print(f"call {k + 1} ({label}): {elapsed:.3f} s, {r.kpis['log_events']} events, "
              f"{r.kpis['visits_total']} visits, {r.sanitary_log.size} fixture uses, {r.ev_sessions.size} EV sessions")
    if warm:
        print(f"warm: best {min(warm):.3f} s, median {sorted(warm)[len(warm) // 2]:.3f} s per simulated year")


if __name__ == "__main__":
    main()
