"""Parsers of the INSEE rurality workbooks: density grid 2024/2025, TAGC 2024/2022, UU2020.

Small workbooks written here in the official layout (title rows, label row, code row, data) run
everywhere; the real files of the mirror are checked against the figures of its MANIFEST.md.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from sentiers.base.build import parse_source
from sentiers.base.parsers import rurality
from sentiers.base.sources import SOURCES_BY_ID
from sentiers.errors import SourceError

GRID_2024 = SOURCES_BY_ID["insee_grille_densite_2024"]
GRID_2025 = SOURCES_BY_ID["insee_grille_densite_2025"]
TAGC_2024 = SOURCES_BY_ID["insee_tagc_2024"]
TAGC_2022 = SOURCES_BY_ID["insee_tagc_2022"]
UU2020 = SOURCES_BY_ID["insee_uu2020"]


def write_book(path: Path, sheets: dict[str, tuple[list[list], list[str], list[list]]]) -> Path:
    """An xlsx with, per sheet: title rows, the row of variable codes, data rows."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, (titles, codes, rows) in sheets.items():
        ws = wb.create_sheet(name)
        for row in [*titles, codes, *rows]:
            ws.append(row)
    wb.save(path)
    return path


def zip_of(book: Path, member: str, path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(book, member)
    return path


GRID_TITLES = [
    ["Grille de densité"],
    ["France – Niveau de densité (7 niveaux) des communes"],
    ["Mise en ligne le 28/05/2024", "Géographie au 01/01/2024"],
    ["\nCode \nCommune\n", "Libellé des communes\n", "Typo degré de \nDensité\n"],
]
GRID_ROWS = [
    ["01001", "L'Abergement-Clémenciat", 6, "Rural à habitat dispersé", 832],
    ["08165", False, 7, "Rural à habitat très dispersé", 61],  # « Faux » read as a boolean
    ["2A004", "Ajaccio", 2, "Centres urbains intermédiaires", 73822],
    ["69123", "Lyon", 1, "Grands centres urbains", 522250],
    ["69381", "Lyon 1er Arrondissement", 1, "Grands centres urbains", 30000],
    ["97411", "Saint-Denis", 1, "Grands centres urbains", 154765],
    [1002, "L'Abergement-de-Varey", 6, "Rural à habitat dispersé", 250],  # code stored as a number
]


@pytest.fixture
def grid_2024(tmp_path: Path) -> Path:
    codes = ["CODGEO", "LIBGEO", "DENS", "LIBDENS", "PMUN21"]
    return write_book(
        tmp_path / "grille_densite_7_niveaux_2024.xlsx",
        {"Grille_Densite": (GRID_TITLES, codes, GRID_ROWS), "Documentation": ([["Doc"]], ["x"], [])},
    )


def test_grid_2024_small_file(grid_2024: Path) -> None:
    frame = rurality.parse_grid_2024(grid_2024, GRID_2024)
    levels = dict(zip(frame["code"], frame["density_level"], strict=True))
    assert levels == {"01001": 6, "08165": 7, "2A004": 2, "69123": 1, "97411": 1, "01002": 6}  # ARM dropped
    assert str(frame["density_level"].dtype) == "Int8"


def test_grid_2024_from_the_official_zip(grid_2024: Path, tmp_path: Path) -> None:
    archive = zip_of(grid_2024, "grille_densite_7_niveaux_2024.xlsx", tmp_path / "grid.zip")
    frame = rurality.parse_grid_2024(archive, GRID_2024)
    assert frame["code"].tolist() == ["01001", "08165", "2A004", "69123", "97411", "01002"]


def test_grid_level_out_of_range_is_rejected(tmp_path: Path) -> None:
    rows = [["01001", "A", 9, "?", 1], ["01002", "B", 6, "?", 1]]
    path = write_book(
        tmp_path / "g.xlsx", {"Grille_Densite": (GRID_TITLES, ["CODGEO", "LIBGEO", "DENS"], rows)}
    )
    with pytest.raises(SourceError, match="niveaux de densité"):
        rurality.parse_grid_2024(path, GRID_2024)


def test_html_page_named_xlsx_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "grille_densite_7_niveaux_2024.xlsx"
    path.write_text("<!DOCTYPE html><html><body>Service indisponible</body></html>", encoding="utf-8")
    with pytest.raises(SourceError, match="insee_grille_densite_2024"):
        rurality.parse_grid_2024(path, GRID_2024)


def test_truncated_workbook_is_rejected(grid_2024: Path, tmp_path: Path) -> None:
    data = grid_2024.read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError):
        rurality.parse_grid_2024(path, GRID_2024)


