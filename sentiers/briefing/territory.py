"""The territory of a briefing: a commune or an EPCI found by the one lookup, its members, its references.

Aggregates come from the one aggregation (:mod:`sentiers.base.aggregate`); sources are named from the manifest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sentiers.base.aggregate import WEIGHTED
from sentiers.base.aggregate import aggregate as aggregate_communes
from sentiers.base.lookup import epci_index_for, lookup_territory, territory_problem
from sentiers.briefing.model import Level
from sentiers.errors import SentiersError
from sentiers.fr import clean

if TYPE_CHECKING:
    from sentiers.base.store import Base


def as_float(value: Any) -> float | None:
    value = clean(value)
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def layer_entry(base: Base, layer: str) -> dict[str, Any] | None:
    """Manifest entry of a layer; when several entries feed it, the official (non embedded) last one."""
    return base.layer(layer)


def source_text(base: Base, layer: str) -> str:
    entry = layer_entry(base, layer)
    if entry is None:
        return "source non chargée"
    return f"{entry.get('publisher', '')}, {entry.get('vintage', '')}"


@dataclass
class Territory:
    """A resolved commune or EPCI and its member communes (rows of base.communes)."""

    level: Level
    code: str
    name: str
    kind: str
    members: pd.DataFrame
    note: str = ""


def resolve_territory(base: Base, query: str, level: Level = "commune") -> Territory:
    """The commune or EPCI a person named (code, old code, postal code, name; SIREN or name for an EPCI),
    through the one lookup; SentiersError in French when it names none or several."""
    # a code handed over by a link, a page or a command is an Insee code (the search boxes offer both readings)
    result = lookup_territory(base, query, level, insee_first=True)
    if result.status != "ok":
        raise SentiersError(territory_problem(base, result, level))
    code = result.codes[0]
    communes = base.communes
    if level == "epci":
        index = epci_index_for(base)
        members = communes[communes["epci"].astype("string") == code]
        return Territory(
            level="epci",
            code=code,
            name=index.names.get(code, f"EPCI {code}"),
            kind=index.kinds.get(code, "Intercommunalité"),
            members=members,
            note=result.note,
        )
    rows = communes[communes["code"] == code]
    return Territory(
        level="commune",
        code=code,
        name=str(rows["name"].iloc[0]),
        kind="Commune",
        members=rows,
        note=result.note,
    )


def aggregate_groups(frame: pd.DataFrame, keys: pd.Series | np.ndarray) -> pd.DataFrame:
    """One row per group of communes: the one aggregation (:func:`sentiers.base.aggregate.aggregate`)."""
    return aggregate_communes(frame, keys)


def aggregate(frame: pd.DataFrame) -> dict[str, float | None]:
    """Values of a group of communes; a single commune keeps its own published values."""
    row = aggregate_groups(frame, np.zeros(len(frame), dtype=int)).iloc[0]
    out: dict[str, float | None] = {k: as_float(v) for k, v in row.items()}
    if len(frame) == 1:
        for column in WEIGHTED:
            if column in frame:
                out[column] = as_float(frame[column].iloc[0])
    return out


def reference_values(base: Base) -> dict[str, Any]:
    """France and per-département aggregates, computed once per loaded base."""
    return base.memo("briefing_references", lambda: _make_reference_values(base))


def _make_reference_values(base: Base) -> dict[str, Any]:
    communes = base.communes
    by_dep = aggregate_groups(communes, communes["departement"].astype(str).to_numpy())
    values = {
        "france": aggregate(communes),
        "departements": {
            str(dep): {k: as_float(v) for k, v in row.items()} for dep, row in by_dep.iterrows()
        },
    }
    return values


def departement_label(base: Base, code: str) -> str:
    names = base.departements.set_index("code")["name"] if len(base.departements) else pd.Series(dtype=str)
    return f"{names.get(code, code)} ({code})" if code else ""


def dominant(members: pd.DataFrame, column: str) -> str:
    values = members[column].astype("string").fillna("")
    values = values[values != ""]
    if values.empty:
        return ""
    pop = pd.to_numeric(members.loc[values.index, "population"], errors="coerce").fillna(0)
    return str(pop.groupby(values).sum().sort_values(ascending=False).index[0])


def centre_of(territory: Territory) -> tuple[float, float] | None:
    members = territory.members
    lat = pd.to_numeric(members["lat"], errors="coerce")
    lon = pd.to_numeric(members["lon"], errors="coerce")
    ok = lat.notna() & lon.notna()
    if not ok.any():
        return None
    weights = pd.to_numeric(members["population"], errors="coerce").fillna(0)[ok] + 1
    return float(np.average(lat[ok], weights=weights)), float(np.average(lon[ok], weights=weights))
