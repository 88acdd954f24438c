"""Zone and layer data for the maps: derived attributes, optional layers, GeoJSON at the map edge."""

from __future__ import annotations

import datetime as _dt
import math
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import shapely

from geozones.crs import WGS84, require_crs

#: Columns issue-3's ``geozones.proximity.infrastructure_distances`` returns (shown when present).
DISTANCE_COLUMNS = ("dist_highway_m", "nearest_highway", "dist_substation_m", "nearest_substation",
                    "substation_note", "dist_border_gate_m", "travel")
#: Attributes computed here and shown in popups; the API-loaded mode fetches them separately.
DERIVED_COLUMNS = ("area_mapped_ha", "phases", "available_ha") + DISTANCE_COLUMNS
#: Destinations the investor popup lists, in this order, when the destination layer has them; then
#: the nearest railway station; then Hà Nội, which no shipped layer reaches ("no data").
TRAVEL_DESTINATIONS = ("bac_kan_city", "thai_nguyen_city", "lang_son_city", "huu_nghi_border_gate")

#: Store layers a map can show, with their layer-control label key (see ``maps._text``).
OVERLAY_LAYERS = {
    "boundaries_provinces": "provinces",
    "boundaries_districts": "districts",
    "infrastructure_roads": "roads",
    "infrastructure_railways": "railways",
    "infrastructure_power": "grid",
    "infrastructure_destinations": "destinations",
}


def phases(zones: pd.DataFrame) -> pd.Series:
    """The phases of each zone's ``zone_group``, e.g. ``"I, II, expansion"`` (empty when not phased)."""
    if not {"zone_group", "phase"} <= set(zones.columns):
        return pd.Series(None, index=zones.index, name="phases", dtype=object)
    labels = zones["phase"].where(zones["phase"].notna() & (zones["phase"].astype(str).str.strip() != ""))
    grouped = labels.groupby(zones["zone_group"]).agg(lambda s: ", ".join(dict.fromkeys(s.dropna().astype(str))))
    out = zones["zone_group"].map(grouped)
    return out.where(out.astype(str).str.len() > 0, None).rename("phases")


def available_ha(zones: pd.DataFrame) -> pd.Series:
    """Hectares still available: ``available_ha`` if given, else published area x (1 - occupancy).

    Only where both published figures exist; never estimated from the mapped area.
    """
    if "available_ha" in zones.columns:
        return pd.to_numeric(zones["available_ha"], errors="coerce").rename("available_ha")
    if not {"area_published_ha", "occupancy_pct"} <= set(zones.columns):
        return pd.Series(np.nan, index=zones.index, name="available_ha")
    area = pd.to_numeric(zones["area_published_ha"], errors="coerce")
    occupancy = pd.to_numeric(zones["occupancy_pct"], errors="coerce")
    return (area * (1 - occupancy / 100)).round(1).rename("available_ha")


def distances(zones: gpd.GeoDataFrame, infra=None) -> pd.DataFrame:
    """Distance columns from the frame itself, else from ``geozones.proximity`` when it is installed.

    ``infra`` is a store (its ``infrastructure_*`` layers), a mapping of layers as
    ``geozones.proximity.load_infrastructure`` takes, or ``None`` (the default store). Returns an
    empty frame (same index) when no distances can be had: the popups then omit them.
    """
    have = [c for c in DISTANCE_COLUMNS if c in zones.columns]
    if have:
        return pd.DataFrame(zones[have])
    try:
        from geozones.proximity import infrastructure_distances, load_infrastructure
    except ImportError:
        return pd.DataFrame(index=zones.index)
    drawable = ~(zones.geometry.isna() | zones.geometry.is_empty)
    if {"site_lon", "site_lat"} <= set(zones.columns):
        drawable |= zones["site_lon"].notna() & zones["site_lat"].notna()
    if not drawable.any():
        return pd.DataFrame(index=zones.index)
    try:
        layers = load_infrastructure(infra)
        table = infrastructure_distances(zones[drawable], layers)
    except Exception as exc:  # a missing or empty layer must not break the map
        warnings.warn(f"distances left out of the map: {exc}", stacklevel=2)
        return pd.DataFrame(index=zones.index)
    table["travel"] = travel_rows(table, layers["destinations"])
    return pd.DataFrame(table[[c for c in DISTANCE_COLUMNS if c in table.columns]]).reindex(zones.index)