def test_truncated_zip_is_rejected(grid_2024: Path, tmp_path: Path) -> None:
    archive = zip_of(grid_2024, "other.xlsx", tmp_path / "grid.zip")
    data = archive.read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: len(data) - 30])
    with pytest.raises(SourceError):
        rurality.parse_grid_2024(cut, GRID_2024)


def test_wrong_sheet_layout_is_rejected(tmp_path: Path) -> None:
    path = write_book(tmp_path / "g.xlsx", {"Feuil1": ([["Titre"]], ["code", "niveau"], [["01001", 6]])})
    with pytest.raises(SourceError, match="CODGEO"):
        rurality.parse_grid_2024(path, GRID_2024)


def _grid_2025(tmp_path: Path, titles: int, with_dens7: bool) -> Path:
    codes = ["CODGEO", "LIBGEO", "DENS", "LIBDENS", "PMUN22", "P1", "P2", "P3", "DENS_AAV", "LIBDENS_AAV"]
    rows = [
        ["01001", "L'Abergement-Clémenciat", 3, "Rural", 850, 0, 0, 100, 3, "x"],
        ["69123", "Lyon", 1, "Dense", 520000, 100, 0, 0, 1, "x"],
        ["15031", "Celles", 3, "Rural", 200, 0, 0, 100, 3, "x"],
    ]
    if with_dens7:
        codes += ["DENS7", "LIBDENS7"]
        for row, level in zip(rows, (6, 1, 7), strict=True):
            row += [level, "libellé"]
    head = [[f"Titre {i}"] for i in range(titles)]
    return write_book(
        tmp_path / f"fichier_diffusion_2025_{titles}_{with_dens7}.xlsx",
        {"Documentation": ([["Doc"]], ["x"], []), "Maille communale": (head, codes, rows)},
    )


@pytest.mark.parametrize("titles", [4, 5])
def test_grid_2025_uses_dens7(tmp_path: Path, titles: int) -> None:
    frame = rurality.parse_grid_2025(_grid_2025(tmp_path, titles, True), GRID_2025)
    assert dict(zip(frame["code"], frame["density_level"], strict=True)) == {
        "01001": 6,
        "69123": 1,
        "15031": 7,
    }


def test_grid_2025_without_dens7_uses_dens(tmp_path: Path) -> None:
    frame = rurality.parse_grid_2025(_grid_2025(tmp_path, 4, False), GRID_2025)
    assert frame["density_level"].tolist() == [3, 1, 3]


TAGC_TITLES = [
    ["Table d'appartenance"],
    ["Géographie au 01/01/2024"],
    ["Source : Insee"],
    [""],
    ["Code géographique"],
]


def test_tagc_2024_small_file(tmp_path: Path) -> None:
    codes = ["CODGEO", "LIBGEO", "DEP", "REG", "EPCI", "UU2020", "AAV2020", "BV2022"]
    rows = [
        ["01001", "L'Abergement-Clémenciat", "01", "84", "200069193", "01000", "524", "01093"],
        ["01002", "L'Abergement-de-Varey", "01", "84", "240100883", "01000", "000", "01004"],
        ["69123", "Lyon", "69", "84", "200046977", "00760", "002", "69123"],
    ]
    zones = [
        ["AAV2020", "524", "Châtillon-sur-Chalaronne", 10],
        ["AAV2020", "002", "Lyon", 398],
        ["UU2020", "01000", "Communes hors unité urbaine du département 01", 300],
        ["UU2020", "00760", "Lyon", 124],
        ["BV2022", "01093", "Châtillon-sur-Chalaronne", 12],
        ["BV2022", "69123", "Lyon", 60],
    ]
    path = write_book(
        tmp_path / "table-appartenance-geo-communes-2024.xlsx",
        {
            "COM": (TAGC_TITLES, codes, rows),
            "ARM": (
                TAGC_TITLES,
                [*codes, "COM"],
                [["69381", "Lyon 1er", "69", "84", "", "00760", "002", "69123", "69123"]],
            ),
            "Zones_supra_communales": (TAGC_TITLES, ["NIVGEO", "CODGEO", "LIBGEO", "NB_COM"], zones),
        },
    )
    frame = rurality.parse_tagc_2024(path, TAGC_2024).set_index("code")
    assert frame.loc["01002", "aav2020"] == "" and frame.loc["01002", "aav2020_name"] == ""
    assert frame.loc["01001", ["aav2020", "aav2020_name"]].tolist() == ["524", "Châtillon-sur-Chalaronne"]
    assert frame.loc["69123", ["uu2020", "uu2020_name", "bv2022_name"]].tolist() == ["00760", "Lyon", "Lyon"]
    assert (
        frame.loc["01002", "bv2022"] == "01004" and frame.loc["01002", "bv2022_name"] == ""
    )  # no label known
    archive = zip_of(path, TAGC_2024.zip_member, tmp_path / "table-appartenance-geo-communes-2024.zip")
    assert rurality.parse_tagc_2024(archive, TAGC_2024).shape == (3, 7)


