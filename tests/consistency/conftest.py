"""Fixtures of the consistency tests: generated paper–electronic pairs (tests/consistency/pairs.py)."""

from __future__ import annotations

import pytest

from tests.consistency import pairs


@pytest.fixture
def pair(hubei):
    """pair(hh, alter=None) → (electronic item, paper item, paper value, electronic value)."""

    def make(hh, alter=None, preset="scan", seed=0):
        return pairs.make_pair(hubei, hh, alter, preset, seed)

    return make
