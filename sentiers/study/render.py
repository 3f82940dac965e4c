"""Render a dossier as self-contained HTML (Jinja2, autoescaped, the briefing's page frame) or as PDF
(:mod:`sentiers.study.pdf`, imported lazily so that the HTML path does not load fpdf2)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader

from sentiers.briefing.render import environment as briefing_environment
from sentiers.study.model import Dossier

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    """The briefing's Jinja2 environment (autoescape, filters) reading study/templates first, then the briefing's
    (its page frame, base.html.j2)."""
    briefing = briefing_environment()
    assert briefing.loader is not None
    return briefing.overlay(loader=ChoiceLoader([FileSystemLoader(str(TEMPLATES)), briefing.loader]))


def render_html(dossier: Dossier) -> str:
    return environment().get_template("dossier.html.j2").render(d=dossier)


def render_pdf(dossier: Dossier) -> bytes:
    from sentiers.study.pdf import dossier_pdf

    return dossier_pdf(dossier)
