"""Raster suitability: grids, rasterisation, exact distance rasters, slope, overlay, zonal stats, COGs.

Everything works on a :class:`Grid` in a projected metric CRS (VN-2000 TM-3 of the
province). Distances are metres from each **cell centre**.

Exact distance rasters
----------------------
:func:`distance_raster` returns, for every cell centre, the true Euclidean distance to the
nearest point of the given vector geometries (lines, points, polygon boundaries), not the
distance to the nearest rasterised cell as ``gdal_proximity`` or a Euclidean distance
transform of a rasterisation compute (those are off by up to about half a cell diagonal).
It is a branch-and-bound over a quadtree of cell blocks:

1. every segment of the input is a candidate for the whole grid (the compiled kernel starts
   each 64 x 64 tile from the segments within its centre's nearest distance plus its half
   diagonal instead);
2. for a block of cells, the distance from its cell centres to a segment is at most the
   largest distance from the block's four corner centres to the segment (the distance to a
   segment is a convex function) and at least the distance from the segment to the block's
   rectangle; a segment whose lower bound exceeds the smallest upper bound of any segment
   cannot be nearest to any cell of the block and is dropped; the compiled kernel also drops
   a segment that another is provably nearer than everywhere in the block (a convexity and
   curvature bound at the corners and the centre, proved in its module docstring);
3. blocks are split into four until they are 8 x 8 cells, then every cell centre is measured
   against the block's remaining segments with the closed-form point-to-segment distance.

Because only segments that provably cannot be nearest are dropped, the result equals brute
force up to floating-point rounding (float64 arithmetic on coordinates relative to the grid
origin: errors of the order of 1e-9 m). ``benchmarks/raster_distance.py`` checks it against
brute force on a sample.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geozones import crs as _crs
from geozones.errors import CRSError, InvalidParameterError, RasterError
from geozones.io import limits as _limits

_INSTALL_HINT = "raster support needs the 'raster' extra: pip install 'geozones[raster]'"


def _rasterio():
    try:
        import rasterio
        import rasterio.features
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(_INSTALL_HINT) from exc
    return rasterio


# --- grid --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """A north-up raster grid in a projected metric CRS.

    Parameters
    ----------
    xmin, ymax : float
        Upper-left corner of the grid (metres).
    resolution : float
        Cell size in metres (square cells).
    width, height : int
        Number of columns and rows.
    crs : pyproj.CRS
        The metric CRS.
    """

    xmin: float
    ymax: float
    resolution: float
    width: int
    height: int
    crs: pyproj.CRS

    def __post_init__(self) -> None:
        if self.resolution <= 0:
            raise InvalidParameterError("grid resolution must be positive")
        if self.width <= 0 or self.height <= 0:
            raise InvalidParameterError("grid must have at least one row and one column")
        if not self.crs.is_projected:
            raise CRSError(f"a grid needs a projected metric CRS, not {self.crs.name!r}")

    @classmethod
    def from_bounds(cls, bounds: Sequence[float], resolution: float, crs) -> Grid:
        """The grid of ``resolution`` metres covering ``(xmin, ymin, xmax, ymax)``, snapped outward."""
        xmin, ymin, xmax, ymax = (float(b) for b in bounds)
        if not (xmax > xmin and ymax > ymin):
            raise InvalidParameterError(f"empty bounds {bounds!r}")
        x0 = math.floor(xmin / resolution) * resolution
        y1 = math.ceil(ymax / resolution) * resolution
        width = max(1, math.ceil((xmax - x0) / resolution - 1e-9))
        height = max(1, math.ceil((y1 - ymin) / resolution - 1e-9))
        return cls(x0, y1, float(resolution), width, height, pyproj.CRS.from_user_input(crs))

    @classmethod
    def covering(
        cls, layers: Sequence[gpd.GeoDataFrame | gpd.GeoSeries], resolution: float, margin: float = 0.0, crs=None
    ) -> Grid:
        """A grid covering the union of the layers' bounds (in ``crs`` or the first layer's metric CRS)."""
        layers = [layer for layer in layers if layer is not None and len(layer)]
        if not layers:
            raise InvalidParameterError("no layer to cover")
        target = (
            pyproj.CRS.from_user_input(crs)
            if crs is not None
            else _crs.working_crs(
                gpd.GeoDataFrame(geometry=layers[0].geometry if hasattr(layers[0], "geometry") else layers[0])
            )
        )
        boxes = np.array([layer.to_crs(target).total_bounds for layer in layers])
        bounds = (
            boxes[:, 0].min() - margin,
            boxes[:, 1].min() - margin,
            boxes[:, 2].max() + margin,
            boxes[:, 3].max() + margin,
        )
        return cls.from_bounds(bounds, resolution, target)

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)``, numpy order."""
        return (self.height, self.width)

    @property
    def transform(self):
        """The affine transform (rasterio convention)."""
        from affine import Affine

        return Affine(self.resolution, 0.0, self.xmin, 0.0, -self.resolution, self.ymax)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(xmin, ymin, xmax, ymax)`` of the grid's outer edges."""
        return (
            self.xmin,
            self.ymax - self.height * self.resolution,
            self.xmin + self.width * self.resolution,
            self.ymax,
        )

    def cell_centers(self) -> tuple[np.ndarray, np.ndarray]:
        """1-D x coordinates of column centres and y coordinates of row centres."""
        xs = self.xmin + (np.arange(self.width) + 0.5) * self.resolution
        ys = self.ymax - (np.arange(self.height) + 0.5) * self.resolution
        return xs, ys


