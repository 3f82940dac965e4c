"""Parsers of the INSEE indicator files: comparateur, Filosofi 2021, BPE themes, age structure."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook

from sentiers.base.build import parse_source
from sentiers.base.codes import is_arm
from sentiers.base.parsers import indicators
from sentiers.base.sources import SOURCES_BY_ID
from sentiers.errors import SourceError

S = SOURCES_BY_ID

COMPARATEUR_HEADER = (
    "CODGEO;P18_POP;P13_POP;SUPERF;NAIS1318;DECE1318;P18_MEN;NAISD20;DECESD20;P18_LOG;P18_RP;P18_RSECOCC;"
    "P18_LOGVAC;P18_RP_PROP;NBMENFISC19;PIMP19;MED19;TP6019;P18_EMPLT;P18_EMPLT_SAL;P13_EMPLT;P18_POP1564;"
    "P18_CHOM1564;P18_ACT1564;ETTOT18;ETAZ18;ETBE18;ETFZ18;ETGU18;ETGZ18;ETOQ18;ETTEF118;ETTEFP1018"
)


def comparateur_row(code: str, pop: int) -> str:
    values = [
        code,
        str(pop),
        str(pop - 4),
        "15.95",
        "44",
        "22",
        "311",
        "10",
        "7",
        "353.73",
        "311",
        "16.27",
        "26.45",
        "263.9",
        "322",
        "",
        "23970",
        "",
        "93.1",
        "62.1",
        "78.4",
        "465.1",
        "33.26",
        "377.73",
        "13",
        "2",
        "0",
        "3",
        "6",
        "1",
        "2",
        "11",
        "2",
    ]
    return ";".join(values)


def zip_with(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text.replace("\n", "\r\n"))
    return path


def test_comparateur_zip_drops_arrondissements(tmp_path: Path) -> None:
    rows = [
        comparateur_row(c, p)
        for c, p in (("01001", 771), ("75056", 2_175_601), ("75101", 16_252), ("2A004", 70_000))
    ]
    path = zip_with(
        tmp_path / "base_cc_comparateur_csv.zip",
        {
            "base_cc_comparateur.CSV": "\n".join([COMPARATEUR_HEADER, *rows]) + "\n",
            "meta_base_cc_comparateur.CSV": "COD_VAR;LIB_VAR\nP18_POP;Population\n",
        },
    )
    frame = indicators.parse_comparateur(path, S["insee_comparateur"]).set_index("code")
    assert list(frame.index) == ["01001", "75056", "2A004"]
    assert frame["pop_census"].sum() == 771 + 2_175_601 + 70_000
    assert frame.loc["01001", "dwellings"] == pytest.approx(353.73)
    assert frame.loc["01001", "unemployed_15_64"] == pytest.approx(33.26)
    assert set(S["insee_comparateur"].columns) <= set(frame.columns)


def test_comparateur_zip_without_the_member_or_truncated(tmp_path: Path) -> None:
    other = zip_with(tmp_path / "a.zip", {"autre.CSV": "x;y\n"})
    with pytest.raises(SourceError, match="base_cc_comparateur.CSV"):
        indicators.parse_comparateur(other, S["insee_comparateur"])
    full = zip_with(
        tmp_path / "b.zip",
        {"base_cc_comparateur.CSV": COMPARATEUR_HEADER + "\n" + comparateur_row("01001", 7)},
    )
    cut = tmp_path / "cut.zip"
    cut.write_bytes(full.read_bytes()[:-40])
    with pytest.raises(SourceError, match="zip"):
        indicators.parse_comparateur(cut, S["insee_comparateur"])


def test_filosofi_decimal_comma_and_secret(tmp_path: Path) -> None:
    path = tmp_path / "cc_filosofi_2021_COM.csv"
    path.write_text(
        "CODGEO;NBMENFISC21;NBPERSMENFISC21;MED21;PIMP21;TP6021;PPEN21\n"
        "01001;346;895;25820;s;s;s\n"
        "01004;6855;15000;21660;45,5;17,0;25,3\n"
        "01005;nd;nd;nd;nd;nd;nd\n"
        "13201;20000;40000;15000;40;30,5;20\n",
        encoding="ascii",
    )
    frame = indicators.parse_filosofi_2021(path, S["insee_filosofi_2021"]).set_index("code")
    assert list(frame.index) == ["01001", "01004", "01005"]
    assert frame.loc["01004", "poverty_rate"] == pytest.approx(17.0)
    assert frame.loc["01004", "pensions_share"] == pytest.approx(25.3)
    assert np.isnan(frame.loc["01001", "poverty_rate"]) and frame.loc["01001", "median_income"] == 25_820
    assert frame.loc["01005"].isna().all()


def test_filosofi_missing_column_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("CODGEO;NBMENFISC21\n01001;3\n", encoding="ascii")
    with pytest.raises(SourceError, match="MED21"):
        indicators.parse_filosofi_2021(path, S["insee_filosofi_2021"])


def test_bpe_csv_every_type_column(tmp_path: Path) -> None:
    path = tmp_path / "equip-serv-ens-1er-degre-com-2020.csv"
    path.write_text(
        "CODGEO;NB_C101;NB_C101_NB_CANT;NB_C104\n01001;0;0;1\n69123;100;90;200\n69381;10;9;20\n2B033;2;1;3\n",
        encoding="ascii",
    )
    frame = indicators.parse_bpe_csv(path, S["insee_bpe_2020_ecoles"])
    assert frame.columns.tolist() == ["code", "bpe_c101", "bpe_c101_nb_cant", "bpe_c104"]
    assert frame["code"].tolist() == ["01001", "69123", "2B033"]
    assert frame["bpe_c104"].sum() == 204


def test_bpe_csv_html_page_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "equip.csv"
    path.write_text("<html><body>Erreur</body></html>", encoding="utf-8")
    with pytest.raises(SourceError, match="HTML"):
        indicators.parse_bpe_csv(path, S["insee_bpe_2021_medical"])


def test_bpe_xlsx_sheet_com(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "COM"
    for row in (
        ["BPE 2020 services santé"],
        ["Mise en ligne le 06/07/2021"],
        [""],
        [""],
        ["CODGEO", "Libellé commune ou ARM", "Région", "Département", "Pharmacie"],
        ["CODGEO", "LIBGEO", "REG", "DEP", "NB_D307"],
        ["01001", "L'Abergement", "84", "01", 0],
        ["01004", "Ambérieu", "84", "01", 4],
    ):
        ws.append(row)
    wb.create_sheet("ARM").append(["CODGEO"])
    path = tmp_path / "equip-serv-sante-com-2020.xlsx"
    wb.save(path)
    frame = indicators.parse_bpe_xlsx(path, S["insee_bpe_2020_sante"])
    assert frame.to_dict("records") == [{"code": "01001", "bpe_d307": 0}, {"code": "01004", "bpe_d307": 4}]


@pytest.mark.parametrize("yy", ["21", "22"])
def test_pop_age_official_zip(tmp_path: Path, yy: str) -> None:
    header = ";".join(
        ["CODGEO"]
        + [
            f"P{yy}_{v}"
            for v in (
                "POP",
                "POP0014",
                "POP1529",
                "POP3044",
                "POP4559",
                "POP6074",
                "POP75P",
                "POP0019",
                "POP2064",
                "POP65P",
            )
        ]
        + ["P15_POP", "P15_POP65P"]
    )
    rows = [
        "01001;832;150;120;160;170;140;92.5;190;480;162.5;767;100",
        "75101;16000;1;1;1;1;1;1;1;1;1;1;1",
        "97411;154765;30000;32000;30000;28000;20000;14765;40000;90000;24765;150000;20000",
    ]
    path = zip_with(
        tmp_path / f"base-cc-evol-struct-pop-20{yy}_csv.zip",
        {
            f"meta_base-cc-evol-struct-pop-20{yy}.CSV": "COD_VAR;LIB_VAR\n",
            f"base-cc-evol-struct-pop-20{yy}.CSV": "\n".join([header, *rows]) + "\n",
        },
    )
    frame = indicators.parse_pop_age(path, S["insee_pop_age_2021"]).set_index("code")
    assert list(frame.index) == ["01001", "97411"]
    # total, 0-14, 15-29, 60-74, 65+, 75+ of the newest census in the file
    assert frame.loc["01001"].tolist() == [832, 150, 120, 140, 162.5, 92.5]
    assert frame.columns.tolist() == list(S["insee_pop_age_2021"].columns)


def test_pop_age_wrong_file_is_rejected(tmp_path: Path) -> None:
    path = zip_with(tmp_path / "x.zip", {"base-cc-evol-struct-pop-2021.CSV": "CODGEO;POPULATION\n01001;3\n"})
    with pytest.raises(SourceError, match="P<aa>_POP"):
        indicators.parse_pop_age(path, S["insee_pop_age_2021"])


# --- the real files of the mirror -----------------------------------------------------------------


def _mirror(mirror_path: Path, sid: str):
    return parse_source(S[sid], mirror_path / S[sid].mirror_path)


@pytest.mark.mirror
def test_comparateur_mirror(mirror_path: Path) -> None:
    frame = _mirror(mirror_path, "insee_comparateur")
    assert len(frame) == 34_965 and frame["code"].is_unique
    assert frame["pop_census"].sum() == 66_732_538
    assert frame.set_index("code").loc["01001", "pop_census"] == 771


@pytest.mark.mirror
def test_filosofi_mirror(mirror_path: Path) -> None:
    frame = _mirror(mirror_path, "insee_filosofi_2021")
    assert len(frame) == 34_864
    income = frame["median_income"].dropna()
    assert (
        income.min() == 12_260 and income.max() == 55_340 and income.median() == pytest.approx(22_810, abs=50)
    )
    assert frame["poverty_rate"].notna().sum() == pytest.approx(4_352, abs=60)  # 4,352 communes (ARM apart)
    assert frame["poverty_rate"].dropna().between(0, 100).all()


@pytest.mark.mirror
def test_bpe_mirror_sums(mirror_path: Path) -> None:
    sums = {}
    for sid in (
        "insee_bpe_2020_commerce",
        "insee_bpe_2020_ecoles",
        "insee_bpe_2020_tourisme",
        "insee_bpe_2020_sante",
        "insee_bpe_2021_medical",
    ):
        frame = _mirror(mirror_path, sid)
        assert not frame["code"].map(is_arm).any()
        sums.update(frame.drop(columns="code").sum().to_dict())
    expected = {
        "bpe_b101": 1_960,
        "bpe_b102": 12_465,
        "bpe_b201": 5_920,
        "bpe_b202": 34_050,
        "bpe_b203": 49_432,
        "bpe_c101": 12_558,
        "bpe_c104": 30_286,
        "bpe_e107": 122,
        "bpe_e108": 994,
        "bpe_e109": 1_835,
        "bpe_d307": 21_580,
        "bpe_d113": 1_514,
        "bpe_d108": 2_210,
        "bpe_d201": 60_112,
    }
    assert {k: sums[k] for k in expected} == expected
    particuliers = _mirror(mirror_path, "insee_bpe_2021_particuliers")
    assert len(particuliers) == 34_955 and particuliers.shape[1] == 39
