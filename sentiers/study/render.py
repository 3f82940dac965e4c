"""Render a dossier as self-contained HTML (Jinja2, autoescaped, the briefing's page frame) or as PDF
(:mod:`sentiers.study.pdf`, imported lazily so that the HTML path does not load fpdf2)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from sentiers import fr
from sentiers.briefing.render import TEMPLATES as BRIEFING_TEMPLATES
from sentiers.study.model import Dossier

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    """Jinja2 over study/templates then briefing/templates (base.html.j2), autoescape on for every template."""
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(TEMPLATES)), FileSystemLoader(str(BRIEFING_TEMPLATES))]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fr"] = fr.number
    return env


def render_html(dossier: Dossier) -> str:
    return environment().get_template("dossier.html.j2").render(d=dossier)


def render_pdf(dossier: Dossier) -> bytes:
    from sentiers.study.pdf import dossier_pdf

    return dossier_pdf(dossier)