def _in_grid_crs(layer, grid: Grid) -> np.ndarray:
    """Geometries of a GeoDataFrame/GeoSeries/array projected to the grid CRS, as a shapely array."""
    if isinstance(layer, (gpd.GeoDataFrame, gpd.GeoSeries)):
        _crs.require_crs(layer)
        return np.asarray(
            layer.to_crs(grid.crs).geometry.array
            if isinstance(layer, gpd.GeoDataFrame)
            else layer.to_crs(grid.crs).array,
            dtype=object,
        )
    return np.asarray(layer, dtype=object)


# --- rasterisation -----------------------------------------------------------------------


def rasterize(
    layer,
    grid: Grid,
    values: Sequence[float] | float = 1,
    fill: float = 0,
    all_touched: bool = False,
    dtype: str = "float32",
) -> np.ndarray:
    """Burn geometries into an array on ``grid`` (rasterio.features.rasterize).

    Parameters
    ----------
    layer : GeoDataFrame, GeoSeries or array of shapely geometries (already in the grid CRS)
    values : float or sequence
        Burn value, one for all or one per geometry.
    all_touched : bool
        Burn every cell a geometry touches, not only cells whose centre it covers.
    """
    rasterio = _rasterio()
    geoms = _in_grid_crs(layer, grid)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if len(geoms) else np.zeros(0, bool)
    vals = np.broadcast_to(np.asarray(values, dtype=float), (len(geoms),))
    shapes = [(g, v) for g, v in zip(geoms[keep], vals[keep])]
    if not shapes:
        return np.full(grid.shape, fill, dtype=dtype)
    return rasterio.features.rasterize(
        shapes, out_shape=grid.shape, transform=grid.transform, fill=fill, all_touched=all_touched, dtype=dtype
    )


def mask(layer, grid: Grid, all_touched: bool = True) -> np.ndarray:
    """Boolean array: cells covered (or touched) by the geometries."""
    return rasterize(layer, grid, 1, 0, all_touched=all_touched, dtype="uint8").astype(bool)


# --- exact distance ----------------------------------------------------------------------


def segments_of(geoms: np.ndarray) -> np.ndarray:
    """``(n, 4)`` array of ``x0, y0, x1, y1`` for every straight segment of the geometries.

    Lines give their segments, polygons their rings' segments, points zero-length segments.
    """
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return np.empty((0, 4))
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    parts = shapely.get_parts(geoms)
    types = shapely.get_type_id(parts)
    polys = parts[types == 3]
    lines = list(parts[np.isin(types, (1, 2))])
    if len(polys):
        lines.extend(shapely.get_parts(shapely.boundary(polys)))
    out = []
    points = parts[types == 0]
    if len(points):
        xy = shapely.get_coordinates(points)
        out.append(np.hstack([xy, xy]))
    if lines:
        coords, index = shapely.get_coordinates(np.asarray(lines, dtype=object), return_index=True)
        coords = np.ascontiguousarray(coords)
        # rows (x_i, y_i, x_i+1, y_i+1) as a read-only view, then one copy of those within a part
        pairs = np.lib.stride_tricks.as_strided(
            coords, shape=(max(len(coords) - 1, 0), 4), strides=(coords.strides[0], coords.strides[1]), writeable=False
        )
        out.append(np.compress(index[1:] == index[:-1], pairs, axis=0))
    return np.vstack(out) if out else np.empty((0, 4))


