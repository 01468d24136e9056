"""The sweep file's schema (``scenarios/sweeps/*.toml``), importable without the numerical stack.

``twin schema`` and ``twin check`` validate sweep files with these classes; :mod:`twin.sweep` runs
them (and re-exports these names). numpy and scipy are imported only when a design is drawn.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from twin.indicators import COMPARE, REGISTRY, SWEEP_EXTRA

__all__ = ["KPI_UNITS", "BestSpec", "Parameter", "SweepDefinition", "kpi_names", "sweep_json_schema"]

#: Unit of every KPI a sweep can record: the comparison's indicators and the sweep's extras (twin.indicators).
KPI_UNITS: dict[str, str] = {n: REGISTRY[n].unit for n in (*COMPARE, *SWEEP_EXTRA)}


def kpi_names() -> list[str]:
    """Names of the KPIs a sweep can record, in column order."""
    return list(KPI_UNITS)


# ---------------------------------------------------------------------------- definition

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Parameter(_Strict):
    """One swept input.

    ``path`` (or ``paths``, several model values set together, e.g. the infiltration of every
    zone) by dotted path; ``values`` (a list) or ``range = [lo, hi]``. ``mode = "factor"`` multiplies
    the base value(s) at the path(s) (lists element-wise) instead of setting them.
    ``distribution`` maps the design's unit samples onto the range: ``uniform``, ``triangular``
    (peak at ``peak``, default mid-range) or ``normal`` (mean ``peak``, default mid-range; ``sd``,
    default a quarter of the range; truncated to the range).
    """

    name: str = Field(default="", pattern=r"^$|^[A-Za-z][A-Za-z0-9_.-]*$")
    path: str | None = None
    paths: list[str] | None = None
    values: list[Any] | None = None
    range: tuple[float, float] | None = None
    levels: int | None = Field(default=None, ge=2)
    distribution: Literal["uniform", "triangular", "normal"] = "uniform"
    peak: float | None = None
    sd: float | None = Field(default=None, gt=0)
    mode: Literal["set", "factor"] = "set"
    integer: bool = False

    @model_validator(mode="after")
    def _check(self):
        if (self.path is None) == (self.paths is None):
            raise ValueError("give exactly one of 'path' or 'paths'")
        if self.paths is not None and not self.paths:
            raise ValueError("'paths' is empty")
        if (self.values is None) == (self.range is None):
            raise ValueError("give exactly one of 'values' or 'range'")
        if self.values is not None and not self.values:
            raise ValueError("'values' is empty")
        if self.range is not None:
            lo, hi = self.range
            if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
                raise ValueError(f"'range' {list(self.range)} is empty: expected [lo, hi] with lo < hi")
            if self.peak is not None and not lo <= self.peak <= hi:
                raise ValueError(f"'peak' {self.peak} outside the range {list(self.range)}")
        if self.mode == "factor" and self.values is not None and not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in self.values):
            raise ValueError("mode = 'factor' needs numeric values")
        return self

    @property
    def label(self) -> str:
        return self.name or (self.path or self.paths[0])

    @property
    def all_paths(self) -> list[str]:
        return [self.path] if self.path is not None else list(self.paths)

    def from_unit(self, u) -> list[Any]:
        """Map unit samples in [0, 1] to values (quantile function of the distribution)."""
        import numpy as np
        from scipy import stats

        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.values is not None:
            k = len(self.values)
            return [self.values[min(int(x * k), k - 1)] for x in u]
        lo, hi = self.range
        if self.distribution == "uniform":
            x = lo + u * (hi - lo)
        elif self.distribution == "triangular":
            peak = (lo + hi) / 2 if self.peak is None else self.peak
            x = stats.triang.ppf(u, (peak - lo) / (hi - lo), loc=lo, scale=hi - lo)
        else:
            mean = (lo + hi) / 2 if self.peak is None else self.peak
            sd = (hi - lo) / 4 if self.sd is None else self.sd
            x = stats.truncnorm.ppf(u, (lo - mean) / sd, (hi - mean) / sd, loc=mean, scale=sd)
        x = np.clip(x, lo, hi)
        return [int(round(v)) for v in x] if self.integer else [float(v) for v in x]

    def grid_values(self) -> list[Any]:
        if self.values is not None:
            return list(self.values)
        if self.levels is None:
            raise ValueError("a 'range' in a grid design needs 'levels' (the number of points)")
        import numpy as np

        x = np.linspace(*self.range, self.levels)
        return [int(round(v)) for v in x] if self.integer else [float(v) for v in x]


def _known_kpis(names: list[str]) -> list[str]:
    known = kpi_names()
    for kpi in names:
        if kpi not in known:
            raise ValueError(f"unknown KPI '{kpi}'; expected one of {known}")
    return names


class BestSpec(_Strict):
    """The table of best variants: lowest (or highest) ``minimise`` KPI meeting limits."""

    @model_validator(mode="after")
    def _check(self):
        _known_kpis([self.minimise, *self.max, *self.min])
        return self

    minimise: str = "net_cost_eur"
    maximise: bool = False
    max: dict[str, float] = {}
    min: dict[str, float] = {}
    n: int = Field(default=10, ge=1)


class SweepDefinition(_Strict):
    """A sweep file, validated (see docs/sweeps.md)."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    base: Path
    design: Literal["grid", "lhs", "sobol", "morris"]
    samples: int | None = Field(default=None, ge=1)
    sample_seed: int = Field(default=0, ge=0)
    second_order: bool = False
    morris_levels: int = Field(default=4, ge=2)
    seeds: list[int] = Field(default=[1], min_length=1)
    overrides: dict[str, Any] = {}
    parameters: list[Parameter] = Field(min_length=1)
    kpis: list[str] = ["net_cost_eur", "district_heat_mwh", "rain_coverage"]
    best: BestSpec = BestSpec()
    # Filled by the loader:
    source_file: Path | None = None

    @field_validator("kpis")
    @classmethod
    def _kpis(cls, names: list[str]) -> list[str]:
        return _known_kpis(names)

    @field_validator("samples")
    @classmethod
    def _sobol_power_of_two(cls, n: int | None, info: ValidationInfo) -> int | None:
        # Saltelli's scheme loses the balance of the Sobol' sequence otherwise (SALib only warns).
        if n is not None and info.data.get("design") == "sobol" and n & (n - 1):
            lower = 1 << (n.bit_length() - 1)
            raise ValueError(f"design 'sobol' needs a power of 2 (e.g. {lower} or {2 * lower}); got {n}")
        return n

    @model_validator(mode="after")
    def _check(self):
        labels = [p.label for p in self.parameters]
        if len(set(labels)) != len(labels):
            raise ValueError(f"parameter names must differ; got {labels}")
        if self.design != "grid" and self.samples is None:
            raise ValueError(f"design '{self.design}' needs 'samples'")
        if any(s < 0 for s in self.seeds) or len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"'seeds' must be distinct non-negative integers; got {self.seeds}")
        known = kpi_names()
        clash = set(labels) & ({"variant_id", "seed", "sample", "runtime_s"} | set(known))
        if clash:
            raise ValueError(f"parameter names {sorted(clash)} clash with result columns")
        return self


def sweep_json_schema() -> dict:
    """JSON Schema of a sweep file (``scenarios/sweeps/*.toml``), for editors and CI checks.

    Dates in ``[overrides]`` are strings in JSON; parameter paths are not checked here (only
    :func:`load_sweep` knows the model).
    """
    schema = SweepDefinition.model_json_schema()
    schema["properties"].pop("source_file", None)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


