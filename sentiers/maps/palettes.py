"""One colour scale per theme, shared by the web maps, the static maps of pages and PDFs, and the pages.

Density: urban levels in oranges (darker = denser), rural levels in greens (darker = more dispersed), an unknown
level in a neutral grey that no level uses. FRR classes in blues (whole) and teals (partial) and ANCT programmes
in red/orange/purple, so a zoning never reads as a density level; points (France services magenta, Fabriques
purple, Manufactures ochre) stand out on every theme. Within a theme, and between a point and any area colour,
colours differ by at least 15 CIE76 units (tests/maps/test_palettes.py).
"""

from __future__ import annotations

DENSITY_COLOURS: dict[int, str] = {
    1: "#7f2704",
    2: "#d94801",
    3: "#fd8d3c",
    4: "#fdd0a2",
    5: "#c7e9c0",
    6: "#74c476",
    7: "#1b7837",
}
UNKNOWN_COLOUR = "#bdbdbd"
NO_VALUE_COLOUR = "#ffffff"  # a commune outside the candidates of a score map

COVERED_COLOUR = "#2b8cbe"
NOT_COVERED_COLOUR = "#eeeeee"

FRR_COLOURS: dict[str, str] = {
    "FRR+": "#08306b",
    "FRR socle": "#2171b5",
    "FRR bénéficiaire": "#6baed6",
    "Classée FRR partiellement": "#35978f",  # partial classes in teals: told apart from the whole ones
    "FRR bénéficiaire partiellement": "#99d8c9",
}
FRR_OTHER_COLOUR = "#969696"

PROGRAMMES: dict[str, tuple[str, str]] = {  # column -> (label, colour)
    "acv": ("Action cœur de ville", "#b2182b"),
    "pvd": ("Petites villes de demain", "#e08214"),
    "va": ("Villages d'avenir", "#8073ac"),
}

# base.points layer -> (label, colour, matplotlib marker)
POINTS: dict[str, tuple[str, str, str]] = {
    "anct_france_services": ("France services", "#e7298a", "o"),  # not a blue: drawn over FRR's blues
    "anct_fabriques": ("Fabriques de territoire", "#7b2d8b", "s"),
    "anct_manufactures": ("Manufactures de proximité", "#b8860b", "^"),
}

# actors of a territory (sentiers.actors.families keys): ESS families, then the places completing the list
ACTOR_FAMILIES: dict[str, str] = {
    "siae": "#d7301f",
    "cooperative": "#1a9850",
    "mutual": "#4575b4",
    "foundation": "#984ea3",
    "association": "#ff7f00",
    "ess_company": "#a6761d",
    "france_services": POINTS["anct_france_services"][1],
    "fabrique": POINTS["anct_fabriques"][1],
    "manufacture": POINTS["anct_manufactures"][1],
    "incubator": "#111111",
}

SCORE_BINS: tuple[float, ...] = (0, 20, 40, 60, 80, 100.0001)
SCORE_COLOURS: tuple[str, ...] = ("#fff5eb", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603")

VERDICT_COLOURS: dict[str, str] = {"rural": "#1b7837", "urbain": "#d94801", "inconnu": "#6b6b6b"}

# comparisons: best and worst value of a row
BEST_FILL = "#e3f1e5"
WORST_FILL = "#fbe6dc"


def density_colour(level: object) -> str:
    """Colour of a density level (1..7), the unknown colour otherwise."""
    try:
        return DENSITY_COLOURS.get(int(level), UNKNOWN_COLOUR)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return UNKNOWN_COLOUR
