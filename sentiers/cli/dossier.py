"""``sentiers dossier``: the feasibility study of a profile (or of a project file) as HTML, PDF or project file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from sentiers.cli.support import open_base_for_cli, output_path, progress_bar, read_input, write_output
from sentiers.errors import SentiersError
from sentiers.fr import quoted

FORMATS = (".html", ".pdf", ".zip")


def _inputs(path_text: str):
    """The profile and parameters of a profile file (.yaml, .yml, .json) or a project file (.zip)."""
    from sentiers.matching.profile import load_profile
    from sentiers.study.assemble import StudyParameters
    from sentiers.study.project import MAX_ARCHIVE_BYTES, read_project

    path = Path(path_text)
    if path.suffix.lower() != ".zip":
        return load_profile(path), StudyParameters()
    if not path.is_file():
        raise SentiersError(f"Fichier de projet introuvable : {quoted(path.name, 60)}")
    project = read_project(read_input(path, MAX_ARCHIVE_BYTES, "Fichier de projet"))
    return project.profile, project.parameters


def run(args: Any) -> int:
    from sentiers.study.assemble import MAX_FICHES, build_dossier
    from sentiers.study.project import write_project

    output = output_path(args.output, FORMATS)
    profile, params = _inputs(args.profile)
    if args.top is not None:
        if not 1 <= int(args.top) <= MAX_FICHES:
            raise SentiersError(f"--top : un nombre de territoires entre 1 et {MAX_FICHES} est attendu.")
        params = params.model_copy(update={"top": int(args.top)})
    if args.hors_ligne:
        params = params.model_copy(update={"actors": "cache"})
    suffix = output.suffix.lower()
    base = open_base_for_cli()
    if suffix == ".zip":
        write_output(output, write_project(profile, params, base))
        sys.stderr.write(f"Fichier de projet écrit : {output}\n")
        return 0
    with progress_bar("Étude de faisabilité") as report:
        dossier = build_dossier(base, profile, params, progress=report)
        if suffix == ".pdf":
            from sentiers.study.render import render_pdf

            payload: bytes | str = render_pdf(dossier)
        else:
            from sentiers.study.render import render_html

            payload = render_html(dossier)
        report(1.0, "Terminé")
    write_output(output, payload)
    sys.stderr.write(f"Dossier écrit : {output} ({len(dossier.cards)} territoires détaillés)\n")
    return 0
