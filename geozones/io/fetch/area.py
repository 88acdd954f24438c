"""What to fetch: a WGS84 box with its VN-2000 TM-3 CRS (:class:`Area`), from a box or a province."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import pyproj
import shapely

from geozones import crs as _crs
from geozones.errors import (
    AreaError,
    CRSError,
)
from geozones.io.fetch.settings import (
    FetchSettings,
)

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


def _box_text(area: Area) -> str:
    label = f"{area.name} " if area.name else ""
    return f"{label}({area.west:g},{area.south:g},{area.east:g},{area.north:g})"
