"""The investor site explorer: a map and a sortable, filterable list of every site, kept in sync, plus comparison.

The page is plain HTML with the vendored Leaflet and the ordered scripts :data:`SCRIPTS`; all data
(the site table of :func:`maps.sites.site_table`, simplified site outlines, reference layers)
and every catalogue (:mod:`maps.i18n`) go into one JSON ``<script type="application/json">``
block, escaped so no value can close it. The script puts every value on the page with
``textContent`` (never ``innerHTML``). Filters, sort, language and the comparison live in the
URL fragment, so a link restores the view.
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import shapely

from geozones.analysis.siteselect import PLACE_KINDS
from geozones.crs import WGS84, require_crs
from geozones.errors import InvalidParameterError, NotFoundError
from geozones.io.style import KIND_OUTLINES, STATUS_COLORS
from geozones.maps import i18n
from geozones.maps._assets import PLACEHOLDER, finalise
from geozones.maps.data import clean_value, feature_collection, safe_json
from geozones.schema import KINDS, STATUSES

#: Reference layers (store name -> catalogue key), drawn under the sites in this order.
REFERENCE_LAYERS: dict[str, str] = {
    "boundaries_provinces": "layer.provinces",
    "boundaries_districts": "layer.districts",
    "infrastructure_roads": "layer.roads",
    "infrastructure_railways": "layer.railways",
    "infrastructure_power": "layer.power",
    "infrastructure_destinations": "layer.destinations",
    "infrastructure_corridor_roads": "layer.corridor_roads",
    "infrastructure_logistics_destinations": "layer.logistics_destinations",
}
#: Logistics rows (drive-time model, issue 22): minutes by car and by container truck, labour catchment.
LOGISTICS_FIELDS: tuple[tuple[str, str], ...] = (
    ("field.min_capital", "minutes_capital"),
    ("field.min_airport", "minutes_airport"),
    ("field.min_seaport", "minutes_seaport"),
    ("field.min_border_gate", "minutes_border_gate"),
    ("field.min_railway_station", "minutes_railway_station"),
    ("field.truck_min_capital", "truck_minutes_capital"),
    ("field.truck_min_airport", "truck_minutes_airport"),
    ("field.truck_min_seaport", "truck_minutes_seaport"),
    ("field.truck_min_border_gate", "truck_minutes_border_gate"),
    ("field.pop_30min", "pop_30min"),
    ("field.pop_60min", "pop_60min"),
)
#: Rows of the comparison (catalogue key, site-table column or derived value), shared by page, HTML and CSV.
COMPARE_FIELDS: tuple[tuple[str, str], ...] = (
    ("field.kind", "kind"),
    ("field.province", "province"),
    ("field.province_pre2025", "province_pre2025"),
    ("field.status", "status"),
    ("field.area_published", "area_published_ha"),
    ("field.area_mapped", "area_mapped_ha"),
    ("field.available", "available_ha"),
    ("field.phases", "phases"),
    ("field.occupancy", "occupancy_pct"),
    ("field.investor", "investor"),
    *(
        (f"field.{p}_{k}", f"{c}_{k}")
        for k in PLACE_KINDS
        for p, c in (("road", "road_km"), ("straight", "straight_km"), ("drive", "road_h"))
    ),
    ("field.access", "access_km"),
    *LOGISTICS_FIELDS,
    ("field.land_price", "land_price"),
    ("field.leased", "leased_land_ha"),
    ("field.power", "power_capacity_mva"),
    ("field.water", "water_capacity_m3_day"),
    ("field.wastewater", "wastewater_capacity_m3_day"),
    ("field.incentives", "incentives"),
    ("field.contact", "contact"),
    ("field.geometry_quality", "geometry_quality"),
    ("field.sources", "sources"),
)
#: Outlines are simplified to this tolerance (degrees, about 5 m) for the page.
_SIMPLIFY_DEG = 0.00005


def outlines(zones: gpd.GeoDataFrame) -> list:
    """Per zone (same order), its polygon rings as ``[[[lon, lat], ...], ...]`` in WGS84, or ``None``."""
    require_crs(zones, "zone layer")
    geoms = zones.geometry if zones.crs.equals(WGS84) else zones.geometry.to_crs(WGS84)
    out = []
    for geom in geoms.array:
        if geom is None or geom.is_empty:
            out.append(None)
            continue
        geom = shapely.simplify(geom, _SIMPLIFY_DEG, preserve_topology=True)
        rings = []
        for part in getattr(geom, "geoms", [geom]):
            for ring in (part.exterior, *part.interiors):
                rings.append(np.round(np.asarray(ring.coords)[:, :2], 6).tolist())
        out.append(rings)
    return out


def site_records(table) -> list[dict]:
    """The site table (:func:`geozones.analysis.siteselect.site_table`) as JSON-able dicts (NaN -> ``None``)."""
    frame = table.astype(object)
    return [{k: _json_value(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _json_value(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return clean_value(value)


#: Reference lines and boundaries are simplified to this tolerance (degrees, about 30 m) for the page:
#: under the explorer's closest zoom (15, about 5 m a pixel) that is a few pixels, and it halves the data.
_SIMPLIFY_LAYER_DEG = 0.0003


def _layer_json(frame: gpd.GeoDataFrame) -> dict:
    keep = [c for c in ("id", "name", "class", "ref", "voltage_kv", "geometry_quality") if c in frame.columns]
    frame = frame if frame.crs is None or frame.crs.equals(WGS84) else frame.to_crs(WGS84)
    if frame.geom_type.isin(["Polygon", "MultiPolygon", "LineString", "MultiLineString"]).any():
        frame = frame.set_geometry(frame.geometry.simplify(_SIMPLIFY_LAYER_DEG, preserve_topology=True))
    data = feature_collection(frame, keep)
    for feature in data["features"]:  # 5 decimals: about 1 m
        if feature.get("geometry"):
            feature["geometry"]["coordinates"] = _round(feature["geometry"]["coordinates"])
    return data


def _round(coords):
    if isinstance(coords, (int, float)):
        return round(coords, 5)
    return [_round(c) for c in coords]


def layers_data(layers: Mapping[str, gpd.GeoDataFrame] | None) -> dict:
    """The reference layers as GeoJSON by catalogue key (what the explorer draws under the sites)."""
    return {
        key: _layer_json(frame)
        for name, key in REFERENCE_LAYERS.items()
        if (frame := (layers or {}).get(name)) is not None and len(frame)
    }


def deferred_data(layers: Mapping[str, gpd.GeoDataFrame] | None, isochrones: gpd.GeoDataFrame | None = None) -> dict:
    """What the served explorer fetches from ``layers_url`` after the sites are drawn: the reference
    layers (:func:`layers_data`) and, under ``"isochrones"``, the drive-time polygons."""
    data = layers_data(layers)
    found = _isochrone_json(isochrones)
    if found is not None:
        data["isochrones"] = found
    return data


def explorer_data(
    zones: gpd.GeoDataFrame,
    table,
    *,
    layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    links: Mapping[str, str] | None = None,
    lang: str = "vi",
    layers_url: str | None = None,
    basemap: Mapping[str, str] | None = None,
    max_zoom: int = 15,
    isochrones: gpd.GeoDataFrame | None = None,
) -> dict:
    """Everything the explorer script needs, JSON-able.

    Parameters
    ----------
    zones : GeoDataFrame
        Zone records (any CRS), for the outlines.
    table : DataFrame
        Their site table (:func:`geozones.analysis.siteselect.site_table`), same order.
    layers : mapping, optional
        Reference layers by store name (see :data:`REFERENCE_LAYERS`); absent ones are left out.
    links : mapping, optional
        URL templates for the served page: ``factsheet`` (with ``{id}``, ``{lang}``, ``{f}``),
        ``compare``, ``compare_csv`` (``{ids}``, ``{lang}``), ``home``, ``downloads``, ``api``.
    lang : str
        The language the page opens in (the URL fragment may switch it).
    layers_url : str, optional
        Where the served page fetches the reference layers and the isochrones (:func:`deferred_data`)
        once the list and the sites are on screen; ``None`` embeds them (the standalone file).
    basemap : mapping, optional
        ``url`` (XYZ/WMTS template with ``{z}/{x}/{y}``) and ``attribution`` of a background; none by
        default (the page stays offline).
    max_zoom : int
        The closest zoom (the schematic outlines say nothing closer).
    isochrones : GeoDataFrame, optional
        Drive-time polygons (``zone_id``, ``minutes``; :func:`geozones.analysis.logistics.isochrones`),
        drawn for the selected site.
    """
    lang = i18n.check_lang(lang)
    return {
        "lang": lang,
        "langs": list(i18n.LANGS),
        "messages": {code: i18n.messages(code) for code in i18n.LANGS},
        "sites": site_records(table),
        "outlines": outlines(zones),
        "layers": {} if layers_url else layers_data(layers),
        "layers_url": layers_url,
        "basemap": dict(basemap) if basemap and basemap.get("url") else None,
        "max_zoom": int(max_zoom),
        "kinds": list(KINDS),
        "statuses": list(STATUSES),
        "status_colors": dict(STATUS_COLORS),
        "kind_outlines": {
            k: [c, max(1.5, round(w * 96 / 25.4, 1)), dash] for k, (c, w, _, dash) in KIND_OUTLINES.items()
        },
        "place_kinds": list(PLACE_KINDS),
        "compare_fields": [list(f) for f in COMPARE_FIELDS],
        "logistics_model": _logistics_model(),
        # the served page fetches them with the reference layers (about 230 KB for the shipped store)
        "isochrones": None if layers_url else _isochrone_json(isochrones),
        "links": dict(links or {}),
        "generated": _dt.date.today().isoformat(),
    }


#: The explorer's scripts (``static/geozones/``), in load order: each reads the names of the earlier ones.
SCRIPTS: tuple[str, ...] = (
    "explorer-logistics.js",  # a plugin (window.geozonesExplorerPlugins): before explorer-core.js
    "explorer-core.js",
    "explorer-state.js",
    "explorer-page.js",
    "explorer-filters.js",
    "explorer-list.js",
    "explorer-csv.js",
    "explorer-compare.js",
    "explorer-labels.js",
    "explorer-map.js",
    "explorer-inquiry.js",
    "explorer-popup.js",
    "explorer-legend.js",
    "explorer.js",
)


def _logistics_model() -> dict:
    """The drive-time model's figures (speeds, access speed, limit) for the page's stated-model note."""
    from geozones.analysis.logistics import ACCESS_SPEED_KMH, FAR_FROM_ROADS_M, VEHICLE_SPEEDS_KMH

    speeds = VEHICLE_SPEEDS_KMH
    return {
        "car_nat": f"{speeds['car']['national_highway']:g}",
        "car_prov": f"{speeds['car']['provincial_road']:g}",
        "truck_nat": f"{speeds['truck']['national_highway']:g}",
        "truck_prov": f"{speeds['truck']['provincial_road']:g}",
        "access": f"{ACCESS_SPEED_KMH:g}",
        "far": f"{FAR_FROM_ROADS_M / 1000:g}",
    }


def _isochrone_json(frame: gpd.GeoDataFrame | None) -> dict | None:
    if frame is None or not len(frame):
        return None
    frame = frame.to_crs(WGS84)
    frame = frame.set_geometry(frame.geometry.simplify(3e-4))  # ~30 m: plenty for a 15-60 minute area
    return feature_collection(frame, ["zone_id", "vehicle", "minutes"])


def logistics_note(lang: str) -> str:
    """The drive-time model in one sentence, in ``lang`` (every page that shows a time carries it)."""
    return i18n.text(lang, "factsheet.note_logistics", **_logistics_model())


_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{static}leaflet/leaflet.css"/>
<link rel="stylesheet" href="{static}geozones/explorer.css"/>
</head><body class="gz-explorer">
<noscript>{title}</noscript>
<script type="application/json" id="gz-data">{data}</script>
<script src="{static}leaflet/leaflet.js"></script>
{scripts}
</body></html>
"""


