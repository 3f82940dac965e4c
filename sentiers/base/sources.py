"""The registry of official sources: one entry per file, one parser per entry.

A parser is a function ``parse(path: Path, source: Source) -> pandas.DataFrame`` named by ``parser``
("module:function", imported lazily). It raises :class:`sentiers.errors.SourceError` when the file does not
hold what the entry promises (missing columns, wrong layout). Its output depends on ``kind``:

- ``communes``: one row per commune code of the source's geography (``geography_year``), a ``code``
  column (5-char str, arrondissements municipaux already dropped) plus the entry's ``columns``.
  ``carry`` says how each column is carried onto the current geography when codes merged:
  ``sum`` (counts), ``wmean:<weight column>`` (rates, medians: weighted mean, flagged), ``class``
  (the class of the predecessor with the largest population), ``any`` (booleans), ``max``, ``first``.
- ``points``: one row per point (France services...), columns ``code`` (commune), ``lat``, ``lon``,
  ``label`` and the entry's ``columns``.
- ``boundaries``: a GeoDataFrame (EPSG:4326) with ``code``, ``name`` and geometry.
- ``cog``: a commune list with columns ``code, type, name, departement, region, parent`` where type is
  COM / COMD / COMA (feeds identity and the code passage).
- ``geometry``: commune polygons, ``code`` + geometry (GeoDataFrame, EPSG:4326).

Several entries may feed the same ``layer`` (e.g. two vintages of the density grid): the present entry
with the highest ``rank`` is used and the manifest says which.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

LO2 = "Licence Ouverte / Etalab 2.0"

Kind = Literal["communes", "points", "boundaries", "cog", "geometry"]

# An update refuses a file whose parsed rows fall more than this share below the previous good file's (recorded in
# raw/index.json) or below the entry's ``expected_rows``: a CSV cut at a line boundary parses without error
# (FRR 34,875 -> 34,081 rows is a drop of 2.3 %, Filosofi 34,864 -> 34,254 one of 1.7 %). Mergers remove about
# 0.2 % of communes a year; a new edition that really has fewer rows is taken with
# ``sentiers data update --allow-drop SOURCE_ID``.
MAX_ROW_DROP = 0.01
# What an update may receive, per file: bytes downloaded (a declared Content-Length above it is refused before
# reading) and bytes once unpacked (zip members, gzip, a workbook's sheets), checked before any parser reads it.
# Generous for the official files (the mirror's largest is 4 MB; the BPE's zip is tens of MB), small enough to
# stop a bomb or an endless body before it fills the disk or the memory; an entry may set its own.
MAX_DOWNLOAD_BYTES = 400 * 1024 * 1024
MAX_UNPACKED_BYTES = 1536 * 1024 * 1024
# A workbook's sheet may span at most this many cells (rows x columns of the cells it names): calamine allocates
# the whole rectangle, so a 1.5 KB workbook naming A1 and XFD1048576 would ask for hundreds of GiB.
MAX_SHEET_CELLS = 20_000_000


@dataclass(frozen=True)
class Source:
    id: str
    layer: str
    title: str
    publisher: str
    url: str
    vintage: str
    licence: str
    format: Literal["csv", "xlsx", "zip", "json.gz", "json", "geojson", "geojson.gz"]
    filename: str
    parser: str
    kind: Kind = "communes"
    geography_year: int | None = None
    mirror_path: str | None = None
    min_rows: int = 1
    max_rows: int = 10_000_000
    # rows the parser read from the official file of this vintage (None: not known); see MAX_ROW_DROP
    expected_rows: int | None = None
    # bounds of what an update may receive for this entry (None: MAX_DOWNLOAD_BYTES, MAX_UNPACKED_BYTES)
    max_bytes: int | None = None
    max_unpacked_bytes: int | None = None
    columns: tuple[str, ...] = ()
    carry: dict[str, str] = field(default_factory=dict)
    rank: int = 0
    zip_member: str | None = None
    # the vintage year shown next to the figures of this layer (e.g. 2024 for the grid 2024)
    year: int | None = None
    # layers this entry replaces whole when it is parsed (one newer file for several older theme files)
    supersedes: tuple[str, ...] = ()

    @property
    def byte_cap(self) -> int:
        return self.max_bytes or MAX_DOWNLOAD_BYTES

    @property
    def unpacked_cap(self) -> int:
        return self.max_unpacked_bytes or MAX_UNPACKED_BYTES

    def parse_function(self) -> Callable[..., Any]:
        module, _, name = self.parser.partition(":")
        return getattr(importlib.import_module(module), name)


_INSEE = "Insee"
COMPARATEUR_COLUMNS = (
    "area_official",
    "pop_census",
    "pop_census_prev",
    "households",
    "dwellings",
    "main_homes",
    "secondary_homes",
    "vacant_homes",
    "jobs",
    "pop_15_64",
    "active_15_64",
    "unemployed_15_64",
    "establishments",
)
# a merged commune's level: INSEE's rule on its predecessors' shares weighted by their population (in the file)
GRID_CARRY: dict[str, str] = {
    "density_level": "grid",
    **{f"density_share_{k}": "wmean:density_population" for k in range(1, 8)},
    "density_population": "sum",
}
# the newest BPE: one file of every type, preferred over the 2020-2021 theme files it supersedes
BPE_LAYER = "insee_bpe"
BPE_THEME_LAYERS = (
    "insee_bpe_2020_commerce",
    "insee_bpe_2020_ecoles",
    "insee_bpe_2020_sante",
    "insee_bpe_2020_tourisme",
    "insee_bpe_2021_medical",
    "insee_bpe_2021_action_sociale",
    "insee_bpe_2021_particuliers",
)
AGE_COLUMNS = ("pop_age_total", "pop_0_14", "pop_15_29", "pop_60_74", "pop_65_plus", "pop_75_plus")
_ANCT = "ANCT"

SOURCES: tuple[Source, ...] = (
    # --- identity and code lists -------------------------------------------------------------
    Source(
        id="etalab_communes",
        layer="identity",
        title="Découpage administratif — communes (COG, populations légales, codes postaux)",
        publisher="Etalab / DINUM (données Insee, La Poste)",
        url="https://unpkg.com/@etalab/decoupage-administratif@6.0.0/data/communes.json",
        vintage="COG 2026, population municipale 2023",
        licence=LO2,
        format="json",
        filename="etalab_communes_6.0.0.json",
        mirror_path="indicators/etalab_decoupage_administratif_6.0.0/communes.json.gz",
        parser="sentiers.base.parsers.cog:parse_etalab_communes",
        kind="cog",
        geography_year=2026,
        min_rows=37_000,
        max_rows=38_500,
        expected_rows=37_496,
        year=2023,
    ),
    Source(
        id="etalab_epci",
        layer="epci",
        title="Découpage administratif — EPCI à fiscalité propre",
        publisher="Etalab / DINUM (données DGCL)",
        url="https://unpkg.com/@etalab/decoupage-administratif@6.0.0/data/epci.json",
        vintage="EPCI au 1er janvier 2026",
        licence=LO2,
        format="json",
        filename="etalab_epci_6.0.0.json",
        mirror_path="indicators/etalab_decoupage_administratif_6.0.0/epci.json.gz",
        parser="sentiers.base.parsers.cog:parse_etalab_epci",
        kind="communes",
        geography_year=2026,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_871,
        columns=("epci", "epci_name", "epci_type"),
        carry={"epci": "class", "epci_name": "class", "epci_type": "class"},
        year=2026,
    ),
    Source(
        id="insee_cog_2025",
        layer="cog",
        title="Code officiel géographique au 1er janvier 2025 — liste des communes",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/fichier/8377162/v_commune_2025.csv",
        vintage="COG 2025",
        licence=LO2,
        format="csv",
        filename="v_commune_2025.csv",
        mirror_path="insee/v_commune_2025.csv",
        parser="sentiers.base.parsers.cog:parse_cog_communes",
        kind="cog",
        geography_year=2025,
        min_rows=37_000,
        max_rows=38_500,
        expected_rows=37_548,
        rank=2025,
        year=2025,
    ),
    Source(
        id="insee_cog_2024",
        layer="cog_2024",
        title="Code officiel géographique au 1er janvier 2024 — liste des communes",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/fichier/7766585/v_commune_2024.csv",
        vintage="COG 2024",
        licence=LO2,
        format="csv",
        filename="v_commune_2024.csv",
        mirror_path="insee/v_commune_2024.csv",
        parser="sentiers.base.parsers.cog:parse_cog_communes",
        kind="cog",
        geography_year=2024,
        min_rows=37_000,
        max_rows=38_500,
        expected_rows=37_544,
        rank=2024,
        year=2024,
    ),
    # --- rurality ------------------------------------------------------------------------------
    Source(
        id="insee_grille_densite_2025",
        layer="grille_densite",
        title="Grille communale de densité à 7 niveaux, 2025",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/fichier/8571524/fichier_diffusion_2025.xlsx",
        vintage="grille 2025 (géographie 2025, population 2022)",
        licence=LO2,
        format="xlsx",
        filename="fichier_diffusion_2025.xlsx",
        parser="sentiers.base.parsers.rurality:parse_grid_2025",
        geography_year=2025,
        min_rows=34_000,
        max_rows=35_500,
        columns=("density_level",),
        carry=GRID_CARRY,
        rank=2025,
        year=2025,
    ),
    Source(
        id="insee_grille_densite_2024",
        layer="grille_densite",
        title="Grille communale de densité à 7 niveaux, 2024",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/fichier/6439600/grille_densite_7_niveaux_2024.xlsx",
        vintage="grille 2024 (géographie 2024, population 2021)",
        licence=LO2,
        format="xlsx",
        filename="grille_densite_7_niveaux_2024.xlsx",
        mirror_path="insee/grille_densite_7_niveaux_2024.xlsx",
        parser="sentiers.base.parsers.rurality:parse_grid_2024",
        geography_year=2024,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_935,
        columns=("density_level",),
        carry=GRID_CARRY,
        rank=2024,
        year=2024,
    ),
    Source(
        id="insee_tagc_2024",
        layer="tagc_2024",
        title="Table d'appartenance géographique des communes au 1er janvier 2024",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/fichier/7671844/table-appartenance-geo-communes-2024.zip",
        vintage="géographie 2024 (AAV 2020, UU 2020, BV 2022)",
        licence=LO2,
        format="xlsx",
        filename="table-appartenance-geo-communes-2024.xlsx",
        mirror_path="insee/table-appartenance-geo-communes-2024.xlsx",
        zip_member="table-appartenance-geo-communes-2024.xlsx",
        parser="sentiers.base.parsers.rurality:parse_tagc_2024",
        geography_year=2024,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_935,
        columns=("aav2020", "aav2020_name", "uu2020", "uu2020_name", "bv2022", "bv2022_name"),
        carry={
            c: "class" for c in ("aav2020", "aav2020_name", "uu2020", "uu2020_name", "bv2022", "bv2022_name")
        },
        year=2024,
    ),
    Source(
        id="insee_tagc_2022",
        layer="tagc_2022",
        title="Table d'appartenance géographique des communes au 1er janvier 2022 (édition corrigée du 27/09/2022)",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/fichier/2028028/table-appartenance-geo-communes-22.zip",
        vintage="géographie 2022 (catégories AAV 2020, tranches 2017)",
        licence=LO2,
        format="xlsx",
        filename="table-appartenance-geo-communes-22.xlsx",
        mirror_path="insee/table-appartenance-geo-communes-22.xlsx",
        zip_member="table-appartenance-geo-communes-22.xlsx",
        parser="sentiers.base.parsers.rurality:parse_tagc_2022",
        geography_year=2022,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_955,
        columns=("cateaav2020", "taav2017", "tuu2017"),
        carry={"cateaav2020": "class", "taav2017": "max", "tuu2017": "max"},
        year=2022,
    ),
    Source(
        id="insee_uu2020",
        layer="uu2020",
        title="Base des unités urbaines 2020 (géographie au 1er janvier 2023)",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/fichier/4802589/UU2020_au_01-01-2023.zip",
        vintage="unités urbaines 2020, géographie 2023",
        licence=LO2,
        format="xlsx",
        filename="UU2020_au_01-01-2023.xlsx",
        mirror_path="insee/UU2020_au_01-01-2023.xlsx",
        zip_member="UU2020_au_01-01-2023.xlsx",
        parser="sentiers.base.parsers.rurality:parse_uu2020",
        geography_year=2023,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_945,
        columns=("uu_status",),
        carry={"uu_status": "class"},
        year=2020,
    ),
    # --- ANCT zonings and programmes -------------------------------------------------------------
    Source(
        id="anct_frr",
        layer="anct_frr",
        title="Communes classées en zone France Ruralités Revitalisation (FRR et FRR+) — classement au 10 juillet 2025",
        publisher="DGCL (ministère de l'Aménagement du territoire)",
        url="https://www.collectivites-locales.gouv.fr/files/files/3.%20Animer%20les%20territoires/5.%20La%20coh%C3%A9sion%20territoriale%20et%20l'am%C3%A9nagement%20du%20territoire/Liste%20communes%20FRR_juillet2025.xlsx",
        vintage="classement au 10 juillet 2025",
        licence=LO2,
        format="csv",
        filename="liste-communes-FRR-juillet2025.csv",
        mirror_path="anct/liste-communes-FRR-juillet2025.csv",
        parser="sentiers.base.parsers.anct:parse_frr",
        geography_year=2025,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_875,
        columns=("frr",),
        carry={"frr": "class"},
        year=2025,
    ),
    Source(
        id="anct_pvd",
        layer="anct_pvd",
        title="Programme Petites villes de demain — communes",
        publisher=_ANCT,
        url="https://www.data.gouv.fr/fr/datasets/r/1fa831ec-d912-4277-8b95-a8b998bf951e",
        vintage="liste du 7 août 2024",
        licence=LO2,
        format="geojson",
        filename="pvd_geom.geojson",
        mirror_path="anct/pvd_geom.geojson",
        parser="sentiers.base.parsers.anct:parse_pvd",
        geography_year=2023,
        min_rows=1_500,
        max_rows=1_800,
        expected_rows=1_645,
        columns=("pvd", "pvd_date"),
        carry={"pvd": "any", "pvd_date": "first"},
        year=2024,
    ),
    Source(
        id="anct_va",
        layer="anct_va",
        title="Dispositif Villages d'avenir — communes",
        publisher=_ANCT,
        url="https://www.data.gouv.fr/fr/datasets/r/fbef04bb-3df9-4d6d-a23f-0a0034f6a3f8",
        vintage="liste du 5 septembre 2024",
        licence=LO2,
        format="geojson",
        filename="va_geom.geojson",
        mirror_path="anct/va_geom.geojson",
        parser="sentiers.base.parsers.anct:parse_va",
        geography_year=2024,
        min_rows=2_300,
        max_rows=3_500,
        expected_rows=2_498,
        columns=("va",),
        carry={"va": "any"},
        year=2024,
    ),
    Source(
        id="anct_acv",
        layer="anct_acv",
        title="Programme Action cœur de ville — communes",
        publisher=_ANCT,
        url="https://www.data.gouv.fr/fr/datasets/r/8b6f422b-cbdf-459a-9a16-d6be4b92d91a",
        vintage="liste du 5 septembre 2024",
        licence=LO2,
        format="geojson",
        filename="acv_geom.geojson",
        mirror_path="anct/acv_geom.geojson",
        parser="sentiers.base.parsers.anct:parse_acv",
        geography_year=2024,
        min_rows=200,
        max_rows=300,
        expected_rows=245,
        columns=("acv", "acv_name"),
        carry={"acv": "any", "acv_name": "first"},
        year=2024,
    ),
    Source(
        id="anct_france_services",
        layer="anct_france_services",
        title="Liste des structures labellisées France services",
        publisher=_ANCT,
        url="https://www.data.gouv.fr/fr/datasets/r/31576dff-fd61-4de9-819f-32c2f880b142",
        vintage="liste du 1er août 2024",
        licence=LO2,
        format="csv",
        filename="liste-fs-20240801.csv",
        mirror_path="anct/liste-fs-20240801.csv",
        parser="sentiers.base.parsers.anct:parse_france_services",
        kind="points",
        geography_year=2024,
        min_rows=2_500,
        max_rows=3_500,
        expected_rows=2_845,
        columns=("address", "kind"),
        year=2024,
    ),
    Source(
        id="anct_fabriques",
        layer="anct_fabriques",
        title="Fabriques de territoire (Nouveaux lieux, nouveaux liens)",
        publisher=_ANCT,
        url="https://www.data.gouv.fr/api/1/datasets/r/309049b4-f9f7-4038-a2b4-875ef32eca7c",
        vintage="janvier 2024",
        licence=LO2,
        format="geojson",
        filename="fabt_geom.geojson",
        mirror_path="anct/fabt_geom.geojson",
        parser="sentiers.base.parsers.anct:parse_fabriques",
        kind="points",
        geography_year=2024,
        min_rows=300,
        max_rows=600,
        expected_rows=381,
        year=2024,
    ),
    Source(
        id="anct_manufactures",
        layer="anct_manufactures",
        title="Manufactures de proximité",
        publisher=_ANCT,
        url="https://www.data.gouv.fr/api/1/datasets/r/a1cf9852-7be2-49bc-8981-a989cc70b6d0",
        vintage="janvier 2022",
        licence=LO2,
        format="geojson",
        filename="manuprox_geom.geojson",
        mirror_path="anct/manuprox_geom.geojson",
        parser="sentiers.base.parsers.anct:parse_manufactures",
        kind="points",
        geography_year=2024,
        min_rows=80,
        max_rows=200,
        expected_rows=111,
        year=2022,
    ),
    Source(
        id="anct_centralites",
        layer="anct_centralites",
        title="Niveau de centres d'équipements et de services des communes (étude Centralités, INRAE-CESAER / ANCT)",
        publisher="ANCT — Observatoire des territoires",
        url="https://www.observatoire-des-territoires.gouv.fr/",
        vintage="millésime 2021 (étude 2020)",
        licence=LO2,
        format="csv",
        filename="centralite.csv",
        mirror_path="anct/centralite.csv",
        parser="sentiers.base.parsers.anct:parse_centralites",
        geography_year=2025,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_875,
        columns=("centralite_level", "centralite_label"),
        carry={"centralite_level": "max", "centralite_label": "class"},
        year=2021,
    ),
    Source(
        id="anct_ruralites",
        layer="anct_ruralites",
        title="Typologie de la diversité des ruralités (commune)",
        publisher="ANCT — Observatoire des territoires (étude Acadie / M. Talandier)",
        url="https://www.observatoire-des-territoires.gouv.fr/",
        vintage="étude 2023",
        licence=LO2,
        format="csv",
        filename="ruralite.csv",
        mirror_path="anct/ruralite.csv",
        parser="sentiers.base.parsers.anct:parse_ruralites",
        geography_year=2025,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_875,
        columns=("ruralite_type",),
        carry={"ruralite_type": "class"},
        year=2023,
    ),
    # --- indicators --------------------------------------------------------------------------------
    Source(
        id="insee_comparateur",
        layer="insee_comparateur",
        title="Comparateur de territoires — base communale (recensement, établissements, superficie)",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/fichier/2521169/base_cc_comparateur_csv.zip",
        vintage=(
            "le millésime est lu dans le fichier : INSEE remplace chaque année celui de l'adresse officielle "
            "(recensement 2022 en 2025) ; le miroir : recensement 2018, géographie 2021"
        ),
        licence=LO2,
        format="zip",
        filename="base_cc_comparateur_csv.zip",
        mirror_path="indicators/base_cc_comparateur_csv.zip",
        zip_member="base_cc_comparateur.CSV",
        parser="sentiers.base.parsers.indicators:parse_comparateur",
        geography_year=2021,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_965,
        columns=COMPARATEUR_COLUMNS,
        carry=dict.fromkeys(COMPARATEUR_COLUMNS, "sum"),
        year=2018,
    ),
    Source(
        id="insee_filosofi_2021",
        layer="insee_filosofi",
        title="Revenus, pauvreté et niveau de vie en 2021 (Filosofi) — communes",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/7756729",
        vintage="revenus 2021, géographie 2024",
        licence=LO2,
        format="csv",
        filename="cc_filosofi_2021_COM.csv",
        mirror_path="indicators/cc_filosofi_2021_COM.csv",
        parser="sentiers.base.parsers.indicators:parse_filosofi_2021",
        geography_year=2024,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_864,
        columns=("fiscal_households", "median_income", "poverty_rate", "pensions_share"),
        carry={
            "fiscal_households": "sum",
            "median_income": "wmean:fiscal_households",
            "poverty_rate": "wmean:fiscal_households",
            "pensions_share": "wmean:fiscal_households",
        },
        year=2021,
    ),
    Source(
        id="insee_bpe_denombrement",
        layer=BPE_LAYER,
        title="Base permanente des équipements — dénombrement des équipements (tous types, communes)",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/fichier/8217527/DS_BPE_CSV_FR.zip",
        vintage="BPE 2024, géographie 2024 (le fichier en ligne dit son millésime)",
        licence=LO2,
        format="zip",
        filename="DS_BPE_CSV_FR.zip",
        parser="sentiers.base.parsers.indicators:parse_bpe_denombrement",
        geography_year=2024,
        min_rows=34_000,
        max_rows=35_500,
        rank=2024,
        year=2024,
        supersedes=BPE_THEME_LAYERS,
    ),
    Source(
        id="insee_bpe_2020_commerce",
        layer="insee_bpe_2020_commerce",
        title="Base permanente des équipements 2020 — commerces (base communale par thème)",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/fichier/3568638/equip-serv-commerce-com-2020.zip",
        vintage="BPE 2020, géographie 2021",
        licence=LO2,
        format="csv",
        filename="equip-serv-commerce-com-2020.csv",
        mirror_path="indicators/bpe2020_themes/equip-serv-commerce-com-2020.csv",
        parser="sentiers.base.parsers.indicators:parse_bpe_csv",
        geography_year=2021,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_965,
        year=2020,
    ),
    Source(
        id="insee_bpe_2020_ecoles",
        layer="insee_bpe_2020_ecoles",
        title="Base permanente des équipements 2020 — enseignement du 1er degré",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/fichier/3568638/equip-serv-ens-1er-degre-com-2020.zip",
        vintage="BPE 2020, géographie 2021",
        licence=LO2,
        format="csv",
        filename="equip-serv-ens-1er-degre-com-2020.csv",
        mirror_path="indicators/bpe2020_themes/equip-serv-ens-1er-degre-com-2020.csv",
        parser="sentiers.base.parsers.indicators:parse_bpe_csv",
        geography_year=2021,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_965,
        year=2020,
    ),
    Source(
        id="insee_bpe_2020_tourisme",
        layer="insee_bpe_2020_tourisme",
        title="Base permanente des équipements 2020 — tourisme et transports",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/fichier/3568638/equip-tour-transp-com-2020.zip",
        vintage="BPE 2020, géographie 2021",
        licence=LO2,
        format="csv",
        filename="equip-tour-transp-com-2020.csv",
        mirror_path="indicators/bpe2020_themes/equip-tour-transp-com-2020.csv",
        parser="sentiers.base.parsers.indicators:parse_bpe_csv",
        geography_year=2021,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_965,
        year=2020,
    ),
    Source(
        id="insee_bpe_2020_sante",
        layer="insee_bpe_2020_sante",
        title="Base permanente des équipements 2020 — services de santé",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/fichier/3568638/equip-serv-sante-com-2020.xlsx",
        vintage="BPE 2020, géographie 2021",
        licence=LO2,
        format="xlsx",
        filename="equip-serv-sante-com-2020.xlsx",
        mirror_path="indicators/bpe2020_themes/equip-serv-sante-com-2020.xlsx",
        parser="sentiers.base.parsers.indicators:parse_bpe_xlsx",
        geography_year=2021,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_965,
        year=2020,
    ),
    Source(
        id="insee_bpe_2021_medical",
        layer="insee_bpe_2021_medical",
        title="Base permanente des équipements 2021 — fonctions médicales et paramédicales",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/3568629?sommaire=3568656",
        vintage="BPE 2021, géographie 2022",
        licence=LO2,
        format="csv",
        filename="equip-serv-medical-para-com-2021.csv",
        mirror_path="extra/bpe2021_themes/equip-serv-medical-para-com-2021.csv",
        parser="sentiers.base.parsers.indicators:parse_bpe_csv",
        geography_year=2022,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_955,
        year=2021,
    ),
    Source(
        id="insee_bpe_2021_action_sociale",
        layer="insee_bpe_2021_action_sociale",
        title="Base permanente des équipements 2021 — action sociale",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/3568629?sommaire=3568656",
        vintage="BPE 2021, géographie 2022",
        licence=LO2,
        format="csv",
        filename="equip-serv-action-sociale-com-2021.csv",
        mirror_path="extra/bpe2021_themes/equip-serv-action-sociale-com-2021.csv",
        parser="sentiers.base.parsers.indicators:parse_bpe_csv",
        geography_year=2022,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_955,
        year=2021,
    ),
    Source(
        id="insee_bpe_2021_particuliers",
        layer="insee_bpe_2021_particuliers",
        title="Base permanente des équipements 2021 — services aux particuliers",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/3568629?sommaire=3568656",
        vintage="BPE 2021, géographie 2022",
        licence=LO2,
        format="csv",
        filename="equip-serv-particuliers-com-2021.csv",
        mirror_path="extra/bpe2021_themes/equip-serv-particuliers-com-2021.csv",
        parser="sentiers.base.parsers.indicators:parse_bpe_csv",
        geography_year=2022,
        min_rows=34_000,
        max_rows=35_500,
        expected_rows=34_955,
        year=2021,
    ),
    Source(
        id="insee_pop_age_2022",
        layer="insee_pop_age",
        title="Évolution et structure de la population en 2022 — base communale",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/fichier/8581696/base-cc-evol-struct-pop-2022_csv.zip",
        vintage="recensement 2022, géographie 2025",
        licence=LO2,
        format="zip",
        filename="base-cc-evol-struct-pop-2022_csv.zip",
        parser="sentiers.base.parsers.indicators:parse_pop_age",
        geography_year=2025,
        min_rows=34_000,
        max_rows=35_500,
        columns=AGE_COLUMNS,
        carry=dict.fromkeys(AGE_COLUMNS, "sum"),
        rank=2022,
        year=2022,
    ),
    Source(
        id="insee_pop_age_2021",
        layer="insee_pop_age",
        title="Évolution et structure de la population en 2021 — base communale",
        publisher=_INSEE,
        url="https://www.insee.fr/fr/statistiques/fichier/8201904/base-cc-evol-struct-pop-2021_csv.zip",
        vintage="recensement 2021, géographie 2024",
        licence=LO2,
        format="zip",
        filename="base-cc-evol-struct-pop-2021_csv.zip",
        parser="sentiers.base.parsers.indicators:parse_pop_age",
        geography_year=2024,
        min_rows=34_000,
        max_rows=35_500,
        columns=AGE_COLUMNS,
        carry=dict.fromkeys(AGE_COLUMNS, "sum"),
        rank=2021,
        year=2021,
    ),
    # --- geometry and boundaries -----------------------------------------------------------------
    Source(
        id="etalab_contours_communes",
        layer="commune_geometry",
        title="Contours administratifs — communes (généralisation 100 m)",
        publisher="Etalab (d'après IGN ADMIN EXPRESS)",
        url="https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/2025/geojson/communes-100m.geojson.gz",
        vintage="contours 2025",
        licence=LO2,
        format="geojson.gz",
        filename="communes-100m.geojson.gz",
        parser="sentiers.base.parsers.boundaries:parse_commune_contours",
        kind="geometry",
        geography_year=2025,
        min_rows=34_000,
        max_rows=35_500,
        rank=2025,
        year=2025,
    ),
    Source(
        id="etalab_departements",
        layer="departements",
        title="Contours administratifs — départements (généralisation 100 m)",
        publisher="Etalab (d'après IGN ADMIN EXPRESS)",
        url="https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/2025/geojson/departements-100m.geojson",
        vintage="contours Etalab (édition 2023-2025)",
        licence=LO2,
        format="geojson",
        filename="departements-100m.geojson",
        mirror_path="boundaries/departements-100m.geojson",
        parser="sentiers.base.parsers.boundaries:parse_departements",
        kind="boundaries",
        min_rows=101,
        max_rows=120,
        expected_rows=101,
        rank=2,
        year=2025,
    ),
    Source(
        id="etalab_regions",
        layer="regions",
        title="Régions, métropole et outre-mer (IGN ADMIN EXPRESS COG 2018, simplifiées par france-geojson)",
        publisher="IGN / Insee, simplification gregoiredavid/france-geojson",
        url="https://github.com/gregoiredavid/france-geojson/raw/master/regions-avec-outre-mer.geojson",
        vintage="COG 2018 (limites inchangées en 2026)",
        licence=LO2,
        format="geojson",
        filename="regions-avec-outre-mer.geojson",
        mirror_path="boundaries/regions-avec-outre-mer.geojson",
        parser="sentiers.base.parsers.boundaries:parse_regions",
        kind="boundaries",
        min_rows=18,
        max_rows=18,
        expected_rows=18,
        year=2018,
    ),
)

SOURCES_BY_ID: dict[str, Source] = {s.id: s for s in SOURCES}


def summed_columns() -> tuple[str, ...]:
    """Count columns of the registry (carried by summing): what EPCI, département and France totals add up.

    BPE counts (``bpe_*``) depend on the file and are summed too; callers pick them from the frame.
    """
    return tuple(dict.fromkeys(c for s in SOURCES for c, how in s.carry.items() if how == "sum"))


def get_source(source_id: str) -> Source:
    try:
        return SOURCES_BY_ID[source_id]
    except KeyError:
        known = ", ".join(sorted(SOURCES_BY_ID))
        from sentiers.errors import SentiersError

        raise SentiersError(f"Source inconnue « {source_id} ». Sources connues : {known}.") from None


# What a person reads when a layer is missing: the same words in pages, fiches, comparisons and messages.
LOAD_FROM = (
    "depuis la page d'accueil de Sentiers (« Mettre à jour les données officielles ») "
    "ou par la personne qui tient les données de l'outil à jour"
)
HOW_TO_LOAD = f"elle se charge {LOAD_FROM}"


def layer_title(layer: str) -> str:
    """« Grille communale de densité à 7 niveaux, 2024 (Insee) » for a layer id (the best-ranked entry)."""
    entries = [s for s in SOURCES if layer in (s.layer, s.id)]
    if not entries:
        return f"« {layer} »"
    source = max(entries, key=lambda s: s.rank)
    return f"« {source.title} » ({source.publisher})"


def missing_layer_text(layer: str) -> str:
    """Why a figure is absent when its layer is not loaded, with its official source and how to load it."""
    return f"Non disponible : la source {layer_title(layer)} n'est pas chargée dans la base ; {HOW_TO_LOAD}."
