"""The feasibility study's dossier on the base built from the official files: one for each of the six presets and one
for a held-out profile with similar territories; HTML self-contained and readable without the app (no internal
identifier, no command line), the PDF read back (text, page count, table of contents), hostile text kept as text."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape

import pytest
from pypdf import PdfReader

from sentiers.base.catalogue import CATALOGUE
from sentiers.matching.presets import preset, preset_profile
from sentiers.matching.profile import DEFIS, validate_profile
from sentiers.matching.score import rank_profile
from sentiers.study.assemble import StudyParameters, build_dossier
from sentiers.study.render import render_html, render_pdf

pytestmark = pytest.mark.mirror

PARAMS = StudyParameters(top=3, shortlist=8, maps=False, actors="cache")
HELD_OUT = {
    "name": "Épicerie solidaire itinérante du Diois",
    "defi": "service-de-proximite",
    "publics": ["seniors", "menages-modestes"],
    "mode": "dissemination",
    "activity": "47.11C",
    "description": "Une épicerie itinérante qui passe chaque semaine dans les villages sans commerce.",
    "constraints": {"departements": ["26", "07"], "population_min": 150},
    "criteria": [
        {
            "indicator": "dist_epicerie_km",
            "weight": 3,
            "reason": "Loin d'une épicerie, le besoin est quotidien.",
        },
        {"indicator": "catchment_10km", "weight": 2, "reason": "Une tournée dessert plusieurs villages."},
        {"indicator": "population", "weight": 1},
    ],
    "readiness": {
        "defi_fit": "coeur",
        "lucrativite": "statut_ess",
        "gouvernance": "en_partie",
        "utilite_sociale": "demontree",
        "innovation": "offre_existe",
        "impact": "mesure",
        "moyens": "volonte",
        "enjeu_rural": "identifie",
        "experimentation": "oui",
        "origine": "rurale",
        "siege_departement": "26",
        "comment": "Tournée testée depuis 2022 autour de Die.",
    },
    "similar": {"references": ["26113", "Saint-Nazaire-le-Désert"]},
}
SLUG_RE = re.compile(
    "|".join(
        [re.escape(s) for s in DEFIS]
        + [
            r"\bdist_\w+_km\b",
            r"\bfar_\w+\b",
            r"\bcatchment_\d+km\b",
            r"kiif_only",
            r"rural_only",
            "population_min",
        ]
        + [r"\b" + re.escape(i) + r"\b" for i in CATALOGUE if "_" in i]
        + [
            "dissemination",
            "menages-modestes",
            'sans_reponse\\b(?!")',
            "`",
            "uv run",
            "sentiers dossier",
            "sentiers score",
        ]
    )
)


def visible_text(html: str) -> str:
    """The text a reader sees: no tags, no attribute values, no style sheet."""
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return unescape(re.sub(r"\s+", " ", html))


def pdf_text(data: bytes) -> tuple[int, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), [page.extract_text() for page in reader.pages]


def check_readable(html: str, pages: list[str]) -> None:
    text = visible_text(html)
    for name, found in (("HTML", text), ("PDF", " ".join(pages))):
        match = SLUG_RE.search(found)
        assert match is None, (
            f"{name}: internal identifier {match.group(0)!r}: …{found[max(0, match.start() - 80) : match.end() + 80]}…"
        )
        assert " nan" not in found and "None" not in found, name
    assert (
        'src="http' not in html and "<link" not in html and "<script" not in html
    )  # self-contained, no script


@pytest.fixture(scope="module")
def dossiers(mirror_base):
    out = {}
    for slug in DEFIS:
        dossier = build_dossier(mirror_base, preset_profile(slug), PARAMS)
        out[slug] = (dossier, render_html(dossier), render_pdf(dossier))
    return out


@pytest.mark.parametrize("slug", list(DEFIS))
def test_a_dossier_for_each_preset(mirror_base, dossiers, slug):
    dossier, html, pdf = dossiers[slug]
    ranking = rank_profile(mirror_base, preset_profile(slug))
    expected = ranking.top(3)["code"].astype(str).tolist()
    assert [c.code for c in dossier.cards] == expected
    assert [r.code for r in dossier.shortlist] == ranking.top(8)["code"].astype(str).tolist()
    assert dossier.structure.defi == preset(slug).title
    for section in ("structure", "methode", "liste-courte", "fiches", "etapes", "sources"):
        assert f'id="{section}"' in html and f'href="#{section}"' in html
    for card in dossier.cards:
        assert f'href="#{card.anchor}"' in html and card.name in unescape(html)
        assert card.contact.startswith("Contact du programme : Lucas PERRIER")
        assert card.questions and card.figures and card.services
    assert "Êtes-vous prêt·e ?" in html and "ne préjuge pas de la décision du comité" in html
    assert "Robustesse" in html and "reste parmi les" in html  # the matching package's sentences
    assert "Comité de sélection" in html and "18 juin 2024" in html
    assert "Insee" in html and "Kiif" in html
    pages, texts = pdf_text(pdf)
    assert pages >= 1 + len(dossier.cards)
    assert "Sommaire" in texts[0]
    assert all(f"page {i + 1}/{pages}" in texts[i] for i in range(pages))
    check_readable(html, texts)


def test_the_table_of_contents_points_at_the_right_pages(dossiers):
    dossier, _, pdf = dossiers["service-de-proximite"]
    _, texts = pdf_text(pdf)
    toc = texts[0]
    for card in dossier.cards:
        line = next(x for x in toc.splitlines() if x.strip().startswith(f"{card.rank}. {card.name}"))
        page = int(line.split()[-1])
        assert texts[page - 1].lstrip().startswith(f"{card.rank}. {card.name}"), (card.name, page)
    steps = next(x for x in toc.splitlines() if "prochaines étapes" in x)
    assert "prochaines étapes du programme" in texts[int(steps.split()[-1]) - 1]


def test_a_held_out_profile_with_similar_territories(mirror_base):
    profile = validate_profile(HELD_OUT)
    dossier = build_dossier(mirror_base, profile, StudyParameters(top=4, maps=True, actors="fetch"))
    html, pdf = render_html(dossier), render_pdf(dossier)
    assert len(dossier.cards) == 4 and all(c.map_png for c in dossier.cards)
    assert all(r.departement in ("26", "07") for r in dossier.shortlist)
    assert dossier.similar is not None and not dossier.similar.message
    assert len(dossier.similar.rows) == 10
    assert all(r.reason for r in dossier.similar.rows)
    assert dossier.similar.references[0].startswith("Die (26113, 26)")
    assert 'id="semblables"' in html and "Territoires semblables au vôtre" in html
    assert "proche de Die" in html or "proche de Saint-Nazaire-le-Désert" in html
    # readiness at the head of the dossier, with the structure's own words
    assert html.index("Êtes-vous prêt·e ?") < html.index('id="methode"')
    assert "10 critères : 7 prêts, 3 à consolider." in html
    assert "Tournée testée depuis 2022 autour de Die." in unescape(html)
    assert "Dissémination (diffusion par des partenaires)" in html
    assert "encouragé par le programme" in html  # the FAQ on dissemination
    assert "Commerce de détail" in html or "47.11C" in html  # the activity by its label
    # the own criteria with their reasons
    assert "Loin d'une épicerie, le besoin est quotidien." in unescape(html)
    pages, texts = pdf_text(pdf)
    whole = " ".join(texts)
    assert "Territoires semblables au vôtre" in whole and "Épicerie solidaire itinérante du Diois" in whole
    assert pages >= 6
    check_readable(html, texts)


def test_past_dates_are_said_past(mirror_base):
    dossier = build_dossier(
        mirror_base, preset_profile("engagement-citoyen"), PARAMS, today=dt.date(2026, 1, 1)
    )
    first = dossier.steps[0]
    assert first.past and first.when == "13 mai 2024"
    assert "demandez au contact du programme le calendrier" in dossier.steps_note
    seminar = next(s for s in dossier.steps if s.label.startswith("Séminaire national 1"))
    assert seminar.when == "9 et 10 juillet 2024"
    before = build_dossier(
        mirror_base, preset_profile("engagement-citoyen"), PARAMS, today=dt.date(2024, 5, 1)
    )
    assert not any(s.past for s in before.steps)


HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)> {{ 7*7 }} </td></table>'


def test_hostile_text_in_the_profile_stays_text(mirror_base):
    profile = validate_profile(
        {
            "name": "Coop <b>gras</b> & {{ 7*7 }}",
            "defi": "mobilisation-collective",
            "description": HOSTILE,
            "readiness": {"comment": HOSTILE + "\nsecond line ${x} %s"},
            "criteria": [{"indicator": "population", "weight": 1, "reason": HOSTILE}],
        }
    )
    dossier = build_dossier(mirror_base, profile, PARAMS)
    html = render_html(dossier)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>gras</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html
    assert html.count("</table>") == html.count("<table")  # the text closed no table
    _, texts = pdf_text(render_pdf(dossier))
    whole = " ".join(texts)
    assert "Coop <b>gras</b> & {{ 7*7 }}" in whole
    assert '<script>alert("x")</script>' in whole
