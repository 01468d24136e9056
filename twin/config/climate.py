"""Warming levels a scenario's ``weather.climate`` (and ``--climate``) may name.

The morphing itself is :mod:`twin.climate`, which re-exports these names and holds the
sources ([TRACC] in its docstring); they live here so that validating a scenario and building
the CLI parser do not import numpy, pandas and the weather readers.
"""

from __future__ import annotations

__all__ = ["CLIMATE_LEVELS", "TRACC_WARMING_VS_PREINDUSTRIAL_K"]

#: France (metropolitan) warming over pre-industrial, K [TRACC] (arrêté 23 Jan 2026).
TRACC_WARMING_VS_PREINDUSTRIAL_K: dict[str, float] = {
    "tracc-2030": 2.0,
    "tracc-2050": 2.7,
    "tracc-2100": 4.0,
}
#: Valid values of WeatherSpec.climate / --climate (None is "today").
CLIMATE_LEVELS: tuple[str, ...] = ("today", *TRACC_WARMING_VS_PREINDUSTRIAL_K)
