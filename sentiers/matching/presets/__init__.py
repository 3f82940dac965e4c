"""Presets: one scoring profile per défi de la ruralité, as YAML files beside this module.

A preset holds base criteria, extra criteria per public (added when the profile names that public) and
per mode (antenne / dissemination); a later entry for the same indicator replaces the earlier one.
Each criterion carries its reasoning in French (``reason``), shown to the user.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib.resources import files

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sentiers.errors import SentiersError
from sentiers.fr import quoted
from sentiers.matching.profile import (
    DEFIS,
    Criterion,
    Defi,
    Public,
    SimilarIndicator,
    StructureProfile,
    explain,
)


class Preset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defi: Defi
    title: str
    summary: str
    rationale: str = ""
    population_floor: int = Field(
        default=0, ge=0
    )  # commune level: fewer inhabitants cannot carry the project
    floor_reason: str = ""
    measures: str = ""  # what the criteria measure, in the user's words
    missing: str = ""  # what the base does not measure for this défi
    criteria: list[Criterion]
    publics: dict[Public, list[Criterion]] = {}
    modes: dict[str, list[Criterion]] = {}
    similar: list[SimilarIndicator] = Field(min_length=1)  # « Territoires semblables » : what « alike » means


@cache
def preset(slug: str) -> Preset:
    """The preset of a défi (validated); SentiersError naming the known slugs otherwise."""
    if slug not in DEFIS:
        raise SentiersError(f"Profil type inconnu {quoted(slug, 40)} ; profils types : {', '.join(DEFIS)}")
    text = files(__package__).joinpath(f"{slug}.yaml").read_text(encoding="utf-8")
    try:
        return Preset.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        raise explain(exc, prefix=f"Profil type {slug} invalide") from None


def defi_titles() -> dict[str, str]:
    """Slug -> title of the six défis' presets, in the programme's order (for pickers)."""
    from sentiers.matching.profile import DEFIS

    return {slug: preset(slug).title for slug in DEFIS}


def preset_criteria(slug: str, publics: Sequence[str] = (), mode: str = "antenne") -> list[Criterion]:
    """Base criteria of the défi, then those of each public, then those of the mode."""
    chosen = preset(slug)
    merged: dict[str, Criterion] = {c.indicator: c for c in chosen.criteria}
    for public in publics:
        for crit in chosen.publics.get(public, []):  # type: ignore[call-overload]
            merged[crit.indicator] = crit
    for crit in chosen.modes.get(mode, []):
        merged[crit.indicator] = crit
    return [c.model_copy() for c in merged.values()]


def default_floor(profile: StructureProfile, level: str) -> int | None:
    """The défi's population floor, which applies when the profile sets none (communes only; EPCI have none)."""
    if level != "commune":
        return None
    return preset(profile.defi).population_floor or None


def effective_criteria(profile: StructureProfile) -> list[Criterion]:
    """The profile's own criteria, or its défi's preset adapted to its publics and mode."""
    if profile.criteria is not None:
        return list(profile.criteria)
    return preset_criteria(profile.defi, profile.publics, profile.mode)


def similar_indicators(profile: StructureProfile) -> list[SimilarIndicator]:
    """The indicators « Territoires semblables » compares: the profile's own, or its défi's defaults."""
    if profile.similar is not None and profile.similar.indicators:
        return [i.model_copy() for i in profile.similar.indicators]
    return [i.model_copy() for i in preset(profile.defi).similar]


def preset_profile(slug: str, **overrides) -> StructureProfile:
    """A ready-to-score profile for a défi (criteria left empty: the preset applies)."""
    chosen = preset(slug)
    data = {"name": f"Profil type — {chosen.title}", "defi": slug, "description": chosen.summary}
    data.update(overrides)
    return StructureProfile.model_validate(data)
