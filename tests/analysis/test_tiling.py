"""Tiled rasters and partitioned zonal statistics: equal to the whole-grid functions and to brute force."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from tests.helpers.tools import require_tool

try:  # the 'scale' and 'raster' extras; missing installs skip, or fail under GEOZONES_REQUIRE_ALL=1
    import rasterio
    from dask.distributed import Client, LocalCluster
except ImportError:  # pragma: no cover
    Client = None

CRS = pyproj.CRS.from_epsg(9213)
X0, Y0 = 420_000.0, 2_420_000.0  # upper-left corner


@pytest.fixture(scope="module")
def client():
    if Client is None:  # pragma: no cover
        require_tool("dask[distributed] and rasterio (pip install 'geozones[scale,raster]')")
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster,
        Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def mods():
    if Client is None:  # pragma: no cover
        require_tool("dask[distributed] and rasterio (pip install 'geozones[scale,raster]')")
    from geozones.analysis import raster, tiling

    return raster, tiling


def _roads(seed=4, n=40):
    """Roads only in the north-east corner: tiles in the south-west must grow their halo far."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(X0 + 9_000, X0 + 15_000, n)
    y = rng.uniform(Y0 - 5_000, Y0, n)
    a = rng.uniform(0, 2 * np.pi, n)
    lines = shapely.linestrings(
        np.stack([np.stack([x, y], 1), np.stack([x + 800 * np.cos(a), y + 800 * np.sin(a)], 1)], 1)
    )
    return gpd.GeoDataFrame({"id": [f"r{i}" for i in range(n)]}, geometry=lines, crs=CRS)


def _read(path):
    with rasterio.open(path) as src:
        return src.read(1).astype(float), src


def test_tiled_distance_equals_whole_grid_and_brute_force(tmp_path, mods, client):
    raster, tiling = mods
    grid = raster.Grid(X0, Y0, 50.0, 301, 263, CRS)  # 15 x 13 km, tiles of 64 cells: ragged edges
    roads = _roads()
    whole = raster.distance_raster(roads, grid)
    vrt = tiling.distance_tiles(roads, grid, tmp_path / "dist.vrt", tile=64)  # in this process
    got, src = _read(vrt)
    assert got.shape == grid.shape and src.crs.to_epsg() == 9213
    np.testing.assert_allclose(got, whole.astype("float32"), rtol=1e-6, atol=1e-3)
    assert len(list((tmp_path / "dist_tiles").glob("*.tif"))) == 5 * 5
    # independent check: every cell centre against every segment, on a sample including the far corner
    rng = np.random.default_rng(1)
    rows, cols = rng.integers(0, grid.height, 300), rng.integers(0, grid.width, 300)
    rows[0], cols[0] = grid.height - 1, 0
    brute = raster.distance_brute_force(roads, grid, rows, cols)
    np.testing.assert_allclose(got[rows, cols], brute, rtol=1e-6)
    cog = tiling.distance_tiles(roads, grid, tmp_path / "dist.tif", tile=64, engine=client)
    again, src = _read(cog)
    np.testing.assert_array_equal(again, got)
    with rasterio.open(cog) as src:
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert src.profile["tiled"] and src.overviews(1)


def test_max_distance_leaves_far_cells_empty(tmp_path, mods, client):
    raster, tiling = mods
    grid = raster.Grid(X0, Y0, 100.0, 150, 120, CRS)
    roads = _roads(seed=9)
    whole = raster.distance_raster(roads, grid)
    got, _ = _read(tiling.distance_tiles(roads, grid, tmp_path / "d.tif", tile=32, max_distance=2_000.0, engine=client))
    near = whole <= 2_000.0
    assert 0 < near.sum() < near.size
    np.testing.assert_allclose(got[near], whole[near], rtol=1e-6)
    assert np.isnan(got[~near]).all()


