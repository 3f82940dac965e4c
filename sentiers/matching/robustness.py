"""Robustness of a ranking, said the way a newcomer reads it.

A ranking rests on weights someone chose and on figures some of which are measured on few people. The check
redraws both and counts, for each candidate, in how many of the redrawn rankings it stays in the leading group:

- the leading group is the first ``k`` candidates, ``k = min(top N, candidates // 4)`` (at least 1): with five
  EPCI, « top 20 » would hold every candidate and say nothing, so the group is the first one;
- each of :data:`DEFAULT_VARIANTS` variants draws new weights from a Dirichlet distribution centred on the
  profile's (``alpha = concentration × w``; with the default concentration of 50, a criterion weighing 20 % varies
  by about ±6 points) **and** new data where the data is uncertain: each rate over a small denominator is redrawn
  from a normal distribution of its standard error (:mod:`sentiers.matching.small_numbers`), then the criterion's
  percentile ranks are recomputed. Figures without a sampling error (distances, labels, published Filosofi values)
  stay as they are;
- the result for a candidate: « reste parmi les 20 premiers dans 17 variantes sur 20 »;
- beside it, the criterion its rank depends on most: each criterion is left out in turn (the others keep their
  relative weights) and the one whose removal moves the candidate furthest down is named, with the rank it would
  then have (« sans le critère Population, cette commune sortirait des 20 premiers : 37e »);
- candidates within :data:`TIE_POINTS` point of the ``k``-th score are « ex aequo » with the cut: their order there
  says nothing, and the page says how many they are.

Draws are seeded: the same profile on the same base gives the same figures. All weight draws are scored at once
(one matrix product) and the group of each draw is found with ``argpartition``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

DEFAULT_VARIANTS = 20
DEFAULT_DRAWS = DEFAULT_VARIANTS  # the name older callers use
DEFAULT_CONCENTRATION = 50.0
DEFAULT_SEED = 20240709
TIE_POINTS = 0.5


def leading_group_size(top_n: int, candidates: int) -> int:
    """``k``: the asked top N, but never more than a quarter of the candidates (at least 1)."""
    if candidates <= 0:
        return 0
    return max(1, min(int(top_n), candidates // 4))


def dirichlet_weights(
    weights: np.ndarray,
    draws: int = DEFAULT_VARIANTS,
    seed: int | np.random.Generator = DEFAULT_SEED,
    concentration: float = DEFAULT_CONCENTRATION,
) -> np.ndarray:
    """``draws × k`` weight vectors around ``weights`` (criteria with zero weight stay at zero)."""
    weights = np.asarray(weights, dtype=float)
    total = weights.sum()
    if total <= 0:
        raise ValueError("weights must have a positive sum")
    share = weights / total
    out = np.zeros((draws, len(weights)))
    active = share > 0
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    out[:, active] = rng.dirichlet(share[active] * concentration, size=draws)
    return out


def _top_counts(scores: np.ndarray, k: int) -> np.ndarray:
    """For ``n × d`` scores, how many columns each row is among the ``k`` best of (ties to the lower row)."""
    n = scores.shape[0]
    if k >= n:
        return np.full(n, scores.shape[1])
    scores = scores - np.arange(n)[:, None] * 1e-12  # ties broken by the base order, deterministic
    idx = np.argpartition(-scores, k - 1, axis=0)[:k]
    return np.bincount(idx.ravel(), minlength=n)


def top_n_frequency(
    transformed: np.ndarray,
    weights: np.ndarray,
    top_n: int,
    draws: int = DEFAULT_VARIANTS,
    seed: int = DEFAULT_SEED,
    concentration: float = DEFAULT_CONCENTRATION,
) -> np.ndarray:
    """Weights only: the share of weight draws in which each candidate (row of ``transformed``, n × k scores in
    [0, 1]) ranks among the ``top_n`` best."""
    n = transformed.shape[0]
    if n == 0:
        return np.zeros(0)
    top_n = max(1, min(int(top_n), n))
    if top_n >= n:
        return np.ones(n)
    w = dirichlet_weights(weights, draws, seed, concentration)
    return _top_counts(transformed @ w.T, top_n) / float(draws)


@dataclass
class Robustness:
    """The check's results, one entry per candidate in ranked order."""

    k: int  # size of the leading group
    variants: int
    hits: np.ndarray  # variants in which the candidate is in the leading group
    depends_on: list[int | None]  # index of the criterion its rank depends on most (leading group only)
    rank_without: np.ndarray  # its rank without that criterion (0 outside the leading group)
    ex_aequo: np.ndarray  # within TIE_POINTS of the k-th score
    perturbed: list[int] = field(default_factory=list)  # criteria whose data were redrawn

    @property
    def share(self) -> np.ndarray:
        return self.hits / float(self.variants) if self.variants else np.full(len(self.hits), np.nan)

    @property
    def ties_at_cut(self) -> int:
        return int(self.ex_aequo.sum())


