"""Every figure of a fiche true of its territory, recomputed here from the communes' counts (mirror base)."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from sentiers.base.catalogue import CATALOGUE
from sentiers.briefing.assemble import build_briefing
from sentiers.briefing.compare import build_comparison, render_compare_html, render_compare_xlsx
from sentiers.briefing.render import render_html, render_pdf

pytestmark = pytest.mark.mirror

# CC du Diois (26), CC Creuse Sud-Ouest (23), Métropole de Lyon ; the départements of Die, Gap, Guéret
EPCI = ("242600534", "200067213", "200046977")
DEPARTEMENTS = {"26": "26113", "05": "05061", "23": "23096"}


def number(text: str) -> float:
    """'1,24' -> 1.24 (a figure as the fiche prints it)."""
    return float(re.sub(r"[^\d,\-]", "", text.replace("\u202f", "")).replace(",", "."))


def recompute(members: pd.DataFrame, key: str) -> float | None:
    entry = CATALOGUE[key]
    if not entry.numerator or entry.numerator not in members or entry.denominator not in members:
        return None
    num = pd.to_numeric(members[entry.numerator], errors="coerce").sum()
    den = pd.to_numeric(members[entry.denominator], errors="coerce").sum()
    return num / den * entry.factor if den > 0 else None


@pytest.mark.parametrize("siren", EPCI)
def test_epci_rates_are_recomputed_from_counts_or_shown_with_coverage(mirror_base, siren):
    fiche = build_briefing(mirror_base, siren, "epci", with_map=False)
    members = mirror_base.communes[mirror_base.communes["epci"] == siren]
    for row in fiche.indicators:
        if row.missing:
            assert row.note, row.key
            continue
        expected = recompute(members, row.key)
        if expected is not None:
            assert row.value == pytest.approx(expected, rel=1e-9), row.key
        if row.key in ("median_income", "poverty_rate", "pensions_share"):
            published = members[row.key].notna()
            if not published.all():  # partial coverage is said, never hidden
                assert "publié pour" in row.note, (row.key, row.note)
            # never one member's value passed off as the EPCI's
            if published.sum() == 1:
                assert row.value is None
    for service in fiche.services:
        if service.present is not None:
            assert service.population_share is not None and "commune" in service.text


@pytest.mark.parametrize(("dep", "code"), DEPARTEMENTS.items())
def test_departement_column_is_the_departement_recomputed(mirror_base, dep, code):
    fiche = build_briefing(mirror_base, code, with_map=False)
    members = mirror_base.communes[mirror_base.communes["departement"] == dep]
    for row in fiche.indicators:
        expected = recompute(members, row.key)
        if expected is not None and row.departement is not None:
            assert row.departement == pytest.approx(expected, rel=1e-9), row.key
        if row.key == "poverty_rate":  # published for a minority of communes: not the département's rate
            assert row.departement is None or "publié pour" in row.note


def test_a_six_inhabitant_commune_is_flagged_not_ranked(mirror_base):
    fiche = build_briefing(mirror_base, "26030", with_map=False)  # La Bâtie-des-Fonds
    flagged = {row.key for row in fiche.indicators if row.small}
    assert {"unemployment_rate", "business_density"} <= flagged
    for row in fiche.indicators:
        if row.small:
            assert "Effectif faible" in row.note
    unemployment = next(row for row in fiche.indicators if row.key == "unemployment_rate")
    assert "calculé sur 1 actif de 15 à 64 ans ;" in unemployment.note, unemployment.note  # singular
    html = render_html(fiche)
    assert "effectif faible" in html
    # « En bref » lists the first missing services and counts the rest (no « …. »)
    missing = next(f for f in fiche.summary if f.startswith("Services absents"))
    assert "…" not in missing and re.search(r" et \d+ autres?\.$", missing), missing


def test_services_come_with_rates_per_1000_beside_the_references(mirror_base):
    fiche = build_briefing(mirror_base, "26113", with_map=False)  # Die
    gp = next(s for s in fiche.services if s.key == "medecin")
    die = mirror_base.communes.set_index("code").loc["26113"]
    assert number(gp.per_1000_text) == pytest.approx(die["bpe_d201"] / die["population"] * 1000, abs=0.01)
    assert gp.departement_per_1000_text != "—" and gp.france_per_1000_text != "—"


@pytest.mark.parametrize("code", ["15141", "15031", "26030", "62447"])
def test_special_communes_read_true(mirror_base, code):
    fiche = build_briefing(mirror_base, code, with_map=False)
    by_key = {row.key: row for row in fiche.indicators}
    if code == "15141":
        assert by_key["unemployment_rate"].missing and "ancien territoire" in by_key["unemployment_rate"].note
        assert by_key["density"].missing and "ancien territoire" in by_key["density"].note
        assert "ancien territoire" in fiche.verdict.detail
        # the restored communes are named, not only coded: a person reads « Celles (15031) »
        said = " ".join(fiche.warnings) + by_key["unemployment_rate"].note
        for restored in (
            "Celles (15031)",
            "Chalinargues (15035)",
            "Chavagnac (15047)",
            "Sainte-Anastasie (15171)",
        ):
            assert restored in said, said
    if code == "15031":
        assert by_key["unemployment_rate"].missing and "rétablie" in by_key["unemployment_rate"].note
        assert any("Neussargues-Moissac (15141)" in w for w in fiche.warnings), fiche.warnings
    if code == "62447":
        density = by_key["density"].value
        assert density is not None and 150 < density < 260  # about 211 inhabitants per km² (not 5,000)


def test_no_command_line_in_any_document(mirror_base, embedded_base):
    documents = []
    for base in (mirror_base, embedded_base):
        for code, level in (("26113", "commune"), ("242600534", "epci"), ("15141", "commune")):
            fiche = build_briefing(base, code, level, with_map=False)
            documents.append(render_html(fiche))
            pdf = PdfReader(io.BytesIO(render_pdf(fiche)))
            documents.append(" ".join(page.extract_text() for page in pdf.pages))
        comparison = build_comparison(base, ["26113", "05061"], with_maps=False)
        documents.append(render_compare_html(comparison))
        book = load_workbook(io.BytesIO(render_compare_xlsx(comparison)))
        documents.append(
            " ".join(str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c)
        )
    for text in documents:
        assert "uv run" not in text and "sentiers data" not in text
        body = text.split("<style>")[0] + text.split("</style>")[-1]
        assert "`" not in body


def test_no_aggregate_is_one_members_value(mirror_base):
    """CC du Diois: only Die's poverty rate is published; the EPCI's is not Die's."""
    fiche = build_briefing(mirror_base, "242600534", "epci", with_map=False)
    die = mirror_base.communes.set_index("code").loc["26113"]
    for key in ("poverty_rate", "pensions_share"):
        row = next(r for r in fiche.indicators if r.key == key)
        assert row.value is None or not np.isclose(row.value, die[key]), key


