"""twin: a digital twin of the energy and water systems of Le Numérique (Besançon).

Public API::

    import twin
    scenario = twin.load_scenario("scenarios/baseline.toml")
    results = twin.simulate(scenario)
    results.summary["heat"]["district_heat_kwh"]
    results.save("results/baseline")
"""

from twin.errors import BalanceError, Cancelled, ScenarioError, TwinError, WeatherError

__version__ = "0.1.0"

# Imported on first use (PEP 562): `twin --help`, `twin check` and `twin schema` must not pay for
# the engine, pvlib and scipy.stats, which `import twin.scenario` would otherwise load through here.
_LAZY = {
    "simulate": "twin.api",
    "Results": "twin.results",
    "Model": "twin.scenario",
    "Scenario": "twin.scenario",
    "check_file": "twin.scenario",
    "load_scenario": "twin.scenario",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'twin' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})

__all__ = [
    "BalanceError",
    "Cancelled",
    "Model",
    "Results",
    "Scenario",
    "ScenarioError",
    "TwinError",
    "WeatherError",
    "__version__",
    "check_file",
    "load_scenario",
    "simulate",
]
