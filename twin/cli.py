"""Command line: ``twin run | compare | sweep | report | meters | calibrate | operat | check | schema | weather``.

Every mistake a user can fix ends as one line on stderr and exit status 2;
a run that fails its balance checks exits with status 3.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from rich.console import Console

from twin.config import MAX_SEEDS
from twin.config.climate import CLIMATE_LEVELS
from twin.dotted import parse_assignments
from twin.errors import BalanceError, TwinError

DEFAULT_SCENARIO = Path("scenarios/baseline.toml")
#: Values of --climate (twin.config.climate has no heavy imports, unlike twin.climate).
CLIMATE_CHOICES = CLIMATE_LEVELS
YEARS = (1900, 2200)  # as twin.scenario.YEARS, not imported: `twin --help` must stay light
PLOT_SUFFIXES = (".png", ".pdf", ".svg", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".eps", ".ps")
FORCE_HELP = "allow an output folder inside the twin package"

log = logging.getLogger("twin")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("twin")
    except PackageNotFoundError:  # run from a source tree without installing
        from twin import __version__

        return __version__


def _fmt(value, unit: str = "", digits: int = 0) -> str:
    if value is None:
        return "not simulated yet"
    return f"{value:,.{digits}f} {unit}".strip()


def _people(occ: dict) -> str:
    visits = "expected values" if occ["visits"] is None else f"{occ['visits']:,}"
    return f"{visits} / {occ['person_hours']:,.0f}, peak {occ['peak_occupants']:,.0f}"


def _design_day(d: dict | None) -> str:
    if not d:
        return "not computed"
    return (f"{d['substation_kw']:,.0f} kW at {d['temp_out_c']:g} °C (coldest hour of this run "
            f"{d['coldest_outdoor_c_in_run']:.1f} °C)")


def _advice(advice: dict | None, unit_key: str, unit: str) -> str:
    if not advice or advice.get(f"recommended_{unit_key}") != advice.get(f"recommended_{unit_key}"):
        return "–"
    current = advice.get(f"current_{unit_key}")
    now = f" (now {current:,.0f})" if current else ""
    return f"{advice[f'recommended_{unit_key}']:,.0f} {unit}{now}"


def _opt(value, fmt: str, scale: float = 1.0) -> str:
    return "not simulated" if value is None else format(value * scale, fmt)


def _per_period(meta: dict) -> str:
    """'EUR/yr' for a one-year run, else 'EUR over the period (N yr)': costs are not annualised."""
    years = meta.get("period_fraction_of_year", 1.0)
    return "EUR/yr" if abs(years - 1.0) < 0.005 else f"EUR over the period ({years:.2f} yr)"


def _electricity_cost_row(cost: dict) -> tuple[str, str, str]:
    """Every electricity cost line, so the printed lines add up to the total (overrun only when billed)."""
    parts = [("kWh", cost["electricity_energy"]), ("kVA", cost["electricity_subscription"]),
             ("taxes", cost["electricity_taxes_network"])]
    if cost["electricity_overrun"]:
        parts.append(("overrun", cost["electricity_overrun"]))
    return ("", "  electricity " + " + ".join(name for name, _ in parts),
            " + ".join(f"{value:,.0f}" for _, value in parts) + " EUR")


def _whole_cost_row(oc: dict | None, area: float) -> list[tuple[str, str, str]]:
    """Energy and water + P2 upkeep + P3 renewals per year (docs/economics.md §6); none for older summaries."""
    if not oc:
        return []
    label = "With P2 + P3, scaled to a year" if oc.get("annualised_from_period") else "With upkeep P2 + renewals P3"
    return [("", label, f"{oc['technical_eur_year']:,.0f} EUR/yr ({oc['technical_eur_year'] / area:,.1f} EUR/m²)")]


def summary_rows(summary: dict) -> list[tuple[str, str, str]]:
    """(section, label, value) rows of the printed summary."""
    m, h, e, c, w = summary["meta"], summary["heat"], summary["electricity"], summary["comfort"], summary["water"]
    area = m["floor_area_m2"]
    uses = e["by_use_kwh"]
    cost, co2, rev = summary["cost_eur"], summary["co2_kg"], summary["revenue_eur"]
    other = sum(v for k, v in uses.items() if k not in ("lighting", "plug", "fans", "ev") and v is not None)
    rows = [
        ("Heat", "District heat bought", f"{h['district_heat_kwh'] / 1e3:,.1f} MWh  ({h['district_heat_kwh'] / area:,.1f} kWh/m²)"),
        ("", "Delivered: emitters + AHU coil", f"{h['space_heating_kwh'] / 1e3:,.1f} + {h['ventilation_heating_kwh'] / 1e3:,.1f} MWh"),
        ("", "Recovered by the AHU", f"{h['heat_recovered_kwh'] / 1e3:,.1f} MWh"),
        ("", "Peak / subscribed power", f"{h['peak_kw']:,.0f} / {h['subscribed_kw']:,.0f} kW"),
        ("", "Subscription that would do", _advice(summary.get("capacity", {}).get("district_heat"), "kw", "kW")),
        ("", "Design day (steady, no reheat)", _design_day(h.get("design_day"))),
        ("", "Unmet heating hours", f"{h['unmet_hours']:,.0f} h"),
        ("People", "Visits / person-hours", _people(summary["occupancy"])),
        ("Electricity", "Demand", f"{e['demand_kwh'] / 1e3:,.1f} MWh  ({e['demand_kwh'] / area:,.1f} kWh/m²)"),
        ("", "Light/plug/fans/EV/other",
         f"{uses['lighting'] / 1e3:,.0f} / {uses['plug'] / 1e3:,.0f} / {uses['fans'] / 1e3:,.0f} / "
         f"{(uses.get('ev') or 0) / 1e3:,.0f} / {other / 1e3:,.0f} MWh"),
        ("", "PV produced / exported", f"{_opt(e['pv_kwh'], ',.1f', 1e-3)} / {_opt(e['pv_exported_kwh'], ',.1f', 1e-3)} MWh"),
        ("", "Self-consumption / -sufficiency",
         f"{_opt(e['self_consumption_ratio'], '.0%')} / {_opt(e['self_sufficiency_ratio'], '.0%')}"),
        ("", "Grid import, peak", f"{e['grid_import_kwh'] / 1e3:,.1f} MWh, {e['peak_import_kw']:,.0f} kW"),
        ("", "Contracted power that would do", _advice(summary.get("capacity", {}).get("electricity"), "kva", "kVA")),
    ]
    ev = e.get("ev")
    if ev:
        rows.append(("", f"EV ({ev['strategy']}): served / refused",
                     f"{ev['sessions_served']:,} / {ev['sessions_refused']:,}, {_opt(ev['pv_share'], '.0%')} from PV"))
        advice = ev.get("points_advice")
        if advice and advice["advised_points"] is not None and advice["advised_points"] != ev["points"]:
            rows.append(("", "EV points advice",
                         f"{advice['advised_points']} points refuse at most {advice['target_refused_share']:.0%} "
                         f"of cars ({ev['points']} now: {_opt(ev['refused_share'], '.0%')})"))
    if w["rain_used_m3"] is not None:
        rows += [
            ("Water", "Demand / mains bought", f"{w['demand_m3']['total']:,.0f} / {w['mains_m3']:,.0f} m³"),
            ("", "Rain used / harvested / overflow",
             f"{w['rain_used_m3']:,.0f} / {w['rain_harvested_m3']:,.0f} / {w['overflow_m3']:,.0f} m³"),
            ("", "Rain coverage of tank uses", _opt(w["rain_coverage_ratio"], ".0%")),
        ]
    rows += [
        ("Comfort", "Worst zone", str(c["worst_zone"] or "none overheats")),
        ("", "Hours > 26 / 28 °C while open", f"{c['hours_above_26c']:,.0f} / {c['hours_above_28c']:,.0f} h"),
        ("", "Degree-hours > 26 °C", f"{c['degree_hours_above_comfort']:,.0f} °C·h"),
        ("", "RE2020 DH (adaptive, worst zone)",
         f"{c['re2020']['dh_c_h']:,.0f} °C·h, {c['re2020']['dh_verdict']} (max {c['re2020']['dh_max_c_h']:,.0f})"),
        ("", "Hours below setpoint while open", f"{c['hours_below_setpoint']:,.0f} h"),
        ("", "Felt > 1 K below setpoint, open", f"{c['hours_cold_operative']:,.0f} h"),
        ("", "Hours > 1,000 ppm CO₂ while open", f"{c['co2_hours_above_1000ppm']:,.0f} h (max {c['co2_max_ppm']:,.0f} ppm)"),
        ("Cost, CO₂", "Operating cost excl. VAT", f"{cost['total']:,.0f} {_per_period(m)}"),
        ("", "  heat energy + subscription",
         f"{cost['district_heat_energy']:,.0f} + {cost['district_heat_subscription']:,.0f} EUR"),
        _electricity_cost_row(cost),
        ("", "  drinking water", _opt(cost["water"], ",.0f") + " EUR"),
        *_whole_cost_row(summary.get("operating_cost_eur"), m["floor_area_m2"]),
        ("", "PV surplus sold", _opt(rev["pv_export"], ",.0f") + " EUR"),
        ("", "CO₂ heat + electricity", f"{co2['district_heat'] / 1e3:,.1f} + {co2['electricity'] / 1e3:,.1f} t"),
        ("Checks", "Energy / water balance error",
         f"{summary['balance']['energy_error_kwh']:.1e} kWh / {_opt(summary['balance']['water_error_m3'], '.1e')} m³"),
    ]
    return rows


def print_summary(summary: dict, out_dir: Path | None, console: Console) -> None:
    """A one-screen summary a project manager can read."""
    from rich.table import Table

    m = summary["meta"]
    console.print(f"[bold]{m['scenario']}[/bold]: {m['description']}")
    console.print(
        f"{m['start'][:10]} to {m['end'][:10]}, step {m['step_s']} s, seed {m['seed']}; weather: {m['weather_source']}",
        soft_wrap=True,
    )
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold cyan")
    table.add_column()
    table.add_column(justify="right")
    for section, label, value in summary_rows(summary):
        table.add_row(section, label, value)
    console.print(table)
    for caveat in m.get("caveats", []):
        console.print(f"[yellow]Caveat: {caveat}[/yellow]", soft_wrap=True)
    if m["not_simulated"]:
        console.print(f"[dim]Not yet: {'; '.join(m['not_simulated'].values())}.[/dim]", soft_wrap=True)
    console.print(f"[dim]Run time {m['runtime_s']:.1f} s.[/dim]")
    if out_dir is not None:
        console.print(f"Results written to [bold]{out_dir}[/bold] (summary.json, timeseries.parquet, figures/)",
                      soft_wrap=True)


def _cmd_run(args: argparse.Namespace, console: Console) -> int:
    import twin
    from twin.paths import check_output_dir, overrides_tag, packaged_file

    path = Path(args.scenario) if args.scenario else DEFAULT_SCENARIO
    path = packaged_file(path) or path  # e.g. scenarios/baseline.toml outside the project folder
    if args.scenario is None and not path.is_file():
        raise TwinError(f"no scenario given and {path} not found in {Path.cwd()}; run from the project folder or name a file")
    overrides = parse_assignments(args.set or [])
    if args.seed is not None:
        overrides["seed"] = args.seed
    if args.climate is not None:
        overrides["weather.climate"] = None if args.climate == "today" else args.climate
    scenario = twin.load_scenario(path, **overrides)
    # A run with overrides is not the scenario: its default folder must not pass for results/<scenario>.
    default = scenario.name + (f"-set-{overrides_tag(overrides)}" if overrides else "")
    out_dir = check_output_dir(args.out or Path("results") / default, force=args.force)
    results = twin.simulate(scenario)
    results.save(out_dir)
    results.write_figures(out_dir)
    if args.report:
        from twin.report import make_report

        report = make_report(out_dir)
        if not args.quiet:
            console.print(f"Report: [bold]{report}[/bold]", soft_wrap=True)
    if not args.quiet:
        print_summary(results.summary, out_dir, console)
    return 0


COMPARE_COLUMNS = (
    ("district_heat_mwh", "heat", ",.1f"),
    ("grid_import_mwh", "import", ",.1f"),
    ("net_cost_eur", "net cost", ",.0f"),
    ("rain_coverage", "rain", ".1%"),
    ("npv_eur", "NPV", ",.0f"),
    ("simple_payback_years", "payback", ".1f"),
)
COMPARE_UNITS = ("heat and grid import in MWh, net cost (operating cost less PV sales) in EUR/period, rain = "
                 "share of the tank's uses met by rain; NPV (EUR) and simple payback (years) of the option's "
                 "investment; CO₂, comfort and every other indicator in comparison.md")


def _cmd_compare(args: argparse.Namespace, console: Console) -> int:
    import numpy as np
    from rich.table import Table

    import twin
    from twin.compare import compare
    from twin.executor import sigterm_as_interrupt
    from twin.paths import check_output_dir, overrides_tag

    if args.seeds is not None and not 1 <= args.seeds <= MAX_SEEDS:
        raise TwinError(f"--seeds {args.seeds}: expected a number of seeds from 1 to {MAX_SEEDS}")
    run_opts = _executor_options(args)  # bad --workers, --serial with --scheduler: before any work
    overrides = parse_assignments(args.set or [])
    if not args.out:  # like twin run: a comparison with --set gets its own folder, never the plain one
        name = twin.load_scenario(args.baseline, **overrides).name
        args.out = str(Path("results") / (f"compare-{name}" + (f"-set-{overrides_tag(overrides)}" if overrides else "")))
    check_output_dir(args.out, force=args.force)
    seeds = list(range(1, args.seeds + 1)) if args.seeds else None
    if args.heatwave:
        overrides["weather.heatwave"] = {"start": args.heatwave}
    if args.climates:
        return _compare_climates(args, console, seeds, overrides, run_opts)
    with sigterm_as_interrupt():  # `kill PID` ends like Ctrl-C: one line, the cluster closed
        result = compare(args.baseline, args.options, seeds=seeds, overrides=overrides, **run_opts)
    out_dir = Path(args.out) if args.out else Path("results") / f"compare-{result.baseline}"
    result.save(out_dir)
    stale = out_dir / "report.html"
    if not args.report and stale.is_file():  # an earlier run's report would describe other numbers
        stale.unlink()
        if not args.quiet:
            console.print(f"[dim]Removed the earlier {stale} (it described another comparison); --report writes a "
                          "new one[/dim]", soft_wrap=True)
    if args.report:
        from twin.report import make_comparison_report

        report = make_comparison_report(out_dir)
        if not args.quiet:
            console.print(f"Report: [bold]{report}[/bold]", soft_wrap=True)
    if args.quiet:
        return 0
    diffs = result.differences()
    base = result.runs[result.runs["scenario"] == result.baseline]
    several = len(result.seeds) > 1
    title = (f"First row: {result.baseline}; other rows: option minus {result.baseline}, "
             + (f"P50 over seeds {result.seeds[0]}-{result.seeds[-1]} (P10/P90 in comparison.md)" if several
                else f"seed {result.seeds[0]}"))
    table = Table(title=title, caption=COMPARE_UNITS, header_style="bold", title_justify="left",
                  caption_justify="left")
    table.add_column("scenario", no_wrap=True)
    for _, label, _ in COMPARE_COLUMNS:
        table.add_column(label, justify="right")
    table.add_row(result.baseline,
                  *(format(base[k].median(), f) if np.isfinite(base[k].median()) else "–" for k, _, f in COMPARE_COLUMNS))
    for name in result.runs["scenario"].unique():
        if name == result.baseline:
            continue
        d = diffs[diffs["scenario"] == name]
        cells = []
        for key, _, fmt in COMPARE_COLUMNS:
            mid = d[key].median()
            if not np.isfinite(mid):
                cells.append("–")
                continue
            cells.append(("+" if mid > 0 else "") + format(mid, fmt))
        table.add_row(name, *cells)
    console.print(table)
    for caveat in getattr(result, "caveats", []):
        console.print(f"[yellow]Caveat: {caveat}[/yellow]", soft_wrap=True)
    console.print(f"Written to [bold]{out_dir}[/bold] (comparison.md, summary.csv, runs.csv, differences.csv)",
                  soft_wrap=True)
    return 0


def _executor_options(args: argparse.Namespace) -> dict:
    """``serial``, ``workers``, ``scheduler`` and ``progress_bar`` of ``twin compare``, checked (one-line errors)."""
    from twin.executor import check_workers

    workers = check_workers(args.workers)
    if args.serial and args.scheduler:
        raise TwinError("--serial and --scheduler exclude each other")
    scheduler = None if args.serial else (args.scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None)
    return {"serial": args.serial, "workers": workers, "scheduler": scheduler,
            "progress_bar": not (args.quiet or args.no_progress)}


def _compare_climates(args: argparse.Namespace, console: Console, seeds, overrides, run_opts: dict) -> int:
    """``twin compare --climates``: the comparison under each climate level and the overheating risk per zone."""
    from rich.table import Table

    from twin.compare import compare_climates

    if "weather.climate" in overrides:
        raise TwinError("--set weather.climate=... and --climates both set the climate; give only --climates")
    levels = [c.strip() for c in args.climates.split(",") if c.strip()]
    from twin.executor import sigterm_as_interrupt

    with sigterm_as_interrupt():
        result = compare_climates(args.baseline, args.options, levels, seeds=seeds, overrides=overrides, **run_opts)
    out_dir = Path(args.out)
    result.save(out_dir)
    if args.report:
        from twin.report import write_report

        write_report(out_dir)
    if args.quiet:
        return 0
    runs = result.runs()
    table = Table(title="RE2020 DH of the worst zone (°C·h; category-1 offices: DH_max 1,150)"
                  + (" — median over seeds" if runs["seed"].nunique() > 1 else ""),
                  header_style="bold", title_justify="left")
    table.add_column("scenario", no_wrap=True)
    for level in result.climates:
        table.add_column(level, justify="right")
    risk = result.zone_risk()
    worst = risk.groupby(["scenario", "climate", "seed"], sort=False)["dh_re2020_c_h"].max()
    worst = worst.groupby(level=["scenario", "climate"], sort=False).median()
    for name in risk["scenario"].unique():
        table.add_row(name, *(f"{worst.loc[(name, level)]:,.0f}" for level in result.climates))
    console.print(table)
    console.print(f"Written to [bold]{out_dir}[/bold] (comparison.md with the overheating risk per zone and climate, "
                  "overheating_by_zone.csv, summary.csv, runs.csv, differences.csv)", soft_wrap=True)
    return 0


def _cmd_check(args: argparse.Namespace, console: Console) -> int:
    from twin.scenario import check_file

    for name in args.files:
        console.print(check_file(name), highlight=False, soft_wrap=True)
    return 0


def _cmd_schema(args: argparse.Namespace, console: Console) -> int:
    from twin.paths import check_output_dir
    from twin.scenario import json_schemas

    out = check_output_dir(args.out, force=args.force)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in json_schemas().items():
        (out / name).write_text(text + "\n")
        console.print(f"wrote {out / name}", highlight=False)
    return 0


def _cmd_weather(args: argparse.Namespace, console: Console) -> int:
    from rich.table import Table

    from twin.paths import check_output_file

    if not YEARS[0] <= args.year <= YEARS[1]:
        raise TwinError(f"--year {args.year}: expected a calendar year from {YEARS[0]} to {YEARS[1]}")
    if args.seed < 0:
        raise TwinError(f"--seed {args.seed}: expected a seed >= 0")
    if args.plot:
        check_output_file(args.plot, "--plot", PLOT_SUFFIXES)
    from twin import weather as wx

    today = wx.load_weather(args.source, year=args.year, seed=args.seed)
    w = today
    if args.climate not in (None, "today"):
        from twin.climate import apply_climate

        w = apply_climate(today, args.climate)
    table_df = wx.monthly_climate(w.data)
    table = Table(title=f"Monthly climate — {w.source}", header_style="bold")
    table.add_column("month")
    for col in table_df.columns:
        table.add_column(str(col), justify="right")
    for idx, row in table_df.iterrows():
        table.add_row(str(idx), *(f"{v:,.1f}" for v in row.to_numpy(dtype=float)))
    console.print(table)
    if args.plot:
        if w is today:
            wx.plot_monthly_climate(table_df, Path(args.plot))
        else:
            from twin.climate import plot_climate_change

            plot_climate_change(wx.monthly_climate(today.data), table_df, Path(args.plot),
                                label=args.climate)
        console.print(f"plot written to {args.plot}")
    return 0


LAZY_COMMANDS = {
    "sweep": ("twin.sweep", "run a parameter sweep (grid, LHS, Sobol, Morris) on dask; resumable"),
    "report": ("twin.report", "write a self-contained HTML report of a run or comparison folder"),
    "meters": ("twin.calibration", "validate and summarise a meter file (docs/twin-mode.md)"),
    "calibrate": ("twin.calibration", "fit uncertain parameters to meters (ASHRAE Guideline 14)"),
    "operat": ("twin.operat", "Décret tertiaire: OPERAT position and declaration CSV of a run folder"),
    "explore": ("twin.explore", "local web page: move design variables, see the year change vs the baseline"),
    "savings": ("twin.savings", "savings of a design against a reference building, per measure"),
}


def _command(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (top-level options take no value), None if none."""
    return next((a for a in argv if not a.startswith("-")), None)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The CLI parser; ``command`` (e.g. ``"run"``) skips importing the modules of other commands."""
    parser = argparse.ArgumentParser(prog="twin", description="Digital twin of Le Numérique: energy and water over a year.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and repairs")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="simulate a scenario over its period and write results")
    p.add_argument("scenario", nargs="?", help=f"scenario TOML (default: {DEFAULT_SCENARIO})")
    p.add_argument("--out", help="output folder (default: results/<scenario name>)")
    p.add_argument("--seed", type=int, help="override the scenario seed")
    p.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override a value by dotted path, e.g. --set ahu.heat_recovery.effectiveness=0.85")
    p.add_argument("--report", action="store_true", help="also write report.html (docs/report.md)")
    p.add_argument("--climate", choices=CLIMATE_CHOICES,
                   help="morph the weather to a warming level (sets weather.climate; docs/weather.md)")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("compare", help="run design options against a baseline with common random numbers")
    p.add_argument("baseline", help="the reference scenario, e.g. scenarios/baseline.toml")
    p.add_argument("options", nargs="+", help="option scenarios, e.g. scenarios/options/*.toml")
    p.add_argument("--seeds", type=int, help="repeat over seeds 1..N (weather and people) and report P10/P50/P90")
    p.add_argument("--out", help="output folder (default: results/compare-<baseline>)")
    p.add_argument("--set", action="append", metavar="PATH=VALUE", help="override applied to every scenario")
    p.add_argument("--report", action="store_true", help="also write report.html with option bars (docs/report.md)")
    p.add_argument("--climates", metavar="LEVELS",
                   help="run every option under each climate level, e.g. today,tracc-2030,tracc-2050,tracc-2100 "
                   "(same seeds, the same weather year morphed) and add the overheating risk per zone and climate")
    p.add_argument("--heatwave", metavar="MM-DD",
                   help="insert the 2003-like Besançon heatwave from this day in every scenario (weather.heatwave); "
                   "with --climates its resilience per zone joins the overheating-risk tables")
    p.add_argument("--workers", metavar="N", help="worker processes running the seeds in parallel "
                   "(default: one per core, at most one per seed; one seed runs in this process)")
    p.add_argument("--serial", action="store_true", help="run the seeds one after another in this process")
    p.add_argument("--scheduler", help="address of a running dask scheduler, e.g. tcp://10.0.0.5:8786 "
                   "(default: $DASK_SCHEDULER_ADDRESS, else a local cluster)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing on success (no progress bar)")
    p.set_defaults(func=_cmd_compare)

    # twin sweep (docs/sweeps.md), twin report (docs/report.md), twin meters / calibrate
    # (docs/twin-mode.md) are declared by their modules, which import numpy and pandas: registered
    # in full only when asked for, as one-line stubs otherwise (for the command list of --help).
    needed = {module for name, (module, _) in LAZY_COMMANDS.items() if command in (name, None)}
    registered = set()
    for name, (module, help_text) in LAZY_COMMANDS.items():
        if module not in needed:
            sub.add_parser(name, help=help_text, add_help=False)
        elif module not in registered:
            import importlib

            importlib.import_module(module).register_cli(sub)
            registered.add(module)

    p = sub.add_parser("check", help="validate model or scenario files")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("schema", help="write JSON Schemas of model and scenario files (for editors)")
    p.add_argument("--out", default="schemas", help="folder (default: schemas)")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.set_defaults(func=_cmd_schema)

    p = sub.add_parser("weather", help="print the monthly climate of a weather source")
    p.add_argument("source", nargs="?", default="besancon-reference",
                   help="besancon-reference (default), a .epw file, pvgis:FILE or a .csv")
    p.add_argument("--year", type=int, default=2027, help="calendar year to map the weather onto")
    p.add_argument("--seed", type=int, default=1, help="seed of the embedded generator")
    p.add_argument("--climate", choices=CLIMATE_CHOICES,
                   help="morph to a warming level; with --plot, plot monthly temperature today vs morphed")
    p.add_argument("--plot", help="also write a PNG plot to this path")
    p.set_defaults(func=_cmd_weather)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command(argv) or "")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not args.verbose:
        # dask's scheduler and workers log every connection at INFO; its config reads this variable
        # when distributed is imported (later, by a sweep), and worker processes inherit it.
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    console = Console(highlight=False)
    try:
        return args.func(args, console)
    except BalanceError as exc:
        print(f"twin: error: {exc}", file=sys.stderr)
        return 3
    except TwinError as exc:
        print(f"twin: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("twin: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
