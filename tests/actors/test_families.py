"""Families of actors and what is kept of a result: the real recorded answers, and written ones for each rule."""

from __future__ import annotations

import json

import pytest

from sentiers.actors.families import classify, cooperative_kind, employs
from sentiers.actors.records import sanitize
from tests.actors.fake_api import make_result

DIE = ("26113", "Die", "242600534", 44.7528, 5.3688)

# the real answers of the shared reference folder and the family each must get (None: not listed)
RECORDED = {
    "338365059": ("association", "Association reconnue d'utilité publique"),  # centre social, 10-19 salariés
    "383657467": None,  # ESS association without staff (NN)
    "400461356": ("siae", "ACI — Atelier et chantier d'insertion"),  # Restos du cœur: association and ACI
    "400485504": ("association", "Association déclarée"),
    "800329849": ("association", "Association déclarée"),
    "842019051": None,  # closed in 2025 (etat_administratif C)
    "533744991": ("siae", "EI — Entreprise d'insertion"),  # an SAS, not ESS-flagged, but an SIAE
    "123456789": ("siae", "ESAT — Établissement et service d'aide par le travail"),  # every other field null
    "880878145": None,  # an ordinary SAS
    "356000000": None,  # La Poste
    "552032534": None,
}


def _recorded(reference, query: str) -> dict:
    data = json.loads((reference / "responses" / f"search-{query}.json").read_text(encoding="utf-8"))
    return data["response"]["results"][0]


@pytest.mark.parametrize("query", sorted(RECORDED))
def test_recorded_units_get_their_family(reference, query):
    kept = sanitize(_recorded(reference, query))
    assert kept is not None
    assert classify(kept) == RECORDED[query]


def test_a_non_diffusible_person_is_never_kept(reference):
    """300025764 is an « entrepreneur individuel » in partial dissemination: dropped whole."""
    raw = _recorded(reference, "300025764")
    assert raw["nature_juridique"] == "1000"
    assert sanitize(raw) is None


def test_only_whitelisted_fields_are_kept(reference):
    raw = _recorded(reference, "400461356")
    raw = dict(raw, dirigeants=[{"nom": "MARTIN", "prenoms": "CLAIRE"}], finances={"2023": {"ca": 1}})
    kept = sanitize(raw)
    text = json.dumps(kept, ensure_ascii=False)
    assert (
        "MARTIN" not in text and "CLAIRE" not in text and "finances" not in text and "dirigeants" not in text
    )
    assert "liste_idcc" not in text and "nom_raison_sociale" not in text
    assert kept["siren"] == "400461356" and kept["complements"]["type_siae"] == "ACI"
    assert kept["siege"]["commune"] == raw["siege"]["commune"]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"nature": "5458", "naf": "16.23Z", "name": "MENUISERIE DU DIOIS"}, ("cooperative", "SCOP")),
        ({"nature": "5710", "naf": "35.11Z", "name": "SCIC ENERGIES DU DIOIS"}, ("cooperative", "SCIC")),
        ({"nature": "5460", "naf": "70.22Z", "name": "CAE RHONE ALPES"}, ("cooperative", "CAE")),
        (
            {"nature": "6316", "naf": "01.61Z", "name": "CUMA DU HAUT DIOIS", "tranche": "NN"},
            ("cooperative", "Coopérative d'utilisation de matériel agricole en commun (CUMA)"),
        ),
        ({"nature": "8210", "naf": "65.12Z", "name": "MUTUELLE"}, ("mutual", "Mutuelle")),
        ({"nature": "9300", "naf": "87.10A", "name": "FONDATION"}, ("foundation", "Fondation")),
        (
            {"nature": "9220", "naf": "88.99B", "name": "ASSO", "tranche": "01"},
            ("association", "Association déclarée"),
        ),
        ({"nature": "9220", "naf": "93.12Z", "name": "BOULISTES", "tranche": "NN"}, None),
        ({"nature": "9220", "naf": "93.12Z", "name": "SANS TRANCHE", "tranche": None}, None),
        ({"nature": "5710", "naf": "47.11B", "name": "EPICERIE SOLIDAIRE"}, ("ess_company", "SAS")),
        ({"nature": "5499", "naf": "45.20A", "name": "GARAGE", "ess": False}, None),
        ({"nature": "9220", "naf": "88.99B", "name": "FERMEE", "state": "C"}, None),
        (
            {"nature": "9220", "naf": "81.30Z", "name": "DIOIS INSERTION", "siae": "ACI"},
            ("siae", "ACI — Atelier et chantier d'insertion"),
        ),
        (
            {"nature": "5710", "naf": "78.20Z", "name": "ETTI", "siae": "ETTI", "ess": False},
            ("siae", "ETTI — Entreprise de travail temporaire d'insertion"),
        ),
        (
            {"nature": "5710", "naf": "78.20Z", "name": "X", "siae": "NOUVEAU", "ess": False},
            ("siae", "NOUVEAU"),
        ),
    ],
)
def test_family_rules(kwargs, expected):
    name = kwargs.pop("name")
    kept = sanitize(make_result("810000001", name, commune=DIE, **kwargs))
    assert kept is not None
    assert classify(kept, kept["siege"]) == expected


