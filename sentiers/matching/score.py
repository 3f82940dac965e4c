"""Scoring: per-criterion transform, weighted score 0-100, contributions, and the whole ranking.

Method (see DESIGN.md, "Scoring, precisely"):

- each criterion's values are turned into ``s`` in [0, 1] by percentile rank among the candidates
  (average rank for ties, ``(rank - 1) / (n - 1)``; 0.5 when every candidate has the same value);
  ``higher``: the highest value gets 1; ``lower``: the lowest gets 1; ``target``: the closest to the target
  gets 1 (rank of ``-|x - target|``);
- score = 100 × Σ wᵢ·sᵢ / Σ wᵢ; the contribution of criterion i is 100 × wᵢ·sᵢ / Σ wᵢ, so contributions add
  up to the score;
- missing values (``missing_policy``): ``neutral`` gives s = 0.5, ``worst`` gives s = 0, ``exclude``
  removes the candidate, ``epci`` (commune level) takes the value of the commune's EPCI (computed from its
  communes' counts, flagged ``imp:<id>``) and falls back to 0.5 where the EPCI has none either; ranks are computed among the candidates that have a value. Every missing value is
  flagged (``na:<id>`` columns, ``missing`` in the JSON); none is silently zero;
- a criterion whose indicator is not in the base (layer not loaded) is left out and reported in
  ``unavailable``; the others keep their relative weights;
- order: score descending, then code ascending (deterministic).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from sentiers import fr
from sentiers.base.catalogue import CATALOGUE
from sentiers.base.sources import HOW_TO_LOAD
from sentiers.errors import SentiersError
from sentiers.matching.candidates import CandidateTable, Coverage, candidate_table
from sentiers.matching.constraints import ReferencePoint, apply_constraints, resolve_reference
from sentiers.matching.presets import default_floor, effective_criteria
from sentiers.matching.profile import MISSING_POLICIES, Criterion, StructureProfile
from sentiers.matching.robustness import DEFAULT_DRAWS, DEFAULT_SEED, TIE_POINTS, Robustness, check

if TYPE_CHECKING:
    from sentiers.base.store import Base

T = TypeVar("T")

log = logging.getLogger(__name__)

ID_COLUMNS = ("code", "name", "departement", "region", "population", "rural", "rural_pop_share")


@dataclass
class Scored:
    """Scores of a set of candidates under a list of criteria."""

    frame: pd.DataFrame  # ranked: ID_COLUMNS + score, rank, n_missing, pts:<id>, val:<id>, na:<id>, raw:<id>
    criteria: list[Criterion]  # the criteria actually used (available), in profile order
    weights: np.ndarray  # their effective weights (0 for a criterion that does not separate the candidates)
    transformed: np.ndarray  # n × k matrix of s in [0, 1], rows in ranked order
    unavailable: list[dict[str, str]] = field(default_factory=list)
    missing_policy: str = "neutral"
    excluded_missing: int = 0
    values: np.ndarray | None = None  # n × k scored values (after imputation), ranked order
    uncertainty: np.ndarray | None = None  # n × k standard errors of the values (0 where exact)
    constant: list[dict[str, str]] = field(default_factory=list)  # criteria given no weight, with the reason
    given_weights: np.ndarray | None = None  # the weights the profile gave


def percentile_rank(values: np.ndarray) -> np.ndarray:
    """(average rank - 1) / (n - 1) of each non-NaN value among the non-NaN ones; NaN stays NaN."""
    out = np.full(values.shape, np.nan)
    valid = ~np.isnan(values)
    n = int(valid.sum())
    if n == 0:
        return out
    if n == 1:
        out[valid] = 0.5
        return out
    ranks = pd.Series(values[valid]).rank(method="average").to_numpy()
    out[valid] = (ranks - 1.0) / (n - 1.0)
    if np.all(ranks == ranks[0]):
        out[valid] = 0.5
    return out


def transform(values: np.ndarray, criterion: Criterion) -> np.ndarray:
    """The criterion's s in [0, 1] (NaN where the value is missing)."""
    x = np.asarray(values, dtype=float)
    if criterion.direction == "higher":
        key = x
    elif criterion.direction == "lower":
        key = -x
    else:
        key = -np.abs(x - float(criterion.target))  # type: ignore[arg-type]
    return percentile_rank(key)


