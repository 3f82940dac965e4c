"""Small numbers: rates over small denominators shrunk toward their département's rate, with their uncertainty.

A commune of 7 inhabitants with 2 unemployed among 2 actives has an unemployment rate of 100 %; ranked as measured,
it tops every « emploi » ranking. Scoring reads instead the rate shrunk toward the département's (an empirical
Bayes estimate with a fixed prior weight):

    shrunk = (numerator × factor + k × département rate) / (denominator + k)

with ``k`` the indicator's small-number threshold (:attr:`sentiers.base.catalogue.Indicator.small_below`: 50 actives
for unemployment, 500 inhabitants for services per 1,000…). A rate measured on a denominator much larger than ``k``
is barely moved; one measured on a denominator far smaller than ``k`` is close to its département's. The annual
population change is shrunk the same way on the ratio of the two census populations. The département's rate is
recomputed from the sums of its communes (for an EPCI, the département of its most populous commune); where it is
unknown, the national rate.

Each shrunk rate also gets a standard error, ``factor × sqrt(q (1 - q) / (denominator + k))`` for a share
(binomial) and ``sqrt(value × factor / (denominator + k))`` for a count per unit (Poisson), used by the robustness
check to perturb the data where it is uncertain. The measured rate, the denominator and the shrunk value are all
kept (``raw:<id>``, ``den:<id>``, ``<id>``) so that a page says what was measured and what was scored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sentiers.base.catalogue import CATALOGUE, Indicator

SHARE_UNITS = ("%",)  # a rate whose unit starts with "%" is a share of its denominator (binomial error)
SHRINK_METHOD = (
    "Taux lissé pour les petits effectifs : (numérateur + k × taux du département) / (dénominateur + k), k étant le "
    "seuil d'effectif faible de l'indicateur ; un taux mesuré sur un grand effectif n'est presque pas modifié."
)


@dataclass(frozen=True)
class Parts:
    """Numerator, denominator and factor of a shrinkable indicator in a frame."""

    numerator: pd.Series
    denominator: pd.Series
    factor: float


def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype(float)


def shrinkable() -> list[Indicator]:
    """The catalogue indicators measured over a denominator with a small-number threshold."""
    return [e for e in CATALOGUE.values() if e.small_below > 0 and (e.denominator or e.kind == "per1000")]


def parts(frame: pd.DataFrame, entry: Indicator) -> Parts | None:
    """The indicator's numerator and denominator in ``frame`` (None when a column is missing)."""
    if entry.id == "pop_change_pct":
        if {"pop_census", "pop_census_prev"} <= set(frame.columns):
            return Parts(_num(frame["pop_census"]), _num(frame["pop_census_prev"]), 1.0)
        return None
    if entry.kind == "per1000":
        columns = [c for c in entry.columns if c in frame]
        if not columns or "population" not in frame:
            return None
        return Parts(frame[columns].sum(axis=1, min_count=1), _num(frame["population"]), 1000.0)
    if entry.numerator in frame and entry.denominator in frame:
        return Parts(_num(frame[entry.numerator]), _num(frame[entry.denominator]), entry.factor)
    return None


def priors(communes: pd.DataFrame) -> pd.DataFrame:
    """Per département (index), each shrinkable indicator's ratio numerator / denominator × factor recomputed from
    the sums of its communes; the row ``""`` holds the national ratio."""
    known = communes[communes["departement"].astype("string").fillna("").str.len() > 0]
    out: dict[str, pd.Series] = {}
    keys = known["departement"].astype(str)
    for entry in shrinkable():
        found = parts(known, entry)
        if found is None:
            continue
        ok = found.numerator.notna() & found.denominator.notna()
        num = found.numerator.where(ok).groupby(keys).sum(min_count=1)
        den = found.denominator.where(ok).groupby(keys).sum(min_count=1)
        ratio = num * found.factor / den.where(den > 0)
        national = (
            found.numerator.where(ok).sum()
            * found.factor
            / max(float(found.denominator.where(ok).sum()), 1e-9)
        )
        out[entry.id] = pd.concat([ratio, pd.Series({"": national})])
    return pd.DataFrame(out)


def shrink(frame: pd.DataFrame, prior: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` where each shrinkable indicator column of ``frame`` by its shrunk value; keep ``raw:<id>`` (measured),
    ``den:<id>`` (denominator) and ``sd:<id>`` (standard error of the shrunk value)."""
    departements = frame["departement"].astype("string").fillna("").astype(str)
    added: dict[str, pd.Series] = {}
    for entry in shrinkable():
        if entry.id not in frame or entry.id not in prior:
            continue
        found = parts(frame, entry)
        if found is None:
            continue
        k = float(entry.small_below)
        national = float(prior.at["", entry.id])
        p = departements.map(prior[entry.id]).astype(float).fillna(national)
        num, den = found.numerator, found.denominator.clip(lower=0)
        if entry.id == "pop_change_pct":
            ratio = (num + k * p) / (den + k)
            value = (np.power(ratio, 1 / 5) - 1) * 100
            sd = pd.Series(0.0, index=frame.index)  # census counts, not a sampled share: no data draw
        else:
            value = (num * found.factor + k * p) / (den + k)
            if entry.unit.startswith(SHARE_UNITS):
                q = (value / found.factor).clip(0, 1)
                sd = found.factor * np.sqrt(q * (1 - q) / (den + k))
            else:
                sd = np.sqrt(value.clip(lower=0) * found.factor / (den + k))
        value = value.where(num.notna() & den.notna())
        added[f"raw:{entry.id}"] = frame[entry.id].astype(float)
        added[f"den:{entry.id}"] = den
        added[f"sd:{entry.id}"] = sd.where(value.notna()).astype(float)
        added[entry.id] = value
    if not added:
        return frame
    kept = frame.drop(columns=[c for c in added if c in frame.columns])
    return pd.concat([kept, pd.DataFrame(added, index=frame.index)], axis=1)


def is_small(frame: pd.DataFrame, indicator_id: str) -> pd.Series:
    """Whether each row's value rests on a denominator under the indicator's threshold."""
    entry = CATALOGUE[indicator_id]
    column = f"den:{indicator_id}"
    if not entry.small_below or column not in frame:
        return pd.Series(False, index=frame.index)
    return frame[column].astype(float) < entry.small_below
