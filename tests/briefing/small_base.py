"""A small base the briefing tests build themselves: five square communes in two EPCI, a few layers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from shapely.geometry import box

from sentiers.base.store import Base
from tests import factory

SCRIPT = "<script>alert(1)</script>"


def entry(layer: str, publisher: str, vintage: str, origin: str = "mirror", **extra) -> dict:
    return {
        "id": extra.pop("id", layer),
        "layer": layer,
        "title": extra.pop("title", f"Titre {layer}"),
        "publisher": publisher,
        "vintage": vintage,
        "licence": "Licence Ouverte",
        "origin": origin,
        **extra,
    }


LAYERS = [
    entry("identity", "Tests", "population 2021"),
    entry(
        "grille_densite",
        "Insee",
        "grille 2024 (géographie 2024, population 2021)",
        year=2024,
        geography_year=2024,
    ),
    entry("insee_comparateur", "Insee", "recensement 2018"),
    entry("insee_filosofi", "Insee", "revenus 2021"),
    entry("insee_bpe_2020_commerce", "Insee", "BPE 2020"),
    entry("anct_frr", "DGCL", "classement au 10 juillet 2025"),
    entry("anct_pvd", "ANCT", "liste du 7 août 2024"),
    entry("anct_va", "ANCT", "liste du 5 septembre 2024"),
    entry("anct_acv", "ANCT", "liste du 5 septembre 2024"),
    entry("anct_france_services", "ANCT", "liste du 1er août 2024"),
    entry("anct_fabriques", "ANCT", "janvier 2024"),
    entry("anct_ruralites", "ANCT", "étude 2023"),
    entry("tagc_2024", "Insee", "géographie 2024"),
]

# code, name, dep, epci, population, lon0, density level, épiceries, unemployed, active, median income
ROWS = [
    ("26001", "Alpha", "26", "200000001", 1000, 5.00, 5, 1, 50, 500, 21000.0),
    ("26002", "Bêta", "26", "200000001", 3000, 5.10, 6, 0, 300, 1500, np.nan),
    ("26003", SCRIPT, "26", "200000001", 500, 5.20, 7, 0, 10, 250, 19000.0),
    ("26004", "Gamma-sur-Drôme", "26", "200000002", 20000, 5.30, 2, 5, 2000, 9000, 23000.0),
    ("05001", "Delta", "05", "200000002", 800, 5.40, 7, 2, 40, 400, 20000.0),
]


def make_base(layers: list[dict] | None = None) -> Base:
    frame = pd.DataFrame(
        ROWS,
        columns=[
            "code",
            "name",
            "departement",
            "epci",
            "population",
            "lon0",
            "density_level",
            "bpe_b202",
            "unemployed_15_64",
            "active_15_64",
            "median_income",
        ],
    )
    communes = frame.drop(columns=["lon0"])
    communes["geometry"] = [box(x, 44.70, x + 0.1, 44.78) for x in frame["lon0"]]
    communes["region"] = np.where(communes["departement"] == "26", "84", "93")
    communes["postal_codes"] = ""
    communes["population"] = communes["population"].astype("Int64")
    communes["population_year"] = pd.array([2021] * len(communes), dtype="Int64")
    communes["area_km2"] = 70.0
    communes["lon"] = frame["lon0"] + 0.05
    communes["lat"] = 44.74
    communes["geometry_kind"] = "polygon"
    communes["density_level"] = pd.array(communes["density_level"], dtype="Int8")
    communes["density_derived"] = False
    communes["density_note"] = ""
    communes["bpe_b202"] = pd.array(communes["bpe_b202"], dtype="Int64")
    communes["bpe_b203"] = pd.array([1, 1, 0, 4, 1], dtype="Int64")
    communes["fiscal_households"] = [400.0, np.nan, 200.0, 9000.0, 350.0]
    communes["poverty_rate"] = [12.0, np.nan, 20.0, 15.0, 11.0]
    communes["pensions_share"] = [30.0, np.nan, 40.0, 25.0, 35.0]
    communes["pop_census"] = [990.0, 2950.0, 520.0, 19800.0, 790.0]
    communes["pop_census_prev"] = [1000.0, 2900.0, 560.0, 19000.0, 800.0]
    communes["dwellings"] = [500.0, 1500.0, 300.0, 10000.0, 450.0]
    communes["secondary_homes"] = [50.0, 100.0, 90.0, 300.0, 200.0]
    communes["vacant_homes"] = [40.0, 120.0, 30.0, 900.0, 20.0]
    communes["jobs"] = [300.0, 1600.0, 20.0, 12000.0, 300.0]
    communes["establishments"] = [60.0, 200.0, 10.0, 1500.0, 70.0]
    communes["frr"] = ["FRR socle", "FRR+", "FRR socle", "Non classée", "FRR socle"]
    communes["pvd"] = [False, True, False, False, False]
    communes["pvd_date"] = ["", "2021-03-15", "", "", ""]
    communes["va"] = [True, False, False, False, False]
    communes["acv"] = [False, False, False, True, False]
    communes["acv_name"] = ["", "", "", "Gamma-sur-Drôme", ""]
    communes["france_services"] = pd.array([0, 1, 0, 2, 0], dtype="Int64")
    communes["fabriques"] = pd.array([0, 0, 0, 1, 0], dtype="Int64")
    communes["ruralite_type"] = ["Les ruralités productives", "Les ruralités productives", SCRIPT, "", "x"]
    communes["cateaav2020"] = ["20", "20", "30", "11", "30"]
    communes["aav2020_name"] = ["Gamma", "Gamma", "", "Gamma", ""]
    communes["taav2017"] = ["1", "1", "0", "1", "0"]
    epci = pd.DataFrame(
        {"code": ["200000001", "200000002"], "name": ["CC des Tests", f"CA {SCRIPT}"], "type": ["CC", "CA"]}
    )
    points = pd.DataFrame(
        [
            (
                "anct_france_services",
                "26002",
                "France services de Bêta",
                44.74,
                5.15,
                "1 place de la Mairie",
                "",
            ),
            ("anct_france_services", "26004", "France services de Gamma", 44.74, 5.35, "", ""),
            ("anct_fabriques", "26004", f"Tiers-lieu {SCRIPT}", 44.75, 5.34, "", ""),
            ("anct_france_services", "13055", "France services lointaine", 43.30, 5.37, "", ""),
        ],
        columns=["layer", "code", "label", "lat", "lon", "address", "kind"],
    )
    return factory.make_base(
        communes,
        layers=LAYERS if layers is None else layers,
        epci=epci,
        points=points,
        passages=[("26099", "26001", "commune déléguée", "test")],
    )
