"""The territory of an actors list: a commune, an EPCI, or the communes within a radius, found by the one lookup.

A radius takes every commune whose centre lies within the radius plus :data:`RADIUS_MARGIN_KM` (a commune is
an area, its centre is not its edge); actors are then kept when their establishment lies within the radius.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sentiers import fr
from sentiers.actors.model import Area, Level
from sentiers.base.codes import PLM_ARM_PREFIXES, is_arm
from sentiers.base.lookup import epci_index_for, lookup_territory, territory_problem
from sentiers.errors import SentiersError
from sentiers.geometry import haversine_km

if TYPE_CHECKING:
    from sentiers.base.store import Base

# the columns of base.communes the actors read (a projected read without geometry is enough: the CLI's)
BASE_COLUMNS = (
    "code",
    "name",
    "departement",
    "epci",
    "population",
    "population_year",
    "postal_codes",
    "lat",
    "lon",
)
MAX_RADIUS_KM = 50.0  # the API's own limit for a search around a point
RADIUS_MARGIN_KM = 4.0
ARRONDISSEMENTS = {
    "75056": [f"751{n:02d}" for n in range(1, 21)],
    "69123": [f"6938{n}" for n in range(1, 10)],
    "13055": [f"132{n:02d}" for n in range(1, 17)],
}
assert set(ARRONDISSEMENTS) == set(PLM_ARM_PREFIXES)


def check_radius(value: float | int | str | None) -> float:
    """A radius in km between 0 and :data:`MAX_RADIUS_KM`; SentiersError in French otherwise."""
    if value is None or value == "":
        return 0.0
    try:
        radius = float(str(value).replace(",", "."))
    except ValueError:
        raise SentiersError(
            f"Rayon illisible : {fr.quoted(value, 20)} (un nombre de kilomètres est attendu)."
        ) from None
    if not math.isfinite(radius) or radius < 0 or radius > MAX_RADIUS_KM:
        raise SentiersError(
            f"Rayon hors limites : {fr.quoted(value, 20)} (entre 0 et {fr.number(MAX_RADIUS_KM, 0)} km)."
        )
    return radius


def _centre(rows: pd.DataFrame) -> tuple[float, float] | None:
    lat = pd.to_numeric(rows["lat"], errors="coerce")
    lon = pd.to_numeric(rows["lon"], errors="coerce")
    ok = (lat.notna() & lon.notna()).to_numpy()
    if not ok.any():
        return None
    weights = pd.to_numeric(rows["population"], errors="coerce").fillna(0).to_numpy()[ok] + 1
    return float(np.average(lat.to_numpy()[ok], weights=weights)), float(
        np.average(lon.to_numpy()[ok], weights=weights)
    )


def resolve_area(
    base: Base, query: str, level: Level = "commune", radius_km: float | int | str | None = 0
) -> Area:
    """The area a person named; SentiersError in French when the query names no single territory."""
    radius = check_radius(radius_km)
    result = lookup_territory(base, query, level, insee_first=True)  # a code from a link or a page
    if result.status != "ok":
        raise SentiersError(territory_problem(base, result, level))
    code = result.codes[0]
    communes = base.communes
    if level == "epci":
        members = communes[communes["epci"].astype("string") == code]
        name = epci_index_for(base).names.get(code, f"EPCI {code}")
    else:
        members = communes[communes["code"] == code]
        name = str(members["name"].iloc[0])
    if members.empty:
        raise SentiersError(f"Le territoire {code} n'a aucune commune dans la base.")
    centre = _centre(members)
    codes = list(dict.fromkeys(members["code"].astype(str)))
    member_count = len(codes)
    if radius and centre is not None:
        lat = pd.to_numeric(communes["lat"], errors="coerce").to_numpy(float)
        lon = pd.to_numeric(communes["lon"], errors="coerce").to_numpy(float)
        dist = haversine_km(lat, lon, centre[0], centre[1])
        near = communes.loc[np.nan_to_num(dist, nan=np.inf) <= radius + RADIUS_MARGIN_KM, "code"].astype(str)
        codes += [c for c in near if c not in set(codes)]
    departement = str(members["departement"].astype(str).mode().iloc[0]) if "departement" in members else ""
    return Area(
        level=level,
        code=code,
        name=name,
        radius_km=radius,
        departement=departement,
        centre=centre,
        communes=codes,
        member_count=member_count,
    )


def query_codes(area: Area) -> list[str]:
    """Commune codes as the register writes them: Paris, Lyon and Marseille by arrondissement."""
    out: list[str] = []
    for code in area.communes:
        out.extend(ARRONDISSEMENTS.get(code, [code]))
    return out


def commune_of_register(code: str) -> str:
    """The base's commune code of a register's commune code (an arrondissement -> its city)."""
    if is_arm(code):
        return next(parent for parent, prefix in PLM_ARM_PREFIXES.items() if code.startswith(prefix))
    return code
