"""The shared map frame: offline base layer, OSM option, overlays, tools, legend, title, HTML output."""

from __future__ import annotations

import datetime as _dt
import html

import geopandas as gpd
import numpy as np

from geozones.maps._assets import CSS, JS, finalise, local_links
from geozones.maps._elements import (
    HATCH_DEFS,
    Attribution,
    FitBounds,
    GeozonesAssets,
    HtmlControl,
    OverlayLayer,
    PlainBase,
    swatch,
)
from geozones.maps._text import LABELS, js_config
from geozones.maps.data import OVERLAY_LAYERS, attributions, feature_collection

#: Where the map opens when there is nothing to fit (between Bắc Kạn and Lạng Sơn).
DEFAULT_CENTER = (21.95, 106.15)
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'

#: Leaflet style per reference layer (the print maps use the same colours).
OVERLAY_STYLES: dict[str, dict] = {
    "boundaries_provinces": {"color": "#37474f", "weight": 2.5, "fill": False, "opacity": 0.9},
    "boundaries_districts": {"color": "#78909c", "weight": 1, "fill": False, "dashArray": "4 3", "opacity": 0.9},
    "infrastructure_roads": {"color": "#d35400", "weight": 2.5, "opacity": 0.9, "fill": False},
    "infrastructure_railways": {"color": "#212121", "weight": 2, "dashArray": "6 4", "opacity": 0.9, "fill": False},
    "infrastructure_border_gates": {"color": "#b71c1c", "weight": 1.5, "fillColor": "#e57373", "opacity": 1},
    "infrastructure_hydropower": {"color": "#01579b", "weight": 1.5, "fillColor": "#4fc3f7", "opacity": 1},
    "infrastructure_protected_areas": {"color": "#1b5e20", "weight": 1.5, "fillColor": "#81c784", "opacity": 1},
    "infrastructure_power": {
        "color": "#6a1b9a",
        "weight": 1.5,
        "dashArray": "1 4",
        "fillColor": "#6a1b9a",
        "opacity": 0.9,
    },
    "infrastructure_destinations": {"color": "#0d47a1", "weight": 1.5, "fillColor": "#42a5f5", "opacity": 1},
}
TOOLTIP_FIELDS = ("name", "name_en", "ref", "kind", "type", "voltage_kv", "capacity_mw", "area_ha", "class")


def _require_folium():
    try:
        import folium  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError("web maps need folium: pip install 'geozones[maps]'") from exc


def base_map(lang: str, *, bounds: tuple[float, float, float, float] | None = None):
    """A folium.Map with vendored assets, a blank base layer and optional OSM tiles."""
    _require_folium()
    import folium
    from folium import plugins

    text = LABELS[lang]
    m = folium.Map(location=DEFAULT_CENTER, zoom_start=9, tiles=None, control_scale=True)
    m.default_js = local_links(JS, ["leaflet"])
    m.default_css = local_links(CSS, ["leaflet_css"])
    PlainBase(text["plain"]).add_to(m)
    folium.TileLayer(OSM_TILES, name=text["osm"], attr=OSM_ATTRIBUTION, overlay=False, show=False, max_zoom=19).add_to(
        m
    )
    GeozonesAssets().add_to(m)
    m.get_root().html.add_child(folium.Element(HATCH_DEFS))
    full = plugins.Fullscreen(
        position="topleft",
        title="Toàn màn hình" if lang == "vi" else "Full screen",
        title_cancel="Thoát" if lang == "vi" else "Exit full screen",
    )
    full.default_js = local_links(JS, ["Control.Fullscreen.js"])
    full.default_css = local_links(CSS, ["Control.FullScreen.css"])
    full.add_to(m)
    measure = plugins.MeasureControl(
        position="topleft",
        primary_length_unit="meters",
        secondary_length_unit="kilometers",
        primary_area_unit="hectares",
        secondary_area_unit="sqmeters",
    )
    measure.default_js = local_links(JS, ["leaflet_measure_js"])
    measure.default_css = local_links(CSS, ["leaflet_measure_css"])
    measure.add_to(m)
    m.add_css_link("Leaflet.Search.css", local_links(CSS, ["Leaflet.Search.css"])[0][1])
    m.add_js_link("Leaflet.Search.js", local_links(JS, ["Leaflet.Search.js"])[0][1])
    if bounds is not None and np.isfinite(bounds).all():
        west, south, east, north = bounds
        FitBounds([[float(south), float(west)], [float(north), float(east)]]).add_to(m)
    return m


