"""``sentiers acteurs``: the ESS actors and structures d'insertion of a commune, an EPCI or a radius.

Text on stdout by default, ``--json`` for data, ``-o FILE.csv|FILE.xlsx`` for a table. Exit code 1 when the list
is unavailable (offline and nothing cached), 2 with one French line on a bad input.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from sentiers.cli.support import (
    EXIT_FAILURES,
    EXIT_OK,
    json_text,
    open_base_for_cli,
    output_path,
    progress_bar,
    write_output,
)
from sentiers.errors import SentiersError
from sentiers.fr import date, number, plural, quoted

if TYPE_CHECKING:
    from sentiers.actors.model import Level, Mode

FORMATS = (".csv", ".xlsx")


def _level(args: Any) -> Level:
    if args.level in ("commune", "epci"):
        return args.level
    code = str(args.code).strip()
    return "epci" if len(code) == 9 and code.isdigit() else "commune"


def _text(result, family: list[str] | None) -> str:
    from sentiers.actors.activities import RELATIONS, defi_title
    from sentiers.actors.families import ESS_FAMILIES, FAMILIES, FAMILY_PLURALS, PLACE_FAMILIES

    area = result.area
    lines = [f"Acteurs du territoire — {area.label} ({area.code})"]
    if result.retrieved_at:
        lines.append(f"Liste du {date(result.retrieved_at)} ; source : {result.source}.")
    if result.message:
        lines.append(result.message)
    if result.available:
        counts = result.counts_by_family()
        total = sum(counts.values())
        detail = ", ".join(f"{counts[f]} {FAMILY_PLURALS[f]}" for f in ESS_FAMILIES if counts.get(f))
        lines.append(
            f"{plural(total, 'acteur')} de l'ESS et de l'insertion" + (f" : {detail}." if detail else ".")
        )
        by_defi = result.counts_by_defi()
        if by_defi:
            lines.append(
                "Par défi : "
                + ", ".join(f"{defi_title(k)} {v}" for k, v in sorted(by_defi.items(), key=lambda kv: -kv[1]))
                + "."
            )
    for fam in (*ESS_FAMILIES, *PLACE_FAMILIES):
        if family and fam not in family:
            continue
        members = [a for a in (*result.actors, *result.places) if a.family == fam]
        if not members:
            continue
        lines.append("")
        lines.append(f"{FAMILIES[fam]} ({len(members)})")
        for a in members:
            where = ", ".join(
                x
                for x in (a.commune, f"{number(a.distance_km, 1, 'km')}" if a.distance_km is not None else "")
                if x
            )
            extra = " — ".join(x for x in (a.family_detail, a.activity, a.size) if x)
            relation = RELATIONS.get(a.relation, "")
            lines.append(
                f"  {a.name}"
                + (f" ({where})" if where else "")
                + (f" — {extra}" if extra else "")
                + (f" [{relation}]" if relation else "")
            )
    return "\n".join(lines) + "\n"


def run(args: Any) -> int:
    from sentiers.actors.area import BASE_COLUMNS, check_radius
    from sentiers.actors.families import FAMILY_SLUGS
    from sentiers.actors.fetch import fetch_actors
    from sentiers.actors.table import to_csv_bytes, to_json, to_xlsx_bytes
    from sentiers.base.naf import activity_code

    radius = check_radius(args.rayon)
    if args.activite and activity_code(args.activite) is None:
        raise SentiersError(
            f"Activité non reconnue : {quoted(args.activite, 40)} (un code NAF comme 88.99B ou une activité type)."
        )
    out = output_path(args.output, FORMATS) if args.output else None
    family = [FAMILY_SLUGS[f] for f in args.famille] if args.famille else None
    base = open_base_for_cli(columns=BASE_COLUMNS, geometry=False)
    mode: Mode = "refresh" if args.actualiser else "cache" if args.hors_ligne else "fetch"
    with progress_bar("Acteurs du territoire") as report:
        result = fetch_actors(
            base,
            args.code,
            _level(args),
            radius,
            mode=mode,
            activity=args.activite,
            defi=args.defi,
            progress=report,
        )
    if out is not None:
        if result.available:
            data = (
                to_xlsx_bytes(result, family)
                if out.suffix.lower() == ".xlsx"
                else to_csv_bytes(result, family)
            )
            write_output(out, data)
            sys.stderr.write(
                f"{plural(len(result.actors) + len(result.places), 'acteur')} écrits dans {out}\n"
            )
        else:
            sys.stderr.write(result.message + "\n")
    elif args.json:
        sys.stdout.write(json_text(to_json(result, family)))
    else:
        sys.stdout.write(_text(result, family))
    return EXIT_OK if result.available else EXIT_FAILURES
