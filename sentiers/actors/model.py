"""The actors of a territory as data: what the page, the CLI, the fiche and the exports read."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from sentiers.actors.client import SOURCE_LICENCE, SOURCE_TITLE

Level = Literal["commune", "epci"]
Status = Literal["online", "cache", "offline", "unavailable"]
Mode = Literal["fetch", "refresh", "cache"]


class Area(BaseModel):
    """A commune, an EPCI, or the communes within a radius around a commune."""

    level: Level
    code: str
    name: str
    radius_km: float = 0.0
    departement: str = ""
    centre: tuple[float, float] | None = None
    communes: list[str] = Field(default_factory=list)  # member communes first, then those of the radius
    member_count: int = 0

    @property
    def label(self) -> str:
        if self.radius_km:
            return f"{self.name} et {_km(self.radius_km)} autour"
        return self.name


def _km(value: float) -> str:
    from sentiers.fr import number

    return number(value, 0, "km")


class Actor(BaseModel):
    """One organisation (a legal unit of the register) or one place completing the list."""

    family: str
    family_detail: str = ""  # SIAE type, cooperative kind, legal form
    name: str
    acronym: str = ""
    siren: str = ""
    naf: str = ""
    activity: str = ""  # NAF label
    defi: str = ""  # défi slug, or "autres"
    size_code: str = ""
    size: str = ""
    created_year: int | None = None
    address: str = ""
    commune_code: str = ""
    commune: str = ""
    lat: float | None = None
    lon: float | None = None
    distance_km: float | None = None
    local_establishments: int = 0
    relation: str = ""  # "same" | "complement" | ""
    source: str = ""


class ActorList(BaseModel):
    area: Area
    actors: list[Actor] = Field(default_factory=list)  # ESS actors and SIAE
    places: list[Actor] = Field(default_factory=list)  # France services, Fabriques, Manufactures, Kiif
    status: Status = "unavailable"
    retrieved_at: str | None = None  # ISO date of the oldest answer used
    message: str = ""  # French: offline, partial, truncated…
    truncated: bool = False
    requests: int = 0
    activity: str = ""  # the structure's NAF code used for the relations
    defi: str = ""
    source: str = f"{SOURCE_TITLE}, {SOURCE_LICENCE}"

    @property
    def available(self) -> bool:
        return self.status != "unavailable"

    def counts_by_family(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for actor in self.actors:
            out[actor.family] = out.get(actor.family, 0) + 1
        return out

    def counts_by_defi(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for actor in self.actors:
            out[actor.defi] = out.get(actor.defi, 0) + 1
        return out
