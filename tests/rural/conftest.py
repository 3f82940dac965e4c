"""Fixtures of the rurality tests: small bases built here, no files needed."""

from __future__ import annotations

import pytest

from sentiers.base.store import Base
from tests.rural.small_base import make_base


@pytest.fixture
def small_base() -> Base:
    return make_base()


@pytest.fixture
def small_base_no_grid() -> Base:
    return make_base(grid=False, zonings=False)
