"""``sentiers score``: rank candidate territories for a profile file or a défi preset."""

from __future__ import annotations

import logging
import sys
from typing import Any

from sentiers.cli.support import json_text, open_base_for_cli, output_path, write_output
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


def _text(ranking, top: int) -> str:
    from sentiers.base.catalogue import CATALOGUE
    from sentiers.matching.score import check_summary, dependence_text, robustness_text, ties_text

    lines = [f"Profil : {ranking.profile.name} — niveau {ranking.level}", "Entonnoir :"]
    for step in ranking.funnel:
        lines.append(f"  {step['constraint']} : -{step['removed']} → {step['remaining']}")
    for item in ranking.unavailable:
        lines.append(f"  ! {item['reason']}")
    if ranking.frame.empty:
        lines.append("Aucun candidat ne satisfait toutes les contraintes.")
        return "\n".join(lines) + "\n"
    lines.append(f"Critères : {', '.join(CATALOGUE[c.indicator].label for c in ranking.criteria)}")
    for item in ranking.constant:
        lines.append(f"  ! {item['reason']}")
    for rec in ranking.top(top).to_dict("records"):
        said = "  ".join(x for x in (robustness_text(ranking, rec), dependence_text(ranking, rec)) if x)
        tie = "  (ex aequo)" if rec.get("ex_aequo") else ""
        lines.append(
            f"{rec['rank']:>4}. {rec['code']}  {rec['name']} ({rec['departement']})  "
            f"score {rec['score']:.1f}{tie}  {said}"
        )
    lines.append(check_summary(ranking))
    ties = ties_text(ranking)
    if ties:
        lines.append(ties)
    return "\n".join(lines) + "\n"


def _indicators(values: list[str] | None):
    """``--indicateurs population:2 density`` as similarity indicators (None: the défi's defaults)."""
    from sentiers.matching.profile import SimilarIndicator, explain

    if not values:
        return None
    from pydantic import ValidationError

    out = []
    for value in values:
        name, _, weight = str(value).partition(":")
        try:
            number = float(weight) if weight else 1.0
        except ValueError:
            raise SentiersError(
                f"--indicateurs : poids illisible dans « {value[:40]} » (ex. population:2)."
            ) from None
        try:
            out.append(SimilarIndicator(indicator=name.strip(), weight=number))
        except ValidationError as exc:
            raise explain(exc, prefix="--indicateurs") from None
    return out


def _similar_text(result, top: int) -> str:
    from sentiers.base.catalogue import CATALOGUE
    from sentiers.matching.similar import (
        SIMILAR_METHOD,
        closeness_word,
        reason_text,
        references_text,
        similarity_text,
    )

    lines = [f"Profil : {result.profile.name} — territoires semblables à {result.reference_names()}"]
    lines += [f"  {line}" for line in references_text(result)]
    total = float(result.weights.sum()) or 1.0
    lines.append(
        "Indicateurs : "
        + ", ".join(
            f"{CATALOGUE[i.indicator].label} ({float(w) / total:.0%})".replace("%", " %")
            for i, w in zip(result.indicators, result.weights, strict=True)
        )
    )
    for item in result.unavailable:
        lines.append(f"  ! {item['reason']}")
    for note in result.notes:
        lines.append(f"  ! {note}")
    lines.append("Entonnoir :")
    for step in result.funnel:
        lines.append(f"  {step['constraint']} : -{step['removed']} → {step['remaining']}")
    if result.frame.empty:
        lines.append("Aucune commune ne satisfait toutes les contraintes.")
        return "\n".join(lines) + "\n"
    for rec in result.top(top).to_dict("records"):
        lines.append(
            f"{rec['rank']:>4}. {rec['code']}  {rec['name']} ({rec['departement']})  "
            f"ressemblance {similarity_text(rec['similarity'])} ({closeness_word(rec['similarity'])})  {reason_text(result, rec)}"
        )
    lines.append(SIMILAR_METHOD)
    return "\n".join(lines) + "\n"


def run_similar(args: Any, profile, top: int) -> int:
    from sentiers.exports import to_csv_bytes, to_xlsx_bytes
    from sentiers.matching.candidates import needed_columns
    from sentiers.matching.similar import similar_communes, similar_json, similar_table

    if args.level == "epci":
        raise SentiersError("--semblable compare des communes : retirez --level epci.")
    output = output_path(args.output, (".csv", ".xlsx")) if args.output else None
    base = open_base_for_cli(columns=needed_columns(), geometry=False)
    result = similar_communes(
        base,
        profile,
        references=list(args.semblable) or None,
        indicators=_indicators(args.indicateurs),
        top_n=top,
    )
    if output is not None:
        table = similar_table(result, top)
        data = (
            to_xlsx_bytes(table, "Territoires semblables")
            if output.suffix.lower() == ".xlsx"
            else to_csv_bytes(table)
        )
        write_output(output, data)
        sys.stderr.write(f"{min(top, len(result.frame))} communes écrites dans {output}\n")
    if args.json:
        sys.stdout.write(json_text(similar_json(result, top)))
    elif output is None:
        sys.stdout.write(_similar_text(result, top))
    return 0


def run(args: Any) -> int:
    from sentiers.matching.candidates import needed_columns
    from sentiers.matching.export import to_csv_bytes, to_xlsx_bytes
    from sentiers.matching.score import rank_profile, ranking_json

    profile = _profile(args)
    top = int(args.top)
    if top < 1:
        raise SentiersError("--top : un nombre entier positif est attendu.")
    if getattr(args, "semblable", None) is not None:
        return run_similar(args, profile, top)
    if getattr(args, "indicateurs", None):
        raise SentiersError("--indicateurs va avec --semblable.")
    output = output_path(args.output, (".csv", ".xlsx")) if args.output else None
    base = open_base_for_cli(columns=needed_columns(), geometry=False)
    ranking = rank_profile(base, profile, level=args.level, top_n=top)
    if output is not None:
        data = to_xlsx_bytes(ranking, top) if output.suffix.lower() == ".xlsx" else to_csv_bytes(ranking, top)
        write_output(output, data)
        sys.stderr.write(f"{min(top, len(ranking.frame))} candidats écrits dans {output}\n")
    if args.json:
        sys.stdout.write(json_text(ranking_json(ranking, top)))
    elif output is None:
        sys.stdout.write(_text(ranking, top))
    return 0
