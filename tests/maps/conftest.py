"""A tiny territory base built in the test: two départements of square communes, one with a hostile name."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from sentiers.base.store import Base
from tests.factory import make_base

HOSTILE = "<script>alert('x')</script>"


def _square(x: float, y: float, size: float = 0.1):
    return shapely.box(x, y, x + size, y + size)


def tiny_base() -> Base:
    rows = []
    # département 26 (covered, Ronalpia): a 3x3 grid of communes; 23 (not covered): 2 communes
    for i in range(9):
        rows.append(
            {
                "code": f"26{i + 1:03d}",
                "name": HOSTILE if i == 4 else f"Commune {i}",
                "departement": "26",
                "region": "84",
                "population": 100 * (i + 1),
                "population_year": 2022,
                "density_level": (i % 7) + 1,
                "frr": ["FRR socle", "FRR+", "Non classée"][i % 3],
                "pvd": i == 1,
                "va": i == 2,
                "acv": False,
                "geometry": _square(5 + 0.1 * (i % 3), 44.5 + 0.1 * (i // 3)),
            }
        )
    for i in range(2):
        rows.append(
            {
                "code": f"23{i + 1:03d}",
                "name": f"Creusoise {i}",
                "departement": "23",
                "region": "75",
                "population": 50,
                "population_year": 2022,
                "density_level": 7,
                "frr": "FRR+",
                "pvd": False,
                "va": False,
                "acv": False,
                "geometry": _square(2 + 0.1 * i, 46.0),
            }
        )
    points = pd.DataFrame(
        {
            "layer": ["anct_france_services", "anct_fabriques"],
            "code": ["26001", "26002"],
            "label": ["France services <b>Crest</b>", "Fabrique & co"],
            "lat": [44.55, 44.56],
            "lon": [5.05, 5.15],
            "address": ['1 rue "Haute"', ""],
            "kind": ["", ""],
        }
    )
    layers = [
        {"layer": "grille_densite", "id": "insee_grille", "publisher": "Insee", "vintage": "grille 2024"},
        {"layer": "anct_frr", "id": "anct_frr", "publisher": "DGCL", "vintage": "10 juillet 2025"},
    ]
    return make_base(rows, layers=layers, points=points, epci=pd.DataFrame(columns=["code", "name", "type"]))


@pytest.fixture
def small_base() -> Base:
    return tiny_base()
