"""The code passes the project's linter (ruff, configured in pyproject.toml), so CI enforces it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


def test_ruff_finds_nothing():
    # The venv's own ruff first: CI runs .venv/bin/pytest without activating the venv.
    beside = Path(sys.executable).parent / "ruff"
    ruff = str(beside) if beside.exists() else shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the test extra)")
    done = subprocess.run([ruff, "check", "--output-format", "concise", str(ROOT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _private_imports_across_modules() -> list[str]:
    """``from twin.x import _name`` and ``twin.x._name`` used outside twin/x: each is a hidden coupling."""
    import ast

    found = []
    for path in sorted((ROOT / "twin").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("twin") and node.module != module:
                found += [f"{path.name}: from {node.module} import {a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
    return found


def test_no_module_imports_another_modules_private_names():
    # Issue 13: private helpers used across modules (sweep._get_path, engine._period_times, ...) made
    # every refactor a hunt; shared helpers are public (twin.dotted for paths, engine.period_times).
    assert _private_imports_across_modules() == []
