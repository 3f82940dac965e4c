"""A territory's score under a profile, read from the matching package's ranking (never recomputed here).

The ranking of a profile over all candidates is cached (a few entries) so that a comparison of five
territories, or a page rerun, ranks once.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from sentiers.base.catalogue import value_text as catalogue_value_text
from sentiers.briefing.model import Contribution, ScoreSection
from sentiers.briefing.territory import Territory
from sentiers.errors import SentiersError

if TYPE_CHECKING:
    from sentiers.base.store import Base

log = logging.getLogger(__name__)


def load_profile_arg(profile_file: str | None = None, preset: str | None = None):
    """The StructureProfile named by a file path or a défi preset slug (CLI and pages)."""
    from sentiers.matching.presets import preset_profile
    from sentiers.matching.profile import load_profile

    if profile_file:
        return load_profile(profile_file)
    if preset:
        return preset_profile(preset)
    return None


def profile_from_choice(preset: str = "", profile_json: str = ""):
    """The profile a page picked: a validated JSON profile (shared link, session) or a préset slug, else None."""
    if profile_json:
        import json

        from sentiers.matching.profile import validate_profile

        return validate_profile(json.loads(profile_json))
    return load_profile_arg(preset=preset or None)


def ranking_for(base: Base, profile, level: str):
    """The matching ranking of ``profile`` at ``level`` on ``base`` (cached)."""
    from sentiers.matching.profile import to_json
    from sentiers.matching.score import rank_profile

    key = (level, to_json(profile))
    return base.memo_lru("rankings", key, lambda: rank_profile(base, profile, level=level), size=6)


def score_territory(base: Base, territory: Territory, profile, section: ScoreSection) -> ScoreSection:
    from sentiers.base.catalogue import CATALOGUE
    from sentiers.matching.score import check_summary, dependence_text, robustness_text

    if not hasattr(profile, "criteria"):
        raise SentiersError("Profil non reconnu : chargez un fichier de profil ou choisissez un profil type.")
    ranking = ranking_for(base, profile, territory.level)
    frame = ranking.frame
    row = frame[frame["code"].astype(str) == territory.code]
    section.candidates = int(len(frame))
    if row.empty:
        funnel = " ; ".join(
            f"{step['constraint']} : −{step['removed']}" for step in ranking.funnel if step.get("removed")
        )
        section.message = (
            f"Ce territoire ne fait pas partie des {len(frame)} candidats retenus par les contraintes du profil"
            + (f" ({funnel})." if funnel else ".")
        )
        return section
    rec = row.iloc[0]
    section.available = True
    section.score = float(rec["score"])
    section.rank = int(rec["rank"])
    said = [robustness_text(ranking, rec), dependence_text(ranking, rec)]
    if bool(rec.get("ex_aequo", False)):
        said.append(f"ex aequo avec le {ranking.leading}e (à moins de 0,5 point)")
    if said[0]:
        section.robustness = " ; ".join(x for x in said if x)
        section.robustness_note = check_summary(ranking)
    for criterion in ranking.criteria:
        entry = CATALOGUE.get(criterion.indicator)
        value = rec.get(f"val:{criterion.indicator}")
        missing = bool(rec.get(f"na:{criterion.indicator}", False))
        value_text = "manquante" if missing else catalogue_value_text(criterion.indicator, value)
        section.contributions.append(
            Contribution(
                label=entry.label if entry else criterion.indicator,
                points=float(rec.get(f"pts:{criterion.indicator}", 0.0)),
                value=value_text,
            )
        )
    section.contributions.sort(key=lambda c: c.points, reverse=True)
    for item in ranking.unavailable:
        section.message = (section.message + " " if section.message else "") + str(item.get("reason", ""))
    return section


def profile_summary(profile) -> dict[str, Any]:
    try:
        return json.loads(profile.model_dump_json())
    except AttributeError:
        return dict(profile or {})
