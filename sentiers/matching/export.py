"""Shortlist tables with French headers, written by the one writer (:mod:`sentiers.exports`: French CSV, typed XLSX,
no live formula)."""

from __future__ import annotations

import pandas as pd

from sentiers import exports
from sentiers.base.catalogue import CATALOGUE
from sentiers.matching.score import Ranking, dependence_text, leading_group, missing_of, robustness_text


def shortlist_table(ranking: Ranking, top: int | None = None) -> pd.DataFrame:
    """The ranked shortlist as a table a person reads: one row per candidate, French headers."""
    return ranking.memo(("shortlist", top), lambda: _shortlist_table(ranking, top)).copy()


def _shortlist_table(ranking: Ranking, top: int | None) -> pd.DataFrame:
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
        }
    )
    records = rows.to_dict("records")
    if ranking.check is not None:
        k = ranking.check.k
        table[f"Variantes où il est {leading_group(k)} (sur {ranking.check.variants})"] = rows[
            "robust_hits"
        ].to_numpy()
        table["Robustesse"] = [robustness_text(ranking, rec) for rec in records]
        table["Dépend surtout de"] = [dependence_text(ranking, rec) for rec in records]
        table[f"Ex aequo avec le {k}e (à moins de 0,5 point)"] = [
            "oui" if rec.get("ex_aequo") else "" for rec in records
        ]
    for crit in ranking.criteria:
        entry = CATALOGUE[crit.indicator]
        table[f"Points — {entry.label}"] = rows[f"pts:{crit.indicator}"].round(2).to_numpy()
    for crit in ranking.criteria:
        entry = CATALOGUE[crit.indicator]
        table[f"Valeur — {entry.label} ({entry.unit})"] = rows[f"val:{crit.indicator}"].round(3).to_numpy()
        if f"raw:{crit.indicator}" in rows:  # a rate scored shrunk: the measured value beside it
            table[f"Mesuré — {entry.label} ({entry.unit})"] = (
                rows[f"raw:{crit.indicator}"].round(3).to_numpy()
            )
    table["Valeurs manquantes"] = [
        ", ".join(
            CATALOGUE[i].label + (" (valeur de l'EPCI)" if rec.get(f"imp:{i}") else "")
            for i in missing_of(rec, ranking.criteria)
        )
        for rec in rows.to_dict("records")
    ]
    return table


def sources_table(ranking: Ranking) -> pd.DataFrame:
    """Criteria, weights and the source and vintage of each (second sheet of the XLSX)."""
    total = float(ranking.weights.sum()) or 1.0
    constant = {c["indicator"]: c["reason"] for c in ranking.constant}
    return pd.DataFrame(
        [
            {
                "Critère": CATALOGUE[c.indicator].label,
                "Indicateur": c.indicator,
                "Poids": c.weight,
                "Part du poids": round(float(w) / total, 4),
                "Sens": c.direction,
                "Cible": c.target,
                "Remarque": constant.get(c.indicator, ""),
                "Source et millésime": ranking.sources.get(c.indicator, ""),
            }
            for c, w in zip(ranking.criteria, ranking.weights, strict=True)
        ]
    )


DECIMALS = {"Rang": 0, "Population": 0, "Score (0-100)": 1}


def _decimals(table: pd.DataFrame) -> dict[str, int]:
    out = dict(DECIMALS)
    for column in table.columns:
        if str(column).startswith("Variantes"):
            out[str(column)] = 0
    return out


def to_csv_bytes(ranking: Ranking, top: int | None = None) -> bytes:
    """The shortlist as a French CSV (UTF-8 with BOM, semicolons, decimal comma); made once per ranking."""
    return ranking.memo(("csv", top), lambda: _csv_bytes(ranking, top))


def _csv_bytes(ranking: Ranking, top: int | None) -> bytes:
    table = shortlist_table(ranking, top)
    return exports.to_csv_bytes(table, _decimals(table))


def to_xlsx_bytes(ranking: Ranking, top: int | None = None) -> bytes:
    """The shortlist, the criteria with their sources, and the funnel, as three sheets; made once per ranking."""
    return ranking.memo(("xlsx", top), lambda: _xlsx_bytes(ranking, top))


def _xlsx_bytes(ranking: Ranking, top: int | None) -> bytes:
    table = shortlist_table(ranking, top)
    funnel = pd.DataFrame(ranking.funnel).rename(
        columns={"constraint": "Contrainte", "removed": "Écartés", "remaining": "Restants"}
    )
    return exports.to_xlsx_bytes(
        [
            exports.Sheet("Classement", table, decimals=_decimals(table), widths={"Nom": 28}),
            exports.Sheet("Critères et sources", sources_table(ranking), decimals={"Part du poids": 3}),
            exports.Sheet(
                "Entonnoir", funnel, decimals={"Écartés": 0, "Restants": 0}, widths={"Contrainte": 60}
            ),
        ]
    )
