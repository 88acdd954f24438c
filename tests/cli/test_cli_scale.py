"""``geozones scale``: the same commands in this process and on a running Dask scheduler (tcp://)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from tests.helpers.tools import require_tool

try:  # the 'scale' extra; a missing install skips, or fails under GEOZONES_REQUIRE_ALL=1
    from dask.distributed import LocalCluster
except ImportError:  # pragma: no cover
    LocalCluster = None

runner = CliRunner()
CRS = 9213


@pytest.fixture(scope="module")
def scheduler():
    """A running scheduler reachable over TCP, like an existing cluster's."""
    if LocalCluster is None:  # pragma: no cover
        require_tool("dask[distributed] (pip install 'geozones[scale]')")
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", dashboard_address=":0", host="127.0.0.1"
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def layers(tmp_path_factory):
    from geozones.io import to_file
    from geozones.io.geoparquet import write_geoparquet

    folder = tmp_path_factory.mktemp("scale")
    rng = np.random.default_rng(17)
    x, y = rng.uniform(420_000, 440_000, 3000), rng.uniform(2_400_000, 2_420_000, 3000)
    parcels = gpd.GeoDataFrame({"pid": np.arange(3000)}, geometry=shapely.box(x, y, x + 40, y + 40), crs=CRS)
    rx, ry = rng.uniform(420_000, 440_000, 200), rng.uniform(2_400_000, 2_420_000, 200)
    roads = gpd.GeoDataFrame(
        {"id": [f"r{i}" for i in range(200)], "name": [f"road {i}" for i in range(200)]},
        geometry=shapely.linestrings(np.stack([np.stack([rx, ry], 1), np.stack([rx + 700, ry + 300], 1)], 1)),
        crs=CRS,
    )
    write_geoparquet(parcels, folder / "parcels", partition_rows=700)
    to_file(roads, folder / "roads.gpkg", layer="roads")
    return folder, parcels, roads


def _app():
    from geozones.cli import app

    return app


def test_nearest_on_an_existing_scheduler_equals_the_local_engine(tmp_path, layers, scheduler):
    from geozones.analysis.proximity import nearest
    from geozones.io.geoparquet import read_geoparquet

    folder, parcels, roads = layers
    result = runner.invoke(
        _app(),
        [
            "scale",
            "nearest",
            str(folder / "parcels"),
            str(folder / "roads.gpkg"),
            "--out",
            str(tmp_path / "out"),
            "--engine",
            "dask",
            "--scheduler",
            scheduler,
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"Dask: 2 workers at {scheduler}" in result.output and "dashboard http" in result.output
    assert "peak memory per worker process (GiB)" in result.output
    got = read_geoparquet(tmp_path / "out").set_index("pid").sort_index()
    assert len(list((tmp_path / "out").glob("*.parquet"))) == 5  # one output part per input part
    expected = nearest(parcels, roads)
    np.testing.assert_array_equal(got["nearest_distance_m"].to_numpy(), expected["distance_m"].to_numpy())
    assert list(got["nearest_feature_id"]) == list(expected["feature_id"])
    local = runner.invoke(
        _app(),
        [
            "scale",
            "nearest",
            str(folder / "parcels"),
            str(folder / "roads.gpkg"),
            "--out",
            str(tmp_path / "local.gpkg"),
        ],
    )
    assert local.exit_code == 0, local.output
    back = gpd.read_file(tmp_path / "local.gpkg").set_index("pid").sort_index()
    np.testing.assert_allclose(back["nearest_distance_m"].to_numpy(), expected["distance_m"].to_numpy())


def test_distance_raster_command(tmp_path, layers, scheduler):
    import rasterio

    from geozones.analysis.raster import Grid, distance_raster

    folder, _, roads = layers
    args = [
        "scale",
        "distance-raster",
        str(folder / "roads.gpkg"),
        "--resolution",
        "250",
        "--margin",
        "1000",
        "--tile",
        "32",
    ]
    result = runner.invoke(
        _app(), [*args, "--out", str(tmp_path / "d.tif"), "--engine", "dask", "--scheduler", scheduler]
    )
    assert result.exit_code == 0, result.output
    xmin, ymin, xmax, ymax = roads.total_bounds
    grid = Grid.from_bounds((xmin - 1000, ymin - 1000, xmax + 1000, ymax + 1000), 250.0, roads.crs)
    with rasterio.open(tmp_path / "d.tif") as src:
        assert (src.width, src.height) == (grid.width, grid.height)
        np.testing.assert_allclose(src.read(1), distance_raster(roads, grid), rtol=1e-6)
    bad = runner.invoke(_app(), [*args, "--out", str(tmp_path / "d.tif"), "--bounds", "1,2,3"])
    assert bad.exit_code == 2 and "--bounds" in bad.output


def test_store_layers_go_to_geoparquet_and_back(tmp_path, store):
    from geozones.cli import app

    base = ["--store", str(store.path), "scale"]
    out = tmp_path / "roads.parquet"
    assert runner.invoke(app, [*base, "export", "infrastructure_roads", str(out)]).exit_code == 0
    result = runner.invoke(app, [*base, "import", str(out), "roads_copy"])
    assert result.exit_code == 0, result.output
    original, copy = store.layer("infrastructure_roads"), store.layer("roads_copy")
    assert len(copy) == len(original) and f"imported {len(original):,} rows" in result.output
    pd.testing.assert_series_equal(
        copy.sort_values("id")["id"].reset_index(drop=True), original.sort_values("id")["id"].reset_index(drop=True)
    )
    missing = runner.invoke(app, [*base, "import", str(tmp_path / "nothing.parquet"), "x"])
    assert missing.exit_code == 2
