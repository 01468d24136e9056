"""twin: a digital twin of the energy and water systems of Le Numérique (Besançon).

Public API::

    import twin
    scenario = twin.load_scenario("scenarios/baseline.toml")
    results = twin.simulate(scenario)
    results.summary["heat"]["district_heat_kwh"]
    results.save("results/baseline")
"""

from twin.errors import BalanceError, ScenarioError, TwinError, WeatherError

__version__ = "0.1.0"

from twin.api import simulate  # noqa: E402  (needs __version__ defined first)
from twin.results import Results  # noqa: E402
from twin.scenario import Model, Scenario, check_file, load_scenario  # noqa: E402

__all__ = [
    "BalanceError",
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
