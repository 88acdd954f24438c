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

May import: the core and :mod:`geozones.io`. Writes into a store only through the store object
it is given (``write_layer``, ``layer``, ``layers``); never imports the store or ``analysis``.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geozones import crs as _crs
from geozones.errors import (
    AreaError,
    CRSError,
    EmptyResultError,
    FetchError,
    FetchHTTPError,
    InvalidParameterError,
    OverpassError,
    ResponseTooLargeError,
)
from geozones.io.infrastructure import INFRASTRUCTURE_LAYERS, OSM_HIGHWAY_CLASSES, normalize_infrastructure

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
        Time-out of one HTTP request in seconds (``GEOZONES_FETCH_TIMEOUT``); also the
        Overpass ``[timeout:]`` of the query.
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
        )
        return replace(base, **{k: v for k, v in overrides.items() if v is not None})


# --- the area -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """What to fetch: a WGS84 bounding box, the metric CRS to work in, optionally a polygon.

    Attributes
    ----------
    west, south, east, north : float
        Bounding box in degrees (EPSG:4326).
    crs : pyproj.CRS
        The VN-2000 TM-3 CRS of the province (lengths and the DEM are in it).
    name : str or None
        Province name, if the area is a province.
    polygon : shapely geometry or None
        The province outline (EPSG:4326); the DEM is clipped to it.
    """

    west: float
    south: float
    east: float
    north: float
    crs: pyproj.CRS
    name: str | None = None
    polygon: object | None = field(default=None, compare=False)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.west, self.south, self.east, self.north)

    @property
    def slug(self) -> str:
        """A file-name-safe label: the ASCII province name or the rounded box."""
        if self.name:
            from geozones.schema import ascii_name

            return re.sub(r"[^a-z0-9]+", "_", ascii_name(self.name).lower()).strip("_")
        return "bbox_" + "_".join(f"{v:.3f}".replace("-", "m").replace(".", "p") for v in self.bbox)

    def area_km2(self) -> float:
        """Area of the bounding box on the ellipsoid (WGS84 geodesic), km²."""
        geod = pyproj.Geod(ellps="WGS84")
        box = shapely.box(*self.bbox).segmentize(0.05)
        return abs(geod.geometry_area_perimeter(box)[0]) / 1e6


def _vietnam_extent() -> tuple[float, float, float, float]:
    """Area of use of VN-2000 (EPSG:4756), "Vietnam - onshore"."""
    aou = _crs.VN2000.area_of_use
    if aou is None:  # pragma: no cover - the EPSG database always has it
        raise CRSError("the EPSG database gives no area of use for VN-2000 (EPSG:4756)")
    return (aou.west, aou.south, aou.east, aou.north)


def area_from_bbox(
    bbox: Sequence[float], crs=None, *, name: str | None = None, polygon=None, settings: FetchSettings | None = None
) -> Area:
    """Validate a ``(west, south, east, north)`` box in degrees and choose its metric CRS.

    Parameters
    ----------
    bbox : sequence of 4 floats
        West, south, east, north in EPSG:4326 degrees.
    crs : CRS-like, optional
        Metric CRS; default the smallest province VN-2000 TM-3 zone containing the box
        (:func:`geozones.crs.working_crs`).
    settings : FetchSettings, optional
        For ``max_area_km2``.

    Raises
    ------
    AreaError
        Not four finite numbers, west >= east or south >= north, outside Vietnam, too large.
    """
    settings = settings or FetchSettings.from_env()
    try:
        west, south, east, north = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise AreaError(f"a bounding box is four numbers west,south,east,north in degrees, not {bbox!r}") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise AreaError(f"bounding box {bbox!r} has a non-finite number")
    if not (west < east and south < north):
        raise AreaError(
            f"bounding box {bbox!r} must be west,south,east,north with west < east and south < north (longitude first)"
        )
    vw, vs, ve, vn = _vietnam_extent()
    if not (vw <= west and east <= ve and vs <= south and north <= vn):
        raise AreaError(
            f"bounding box {west:g},{south:g},{east:g},{north:g} is not inside Vietnam "
            f"({vw:g},{vs:g},{ve:g},{vn:g}, the area of use of VN-2000, EPSG:4756)"
        )
    if crs is None:
        frame = gpd.GeoDataFrame(geometry=[shapely.box(west, south, east, north)], crs=4326)
        target = _crs.working_crs(frame)
    else:
        target = pyproj.CRS.from_user_input(crs)
        if not target.is_projected:
            raise CRSError(f"the fetch CRS must be projected and metric, not {target.name!r}")
    area = Area(west, south, east, north, target, name, polygon)
    size = area.area_km2()
    if size > settings.max_area_km2:
        raise AreaError(
            f"bounding box covers {size:,.0f} km², more than the {settings.max_area_km2:,.0f} km² "
            "allowed (max_area_km2 / GEOZONES_FETCH_MAX_KM2); fetch a smaller area"
        )
    return area


def area_from_province(
    province: str, boundaries: gpd.GeoDataFrame | None = None, *, settings: FetchSettings | None = None
) -> Area:
    """The bounding box and TM-3 CRS of a province.

    Parameters
    ----------
    province : str
        Province name, with or without diacritics (``"Lạng Sơn"``, ``"lang son"``).
    boundaries : GeoDataFrame, optional
        Province polygons with a ``name`` column (e.g. the store's ``boundaries_provinces``);
        the province's outline gives the box and clips the DEM. Without it (or if the
        province is not in it) the box is the area of use of the province's TM-3 CRS in
        the EPSG database, which for a CRS shared by several provinces covers all of them.

    Raises
    ------
    CRSError
        No VN-2000 TM-3 zone is known for the province.
    AreaError
        The box is too large.
    """
    from geozones.schema import ascii_name

    target = _crs.tm3_crs(province)
    key = ascii_name(province).strip().lower()
    if boundaries is not None and len(boundaries) and "name" in boundaries.columns:
        names = boundaries["name"].astype(str).map(lambda s: ascii_name(s).strip().lower())
        rows = boundaries[names == key]
        if "level" in rows.columns and (rows["level"] == "province").any():
            rows = rows[rows["level"] == "province"]
        if "valid_to" in rows.columns and rows["valid_to"].isna().any():
            rows = rows[rows["valid_to"].isna()]  # the outline in force today, if the layer keeps history
        if len(rows):
            outline = shapely.union_all(rows.to_crs(4326).geometry.array)
            return area_from_bbox(outline.bounds, target, name=province, polygon=outline, settings=settings)
    aou = target.area_of_use
    if aou is None:  # pragma: no cover - every VN-2000 TM-3 CRS has one
        raise CRSError(f"no outline of {province!r} in the store and no area of use for EPSG:{target.to_epsg()}")
    return area_from_bbox((aou.west, aou.south, aou.east, aou.north), target, name=province, settings=settings)


# --- HTTP -----------------------------------------------------------------------------------

_RETRY_STATUS = {429, 500, 502, 503, 504}


def _retry_after(exc: urllib.error.HTTPError) -> float | None:
    value = exc.headers.get("Retry-After") if exc.headers else None
    try:
        return min(60.0, max(0.0, float(value))) if value is not None else None
    except ValueError:
        return None


def http_request(
    url: str,
    settings: FetchSettings,
    *,
    data: bytes | None = None,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """One HTTP request with time-out, retries (429/5xx/no answer, exponential back-off) and a size bound.

    Raises
    ------
    FetchHTTPError
        Any other status, or still failing after ``settings.retries`` further attempts.
    ResponseTooLargeError
        The body exceeds ``settings.max_bytes``.
    """
    wait = settings.backoff_s
    for attempt in range(settings.retries + 1):
        request = urllib.request.Request(
            url, data=data, method=method, headers={"User-Agent": settings.user_agent, **(headers or {})}
        )
        try:
            # a little longer than the server's own [timeout:], so its error message can arrive
            with urllib.request.urlopen(request, timeout=settings.timeout_s + 10) as response:
                if method == "HEAD":  # no body; Content-Length is the size of the resource
                    return b""
                return _read_bounded(response, url, settings.max_bytes)
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace").strip() if exc.fp else ""
            if exc.code in _RETRY_STATUS and attempt < settings.retries:
                after = _retry_after(exc)
                time.sleep(wait if after is None else after)
                wait *= 2
                continue
            raise FetchHTTPError(url, exc.code, _short(detail or exc.reason)) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            if attempt < settings.retries:
                time.sleep(wait)
                wait *= 2
                continue
            reason = getattr(exc, "reason", exc)
            raise FetchHTTPError(url, None, f"{reason} (after {settings.retries + 1} attempts)") from None
    raise AssertionError("unreachable")  # pragma: no cover


def _short(text: str, limit: int = 300) -> str:
    text = re.sub(r"<[^>]+>", " ", str(text))
    text = re.sub(r"\s+", " ", text).strip()
    return text[:limit] + ("…" if len(text) > limit else "")


def _read_bounded(response, url: str, limit: int) -> bytes:
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > limit:
        raise ResponseTooLargeError(
            f"{url}: response of {int(length):,} bytes exceeds the {limit:,}-byte bound "
            "(max_bytes / GEOZONES_FETCH_MAX_MB)"
        )
    chunks, total = [], 0
    while True:
        chunk = response.read(1 << 16)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise ResponseTooLargeError(
                f"{url}: response exceeds the {limit:,}-byte bound (max_bytes / GEOZONES_FETCH_MAX_MB)"
            )
        chunks.append(chunk)
    return b"".join(chunks)


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


def _box_text(area: Area) -> str:
    label = f"{area.name} " if area.name else ""
    return f"{label}({area.west:g},{area.south:g},{area.east:g},{area.north:g})"


# --- Copernicus DEM ---------------------------------------------------------------------------


def dem_tile_name(lat: int, lon: int) -> str:
    """GLO-30 tile whose south-west corner is at (``lat``, ``lon``), e.g. ``Copernicus_DSM_COG_10_N21_00_E105_00_DEM``."""
    ns = "N" if lat >= 0 else "S"
    ew = "E" if lon >= 0 else "W"
    return f"Copernicus_DSM_COG_10_{ns}{abs(lat):02d}_00_{ew}{abs(lon):03d}_00_DEM"


def dem_tiles(area: Area | Sequence[float]) -> list[str]:
    """Names of the 1° x 1° GLO-30 tiles an area (or a ``west, south, east, north`` box) touches."""
    west, south, east, north = area.bbox if isinstance(area, Area) else area
    return [
        dem_tile_name(lat, lon)
        for lat in range(math.floor(south), math.ceil(north))
        for lon in range(math.floor(west), math.ceil(east))
    ]


def dem_tile_url(base: str, name: str) -> str:
    """``<base>/<name>/<name>.tif`` (the AWS open-data layout)."""
    return f"{base.rstrip('/')}/{name}/{name}.tif"


def _tile_exists(url: str, settings: FetchSettings) -> bool:
    try:
        http_request(url, settings, method="HEAD")
    except FetchHTTPError as exc:
        if exc.status == 404:
            return False
        raise
    return True


@dataclass(frozen=True)
class DemResult:
    """A fetched DEM written to disk.

    Attributes
    ----------
    path : Path
        The Cloud-Optimized GeoTIFF (float32, NaN nodata, metres above EGM2008) in ``crs``.
    crs : pyproj.CRS
    resolution : float
        Cell size in metres.
    shape : tuple
        ``(height, width)``.
    tiles : list of str
        The GLO-30 tiles read.
    missing : list of str
        Tiles the server does not have (HTTP 404: sea, or not released); their cells are nodata.
    """

    path: Path
    crs: pyproj.CRS
    resolution: float
    shape: tuple[int, int]
    tiles: list[str]
    missing: list[str]


def _gdal_env(settings: FetchSettings) -> dict[str, object]:
    return {
        "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
        "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".tif",
        "GDAL_HTTP_TIMEOUT": str(int(math.ceil(settings.timeout_s))),
        "GDAL_HTTP_CONNECTTIMEOUT": str(int(math.ceil(min(settings.timeout_s, 30)))),
        "GDAL_HTTP_MAX_RETRY": str(settings.retries),
        "GDAL_HTTP_RETRY_DELAY": str(settings.backoff_s),
        "GDAL_HTTP_USERAGENT": settings.user_agent,
        "VSI_CACHE": "TRUE",
    }


def fetch_dem(
    area: Area, path: str | os.PathLike, *, resolution: float = 30.0, settings: FetchSettings | None = None
) -> DemResult:
    """Read the GLO-30 tiles covering the area by window, mosaic, reproject to ``area.crs``, clip, write a COG.

    The output grid covers the area's bounding box in the TM-3 CRS, snapped outward to
    ``resolution`` metres, and is filled wherever a tile exists (the tiles read are those under
    the whole grid); it is clipped to ``area.polygon`` when there is one (cells whose
    centre lies outside are nodata). Resampling is bilinear.

    Raises
    ------
    FetchHTTPError
        A tile could not be read (other than a 404, which marks a missing tile).
    AreaError
        The output grid would exceed ``settings.max_dem_cells``.
    EmptyResultError
        No tile exists for the area, or every output cell is nodata.
    """
    import rasterio
    import rasterio.features
    import rasterio.merge
    from rasterio.errors import RasterioIOError
    from rasterio.warp import Resampling, reproject, transform_bounds

    settings = settings or FetchSettings.from_env()
    if not resolution > 0:
        raise InvalidParameterError("DEM resolution must be positive")
    # the output grid in the TM-3 CRS
    xmin, ymin, xmax, ymax = transform_bounds("EPSG:4326", area.crs.to_wkt(), *area.bbox, densify_pts=21)
    x0 = math.floor(xmin / resolution) * resolution
    y1 = math.ceil(ymax / resolution) * resolution
    width = max(1, math.ceil((xmax - x0) / resolution))
    height = max(1, math.ceil((y1 - ymin) / resolution))
    if width * height > settings.max_dem_cells:
        raise AreaError(
            f"the DEM of {_box_text(area)} at {resolution:g} m would have {width * height:,} cells, "
            f"more than the {settings.max_dem_cells:,} allowed; use a coarser resolution or a smaller area"
        )
    # the output grid is a TM-3 rectangle around the box: read the lon/lat box that covers all of it
    geo_box = transform_bounds(
        area.crs.to_wkt(), "EPSG:4326", x0, y1 - height * resolution, x0 + width * resolution, y1, densify_pts=21
    )
    names = dem_tiles(geo_box)
    urls = {name: dem_tile_url(settings.dem_url, name) for name in names}
    present = [name for name in names if _tile_exists(urls[name], settings)]
    missing = [name for name in names if name not in present]
    if not present:
        raise EmptyResultError(
            f"no Copernicus GLO-30 tile for {_box_text(area)} at {settings.dem_url} (tried {', '.join(names)})"
        )
    from affine import Affine

    dst_transform = Affine(resolution, 0.0, x0, 0.0, -resolution, y1)
    out = np.full((height, width), np.nan, dtype="float32")
    with rasterio.Env(**_gdal_env(settings)):
        datasets = []
        try:
            for name in present:
                try:
                    datasets.append(rasterio.open(f"/vsicurl/{urls[name]}"))
                except RasterioIOError as exc:
                    raise FetchHTTPError(urls[name], None, f"GDAL could not open the tile: {exc}") from None
            # read a little beyond the box so bilinear resampling has neighbours at the edges
            bounds = _aligned_bounds(geo_box, datasets[0].transform, pad=2)
            try:
                mosaic, src_transform = rasterio.merge.merge(
                    datasets, bounds=bounds, nodata=np.nan, dtype="float32", resampling=Resampling.nearest
                )
            except RasterioIOError as exc:
                raise FetchHTTPError(settings.dem_url, None, f"reading the DEM tiles failed: {exc}") from None
            src_crs = datasets[0].crs
        finally:
            for dataset in datasets:
                dataset.close()
    reproject(
        mosaic[0],
        out,
        src_transform=src_transform,
        src_crs=src_crs,
        src_nodata=np.nan,
        dst_transform=dst_transform,
        dst_crs=area.crs.to_wkt(),
        dst_nodata=np.nan,
        resampling=Resampling.bilinear,
    )
    if area.polygon is not None:
        outline = gpd.GeoSeries([area.polygon], crs=4326).to_crs(area.crs).iloc[0]
        outside = rasterio.features.geometry_mask(
            [outline], out_shape=out.shape, transform=dst_transform, all_touched=False, invert=False
        )
        out[outside] = np.nan
    if not np.isfinite(out).any():
        raise EmptyResultError(f"the Copernicus GLO-30 tiles have no elevation inside {_box_text(area)}")
    tags = {
        "SOURCE": f"Copernicus DEM GLO-30 Public, tiles {', '.join(present)} from {settings.dem_url}",
        "LICENCE": f"{DEM_LICENCE} ({DEM_LICENCE_URL})",
        "ATTRIBUTION": DEM_ATTRIBUTION,
        "VERTICAL_DATUM": "EGM2008 geoid heights (metres)",
        "RESAMPLING": "bilinear",
        "AREA": _box_text(area),
        "FETCHED_AT": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    written = _write_cog(out, dst_transform, area.crs, Path(path), tags)
    return DemResult(written, area.crs, float(resolution), (height, width), present, missing)


def _aligned_bounds(box: Sequence[float], transform, pad: int) -> tuple[float, float, float, float]:
    """``box`` grown by ``pad`` source pixels and snapped outward onto the source pixel grid.

    ``rasterio.merge`` builds its output grid from the bounds it is given; bounds off the tiles'
    pixel grid would shift every value by up to half a pixel (nearest-neighbour placement).
    """
    rx, ry = transform.a, -transform.e
    left = transform.c + math.floor((box[0] - transform.c) / rx - pad) * rx
    right = transform.c + math.ceil((box[2] - transform.c) / rx + pad) * rx
    top = transform.f - math.floor((transform.f - box[3]) / ry - pad) * ry
    bottom = transform.f - math.ceil((transform.f - box[1]) / ry + pad) * ry
    return (left, bottom, right, top)


def _write_cog(array: np.ndarray, transform, crs: pyproj.CRS, path: Path, tags: Mapping[str, str]) -> Path:
    """A single-band float32 COG (DEFLATE, overviews) with the licence tags, written atomically."""
    import rasterio
    import rasterio.shutil
    from rasterio.io import MemoryFile

    path.parent.mkdir(parents=True, exist_ok=True)
    profile = {
        "driver": "GTiff",
        "width": array.shape[1],
        "height": array.shape[0],
        "count": 1,
        "dtype": "float32",
        "crs": crs.to_wkt(),
        "transform": transform,
        "nodata": DEM_NODATA,
    }
    tmp = path.with_name(f".{path.name}.part")
    with MemoryFile() as memfile:
        with memfile.open(**profile) as dataset:
            dataset.write(array.astype("float32"), 1)
            dataset.update_tags(**tags)
            dataset.set_band_description(1, "elevation (m)")
            dataset.update_tags(1, UNITS="metre")
        with memfile.open() as src:
            rasterio.shutil.copy(
                src, tmp, driver="COG", COMPRESS="DEFLATE", PREDICTOR="YES", OVERVIEWS="AUTO", BLOCKSIZE=256
            )
    os.replace(tmp, path)
    return path


# --- writing into a store ---------------------------------------------------------------------

#: Table layer listing what was fetched, from where, under which licence.
SOURCES_TABLE = "table_fetched_sources"


def sources_rows(
    area: Area,
    frames: Mapping[str, gpd.GeoDataFrame],
    dem: DemResult | None,
    settings: FetchSettings,
    layer_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per written layer / DEM file: name, kind, source URL, licence, attribution, box, CRS, time."""
    names = {**LAYERS, **(layer_names or {})}
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    box = ",".join(f"{v:.7f}" for v in area.bbox)
    rows = [
        {
            "layer": names[name],
            "kind": "vector",
            "path": None,
            "features": str(len(frame)),
            "source": settings.overpass_url,
            "licence": f"{OSM_LICENCE} ({OSM_LICENCE_URL})",
            "attribution": OSM_ATTRIBUTION,
            "area": area.name or "",
            "bbox_wgs84": box,
            "crs": f"EPSG:{area.crs.to_epsg()}",
            "fetched_at": now,
        }
        for name, frame in frames.items()
    ]
    if dem is not None:
        rows.append(
            {
                "layer": f"dem_{area.slug}",
                "kind": "raster",
                "path": str(dem.path),
                "features": f"{dem.shape[0]}x{dem.shape[1]} cells of {dem.resolution:g} m",
                "source": settings.dem_url,
                "licence": f"{DEM_LICENCE} ({DEM_LICENCE_URL})",
                "attribution": DEM_ATTRIBUTION,
                "area": area.name or "",
                "bbox_wgs84": box,
                "crs": f"EPSG:{area.crs.to_epsg()}",
                "fetched_at": now,
            }
        )
    return pd.DataFrame(rows, dtype=object)


