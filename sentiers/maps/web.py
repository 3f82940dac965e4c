"""Folium map builders: Kiif coverage by département, commune rurality, zonings, points and scores.

Every polygon layer is one compact GeoJSON embedded once (rounded coordinates, short property names,
colours looked up by class in JavaScript), so a département's communes stay within the payload budget.
Every name or value that ends up in a tooltip, popup or legend is HTML-escaped in Python before it is
written to the page; the JavaScript only concatenates escaped strings.

Feature properties used by the page (``st_folium(..., returned_objects=["last_active_drawing"])``):
``c`` code (commune or département), ``n`` escaped name, ``k`` class key, ``x`` extra escaped HTML,
``g`` layer kind ("dep", "commune", "point").
"""

from __future__ import annotations

import base64
import functools
import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element, Figure
from folium.elements import ElementAddToElement
from folium.map import Layer
from jinja2 import Template

from sentiers import fr, settings
from sentiers.base.codes import check_departement_code, check_region_code
from sentiers.base.kiif import KiifCoverage, load_kiif
from sentiers.base.schema import DENSITY_LABELS
from sentiers.base.sources import HOW_TO_LOAD
from sentiers.maps import palettes, payload

if TYPE_CHECKING:
    from sentiers.base.store import Base

UNKNOWN_COLOUR = palettes.UNKNOWN_COLOUR
POINT_LAYERS: dict[str, tuple[str, str]] = {
    layer: (label, colour) for layer, (label, colour, _) in palettes.POINTS.items()
}

# DROM views for the France map's "Outre-mer" selector: code -> (label, [[south, west], [north, east]])
DROM_VIEWS: dict[str, tuple[str, list[list[float]]]] = {
    "971": ("Guadeloupe", [[15.8, -61.85], [16.55, -60.95]]),
    "972": ("Martinique", [[14.38, -61.25], [14.9, -60.8]]),
    "973": ("Guyane", [[2.1, -54.6], [5.8, -51.6]]),
    "974": ("La Réunion", [[-21.4, 55.2], [-20.85, 55.85]]),
    "976": ("Mayotte", [[-13.05, 44.95], [-12.6, 45.32]]),
}
METRO_BOUNDS = [[41.3, -5.2], [51.1, 9.6]]

LAYER_CHOICES = ("coverage", "rural", "frr", "programmes", "services")
# what the map page draws at once: one commune colouring (a theme) plus the points
PAGE_THEMES: dict[str, str] = {
    "rural": "Ruralité (grille de densité)",
    "frr": "Zonage France Ruralités Revitalisation",
    "programmes": "Programmes ANCT (PVD, VA, ACV)",
}


def page_layers(theme: str) -> list[str]:
    """Layers of the map page for a theme: one polygon layer (payload sent once) and the points."""
    return [theme, "services"]


