"""Access to everyday services: distance to the nearest commune that has one, counts and populations within a radius.

Small bases the tests make themselves (points at known distances), a brute-force check of the k-d tree against
great-circle distances, and the base built from the official files (Die, the Diois, overseas and Corsica).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentiers.base.access import access_columns, land_of
from sentiers.base.catalogue import ACCESS_FAMILIES, LACK_KM, add_lack_shares
from sentiers.geometry import haversine_km

KM_PER_DEG_LAT = 111.195  # great circle on a 6,371 km sphere


def communes(rows) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["code", "departement", "lat", "lon", "population", "bpe_b202", "bpe_b101"]
    )
    return frame


def test_distances_counts_and_catchments_on_a_line():
    # four communes due north of each other, 4 km, 8 km and 26 km from the first
    step = 1 / KM_PER_DEG_LAT
    frame = communes(
        [
            ("01001", "01", 45.0, 5.0, 300, 1, 0),  # an épicerie
            ("01002", "01", 45.0 + 4 * step, 5.0, 200, 0, 0),
            ("01003", "01", 45.0 + 8 * step, 5.0, 100, 0, 2),  # two hypermarkets
            ("01004", "01", 45.0 + 26 * step, 5.0, 50, 0, 0),
        ]
    )
    access = access_columns(frame)
    food = access["dist_alimentation_km"].to_numpy()
    assert food == pytest.approx([0.0, 4.0, 0.0, 18.0], abs=0.01)  # every size of food shop counts
    assert list(access["near_alimentation"]) == ["01001", "01001", "01003", "01003"]
    # the épicerie alone: the third commune's nearest one is the first, 8 km away
    assert access["dist_epicerie_km"].to_numpy() == pytest.approx([0.0, 4.0, 8.0, 26.0], abs=0.01)
    assert access["n_alimentation_10km"].tolist() == [3, 3, 3, 0]  # the hypermarkets count twice
    assert access["n_alimentation_20km"].tolist() == [3, 3, 3, 2]
    # the population within 10 km, the commune itself included
    assert access["catchment_10km"].tolist() == [600, 600, 600, 50]
    assert access["catchment_20km"].tolist() == [600, 600, 650, 150]
    shares = add_lack_shares(access.copy())
    assert shares["far_alimentation"].tolist() == [0, 0, 0, 100]  # beyond 5 km: a lack


def test_unknown_counts_and_points_stay_unknown():
    frame = communes(
        [
            ("01001", "01", 45.0, 5.0, 300, 1, 0),
            ("01002", "01", 45.05, 5.0, 200, np.nan, np.nan),  # a former territory's counts, left out
            ("01003", "01", np.nan, np.nan, 100, 0, 0),  # no point
        ]
    )
    access = access_columns(frame)
    assert np.isnan(access.loc[1, "dist_alimentation_km"]) and access.loc[1, "near_alimentation"] == ""
    assert np.isnan(access.loc[2, "dist_alimentation_km"]) and np.isnan(access.loc[2, "catchment_10km"])
    assert access.loc[0, "dist_alimentation_km"] == 0.0
    # the unknown commune is not taken for one that has a shop, nor for one without: its neighbour's count stands
    assert access.loc[0, "n_alimentation_10km"] == 1


def test_nearest_is_searched_in_the_communes_land():
    frame = communes(
        [
            ("06088", "06", 43.70, 7.27, 340000, 3, 2),  # Nice
            ("2A004", "2A", 41.93, 8.74, 70000, 5, 1),  # Ajaccio
            ("2B033", "2B", 42.70, 9.45, 45000, 0, 0),  # Bastia without shops: its nearest is in Corsica
            ("97101", "971", 16.27, -61.50, 50000, 0, 0),  # an overseas commune without any in its land
        ]
    )
    access = access_columns(frame)
    assert access.loc[2, "near_alimentation"] == "2A004"
    assert np.isnan(access.loc[3, "dist_alimentation_km"]) and access.loc[3, "near_alimentation"] == ""
    assert list(land_of(frame["departement"])) == ["metropole", "corse", "corse", "971"]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(43.0, 49.0), st.floats(-1.0, 7.0), st.integers(0, 2)), min_size=2, max_size=40
    )
)
def test_nearest_distance_is_the_great_circle_minimum(points):
    frame = communes(
        [(f"01{i:03d}", "01", lat, lon, 100, shops, 0) for i, (lat, lon, shops) in enumerate(points)]
    )
    access = access_columns(frame)
    has = frame["bpe_b202"] > 0
    for i, row in frame.iterrows():
        if not has.any():
            assert np.isnan(access.loc[i, "dist_alimentation_km"])
            continue
        dist = haversine_km(row["lat"], row["lon"], frame.loc[has, "lat"], frame.loc[has, "lon"])
        assert access.loc[i, "dist_alimentation_km"] == pytest.approx(np.min(dist), abs=0.01)
        within = haversine_km(row["lat"], row["lon"], frame["lat"], frame["lon"]) <= 10
        assert access.loc[i, "catchment_10km"] == frame.loc[within, "population"].sum()


def test_every_family_has_a_lack_distance_and_a_phrase():
    for family in ACCESS_FAMILIES:
        assert LACK_KM[family.key] == family.lack_km > 0
        assert family.nearest_label.endswith(("le plus proche", "la plus proche"))


@pytest.mark.mirror
def test_access_on_the_base_built_from_official_files(mirror_base):
    communes_ = mirror_base.communes.set_index("code")
    die = communes_.loc["26113"]
    assert die["dist_alimentation_km"] == 0 and die["dist_medecin_km"] == 0
    # a located commune has a food-shop distance unless its counts are unknown (a former territory's left out,
    # a commune restored after the BPE's geography): then it is unknown too, never « 0 » nor a guess
    located = communes_["lat"].notna()
    counts_unknown = communes_[["bpe_b101", "bpe_b102", "bpe_b201", "bpe_b202"]].isna().all(axis=1)
    unknown = communes_.index[located & communes_["dist_alimentation_km"].isna()]
    assert set(unknown) == set(communes_.index[located & counts_unknown])
    assert {"15141", "15031"} <= set(unknown) and len(unknown) < 20
    # brute force on a sample: the nearest food shop and the population within 20 km
    rng = np.random.default_rng(7)
    food = communes_[["bpe_b101", "bpe_b102", "bpe_b201", "bpe_b202"]].fillna(0).sum(axis=1) > 0
    metro = ~communes_["departement"].astype(str).str.startswith("97") & ~communes_["departement"].isin(
        ["2A", "2B"]
    )
    sources = communes_[food & metro & located]
    for code in rng.choice(communes_.index[metro & located & communes_["dist_alimentation_km"].notna()], 25):
        row = communes_.loc[code]
        dist = haversine_km(row["lat"], row["lon"], sources["lat"], sources["lon"])
        assert row["dist_alimentation_km"] == pytest.approx(float(np.min(dist)), abs=0.01), code
        near = haversine_km(row["lat"], row["lon"], communes_["lat"], communes_["lon"])
        assert row["catchment_20km"] == pytest.approx(communes_.loc[near <= 20, "population"].sum()), code
    # overseas communes find their nearest service in their own département
    overseas = communes_[communes_["departement"].astype(str).str.startswith("97")]
    near = overseas["near_pharmacie"].astype(str)
    found = near[near != ""]
    assert (communes_.loc[found, "departement"].to_numpy() == overseas.loc[found.index, "departement"]).all()
