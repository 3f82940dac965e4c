"""Fixtures of the actors tests: the local API server, a home sharing a built base, the Diois communes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.actors.fake_api import FakeApi, diois_dataset, recorded_responses, reference_dir, serve


def linked_home(source: Path, target: Path) -> Path:
    """A SENTIERS_HOME of its own (cache, raw) reading the base built in ``source`` (symbolic links)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("bases", "current-base"):
        link = target / name
        if not link.exists():
            link.symlink_to(source / name)
    return target


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


def diois_communes(base) -> list[tuple[str, str, float, float]]:
    """(code, name, lat, lon) of the communes of the CC du Diois, Die first."""
    communes = base.communes
    members = communes[communes["epci"].astype(str) == "242600534"].sort_values("population", ascending=False)
    rows = [
        (str(c), str(n), float(a), float(o))
        for c, n, a, o in members[["code", "name", "lat", "lon"]].itertuples(index=False)
    ]
    rows.sort(key=lambda r: r[0] != "26113")
    return rows


@pytest.fixture
def diois_api(fake_api, embedded_base):
    fake_api.dataset = diois_dataset(diois_communes(embedded_base))
    return fake_api


@pytest.fixture
def actors_home(embedded_home, tmp_path, use_home):
    """SENTIERS_HOME = a fresh folder reading the embedded base (its own empty actors cache)."""
    return use_home(linked_home(embedded_home, tmp_path / "home"))
