"""The one aggregation of communes into groups (EPCI, département, France) and the one EPCI rural rule.

- Counts (the registry's summed columns, BPE equipment, France services…, population, area) are summed.
- Rates are recomputed from the summed numerators and denominators (:func:`sentiers.base.catalogue.add_rates`),
  never averaged.
- Values Insee publishes only above confidentiality thresholds (Filosofi medians and rates) are weighted means of
  the published communes, and each comes with its coverage: how many communes are published and what share of the
  group's inhabitants live in them. A group whose coverage is partial must say so wherever it is shown.
- Access (distance to the nearest service, catchment population) is averaged over the inhabitants (population-
  weighted), so a commune's 0/100 « farther than the lack distance » becomes the share of the group's inhabitants
  living that far.
- Levels (density level, AAV remoteness) are population-weighted means (indicative); the centralité level is the
  highest of the group; the centre is the population-weighted mean of the communes' points.
- Rurality of a group (:data:`EPCI_RURAL_RULE`): the share of its population living in rural communes, and the
  group is rural when that share is at least :data:`EPCI_RURAL_SHARE` %. Scores, fiches, comparisons and maps all
  read this one rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from sentiers.base.catalogue import add_rates, is_access_column
from sentiers.base.sources import SOURCES, summed_columns

EPCI_RURAL_SHARE = 50.0
EPCI_RURAL_RULE = (
    "Une intercommunalité est rurale lorsqu'au moins la moitié de sa population vit dans des communes rurales "
    "(niveaux 5 à 7 de la grille communale de densité de l'Insee)."
)
POINT_COUNTS = ("france_services", "fabriques", "manufactures")
# values published only for some communes: weighted by the column the registry carries them with
WEIGHTED: dict[str, str] = {
    column: how.partition(":")[2]
    for source in SOURCES
    for column, how in source.carry.items()
    if how.startswith("wmean:")
}
POPULATION_WEIGHTED_LEVELS = ("density_level", "aav_remoteness")


def count_columns(frame: pd.DataFrame) -> list[str]:
    """Columns of ``frame`` that add up over communes."""
    wanted = ["population", "area_km2", *summed_columns(), *POINT_COUNTS]
    wanted += [c for c in frame.columns if str(c).startswith("bpe_")]
    return [c for c in dict.fromkeys(wanted) if c in frame.columns]


def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype(float)


def weighted_mean(values: pd.Series, weights: pd.Series, keys: Any) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(mean over the published values, number of published communes, share of the weight they hold) per key."""
    v, w = _num(values), _num(weights)
    published = v.notna() & w.notna() & (w > 0)
    num = (v * w).where(published).groupby(keys, sort=False).sum(min_count=1)
    den = w.where(published).groupby(keys, sort=False).sum(min_count=1)
    total = w.where(w > 0).groupby(keys, sort=False).sum(min_count=1)
    count = published.groupby(keys, sort=False).sum()
    return num / den.where(den > 0), count.astype(float), (den / total.where(total > 0)).fillna(0.0)


def aggregate(frame: pd.DataFrame, keys: Any) -> pd.DataFrame:
    """One row per group of communes (``keys``: a column's values or an array), columns described above."""
    keys = np.asarray(keys)
    numbers = pd.DataFrame({c: _num(frame[c]) for c in count_columns(frame)}, index=frame.index)
    numbers["n_communes"] = 1.0
    out = numbers.groupby(keys, sort=False).sum(min_count=1)
    add_rates(out)
    extra: dict[str, pd.Series] = {}
    population = _num(frame["population"]) if "population" in frame else pd.Series(1.0, index=frame.index)
    total_population = population.groupby(keys, sort=False).sum(min_count=1)
    for column, weight in WEIGHTED.items():
        if column in frame and weight in frame:
            mean, count, _ = weighted_mean(frame[column], frame[weight], keys)
            published = _num(frame[column]).notna()
            covered = population.where(published, 0.0).groupby(keys, sort=False).sum()
            extra[column] = mean
            extra[f"{column}_published"] = count
            # share of the inhabitants living in a commune whose value is published (the weight itself, fiscal
            # households, is secret where the value is)
            extra[f"{column}_coverage"] = covered / total_population.where(total_population > 0) * 100
    for column in (*POPULATION_WEIGHTED_LEVELS, "lat", "lon"):
        if column in frame:
            extra[column] = weighted_mean(frame[column], population.fillna(0) + 1, keys)[0]
    for column in frame.columns:
        if is_access_column(str(column)):  # for an average inhabitant: far_ becomes the share of inhabitants
            extra[column] = weighted_mean(frame[column], population.fillna(0), keys)[0]
    if "centralite_level" in frame:
        extra["centralite_level"] = _num(frame["centralite_level"]).groupby(keys, sort=False).max()
    out = pd.concat([out, pd.DataFrame(extra, index=out.index)], axis=1) if extra else out
    if "rural" in frame:
        out = out.join(rural_shares(frame, keys))
    return out


def rural_shares(frame: pd.DataFrame, keys: Any) -> pd.DataFrame:
    """Per group: rural_pop_share (%), rural (1/0 by the EPCI rule, NaN when unknown), n_rural, n_known."""
    rural = frame["rural"].astype("boolean")
    population = _num(frame["population"]).fillna(0)
    known = rural.notna()
    rural_pop = population.where(rural.fillna(False).astype(bool), 0.0).groupby(keys, sort=False).sum()
    known_pop = population.where(known, 0.0).groupby(keys, sort=False).sum()
    share = rural_pop / known_pop.where(known_pop > 0) * 100
    out = pd.DataFrame(
        {
            "rural_pop_share": share,
            "rural": (share >= EPCI_RURAL_SHARE).astype(float).where(share.notna()),
            "n_rural": rural.fillna(False).astype(bool).groupby(keys, sort=False).sum().astype(int),
            "n_known": known.groupby(keys, sort=False).sum().astype(int),
        }
    )
    return out


@dataclass(frozen=True)
class GroupRurality:
    """The rural verdict of a group of communes by :data:`EPCI_RURAL_RULE`."""

    status: Literal["rural", "urbain", "inconnu"]
    rural_pop_share: float | None
    n_rural: int
    n_known: int
    n_communes: int


def group_rurality(members: pd.DataFrame) -> GroupRurality:
    """The rurality of one group of communes (an EPCI's members)."""
    n = len(members)
    if "rural" not in members or n == 0:
        return GroupRurality("inconnu", None, 0, 0, n)
    row = rural_shares(members, np.zeros(n, dtype=int)).iloc[0]
    share = None if pd.isna(row["rural_pop_share"]) else float(row["rural_pop_share"])
    if share is None:
        return GroupRurality("inconnu", None, int(row["n_rural"]), int(row["n_known"]), n)
    status: Literal["rural", "urbain"] = "rural" if share >= EPCI_RURAL_SHARE else "urbain"
    return GroupRurality(status, share, int(row["n_rural"]), int(row["n_known"]), n)
