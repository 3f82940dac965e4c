"""``sentiers rural``: the verdict of one or many communes, or of a whole file.

Queries are answered from the base's lookup extract (:mod:`sentiers.base.extract`, one JSON file written with
the base), so that ``sentiers rural Die --json`` imports neither pandas, pyarrow nor geopandas and answers in a
fraction of a second. A base written before extracts existed, and ``--batch``, read the base without its
geometries (only the columns a verdict needs).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from sentiers.cli.support import (
    EXIT_OK,
    EXIT_USAGE,
    error_line,
    json_text,
    open_base_for_cli,
    output_path,
    progress_bar,
    write_output,
)
from sentiers.errors import SentiersError
from sentiers.fr import plural, quoted

log = logging.getLogger(__name__)


def read_verdict_base():
    """The base without geometries, only the columns a verdict reads (the batch, and a base without extract)."""
    from sentiers.rural.verdict import BASE_COLUMNS

    return open_base_for_cli(columns=BASE_COLUMNS, geometry=False)


def read_verdict_facts():
    """What answering queries reads: the base's lookup extract, else the projected base."""
    from sentiers.base.extract import read_extract

    return read_extract() or read_verdict_base()


def _text(answer: Any) -> str:
    """A human-readable block for one answer (French)."""
    lines = [f"{quoted(answer.query)} : "]
    if answer.status == "invalid":
        lines[0] += f"requête invalide. {answer.message}"
        return lines[0]
    if answer.status == "not_found":
        lines[0] += f"introuvable. {answer.message}"
        if answer.suggestions:
            shown = ", ".join(f"{s.name} ({s.departement}, {s.code})" for s in answer.suggestions[:6])
            lines.append(f"  Vouliez-vous dire : {shown} ?")
        return "\n".join(lines)
    if answer.status == "ambiguous":
        lines[0] += f"{len(answer.matches)} communes. {answer.message}".rstrip()
    else:
        lines[0] = lines[0].rstrip(" :")
    if answer.note:
        lines.append(f"  {answer.note}")
    group = ""
    for m in answer.matches:
        if answer.groups and answer.group_of(m.code) != group:
            group = answer.group_of(m.code)
            lines.append(f"  — {group} :")
        verdict = {"rural": "RURALE", "urbain": "URBAINE", "inconnu": "VERDICT INCONNU"}[m.verdict]
        pop = f"{m.population:,}".replace(",", "\u202f") if m.population is not None else "?"
        lines.append(
            f"  {m.name} ({m.departement}, code {m.code}, {pop} hab. en {m.population_year}) : {verdict}"
        )
        lines.append(f"    {m.reason}")
        if m.grid_vintage:
            lines.append(f"    Source : {m.grid_source}")
        zon = [f"{z.label} : {z.value}" for z in m.zonings.values() if z.loaded and z.concerned]
        if zon:
            lines.append("    Zonages : " + " ; ".join(zon))
    return "\n".join(lines)


def _run_batch(args: argparse.Namespace, base_loader: Any) -> int:
    from sentiers.rural.batch import check_frame, export, guess_columns, read_upload

    source = Path(args.batch)
    if not args.output:
        raise SentiersError("Indiquez le fichier de sortie avec -o SORTIE.csv ou -o SORTIE.xlsx.")
    out = output_path(args.output, (".csv", ".xlsx"))
    fmt = out.suffix.lower().lstrip(".")
    from sentiers.upload import read_path

    data = read_path(source)  # a regular file only, at most its limit read (never /dev/zero or a FIFO whole)
    frame = read_upload(data, source.name)
    choice = guess_columns(frame, args.column, how_to_choose="choisissez la colonne à lire avec --column NOM")
    base = base_loader()
    with progress_bar("Vérification") as progress:
        result, summary = check_frame(base, frame, choice, progress)
    write_output(out, export(result, fmt))
    sys.stdout.write(f"{choice.describe()}\n{summary.sentence()}\nÉcrit : {out}\n")
    return 0


def run(args: argparse.Namespace, base_loader: Any = None) -> int:
    """Handler of ``sentiers rural`` (arguments: sentiers.cli)."""
    queries = list(getattr(args, "queries", None) or [])
    if getattr(args, "batch", None):
        if queries:
            raise SentiersError("Donnez soit des requêtes, soit --batch FICHIER, pas les deux.")
        return _run_batch(args, base_loader or read_verdict_base)
    if getattr(args, "column", None) or getattr(args, "output", None):
        raise SentiersError("--column et -o ne s'emploient qu'avec --batch FICHIER.")
    if not queries:
        raise SentiersError("Donnez au moins une commune (code Insee, ancien code, code postal ou nom).")
    from sentiers.rural.verdict import answer

    base = (base_loader or read_verdict_facts)()
    answers = [answer(base, q) for q in queries]
    if args.json:
        sys.stdout.write(json_text([a.to_dict() for a in answers]))
    else:
        sys.stdout.write("\n\n".join(_text(a) for a in answers) + "\n")
    invalid = [a for a in answers if a.status == "invalid"]
    if invalid:
        first = invalid[0]
        more = f" (et {plural(len(invalid) - 1, 'autre')})" if len(invalid) > 1 else ""
        sys.stderr.write(
            error_line(f"requête inutilisable {quoted(first.query, 40)}{more} : {first.message}")
        )
        return EXIT_USAGE
    return EXIT_OK
