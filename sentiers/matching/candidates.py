"""Candidate tables: one row per commune or per EPCI, one column per catalogue indicator.

Commune values come straight from the base's columns, except rates over small denominators, which are shrunk toward
their département's rate (:mod:`sentiers.matching.small_numbers`; the measured value stays in ``raw:<id>``). EPCI values come from the one aggregation of
communes (:func:`sentiers.base.aggregate.aggregate`): counts summed, rates recomputed from summed numerators and
denominators, published-only values weighted with their coverage, and the EPCI rural rule.

A table is built once per base and level and cached (scoring then only reads columns).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from sentiers.base.aggregate import aggregate
from sentiers.base.catalogue import CATALOGUE, add_lack_shares, add_rates, available_columns, is_access_column
from sentiers.base.sources import missing_layer_text, summed_columns
from sentiers.base.store import Base
from sentiers.geometry import haversine_km
from sentiers.matching.small_numbers import priors, shrink

log = logging.getLogger(__name__)


IDENTITY = ("code", "name", "departement", "region", "population", "lat", "lon")
FLAG_COLUMNS = ("frr", "pvd", "va", "acv")
POINT_COLUMNS = ("france_services", "fabriques", "manufactures")
FILOSOFI_WMEAN = ("median_income", "poverty_rate", "pensions_share")
COUNT_COLUMNS = summed_columns()  # the registry's counts (comparateur, Filosofi households, ages)


def needed_columns() -> list[str]:
    """Every communes column the candidate tables and constraints may read (for projected reads)."""
    cols = list(IDENTITY) + ["epci", "rural", "density_level", "cateaav2020", "centralite_level", "area_km2"]
    cols += list(COUNT_COLUMNS + FILOSOFI_WMEAN + POINT_COLUMNS + FLAG_COLUMNS)
    cols += [c for entry in CATALOGUE.values() for c in entry.columns]
    cols += ["population_year", "postal_codes"]  # commune lookup by name (reference commune)
    cols += [f"catchment_{r}km" for r in (10, 20)]
    return list(dict.fromkeys(cols))


@dataclass
class CandidateTable:
    """Candidates of one level with their indicator values (column = indicator id)."""

    level: str
    frame: pd.DataFrame
    unavailable: dict[str, str] = field(default_factory=dict)  # indicator id -> French reason
    has_rurality: bool = False

    def __len__(self) -> int:
        return len(self.frame)


# -- Kiif coverage -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """Covered départements and the point of the incubator city covering each (None when unknown)."""

    departements: frozenset[str]
    incubator_points: dict[str, tuple[float, float] | None]
    note: str = ""

    @property
    def key(self) -> tuple:
        """A hashable identity (cache keys)."""
        return (self.departements, tuple(sorted(self.incubator_points.items())), self.note)


@cache
def kiif_coverage() -> Coverage:
    """The programme's coverage from data/kiif (sentiers/base/reference/kiif.yaml)."""
    from sentiers.base import kiif

    table = kiif.coverage_table()
    points: dict[str, tuple[float, float] | None] = {}
    for row in table.itertuples(index=False):
        has_point = row.incubator_lat is not None and not pd.isna(row.incubator_lat)
        points[row.departement] = (float(row.incubator_lat), float(row.incubator_lon)) if has_point else None
    loaded = kiif.load_kiif()
    return Coverage(
        departements=frozenset(table["departement"]),
        incubator_points=points,
        note=f"Kiif, {loaded.programme} édition {loaded.edition}",
    )


# -- building ------------------------------------------------------------------------------------------


def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype(float)


def _flag(communes: pd.DataFrame, column: str) -> pd.Series:
    values = communes[column]
    if column == "frr":
        text = values.astype("string").fillna("").str.strip()
        return (text.ne("") & ~text.str.lower().str.startswith("non")).astype(float)
    return values.fillna(False).astype(bool).astype(float)


def _aav_scale(values: pd.Series) -> pd.Series:
    text = values.astype("string").fillna("").str.strip()
    mapping = {"11": 1.0, "12": 1.0, "13": 1.0, "20": 2.0, "30": 3.0}
    return text.map(mapping).astype(float)


def _bpe_columns(communes: pd.DataFrame) -> list[str]:
    needed = {
        c for entry in CATALOGUE.values() if entry.kind in ("presence", "per1000") for c in entry.columns
    }
    return sorted(c for c in needed if c.startswith("bpe_") and c in communes)


def commune_raw(communes: pd.DataFrame) -> pd.DataFrame:
    """Identity plus every numeric input of the catalogue, as floats (commune level)."""
    raw = pd.DataFrame({c: communes[c] for c in ("code", "name", "departement", "region") if c in communes})
    raw["epci"] = communes["epci"].astype("string").fillna("") if "epci" in communes else ""
    raw["population"] = _num(communes["population"])
    raw["lat"] = _num(communes["lat"])
    raw["lon"] = _num(communes["lon"])
    if "area_km2" in communes:
        raw["area_km2"] = _num(communes["area_km2"])
    for col in COUNT_COLUMNS + FILOSOFI_WMEAN + POINT_COLUMNS + tuple(_bpe_columns(communes)):
        if col in communes:
            raw[col] = _num(communes[col])
    access = [c for c in communes.columns if is_access_column(str(c))]
    if access:
        raw = pd.concat([raw, communes[access].apply(pd.to_numeric, errors="coerce").astype(float)], axis=1)
        add_lack_shares(raw)
    if "density_level" in communes:
        raw["density_level"] = _num(communes["density_level"])
    if "rural" in communes:
        rural = communes["rural"].astype("boolean")
        raw["rural"] = rural.astype(float)  # NaN when unknown
    if "cateaav2020" in communes:
        raw["aav_remoteness"] = _aav_scale(communes["cateaav2020"])
    if "centralite_level" in communes:
        raw["centralite_level"] = _num(communes["centralite_level"])
    for col in FLAG_COLUMNS:
        if col in communes:
            raw[col] = _flag(communes, col)
    return raw.reset_index(drop=True)


