"""Small territory bases built by the scoring tests themselves."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import Point

from sentiers.base.store import Base
from sentiers.matching.candidates import Coverage
from tests import factory

COVERAGE = Coverage(
    departements=frozenset({"14", "50"}),
    incubator_points={"14": (49.18, -0.37), "50": None},
    note="test",
)


def communes_frame(n: int = 40, seed: int = 1, **overrides: Any) -> pd.DataFrame:
    """n communes over départements 14, 50 and 35 with varied indicators (counts and Filosofi values)."""
    rng = np.random.default_rng(seed)
    deps = np.array(["14", "50", "35"])[np.arange(n) % 3]
    regions = np.where(deps == "35", "53", "28")
    population = rng.integers(80, 6000, n)
    dwellings = (population * rng.uniform(0.4, 0.7, n)).round()
    active = (population * rng.uniform(0.35, 0.5, n)).round()
    frame = pd.DataFrame(
        {
            "code": [f"{d}{i:03d}" for i, d in enumerate(deps)],
            "name": [f"Commune {i}" for i in range(n)],
            "departement": deps,
            "region": regions,
            "epci": [f"2000000{i % 5:02d}" for i in range(n)],
            "population": pd.array(population, dtype="Int64"),
            "lat": 48.5 + rng.uniform(0, 1, n),
            "lon": -1.5 + rng.uniform(0, 1.5, n),
            "density_level": pd.array(rng.integers(3, 8, n), dtype="Int8"),
            "dwellings": dwellings,
            "secondary_homes": (dwellings * rng.uniform(0, 0.4, n)).round(),
            "vacant_homes": (dwellings * rng.uniform(0, 0.15, n)).round(),
            "active_15_64": active,
            "unemployed_15_64": (active * rng.uniform(0.03, 0.2, n)).round(),
            "jobs": (active * rng.uniform(0.2, 1.5, n)).round(),
            "establishments": (population * rng.uniform(0.02, 0.1, n)).round(),
            "pop_census": population.astype(float),
            "pop_census_prev": (population * rng.uniform(0.9, 1.1, n)).round(),
            "fiscal_households": (population * 0.45).round(),
            "median_income": rng.uniform(17000, 26000, n).round(-1),
            "pensions_share": rng.uniform(20, 50, n).round(1),
            "bpe_b202": pd.array(rng.integers(0, 2, n), dtype="Int64"),
            "bpe_b203": pd.array(rng.integers(0, 3, n), dtype="Int64"),
            "bpe_d201": pd.array(rng.integers(0, 4, n), dtype="Int64"),
            "france_services": pd.array(rng.integers(0, 2, n), dtype="Int64"),
            "frr": np.where(rng.uniform(0, 1, n) > 0.5, "FRR socle", "Non classée"),
            "pvd": rng.uniform(0, 1, n) > 0.8,
        }
    )
    frame["rural"] = pd.array(frame["density_level"].astype(int) >= 5, dtype="boolean")
    for key, value in overrides.items():
        frame[key] = value
    return frame


def make_base(communes: pd.DataFrame) -> Base:
    geometry = [Point(lon, lat) for lat, lon in zip(communes["lat"], communes["lon"], strict=True)]
    layers = [
        {"id": "test_identity", "layer": "identity", "publisher": "Test", "vintage": "population test"},
        {"id": "test_bpe", "layer": "insee_bpe_2020_commerce", "publisher": "Insee", "vintage": "BPE test"},
        {"id": "test_filosofi", "layer": "insee_filosofi", "publisher": "Insee", "vintage": "Filosofi test"},
    ]
    return factory.make_base(communes.assign(geometry=geometry, area_km2=0.0), layers=layers)
