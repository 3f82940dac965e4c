"""The ``sentiers`` console script.

Each sub-command's arguments are declared here; its work lives in the package that owns it
(``module:function`` taking the parsed arguments and returning an exit code), imported only when the
command runs so that ``sentiers data status`` stays fast.

The one catch-all of every command is :func:`main`, so that a new command cannot forget it. Anything a user
can cause ends as one French line on stderr and exit code 2, never a traceback:

- a :class:`~sentiers.errors.SentiersError` (bad code, bad file, bad profile…);
- an ``OSError`` (disk full, read-only or missing folder, a file where a folder is expected, a folder where a
  file is expected…), its cause said in French (:func:`sentiers.errors.os_reason`);
- data that a parser cannot hold: ``RecursionError`` (nesting too deep), ``MemoryError``, and the
  ``ValueError`` Python raises for an integer of more than 4,300 digits;
- an argument holding bytes that are not UTF-8 (``$'\\xff26113'``), except in file names;
- argparse's own errors, in French (:class:`_Parser`).

Any other exception is a bug in Sentiers: it keeps its traceback and exit code 1, so it is seen and fixed
rather than hidden behind a message. ``-v`` also logs the traceback of the errors above.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import errno
import importlib
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from sentiers.cli.support import EXIT_USAGE, error_line
from sentiers.fr import quoted

log = logging.getLogger(__name__)

# argparse's English messages (Python 3.11-3.13) and their French wording; values typed by the user are
# echoed through fr.quoted (escaped, cut)


def _values(text: str) -> list[str]:
    """\'a\', \'b\' (argparse's repr of choices or of a value) back to the strings."""
    try:
        parsed = ast.literal_eval(f"[{text}]")
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return [text]
    return [str(v) for v in parsed]


def _value(text: str) -> str:
    values = _values(text)
    return quoted(values[0] if len(values) == 1 else text)


_TYPES = {"int": "un nombre entier est attendu", "float": "un nombre est attendu"}
_USAGE: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"invalid choice: (?P<v>.*) \(choose from (?P<c>.*)\)", re.S),
        lambda m: f"choix non reconnu {_value(m['v'])} (choix possibles : {', '.join(_values(m['c']))})",
    ),
    (
        re.compile(r"invalid (?P<t>\w+) value: (?P<v>.*)", re.S),
        lambda m: f"valeur illisible {_value(m['v'])} : {_TYPES.get(m['t'], 'valeur attendue')}",
    ),
    (re.compile(r"expected one argument"), lambda m: "une valeur est attendue"),
    (re.compile(r"expected at most one argument"), lambda m: "une valeur au plus est attendue"),
    (re.compile(r"expected at least one argument"), lambda m: "au moins une valeur est attendue"),
    (re.compile(r"expected (?P<n>\d+) arguments?"), lambda m: f"{m['n']} valeur(s) attendue(s)"),
    (
        re.compile(r"not allowed with argument (?P<a>.*)", re.S),
        lambda m: f"ne s'emploie pas avec {quoted(m['a'])}",
    ),
    (
        re.compile(r"ignored explicit argument (?P<v>.*)", re.S),
        lambda m: f"n'accepte pas de valeur (reçu : {_value(m['v'])})",
    ),
    (
        re.compile(r"the following arguments are required: (?P<a>.*)", re.S),
        lambda m: f"argument(s) obligatoire(s) manquant(s) : {quoted(m['a'])}",
    ),
    (
        re.compile(r"unrecognized arguments: (?P<a>.*)", re.S),
        lambda m: f"argument(s) non reconnu(s) : {quoted(m['a'])}",
    ),
    (
        re.compile(r"one of the arguments (?P<a>.*) is required", re.S),
        lambda m: f"l'un des arguments {quoted(m['a'])} est obligatoire",
    ),
    (
        re.compile(r"ambiguous option: (?P<o>.*?) could match (?P<a>.*)", re.S),
        lambda m: f"option ambiguë {quoted(m['o'])} (peut désigner : {quoted(m['a'])})",
    ),
    (
        re.compile(r"unexpected option string: (?P<o>.*)", re.S),
        lambda m: f"option inattendue {quoted(m['o'])}",
    ),
]
_ARGUMENT = re.compile(r"argument (?P<a>[^:]*?): (?P<rest>.*)", re.S)


def french_usage(message: str) -> str:
    """argparse's English error message in French (the argument named, the user's value escaped and cut)."""
    prefix = ""
    match = _ARGUMENT.fullmatch(message)
    if match:
        prefix, message = f"argument {quoted(match['a'], 40)} : ", match["rest"]
    for pattern, french in _USAGE:
        found = pattern.fullmatch(message)
        if found:
            return prefix + french(found)
    return prefix + "arguments invalides"


class _Parser(argparse.ArgumentParser):
    """argparse in French: usage errors as one French line on stderr, exit code 2; help in French
    (« usage: » stays, as Python writes it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        add_help = kwargs.pop("add_help", True)
        kwargs["add_help"] = False  # a French -h instead of argparse's English one
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="affiche cette aide")

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(error_line(f"erreur d'usage : {french_usage(message)} (aide : {self.prog} -h)"))
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sentiers", description="Sentiers : territoires ruraux, rural ou pas, où essaimer.")
    parser.add_argument("-v", "--verbose", action="store_true", help="journal détaillé sur stderr")
    sub = parser.add_subparsers(
        title="commandes", dest="command", metavar="COMMANDE", required=True, parser_class=_Parser
    )

    data = sub.add_parser("data", help="la base territoriale : mise à jour et état")
    data_sub = data.add_subparsers(
        title="commandes", dest="data_command", metavar="COMMANDE", required=True, parser_class=_Parser
    )
    update = data_sub.add_parser(
        "update", help="télécharge les sources officielles (ou les lit dans un miroir) et reconstruit la base"
    )
    update.add_argument(
        "--mirror",
        metavar="DIR",
        help="dossier miroir des fichiers officiels (sinon SENTIERS_MIRROR, sinon téléchargement)",
    )
    update.add_argument("--only", nargs="+", metavar="SOURCE_ID", help="ne mettre à jour que ces sources")
    update.add_argument(
        "--offline",
        action="store_true",
        help="ne rien télécharger : miroir et fichiers déjà téléchargés seulement",
    )
    update.add_argument(
        "--allow-drop",
        nargs="+",
        default=[],
        metavar="SOURCE_ID",
        help="accepter que ces sources aient nettement moins de lignes que leur version précédente "
        "(nouvelle édition)",
    )
    update.set_defaults(handler="sentiers.cli.data:run_update")
    status = data_sub.add_parser("status", help="ce que contient la base : couches, millésimes, lignes")
    status.add_argument("--json", action="store_true", help="sortie JSON")
    status.set_defaults(handler="sentiers.cli.data:run_status")
    sources = data_sub.add_parser("sources", help="le registre des sources officielles")
    sources.add_argument("--json", action="store_true")
    sources.set_defaults(handler="sentiers.cli.data:run_sources")

    rural = sub.add_parser("rural", help="est-ce rural ? une commune, plusieurs, ou un fichier")
    rural.add_argument(
        "queries", nargs="*", metavar="QUERY", help="code Insee, ancien code, code postal ou nom"
    )
    rural.add_argument("--json", action="store_true", help="sortie JSON (une liste, un objet par requête)")
    rural.add_argument("--batch", metavar="FILE", help="fichier CSV ou XLSX à vérifier")
    rural.add_argument("--column", nargs="+", metavar="NAME", help="colonne(s) à lire dans le fichier")
    rural.add_argument("-o", "--output", metavar="OUT", help="fichier de sortie (.csv ou .xlsx)")
    rural.set_defaults(handler="sentiers.cli.rural:run")

    map_ = sub.add_parser("map", help="écrit une carte HTML autonome (Leaflet inclus, dessinée sans réseau)")
    scope = map_.add_mutually_exclusive_group()
    scope.add_argument("--departement", metavar="CODE")
    scope.add_argument("--region", metavar="CODE")
    map_.add_argument(
        "--layer",
        nargs="+",
        choices=["coverage", "rural", "frr", "programmes", "services"],
        default=None,
        help="couches à dessiner",
    )
    map_.add_argument(
        "--tuiles",
        choices=["aucune", "osm"],
        default="aucune",
        help="fond de carte : aucune (par défaut : la carte se dessine sans réseau) ou osm "
        "(tuiles OpenStreetMap, chargées depuis Internet à l'ouverture)",
    )
    map_.add_argument("-o", "--output", metavar="FILE.html", required=True)
    map_.set_defaults(handler="sentiers.cli.maps:run")

    score = sub.add_parser("score", help="classe les territoires candidats selon un profil")
    score.add_argument("profile", nargs="?", metavar="PROFILE.yaml")
    score.add_argument("--preset", metavar="SLUG", help="profil type d'un des six défis")
    score.add_argument("--level", choices=["commune", "epci"])
    score.add_argument("--top", type=int, default=20, metavar="N")
    score.add_argument("--json", action="store_true")
    score.add_argument("-o", "--output", metavar="FILE.csv|FILE.xlsx")
    score.add_argument(
        "--semblable",
        nargs="*",
        metavar="CODE",
        help="classer par ressemblance à ces communes (où la solution fonctionne déjà) ; "
        "sans code : celles du profil",
    )
    score.add_argument(
        "--indicateurs",
        nargs="+",
        metavar="ID[:POIDS]",
        help="avec --semblable : les indicateurs comparés (par défaut ceux du défi)",
    )
    score.set_defaults(handler="sentiers.cli.score:run")

    dossier = sub.add_parser(
        "dossier", help="étude de faisabilité d'un profil : dossier HTML ou PDF, ou fichier de projet (.zip)"
    )
    dossier.add_argument(
        "profile", metavar="PROFILE.yaml", help="profil (.yaml, .yml, .json) ou fichier de projet (.zip)"
    )
    dossier.add_argument("--top", type=int, metavar="N", help="territoires détaillés (1 à 10, 5 par défaut)")
    dossier.add_argument(
        "--hors-ligne",
        action="store_true",
        help="acteurs du territoire lus dans le cache seulement (sans réseau)",
    )
    dossier.add_argument("-o", "--output", metavar="FILE.html|FILE.pdf|FILE.zip", required=True)
    dossier.set_defaults(handler="sentiers.cli.dossier:run")

    brief = sub.add_parser("brief", help="fiche territoire (HTML ou PDF)")
    brief.add_argument("code", metavar="CODE")
    brief.add_argument("--level", choices=["commune", "epci"], default="commune")
    brief_profile = brief.add_mutually_exclusive_group()
    brief_profile.add_argument("--profile", metavar="FILE")
    brief_profile.add_argument("--preset", metavar="SLUG")
    brief.add_argument("-o", "--output", metavar="FILE.html|FILE.pdf", required=True)
    brief.set_defaults(handler="sentiers.cli.brief:run_brief")

    compare = sub.add_parser("compare", help="comparer 2 à 5 territoires côte à côte")
    compare.add_argument("codes", nargs="+", metavar="CODE")
    compare.add_argument("--level", choices=["commune", "epci"], default="commune")
    compare_profile = compare.add_mutually_exclusive_group()
    compare_profile.add_argument("--profile", metavar="FILE")
    compare_profile.add_argument("--preset", metavar="SLUG")
    compare.add_argument("-o", "--output", metavar="FILE.html|FILE.pdf|FILE.xlsx", required=True)
    compare.set_defaults(handler="sentiers.cli.brief:run_compare")

    from sentiers.actors.families import FAMILY_SLUGS
    from sentiers.base.defis import DEFIS

    actors = sub.add_parser(
        "acteurs",
        help="acteurs de l'ESS et structures d'insertion d'un territoire (API Recherche d'entreprises)",
    )
    actors.add_argument("code", metavar="CODE", help="commune (code, nom) ou SIREN d'un EPCI")
    actors.add_argument(
        "--level", choices=["commune", "epci"], help="niveau (par défaut : EPCI pour un SIREN)"
    )
    actors.add_argument("--rayon", metavar="KM", help="ajoute les communes dans ce rayon (0 à 50 km)")
    actors.add_argument(
        "--famille", nargs="+", choices=list(FAMILY_SLUGS), metavar="FAMILLE", help=", ".join(FAMILY_SLUGS)
    )
    actors.add_argument(
        "--activite", metavar="NAF", help="activité de votre structure : code NAF ou activité type"
    )
    actors.add_argument("--defi", choices=list(DEFIS), metavar="DEFI", help="défi de votre structure")
    refresh = actors.add_mutually_exclusive_group()
    refresh.add_argument(
        "--actualiser", action="store_true", help="interroger l'API même si une liste récente est enregistrée"
    )
    refresh.add_argument("--hors-ligne", action="store_true", help="n'utiliser que la liste enregistrée")
    actors_out = actors.add_mutually_exclusive_group()
    actors_out.add_argument("--json", action="store_true", help="sortie JSON")
    actors_out.add_argument("-o", "--output", metavar="FILE.csv|FILE.xlsx")
    actors.set_defaults(handler="sentiers.cli.acteurs:run")
    serve = sub.add_parser(
        "serve",
        help="l'application pour un atelier : un processus Streamlit par cœur derrière une seule adresse",
    )
    serve.add_argument("--port", type=int, default=8501, help="port d'écoute (8501 par défaut)")
    serve.add_argument(
        "--adresse", dest="address", default="127.0.0.1", help="adresse d'écoute (0.0.0.0 : tout le réseau)"
    )
    serve.add_argument(
        "--processus",
        type=int,
        default=None,
        metavar="N",
        help="processus Streamlit (un par cœur par défaut)",
    )
    serve.add_argument(
        "streamlit_args",
        nargs=argparse.REMAINDER,
        metavar="-- OPTIONS",
        help="options passées à streamlit run",
    )
    serve.set_defaults(handler="sentiers.cli.serve:run")
    meet = sub.add_parser(
        "rencontres", help="rencontres d'un événement : scores des couples et planning optimal des créneaux"
    )
    meet.add_argument(
        "territoires", metavar="TERRITOIRES.csv|xlsx", help="inscriptions des territoires (besoins)"
    )
    meet.add_argument(
        "structures", metavar="STRUCTURES.csv|xlsx", help="inscriptions des structures (solutions)"
    )
    meet.add_argument("--creneaux", type=int, required=True, metavar="N", help="nombre de créneaux")
    meet.add_argument(
        "--max-rencontres", type=int, required=True, metavar="K", help="rencontres par participant, au plus"
    )
    meet.add_argument("--colonnes", metavar="FILE", help="correspondance des colonnes (YAML ou JSON)")
    meet_out = meet.add_mutually_exclusive_group()
    meet_out.add_argument("--json", action="store_true", help="sortie JSON")
    meet_out.add_argument("-o", "--output", metavar="planning.xlsx", help="le planning complet en XLSX")
    meet.set_defaults(handler="sentiers.cli.rencontres:run")
    return parser


