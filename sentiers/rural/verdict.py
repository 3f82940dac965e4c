"""The rurality verdict of a commune: official, dated, explained, sourced.

Rural means levels 5-7 of INSEE's grille communale de densité (sentiers.base.schema.RURAL_DEFINITION). The
verdict always names the grid's vintage and geography year; a level carried from predecessor codes
(merger, restored commune) is flagged ``derived`` with its note, and a commune without a level — or a
base without the grid — is ``inconnu`` with the reason, never a guess.

``answer(base, query)`` is the one call the page and the CLI use; ``verdict_table(base)`` gives the
same facts as flat columns for batch exports. A verdict reads the base's lookup extract
(:mod:`sentiers.base.extract`): made from an opened base, or read from its file by the CLI, which then
answers without pandas; every function taking ``base`` accepts either.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from sentiers import fr
from sentiers.base.extract import EXTRACT_COLUMNS, Extract, extract_for
from sentiers.base.lookup import Candidate, LookupGroup, LookupResult, QueryKind, lookup
from sentiers.base.schema import CATEAAV_LABELS, DENSITY_LABELS, RURAL_DEFINITION, RURAL_LEVELS
from sentiers.base.sources import HOW_TO_LOAD
from sentiers.base.store import Base

if TYPE_CHECKING:  # the flat table needs pandas; a verdict from the lookup extract does not
    import pandas as pd

log = logging.getLogger(__name__)

GRID_LAYER = "grille_densite"
GRID_MISSING = f"la grille communale de densité n'est pas chargée dans la base ; {HOW_TO_LOAD}"

# zoning id -> (layer id, label shown, columns)
ZONINGS: dict[str, tuple[str, str]] = {
    "frr": ("anct_frr", "France Ruralités Revitalisation"),
    "pvd": ("anct_pvd", "Petites villes de demain"),
    "va": ("anct_va", "Villages d'avenir"),
    "acv": ("anct_acv", "Action cœur de ville"),
}
_CODE_IN_TEXT = re.compile(r"\b(\d{5}|2[AB]\d{3})\b(?:\s*[:=(]\s*(?:niveau\s*)?([1-7])\)?)?")


class SourceRef(BaseModel):
    id: str
    title: str
    publisher: str
    vintage: str
    url: str = ""


class Zoning(BaseModel):
    id: str
    label: str  # programme name
    loaded: bool  # False when the layer is not in the base
    concerned: bool | None = None  # None when not loaded
    value: str = ""  # "FRR socle", "Oui", "Non", "" when not loaded
    date: str = ""  # "classement au 10 juillet 2025", "signature 2021-03-15", ...
    source: str = ""  # publisher, vintage


class Predecessor(BaseModel):
    code: str
    density_level: int | None = None
    density_label: str = ""


class Aav(BaseModel):
    code: str = ""
    name: str = ""
    category: str = ""
    category_label: str = ""
    source: str = ""


class CommuneVerdict(BaseModel):
    code: str
    name: str
    departement: str
    population: int | None = None
    population_year: int | None = None
    population_source: str = ""
    verdict: Literal["rural", "urbain", "inconnu"]
    rural: bool | None
    density_level: int | None = None
    density_label: str = ""
    grid_vintage: str = ""
    grid_year: int | None = None
    grid_geography_year: int | None = None
    grid_source: str = ""
    definition: str = RURAL_DEFINITION
    reason: str = ""  # French: why this verdict, in one sentence
    derived: bool = False
    derived_note: str = ""
    predecessors: list[Predecessor] = Field(default_factory=list)
    aav: Aav | None = None
    zonings: dict[str, Zoning] = Field(default_factory=dict)
    ruralite_type: str | None = None
    ruralite_source: str = ""
    lat: float | None = None
    lon: float | None = None
    sources: list[SourceRef] = Field(default_factory=list)


class RuralAnswer(BaseModel):
    """One query and what it found: the CLI's JSON object, the page's content."""

    query: str
    status: Literal["ok", "ambiguous", "not_found", "invalid"]
    kind: str = ""
    message: str = ""
    note: str = ""
    matches: list[CommuneVerdict] = Field(default_factory=list)
    suggestions: list[Candidate] = Field(default_factory=list)
    groups: list[LookupGroup] = Field(default_factory=list)  # an Insee code that is also a postal code

    def group_of(self, code: str) -> str:
        """The reading a match comes from (« Code postal 26150 »), "" when the query has one reading."""
        return next((g.label for g in self.groups if code in g.codes), "")

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


def answers_to_json(answers: list[RuralAnswer], indent: int | None = 2) -> str:
    """The CLI's output: a JSON list, one object per query."""
    return json.dumps([a.to_dict() for a in answers], ensure_ascii=False, indent=indent)


