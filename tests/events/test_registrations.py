"""The two registration lists: every row accepted or rejected with its reason, hostile files included."""

from __future__ import annotations

import pytest

from sentiers.errors import SentiersError
from sentiers.events.registrations import (
    MAX_PARTICIPANTS,
    check_mapping,
    guess_mapping,
    parse_defis,
    parse_mapping,
    parse_targets,
    read_structures,
    read_territories,
)
from sentiers.rural.batch import read_upload
from tests.events.conftest import structures_rows, territories_rows, to_csv, to_xlsx


def _read_t(base, data: bytes, name: str = "t.csv", mapping: dict | None = None):
    frame = read_upload(data, name)
    chosen = mapping or guess_mapping("territoires", list(frame.columns))
    return read_territories(base, frame, chosen)


def _read_s(base, data: bytes, name: str = "s.csv"):
    frame = read_upload(data, name)
    return read_structures(base, frame, guess_mapping("structures", list(frame.columns)))


def test_plain_headers_are_recognised():
    columns = [
        "Nom de la collectivité",
        "Commune ou EPCI",
        "Défi(s)",
        "Besoin",
        "Nom du contact",
        "Adresse e-mail",
    ]
    mapping = guess_mapping("territoires", columns)
    assert mapping == {
        "nom": "Nom de la collectivité",
        "territoire": "Commune ou EPCI",
        "defis": "Défi(s)",
        "besoin": "Besoin",
        "contact": "Nom du contact",
        "email": "Adresse e-mail",
    }
    plain = guess_mapping("structures", ["nom", "défi", "mode", "départements", "commune"])
    assert plain == {
        "nom": "nom",
        "defis": "défi",
        "mode": "mode",
        "departements": "départements",
        "commune": "commune",
    }


def test_a_defi_is_its_title_or_its_slug():
    assert parse_defis("Service de proximité ; emploi-economie-locale") == (
        ["service-de-proximite", "emploi-economie-locale"],
        [],
    )
    assert parse_defis("SERVICE DE PROXIMITE, Autre chose") == (["service-de-proximite"], ["Autre chose"])


def test_generated_lists_are_read_whole_in_csv_and_xlsx(base):
    rows = territories_rows(base, 60)
    for data, name in (
        (to_csv(rows, "cp1252"), "t.csv"),
        (to_xlsx(rows), "t.xlsx"),
        (to_csv(rows, "utf-8-sig", ","), "t.csv"),
    ):
        result = _read_t(base, data, name)
        assert result.rows == 60
        assert len(result.accepted) + len(result.rejected) == 60
        assert not result.rejected, result.rejected[:3]
        codes = [t.code for t in result.accepted]
        assert len(codes) == 60 and all(len(c) == 5 for c in codes)
        assert result.accepted[0].contact.email == "contact0@mairie.example"
    structures = _read_s(base, to_csv(structures_rows(base, 30)))
    assert len(structures.accepted) == 30 and not structures.rejected
    assert all(s.seat_code and len(s.target_departements) == 3 for s in structures.accepted)


def test_hostile_rows_are_each_accounted_for(base):
    die = base.communes.loc[base.communes["name"] == "Die", "code"].iloc[0]
    rows = [
        {"nom": '=HYPERLINK("http://x";"clic")', "commune": die, "défi": "Engagement citoyen"},
        {"nom": "<script>alert(1)</script><b>Mairie</b>", "commune": die, "défi": "service-de-proximite"},
        {"nom": "Mairie de Die", "commune": die, "défi": "Service de proximité"},
        {"nom": "Mairie de Die", "commune": die, "défi": "Service de proximité"},  # duplicate
        {"nom": "Nulle part", "commune": "Zzyzxville-sur-Rien", "défi": "Service de proximité"},
        {"nom": "Code faux", "commune": "99999", "défi": "Service de proximité"},
        {"nom": "Saint-Martin", "commune": "Saint-Martin", "défi": "Service de proximité"},  # ambiguous
        {"nom": "", "commune": die, "défi": "Service de proximité"},
        {"nom": "Sans défi", "commune": die, "défi": ""},
        {"nom": "Défi inventé", "commune": die, "défi": "Conquête spatiale"},
        {"nom": "CC du Diois", "commune": "CC du Diois", "défi": "Mobilisation collective"},
        {"nom": "Injection", "commune": "Die'; DROP TABLE participants; --", "défi": "Service de proximité"},
    ]
    result = _read_t(base, to_csv(rows))
    assert result.rows == len(rows)
    assert len(result.accepted) + len(result.rejected) == len(rows)
    accepted = {t.name: t for t in result.accepted}
    assert accepted['=HYPERLINK("http://x";"clic")'].code == die  # kept as text, as typed
    assert "<script>alert(1)</script><b>Mairie</b>" in accepted
    assert accepted["CC du Diois"].level == "epci" and accepted["CC du Diois"].code == "242600534"
    reasons = {r.line: r.reason for r in result.rejected}
    assert "doublon de la ligne 4" in reasons[5]
    assert "introuvable" in reasons[6]
    assert "99999" in reasons[7]
    assert "ambigu" in reasons[8] and "Saint-Martin" in reasons[8]
    assert reasons[9] == "nom manquant"
    assert reasons[10] == "aucun défi indiqué"
    assert "Conquête spatiale" in reasons[11]
    assert 13 in reasons  # forbidden characters: refused by the lookup, not run anywhere
    assert sorted([*reasons, *(t.line for t in result.accepted)]) == list(range(2, len(rows) + 2))


