"""OpenStreetMap layers from the Overpass API: the query, parsing the JSON answer into layers."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geozones.errors import (
    EmptyResultError,
    InvalidParameterError,
    OverpassError,
)
from geozones.io.fetch.area import Area, _box_text
from geozones.io.fetch.http import _short, http_request
from geozones.io.fetch.settings import (
    _TAG_COLUMNS,
    HIGHWAY_CLASSES,
    LAYERS,
    OSM_ATTRIBUTION,
    OSM_LICENCE,
    OVERPASS_URL,
    POWER_LINE_VALUES,
    RAILWAY_VALUES,
    WATERWAY_VALUES,
    FetchSettings,
)
from geozones.io.infrastructure import INFRASTRUCTURE_LAYERS, normalize_infrastructure

# --- Overpass -------------------------------------------------------------------------------


def _regex(values: Iterable[str]) -> str:
    return "^(" + "|".join(re.escape(v) for v in values) + ")$"


def overpass_query(
    area: Area,
    layers: Sequence[str] = tuple(LAYERS),
    *,
    highway_classes: Sequence[str] = HIGHWAY_CLASSES,
    timeout_s: float = 180,
    maxsize: int = 512 * 1024 * 1024,
) -> str:
    """The Overpass QL query for the chosen layers in the area's bounding box.

    Lines (ways) are printed with ``out geom`` (coordinates inline); substations -- nodes,
    closed ways or multipolygon relations -- with ``out center`` (one point each).
    """
    unknown = [name for name in layers if name not in LAYERS]
    if unknown or not layers:
        raise InvalidParameterError(
            f"unknown layer(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(LAYERS)}"
        )
    bbox = f"{area.south:.7f},{area.west:.7f},{area.north:.7f},{area.east:.7f}"
    lines = []
    if "roads" in layers:
        lines.append(f'way["highway"~"{_regex(highway_classes)}"]({bbox});')
    if "railways" in layers:
        lines.append(f'way["railway"~"{_regex(RAILWAY_VALUES)}"]({bbox});')
    if "rivers" in layers:
        lines.append(f'way["waterway"~"{_regex(WATERWAY_VALUES)}"]({bbox});')
    if "power" in layers:
        lines.append(f'way["power"~"{_regex(POWER_LINE_VALUES)}"]({bbox});')
    query = [f"[out:json][timeout:{int(timeout_s)}][maxsize:{int(maxsize)}];", "("]
    query += [f"  {line}" for line in lines]
    query += [");", "out geom qt;"]
    if "power" in layers:
        query += [f'nwr["power"="substation"]({bbox});', "out center qt;"]
    return "\n".join(query) + "\n"


def _layer_of(tags: Mapping[str, str], highway_classes: Sequence[str]) -> list[str]:
    found = []
    if tags.get("highway") in highway_classes:
        found.append("roads")
    if tags.get("railway") in RAILWAY_VALUES:
        found.append("railways")
    if tags.get("waterway") in WATERWAY_VALUES:
        found.append("rivers")
    if tags.get("power") in POWER_LINE_VALUES or tags.get("power") == "substation":
        found.append("power")
    return found


def _geometry(element: Mapping):
    kind = element.get("type")
    if kind == "node" and "lat" in element and "lon" in element:
        return shapely.Point(float(element["lon"]), float(element["lat"]))
    if element.get("center"):
        center = element["center"]
        return shapely.Point(float(center["lon"]), float(center["lat"]))
    if kind == "way" and element.get("geometry"):
        coords = [(float(p["lon"]), float(p["lat"])) for p in element["geometry"] if p]
        if len(coords) >= 2:
            return shapely.LineString(coords)
    return None


def parse_overpass(
    payload: Mapping | bytes | str,
    area: Area,
    *,
    layers: Sequence[str] = tuple(LAYERS),
    highway_classes: Sequence[str] = HIGHWAY_CLASSES,
    source: str = OVERPASS_URL,
    fetched_at: str | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Overpass JSON (``out geom`` / ``out center``) -> one EPSG:4326 GeoDataFrame per layer.

    Ways become LineStrings, nodes and the centres of closed ways/relations (substations)
    Points. Columns: ``id`` (``way/123``), ``osm_type``, ``osm_id``, the layer's tags
    (``ref``, ``name``, ``highway``, ``voltage`` ...), ``voltage_kv`` (power: the highest
    voltage in kV), ``length_m`` (lines: length in the area's TM-3 CRS), ``sources``,
    ``geometry_quality``, ``location_basis``, ``osm_base`` (the data's timestamp),
    ``licence``, ``attribution``. Layers without features are left out.

    Raises
    ------
    OverpassError
        The response carries a runtime-error ``remark`` or is not Overpass JSON.
    """
    if isinstance(payload, (bytes, str)):
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
        try:
            payload = json.loads(text)
        except ValueError as exc:
            raise OverpassError(
                f"{source}: the answer is not JSON ({exc}); starts with {_short(text, 200)!r}"
            ) from None
    if not isinstance(payload, Mapping) or not isinstance(payload.get("elements"), list):
        raise OverpassError(f"{source}: the answer is not Overpass JSON (no 'elements' list)")
    remark = payload.get("remark")
    if remark and ("error" in str(remark).lower()):
        raise OverpassError(f"{source}: the Overpass server reported: {_short(remark)}")
    base = str((payload.get("osm3s") or {}).get("timestamp_osm_base", ""))
    fetched_at = fetched_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows: dict[str, list[dict]] = {name: [] for name in layers}
    seen: set[tuple[str, str, int]] = set()
    for element in payload["elements"]:
        tags = element.get("tags") or {}
        for layer in _layer_of(tags, highway_classes):
            if layer not in rows or (layer, element.get("type"), element.get("id")) in seen:
                continue
            geometry = _geometry(element)
            if geometry is None:
                continue
            seen.add((layer, element.get("type"), element.get("id")))
            kind, osm_id = str(element["type"]), int(element["id"])
            row = {"id": f"{kind}/{osm_id}", "osm_type": kind, "osm_id": osm_id}
            row |= {column: tags.get(key) for key, column in _TAG_COLUMNS[layer].items()}
            point_of = "" if kind == "node" or geometry.geom_type != "Point" else " (centre of its outline)"
            row |= {
                "sources": f"OpenStreetMap via Overpass API {source}, fetched {fetched_at}",
                "geometry_quality": "openstreetmap",
                "location_basis": f"OpenStreetMap {kind} {osm_id}{point_of} as of {base or fetched_at}",
                "osm_base": base or None,
                "licence": OSM_LICENCE,
                "attribution": OSM_ATTRIBUTION,
                "geometry": geometry,
            }
            rows[layer].append(row)
    out: dict[str, gpd.GeoDataFrame] = {}
    for layer, records in rows.items():
        if not records:
            continue
        frame = gpd.GeoDataFrame(pd.DataFrame.from_records(records), geometry="geometry", crs=4326)
        lines = frame.geom_type.isin(["LineString", "MultiLineString"])
        metric = frame.geometry.to_crs(area.crs)
        frame.insert(len(frame.columns) - 1, "length_m", np.where(lines, metric.length.round(2), np.nan))
        if layer in INFRASTRUCTURE_LAYERS:  # roads and power get ``class`` (and ``voltage_kv``) as the shipped ones
            frame = normalize_infrastructure(frame, layer)
            frame = frame[[c for c in frame.columns if c != "geometry"] + ["geometry"]]
        out[layer] = frame.sort_values("id", kind="stable").reset_index(drop=True)
    return out


def fetch_osm(
    area: Area,
    layers: Sequence[str] = tuple(LAYERS),
    *,
    settings: FetchSettings | None = None,
    highway_classes: Sequence[str] = HIGHWAY_CLASSES,
) -> dict[str, gpd.GeoDataFrame]:
    """Query the Overpass API for the area and return the layers (see :func:`parse_overpass`).

    Raises
    ------
    FetchHTTPError, ResponseTooLargeError, OverpassError
        The request failed.
    EmptyResultError
        No feature of any requested layer in the area.
    """
    settings = settings or FetchSettings.from_env()
    query = overpass_query(
        area, layers, highway_classes=highway_classes, timeout_s=settings.timeout_s, maxsize=settings.max_bytes
    )
    body = urllib.parse.urlencode({"data": query}).encode()
    raw = http_request(
        settings.overpass_url,
        settings,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    frames = parse_overpass(raw, area, layers=layers, highway_classes=highway_classes, source=settings.overpass_url)
    if not frames:
        raise EmptyResultError(
            f"OpenStreetMap has no {', '.join(layers)} in {_box_text(area)} (Overpass API {settings.overpass_url})"
        )
    return frames