#: Fetched layer -> the infrastructure layer the proximity code reads (``as_infrastructure=True``).
INFRASTRUCTURE_TARGETS: dict[str, str] = {name: INFRASTRUCTURE_LAYERS[name] for name in ("roads", "power")}


@dataclass
class FetchReport:
    """What :func:`fetch_into_store` wrote.

    Attributes
    ----------
    area : Area
    layers : dict
        Store layer name -> number of features written.
    empty : list of str
        Requested layers OpenStreetMap has nothing for in the area (not written).
    dem : DemResult or None
    """

    area: Area
    layers: dict[str, int] = field(default_factory=dict)
    empty: list[str] = field(default_factory=list)
    dem: DemResult | None = None


def default_dem_path(store, area: Area) -> Path:
    """``<store folder>/<store name>_dem_<area>.tif`` next to a GeoPackage store, else in the working folder."""
    base = getattr(store, "path", None)
    if base is not None:
        base = Path(base)
        return base.with_name(f"{base.stem}_dem_{area.slug}.tif")
    return Path.cwd() / f"geozones_dem_{area.slug}.tif"


def fetch_into_store(
    store,
    area: Area,
    layers: Sequence[str] = tuple(LAYERS),
    *,
    dem: bool = False,
    dem_path: str | os.PathLike | None = None,
    resolution: float = 30.0,
    as_infrastructure: bool = False,
    settings: FetchSettings | None = None,
    highway_classes: Sequence[str] = HIGHWAY_CLASSES,
) -> FetchReport:
    """Fetch OpenStreetMap layers (and optionally the DEM) for an area and write them into a store.

    Vector layers are written with ``store.write_layer`` as ``osm_roads``, ``osm_railways``,
    ``osm_rivers``, ``osm_power`` (and, with ``as_infrastructure``, also as
    ``infrastructure_roads`` / ``infrastructure_power``, replacing the shipped layers the
    proximity code reads). The DEM is written as a COG next to the store
    (:func:`default_dem_path`) for the slope code and scenario ``constraints.dem``. Every
    layer and the DEM file are listed, with source, licence and attribution, in the table
    :data:`SOURCES_TABLE`.

    Parameters
    ----------
    store : ZoneStore
    area : Area
        From :func:`area_from_bbox` or :func:`area_from_province`.
    layers : sequence of str
        Any of :data:`LAYERS`; empty to fetch only the DEM.
    dem : bool
        Also fetch the Copernicus GLO-30 DEM.

    Raises
    ------
    FetchError, AreaError
        See :func:`fetch_osm` and :func:`fetch_dem`. Nothing is written unless every fetch succeeded.
    """
    settings = settings or FetchSettings.from_env()
    if not layers and not dem:
        raise InvalidParameterError("nothing to fetch: give layers and/or dem=True")
    report = FetchReport(area)
    frames = fetch_osm(area, layers, settings=settings, highway_classes=highway_classes) if layers else {}
    report.empty = [name for name in layers if name not in frames]
    if dem:
        report.dem = fetch_dem(
            area, dem_path or default_dem_path(store, area), resolution=resolution, settings=settings
        )
    for name, frame in frames.items():
        targets = [LAYERS[name]] + (
            [INFRASTRUCTURE_TARGETS[name]] if as_infrastructure and name in INFRASTRUCTURE_TARGETS else []
        )
        for target in targets:
            store.write_layer(target, frame)
            report.layers[target] = len(frame)
    rows = sources_rows(area, frames, report.dem, settings)
    if as_infrastructure:
        extra = rows[rows["layer"].isin([LAYERS[n] for n in INFRASTRUCTURE_TARGETS])].copy()
        extra["layer"] = extra["layer"].map({LAYERS[n]: t for n, t in INFRASTRUCTURE_TARGETS.items()})
        rows = pd.concat([rows, extra], ignore_index=True)
    if SOURCES_TABLE in store.layers():
        old = pd.DataFrame(store.layer(SOURCES_TABLE))
        old = old[~old["layer"].isin(rows["layer"])] if "layer" in old.columns else old.iloc[0:0]
        rows = pd.concat([old, rows], ignore_index=True)
    store.write_layer(SOURCES_TABLE, rows.astype(object))
    return report


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
