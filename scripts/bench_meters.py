"""Time :func:`twin.metering.read_meters` on a year of five 15-min meters (175,200 rows)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from twin.metering import read_meters, write_meter_csv


def main() -> int:
    idx = pd.date_range("2027-01-01 00:15", periods=4 * 8760, freq="15min", tz="+01:00")
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({m: rng.uniform(0, 10, len(idx)) for m in
                          ("district_heat", "grid_import", "grid_export", "pv", "water_mains")}, index=idx)
    with tempfile.TemporaryDirectory() as td:
        path = write_meter_csv(Path(td) / "year.csv", frame)
        best = min(_timed(path) for _ in range(3))
    print(f"read_meters: {len(frame) * frame.shape[1]:,} rows in {best:.2f} s (best of 3)")
    return 0


def _timed(path: Path) -> float:
    t0 = time.perf_counter()
    read_meters(path)
    return time.perf_counter() - t0


if __name__ == "__main__":
    sys.exit(main())
