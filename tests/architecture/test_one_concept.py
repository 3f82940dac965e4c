"""One concept, one module (issue 10): the places that hold a concept are the only ones that define it.

Read on the source, like the import rules: a second copy of one of these fails here before it drifts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for d in ("sentiers", "app_pages") for p in (ROOT / d).rglob("*.py")) + [ROOT / "app.py"]

# (what, regular expression, the only files allowed to hold it)
CONCEPTS = [
    ("straight-line distance", r"^\s*def \w*haversine\w*\(", {"sentiers/geometry.py"}),
    ("formula defusing", r"^\s*def \w*defuse\w*\(", {"sentiers/exports.py"}),
    ("département normaliser", r"^\s*def normali[sz]e_dep\w*\(", {"sentiers/base/codes.py"}),
    ("coverage simplification", r"coverage_simplify|\.simplify\(", {"sentiers/geometry.py"}),
    ("EPCI rural threshold", r"^EPCI_RURAL_\w+ =", {"sentiers/base/aggregate.py"}),
    ("density colours", r"^DENSITY_COLOU?RS\b", {"sentiers/maps/palettes.py"}),
    ("progress bars (tqdm)", r"^\s*(from tqdm|import tqdm)", {"sentiers/cli/support.py"}),
    ("where a missing layer is loaded", r"page d'accueil de Sentiers", {"sentiers/base/sources.py"}),
    ("why a search names no territory", r"Territoire introuvable\.", {"sentiers/base/lookup.py"}),
    (
        "XLSX workbook writing",
        # writing only: sentiers/upload.py names the parts of a workbook it reads (bounded)
        r"writestr\(f?[\"']xl/worksheets/|openpyxl\.Workbook\(|Workbook\(\)|import xlsxwriter",
        {"sentiers/exports.py"},
    ),
]


@pytest.mark.parametrize(("what", "pattern", "owners"), CONCEPTS, ids=[c[0] for c in CONCEPTS])
def test_one_module_holds_the_concept(what: str, pattern: str, owners: set[str]) -> None:
    regex = re.compile(pattern, re.MULTILINE)
    holders = {str(p.relative_to(ROOT)) for p in SOURCES if regex.search(p.read_text(encoding="utf-8"))}
    assert holders <= owners, f"{what}: also in {sorted(holders - owners)} (owner: {sorted(owners)})"
    assert holders, f"{what}: the owner {sorted(owners)} no longer holds it (update this test)"
