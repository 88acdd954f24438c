"""Raster suitability: exact distances, Horn slope, weighted overlay, exactextract zonal stats, COGs."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from tests.helpers.tools import require_module

require_module("rasterio")
require_module("exactextract")

from geozones.analysis import raster
from geozones.analysis.raster import Grid
from geozones.errors import CRSError

CRS = pyproj.CRS.from_epsg(9213)
X0, Y0 = 500_000.0, 2_430_000.0


def random_lines(rng, n, extent, vertices=30):
    lines = []
    for _ in range(n):
        start = rng.uniform(0, extent, 2)
        steps = rng.normal(0, extent / 40, (vertices, 2)).cumsum(axis=0)
        lines.append(shapely.LineString(np.c_[X0 + start[0] + steps[:, 0], Y0 - start[1] + steps[:, 1]]))
    return np.array(lines, dtype=object)


def test_distance_to_a_straight_road_equals_hand_values():
    grid = Grid(X0, Y0, 10.0, 7, 5, CRS)
    road = np.array([shapely.LineString([(X0, Y0 - 20), (X0 + 70, Y0 - 20)])], dtype=object)
    dist = raster.distance_raster(road, grid)
    # cell centres of rows 0..4 lie 5, 15, 25, 35, 45 m south of the grid top; the road is at 20 m
    np.testing.assert_allclose(dist[:, 3], [15, 5, 5, 15, 25], atol=1e-9)
    point = np.array([shapely.Point(X0 + 5, Y0 - 5)], dtype=object)
    assert raster.distance_raster(point, grid)[4, 6] == pytest.approx(math.hypot(60, 40), abs=1e-9)


@pytest.mark.parametrize("use_numba", [True, False])
def test_distance_raster_matches_brute_force(use_numba, monkeypatch):
    if use_numba:
        require_module("numba")
    else:
        monkeypatch.setenv("GEOZONES_NO_NUMBA", "1")
    rng = np.random.default_rng(7)
    grid = Grid(X0, Y0, 25.0, 173, 131, CRS)  # not a power of two on purpose
    lines = random_lines(rng, 12, 173 * 25)
    dist = raster.distance_raster(lines, grid)
    rows, cols = np.divmod(np.arange(grid.width * grid.height), grid.width)
    exact = raster.distance_brute_force(lines, grid, rows, cols).reshape(grid.shape)
    assert np.abs(dist - exact).max() < 1e-6


def _shapely_distances(lines, grid: Grid) -> np.ndarray:
    """Independent reference: shapely's (GEOS) point-to-line distance from every cell centre, min over lines."""
    xs, ys = grid.cell_centers()
    xx, yy = np.meshgrid(xs, ys)
    points = shapely.points(xx.ravel(), yy.ravel())
    best = np.full(points.shape, np.inf)
    for line in lines:
        best = np.minimum(best, shapely.distance(points, line))
    return best.reshape(grid.shape)


@pytest.mark.parametrize("use_numba", [True, False])
def test_distance_to_several_separate_lines_matches_shapely(use_numba, monkeypatch):
    """Several lines far apart (separate clusters, parallel, crossing the grid edge, one outside it): every
    cell's distance equals shapely's, computed without the code under test."""
    if use_numba:
        require_module("numba")
    else:
        monkeypatch.setenv("GEOZONES_NO_NUMBA", "1")
    grid = Grid(X0, Y0, 20.0, 150, 110, CRS)
    lines = np.array(
        [
            shapely.LineString([(X0 + 100, Y0 - 100), (X0 + 400, Y0 - 150)]),
            shapely.LineString([(X0 + 2600, Y0 - 1900), (X0 + 2900, Y0 - 2100), (X0 + 2950, Y0 - 1800)]),
            shapely.LineString([(X0 + 1500, Y0 - 50), (X0 + 1500, Y0 - 700)]),
            shapely.LineString([(X0 + 1540, Y0 - 50), (X0 + 1540, Y0 - 700)]),
            shapely.LineString([(X0 - 500, Y0 - 1200), (X0 + 200, Y0 - 1250)]),  # starts outside the grid
            shapely.LineString([(X0 + 4000, Y0 + 300), (X0 + 4200, Y0 + 500)]),  # wholly outside, north-east
        ],
        dtype=object,
    )
    dist = raster.distance_raster(lines, grid)
    np.testing.assert_allclose(dist, _shapely_distances(lines, grid), rtol=0, atol=1e-6)
    # each line alone is nearest somewhere (so a kernel that kept only one line would be caught)
    alone = np.stack([_shapely_distances(lines[[i]], grid) for i in range(len(lines) - 1)])
    assert set(np.unique(alone.argmin(axis=0))) == set(range(len(lines) - 1))


