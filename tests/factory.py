"""The one factory of small bases the tests build themselves (no files needed).

``make_base(rows, layers=…)`` turns commune records into a :class:`sentiers.base.store.Base` with every table a
feature reads: communes with square polygons (or the geometry given), representative points, areas, the access
columns of the build (distances to the nearest service, catchments), display
geometry, département and région outlines dissolved from the communes, the EPCI list, passages, points,
derivations, and manifest entries named after the registry (publisher, vintage) unless given.
Each test package keeps its own rows (what it tests); how a base is assembled is written once, here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sentiers.base.access import add_access
from sentiers.base.codes import DEPARTEMENT_REGION
from sentiers.base.sources import SOURCES
from sentiers.base.store import EMPTY_COLUMNS, Base

# a few names, as INSEE writes them, for the départements small bases use
DEPARTEMENT_NAMES = {
    "01": "Ain",
    "03": "Allier",
    "05": "Hautes-Alpes",
    "14": "Calvados",
    "15": "Cantal",
    "23": "Creuse",
    "26": "Drôme",
    "2A": "Corse-du-Sud",
    "2B": "Haute-Corse",
    "31": "Haute-Garonne",
    "32": "Gers",
    "35": "Ille-et-Vilaine",
    "42": "Loire",
    "50": "Manche",
    "65": "Hautes-Pyrénées",
    "67": "Bas-Rhin",
    "75": "Paris",
    "974": "La Réunion",
}
REGION_NAMES = {
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "28": "Normandie",
    "53": "Bretagne",
    "44": "Grand Est",
    "11": "Île-de-France",
    "94": "Corse",
    "04": "La Réunion",
}
BUILT_AT = "2026-11-26T07:00:00+00:00"


def layer_entry(layer: str, **overrides: Any) -> dict[str, Any]:
    """A manifest entry for a layer or source id, from the registry (publisher, vintage, year…)."""
    sources = [s for s in SOURCES if layer in (s.layer, s.id)]
    if sources:
        s = max(sources, key=lambda x: x.rank)
        entry: dict[str, Any] = {
            "id": s.id,
            "layer": s.layer,
            "title": s.title,
            "publisher": s.publisher,
            "vintage": s.vintage,
            "year": s.year,
            "geography_year": s.geography_year,
            "licence": s.licence,
            "url": s.url,
            "origin": "mirror",
        }
    else:
        entry = {
            "id": layer,
            "layer": layer,
            "title": f"Titre {layer}",
            "publisher": "Tests",
            "vintage": "test",
        }
        entry["origin"] = "mirror"
    entry.update(overrides)
    return entry


def squares(n: int, lon0: float = 5.0, lat0: float = 44.5, size: float = 0.1, per_row: int = 3) -> list:
    """n adjacent squares on a grid (neighbouring communes)."""
    return [
        shapely.box(
            lon0 + size * (i % per_row),
            lat0 + size * (i // per_row),
            lon0 + size * (i % per_row + 1),
            lat0 + size * (i // per_row + 1),
        )
        for i in range(n)
    ]


def make_base(
    rows: pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    layers: Iterable[str | Mapping[str, Any]] = ("identity",),
    epci: pd.DataFrame | None = None,
    passages: Iterable[tuple[str, str, str, str]] = (),
    points: pd.DataFrame | None = None,
    derivations: pd.DataFrame | None = None,
    geometry: bool = True,
    manifest: Mapping[str, Any] | None = None,
    access: bool = True,
) -> Base:
    """A Base from commune records (``code``, ``name``, ``departement`` at least; see the module docstring).

    ``access``: add the access columns the build adds (distances to the nearest service, catchments) when the
    communes have points."""
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    frame = frame.reset_index(drop=True)
    frame["code"] = frame["code"].astype(str)
    if "region" not in frame:
        frame["region"] = frame["departement"].map(DEPARTEMENT_REGION).fillna("")
    for column, default in (("postal_codes", ""), ("epci", ""), ("geometry_kind", "polygon")):
        if column not in frame:
            frame[column] = default
    if "population" in frame:
        frame["population"] = pd.array(pd.to_numeric(frame["population"], errors="coerce"), dtype="Int64")
    if "population_year" not in frame:
        frame["population_year"] = 2021
    frame["population_year"] = pd.array(frame["population_year"], dtype="Int64")
    if "density_level" in frame:
        frame["density_level"] = pd.array(
            pd.to_numeric(frame["density_level"], errors="coerce"), dtype="Int8"
        )
        if "rural" not in frame:
            rural = frame["density_level"].astype("Float64") >= 5
            frame["rural"] = pd.array(rural, dtype="boolean")
    if geometry:
        if "geometry" in frame:
            geoms = list(frame.pop("geometry"))
        elif {"lat", "lon"} <= set(frame.columns):
            geoms = [
                shapely.box(lon - 0.05, lat - 0.04, lon + 0.05, lat + 0.04)
                for lat, lon in zip(frame["lat"], frame["lon"], strict=True)
            ]
        else:
            geoms = squares(len(frame))
        communes = gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")
        if "lat" not in communes or "lon" not in communes:
            rep = communes.geometry.representative_point()
            communes["lat"], communes["lon"] = rep.y.round(5), rep.x.round(5)
        if "area_km2" not in communes:
            communes["area_km2"] = np.nan_to_num(communes.geometry.to_crs("EPSG:6933").area.to_numpy() / 1e6)
        display = gpd.GeoDataFrame(
            {"code": communes["code"]}, geometry=communes.geometry.to_numpy(), crs="EPSG:4326"
        )
        polys = communes[communes.geom_type.isin(["Polygon", "MultiPolygon"])]
        deps = (
            polys.dissolve("departement")
            .reset_index()[["departement", "geometry"]]
            .rename(columns={"departement": "code"})
        )
        regs = (
            polys.dissolve("region").reset_index()[["region", "geometry"]].rename(columns={"region": "code"})
        )
    else:
        communes = frame
        display = pd.DataFrame({"code": pd.Series(dtype=object)})
        deps = pd.DataFrame({"code": sorted(set(frame["departement"]))})
        regs = pd.DataFrame({"code": sorted(set(frame["region"]) - {""})})
    deps["name"] = deps["code"].map(DEPARTEMENT_NAMES).fillna("Département " + deps["code"])
    deps["region"] = deps["code"].map(DEPARTEMENT_REGION).fillna("")
    regs["name"] = regs["code"].map(REGION_NAMES).fillna("Région " + regs["code"])
    if epci is None:
        codes = sorted(c for c in set(communes["epci"].astype(str)) if c)
        epci = pd.DataFrame({"code": codes, "name": [f"CC {c}" for c in codes], "type": ["CC"] * len(codes)})
    if access and {"lat", "lon", "population"} <= set(communes.columns):
        communes = add_access(communes)
    entries = [layer_entry(x) if isinstance(x, str) else dict(x) for x in layers]
    return Base(
        communes=communes,
        communes_display=display,
        departements=deps,
        regions=regs,
        epci=epci,
        passages=pd.DataFrame(list(passages), columns=list(EMPTY_COLUMNS["passages"])),
        points=points
        if points is not None
        else pd.DataFrame({c: pd.Series(dtype=object) for c in EMPTY_COLUMNS["points"]}),
        derivations=derivations
        if derivations is not None
        else pd.DataFrame({c: pd.Series(dtype=object) for c in EMPTY_COLUMNS["derivations"]}),
        manifest={"built_at": BUILT_AT, "layers": entries, **(manifest or {})},
    )
