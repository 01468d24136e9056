"""Results of a run: the time series, the summary (KPIs, balances) and their files.

``Results.save(dir)`` writes ``summary.json`` and ``timeseries.parquet`` (the
column glossary rides in the Parquet metadata under ``twin.columns``);
``Results.load(dir)`` reads them back. Every time-series value is the mean
power (or the mean state) over the step that ENDS at its timestamp, in local
standard time (UTC+01:00 for Besançon).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from twin import columns
from twin.errors import TwinError

__all__ = ["BUILDING_COLUMNS", "ZONE_COLUMNS", "Results", "column_glossary", "glossary_markdown"]

#: Unit and meaning of every building column, from the registry (twin.columns).
BUILDING_COLUMNS: dict[str, tuple[str, str]] = {c.name: (c.unit, c.description) for c in columns.BUILDING}
#: Unit and meaning of every per-zone quantity, from the registry (twin.columns).
ZONE_COLUMNS: dict[str, tuple[str, str]] = {c.name: (c.unit, c.description) for c in columns.ZONE}


def column_glossary(zone_names: list[str] | tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Unit and meaning of every time-series column, zone columns as ``<zone>.<quantity>``."""
    glossary = {name: {"unit": u, "description": d} for name, (u, d) in BUILDING_COLUMNS.items()}
    for zone in zone_names:
        for name, (u, d) in ZONE_COLUMNS.items():
            glossary[f"{zone}.{name}"] = {"unit": u, "description": f"{d}, zone {zone}"}
    return glossary


def _zones_of(columns) -> list[str]:
    """Zone names of a time-series frame (from its ``<zone>.temp_air_c`` columns), in column order."""
    return [c.split(".", 1)[0] for c in columns if c.endswith(".temp_air_c")]


def glossary_markdown() -> str:
    """The text of ``docs/glossary.md``: every time-series column with its unit and meaning."""
    lines = [
        "# Glossary of time-series columns",
        "",
        "Generated from `twin.results` (`python -c \"import twin.results as r; print(r.glossary_markdown())\"`);",
        "a test keeps it equal to the code. Each value is the mean (powers, states) or the total (water",
        "volumes, m3) over the step that ENDS at the row's timestamp (local standard time, UTC+01:00).",
        "",
        "## Building columns",
        "",
        "| column | unit | meaning |",
        "|---|---|---|",
        *(f"| `{name}` | {unit} | {desc} |" for name, (unit, desc) in BUILDING_COLUMNS.items()),
        "",
        "## Zone columns",
        "",
        "One per zone, named `<zone>.<quantity>`, e.g. `coworking.temp_op_c`.",
        "",
        "| quantity | unit | meaning |",
        "|---|---|---|",
        *(f"| `{name}` | {unit} | {desc} |" for name, (unit, desc) in ZONE_COLUMNS.items()),
    ]
    return "\n".join(lines) + "\n"


def _json_safe(value):
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass
class Results:
    """Outcome of one simulated scenario.

    Attributes
    ----------
    timeseries
        One row per step, tz-aware index of step ends; see :func:`column_glossary`. None when the
        run was asked for its summary only (``simulate(..., timeseries=False)``, sweeps).
    summary
        The results contract: ``meta``, ``heat``, ``electricity``, ``water``,
        ``comfort``, ``occupancy``, ``cost_eur``, ``revenue_eur``, ``co2_kg``,
        ``balance``. Groups of systems not simulated yet hold ``None`` values.
    """

    timeseries: pd.DataFrame | None
    summary: dict
    occupancy: object | None = None
    """The discrete-event occupancy realisation (not saved; its KPIs are in the summary)."""

    @property
    def balances(self) -> dict:
        return self.summary["balance"]

    def save(self, out_dir: str | Path) -> Path:
        """Write ``summary.json`` and ``timeseries.parquet`` into ``out_dir`` (created if needed)."""
        out = Path(out_dir)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TwinError(f"{out}: cannot create the output folder ({exc.strerror})") from None
        if self.timeseries is None:
            raise TwinError(f"{out}: these results hold a summary only (simulate(..., timeseries=False)); "
                            "expected a run with its time series to save")
        (out / "summary.json").write_text(json.dumps(_json_safe(self.summary), indent=2, ensure_ascii=False) + "\n")
        table = pa.Table.from_pandas(self.timeseries, preserve_index=True)
        glossary = column_glossary(_zones_of(self.timeseries.columns))
        # Units travel with the data: each column's field metadata, and the whole glossary in the schema's.
        fields = [f.with_metadata({b"unit": glossary[f.name]["unit"].encode(),
                                   b"description": glossary[f.name]["description"].encode()})
                  if f.name in glossary else f for f in table.schema]
        meta = {**(table.schema.metadata or {}), b"twin.columns": json.dumps(glossary).encode()}
        table = table.cast(pa.schema(fields, metadata=meta))
        pq.write_table(table, out / "timeseries.parquet")
        return out

    def to_xarray(self):
        """The time series as an :class:`xarray.Dataset`: building variables over ``time``, zone variables
        over ``time`` and ``zone``, each with ``units`` and ``description`` attributes."""
        import xarray as xr

        ts = self.timeseries
        zones = _zones_of(ts.columns)
        glossary = column_glossary(zones)
        time = ts.index.tz_convert("UTC").tz_localize(None) if ts.index.tz is not None else ts.index
        data = {}
        for name in BUILDING_COLUMNS:
            if name in ts.columns:
                data[name] = xr.Variable(("time",), ts[name].to_numpy(), attrs=glossary[name])
        for name, (unit, description) in ZONE_COLUMNS.items():
            cols = [f"{z}.{name}" for z in zones]
            if all(c in ts.columns for c in cols):
                data[name] = xr.Variable(("time", "zone"), ts[cols].to_numpy(),
                                         attrs={"unit": unit, "units": unit, "description": description})
        for var in data.values():
            var.attrs.setdefault("units", var.attrs.get("unit", ""))
        attrs = {"scenario": self.summary.get("meta", {}).get("scenario", ""),
                 "time": "end of each step, UTC (the timeseries index is local standard time)"}
        return xr.Dataset(data, coords={"time": time.to_numpy(), "zone": zones}, attrs=attrs)

    def write_figures(self, out_dir: str | Path) -> list[Path]:
        """Write the figures of this run into ``out_dir/figures`` and return their paths."""
        from twin.systems.occupancy import plot_occupancy

        folder = Path(out_dir) / "figures"
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        if self.occupancy is not None:
            written.append(plot_occupancy(self.occupancy, self.timeseries.index, self.summary["meta"]["zones"],
                                          folder / "occupancy.png"))
        curve = self.summary.get("water", {}).get("tank_size_curve")
        if curve:
            from twin.systems.rainwater import plot_tank_size_curve

            written.append(plot_tank_size_curve(pd.DataFrame(curve), folder / "tank_size_curve.png"))
        return written

    @classmethod
    def load(cls, out_dir: str | Path) -> Results:
        """Read results written by :meth:`save`."""
        out = Path(out_dir)
        for name in ("summary.json", "timeseries.parquet"):
            if not (out / name).is_file():
                raise TwinError(f"{out}: no {name}; expected a folder written by `twin run --out`")
        summary = json.loads((out / "summary.json").read_text())
        timeseries = pd.read_parquet(out / "timeseries.parquet")
        schema = pq.read_schema(out / "timeseries.parquet")
        timeseries.attrs["units"] = {f.name: f.metadata[b"unit"].decode() for f in schema
                                     if f.metadata and b"unit" in f.metadata}
        return cls(timeseries=timeseries, summary=summary)
