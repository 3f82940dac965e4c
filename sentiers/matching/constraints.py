"""Hard constraints: which candidates may be ranked at all, with a funnel that explains every removal.

The funnel is a list of ``{constraint, removed, remaining}`` (French labels), starting with all the
candidates of the level, so that an empty result says which constraint emptied it. A constraint that
cannot be checked on the loaded base (no density grid for ``rural_only``...) is an error with a French
message, never silently skipped: every ranked candidate satisfies every constraint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sentiers.base.codes import check_departement_code, check_region_code
from sentiers.base.lookup import lookup_territory
from sentiers.base.sources import HOW_TO_LOAD
from sentiers.base.store import Base
from sentiers.errors import SentiersError
from sentiers.fr import quoted
from sentiers.geometry import haversine_km
from sentiers.matching.candidates import CandidateTable, Coverage
from sentiers.matching.profile import ZONINGS, Constraints

ZONING_COLUMNS: dict[str, str] = {
    "frr": "frr",
    "pvd": "pvd",
    "va": "va",
    "acv": "acv",
    "france_services": "france_services",
    "fabriques": "fabriques",
    "manufactures": "manufactures",
}


@dataclass(frozen=True)
class ReferencePoint:
    code: str
    name: str
    lat: float
    lon: float


def resolve_reference(base: Base, query: str) -> ReferencePoint:
    """The reference commune, found by the one lookup (code, old code, postal code or unambiguous name). A code
    that is both an Insee and a postal code is the Insee code, as in a link or the fiche (a profile's field)."""
    result = lookup_territory(base, query, "commune", insee_first=True)
    if result.status != "ok" or not result.codes:
        detail = result.message or "introuvable"
        raise SentiersError(f"constraints.reference_commune : {quoted(query, 40)} — {detail}")
    row = base.communes[base.communes["code"] == result.codes[0]].iloc[0]
    lat, lon = float(row["lat"]), float(row["lon"])
    if np.isnan(lat) or np.isnan(lon):
        raise SentiersError(f"constraints.reference_commune : « {row['name']} » n'a pas de coordonnées.")
    return ReferencePoint(code=str(row["code"]), name=str(row["name"]), lat=lat, lon=lon)


def _check_codes(values: list[str], field: str, check) -> list[str]:
    out = []
    for value in values:
        try:
            out.append(check(value))
        except SentiersError as exc:
            raise SentiersError(f"constraints.{field} : {exc}") from None
    return out


def apply_constraints(
    table: CandidateTable,
    constraints: Constraints,
    coverage: Coverage | None = None,
    reference: ReferencePoint | None = None,
    default_floor: int | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Candidates satisfying every hard constraint (with ``distance_reference_km`` when a reference is
    given), and the funnel.

    A territory without inhabitants is never a candidate. ``default_floor``: the défi's population floor, applied
    when the profile sets no ``population_min`` of its own (0 asks for no floor); the funnel says when the floor
    is the défi's default, which the user can change.
    """

    frame = table.frame
    if reference is not None:
        frame = frame.copy()
        frame["distance_reference_km"] = haversine_km(
            frame["lat"].to_numpy(), frame["lon"].to_numpy(), reference.lat, reference.lon
        )
    keep = np.ones(len(frame), dtype=bool)
    funnel: list[dict[str, Any]] = [
        {
            "constraint": (
                "Toutes les communes de la base" if table.level == "commune" else "Tous les EPCI de la base"
            ),
            "removed": 0,
            "remaining": int(keep.sum()),
        }
    ]

    def step(label: str, mask: np.ndarray) -> None:
        nonlocal keep
        before = int(keep.sum())
        keep = keep & mask
        after = int(keep.sum())
        funnel.append({"constraint": label, "removed": before - after, "remaining": after})

    inhabited = np.nan_to_num(frame["population"].to_numpy(dtype=float, na_value=np.nan), nan=0.0) > 0
    step(
        "Communes habitées (population supérieure à 0)" if table.level == "commune" else "EPCI habités",
        inhabited,
    )
    if constraints.kiif_only:
        if coverage is None:
            raise SentiersError(
                "constraints.kiif_only : la liste des départements couverts par le Kiif est indisponible "
                "(sentiers/base/reference/kiif.yaml) ; désactivez la contrainte ou réparez le fichier."
            )
        step(
            f"Départements couverts par le Kiif ({len(coverage.departements)})",
            frame["departement"].isin(coverage.departements).to_numpy(),
        )
    if constraints.rural_only:
        if "rural" not in frame:
            raise SentiersError(
                "constraints.rural_only : la grille communale de densité n'est pas chargée, la ruralité ne peut "
                f"pas être vérifiée ({HOW_TO_LOAD}) ; ou désactivez la contrainte."
            )
        label = (
            "Communes rurales (grille de densité, niveaux 5 à 7)"
            if table.level == "commune"
            else "EPCI ruraux (au moins 50 % de la population en commune rurale)"
        )
        rural = frame["rural"].to_numpy(dtype=float, na_value=np.nan)
        unknown = int((np.isnan(rural) & keep).sum())
        if unknown:
            label += f", dont {unknown} à la ruralité inconnue"
        step(label, np.nan_to_num(rural, nan=0.0) == 1)
    if constraints.departements:
        codes = _check_codes(constraints.departements, "departements", check_departement_code)
        step(f"Départements choisis ({', '.join(codes)})", frame["departement"].isin(codes).to_numpy())
    if constraints.regions:
        codes = _check_codes(constraints.regions, "regions", check_region_code)
        step(f"Régions choisies ({', '.join(codes)})", frame["region"].isin(codes).to_numpy())
    population = frame["population"].to_numpy(dtype=float)
    floor = constraints.population_min if constraints.population_min is not None else default_floor
    if floor:  # 0: the profile asks for no floor
        label = f"Population d'au moins {floor:,} habitants".replace(",", " ")
        if floor == default_floor:
            label += " (seuil par défaut du défi, modifiable)"
        step(label, np.nan_to_num(population, nan=-1) >= floor)
    if constraints.population_max is not None:
        step(
            f"Population d'au plus {constraints.population_max:,} habitants".replace(",", " "),
            np.nan_to_num(population, nan=np.inf) <= constraints.population_max,
        )
    if constraints.max_distance_km is not None:
        if reference is None:
            raise SentiersError("constraints.max_distance_km : une commune de référence est nécessaire.")
        dist = frame["distance_reference_km"].to_numpy(dtype=float)
        step(
            f"À moins de {constraints.max_distance_km:g} km de {reference.name}",
            np.nan_to_num(dist, nan=np.inf) <= constraints.max_distance_km,
        )
    for zoning in constraints.zonings_required:
        column = ZONING_COLUMNS[zoning]
        if column not in frame:
            raise SentiersError(
                f"constraints.zonings_required : le zonage « {ZONINGS[zoning]} » n'est pas chargé dans la base ; "
                f"{HOW_TO_LOAD}."
            )
        values = pd.to_numeric(frame[column], errors="coerce").fillna(0).to_numpy(dtype=float)
        step(f"Zonage requis : {ZONINGS[zoning]}", values > 0)
    return frame.loc[keep].reset_index(drop=True), funnel