def _point_segment_d2(px, py, seg) -> np.ndarray:
    """Squared distance from points to segments (broadcasting; seg columns x0, y0, x1, y1)."""
    x0, y0, x1, y1 = seg
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    safe = np.where(length2 > 0, length2, 1.0)
    t = np.clip(((px - x0) * dx + (py - y0) * dy) / safe, 0.0, 1.0)
    ex = px - (x0 + t * dx)
    ey = py - (y0 + t * dy)
    return ex * ex + ey * ey


def _box_segment_lower(bx0, by0, bx1, by1, seg) -> np.ndarray:
    """A lower bound of the distance between axis-aligned boxes and segments."""
    x0, y0, x1, y1 = seg
    sx0, sx1 = np.minimum(x0, x1), np.maximum(x0, x1)
    sy0, sy1 = np.minimum(y0, y1), np.maximum(y0, y1)
    gx = np.maximum(0.0, np.maximum(sx0 - bx1, bx0 - sx1))
    gy = np.maximum(0.0, np.maximum(sy0 - by1, by0 - sy1))
    bbox = np.hypot(gx, gy)
    cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
    half = np.hypot(bx1 - bx0, by1 - by0) / 2
    centre = np.sqrt(_point_segment_d2(cx, cy, seg)) - half
    return np.maximum(bbox, centre)


def _group_min(keys: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.inf)
    np.minimum.at(out, keys, values)
    return out


def _kernel():
    """The compiled kernel when numba is installed (the 'raster' extra), else None (numpy path)."""
    if os.environ.get("GEOZONES_NO_NUMBA") == "1":
        return None
    try:
        from geozones.analysis import _distance_kernel
    except ImportError:
        return None
    return _distance_kernel


