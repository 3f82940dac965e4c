"""Access to everyday services, computed once at build time: need is access, not presence.

For each commune and each access family of the catalogue (:data:`sentiers.base.catalogue.ACCESS_FAMILIES`: the
BPE service families, food shops of every size among them, and France services):

- ``dist_<family>_km``: straight-line distance (km) from the commune's representative point to the nearest commune
  that has at least one such equipment, 0 when the commune has one itself; ``near_<family>``: that commune's code
  (itself when it has one). Unknown (NaN, "") when the commune's own count is unknown (a former territory's
  figures left out) or when no commune of its land has one;
- ``n_<family>_10km`` / ``n_<family>_20km``: how many such equipments stand in the communes within 10 / 20 km;

and for each commune ``catchment_10km`` / ``catchment_20km``: the population living in the communes within 10 / 20 km
(itself included).

Method, as the catalogue states it (:data:`sentiers.base.catalogue.ACCESS_METHOD`): the representative point of
each commune (its town hall when known), distances as the crow flies on the sphere (great-circle km), searched
within the commune's land: metropolitan France, Corsica, and each overseas département apart (the nearest pharmacy
of a Corsican village is not in Nice). A road-distance or travel-time source, if one is added to the registry,
takes precedence. Nearest neighbours come from a k-d tree on unit-sphere coordinates; the pairs within 20 km are
found once and the sums within a radius are sparse matrix products.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from sentiers.base.catalogue import ACCESS_FAMILIES
from sentiers.geometry import EARTH_RADIUS_KM

log = logging.getLogger(__name__)

RADII_KM = (10, 20)


def families(communes: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Access family -> the count columns of ``communes`` that make it (families without any column left out)."""
    out: dict[str, tuple[str, ...]] = {}
    for family in ACCESS_FAMILIES:
        columns = tuple(c for c in family.columns if c in communes)
        if columns:
            out[family.key] = columns
    return out


def land_of(departements: pd.Series) -> np.ndarray:
    """The land each commune's nearest services are searched in: "metropole", "corse" or the overseas code."""
    codes = departements.astype("string").fillna("").to_numpy(dtype=object)
    out = np.full(len(codes), "metropole", dtype=object)
    for i, code in enumerate(codes):
        if code in ("2A", "2B", "20"):
            out[i] = "corse"
        elif str(code).startswith("97"):
            out[i] = str(code)
    return out


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack((np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)))


def _chord(km: float) -> float:
    return float(2 * np.sin(km / (2 * EARTH_RADIUS_KM)))


def _km(chord: np.ndarray) -> np.ndarray:
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2, 0, 1))


def _within(xyz: np.ndarray, located: np.ndarray) -> dict[int, object]:
    """Radius -> n × n sparse 0/1 matrix of the pairs of located communes within that radius (diagonal included)."""
    from scipy.sparse import csr_matrix
    from scipy.spatial import cKDTree

    n = len(xyz)
    positions = np.flatnonzero(located)
    tree = cKDTree(xyz[located])
    pairs = tree.sparse_distance_matrix(tree, max_distance=_chord(max(RADII_KM)), output_type="coo_matrix")
    rows, cols, chords = positions[pairs.row], positions[pairs.col], pairs.data
    out: dict[int, object] = {}
    for radius in RADII_KM:
        keep = chords <= _chord(radius)  # the self pairs (distance 0) are among them
        out[radius] = csr_matrix((np.ones(int(keep.sum())), (rows[keep], cols[keep])), shape=(n, n))
    return out


def access_columns(communes: pd.DataFrame) -> pd.DataFrame:
    """The access columns described above, one row per commune (same index)."""
    from scipy.spatial import cKDTree

    start = time.perf_counter()
    n = len(communes)
    lat = pd.to_numeric(communes["lat"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(communes["lon"], errors="coerce").to_numpy(float)
    located = np.isfinite(lat) & np.isfinite(lon)
    xyz = _unit_vectors(np.where(located, lat, 0.0), np.where(located, lon, 0.0))
    lands = land_of(communes["departement"]) if "departement" in communes else np.full(n, "metropole")
    within = _within(xyz, located) if located.any() else {}
    out: dict[str, np.ndarray] = {}
    population = pd.to_numeric(communes.get("population"), errors="coerce").fillna(0).to_numpy(float)
    for radius in RADII_KM:
        summed = within[radius] @ population if within else np.zeros(n)
        out[f"catchment_{radius}km"] = np.where(located, summed, np.nan)
    codes = communes["code"].astype(str).to_numpy()
    found = families(communes)
    for key, columns in found.items():
        raw = communes[list(columns)].apply(pd.to_numeric, errors="coerce")
        known = raw.notna().any(axis=1).to_numpy()
        counts = raw.fillna(0).sum(axis=1).to_numpy(float)
        has = located & known & (counts > 0)
        dist = np.full(n, np.nan)
        near = np.full(n, "", dtype=object)
        for land in np.unique(lands[located]):
            sources = has & (lands == land)
            targets = located & known & (lands == land)
            if not sources.any() or not targets.any():
                continue
            chord, idx = cKDTree(xyz[sources]).query(xyz[targets], k=1)
            dist[targets] = _km(np.asarray(chord))
            near[targets] = codes[sources][idx]
        dist[has] = 0.0
        near[has] = codes[has]
        out[f"dist_{key}_km"] = np.round(dist, 2)
        out[f"near_{key}"] = near
        for radius in RADII_KM:
            summed = within[radius] @ counts if within else np.zeros(n)
            out[f"n_{key}_{radius}km"] = np.where(located, summed, np.nan)
    log.info("access to %d service families in %.1f s", len(found), time.perf_counter() - start)
    return pd.DataFrame(out, index=communes.index)


def add_access(communes: pd.DataFrame) -> pd.DataFrame:
    """``communes`` with the access columns (replacing older ones)."""
    access = access_columns(communes)
    kept = communes.drop(columns=[c for c in access.columns if c in communes.columns])
    return pd.concat([kept, access], axis=1)
