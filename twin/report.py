"""Self-contained HTML reports of a run folder or of a design-option comparison.

``twin report DIR [--out FILE]`` reads either

* a run folder written by ``twin run --out DIR`` (``summary.json``, ``timeseries.parquet``):
  :func:`make_report` writes PNG figures into ``figures/`` next to the report and a
  ``report.html`` with a header, the key figures, what is not simulated and the figures; or
* a comparison folder written by ``twin compare --out DIR`` (``summary.csv``, ``runs.csv``):
  :func:`make_comparison_report` writes option bars with P10-P90 whiskers and the table.

The HTML embeds every figure as a base64 data URI and its CSS inline: it references no other
file and no network resource, so it can be mailed as is. The pages are jinja2 templates in
``twin/templates/`` (``base.html.j2``, ``run_report.html.j2``, ``compare_report.html.j2``), rendered
with autoescaping: every text that comes from the data (scenario and option names, descriptions,
zones, file names) is escaped by the template engine.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import math
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup

from twin.errors import TwinError
from twin.indicators import REGISTRY
from twin.plotting import pyplot

__all__ = [
    "RE2020_DH_MAX",
    "make_comparison_report",
    "make_report",
    "register_cli",
    "write_report",
]

RE2020_DH_MAX = 1150.0
"""RE2020 limit of summer-comfort degree-hours for offices (category 1) [°C·h over a year]."""

RUN_FILES = ("summary.json", "timeseries.parquet")
COMPARE_FILES = ("summary.csv", "runs.csv")
COMPARE_KPIS = {  # indicator -> (label, true when the bar is the option's own value, not a difference)
    "net_cost_eur": ("Net cost (operating cost less PV sales)", False),
    "district_heat_mwh": ("District heat bought", False),
    "grid_import_mwh": ("Grid electricity import", False),
    "co2_t": ("CO₂ emissions", False),
    "npv_eur": ("NPV of the option's investment", True),
}
FIGURE_PREFIX = "report-"
INDICATOR_LABELS = {name: ind.label for name, ind in REGISTRY.items()}  # twin.indicators

COLORS = {"heat": "#c0392b", "import": "#2c3e50", "export": "#27ae60", "pv": "#f1c40f",
          "pv_used": "#e67e22", "water": "#2980b9", "cost": "#7f8c8d", "occ": "#8e44ad"}

TEMPLATES = Path(__file__).parent / "templates"
"""The report templates; the page skeleton and its CSS are in ``base.html.j2``."""


# --------------------------------------------------------------------------- formatting


def _num(value, digits: int = 0, unit: str = "", signed: bool = False) -> str:
    """``1,234.5 unit`` with thousands separators; ``not simulated`` for None/NaN."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "not simulated"
    text = f"{value:{'+' if signed else ''},.{digits}f}"
    if text.lstrip("+-").strip("0.,") == "":  # -0 and +0 print as 0
        text = f"{0:.{digits}f}"
    return f"{text} {unit}".strip()


