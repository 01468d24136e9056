"""Schemas of the files a user writes, importable without the numerical stack.

Validating a model or scenario (``twin check``, ``twin schema``, the first step of every run)
needs pydantic and these definitions only: the modules of this package import neither numpy,
pandas, scipy nor pvlib at import time (``tests/test_cli.py`` checks it in a fresh interpreter).
The systems that use these schemas at run time (``twin.systems.occupancy``, ``twin.tariffs``,
``twin.climate``) import them from here and re-export them.
"""

MAX_SEEDS = 1000
"""Most seeds (weather years and people) one command runs: ``--seeds`` of run, compare and savings."""
