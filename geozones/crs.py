"""Coordinate reference systems: the VN-2000 registry, metric working CRSs, axis checks.

Areas and distances are computed in a projected metric CRS: the VN-2000 TM-3 zone of
the zone's province (EPSG:9213 for Bắc Kạn and Thái Nguyên, EPSG:9215 for Lạng Sơn),
never in degrees. The registry is read from pyproj's EPSG database, not typed in.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from pyproj.database import query_crs_info
from pyproj.enums import PJType

from geozones.errors import AxisOrderError, CRSError, MissingCRSError

WGS84 = pyproj.CRS.from_epsg(4326)
#: OGC CRS84: WGS84 with lon/lat axis order (what GeoJSON and OGC API use by default).
CRS84 = pyproj.CRS.from_user_input("OGC:CRS84")
#: VN-2000 geographic CRS.
VN2000 = pyproj.CRS.from_epsg(4756)
#: VN-2000 / UTM zone 48N: the fallback metric CRS for layers that span provinces.
VN2000_UTM48 = pyproj.CRS.from_epsg(3405)

#: Official VN-2000 -> WGS84 shift (Decision 05/2007/QĐ-BTNMT, EPSG:6960) as a PROJ
#: ``+towgs84`` in the position-vector convention.
TOWGS84_OFFICIAL = (-191.90441429, -39.30318279, -111.45032835, 0.00928836, -0.01975479, 0.00427372, 0.252906278)
#: The same numbers with the decision's raw (coordinate-frame) rotation signs, common in
#: circulating ``.prj`` files; about 0.8 m off near Bắc Kạn.
TOWGS84_RAW_SIGNS = TOWGS84_OFFICIAL[:3] + tuple(-r for r in TOWGS84_OFFICIAL[3:6]) + TOWGS84_OFFICIAL[6:]


class VN2000DefinitionWarning(UserWarning):
    """A custom VN-2000 definition was recognised and replaced by its EPSG equivalent."""


def _fold(text: str) -> str:
    from geozones.schema import ascii_name

    return re.sub(r"[^a-z ]", "", ascii_name(text).lower()).strip()


@lru_cache(maxsize=1)
def tm3_registry() -> dict[str, int]:
    """Map province names (ASCII, lower case) to their VN-2000 TM-3 EPSG code.

    Built from the area-of-use names of every ``VN-2000 / TM-3`` CRS in pyproj's EPSG
    database, e.g. ``"Vietnam - Bac Kan and Thai Nguyen provinces."`` -> 9213.
    """
    registry: dict[str, int] = {}
    for info in query_crs_info(auth_name="EPSG", pj_types=PJType.PROJECTED_CRS):
        if not info.name.startswith("VN-2000 / TM-3") or info.area_of_use is None:
            continue
        area = info.area_of_use.name
        if "between" in area or not area.startswith("Vietnam - "):
            continue  # generic 3-degree zones, not a province's
        body = area.removeprefix("Vietnam - ").rstrip(".")
        body = re.sub(r"\b(provinces?|cities|city)\b", ",", body)
        for part in re.split(r",|;|\band\b", body):
            name = _fold(part)
            if name:
                registry[name] = int(info.code)
    return registry


def tm3_crs(province: str) -> pyproj.CRS:
    """Return the VN-2000 TM-3 CRS of a province (pre- or post-2025 name, with or without diacritics).

    Raises
    ------
    CRSError
        If the province has no TM-3 zone in the EPSG database.
    """
    key = _fold(province)
    registry = tm3_registry()
    if key not in registry:
        raise CRSError(f"no VN-2000 TM-3 zone known for province {province!r}")
    return pyproj.CRS.from_epsg(registry[key])


def metric_epsg(zones: gpd.GeoDataFrame) -> np.ndarray:
    """EPSG code of the working metric CRS for each zone, from its pre-2025 province.

    Zones without a known province get VN-2000 / UTM 48N (EPSG:3405).
    """
    column = "province_pre2025" if "province_pre2025" in zones.columns else "province"
    if column not in zones.columns:
        return np.full(len(zones), working_crs(zones).to_epsg())
    registry = tm3_registry()
    codes = zones[column].map(lambda p: registry.get(_fold(p), 3405) if isinstance(p, str) else 3405)
    return codes.to_numpy(dtype=int)


def working_crs(layer: gpd.GeoDataFrame) -> pyproj.CRS:
    """Choose one metric CRS for a whole layer.

    The smallest province-scale TM-3 zone whose area of use contains the layer, else
    VN-2000 / UTM 48N when the layer lies in its area of use, else the layer's UTM zone.
    """
    require_crs(layer)
    if layer.crs.is_projected and layer.crs.axis_info[0].unit_name in ("metre", "meter"):
        return layer.crs
    west, south, east, north = layer.to_crs(WGS84).total_bounds
    if not np.isfinite([west, south, east, north]).all():
        return VN2000_UTM48
    candidates = []
    for code in sorted(set(tm3_registry().values())):
        aou = pyproj.CRS.from_epsg(code).area_of_use
        province_scale = (aou.north - aou.south) <= 4 and (aou.east - aou.west) <= 4
        if province_scale and aou.west <= west and east <= aou.east and aou.south <= south and north <= aou.north:
            candidates.append(((aou.east - aou.west) * (aou.north - aou.south), code))
    if candidates:
        return pyproj.CRS.from_epsg(min(candidates)[1])
    aou = VN2000_UTM48.area_of_use
    if aou.west <= west and east <= aou.east and aou.south <= south and north <= aou.north:
        return VN2000_UTM48
    return layer.estimate_utm_crs()


def require_crs(layer: gpd.GeoDataFrame | gpd.GeoSeries, what: str = "layer") -> pyproj.CRS:
    """Return the layer's CRS or raise :class:`MissingCRSError`."""
    if layer.crs is None:
        raise MissingCRSError(f"the {what} has no CRS; set one (e.g. EPSG:4326, EPSG:9213, EPSG:9215)")
    return layer.crs


