"""Bring your own area: OpenStreetMap infrastructure and the Copernicus GLO-30 DEM from the internet.

Two public services are read:

* the **Overpass API** (default ``https://overpass-api.de/api/interpreter``) for OpenStreetMap
  roads, railways, rivers, power lines and substations in a bounding box. The data are
  © OpenStreetMap contributors under the Open Database License (ODbL 1.0); every fetched
  row carries ``licence`` and ``attribution`` columns saying so.
* the **Copernicus DEM GLO-30 Public** Cloud-Optimized GeoTIFF tiles on AWS open data
  (default ``https://copernicus-dem-30m.s3.amazonaws.com``), read by window through GDAL's
  ``/vsicurl/`` (HTTP range requests: only the blocks covering the area travel), mosaicked,
  reprojected (bilinear) to the province's VN-2000 TM-3 CRS and clipped to the area.

Base URLs, time-outs, retries and size bounds come from :class:`FetchSettings` (arguments,
``GEOZONES_*`` environment variables, or defaults). Failures raise the typed errors below.
``docs/data-fetch.md`` lists the URLs and their terms of use.

The code is split by concern: :mod:`~geozones.io.fetch.settings` (sources, licences,
:class:`FetchSettings`), :mod:`~geozones.io.fetch.area`, :mod:`~geozones.io.fetch.http` (one bounded
request: total deadline, same-origin redirects, size bound), :mod:`~geozones.io.fetch.overpass`,
:mod:`~geozones.io.fetch.dem` and :mod:`~geozones.io.fetch.intake` (writing into a store). Every
public name is importable from here, as before.

May import: the core and :mod:`geozones.io`. Writes into a store only through the store object
it is given (``write_layer``, ``layer``, ``layers``); never imports the store or ``analysis``.
"""

from __future__ import annotations

from geozones.errors import (
    AreaError,
    EmptyResultError,
    FetchError,
    FetchHTTPError,
    OverpassError,
    ResponseTooLargeError,
)
from geozones.io.fetch.area import Area, area_from_bbox, area_from_province
from geozones.io.fetch.dem import DemResult, dem_tile_name, dem_tile_url, dem_tiles, fetch_dem
from geozones.io.fetch.http import http_request
from geozones.io.fetch.intake import (
    INFRASTRUCTURE_TARGETS,
    SOURCES_TABLE,
    FetchReport,
    default_dem_path,
    fetch_into_store,
    sources_rows,
)
from geozones.io.fetch.overpass import fetch_osm, overpass_query, parse_overpass
from geozones.io.fetch.settings import (
    DEM_ATTRIBUTION,
    DEM_LICENCE,
    DEM_URL,
    HIGHWAY_CLASSES,
    LAYERS,
    OSM_ATTRIBUTION,
    OSM_LICENCE,
    OVERPASS_URL,
    FetchSettings,
)

__all__ = [
    "OVERPASS_URL",
    "DEM_URL",
    "OSM_LICENCE",
    "OSM_ATTRIBUTION",
    "DEM_LICENCE",
    "DEM_ATTRIBUTION",
    "LAYERS",
    "HIGHWAY_CLASSES",
    "FetchError",
    "FetchHTTPError",
    "ResponseTooLargeError",
    "OverpassError",
    "EmptyResultError",
    "AreaError",
    "FetchSettings",
    "Area",
    "area_from_bbox",
    "area_from_province",
    "http_request",
    "overpass_query",
    "parse_overpass",
    "fetch_osm",
    "dem_tile_name",
    "dem_tiles",
    "dem_tile_url",
    "DemResult",
    "fetch_dem",
    "sources_rows",
    "SOURCES_TABLE",
    "INFRASTRUCTURE_TARGETS",
    "FetchReport",
    "default_dem_path",
    "fetch_into_store",
]
