"""Indicator rates computed from counts after the code passage (never averages of rates)."""

from __future__ import annotations

import numpy as np
import pandas as pd

INT_PREFIXES = ("bpe_",)
INT_COLUMNS = {"france_services", "fabriques", "manufactures"}
BOOL_COLUMNS = {"pvd", "va", "acv"}
STRING_COLUMNS = {
    "frr",
    "pvd_date",
    "acv_name",
    "aav2020",
    "aav2020_name",
    "cateaav2020",
    "taav2017",
    "tuu2017",
    "uu2020",
    "uu2020_name",
    "uu_status",
    "bv2022",
    "bv2022_name",
    "centralite_label",
    "ruralite_type",
    "epci_name",
    "epci_type",
}

# rate column -> (numerator, denominator, factor)
RATES: dict[str, tuple[str, str, float]] = {
    "secondary_homes_share": ("secondary_homes", "dwellings", 100.0),
    "vacancy_share": ("vacant_homes", "dwellings", 100.0),
    "unemployment_rate": ("unemployed_15_64", "active_15_64", 100.0),
    "jobs_per_active": ("jobs", "active_15_64", 1.0),
    "business_density": ("establishments", "pop_2018", 1000.0),
    "share_65_plus": ("pop_65_plus", "pop_age_total", 100.0),
    "share_75_plus": ("pop_75_plus", "pop_age_total", 100.0),
    "share_0_14": ("pop_0_14", "pop_age_total", 100.0),
}


def ratio(numerator: pd.Series, denominator: pd.Series, factor: float = 1.0) -> pd.Series:
    """numerator / denominator × factor, NaN where the denominator is 0 or missing."""
    num = pd.to_numeric(numerator, errors="coerce").astype(float)
    den = pd.to_numeric(denominator, errors="coerce").astype(float)
    return (num / den.where(den > 0)) * factor


def add_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Add every rate whose counts are present (works for communes and for summed EPCI rows)."""
    for name, (num, den, factor) in RATES.items():
        if num in frame and den in frame:
            frame[name] = ratio(frame[num], frame[den], factor)
    if "pop_2018" in frame and "pop_2013" in frame:
        p18 = pd.to_numeric(frame["pop_2018"], errors="coerce").astype(float)
        p13 = pd.to_numeric(frame["pop_2013"], errors="coerce").astype(float)
        # annual average change 2013-2018, in %
        frame["pop_change_pct"] = (np.power(p18 / p13.where(p13 > 0), 1 / 5) - 1) * 100
    return frame


def normalise_types(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Stable dtypes after a merge: nullable ints for counts, booleans for flags, strings for labels."""
    for col in columns:
        if col.startswith(INT_PREFIXES) or col in INT_COLUMNS:
            frame[col] = pd.array(pd.to_numeric(frame[col], errors="coerce").round(), dtype="Int64")
        elif col in BOOL_COLUMNS:
            frame[col] = frame[col].fillna(False).astype(bool)
        elif col in STRING_COLUMNS:
            frame[col] = frame[col].astype("string").fillna("")
        elif col == "density_level" or col == "centralite_level":
            frame[col] = pd.array(pd.to_numeric(frame[col], errors="coerce"), dtype="Int8")
        else:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame
