"""Downloads against a local HTTP server, and the update that keeps the previous good file."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from sentiers.base.fetch import download, validate_content
from sentiers.base.sources import SOURCES_BY_ID
from sentiers.errors import SourceError

EPCI = SOURCES_BY_ID["etalab_epci"]
GRID = SOURCES_BY_ID["insee_grille_densite_2024"]


@pytest.fixture
def server(http_server):
    return http_server


def epci_json() -> bytes:
    epci = [
        {
            "code": "200000172",
            "nom": "CC Faucigny-Glières",
            "type": "CC",
            "membres": [{"code": f"74{i:03d}", "nom": "x"} for i in range(1, 3)],
        }
    ]
    return json.dumps(epci).encode()


def test_download_writes_the_file(server, tmp_path):
    url, routes = server
    routes["/epci.json"] = (200, {}, epci_json())
    path = download(EPCI, f"{url}/epci.json", tmp_path)
    assert path.read_bytes() == epci_json()
    validate_content(EPCI, path)


def test_http_error_names_the_source(server, tmp_path):
    url, _ = server
    with pytest.raises(SourceError, match="etalab_epci.*404"):
        download(EPCI, f"{url}/missing.json", tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing half-written left behind


def test_truncated_download_is_rejected(server, tmp_path):
    url, routes = server
    routes["/epci.json"] = (200, {"Content-Length": "100000"}, epci_json())
    with pytest.raises(SourceError):
        download(EPCI, f"{url}/epci.json", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_html_error_page_instead_of_a_workbook(tmp_path):
    page = tmp_path / "grid.xlsx"
    page.write_text("<!DOCTYPE html><html><head><title>Erreur</title></head><body>503</body></html>")
    with pytest.raises(SourceError, match="page HTML"):
        validate_content(GRID, page)


def test_truncated_workbook_is_rejected(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>" * 2000)
    truncated = tmp_path / "grid.xlsx"
    truncated.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(SourceError, match="archive|XLSX"):
        validate_content(GRID, truncated)


def epci_file_for(communes, overrides: dict[str, str]) -> bytes:
    """An epci.json in Etalab's layout covering every commune (EPCI of the embedded base, with overrides)."""
    groups: dict[str, list[dict]] = {}
    for code, epci in zip(communes["code"], communes["epci"].fillna("000000000"), strict=True):
        groups.setdefault(overrides.get(code, epci), []).append({"code": code})
    return json.dumps(
        [{"code": k, "nom": f"EPCI {k}", "type": "CC", "membres": v} for k, v in groups.items()]
    ).encode()


@pytest.mark.slow
def test_update_keeps_the_previous_good_file_and_base(server, tmp_path, use_home, embedded_base):
    """A source that fails after a good one: the previous file, layer and base stay."""
    from sentiers.base import open_base
    from sentiers.base.update import update_sources

    use_home(tmp_path)
    url, routes = server
    routes["/epci.json"] = (200, {}, epci_file_for(embedded_base.communes, {"01001": "200029999"}))
    first = update_sources(only=["etalab_epci"], urls={"etalab_epci": f"{url}/epci.json"})
    assert first.updated == ["etalab_epci"], first.failures
    assert first.base.communes.set_index("code").loc["01001", "epci"] == "200029999"

    routes["/epci.json"] = (200, {}, b"<html><body>Service indisponible</body></html>")
    second = update_sources(only=["etalab_epci"], urls={"etalab_epci": f"{url}/epci.json"})
    assert second.failures and second.failures[0][0] == "etalab_epci"
    assert "HTML" in second.failures[0][1]
    assert second.kept == ["etalab_epci"]
    reloaded = open_base(Path(tmp_path), build_if_missing=False)
    assert reloaded.communes.set_index("code").loc["01001", "epci"] == "200029999"
    assert reloaded.layer("epci")["origin"] == "official"


def test_a_workbook_with_too_many_shared_texts_is_refused_before_calamine(tmp_path, monkeypatch):
    import sentiers.base.fetch as fetch

    monkeypatch.setattr(fetch, "MAX_SHEET_CELLS", 1_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", '<worksheet><sheetData><row r="1"/></sheetData></worksheet>')
        zf.writestr("xl/sharedStrings.xml", "<sst>" + "<si><t>x</t></si>" * 1_001 + "</sst>")
    path = tmp_path / "grid.xlsx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(SourceError, match="textes partagés"):
        fetch.check_zip(GRID, io.BytesIO(path.read_bytes()))
    monkeypatch.setattr(fetch, "MAX_SHEET_CELLS", 1_001)
    fetch.check_zip(GRID, io.BytesIO(path.read_bytes()))  # at the limit: accepted
