"""The built base on disk (GeoParquet + manifest.json in SENTIERS_HOME/base) and its loading."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from sentiers import settings
from sentiers.errors import BaseNotFoundError

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
GEO_TABLES = ("communes", "communes_display", "departements", "regions")
TABLES = ("epci", "passages", "points", "derivations")

Progress = Callable[[float, str], None]


@dataclass
class Base:
    """The territory base. See sentiers.base.schema for the columns of ``communes``."""

    communes: gpd.GeoDataFrame
    communes_display: gpd.GeoDataFrame  # code + simplified geometry, for maps
    departements: gpd.GeoDataFrame  # code, name, region, geometry
    regions: gpd.GeoDataFrame  # code, name, geometry
    epci: pd.DataFrame  # code, name, type
    passages: pd.DataFrame  # old_code, code, kind, source
    points: pd.DataFrame  # layer, code, label, lat, lon, address, kind
    derivations: pd.DataFrame  # code, layer, method, predecessors, predecessor_values ("01187:7 01330:6")
    manifest: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def layers(self) -> list[dict[str, Any]]:
        return list(self.manifest.get("layers", []))

    def layer(self, layer_id: str) -> dict[str, Any] | None:
        """Manifest entry of a layer, by layer id ("grille_densite") or source id."""
        for entry in self.layers():
            if layer_id in (entry.get("layer"), entry.get("id")):
                return entry
        return None

    def has_layer(self, layer_id: str) -> bool:
        return self.layer(layer_id) is not None

    def source_note(self, layer_id: str) -> str:
        """« Insee, grille 2024 (géographie 2024, population 2021) » — for a figure's caption."""
        entry = self.layer(layer_id)
        if entry is None:
            return "source non chargée"
        return f"{entry['publisher']}, {entry['vintage']}"

    @property
    def embedded_only(self) -> bool:
        return all(entry.get("origin") == "embedded" for entry in self.layers())

    @property
    def built_at(self) -> str:
        return str(self.manifest.get("built_at", ""))


def _atomic_replace_dir(tmp: Path, target: Path) -> None:
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(tmp, target)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def write_base(base: Base, target: Path | None = None) -> Path:
    """Write every table to a temporary folder, then swap it in: a half-written base is never loaded."""
    target = target or settings.base_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".base-", dir=target.parent))
    try:
        for name in GEO_TABLES:
            frame: gpd.GeoDataFrame = getattr(base, name)
            frame.to_parquet(tmp / f"{name}.parquet", index=False, compression="zstd")
        for name in TABLES:
            frame = getattr(base, name)
            frame.to_parquet(tmp / f"{name}.parquet", index=False, compression="zstd")
        manifest = dict(base.manifest, format_version=FORMAT_VERSION)
        (tmp / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
        _atomic_replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    base.path = target
    return target


def read_manifest(target: Path | None = None) -> dict[str, Any] | None:
    target = target or settings.base_dir()
    try:
        return json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def read_base(target: Path | None = None) -> Base:
    target = target or settings.base_dir()
    manifest = read_manifest(target)
    if manifest is None or manifest.get("format_version") != FORMAT_VERSION:
        raise BaseNotFoundError(f"Aucune base construite dans {target}.")
    start = time.perf_counter()
    tables: dict[str, Any] = {}
    for name in GEO_TABLES:
        tables[name] = gpd.read_parquet(target / f"{name}.parquet")
    for name in TABLES:
        tables[name] = pd.read_parquet(target / f"{name}.parquet")
    log.info("base read in %.2f s", time.perf_counter() - start)
    return Base(manifest=manifest, path=target, **tables)


def load_base(progress: Progress | None = None, build_if_missing: bool = True) -> Base:
    """The built base; on a fresh machine, build the embedded default first (progress reported)."""
    try:
        return read_base()
    except BaseNotFoundError:
        if not build_if_missing:
            raise
    from sentiers.base.build import build_and_write

    return build_and_write(raw_files={}, progress=progress)