def test_tagc_2022_and_uu2020_small_files(tmp_path: Path) -> None:
    codes = ["CODGEO", "LIBGEO", "TUU2017", "AAV2020", "TAAV2017", "CATEAAV2020"]
    rows = [["01001", "A", 0, "524", 1, 20], ["69123", "Lyon", 7, "002", 4, 11]]
    path = write_book(tmp_path / "t22.xlsx", {"COM": (TAGC_TITLES, codes, rows)})
    frame = rurality.parse_tagc_2022(path, TAGC_2022)
    assert frame.loc[frame["code"] == "69123", ["cateaav2020", "taav2017", "tuu2017"]].values.tolist() == [
        ["11", "4", "7"]
    ]
    uu_rows = [
        ["01001", "A", "01000", "Hors UU", "Hors unité urbaine", "H", "01", "84"],
        ["69123", "Lyon", "00760", "Lyon", "Unité urbaine", "C", "69", "84"],
    ]
    uu_codes = ["CODGEO", "LIBGEO", "UU2020", "LIBUU2020", "TYPE_COM", "STATUT_2017", "DEP", "REG"]
    uu = write_book(
        tmp_path / "UU2020_au_01-01-2023.xlsx",
        {
            "UU2020": (TAGC_TITLES, ["UU2020"], [["00760"]]),
            "Composition_communale": (TAGC_TITLES, uu_codes, uu_rows),
        },
    )
    assert rurality.parse_uu2020(uu, UU2020)["uu_status"].tolist() == ["H", "C"]


# --- the real files of the mirror -----------------------------------------------------------------


@pytest.mark.mirror
def test_grid_2024_mirror(mirror_path: Path) -> None:
    frame = parse_source(GRID_2024, mirror_path / GRID_2024.mirror_path)
    assert len(frame) == 34_935 and frame["code"].is_unique
    counts = frame["density_level"].value_counts().sort_index().to_dict()
    assert counts == {1: 773, 2: 545, 3: 901, 4: 1_973, 5: 5_104, 6: 18_380, 7: 7_259}
    levels = frame.set_index("code")["density_level"]
    assert levels["69123"] == 1 and levels["01001"] == 6 and levels["2A004"] == 2 and levels["48095"] == 3
    assert levels["08165"] == 7 and "24177" in levels.index  # the two « Faux »
    assert frame["code"].str.len().eq(5).all()


@pytest.mark.mirror
def test_tagc_2024_mirror(mirror_path: Path) -> None:
    frame = parse_source(TAGC_2024, mirror_path / TAGC_2024.mirror_path).set_index("code")
    assert len(frame) == 34_935
    assert (frame["aav2020"] == "").sum() == 8_921
    assert frame["aav2020"].replace("", pd.NA).nunique() == 699  # 700 AAV codes, "000" included
    assert frame.loc["69123", ["uu2020", "aav2020"]].tolist() == ["00760", "002"]
    assert frame.loc["01001", ["uu2020", "aav2020", "bv2022"]].tolist() == ["01000", "524", "01093"]
    assert frame.loc["69123", "aav2020_name"] == "Lyon" and frame.loc["75056", "aav2020_name"] == "Paris"
    assert (frame["uu2020_name"] != "").all() and (frame["bv2022_name"] != "").all()


@pytest.mark.mirror
def test_tagc_2022_mirror_both_editions(mirror_path: Path) -> None:
    frame = parse_source(TAGC_2022, mirror_path / TAGC_2022.mirror_path)
    assert len(frame) == 34_955
    assert frame["cateaav2020"].value_counts().to_dict() == {
        "20": 24_282,
        "30": 8_928,
        "12": 1_020,
        "11": 692,
        "13": 33,
    }
    assert (frame["tuu2017"] == "0").sum() == 27_377
    row = frame.set_index("code").loc["69123"]
    assert row[["cateaav2020", "taav2017", "tuu2017"]].tolist() == ["11", "4", "7"]
    # the first edition, as the official zip
    first = parse_source(TAGC_2022, mirror_path / "indicators" / "table-appartenance-geo-communes-22.zip")
    assert len(first) == 34_955


@pytest.mark.mirror
def test_uu2020_mirror(mirror_path: Path) -> None:
    frame = parse_source(UU2020, mirror_path / UU2020.mirror_path)
    assert len(frame) == 34_945
    assert frame["uu_status"].value_counts().to_dict() == {"H": 27_367, "B": 4_783, "C": 1_531, "I": 1_264}
    assert frame.set_index("code").loc["69123", "uu_status"] == "C"