def test_an_entrepreneur_individuel_is_dropped_even_as_an_siae():
    raw = make_result("810000022", "DUPONT JEAN", nature="1000", ess=False, siae="EITI", commune=DIE)
    assert sanitize(raw) is None
    raw = make_result("810000023", "ASSO", commune=DIE, diffusion="P")
    assert sanitize(raw) is None


def test_an_association_employing_through_an_establishment():
    raw = make_result("810000001", "ASSO", tranche=None, commune=DIE)
    kept = sanitize(raw)
    assert not employs(kept)
    establishment = dict(kept["siege"], caractere_employeur="O")
    assert employs(kept, establishment)
    assert classify(kept, establishment) == ("association", "Association déclarée")


def test_cooperative_kind_reads_the_name_only_for_what_has_no_nature():
    assert cooperative_kind("5558", "ATELIER") == "SCOP"
    assert cooperative_kind("5710", "Société coopérative d'intérêt collectif du Vercors") == "SCIC"
    assert cooperative_kind("6317", "LA COOP") == "Société coopérative agricole"


def test_garbage_results_are_not_kept():
    for junk in (None, [], "x", {"siren": "12"}, {"siren": "abcdefghi"}, {"siren": 123456789}):
        assert sanitize(junk) is None
    kept = sanitize(
        {"siren": "810000001", "nom_complet": "X" * 5000, "siege": "not a dict", "complements": 3}
    )
    assert kept is not None and len(kept["nom_complet"]) == 300 and kept["siege"] is None
    assert classify(kept) is None  # not ESS, not SIAE


def test_any_json_result_is_kept_or_dropped_never_an_error():
    """Whatever the API (or a damaged cache) returns, keeping, classifying and placing an actor never raises."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from sentiers.actors.fetch import build_actor
    from sentiers.actors.model import Area

    leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12)
    values = st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=12,
    )
    keys = st.sampled_from(
        [
            "siren",
            "nom_complet",
            "nature_juridique",
            "tranche_effectif_salarie",
            "complements",
            "siege",
            "matching_etablissements",
            "etat_administratif",
            "activite_principale",
            "date_creation",
            "statut_diffusion",
        ]
    )
    area = Area(
        level="commune", code="26113", name="Die", centre=(44.75, 5.37), communes=["26113"], member_count=1
    )

    @settings(max_examples=300, deadline=None)
    @given(st.dictionaries(keys, values, max_size=10), st.sampled_from(["810000001", "x", None]))
    def check(record, siren):
        if siren is not None:
            record = dict(record, siren=siren)
        kept = sanitize(record)
        if kept is None:
            return
        family = classify(kept, kept.get("siege"))
        assert family is None or isinstance(family[0], str)
        actor = build_actor(kept, area, {"26113"}, {"26113": (44.75, 5.37)}, "47.11B", "service-de-proximite")
        assert actor is None or actor.siren == kept["siren"]

    check()