NEAR_CONSTANT_SHARE = 0.95


def near_constant(values: np.ndarray) -> float:
    """The share of the candidates with a value that share the most common one (1.0: the criterion is constant)."""
    known = values[~np.isnan(values)]
    if len(known) < 2:
        return 1.0
    _, counts = np.unique(np.round(known, 9), return_counts=True)
    return float(counts.max()) / len(known)


def _unavailable_entry(criterion: Criterion, reason: str) -> dict[str, str]:
    entry = CATALOGUE[criterion.indicator]
    return {"indicator": criterion.indicator, "label": entry.label, "reason": reason}


def score_frame(
    frame: pd.DataFrame,
    criteria: list[Criterion],
    missing_policy: str = "neutral",
    unavailable_reasons: dict[str, str] | None = None,
    fallback: pd.DataFrame | None = None,
) -> Scored:
    """Score the candidates of ``frame`` (one column per indicator id) under ``criteria``."""
    if not criteria:
        raise SentiersError("criteria : aucun critère ; ajoutez au moins un critère avec un poids positif.")
    if all(c.weight == 0 for c in criteria):
        raise SentiersError(
            "criteria : tous les poids sont nuls ; donnez un poids positif à au moins un critère."
        )
    if missing_policy not in MISSING_POLICIES:
        raise SentiersError(f"missing_policy : valeur « {missing_policy} » non reconnue.")
    reasons = unavailable_reasons or {}
    used: list[Criterion] = []
    unavailable: list[dict[str, str]] = []
    for crit in criteria:
        if crit.indicator not in frame:
            reason = (
                reasons.get(crit.indicator) or f"« {CATALOGUE[crit.indicator].label} » absent de la base."
            )
            unavailable.append(_unavailable_entry(crit, reason))
            continue
        if len(frame) and frame[crit.indicator].isna().all():
            unavailable.append(
                _unavailable_entry(
                    crit, f"« {CATALOGUE[crit.indicator].label} » : aucune valeur parmi les candidats."
                )
            )
            continue
        used.append(crit)
    weights = np.array([c.weight for c in used], dtype=float)
    if weights.sum() <= 0:
        names = ", ".join(u["indicator"] for u in unavailable) or "aucun"
        raise SentiersError(
            "criteria : aucun critère de poids positif n'est disponible dans la base (indisponibles : "
            f"{names}) : chargez les sources officielles ({HOW_TO_LOAD}) ou choisissez d'autres critères."
        )
    values = (
        np.column_stack([frame[c.indicator].to_numpy(dtype=float, na_value=np.nan) for c in used])
        if len(frame)
        else np.zeros((0, len(used)))
    )
    isna = np.isnan(values)
    imputed = np.zeros_like(isna)
    if missing_policy == "epci" and fallback is not None and len(frame):
        for j, crit in enumerate(used):
            if crit.indicator in fallback:
                alt = fallback[crit.indicator].to_numpy(dtype=float, na_value=np.nan)
                use = isna[:, j] & ~np.isnan(alt)
                values[use, j] = alt[use]
                imputed[:, j] = use
    excluded = 0
    if missing_policy == "exclude" and len(frame):
        keep = ~isna.any(axis=1)
        excluded = int((~keep).sum())
        frame = frame.loc[keep].reset_index(drop=True)
        values, isna, imputed = values[keep], isna[keep], imputed[keep]
    s = np.column_stack([transform(values[:, j], c) for j, c in enumerate(used)]) if len(frame) else values
    fill = 0.0 if missing_policy == "worst" else 0.5
    s = np.where(np.isnan(s), fill, s)
    given = weights.copy()
    constant: list[dict[str, str]] = []
    if len(frame) >= 2:
        for j, crit in enumerate(used):
            share = near_constant(values[:, j])
            if weights[j] > 0 and share >= NEAR_CONSTANT_SHARE:
                label = CATALOGUE[crit.indicator].label
                said = "ont tous la même valeur" if share >= 1 else f"ont la même valeur à {share:.0%}"
                constant.append(
                    {
                        "indicator": crit.indicator,
                        "label": label,
                        "reason": (
                            f"« {label} » : les candidats {said.replace('%', ' %')} ; ce critère ne les départage "
                            "pas et ne compte pas dans le score."
                        ),
                    }
                )
                weights[j] = 0.0
        if weights.sum() <= 0:  # nothing separates them: keep the given weights, every score is alike
            weights = given.copy()
    uncertainty = (
        np.column_stack(
            [
                frame[f"sd:{c.indicator}"].to_numpy(dtype=float, na_value=np.nan)
                if f"sd:{c.indicator}" in frame
                else np.zeros(len(frame))
                for c in used
            ]
        )
        if len(frame)
        else np.zeros((0, len(used)))
    )
    uncertainty = np.where(imputed, 0.0, np.nan_to_num(uncertainty, nan=0.0))
    w_norm = weights / weights.sum()
    contrib = 100.0 * s * w_norm  # n × k
    score = np.round(contrib.sum(axis=1), 9)  # ties of float noise sort by code

    if not len(frame):
        order = np.arange(0, dtype=int)
    elif frame["code"].is_monotonic_increasing:  # candidate tables are sorted by code: a stable sort suffices
        order = np.argsort(-score, kind="stable")
    else:
        order = np.lexsort((frame["code"].to_numpy(dtype=str), -score))
    ids = [c.indicator for c in used]
    identity = frame[[c for c in ID_COLUMNS if c in frame]].take(order).reset_index(drop=True)
    columns: dict[str, np.ndarray] = {}
    columns["score"] = score[order]
    columns["rank"] = np.arange(1, len(order) + 1)
    for prefix, matrix in (("pts", contrib), ("val", values), ("na", isna), ("imp", imputed)):
        for j, ind in enumerate(ids):
            columns[f"{prefix}:{ind}"] = matrix[order, j]
    for ind in ids:  # measured value and denominator of a rate scored shrunk (small numbers)
        if f"raw:{ind}" in frame:
            columns[f"raw:{ind}"] = frame[f"raw:{ind}"].to_numpy()[order]
            columns[f"den:{ind}"] = frame[f"den:{ind}"].to_numpy()[order]
    columns["n_missing"] = isna.sum(axis=1).astype(int)[order]
    out = pd.concat([identity, pd.DataFrame(columns)], axis=1)  # rows already in ranked order
    return Scored(
        frame=out,
        criteria=used,
        weights=weights,
        transformed=s[order] if len(frame) else s,
        unavailable=unavailable,
        missing_policy=missing_policy,
        excluded_missing=excluded,
        values=values[order] if len(frame) else values,
        uncertainty=uncertainty[order] if len(frame) else uncertainty,
        constant=constant,
        given_weights=given,
    )