def leave_one_out(
    transformed: np.ndarray, weights: np.ndarray, k: int
) -> tuple[list[int | None], np.ndarray]:
    """For each of the first ``k`` rows (ranked order), the criterion whose removal moves it furthest down and its
    rank then (1-based)."""
    n, m = transformed.shape
    depends: list[int | None] = [None] * n
    rank_without = np.zeros(n, dtype=int)
    active = [j for j in range(m) if weights[j] > 0]
    if len(active) < 2 or k == 0:
        return depends, rank_without
    worst = np.zeros(k, dtype=int)
    which = np.full(k, -1)
    for j in active:
        w = weights.copy()
        w[j] = 0.0
        scores = np.round(transformed @ (w / w.sum()), 9)
        order = np.lexsort((np.arange(n), -scores))  # ties keep the base order
        ranks = np.empty(n, dtype=int)
        ranks[order] = np.arange(1, n + 1)
        lead = ranks[:k]
        better = lead > worst
        worst = np.where(better, lead, worst)
        which = np.where(better, j, which)
    for i in range(k):
        depends[i] = int(which[i]) if which[i] >= 0 else None
        rank_without[i] = int(worst[i])
    return depends, rank_without


def check(
    values: np.ndarray,
    transformed: np.ndarray,
    weights: np.ndarray,
    scores: np.ndarray,
    uncertainty: np.ndarray,
    rescale: Sequence[Callable[[np.ndarray], np.ndarray]],
    top_n: int,
    variants: int = DEFAULT_VARIANTS,
    seed: int = DEFAULT_SEED,
    concentration: float = DEFAULT_CONCENTRATION,
) -> Robustness:
    """The robustness of a ranking (rows in ranked order).

    ``values``: n × m scored values; ``transformed``: their s in [0, 1] (missing values already filled);
    ``uncertainty``: n × m standard errors (0 where the value is exact); ``rescale[j]``: turns a redrawn column of
    values into s (the criterion's transform with the missing-value policy); ``scores``: the ranking's scores.
    """
    n, m = transformed.shape
    k = leading_group_size(top_n, n)
    if n == 0:
        empty = np.zeros(0)
        return Robustness(0, variants, empty.astype(int), [], empty.astype(int), empty.astype(bool))
    weights = np.asarray(weights, dtype=float)
    rng = np.random.default_rng(seed)
    draws = dirichlet_weights(weights, variants, rng, concentration) if variants else np.zeros((0, m))
    noisy = [j for j in range(m) if weights[j] > 0 and np.nanmax(uncertainty[:, j], initial=0.0) > 0]
    columns = []
    for v in range(variants):
        s = transformed
        if noisy:
            s = transformed.copy()
            for j in noisy:
                sd = np.nan_to_num(uncertainty[:, j], nan=0.0)
                drawn = values[:, j] + rng.standard_normal(n) * sd
                s[:, j] = rescale[j](drawn)
        columns.append(s @ draws[v])
    hits = _top_counts(np.column_stack(columns), k) if variants else np.zeros(n, dtype=int)
    depends, rank_without = leave_one_out(transformed, weights, k)
    cut = float(scores[k - 1])
    ex_aequo = np.abs(np.asarray(scores, dtype=float) - cut) < TIE_POINTS
    return Robustness(
        k=k,
        variants=variants,
        hits=np.asarray(hits, dtype=int),
        depends_on=depends,
        rank_without=rank_without,
        ex_aequo=ex_aequo,
        perturbed=noisy,
    )
