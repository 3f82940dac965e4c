"""``sentiers rencontres``: the schedule of an event from its two registration lists, without the database.

    sentiers rencontres TERRITOIRES.csv|xlsx STRUCTURES.csv|xlsx --creneaux N --max-rencontres K
                        [--colonnes FILE] [--json | -o planning.xlsx]

Plain column names are recognised (nom, commune or code, défi, besoin, mode, départements); ``--colonnes`` names
the others (YAML or JSON: ``territoires: {rôle: colonne}``, ``structures: {…}``). A structure's ``profil`` cell
may name a profile file (YAML/JSON) beside the structures' list, or hold a share link.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sentiers.cli.support import (
    json_text,
    open_base_for_cli,
    output_path,
    progress_bar,
    read_input,
    write_output,
)
from sentiers.errors import SentiersError
from sentiers.fr import plural, quoted

MAX_LIST_BYTES = 10 * 1024 * 1024


def _read(path_text: str, what: str) -> bytes:
    return read_input(Path(path_text), MAX_LIST_BYTES, what)


def _profiles_beside(folder: Path):
    """A loader of the structures' ``profil`` cells: a file beside the list (bounded), or a share link."""
    from sentiers.events.registrations import MAX_PROFILE_BYTES, profile_loader

    def load(cell: str):
        name = cell.strip()
        files: dict[str, bytes] = {}
        if name.lower().endswith((".yaml", ".yml", ".json")) and "p=" not in name:
            path = Path(name) if Path(name).is_absolute() else folder / name
            if not path.is_file():
                raise SentiersError(f"fichier {quoted(path.name, 40)} introuvable à côté de la liste")
            files[path.name] = read_input(path, MAX_PROFILE_BYTES, "fichier de profil")
        return profile_loader(files)(cell)

    return load


def _text(plan) -> str:
    lines = [plan.schedule.quality()]
    for m in plan.schedule.meetings:
        lines.append(
            f"  créneau {m.slot} : {plan.territories[m.territory].name} — {plan.structures[m.structure].name} "
            f"(score {round(m.score)})"
        )
    if plan.unmatched_territories():
        lines.append(
            "Territoires sans rencontre : "
            + ", ".join(plan.territories[i].name for i in plan.unmatched_territories())
        )
    if plan.unmatched_structures():
        lines.append(
            "Structures sans rencontre : "
            + ", ".join(plan.structures[j].name for j in plan.unmatched_structures())
        )
    for r in plan.rejected:
        lines.append(f"Ligne écartée ({r.list}, ligne {r.line}) {quoted(r.name, 40)} : {r.reason}")
    lines += plan.gaps().sentences(plan.territories, plan.structures)
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    """Handler of ``sentiers rencontres`` (arguments: sentiers.cli)."""
    from sentiers.events.plan import check_counts, default_slots, plan_from_imports
    from sentiers.events.registrations import (
        ColumnMapping,
        check_mapping,
        guess_mapping,
        parse_mapping,
        read_structures,
        read_territories,
    )
    from sentiers.rural.batch import read_upload

    check_counts(args.creneaux, args.max_rencontres)
    out = output_path(args.output, (".xlsx",)) if args.output else None
    if out is not None and args.json:
        raise SentiersError("Choisissez --json ou -o planning.xlsx, pas les deux.")
    mapping = ColumnMapping()
    if args.colonnes:
        mapping = parse_mapping(_read(args.colonnes, "Fichier de colonnes"), Path(args.colonnes).name)
    frames = {}
    for kind, path_text, what in (
        ("territoires", args.territoires, "Liste des territoires"),
        ("structures", args.structures, "Liste des structures"),
    ):
        data = _read(path_text, what)
        try:
            frames[kind] = read_upload(data, Path(path_text).name)
        except SentiersError as exc:
            raise SentiersError(f"{what} : {exc}") from None
    maps = {}
    for kind, frame in frames.items():
        chosen = {**guess_mapping(kind, list(frame.columns)), **getattr(mapping, kind)}  # type: ignore[arg-type]
        maps[kind] = check_mapping(kind, chosen, list(frame.columns))  # type: ignore[arg-type]

    from sentiers.matching.candidates import needed_columns

    base = open_base_for_cli(columns=needed_columns(), geometry=False)
    with progress_bar("Inscriptions") as report:
        territories = read_territories(base, frames["territoires"], maps["territoires"], progress=report)
        structures = read_structures(
            base,
            frames["structures"],
            maps["structures"],
            profiles=_profiles_beside(Path(args.structures).resolve().parent),
            progress=report,
        )
    with progress_bar("Planning") as report:
        plan = plan_from_imports(
            base,
            territories,
            structures,
            slots=args.creneaux,
            max_meetings=args.max_rencontres,
            progress=report,
        )
    if args.json:
        sys.stdout.write(json_text(plan.to_json()))
        return 0
    if out is not None:
        from sentiers.events.documents import programme_from_plan, schedule_xlsx
        from sentiers.events.plan import EventSettings

        settings = EventSettings(
            name="Rencontres", slots=default_slots(args.creneaux), max_meetings=args.max_rencontres
        )
        write_output(out, schedule_xlsx(programme_from_plan(plan, settings)))
        sys.stdout.write(
            f"{territories.sentence()}\n{structures.sentence()}\n{plan.schedule.quality()}\nÉcrit : {out}\n"
        )
        return 0
    sys.stdout.write(f"{territories.sentence()}\n{structures.sentence()}\n" + _text(plan))
    rejected = len(territories.rejected) + len(structures.rejected)
    if rejected:
        sys.stderr.write(
            f"sentiers : {plural(rejected, 'ligne écartée', 'lignes écartées')} (voir ci-dessus).\n"
        )
    return 0
