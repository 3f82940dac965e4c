"""Assembling a briefing on a small base: aggregation, missing values in place, services, resources, questions."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from sentiers import fr
from sentiers.base.lookup import suggest_territories
from sentiers.briefing.assemble import build_briefing
from sentiers.briefing.territory import aggregate, reference_values, resolve_territory
from sentiers.errors import SentiersError
from tests.briefing.small_base import LAYERS, SCRIPT, make_base


def by_key(rows, key):
    return next(r for r in rows if r.key == key)


def test_epci_rates_come_from_summed_counts_not_averaged_rates(small_base):
    b = build_briefing(small_base, "200000001", "epci", with_map=False)
    members = small_base.communes[small_base.communes["epci"] == "200000001"]
    expected = members["unemployed_15_64"].sum() / members["active_15_64"].sum() * 100
    mean_of_rates = (members["unemployed_15_64"] / members["active_15_64"] * 100).mean()
    assert not math.isclose(expected, mean_of_rates, rel_tol=1e-3)
    row = by_key(b.indicators, "unemployment_rate")
    assert row.value == pytest.approx(expected)
    assert b.header.population.startswith(fr.number(4500, 0))
    assert [m.code for m in b.header.members] == ["26002", "26001", "26003"]


def test_departement_and_france_values_are_recomputed_from_sums(small_base):
    refs = reference_values(small_base)
    communes = small_base.communes
    dep = communes[communes["departement"] == "26"]
    assert refs["departements"]["26"]["unemployment_rate"] == pytest.approx(
        dep["unemployed_15_64"].sum() / dep["active_15_64"].sum() * 100
    )
    assert refs["france"]["population"] == communes["population"].sum()
    # medians: mean weighted by fiscal households over the communes where both are published
    ok = communes["median_income"].notna() & communes["fiscal_households"].notna()
    weighted = (communes["median_income"][ok] * communes["fiscal_households"][ok]).sum() / communes[
        "fiscal_households"
    ][ok].sum()
    assert refs["france"]["median_income"] == pytest.approx(weighted)
    single = aggregate(communes[communes["code"] == "26001"])
    assert single["median_income"] == 21000.0


def test_missing_values_are_said_in_place(small_base):
    b = build_briefing(small_base, "26002", with_map=False)
    income = by_key(b.indicators, "median_income")
    assert income.value is None and income.missing
    assert "secret statistique" in income.note
    age = by_key(b.indicators, "share_60_plus")  # layer absent from the small base
    assert age.missing and "n'est pas chargée" in age.note and "page d'accueil" in age.note
    assert re.match(r"\d+ indicateurs? sur \d+ non disponibles? :", b.indicators_note)
    centralite = next(z for z in b.zonings if z.label.startswith("Centralité"))
    assert centralite.missing and "n'est pas chargée" in centralite.value


def test_embedded_like_base_without_layers_still_builds():
    base = make_base(layers=[LAYERS[0]])
    base.communes = base.communes.drop(columns=["density_level"])
    b = build_briefing(base, "26001", with_map=True)
    assert b.verdict.status == "inconnu" and "page d'accueil" in b.verdict.detail
    assert b.map_png and "Grille de densité non chargée" in b.map_note
    assert all(s.present is None for s in b.services) and "non chargée" in b.services_note
    assert b.resources == [] and "pas chargées" in b.resources_note


def test_services_present_absent_and_questions(small_base):
    b = build_briefing(small_base, "26002", with_map=False)
    epicerie = by_key(b.services, "epicerie")
    assert epicerie.present is False and epicerie.text == "absent"
    # the nearest one, 0.1° of longitude away (7.9 km at 44.7° N), beyond the 5 km that make a lack
    assert epicerie.nearest_text == "Alpha, 7,9 km" and epicerie.lacking
    assert by_key(b.services, "boulangerie").present is True
    assert by_key(b.services, "boulangerie").nearest_text == "dans la commune"
    assert by_key(b.services, "pharmacie").present is None  # its layer is not in the small base
    understand = b.questions[0]
    assert understand.step == "Comprendre le territoire"
    # food shops of every size are asked about once, with the nearest one
    assert (
        "Aucun commerce alimentaire dans la commune (le plus proche : Alpha, 7,9 km) : qui assure "
        "l'approvisionnement, et comment font ceux qui n'ont pas de voiture ?" in understand.questions
    )
    assert not any("épicerie" in q for q in understand.questions)
    assert [g.step for g in b.questions] == [
        "Comprendre le territoire",
        "Entrer en contact avec les acteurs du territoire",
        "Identifier les coopérations à initier",
    ]
    # a commune with an épicerie does not get that question
    alpha = build_briefing(small_base, "26001", with_map=False)
    assert not any("épicerie" in q for q in alpha.questions[0].questions)


def test_epci_services_count_communes(small_base):
    b = build_briefing(small_base, "200000001", "epci", with_map=False)
    epicerie = by_key(b.services, "epicerie")
    # true of the EPCI: how many communes have one and what share of the inhabitants live there
    assert epicerie.text == "1 dans 1 commune sur 3, où vivent 22\u202f% des habitants"
    assert epicerie.population_share == pytest.approx(1000 / 4500 * 100)
    assert epicerie.per_1000_text == "0,22" and epicerie.france_per_1000_text != "—"


def test_zonings_with_dates_and_meaning(small_base):
    b = build_briefing(small_base, "26002", with_map=False)
    zonings = {z.label: z for z in b.zonings}
    pvd = zonings["Petites villes de demain"]
    assert pvd.value == "lauréate (convention signée le 15 mars 2021)"
    assert pvd.source == "ANCT, liste du 7 août 2024" and pvd.meaning
    assert zonings["France Ruralités Revitalisation (FRR)"].value == "FRR+"
    assert "classement au 10 juillet 2025" in zonings["France Ruralités Revitalisation (FRR)"].source


def test_resources_within_radius_sorted_by_distance(small_base):
    b = build_briefing(small_base, "26002", radius_km=30, with_map=False)
    labels = [r.label for r in b.resources]
    assert "France services lointaine" not in labels
    fs = [r for r in b.resources if r.kind == "France services"]
    assert [r.label for r in fs] == ["France services de Bêta", "France services de Gamma"]
    assert fs[0].distance_km < fs[1].distance_km
    assert any(r.kind == "Fabrique de territoire" for r in b.resources)
    near = build_briefing(small_base, "26002", radius_km=1, with_map=False)
    assert [r.label for r in near.resources] == ["France services de Bêta"]  # inside the commune


def test_kiif_incubator_and_rural_verdict(small_base):
    b = build_briefing(small_base, "26002", with_map=False)
    assert b.verdict.status == "rural" and "niveau 6" in b.verdict.headline
    assert "grille 2024" in b.verdict.source
    assert b.incubator.available  # Drôme (26) is covered by the programme
    if b.incubator.verified:  # a confirmed member has a city and coordinates: its distance is given
        assert b.incubator.distance_text.endswith("km")
    rural = build_briefing(small_base, "200000001", "epci", with_map=False)
    assert rural.verdict.status == "rural"
    assert (
        rural.verdict.headline
        == "Intercommunalité rurale : 100\u202f% de ses habitants vivent dans une commune rurale"
    )
    # the one EPCI rule: rural when at least half the population lives in rural communes (800 of 20,800 here)
    epci = build_briefing(small_base, "200000002", "epci", with_map=False)
    assert epci.verdict.status == "urbain" and epci.verdict.headline.startswith(
        "Intercommunalité urbaine : 4\u202f%"
    )
    assert "1 commune rurale sur 2" in epci.verdict.detail


def test_territories_are_found_by_the_one_lookup(small_base):
    with pytest.raises(SentiersError, match="99999 n'est ni un code Insee ni un code postal"):
        resolve_territory(small_base, "99999")
    with pytest.raises(SentiersError, match="Requête vide"):
        resolve_territory(small_base, "  ")
    old = resolve_territory(small_base, "26099")
    assert old.code == "26001" and "26099" in old.note
    assert resolve_territory(small_base, "beta").code == "26002"  # names too, accents optional
    # a commune typed at the EPCI level names its EPCI, said so
    epci = resolve_territory(small_base, "26001", "epci")
    assert epci.code == "200000001" and "Alpha" in epci.note
    assert suggest_territories(small_base, "beta")[0][0] == "26002"
    assert suggest_territories(small_base, "tests", "epci")[0][0] == "200000001"
    assert suggest_territories(small_base, "zzz") == []


def test_map_is_a_png_for_commune_and_epci(small_base):
    import base64

    for code, level in (("26003", "commune"), ("200000002", "epci")):
        b = build_briefing(small_base, code, level)
        assert base64.b64decode(b.map_png)[:8] == b"\x89PNG\r\n\x1a\n"


def test_french_number_format():
    assert fr.number(1234567.891, 1, "€") == "1\u202f234\u202f567,9 €"
    assert fr.number(12.345, 1, "%") == "12,3\u202f%"
    assert fr.number(None) == "—" and fr.number(float("nan")) == "—" and fr.number(pd.NA) == "—"
    assert fr.number(-0.01, 1, "%") == "0,0\u202f%"
    assert SCRIPT  # the small base carries a hostile name, used by the rendering tests


def test_french_elision_before_names():
    from sentiers.fr import of_name

    assert of_name("Die") == "de Die"
    assert of_name("Orée d'Anjou") == "d'Orée d'Anjou"
    assert of_name("Le Mans") == "du Mans"
    assert of_name("Les Mureaux") == "des Mureaux"
    assert of_name("L'Abergement-Clémenciat") == "de L'Abergement-Clémenciat"
    assert of_name("La Rochelle") == "de La Rochelle"


def test_a_source_that_does_not_cover_the_departement_says_so(small_base):
    communes = small_base.communes
    communes.loc[communes["departement"] == "05", ["unemployed_15_64", "active_15_64"]] = float("nan")
    b = build_briefing(small_base, "05001", with_map=False)
    row = by_key(b.indicators, "unemployment_rate")
    assert row.value is None and row.departement is None
    assert row.note == "Non disponible : la source ne couvre pas ce département."


def test_a_restored_commune_says_why_its_counts_are_missing(small_base):
    communes = small_base.communes
    communes.loc[communes["code"] == "26003", ["unemployed_15_64", "active_15_64", "area_km2"]] = [
        float("nan"),
        float("nan"),
        0.0,
    ]
    small_base.derivations = pd.DataFrame(
        [("26003", "insee_comparateur", "scission", "26999")],
        columns=["code", "layer", "method", "predecessors"],
    )
    b = build_briefing(small_base, "26003", with_map=False)
    assert "scission de 26999" in by_key(b.indicators, "unemployment_rate").note
    assert "superficie" in by_key(b.indicators, "density").note
    assert any("dont elle faisait partie (26999)" in w for w in b.warnings)


def test_summary_lists_the_facts_read_first(small_base):
    b = build_briefing(small_base, "26002", with_map=False)
    assert b.summary[0] == f"{b.verdict.headline}."
    assert "Zonages et programmes : FRR+, Petites villes de demain." in b.summary
    assert "Services absents : commerce alimentaire (le plus proche : Alpha, 7,9 km)." in b.summary
    assert any(f.startswith("Incubateur du Kiif") for f in b.summary)


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("alimentation", "le plus proche"),
        ("pharmacie", "la plus proche"),
        ("boulangerie", "la plus proche"),
        ("medecin", "le plus proche"),
        ("banque", "la plus proche"),
        ("not-a-service", "le plus proche"),
    ],
)
def test_the_nearest_one_agrees_with_the_service(key, words):
    from sentiers.briefing.questions import _nearest_words

    assert _nearest_words(key) == words
