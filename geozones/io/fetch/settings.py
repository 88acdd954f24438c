"""Where to fetch from and how hard to try: sources, licences, fetchable layers, :class:`FetchSettings`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from geozones.errors import (
    InvalidParameterError,
)
from geozones.io.infrastructure import OSM_HIGHWAY_CLASSES

# --- sources, licences ----------------------------------------------------------------------

OVERPASS_URL = "https://overpass-api.de/api/interpreter"
DEM_URL = "https://copernicus-dem-30m.s3.amazonaws.com"

OSM_LICENCE = "ODbL-1.0"
OSM_LICENCE_URL = "https://www.openstreetmap.org/copyright"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"

DEM_LICENCE = "Copernicus DEM GLO-30 Public licence"
DEM_LICENCE_URL = (
    "https://docs.sentinel-hub.com/api/latest/static/files/data/dem/resources/license/License-COPDEM-30.pdf"
)
DEM_ATTRIBUTION = (
    "produced using Copernicus WorldDEM-30 © DLR e.V. 2010-2014 and © Airbus Defence and Space GmbH "
    "2014-2018 provided under COPERNICUS by the European Union and ESA; all rights reserved"
)

#: Fetchable vector layers -> the store layer each is written to.
LAYERS: dict[str, str] = {
    "roads": "osm_roads",
    "railways": "osm_railways",
    "rivers": "osm_rivers",
    "power": "osm_power",
}

#: OpenStreetMap ``highway`` values fetched as roads by default: the classified network, the
#: values :data:`geozones.io.infrastructure.OSM_HIGHWAY_CLASSES` maps to a geozones road class.
HIGHWAY_CLASSES: tuple[str, ...] = tuple(OSM_HIGHWAY_CLASSES)
RAILWAY_VALUES: tuple[str, ...] = ("rail", "narrow_gauge", "light_rail")
WATERWAY_VALUES: tuple[str, ...] = ("river", "canal")
POWER_LINE_VALUES: tuple[str, ...] = ("line", "minor_line", "cable")

#: Tags kept as columns, per layer (OSM key -> column).
_TAG_COLUMNS: dict[str, dict[str, str]] = {
    "roads": {
        "highway": "highway",
        "ref": "ref",
        "name": "name",
        "name:en": "name_en",
        "int_ref": "int_ref",
        "maxspeed": "maxspeed",
        "surface": "surface",
    },
    "railways": {
        "railway": "railway",
        "name": "name",
        "ref": "ref",
        "gauge": "gauge",
        "usage": "usage",
        "service": "service",
    },
    "rivers": {"waterway": "waterway", "name": "name", "name:en": "name_en"},
    "power": {
        "power": "power",
        "name": "name",
        "ref": "ref",
        "voltage": "voltage",
        "operator": "operator",
        "circuits": "circuits",
    },
}

DEM_NODATA = float("nan")


# --- settings -------------------------------------------------------------------------------


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("geozones")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
        return "dev"


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return float(value)
    except ValueError:
        raise InvalidParameterError(f"environment variable {name} must be a number, not {value!r}") from None


@dataclass(frozen=True)
class FetchSettings:
    """Where to fetch from and how hard to try.

    Parameters
    ----------
    overpass_url : str
        Overpass API interpreter endpoint (``GEOZONES_OVERPASS_URL``).
    dem_url : str
        Base URL of the Copernicus GLO-30 COG tiles (``GEOZONES_DEM_URL``); a tile is read
        from ``<dem_url>/<tile>/<tile>.tif``.
    timeout_s : float
        Total deadline of one HTTP request in seconds (``GEOZONES_FETCH_TIMEOUT``): connecting,
        the headers, the whole body, every retry and back-off (:mod:`geozones.io.fetch.http`);
        also the Overpass ``[timeout:]`` of the query and GDAL's ``GDAL_HTTP_TIMEOUT``.
    retries : int
        Further attempts after a failed request (HTTP 429/5xx, no answer).
    backoff_s : float
        First wait between attempts; doubled after each (a ``Retry-After`` header wins, up to 60 s).
    max_bytes : int
        Largest response accepted (``GEOZONES_FETCH_MAX_MB`` in MiB); larger raise
        :class:`ResponseTooLargeError`. Also the Overpass ``[maxsize:]``.
    max_area_km2 : float
        Largest bounding box accepted (``GEOZONES_FETCH_MAX_KM2``).
    max_dem_cells : int
        Largest output DEM (cells) accepted.
    max_dem_source_cells : int
        Largest window read from the DEM tiles (cells, at the tiles' own resolution;
        ``GEOZONES_FETCH_MAX_DEM_SOURCE_CELLS``), checked before any pixel is read.
    user_agent : str
        Sent with every request, as the Overpass and OSM usage policies ask.
    """

    overpass_url: str = OVERPASS_URL
    dem_url: str = DEM_URL
    timeout_s: float = 180.0
    retries: int = 3
    backoff_s: float = 5.0
    max_bytes: int = 512 * 1024 * 1024
    max_area_km2: float = 25_000.0
    max_dem_cells: int = 60_000_000
    max_dem_source_cells: int = 120_000_000
    user_agent: str = field(default_factory=lambda: f"geozones/{_version()} (data fetch; python urllib)")

    @classmethod
    def from_env(cls, **overrides) -> FetchSettings:
        """Defaults, then ``GEOZONES_*`` environment variables, then the non-``None`` ``overrides``."""
        base = cls(
            overpass_url=os.environ.get("GEOZONES_OVERPASS_URL") or OVERPASS_URL,
            dem_url=os.environ.get("GEOZONES_DEM_URL") or DEM_URL,
            timeout_s=_env_float("GEOZONES_FETCH_TIMEOUT", cls.timeout_s),
            max_bytes=int(_env_float("GEOZONES_FETCH_MAX_MB", cls.max_bytes / 2**20) * 2**20),
            max_area_km2=_env_float("GEOZONES_FETCH_MAX_KM2", cls.max_area_km2),
            max_dem_source_cells=int(_env_float("GEOZONES_FETCH_MAX_DEM_SOURCE_CELLS", cls.max_dem_source_cells)),
        )
        return replace(base, **{k: v for k, v in overrides.items() if v is not None})
