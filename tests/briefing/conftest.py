"""Fixtures of the briefing tests: a small base built here (no files needed)."""

from __future__ import annotations

import pytest

from sentiers.base.store import Base
from tests.briefing.small_base import make_base


@pytest.fixture
def small_base() -> Base:
    return make_base()
