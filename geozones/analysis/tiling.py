"""Rasters too large for one array: distance and suitability computed tile by tile, zonal statistics by partition.

A national 30 m grid has hundreds of millions of cells; no step here holds it whole.

* :func:`distance_tiles` cuts the :class:`~geozones.analysis.raster.Grid` into tiles and computes each
  with the exact :func:`geozones.analysis.raster.distance_raster` on the features within a **halo**
  around the tile. The halo is a search radius that doubles until every cell of the tile
  has a feature within it (every feature within ``r`` of a cell centre meets the tile's
  bounds grown by ``r``, so those cells have their exact distance) or the halo holds every
  feature: no cell is ever cut off at a tile edge.
* :func:`suitability_tiles` scores distance factors per tile (:func:`~geozones.analysis.raster.linear_score`,
  searching only up to the factor's "worst" distance, beyond which the score is 0) and
  combines them with :func:`~geozones.analysis.raster.weighted_overlay`, excluded areas rasterised per tile.
* Output goes either to a Cloud-Optimized GeoTIFF (``.tif``: tiles are written into a tiled
  GeoTIFF as they arrive, then GDAL's COG driver adds overviews, reading block by block) or
  to a set of tiled GeoTIFFs with a GDAL VRT mosaic (``.vrt``: each worker writes its own
  tiles; nothing passes through the client).
* :func:`zonal_stats_partitioned` reads, for each Hilbert partition of the zones, only the
  raster window under it and runs :func:`geozones.analysis.raster.zonal_stats` (exactextract) there.

Tiles are computed in this process (``engine="local"``) or as tasks on a Dask cluster
(``engine="dask"`` or a ``dask.distributed.Client``).
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geozones.analysis import distributed as _dist
from geozones.analysis import raster as _raster
from geozones.errors import InvalidParameterError, UnsupportedFormatError

#: Default tile side in cells (a float32 tile is 4 MiB).
TILE = 1024

Window = tuple[int, int, int, int]  # row0, col0, height, width


def windows(grid: _raster.Grid, tile: int = TILE) -> list[Window]:
    """The tiles of ``grid``: ``(row0, col0, height, width)``, row by row; edge tiles are smaller."""
    if tile < 1:
        raise InvalidParameterError("tile must be at least one cell")
    return [
        (r, c, min(tile, grid.height - r), min(tile, grid.width - c))
        for r in range(0, grid.height, tile)
        for c in range(0, grid.width, tile)
    ]


def subgrid(grid: _raster.Grid, window: Window) -> _raster.Grid:
    """The grid of one window (same resolution and CRS, aligned cells)."""
    r0, c0, h, w = window
    res = grid.resolution
    return _raster.Grid(grid.xmin + c0 * res, grid.ymax - r0 * res, res, w, h, grid.crs)


def _layer_payload(layer, grid: _raster.Grid) -> dict:
    """The features in the grid's CRS, as shipped to workers (see :func:`geozones.analysis.distributed.features_payload`)."""
    if isinstance(layer, (gpd.GeoDataFrame, gpd.GeoSeries)):
        layer = layer.to_crs(grid.crs)
        series = layer.geometry if isinstance(layer, gpd.GeoDataFrame) else layer
    else:
        series = gpd.GeoSeries(np.asarray(layer, dtype=object), crs=grid.crs)
    series = series[~(series.isna() | series.is_empty)].reset_index(drop=True)
    return _dist.features_payload(series)


