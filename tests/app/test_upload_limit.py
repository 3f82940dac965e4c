"""The server refuses an upload larger than the largest file a page reads, before holding it in memory."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

from sentiers.rural.batch import MAX_BYTES

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def test_the_server_upload_limit_is_the_readers_limit_not_streamlits_200_mb():
    limit_mb = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["server"]["maxUploadSize"]
    largest_reader_mb = math.ceil(MAX_BYTES / 1024**2)
    assert largest_reader_mb <= limit_mb <= largest_reader_mb + 2
