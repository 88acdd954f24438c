"""geozones: a scriptable geospatial toolkit for industrial zones in northern Vietnam.

>>> import geozones as gz
>>> zones = gz.load_zones()                       # shipped data, via the embedded store
>>> gz.totals_by(zones, ["province_pre2025", "kind"])
"""

from __future__ import annotations

from importlib import metadata as _metadata

from geozones.area import area_ha, geodesic_area_ha, reconcile, totals_by
from geozones.crs import metric_epsg, normalize_crs, tm3_crs, to_metric, to_wgs84, working_crs
from geozones.errors import (
    AxisOrderError,
    CRSError,
    GeometryError,
    MissingCRSError,
    StoreError,
    UnknownAttributeError,
    UnsupportedFormatError,
    ZoneNotFoundError,
    ZoneValidationError,
)
from geozones.io import read_layer, to_file, to_geojson, to_geopackage, zones_from_file
from geozones.schema import FIELDS, KINDS, STATUSES, validate_zones
from geozones.store import GeoPackageStore, open_store

__version__ = _metadata.version("geozones")


def load_zones(store: str | None = None):
    """The zone layer from the embedded store (created from the shipped data on first use)."""
    return open_store(store).zones()


__all__ = [
    "AxisOrderError",
    "CRSError",
    "GeometryError",
    "MissingCRSError",
    "StoreError",
    "UnknownAttributeError",
    "UnsupportedFormatError",
    "ZoneNotFoundError",
    "ZoneValidationError",
    "area_ha",
    "geodesic_area_ha",
    "reconcile",
    "totals_by",
    "metric_epsg",
    "normalize_crs",
    "tm3_crs",
    "to_metric",
    "to_wgs84",
    "working_crs",
    "read_layer",
    "to_file",
    "to_geojson",
    "to_geopackage",
    "zones_from_file",
    "FIELDS",
    "KINDS",
    "STATUSES",
    "validate_zones",
    "GeoPackageStore",
    "open_store",
    "load_zones",
    "__version__",
]