def _dense_network(rng) -> np.ndarray:
    """Smooth roads of cell-length segments (the case the pruning rules are for): random curves, a
    circle whose inside has Voronoi strips converging on its centre, a line crossing the grid edge
    and a road wholly outside the grid."""
    lines = []
    for _ in range(8):
        x, y = rng.uniform(0, 9000, 2)
        angle = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.05, 250))
        lines.append(
            shapely.LineString(np.c_[X0 + x + np.cumsum(30 * np.cos(angle)), Y0 - y + np.cumsum(30 * np.sin(angle))])
        )
    theta = np.linspace(0, 2 * np.pi, 400)
    lines.append(shapely.LineString(np.c_[X0 + 4500 + 1800 * np.cos(theta), Y0 - 4000 + 1800 * np.sin(theta)]))
    lines.append(shapely.LineString([(X0 - 3000, Y0 - 6000), (X0 + 2000, Y0 - 7000)]))
    lines.append(shapely.LineString([(X0 + 12000, Y0 + 2000), (X0 + 14000, Y0 + 2500)]))
    return np.array(lines, dtype=object)


@pytest.mark.parametrize("max_distance", [None, 700.0])
def test_dense_network_over_many_tiles_matches_brute_force_in_every_cell(max_distance):
    """The compiled kernel's tile start (ring searches over buckets) and its dominance rule on a dense
    network: every cell equals the brute force (every cell against every segment), within `max_distance`
    too. A pruning rule that dropped a segment nearest somewhere, even in a thin Voronoi strip inside the
    circle, would show here."""
    require_module("numba")
    rng = np.random.default_rng(3)
    grid = Grid(X0, Y0, 30.0, 301, 267, CRS)  # 5 x 5 tiles of 64 cells, ragged at the edges
    lines = _dense_network(rng)
    assert len(raster.segments_of(lines)) > 2000
    dist = raster.distance_raster(lines, grid, max_distance=max_distance)
    rows, cols = np.divmod(np.arange(grid.width * grid.height), grid.width)
    exact = raster.distance_brute_force(lines, grid, rows, cols).reshape(grid.shape)
    if max_distance is not None:
        exact[exact > max_distance] = np.inf
        assert np.isinf(exact).any() and np.isfinite(exact).any()
        np.testing.assert_array_equal(np.isinf(dist), np.isinf(exact))
        dist, exact = dist[np.isfinite(exact)], exact[np.isfinite(exact)]
    assert np.abs(dist - exact).max() < 1e-6


def test_distance_raster_takes_geodataframes_in_any_crs():
    grid = Grid(X0, Y0, 50.0, 20, 20, CRS)
    road = gpd.GeoSeries([shapely.LineString([(X0, Y0 - 500), (X0 + 1000, Y0 - 500)])], crs=CRS).to_crs(4326)
    dist = raster.distance_raster(gpd.GeoDataFrame(geometry=road), grid)
    assert dist[9, 5] == pytest.approx(25.0, abs=1e-3)  # reprojection round trip only


def test_horn_slope_of_a_plane_is_exact(tmp_path):
    a, b, res = 0.12, -0.05, 30.0
    xs = np.arange(40) * res
    ys = np.arange(30) * res
    dem = a * xs[None, :] + b * ys[:, None]
    slope = raster.slope_degrees(dem, res)
    expected = math.degrees(math.atan(math.hypot(a, b)))
    np.testing.assert_allclose(slope[1:-1, 1:-1], expected, atol=1e-9)
    assert np.isnan(slope[0]).all() and np.isnan(slope[:, -1]).all()
    grid = Grid(X0, Y0, res, 40, 30, CRS)
    path = raster.write_cog(dem, grid, tmp_path / "dem.tif")
    from_file, file_grid = raster.slope_from_dem(path)
    np.testing.assert_allclose(from_file[1:-1, 1:-1], expected, atol=1e-4)  # float32 storage
    assert file_grid == grid


