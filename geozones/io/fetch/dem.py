"""The Copernicus GLO-30 DEM: tiles covering an area, read by window (``/vsicurl/``), mosaicked, reprojected."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj

from geozones.errors import (
    AreaError,
    EmptyResultError,
    FetchHTTPError,
    InvalidParameterError,
    ResponseTooLargeError,
)
from geozones.io.fetch.area import Area, _box_text
from geozones.io.fetch.http import http_request
from geozones.io.fetch.settings import (
    DEM_ATTRIBUTION,
    DEM_LICENCE,
    DEM_LICENCE_URL,
    DEM_NODATA,
    FetchSettings,
)

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
            _check_source_window(datasets, urls, present, bounds, settings)
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


def _check_source_window(datasets, urls, names, bounds, settings: FetchSettings) -> None:
    """Refuse, before any pixel is read, a source window larger than ``settings.max_dem_source_cells``.

    ``rasterio.merge`` reads the window at the first tile's resolution: a tile whose header claims
    1e9 x 1e9 pixels over its 1° square would make it allocate petabytes. Every tile's window is
    checked, at its own resolution (a GLO-30 tile has 3600 x 3600 pixels or fewer).
    """
    for name, dataset in zip(names, datasets):
        rx, ry = abs(dataset.transform.a), abs(dataset.transform.e)
        if not (rx > 0 and ry > 0 and math.isfinite(rx) and math.isfinite(ry)):
            raise ResponseTooLargeError(f"{urls[name]}: the tile has no usable pixel size ({rx} x {ry})")
        cells = math.ceil((bounds[2] - bounds[0]) / rx) * math.ceil((bounds[3] - bounds[1]) / ry)
        if cells > settings.max_dem_source_cells:
            raise ResponseTooLargeError(
                f"{urls[name]}: the tile claims {dataset.width:,} x {dataset.height:,} pixels; reading the area from "
                f"it would take {cells:,} cells, more than the {settings.max_dem_source_cells:,} allowed "
                "(max_dem_source_cells / GEOZONES_FETCH_MAX_DEM_SOURCE_CELLS); nothing was read"
            )


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