def _pct(value, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "not simulated"
    return f"{value * 100:,.{digits}f} %"


def _date(text: str | None) -> str:
    if not text:
        return "?"
    try:
        return dt.datetime.fromisoformat(text).strftime("%d %b %Y")
    except ValueError:
        return str(text)


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


@functools.cache
def _templates() -> jinja2.Environment:
    """The report templates, autoescaped: a value from the data is never trusted as HTML."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def render(template: str, **context) -> str:
    """``template`` filled with ``context`` and the footer's date."""
    return _templates().get_template(template).render(today=f"{dt.date.today():%d %b %Y}", **context)


def figure(path: Path, caption: str) -> dict[str, str]:
    """A figure for the templates' ``figure`` macro: its PNG as a data URI and its caption."""
    return {"uri": _data_uri(path), "caption": caption}


# --------------------------------------------------------------------------- run folder: data


def _check_folder(folder: Path) -> str:
    """``"run"`` or ``"compare"`` from the files present; TwinError otherwise."""
    if not folder.is_dir():
        raise TwinError(f"{folder}: no such folder; expected a folder written by `twin run --out` "
                        "(summary.json, timeseries.parquet) or `twin compare --out` (summary.csv, runs.csv)")
    if all((folder / n).is_file() for n in RUN_FILES):
        return "run"
    if all((folder / n).is_file() for n in COMPARE_FILES):
        return "compare"
    raise TwinError(f"{folder}: not a results folder; expected summary.json and timeseries.parquet "
                    "(from `twin run --out`) or summary.csv and runs.csv (from `twin compare --out`)")


_UNIT_SUFFIXES = ("_kwh", "_mwh", "_kw", "_kva", "_m3", "_m2", "_eur", "_kg", "_t", "_h", "_hours", "_ppm",
                  "_ratio", "_pct", "_percent", "_c", "_s", "_years", "_share")
_TEXT_KEYS = {"priced_lines", "electricity_tariff"}  # text fields inside unit-named groups


def _non_numeric(summary: dict) -> tuple[str, object] | None:
    """The first field of ``summary`` that names a unit but holds text (or a table), else None.

    A field is numeric when its name ends in a unit (``district_heat_kwh``) or it sits directly in
    a group named with a unit (``cost_eur.total``); ``None`` (not simulated) is allowed.
    """
    stack: list[tuple[tuple[str, ...], object]] = [((), summary)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            stack.extend(((*path, str(k)), v) for k, v in node.items())
            continue
        if isinstance(node, list):
            if not (path and path[-1].endswith(_UNIT_SUFFIXES)):
                continue  # zone names, supplies...; lists of numbers are read by position
            stack.extend(((*path, str(i)), v) for i, v in enumerate(node))
            continue
        if node is None or isinstance(node, int | float) or not path or path[0] == "meta":
            continue
        keys = [k for k in path if not k.isdigit()]
        numeric = keys[-1].endswith(_UNIT_SUFFIXES) or (
            len(keys) > 1 and keys[-2].endswith(_UNIT_SUFFIXES) and keys[-1] not in _TEXT_KEYS
            and path[-1] == keys[-1])
        if numeric:
            return ".".join(path), node
    return None


def _load_run(folder: Path) -> tuple[pd.DataFrame, dict]:
    try:
        summary = json.loads((folder / "summary.json").read_text())
    except (OSError, ValueError) as exc:
        raise TwinError(f"{folder / 'summary.json'}: unreadable ({exc})") from None
    if not isinstance(summary, dict) or not isinstance(summary.get("meta"), dict):
        raise TwinError(f"{folder / 'summary.json'}: no 'meta' group; expected the summary of `twin run`")
    bad = _non_numeric(summary)
    if bad:
        where, value = bad
        raise TwinError(f"{folder / 'summary.json'}: field '{where}' = {value!r}; expected a number "
                        "(an edited or damaged summary: rerun `twin run`)")
    try:
        ts = pd.read_parquet(folder / "timeseries.parquet")
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise TwinError(f"{folder / 'timeseries.parquet'}: unreadable ({type(exc).__name__}: {exc})") from None
    if not isinstance(ts.index, pd.DatetimeIndex) or len(ts) == 0:
        raise TwinError(f"{folder / 'timeseries.parquet'}: expected a non-empty time series indexed by time")
    return ts, summary


def _step_h(ts: pd.DataFrame, summary: dict) -> float:
    step_s = summary.get("meta", {}).get("step_s")
    if not step_s and len(ts.index) > 1:
        step_s = pd.Series(ts.index[1:] - ts.index[:-1]).median().total_seconds()
    return float(step_s or 3600) / 3600.0


def _starts(ts: pd.DataFrame, step_h: float) -> pd.DatetimeIndex:
    """Local wall-clock start of each step (the index holds step ends)."""
    idx = ts.index - pd.Timedelta(hours=step_h)
    return idx.tz_localize(None) if idx.tz is not None else idx


def _col(ts: pd.DataFrame, name: str) -> pd.Series | None:
    if name not in ts.columns:
        return None
    s = pd.to_numeric(ts[name], errors="coerce")
    return None if s.isna().all() else s


def _periods(starts: pd.DatetimeIndex) -> tuple[pd.Index, str]:
    """Grouping keys: months, or weeks (Monday) when the run is shorter than about two months."""
    span_days = (starts.max() - starts.min()).days + 1
    if span_days > 62:
        keys = starts.to_period("M")
        fmt = "%b" if starts.min().year == starts.max().year else "%b %y"
        return pd.Index([p.strftime(fmt) for p in keys]), "monthly"
    monday = starts.normalize() - pd.to_timedelta(starts.day_of_week, unit="D")
    return pd.Index([f"wk {d:%d %b}" for d in monday]), "weekly"


def _grouped_kwh(ts, starts, step_h, columns) -> pd.DataFrame:
    keys, _ = _periods(starts)
    frame = pd.DataFrame({name: s.fillna(0.0).to_numpy() * step_h for name, s in columns.items()},
                         index=starts)
    return frame.groupby(keys.to_numpy(), sort=False).sum()


# --------------------------------------------------------------------------- run folder: figures


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    pyplot().close(fig)
    return path


def _fig_energy_balance(ts, starts, step_h, folder: Path) -> Path | None:
    cols = {k: _col(ts, c) for k, c in (("Heat bought (district)", "district_heat_kw"),
                                         ("Grid import", "grid_import_kw"),
                                         ("Grid export", "grid_export_kw"),
                                         ("PV production", "pv_kw"))}
    cols = {k: v for k, v in cols.items() if v is not None}
    if not cols:
        return None
    data = _grouped_kwh(ts, starts, step_h, cols) / 1e3
    _, kind = _periods(starts)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9.5, 3.9))
    colors = {"Heat bought (district)": COLORS["heat"], "Grid import": COLORS["import"],
              "Grid export": COLORS["export"], "PV production": COLORS["pv"]}
    n = len(data.columns)
    width = 0.8 / n
    x = np.arange(len(data))
    for i, name in enumerate(data.columns):
        ax.bar(x + (i - (n - 1) / 2) * width, data[name], width, label=name, color=colors[name])
    ax.set_xticks(x, data.index, rotation=0 if len(x) <= 12 else 45)
    ax.set_ylabel("MWh")
    ax.set_title(f"Energy balance ({kind}): heat bought, electricity imported/exported, PV produced")
    ax.grid(axis="y", alpha=0.3)
    ax.set_ylim(0, float(np.nanmax(data.to_numpy())) * 1.25 or 1.0)
    ax.legend(ncols=min(n, 4), fontsize=8, loc="upper center")
    return _save(fig, folder / f"{FIGURE_PREFIX}energy-balance.png")