def test_ten_thousand_rows_every_one_accounted_for(base):
    rows = territories_rows(base, 300, seed=3)
    many = [dict(rows[k % len(rows)]) for k in range(10_000)]
    for k in range(0, 10_000, 7):
        many[k]["Commune ou EPCI"] = f"Inconnue-{k}"
    result = _read_t(base, to_csv(many))
    assert result.rows == 10_000
    assert len(result.accepted) + len(result.rejected) == 10_000
    assert len(result.accepted) <= MAX_PARTICIPANTS
    lines = sorted([r.line for r in result.rejected] + [t.line for t in result.accepted])
    assert lines == list(range(2, 10_002))
    reasons = " ".join(r.reason for r in result.rejected)
    assert "doublon" in reasons and "introuvable" in reasons


def test_mapping_file_names_other_columns(base):
    mapping = parse_mapping(
        "territoires:\n  nom: Qui\n  territoire: Où\n  defis: Quoi\nstructures:\n  nom: Structure\n"
    )
    frame = read_upload("Qui;Où;Quoi\nMairie;Die (26);Service de proximité\n".encode(), "t.csv")
    chosen = check_mapping("territoires", mapping.territoires, list(frame.columns))
    result = read_territories(base, frame, chosen)
    assert [t.label for t in result.accepted] == ["Die (26)"]
    with pytest.raises(SentiersError, match="rôle"):
        parse_mapping("territoires:\n  inconnu: X\n")
    with pytest.raises(SentiersError, match="absente"):
        check_mapping("territoires", {"nom": "Absente", "defis": "Quoi"}, list(frame.columns))
    with pytest.raises(SentiersError, match="Défi"):
        check_mapping("territoires", {"nom": "Qui"}, list(frame.columns))


def test_targets_read_codes_names_regions_and_france(base):
    deps, regions, everywhere, unknown = parse_targets(
        base, "26 - Drôme, Ardèche, Occitanie, région 84, Atlantide"
    )
    assert deps == ["26", "07"] and regions == ["76", "84"] and not everywhere
    assert unknown == ["Atlantide"]
    assert parse_targets(base, "Toute la France")[2] is True


def test_a_bad_profile_cell_leaves_a_note_not_a_lost_row(base):
    data = "nom;défi;profil\nA;Engagement citoyen;absent.yaml\nB;Engagement citoyen;\n".encode()
    frame = read_upload(data, "s.csv")
    from sentiers.events.registrations import profile_loader

    result = read_structures(
        base, frame, guess_mapping("structures", list(frame.columns)), profile_loader({})
    )
    assert [s.name for s in result.accepted] == ["A", "B"]
    assert "profil" in result.accepted[0].notes[0] and result.accepted[0].profile is None


def test_an_ambiguous_seat_is_the_one_in_the_zone_the_structure_targets(base):
    """« Valence » names three communes: a structure targeting the Drôme is seated in Valence (26), one targeting
    Occitanie in Valence (82); without a zone the seat stays unknown and the row says so."""
    if base.communes["name"].eq("Valence").sum() < 2:
        pytest.skip("this base has a single Valence")
    data = (
        "nom;défi;départements;commune\n"
        "A;Service de proximité;26, 05;Valence\n"
        "B;Service de proximité;Occitanie;Valence\n"
        "C;Service de proximité;;Valence\n"
    ).encode()
    result = _read_s(base, data)
    a, b, c = result.accepted
    assert a.seat_code == "26362" and "dans la zone visée" in " ".join(a.notes)
    assert b.seat_code == "82186"
    assert c.seat_code == "" and any("distance non calculée" in n for n in c.notes)


def test_a_code_that_is_also_a_postal_code_is_read_as_the_documented_insee_code(base):
    rows = [
        {"nom": "Mairie A", "commune": "13001", "défi": "Service de proximité"},
        {"nom": "Mairie B", "commune": "26150", "défi": "Service de proximité"},
        {"nom": "Mairie C", "commune": "CP 26150", "défi": "Service de proximité"},
    ]
    result = _read_t(base, to_csv(rows))
    accepted = {t.name: t.code for t in result.accepted}
    assert accepted == {"Mairie A": "13001", "Mairie B": "26150"}  # Aix-en-Provence, Izon-la-Bruisse
    (postal,) = result.rejected  # the postal reading, asked for: 14 communes share 26150
    assert postal.line == 4 and "ambigu" in postal.reason and "Die" in postal.reason


def test_a_formula_cell_saved_without_its_value_is_said_as_such(base):
    """A workbook written by a program that never computed its formulas (openpyxl writes « <v /> »): the row is
    rejected with that reason, not « nom manquant » or « aucun défi indiqué »."""
    import io

    from openpyxl import Workbook

    die = base.communes.loc[base.communes["name"] == "Die", "code"].iloc[0]
    book = Workbook()
    sheet = book.active
    sheet.append(["nom", "commune", "défi"])
    sheet.append(['=CONCAT("Mairie";" de Die")', die, "Service de proximité"])
    sheet.append(["Mairie de Die", die, '=HYPERLINK("http://x")'])
    sheet.append(["Mairie de Crest", die, "Service de proximité"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = _read_t(base, buffer.getvalue(), "t.xlsx")
    assert result.rows == 3 and [t.line for t in result.accepted] == [4]
    assert [(r.line, r.reason.split(" : ")[0]) for r in result.rejected] == [
        (2, "cellule « nom »"),
        (3, "cellule « défi »"),
    ]
    assert all("formule sans valeur" in r.reason for r in result.rejected)
