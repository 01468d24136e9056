"""Exceptions a user can act on.

Every error raised because of user input (a scenario, model, weather or meter
file, a CLI argument) is a :class:`TwinError`. Its message is one line naming
the file, the field and what was expected, so the CLI can print it as is and
exit non-zero, without a traceback.
"""

from __future__ import annotations

__all__ = ["TwinError", "ScenarioError", "WeatherError", "BalanceError", "Cancelled"]


class TwinError(Exception):
    """Base class of the errors a user can fix."""


class ScenarioError(TwinError):
    """A model or scenario file, or an override, is invalid."""


class WeatherError(TwinError):
    """A weather source is missing, unreadable or holds impossible values."""


class BalanceError(TwinError):
    """A run did not close its energy or water balance."""


class Cancelled(Exception):
    """A run stopped because its ``cancel`` callable said so (``twin.simulate(..., cancel=...)``).

    Not a :class:`TwinError`: nothing is wrong with the input; the caller asked to stop (the explorer
    when a newer change arrives).
    """