def require_metric(layer: gpd.GeoDataFrame | gpd.GeoSeries, what: str = "layer") -> pyproj.CRS:
    """Raise :class:`CRSError` unless the layer is in a projected CRS with metre units."""
    crs = require_crs(layer, what)
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if not crs.is_projected or unit not in ("metre", "meter"):
        raise CRSError(f"the {what} is in {crs.name!r} ({unit or 'no unit'}); project it to a metric CRS first "
                       "(geozones.crs.to_metric)")
    return crs


def to_metric(layer: gpd.GeoDataFrame, crs: pyproj.CRS | str | int | None = None) -> gpd.GeoDataFrame:
    """Project a layer to ``crs`` or to its :func:`working_crs`."""
    target = pyproj.CRS.from_user_input(crs) if crs is not None else working_crs(layer)
    return layer.to_crs(target)


def to_wgs84(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Project a layer to WGS84 lon/lat (EPSG:4326, traditional GIS axis order)."""
    require_crs(layer)
    return layer if layer.crs.equals(WGS84) else layer.to_crs(WGS84)


# --- reading custom definitions ------------------------------------------------------

_TOWGS84 = re.compile(r"TOWGS84\s*\[([^\]]+)\]", re.IGNORECASE)
_PROJ_TOWGS84 = re.compile(r"\+towgs84=([-0-9.eE,+]+)")



@lru_cache(maxsize=64)
def _cached_transformer(source: str, target: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(pyproj.CRS.from_user_input(source), pyproj.CRS.from_user_input(target),
                                       always_xy=True)


def transformer(source: pyproj.CRS | str | int, target: pyproj.CRS | str | int) -> pyproj.Transformer:
    """A cached GIS-order (x/y, lon/lat) transformer between two CRSs (the one helper everything uses).

    Parameters
    ----------
    source, target : pyproj.CRS, str or int
        Anything :meth:`pyproj.CRS.from_user_input` reads (a CRS object is keyed by its WKT).
    """

    def key(crs) -> str:
        return crs.to_wkt() if isinstance(crs, pyproj.CRS) else str(pyproj.CRS.from_user_input(crs).to_wkt())

    return _cached_transformer(key(source), key(target))


def reproject_geometry(geometry, source: pyproj.CRS | str | int, target: pyproj.CRS | str | int):
    """One geometry (or an array of them) from ``source`` to ``target``, in GIS x/y order.

    Returns the input unchanged when both CRSs are the same.
    """
    source_crs, target_crs = pyproj.CRS.from_user_input(source), pyproj.CRS.from_user_input(target)
    if source_crs.equals(target_crs):
        return geometry
    project = transformer(source_crs, target_crs)
    return shapely.transform(geometry, lambda xy: np.column_stack(project.transform(xy[:, 0], xy[:, 1])))


def _towgs84_of(text: str) -> tuple[float, ...] | None:
    match = _TOWGS84.search(text) or _PROJ_TOWGS84.search(text)
    if not match:
        return None
    try:
        values = tuple(float(v) for v in match.group(1).split(","))
    except ValueError:
        return None
    return values if len(values) == 7 else None


def _close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(abs(x - y) <= max(1e-6, 1e-6 * abs(y)) for x, y in zip(a, b))


def _matching_vn2000_epsg(crs: pyproj.CRS) -> int | None:
    """EPSG code of the VN-2000 CRS whose projection matches ``crs`` (same parameters)."""
    if crs.is_geographic:
        return 4756 if crs.coordinate_system.axis_list[0].unit_name == "degree" else None
    params = _tm_params(crs)
    if params is None:
        return None
    for info in query_crs_info(auth_name="EPSG", pj_types=PJType.PROJECTED_CRS):
        if not info.name.startswith("VN-2000 /"):
            continue
        candidate = _tm_params(pyproj.CRS.from_epsg(int(info.code)))
        if candidate is not None and np.allclose(candidate, params, atol=1e-7):
            return int(info.code)
    return None


def _tm_params(crs: pyproj.CRS) -> tuple[float, ...] | None:
    if crs.is_bound:
        crs = crs.source_crs
    conversion = crs.coordinate_operation
    if conversion is None or "Transverse Mercator" not in conversion.method_name:
        return None
    values = {p.name: p.value for p in conversion.params}
    keys = ("Latitude of natural origin", "Longitude of natural origin", "Scale factor at natural origin",
            "False easting", "False northing")
    if not all(k in values for k in keys):
        return None
    return tuple(float(values[k]) for k in keys)


def normalize_crs(crs: pyproj.CRS | str | int | None) -> pyproj.CRS | None:
    """Recognise custom VN-2000 definitions and return their EPSG equivalent.

    A ``.prj`` or PROJ string carrying a VN-2000 ``TOWGS84`` (the official shift or the
    raw-sign variant from Decision 05/2007) and Transverse Mercator parameters equal to an
    EPSG VN-2000 CRS is replaced by that EPSG CRS, so the official EPSG:6960
    transformation is used. The raw-sign variant also triggers a
    :class:`VN2000DefinitionWarning` (about 0.8 m error near Bắc Kạn).
    Other definitions are returned unchanged.
    """
    if crs is None:
        return None
    crs = pyproj.CRS.from_user_input(crs)
    if crs.to_epsg(min_confidence=100) is not None:
        return crs
    towgs84 = _towgs84_of(crs.to_wkt("WKT1_GDAL") or "")
    if towgs84 is None:
        return crs
    raw = _close(towgs84, TOWGS84_RAW_SIGNS)
    if not (raw or _close(towgs84, TOWGS84_OFFICIAL)):
        return crs
    code = _matching_vn2000_epsg(crs)
    if code is None:
        if raw:
            warnings.warn("VN-2000 definition uses the raw-sign TOWGS84 rotations (about 0.8 m off); "
                          "no matching EPSG code, kept as given", VN2000DefinitionWarning, stacklevel=2)
        return crs
    if raw:
        warnings.warn(f"the VN-2000 definition uses the decision's raw rotation signs in TOWGS84 (about 0.8 m "
                      f"off near Bắc Kạn); read as EPSG:{code} with the official EPSG:6960 shift",
                      VN2000DefinitionWarning, stacklevel=2)
    return pyproj.CRS.from_epsg(code)


# --- axis order and range checks -----------------------------------------------------


def swap_xy(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy with x and y exchanged in every geometry."""
    out = layer.copy()
    out.geometry = shapely.transform(layer.geometry.array, lambda xy: xy[:, ::-1])
    return out


def _lonlat_sample(layer: gpd.GeoDataFrame, swapped: bool, limit: int = 2000) -> np.ndarray:
    geoms = layer.geometry.array
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0:
        return np.empty((0, 2))
    coords = shapely.get_coordinates(geoms)
    if len(coords) > limit:
        coords = coords[np.linspace(0, len(coords) - 1, limit).astype(int)]
    if swapped:
        coords = coords[:, ::-1]
    transformer = pyproj.Transformer.from_crs(layer.crs, CRS84, always_xy=True)
    lon, lat = transformer.transform(coords[:, 0], coords[:, 1], errcheck=False)
    return np.column_stack([lon, lat])


def _inside(lonlat: np.ndarray, aou, margin: float) -> np.ndarray:
    lon, lat = lonlat[:, 0], lonlat[:, 1]
    return (np.isfinite(lon) & (aou.west - margin <= lon) & (lon <= aou.east + margin)
            & (aou.south - margin <= lat) & (lat <= aou.north + margin))


def check_coordinates(layer: gpd.GeoDataFrame, margin_deg: float = 1.0) -> None:
    """Check that coordinates lie in the area of use of the layer's CRS.

    Raises
    ------
    AxisOrderError
        When they do not but would with x and y exchanged: lat/lon given as lon/lat,
        or a survey sheet's X (northing) / Y (easting) read in GIS order.
        Fix with ``swap_xy=True`` when reading.
    CRSError
        When they lie outside the CRS's area of use either way: probably the wrong CRS.
    """
    crs = require_crs(layer)
    aou = crs.area_of_use
    if aou is None:
        return
    direct = _lonlat_sample(layer, swapped=False)
    if len(direct) == 0 or _inside(direct, aou, margin_deg).all():
        return
    swapped = _lonlat_sample(layer, swapped=True)
    name = crs.to_string()
    if _inside(swapped, aou, margin_deg).all():
        if crs.is_geographic:
            detail = "the coordinates look like latitude/longitude in the longitude/latitude order"
        else:
            detail = "the coordinates look like X = northing, Y = easting (survey-sheet order)"
        raise AxisOrderError(f"{detail} for {name}; read again with swap_xy=True (CLI: --swap-xy)")
    lon, lat = direct[:, 0], direct[:, 1]
    raise CRSError(
        f"coordinates fall outside the area of use of {name} ({aou.name}: lon {aou.west}..{aou.east}, "
        f"lat {aou.south}..{aou.north}); first point reads as lon {lon[0]:.4f}, lat {lat[0]:.4f}. "
        "Is the CRS right? Give the correct one with crs=... (CLI: --crs)"
    )
