"""The ``sentiers`` console script.

Each sub-command's arguments are declared here; its work lives in the package that owns it
(``module:function`` taking the parsed arguments and returning an exit code), imported only when the
command runs so that ``sentiers data status`` stays fast. Anything a user can cause ends as one line on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from sentiers.cli.support import EXIT_USAGE, error_line


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one French line on stderr, exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(error_line(f"erreur d'usage : {message}"))
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sentiers", description="Sentiers : territoires ruraux, rural ou pas, où essaimer.")
    parser.add_argument("-v", "--verbose", action="store_true", help="journal détaillé sur stderr")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    data = sub.add_parser("data", help="la base territoriale : mise à jour et état")
    data_sub = data.add_subparsers(dest="data_command", required=True, parser_class=_Parser)
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

    map_ = sub.add_parser("map", help="écrit une carte HTML autonome")
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    from sentiers.errors import SentiersError

    try:
        return int(_resolve(args.handler)(args) or 0)
    except SentiersError as exc:
        sys.stderr.write(error_line(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("sentiers : interrompu\n")
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
