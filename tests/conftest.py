"""Shared fixtures: paths, the baseline scenario, a short run reused read-only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import twin

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
MODEL = ROOT / "models" / "le-numerique.toml"
LYON_EPW = ROOT.parent / "shared" / "reference" / "weather" / "FRA_AR_Lyon-Bron.AP.074800_TMYx.2004-2018.epw"

# Two winter weeks at hourly steps: fast, and heating is active.
SHORT = {"period.start": dt.date(2027, 1, 11), "period.end": dt.date(2027, 1, 25), "period.warmup_days": 3}


def short_scenario(**overrides):
    """The baseline over two January weeks, with extra overrides by dotted path."""
    return twin.load_scenario(BASELINE, **{**SHORT, **overrides})


@pytest.fixture(scope="session")
def baseline_scenario():
    return twin.load_scenario(BASELINE)


@pytest.fixture(scope="session")
def short_results():
    """One short run shared by read-only tests (do not mutate)."""
    return twin.simulate(short_scenario())