# --- helpers ---------------------------------------------------------------------------------------


def _str(value: Any) -> str:
    value = fr.clean(value)
    return "" if value is None else str(value)


def _int(value: Any) -> int | None:
    value = fr.clean(value)
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _bool(value: Any) -> bool | None:
    value = fr.clean(value)
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "oui", "yes", "vrai")
    return bool(value)


Facts = Base | Extract


def _extract(base: Facts) -> Extract:
    return base if isinstance(base, Extract) else extract_for(base)


def prepare(base: Facts) -> None:
    """Build what every verdict reads (the extract, the grid's entry) before the first one is asked."""
    facts = _extract(base)
    facts.memo(("verdict", "grid"), lambda: grid_info(facts))


def _memo(base: Facts, key: Any, make: Any) -> Any:
    """A value computed once per base (layer entries, source lists), kept by its extract."""
    return _extract(base).memo(("verdict", key), make)


def _layer(base: Facts, layer_id: str) -> dict[str, Any] | None:
    return _memo(base, ("layer", layer_id), lambda: _extract(base).layer(layer_id))


def _source_ref(base: Facts, layer_id: str) -> SourceRef | None:
    entry = _layer(base, layer_id)
    if entry is None:
        return None
    return SourceRef(
        id=str(entry.get("id", layer_id)),
        title=str(entry.get("title", "")),
        publisher=str(entry.get("publisher", "")),
        vintage=str(entry.get("vintage", "")),
        url=str(entry.get("url", "")),
    )


def _note(base: Facts, layer_id: str) -> str:
    entry = _layer(base, layer_id)
    return "" if entry is None else f"{entry.get('publisher', '')}, {entry.get('vintage', '')}"


def grid_info(base: Facts) -> dict[str, Any]:
    """Vintage, year and geography year of the density grid in the base ({} when not loaded)."""
    entry = _layer(base, GRID_LAYER)
    if entry is None or "density_level" not in _extract(base).columns:
        return {}
    return {
        "vintage": str(entry.get("vintage", "")),
        "year": _int(entry.get("year")),
        "geography_year": _int(entry.get("geography_year")),
        "title": str(entry.get("title", "")),
        "publisher": str(entry.get("publisher", "")),
        "source": f"{entry.get('publisher', '')}, {entry.get('vintage', '')}",
    }


def _predecessors(base: Facts, code: str, note: str) -> list[Predecessor]:
    """Predecessor codes of a derived level, with their own levels when the base keeps them."""
    if "ancien territoire" in note:  # measured on the commune itself, then larger: no predecessor
        return []
    found: dict[str, int | None] = {}
    for method, predecessors, levels_text in _extract(base).grid_derivations.get(code, []):
        if (
            method == "ancien territoire"
        ):  # a former territory has no predecessors: the commune itself, larger
            continue
        for match in _CODE_IN_TEXT.finditer(levels_text or predecessors):
            found.setdefault(match.group(1), _int(match.group(2)))
    for match in _CODE_IN_TEXT.finditer(note):  # levels written in the note, e.g. "01039 (niveau 6)"
        if match.group(2) or match.group(1) not in found:
            found[match.group(1)] = _int(match.group(2)) or found.get(match.group(1))
    return [
        Predecessor(code=c, density_level=lvl, density_label=DENSITY_LABELS.get(lvl, "") if lvl else "")
        for c, lvl in found.items()
    ]