def explorer_html(
    zones: gpd.GeoDataFrame,
    table,
    *,
    layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    links: Mapping[str, str] | None = None,
    lang: str = "vi",
    base_url: str | None = None,
    layers_url: str | None = None,
    basemap: Mapping[str, str] | None = None,
    max_zoom: int = 15,
    isochrones: gpd.GeoDataFrame | None = None,
) -> str:
    """The explorer page.

    Parameters
    ----------
    zones, table, layers, links, lang, layers_url, basemap, max_zoom, isochrones
        See :func:`explorer_data`.
    base_url : str, optional
        Where the vendored assets are served (``/maps/static``); ``None`` inlines them so the
        file works on its own, offline (what ``geozones map`` writes).

    Returns
    -------
    str
        The HTML document.
    """
    data = explorer_data(
        zones,
        table,
        layers=layers,
        links=links,
        lang=lang,
        layers_url=layers_url,
        basemap=basemap,
        max_zoom=max_zoom,
        isochrones=isochrones,
    )
    page = _PAGE.format(
        lang=html.escape(lang),
        title=html.escape(i18n.text(data["lang"], "app.title")),
        static=PLACEHOLDER,
        data=safe_json(data),
        scripts="\n".join(f'<script src="{PLACEHOLDER}geozones/{name}"></script>' for name in SCRIPTS),
    )
    return finalise(page, base_url)


