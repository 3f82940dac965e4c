"""``sentiers score``: rank candidate territories for a profile file or a défi preset."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

from sentiers.errors import SentiersError

log = logging.getLogger(__name__)


def _profile(args: Any):
    from sentiers.matching.presets import preset_profile
    from sentiers.matching.profile import load_profile

    if args.profile and args.preset:
        raise SentiersError("Donnez soit un fichier de profil, soit --preset, pas les deux.")
    if not args.profile and not args.preset:
        raise SentiersError("Donnez un fichier de profil (PROFILE.yaml) ou --preset SLUG.")
    return load_profile(args.profile) if args.profile else preset_profile(args.preset)


class ScoringBase:
    """The parts of the built base that scoring reads: communes without geometry (projected columns),
    EPCI names, code passages and the manifest. Reading it skips the geometries (most of the file)."""

    def __init__(self, folder: Path) -> None:
        import pandas as pd
        import pyarrow.parquet as pq

        from sentiers.matching.candidates import needed_columns

        self.path = folder
        self.manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        schema = pq.ParquetFile(folder / "communes.parquet").schema_arrow.names
        columns = [c for c in needed_columns() if c in schema]
        self.communes = pq.read_table(folder / "communes.parquet", columns=columns).to_pandas()
        self.epci = pd.read_parquet(folder / "epci.parquet")
        self.passages = pd.read_parquet(folder / "passages.parquet")

    def layers(self) -> list[dict]:
        return list(self.manifest.get("layers", []))

    def layer(self, layer_id: str) -> dict | None:
        for entry in self.layers():
            if layer_id in (entry.get("layer"), entry.get("id")):
                return entry
        return None

    def has_layer(self, layer_id: str) -> bool:
        return self.layer(layer_id) is not None

    def source_note(self, layer_id: str) -> str:
        entry = self.layer(layer_id)
        return "source non chargée" if entry is None else f"{entry['publisher']}, {entry['vintage']}"

    @property
    def built_at(self) -> str:
        return str(self.manifest.get("built_at", ""))


def _scoring_base():
    """The built base read for scoring only; builds the embedded default first on a fresh machine."""
    from sentiers import settings

    folder = settings.base_dir()
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format_version") == 1 and (folder / "communes.parquet").is_file():
            return ScoringBase(folder)
    except (OSError, ValueError) as exc:
        log.info("full load (%s)", exc)
    return _load_base()


def _load_base():
    from sentiers.base.store import load_base

    bar = None

    def progress(fraction: float, message: str) -> None:
        nonlocal bar
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=100, desc="Construction de la base", file=sys.stderr, leave=False)
        bar.n = int(fraction * 100)
        bar.set_postfix_str(message[:40])
        bar.refresh()

    base = load_base(progress=progress)
    if bar is not None:
        bar.close()
    return base


def _text(ranking, top: int) -> str:
    from sentiers.base.catalogue import CATALOGUE

    lines = [f"Profil : {ranking.profile.name} — niveau {ranking.level}", "Entonnoir :"]
    for step in ranking.funnel:
        lines.append(f"  {step['constraint']} : -{step['removed']} → {step['remaining']}")
    for item in ranking.unavailable:
        lines.append(f"  ! {item['reason']}")
    if ranking.frame.empty:
        lines.append("Aucun candidat ne satisfait toutes les contraintes.")
        return "\n".join(lines) + "\n"
    lines.append(f"Critères : {', '.join(CATALOGUE[c.indicator].label for c in ranking.criteria)}")
    for rec in ranking.top(top).to_dict("records"):
        rob = rec["robustness"]
        lines.append(
            f"{rec['rank']:>4}. {rec['code']}  {rec['name']} ({rec['departement']})  "
            f"score {rec['score']:.1f}  robustesse {rob:.0%}"
        )
    return "\n".join(lines) + "\n"


def run(args: Any) -> int:
    from sentiers.matching.export import to_csv_bytes, to_xlsx_bytes
    from sentiers.matching.score import rank_profile, ranking_json

    profile = _profile(args)
    top = int(args.top)
    if top < 1:
        raise SentiersError("--top : un nombre entier positif est attendu.")
    output = Path(args.output) if args.output else None
    if output is not None and output.suffix.lower() not in (".csv", ".xlsx"):
        raise SentiersError(
            f"-o : format « {output.suffix or output.name} » non reconnu ; .csv ou .xlsx attendu."
        )
    base = _scoring_base()
    ranking = rank_profile(base, profile, level=args.level, top_n=top)
    if output is not None:
        data = to_xlsx_bytes(ranking, top) if output.suffix.lower() == ".xlsx" else to_csv_bytes(ranking, top)
        output.write_bytes(data)
        sys.stderr.write(f"{min(top, len(ranking.frame))} candidats écrits dans {output}\n")
    if args.json:
        sys.stdout.write(json.dumps(ranking_json(ranking, top), ensure_ascii=False, indent=2) + "\n")
    elif output is None:
        sys.stdout.write(_text(ranking, top))
    return 0
