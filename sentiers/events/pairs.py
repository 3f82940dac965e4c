"""The fit of every territory × structure pair: a score from 0 to 100 and its reasons in words.

Components (weight, value ``s`` in [0, 1]); a component that lacks its data for a pair is left out of that pair's
score and the others keep their relative weights (the reason says what was missing):

=================  ======  =======================================================================================
défi               40      1 when they share a défi de la ruralité, else 0
profil             20      the structure's own profile score of the territory / 100 (:func:`rank_profile`, at the
                           territory's level, robustness draws off); 0 when the profile's constraints exclude it;
                           left out when the structure gave no profile
zone visée         15      1 when the territory lies in a département or région the structure targets, else 0;
                           left out when it named none
distance           10      1 − d / 400 km (floored at 0), d = straight-line km between the territory's centre and
                           the structure's seat (:func:`sentiers.geometry.haversine_km`); left out without a seat
même région         5      1 when the seat is in the territory's région
couverture Kiif     5      1 when a Kiif incubator covers the territory's département (:mod:`sentiers.base.kiif`)
mode                5      1 when the territory's wished mode is the structure's; left out if either is unsaid
publics            10      share of the territory's publics the structure serves (« tout public » serves all);
                           left out if either is unsaid
=================  ======  =======================================================================================

score = 100 × Σ wᵢ·sᵢ / Σ wᵢ over the components present. A pair is *compatible* (may be scheduled without a pin)
when it shares a défi. Scores are computed as matrices (numpy); reasons are written for the pairs asked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sentiers import fr
from sentiers.base.codes import REGION_DEPARTEMENTS
from sentiers.events.registrations import Structure, Territory
from sentiers.geometry import haversine_km
from sentiers.matching.presets import defi_titles
from sentiers.matching.profile import PUBLICS

if TYPE_CHECKING:
    from sentiers.base.store import Base

log = logging.getLogger(__name__)

WEIGHTS: dict[str, float] = {
    "defi": 40.0,
    "profil": 20.0,
    "zone": 15.0,
    "distance": 10.0,
    "region": 5.0,
    "kiif": 5.0,
    "mode": 5.0,
    "publics": 10.0,
}
COMPONENT_LABELS = {
    "defi": "défi",
    "profil": "profil de la structure",
    "zone": "zone visée",
    "distance": "distance",
    "region": "même région",
    "kiif": "couverture Kiif",
    "mode": "mode",
    "publics": "publics",
}
DISTANCE_SCALE_KM = 400.0
MODE_LABELS = {"antenne": "antenne", "dissemination": "dissémination"}


class LevelScores:
    """The candidates of one ranking at one level: their codes (a pandas index, built in C: a Python dict of the
    34,000 communes took a third of a cold profile's time), scores and ranks."""

    def __init__(self, codes: Any, scores: Any, ranks: Any) -> None:
        import pandas as pd

        self.index = pd.Index(np.asarray(codes).astype(str))
        self.scores = np.asarray(scores, dtype=float)
        self.ranks = np.asarray(ranks, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.index)

    def positions(self, codes: Sequence[str]) -> np.ndarray:
        """Each code's position among the candidates, -1 when it is not one."""
        return self.index.get_indexer(list(codes)) if len(codes) else np.zeros(0, dtype=np.int64)

    def get(self, code: str, default: tuple[float, int] | None = None) -> tuple[float, int] | None:
        """(score, rank) of a candidate, ``default`` when the code is not one."""
        pos = int(self.positions([code])[0])
        return (float(self.scores[pos]), int(self.ranks[pos])) if pos >= 0 else default


@dataclass
class ProfileScores:
    """One structure's profile ranking, reduced to what pairs need: the candidates' scores and ranks per level."""

    scores: dict[str, LevelScores]
    name: str


@dataclass
class PairTable:
    """Scores of every pair (rows: territories, columns: structures) and the components behind them."""

    territories: list[Territory]
    structures: list[Structure]
    values: dict[str, np.ndarray]  # component -> T × S matrix of s in [0, 1] (NaN: left out)
    score: np.ndarray  # T × S, 0-100
    compatible: np.ndarray  # T × S bool: a shared défi
    distance_km: np.ndarray  # T × S (NaN without a seat or a centre)
    profiles: dict[int, ProfileScores] = field(default_factory=dict)  # structure index -> its ranking
    kiif_names: list[str] = field(default_factory=list)  # per territory: covering incubator ("" if none)
    region_names: dict[str, str] = field(default_factory=dict)  # région code -> name

    def reasons(self, i: int, j: int) -> list[str]:
        """The reasons of pair (territory i, structure j), in French, the strongest first."""
        return pair_reasons(self, i, j)

    def breakdown(self, i: int, j: int) -> dict[str, float | None]:
        return {k: (None if np.isnan(v[i, j]) else round(float(v[i, j]), 3)) for k, v in self.values.items()}


def _titles(slugs: Sequence[str]) -> str:
    titles = defi_titles()
    return ", ".join(titles.get(s, s) for s in slugs)


def _publics(slugs: Sequence[str]) -> str:
    return ", ".join(PUBLICS.get(s, s) for s in slugs)


def _profile_scores(base: Base, structure: Structure, levels: set[Any]) -> ProfileScores | None:
    """The structure's profile ranking at the levels asked (memoised per profile on the base)."""
    profile = structure.structure_profile()
    if profile is None:
        return None
    from sentiers.matching.score import rank_profile

    scores: dict[str, LevelScores] = {}
    body = profile.model_dump_json(exclude={"name", "description"})
    for level in sorted(levels):

        def make(level: str = level) -> LevelScores:
            frame = rank_profile(base, profile, level=level, draws=0).frame
            return LevelScores(frame["code"], frame["score"], frame["rank"])

        scores[level] = base.memo_lru("events_profile", (body, level), make, size=64)
    return ProfileScores(scores, profile.name)


def score_pairs(
    base: Base,
    territories: list[Territory],
    structures: list[Structure],
    progress: Callable[[float, str], None] | None = None,
) -> PairTable:
    """Every pair's components and score (see the module docstring)."""
    from sentiers.base.kiif import load_kiif

    n_t, n_s = len(territories), len(structures)
    shape = (n_t, n_s)
    nan = np.full(shape, np.nan)
    defis = sorted(defi_titles())

    def onehot(items: list[list[str]], keys: list[str]) -> np.ndarray:
        pos = {k: i for i, k in enumerate(keys)}
        out = np.zeros((len(items), len(keys)), dtype=np.float64)
        for r, values in enumerate(items):
            for v in values:
                if v in pos:
                    out[r, pos[v]] = 1.0
        return out

    # défi
    td = onehot([t.defis for t in territories], defis)
    sd = onehot([s.defis for s in structures], defis)
    shared = td @ sd.T
    compatible = shared > 0
    values: dict[str, np.ndarray] = {"defi": compatible.astype(float)}

    # publics
    publics = sorted(PUBLICS)
    tp = onehot([t.publics for t in territories], publics)
    sp = onehot([s.publics for s in structures], publics)
    everyone = publics.index("tout-public")
    sp_all = sp.copy()
    sp_all[sp[:, everyone] > 0, :] = 1.0
    tp_count = tp.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pub = (tp @ sp_all.T) / tp_count[:, None]
    pub = np.where((tp_count[:, None] > 0) & (sp.sum(axis=1)[None, :] > 0), np.clip(pub, 0, 1), np.nan)
    values["publics"] = pub

    # mode
    tm = np.array([t.mode or "" for t in territories], dtype=object)
    sm = np.array([s.mode or "" for s in structures], dtype=object)
    mode = np.where(tm[:, None] == sm[None, :], 1.0, 0.0)
    values["mode"] = np.where((tm[:, None] != "") & (sm[None, :] != ""), mode, np.nan)

    # zone visée: any of the territory's départements in the structure's targets
    deps = sorted(
        {d for t in territories for d in t.departements}
        | {d for s in structures for d in s.target_departements}
    )
    t_dep = onehot([t.departements for t in territories], deps)
    s_dep = onehot(
        [
            list(s.target_departements)
            + [d for r in s.target_regions for d in REGION_DEPARTEMENTS.get(r, ())]
            for s in structures
        ],
        deps,
    )
    zone = (t_dep @ s_dep.T > 0).astype(float)
    every = np.array([s.everywhere for s in structures])
    zone[:, every] = 1.0
    has_targets = np.array([s.has_targets for s in structures])
    values["zone"] = np.where(has_targets[None, :], zone, np.nan)

    # distance and région of the seat
    t_lat = np.array([np.nan if t.lat is None else t.lat for t in territories], dtype=float)
    t_lon = np.array([np.nan if t.lon is None else t.lon for t in territories], dtype=float)
    s_lat = np.array([np.nan if s.seat_lat is None else s.seat_lat for s in structures], dtype=float)
    s_lon = np.array([np.nan if s.seat_lon is None else s.seat_lon for s in structures], dtype=float)
    distance = (
        haversine_km(t_lat[:, None], t_lon[:, None], s_lat[None, :], s_lon[None, :])
        if n_t and n_s
        else nan.copy()
    )
    distance = np.asarray(distance, dtype=float).reshape(shape)
    values["distance"] = np.clip(1.0 - distance / DISTANCE_SCALE_KM, 0.0, 1.0)
    t_reg = np.array([t.region for t in territories], dtype=object)
    s_reg = np.array([s.seat_region for s in structures], dtype=object)
    region = (t_reg[:, None] == s_reg[None, :]).astype(float)
    values["region"] = np.where((s_reg[None, :] != "") & (t_reg[:, None] != ""), region, np.nan)

    # Kiif coverage of the territory
    kiif_names: list[str] = []
    try:
        coverage = load_kiif()
        covered = []
        for t in territories:
            regions = [coverage.region_of(d) for d in t.departements]
            hit = next((r for r in regions if r is not None), None)
            covered.append(1.0 if hit is not None else 0.0)
            kiif_names.append(hit.incubator.name if hit is not None else "")
        values["kiif"] = np.repeat(np.array(covered, dtype=float)[:, None], n_s, axis=1).reshape(shape)
    except Exception as exc:  # coverage file broken: the component is left out, said in the reasons
        log.warning("Kiif coverage unavailable for the events' scores: %s", exc)
        values["kiif"] = nan.copy()
        kiif_names = [""] * n_t

    # the structure's own profile score
    profile_values = nan.copy()
    profiles: dict[int, ProfileScores] = {}
    levels = {t.level for t in territories}
    with_profile = [j for j, s in enumerate(structures) if s.profile]
    for done, j in enumerate(with_profile):
        if progress is not None:
            progress(
                done / max(len(with_profile), 1), f"Profils des structures : {done + 1} / {len(with_profile)}"
            )
        ranked = _profile_scores(base, structures[j], levels)
        if ranked is None:
            continue
        profiles[j] = ranked
        profile_values[:, j] = 0.0  # a territory the profile's constraints exclude scores 0
        for level, table in ranked.scores.items():
            rows = [i for i, t in enumerate(territories) if t.level == level]
            found = table.positions([territories[i].code for i in rows])
            inside = found >= 0
            profile_values[np.asarray(rows, dtype=np.int64)[inside], j] = table.scores[found[inside]] / 100.0
    values["profil"] = profile_values

    weights = np.zeros(shape)
    total = np.zeros(shape)
    for key, matrix in values.items():
        present = ~np.isnan(matrix)
        weights += np.where(present, WEIGHTS[key], 0.0)
        total += np.where(present, WEIGHTS[key] * np.nan_to_num(matrix), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(weights > 0, 100.0 * total / weights, 0.0)
    if progress is not None:
        progress(1.0, "Scores calculés")
    return PairTable(
        territories=territories,
        structures=structures,
        values=values,
        score=np.round(score, 1),
        compatible=compatible,
        distance_km=distance,
        profiles=profiles,
        kiif_names=kiif_names,
        region_names=_region_names(base),
    )


def _region_names(base: Base) -> dict[str, str]:
    frame = base.regions
    if not len(frame) or not {"code", "name"} <= set(frame.columns):
        return {}
    return dict(zip(frame["code"].astype(str), frame["name"].astype(str), strict=True))


def pair_reasons(table: PairTable, i: int, j: int) -> list[str]:
    """Reasons of one pair, in words, the ones that weigh most first."""
    t, s = table.territories[i], table.structures[j]
    v = {k: m[i, j] for k, m in table.values.items()}
    out: list[tuple[float, str]] = []

    def add(key: str, text: str) -> None:
        value = v[key]
        weight = WEIGHTS[key] * (0.0 if np.isnan(value) else (0.5 + float(value)))
        out.append((weight, text))

    common = [d for d in t.defis if d in s.defis]
    if common:
        add("defi", f"Même défi : {_titles(common)}.")
    else:
        add("defi", f"Aucun défi commun (territoire : {_titles(t.defis)} ; structure : {_titles(s.defis)}).")
    ranked = table.profiles.get(j)
    if ranked is not None:
        level_scores = ranked.scores.get(t.level)
        hit = level_scores.get(t.code) if level_scores is not None else None
        if hit is not None and level_scores is not None:
            add(
                "profil",
                f"Score du profil de la structure pour ce territoire : {fr.number(hit[0])}/100 "
                f"(rang {fr.integer(hit[1])} sur {fr.integer(len(level_scores))}).",
            )
        else:
            add(
                "profil",
                "Territoire écarté par les contraintes du profil de la structure (score de profil 0).",
            )
    if not np.isnan(v["zone"]):
        if s.everywhere:
            add("zone", "La structure vise toute la France.")
        elif v["zone"] > 0:
            add("zone", f"Dans la zone visée par la structure ({_zone(s, table.region_names)}).")
        else:
            add("zone", f"Hors de la zone visée par la structure ({_zone(s, table.region_names)}).")
    else:
        out.append((0.0, "La structure n'a pas indiqué de départements ni de régions visés."))
    d = table.distance_km[i, j]
    if not np.isnan(d):
        add(
            "distance",
            f"À {fr.integer(round(float(d)))} km (à vol d'oiseau) du siège de la structure ({s.seat_label}).",
        )
    if not np.isnan(v["region"]) and v["region"] > 0:
        add("region", "Siège de la structure dans la même région.")
    if not np.isnan(v["kiif"]):
        name = table.kiif_names[i] if i < len(table.kiif_names) else ""
        if v["kiif"] > 0:
            add(
                "kiif",
                f"Département couvert par le Kiif ({name})." if name else "Département couvert par le Kiif.",
            )
        else:
            add("kiif", "Département hors de la couverture du Kiif.")
    if not np.isnan(v["mode"]):
        if v["mode"] > 0:
            add(
                "mode",
                f"Mode souhaité par le territoire : {MODE_LABELS.get(t.mode or '', '')}, celui de la structure.",
            )
        else:
            add(
                "mode",
                f"Le territoire souhaite une {MODE_LABELS.get(t.mode or '', '')}, la structure pratique la "
                f"{MODE_LABELS.get(s.mode or '', '')}.",
            )
    if not np.isnan(v["publics"]):
        served = [p for p in t.publics if p in s.publics or "tout-public" in s.publics]
        if served:
            add("publics", f"Publics en commun : {_publics(served)}.")
        else:
            add("publics", f"Pas de public en commun (territoire : {_publics(t.publics)}).")
    out.sort(key=lambda item: -item[0])
    # what the score could not count, said last: a 100 without distance or publics is not a 100 with them
    unknown = []
    if np.isnan(d):
        unknown.append(
            "la distance (siège de la structure non localisé)" if s.seat_lat is None else "la distance"
        )
    if np.isnan(v["mode"]):
        unknown.append("le mode (non indiqué par le territoire ou la structure)")
    if np.isnan(v["publics"]):
        unknown.append("les publics (non indiqués par le territoire ou la structure)")
    if unknown:
        out.append((0.0, f"Non comptés dans le score, faute d'information : {', '.join(unknown)}."))
    return [text for _, text in out]


def _zone(s: Structure, region_names: dict[str, str]) -> str:
    parts = list(s.target_departements) + [region_names.get(r, f"région {r}") for r in s.target_regions]
    shown = ", ".join(parts[:6])
    return shown + (" …" if len(parts) > 6 else "")


def pair_summary(table: PairTable, i: int, j: int) -> dict[str, Any]:
    return {
        "territory": table.territories[i].name,
        "structure": table.structures[j].name,
        "score": int(round(float(table.score[i, j]))),
        "compatible": bool(table.compatible[i, j]),
        "reasons": pair_reasons(table, i, j),
    }
