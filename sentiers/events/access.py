"""Who may open the Rencontres page: staff, as the deployment says (Streamlit secrets), nobody otherwise.

The deployment writes, in ``.streamlit/secrets.toml`` (or its platform's secrets):

    [rencontres]
    password_sha256 = "…"          # sha256 hex of the staff password (or ``password = "…"`` in clear)
    allowed_emails = ["a@kiif.fr", "@kiif.fr"]   # with an identity provider: who may enter (a domain with "@")

and, for an identity provider, Streamlit's own ``[auth]`` section (OpenID Connect; the page then offers
« Se connecter »). With neither a password nor an identity provider, the page is refused. This module only
judges (no Streamlit here): the page reads the secrets and the logged-in user and asks.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Mode = Literal["password", "identity", "refused"]
REFUSED_TEXT = (
    "Page réservée à l'équipe du programme : l'accès n'est pas configuré sur ce déploiement (ni mot de passe, ni "
    "fournisseur d'identité). La personne qui administre Sentiers peut l'ouvrir dans les secrets du déploiement "
    "(section « rencontres »)."
)


@dataclass(frozen=True)
class AccessConfig:
    password_sha256: str = ""
    allowed_emails: tuple[str, ...] = ()
    identity_provider: bool = False

    @property
    def mode(self) -> Mode:
        if self.identity_provider and self.allowed_emails:
            return "identity"
        if self.password_sha256:
            return "password"
        return "refused"


def _get(mapping: Any, key: str) -> Any:
    try:
        return mapping.get(key) if hasattr(mapping, "get") else None
    except Exception:  # Streamlit's secrets raise on a missing file
        return None


def config_from_secrets(secrets: Mapping[str, Any] | Any) -> AccessConfig:
    """The access rules in the deployment's secrets (a missing or malformed section: refused)."""
    section = _get(secrets, "rencontres") or {}
    digest = str(_get(section, "password_sha256") or "").strip().lower()
    clear = _get(section, "password")
    if not digest and isinstance(clear, str) and clear:
        digest = hashlib.sha256(clear.encode("utf-8")).hexdigest()
    if digest and (len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest)):
        digest = ""  # a malformed hash opens nothing
    emails = _get(section, "allowed_emails") or ()
    if isinstance(emails, str):
        emails = [emails]
    allowed = tuple(str(e).strip().lower() for e in emails if str(e).strip())
    auth = _get(secrets, "auth")
    return AccessConfig(password_sha256=digest, allowed_emails=allowed, identity_provider=bool(auth))


def password_ok(config: AccessConfig, typed: str) -> bool:
    """Constant-time comparison of the typed password's hash with the configured one."""
    if not config.password_sha256 or not typed:
        return False
    digest = hashlib.sha256(str(typed).encode("utf-8")).hexdigest()
    return hmac.compare_digest(digest, config.password_sha256)


def identity_ok(config: AccessConfig, email: str | None) -> bool:
    """A logged-in user whose e-mail (or its domain, written « @kiif.fr ») is allowed."""
    if not email or not config.allowed_emails:
        return False
    email = str(email).strip().lower()
    domain = "@" + email.rpartition("@")[2]
    return any(
        email == allowed or (allowed.startswith("@") and domain == allowed)
        for allowed in config.allowed_emails
    )


def hash_password(password: str) -> str:
    """What a deployment writes in ``password_sha256``."""
    return hashlib.sha256(password.encode("utf-8")).hexdigest()
