"""The one bounded reader of YAML and JSON documents a person hands us (profiles, project files, column mappings).

Bounded before anything is built: the text's size, its nesting (counted on the parser's events for YAML and on
the characters for JSON, before ``json.loads`` recurses), its number of nodes *once aliases are expanded*, and by
default **no YAML anchors or aliases** (``&x`` / ``*x``): a 458-byte « billion laughs » document unfolds into
gigabytes through aliases, and no file of ours needs them, so the first anchor or alias stops the read
(``max_aliases=16`` allows a few, as a profile does, their expansion still counted). Only plain data is built (YAML's safe constructors:
no object tags); a number too long for Python (over 4,300 digits) and JSON's NaN / Infinity are refused.

Every refusal is a :class:`DocumentError` (a ``SentiersError``) whose message names the document (``what``) and
says why in French; ``damaged`` tells a malformed document from a refused one, for callers that word them apart.

    load_yaml(text, "profil.yaml")          # -> dict / list / scalar
    load_json(text, "etude.json")
    load_document(data, "json" | "yaml", what)   # bytes or text, UTF-8 (with or without BOM)
"""

from __future__ import annotations

import json
from typing import Any, Literal

import yaml

from sentiers.errors import SentiersError

MAX_DOCUMENT_BYTES = 512_000
MAX_DEPTH = 16
MAX_NODES = 200_000

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present


class DocumentError(SentiersError):
    """A YAML/JSON document refused (``damaged=False``: aliases, nesting, size) or unreadable (``damaged=True``)."""

    def __init__(self, message: str, damaged: bool = False) -> None:
        super().__init__(message)
        self.damaged = damaged


def _text(data: str | bytes, what: str, max_bytes: int) -> str:
    size = len(data.encode("utf-8", errors="replace")) if isinstance(data, str) else len(data)
    if size > max_bytes:
        raise DocumentError(f"{what} est trop grand ({max_bytes // 1000} Ko au plus).")
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError(f"{what} n'est pas un texte UTF-8.", damaged=True) from None


def check_yaml_events(
    text: str, what: str, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES, max_aliases: int = 0
) -> None:
    """Walk the parser's events (nothing is built) and refuse, before any object exists: nesting deeper than
    ``max_depth``; more than ``max_nodes`` nodes *once aliases are expanded*; with ``max_aliases=0`` (the
    default) any anchor or alias; else more than ``max_aliases`` aliases or an alias inside its own anchor.

    Expanded sizes are counted per anchor as the events go (an alias adds the size of what it names), so a
    « billion laughs » stops at its first levels whatever ``max_aliases`` is.
    """
    stack: list[list[Any]] = []  # per open list/object: [anchor, nodes so far]
    sizes: dict[str, int] = {}
    aliases = total = 0

    def add(count: int) -> None:
        nonlocal total
        if stack:
            stack[-1][1] += count
        else:
            total += count
        if total + sum(item[1] for item in stack) > max_nodes:
            raise DocumentError(f"{what} compte trop de valeurs ({max_nodes} au plus, alias déroulés).")

    try:
        for event in yaml.parse(text, Loader=_Loader):
            anchor = getattr(event, "anchor", None)
            if max_aliases == 0 and (isinstance(event, yaml.AliasEvent) or anchor):
                raise DocumentError(f"{what} utilise des références YAML (& ou *), refusées ici.")
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > max_aliases:
                    raise DocumentError(f"{what} utilise plus de {max_aliases} références YAML (alias *nom).")
                if any(item[0] == anchor for item in stack):
                    raise DocumentError(
                        f"{what} contient une référence YAML (alias) qui se contient elle-même."
                    )
                add(sizes.get(str(anchor), 1))
            elif isinstance(event, yaml.ScalarEvent):
                if anchor is not None:
                    sizes[anchor] = 1
                add(1)
            elif isinstance(event, yaml.CollectionStartEvent):
                if len(stack) >= max_depth:
                    raise DocumentError(f"{what} est trop imbriqué ({max_depth} niveaux au plus).")
                stack.append([anchor, 1])
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, count = stack.pop()
                if anchor is not None:
                    sizes[anchor] = count
                add(count)
    except yaml.YAMLError as exc:
        if "nesting depth" in str(exc):  # libyaml's scanner stops flow nesting before any event reaches us
            raise DocumentError(f"{what} est trop imbriqué ({max_depth} niveaux au plus).") from None
        raise DocumentError(f"{what} n'est pas un YAML valide{_where(exc)}.", damaged=True) from None


def _where(exc: Exception) -> str:
    line = getattr(getattr(exc, "problem_mark", None), "line", None)
    return f" (ligne {line + 1})" if isinstance(line, int) else ""


def load_yaml(
    data: str | bytes,
    what: str = "Le fichier",
    max_bytes: int = MAX_DOCUMENT_BYTES,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
    max_aliases: int = 0,
) -> Any:
    """Plain data from a YAML document, bounded (see the module and :func:`check_yaml_events`); DocumentError in
    French otherwise. ``max_aliases > 0`` lets a document use a few aliases, their expansion counted."""
    text = _text(data, what, max_bytes)
    check_yaml_events(text, what, max_depth, max_nodes, max_aliases)
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise DocumentError(f"{what} n'est pas un YAML valide{_where(exc)}.", damaged=True) from None
    except ValueError as exc:
        if "digits" in str(exc):  # Python's 4,300-digit limit on reading integers
            raise DocumentError(f"{what} contient un nombre de plus de 4 300 chiffres.") from None
        raise DocumentError(f"{what} contient un nombre ou une date illisible.", damaged=True) from None
    except (OverflowError, RecursionError):
        raise DocumentError(f"{what} contient un nombre ou une date illisible.", damaged=True) from None


def json_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings (read before ``json.loads``, which recurses)."""
    depth = peak = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            peak = max(peak, depth)
        elif ch in "]}":
            depth -= 1
    return peak


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def load_json(
    data: str | bytes,
    what: str = "Le fichier",
    max_bytes: int = MAX_DOCUMENT_BYTES,
    max_depth: int = MAX_DEPTH,
) -> Any:
    """Plain data from a JSON document, bounded in size and nesting; NaN and Infinity refused."""
    text = _text(data, what, max_bytes)
    if json_depth(text) > max_depth:
        raise DocumentError(f"{what} est trop imbriqué ({max_depth} niveaux au plus).")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"{what} n'est pas un JSON valide (ligne {exc.lineno}).", damaged=True) from None
    except (ValueError, RecursionError):
        raise DocumentError(
            f"{what} contient un nombre illisible (trop long, NaN ou Infinity).", damaged=True
        ) from None


def load_document(
    data: str | bytes,
    fmt: Literal["yaml", "json"],
    what: str = "Le fichier",
    max_bytes: int = MAX_DOCUMENT_BYTES,
    max_depth: int = MAX_DEPTH,
) -> Any:
    """``load_json`` or ``load_yaml`` by format."""
    if fmt == "json":
        return load_json(data, what, max_bytes, max_depth)
    return load_yaml(data, what, max_bytes, max_depth)
