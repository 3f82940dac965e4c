"""Share links: a whole profile as a compact URL-safe token (zlib-compressed JSON, base64url without padding).

The texts a défi's preset restores (criteria reasons, summary) are left out of the token and restored when it
is read, so that a scenario link stays short enough for a URL.
"""

from __future__ import annotations

import json
from typing import Any

from sentiers.errors import SentiersError
from sentiers.matching.presets import preset, preset_criteria
from sentiers.matching.profile import DEFIS, StructureProfile, validate_profile
from sentiers.safe_yaml import json_depth

MAX_TOKEN_CHARS = 20_000
MAX_JSON_BYTES = 65_536
MAX_JSON_DEPTH = 16  # a profile nests four levels deep (profile > constraints/criteria > list > item)
__all__ = ["json_depth", "profile_from_token", "profile_to_token"]
UNREADABLE = "Lien de partage illisible"


def profile_to_token(profile: StructureProfile) -> str:
    """A compact URL-safe token of the whole profile (zlib-compressed JSON, base64url without padding)."""
    import base64
    import zlib

    raw = json.dumps(_compact(profile), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


def _preset_texts(defi: str) -> tuple[dict[str, str], str]:
    chosen = preset(defi)
    known = {c.indicator: c.reason for c in preset_criteria(defi, list(chosen.publics), "antenne")}
    known |= {c.indicator: c.reason for c in preset_criteria(defi, [], "dissemination")}
    for crit in chosen.criteria:
        known.setdefault(crit.indicator, crit.reason)
    return known, chosen.summary


def _compact(profile: StructureProfile) -> dict[str, Any]:
    """The profile without defaults, and without texts the défi's preset restores (reasons, summary)."""
    data = profile.model_dump(mode="json", exclude_defaults=True)
    data["name"], data["defi"] = profile.name, profile.defi
    known, summary = _preset_texts(profile.defi)
    for crit in data.get("criteria") or []:
        if crit.get("reason") and crit["reason"] == known.get(crit["indicator"]):
            crit.pop("reason")
        elif not crit.get("reason") and known.get(crit["indicator"]):
            crit["reason"] = ""  # keep an explicitly empty reason empty
    if data.get("description") == summary:
        data.pop("description")
        data["_summary"] = 1
    return data


def _expand(data: dict[str, Any]) -> dict[str, Any]:
    """Restore what :func:`_compact` left out (reasons and summary of the défi's preset)."""
    if not isinstance(data.get("defi"), str) or data["defi"] not in DEFIS:
        return data
    known, summary = _preset_texts(data["defi"])
    criteria = data.get("criteria")
    for crit in criteria if isinstance(criteria, list) else []:
        if isinstance(crit, dict) and "reason" not in crit and isinstance(crit.get("indicator"), str):
            crit["reason"] = known.get(crit["indicator"], "")
    if data.pop("_summary", None):
        data["description"] = summary
    return data


def profile_from_token(token: str) -> StructureProfile:
    """The profile of a share token; SentiersError in French when it is damaged or invalid."""
    import base64
    import binascii
    import zlib

    text = str(token).strip()
    if not text or len(text) > MAX_TOKEN_CHARS:
        raise SentiersError(f"{UNREADABLE} : le paramètre « p » est vide ou trop long.")
    damaged = f"{UNREADABLE} : le paramètre « p » est abîmé (copiez le lien en entier)."
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), MAX_JSON_BYTES)
        if inflater.unconsumed_tail:  # more than a profile can hold: refused before it unfolds
            raise SentiersError(f"{UNREADABLE} : le profil qu'il contient est trop grand.")
        if not inflater.eof:  # a cut link: the compressed stream ends early
            raise SentiersError(damaged)
        decoded = raw.decode("utf-8")
        if json_depth(decoded) > MAX_JSON_DEPTH:
            raise SentiersError(f"{UNREADABLE} : le profil qu'il contient est imbriqué trop profondément.")
        data = json.loads(decoded)
    except (binascii.Error, zlib.error, ValueError, UnicodeDecodeError, RecursionError):
        raise SentiersError(damaged) from None
    if not isinstance(data, dict):
        raise SentiersError(f"{UNREADABLE} : il ne contient pas un profil.")
    try:
        return validate_profile(_expand(data))
    except RecursionError:
        raise SentiersError(damaged) from None
    except SentiersError as exc:  # the profile's own words, under the name of what the person followed
        raise SentiersError(f"{UNREADABLE} : {exc}") from None
    except (TypeError, ValueError, AttributeError):  # any shape a validator did not foresee
        raise SentiersError(damaged) from None
