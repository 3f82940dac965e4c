"""``sentiers map``: the maps of the app written as one standalone HTML file."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path

from sentiers.base.codes import check_departement_code, check_region_code
from sentiers.errors import SentiersError
from sentiers.maps import web as maps

log = logging.getLogger(__name__)

DEFAULT_COMMUNE_LAYERS = ("rural", "frr", "programmes", "services", "coverage")
# a région's communes: one polygon layer by default (each polygon layer embeds its own geometry, and
# rurality + FRR + programmes for the largest régions would pass the 5 MB budget); ask --layer for others
DEFAULT_REGION_LAYERS = ("rural", "services")


def build_map(base, departement: str | None, region: str | None, layers: list[str] | None):
    """The folium map for the CLI's arguments; SentiersError (French) on a bad code or combination."""
    if departement is not None:
        departement = check_departement_code(departement)
        if not (base.communes["departement"] == departement).any():
            raise SentiersError(f"Aucune commune du département « {departement} » dans la base.")
    elif region is not None:
        region = check_region_code(region)
        if not (base.communes["region"] == region).any():
            raise SentiersError(f"Aucune commune de la région « {region} » dans la base.")
    if departement is None and region is None:
        extra = [layer for layer in (layers or []) if layer != "coverage"]
        if extra:
            raise SentiersError(
                f"La couche « {extra[0]} » se dessine par commune : précisez --departement CODE ou --region CODE."
            )
        return maps.france_map(base), []
    default = DEFAULT_COMMUNE_LAYERS if departement is not None else DEFAULT_REGION_LAYERS
    chosen = list(layers) if layers else list(default)
    notes = maps.missing_layers(base, chosen)
    return maps.communes_map(base, departement=departement, region=region, layers=chosen), notes


def write_html(html: str, output: Path) -> None:
    """Write atomically (temporary file then rename): a half-written map is never left behind."""
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".carte-", suffix=".html", dir=output.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(html)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    output = Path(args.output)
    if output.suffix.lower() not in (".html", ".htm"):
        raise SentiersError(f"Le fichier de sortie doit finir par .html : « {args.output} ».")
    # check the codes before loading the base: a typo answers at once
    if args.departement is not None:
        check_departement_code(args.departement)
    if args.region is not None:
        check_region_code(args.region)
    from sentiers.base.store import load_base

    base = load_base()
    m, notes = build_map(base, args.departement, args.region, args.layer)
    for note in notes:
        sys.stderr.write(f"sentiers : attention : {note}\n")
    html = maps.map_html(m)
    write_html(html, output)
    sys.stdout.write(f"Carte écrite : {output} ({len(html.encode('utf-8')) // 1024} Ko)\n")
    return 0