def epci_raw(raw: pd.DataFrame, epci_names: pd.DataFrame | None = None) -> pd.DataFrame:
    """EPCI rows from commune rows (the one aggregation), flags counted, identity of the largest commune."""
    frame = raw[raw["epci"].astype(str).str.len() > 0].copy()
    keys = frame["epci"].astype(str).to_numpy()
    out = aggregate(frame, keys)
    flags = [c for c in FLAG_COLUMNS if c in frame]
    if flags:
        out = out.join(frame[flags].groupby(keys, sort=False).sum(min_count=1))
    if "frr" in out:
        out["frr"] = out["frr"] / out["n_communes"] * 100  # share of communes classified, %
    out = out.sort_index()
    # identity: the département and région of the most populous commune
    largest = frame.sort_values(["population", "code"], ascending=[False, True]).drop_duplicates("epci")
    largest = largest.set_index(largest["epci"].astype(str))
    out["departement"] = largest["departement"].reindex(out.index)
    out["region"] = largest["region"].reindex(out.index)
    out["seat_name"] = largest["name"].reindex(out.index)
    names = {}
    if epci_names is not None and len(epci_names) and "code" in epci_names:
        names = dict(zip(epci_names["code"].astype(str), epci_names["name"].astype(str), strict=False))
    out["name"] = [names.get(code) or f"EPCI {code}" for code in out.index]
    out.index.name = None
    out = out.reset_index(names="code")
    out["epci"] = out["code"]
    return out


def derive(
    raw: pd.DataFrame,
    level: str,
    columns_present: set[str],
    coverage: Coverage | None,
    prior: pd.DataFrame | None = None,
) -> CandidateTable:
    """Indicator columns (catalogue ids) from raw inputs, recording which ones cannot be computed; rates over small
    denominators shrunk toward ``prior`` (département rates, :mod:`sentiers.matching.small_numbers`)."""
    frame = raw.copy()
    add_rates(frame)
    population = frame["population"]
    unavailable: dict[str, str] = {}
    for entry in CATALOGUE.values():
        if entry.kind == "distance":
            continue
        if not available_columns(columns_present, entry):
            layer = entry.layers[0] if entry.layers else "?"
            unavailable[entry.id] = f"« {entry.label} » — " + missing_layer_text(layer)
            continue
        if entry.id == "rural_pop_share":
            if level == "commune":
                frame["rural_pop_share"] = frame["rural"] * 100
            continue
        if entry.kind in ("presence", "per1000"):
            cols = [c for c in entry.columns if c in frame]
            total = frame[cols].sum(axis=1, min_count=1)
            if entry.kind == "presence":
                frame[entry.id] = (total > 0).astype(float).where(total.notna())
            else:
                frame[entry.id] = total / population.where(population > 0) * 1000
            continue
        if entry.id in frame:
            continue  # rates from add_rates, or a raw column of the same name
        source = entry.columns[0]
        if source in frame:
            frame[entry.id] = frame[source]
        else:
            unavailable[entry.id] = f"« {entry.label} » : valeur non calculable à ce niveau."
    # distance to the incubator covering the candidate's département
    inc = CATALOGUE["distance_incubator_km"]
    if coverage is None:
        unavailable[inc.id] = f"« {inc.label} » indisponible : la couverture Kiif n'est pas chargée."
    else:
        lat0 = frame["departement"].map(lambda d: (coverage.incubator_points.get(d) or (np.nan, np.nan))[0])
        lon0 = frame["departement"].map(lambda d: (coverage.incubator_points.get(d) or (np.nan, np.nan))[1])
        frame[inc.id] = haversine_km(
            frame["lat"].to_numpy(), frame["lon"].to_numpy(), lat0.to_numpy(), lon0.to_numpy()
        )
    if coverage is not None:
        frame["kiif_covered"] = frame["departement"].isin(coverage.departements)
    if prior is not None and "departement" in frame:
        frame = shrink(frame, prior)
    return CandidateTable(level=level, frame=frame, unavailable=unavailable, has_rurality="rural" in frame)


def build_table(
    communes: pd.DataFrame,
    level: str = "commune",
    epci_names: pd.DataFrame | None = None,
    coverage: Coverage | None = None,
) -> CandidateTable:
    """The candidate table of a communes frame (columns as in sentiers.base.schema)."""
    raw = commune_raw(communes)
    present = set(communes.columns) | ({"rural"} if "rural" in communes else set())
    prior = priors(add_rates(raw.copy())) if "departement" in raw else None
    if level == "epci":
        raw = epci_raw(raw, epci_names)
    raw = raw.sort_values("code", kind="stable").reset_index(drop=True)  # ties in a ranking then sort by code
    return derive(raw, level, present, coverage, prior)


def candidate_table(base: Base, level: str = "commune", coverage: Coverage | None = None) -> CandidateTable:
    """The candidate table of a base, per level and coverage, built once and kept by the base."""
    if coverage is None:
        coverage = safe_coverage()
    key = ("candidates", level, coverage.key if coverage is not None else None)
    return base.memo(key, lambda: build_table(base.communes, level, base.epci, coverage))


def safe_coverage() -> Coverage | None:
    try:
        return kiif_coverage()
    except Exception as exc:  # the coverage file is optional for scoring without kiif_only
        log.warning("Kiif coverage unavailable: %s", exc)
        return None
