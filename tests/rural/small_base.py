"""A small base the rurality tests build themselves (a handful of communes, with or without the grid)."""

from __future__ import annotations

import pandas as pd

from sentiers.base.store import Base
from tests import factory

GRID_ENTRY = {
    "id": "insee_grille_densite_2024",
    "layer": "grille_densite",
    "title": "Grille communale de densité à 7 niveaux, 2024",
    "publisher": "Insee",
    "vintage": "grille 2024 (géographie 2024, population 2021)",
    "year": 2024,
    "geography_year": 2024,
    "url": "https://www.insee.fr/",
}
IDENTITY_ENTRY = {
    "id": "test_identity",
    "layer": "identity",
    "title": "communes de test",
    "publisher": "Tests",
    "vintage": "population 2021",
    "year": 2021,
    "origin": "embedded",
}
FRR_ENTRY = {
    "id": "anct_frr",
    "layer": "anct_frr",
    "title": "FRR",
    "publisher": "DGCL",
    "vintage": "classement au 10 juillet 2025",
    "year": 2025,
}
PVD_ENTRY = {
    "id": "anct_pvd",
    "layer": "anct_pvd",
    "title": "PVD",
    "publisher": "ANCT",
    "vintage": "liste du 7 août 2024",
}

# code, name, departement, postal codes, population, density level (None: unknown)
ROWS = [
    ("26113", "Die", "26", "26150", 4500, 5),
    ("26114", "Dieulefit", "26", "26220", 3200, 5),
    ("65392", "Saint-Martin", "65", "65360", 450, 6),
    ("32389", "Saint-Martin", "32", "32300", 460, 7),
    ("67426", "Saint-Martin", "67", "67220", 370, 6),
    ("01001", "L'Abergement-Clémenciat", "01", "01400", 832, 6),
    ("01002", "Abergement-de-Varey", "01", "01640", 260, 7),
    ("75056", "Paris", "75", "", 2100000, 1),
    ("2A004", "Ajaccio", "2A", "20000 20090", 73000, 2),
    ("2B033", "Bastia", "2B", "20200 20600", 48000, 2),
    ("97411", "Saint-Denis", "974", "97400 97490", 154000, 1),
    ("01187", "Haut Valromey", "01", "01260", 801, 7),
    ("15031", "Celles", "15", "15170", 100, None),
    ("42218", "Saint-Étienne", "42", "42000 42100", 173000, 1),
    ("31574", "Vernet", "31", "31810", 2900, 4),
    ("03306", "Le Vernet", "03", "03200", 1800, 4),
]


def make_base(grid: bool = True, zonings: bool = True) -> Base:
    communes = pd.DataFrame(
        ROWS, columns=["code", "name", "departement", "postal_codes", "population", "level"]
    )
    communes["population"] = communes["population"].astype("Int64")
    communes["population_year"] = pd.array([2021] * len(communes), dtype="Int64")
    communes["lat"] = 45.0
    communes["lon"] = 5.0
    layers = [IDENTITY_ENTRY]
    derivations = pd.DataFrame(columns=["code", "layer", "method", "predecessors"])
    if grid:
        communes["density_level"] = pd.array(communes["level"], dtype="Int8")
        communes["density_derived"] = communes["code"].isin(["01187"])
        communes["density_note"] = ""
        communes.loc[communes["code"] == "01187", "density_note"] = (
            "Commune issue d'une fusion postérieure à la géographie 2024 de la grille : niveau de l'ancienne "
            "commune la plus peuplée parmi 01187 01330."
        )
        communes.loc[communes["code"] == "15031", "density_note"] = (
            "Absente de la grille 2024 et sans commune prédécesseur connue."
        )
        derivations = pd.DataFrame(
            [("01187", "grille_densite", "fusion", "01187 01330")],
            columns=["code", "layer", "method", "predecessors"],
        )
        layers.append(GRID_ENTRY)
    if zonings:
        communes["frr"] = ["FRR socle" if i % 2 else "Non classée" for i in range(len(communes))]
        communes["pvd"] = communes["code"].isin(["26113"])
        communes["pvd_date"] = communes["code"].map({"26113": "2021-03-15"}).fillna("")
        layers += [FRR_ENTRY, PVD_ENTRY]
    communes = communes.drop(columns=["level"])
    passages = [
        ("01330", "01187", "commune déléguée", "insee_cog_2025"),
        ("20004", "2A004", "ancien code", "etalab_communes"),
        ("14011", "14581", "ancien code", "etalab_communes"),  # target absent: ignored
    ]
    return factory.make_base(
        communes, layers=layers, passages=passages, derivations=derivations, geometry=False
    )