class UnknownSiteError(NotFoundError):
    """No site with the given id (the message is in the asked language)."""


# -- comparison (server side: HTML page and CSV) -------------------------------------------------


def _number(value, lang: str, digits: int = 1) -> str:
    return i18n.number(value, lang, digits)


def format_value(column: str, row: Mapping, lang: str) -> str:
    """A site-table value as shown to a person in ``lang`` ("not published" / "not in the data" when empty)."""
    value = row.get(column)
    missing = value is None or (isinstance(value, float) and not np.isfinite(value)) or value == ""
    if column == "land_price":
        if missing:
            return i18n.text(lang, "value.not_published")
        return i18n.text(
            lang,
            "value.per",
            price=_number(value, lang, 2),
            currency=row.get("land_price_currency") or "",
            unit={"m2": "m²"}.get(row.get("land_price_unit"), row.get("land_price_unit") or ""),
            period=i18n.text(lang, f"period.{row['land_price_period']}") if row.get("land_price_period") else "",
        )
    if column.startswith(("minutes_", "truck_minutes_", "pop_")) and column != "pop_year":
        if missing:
            return i18n.text(lang, "value.far_from_roads" if row.get("far_from_roads") else "value.no_data")
        if column.startswith("pop_"):
            year = f" ({row['pop_year']})" if row.get("pop_year") else ""
            return i18n.text(lang, "unit.people", value=_number(value, lang, 0)) + year
        return i18n.text(lang, "unit.min", value=_number(value, lang, 0))
    if column == "access_km":
        return (
            i18n.text(lang, "value.no_data") if missing else i18n.text(lang, "unit.km", value=_number(value, lang, 1))
        )
    if column.startswith(("road_km_", "road_h_")) and _far_from_roads(row):
        return i18n.text(lang, "value.far_from_roads")  # a long straight leg is not a road distance
    if column.startswith(("road_km_", "road_h_", "straight_km_")):
        if missing:
            kind = column.split("_", 2)[2]
            reachable_known = row.get(f"straight_km_{kind}") is not None and column.startswith("road_")
            return i18n.text(lang, "value.unreachable" if reachable_known else "value.no_data")
        if column.startswith("road_h_"):  # an estimate from assumed speeds: whole minutes, never "0.19 h"
            return i18n.text(lang, "unit.min", value=_number(max(1, round(float(value) * 60)), lang, 0))
        return i18n.text(lang, "unit.km", value=_number(value, lang, 1))
    if missing:
        return i18n.text(lang, "value.not_published")
    if column == "kind":
        return i18n.text(lang, f"kind.{value}")
    if column == "status":
        year = row.get("status_year")
        label = i18n.text(lang, f"status.{value}")
        return f"{label} ({year})" if year else label
    if column == "geometry_quality":
        return i18n.text(lang, "quality.location_only" if row.get("location_only") else f"quality.{value}")
    if column.endswith("_ha"):
        text = i18n.text(lang, "unit.ha", value=_number(value, lang, 1))
        if column == "available_ha" and row.get("available_basis") == "derived":
            text = "≈ " + text  # published area x (1 - published occupancy): see factsheet.note_available
        qualifier = row.get("area_qualifier") if column == "area_published_ha" else None
        return i18n.text(lang, f"value.{qualifier}", value=text) if qualifier in ("about", "over") else text
    if column == "occupancy_pct":
        return i18n.text(lang, "unit.pct", value=_number(value, lang, 1))
    if column.endswith(("_mva", "_m3_day")):
        unit = "MVA" if column.endswith("_mva") else "m³/day"
        return f"{_number(value, lang, 1)} {unit}"
    return str(value)


