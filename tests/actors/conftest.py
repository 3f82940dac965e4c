"""Fixtures of the actors tests: the local API server, a home sharing a built base, the Diois communes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.actors.fake_api import (
    FakeApi,
    diois_communes,
    diois_dataset,
    linked_home,
    recorded_responses,
    reference_dir,
    serve,
)


@pytest.fixture
def fake_api(monkeypatch):
    """A FakeApi served on 127.0.0.1, SENTIERS_ENTREPRISES_API pointing at it."""
    with serve(FakeApi(recorded=recorded_responses())) as api:
        monkeypatch.setenv("SENTIERS_ENTREPRISES_API", api.url)
        yield api


@pytest.fixture
def reference() -> Path:
    folder = reference_dir()
    if folder is None:
        pytest.skip(
            "the shared reference folder of the API (../shared/reference/api-recherche-entreprises) is absent"
        )
    return folder


@pytest.fixture
def diois_api(fake_api, embedded_base):
    fake_api.dataset = diois_dataset(diois_communes(embedded_base))
    return fake_api


@pytest.fixture
def actors_home(embedded_home, tmp_path, use_home):
    """SENTIERS_HOME = a fresh folder reading the embedded base (its own empty actors cache)."""
    return use_home(linked_home(embedded_home, tmp_path / "home"))
