"""« Territoires semblables au vôtre »: communes that look like those where the solution already works.

Method (said in :data:`SIMILAR_METHOD`, shown wherever the result is):

- the candidates are the ranking's: the same candidate table (rates over small denominators already shrunk toward
  the département's rate, :mod:`sentiers.matching.small_numbers`), the same hard constraints and funnel
  (:func:`sentiers.matching.constraints.apply_constraints`, with the défi's population floor), and the reference
  communes themselves are left out of the result;
- each indicator is put on a common scale: counts, densities and distances on a logarithmic scale (``log(1 + x)``:
  300 and 600 inhabitants are as far apart as 3,000 and 6,000), then every indicator centred on its median and
  divided by its spread among the inhabited communes of the base (interquartile range / 1.349, the standard
  deviation when the quartiles coincide) — a gap of 1 is « one typical spread between French communes »;
- the distance of a candidate to a reference is the weighted root mean square of its gaps, over the indicators
  known for both; with several references, the nearest one counts (« semblable à l'une de vos communes ») and is
  named; a candidate known on less than half of the weight is left out (funnel);
- resemblance = 100 × exp(−d² / 2): 100 identical, about 60 at one typical spread on average, about 14 at two;
- the reason of a match names the indicators within a third of a spread (« taille et densité proches ») and the
  largest gaps beyond three quarters of one, with their direction (« plus loin d'un commerce alimentaire »); a value
  resting on a small number is said to be smoothed.

The scales are computed once per base (``base.memo``); a similarity over all communes then takes a few tens of
milliseconds (benchmarks/bench_study.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sentiers import fr
from sentiers.base.catalogue import CATALOGUE, SERVICES_BY_KEY, from_phrase, source_note, value_text
from sentiers.errors import SentiersError
from sentiers.fr import quoted
from sentiers.matching.candidates import CandidateTable, candidate_table, safe_coverage
from sentiers.matching.constraints import ZONING_COLUMNS, ReferencePoint, apply_constraints, resolve_reference
from sentiers.matching.presets import default_floor, similar_indicators
from sentiers.matching.profile import SimilarIndicator, StructureProfile

if TYPE_CHECKING:
    from sentiers.base.store import Base

log = logging.getLogger(__name__)

CLOSE_GAP = 1 / 3  # within a third of a typical spread: « proche »
FAR_GAP = 0.75  # beyond three quarters: a difference worth saying
MIN_KNOWN_WEIGHT = 0.5
LOG_UNITS = ("habitants", "hab./km²", "km (à vol d'oiseau)")
SIMILAR_METHOD = (
    "Ressemblance : chaque indicateur est ramené à une échelle commune (les effectifs, densités et distances en "
    "logarithme), centré sur sa médiane et divisé par son écart typique entre les communes habitées de France ; "
    "l'écart d'une commune à une commune de référence est la moyenne quadratique pondérée de ses écarts, sur les "
    "indicateurs connus des deux ; avec plusieurs communes de référence, la plus proche compte. Ressemblance = "
    "100 × exp(−écart² / 2) : 100 pour une commune identique, environ 60 à un écart typique en moyenne, 14 à deux. "
    "Les taux des petits effectifs sont lissés vers leur département, comme pour le classement."
)

# short words for the reasons: noun (« taille … proches »), more, less
_WORDS: dict[str, tuple[str, str, str]] = {
    "population": ("taille", "plus peuplée", "moins peuplée"),
    "density": ("densité", "plus dense", "moins dense"),
    "catchment_10km": (
        "population à moins de 10 km",
        "plus d'habitants à moins de 10 km",
        "moins d'habitants à moins de 10 km",
    ),
    "catchment_20km": (
        "population à moins de 20 km",
        "plus d'habitants à moins de 20 km",
        "moins d'habitants à moins de 20 km",
    ),
    "aav_remoteness": ("éloignement des villes", "plus à l'écart des villes", "plus proche d'une ville"),
    "pop_change_pct": (
        "évolution de la population",
        "population plus dynamique",
        "population moins dynamique",
    ),
    "median_income": ("revenu médian", "revenus plus élevés", "revenus plus modestes"),
    "unemployment_rate": ("chômage", "plus de chômage", "moins de chômage"),
    "centralite_level": ("centralité", "plus centrale", "moins centrale"),
    "density_level": ("grille de densité", "moins dense (grille)", "plus dense (grille)"),
    "jobs_per_active": ("emplois sur place", "plus d'emplois sur place", "moins d'emplois sur place"),
    "business_density": ("tissu d'entreprises", "plus d'entreprises", "moins d'entreprises"),
}
_SERVICE_ARTICLES: dict[str, str] = {
    "alimentation": "d'un commerce alimentaire",
    "epicerie": "d'une épicerie",
    "superette": "d'une supérette",
    "supermarche": "d'un supermarché",
    "boulangerie": "d'une boulangerie",
    "station_service": "d'une station-service",
    "ecole": "d'une école",
    "medecin": "d'un médecin",
    "infirmier": "d'un cabinet infirmier",
    "pharmacie": "d'une pharmacie",
    "msp": "d'une maison de santé",
    "poste": "d'un point postal",
    "banque": "d'une banque",
    "restaurant": "d'un restaurant",
    "creche": "d'une crèche",
    "ehpad": "d'un Ehpad",
    "gare": "d'une gare",
    "france_services": "d'une France services",
    "fabriques": "d'une Fabrique de territoire",
    "manufactures": "d'une Manufacture de proximité",
}


def words(indicator: str) -> tuple[str, str, str]:
    """(noun, « more » phrase, « less » phrase) of an indicator in a reason."""
    if indicator in _WORDS:
        return _WORDS[indicator]
    if indicator.startswith("dist_") and indicator.endswith("_km"):
        key = indicator[5:-3]
        service = SERVICES_BY_KEY.get(key)
        article = _SERVICE_ARTICLES.get(key) or (from_phrase(service.nearest_label) if service else "")
        noun = "accès " + (article.replace("d'un ", "à un ").replace("d'une ", "à une ") if article else "")
        return noun.strip(), f"plus loin {article}".strip(), f"plus près {article}".strip()
    label = CATALOGUE[indicator].label
    noun = label[:1].lower() + label[1:]
    return noun, f"{noun} plus élevée", f"{noun} plus basse"


def _log_scaled(indicator: str) -> bool:
    entry = CATALOGUE[indicator]
    return entry.unit in LOG_UNITS or entry.kind == "per1000"


@dataclass(frozen=True)
class Scale:
    indicator: str
    log: bool
    centre: float
    spread: float

    def apply(self, values: np.ndarray) -> np.ndarray:
        x = np.asarray(values, dtype=float)
        if self.log:
            x = np.log1p(np.clip(x, 0, None))
        return (x - self.centre) / self.spread


def _scale(table: CandidateTable, indicator: str) -> Scale | None:
    frame = table.frame
    if indicator not in frame:
        return None
    values = frame[indicator].to_numpy(dtype=float, na_value=np.nan)
    inhabited = np.nan_to_num(frame["population"].to_numpy(dtype=float, na_value=np.nan), nan=0.0) > 0
    log_scaled = _log_scaled(indicator)
    x = values[inhabited & ~np.isnan(values)]
    if log_scaled:
        x = np.log1p(np.clip(x, 0, None))
    if len(x) < 2:
        return None
    q1, median, q3 = np.percentile(x, [25, 50, 75])
    spread = (q3 - q1) / 1.349
    if not spread > 0:
        spread = float(np.std(x))
    if not spread > 0:
        return None  # constant over France: says nothing about likeness
    return Scale(indicator, log_scaled, float(median), float(spread))


def scales(base: Base, indicators: list[str]) -> dict[str, Scale | None]:
    """The scale of each indicator over the base's inhabited communes (computed once per base)."""
    coverage = safe_coverage()
    table = candidate_table(base, "commune", coverage=coverage)
    key_cov = coverage.key if coverage is not None else None
    out: dict[str, Scale | None] = {}
    for ind in indicators:
        out[ind] = base.memo(("similar-scale", key_cov, ind), partial(_scale, table, ind))
    return out


