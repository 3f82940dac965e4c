"""Render a Briefing as self-contained HTML (Jinja2, autoescaped) or as PDF (sentiers.briefing.pdf, imported lazily
so that the HTML path does not load fpdf2).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from sentiers import fr
from sentiers.briefing.model import Briefing
from sentiers.briefing.texts import ACCESS_HEADER, ACCESS_NOTE, SECTION_TITLES

TEMPLATES = Path(__file__).parent / "templates"


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
    return (
        environment()
        .get_template("briefing.html.j2")
        .render(b=briefing, titles=SECTION_TITLES, access_header=ACCESS_HEADER, access_note=ACCESS_NOTE)
    )


def render_pdf(briefing: Briefing) -> bytes:
    from sentiers.briefing.pdf import briefing_pdf

    return briefing_pdf(briefing)
