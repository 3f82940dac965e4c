"""Hand-kept facts stored as data files beside this module, in sentiers/base/reference (validated when read)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import shapely
import yaml
from pydantic import BaseModel, ConfigDict, Field


class TownHall(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^(?:[0-9]{5}|2[AB][0-9]{3})$")
    name: str
    lat: float = Field(ge=-22, le=52)
    lon: float = Field(ge=-62, le=56)
    source: str


class TownHalls(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = ""
    town_halls: list[TownHall] = []


def reference_path(name: str):
    return files(__name__).joinpath(name)


@cache
def town_halls() -> dict[str, shapely.Point]:
    """Town-hall points of communes that no available source draws as a polygon."""
    path = reference_path("town_halls.yaml")
    if not path.is_file():
        return {}
    doc = TownHalls.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return {t.code: shapely.Point(t.lon, t.lat) for t in doc.town_halls}