def _fig_heat_carpet(ts, starts, step_h, folder: Path) -> Path | None:
    heat = _col(ts, "district_heat_kw")
    if heat is None:
        return None
    frame = pd.DataFrame({"kw": heat.to_numpy(), "day": starts.normalize(),
                          "hour": starts.hour + starts.minute / 60.0}, index=starts)
    grid = frame.pivot_table(index="hour", columns="day", values="kw", aggfunc="mean").sort_index()
    plt = pyplot()
    from matplotlib import dates as mdates

    fig, ax = plt.subplots(figsize=(9.5, 3.9))
    days = mdates.date2num(list(grid.columns.to_pydatetime()) + [grid.columns[-1].to_pydatetime()
                                                                 + dt.timedelta(days=1)])
    hours = np.append(grid.index.to_numpy(), 24.0)
    mesh = ax.pcolormesh(days, hours, grid.to_numpy(), cmap="inferno_r", shading="flat")
    ax.xaxis_date()
    locator = mdates.AutoDateLocator(maxticks=13)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_yticks([0, 6, 12, 18, 24])
    ax.set_ylabel("hour of day")
    ax.set_title("District heat drawn (kW) by day and hour")
    fig.colorbar(mesh, ax=ax, label="kW", pad=0.01)
    return _save(fig, folder / f"{FIGURE_PREFIX}heat-carpet.png")


def _fig_pv(ts, starts, step_h, folder: Path) -> Path | None:
    pv = _col(ts, "pv_kw")
    if pv is None or float(pv.fillna(0).abs().sum()) == 0.0:
        return None
    export = _col(ts, "grid_export_kw")
    export = export if export is not None else pv * 0.0
    used = (pv.fillna(0.0) - export.fillna(0.0)).clip(lower=0.0)
    data = _grouped_kwh(ts, starts, step_h, {"used": used, "exported": export}) / 1e3
    _, kind = _periods(starts)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9.5, 3.6))
    x = np.arange(len(data))
    ax.bar(x, data["used"], 0.6, label="PV used on site", color=COLORS["pv_used"])
    ax.bar(x, data["exported"], 0.6, bottom=data["used"], label="PV exported to the grid",
           color=COLORS["export"])
    total = data["used"] + data["exported"]
    for xi, u, t in zip(x, data["used"], total, strict=True):
        if t > 0:
            ax.text(xi, t, f"{u / t:.0%}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, data.index, rotation=0 if len(x) <= 12 else 45)
    ax.set_ylabel("MWh")
    ax.set_ylim(0, float(total.max()) * 1.3 or 1.0)
    ax.set_title(f"PV self-consumption ({kind}; label = share used on site)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncols=2, loc="upper center")
    return _save(fig, folder / f"{FIGURE_PREFIX}pv-self-consumption.png")


def _fig_tank(ts, starts, step_h, folder: Path) -> Path | None:
    level = _col(ts, "tank_level_m3")
    if level is None:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9.5, 3.2))
    ax.fill_between(starts, level.to_numpy(), step="pre", color=COLORS["water"], alpha=0.35, linewidth=0)
    ax.plot(starts, level.to_numpy(), color=COLORS["water"], linewidth=0.8)
    ax.set_ylabel("m³")
    ax.set_ylim(bottom=0)
    ax.set_title("Rainwater tank level")
    ax.grid(alpha=0.3)
    from matplotlib import dates as mdates

    locator = mdates.AutoDateLocator(maxticks=13)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    return _save(fig, folder / f"{FIGURE_PREFIX}tank-level.png")


