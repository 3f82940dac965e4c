"""The project file: one archive that reopens the same study, read with bounds since visitors upload it."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from sentiers.errors import SentiersError
from sentiers.matching.presets import preset_profile
from sentiers.matching.profile import profile_dict, to_yaml
from sentiers.study import project as proj
from sentiers.study.assemble import StudyParameters, build_dossier
from sentiers.study.project import read_project, same_study, write_project


class FakeBase:
    """Only what the manifest reads (the reader's bounds need no territory base)."""

    version = "20260101T000000-abcdef"
    built_at = "2026-01-01T00:00:00"
    embedded_only = False

    def layers(self):
        return [{"id": "insee_bpe", "title": "BPE", "publisher": "Insee", "vintage": "BPE 2021", "rows": 10}]


PROFILE = preset_profile(
    "service-de-proximite",
    readiness={"impact": "mesure", "comment": "Déjà à Die."},
    similar={"references": ["26113"]},
    constraints={"departements": ["26"]},
)
PARAMS = StudyParameters(top=3, shortlist=12, maps=False, actors="cache")


def archive(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def central_entry(data: bytes, name: str) -> int:
    """Offset of the central-directory header of member ``name``."""
    start = data.find(b"PK\x01\x02")
    return data.find(name.encode(), start) - 46


def good_members() -> dict[str, bytes | str]:
    with zipfile.ZipFile(io.BytesIO(write_project(PROFILE, PARAMS, FakeBase()))) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_round_trip_keeps_the_study():
    data = write_project(PROFILE, PARAMS, FakeBase())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == ["profil.yaml", "etude.json", "manifeste.json", "LISEZMOI.txt"]
        manifest = json.loads(zf.read("manifeste.json"))
        assert manifest["base_version"] == FakeBase.version and manifest["layers"][0]["vintage"] == "BPE 2021"
        assert "page « Étude de faisabilité »" in zf.read("LISEZMOI.txt").decode("utf-8")
    reopened = read_project(data, FakeBase())
    assert profile_dict(reopened.profile) == profile_dict(PROFILE)
    assert reopened.parameters == PARAMS
    assert reopened.notes == []  # same base: nothing to say
    assert same_study(
        reopened, read_project(write_project(reopened.profile, reopened.parameters, FakeBase()))
    )


def test_another_base_is_said():
    class Newer(FakeBase):
        version = "20270101T000000-123456"

        def layers(self):
            return [{"id": "insee_bpe", "title": "BPE", "publisher": "Insee", "vintage": "BPE 2024"}]

    notes = read_project(write_project(PROFILE, PARAMS, FakeBase()), Newer()).notes
    assert notes[0].startswith(
        "L'étude a été faite sur une autre version de la base (construite le 1er janvier 2026)"
    )
    assert "BPE (BPE 2021 → BPE 2024)" in notes[1]


@pytest.mark.mirror
def test_the_reopened_project_gives_the_same_dossier(mirror_base):
    first = build_dossier(mirror_base, PROFILE, PARAMS)
    reopened = read_project(write_project(PROFILE, PARAMS, mirror_base), mirror_base)
    again = build_dossier(mirror_base, reopened.profile, reopened.parameters)
    assert reopened.notes == []
    assert [(r.code, r.score) for r in again.shortlist] == [(r.code, r.score) for r in first.shortlist]
    assert [c.code for c in again.cards] == [c.code for c in first.cards]
    assert again.readiness == first.readiness
    assert again.similar == first.similar and again.similar is not None and again.similar.rows


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "vide"),
        (b"not a zip at all", "pas une archive de projet"),
        (b"PK\x03\x04broken", "pas une archive de projet"),
        (b"PK" + b"\0" * (proj.MAX_ARCHIVE_BYTES + 10), "plus de 2 Mo"),
    ],
)
def test_not_a_project(data, message):
    with pytest.raises(SentiersError, match=message):
        read_project(data)


def test_bounded_members():
    members = good_members()
    many = {**members, **{f"extra{i}.txt": "x" for i in range(proj.MAX_MEMBERS)}}
    with pytest.raises(SentiersError, match="plus de 10 fichiers"):
        read_project(archive(many))
    # a bomb: megabytes of zeros in a few kilobytes, refused after reading a bounded part
    bomb = {**members, "profil.yaml": b"a: " + b"0" * 20_000_000}
    data = archive(bomb)
    assert len(data) < 100_000
    with pytest.raises(SentiersError, match="profil.yaml est trop grand"):
        read_project(data)
    missing = {k: v for k, v in members.items() if k != "manifeste.json"}
    with pytest.raises(SentiersError, match="il y manque manifeste.json"):
        read_project(archive(missing))
    encrypted = bytearray(archive(members))
    entry = central_entry(bytes(encrypted), "etude.json")
    encrypted[entry + 8] |= 0x1  # general purpose flag: encrypted
    with pytest.raises(SentiersError, match="chiffrée"):
        read_project(bytes(encrypted))


def test_a_member_lying_about_its_size_is_still_bounded():
    data = bytearray(archive({**good_members(), "profil.yaml": b"x: " + b"1" * 2_000_000}))
    entry = central_entry(bytes(data), "profil.yaml")
    data[entry + 24 : entry + 28] = (100).to_bytes(4, "little")  # declared uncompressed size: 100 bytes
    with pytest.raises(SentiersError, match="profil.yaml ne se lit pas"):
        read_project(bytes(data))


@pytest.mark.parametrize(
    ("profile_yaml", "message"),
    [
        ("a: &x [1, 2]\nb: *x\n", "références YAML"),
        ("name: " + "[" * 50 + "]" * 50, "trop imbriqué"),
        ("name: [unclosed", "pas un YAML valide"),
        ("- just\n- a list\n", "doit contenir un objet"),
        ("name: X\ndefi: inconnu\n", "defi"),
        ("name: X\ndefi: service-de-proximite\nreadiness: {impact: bof}\n", "readiness.impact"),
    ],
)
def test_hostile_or_invalid_profiles(profile_yaml, message):
    with pytest.raises(SentiersError, match=message):
        read_project(archive({**good_members(), "profil.yaml": profile_yaml}))


@pytest.mark.parametrize(
    ("study", "message"),
    [
        ("{" * 40 + "}" * 40, "trop imbriqué"),
        ('{"format": "autre chose"}', "ne décrit pas une étude Sentiers"),
        ('{"format": "sentiers-etude", "format_version": 99}', "version plus récente"),
        ('{"format": "sentiers-etude", "format_version": 1, "parameters": {"top": 500}}', "parameters|top"),
        ('{"format": "sentiers-etude", "format_version": 1, "parameters": {"secret": 1}}', "clé inconnue"),
        ("not json", "pas un JSON valide"),
    ],
)
def test_hostile_or_invalid_study_files(study, message):
    with pytest.raises(SentiersError, match=message):
        read_project(archive({**good_members(), "etude.json": study}))


def test_hostile_text_survives_the_round_trip_as_text():
    hostile = preset_profile(
        "engagement-citoyen",
        name="<script>alert(1)</script> & Cie",
        readiness={"comment": "{{ 7*7 }}\n</td>"},
    )
    again = read_project(write_project(hostile, PARAMS, FakeBase())).profile
    assert again.name == "<script>alert(1)</script> & Cie" and again.readiness.comment == "{{ 7*7 }}\n</td>"
    assert to_yaml(again) == to_yaml(hostile)
