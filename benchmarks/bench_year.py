"""Seconds and peak memory per simulated year of the default scenario.

Run by hand (never in the test suite): ``python benchmarks/bench_year.py [--repeat N] [--step-s S]``.
Reports the wall time of each phase (loading, weather, the discrete-event occupancy, the other
exogenous series, the simpy run of the physics) and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
from pathlib import Path

import pandas as pd

import twin
from twin import engine
from twin.weather import load_weather

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--step-s", type=int, default=900)
    args = parser.parse_args()
    for k in range(args.repeat):
        t0 = time.perf_counter()
        scenario = twin.load_scenario(ROOT / "scenarios" / "baseline.toml", **{"period.step_s": args.step_s})
        t1 = time.perf_counter()
        weather = load_weather(scenario.weather.source, year=2027, seed=scenario.seed)
        t2 = time.perf_counter()
        start = pd.Timestamp(scenario.period.start).tz_localize(dt.timezone(dt.timedelta(hours=weather.tz_offset_h)))
        step = pd.Timedelta(seconds=scenario.period.step_s)
        times = pd.date_range(start + step, start + pd.Timedelta(days=365), freq=step)
        t2b = time.perf_counter()
        occupancy = engine.occupancy_for(scenario.asset, scenario, times)
        t2c = time.perf_counter()
        exo = engine.build_exogenous(scenario.asset, scenario, weather, occupancy=occupancy)
        t3 = time.perf_counter()
        eng = engine.Engine(scenario, exo)
        eng.warm_up(weather)
        eng.run()
        engine.check_energy_balance(eng)
        t4 = time.perf_counter()
        results = twin.simulate(scenario, weather=weather)
        t5 = time.perf_counter()
        n = exo.n_steps
        print(
            f"run {k + 1}: load {t1 - t0:.2f} s, weather {t2 - t1:.2f} s, occupancy {t2c - t2b:.2f} s "
            f"({occupancy.kpis['log_events'] if occupancy is not None else 0} events), "
            f"exogenous with occupancy given {t3 - t2c:.2f} s, "
            f"simpy run {t4 - t3:.2f} s ({(t4 - t3) / n * 1e6:.0f} us/step, {n} steps), "
            f"full simulate() with known weather {t5 - t4:.2f} s"
        )
        assert results.summary["balance"]["energy_error_kwh"] < 1e-3
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
