"""Kiif coverage: kiif.yaml says exactly what the programme page lists, and a broken file says why."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from sentiers.base.codes import DEPARTEMENT_REGION
from sentiers.base.kiif import (
    KiifError,
    covered_departements,
    covering_incubator,
    load_kiif,
    parse_kiif,
)
from sentiers.base.reference import reference_path
from sentiers.errors import SentiersError

# Verbatim section "Les départements couverts par le programme." of the programme page (edition 2024).
PROGRAMME_PAGE_SECTION = """\
Normandie : Calvados, Manche, Eure, Seine-Maritime, Orne.

Nouvelle Aquitaine : Charente, Charente-Maritime, Dordogne, Lot-et-Garonne, Gironde, Deux-Sèvres.

Pays de la Loire : Loire-Atlantique, Vendée, Maine et Loire, Mayenne.

Hauts de France : Nord.

PACA : Alpes Maritimes, Bouches du Rhône, Var.

Grand-Est : Bas Rhin, Haut Rhin, Vosges, Ardennes, Marne.

Occitanie : Tarn-et-Garonne, Haute-Garonne.

AURA : Ain, Rhône, Isère, Ardèche, Drôme, Loire.
"""


def _page_listing() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in PROGRAMME_PAGE_SECTION.splitlines():
        if not line.strip():
            continue
        region, _, deps = line.partition(" : ")
        out[region] = [d.strip() for d in deps.rstrip(".").split(",")]
    return out


def _norm(name: str) -> str:
    """Compare département names whatever the article, hyphens, case and accents."""
    name = re.sub(r"^(le |la |les |l')", "", name.strip().lower())
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[\s\-']+", " ", name).strip()


def _raw_doc() -> dict:
    return yaml.safe_load(reference_path("kiif.yaml").read_text(encoding="utf-8"))


def test_kiif_yaml_lists_exactly_the_programme_page():
    coverage = load_kiif()
    assert coverage.edition == 2024
    listing = _page_listing()
    assert sum(len(v) for v in listing.values()) == 32 and len(listing) == 8
    assert [r.page_name for r in coverage.regions] == list(listing)
    for region in coverage.regions:
        assert [d.name for d in region.departements] == listing[region.page_name]
    assert len(covered_departements()) == 32
    assert len(set(covered_departements())) == 32


def test_departement_names_map_to_their_insee_codes(embedded_base):
    official = {
        _norm(name): code
        for code, name in zip(
            embedded_base.departements["code"], embedded_base.departements["name"], strict=True
        )
    }
    region_of = dict(
        zip(embedded_base.departements["code"], embedded_base.departements["region"], strict=True)
    )
    for region in load_kiif().regions:
        for dep in region.departements:
            assert official[_norm(dep.name)] == dep.code, dep
            assert region_of[dep.code] == region.code, dep


def test_static_region_map_agrees_with_the_base(embedded_base):
    deps = embedded_base.departements
    assert dict(zip(deps["code"], deps["region"], strict=True)) == DEPARTEMENT_REGION


def test_confirmed_incubators_and_placeholders():
    coverage = load_kiif()
    by_region = {r.code: r.incubator for r in coverage.regions}
    expected = {
        "84": ("Ronalpia", "Lyon"),
        "75": ("Atis", "Bordeaux"),
        "28": ("Adress", "Rouen"),
        "52": ("Les Écossolies", "Nantes"),
    }
    for region, (name, city) in expected.items():
        inc = by_region[region]
        assert (inc.name, inc.city, inc.verified) == (name, city, True)
        assert inc.source_url and inc.source_url.startswith("https://")
        assert inc.has_location
    for region, inc in by_region.items():
        if region not in expected:
            assert inc.verified is False
            assert inc.name == "membre du Kiif de la région, à compléter"
    lyon = by_region["84"]
    assert lyon.lat == pytest.approx(45.764, abs=0.01) and lyon.lon == pytest.approx(4.8357, abs=0.01)
    assert coverage.contact.name == "Lucas PERRIER"
    assert coverage.contact.email == "lucas.perrier@ronalpia.fr"
    assert "contacter" in coverage.faq_note


def test_covering_incubator():
    assert covering_incubator("26").name == "Ronalpia"
    assert covering_incubator("33").name == "Atis"
    assert covering_incubator("59").verified is False
    assert covering_incubator("23") is None  # Creuse: not listed
    assert covering_incubator("1").name == "Ronalpia"  # normalised to "01"
    with pytest.raises(SentiersError, match="Département inconnu"):
        covering_incubator("99")


def test_unknown_departement_code_is_a_clear_error():
    doc = _raw_doc()
    doc["regions"][0]["departements"].append({"code": "99", "name": "Nulle part"})
    with pytest.raises(KiifError, match=r"département inconnu « 99 »"):
        parse_kiif(doc)


def test_missing_field_is_a_clear_error():
    doc = _raw_doc()
    del doc["regions"][1]["incubator"]["source_url"]
    with pytest.raises(KiifError, match=r"regions\.1\.incubator.*source_url"):
        parse_kiif(doc)
    doc = _raw_doc()
    del doc["contact"]
    with pytest.raises(KiifError, match=r"contact : champ obligatoire manquant"):
        parse_kiif(doc)


def test_invented_name_for_an_unconfirmed_member_is_refused():
    doc = _raw_doc()
    doc["regions"][3]["incubator"]["name"] = "Un nom deviné"
    with pytest.raises(KiifError, match="non vérifié"):
        parse_kiif(doc)


def test_departement_in_the_wrong_region_is_refused():
    doc = _raw_doc()
    doc["regions"][0]["departements"].append({"code": "23", "name": "Creuse"})
    with pytest.raises(KiifError, match="hors de la région"):
        parse_kiif(doc)


def test_load_from_a_file(tmp_path: Path):
    good = tmp_path / "kiif.yaml"
    good.write_text(yaml.safe_dump(_raw_doc(), allow_unicode=True), encoding="utf-8")
    assert len(load_kiif(good).departement_codes()) == 32
    bad = tmp_path / "broken.yaml"
    bad.write_text("regions: [\n", encoding="utf-8")
    with pytest.raises(KiifError, match="broken.yaml n'est pas un YAML valide"):
        load_kiif(bad)
    with pytest.raises(KiifError, match="illisible"):
        load_kiif(tmp_path / "absent.yaml")