def esc(value: object) -> str:
    """HTML-escape any value (None and NaN -> "")."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return html.escape(str(value), quote=True)


# -- the compact GeoJSON layer -----------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerClass:
    colour: str
    label: str  # plain text; escaped when written


class CompactGeoJson(Layer):
    """A Leaflet GeoJSON layer whose data is embedded once, compactly, with class colours and tooltips."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var cls = {{ this.classes_js }};
            var layer = L.geoJSON({{ this.data_text }}, {
                interactive: {{ 'true' if this.interactive else 'false' }},
                style: function (f) {
                    var c = cls[f.properties.k] || {f: "{{ this.default_colour }}"};
                    return {fillColor: c.f, fillOpacity: {{ this.fill_opacity }}, color: "{{ this.stroke }}",
                            weight: {{ this.weight }}, opacity: 0.9};
                },
                pointToLayer: function (f, latlng) {
                    var c = cls[f.properties.k] || {f: "{{ this.default_colour }}"};
                    return L.circleMarker(latlng, {radius: {{ this.radius }}, fillColor: c.f, color: "#333333",
                                                   weight: 1, fillOpacity: 0.9});
                },
                onEachFeature: function (f, l) {
                    var p = f.properties, c = cls[p.k];
                    var t = "<b>" + (p.n || "") + "</b>" + (p.c && p.g !== "point" ? " (" + p.c + ")" : "");
                    if (c && c.l) { t += "<br>" + c.l; }
                    if (p.x) { t += "<br>" + p.x; }
                    l.bindTooltip(t, {sticky: true});
                    {% if this.interactive %}
                    l.on("mouseover", function () { if (this.setStyle) { this.setStyle({weight: {{ this.weight }} + 2}); } });
                    l.on("mouseout", function () { if (this.setStyle) { {{ this.get_name() }}.resetStyle(this); } });
                    {% endif %}
                }
            });
            return layer;
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: Mapping | str,
        classes: Mapping[Any, LayerClass],
        name: str,
        *,
        overlay: bool = True,
        show: bool = True,
        control: bool = True,
        fill_opacity: float = 0.75,
        stroke: str = "#555555",
        weight: float = 0.6,
        radius: int = 5,
        default_colour: str = UNKNOWN_COLOUR,
        interactive: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "CompactGeoJson"
        self.data_text = data if isinstance(data, str) else payload.dumps(data)
        self.classes_js = payload.dumps(
            {str(k): {"f": v.colour, "l": esc(v.label)} for k, v in classes.items()}
        )
        self.fill_opacity = fill_opacity
        self.stroke = stroke
        self.weight = weight
        self.radius = radius
        self.default_colour = default_colour
        self.interactive = interactive

    @property
    def payload_bytes(self) -> int:
        return len(self.data_text.encode("utf-8"))

    def render(self, **kwargs: Any) -> Any:
        """folium's Layer.render, except that the script (the embedded data) goes to the page as it is.

        branca's MacroElement.render wraps each rendered script in ``Element(text)``, which compiles the text
        as a Jinja template: for a layer of communes, hundreds of kilobytes of GeoJSON tokenised on every
        render, a third of a map's cost. The output is the same.
        """
        figure, parent = self.get_root(), self._parent
        assert isinstance(figure, Figure) and parent is not None, "render a layer added to a map"
        if self.show:
            self.add_child(
                ElementAddToElement(element_name=self.get_name(), element_parent_name=parent.get_name()),
                name=self.get_name() + "_add",
            )
        script = self._template.module.__dict__["script"]
        figure.script.add_child(_Rendered(script(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _Rendered(Element):
    """Text already rendered, added to a figure as it is (never compiled as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class Legend(folium.MacroElement):
    """A legend box (Leaflet control) a person reads without help: title, swatches, labels, source."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var legend = L.control({position: "{{ this.position }}"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "sentiers-legend");
                div.style.cssText = "background:rgba(255,255,255,0.92);padding:4px 7px;font:11px/1.3 sans-serif;" +
                    "border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,0.3);max-width:210px;" +
                    "max-height:45vh;overflow:auto;";
                div.setAttribute("role", "region");
                div.setAttribute("aria-label", {{ this.title_js }});
                div.innerHTML = {{ this.html_js }};
                // on a phone the territory stays visible: the legend starts folded (the map's own width is
                // not known yet when the legend is added: st_folium sizes its frame afterwards)
                var details = div.querySelector("details");
                if (details && window.screen.width < 600) { details.removeAttribute("open"); }
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo(map);
            {% if this.layer_name %}
            // the legend of a layer shows only while its layer is on
            var follow = function () {
                legend.getContainer().style.display = map.hasLayer({{ this.layer_name }}) ? "" : "none";
            };
            map.on("overlayadd overlayremove", follow);
            follow();
            {% endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        title: str,
        entries: Sequence[tuple[str | None, str]],
        note: str = "",
        position: str = "bottomright",
        point: bool = False,
        layer: folium.MacroElement | None = None,
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.position = position
        self.layer = layer  # shown only while this layer is on the map
        self.title_js = json.dumps(f"Légende : {title}", ensure_ascii=False)
        rows = [
            f"<details open><summary style='font-weight:bold;margin-bottom:3px;cursor:pointer'>{esc(title)}</summary>"
        ]
        radius = "50%" if point else "2px"
        for colour, label in entries:
            if colour is None:  # a group heading
                rows.append(f"<div style='margin-top:4px;font-style:italic'>{esc(label)}</div>")
                continue
            rows.append(
                "<div><span style='display:inline-block;width:14px;height:12px;margin-right:6px;"
                f"vertical-align:middle;border:1px solid #777;border-radius:{radius};background:{esc(colour)}'></span>"
                f"{esc(label)}</div>"
            )
        if note:
            rows.append(f"<div style='margin-top:4px;color:#555;font-size:11px'>{esc(note)}</div>")
        rows.append("</details>")
        self.html = "".join(rows)
        self.html_js = json.dumps(self.html, ensure_ascii=False).replace("</", "<\\/")

    @property
    def layer_name(self) -> str:
        return self.layer.get_name() if self.layer is not None else ""


class MetricScale(folium.MacroElement):
    """Leaflet's scale bar in kilometres only (folium's ``control_scale`` adds miles), and the zoom buttons
    with French titles and labels for screen readers (Leaflet writes « Zoom in » / « Zoom out »)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            L.control.zoom({zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière", position: "topleft"})
                .addTo(map);
            L.control.scale({imperial: false, metric: true, position: "bottomleft"}).addTo(map);
            map.getContainer().setAttribute("aria-label", "Carte interactive : glisser pour déplacer, molette ou "
                + "boutons + et − pour zoomer, cliquer un territoire pour le choisir");
            map.getContainer().setAttribute("role", "application");
            setTimeout(function () {  // the layer control is added after this element; Leaflet titles it « Layers »
                var toggle = map.getContainer().querySelector(".leaflet-control-layers-toggle");
                if (toggle) { toggle.title = "Couches"; toggle.setAttribute("aria-label", "Couches de la carte"); }
            }, 0);
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


class DromSelector(folium.MacroElement):
    """Buttons on the France map to jump to Métropole or one of the five DROM (the map's 'insets')."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var views = {{ this.views_js }};
            var ctl = L.control({position: "topright"});
            ctl.onAdd = function () {
                var div = L.DomUtil.create("div", "sentiers-drom");
                div.style.cssText = "background:white;padding:4px 6px;font:12px sans-serif;border-radius:4px;" +
                    "box-shadow:0 1px 4px rgba(0,0,0,0.3)";
                var label = L.DomUtil.create("label", "", div);
                label.textContent = "Afficher : ";
                var select = L.DomUtil.create("select", "", label);
                select.setAttribute("aria-label", "Afficher la métropole ou un département d'outre-mer");
                views.forEach(function (v, i) {
                    var o = L.DomUtil.create("option", "", select);
                    o.value = String(i); o.textContent = v[0];
                });
                L.DomEvent.on(select, "change", function () { map.fitBounds(views[+select.value][1]); });
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            ctl.addTo(map);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, views: Sequence[tuple[str, list[list[float]]]]) -> None:
        super().__init__()
        self._name = "DromSelector"
        self.views_js = json.dumps([[label, bounds] for label, bounds in views], ensure_ascii=False)


# -- data selection ----------------------------------------------------------------------------------------
COMMUNE_COLUMNS = (
    "code",
    "name",
    "departement",
    "region",
    "population",
    "population_year",
    "density_level",
    "frr",
    "pvd",
    "va",
    "acv",
)


# the display geometry of each commune as GeoJSON text (payload.geometry_text), a column of commune_frame
GEOJSON = "_geojson"


def commune_frame(base: Base, departement: str | None = None, region: str | None = None) -> gpd.GeoDataFrame:
    """Communes of a département or a région with their display geometry and the columns maps use.

    Made once for the latest départements and régions asked (kept by the base, a copy returned), with each
    geometry's GeoJSON text in the ``GEOJSON`` column, so that a map drawn again, or a second layer of the
    same communes, does not serialise the geometries again (drop the column after changing a geometry).
    """
    frame = base.memo_lru(
        "commune_frame",
        (departement, region),
        lambda: _commune_frame(base, departement, region),
        size=24,
    )
    return frame.copy()


def _commune_frame(base: Base, departement: str | None, region: str | None) -> gpd.GeoDataFrame:
    communes = base.communes
    if departement is not None:
        mask = communes["departement"] == departement
    elif region is not None:
        mask = communes["region"] == region
    else:
        mask = pd.Series(True, index=communes.index)
    cols = [c for c in COMMUNE_COLUMNS if c in communes.columns]
    frame = pd.DataFrame(communes.loc[mask, cols])
    display = base.communes_display.set_index("code").geometry
    geoms = frame["code"].map(display)
    missing = geoms.isna()
    if missing.any():  # a commune with no display geometry: draw its analysis geometry
        geoms[missing] = communes.loc[mask].geometry[missing.to_numpy()].to_numpy()
    out = gpd.GeoDataFrame(frame, geometry=geoms.to_numpy(), crs="EPSG:4326").reset_index(drop=True)
    out[GEOJSON] = [payload.geometry_text(g) for g in out.geometry]
    return out


def _features_text(frame: gpd.GeoDataFrame, properties: Sequence[Mapping[str, Any]]) -> str:
    """The layer's FeatureCollection text, from the frame's geometry texts when it has them."""
    if GEOJSON in frame:
        texts = frame[GEOJSON].tolist()
    else:
        texts = [payload.geometry_text(g) for g in frame.geometry]
    return payload.features_text(texts, properties)


def missing_layers(base: Base, layers: Iterable[str]) -> list[str]:
    """French sentences for the requested layers the base does not hold (and how to get them)."""
    columns = set(base.communes.columns)
    notes = []
    needs = {
        "rural": (["density_level"], "la grille communale de densité (Insee)"),
        "frr": (["frr"], "le zonage France Ruralités Revitalisation"),
        "programmes": (
            ["pvd", "va", "acv"],
            "les programmes Petites villes de demain, Villages d'avenir, Action cœur de ville",
        ),
    }
    for layer in layers:
        if layer in needs:
            cols, what = needs[layer]
            if not any(c in columns for c in cols):
                notes.append(f"La base ne contient pas {what} : {HOW_TO_LOAD}.")
        elif layer == "services":
            present = set(base.points["layer"]) if len(base.points) else set()
            if not present & set(POINT_LAYERS):
                notes.append(
                    "La base ne contient pas les points France services, Fabriques et Manufactures : "
                    f"{HOW_TO_LOAD}."
                )
    return notes


def _bounds(frame: gpd.GeoDataFrame) -> list[list[float]]:
    minx, miny, maxx, maxy = frame.total_bounds
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


# Leaflet only: none of these maps uses jQuery, Bootstrap or Awesome Markers, which folium loads by default.
# Fewer requests to CDNs, and a browser test has two URLs to serve locally instead of nine.
LEAFLET_JS = ("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
LEAFLET_CSS = ("leaflet_css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css")


# Leaflet shipped with the package (unmodified dist files of leaflet@1.9.4), for a server that serves them
LEAFLET_DIR = Path(__file__).resolve().parent / "leaflet"


class LeanMap(folium.Map):
    """A folium Map that loads Leaflet and nothing else."""

    default_js = [LEAFLET_JS]
    default_css = [LEAFLET_CSS]


def default_tiles() -> str | None:
    """Background tiles: SENTIERS_MAP_TILES (see sentiers.settings), default OpenStreetMap."""
    return settings.map_tiles()


def base_map(
    bounds: list[list[float]] | None = None, tiles: str | None = "default", leaflet_url: str | None = None
) -> folium.Map:
    """An empty map. ``tiles``: "default" (see default_tiles), a folium tiles name, or None for no tiles.
    ``leaflet_url``: folder serving leaflet.js and leaflet.css (default: Leaflet's CDN)."""
    m = LeanMap(
        location=[46.6, 2.4],
        zoom_start=6,
        tiles=None,
        control_scale=False,
        zoom_control=False,
        prefer_canvas=True,
    )
    MetricScale().add_to(m)
    if leaflet_url:
        base = leaflet_url.rstrip("/")
        m.default_js = [("leaflet", f"{base}/leaflet.js")]
        m.default_css = [("leaflet_css", f"{base}/leaflet.css")]
    tiles = default_tiles() if tiles == "default" else tiles
    if tiles:
        folium.TileLayer(tiles, name="Fond de carte", control=False).add_to(m)
    if bounds is not None:
        m.fit_bounds(bounds)
    return m


# -- layers ------------------------------------------------------------------------------------------------
def coverage_layer(outlines: gpd.GeoDataFrame, coverage: KiifCoverage) -> CompactGeoJson:
    """Départements coloured covered / not covered, the covering incubator in the tooltip."""
    props = []
    for code, name in zip(outlines["code"], outlines["name"], strict=True):
        region = coverage.region_of(code)
        if region is None:
            extra = "Un autre département reste possible : contactez le programme (voir la FAQ)"
        else:
            inc = region.incubator
            who = f"{inc.name} ({inc.city})" if inc.verified else inc.name
            extra = f"Incubateur : {who}"
        props.append({"c": code, "n": esc(name), "k": "1" if region else "0", "x": esc(extra), "g": "dep"})
    data = {
        "type": "FeatureCollection",
        "features": payload.features(outlines.geometry, props, payload.FRANCE_DECIMALS),
    }
    classes = {
        "1": LayerClass(palettes.COVERED_COLOUR, f"Couvert par Les Sentiers ({coverage.edition})"),
        "0": LayerClass(palettes.NOT_COVERED_COLOUR, "Non couvert"),
    }
    return CompactGeoJson(
        data, classes, "Couverture Kiif", overlay=False, control=False, weight=0.8, fill_opacity=0.7
    )


def coverage_legend(coverage: KiifCoverage) -> Legend:
    return Legend(
        f"Les Sentiers — édition {coverage.edition}",
        [
            (palettes.COVERED_COLOUR, "Département couvert par un incubateur du Kiif"),
            (palettes.NOT_COVERED_COLOUR, "Non couvert"),
        ],
        note="Source : page du programme Les Sentiers (Kiif). Cliquez un département pour voir ses communes.",
        position="bottomleft",
    )


def departement_coverage_legend(departement: str, coverage: KiifCoverage) -> Legend:
    """A small box saying whether the programme covers this département, and by whom."""
    region = coverage.region_of(departement)
    if region is None:
        entries = [(palettes.NOT_COVERED_COLOUR, "Département non couvert par Les Sentiers")]
        note = f"{coverage.faq_note} Contact : {coverage.contact.name}, {coverage.contact.email}."
    else:
        inc = region.incubator
        who = f"{inc.name} ({inc.city})" if inc.verified else inc.name
        entries = [(palettes.COVERED_COLOUR, f"Couvert par Les Sentiers {coverage.edition} : {who}")]
        note = "Source : page du programme Les Sentiers (Kiif)."
    return Legend("Couverture Kiif", entries, note=note, position="topright")


def _commune_props(
    frame: pd.DataFrame, keys: Sequence[object], extras: Sequence[str] | None = None
) -> list[dict]:
    extras = extras if extras is not None else [""] * len(frame)
    return [
        {"c": c, "n": esc(n), "k": str(k), "x": x, "g": "commune"}
        for c, n, k, x in zip(frame["code"], frame["name"], keys, extras, strict=True)
    ]


def _population_line(frame: pd.DataFrame) -> list[str]:
    if "population" not in frame:
        return [""] * len(frame)
    years = frame["population_year"] if "population_year" in frame else [None] * len(frame)
    return [
        esc(f"Population {int(y) if pd.notna(y) else ''} : {fr.integer(p)} hab.") if pd.notna(p) else ""
        for p, y in zip(frame["population"], years, strict=True)
    ]


def rurality_layer(
    frame: gpd.GeoDataFrame, name: str = "Ruralité (grille de densité)", show: bool = True
) -> CompactGeoJson:
    """Communes coloured by the 7-level grille communale de densité (level unknown: white)."""
    if "density_level" in frame:
        keys = [int(v) if pd.notna(v) else "u" for v in frame["density_level"]]
    else:
        keys = ["u"] * len(frame)
    data = _features_text(frame, _commune_props(frame, keys, _population_line(frame)))
    classes: dict[object, LayerClass] = {
        level: LayerClass(palettes.DENSITY_COLOURS[level], f"{level} · {label}")
        for level, label in DENSITY_LABELS.items()
    }
    classes["u"] = LayerClass(UNKNOWN_COLOUR, "Niveau de densité inconnu")
    return CompactGeoJson(data, classes, name, show=show)


def rurality_legend(source_note: str = "") -> Legend:
    entries: list[tuple[str | None, str]] = [(None, "Rural (niveaux 5 à 7)")]
    entries += [(palettes.DENSITY_COLOURS[k], f"{k} · {DENSITY_LABELS[k]}") for k in (7, 6, 5)]
    entries += [(None, "Urbain (niveaux 1 à 4)")]
    entries += [(palettes.DENSITY_COLOURS[k], f"{k} · {DENSITY_LABELS[k]}") for k in (4, 3, 2, 1)]
    entries += [(UNKNOWN_COLOUR, "Niveau inconnu")]
    note = "Une commune est rurale si elle est peu ou très peu dense (niveaux 5 à 7)."
    if source_note:
        note += f" Source : {source_note}."
    return Legend("Grille communale de densité", entries, note=note)


def frr_layer(frame: gpd.GeoDataFrame, show: bool = True) -> CompactGeoJson | None:
    """Communes classified in France Ruralités Revitalisation (only those: the others stay blank)."""
    if "frr" not in frame:
        return None
    labels = frame["frr"].fillna("").astype(str)
    sub = frame[(labels != "") & (labels != "Non classée")]
    keys = [k if k in palettes.FRR_COLOURS else "autre" for k in sub["frr"].astype(str)]
    extras = [esc(v) if k == "autre" else "" for k, v in zip(keys, sub["frr"].astype(str), strict=True)]
    data = _features_text(sub, _commune_props(sub, keys, extras))
    classes = {k: LayerClass(v, k) for k, v in palettes.FRR_COLOURS.items()}
    classes["autre"] = LayerClass(palettes.FRR_OTHER_COLOUR, "Autre classement FRR")
    return CompactGeoJson(data, classes, "Zonage FRR", show=show, fill_opacity=0.65)


def frr_legend(source_note: str = "") -> Legend:
    entries = [(c, label) for label, c in palettes.FRR_COLOURS.items()]
    note = "Communes non classées : non colorées."
    if source_note:
        note += f" Source : {source_note}."
    return Legend("France Ruralités Revitalisation", entries, note=note)


def programmes_layer(frame: gpd.GeoDataFrame, show: bool = True) -> CompactGeoJson | None:
    """Communes in Action cœur de ville, Petites villes de demain or Villages d'avenir."""
    present = [c for c in palettes.PROGRAMMES if c in frame]
    if not present:
        return None
    flags = pd.DataFrame({c: frame[c].fillna(False).astype(bool) for c in present})
    any_ = flags.any(axis=1).to_numpy()
    sub = frame[any_]
    sub_flags = flags[any_]
    keys = [next(c for c in present if row[c]) for _, row in sub_flags.iterrows()]
    extras = [
        esc(", ".join(palettes.PROGRAMMES[c][0] for c in present if row[c]))
        for _, row in sub_flags.iterrows()
    ]
    data = _features_text(sub, _commune_props(sub, keys, extras))
    classes = {c: LayerClass(colour, label) for c, (label, colour) in palettes.PROGRAMMES.items()}
    return CompactGeoJson(data, classes, "Programmes ANCT (PVD, VA, ACV)", show=show, fill_opacity=0.7)


def programmes_legend(source_note: str = "") -> Legend:
    entries = [(colour, label) for label, colour in palettes.PROGRAMMES.values()]
    return Legend("Programmes de l'ANCT", entries, note=f"Source : {source_note}." if source_note else "")


def points_layer(points: pd.DataFrame, layer: str, show: bool = True) -> CompactGeoJson | None:
    """France services, Fabriques de territoire or Manufactures de proximité as circle markers."""
    label, colour = POINT_LAYERS[layer]
    sub = points[(points["layer"] == layer) & points["lat"].notna() & points["lon"].notna()]
    if sub.empty:
        return None
    feats = [
        {
            "type": "Feature",
            "properties": {"c": esc(code), "n": esc(name), "k": "p", "x": esc(addr), "g": "point"},
            "geometry": {"type": "Point", "coordinates": [round(float(lon), 5), round(float(lat), 5)]},
        }
        for code, name, addr, lat, lon in zip(
            sub["code"], sub["label"], sub["address"].fillna(""), sub["lat"], sub["lon"], strict=True
        )
    ]
    data = {"type": "FeatureCollection", "features": feats}
    return CompactGeoJson(data, {"p": LayerClass(colour, label)}, label, show=show, radius=5)


def scores_layer(
    frame: gpd.GeoDataFrame, scores: pd.Series, name: str = "Scores", show: bool = True
) -> CompactGeoJson:
    """Communes coloured by a score 0-100 (``scores``: Series indexed by commune code); no score: white."""
    values = frame["code"].map(scores)
    keys: list[object] = []
    extras: list[str] = []
    for v in values:
        if pd.isna(v):
            keys.append("u")
            extras.append("Pas de score")
            continue
        v = float(v)
        k = next(
            (i for i in range(len(palettes.SCORE_COLOURS)) if v < palettes.SCORE_BINS[i + 1]),
            len(palettes.SCORE_COLOURS) - 1,
        )
        keys.append(k)
        extras.append(esc(f"Score : {v:.1f}".replace(".", ",")))
    data = _features_text(frame, _commune_props(frame, keys, extras))
    classes: dict[object, LayerClass] = {
        i: LayerClass(c, f"{palettes.SCORE_BINS[i]:.0f} à {min(palettes.SCORE_BINS[i + 1], 100):.0f}")
        for i, c in enumerate(palettes.SCORE_COLOURS)
    }
    classes["u"] = LayerClass(palettes.NO_VALUE_COLOUR, "Pas de score")
    return CompactGeoJson(data, classes, name, show=show)


def scores_legend(title: str = "Score (0 à 100)", layer: folium.MacroElement | None = None) -> Legend:
    entries = [
        (c, f"{palettes.SCORE_BINS[i]:.0f} à {min(palettes.SCORE_BINS[i + 1], 100):.0f}")
        for i, c in enumerate(palettes.SCORE_COLOURS)
    ]
    return Legend(title, [*entries, (palettes.NO_VALUE_COLOUR, "Pas de score (hors candidats)")], layer=layer)


def selected_outline(frame: gpd.GeoDataFrame, code: str) -> CompactGeoJson | None:
    sub = frame[frame["code"] == code]
    if sub.empty:
        return None
    data = _features_text(sub, [{"c": code, "k": "s"}])
    return CompactGeoJson(
        data,
        {"s": LayerClass("#000000", "")},
        "Commune choisie",
        control=False,
        fill_opacity=0.0,
        stroke="#d7191c",
        weight=3,
        interactive=False,
    )


# -- whole maps --------------------------------------------------------------------------------------------
def france_map(
    base: Base,
    coverage: KiifCoverage | None = None,
    outlines: gpd.GeoDataFrame | None = None,
    tiles: str | None = "default",
    leaflet_url: str | None = None,
) -> folium.Map:
    """France by département, covered / not covered, with the Outre-mer selector."""
    coverage = coverage or load_kiif()
    outlines = outlines if outlines is not None else payload.departement_outlines(base.departements)
    m = base_map(METRO_BOUNDS, tiles=tiles, leaflet_url=leaflet_url)
    coverage_layer(outlines, coverage).add_to(m)
    coverage_legend(coverage).add_to(m)
    DromSelector([("Métropole", METRO_BOUNDS), *DROM_VIEWS.values()]).add_to(m)
    return m


def communes_map(
    base: Base,
    *,
    departement: str | None = None,
    region: str | None = None,
    layers: Sequence[str] = ("rural", "frr", "programmes", "services"),
    scores: pd.Series | None = None,
    selected: str | None = None,
    frame: gpd.GeoDataFrame | None = None,
    collapsed_control: bool = False,
    tiles: str | None = "default",
    leaflet_url: str | None = None,
) -> folium.Map:
    """Communes of a département (or a région) with the requested layers, a layer control and legends.

    The first polygon layer requested is shown; the others start hidden (toggle them in the control).
    """
    if departement is not None:
        departement = check_departement_code(departement)
    elif region is not None:
        region = check_region_code(region)
    else:
        raise ValueError("communes_map needs a département or a région")
    if frame is None:
        frame = commune_frame(base, departement=departement, region=region)
    m = base_map(_bounds(frame) if len(frame) else None, tiles=tiles, leaflet_url=leaflet_url)
    shown = False
    legends: list[Legend] = []
    if scores is not None:
        score_layer = scores_layer(frame, scores, show=True)
        score_layer.add_to(m)
        legends.append(scores_legend(layer=score_layer))
        shown = True
    for layer in layers:
        built: CompactGeoJson | None = None
        legend: Legend | None = None
        if layer == "rural":
            built = rurality_layer(frame, show=not shown)
            legend = rurality_legend(base.source_note("grille_densite") if "density_level" in frame else "")
        elif layer == "frr":
            built = frr_layer(frame, show=not shown)
            legend = frr_legend(base.source_note("anct_frr")) if built is not None else None
        elif layer == "programmes":
            built = programmes_layer(frame, show=not shown)
            legend = programmes_legend(_programme_sources(base)) if built is not None else None
        elif layer == "services":
            pts = base.points
            if len(pts):
                codes = set(frame["code"])
                pts = pts[pts["code"].isin(codes)]
                for point_layer in POINT_LAYERS:
                    lyr = points_layer(pts, point_layer, show=True)
                    if lyr is not None:
                        lyr.add_to(m)
                if not pts.empty:
                    legends.append(
                        Legend(
                            "Lieux",
                            [(c, lbl) for lbl, c in POINT_LAYERS.values()],
                            note="Source : ANCT. Cliquer un lieu ouvre sa commune.",
                            point=True,
                        )
                    )
            continue
        elif layer == "coverage":
            if departement is not None:
                departement_coverage_legend(departement, load_kiif()).add_to(m)
            continue
        if built is not None:
            built.add_to(m)
            if legend is not None:
                legend.layer = built
                legends.append(legend)
            shown = True
    if selected:
        outline = selected_outline(frame, selected)
        if outline is not None:
            outline.add_to(m)
    # polygon legends share the lower right corner (only the one of the layer on shows), the points' the left
    for legend in legends:
        legend.position = "bottomleft" if legend.layer is None else "bottomright"
        legend.add_to(m)
    folium.LayerControl(collapsed=collapsed_control).add_to(m)
    return m


def _programme_sources(base: Base) -> str:
    notes = [base.source_note(x) for x in ("anct_pvd", "anct_va", "anct_acv") if base.has_layer(x)]
    return " ; ".join(dict.fromkeys(notes))


def map_html(m: folium.Map) -> str:
    """The HTML of a map, loading Leaflet from where the map says (its CDN, or ``leaflet_url``)."""
    return m.get_root().render()


# the ground of a map drawn without tiles: a plain, light background under the polygons
PLAIN_BACKGROUND = "#eef1f3"
_LEAFLET_IMAGE = re.compile(r"url\(images/([\w.-]+\.png)\)")


@functools.cache
def leaflet_inline() -> tuple[str, str]:
    """The package's Leaflet (``LEAFLET_DIR``) as text to write into a page: its script, and its style sheet
    with the images it names (layer control) as data URIs."""
    js = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(match: re.Match[str]) -> str:
        image = (LEAFLET_DIR / "images" / match.group(1)).read_bytes()
        return f'url("data:image/png;base64,{base64.b64encode(image).decode("ascii")}")'

    return js.replace("</script", "<\\/script"), _LEAFLET_IMAGE.sub(data_uri, css).replace("</style", "")


def standalone_html(m: folium.Map, background: str | None = PLAIN_BACKGROUND) -> str:
    """The map as one HTML file that draws with no network: Leaflet's script and style sheet written into the
    page (no CDN, nothing to trust at a distance). ``background``: the colour under a map without tiles."""
    js, css = leaflet_inline()
    m.default_js, m.default_css = [], []
    root = m.get_root()
    assert isinstance(root, Figure), "a map's root is its figure"
    header = root.header
    header.add_child(_Rendered(f"<style>{css}</style>"), name="leaflet_css")
    if background:
        header.add_child(
            _Rendered(f"<style>.leaflet-container {{ background: {background}; }}</style>"),
            name="sentiers_background",
        )
    header.add_child(_Rendered(f"<script>{js}</script>"), name="leaflet")
    return root.render()
