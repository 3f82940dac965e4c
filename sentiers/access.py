"""Who may do what the public may not: the deployment decides (secrets, environment), nobody otherwise.

Two gated actions share these rules: the Rencontres staff page (section ``rencontres``) and updating the shared
base from the home page (section ``admin``). The deployment writes, in ``.streamlit/secrets.toml`` (or its
platform's secrets)::

    [rencontres]                   # or [admin]
    password_sha256 = "…"          # sha256 hex of the password (or ``password = "…"`` in clear)
    allowed_emails = ["a@kiif.fr", "@kiif.fr"]   # with an identity provider: who may enter (a domain with "@")

and, for an identity provider, Streamlit's own ``[auth]`` section (OpenID Connect; the page then offers
« Se connecter »). The administrator's password may instead come from the environment variable
``SENTIERS_ADMIN_TOKEN`` (read by :func:`sentiers.settings.admin_token`). With neither a password nor an identity
provider, the action is refused. This module only judges (no Streamlit here): a page reads the secrets and the
logged-in user and asks. Passwords are compared as sha256 digests with :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sentiers import settings

Mode = Literal["password", "identity", "refused"]
RENCONTRES = "rencontres"
ADMIN = "admin"
REFUSED_TEXT = (
    "Page réservée à l'équipe du programme : l'accès n'est pas configuré sur ce déploiement (ni mot de passe, ni "
    "fournisseur d'identité). La personne qui administre Sentiers peut l'ouvrir dans les secrets du déploiement "
    "(section « rencontres »)."
)
ADMIN_REFUSED_TEXT = (
    "La mise à jour de la base commune est réservée à la personne qui administre ce déploiement de Sentiers : "
    "elle n'est pas ouverte ici. Pour l'ouvrir, l'administrateur configure un mot de passe (section « admin » "
    "des secrets du déploiement, ou la variable d'environnement SENTIERS_ADMIN_TOKEN), ou lance "
    "`sentiers data update` sur le serveur."
)


@dataclass(frozen=True)
class AccessConfig:
    password_sha256: str = ""
    allowed_emails: tuple[str, ...] = ()
    identity_provider: bool = False
    extra_sha256: tuple[str, ...] = ()  # further accepted passwords (the administrator's token)

    @property
    def digests(self) -> tuple[str, ...]:
        return tuple(d for d in (self.password_sha256, *self.extra_sha256) if d)

    @property
    def mode(self) -> Mode:
        if self.identity_provider and self.allowed_emails:
            return "identity"
        if self.digests:
            return "password"
        return "refused"


def _get(mapping: Any, key: str) -> Any:
    try:
        return mapping.get(key) if hasattr(mapping, "get") else None
    except Exception:  # Streamlit's secrets raise on a missing file
        return None


def _valid_digest(digest: str) -> str:
    """A 64-character sha256 hex digest, or "" (a malformed hash opens nothing)."""
    digest = digest.strip().lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        return ""
    return digest


def config_from_secrets(secrets: Mapping[str, Any] | Any, section: str = RENCONTRES) -> AccessConfig:
    """The access rules of ``section`` in the deployment's secrets (a missing or malformed section: refused)."""
    part = _get(secrets, section) or {}
    digest = _valid_digest(str(_get(part, "password_sha256") or ""))
    clear = _get(part, "password")
    if not digest and isinstance(clear, str) and clear:
        digest = hash_password(clear)
    emails = _get(part, "allowed_emails") or ()
    if isinstance(emails, str):
        emails = [emails]
    allowed = tuple(str(e).strip().lower() for e in emails if str(e).strip())
    auth = _get(secrets, "auth")
    return AccessConfig(password_sha256=digest, allowed_emails=allowed, identity_provider=bool(auth))


def admin_config(secrets: Mapping[str, Any] | Any) -> AccessConfig:
    """Who may update the shared base: the ``[admin]`` section of the secrets, or SENTIERS_ADMIN_TOKEN."""
    config = config_from_secrets(secrets, ADMIN)
    token = settings.admin_token()
    if token:
        config = AccessConfig(
            password_sha256=config.password_sha256,
            allowed_emails=config.allowed_emails,
            identity_provider=config.identity_provider,
            extra_sha256=(hash_password(token),),
        )
    return config


def password_ok(config: AccessConfig, typed: str) -> bool:
    """Constant-time comparison of the typed password's hash with each configured one."""
    if not config.digests or not typed:
        return False
    digest = hashlib.sha256(str(typed).encode("utf-8")).hexdigest()
    matches = [hmac.compare_digest(digest, expected) for expected in config.digests]
    return any(matches)


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
