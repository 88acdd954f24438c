"""CRS by reference (OGC API - Features Part 2): CRS URIs, axis order and reprojection for responses.

Every CRS is handled in its authority axis order on the wire: CRS84 is lon/lat, EPSG:4326 and
EPSG:4756 (VN-2000 geographic) are lat/lon, the VN-2000 TM-3 and UTM CRSs are easting/northing.
Inside the service geometries stay in the storage CRS with GIS (x = lon / easting) order.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pyproj
import shapely

from geozones.api.errors import InvalidParameter
from geozones.crs import reproject_geometry
from geozones.crs import transformer as cached_transformer

CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CRS84H_URI = "http://www.opengis.net/def/crs/OGC/0/CRS84h"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{code}"

#: EPSG codes offered for output and bbox/filter input besides CRS84, with their role.
SUPPORTED_EPSG: dict[int, str] = {
    4326: "WGS 84 (latitude, longitude order)",
    9213: "VN-2000 / TM-3 106-30 (Bắc Kạn, Thái Nguyên)",
    9215: "VN-2000 / TM-3 107-15 (Lạng Sơn)",
    3405: "VN-2000 / UTM zone 48N",
    4756: "VN-2000 geographic (latitude, longitude order)",
}

_URI_PATTERNS = (
    re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/[^/]+/(\d+)/?$", re.IGNORECASE),
    re.compile(r"^\[?EPSG:(\d+)\]?$", re.IGNORECASE),
    re.compile(r"^urn:ogc:def:crs:EPSG:[^:]*:(\d+)$", re.IGNORECASE),
)
_CRS84_NAMES = {
    CRS84_URI.lower(),
    "http://www.opengis.net/def/crs/ogc/1.3/crs84/",
    "ogc:crs84",
    "[ogc:crs84]",
    "crs84",
    "urn:ogc:def:crs:ogc:1.3:crs84",
    "https://www.opengis.net/def/crs/ogc/1.3/crs84",
}


def epsg_uri(code: int) -> str:
    """The OGC URI of an EPSG CRS."""
    return EPSG_URI.format(code=code)


def supported_crs_uris() -> list[str]:
    """CRS URIs a client may ask for, CRS84 first (the default)."""
    return [CRS84_URI] + [epsg_uri(code) for code in SUPPORTED_EPSG]


@lru_cache(maxsize=64)
def _crs_from_key(key: str) -> pyproj.CRS:
    return pyproj.CRS.from_user_input(key)


def crs84() -> pyproj.CRS:
    """OGC CRS84 (WGS 84, lon/lat)."""
    return _crs_from_key("OGC:CRS84")


def parse_crs(value: str | None, parameter: str = "crs") -> tuple[pyproj.CRS, str]:
    """The CRS a ``crs``, ``bbox-crs`` or ``filter-crs`` value names, and its canonical URI.

    Accepts OGC URIs, safe CURIEs (``[EPSG:9213]``) and ``EPSG:9213``; ``None`` means CRS84.

    Raises
    ------
    InvalidParameter
        When the value names no CRS this service offers.
    """
    if value is None or value.strip().lower() in _CRS84_NAMES:
        return crs84(), CRS84_URI
    text = value.strip()
    for pattern in _URI_PATTERNS:
        match = pattern.match(text)
        if match and int(match.group(1)) in SUPPORTED_EPSG:
            code = int(match.group(1))
            return _crs_from_key(f"EPSG:{code}"), epsg_uri(code)
    raise InvalidParameter(f"{parameter}={value!r} is not supported; use one of: {', '.join(supported_crs_uris())}")


def crs_uri(crs: pyproj.CRS) -> str | None:
    """The OGC URI of a CRS (CRS84 for OGC:CRS84, the authority URI otherwise; None without one)."""
    if crs.equals(crs84()) and crs.axis_info[0].direction == "east" and crs.is_geographic:
        return CRS84_URI
    authority = crs.to_authority(min_confidence=70)
    if authority is None:
        return None
    name, code = authority
    return epsg_uri(int(code)) if name == "EPSG" else f"http://www.opengis.net/def/crs/{name}/0/{code}"


def lat_first(crs: pyproj.CRS) -> bool:
    """Whether the CRS's first axis is north (lat/lon or northing/easting order)."""
    return bool(crs.axis_info) and crs.axis_info[0].direction.lower() in ("north", "south")


def _same(source: pyproj.CRS, target: pyproj.CRS) -> bool:
    """Same datum and coordinates (axis order aside): EPSG:4326 and CRS84."""
    return bool(source.equals(target, ignore_axis_order=True))


def to_output(geoms: np.ndarray, source: pyproj.CRS, target: pyproj.CRS) -> np.ndarray:
    """Geometries (GIS x/y order in ``source``) in ``target``, in the target's authority axis order."""
    geoms = np.asarray(geoms, dtype=object)
    if not _same(source, target):
        geoms = reproject_geometry(geoms, source, target)
    if lat_first(target):
        geoms = shapely.transform(geoms, lambda xy: xy[:, ::-1])
    return geoms


def from_input(geoms, source: pyproj.CRS, target: pyproj.CRS):
    """Geometries given in ``source`` authority axis order, in ``target`` (GIS x/y order)."""
    array = np.asarray(geoms, dtype=object)
    if lat_first(source):
        array = shapely.transform(array, lambda xy: xy[:, ::-1])
    if not _same(source, target):
        array = reproject_geometry(array, source, target)
    return array


def bbox_in(
    bbox: tuple[float, float, float, float], source: pyproj.CRS, target: pyproj.CRS
) -> tuple[float, float, float, float]:
    """A bbox given in ``source`` authority axis order as (minx, miny, maxx, maxy) in ``target`` x/y order.

    The box is densified along its edges so its projected bounds enclose the whole area.
    """
    a, b, c, d = bbox
    if lat_first(source):
        a, b, c, d = b, a, d, c
    if _same(source, target):
        return a, b, c, d
    transformer = cached_transformer(source, target)
    return tuple(transformer.transform_bounds(a, b, c, d, densify_pts=21))


def bbox_out(bounds: tuple[float, float, float, float], source: pyproj.CRS) -> list[float]:
    """Storage-CRS bounds (x/y order) as a CRS84 bbox (lon/lat), rounded to 7 decimals."""
    target = crs84()
    if not _same(source, target):
        bounds = cached_transformer(source, target).transform_bounds(*bounds, densify_pts=21)
    return [round(float(v), 7) for v in bounds]


def decimals_for(crs: pyproj.CRS) -> int:
    """Coordinate decimals on output: 7 for degrees (about 1 cm), 3 for metres."""
    return 7 if crs.is_geographic else 3