def _typical_week(occ: pd.Series, starts: pd.DatetimeIndex) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The full Monday-to-Sunday week whose person-hours are closest to the median full week."""
    s = pd.Series(occ.fillna(0.0).to_numpy(), index=starts)
    monday = starts.normalize() - pd.to_timedelta(starts.day_of_week, unit="D")
    per_week = s.groupby(monday.to_numpy()).agg(["sum", "count"])
    full = per_week[per_week["count"] >= per_week["count"].max() * 0.99]
    if len(full) == 0 or (starts.max() - starts.min()) < pd.Timedelta(days=6):
        return starts.min(), starts.max()
    median = full["sum"].median()
    begin = pd.Timestamp((full["sum"] - median).abs().idxmin())
    return begin, begin + pd.Timedelta(days=7)


def _fig_occupancy(ts, starts, step_h, zones, folder: Path) -> Path | None:
    occ = _col(ts, "occupants")
    if occ is None:
        return None
    begin, end = _typical_week(occ, starts)
    mask = (starts >= begin) & (starts < end)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9.5, 3.6))
    x = starts[mask]
    zone_cols = [(z, _col(ts, f"{z}.occupants")) for z in zones]
    zone_cols = [(z, s) for z, s in zone_cols if s is not None]
    if zone_cols:
        ax.stackplot(x, *[s.to_numpy()[mask] for _, s in zone_cols],
                     labels=[z.replace("_", " ") for z, _ in zone_cols], alpha=0.75, step="pre")
    ax.plot(x, occ.to_numpy()[mask], color="black", linewidth=1.0, label="building", drawstyle="steps-pre")
    ax.set_ylabel("persons")
    ax.set_ylim(bottom=0)
    ax.set_title(f"Occupants over a typical week ({begin:%a %d %b} to {end - pd.Timedelta(minutes=1):%a %d %b %Y})")
    from matplotlib import dates as mdates

    ax.xaxis.set_major_locator(mdates.DayLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %d"))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncols=4, loc="upper right")
    ax.set_ylim(top=float(occ.to_numpy()[mask].max() or 1.0) * 1.35)
    return _save(fig, folder / f"{FIGURE_PREFIX}occupancy-week.png")


COST_LABELS = {
    "district_heat_energy": "District heat: energy",
    "district_heat_subscription": "District heat: subscription",
    "electricity_energy": "Electricity: energy (grid import)",
    "electricity_subscription": "Electricity: subscription",
    "electricity_taxes_network": "Electricity: taxes and network",
    "electricity_overrun": "Electricity: overrun",
    "water": "Water (mains and fixed charges)",
}


def _cost_lines(summary: dict) -> list[tuple[str, str, float | None]]:
    cost = summary.get("cost_eur") or {}
    keys = cost.get("priced_lines") or [k for k in COST_LABELS if k in cost]
    return [(k, COST_LABELS.get(k, k.replace("_", " ").capitalize()), cost.get(k)) for k in keys]


def _fig_costs(summary: dict, folder: Path) -> Path | None:
    lines = [(label, v) for _, label, v in _cost_lines(summary) if v is not None]
    if not lines:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9.5, 0.45 * len(lines) + 1.3))
    labels = [label for label, _ in lines][::-1]
    values = [v for _, v in lines][::-1]
    bars = ax.barh(labels, values, color=COLORS["cost"])
    top = max(values + [0.0]) or 1.0
    for bar, v in zip(bars, values, strict=True):
        ax.text(bar.get_width() + top * 0.01, bar.get_y() + bar.get_height() / 2, f"{v:,.0f} EUR",
                va="center", fontsize=8)
    ax.set_xlim(0, top * 1.18)
    ax.set_xlabel("EUR over the period")
    total = (summary.get("cost_eur") or {}).get("total")
    ax.set_title("Operating cost by line" + (f" (total {total:,.0f} EUR)" if total is not None else ""))
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, folder / f"{FIGURE_PREFIX}costs.png")


def run_figures(ts: pd.DataFrame, summary: dict, folder: Path) -> list[tuple[Path, str]]:
    """Write the figures of a run into ``folder``; (path, caption) of those that apply to this run."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{FIGURE_PREFIX}*.png"):  # a previous report's, e.g. with a tank
        old.unlink()
    step_h = _step_h(ts, summary)
    starts = _starts(ts, step_h)
    zones = summary.get("meta", {}).get("zones") or []
    _, kind = _periods(starts)
    plans = [
        (lambda: _fig_energy_balance(ts, starts, step_h, folder),
         f"Energy balance per {'month' if kind == 'monthly' else 'week'}: district heat bought, electricity "
         "imported from and exported to the grid, PV produced (MWh)."),
        (lambda: _fig_heat_carpet(ts, starts, step_h, folder),
         "Heat-demand carpet: district heat drawn (kW) for each day (horizontal) and hour of the day "
         "(vertical); dark = high demand."),
        (lambda: _fig_pv(ts, starts, step_h, folder),
         "PV self-consumption: PV energy used on site vs exported to the grid; the label gives the share "
         "used on site."),
        (lambda: _fig_tank(ts, starts, step_h, folder), "Rainwater tank level (m³) over the period."),
        (lambda: _fig_occupancy(ts, starts, step_h, zones, folder),
         "Occupants in the building over a typical week (the full week closest to the median), "
         "stacked by space; black line = building total."),
        (lambda: _fig_costs(summary, folder), "Operating cost by line (EUR over the simulated period)."),
    ]
    out = []
    for make, caption in plans:
        path = make()
        if path is not None:
            out.append((path, caption))
    return out


# --------------------------------------------------------------------------- run folder: tables