def distance_raster(layer, grid: Grid, max_distance: float | None = None, leaf: int = 8) -> np.ndarray:
    """Exact Euclidean distance (m) from every cell centre to the nearest geometry.

    Parameters
    ----------
    layer : GeoDataFrame, GeoSeries or array of shapely geometries in the grid CRS
        Lines, points or polygons (polygons: distance to their boundary, 0 inside).
    grid : Grid
    max_distance : float, optional
        Cells farther than this get ``inf`` (faster on sparse layers).
    leaf : int
        Block size (cells) at which the search stops splitting (a power of two).

    Returns
    -------
    numpy.ndarray
        float64 ``(height, width)``; ``inf`` everywhere when the layer is empty.

    Notes
    -----
    The distance is to the vector geometry itself, not to a rasterisation of it: equal to
    brute force up to floating-point rounding (see the module docstring).
    """
    geoms = _in_grid_crs(layer, grid)
    seg = segments_of(geoms)
    kernel = _kernel()
    if len(seg) == 0:
        return np.full(grid.shape, np.inf)
    # without a limit the kernel writes every cell (no need to fill the array first)
    out = np.empty(grid.shape) if kernel is not None and max_distance is None else np.full(grid.shape, np.inf)
    res = grid.resolution
    # coordinates relative to the centre of the upper-left cell, in metres; rows grow southward
    seg = seg - np.array([grid.xmin + res / 2, grid.ymax - res / 2] * 2)
    seg[:, 1] *= -1
    seg[:, 3] *= -1
    seg_t = seg.T  # columns: x0, y0, x1, y1 with y = row * res
    if kernel is not None:
        kernel.distance_field(
            np.ascontiguousarray(seg),
            grid.height,
            grid.width,
            float(res),
            int(leaf),
            np.inf if max_distance is None else float(max_distance),
            out,
        )
        if max_distance is not None:  # the kernel fills far cells with a candidate's distance, not the nearest
            out[out > max_distance] = np.inf
        return out
    size = leaf
    while size < max(grid.width, grid.height):
        size *= 2
    # level 0: one block covering everything (row0, col0, size)
    blocks = np.array([[0, 0]], dtype=np.int64)
    pair_block = np.zeros(len(seg), dtype=np.int64)
    pair_seg = np.arange(len(seg))
    limit = np.inf if max_distance is None else float(max_distance)
    while True:
        # bounds of the cell centres in each block (clipped to the grid)
        r0, c0 = blocks[:, 0], blocks[:, 1]
        r1 = np.minimum(r0 + size, grid.height) - 1
        c1 = np.minimum(c0 + size, grid.width) - 1
        bx0, bx1, by0, by1 = c0 * res, c1 * res, r0 * res, r1 * res
        s = seg_t[:, pair_seg]
        b = pair_block
        corners = [(bx0[b], by0[b]), (bx1[b], by0[b]), (bx0[b], by1[b]), (bx1[b], by1[b])]
        upper = np.sqrt(np.max([_point_segment_d2(x, y, s) for x, y in corners], axis=0))
        lower = _box_segment_lower(bx0[b], by0[b], bx1[b], by1[b], s)
        bound = np.minimum(_group_min(b, upper, len(blocks)), limit)
        keep = lower <= bound[b] + 1e-9
        pair_block, pair_seg = pair_block[keep], pair_seg[keep]
        if size <= leaf:
            break
        # split every block with candidates into four children
        half = size // 2
        used = np.unique(pair_block)
        kids = []
        for dr, dc in ((0, 0), (0, half), (half, 0), (half, half)):
            kids.append(blocks[used] + np.array([dr, dc]))
        kids = np.vstack(kids)
        valid = (kids[:, 0] < grid.height) & (kids[:, 1] < grid.width)
        parent_pos = np.searchsorted(used, pair_block)  # index of each pair's block in `used`
        new_pb, new_ps = [], []
        n_used = len(used)
        kid_index = np.full(4 * n_used, -1)
        kid_index[valid] = np.arange(valid.sum())
        for k in range(4):
            idx = kid_index[k * n_used + parent_pos]
            ok = idx >= 0
            new_pb.append(idx[ok])
            new_ps.append(pair_seg[ok])
        blocks = kids[valid]
        pair_block = np.concatenate(new_pb)
        pair_seg = np.concatenate(new_ps)
        size = half
    _leaf_distances(out, blocks, size, pair_block, pair_seg, seg_t, grid, res)
    if max_distance is not None:
        out[out > max_distance] = np.inf
    return out


