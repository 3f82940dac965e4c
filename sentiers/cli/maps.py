"""``sentiers map``: the maps of the app written as one standalone HTML file."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from sentiers.base.codes import check_departement_code, check_region_code
from sentiers.cli.support import error_line, open_base_for_cli, output_path, write_output
from sentiers.errors import SentiersError
from sentiers.maps import web as maps

if TYPE_CHECKING:
    from sentiers.base.store import Base

log = logging.getLogger(__name__)

DEFAULT_COMMUNE_LAYERS = ("rural", "frr", "programmes", "services", "coverage")
# a région's communes: one polygon layer by default (each polygon layer embeds its own geometry, and
# rurality + FRR + programmes for the largest régions would pass the 5 MB budget); ask --layer for others
DEFAULT_REGION_LAYERS = ("rural", "services")


def build_map(base: Base, departement: str | None, region: str | None, layers: list[str] | None):
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


def run(args: argparse.Namespace) -> int:
    output = output_path(args.output, (".html", ".htm"))
    # check the codes before loading the base: a typo answers at once
    if args.departement is not None:
        check_departement_code(args.departement)
    if args.region is not None:
        check_region_code(args.region)
    base = open_base_for_cli()
    m, notes = build_map(base, args.departement, args.region, args.layer)
    for note in notes:
        sys.stderr.write(error_line(f"attention : {note}"))
    html = maps.map_html(m)
    write_output(output, html)
    sys.stdout.write(f"Carte écrite : {output} ({len(html.encode('utf-8')) // 1024} Ko)\n")
    return 0