def test_tiled_suitability_equals_the_whole_overlay(tmp_path, mods, client):
    raster, tiling = mods
    grid = raster.Grid(X0, Y0, 100.0, 150, 110, CRS)
    roads = _roads(seed=2)
    rng = np.random.default_rng(8)
    px, py = rng.uniform(X0, X0 + 15_000, 12), rng.uniform(Y0 - 11_000, Y0, 12)
    power = gpd.GeoDataFrame(geometry=shapely.points(px, py), crs=CRS)
    zones = gpd.GeoDataFrame(geometry=[shapely.box(X0 + 2_000, Y0 - 6_000, X0 + 4_500, Y0 - 3_000)], crs=CRS)
    whole = raster.weighted_overlay(
        {
            "road": raster.linear_score(raster.distance_raster(roads, grid), 0.0, 5_000.0),
            "grid": raster.linear_score(raster.distance_raster(power, grid), 0.0, 8_000.0),
        },
        {"road": 0.6, "grid": 0.4},
        constraints=[raster.mask(zones, grid, all_touched=False)],
    )
    out = tiling.suitability_tiles(
        {"road": (roads, 0.0, 5_000.0), "grid": (power, 0.0, 8_000.0)},
        {"road": 0.6, "grid": 0.4},
        grid,
        tmp_path / "suit.vrt",
        exclude=zones,
        tile=40,
        engine=client,
    )
    got, _ = _read(out)
    assert np.isnan(got).sum() == np.isnan(whole).sum() > 0
    np.testing.assert_allclose(got, whole, rtol=1e-5, atol=1e-6, equal_nan=True)


def test_zonal_stats_by_partition_equal_whole_raster(tmp_path, mods, client):
    raster, tiling = mods
    grid = raster.Grid(X0, Y0, 20.0, 400, 300, CRS)
    xs, ys = grid.cell_centers()
    dem = (xs[None, :] - X0) * 0.01 + (Y0 - ys[:, None]) * 0.02  # a plane: exact means are easy to check
    path = raster.write_cog(dem, grid, tmp_path / "dem.tif")
    rng = np.random.default_rng(5)
    cx, cy = rng.uniform(X0 + 200, X0 + 7_500, 120), rng.uniform(Y0 - 5_800, Y0 - 200, 120)
    zones = gpd.GeoDataFrame(
        {"id": [f"z{i}" for i in range(120)]},
        geometry=shapely.box(cx - 90, cy - 60, cx + 90, cy + 60),
        crs=CRS,
        index=[f"z{i}" for i in range(120)],
    )
    expected = raster.zonal_stats(zones, path, stats=("mean", "min", "max", "count"))
    got = tiling.zonal_stats_partitioned(zones, path, engine=client, npartitions=7)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-6)
    local = tiling.zonal_stats_partitioned(zones, path, npartitions=3)
    pd.testing.assert_frame_equal(local, expected, check_exact=False, rtol=1e-6)
    # the mean of a plane over an axis-aligned box is the plane at the box centre (cell-aligned here: 0.5 % slack)
    centre = (cx - X0) * 0.01 + (Y0 - cy) * 0.02
    np.testing.assert_allclose(got["mean"].to_numpy(), centre, rtol=5e-3)


def test_whole_grid_distance_raster_leaves_cells_beyond_max_distance_infinite(mods):
    """Cells farther than ``max_distance`` are ``inf`` (the compiled kernel used to leave a candidate's distance)."""
    raster, _ = mods
    grid = raster.Grid(X0, Y0, 50.0, 301, 263, CRS)
    roads = _roads()
    whole = raster.distance_raster(roads, grid)
    capped = raster.distance_raster(roads, grid, max_distance=1_000.0)
    near = whole <= 1_000.0
    assert 0 < near.sum() < near.size
    np.testing.assert_array_equal(capped[near], whole[near])
    assert np.isinf(capped[~near]).all()


def test_engine_dask_starts_its_own_cluster_and_rejects_unknown_engines(tmp_path, mods):
    from geozones.errors import InvalidParameterError

    raster, tiling = mods
    grid = raster.Grid(X0, Y0, 200.0, 60, 50, CRS)
    roads = _roads(seed=3)
    with pytest.raises(InvalidParameterError, match="engine"):
        tiling.distance_tiles(roads, grid, tmp_path / "x.tif", engine="spark")
    assert Client is not None
    got, _ = _read(tiling.distance_tiles(roads, grid, tmp_path / "d.vrt", tile=16, engine="dask"))
    np.testing.assert_allclose(got, raster.distance_raster(roads, grid), rtol=1e-6)
