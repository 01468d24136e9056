"""Variants per minute of a sweep of the default scenario (full year), with and without input reuse.

Run by hand (never in the test suite)::

    python benchmarks/bench_sweep.py [--variants 8] [--workers 2] [--serial]

A Latin-hypercube sweep of heat-recovery effectiveness and tank volume (parameters that change
neither the weather nor the people) over the baseline year, seed 1, runs twice into temporary
directories: once with input reuse (the weather year and the occupancy realisation computed once
per worker process) and once recomputing them for every variant. Prints the wall time (cluster
start-up included) and variants per minute of each.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from twin import sweep

ROOT = Path(__file__).resolve().parents[1]

DEFINITION = """
name = "bench"
base = "{base}"
design = "lhs"
samples = {n}
seeds = [1]
kpis = ["net_cost_eur", "district_heat_mwh", "rain_coverage"]

[[parameters]]
path = "ahu.heat_recovery.effectiveness"
range = [0.73, 0.90]

[[parameters]]
path = "rainwater.tank_volume_m3"
range = [10.0, 60.0]
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--serial", action="store_true", help="in-process, no dask")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.toml"
        path.write_text(DEFINITION.format(base=(ROOT / "scenarios" / "baseline.toml").as_posix(), n=args.variants))
        mode = "serial" if args.serial else f"LocalCluster {args.workers} processes x 1 thread"
        print(f"{args.variants} yearly variants of the baseline, {mode}")
        for reuse in (True, False):
            t0 = time.perf_counter()
            res = sweep.run_sweep(path, Path(tmp) / f"out-{reuse}", serial=args.serial, workers=args.workers,
                                  reuse=reuse, progress=False, analysis=False)
            wall = time.perf_counter() - t0
            per_run = res.rows["runtime_s"].mean()
            print(f"  input reuse {'on ' if reuse else 'off'}: {wall:6.1f} s wall, "
                  f"{60 * res.ran / wall:5.1f} variants/min, {per_run:4.1f} s per variant in a worker")


if __name__ == "__main__":
    main()
