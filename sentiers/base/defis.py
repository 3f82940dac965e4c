"""The six défis of the programme « Les Sentiers »: slugs and titles, shared by the matching and the actors.

The slugs are the keys of the structure profile (``defi``), of the presets of :mod:`sentiers.matching.presets`
and of the NAF -> défi table of :mod:`sentiers.actors.activities`.
"""

from __future__ import annotations

from typing import Literal

DEFIS: dict[str, str] = {
    "emploi-economie-locale": "Emploi et économie locale",
    "service-de-proximite": "Service de proximité",
    "transition-ecologique-solidaire": "Transition écologique et solidaire",
    "solidarite-cohesion-sociale": "Solidarité et cohésion sociale",
    "mobilisation-collective": "Mobilisation collective",
    "engagement-citoyen": "Engagement citoyen",
}

Defi = Literal[
    "emploi-economie-locale",
    "service-de-proximite",
    "transition-ecologique-solidaire",
    "solidarite-cohesion-sociale",
    "mobilisation-collective",
    "engagement-citoyen",
]