def _period_text(meta: dict) -> tuple[str, float | None]:
    try:
        start = dt.datetime.fromisoformat(meta["start"])
        end = dt.datetime.fromisoformat(meta["end"])
        days = (end - start).total_seconds() / 86400
    except (KeyError, TypeError, ValueError):
        return f"{meta.get('start', '?')} to {meta.get('end', '?')}", None
    step = meta.get("step_s")
    step_text = f", {step / 60:,.0f}-min steps" if step else ""
    return (f"{start:%d %b %Y %H:%M} to {end:%d %b %Y %H:%M} ({days:,.0f} days{step_text}; local standard "
            "time)", days)


def _strong(text: str) -> Markup:
    """``text`` in bold, escaped."""
    return Markup("<strong>{}</strong>").format(text)


def key_figure_rows(summary: dict) -> list[tuple[str, str, str]]:
    """(section, indicator, formatted value) rows of the key-figures table; section '' continues.

    Values are text; the few that carry emphasis (totals in bold, the RE2020 verdict) are
    :class:`markupsafe.Markup` (a ``str``) whose data parts are already escaped, so that the
    autoescaping template prints them as they are and escapes every other value.
    """
    g = lambda name: summary.get(name) or {}  # noqa: E731
    meta, h, e, w, c = g("meta"), g("heat"), g("electricity"), g("water"), g("comfort")
    cost, rev, co2, bal, occ = g("cost_eur"), g("revenue_eur"), g("co2_kg"), g("balance"), g("occupancy")
    area = meta.get("floor_area_m2")

    def per_m2(kwh):
        if kwh is None or not area:
            return ""
        return f" ({kwh / area:,.1f} kWh/m²)"

    rows: list[tuple[str, str, str]] = []
    if h:
        rows += [
            ("Heat", "District heat bought", _num(h.get("district_heat_kwh"), 0, "kWh") + per_m2(h.get("district_heat_kwh"))),
            ("", "Heat demand (emitters + AHU coil)", _num(h.get("demand_kwh"), 0, "kWh")),
            ("", "Heat recovered by the AHU", _num(h.get("heat_recovered_kwh"), 0, "kWh")),
            ("", "Peak / subscribed power", f"{_num(h.get('peak_kw'), 0)} / {_num(h.get('subscribed_kw'), 0, 'kW')}"),
            ("", "Unmet heating hours", _num(h.get("unmet_hours"), 0, "h")),
        ]
    if e:
        rows += [
            ("Electricity", "Demand (EV charging included)", _num(e.get("demand_kwh"), 0, "kWh") + per_m2(e.get("demand_kwh"))),
            ("", "Grid import / peak", f"{_num(e.get('grid_import_kwh'), 0, 'kWh')}, peak {_num(e.get('peak_import_kw'), 0, 'kW')}"),
            ("", "PV produced", _num(e.get("pv_kwh"), 0, "kWh")),
            ("", "PV used on site / exported",
             f"{_num(e.get('pv_self_consumed_kwh'), 0, 'kWh')} / {_num(e.get('pv_exported_kwh'), 0, 'kWh')}"),
            ("", "PV self-consumption (share of PV used on site)", _pct(e.get("self_consumption_ratio"))),
            ("", "PV self-sufficiency (share of demand met by PV)", _pct(e.get("self_sufficiency_ratio"))),
        ]
        ev = e.get("ev")
        if ev:
            rows.append(("", f"EV charging ({ev.get('strategy', '?')}): served / refused sessions",
                         f"{_num(ev.get('sessions_served'))} / {_num(ev.get('sessions_refused'))}, "
                         f"{_num(ev.get('delivered_kwh'), 0, 'kWh')}"))
        bat = e.get("battery")
        if bat:
            rows.append(("", "Battery charged / discharged",
                         f"{_num(bat.get('charged_kwh'), 0, 'kWh')} / {_num(bat.get('discharged_kwh'), 0, 'kWh')}"))
    if w:
        demand = w.get("demand_m3") or {}
        rows += [
            ("Water", "Water demand", _num(demand.get("total") if isinstance(demand, dict) else demand, 1, "m³")),
            ("", "Mains water bought", _num(w.get("mains_m3"), 1, "m³")),
        ]
        if w.get("rain_used_m3") is None:
            rows.append(("", "Rainwater", "no tank in this run"))
        else:
            rows += [
                ("", "Rain harvested / used", f"{_num(w.get('rain_harvested_m3'), 1, 'm³')} / {_num(w.get('rain_used_m3'), 1, 'm³')}"),
                ("", "Rain coverage (of the uses the tank serves)", _pct(w.get("rain_coverage_ratio"))),
                ("", "Days the tank ran short", _num(w.get("days_tank_short"), 0, "d")),
            ]
    if c:
        dh = c.get("degree_hours_above_comfort")
        verdict = ""
        if dh is not None:
            ok = dh <= RE2020_DH_MAX
            verdict = Markup(' <span class="{}">{}</span> the RE2020 limit of {}').format(
                "ok" if ok else "bad", "within" if ok else "ABOVE", f"{RE2020_DH_MAX:,.0f} °C·h")
        worst = c.get("worst_zone")
        rows += [
            ("Comfort", "Degree-hours above 26 °C (worst zone" + (f": {worst}" if worst else "") + ")",
             Markup("{}{}").format(_num(dh, 0, "°C·h"), verdict)),
            ("", "Hours above 26 °C / 28 °C", f"{_num(c.get('hours_above_26c'), 0)} / {_num(c.get('hours_above_28c'), 0, 'h')}"),
            ("", "Hours below the heating setpoint (open hours)", _num(c.get("hours_below_setpoint"), 0, "h")),
            ("", "Cold open hours (operative more than 1 K below setpoint)", _num(c.get("hours_cold_operative"), 0, "h")),
            ("", "Hours with CO₂ above 1,000 ppm / max", f"{_num(c.get('co2_hours_above_1000ppm'), 0, 'h')} / {_num(c.get('co2_max_ppm'), 0, 'ppm')}"),
        ]
    if occ:
        visits = occ.get("visits")
        rows.append(("People", "Visits / person-hours / peak occupants",
                     f"{'expected values' if visits is None else _num(visits)} / "
                     f"{_num(occ.get('person_hours'), 0)} / {_num(occ.get('peak_occupants'), 0)}"))
    if cost:
        first = True
        for _, label, value in _cost_lines(summary):
            rows.append(("Costs" if first else "", label, _num(value, 0, "EUR")))
            first = False
        tariff = cost.get("electricity_tariff")
        rows.append(("Costs" if first else "", "Total operating cost" + (f" (electricity tariff: {tariff})" if tariff else ""),
                     _strong(_num(cost.get("total"), 0, "EUR"))))
    if rev:
        pv_rev = rev.get("pv_export")
        rows += [
            ("Revenues", "PV export sales", _num(pv_rev, 0, "EUR")),
            ("", "EV charging billed to users", _num(rev.get("ev_charging"), 0, "EUR")),
        ]
        if cost.get("total") is not None:
            rows.append(("", "Net cost (operating cost less PV sales)",
                         _strong(_num(cost["total"] - (pv_rev or 0.0), 0, "EUR"))))
    if co2:
        rows += [
            ("CO₂", "District heat / grid electricity",
             f"{_num(co2.get('district_heat'), 0, 'kg')} / {_num(co2.get('electricity'), 0, 'kg')}"),
            ("", "Total", _strong(_num(co2.get("total"), 0, "kg CO₂"))),
        ]
    if bal:
        err, through = bal.get("energy_error_kwh"), bal.get("energy_throughput_kwh")
        rel = f" ({abs(err) / through:.1e} of throughput)" if err is not None and through else ""
        rows += [
            ("Balance checks", "Energy balance error", (f"{err:.2g} kWh" if err is not None else "not simulated") + rel),
            ("", "Water balance error", f"{bal['water_error_m3']:.2g} m³" if bal.get("water_error_m3") is not None
             else "not simulated"),
        ]
    return rows