@dataclass
class Reference:
    """A commune where the solution already works, with its values on the indicators."""

    code: str
    name: str
    departement: str
    population: float | None
    values: dict[str, float | None]  # indicator -> value (shrunk rate where the denominator is small)
    small: list[str] = field(default_factory=list)  # indicators resting on a small number


@dataclass
class SimilarResult:
    """Candidates ranked by resemblance to the reference communes, with the funnel and the reasons."""

    profile: StructureProfile
    references: list[Reference]
    indicators: list[SimilarIndicator]  # those used (available, known for a reference), profile order
    weights: np.ndarray
    unavailable: list[dict[str, str]]
    funnel: list[dict[str, Any]]
    frame: (
        pd.DataFrame
    )  # ranked: code, name, departement, region, population, distance, similarity, rank, ...
    scales: dict[str, Scale]
    sources: dict[str, str]
    top_n: int = 20
    notes: list[str] = field(
        default_factory=list
    )  # what the user should know (a reference under the floor...)

    def top(self, n: int | None = None) -> pd.DataFrame:
        return self.frame.head(n or self.top_n)

    def reference_names(self) -> str:
        return fr.either([f"{r.name} ({r.departement})" for r in self.references]).replace(" ou ", " et ")


def _references(
    base: Base, queries: list[str], table: CandidateTable
) -> list[tuple[ReferencePoint, pd.Series]]:
    rows = table.frame.set_index("code", drop=False)
    out: list[tuple[ReferencePoint, pd.Series]] = []
    for query in queries:
        try:
            point = resolve_reference(base, query)
        except SentiersError as exc:
            raise SentiersError(
                str(exc).replace("constraints.reference_commune", "similar.references")
            ) from None
        if point.code not in rows.index:
            raise SentiersError(
                f"similar.references : {quoted(query, 40)} n'est pas dans la base des communes."
            )
        if any(p.code == point.code for p, _ in out):
            continue
        out.append((point, rows.loc[point.code]))
    return out


