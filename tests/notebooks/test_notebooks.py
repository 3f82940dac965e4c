"""The notebooks run from top to bottom (nbclient, the venv's python3 kernel), so they never rot.

Run once on the embedded base (always there) and once on the base built from the mirror (skipped without
SENTIERS_MIRROR); the notebook itself checks which layers it has and says what it skips.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def run_notebook(path: Path, home: Path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    old = os.environ.get("SENTIERS_HOME")
    old_backend = os.environ.pop("MPLBACKEND", None)  # importing streamlit sets it to Agg: no figure in outputs
    os.environ["SENTIERS_HOME"] = str(home)  # the kernel inherits the environment
    try:
        NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
        ).execute()
    finally:
        if old_backend is not None:
            os.environ["MPLBACKEND"] = old_backend
        if old is None:
            os.environ.pop("SENTIERS_HOME", None)
        else:
            os.environ["SENTIERS_HOME"] = old
    return nb


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.append(str(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def test_there_is_a_notebook():
    assert NOTEBOOKS, "notebooks/ holds no .ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_on_the_embedded_base(path, embedded_home):
    nb = run_notebook(path, embedded_home)
    text = outputs_text(nb)
    assert "34875 communes" in text or "communes" in text
    assert "data update" in text  # it says what is missing and how to get it


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_on_the_mirror_base(path, mirror_home):
    nb = run_notebook(path, mirror_home)
    text = outputs_text(nb)
    assert "des communes et" in text  # the rural shares of France were computed
    assert "départements couverts" in text
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert images, "the map of rural France was not drawn"