def _leaf_distances(out, blocks, size, pair_block, pair_seg, seg_t, grid, res) -> None:
    """Measure every cell centre of each leaf block against its candidate segments."""
    if len(pair_block) == 0:
        return
    order = np.argsort(pair_block, kind="stable")
    pair_block, pair_seg = pair_block[order], pair_seg[order]
    rr, cc = np.divmod(np.arange(size * size), size)
    chunk = max(1, 4_000_000 // (size * size))
    starts = np.flatnonzero(np.r_[True, pair_block[1:] != pair_block[:-1]])
    # process whole leaves in chunks of pairs
    bounds = np.r_[starts, len(pair_block)]
    i = 0
    n_leaves = len(starts)
    while i < n_leaves:
        j = i + 1
        while j < n_leaves and bounds[j + 1] - bounds[i] <= chunk:
            j += 1
        lo, hi = bounds[i], bounds[j]
        pb, ps = pair_block[lo:hi], pair_seg[lo:hi]
        rows = blocks[pb, 0][:, None] + rr[None, :]
        cols = blocks[pb, 1][:, None] + cc[None, :]
        d2 = _point_segment_d2(cols * res, rows * res, seg_t[:, ps][:, :, None])
        local = bounds[i:j] - lo
        best = np.minimum.reduceat(d2, local, axis=0)
        leaf_blocks = blocks[pair_block[bounds[i:j]]]
        r = leaf_blocks[:, 0][:, None] + rr[None, :]
        c = leaf_blocks[:, 1][:, None] + cc[None, :]
        inside = (r < grid.height) & (c < grid.width)
        out[r[inside], c[inside]] = np.sqrt(best[inside])
        i = j


def distance_brute_force(layer, grid: Grid, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Reference distances for sampled cells: every cell centre against every segment."""
    seg = segments_of(_in_grid_crs(layer, grid)).T
    xs, ys = grid.cell_centers()
    px, py = xs[np.asarray(cols)], ys[np.asarray(rows)]
    result = np.empty(len(px))
    for start in range(0, len(px), 256):
        stop = start + 256
        d2 = _point_segment_d2(px[start:stop, None], py[start:stop, None], seg[:, None, :])
        result[start:stop] = np.sqrt(d2.min(axis=1))
    return result


def fill_inside_polygons(distance: np.ndarray, layer, grid: Grid) -> np.ndarray:
    """Set cells whose centre lies inside the layer's polygons to 0 (distance to an area)."""
    geoms = _in_grid_crs(layer, grid)
    polys = geoms[np.isin(shapely.get_type_id(geoms), (3, 6))] if len(geoms) else geoms
    if len(polys):
        distance = distance.copy()
        distance[mask(polys, grid, all_touched=False)] = 0.0
    return distance


# --- slope ---------------------------------------------------------------------------------


def slope_degrees(dem: np.ndarray, resolution: float | tuple[float, float], nodata: float | None = None) -> np.ndarray:
    """Slope in degrees by Horn's (1981) 3 x 3 method (as ``gdaldem slope``).

    Edge cells and cells next to nodata are NaN. A plane ``z = a*x + b*y`` gives
    ``atan(hypot(a, b))`` exactly.
    """
    z = np.asarray(dem, dtype=float)
    if nodata is not None:
        z = np.where(z == nodata, np.nan, z)
    xres, yres = (resolution, resolution) if np.isscalar(resolution) else resolution
    out = np.full(z.shape, np.nan)
    if z.shape[0] < 3 or z.shape[1] < 3:
        return out
    a, b, c = z[:-2, :-2], z[:-2, 1:-1], z[:-2, 2:]
    d, f = z[1:-1, :-2], z[1:-1, 2:]
    g, h, i = z[2:, :-2], z[2:, 1:-1], z[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8 * xres)
    dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8 * yres)
    out[1:-1, 1:-1] = np.degrees(np.arctan(np.hypot(dzdx, dzdy)))
    return out


def read_raster(path: str | os.PathLike) -> tuple[np.ndarray, Grid, float | None]:
    """Read band 1 of a GeoTIFF: ``(array, grid, nodata)``. The raster must be north-up in a metric CRS."""
    rasterio = _rasterio()
    with rasterio.open(path) as src:
        if src.crs is None:
            raise CRSError(f"{path}: the raster has no CRS")
        t = src.transform
        if t.b != 0 or t.d != 0 or t.e >= 0:
            raise RasterError(f"{path}: only north-up rasters are supported")
        if abs(t.a + t.e) > 1e-9 * abs(t.a):
            raise RasterError(f"{path}: cells must be square (got {t.a} x {-t.e})")
        cells = src.width * src.height
        if cells > _limits.limit("GEOZONES_MAX_RASTER_CELLS"):  # the header's claim, before any pixel is read
            raise _limits.too_large(
                f"{Path(path).name} ({src.width:,} x {src.height:,} pixels)",
                cells,
                "GEOZONES_MAX_RASTER_CELLS",
                "cells",
            )
        crs = pyproj.CRS.from_user_input(src.crs.to_wkt())
        grid = Grid(t.c, t.f, t.a, src.width, src.height, crs)
        _crs.require_metric(gpd.GeoSeries([], crs=crs), f"raster {Path(path).name}")
        return src.read(1).astype(float), grid, src.nodata


def slope_from_dem(path: str | os.PathLike, grid: Grid | None = None) -> tuple[np.ndarray, Grid]:
    """Slope (degrees) of a user DEM GeoTIFF, resampled (bilinear) to ``grid`` if given."""
    dem, dem_grid, nodata = read_raster(path)
    slope = slope_degrees(dem, dem_grid.resolution, nodata)
    if grid is None or grid == dem_grid:
        return slope, dem_grid
    return resample(slope, dem_grid, grid), grid


def resample(array: np.ndarray, src: Grid, dst: Grid, method: str = "bilinear") -> np.ndarray:
    """Reproject/resample an array from one grid to another (rasterio.warp)."""
    rasterio = _rasterio()
    from rasterio.warp import Resampling, reproject

    out = np.full(dst.shape, np.nan)
    reproject(
        np.asarray(array, dtype=float),
        out,
        src_transform=src.transform,
        src_crs=src.crs.to_wkt(),
        dst_transform=dst.transform,
        dst_crs=dst.crs.to_wkt(),
        src_nodata=np.nan,
        dst_nodata=np.nan,
        resampling=getattr(Resampling, method),
    )
    del rasterio
    return out


# --- weighted overlay --------------------------------------------------------------------


def linear_score(values: np.ndarray, best: float, worst: float) -> np.ndarray:
    """Score 1 at ``best``, 0 at ``worst`` and beyond, linear in between (either direction)."""
    if best == worst:
        raise InvalidParameterError("best and worst must differ")
    score = (np.asarray(values, dtype=float) - worst) / (best - worst)
    return np.clip(score, 0.0, 1.0)


def weighted_overlay(
    scores: Mapping[str, np.ndarray], weights: Mapping[str, float], constraints: Sequence[np.ndarray] = ()
) -> np.ndarray:
    """Weighted sum of factor scores (weights normalised to sum 1); excluded cells are NaN.

    Parameters
    ----------
    scores : mapping name -> array in [0, 1]
    weights : mapping name -> non-negative weight (same names)
    constraints : boolean arrays, True where a cell is excluded
    """
    if set(scores) != set(weights):
        raise InvalidParameterError(f"scores ({sorted(scores)}) and weights ({sorted(weights)}) name different factors")
    total = float(sum(weights.values()))
    if total <= 0 or any(w < 0 for w in weights.values()):
        raise InvalidParameterError("weights must be non-negative and not all zero")
    shape = next(iter(scores.values())).shape
    result = np.zeros(shape)
    for name, score in scores.items():
        if score.shape != shape:
            raise InvalidParameterError(f"factor {name!r} has shape {score.shape}, expected {shape}")
        result += (weights[name] / total) * score
    for excluded in constraints:
        result[np.asarray(excluded, dtype=bool)] = np.nan
    return result


# --- zonal statistics --------------------------------------------------------------------


def zonal_stats(
    zones: gpd.GeoDataFrame,
    raster: np.ndarray | str | os.PathLike,
    grid: Grid | None = None,
    stats: Sequence[str] = ("mean", "min", "max", "count"),
    prefix: str = "",
) -> pd.DataFrame:
    """Statistics of a raster inside each zone with exactextract (fractional cell coverage).

    Parameters
    ----------
    zones : GeoDataFrame
    raster : array (with ``grid``) or a GeoTIFF path
    stats : exactextract operation names ("mean", "min", "max", "count", "sum", "stdev", ...)

    Returns
    -------
    pandas.DataFrame
        One column per statistic (``prefix + name``) on the zones' index.
    """
    try:
        from exactextract import exact_extract
    except ImportError as exc:  # pragma: no cover
        raise ImportError(_INSTALL_HINT) from exc
    if isinstance(raster, (str, os.PathLike)):
        array, grid, _ = read_raster(raster)
    else:
        if grid is None:
            raise InvalidParameterError("give the grid of the array")
        array = np.asarray(raster, dtype=float)
    rasterio = _rasterio()
    from rasterio.io import MemoryFile

    with MemoryFile() as memfile:
        with memfile.open(
            driver="GTiff",
            width=grid.width,
            height=grid.height,
            count=1,
            dtype="float64",
            crs=grid.crs.to_wkt(),
            transform=grid.transform,
            nodata=np.nan,
        ) as dst:
            dst.write(array.astype("float64"), 1)
        with memfile.open() as src:
            polys = zones.to_crs(grid.crs)[["geometry"]].reset_index(drop=True)
            polys["_row"] = np.arange(len(polys))
            result = exact_extract(src, polys, list(stats), include_cols=["_row"], output="pandas")
    del rasterio
    result = result.set_index("_row").reindex(np.arange(len(zones)))
    result.index = zones.index
    return result.rename(columns={s: f"{prefix}{s}" for s in stats})


# --- writing -------------------------------------------------------------------------------


def write_cog(
    array: np.ndarray, grid: Grid, path: str | os.PathLike, nodata: float | None = None, description: str | None = None
) -> Path:
    """Write a single-band Cloud-Optimized GeoTIFF (GDAL's COG driver, DEFLATE, overviews)."""
    _rasterio()  # a clear error when the raster extra is missing
    import rasterio.shutil

    path = Path(path)
    array = np.asarray(array)
    if array.dtype == bool:
        array = array.astype("uint8")
    if array.dtype.kind == "f":
        array = array.astype("float32")
        nodata = np.nan if nodata is None else nodata
        array = np.where(np.isinf(array), np.float32(np.nan) if np.isnan(nodata) else nodata, array)
    path.parent.mkdir(parents=True, exist_ok=True)
    from rasterio.io import MemoryFile

    profile = {
        "driver": "GTiff",
        "width": grid.width,
        "height": grid.height,
        "count": 1,
        "dtype": array.dtype.name,
        "crs": grid.crs.to_wkt(),
        "transform": grid.transform,
        "nodata": nodata,
    }
    with MemoryFile() as memfile:
        with memfile.open(**profile) as tmp:
            tmp.write(array, 1)
            if description:
                tmp.set_band_description(1, description)
        with memfile.open() as src:
            rasterio.shutil.copy(src, path, driver="COG", COMPRESS="DEFLATE", OVERVIEWS="AUTO", BLOCKSIZE=256)
    return path


# --- demo: suitability from the shipped vector layers ---------------------------------------


def suitability_from_layers(
    zones: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    power: gpd.GeoDataFrame,
    resolution: float = 50.0,
    margin: float = 10_000.0,
    crs=None,
    weights: Mapping[str, float] | None = None,
    road_worst_m: float = 10_000.0,
    grid_worst_m: float = 20_000.0,
) -> dict:
    """Distance-to-road, distance-to-grid and a weighted suitability raster around the zones.

    Factors: ``road`` scores 1 on a national highway falling linearly to 0 at ``road_worst_m``;
    ``grid`` scores 1 at a substation or power line falling to 0 at ``grid_worst_m``. Existing
    zones are excluded (NaN). The default weights (0.5 each) and distances are example settings,
    not published criteria: set your own.

    Returns
    -------
    dict
        ``grid``, ``dist_road_m``, ``dist_grid_m``, ``suitability`` arrays and ``zonal`` (mean
        suitability and distances per zone, exactextract).
    """
    target = pyproj.CRS.from_user_input(crs) if crs is not None else _crs.working_crs(zones)
    placed = zones[~(zones.geometry.isna() | zones.geometry.is_empty)]
    grid = Grid.covering([placed], resolution, margin=margin, crs=target)
    highways = roads[roads["class"].eq("national_highway")] if "class" in roads.columns else roads
    dist_road = distance_raster(highways, grid)
    dist_grid = distance_raster(power, grid)
    weights = dict(weights or {"road": 0.5, "grid": 0.5})
    scores = {"road": linear_score(dist_road, 0.0, road_worst_m), "grid": linear_score(dist_grid, 0.0, grid_worst_m)}
    suitability = weighted_overlay(scores, weights, constraints=[mask(placed, grid, all_touched=False)])
    zonal = pd.concat(
        [
            zonal_stats(
                placed, suitability_without_mask(scores, weights), grid, stats=("mean",), prefix="suitability_"
            ),
            zonal_stats(placed, dist_road, grid, stats=("mean",), prefix="dist_road_m_"),
            zonal_stats(placed, dist_grid, grid, stats=("mean",), prefix="dist_grid_m_"),
        ],
        axis=1,
    )
    return {
        "grid": grid,
        "dist_road_m": dist_road,
        "dist_grid_m": dist_grid,
        "suitability": suitability,
        "zonal": zonal,
    }


def suitability_without_mask(scores: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """The weighted overlay with no constraint (what the zones themselves score)."""
    return weighted_overlay(scores, weights)
