"""Named random streams derived from one scenario seed.

Each subsystem draws from its own child stream, keyed by the seed and a stable
name, so that adding a stream or changing one subsystem's draws leaves the
others' realisations unchanged (common random numbers across design options).
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["child_rng"]


def child_rng(seed: int, stream: str) -> np.random.Generator:
    """The generator of stream ``stream`` for scenario seed ``seed``.

    The key is ``crc32(stream)``, stable across Python sessions (unlike ``hash``).
    """
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(stream.encode())]))
