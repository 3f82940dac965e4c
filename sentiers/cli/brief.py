"""``sentiers brief`` and ``sentiers compare``: write a briefing or a comparison to a file."""

from __future__ import annotations

import logging
import sys
from typing import Any

from sentiers.cli.support import open_base_for_cli, output_path, progress_bar, write_output

log = logging.getLogger(__name__)

BRIEF_FORMATS = (".html", ".pdf")
COMPARE_FORMATS = (".html", ".pdf", ".xlsx")


def _load(args: Any):
    from sentiers.briefing.scoring import load_profile_arg

    profile = load_profile_arg(getattr(args, "profile", None), getattr(args, "preset", None))
    return open_base_for_cli(), profile


def run_brief(args: Any) -> int:
    from sentiers.briefing.assemble import build_briefing
    from sentiers.briefing.render import render_html, render_pdf

    out = output_path(args.output, BRIEF_FORMATS)
    base, profile = _load(args)
    with progress_bar("Fiche territoire") as report:
        briefing = build_briefing(base, args.code, args.level, profile=profile, progress=report)
        report(0.95, "Écriture")
        payload = (
            render_pdf(briefing) if out.suffix.lower() == ".pdf" else render_html(briefing).encode("utf-8")
        )
    write_output(out, payload)
    sys.stderr.write(f"Fiche de {briefing.header.name} écrite dans {out}\n")
    return 0


def run_compare(args: Any) -> int:
    from sentiers.briefing.compare import (
        build_comparison,
        check_codes,
        render_compare_html,
        render_compare_pdf,
        render_compare_xlsx,
    )

    out = output_path(args.output, COMPARE_FORMATS)
    codes = check_codes(args.codes)
    base, profile = _load(args)
    with progress_bar("Comparaison") as report:
        comparison = build_comparison(base, codes, args.level, profile=profile, progress=report)
        suffix = out.suffix.lower()
        if suffix == ".pdf":
            payload = render_compare_pdf(comparison)
        elif suffix == ".xlsx":
            payload = render_compare_xlsx(comparison)
        else:
            payload = render_compare_html(comparison).encode("utf-8")
    write_output(out, payload)
    sys.stderr.write(f"Comparaison de {len(codes)} territoires écrite dans {out}\n")
    return 0
