"""The code passes the project's linter (ruff, configured in pyproject.toml), so CI enforces it."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .conftest import ROOT


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the test extra)")
    done = subprocess.run([ruff, "check", "--output-format", "concise", str(ROOT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