def _zonings(base: Facts, row: dict[str, Any]) -> dict[str, Zoning]:
    out: dict[str, Zoning] = {}
    for zid, (layer_id, label) in ZONINGS.items():
        entry = _layer(base, layer_id)
        if entry is None or zid not in row:
            out[zid] = Zoning(id=zid, label=label, loaded=False, value="non chargé")
            continue
        source = f"{entry.get('publisher', '')}, {entry.get('vintage', '')}"
        vintage = str(entry.get("vintage", ""))
        if zid == "frr":
            value = _str(row.get("frr")).strip()
            concerned = bool(value) and not value.lower().startswith("non")
            out[zid] = Zoning(
                id=zid,
                label=label,
                loaded=True,
                concerned=concerned,
                value=value or "Non classée",
                date=vintage,
                source=source,
            )
            continue
        flag = bool(_bool(row.get(zid)))
        date = vintage
        if zid == "pvd" and flag and _str(row.get("pvd_date")):
            date = f"convention signée le {fr.date(_str(row.get('pvd_date')))}"
        value = "Oui" if flag else "Non"
        if zid == "acv" and flag and _str(row.get("acv_name")):
            value = f"Oui ({_str(row.get('acv_name'))})"
        out[zid] = Zoning(
            id=zid, label=label, loaded=True, concerned=flag, value=value, date=date, source=source
        )
    return out


def _aav(base: Facts, row: dict[str, Any]) -> Aav | None:
    if "aav2020" not in row and "cateaav2020" not in row:
        return None
    category = _str(row.get("cateaav2020")).split(".")[0]
    label = _str(row.get("cateaav2020_label")) or CATEAAV_LABELS.get(category, "")
    notes = []
    if _note(base, "tagc_2022"):
        notes.append(f"catégorie : {_note(base, 'tagc_2022')}")
    if _note(base, "tagc_2024") and _str(row.get("aav2020_name")):
        notes.append(f"nom de l'aire : {_note(base, 'tagc_2024')}")
    return Aav(
        code=_str(row.get("aav2020")),
        name=_str(row.get("aav2020_name")),
        category=category,
        category_label=label,
        source=" ; ".join(notes),
    )


def _rural_fields(base: Facts, row: dict[str, Any], grid: dict[str, Any]) -> dict[str, Any]:
    if not grid:
        return {
            "verdict": "inconnu",
            "rural": None,
            "reason": f"Verdict inconnu : {GRID_MISSING}.",
        }
    level = _int(row.get("density_level"))
    note = _str(row.get("density_note"))
    derived = bool(_bool(row.get("density_derived"))) if "density_derived" in row else False
    if level is None or level not in DENSITY_LABELS:
        why = note or f"commune absente de la {grid['vintage'] or 'grille'} et sans prédécesseur connu"
        return {
            "verdict": "inconnu",
            "rural": None,
            "reason": f"Verdict inconnu : {why.rstrip('.')}.",
            "derived": derived,
            "derived_note": note,
        }
    rural = level in RURAL_LEVELS
    label = DENSITY_LABELS[level]
    group = "niveaux 5 à 7 : rural" if rural else "niveaux 1 à 4 : urbain"
    reason = f"Niveau {level} « {label} » de la grille communale de densité {grid['year'] or ''}".rstrip()
    reason += f" ({group})."
    if derived:
        reason += " Niveau dérivé : " + (note or "code modifié depuis la grille.")
    return {
        "verdict": "rural" if rural else "urbain",
        "rural": rural,
        "density_level": level,
        "density_label": label,
        "reason": reason,
        "derived": derived,
        "derived_note": note if derived else "",
    }


