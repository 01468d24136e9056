"""Meter data (twin mode): read a long CSV of meter readings, check it, compare the twin with it.

A meter file is a long CSV, one reading per row (``docs/twin-mode.md``)::

    timestamp,meter,quantity,unit,value
    2027-01-11T01:00:00+01:00,district_heat,energy,kWh,12.4
    2027-01-11T01:00:00+01:00,water_mains,volume,L,48

* ``timestamp``: ISO 8601 **with** its UTC offset, the **end** of the interval the reading covers
  (as the twin's time series and EPW files); converted to the site's local standard time (UTC+01:00).
* ``meter``: an id of :data:`METERS` (``district_heat``, ``grid_import``, ``grid_export``, ``pv``,
  ``electricity``, ``water_mains``, ``rainwater``, ``rain_inflow``).
* ``quantity`` and ``unit``: ``energy`` in Wh, kWh, MWh; ``power`` (mean over the interval) in W, kW,
  MW; ``volume`` in m3 (or m³), L (or l). Energy meters accept ``energy`` or ``power``, water meters
  ``volume``. Everything is converted to kWh or m³ per interval.
* ``value``: the reading (≥ 0); an empty value is a missing reading (reported as a gap).

Each meter is one series at one resolution, from 10 minutes to a month: its interval is the
most common spacing of its timestamps (calendar months when every timestamp is midnight on the
1st of a month). A longer spacing is a gap (counted, the longest reported); a shorter or misaligned
one, a repeated timestamp, or one meter given in two quantities or units over the same time are
errors. Every error is a :class:`MeterError` of one line naming the file, the row (or meter and
time), the field and what was expected.

:func:`compare_to_meters` computes the calibration statistics of ASHRAE Guideline 14-2014
(CV(RMSE) and NMBE with n − p degrees of freedom) per meter and checks them against the
guideline's acceptance criteria for calibrated simulation (hourly: NMBE ±10 %, CV(RMSE) 30 %;
monthly: NMBE ±5 %, CV(RMSE) 15 %).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import TwinError

__all__ = [
    "METERS", "RESOLUTIONS", "THRESHOLDS", "MeterError", "MeterData", "MeterSpec", "check_overlap", "compare_to_meters",
    "cvrmse", "nmbe", "plot_meters", "read_meters", "simulated_per_interval",
]

SITE_TZ = dt.timezone(dt.timedelta(hours=1))  # Besançon local standard time (the twin's clock)


class MeterError(TwinError):
    """A meter file is missing, unreadable or inconsistent."""


@dataclass(frozen=True)
class MeterSpec:
    """What a meter measures and which twin column it is compared with.

    ``column`` is a column of :attr:`twin.results.Results.timeseries`; ``column_is_power`` says it
    holds a mean power in kW over each step (multiplied by the step length to get kWh), otherwise
    a volume per step in m³.
    """

    column: str
    kind: str  # "energy" (kWh) or "volume" (m3)
    column_is_power: bool
    description: str

    @property
    def unit(self) -> str:
        return "kWh" if self.kind == "energy" else "m3"


#: Meter ids a file may use -> what they measure and the twin column they map to.
METERS: dict[str, MeterSpec] = {
    "district_heat": MeterSpec("district_heat_kw", "energy", True, "heat bought from the district network (substation meter)"),
    "grid_import": MeterSpec("grid_import_kw", "energy", True, "electricity imported from the grid"),
    "grid_export": MeterSpec("grid_export_kw", "energy", True, "electricity exported to the grid (PV surplus)"),
    "pv": MeterSpec("pv_kw", "energy", True, "PV production (inverter AC output)"),
    "electricity": MeterSpec("electricity_kw", "energy", True, "electricity demand of the building (all uses)"),
    "water_mains": MeterSpec("water_mains_m3", "volume", False, "drinking water bought from the mains"),
    "rainwater": MeterSpec("water_from_tank_m3", "volume", False, "rainwater drawn from the tank by the uses"),
    "rain_inflow": MeterSpec("rain_inflow_m3", "volume", False, "rain collected into the tank"),
}

#: Accepted units per quantity -> (canonical kind, factor to kWh or m3 [per hour for power]).
UNITS: dict[str, dict[str, float]] = {
    "energy": {"Wh": 1e-3, "kWh": 1.0, "MWh": 1e3},
    "power": {"W": 1e-3, "kW": 1.0, "MW": 1e3},
    "volume": {"m3": 1.0, "m³": 1.0, "L": 1e-3, "l": 1e-3},
}
QUANTITIES_OF_KIND = {"energy": ("energy", "power"), "volume": ("volume",)}

#: Resolutions of :meth:`MeterData.resample` and :func:`compare_to_meters` -> pandas frequency.
RESOLUTIONS = {"hourly": "h", "daily": "D", "monthly": "MS"}

#: ASHRAE Guideline 14-2014 acceptance criteria of a calibrated simulation (Option D):
#: resolution -> (|NMBE| limit %, CV(RMSE) limit %). The guideline gives none for daily data; the
#: hourly criteria are applied to daily sums (stricter data, looser limits: a lenient check).
THRESHOLDS: dict[str, tuple[float, float]] = {"hourly": (10.0, 30.0), "daily": (10.0, 30.0), "monthly": (5.0, 15.0)}

REQUIRED_COLUMNS = ("timestamp", "meter", "quantity", "unit", "value")
MIN_INTERVAL = pd.Timedelta(minutes=10)


# ---------------------------------------------------------------------------------------- metrics

def nmbe(measured, simulated, p: int = 1) -> float:
    """Normalised mean bias error [%], ASHRAE Guideline 14-2014 (Annex B):

    NMBE = Σ (m_i − s_i) / ((n − p) · m̄) × 100

    Positive when the model under-predicts. ``p`` is the number of parameters of the model (the
    guideline's degrees-of-freedom correction; 1 by default).
    """
    m, s = _pair(measured, simulated, p)
    return float(np.sum(m - s) / ((len(m) - p) * m.mean()) * 100.0)


def cvrmse(measured, simulated, p: int = 1) -> float:
    """Coefficient of variation of the root-mean-square error [%], ASHRAE Guideline 14-2014:

    CV(RMSE) = √( Σ (m_i − s_i)² / (n − p) ) / m̄ × 100
    """
    m, s = _pair(measured, simulated, p)
    return float(math.sqrt(np.sum((m - s) ** 2) / (len(m) - p)) / m.mean() * 100.0)


def _pair(measured, simulated, p: int) -> tuple[np.ndarray, np.ndarray]:
    m = np.asarray(measured, dtype=float)
    s = np.asarray(simulated, dtype=float)
    if m.shape != s.shape:
        raise ValueError(f"measured and simulated differ in length: {m.shape} vs {s.shape}")
    if len(m) <= p:
        raise ValueError(f"{len(m)} points for p = {p}: need more points than parameters")
    if m.mean() == 0:
        raise ValueError("the measured mean is zero: NMBE and CV(RMSE) are undefined")
    return m, s


# ------------------------------------------------------------------------------------- meter data

@dataclass
class MeterData:
    """Validated meter readings.

    Attributes
    ----------
    series
        Meter id -> DataFrame indexed by interval **end** (UTC+01:00) with columns ``start``,
        ``value`` (kWh or m³ over the interval).
    info
        Meter id -> quantity, unit in the file, resolution, counts, gaps.
    source
        The file read.
    """

    series: dict[str, pd.DataFrame]
    info: dict[str, dict] = field(default_factory=dict)
    source: str = ""

    @property
    def meters(self) -> list[str]:
        return list(self.series)

    def unit(self, meter: str) -> str:
        return METERS[meter].unit

    def resample(self, freq: str = "hourly", which: list[str] | None = None) -> pd.DataFrame:
        """Sums per hour, day or month (``hourly``/``daily``/``monthly``, or a pandas frequency).

        One column per meter (kWh or m³), indexed by the **start** of each period in local standard
        time. Only complete periods are kept (every interval present); meter intervals longer than
        the period (monthly readings asked hourly) raise :class:`MeterError`; ``which`` picks meters.
        """
        rule = RESOLUTIONS.get(freq, freq)
        cols = {}
        for meter in which or self.meters:
            df = self.series[meter]
            cols[meter] = _resample_intervals(df["start"], df.index, df["value"].to_numpy(), rule,
                                              f"{self.source}: meter {meter}")
        if not cols:
            return pd.DataFrame()
        return pd.DataFrame(cols)

    def summary(self) -> pd.DataFrame:
        """One row per meter: quantity, unit, resolution, first/last, readings, total, gaps."""
        rows = []
        for meter, df in self.series.items():
            i = self.info[meter]
            rows.append({
                "meter": meter, "column": METERS[meter].column, "quantity": i["quantity"], "unit_in_file": i["unit"],
                "resolution": i["resolution"], "first_start": df["start"].iloc[0], "last_end": df.index[-1],
                "readings": len(df), "total": float(df["value"].sum()), "total_unit": METERS[meter].unit,
                "gaps": i["gaps"], "missing_intervals": i["missing_intervals"], "longest_gap": i["longest_gap"],
            })
        return pd.DataFrame(rows)


def _resample_intervals(start: pd.Series | pd.DatetimeIndex, end: pd.DatetimeIndex, values: np.ndarray,
                        rule: str, what: str) -> pd.Series:
    """Sum interval values into periods of ``rule``; keep periods whose coverage is complete."""
    start = pd.DatetimeIndex(start)
    end = pd.DatetimeIndex(end)
    period_of_start = _floor(start, rule)
    period_of_end = _floor(end - pd.Timedelta(1, "us"), rule)
    if (period_of_start != period_of_end).any():
        k = int(np.argmax(period_of_start != period_of_end))
        raise MeterError(f"{what}: the interval {start[k]} to {end[k]} spans more than one '{rule}' period; "
                         "choose a coarser resolution")
    dur_s = (end - start).total_seconds().to_numpy()
    frame = pd.DataFrame({"value": values, "dur": dur_s}, index=period_of_start)
    grouped = frame.groupby(level=0, sort=True).sum()
    nxt = _next_period(grouped.index, rule)
    full = (nxt - grouped.index).total_seconds().to_numpy()
    keep = np.isclose(grouped["dur"].to_numpy(), full, rtol=0, atol=1e-6)
    out = grouped["value"][keep]
    out.index.name = "period_start"
    return out


def _floor(idx: pd.DatetimeIndex, rule: str) -> pd.DatetimeIndex:
    if rule == "MS":
        return pd.DatetimeIndex([t.replace(day=1, hour=0, minute=0, second=0, microsecond=0, nanosecond=0) for t in idx])
    return idx.floor(rule)


def _next_period(idx: pd.DatetimeIndex, rule: str) -> pd.DatetimeIndex:
    if rule == "MS":
        return idx + pd.offsets.MonthBegin(1)
    return idx + pd.tseries.frequencies.to_offset(rule)


_OFFSET = r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"  # an ISO 8601 UTC offset ending a timestamp


def _fail_row(path: Path, line: int, meter: str | None, when: pd.Timestamp | None, message: str) -> MeterError:
    where = f"{path}: row {line}" + (f" ({meter} at {when.isoformat()})" if meter and when is not None else "")
    return MeterError(f"{where}: {message}")


def _line_starts(chars: np.ndarray) -> np.ndarray:
    """Positions where each line of the code points ``chars`` starts (the last may be empty)."""
    return np.concatenate([[0], np.flatnonzero(chars == ord("\n")) + 1])


def _skipped_lines(text: str, chars: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """0-based indices of the comment (``#``) and blank lines of ``text``."""
    first = chars[np.minimum(starts, len(chars) - 1)] if len(chars) else np.zeros(1, np.uint32)
    first[starts >= len(chars)] = ord("\n")  # an empty last line
    skip = (first == ord("#")) | (first == ord("\n")) | (first == ord("\r"))
    for k in np.flatnonzero((first == ord(" ")) | (first == ord("\t"))):  # indented: rare, look closer
        end = text.find("\n", starts[k])
        line = text[starts[k]:None if end < 0 else end].strip()
        skip[k] = not line or line.startswith("#")
    if len(chars) and chars[-1] == ord("\n"):
        skip = skip[:-1]  # no line after the final newline
    return np.flatnonzero(skip)


def _read_table(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """The data rows as text (columns of :data:`REQUIRED_COLUMNS`) and their line numbers in the file.

    Comment lines (``#``) and blank lines are dropped first, so that pandas' C parser reads the rest
    in one pass; line numbers still count them, as a spreadsheet shows the file.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MeterError(f"meter file {path}: unreadable ({exc})") from None
    # Lines are found with numpy on the code points: a Python loop over 175,000 lines costs seconds
    chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    starts = _line_starts(chars)
    skipped = _skipped_lines(text, chars, starts)
    n_lines = len(starts) - (1 if text.endswith("\n") else 0)
    numbers = np.setdiff1d(np.arange(n_lines), skipped) + 1  # 1-based numbers of the header and data rows
    if not len(numbers):
        raise MeterError(f"meter file {path}: empty; expected a header {','.join(REQUIRED_COLUMNS)}")
    first = text.split("\n", numbers[0])[numbers[0] - 1]
    header = [h.strip().strip('"') for h in first.split(",")]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise MeterError(f"meter file {path}: missing column(s) {missing}; expected header "
                         f"{','.join(REQUIRED_COLUMNS)}")
    # pandas fills missing trailing fields with '' (an empty value, a gap) and, with index_col=False,
    # drops extra ones when every row has them: count the fields on the text instead
    fields = _field_counts(text, chars, starts, numbers[1:] - 1)
    wrong = np.flatnonzero(fields != len(header))
    if len(wrong):
        k = int(wrong[0])
        hint = ": a decimal comma (use 21.4, not 21,4) or an extra separator?" if fields[k] > len(header) else ""
        raise MeterError(f"{path}: row {numbers[k + 1]}: {fields[k]} fields; expected {len(header)} "
                         f"({','.join(header)}){hint}")
    try:
        table = pd.read_csv(io.StringIO(text), skiprows=skipped.tolist(), dtype=str, keep_default_na=False,
                            na_filter=False, skipinitialspace=True, skip_blank_lines=False,
                            index_col=False)
    except pd.errors.ParserError as exc:
        # "Expected 5 fields in line 3, saw 6": a decimal comma (21,4) or a stray separator
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if not found:
            raise MeterError(f"meter file {path}: not a CSV pandas can read ({str(exc).strip().splitlines()[0]})") from None
        want, line, saw = (int(g) for g in found.groups())  # pandas counts lines of the file, 1-based
        raise MeterError(f"{path}: row {line}: {saw} fields; expected {want} ({','.join(header)}): "
                         "a decimal comma (use 21.4, not 21,4) or an extra separator?") from None
    table.columns = [str(c).strip() for c in table.columns]
    return table, numbers[1:]


def _field_counts(text: str, chars: np.ndarray, starts: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Number of comma-separated fields on each of the 0-based line indices ``rows`` of ``text``."""
    n_lines = len(starts)
    commas = np.bincount(np.searchsorted(starts, np.flatnonzero(chars == ord(",")), side="right") - 1,
                         minlength=n_lines)
    counts = commas[rows] + 1
    quotes = np.searchsorted(starts, np.flatnonzero(chars == ord('"')), side="right") - 1
    quoted = np.bincount(quotes, minlength=n_lines)[rows] > 0
    if quoted.any():  # commas inside quotes are not separators: ask the csv module, line by line
        lines = text.split("\n")
        for k in np.flatnonzero(quoted):
            counts[k] = len(next(csv.reader([lines[rows[k]]]), []))
    return counts


def _codes(column: pd.Series) -> np.ndarray:
    """Stripped text of a column with few distinct values, as a numpy object array (built per value)."""
    codes, uniques = pd.factorize(column, sort=False)
    return np.asarray([str(u).strip() for u in uniques], dtype=object)[codes]


def read_meters(path: str | Path) -> MeterData:
    """Read and validate a meter CSV (module docstring, docs/twin-mode.md).

    The file is parsed by pandas in one pass and checked column by column: a year of five
    15-min meters (175,200 rows) reads in about 1 s instead of 12 s row by row
    (``scripts/bench_meters.py``).

    Raises
    ------
    MeterError
        One line naming the file, the row (or meter and time), the field and what was expected.
    """
    path = Path(path)
    if not path.is_file():
        raise MeterError(f"meter file {path}: not found")
    table, line = _read_table(path)
    meter = _codes(table["meter"])
    unknown = ~np.isin(meter, list(METERS))
    if unknown.any():
        k = int(np.argmax(unknown))
        raise _fail_row(path, line[k], None, None, f"field 'meter' = '{meter[k]}': unknown meter id; expected "
                        f"one of {', '.join(METERS)}")
    stamps = table["timestamp"].str.strip()
    utc = pd.to_datetime(stamps, format="ISO8601", utc=True, errors="coerce")
    bad = utc.isna().to_numpy()
    if bad.any():
        k = int(np.argmax(bad))
        raise _fail_row(path, line[k], None, None, f"field 'timestamp' = '{stamps.iloc[k]}': expected ISO 8601 "
                        "with a UTC offset, e.g. 2027-01-11T01:00:00+01:00")
    naive = ~stamps.str.contains(_OFFSET, regex=True).to_numpy()
    if naive.any():  # utc=True would read them as UTC: silently an hour off
        k = int(np.argmax(naive))
        raise _fail_row(path, line[k], None, None, f"field 'timestamp' = '{stamps.iloc[k]}' has no UTC offset; "
                        "expected e.g. 2027-01-11T01:00:00+01:00")
    when = pd.DatetimeIndex(utc).tz_convert(SITE_TZ)
    quantity = _codes(table["quantity"])
    unit = _codes(table["unit"])
    kind = pd.Series(meter).map({m: s.kind for m, s in METERS.items()}).to_numpy(dtype=object)
    ok_q = np.zeros(len(meter), bool)
    ok_u = np.zeros(len(meter), bool)
    for k_name, quantities in QUANTITIES_OF_KIND.items():
        for q in quantities:
            sel = (kind == k_name) & (quantity == q)
            ok_q |= sel
            ok_u |= sel & np.isin(unit, list(UNITS[q]))
    for ok, message in ((ok_q, "quantity"), (ok_u, "unit")):
        if not ok.all():
            k = int(np.argmax(~ok))
            if message == "quantity":
                text = (f"field 'quantity' = '{quantity[k]}': expected "
                        f"{' or '.join(QUANTITIES_OF_KIND[kind[k]])} for meter {meter[k]}")
            else:
                text = (f"field 'unit' = '{unit[k]}': expected one of {', '.join(UNITS[quantity[k]])} "
                        f"for a {quantity[k]}")
            raise _fail_row(path, line[k], meter[k], when[k], text)
    raw_value = table["value"].str.strip()
    present = (raw_value != "").to_numpy()  # an empty value is a missing reading: a gap
    value = pd.to_numeric(raw_value.where(present), errors="coerce").to_numpy(dtype=float)
    text_value = present & np.isnan(value) & ~raw_value.str.lower().isin(["nan", "+nan", "-nan"]).to_numpy()
    if text_value.any():
        k = int(np.argmax(text_value))
        raise _fail_row(path, line[k], meter[k], when[k], f"field 'value' = '{raw_value.iloc[k]}': expected a "
                        "number (with a decimal point)")
    with np.errstate(invalid="ignore"):
        wrong = present & ~(np.isfinite(value) & (value >= 0))
    if wrong.any():
        k = int(np.argmax(wrong))
        raise _fail_row(path, line[k], meter[k], when[k], f"field 'value' = {raw_value.iloc[k]}: expected a "
                        "finite number ≥ 0")
    frame = pd.DataFrame({"time": when, "meter": meter, "value": value, "quantity": quantity, "unit": unit,
                          "line": line})[present]
    if frame.empty:
        raise MeterError(f"meter file {path}: no readings")
    series, info = {}, {}
    for name in pd.unique(frame["meter"].to_numpy(dtype=object)):  # meters in the order of the file
        series[name], info[name] = _build_series(path, name, frame[frame["meter"] == name])
    return MeterData(series=series, info=info, source=str(path))


def _build_series(path: Path, meter: str, recs: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """One meter's readings (columns time, value, quantity, unit, line) as intervals in kWh or m³."""
    recs = recs.sort_values(["time", "line"], kind="stable")
    times = pd.DatetimeIndex(recs["time"])
    lines = recs["line"].to_numpy()
    kinds_q = recs["quantity"].to_numpy(dtype=object)
    kinds_u = recs["unit"].to_numpy(dtype=object)
    same = np.flatnonzero(times[1:] == times[:-1])
    if len(same):
        k = int(same[0])
        what = ("overlapping series" if (kinds_q[k], kinds_u[k]) != (kinds_q[k + 1], kinds_u[k + 1])
                else "duplicated timestamp")
        raise MeterError(f"{path}: rows {lines[k]} and {lines[k + 1]}: {what}: meter {meter} has two readings "
                         f"ending {times[k].isoformat()}; expected one per interval")
    kinds = sorted(set(zip(kinds_q, kinds_u, strict=True)))
    if len(kinds) > 1:
        # Two quantities or units for one meter: one series each; they must not cover the same time.
        spans = []
        for q, u in kinds:
            sel = np.flatnonzero((kinds_q == q) & (kinds_u == u))
            spans.append((times[sel[0]], times[sel[-1]], (q, u), lines[sel[0]]))
        spans.sort()
        for (_s0, e0, k0, l0), (s1, _e1, k1, l1) in zip(spans, spans[1:], strict=False):
            if s1 <= e0:
                raise MeterError(f"{path}: rows {l0} and {l1}: overlapping series: meter {meter} is given as "
                                 f"{k0[0]} in {k0[1]} and as {k1[0]} in {k1[1]} over the same time "
                                 f"({s1.isoformat()} to {e0.isoformat()}); keep one")
    at_midnight_first = (times.day == 1) & (times.hour == 0) & (times.minute == 0) & (times.second == 0)
    if len(times) > 1 and at_midnight_first.all():
        starts = times - pd.offsets.MonthBegin(1)
        resolution = "monthly"
        steps = np.diff(times.year * 12 + times.month).astype(float)
    else:
        if len(times) < 2:
            raise MeterError(f"{path}: meter {meter}: a single reading; its interval cannot be inferred "
                             "(give at least two consecutive readings)")
        diffs = np.diff(times.asi8)
        values, counts = np.unique(diffs, return_counts=True)
        nominal = int(values[np.argmax(counts)])
        step = pd.Timedelta(nominal, unit=times.unit)
        if step < MIN_INTERVAL:
            raise MeterError(f"{path}: meter {meter}: readings every {step}; expected an interval of "
                             "10 minutes or more")
        if step > pd.Timedelta(days=1) or pd.Timedelta(days=1) % step != pd.Timedelta(0):
            raise MeterError(f"{path}: meter {meter}: interval {step}; expected 10 min to 1 day dividing a "
                             "day, or monthly readings at midnight on the 1st")
        starts = times - step
        resolution = _fmt_td(step)
        steps = diffs / nominal
    bad = np.flatnonzero((steps < 1) | (steps != np.round(steps)))
    if len(bad):
        k = int(bad[0])
        raise MeterError(f"{path}: rows {lines[k]} and {lines[k + 1]}: overlapping series: meter {meter} "
                         f"readings at {times[k].isoformat()} and {times[k + 1].isoformat()} are closer than "
                         f"its {resolution} interval or misaligned")
    missing = (np.round(steps).astype(int) - 1) if len(steps) else np.array([], dtype=int)
    gaps = int((missing > 0).sum())
    longest = int(missing.max()) if len(missing) else 0
    factor = {(q, u): f for q, units in UNITS.items() for u, f in units.items()}
    rate = np.array([factor[k] for k in zip(kinds_q, kinds_u, strict=True)]) if len(kinds) > 1 else \
        np.full(len(times), factor[kinds[0]])
    raw = recs["value"].to_numpy(dtype=float)
    hours = (times - starts).total_seconds().to_numpy() / 3600.0
    value = np.where(kinds_q == "power", raw * rate * hours, raw * rate)
    df = pd.DataFrame({"start": starts, "value": value}, index=times)
    df.index.name = "end"
    info = {
        "quantity": "/".join(sorted(set(kinds_q))), "unit": "/".join(sorted(set(kinds_u))),
        "resolution": resolution, "readings": len(df), "gaps": gaps,
        "missing_intervals": int(missing.sum()) if len(missing) else 0,
        "longest_gap": f"{longest} interval(s)" if longest else "none",
    }
    return df, info


def _fmt_td(td: pd.Timedelta) -> str:
    s = int(td.total_seconds())
    if s % 86400 == 0:
        return f"{s // 86400} d"
    if s % 3600 == 0:
        return f"{s // 3600} h"
    return f"{s // 60} min"


def check_overlap(meters: MeterData, scenario, which: list[str] | None = None) -> None:
    """Refuse meters with no reading inside the period of ``scenario``, before it is simulated.

    Without this a comparison finds 0 common points and reports NaN metrics as if it had run.

    Raises
    ------
    MeterError
        Naming the meter, the span of its readings and the run's period.
    """
    tz = SITE_TZ
    start = pd.Timestamp(scenario.period.start).tz_localize(tz)
    end = pd.Timestamp(scenario.period.end).tz_localize(tz)
    for meter in which or meters.meters:
        df = meters.series.get(meter)
        if df is None:
            continue
        if not ((df["start"] < end) & (df.index > start)).any():
            raise MeterError(f"{meters.source}: meter {meter}: readings from {df['start'].iloc[0].isoformat()} to "
                             f"{df.index[-1].isoformat()} do not overlap the run's period {scenario.period.start} to "
                             f"{scenario.period.end}; expected a period the meters cover (--set period.start=...)")


# --------------------------------------------------------------------------------- comparison

def simulated_per_interval(timeseries: pd.DataFrame, meter: str) -> pd.DataFrame:
    """The twin's energy (kWh) or volume (m³) per step for a meter, with each step's start."""
    spec = METERS[meter]
    if spec.column not in timeseries.columns:
        raise MeterError(f"meter {meter}: the run has no column '{spec.column}' (system not modelled)")
    idx = pd.DatetimeIndex(timeseries.index)
    step = pd.Timedelta(seconds=float(np.median(np.diff(idx.asi8)) / _per_second(idx)))
    values = timeseries[spec.column].to_numpy(dtype=float)
    if spec.column_is_power:
        values = values * step.total_seconds() / 3600.0
    return pd.DataFrame({"start": idx - step, "value": values}, index=idx)


def _per_second(idx: pd.DatetimeIndex) -> float:
    return {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}[idx.unit]


def aligned(results, meters: MeterData, resolution: str = "hourly",
            which: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """Meter id -> DataFrame ``measured``, ``simulated`` over the complete periods both cover."""
    if resolution not in RESOLUTIONS:
        raise MeterError(f"resolution '{resolution}': expected one of {', '.join(RESOLUTIONS)}")
    rule = RESOLUTIONS[resolution]
    ts = results.timeseries if hasattr(results, "timeseries") else results
    out = {}
    for meter in which or meters.meters:
        if meter not in meters.series:
            raise MeterError(f"{meters.source}: no readings of meter '{meter}'; the file has {', '.join(meters.meters)}")
        df = meters.series[meter]
        measured = _resample_intervals(df["start"], df.index, df["value"].to_numpy(), rule,
                                       f"{meters.source}: meter {meter}")
        sim = simulated_per_interval(ts, meter)
        simulated = _resample_intervals(sim["start"], sim.index, sim["value"].to_numpy(), rule, f"twin run, {meter}")
        both = pd.DataFrame({"measured": measured, "simulated": simulated}).dropna()
        out[meter] = both
    return out


def compare_to_meters(results, meters: MeterData, resolution: str = "hourly", p: int = 1,
                      which: list[str] | None = None) -> pd.DataFrame:
    """ASHRAE Guideline 14-2014 calibration statistics of a run against meters, one row per meter.

    Parameters
    ----------
    results
        :class:`twin.results.Results` (or its ``timeseries``) over a period the meters cover.
    meters
        From :func:`read_meters`.
    resolution
        ``hourly``, ``daily`` or ``monthly``: sums compared period by period (complete periods of
        both the meter and the run only).
    p
        Number of model parameters in the n − p degrees of freedom (1 by default).
    which
        Meter ids to compare (default: every meter of the file).

    Returns
    -------
    DataFrame with ``meter``, ``column``, ``unit``, ``resolution``, ``n``, ``measured``,
    ``simulated`` (totals), ``nmbe_pct``, ``cvrmse_pct``, the limits and ``pass``.
    """
    nmbe_lim, cv_lim = THRESHOLDS[resolution] if resolution in THRESHOLDS else (math.nan, math.nan)
    rows = []
    for meter, both in aligned(results, meters, resolution, which).items():
        n = len(both)
        row = {"meter": meter, "column": METERS[meter].column, "unit": METERS[meter].unit,
               "resolution": resolution, "n": n, "measured": float(both["measured"].sum()),
               "simulated": float(both["simulated"].sum()), "nmbe_pct": math.nan, "cvrmse_pct": math.nan,
               "nmbe_limit_pct": nmbe_lim, "cvrmse_limit_pct": cv_lim, "pass": False}
        if n > p and both["measured"].mean() > 0:
            row["nmbe_pct"] = nmbe(both["measured"], both["simulated"], p)
            row["cvrmse_pct"] = cvrmse(both["measured"], both["simulated"], p)
            row["pass"] = bool(abs(row["nmbe_pct"]) <= nmbe_lim and row["cvrmse_pct"] <= cv_lim)
        rows.append(row)
    return pd.DataFrame(rows)


def plot_meters(results, meters: MeterData, out_dir: str | Path, resolution: str = "hourly",
                which: list[str] | None = None) -> list[Path]:
    """Overlay (measured and simulated over time) and scatter (simulated vs measured) per meter."""
    from twin.plotting import pyplot

    plt = pyplot()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for meter, both in aligned(results, meters, resolution, which).items():
        unit = METERS[meter].unit
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4), gridspec_kw={"width_ratios": [2.2, 1]})
        ax1.plot(both.index, both["measured"], label="metered", lw=1.0)
        ax1.plot(both.index, both["simulated"], label="twin", lw=1.0)
        ax1.set_ylabel(f"{unit} per {resolution[:-2] if resolution != 'daily' else 'day'}")
        ax1.set_title(f"{meter}: {resolution} overlay")
        ax1.legend()
        ax2.scatter(both["measured"], both["simulated"], s=6)
        hi = float(max(both["measured"].max(), both["simulated"].max(), 1e-9))
        ax2.plot([0, hi], [0, hi], color="grey", lw=0.8)
        ax2.set_xlabel(f"metered [{unit}]")
        ax2.set_ylabel(f"twin [{unit}]")
        ax2.set_title("scatter, 1:1 line")
        fig.tight_layout()
        path = out / f"meter-{meter}-{resolution}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        paths.append(path)
    return paths


def write_meter_csv(path: str | Path, frame: pd.DataFrame, quantity: dict[str, tuple[str, str]] | None = None,
                    provenance: str | None = None) -> Path:
    """Write per-interval readings (columns = meter ids, index = interval ends, kWh or m³) as a meter CSV.

    ``quantity`` maps a meter to (quantity, unit) of the file (default energy/kWh or volume/m3;
    values are converted from kWh/m³). ``provenance`` is written as a leading ``#`` comment line.
    """
    path = Path(path)
    quantity = quantity or {}
    with path.open("w", newline="", encoding="utf-8") as fh:
        if provenance:
            fh.write(f"# {provenance}\n")
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(REQUIRED_COLUMNS)
        idx = pd.DatetimeIndex(frame.index)
        for meter in frame.columns:
            spec = METERS[meter]
            q, unit = quantity.get(meter, ("energy", "kWh") if spec.kind == "energy" else ("volume", "m3"))
            if q not in QUANTITIES_OF_KIND[spec.kind] or q == "power" or unit not in UNITS[q]:
                raise ValueError(f"write_meter_csv: {meter} cannot be written as {q} in {unit}")
            factor = UNITS[q][unit]
            for t, v in zip(idx, frame[meter].to_numpy(dtype=float), strict=True):
                w.writerow([t.isoformat(), meter, q, unit, "" if not np.isfinite(v) else f"{v / factor:.10g}"])
    return path
