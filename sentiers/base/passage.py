"""Code passage: carry a layer published on an older geography onto the current communes.

Counts are summed, rates and medians are re-weighted, classes take the predecessor with the largest
population (its own population, never the merged one), the density level follows INSEE's rule on the
predecessors' population-weighted shares (``grid``); every value so derived is listed in the derivations
table (code, layer, method, predecessors, predecessor values).
A commune restored from a commune nouvelle (a split) inherits only the classes of the commune it was
part of, flagged as such; its counts and programme memberships stay unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

MAX_HOPS = 6
DERIVATION_COLUMNS = ["code", "layer", "method", "predecessors", "predecessor_values"]


def _text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "?"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def resolve_chains(old_to_new: Mapping[str, str], current: set[str]) -> dict[str, str]:
    """Follow old -> newer -> current code chains (a commune merged twice)."""
    resolved: dict[str, str] = {}
    for old, new in old_to_new.items():
        target, hops = new, 0
        while target not in current and target in old_to_new and hops < MAX_HOPS:
            target, hops = old_to_new[target], hops + 1
        if target in current:
            resolved[old] = target
    return resolved


def carry_to_current(
    frame: pd.DataFrame,
    carry: Mapping[str, str],
    layer: str,
    current: Iterable[str],
    old_to_new: Mapping[str, str],
    split_parent: Mapping[str, str],
    weights: Mapping[str, float],
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Return (values indexed by current code, derivations, unresolved source codes)."""
    current_set = set(current)
    f = frame.copy()
    # object dtype: isin/map on pandas 3 string columns are much slower with sets of codes
    f["code"] = f["code"].astype(str).astype(object)
    in_current = f["code"].isin(current_set)
    f["target"] = f["code"].where(in_current, f["code"].map(old_to_new))
    unresolved = sorted(f.loc[f["target"].isna(), "code"].tolist())
    f = f.dropna(subset=["target"])
    f["weight"] = f["code"].map(weights).fillna(0.0).astype(float)

    counts = f.groupby("target")["code"].agg(["size", "first"])
    simple_targets = counts.index[(counts["size"] == 1) & (counts["first"] == counts.index)]
    simple = f[f["target"].isin(simple_targets)].set_index("target")
    complex_rows = f[~f["target"].isin(simple_targets)]

    columns = [c for c in carry if c in f.columns]
    out = simple[columns].copy()
    derivations = []
    if len(complex_rows):
        merged = _aggregate(complex_rows, carry, columns)
        out = pd.concat([out, merged])
        # the predecessors' own values of the layer's first class column (e.g. their density levels)
        shown = next((c for c in columns if carry[c] in ("class", "grid")), None)
        for target, group in complex_rows.groupby("target"):
            codes = group["code"].tolist()
            method = "fusion" if len(codes) > 1 else "changement de code"
            values = (
                " ".join(f"{c}:{_text(v)}" for c, v in zip(group["code"], group[shown], strict=True))
                if shown
                else ""
            )
            derivations.append((target, layer, method, " ".join(codes), values))

    # restored communes (split from a commune nouvelle): classes only
    missing = [c for c in current_set - set(out.index) if c in split_parent]
    rows = []
    for code in sorted(missing):
        parent = split_parent[code]
        parent_target = parent if parent in out.index else None
        if parent_target is None:
            continue
        inherited = [col for col in columns if carry[col] in ("class", "grid")]
        if not inherited:
            continue  # nothing describes the place: counts and memberships (PVD...) are not inherited
        # a class (density level, AAV...) describes the place and is inherited from the former commune
        inherited_values = {
            col: out.at[parent_target, col] if col in inherited else np.nan for col in columns
        }
        rows.append(pd.Series(inherited_values, name=code))
        shown = _text(inherited_values[inherited[0]])
        derivations.append((code, layer, "scission", parent, f"{parent}:{shown}"))
    if rows:
        out = pd.concat([out, pd.DataFrame(rows)])
    out.index.name = "code"
    deriv = pd.DataFrame(derivations, columns=DERIVATION_COLUMNS)
    return out, deriv, unresolved


def _aggregate(rows: pd.DataFrame, carry: Mapping[str, str], columns: list[str]) -> pd.DataFrame:
    grouped = rows.groupby("target", sort=False)
    result = {}
    # predecessor with the largest population, for classes
    dominant = rows.sort_values("weight", ascending=False).drop_duplicates("target").set_index("target")
    for col in columns:
        method = carry[col]
        if method == "sum":
            result[col] = grouped[col].sum(min_count=1)
        elif method.startswith("wmean"):
            wcol = method.partition(":")[2]
            w = rows[wcol] if wcol and wcol in rows else rows["weight"]
            v = pd.to_numeric(rows[col], errors="coerce")
            ok = v.notna() & w.notna()
            num = (v * w).where(ok).groupby(rows["target"]).sum(min_count=1)
            den = w.where(ok).groupby(rows["target"]).sum(min_count=1)
            result[col] = num / den.replace(0, np.nan)
        elif method == "class":
            result[col] = dominant[col]
        elif method == "grid":
            result[col] = _grid_levels(rows, grouped)
        elif method == "any":
            result[col] = grouped[col].agg(lambda s: bool(s.fillna(False).astype(bool).any()))
        elif method == "max":
            result[col] = grouped[col].max()
        elif method == "first":
            result[col] = grouped[col].agg(
                lambda s: next((x for x in s if isinstance(x, str) and x), s.iloc[0])
            )
        else:  # pragma: no cover - registry entries are checked by a test
            raise ValueError(f"unknown carry method {method!r}")
    return pd.DataFrame(result)


def _grid_levels(rows: pd.DataFrame, grouped) -> pd.Series:
    """INSEE's rule on the predecessors' shares weighted by their population in the grid file."""
    from sentiers.base.schema import DENSITY_SHARE_COLUMNS, density_level_from_shares

    if not all(c in rows for c in DENSITY_SHARE_COLUMNS) or "density_population" not in rows:
        # no shares in the file: the level of the most populated predecessor
        dominant = rows.sort_values("weight", ascending=False).drop_duplicates("target").set_index("target")
        return dominant["density_level"]
    population = pd.to_numeric(rows["density_population"], errors="coerce").fillna(0.0)
    shares = rows[list(DENSITY_SHARE_COLUMNS)].apply(pd.to_numeric, errors="coerce").fillna(0.0)
    weighted = shares.mul(population, axis=0).groupby(rows["target"]).sum()
    totals = population.groupby(rows["target"]).sum()
    mean = weighted.div(totals.where(totals > 0), axis=0).fillna(0.0)
    return pd.Series(density_level_from_shares(mean.to_numpy()), index=mean.index)