@pytest.fixture(scope="module")
def raw_comparateur(mirror_path):
    """The comparateur read here from the official zip, without the project's parser."""
    import zipfile

    with zipfile.ZipFile(mirror_path / "indicators" / "base_cc_comparateur_csv.zip") as zf:
        name = next(n for n in zf.namelist() if n.lower().startswith("base_cc_comparateur"))
        columns = ["CODGEO", "P18_LOG", "P18_RSECOCC", "P18_LOGVAC", "P18_CHOM1564", "P18_ACT1564"]
        frame = pd.read_csv(zf.open(name), sep=";", dtype={"CODGEO": str}, usecols=columns)
    # the file's geography is older: a commune merged since is carried onto the one it joined (COG 2025)
    cog = pd.read_csv(mirror_path / "insee" / "v_commune_2025.csv", dtype=str)
    current = set(cog.loc[cog["TYPECOM"] == "COM", "COM"])
    parts = cog[cog["TYPECOM"].isin(["COMD", "COMA"]) & ~cog["COM"].isin(current)]
    joined = dict(zip(parts["COM"], parts["COMPARENT"], strict=True))
    frame["CODGEO"] = frame["CODGEO"].map(lambda c: joined.get(c, c))
    return frame.groupby("CODGEO").sum()


RAW_RATES = {  # indicator -> (numerator, denominator) in the raw file
    "unemployment_rate": ("P18_CHOM1564", "P18_ACT1564"),
    "vacancy_share": ("P18_LOGVAC", "P18_LOG"),
    "secondary_homes_share": ("P18_RSECOCC", "P18_LOG"),
}


@pytest.mark.parametrize("siren", EPCI)
def test_epci_rates_equal_the_official_file_summed_by_an_independent_reader(
    mirror_base, raw_comparateur, siren
):
    """The EPCI's rates of the fiche are the raw file's counts summed over its communes (read without the parsers)."""
    fiche = build_briefing(mirror_base, siren, "epci", with_map=False)
    members = mirror_base.communes.loc[mirror_base.communes["epci"] == siren, "code"].astype(str)
    present = [c for c in members if c in raw_comparateur.index]
    if len(present) < len(members):
        pytest.skip(
            f"{len(members) - len(present)} communes of {siren} changed code since the file's geography"
        )
    rows = raw_comparateur.loc[present]
    shown = {row.key: row.value for row in fiche.indicators}
    for key, (num, den) in RAW_RATES.items():
        assert shown[key] == pytest.approx(rows[num].sum() / rows[den].sum() * 100, rel=1e-9), key


@pytest.mark.parametrize(("dep", "code"), DEPARTEMENTS.items())
def test_departement_rates_equal_the_official_file_summed_by_an_independent_reader(
    mirror_base, raw_comparateur, dep, code
):
    fiche = build_briefing(mirror_base, code, with_map=False)
    rows = raw_comparateur[raw_comparateur.index.str.startswith(dep) & (raw_comparateur.index.str.len() == 5)]
    shown = {row.key: row.departement for row in fiche.indicators}
    for key, (num, den) in RAW_RATES.items():
        assert shown[key] == pytest.approx(rows[num].sum() / rows[den].sum() * 100, rel=1e-6), key