def distance_tile(payload: dict, max_distance: float | None, grid: _raster.Grid, window: Window) -> np.ndarray:
    """Exact distance (m) from each cell centre of one window to the nearest feature of ``payload``.

    Equal to the window of :func:`geozones.analysis.raster.distance_raster` on the whole grid (up to
    floating-point rounding of the order of 1e-9 m); cells farther than ``max_distance`` are ``inf``.
    """
    sub = subgrid(grid, window)
    geoms = payload["geoms"]
    res = sub.resolution
    x0, y1 = sub.xmin + res / 2, sub.ymax - res / 2
    x1, y0 = x0 + (sub.width - 1) * res, y1 - (sub.height - 1) * res
    if len(geoms) == 0:
        return np.full(sub.shape, np.inf)
    tree = _dist.feature_tree(payload)
    _, gap = tree.query_nearest(shapely.box(x0, y0, x1, y1), return_distance=True, all_matches=False)
    radius = max(payload["spacing"], float(gap[0]) if len(gap) else 0.0, res)
    while True:
        cand = np.sort(tree.query(shapely.box(x0 - radius, y0 - radius, x1 + radius, y1 + radius)))
        complete = len(cand) == len(geoms)
        limit = None if complete else radius
        if max_distance is not None:
            limit = max_distance if limit is None else min(limit, max_distance)
        out = _raster.distance_raster(geoms[cand], sub, max_distance=limit)
        if limit is not None:
            out[out > limit] = np.inf  # beyond the halo a candidate's distance is not the nearest one
        if complete or (max_distance is not None and radius >= max_distance) or np.isfinite(out).all():
            return out
        radius *= 2.0


# --- writing tiles -------------------------------------------------------------------------------


def _tif_profile(grid: _raster.Grid, dtype: str, nodata) -> dict:
    return {
        "driver": "GTiff",
        "width": grid.width,
        "height": grid.height,
        "count": 1,
        "dtype": dtype,
        "crs": grid.crs.to_wkt(),
        "transform": grid.transform,
        "nodata": nodata,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "deflate",
        "BIGTIFF": "IF_SAFER",
    }


def _prepare(array: np.ndarray, dtype: str, nodata) -> np.ndarray:
    array = np.asarray(array, dtype=dtype)
    if array.dtype.kind == "f":
        array = np.where(np.isinf(array), nodata, array).astype(dtype)
    return array


def _tile_file(fn: Callable, args: tuple, grid: _raster.Grid, window: Window, path: str, dtype: str, nodata) -> str:
    """Compute one tile and write it as its own GeoTIFF (VRT mode); returns the file name."""
    import rasterio

    sub = subgrid(grid, window)
    array = _prepare(fn(*args, grid, window), dtype, nodata)
    with rasterio.open(path, "w", **_tif_profile(sub, dtype, nodata)) as dst:
        dst.write(array, 1)
    return path


def _tile_array(fn: Callable, args: tuple, grid: _raster.Grid, window: Window, dtype: str, nodata) -> np.ndarray:
    return _prepare(fn(*args, grid, window), dtype, nodata)


