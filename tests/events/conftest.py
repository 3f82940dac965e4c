"""Registrations generated from a real base (the embedded one: always there), written as the form tools do."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from sentiers.matching.profile import DEFIS, PUBLICS

DEFI_SLUGS = list(DEFIS)
DEFI_TITLES = list(DEFIS.values())


@pytest.fixture(scope="session")
def base(embedded_base):
    return embedded_base


def territories_rows(base, n: int, seed: int = 0) -> list[dict[str, str]]:
    """n territories: communes given by code (some by name with their département), one or two défis each."""
    rng = np.random.default_rng(seed)
    communes = base.communes[["code", "name", "departement"]].sample(n, random_state=seed)
    rows = []
    for k, (code, name, dep) in enumerate(communes.itertuples(index=False)):
        defis = rng.choice(len(DEFI_SLUGS), size=int(rng.integers(1, 3)), replace=False)
        rows.append(
            {
                "Nom de la collectivité": f"Mairie de {name} #{k}",
                "Commune ou EPCI": code if k % 3 else f"{name} ({dep})",
                "Défi(s)": " ; ".join(DEFI_TITLES[d] if k % 2 else DEFI_SLUGS[d] for d in defis),
                "Besoin": f"besoin {k}",
                "Publics concernés": ", ".join(rng.choice(list(PUBLICS.values()), size=1)),
                "Rôle du contact": "Maire",
                "Courriel": f"contact{k}@mairie.example",
            }
        )
    return rows


def structures_rows(base, n: int, seed: int = 1) -> list[dict[str, str]]:
    rng = np.random.default_rng(seed)
    seats = base.communes["code"].sample(n, random_state=seed).tolist()
    deps = sorted(base.communes["departement"].unique())
    rows = []
    for k in range(n):
        defis = rng.choice(len(DEFI_SLUGS), size=int(rng.integers(1, 3)), replace=False)
        rows.append(
            {
                "Structure": f"Structure {k}",
                "Défis": ", ".join(DEFI_SLUGS[d] for d in defis),
                "Mode d'essaimage": ["antenne", "dissémination", ""][k % 3],
                "Départements visés": ", ".join(rng.choice(deps, size=3, replace=False)),
                "Commune du siège": seats[k],
                "Publics": ", ".join(rng.choice(list(PUBLICS), size=2, replace=False)),
            }
        )
    return rows


def to_csv(rows: list[dict[str, str]], encoding: str = "utf-8", sep: str = ";") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=sep)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def to_xlsx(rows: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
