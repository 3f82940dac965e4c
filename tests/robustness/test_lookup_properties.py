"""Property tests of the query parser (sentiers.base.lookup): whatever is typed, a clear status, never a traceback."""

from __future__ import annotations

import string

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentiers.base.lookup import MAX_QUERY_CHARS, build_index, lookup, suggest

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# a small base the test builds: homonyms, articles, saints, Corsica, DROM, a merged commune
COMMUNES = pd.DataFrame(
    [
        ("26113", "Die", "26", 4500, "26150"),
        ("01001", "L'Abergement-Clémenciat", "01", 780, "01400"),
        ("65395", "Saint-Martin", "65", 300, "65360"),
        ("66184", "Saint-Martin", "66", 250, "66220"),
        ("83115", "Sainte-Maxime", "83", 14000, "83120"),
        ("2A004", "Ajaccio", "2A", 72000, "20000 20090"),
        ("97411", "Saint-Denis", "974", 153000, "97400 97490"),
        ("93066", "Saint-Denis", "93", 113000, "93200 93210"),
        ("49092", "Chemillé-en-Anjou", "49", 21000, "49120 49310"),
        ("75056", "Paris", "75", 2100000, "75001 75002"),
        ("12345", "Œuilly-lès-Bains", "12", 90, "12000"),
    ],
    columns=["code", "name", "departement", "population", "postal_codes"],
).assign(population_year=2023)
PASSAGES = pd.DataFrame(
    [("49001", "49092", "COMD", "cog"), ("49002", "49092", "COMD", "cog")],
    columns=["old_code", "code", "kind", "source"],
)
STATUSES = {"ok", "ambiguous", "not_found", "invalid"}


@pytest.fixture(scope="module")
def index():
    return build_index(COMMUNES, PASSAGES)


def check_result(index, result, query) -> None:
    assert result.status in STATUSES
    assert result.query == ("" if query is None else str(query))
    for code in result.codes:
        assert code in index.codes, code
    if result.status == "ok":
        assert len(result.codes) == 1
    elif result.status == "ambiguous":
        assert len(result.codes) >= 2
        assert result.message.strip()
    else:
        assert result.codes == []
        assert result.message.strip(), f"{result.status} without a message for {query!r}"
    for suggestion in result.suggestions:
        assert suggestion.code in index.codes


@SETTINGS
@given(query=st.text(max_size=400))
def test_any_text_gets_a_status_and_a_message(index, query):
    check_result(index, lookup(index, query), query)


@SETTINGS
@given(
    query=st.one_of(
        st.text(alphabet=string.digits + "ABab .-", max_size=12),
        st.from_regex(r"\A(cp|CP|insee|code postal) ?[:=]? ?[0-9AB]{0,6}\Z"),
        st.sampled_from(
            [
                "99999",
                "75000",
                "00000",
                "2C001",
                "97",
                "2A",
                "<script>alert(1)</script>",
                "'; DROP TABLE communes; --",
                "=cmd|' /C calc'!A0",
                "\x00\x01",
                "Die\n26",
            ]
        ),
    ),
    kind=st.sampled_from(["auto", "code", "postal", "name"]),
    departement=st.one_of(
        st.none(), st.text(max_size=6), st.sampled_from(["26", "2A", "974", "99", "", "  "])
    ),
)
def test_codes_kinds_and_departements_never_raise(index, query, kind, departement):
    check_result(index, lookup(index, query, kind=kind, departement=departement), query)


@SETTINGS
@given(query=st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.booleans()))
def test_non_text_queries_never_raise(index, query):
    result = lookup(index, query)
    assert result.status in STATUSES


def variants(name: str) -> st.SearchStrategy[str]:
    """What people type for a name: case, accents dropped, hyphens as spaces, St for Saint, no article."""
    import unicodedata

    def strip_accents(text: str) -> str:
        return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))

    forms = {
        name,
        name.upper(),
        name.lower(),
        strip_accents(name),
        name.replace("-", " "),
        name.replace("Saint-", "St-").replace("Sainte-", "Ste-"),
        name.replace("Saint-", "St ").replace("Sainte-", "Ste "),
        name.removeprefix("L'"),
        f"  {name}  ",
    }
    return st.sampled_from(sorted(forms))


@SETTINGS
@given(data=st.data(), row=st.sampled_from(list(COMMUNES.itertuples(index=False))))
def test_every_commune_is_found_by_its_name_variants(index, data, row):
    typed = data.draw(variants(row.name))
    result = lookup(index, typed)
    assert result.status in ("ok", "ambiguous"), (typed, result)
    assert row.code in result.codes, (typed, result)
    with_dep = lookup(index, f"{typed} ({row.departement})")
    assert with_dep.status == "ok" and with_dep.codes == [row.code], (typed, with_dep)


@pytest.mark.parametrize("code", COMMUNES["code"].tolist())
def test_every_code_finds_its_commune(index, code):
    result = lookup(index, code)
    assert result.status == "ok" and result.codes == [code]


def test_an_old_code_gives_the_current_commune_and_says_so(index):
    result = lookup(index, "49001")
    assert result.status == "ok" and result.codes == ["49092"]
    assert (result.note + result.message).strip()


def test_a_too_long_query_is_invalid_not_an_error(index):
    result = lookup(index, "a" * (MAX_QUERY_CHARS + 1))
    assert result.status == "invalid" and str(MAX_QUERY_CHARS) in result.message


@SETTINGS
@given(text=st.text(max_size=200), limit=st.integers(min_value=1, max_value=20))
def test_suggestions_never_raise_and_respect_the_limit(index, text, limit):
    found = suggest(index, text, limit=limit)
    assert len(found) <= limit
    assert all(candidate.code in index.codes for candidate in found)