def add_overlays(m, layers: dict[str, gpd.GeoDataFrame], lang: str) -> None:
    """Boundaries, roads, railways, grid and destinations from the store, each a toggle in the layer control.

    The layers' ``attribution`` lines (CC BY-SA boundaries, provisional road data) go into the map's
    attribution control, which stays whichever base layer is chosen.
    """
    text = LABELS[lang]
    shown = {}
    for name, key in OVERLAY_LAYERS.items():
        frame = layers.get(name)
        if frame is None or frame.empty:
            continue
        shown[name] = frame
        fields = [c for c in TOOLTIP_FIELDS if c in frame.columns]
        OverlayLayer(
            feature_collection(frame, fields),
            text[key],
            OVERLAY_STYLES[name],
            fields,
            show=name != "boundaries_districts" or len(frame) < 200,
        ).add_to(m)
    for line in attributions(shown):
        Attribution(line).add_to(m)


def legend_html(lang: str, extra: list[tuple[str, str]] | None = None, source: str | None = None) -> str:
    """Legend: status fills, kind outlines, the location-only marker, plus ``extra`` (symbol, label) rows."""
    config = js_config(lang)
    text = LABELS[lang]
    rows = [f"<h5>{html.escape(text['legend_status'])}</h5>"]
    for status, color in config["status_colors"].items():
        rows.append(f"<div>{swatch(color, '#555', width=1)}{html.escape(config['statuses'][status])}</div>")
    rows.append(f"<h5>{html.escape(text['legend_kind'])}</h5>")
    for kind, (color, width, dash) in config["kind_outlines"].items():
        rows.append(
            f"<div>{swatch('#ffffff', color, dash, width)}{html.escape(kind)} — "
            f"{html.escape(config['kinds'][kind])}</div>"
        )
    rows.append(
        f"<div>{swatch('#9e9e9e', '#212121', '2 2', 1.5, 'circle')}{html.escape(text['location_marker'])}</div>"
    )
    for symbol, label in extra or []:
        rows.append(f"<div>{symbol}{html.escape(label)}</div>")
    today = _dt.date.today().isoformat()
    rows.append(
        f'<div class="gz-source">{html.escape(text["source"])}: {html.escape(source or "geozones")} · {today}</div>'
    )
    return "".join(rows)


def add_legend_and_title(m, lang: str, title: str, extra=None, source: str | None = None) -> None:
    """The legend (bottom right) and the title (bottom left)."""
    HtmlControl(legend_html(lang, extra, source), "bottomright", "gz-legend").add_to(m)
    HtmlControl(html.escape(title), "bottomleft", "gz-map-title").add_to(m)


def add_layer_control(m) -> None:
    import folium

    folium.LayerControl(collapsed=False, position="topright").add_to(m)


def zone_bounds(zones: gpd.GeoDataFrame | None) -> tuple[float, float, float, float] | None:
    """WGS84 bounds of the zones, their site points included."""
    if zones is None or len(zones) == 0:
        return None
    from geozones.crs import WGS84

    wgs = zones.to_crs(WGS84)
    boxes = [wgs.geometry[~(wgs.geometry.isna() | wgs.geometry.is_empty)].total_bounds]
    if {"site_lon", "site_lat"} <= set(zones.columns):
        pts = zones[["site_lon", "site_lat"]].astype(float).dropna()
        if len(pts):
            boxes.append(np.array([pts.site_lon.min(), pts.site_lat.min(), pts.site_lon.max(), pts.site_lat.max()]))
    stacked = np.vstack([b for b in boxes if np.isfinite(b).all()] or [np.full(4, np.nan)])
    return (stacked[:, 0].min(), stacked[:, 1].min(), stacked[:, 2].max(), stacked[:, 3].max())


def render_html(m, base_url: str | None = None) -> str:
    """The map as one HTML page: assets from ``base_url`` (e.g. ``/maps/static``) or inlined (standalone)."""
    return finalise(m.get_root().render(), base_url)


def sources_of(zones: gpd.GeoDataFrame | None, limit: int = 6) -> str:
    """A short source line: the distinct ``sources`` entries of the zones."""
    if zones is None or "sources" not in zones.columns:
        return "geozones"
    from geozones.maps.citations import short_citations

    seen = dict.fromkeys(s.strip() for v in zones["sources"].dropna() for s in str(v).split(";") if s.strip())
    names = short_citations(seen)  # "Publisher (date)", never a file name (issue 21)
    more = f" (+{len(names) - limit})" if len(names) > limit else ""
    return "; ".join(names[:limit]) + more if names else "geozones"