def _resolve(handler: str):
    module, _, name = handler.partition(":")
    return getattr(importlib.import_module(module), name)


# arguments that name files: a file name may hold bytes that are not UTF-8 (Python keeps them, and opens it)
FILE_ARGUMENTS = frozenset({"profile", "batch", "output", "territoires", "structures", "colonnes", "mirror"})


def check_text_arguments(args: argparse.Namespace) -> None:
    """Refuse an argument holding bytes that are not UTF-8 (outside file names): a code, a name, a slug."""
    from sentiers.errors import SentiersError

    for name, value in vars(args).items():
        if name in FILE_ARGUMENTS:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and any("\udc80" <= ch <= "\udcff" for ch in item):
                positional = name in ("code", "codes", "queries", "command", "data_command")
                option = name.upper() if positional else "--" + name.replace("_", "-")
                raise SentiersError(
                    f"Argument {quoted(item, 40)} illisible ({option}) : il contient un octet qui n'est pas "
                    "du texte UTF-8 ; retapez-le."
                )


# a write with no file name failing so is the output (stdout) that could not be written
OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def _never_fail_stdout() -> None:
    """stdout that cannot fail again: what the command had left to write goes nowhere (closed pipe, disk full)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real descriptor (tests capture stdout)
        pass


def _safe_encoding() -> None:
    """Under a strict locale, a character that stdout cannot encode is escaped rather than raised."""
    stream = sys.stdout
    if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
        with contextlib.suppress(ValueError, AttributeError, OSError):
            stream.reconfigure(errors="backslashreplace")


DIGITS_LIMIT = "Exceeds the limit"  # Python's ValueError for int("9" * 5000) (sys.set_int_max_str_digits)


def user_error_message(exc: BaseException) -> str | None:
    """The French line for an exception a user can cause, or None for a bug (shown with its traceback)."""
    from sentiers.errors import SentiersError, os_error_message

    if isinstance(exc, SentiersError):
        return str(exc)
    if isinstance(exc, OSError):
        return os_error_message(exc)
    if isinstance(exc, RecursionError):
        return "Données refusées : imbriquées trop profondément (un fichier ou un paramètre trop profond)."
    if isinstance(exc, MemoryError):
        return "Données refusées : elles demandent plus de mémoire que la machine n'en a."
    if isinstance(exc, ValueError) and str(exc).startswith(DIGITS_LIMIT):
        return "Données refusées : un nombre de plus de 4 300 chiffres."
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    _safe_encoding()
    try:
        check_text_arguments(args)
        code = int(_resolve(args.handler)(args) or 0)
        sys.stdout.flush()  # a full disk or a closed pipe under stdout is said here, not at exit
        return code
    except KeyboardInterrupt:
        sys.stderr.write("sentiers : interrompu\n")
        return 130
    except BrokenPipeError:  # the reader left (| head): not an error
        _never_fail_stdout()
        return 0
    except Exception as exc:  # sorted below: a user's error says so, a bug keeps its traceback
        from sentiers.errors import os_reason

        message = user_error_message(exc)
        if message is None:
            raise
        if (
            isinstance(exc, OSError) and exc.filename is None and exc.errno in OUTPUT_ERRNOS
        ):  # > file on a full disk
            _never_fail_stdout()
            message = f"La sortie n'a pas pu être écrite : {os_reason(exc)}."
        log.info("erreur", exc_info=True)
        sys.stderr.write(error_line(message))
        return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