def make_report(results_dir: Path, out: Path | None = None) -> Path:
    """Write the figures and the self-contained ``report.html`` of a run folder; return the HTML path.

    Parameters
    ----------
    results_dir
        A folder written by ``twin run --out`` (``summary.json``, ``timeseries.parquet``).
    out
        The HTML file to write (default ``results_dir/report.html``); the PNG figures go into
        ``figures/`` next to it (``report-*.png``).

    Raises
    ------
    TwinError
        If the folder is not a run folder or its files cannot be read.
    """
    results_dir = Path(results_dir)
    if _check_folder(results_dir) != "run":
        raise TwinError(f"{results_dir}: a comparison folder, not a run folder; use make_comparison_report "
                        "(or `twin report`, which detects the kind)")
    ts, summary = _load_run(results_dir)
    out = Path(out) if out is not None else results_dir / "report.html"
    _prepare_out(out)
    figures = run_figures(ts, summary, out.parent / "figures")

    meta = summary["meta"]
    period, days = _period_text(meta)
    scope = ("Totals over the simulated period." if days is None or days >= 360 else
             f"Totals over the simulated period ({days:,.0f} days), not annual figures: the RE2020 comfort "
             "limit applies to a full year.")
    meta_rows = [
        ("Scenario", meta.get("scenario", "?")),
        ("Period", period),
        ("Weather", meta.get("weather_source", "?")),
        ("Seed", meta.get("seed", "?")),
        ("Floor area", _num(meta.get("floor_area_m2"), 0, "m²")),
        ("Occupancy model", str(meta.get("occupancy_model", "?")).replace("_", " ")),
        ("Twin version", meta.get("twin_version", "?")),
        ("Model file", Path(str(meta.get("model", "?"))).name),
    ]
    not_sim = meta.get("not_simulated") or {}
    if isinstance(not_sim, dict):
        not_simulated = [(str(k).replace("_", " "), v) for k, v in not_sim.items()]
    else:
        not_simulated = [(None, v) for v in not_sim]
    figure_names = {p.name for p, _ in figures}
    skipped = []
    if f"{FIGURE_PREFIX}tank-level.png" not in figure_names:
        skipped.append("tank level (no rainwater tank in this run)")
    if f"{FIGURE_PREFIX}pv-self-consumption.png" not in figure_names:
        skipped.append("PV self-consumption (no PV production in this run)")

    page = render("run_report.html.j2", scenario=meta.get("scenario", "Run"), description=meta.get("description", ""),
                   meta_rows=meta_rows, scope=scope, rows=key_figure_rows(summary), not_simulated=not_simulated,
                   figures=[figure(p, caption) for p, caption in figures], skipped=skipped)
    out.write_text(page, encoding="utf-8")
    return out


