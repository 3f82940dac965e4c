"""Parsers of the boundary files: Etalab départements and communes, régions (france-geojson)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import shapely

from sentiers.base.build import parse_source
from sentiers.base.codes import DEPARTEMENT_CODES
from sentiers.base.parsers import boundaries
from sentiers.base.sources import SOURCES_BY_ID
from sentiers.errors import SourceError

S = SOURCES_BY_ID


def square(x: float, y: float, size: float = 0.1) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]],
    }


BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


def collection(features: list[tuple[dict, dict]]) -> bytes:
    doc = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features],
    }
    return json.dumps(doc).encode()


def test_departements_keep_the_101_and_repair(tmp_path: Path) -> None:
    path = tmp_path / "departements-100m.geojson"
    path.write_bytes(
        collection(
            [
                ({"code": "01", "nom": "Ain", "region": "84"}, square(5, 46)),
                ({"code": "2A", "nom": "Corse-du-Sud", "region": "94"}, BOWTIE),
                ({"code": "976", "nom": "Mayotte", "region": "06"}, square(45, -13)),
                ({"code": "975", "nom": "Saint-Pierre-et-Miquelon", "region": "975"}, square(-56, 47)),
                ({"code": "988", "nom": "Nouvelle-Calédonie", "region": "988"}, square(165, -21)),
            ]
        )
    )
    frame = boundaries.parse_departements(path, S["etalab_departements"])
    assert frame["code"].tolist() == ["01", "2A", "976"]
    assert frame.crs.to_epsg() == 4326 and frame.geometry.is_valid.all()
    assert frame.set_index("code").loc["01", "name"] == "Ain"
    assert shapely.area(frame.geometry.iloc[1]) == pytest.approx(0.5)  # bow-tie repaired, not dropped
    assert len(DEPARTEMENT_CODES) == 101


def test_regions(tmp_path: Path) -> None:
    path = tmp_path / "regions-avec-outre-mer.geojson"
    path.write_bytes(
        collection(
            [
                ({"code": "84", "nom": "Auvergne-Rhône-Alpes"}, square(5, 45)),
                ({"code": "01", "nom": "Guadeloupe"}, square(-61, 16)),
            ]
        )
    )
    frame = boundaries.parse_regions(path, S["etalab_regions"])
    assert frame[["code", "name"]].values.tolist() == [["84", "Auvergne-Rhône-Alpes"], ["01", "Guadeloupe"]]


def test_commune_contours_gzip(tmp_path: Path) -> None:
    data = collection(
        [
            ({"code": "01001", "nom": "L'Abergement-Clémenciat"}, square(4.9, 46.1, 0.05)),
            ({"code": "2B033", "nom": "Bastia"}, square(9.4, 42.7, 0.05)),
            ({"code": "75101", "nom": "Paris 1er"}, square(2.33, 48.86, 0.01)),
            ({"code": "97501", "nom": "Miquelon-Langlade"}, square(-56.3, 47.0)),
            ({"code": "97411", "nom": "Saint-Denis"}, square(55.4, -20.9, 0.05)),
        ]
    )
    for name, content in (("communes-100m.geojson.gz", gzip.compress(data)), ("communes-100m.geojson", data)):
        path = tmp_path / name
        path.write_bytes(content)
        frame = boundaries.parse_commune_contours(path, S["etalab_contours_communes"])
        assert frame["code"].tolist() == ["01001", "2B033", "97411"]
        assert frame.crs.to_epsg() == 4326 and set(frame.geom_type) == {"Polygon"}


def test_html_and_truncated_files_are_rejected(tmp_path: Path) -> None:
    html = tmp_path / "communes-100m.geojson.gz"
    html.write_text("<!DOCTYPE html><html><body>Not found</body></html>", encoding="utf-8")
    with pytest.raises(SourceError, match="HTML"):
        boundaries.parse_commune_contours(html, S["etalab_contours_communes"])
    full = gzip.compress(collection([({"code": "01001", "nom": "A"}, square(4.9, 46.1))]))
    cut = tmp_path / "cut.geojson.gz"
    cut.write_bytes(full[: len(full) // 2])
    with pytest.raises(SourceError, match="gzip"):
        boundaries.parse_commune_contours(cut, S["etalab_contours_communes"])
    broken = tmp_path / "broken.geojson"
    broken.write_bytes(collection([({"code": "01", "nom": "Ain"}, square(5, 46))])[:70])
    with pytest.raises(SourceError):
        boundaries.parse_departements(broken, S["etalab_departements"])


def test_missing_code_property_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "d.geojson"
    path.write_bytes(collection([({"id": "01", "nom": "Ain"}, square(5, 46))]))
    with pytest.raises(SourceError, match="code"):
        boundaries.parse_departements(path, S["etalab_departements"])


@pytest.mark.mirror
def test_departements_and_regions_mirror(mirror_path: Path) -> None:
    deps = parse_source(S["etalab_departements"], mirror_path / S["etalab_departements"].mirror_path)
    assert sorted(deps["code"]) == sorted(DEPARTEMENT_CODES)
    assert deps.geometry.is_valid.all()
    metro = deps[~deps["code"].str.startswith("97")].to_crs("EPSG:2154")
    assert metro.area.sum() / 1e6 == pytest.approx(548_851, rel=1e-3)  # MANIFEST: 548,851 km²
    regions = parse_source(S["etalab_regions"], mirror_path / S["etalab_regions"].mirror_path)
    assert len(regions) == 18 and regions.geometry.is_valid.all()
    assert regions.set_index("code").loc["84", "name"] == "Auvergne-Rhône-Alpes"
