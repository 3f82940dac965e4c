"""``sentiers map``: the maps of the app written as one standalone HTML file.

The file draws with no network: Leaflet is written into it (:func:`sentiers.maps.web.standalone_html`) and,
by default, no background tiles are drawn (a plain background under the polygons). ``--tuiles osm`` adds
OpenStreetMap's tiles, which the browser then fetches when it is online.
"""

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


TILES = {"aucune": None, "osm": "OpenStreetMap"}


def build_map(
    base: Base,
    departement: str | None,
    region: str | None,
    layers: list[str] | None,
    tiles: str | None = None,
):
    """The folium map for the CLI's arguments; SentiersError (French) on a bad code or combination.
    ``tiles``: a folium tiles name, or None for none."""
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
        return maps.france_map(base, tiles=tiles), []
    default = DEFAULT_COMMUNE_LAYERS if departement is not None else DEFAULT_REGION_LAYERS
    chosen = list(layers) if layers else list(default)
    notes = maps.missing_layers(base, chosen)
    return maps.communes_map(base, departement=departement, region=region, layers=chosen, tiles=tiles), notes


def run(args: argparse.Namespace) -> int:
    output = output_path(args.output, (".html", ".htm"))
    # check the codes before loading the base: a typo answers at once
    if args.departement is not None:
        check_departement_code(args.departement)
    if args.region is not None:
        check_region_code(args.region)
    base = open_base_for_cli()
    tiles = TILES[getattr(args, "tuiles", None) or "aucune"]
    m, notes = build_map(base, args.departement, args.region, args.layer, tiles=tiles)
    for note in notes:
        sys.stderr.write(error_line(f"attention : {note}"))
    html = maps.standalone_html(m, background=None if tiles else maps.PLAIN_BACKGROUND)
    write_output(output, html)
    sys.stdout.write(f"Carte écrite : {output} ({len(html.encode('utf-8')) // 1024} Ko)\n")
    return 0
