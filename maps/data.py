"""Data at the map edge: GeoJSON in WGS84 for the page, JSON safe inside ``<script>``, derived attributes.

The maps only draw: the attributes they show are computed before, by
:func:`geozones.analysis.sites.enrich_sites`.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import shapely

from geozones.analysis.sites import DERIVED_COLUMNS
from geozones.crs import WGS84, require_crs

#: Store layers a map can show, with their layer-control label key (see ``maps._text``).
OVERLAY_LAYERS = {
    "boundaries_provinces": "provinces",
    "boundaries_districts": "districts",
    "infrastructure_roads": "roads",
    "infrastructure_railways": "railways",
    "infrastructure_border_gates": "border_gates",
    "infrastructure_hydropower": "hydropower",
    "infrastructure_protected_areas": "protected_areas",
    "infrastructure_power": "grid",
    "infrastructure_destinations": "destinations",
}


def clean_value(value):
    """A JSON-ready value: missing or non-finite numbers as None, numpy scalars as Python, dates as ISO."""
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
        features.append(
            {"type": "Feature", "properties": {k: clean_value(v) for k, v in record.items()}, "geometry": geometry}
        )
    return {"type": "FeatureCollection", "features": features}


def derived_attributes(enriched: gpd.GeoDataFrame) -> dict[str, dict]:
    """Zone id -> derived popup attributes of an enriched frame (what the API-loaded map merges into the
    API's features); see :func:`geozones.analysis.sites.enrich_sites`."""
    columns = [c for c in DERIVED_COLUMNS if c in enriched.columns]
    table = pd.DataFrame(enriched[columns]).astype(object)
    return {
        str(i): {k: clean_value(v) for k, v in row.items() if clean_value(v) is not None}
        for i, row in zip(enriched["id"], table.to_dict("records"))
    }


def attributions(layers: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    """The distinct ``attribution`` lines of the given layers (CC BY-SA data must carry them), in order."""
    lines: dict[str, None] = {}
    for frame in layers.values():
        if frame is not None and "attribution" in frame.columns:
            for value in frame["attribution"].dropna():
                if str(value).strip():
                    lines[str(value).strip()] = None
    return list(lines)


def safe_json(data) -> str:
    """JSON for a ``<script>`` block: ``<``, ``>`` and ``&`` escaped so no string can close the tag."""
    text = orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY).decode("utf-8")
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