def _far_from_roads(row: Mapping) -> bool:
    """The site's straight leg to the nearest mapped road is longer than the stated limit (3 km)."""
    from geozones.analysis.logistics import FAR_FROM_ROADS_M

    access = row.get("access_km")
    return isinstance(access, (int, float)) and np.isfinite(access) and access * 1000.0 > FAR_FROM_ROADS_M


def comparison(table, ids: list[str], lang: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The comparison of the sites ``ids`` (2-4, in that order): site names and ``(label, values)`` rows.

    Raises
    ------
    InvalidParameterError
        With a message in ``lang`` for a wrong number of sites.
    UnknownSiteError
        For an unknown id (message in ``lang``).
    """
    lang = i18n.check_lang(lang)
    if not 2 <= len(ids) <= 4:
        raise InvalidParameterError(i18n.text(lang, "error.compare_count", count=len(ids)))
    by_id = {r["id"]: r for r in site_records(table)}
    for site in ids:
        if site not in by_id:
            raise UnknownSiteError(i18n.text(lang, "error.unknown_site", id=site))
    rows = [by_id[i] for i in ids]
    body = [(i18n.text(lang, key), [format_value(column, r, lang) for r in rows]) for key, column in COMPARE_FIELDS]
    return [r["name"] for r in rows], body


def comparison_csv(table, ids: list[str], lang: str) -> str:
    """The comparison as CSV (UTF-8 with a byte-order mark so spreadsheet programs read the diacritics)."""
    from geozones.io.csvcells import rows_to_csv

    names, rows = comparison(table, ids, lang)
    lines = [[i18n.text(lang, "compare.field"), *names], [i18n.text(lang, "field.id"), *ids]]
    lines += [[label, *values] for label, values in rows]
    # text cells starting with = + - @ (a stored zone name) are neutralised for spreadsheets (OWASP)
    return "\ufeff" + rows_to_csv(lines)


def comparison_html(
    table, ids: list[str], lang: str, *, explorer_url: str | None = None, csv_url: str | None = None
) -> str:
    """The comparison as a small standalone HTML page (every value escaped)."""
    names, rows = comparison(table, ids, lang)
    e = html.escape
    head = "".join(f"<th scope='col'>{e(n)}</th>" for n in names)
    body = "".join(
        f"<tr><th scope='row'>{e(label)}</th>{''.join(f'<td>{e(v)}</td>' for v in values)}</tr>"
        for label, values in rows
    )
    links = []
    if explorer_url:
        links.append(f"<a href='{e(explorer_url)}'>{e(i18n.text(lang, 'app.title'))}</a>")
    if csv_url:
        links.append(f"<a href='{e(csv_url)}' download>{e(i18n.text(lang, 'compare.csv'))}</a>")
    notes = " ".join(e(i18n.text(lang, k)) for k in ("factsheet.note_roads", "factsheet.note_drive"))
    notes += " " + e(logistics_note(lang))
    return f"""<!doctype html><html lang="{e(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(i18n.text(lang, "compare.title"))}</title>
<style>body{{font-family:{i18n.FONT_STACKS[lang]};margin:1.5rem}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}}
thead th{{background:#f3f3f3}}tbody th{{font-weight:600;color:#333;max-width:16rem}}p.gz-note{{color:#555;max-width:60rem}}
{i18n.LINE_BREAK_CSS}
@media (max-width:700px){{body{{margin:.5rem}}table{{width:100%;table-layout:fixed;font-size:12px}}
td,th{{padding:.2rem .25rem;overflow-wrap:anywhere}}h1{{font-size:1.2rem}}}}</style>
</head><body><h1>{e(i18n.text(lang, "compare.title"))}</h1><p>{" · ".join(links)}</p>
<table class="gz-compare"><thead><tr><th>{e(i18n.text(lang, "compare.field"))}</th>{head}</tr></thead>
<tbody>{body}</tbody></table><p class="gz-note">{notes}</p></body></html>"""


__all__ = [
    "UnknownSiteError",
    "site_records",
    "REFERENCE_LAYERS",
    "COMPARE_FIELDS",
    "SCRIPTS",
    "LOGISTICS_FIELDS",
    "logistics_note",
    "outlines",
    "explorer_data",
    "layers_data",
    "deferred_data",
    "explorer_html",
    "format_value",
    "comparison",
    "comparison_csv",
    "comparison_html",
]
