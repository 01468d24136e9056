"""Output paths checked before any work: a run must not end, minutes later, on a folder it cannot write.

Every check raises :class:`twin.errors.TwinError` with one line naming the option, the path and
what is expected.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from twin.errors import TwinError

__all__ = ["check_output_dir", "check_output_file", "overrides_tag", "packaged_file"]

PACKAGE_DIR = Path(__file__).resolve().parent
"""The installed package (or the source tree ``twin/`` of an editable install)."""


def _nearest_existing(path: Path) -> Path:
    for parent in (path, *path.parents):
        if parent.exists():
            return parent
    return Path(path.anchor or ".")


def _check_writable(path: Path, option: str) -> None:
    """Create and remove a probe folder where ``path`` will be made.

    ``os.access`` is not enough: root passes every permission bit, and /proc or a read-only
    mount still refuse. The probe leaves nothing behind.
    """
    base = _nearest_existing(path)
    if not base.is_dir():
        raise TwinError(f"{option} {path}: {base} is an existing file; expected a folder path")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".twin-probe-", dir=base))
    except OSError as exc:
        raise TwinError(f"{option} {path}: cannot write in {base} ({exc.strerror or exc}); expected a "
                        "writable folder") from None


def check_output_dir(path: str | Path, option: str = "--out", force: bool = False) -> Path:
    """Check that ``path`` can be the output folder, before any simulation.

    Parameters
    ----------
    path
        The folder to write (created later if absent).
    option
        Name of the command-line option, for the message.
    force
        Allow a folder inside the twin package (source tree of an editable install).

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    TwinError
        ``path`` is an existing file, sits inside the package without ``force``, or cannot be
        written.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise TwinError(f"{option} {path}: is an existing file; expected a folder (new or existing)")
    resolved = path.resolve()
    if not force and (resolved == PACKAGE_DIR or PACKAGE_DIR in resolved.parents):
        raise TwinError(f"{option} {path}: is inside the twin package {PACKAGE_DIR}; expected a folder "
                        "outside it (or add --force)")
    _check_writable(path, option)
    return path


def check_output_file(path: str | Path, option: str, suffixes: tuple[str, ...]) -> Path:
    """Check that ``path`` can be written as a file with one of ``suffixes`` (e.g. ``(".png",)``)."""
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise TwinError(f"{option} {path}: extension '{path.suffix}' is not supported; expected "
                        f"{', '.join(suffixes)}")
    if path.is_dir():
        raise TwinError(f"{option} {path}: is an existing folder; expected a file name")
    _check_writable(path.parent, option)
    return path


def overrides_tag(overrides: dict[str, Any]) -> str:
    """Six hex digits identifying a set of overrides, for default result folder names."""
    text = json.dumps(sorted(overrides.items()), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:6]


def _data_roots() -> list[Path]:
    """Where the model and scenario files may be: the source tree, then ``<prefix>/share/twin``."""
    roots = [PACKAGE_DIR.parent]  # a checkout or an editable install: models/ and scenarios/ beside twin/
    for prefix in (sys.prefix, *PACKAGE_DIR.parents[2:4]):  # <prefix>/lib[/python3.x]/site-packages/twin
        roots.append(Path(prefix) / "share" / "twin")
    return roots


def packaged_file(path: str | Path) -> Path | None:
    """The shipped copy of a relative ``path`` like ``scenarios/baseline.toml``, or None.

    Lets ``twin run`` find the default scenario (and ``scenarios/options/...``) from any folder
    after a non-editable install, where only the files listed in pyproject's data-files exist.
    """
    path = Path(path)
    if path.is_absolute() or path.exists():
        return None
    for root in _data_roots():
        candidate = root / path
        if candidate.is_file() and (root / "models").is_dir():
            return candidate
    return None