def _sources(base: Facts, has_aav: bool, population_year: int | None) -> list[SourceRef]:
    return _memo(
        base, ("sources", has_aav, population_year), lambda: _make_sources(base, has_aav, population_year)
    )


def _make_sources(base: Facts, has_aav: bool, population_year: int | None) -> list[SourceRef]:
    identity = [e for e in _extract(base).layers() if e.get("layer") == "identity"]
    chosen = next((e for e in reversed(identity) if _int(e.get("year")) == population_year), None)
    ids = [str(chosen.get("id")) if chosen else "identity", GRID_LAYER]
    if has_aav:
        ids += ["tagc_2024", "tagc_2022"]
    ids += [layer for layer, _ in ZONINGS.values()] + ["anct_ruralites"]
    refs = [_source_ref(base, i) for i in ids]
    return [r for r in refs if r is not None]


# what a verdict reads from the base (and the lookup: postal codes), for a projected read
BASE_COLUMNS = (*EXTRACT_COLUMNS, "postal_codes")


def _row(base: Facts, code: str) -> dict[str, Any]:
    """The verdict columns of one commune, from the base's extract (column lists kept by the base)."""
    return _extract(base).row(code)


def _population_source(base: Facts, year: int | None) -> str:
    """Publisher and vintage of the identity layer that gave the population (its year matches)."""
    return _memo(base, ("population_source", year), lambda: _make_population_source(base, year))


def _make_population_source(base: Facts, year: int | None) -> str:
    entries = [e for e in _extract(base).layers() if e.get("layer") == "identity"]
    for entry in reversed(entries):
        if year is not None and _int(entry.get("year")) == year:
            return f"{entry.get('publisher', '')}, {entry.get('vintage', '')}"
    return _note(base, "identity")


def commune_verdict(base: Facts, code: str) -> CommuneVerdict:
    """The verdict of one current commune (``code`` must be in the base)."""
    row = _row(base, code)
    grid = _memo(base, "grid", lambda: grid_info(base))
    fields = _rural_fields(base, row, grid)
    aav = _aav(base, row)
    derived = fields.get("derived", False)
    predecessors = _predecessors(base, code, fields.get("derived_note", "")) if derived else []
    if predecessors and any(p.density_level for p in predecessors):
        shown = ", ".join(
            f"{p.code} : niveau {p.density_level}" if p.density_level else f"{p.code} : niveau non conservé"
            for p in predecessors
        )
        fields["reason"] += f" Prédécesseurs : {shown}."
    ruralite = _str(row.get("ruralite_type")) if "ruralite_type" in row else None
    return CommuneVerdict(
        code=code,
        name=_str(row.get("name")),
        departement=_str(row.get("departement")),
        population=_int(row.get("population")),
        population_year=_int(row.get("population_year")),
        population_source=_population_source(base, _int(row.get("population_year"))),
        grid_vintage=grid.get("vintage", ""),
        grid_year=grid.get("year"),
        grid_geography_year=grid.get("geography_year"),
        grid_source=grid.get("source", ""),
        predecessors=predecessors,
        aav=aav,
        zonings=_zonings(base, row),
        ruralite_type=ruralite or None,
        ruralite_source=_note(base, "anct_ruralites"),
        lat=fr.clean(row.get("lat")),
        lon=fr.clean(row.get("lon")),
        sources=_sources(base, aav is not None, _int(row.get("population_year"))),
        **fields,
    )


def answer_from(base: Facts, result: LookupResult) -> RuralAnswer:
    matches = [commune_verdict(base, code) for code in result.codes]
    return RuralAnswer(
        query=result.query,
        status=result.status,
        kind=result.kind,
        message=result.message,
        note=result.note,
        matches=matches,
        suggestions=result.suggestions,
        groups=result.groups,
    )


