"""Agendas (PDF, .ics), the schedule XLSX and the map: every name printed as typed, never run."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest

from sentiers.errors import SentiersError
from sentiers.events.documents import (
    agenda_ics,
    agenda_pdf,
    all_agendas_pdf,
    gaps_text,
    pairs_map_html,
    programme_from_plan,
    schedule_xlsx,
)
from sentiers.events.plan import EventSettings, compute_plan, default_slots
from sentiers.events.registrations import guess_mapping, read_structures, read_territories
from sentiers.rural.batch import read_upload
from tests.events.conftest import to_csv

HOSTILE = '<img src=x onerror="alert(1)">Œuvre « été », ;\\ virgule'


@pytest.fixture(scope="module")
def programme(base):
    die = base.communes.loc[base.communes["name"] == "Die", "code"].iloc[0]
    t = read_upload(
        to_csv(
            [
                {"nom": HOSTILE, "commune": die, "défi": "Service de proximité", "besoin": "une épicerie"},
                {
                    "nom": '=HYPERLINK("http://x")',
                    "commune": "Crest (26)",
                    "défi": "Service de proximité",
                    "besoin": "",
                },
                {"nom": "Seul", "commune": "Nyons", "défi": "Mobilisation collective", "besoin": ""},
            ]
        ),
        "t.csv",
    )
    s = read_upload(
        "nom;défi;commune;départements\nÉpicerie mobile;service-de-proximite;Valence (26);26\nBus;Service de proximité;;\n".encode(),
        "s.csv",
    )
    territories = read_territories(base, t, guess_mapping("territoires", list(t.columns)))
    structures = read_structures(base, s, guess_mapping("structures", list(s.columns)))
    plan = compute_plan(base, territories.accepted, structures.accepted, slots=3, max_meetings=2)
    settings = EventSettings(
        name="Rencontres 2026",
        date=date(2026, 6, 12),
        place="Die, salle polyvalente",
        slots=default_slots(3),
        max_meetings=2,
    )
    return programme_from_plan(plan, settings)


def test_agenda_pdf_prints_every_character(programme):
    from pypdf import PdfReader

    data = agenda_pdf(programme, "territoire", 0)
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Rencontres 2026" in text and "Œuvre" in text and "été" in text
    assert "Épicerie mobile" in text or "Bus" in text
    assert "09h30" in text or "10h10" in text
    everyone = PdfReader(io.BytesIO(all_agendas_pdf(programme)))
    assert len(everyone.pages) == 5  # 3 territories + 2 structures, one page each


def test_ics_is_valid_and_escaped(programme):
    data = agenda_ics(programme, "territoire", 0, "e1").decode("utf-8")
    assert data.startswith("BEGIN:VCALENDAR\r\n") and data.endswith("END:VCALENDAR\r\n")
    lines = data.split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    events = data.count("BEGIN:VEVENT")
    assert events == len(programme.agenda("territoire", 0)) >= 1
    unfolded = data.replace("\r\n ", "")
    assert "DTSTART;TZID=Europe/Paris:20260612T" in unfolded
    assert "\\;\\\\ virgule" in unfolded and "\\," in unfolded  # ; \ , escaped
    assert "LOCATION:Die\\, salle polyvalente" in unfolded
    without_date = programme.settings.model_copy(update={"date": None})
    from dataclasses import replace

    with pytest.raises(SentiersError, match="date"):
        agenda_ics(replace(programme, settings=without_date), "territoire", 0)


def test_xlsx_keeps_text_inert(programme):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(schedule_xlsx(programme)))
    assert set(book.sheetnames) >= {
        "Planning",
        "Territoires",
        "Structures",
        "Lignes écartées",
        "Manques",
        "Par défi",
    }
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    values = [str(c.value) for c in cells if c.value is not None]
    assert '=HYPERLINK("http://x")' in values and HOSTILE in values
    manques = [[c.value for c in row] for row in book["Manques"].iter_rows(min_row=2)]
    assert ["besoin sans solution", "Seul", "Mobilisation collective"] in manques


def test_map_escapes_names(programme):
    html = pairs_map_html(programme).decode("utf-8")
    assert 'onerror="alert(1)"' not in html and "&lt;img" in html
    assert "structure sans siège localisé" in html or "structures sans siège" in html


def test_the_downloaded_map_loads_no_script_or_style_from_elsewhere(programme):
    html = pairs_map_html(programme).decode("utf-8")
    assert not re.search(r"<script[^>]+src=[\"']https?://", html)
    assert not re.search(r"<link[^>]+href=[\"']https?://", html)
    assert "L.map(" in html or "L.map (" in html


def test_gaps_say_what_the_event_lacks(programme):
    text = " ".join(gaps_text(programme))
    assert "Seul" in text and "Mobilisation collective" in text
