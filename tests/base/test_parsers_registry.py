"""Every registry entry names a parser function that exists, and each parser names its source on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiers.base.sources import SOURCES
from sentiers.errors import SourceError

MODULES = (
    "sentiers.base.parsers.rurality",
    "sentiers.base.parsers.anct",
    "sentiers.base.parsers.indicators",
    "sentiers.base.parsers.boundaries",
)
OURS = [s for s in SOURCES if s.parser.partition(":")[0] in MODULES]


def test_parsers_exist() -> None:
    assert len(OURS) >= 25
    for source in OURS:
        assert callable(source.parse_function()), source.parser


@pytest.mark.parametrize("source", OURS, ids=[s.id for s in OURS])
def test_html_error_page_is_rejected_with_the_source_id(tmp_path: Path, source) -> None:
    path = tmp_path / source.filename
    path.write_text(
        "<!DOCTYPE html><html><head><title>503</title></head><body>Service indisponible</body></html>",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as err:
        source.parse_function()(path, source)
    assert err.value.source_id == source.id