def test_weighted_overlay_on_a_hand_made_grid():
    road = np.array([[1.0, 0.5], [0.0, 1.0]])
    grid_score = np.array([[0.0, 1.0], [1.0, 0.5]])
    slope = np.array([[1.0, 1.0], [0.0, 0.0]])
    excluded = np.array([[False, False], [False, True]])
    result = raster.weighted_overlay(
        {"road": road, "grid": grid_score, "slope": slope}, {"road": 2, "grid": 1, "slope": 1}, constraints=[excluded]
    )
    # by hand: (2*road + grid + slope) / 4
    np.testing.assert_allclose(result[0], [0.75, 0.75])
    assert result[1, 0] == pytest.approx(0.25)
    assert np.isnan(result[1, 1])
    np.testing.assert_allclose(raster.linear_score(np.array([0, 500, 1000, 2000]), 0, 1000), [1, 0.5, 0, 0])
    with pytest.raises(ValueError):
        raster.weighted_overlay({"a": road}, {"b": 1})


def test_zonal_means_on_a_known_dem_are_exact():
    res = 10.0
    grid = Grid(X0, Y0, res, 50, 40, CRS)
    xs, ys = grid.cell_centers()
    a, b, c = 0.3, 0.2, 100.0
    dem = a * (xs[None, :] - X0) + b * (ys[:, None] - Y0) + c
    # a rectangle on cell edges: the mean of a linear surface is its value at the centroid
    rect = shapely.box(X0 + 50, Y0 - 250, X0 + 180, Y0 - 100)
    # half of column 0 plus the whole of column 1 in the top row: values by hand
    sliver = shapely.box(X0 + 5, Y0 - 10, X0 + 20, Y0)
    zones = gpd.GeoDataFrame({"id": ["rect", "sliver"]}, geometry=[rect, sliver], crs=CRS, index=[10, 20])
    stats = raster.zonal_stats(zones, dem, grid, stats=("mean", "count"))
    centroid = rect.centroid
    assert stats.loc[10, "mean"] == pytest.approx(a * (centroid.x - X0) + b * (centroid.y - Y0) + c, abs=1e-9)
    assert stats.loc[10, "count"] == pytest.approx(13 * 15)
    v0, v1 = dem[0, 0], dem[0, 1]
    assert stats.loc[20, "mean"] == pytest.approx((0.5 * v0 + 1.0 * v1) / 1.5, abs=1e-9)
    assert list(stats.index) == [10, 20]


def test_cog_opens_as_a_cloud_optimized_geotiff(tmp_path):
    import rasterio

    grid = Grid(X0, Y0, 10.0, 600, 500, CRS)
    data = np.arange(600 * 500, dtype="float64").reshape(500, 600)
    data[0, 0] = np.inf
    path = raster.write_cog(data, grid, tmp_path / "dist.tif", description="distance to road (m)")
    with rasterio.open(path) as src:
        assert src.driver == "GTiff"
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert src.overviews(1)
        assert src.crs.to_epsg() == 9213
        assert src.transform == grid.transform
        band = src.read(1)
        assert np.isnan(band[0, 0]) and band[1, 1] == data[1, 1]


def test_grid_needs_a_metric_crs_and_sensible_size():
    with pytest.raises(CRSError):
        Grid(0, 0, 1, 1, 1, pyproj.CRS.from_epsg(4326))
    with pytest.raises(ValueError):
        Grid(0, 0, -1, 1, 1, CRS)
    grid = Grid.from_bounds((X0 + 3, Y0 - 97, X0 + 98, Y0 - 2), 10, CRS)
    assert grid.xmin <= X0 + 3 and grid.bounds[2] >= X0 + 98 and grid.shape == (10, 10)


def test_raster_benchmark_asserts_same_answers_at_smoke_size():
    """benchmarks/raster_distance.py at a tiny size: runs, and its brute-force check is an assertion."""
    import importlib.util
    import subprocess

    from tests.helpers.tools import ROOT, require_tool

    python = require_tool("python3-gdal", "/usr/bin/python3")
    if subprocess.run([python, "-c", "from osgeo import gdal"], capture_output=True).returncode != 0:
        require_tool("python3-gdal (osgeo bindings)", "/nonexistent")
    spec = importlib.util.spec_from_file_location("bench_raster", ROOT / "benchmarks" / "raster_distance.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    roads = bench.synthetic_roads(20_000, 420_000, 2_480_000, lines=3, vertices=20)
    row = bench.bench("smoke", roads, 60, 1, 100, python)
    assert row["geozones_max_error_m"] < 1e-6
    broken = np.array([shapely.affinity.translate(line, 500) for line in roads], dtype=object)
    original = bench.run_geozones
    bench.run_geozones = lambda r, grid, repeat: original(broken, grid, repeat)  # a wrong answer must fail
    with pytest.raises(AssertionError, match="differ from the brute force"):
        bench.bench("smoke", roads, 60, 1, 100, python)
