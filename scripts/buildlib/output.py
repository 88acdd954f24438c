"""The one GeoJSON writer every data build step uses."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

#: Decimal places of the written coordinates (1e-7 degree ~ 1 cm; the real-data inputs have 6).
PRECISION = 7


def ccw(geoms) -> list:
    """RFC 7946 ring orientation: counter-clockwise exteriors, clockwise holes."""
    return [None if g is None else shapely.orient_polygons(g, exterior_cw=False) for g in geoms]


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write RFC 7946 GeoJSON: EPSG:4326 lon/lat, CCW exteriors, 7 decimals, no ``crs`` member.

    Deterministic: the same frame gives byte-identical files.
    """
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise ValueError(f"{path.name}: write EPSG:4326 frames only (got {frame.crs})")
    frame = frame.set_geometry(ccw(frame.geometry), crs=4326)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    pyogrio.write_dataframe(
        frame,
        path,
        driver="GeoJSON",
        layer_options={
            "RFC7946": "YES",
            "COORDINATE_PRECISION": PRECISION,
            "WRITE_NAME": "NO",
            "AUTODETECT_JSON_STRINGS": "NO",
        },
    )
    return path