def _prepare_out(out: Path) -> None:
    if out.suffix.lower() not in (".html", ".htm"):
        raise TwinError(f"{out}: the report is an HTML file; expected a name ending in .html")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TwinError(f"{out.parent}: cannot create the output folder ({exc.strerror})") from None


# --------------------------------------------------------------------------- comparison folder


def _load_compare(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    try:
        summary = pd.read_csv(folder / "summary.csv")
        runs = pd.read_csv(folder / "runs.csv")
    except (OSError, ValueError) as exc:
        raise TwinError(f"{folder}: unreadable comparison tables ({exc})") from None
    need = {"indicator", "unit", "scenario", "value_p50", "diff_p10", "diff_p50", "diff_p90"}
    missing = need - set(summary.columns)
    if missing:
        raise TwinError(f"{folder / 'summary.csv'}: missing columns {sorted(missing)}; expected the summary "
                        "written by `twin compare`")
    if len(summary) == 0:
        raise TwinError(f"{folder / 'summary.csv'}: no rows; expected the summary written by `twin compare`")
    return summary, runs


def _fmt_value(value: float, unit: str, signed: bool = False) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    if unit == "-":
        return _num(value * 100, 1, "%" if not signed else "pts", signed=signed)
    digits = 0 if abs(value) >= 100 or unit in ("EUR",) else (1 if abs(value) >= 10 else 2)
    return _num(value, digits, unit.replace("m3", "m³"), signed=signed)


def _fig_compare(summary: pd.DataFrame, baseline: str, options: list[str], folder: Path) -> Path | None:
    panels = []
    for kpi, (label, absolute) in COMPARE_KPIS.items():
        rows = summary[(summary["indicator"] == kpi) & summary["scenario"].isin(options)].set_index("scenario")
        if len(rows) == 0 or not np.isfinite(rows["diff_p50"].to_numpy(dtype=float)).any():
            continue
        panels.append((kpi, label, absolute, rows.reindex(options)))
    if not panels:
        return None
    plt = pyplot()
    from matplotlib.ticker import FuncFormatter

    fig, axes = plt.subplots(len(panels), 1, figsize=(9.5, 0.42 * len(options) * len(panels) + 1.1 * len(panels)),
                             squeeze=False)
    for ax, (_kpi, label, absolute, rows) in zip(axes[:, 0], panels, strict=True):
        unit = str(rows["unit"].dropna().iloc[0]) if rows["unit"].notna().any() else ""
        mid = rows["diff_p50"].to_numpy(dtype=float)
        lo = rows["diff_p10"].to_numpy(dtype=float)
        hi = rows["diff_p90"].to_numpy(dtype=float)
        y = np.arange(len(options))[::-1]
        ok = np.isfinite(mid)
        colors = ["#27ae60" if (m > 0) == absolute or m == 0 else "#c0392b" for m in np.nan_to_num(mid)]
        # lower is better for differences of cost, heat, import, CO2; higher is better for NPV
        ax.barh(y[ok], mid[ok], color=[c for c, k in zip(colors, ok, strict=True) if k], height=0.6)
        err = np.vstack([np.clip(mid - lo, 0, None), np.clip(hi - mid, 0, None)])
        ax.errorbar(mid[ok], y[ok], xerr=err[:, ok], fmt="none", ecolor="black", capsize=4, linewidth=1)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(y, options, fontsize=8)
        what = "option's value" if absolute else f"option − {baseline}"
        ax.set_title(f"{label} [{unit}]: {what}, P50 with P10–P90", fontsize=9, loc="left")
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="x", labelsize=8)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}" if abs(v) >= 10 else f"{v:,.2g}"))
    return _save(fig, folder / f"{FIGURE_PREFIX}options.png")