def rescaler(criterion: Criterion, missing_policy: str):
    """The function turning a column of (redrawn) values into the criterion's s, missing values filled."""
    fill = 0.0 if missing_policy == "worst" else 0.5

    def rescale(values: np.ndarray) -> np.ndarray:
        return np.nan_to_num(transform(values, criterion), nan=fill)

    return rescale


@dataclass
class Ranking:
    """A profile scored on a base: funnel, ranked candidates with contributions and robustness."""

    profile: StructureProfile
    level: str
    funnel: list[dict[str, Any]]
    frame: pd.DataFrame  # every candidate passing the constraints, ranked, with "robustness"
    criteria: list[Criterion]
    weights: np.ndarray
    unavailable: list[dict[str, str]]
    missing_policy: str
    top_n: int
    draws: int
    seed: int
    reference: ReferencePoint | None = None
    sources: dict[str, str] = field(default_factory=dict)  # indicator id -> "publisher, vintage"
    constant: list[dict[str, str]] = field(
        default_factory=list
    )  # criteria that do not separate the candidates
    check: Robustness | None = None
    given_weights: np.ndarray | None = None
    # what is derived from this ranking (the shortlist table, its exports): a page keeps one Ranking per
    # scenario for every session, and each derived value is made once
    _memo: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def memo(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()`` once per ranking and key (values are shared: do not modify them)."""
        if key not in self._memo:
            self._memo.setdefault(key, make())
        return self._memo[key]

    @property
    def leading(self) -> int:
        """The size of the leading group the robustness speaks of (``k``)."""
        return self.check.k if self.check is not None else min(self.top_n, len(self.frame))

    def top(self, n: int | None = None) -> pd.DataFrame:
        return self.frame.head(n or self.top_n)

    def contributions(self, code: str) -> dict[str, float]:
        row = self.frame[self.frame["code"] == code]
        if row.empty:
            return {}
        return {c.indicator: float(row.iloc[0][f"pts:{c.indicator}"]) for c in self.criteria}


def rank_profile(
    base: Base,
    profile: StructureProfile,
    *,
    level: str | None = None,
    top_n: int = 20,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    coverage: Coverage | None = None,
) -> Ranking:
    """Constraints, scores, contributions and robustness of a profile on a base."""
    from sentiers.base.catalogue import source_note
    from sentiers.matching.candidates import safe_coverage

    level = level or profile.level
    if coverage is None:
        coverage = safe_coverage()
    table = candidate_table(base, level, coverage=coverage)
    criteria = effective_criteria(profile)
    reference = None
    if profile.constraints.reference_commune:
        reference = resolve_reference(base, profile.constraints.reference_commune)
    reasons = dict(table.unavailable)
    if reference is None:
        reasons["distance_reference_km"] = (
            "« Distance à la commune de référence » : indiquez une commune de référence "
            "(constraints.reference_commune)."
        )
    frame, funnel = apply_constraints(
        projected(table, criteria),
        profile.constraints,
        coverage=coverage,
        reference=reference,
        default_floor=default_floor(profile, level),
    )
    fallback = None
    if profile.missing_policy == "epci" and level == "commune" and "epci" in frame:
        epci = candidate_table(base, "epci", coverage=coverage).frame.set_index("code")
        keys = frame["epci"].astype(str)
        fallback = pd.DataFrame(
            {c.indicator: keys.map(epci[c.indicator]) for c in criteria if c.indicator in epci},
            index=frame.index,
        )
    scored = score_frame(frame, criteria, profile.missing_policy, reasons, fallback)
    if scored.excluded_missing:
        funnel.append(
            {
                "constraint": "Valeur manquante sur un critère (politique : exclure)",
                "removed": scored.excluded_missing,
                "remaining": len(scored.frame),
            }
        )
    ranked = scored.frame
    checked = None
    if draws > 0 and len(ranked):
        assert scored.values is not None and scored.uncertainty is not None
        checked = check(
            scored.values,
            scored.transformed,
            scored.weights,
            ranked["score"].to_numpy(dtype=float),
            scored.uncertainty,
            [rescaler(c, scored.missing_policy) for c in scored.criteria],
            top_n,
            draws,
            seed,
        )
        ranked["robustness"] = checked.share
        ranked["robust_hits"] = checked.hits
        ranked["ex_aequo"] = checked.ex_aequo
        ranked["depends_on"] = [
            scored.criteria[j].indicator if j is not None else "" for j in checked.depends_on
        ]
        ranked["rank_without"] = checked.rank_without
    else:
        ranked["robustness"] = np.nan
    sources = {c.indicator: source_note(base, c.indicator) for c in scored.criteria}
    return Ranking(
        profile=profile,
        level=level,
        funnel=funnel,
        frame=ranked,
        criteria=scored.criteria,
        weights=scored.weights,
        unavailable=scored.unavailable,
        missing_policy=scored.missing_policy,
        top_n=top_n,
        draws=draws,
        seed=seed,
        reference=reference,
        sources=sources,
        constant=scored.constant,
        check=checked,
        given_weights=scored.given_weights,
    )


def projected(table: CandidateTable, criteria: list[Criterion]) -> CandidateTable:
    """The candidate table reduced to the columns constraints and scores read (a ranking then copies little)."""
    from sentiers.matching.constraints import ZONING_COLUMNS

    wanted = [*ID_COLUMNS, "epci", "lat", "lon", "kiif_covered", *ZONING_COLUMNS.values()]
    for crit in criteria:
        wanted += [crit.indicator, f"sd:{crit.indicator}", f"raw:{crit.indicator}", f"den:{crit.indicator}"]
    keep = [c for c in dict.fromkeys(wanted) if c in table.frame.columns]
    return CandidateTable(table.level, table.frame[keep], table.unavailable, table.has_rurality)


def leading_group(k: int) -> str:
    """« parmi les 20 premiers », or « en tête » when the leading group is one candidate."""
    return "en tête" if k == 1 else f"parmi les {k} premiers"


def robustness_text(ranking: Ranking, rec: Any) -> str:
    """« Reste parmi les 20 premiers dans 17 variantes sur 20 » for a ranked row (a dict or a Series)."""
    checked = ranking.check
    if checked is None or not checked.variants:
        return ""
    hits = int(rec.get("robust_hits", 0))
    k = checked.k
    group = leading_group(k)
    verb = "reste" if int(rec["rank"]) <= k else "entre"
    return f"{verb} {group} dans {hits} variante{'s' if hits > 1 else ''} sur {checked.variants}"


def score_sentence(ranking: Ranking, rec: Any) -> str:
    """The score in one plain sentence: « Score 82,4 sur 100 : sur les 8 critères, pondérés, Die fait mieux que
    82 % des 1 204 candidats en moyenne. »"""
    score = float(rec["score"])
    n = len(ranking.frame)
    what = str(rec.get("name", "") or ("cette commune" if ranking.level == "commune" else "cet EPCI"))
    count = len(ranking.criteria)
    criteria = "sur le critère" if count == 1 else f"sur les {count} critères pondérés"
    return (
        f"Score {fr.number(score, 1)} sur 100 : {criteria}, {what} répond mieux au profil que "
        f"{fr.number(score, 0)} % des {fr.integer(n)} candidats, en moyenne."
    )


def robustness_sentence(ranking: Ranking, rec: Any) -> str:
    """Robustness in one plain sentence: « En changeant un peu les poids et les chiffres incertains, Die reste
    parmi les 20 premiers dans 17 classements sur 20. »"""
    checked = ranking.check
    if checked is None or not checked.variants:
        return "Robustesse non calculée pour ce classement."
    hits = int(rec.get("robust_hits", 0) or 0)
    k = checked.k
    group = leading_group(k)
    verb = "reste" if int(rec["rank"]) <= k else "entre"
    what = str(rec.get("name", "") or ("cette commune" if ranking.level == "commune" else "cet EPCI"))
    return (
        f"En changeant un peu les poids et les chiffres incertains, {what} {verb} {group} dans {hits} "
        f"classement{'s' if hits > 1 else ''} sur {checked.variants}."
    )


SCORE_METHOD = (
    "Chaque critère classe les candidats : celui qui répond le mieux reçoit 1, le moins bien 0, les autres selon "
    "leur rang (rang centile, moyenne des rangs pour les ex aequo). Le score est la moyenne de ces notes, pondérée "
    "par les poids, ramenée sur 100 : ses points par critère s'additionnent. Robustesse : 20 classements refaits en "
    "tirant de nouveaux poids autour des vôtres (loi de Dirichlet de concentration 50 : un critère à 20 % varie "
    "d'environ 6 points) et de nouvelles valeurs pour les taux mesurés sur peu d'habitants (selon leur erreur "
    "type), tirages à graine fixe : le même profil donne les mêmes chiffres. Le groupe de tête compte au plus un "
    "quart des candidats."
)


def dependence_text(ranking: Ranking, rec: Any) -> str:
    """The criterion the rank depends on most (leading group only), as a sentence; "" otherwise."""
    indicator = str(rec.get("depends_on", "") or "")
    if not indicator or ranking.check is None:
        return ""
    label = CATALOGUE[indicator].label
    rank_without = int(rec.get("rank_without", 0))
    what = "cette commune" if ranking.level == "commune" else "cet EPCI"
    k = ranking.check.k
    if rank_without > k:
        out = "perdrait la première place" if k == 1 else f"sortirait des {k} premiers"
        return f"sans le critère « {label} », {what} {out} ({rank_without}e)"
    if rank_without > int(rec["rank"]):
        return f"son rang dépend surtout du critère « {label} » ({rank_without}e sans lui)"
    return "aucun critère à lui seul ne change son rang"


def ties_text(ranking: Ranking) -> str:
    """How many candidates are ex aequo with the cut of the leading group."""
    checked = ranking.check
    if checked is None or checked.k == 0 or checked.k >= len(ranking.frame):
        return ""
    tied = checked.ties_at_cut
    if tied <= 1:
        return ""
    cut = ranking.frame["score"].iloc[checked.k - 1]
    return (
        f"{tied} candidats ont un score à moins de {fr.number(TIE_POINTS, 1)} point du {checked.k}e "
        f"({fr.number(cut, 1)}) : ils sont ex aequo, l'ordre entre eux ne dit rien."
    )


def check_summary(ranking: Ranking) -> str:
    """What the robustness check did, in one sentence (for pages, exports and documents)."""
    checked = ranking.check
    if checked is None:
        return "Robustesse non calculée."
    perturbed = [CATALOGUE[ranking.criteria[j].indicator].label for j in checked.perturbed]
    data = f" et les valeurs incertaines des petits effectifs ({', '.join(perturbed)})" if perturbed else ""
    return (
        f"Robustesse : {checked.variants} variantes du classement, en faisant varier les poids{data} ; "
        f"on compte combien de fois chaque candidat est {leading_group(checked.k)}"
        + (f" (pas plus d'un quart des {len(ranking.frame)} candidats)" if checked.k < ranking.top_n else "")
        + "."
    )


def missing_of(row: Any, criteria: list[Criterion]) -> list[str]:
    """Indicators whose value is missing for a ranked row (a dict or a Series of ``Scored.frame``)."""
    return [c.indicator for c in criteria if bool(row[f"na:{c.indicator}"])]


def ranking_json(ranking: Ranking, top: int | None = None) -> dict[str, Any]:
    """The JSON document of ``sentiers score --json``."""
    from sentiers.matching.profile import profile_dict

    rows = ranking.top(top)
    total = float(ranking.weights.sum())
    constant = {c["indicator"] for c in ranking.constant}
    results = []
    for rec in rows.to_dict("records"):
        results.append(
            {
                "rank": int(rec["rank"]),
                "code": str(rec["code"]),
                "name": str(rec["name"]),
                "departement": str(rec.get("departement", "")),
                "population": None if pd.isna(rec.get("population")) else float(rec["population"]),
                "rural": None if pd.isna(rec.get("rural", np.nan)) else bool(rec["rural"]),
                "rural_pop_share": None
                if pd.isna(rec.get("rural_pop_share", np.nan))
                else round(float(rec["rural_pop_share"]), 2),
                "score": round(float(rec["score"]), 4),
                "robustness": None if pd.isna(rec["robustness"]) else round(float(rec["robustness"]), 4),
                "robustness_text": robustness_text(ranking, rec),
                "depends_on": str(rec.get("depends_on", "") or "") or None,
                "dependence_text": dependence_text(ranking, rec),
                "ex_aequo": bool(rec.get("ex_aequo", False)),
                "contributions": {
                    c.indicator: round(float(rec[f"pts:{c.indicator}"]), 4) for c in ranking.criteria
                },
                "values": {
                    c.indicator: None
                    if pd.isna(rec[f"val:{c.indicator}"])
                    else float(rec[f"val:{c.indicator}"])
                    for c in ranking.criteria
                },
                "missing": missing_of(rec, ranking.criteria),
                "imputed": [
                    c.indicator for c in ranking.criteria if bool(rec.get(f"imp:{c.indicator}", False))
                ],
                "measured": {
                    c.indicator: None
                    if pd.isna(rec[f"raw:{c.indicator}"])
                    else float(rec[f"raw:{c.indicator}"])
                    for c in ranking.criteria
                    if f"raw:{c.indicator}" in rec
                },
            }
        )
    return {
        "profile": profile_dict(ranking.profile),
        "level": ranking.level,
        "funnel": ranking.funnel,
        "candidates": int(len(ranking.frame)),
        "criteria": [
            {
                "indicator": c.indicator,
                "label": CATALOGUE[c.indicator].label,
                "weight": c.weight,
                "weight_share": round(float(w) / total, 4) if total else 0.0,
                "separates": c.indicator not in constant,
                "direction": c.direction,
                "target": c.target,
                "source": ranking.sources.get(c.indicator, ""),
            }
            for c, w in zip(ranking.criteria, ranking.weights, strict=True)
        ],
        "not_separating": ranking.constant,
        "unavailable": ranking.unavailable,
        "missing_policy": ranking.missing_policy,
        "missing_policy_label": MISSING_POLICIES[ranking.missing_policy],
        "robustness": {
            "top_n": ranking.top_n,
            "k": ranking.leading,
            "variants": ranking.draws,
            "seed": ranking.seed,
            "summary": check_summary(ranking),
            "ties": ties_text(ranking),
        },
        "results": results,
    }
