"""Shortlist exports (CSV, XLSX) with French headers; text cells are neutralised against formula injection."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from sentiers.base.catalogue import CATALOGUE
from sentiers.matching.score import Ranking, missing_of

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell starting like a formula gets a leading apostrophe (shown as text by spreadsheets)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def shortlist_table(ranking: Ranking, top: int | None = None, neutralised: bool = True) -> pd.DataFrame:
    """The ranked shortlist as a table a person reads: one row per candidate, French headers.

    ``neutralised`` (for files): text cells that look like formulas are prefixed with an apostrophe."""
    rows = ranking.top(top)
    level = "Commune" if ranking.level == "commune" else "EPCI"
    table = pd.DataFrame(
        {
            "Rang": rows["rank"].to_numpy(),
            f"Code {level}": rows["code"].astype(str).to_numpy(),
            "Nom": rows["name"].astype(str).to_numpy(),
            "Département": rows["departement"].astype(str).to_numpy(),
            "Population": rows["population"].to_numpy(),
            "Score (0-100)": rows["score"].round(2).to_numpy(),
            f"Robustesse (top {ranking.top_n})": rows["robustness"].round(3).to_numpy(),
        }
    )
    for crit in ranking.criteria:
        entry = CATALOGUE[crit.indicator]
        table[f"Points — {entry.label}"] = rows[f"pts:{crit.indicator}"].round(2).to_numpy()
    for crit in ranking.criteria:
        entry = CATALOGUE[crit.indicator]
        table[f"Valeur — {entry.label} ({entry.unit})"] = rows[f"val:{crit.indicator}"].round(3).to_numpy()
    table["Valeurs manquantes"] = [
        ", ".join(
            CATALOGUE[i].label + (" (valeur de l'EPCI)" if rec.get(f"imp:{i}") else "")
            for i in missing_of(rec, ranking.criteria)
        )
        for rec in rows.to_dict("records")
    ]
    return table.map(neutralise) if neutralised else table


def sources_table(ranking: Ranking) -> pd.DataFrame:
    """Criteria, weights and the source and vintage of each (second sheet of the XLSX)."""
    total = float(ranking.weights.sum()) or 1.0
    return pd.DataFrame(
        [
            {
                "Critère": CATALOGUE[c.indicator].label,
                "Indicateur": c.indicator,
                "Poids": c.weight,
                "Part du poids": round(c.weight / total, 4),
                "Sens": c.direction,
                "Cible": c.target,
                "Source et millésime": ranking.sources.get(c.indicator, ""),
            }
            for c in ranking.criteria
        ]
    ).map(neutralise)


def to_csv_bytes(ranking: Ranking, top: int | None = None) -> bytes:
    """UTF-8 with BOM and semicolons, as French spreadsheets expect."""
    return shortlist_table(ranking, top).to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def to_xlsx_bytes(ranking: Ranking, top: int | None = None) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        shortlist_table(ranking, top).to_excel(writer, sheet_name="Classement", index=False)
        sources_table(ranking).to_excel(writer, sheet_name="Critères et sources", index=False)
        pd.DataFrame(ranking.funnel).rename(
            columns={"constraint": "Contrainte", "removed": "Écartés", "remaining": "Restants"}
        ).map(neutralise).to_excel(writer, sheet_name="Entonnoir", index=False)
    return buffer.getvalue()