def _vrt(
    grid: _raster.Grid, tiles: Sequence[tuple[Window, str]], path: Path, dtype: str, nodata, description: str | None
) -> None:
    """A GDAL VRT mosaic of the tile files (paths relative to the VRT)."""
    gdal_type = {
        "float32": "Float32",
        "float64": "Float64",
        "uint8": "Byte",
        "int16": "Int16",
        "int32": "Int32",
        "uint16": "UInt16",
    }[dtype]
    t = grid.transform
    nd = "nan" if nodata is not None and isinstance(nodata, float) and math.isnan(nodata) else nodata
    lines = [
        f'<VRTDataset rasterXSize="{grid.width}" rasterYSize="{grid.height}">',
        f"  <SRS>{escape(grid.crs.to_wkt())}</SRS>",
        f"  <GeoTransform>{t.c!r}, {t.a!r}, {t.b!r}, {t.f!r}, {t.d!r}, {t.e!r}</GeoTransform>",
        f'  <VRTRasterBand dataType="{gdal_type}" band="1">',
    ]
    if description:
        lines.append(f"    <Description>{escape(description)}</Description>")
    if nd is not None:
        lines.append(f"    <NoDataValue>{nd}</NoDataValue>")
    for (r0, c0, h, w), name in tiles:
        rel = os.path.relpath(name, path.parent)
        lines += [
            "    <ComplexSource>",
            f'      <SourceFilename relativeToVRT="1">{escape(rel)}</SourceFilename>',
            "      <SourceBand>1</SourceBand>",
            f'      <SrcRect xOff="0" yOff="0" xSize="{w}" ySize="{h}"/>',
            f'      <DstRect xOff="{c0}" yOff="{r0}" xSize="{w}" ySize="{h}"/>',
        ]
        if nd is not None:
            lines.append(f"      <NODATA>{nd}</NODATA>")
        lines.append("    </ComplexSource>")
    lines += ["  </VRTRasterBand>", "</VRTDataset>"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_tiles(
    fn: Callable,
    args: tuple,
    grid: _raster.Grid,
    path: str | os.PathLike,
    *,
    tile: int = TILE,
    client=None,
    dtype: str = "float32",
    nodata=float("nan"),
    description: str | None = None,
    progress: bool = False,
) -> Path:
    """Compute ``fn(*args, grid, window)`` for every tile and write the raster without holding it whole.

    Parameters
    ----------
    fn : callable
        Returns the array of one window (e.g. :func:`distance_tile`).
    path : path-like
        ``.tif``: a Cloud-Optimized GeoTIFF; ``.vrt``: a VRT mosaic over tile GeoTIFFs
        written by the workers into ``<name>_tiles/`` next to it.
    client : dask.distributed.Client, optional
        Compute the tiles on this cluster (default: one after the other in this process).
    dtype, nodata
        Output cell type; infinite values (beyond a ``max_distance``) become ``nodata``.

    Returns
    -------
    pathlib.Path
    """
    import rasterio
    import rasterio.shutil
    from rasterio.windows import Window as RioWindow

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tiles = windows(grid, tile)
    suffix = path.suffix.lower()
    if suffix == ".vrt":
        folder = path.with_name(f"{path.stem}_tiles")
        folder.mkdir(exist_ok=True)
        names = [str(folder / f"r{r0:06d}_c{c0:06d}.tif") for r0, c0, _, _ in tiles]
        if client is None:
            for w, name in zip(tiles, names):
                _tile_file(fn, args, grid, w, name, dtype, nodata)
        else:
            futures = client.map(
                _tile_file,
                [fn] * len(tiles),
                [args] * len(tiles),
                [grid] * len(tiles),
                tiles,
                names,
                [dtype] * len(tiles),
                [nodata] * len(tiles),
                pure=False,
            )
            _dist.show_progress(futures, progress)
            client.gather(futures)
        _vrt(grid, list(zip(tiles, names)), path, dtype, nodata, description)
        return path
    if suffix not in (".tif", ".tiff"):
        raise UnsupportedFormatError(f"write a .tif (COG) or a .vrt (tile set), not {path.name!r}")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tif", dir=path.parent)
    os.close(fd)
    try:
        with rasterio.open(tmp, "w", **_tif_profile(grid, dtype, nodata)) as dst:
            if description:
                dst.set_band_description(1, description)
            if client is None:
                for w in tiles:
                    dst.write(
                        _tile_array(fn, args, grid, w, dtype, nodata), 1, window=RioWindow(w[1], w[0], w[3], w[2])
                    )
            else:
                from dask.distributed import as_completed

                futures = client.map(
                    _tile_array,
                    [fn] * len(tiles),
                    [args] * len(tiles),
                    [grid] * len(tiles),
                    tiles,
                    [dtype] * len(tiles),
                    [nodata] * len(tiles),
                    pure=False,
                )
                where = {f.key: w for f, w in zip(futures, tiles)}
                for future in as_completed(futures):  # one tile at a time on the client
                    w = where[future.key]
                    dst.write(future.result(), 1, window=RioWindow(w[1], w[0], w[3], w[2]))
                    future.release()
        with rasterio.open(tmp) as src:
            rasterio.shutil.copy(
                src, path, driver="COG", COMPRESS="DEFLATE", OVERVIEWS="AUTO", BLOCKSIZE=256, BIGTIFF="IF_SAFER"
            )
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


# --- distance and suitability ------------------------------------------------------------------


def distance_tiles(
    layer,
    grid: _raster.Grid,
    path: str | os.PathLike,
    *,
    max_distance: float | None = None,
    tile: int = TILE,
    engine="local",
    progress: bool = False,
) -> Path:
    """The exact distance raster of ``layer`` on ``grid``, computed and written tile by tile.

    Parameters
    ----------
    layer : GeoDataFrame, GeoSeries or array of geometries
        Lines, points or polygons (reprojected to the grid's CRS).
    grid : Grid
    path : path-like
        ``.tif`` (COG) or ``.vrt`` (tile set), float32 metres, NaN beyond ``max_distance``.
    engine : "local", "dask" or dask.distributed.Client
        ``"local"``: tile after tile in this process; ``"dask"``: the open client or a
        ``LocalCluster`` for the call; a ``Client``: that cluster. On Dask the features are
        broadcast to every worker once and each tile is one task.
    progress : bool
        Show Dask's progress bar (``.vrt`` output).

    Returns
    -------
    pathlib.Path
    """
    if isinstance(engine, str) and engine != "local":
        with _dist.connect(engine) as client:
            return distance_tiles(
                layer, grid, path, max_distance=max_distance, tile=tile, engine=client, progress=progress
            )
    client = None if isinstance(engine, str) else engine
    payload = _layer_payload(layer, grid)
    if client is not None:
        payload = _dist.ship(client, payload)
    return write_tiles(
        distance_tile,
        (payload, max_distance),
        grid,
        path,
        tile=tile,
        client=client,
        description="distance_m",
        progress=progress,
    )


def suitability_tile(
    factors: Mapping[str, tuple], weights: Mapping[str, float], excluded, grid: _raster.Grid, window: Window
) -> np.ndarray:
    """Weighted overlay of linear distance scores for one window (NaN where excluded)."""
    sub = subgrid(grid, window)
    scores = {}
    for name, (payload, best, worst) in factors.items():
        distance = distance_tile(payload, max(best, worst), grid, window)
        scores[name] = _raster.linear_score(distance, best, worst)
    constraints = []
    if excluded is not None and len(excluded["geoms"]):
        xmin, ymin, xmax, ymax = sub.bounds
        hit = np.sort(_dist.feature_tree(excluded).query(shapely.box(xmin, ymin, xmax, ymax)))
        if len(hit):
            constraints.append(_raster.mask(excluded["geoms"][hit], sub, all_touched=False))
    return _raster.weighted_overlay(scores, weights, constraints=constraints)


def suitability_tiles(
    factors: Mapping[str, tuple],
    weights: Mapping[str, float],
    grid: _raster.Grid,
    path: str | os.PathLike,
    *,
    exclude=None,
    tile: int = TILE,
    engine="local",
    progress: bool = False,
) -> Path:
    """A weighted suitability raster from distance factors, tile by tile.

    Parameters
    ----------
    factors : mapping name -> (layer, best, worst)
        Each factor scores 1 at ``best`` metres from its layer, 0 at ``worst`` and beyond
        (:func:`geozones.analysis.raster.linear_score`).
    weights : mapping name -> weight
        As :func:`geozones.analysis.raster.weighted_overlay`.
    exclude : GeoDataFrame, optional
        Areas excluded from the result (NaN), e.g. existing zones.
    path : path-like
        ``.tif`` (COG) or ``.vrt``.
    engine, progress
        As :func:`distance_tiles`.

    Returns
    -------
    pathlib.Path
    """
    if isinstance(engine, str) and engine != "local":
        with _dist.connect(engine) as client:
            return suitability_tiles(
                factors, weights, grid, path, exclude=exclude, tile=tile, engine=client, progress=progress
            )
    client = None if isinstance(engine, str) else engine
    shipped = {}
    for name, (layer, best, worst) in factors.items():
        payload = _layer_payload(layer, grid)
        if client is not None:
            payload = _dist.ship(client, payload)
        shipped[name] = (payload, float(best), float(worst))
    excluded = _layer_payload(exclude, grid) if exclude is not None else None
    if excluded is not None and client is not None:
        excluded = _dist.ship(client, excluded)
    return write_tiles(
        suitability_tile,
        (shipped, dict(weights), excluded),
        grid,
        path,
        tile=tile,
        client=client,
        description="suitability",
        progress=progress,
    )


# --- zonal statistics --------------------------------------------------------------------------


def _zonal_partition(zones: gpd.GeoDataFrame, raster_path: str, stats: tuple, prefix: str) -> pd.DataFrame:
    """exactextract statistics of one partition, on the raster window under it only."""
    import rasterio
    from rasterio.windows import Window as RioWindow

    with rasterio.open(raster_path) as src:
        t = src.transform
        grid = _raster.Grid(t.c, t.f, t.a, src.width, src.height, pyproj.CRS.from_user_input(src.crs.to_wkt()))
        present = zones[~(zones.geometry.isna() | zones.geometry.is_empty)]
        if len(present):
            xmin, ymin, xmax, ymax = present.to_crs(grid.crs).total_bounds
        else:
            xmin = ymin = xmax = ymax = np.nan
        res = grid.resolution
        if np.isfinite(xmin):
            c0 = max(0, min(grid.width - 1, math.floor((xmin - grid.xmin) / res) - 1))
            c1 = max(c0 + 1, min(grid.width, math.ceil((xmax - grid.xmin) / res) + 1))
            r0 = max(0, min(grid.height - 1, math.floor((grid.ymax - ymax) / res) - 1))
            r1 = max(r0 + 1, min(grid.height, math.ceil((grid.ymax - ymin) / res) + 1))
        else:
            r0, r1, c0, c1 = 0, 1, 0, 1
        array = src.read(1, window=RioWindow(c0, r0, c1 - c0, r1 - r0)).astype(float)
    window = subgrid(grid, (r0, c0, r1 - r0, c1 - c0))
    return _raster.zonal_stats(zones, array, window, stats=stats, prefix=prefix)


def zonal_stats_partitioned(
    zones,
    raster_path: str | os.PathLike,
    *,
    stats: Sequence[str] = ("mean", "min", "max", "count"),
    prefix: str = "",
    engine="local",
    npartitions: int | None = None,
    progress: bool = False,
):
    """Zonal statistics of a large raster (COG, GeoTIFF or VRT) over a large zone layer, partition by partition.

    Each Hilbert partition of the zones reads only the raster window under it (plus one
    cell) and runs :func:`geozones.analysis.raster.zonal_stats` there, so neither the raster nor the
    zone layer is ever whole in one place; the figures equal the whole-raster ones.

    Parameters
    ----------
    zones : GeoDataFrame or dask_geopandas.GeoDataFrame
    raster_path : path-like
        Readable by every worker.
    engine : "local", "dask" or dask.distributed.Client
        As :func:`distance_tiles`; ``"local"``: partitions one after the other in this process.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        On the zones' index, one column per statistic; lazy for a Dask frame (computed when
        ``engine="dask"`` starts its own cluster).
    """
    import dask

    if isinstance(engine, str) and engine != "local":
        with _dist.connect(engine) as client:
            out = zonal_stats_partitioned(
                zones,
                raster_path,
                stats=stats,
                prefix=prefix,
                engine=client,
                npartitions=npartitions,
                progress=progress,
            )
            return out.compute() if hasattr(out, "compute") else out
    client = None if isinstance(engine, str) else engine

    stats, raster_path = tuple(stats), str(raster_path)
    if hasattr(zones, "to_delayed"):
        import dask.dataframe as dd

        meta = pd.DataFrame({f"{prefix}{s}": pd.Series([], dtype=float) for s in stats})
        parts = [dask.delayed(_zonal_partition)(p, raster_path, stats, prefix) for p in zones.to_delayed()]
        return dd.from_delayed(parts, meta=meta, verify_meta=False)
    if npartitions is None:
        workers = len(client.scheduler_info().get("workers", {})) if client is not None else 1
        npartitions = max(2 * max(workers, 1), math.ceil(len(zones) / _dist.PARTITION_ROWS))
    runs = [r for r in _dist.hilbert_partitions(zones, npartitions) if len(r)]
    if client is None:
        results = [_zonal_partition(zones.iloc[r], raster_path, stats, prefix) for r in runs]
    else:
        futures = [client.submit(_zonal_partition, zones.iloc[r], raster_path, stats, prefix, pure=False) for r in runs]
        _dist.show_progress(futures, progress)
        results = client.gather(futures)
    if not results:
        return pd.DataFrame({f"{prefix}{s}": pd.Series([], dtype=float) for s in stats}, index=zones.index)
    positions = np.concatenate(runs)
    out = pd.concat(results)
    order = np.empty(len(positions), dtype=np.int64)
    order[positions] = np.arange(len(positions))
    out = out.iloc[order]
    out.index = zones.index
    return out


__all__ = [
    "TILE",
    "windows",
    "subgrid",
    "distance_tile",
    "write_tiles",
    "distance_tiles",
    "suitability_tile",
    "suitability_tiles",
    "zonal_stats_partitioned",
]
