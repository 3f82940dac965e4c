"""Render a Briefing as self-contained HTML (Jinja2, autoescaped) or as PDF (sentiers.briefing.pdf, imported lazily
so that the HTML path does not load fpdf2).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from sentiers import fr
from sentiers.briefing.model import Briefing

TEMPLATES = Path(__file__).parent / "templates"
SECTION_TITLES = {
    "en_bref": "En bref",
    "ruralite": "Rural ou urbain ?",
    "carte": "Carte du territoire et de ses environs",
    "indicateurs": "Indicateurs clés",
    "services": "Services du quotidien",
    "zonages": "Zonages et programmes",
    "ressources": "Ressources locales",
    "profil": "Adéquation au profil",
    "questions": "Questions pour la visite",
    "sources": "Sources et millésimes",
}


@cache
def environment() -> Environment:
    """Jinja2 environment over briefing/templates, autoescape on for every template."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fr"] = fr.number
    return env


def render_html(briefing: Briefing) -> str:
    return environment().get_template("briefing.html.j2").render(b=briefing)


def render_pdf(briefing: Briefing) -> bytes:
    from sentiers.briefing.pdf import briefing_pdf

    return briefing_pdf(briefing)
