"""``sentiers brief`` and ``sentiers compare``: write a briefing or a comparison to a file."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from sentiers.errors import SentiersError

log = logging.getLogger(__name__)

BRIEF_FORMATS = (".html", ".pdf")
COMPARE_FORMATS = (".html", ".pdf", ".xlsx")


def _output(path: str, formats: tuple[str, ...]) -> Path:
    out = Path(path)
    if out.suffix.lower() not in formats:
        raise SentiersError(
            f"Format de sortie non reconnu : « {out.name} ». Extensions possibles : {', '.join(formats)}."
        )
    if not out.parent.exists():
        raise SentiersError(f"Le dossier de sortie n'existe pas : {out.parent}")
    return out


class _Bar:
    """tqdm progress on stderr, fed with (fraction, message)."""

    def __init__(self, desc: str) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=100, desc=desc, file=sys.stderr, leave=False, disable=None)

    def __call__(self, fraction: float, message: str) -> None:
        self.bar.n = int(max(0.0, min(fraction, 1.0)) * 100)
        self.bar.set_postfix_str(message[:40])
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


def _load(args: Any):
    from sentiers.base.store import load_base
    from sentiers.briefing.scoring import load_profile_arg

    profile = load_profile_arg(getattr(args, "profile", None), getattr(args, "preset", None))
    bar = _Bar("Base territoriale")
    try:
        base = load_base(progress=bar)
    finally:
        bar.close()
    return base, profile


def _write(out: Path, payload: bytes) -> None:
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        tmp.write_bytes(payload)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SentiersError(f"Impossible d'écrire {out} : {exc.strerror}") from None


def run_brief(args: Any) -> int:
    from sentiers.briefing.data import build_briefing
    from sentiers.briefing.render import render_html, render_pdf

    out = _output(args.output, BRIEF_FORMATS)
    base, profile = _load(args)
    bar = _Bar("Fiche territoire")
    try:
        briefing = build_briefing(base, args.code, args.level, profile=profile, progress=bar)
        bar(0.95, "Écriture")
        payload = (
            render_pdf(briefing) if out.suffix.lower() == ".pdf" else render_html(briefing).encode("utf-8")
        )
    finally:
        bar.close()
    _write(out, payload)
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

    out = _output(args.output, COMPARE_FORMATS)
    codes = check_codes(args.codes)
    base, profile = _load(args)
    bar = _Bar("Comparaison")
    try:
        comparison = build_comparison(base, codes, args.level, profile=profile, progress=bar)
        suffix = out.suffix.lower()
        if suffix == ".pdf":
            payload = render_compare_pdf(comparison)
        elif suffix == ".xlsx":
            payload = render_compare_xlsx(comparison)
        else:
            payload = render_compare_html(comparison).encode("utf-8")
    finally:
        bar.close()
    _write(out, payload)
    sys.stderr.write(f"Comparaison de {len(codes)} territoires écrite dans {out}\n")
    return 0
