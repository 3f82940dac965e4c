"""Parsers of the ANCT / DGCL files: FRR, PVD, VA, ACV, France services, tiers-lieux, centralités, ruralités."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sentiers.base.build import parse_source
from sentiers.base.codes import is_arm
from sentiers.base.parsers import anct
from sentiers.base.sources import SOURCES_BY_ID
from sentiers.errors import SourceError

S = SOURCES_BY_ID


def feature(props: dict, geometry: dict | None = None) -> dict:
    geometry = geometry or {"type": "Point", "coordinates": [2.35, 48.85]}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def write_geojson(path: Path, features: list[dict]) -> Path:
    doc = {
        "type": "FeatureCollection",
        "name": path.stem,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": features,
    }
    # GDAL writer layout: one feature per line
    lines = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    head = json.dumps({k: v for k, v in doc.items() if k != "features"}, ensure_ascii=False)[:-1]
    path.write_text(f'{head}, "features": [\n{lines}\n]\n}}\n', encoding="utf-8")
    return path


# --- small files ----------------------------------------------------------------------------------


def test_frr_trailing_separator_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "frr.csv"
    path.write_bytes(
        "Code_insee;Departement;Commune;Classement FRR et FRR+ au 10 juillet 2025;\r\n"
        "01001;01;L'Abergement-Clémenciat;Non classée;\r\n"
        "2A004;2A;Ajaccio;Non classée;\r\n"
        "15031;15;Celles;FRR+;\r\n"
        "97101;971;Les Abymes;FRR socle;\r\n".encode()
    )
    frame = anct.parse_frr(path, S["anct_frr"])
    assert frame.columns.tolist() == ["code", "frr"]
    assert dict(zip(frame["code"], frame["frr"], strict=True)) == {
        "01001": "Non classée",
        "2A004": "Non classée",
        "15031": "FRR+",
        "97101": "FRR socle",
    }


def test_frr_html_page_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "frr.csv"
    path.write_text("<!DOCTYPE html>\n<html><head><title>404</title></head></html>", encoding="utf-8")
    with pytest.raises(SourceError, match="HTML"):
        anct.parse_frr(path, S["anct_frr"])


def test_frr_wrong_columns_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "frr.csv"
    path.write_text("insee;zonage\n01001;ZRR\n", encoding="utf-8")
    with pytest.raises(SourceError, match="Code_insee"):
        anct.parse_frr(path, S["anct_frr"])


def test_pvd_codes_from_liste_geo_and_dates(tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "pvd_geom.geojson",
        [
            feature(
                {
                    "id_territoire": "pvd-1",
                    "lib_territoire": "St Florent",
                    "date_signature": "2021-05-28",
                    "liste_geo": "Saint-Florent (2B298)",
                }
            ),
            feature(
                {
                    "id_territoire": "pvd-2",
                    "lib_territoire": "X",
                    "date_signature": None,
                    "liste_geo": "Bouillante (97106)",
                }
            ),
            feature(
                {
                    "id_territoire": "pvd-3",
                    "lib_territoire": "Y",
                    "date_signature": "2022-01-27",
                    "liste_geo": "Ambérieu-en-Bugey (01004); Ambronay (01007)",
                }
            ),
        ],
    )
    frame = anct.parse_pvd(path, S["anct_pvd"]).set_index("code")
    assert sorted(frame.index) == ["01004", "01007", "2B298", "97106"]
    assert frame["pvd"].all()
    assert frame.loc["2B298", "pvd_date"] == "2021-05-28" and frame.loc["97106", "pvd_date"] == ""


def test_va_and_acv_one_row_per_commune(tmp_path: Path) -> None:
    va = write_geojson(
        tmp_path / "va_geom.geojson",
        [
            feature(
                {
                    "id_territoire": "va-01-01",
                    "lib_territoire": "V",
                    "liste_geo": "Valromey-sur-Séran (01036)",
                }
            )
        ],
    )
    assert anct.parse_va(va, S["anct_va"]).to_dict("records") == [{"code": "01036", "va": True}]
    multipoint = {"type": "MultiPoint", "coordinates": [[2.44, 44.92], [2.47, 44.9]]}
    acv = write_geojson(
        tmp_path / "acv_geom.geojson",
        [
            feature(
                {
                    "id_territoire": "acv-017",
                    "lib_territoire": "Aurillac-Arpajon-sur-Cère",
                    "date_signature": None,
                    "liste_geo": "Arpajon-sur-Cère (15012); Aurillac (15014)",
                },
                multipoint,
            ),
            feature(
                {
                    "id_territoire": "acv-002",
                    "lib_territoire": "Agde",
                    "date_signature": None,
                    "liste_geo": "Agde (34003)",
                }
            ),
        ],
    )
    frame = anct.parse_acv(acv, S["anct_acv"]).set_index("code")
    assert sorted(frame.index) == ["15012", "15014", "34003"]
    assert frame.loc["15012", "acv_name"] == "Aurillac-Arpajon-sur-Cère" and frame["acv"].all()


def test_geojson_without_codes_is_rejected(tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "va.geojson", [feature({"liste_geo": "Valromey-sur-Séran"})])
    with pytest.raises(SourceError, match="liste_geo"):
        anct.parse_va(path, S["anct_va"])
    truncated = tmp_path / "cut.geojson"
    truncated.write_text(path.read_text(encoding="utf-8")[:60], encoding="utf-8")
    with pytest.raises(SourceError, match="tronqué"):
        anct.parse_va(truncated, S["anct_va"])


FS_HEADER = (
    "id_fs,insee_dep,lib_fs,adresse,complement_adresse,insee_com,code_postal,lib_com,latitude,longitude,mail,"
    "telephone,h_lundi,h_mardi,h_mercredi,h_jeudi,h_vendredi,h_samedi,prise_rdv,commentaire,type_fs,format_fs,"
    "groupe_fs,labellisation_fs\n"
)


def test_france_services_quoted_newlines_and_arrondissements(tmp_path: Path) -> None:
    path = tmp_path / "liste-fs.csv"
    path.write_text(
        FS_HEADER
        + '1,"01","France services de Valserhône","5-9 Rue des Papetiers",,"01033","01200","Valserhône",'
        '46.106071,5.826008,"a@b.fr","04 50 56 87 49","09:00 - 12:00",,,,,,"Oui","Accueil\nsur rendez-vous",'
        '"Principal","Fixe",,"Espace labellisé 01/01/2020"\n'
        + '2,"13","France services Marseille 3e","1 rue X","Bât. B","13203","13003","Marseille",43.31,5.38,,,,,,,,,'
        '"Non",,"Antenne","Fixe_antenne(s)",,\n',
        encoding="utf-8",
    )
    frame = anct.parse_france_services(path, S["anct_france_services"])
    assert len(frame) == 2
    first, second = frame.to_dict("records")
    assert first["code"] == "01033" and first["label"] == "France services de Valserhône"
    assert first["address"] == "5-9 Rue des Papetiers, 01200 Valserhône"
    assert (first["lat"], first["lon"], first["kind"], first["format"]) == (
        46.106071,
        5.826008,
        "Principal",
        "Fixe",
    )
    assert second["code"] == "13055" and second["arm"] == "13203"
    assert second["address"] == "1 rue X, Bât. B, 13003 Marseille"


def test_tiers_lieux_split_into_one_row_per_place(tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "manuprox_geom.geojson",
        [
            feature(
                {
                    "id_geo": "58194",
                    "lib_geo": "Nevers",
                    "id_territoire": "manuprox-1-36; manuprox-1-46",
                    "liste_geo": "Nevers (58194)",
                    "lib_territoire": "Manufacture A; Manufacture B",
                },
                {"type": "Point", "coordinates": [3.16, 46.99]},
            ),
            feature(
                {
                    "id_geo": "71545",
                    "lib_geo": "Tramayes",
                    "id_territoire": "manuprox-1-26; manuprox-2-93",
                    "liste_geo": "Tramayes (71545)",
                    "lib_territoire": "Manufacture du Haut-Clunisois",
                }
            ),
            feature(
                {
                    "id_geo": "89419",
                    "lib_geo": "Toucy",
                    "id_territoire": "fabt-210",
                    "liste_geo": "Toucy (89419)",
                    "lib_territoire": "La Californie - Ressources &amp; Compétences",
                }
            ),
            feature(
                {
                    "id_geo": "97801",
                    "lib_geo": "NA",
                    "id_territoire": "fabt-364",
                    "liste_geo": "NA (97801)",
                    "lib_territoire": "ANIS",
                },
                {"type": "GeometryCollection", "geometries": []},
            ),
        ],
    )
    frame = anct.parse_manufactures(path, S["anct_manufactures"])
    assert frame["id"].tolist() == [
        "manuprox-1-36",
        "manuprox-1-46",
        "manuprox-1-26",
        "manuprox-2-93",
        "fabt-210",
    ]
    assert frame["label"].tolist()[:2] == ["Manufacture A", "Manufacture B"]
    assert frame["label"].tolist()[2:4] == ["Manufacture du Haut-Clunisois"] * 2
    assert frame["label"].iloc[4] == "La Californie - Ressources & Compétences"
    assert "97801" not in set(frame["code"])
    assert frame.loc[0, ["lat", "lon"]].tolist() == [46.99, 3.16]
    assert set(frame.columns) >= {"code", "lat", "lon", "label", "address", "kind"}


def test_centralites_bom_and_undefined(tmp_path: Path) -> None:
    path = tmp_path / "centralite.csv"
    path.write_bytes(
        "\ufeffinsee_com,lib_com,niveau_centralite\n"
        "01001,L'Abergement-Clémenciat,Communes non centre\n"
        "01004,Ambérieu-en-Bugey,Centre structurant d'équipements et de services\n"
        "75056,Paris,Centre majeur d'équipements et de services\n"
        "97101,Les Abymes, - undefined\n".encode()
    )
    frame = anct.parse_centralites(path, S["anct_centralites"]).set_index("code")
    assert frame["centralite_level"].tolist()[:3] == [0, 3, 4]
    assert pd.isna(frame.loc["97101", "centralite_level"]) and frame.loc["97101", "centralite_label"] == ""
    assert frame.loc["01004", "centralite_label"] == "Centre structurant d'équipements et de services"


def test_ruralites_strip_and_keep_hors_champ(tmp_path: Path) -> None:
    path = tmp_path / "ruralite.csv"
    path.write_bytes(
        "\ufeffinsee_com,lib_com,niveau_ruralite\n"
        "01001,L'Abergement-Clémenciat, Les ruralités résidentielles mixtes\n"
        "01004,Ambérieu-en-Bugey, Hors champ : DOM ou commune urbaine\n".encode()
    )
    frame = anct.parse_ruralites(path, S["anct_ruralites"])
    assert frame["ruralite_type"].tolist() == [
        "Les ruralités résidentielles mixtes",
        "Hors champ : DOM ou commune urbaine",
    ]


# --- the real files of the mirror -----------------------------------------------------------------


def _mirror(mirror_path: Path, sid: str) -> pd.DataFrame:
    return parse_source(S[sid], mirror_path / S[sid].mirror_path)


@pytest.mark.mirror
def test_frr_mirror(mirror_path: Path) -> None:
    frame = _mirror(mirror_path, "anct_frr")
    assert len(frame) == 34_875 and frame["code"].is_unique
    assert frame["frr"].value_counts().to_dict() == {
        "Non classée": 14_941,
        "FRR socle": 13_313,
        "FRR+": 4_456,
        "FRR bénéficiaire": 2_134,
        "Classée FRR partiellement": 20,
        "FRR bénéficiaire partiellement": 11,
    }


@pytest.mark.mirror
def test_pvd_va_acv_mirror(mirror_path: Path) -> None:
    pvd = _mirror(mirror_path, "anct_pvd")
    assert len(pvd) == 1_645 and pvd["code"].is_unique and pvd["pvd"].all()
    years = pvd["pvd_date"].str[:4].replace("", "none").value_counts().to_dict()
    assert years == {"2021": 1_563, "2022": 61, "none": 8, "2023": 6, "2024": 4, "2020": 3}
    assert pvd.set_index("code").loc["97106", "pvd_date"] == "2021-05-28"
    va = _mirror(mirror_path, "anct_va")
    assert len(va) == 2_498 and va["code"].is_unique
    acv = _mirror(mirror_path, "anct_acv")
    assert len(acv) == 245 and acv["acv_name"].nunique() == 232
    assert acv.set_index("code").loc["15014", "acv_name"] == "Aurillac-Arpajon-sur-Cère"


@pytest.mark.mirror
def test_france_services_mirror(mirror_path: Path) -> None:
    frame = _mirror(mirror_path, "anct_france_services")
    assert len(frame) == 2_845 and frame["id"].is_unique
    assert frame["kind"].value_counts().to_dict() == {"Principal": 2_721, "Antenne": 124}
    assert frame["format"].value_counts()["Fixe"] == 2_400
    assert frame["lat"].between(-21.4, 51.1).all() and frame["lon"].between(-63.2, 55.8).all()
    assert (frame["address"] != "").all() and (frame["label"] != "").all()
    assert not frame["code"].map(is_arm).any()  # arrondissements carried to their commune


@pytest.mark.mirror
def test_tiers_lieux_mirror(mirror_path: Path) -> None:
    fabriques = _mirror(mirror_path, "anct_fabriques")
    assert len(fabriques) == 381 and fabriques["id"].nunique() == 381  # 382 ids, 97801 has no point
    assert fabriques["code"].nunique() == 341
    manufactures = _mirror(mirror_path, "anct_manufactures")
    assert len(manufactures) == 111 and manufactures["code"].nunique() == 98


@pytest.mark.mirror
def test_centralites_ruralites_mirror(mirror_path: Path) -> None:
    centr = _mirror(mirror_path, "anct_centralites")
    assert len(centr) == 34_875
    assert centr["centralite_level"].value_counts(dropna=False).to_dict() == {
        0: 23_975,
        1: 7_007,
        2: 2_880,
        3: 742,
        4: 142,
        pd.NA: 129,
    }
    rur = _mirror(mirror_path, "anct_ruralites")
    counts = rur["ruralite_type"].value_counts()
    assert counts["Hors champ : DOM ou commune urbaine"] == 4_240
    assert counts["Commune dont le périmètre a changé depuis la réalisation de la typologie"] == 74
    assert len(counts) == 10 and not rur["ruralite_type"].str.startswith(" ").any()