def answer(
    base: Facts, query: Any, kind: QueryKind = "auto", departement: Any = None, with_suggestions: bool = True
) -> RuralAnswer:
    """Find the commune(s) a query names and give each its verdict (``with_suggestions``: close matches of a
    name found nowhere, as :func:`lookup`)."""
    facts = _extract(base)
    return answer_from(
        facts,
        lookup(facts.index, query, kind=kind, departement=departement, with_suggestions=with_suggestions),
    )


# --- flat table for batch exports ---------------------------------------------------------------------

VERDICT_COLUMNS = (
    "commune_code",
    "commune_nom",
    "commune_departement",
    "rural",
    "niveau_densite",
    "libelle_densite",
    "grille_densite",
    "niveau_derive",
    "note_densite",
    "population",
    "annee_population",
    "aav2020",
    "categorie_aav2020",
    "frr",
    "petites_villes_de_demain",
    "villages_d_avenir",
    "action_coeur_de_ville",
    "typologie_ruralites",
)


def verdict_table(base: Base) -> pd.DataFrame:
    """The verdict of every commune as flat French-named columns, indexed by code (cached on the base)."""
    return _memo(base, "table", lambda: _make_verdict_table(base))


def _make_verdict_table(base: Base) -> pd.DataFrame:
    import pandas as pd

    c = base.communes
    n = len(c)
    grid = grid_info(base)

    def col(name: str, default: Any = "") -> pd.Series:
        return c[name] if name in c else pd.Series([default] * n, index=c.index)

    out = pd.DataFrame(index=c.index)
    out["commune_code"] = c["code"].astype(str)
    out["commune_nom"] = c["name"].astype(str)
    out["commune_departement"] = col("departement").astype(str)
    if grid:
        level = pd.to_numeric(c["density_level"], errors="coerce")
        out["rural"] = pd.Series("inconnu", index=c.index).mask(level.isin(list(RURAL_LEVELS)), "oui")
        out.loc[level.notna() & ~level.isin(list(RURAL_LEVELS)), "rural"] = "non"
        out["niveau_densite"] = level.astype("Int64")
        out["libelle_densite"] = level.map(DENSITY_LABELS).fillna("")
        out["grille_densite"] = grid["vintage"]
        derived = col("density_derived", False).fillna(False).astype(bool)
        out["niveau_derive"] = derived.map({True: "oui", False: "non"})
        out["note_densite"] = col("density_note").fillna("").astype(str)
    else:
        out["rural"] = "inconnu"
        out["niveau_densite"] = pd.array([pd.NA] * n, dtype="Int64")
        out["libelle_densite"] = ""
        out["grille_densite"] = ""
        out["niveau_derive"] = ""
        out["note_densite"] = GRID_MISSING
    out["population"] = pd.to_numeric(col("population", pd.NA), errors="coerce").astype("Int64")
    out["annee_population"] = pd.to_numeric(col("population_year", pd.NA), errors="coerce").astype("Int64")
    aav_name = col("aav2020_name").fillna("").astype(str)
    aav_code = col("aav2020").fillna("").astype(str)
    out["aav2020"] = (aav_code + " " + aav_name).str.strip() if "aav2020" in c else "non chargé"
    if "cateaav2020" in c:
        cat = col("cateaav2020").fillna("").astype(str).str.split(".").str[0]
        out["categorie_aav2020"] = cat.map(CATEAAV_LABELS).fillna(cat)
    else:
        out["categorie_aav2020"] = "non chargé"
    out["frr"] = col("frr").fillna("").astype(str).replace("", "Non classée") if "frr" in c else "non chargé"

    def flag(name: str) -> pd.Series | str:
        if name not in c:
            return "non chargé"
        return c[name].fillna(False).astype(bool).map({True: "oui", False: "non"})

    out["petites_villes_de_demain"] = flag("pvd")
    out["villages_d_avenir"] = flag("va")
    out["action_coeur_de_ville"] = flag("acv")
    out["typologie_ruralites"] = (
        col("ruralite_type").fillna("").astype(str) if "ruralite_type" in c else "non chargé"
    )
    return out.set_index(out["commune_code"].to_numpy())
