"""Infrastructure layers (roads, power, destinations): the store layer names and the columns
every layer gets, and OpenStreetMap-style exports normalised to them.

May import: the core and :mod:`geozones.io` readers.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geozones.checks import check_layer

#: Infrastructure layers and the store layer each is read from.
INFRASTRUCTURE_LAYERS: dict[str, str] = {
    "roads": "infrastructure_roads",
    "power": "infrastructure_power",
    "destinations": "infrastructure_destinations",
}

#: Attribute columns every infrastructure layer gets (missing ones are added empty).
INFRASTRUCTURE_COLUMNS = ("id", "name", "class", "ref", "voltage_kv", "sources", "geometry_quality", "location_basis")

#: OpenStreetMap ``highway`` tag -> geozones road class (used when a layer has no ``class``).
OSM_HIGHWAY_CLASSES: dict[str, str] = {
    "motorway": "expressway",
    "motorway_link": "expressway",
    "trunk": "national_highway",
    "trunk_link": "national_highway",
    "primary": "national_highway",
    "primary_link": "national_highway",
    "secondary": "provincial_road",
    "secondary_link": "provincial_road",
    "tertiary": "district_road",
    "tertiary_link": "district_road",
}


def normalize_infrastructure(frame: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """Fill geozones columns from common OpenStreetMap export tags when they are absent."""
    frame = frame.copy()
    if "id" not in frame.columns:
        for candidate in ("osm_id", "@id", "full_id", "fid", "ID"):
            if candidate in frame.columns:
                frame["id"] = frame[candidate].astype(str)
                break
        else:
            frame["id"] = [f"{name}_{i}" for i in range(len(frame))]
    if "class" not in frame.columns:
        if name == "roads":
            ref = frame["ref"].fillna("").astype(str) if "ref" in frame.columns else pd.Series("", index=frame.index)
            by_tag = (
                frame["highway"].map(OSM_HIGHWAY_CLASSES)
                if "highway" in frame.columns
                else pd.Series(None, index=frame.index, dtype=object)
            )
            upper = ref.str.upper()
            by_ref = pd.Series(None, index=frame.index, dtype=object)
            by_ref[upper.str.match(r"^(ĐT|DT)")] = "provincial_road"
            by_ref[upper.str.startswith("QL")] = "national_highway"
            frame["class"] = by_ref.fillna(by_tag).fillna("local_road")
        elif name == "power" and "power" in frame.columns:
            frame["class"] = frame["power"].replace({"minor_line": "line", "cable": "line"})
    if name == "power" and "voltage_kv" not in frame.columns and "voltage" in frame.columns:
        volts = (
            frame["voltage"]
            .astype(str)
            .str.split(";")
            .map(
                lambda parts: max((float(p) for p in parts if p.strip().replace(".", "", 1).isdigit()), default=np.nan)
            )
        )
        frame["voltage_kv"] = volts / 1000.0
    for column in INFRASTRUCTURE_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    return frame


def read_infrastructure(value, name: str) -> gpd.GeoDataFrame:
    """One infrastructure layer from a file path or a frame, checked and normalised."""
    from geozones.io import read_layer

    if isinstance(value, (gpd.GeoDataFrame, gpd.GeoSeries)):
        frame = value.to_frame("geometry") if isinstance(value, gpd.GeoSeries) else value
    else:
        frame = read_layer(value)
    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"the {name} layer has no geometry")
    check_layer(frame, name, metric=False)
    return normalize_infrastructure(frame, name)


__all__ = [
    "INFRASTRUCTURE_LAYERS",
    "INFRASTRUCTURE_COLUMNS",
    "OSM_HIGHWAY_CLASSES",
    "normalize_infrastructure",
    "read_infrastructure",
]
