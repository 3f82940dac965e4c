"""Errors a user can cause or meet: each carries a French message fit to show as is."""

from __future__ import annotations


class SentiersError(Exception):
    """Base class: ``str(err)`` is a one-line French message for the user."""


class SourceError(SentiersError):
    """A source file could not be fetched or does not hold what its registry entry promises."""

    def __init__(self, source_id: str, message: str) -> None:
        self.source_id = source_id
        self.reason = message
        super().__init__(f"Source « {source_id} » : {message}")


class BaseNotFoundError(SentiersError):
    """No built base in SENTIERS_HOME (and building the embedded default was not asked for)."""


# What the system says when a file or folder cannot be read or written, in French (``strerror`` is English).
_OS_REASONS: dict[str, str] = {
    "ENOSPC": "disque plein",
    "EDQUOT": "quota du disque dépassé",
    "EFBIG": "fichier trop grand pour ce disque",
    "EACCES": "accès refusé",
    "EPERM": "opération non permise",
    "EROFS": "disque en lecture seule",
    "ENOTDIR": "un élément du chemin est un fichier, pas un dossier",
    "EISDIR": "c'est un dossier, pas un fichier",
    "ENOENT": "fichier ou dossier introuvable",
    "EEXIST": "un fichier du même nom existe déjà",
    "ENOTEMPTY": "le dossier n'est pas vide",
    "ENAMETOOLONG": "nom de fichier trop long",
    "ELOOP": "trop de liens symboliques",
    "EMFILE": "trop de fichiers ouverts",
    "ENFILE": "trop de fichiers ouverts",
    "EIO": "erreur de lecture ou d'écriture du disque",
    "ENXIO": "périphérique absent",
    "ENODEV": "périphérique absent",
    "ETXTBSY": "fichier occupé",
    "EBUSY": "fichier ou dossier occupé",
    "EXDEV": "déplacement entre deux disques impossible",
    "ENOMEM": "mémoire insuffisante",
    "EPIPE": "la sortie a été fermée",
    "ETIMEDOUT": "délai dépassé",
    "ECONNREFUSED": "connexion refusée",
}


def os_reason(exc: OSError) -> str:
    """« disque plein », « accès refusé »…: an OSError's cause in French (its errno name when unknown)."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    return _OS_REASONS.get(name) or (f"erreur système {name}" if name else "erreur système")


def os_error_message(exc: OSError) -> str:
    """One French sentence for an OSError: what could not be done, on which path, and why."""
    from sentiers.fr import quoted

    reason = os_reason(exc)
    if exc.filename is None:
        return f"Opération impossible : {reason}."
    where = quoted(exc.filename)
    if exc.filename2 is not None:
        where += f" → {quoted(exc.filename2)}"
    return f"Impossible d'accéder à {where} : {reason}."
