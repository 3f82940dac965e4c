"""The criteria catalogue: complete entries, known layers, availability on the bases."""

from __future__ import annotations

import pytest

from sentiers.base.catalogue import CATALOGUE, KIIF_LAYER, catalogue_table, source_note
from sentiers.base.sources import SOURCES
from sentiers.matching.candidates import build_table

from .helpers import COVERAGE, communes_frame, make_base

REQUIRED = {
    "population",
    "pop_change_pct",
    "density_level",
    "aav_remoteness",
    "secondary_homes_share",
    "vacancy_share",
    "unemployment_rate",
    "jobs_per_active",
    "median_income",
    "poverty_rate",
    "business_density",
    "pensions_share",
    "share_65_plus",
    "centralite_level",
    "has_france_services",
    "frr",
    "pvd",
    "va",
    "acv",
    "has_fabrique",
    "has_manufacture",
    "distance_reference_km",
    "distance_incubator_km",
}
SERVICES = ["epicerie", "boulangerie", "supermarche", "superette", "pharmacie", "ecole", "station_service"]
SERVICES += ["medecin", "infirmier", "creche", "ehpad", "poste"]


def test_the_catalogue_covers_the_issue_list():
    expected = REQUIRED | {f"has_{s}" for s in SERVICES} | {f"{s}_per_1000" for s in SERVICES}
    assert expected <= set(CATALOGUE)


@pytest.mark.parametrize("indicator", list(CATALOGUE))
def test_entries_are_complete_and_sourced(indicator):
    entry = CATALOGUE[indicator]
    assert entry.label and entry.unit and entry.meaning and entry.epci
    known_layers = {s.layer for s in SOURCES} | {"identity", KIIF_LAYER}
    assert set(entry.layers) <= known_layers, entry.layers
    assert entry.columns


def test_proxy_and_secret_values_are_flagged():
    assert "proxy" in CATALOGUE["pensions_share"].note.lower()
    assert "confidentialité" in CATALOGUE["poverty_rate"].note


def test_absent_columns_are_unavailable_with_a_reason_not_zero():
    frame = communes_frame(12).drop(columns=["median_income", "pensions_share", "bpe_b202"])
    table = build_table(frame, "commune", coverage=COVERAGE)
    for indicator in ("median_income", "pensions_share", "has_epicerie", "share_65_plus"):
        assert indicator not in table.frame
        reason = table.unavailable[indicator]
        assert "Non disponible" in reason and "n'est pas chargée" in reason and "page d'accueil" in reason
    base = make_base(communes_frame(12))
    rows = {r["Indicateur"]: r for r in catalogue_table(base, table.unavailable)}
    assert rows["median_income"]["Disponible"] == "non"
    assert rows["population"]["Source et millésime"] == "Test, population test"
    assert source_note(base, "share_65_plus") == "source non chargée"


@pytest.mark.mirror
def test_mirror_base_holds_the_catalogue(mirror_base):
    table = build_table(mirror_base.communes, "commune", coverage=COVERAGE)
    age = {
        "share_65_plus",
        "share_75_plus",
        "share_0_14",
        "share_15_29",
        "share_60_plus",
    }  # not in the mirror
    missing = set(table.unavailable) - age
    assert not missing, {k: table.unavailable[k] for k in missing}
    for indicator in CATALOGUE:
        if indicator in table.frame and indicator != "distance_incubator_km":
            # Filosofi poverty rate and income decomposition are secret below the thresholds
            floor = 0.1 if indicator in ("poverty_rate", "pensions_share") else 0.5
            assert table.frame[indicator].notna().mean() > floor, indicator
    assert source_note(mirror_base, "has_pharmacie").startswith("Insee, BPE 2020")
    assert source_note(mirror_base, "has_medecin").startswith("Insee, BPE 2021")


@pytest.mark.parametrize(
    ("indicator", "value", "text"),
    [
        ("unemployment_rate", 15.234, "15,2\u202f%"),
        ("dist_alimentation_km", 8.93, "8,9\u202fkm"),
        ("distance_incubator_km", 98.2, "98,2\u202fkm"),
        ("distance_incubator_km", 131.6, "132\u202fkm"),
        ("median_income", 19450.0, "19\u202f450\u202f€"),
        ("population", 2420, "2\u202f420\u202fhab."),
        ("aav_remoteness", 2, "couronne d'un pôle"),
        ("centralite_level", 3, "niveau 3"),
        ("frr", 1, "oui"),
        ("far_alimentation", 100.0, "100\u202f%"),
        ("population", float("nan"), "manquante"),
        ("population", None, "manquante"),
    ],
)
def test_one_way_to_write_an_indicators_value(indicator, value, text):
    """The fiche's and the dossier's score tables, the similar territories and docs/presets.md write a value the
    same way, with its unit (the dossier wrote « 15 » for 15,2 % and « 3,00 1 à 3 » for the attraction area)."""
    from sentiers.base.catalogue import value_text

    def spaces(s: str) -> str:
        return s.replace("\u202f", " ").replace("\xa0", " ")

    assert spaces(value_text(indicator, value)) == spaces(text)