def make_comparison_report(compare_dir: Path, out: Path | None = None) -> Path:
    """Write ``report.html`` (option bars with P10-P90 whiskers and the table) for a ``twin compare`` folder.

    Raises
    ------
    TwinError
        If the folder holds no ``summary.csv`` and ``runs.csv`` or they cannot be read.
    """
    compare_dir = Path(compare_dir)
    if _check_folder(compare_dir) != "compare":
        raise TwinError(f"{compare_dir}: a run folder, not a comparison folder; use make_report "
                        "(or `twin report`, which detects the kind)")
    summary, runs = _load_compare(compare_dir)
    # A comparison across climates (twin compare --climates): the indicator table is today's (the first
    # level), the overheating risk per zone and climate follows it.
    climates = list(dict.fromkeys(summary["climate"].astype(str))) if "climate" in summary.columns else []
    if climates:
        summary = summary[summary["climate"].astype(str) == climates[0]]
        if "climate" in runs.columns:
            runs = runs[runs["climate"].astype(str) == climates[0]]
    scenarios = list(dict.fromkeys(summary["scenario"].astype(str)))
    baseline, options = scenarios[0], scenarios[1:]
    seeds = sorted(runs["seed"].unique().tolist()) if "seed" in runs.columns else []
    out = Path(out) if out is not None else compare_dir / "report.html"
    _prepare_out(out)
    folder = out.parent / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    fig = _fig_compare(summary, baseline, options, folder) if options else None

    several = len(seeds) > 1
    rows = []
    for kpi in dict.fromkeys(summary["indicator"]):
        part = summary[summary["indicator"] == kpi].set_index("scenario")
        unit = str(part["unit"].iloc[0]) if part["unit"].notna().any() else ""
        base_val = float(part.loc[baseline, "value_p50"]) if baseline in part.index else float("nan")
        absolute = kpi in ("capex_eur", "npv_eur", "irr", "simple_payback_years")
        shown = [o for o in options if o in part.index and np.isfinite(float(part.loc[o, "diff_p50"]))]
        if not shown and not np.isfinite(base_val):
            continue
        first = {"span": max(len(shown), 1), "label": INDICATOR_LABELS.get(kpi, kpi.replace("_", " ")),
                 "base": _fmt_value(base_val, unit)}
        if not shown:  # the baseline's value only
            rows.append({**first, "option": None})
        for i, opt in enumerate(shown):
            r = part.loc[opt]
            rows.append({**(first if i == 0 else {"span": 0}), "option": opt,
                         **{key: _fmt_value(float(r[f"diff_{key}"]), unit, signed=not absolute)
                            for key in ("p50", "p10", "p90")}})
    caption = ("Option minus baseline for net cost, district heat, grid import and CO₂ (green = better, red = "
               "worse; whiskers P10–P90 over seeds), and the NPV of each option's investment.")
    page = render("compare_report.html.j2", baseline=baseline, options=options, several=several,
                   seeds_text=f"seeds {', '.join(str(s) for s in seeds)}" if seeds else "the baseline's seed",
                   options_figure=figure(fig, caption) if fig else None, rows=rows, climates=climates,
                   overheating=_overheating_rows(compare_dir, climates))
    out.write_text(page, encoding="utf-8")
    return out


def _overheating_rows(compare_dir: Path, climates: list[str]) -> list[tuple[str, str, list[str]]] | None:
    """(scenario, zone, one cell per climate) of ``twin compare --climates``'s overheating risk; None otherwise."""
    path = compare_dir / "overheating_by_zone.csv"
    if not climates or not path.is_file():
        return None
    risk = pd.read_csv(path)
    cols = ["dh_re2020_c_h", "hours_above_28c", "max_temp_op_c"]
    med = risk.groupby(["scenario", "zone", "climate"], sort=False)[cols].median()
    rows = []
    for (scenario, zone), _ in risk.groupby(["scenario", "zone"], sort=False):
        cells = []
        for c in climates:
            if (scenario, zone, c) in med.index:
                dh, h28, tmax = med.loc[(scenario, zone, c)]
                cells.append(f"{dh:,.0f} °C·h · {h28:,.0f} h · {tmax:.1f} °C")
            else:
                cells.append("–")
        rows.append((str(scenario), str(zone), cells))
    return rows


# --------------------------------------------------------------------------- CLI


def write_report(folder: Path, out: Path | None = None) -> Path:
    """Report of a run folder or a comparison folder, whichever ``folder`` is."""
    folder = Path(folder)
    if _check_folder(folder) == "run":
        return make_report(folder, out)
    return make_comparison_report(folder, out)


def cli_report(args, console=None) -> int:
    """Handler of ``twin report DIR [--out FILE]``; returns the exit status."""
    if args.out:
        from twin.paths import check_output_file

        check_output_file(args.out, "--out", (".html", ".htm"))
    path = write_report(Path(args.dir), Path(args.out) if args.out else None)
    if console is not None and not getattr(args, "quiet", False):
        console.print(f"Report written to [bold]{path}[/bold] (self-contained; figures also in "
                      f"{path.parent / 'figures'})", soft_wrap=True, highlight=False)
    return 0


def register_cli(subparsers) -> None:
    """Add ``twin report DIR [--out FILE]`` to the CLI's subparsers."""
    p = subparsers.add_parser(
        "report", help="write a self-contained HTML report of a run or comparison folder",
        description="Write report.html (figures embedded) for a folder written by `twin run --out` or "
                    "`twin compare --out`; the kind is detected from the files present.",
    )
    p.add_argument("dir", help="results folder of `twin run` or `twin compare`")
    p.add_argument("--out", help="HTML file to write (default DIR/report.html)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    p.set_defaults(func=cli_report, handler=cli_report)
