"""Local resources of a fiche: France services, Fabriques and Manufactures nearby, and the Kiif incubator."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sentiers import fr
from sentiers.base.sources import HOW_TO_LOAD
from sentiers.briefing.model import Incubator, Resource
from sentiers.briefing.territory import Territory, centre_of, layer_entry, source_text
from sentiers.briefing.texts import RESOURCE_LAYERS
from sentiers.errors import SentiersError
from sentiers.fr import clean
from sentiers.geometry import haversine_km

if TYPE_CHECKING:
    from sentiers.base.store import Base

log = logging.getLogger(__name__)

MAX_RESOURCES_PER_KIND = 8


def _shorten(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def local_resources(base: Base, territory: Territory, radius_km: float) -> tuple[list[Resource], str]:
    points = base.points
    loaded = [layer for layer in RESOURCE_LAYERS if layer_entry(base, layer)]
    if points is None or points.empty or not loaded:
        return [], (
            "Les listes de France services, Fabriques de territoire et Manufactures de proximité ne sont pas "
            f"chargées dans la base ; {HOW_TO_LOAD}."
        )
    centre = centre_of(territory)
    if centre is None:
        return [], "Position du territoire inconnue : distances non calculées."
    pts = points[points["layer"].isin(loaded)]
    pts = pts[
        pd.to_numeric(pts["lat"], errors="coerce").notna()
        & pd.to_numeric(pts["lon"], errors="coerce").notna()
    ]
    dist = haversine_km(centre[0], centre[1], pts["lat"].to_numpy(float), pts["lon"].to_numpy(float))
    inside = pts["code"].astype("string").isin(set(territory.members["code"])).fillna(False).to_numpy()
    keep = (dist <= radius_km) | inside
    near = pts[keep].assign(dist_km=dist[keep]).sort_values("dist_km")
    names = base.communes.set_index("code")["name"]
    out: list[Resource] = []
    for layer, group in near.groupby("layer", sort=False):
        for row in group.head(MAX_RESOURCES_PER_KIND).itertuples(index=False):
            code = str(clean(row.code) or "")
            out.append(
                Resource(
                    kind=RESOURCE_LAYERS.get(str(layer), str(layer)),
                    label=_shorten(str(clean(row.label) or "(sans nom)")),
                    commune=f"{names.get(code, '')} ({code})" if code else "",
                    distance_km=float(row.dist_km),
                    distance_text=fr.number(float(row.dist_km), 1, "km"),
                    address=str(clean(getattr(row, "address", "")) or ""),
                )
            )
    out.sort(
        key=lambda r: (
            list(RESOURCE_LAYERS.values()).index(r.kind) if r.kind in RESOURCE_LAYERS.values() else 9,
            r.distance_km,
        )
    )
    sources = " ; ".join(f"{RESOURCE_LAYERS[layer]} : {source_text(base, layer)}" for layer in loaded)
    missing = [RESOURCE_LAYERS[layer] for layer in RESOURCE_LAYERS if layer not in loaded]
    note = f"Dans un rayon de {fr.number(radius_km, 0, 'km')} autour du territoire (et dans le territoire). Sources : {sources}."
    if missing:
        note += f" Non chargées : {', '.join(missing)} ({HOW_TO_LOAD})."
    return out, note


def kiif_incubator(departement: str, centre: tuple[float, float] | None = None) -> Incubator:
    """The Kiif incubator covering a département (sentiers.base.kiif, from sentiers/base/reference/kiif.yaml)."""
    from sentiers.base import kiif

    try:
        coverage = kiif.load_kiif()
        found = kiif.covering_incubator(departement, coverage)
    except SentiersError as exc:  # a malformed reference file must not break the briefing
        log.warning("kiif lookup failed: %s", exc)
        return Incubator(available=False, message=f"Couverture Kiif illisible : {exc}")
    if found is None:
        return Incubator(
            available=False,
            message=(
                f"Le département {departement} n'est pas couvert par le programme {coverage.programme} "
                f"(édition {coverage.edition}). {coverage.faq_note}"
            ),
        )
    distance = ""
    if centre is not None and found.lat is not None and found.lon is not None:
        km = float(haversine_km(centre[0], centre[1], np.array([found.lat]), np.array([found.lon]))[0])
        distance = fr.number(km, 0, "km")
    return Incubator(
        available=True,
        distance_text=distance,
        name=found.name,
        city=found.city or "",
        verified=found.verified,
        status="membre confirmé par une source publique" if found.verified else "membre à confirmer",
        url=found.source_url or "",
        message=f"Contact du programme : {coverage.contact.name} ({coverage.contact.organisation}).",
    )
