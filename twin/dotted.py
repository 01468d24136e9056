"""Dotted paths: the one way every part of twin names a value inside a scenario, a model or a summary.

A path is keys joined by dots, e.g. ``ahu.heat_recovery.effectiveness``, ``zones.fablab.height_m``
(items of named lists, such as zones, PV arrays or construction layers, are addressed by their
``name``) or ``heat.district_heat_kwh`` in a run's summary. Used by ``--set`` on every command, the
override tables of scenario and option files, sweep parameters, calibration parameters, the
comparison's indicators and the explorer's controls.

Writing a value into a file's data stays with :func:`twin.scenario.apply_override`, which knows
the schema (it refuses paths the model does not have).
"""

from __future__ import annotations

import tomllib
from typing import Any

from twin.errors import ScenarioError

__all__ = ["MAX_DEPTH", "depth", "flatten", "get", "parse_assignments", "parse_value", "scenario_value"]

MAX_DEPTH = 32
"""Deepest nesting of tables and arrays a file may hold; the schemas need fewer than 10 levels."""


def depth(tree: Any) -> int:
    """Nesting depth of dicts and lists, counted without recursion (a hostile file may be very deep)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                break
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables to dotted keys: TOML turns ``a.b = 1`` under ``[overrides]`` into ``{"a": {"b": 1}}``.

    Raises
    ------
    ValueError
        On an empty table, which would silently change nothing.
    """
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        full = f"{prefix}.{key}" if prefix else key
        if value == {}:
            # would vanish here, leaving the section as it was while the file seems to change it
            raise ValueError(f"'{full}' = {{}} is an empty table and would change nothing; expected dotted "
                             f"paths to values, e.g. \"{full}.<field>\" = ...")
        if isinstance(value, dict):
            flat.update(flatten(value, full))
        else:
            flat[full] = value
    return flat


def parse_value(text: str) -> Any:
    """A ``--set`` value read as a TOML value (number, bool, string, date, array), else a bare string.

    Raises
    ------
    ScenarioError
        On a value nested deeper than :data:`MAX_DEPTH`.
    """
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
    except RecursionError:
        value = None
    if value is None or depth(value) > MAX_DEPTH:
        raise ScenarioError(f"--set value {text[:40]!r}...: nested more than {MAX_DEPTH} levels deep; "
                            "expected a number, string, boolean, date or short array")
    return value


def parse_assignments(items: list[str], option: str = "--set") -> dict[str, Any]:
    """``["a.b=1", "c=x"]`` to ``{"a.b": 1, "c": "x"}`` (values by :func:`parse_value`).

    Raises
    ------
    ScenarioError
        On an item without ``=`` or without a path.
    """
    out: dict[str, Any] = {}
    for item in items:
        path, sep, value = item.partition("=")
        if not sep or not path.strip():
            raise ScenarioError(f"{option} '{item}': expected PATH=VALUE, e.g. ahu.heat_recovery.effectiveness=0.85")
        out[path.strip()] = parse_value(value.strip())
    return out


def get(node: Any, path: str | tuple[str, ...], *, strict: bool = False) -> Any:
    """The value at ``path`` in nested dicts and named lists.

    With ``strict=False`` a missing key gives None (a summary group that was not simulated);
    with ``strict=True`` it raises :class:`twin.errors.ScenarioError` naming the path and the key.
    """
    keys = tuple(path.split(".")) if isinstance(path, str) else tuple(path)
    for key in keys:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list):  # named list items: zones, PV arrays, construction layers
            found = next((item for item in node if isinstance(item, dict) and item.get("name") == key), None)
            if found is None and strict:
                raise ScenarioError(f"'{'.'.join(keys)}': no entry named '{key}'")
            node = found
        elif strict:
            raise ScenarioError(f"'{'.'.join(keys)}': no key '{key}'")
        else:
            return None
        if node is None and not strict:
            return None
    return node


def scenario_value(scenario, path: str) -> Any:
    """The value at a dotted path of a loaded scenario, or of its model when the path is not a
    scenario field (as in ``--set``); lists addressed by name.

    Raises
    ------
    ScenarioError
        When the path names nothing.
    """
    from twin.scenario import SCENARIO_KEYS

    head = path.split(".", 1)[0]
    tree = scenario.model_dump() if head in SCENARIO_KEYS else scenario.asset.model_dump()
    return get(tree, path, strict=True)