def _small(row: pd.Series, indicator: str) -> bool:
    entry = CATALOGUE[indicator]
    den = row.get(f"den:{indicator}")
    return bool(entry.small_below and den is not None and not pd.isna(den) and float(den) < entry.small_below)


def _projection(table: CandidateTable, indicators: list[str]) -> CandidateTable:
    wanted = ["code", "name", "departement", "region", "population", "rural", "lat", "lon", "kiif_covered"]
    wanted += list(ZONING_COLUMNS.values())
    for ind in indicators:
        wanted += [ind, f"den:{ind}"]
    keep = [c for c in dict.fromkeys(wanted) if c in table.frame.columns]
    return CandidateTable(table.level, table.frame[keep], table.unavailable, table.has_rurality)


def similar_communes(
    base: Base,
    profile: StructureProfile,
    references: list[str] | None = None,
    indicators: list[SimilarIndicator] | None = None,
    top_n: int = 20,
) -> SimilarResult:
    """Communes ranked by resemblance to the reference communes (the profile's ``similar`` by default), under the
    profile's constraints."""
    spec = profile.similar
    queries = list(references or (spec.references if spec is not None else []))
    if not queries:
        raise SentiersError(
            "similar.references : indiquez au moins une commune où votre solution fonctionne déjà (code Insee ou nom)."
        )
    chosen = list(indicators) if indicators else similar_indicators(profile)
    if not chosen or all(i.weight <= 0 for i in chosen):
        raise SentiersError("similar.indicators : donnez un poids positif à au moins un indicateur.")
    coverage = safe_coverage()
    table = candidate_table(base, "commune", coverage=coverage)
    refs = _references(base, queries, table)
    found = scales(base, [i.indicator for i in chosen])
    used: list[SimilarIndicator] = []
    unavailable: list[dict[str, str]] = []
    for item in chosen:
        entry = CATALOGUE[item.indicator]
        if item.weight <= 0:
            continue
        if item.indicator not in table.frame:
            reason = table.unavailable.get(item.indicator) or f"« {entry.label} » absent de la base."
            unavailable.append({"indicator": item.indicator, "label": entry.label, "reason": reason})
            continue
        if found.get(item.indicator) is None:
            unavailable.append(
                {
                    "indicator": item.indicator,
                    "label": entry.label,
                    "reason": f"« {entry.label} » a presque la même valeur partout : il ne distingue pas les communes.",
                }
            )
            continue
        if all(pd.isna(row.get(item.indicator)) for _, row in refs):
            names = fr.either([p.name for p, _ in refs])
            unavailable.append(
                {
                    "indicator": item.indicator,
                    "label": entry.label,
                    "reason": f"« {entry.label} » n'est pas connu pour {names} : laissé de côté.",
                }
            )
            continue
        used.append(item)
    if not used:
        raise SentiersError(
            "similar.indicators : aucun des indicateurs choisis n'est disponible dans la base pour ces communes "
            "de référence ; choisissez-en d'autres."
        )
    ids = [i.indicator for i in used]
    weights = np.array([i.weight for i in used], dtype=float)
    scale_of: dict[str, Scale] = {ind: s for ind in ids if (s := found[ind]) is not None}
    frame, funnel = apply_constraints(
        _projection(table, ids),
        profile.constraints,
        coverage=coverage,
        reference=resolve_reference(base, profile.constraints.reference_commune)
        if profile.constraints.reference_commune
        else None,
        default_floor=default_floor(profile, "commune"),
    )
    notes = []
    if profile.level != "commune":
        notes.append(
            "Les territoires semblables se cherchent entre communes, même quand le classement porte sur des EPCI."
        )
    floor = (
        profile.constraints.population_min
        if profile.constraints.population_min is not None
        else default_floor(profile, "commune")
    )
    for point, row in refs:
        population = row.get("population")
        if floor and population is not None and not pd.isna(population) and float(population) < floor:
            notes.append(
                f"{point.name} compte {fr.integer(float(population))} habitants, moins que la population minimale "
                f"retenue ({fr.integer(floor)}) : les communes de sa taille sont écartées ; baissez la population "
                "minimale dans les contraintes pour les voir."
            )
    ref_codes = {p.code for p, _ in refs}
    is_ref = frame["code"].isin(ref_codes).to_numpy()
    if is_ref.any():
        frame = frame.loc[~is_ref].reset_index(drop=True)
        funnel.append(
            {
                "constraint": "Communes de référence (retirées du résultat)",
                "removed": int(is_ref.sum()),
                "remaining": len(frame),
            }
        )
    z = np.column_stack(
        [scale_of[ind].apply(frame[ind].to_numpy(dtype=float, na_value=np.nan)) for ind in ids]
    )
    known = ~np.isnan(z)
    best_d = np.full(len(frame), np.inf)
    best_ref = np.full(len(frame), -1, dtype=int)
    best_known = np.zeros(len(frame))
    gaps = np.full(z.shape, np.nan)
    for r, (_, row) in enumerate(refs):
        zr = np.array([scale_of[ind].apply(np.array([row.get(ind, np.nan)], dtype=float))[0] for ind in ids])
        both = known & ~np.isnan(zr)
        w = np.where(both, weights, 0.0)
        wsum = w.sum(axis=1)
        diff = np.where(both, z - zr, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            d = np.sqrt((w * diff**2).sum(axis=1) / wsum)
        share = wsum / weights.sum()
        d = np.where(share >= MIN_KNOWN_WEIGHT, d, np.inf)
        better = d < best_d
        best_d = np.where(better, d, best_d)
        best_ref = np.where(better, r, best_ref)
        best_known = np.where(better, share, best_known)
        gaps[better] = np.where(both[better], (z - zr)[better], np.nan)
    keep = np.isfinite(best_d)
    dropped = int((~keep).sum())
    if dropped:
        funnel.append(
            {
                "constraint": "Moins de la moitié des indicateurs connus (valeurs manquantes)",
                "removed": dropped,
                "remaining": int(keep.sum()),
            }
        )
    frame, best_d, best_ref, gaps, best_known = (
        frame.loc[keep].reset_index(drop=True),
        best_d[keep],
        best_ref[keep],
        gaps[keep],
        best_known[keep],
    )
    order = np.lexsort((frame["code"].to_numpy(dtype=str), np.round(best_d, 9)))
    columns: dict[str, Any] = {
        "distance": best_d[order],
        "similarity": 100 * np.exp(-(best_d[order] ** 2) / 2),
        "rank": np.arange(1, len(order) + 1),
        "nearest_reference": [refs[i][0].code for i in best_ref[order]],
        "known_share": best_known[order],
    }
    for j, ind in enumerate(ids):
        columns[f"gap:{ind}"] = gaps[order, j]
        columns[f"val:{ind}"] = frame[ind].to_numpy(dtype=float, na_value=np.nan)[order]
        if f"den:{ind}" in frame:
            columns[f"den:{ind}"] = frame[f"den:{ind}"].to_numpy(dtype=float, na_value=np.nan)[order]
    identity = frame[[c for c in ("code", "name", "departement", "region", "population") if c in frame]]
    ranked = pd.concat([identity.take(order).reset_index(drop=True), pd.DataFrame(columns)], axis=1)
    reference_rows = [
        Reference(
            code=point.code,
            name=point.name,
            departement=str(row.get("departement", "")),
            population=None if pd.isna(row.get("population")) else float(row["population"]),
            values={ind: None if pd.isna(row.get(ind)) else float(row[ind]) for ind in ids},
            small=[ind for ind in ids if _small(row, ind)],
        )
        for point, row in refs
    ]
    return SimilarResult(
        profile=profile,
        references=reference_rows,
        indicators=used,
        weights=weights,
        unavailable=unavailable,
        funnel=funnel,
        frame=ranked,
        scales=scale_of,
        sources={ind: source_note(base, ind) for ind in ids},
        top_n=top_n,
        notes=notes,
    )


# -- words ---------------------------------------------------------------------------------------------------


def reason_text(result: SimilarResult, rec: Any) -> str:
    """« taille et densité proches ; plus loin d'un commerce alimentaire » for a ranked row (dict or Series)."""
    close: list[tuple[float, float, str]] = []
    far: list[tuple[float, str]] = []
    smoothed: list[str] = []
    for item, weight in zip(result.indicators, result.weights, strict=True):
        gap = rec.get(f"gap:{item.indicator}")
        if gap is None or pd.isna(gap):
            continue
        noun, more, less = words(item.indicator)
        if abs(gap) < CLOSE_GAP:
            close.append((-float(weight), abs(float(gap)), noun))
        elif abs(gap) >= FAR_GAP:
            far.append((abs(float(gap)) * float(weight), more if gap > 0 else less))
        entry = CATALOGUE[item.indicator]
        den = rec.get(f"den:{item.indicator}")
        if entry.small_below and den is not None and not pd.isna(den) and float(den) < entry.small_below:
            smoothed.append(noun)
    parts = []
    compared = sum(1 for i in result.indicators if not pd.isna(rec.get(f"gap:{i.indicator}", np.nan)))
    if close and len(close) == compared and compared > 3:
        parts.append("proche sur tous les indicateurs comparés")
    elif close:
        nouns = [n for _, _, n in sorted(close)[:3]]
        joined = nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " et " + nouns[-1]
        parts.append(f"{joined} proche{'s' if len(nouns) > 1 else ''}")
    if far:
        parts.append(" ; ".join(p for _, p in sorted(far, reverse=True)[:2]))
    if not parts:
        parts.append("écarts modérés sur tous les indicateurs")
    text = " ; ".join(parts)
    if len(result.references) > 1:
        name = next((r.name for r in result.references if r.code == rec.get("nearest_reference")), "")
        if name:
            text = f"proche de {name} : {text}"
    if smoothed:
        text += f" (effectif faible, taux lissé : {', '.join(smoothed)})"
    missing = [
        words(i.indicator)[0]
        for i in result.indicators
        if rec.get(f"gap:{i.indicator}") is None or pd.isna(rec.get(f"gap:{i.indicator}"))
    ]
    if missing:
        text += f" ; non comparé : {', '.join(missing)}"
    return text


def similarity_text(similarity: float) -> str:
    """The resemblance as a whole number, never « 100 » unless identical on every indicator."""
    value = round(float(similarity))
    return "99" if value >= 100 and similarity < 100 else str(value)


def closeness_word(similarity: float) -> str:
    if similarity >= 85:
        return "très semblable"
    if similarity >= 60:
        return "semblable"
    if similarity >= 35:
        return "assez semblable"
    return "peu semblable"


def references_text(result: SimilarResult) -> list[str]:
    """One line per reference commune: its values on the indicators."""
    lines = []
    for ref in result.references:
        figures = " ; ".join(
            f"{CATALOGUE[i.indicator].label.split(' (')[0]} : {value_text(i.indicator, ref.values.get(i.indicator), missing='—')}"
            for i in result.indicators
        )
        small = (
            f" (effectif faible, taux lissé : {', '.join(words(i)[0] for i in ref.small)})"
            if ref.small
            else ""
        )
        lines.append(f"{ref.name} ({ref.code}, {ref.departement}) : {figures}{small}")
    return lines


def similar_table(result: SimilarResult, top: int | None = None) -> pd.DataFrame:
    """The similar communes as a table a person reads (page, CSV, XLSX)."""
    rows = result.top(top)
    records = rows.to_dict("records")
    table = pd.DataFrame(
        {
            "Rang": rows["rank"].to_numpy(),
            "Code commune": rows["code"].astype(str).to_numpy(),
            "Nom": rows["name"].astype(str).to_numpy(),
            "Département": rows["departement"].astype(str).to_numpy(),
            "Population": rows["population"].to_numpy(),
            "Ressemblance (0-100)": rows["similarity"].round(1).to_numpy(),
            "Pourquoi": [reason_text(result, rec) for rec in records],
        }
    )
    if len(result.references) > 1:
        names = {r.code: r.name for r in result.references}
        table.insert(
            6,
            "Commune de référence la plus proche",
            [names.get(rec["nearest_reference"], "") for rec in records],
        )
    for item in result.indicators:
        if item.indicator == "population":
            continue  # already in the table
        entry = CATALOGUE[item.indicator]
        table[f"{entry.label} ({entry.unit})"] = rows[f"val:{item.indicator}"].round(3).to_numpy()
    return table


def similar_json(result: SimilarResult, top: int | None = None) -> dict[str, Any]:
    """The JSON document of ``sentiers score --semblable --json``."""
    total = float(result.weights.sum()) or 1.0
    return {
        "references": [
            {
                "code": r.code,
                "name": r.name,
                "departement": r.departement,
                "population": r.population,
                "values": r.values,
            }
            for r in result.references
        ],
        "indicators": [
            {
                "indicator": i.indicator,
                "label": CATALOGUE[i.indicator].label,
                "weight": i.weight,
                "weight_share": round(float(w) / total, 4),
                "log_scale": result.scales[i.indicator].log,
                "source": result.sources.get(i.indicator, ""),
                "reason": i.reason,
            }
            for i, w in zip(result.indicators, result.weights, strict=True)
        ],
        "unavailable": result.unavailable,
        "funnel": result.funnel,
        "candidates": int(len(result.frame)),
        "method": SIMILAR_METHOD,
        "results": [
            {
                "rank": int(rec["rank"]),
                "code": str(rec["code"]),
                "name": str(rec["name"]),
                "departement": str(rec["departement"]),
                "population": None if pd.isna(rec["population"]) else float(rec["population"]),
                "similarity": round(float(rec["similarity"]), 2),
                "distance": round(float(rec["distance"]), 4),
                "nearest_reference": str(rec["nearest_reference"]),
                "reason": reason_text(result, rec),
                "values": {
                    i.indicator: None
                    if pd.isna(rec[f"val:{i.indicator}"])
                    else float(rec[f"val:{i.indicator}"])
                    for i in result.indicators
                },
            }
            for rec in result.top(top).to_dict("records")
        ],
    }