def travel_rows(table: pd.DataFrame, destinations: gpd.GeoDataFrame) -> pd.Series:
    """Per zone, the popup's travel list: road km, drive hours and the straight line per destination.

    Each item is ``{"name", "road_km", "road_h", "straight_km"}`` (``None`` where unreachable, with a
    ``note`` label key the popup translates). The :data:`TRAVEL_DESTINATIONS` present in
    ``destinations`` come first, then the nearest railway station (``"station": True``), then Hà Nội,
    for which no shipped layer has a point or a road.
    """
    names = dict(zip(destinations["id"], destinations["name"])) if "id" in destinations.columns else {}
    wanted = [d for d in TRAVEL_DESTINATIONS if d in names]

    def figure(value):
        return None if value is None or pd.isna(value) else round(float(value), 1)

    rows = []
    for _, row in table.iterrows():
        items = []
        for dest in wanted:
            road = figure(row.get(f"road_km_{dest}"))
            item = {"name": names[dest], "road_km": road, "road_h": figure(row.get(f"road_h_{dest}")),
                    "straight_km": figure(row.get(f"straight_km_{dest}"))}
            if road is None:
                item["note"] = "unreachable"
            items.append(item)
        if isinstance(row.get("nearest_station"), str):
            items.append({"name": row["nearest_station"], "station": True,
                          "road_km": figure(row.get("road_km_nearest_station")),
                          "road_h": figure(row.get("road_h_nearest_station")),
                          "straight_km": figure(row.get("straight_km_nearest_station"))})
        items.append({"name": "Hà Nội", "road_km": None, "road_h": None, "straight_km": None,
                      "note": "hanoi_note"})
        rows.append(items if wanted else None)
    return pd.Series(rows, index=table.index, name="travel", dtype=object)


def enrich(zones: gpd.GeoDataFrame, infra: dict | None = None) -> gpd.GeoDataFrame:
    """Zones with the derived popup attributes added: mapped area (metric CRS), phases, available ha, distances."""
    from geozones.area import area_ha

    require_crs(zones, "zone layer")
    out = zones.copy()
    out["area_mapped_ha"] = area_ha(zones).round(2)
    out["phases"] = phases(zones)
    out["available_ha"] = available_ha(zones)
    for column, values in distances(zones, infra).items():
        out[column] = values
    return out


def _clean(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, (_dt.date, _dt.datetime, pd.Timestamp)):
        return value.isoformat()[:10]
    return value


def feature_collection(frame: gpd.GeoDataFrame, columns: list[str] | None = None) -> dict:
    """A GeoJSON FeatureCollection in WGS84 lon/lat (the map edge); missing values become ``null``."""
    require_crs(frame)
    frame = frame if frame.crs.equals(WGS84) else frame.to_crs(WGS84)
    names = [c for c in (columns or frame.columns) if c in frame.columns and c != frame.geometry.name]
    records = pd.DataFrame(frame[names]).astype(object).to_dict("records")
    geoms = frame.geometry.array
    texts = shapely.to_geojson(np.where(shapely.is_empty(geoms), None, geoms))
    features = []
    for record, text in zip(records, texts):
        geometry = orjson.loads(text) if text is not None else None
        features.append({"type": "Feature", "properties": {k: _clean(v) for k, v in record.items()},
                         "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


def derived_attributes(zones: gpd.GeoDataFrame, infra: dict | None = None) -> dict[str, dict]:
    """Zone id -> derived popup attributes (what the API-loaded map merges into the API's features)."""
    enriched = enrich(zones, infra)
    columns = [c for c in DERIVED_COLUMNS if c in enriched.columns]
    table = pd.DataFrame(enriched[columns]).astype(object)
    return {str(i): {k: _clean(v) for k, v in row.items() if _clean(v) is not None}
            for i, row in zip(enriched["id"], table.to_dict("records"))}


def safe_json(data) -> str:
    """JSON for a ``<script>`` block: ``<``, ``>`` and ``&`` escaped so no string can close the tag."""
    text = orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY).decode("utf-8")
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def attributions(layers: dict[str, gpd.GeoDataFrame]) -> list[str]:
    """The distinct ``attribution`` lines of the given layers (CC BY-SA data must carry them), in order."""
    lines: dict[str, None] = {}
    for frame in layers.values():
        if frame is not None and "attribution" in frame.columns:
            for value in frame["attribution"].dropna():
                if str(value).strip():
                    lines[str(value).strip()] = None
    return list(lines)


def store_layers(store, names=tuple(OVERLAY_LAYERS)) -> dict[str, gpd.GeoDataFrame]:
    """The named layers the store has (missing ones are simply left out)."""
    if store is None:
        return {}
    available = set(store.layers())
    layers = {}
    for name in names:
        if name in available:
            frame = store.layer(name)
            if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None and len(frame):
                layers[name] = frame
    return layers


def suitability_raster(store, scenario_id: str) -> Path | None:
    """The scenario's suitability GeoTIFF next to the store (``suitability_<id>.tif``, also under ``rasters/``).

    Falls back to ``suitability.tif`` (what ``geozones scenario rasters --out <store dir>/rasters`` writes).
    """
    folder = Path(getattr(store, "path", ".")).parent
    for name in (f"suitability_{scenario_id}.tif", f"scenario_{scenario_id}_suitability.tif",
                 f"rasters/suitability_{scenario_id}.tif", f"rasters/scenario_{scenario_id}_suitability.tif",
                 "suitability.tif", "rasters/suitability.tif"):
        if (folder / name).is_file():
            return folder / name
    return None


def scenario_layer(names: list[str], scenario_id: str) -> str | None:
    """The store layer of a scenario: ``scenario_<id>`` (``-`` in the id saved as ``_``)."""
    for name in (f"scenario_{scenario_id}", f"scenario_{scenario_id.replace('-', '_')}"):
        if name in names:
            return name
    return None
