"""Local limits on hostile files and servers (issue 20, item 6): each a clear error, exit code 2 or 4, the
store unchanged. The hostile inputs are real formats made here (tests/helpers/hostile.py)."""

from __future__ import annotations

import json
import time
import tracemalloc
import zipfile

import pytest
from typer.testing import CliRunner

from geozones.cli import app
from geozones.errors import FetchHTTPError, InputTooLargeError, ResponseTooLargeError
from geozones.io import fetch, layer_warnings, read_layer
from tests.helpers.fetchdata import OVERPASS, local_settings
from tests.helpers.hostile import (
    RedirectServer,
    SlowServer,
    huge_row_group_parquet,
    huge_tiff,
    zip_bomb_shapefile,
)
from tests.helpers.rangeserver import RangeServer

BOX = "106.7,21.8,106.8,21.9"  # in the 1° tile N21 E106 (Lạng Sơn)


def _cli(store, *args):
    return CliRunner().invoke(app, ["--store", str(store.path), *args])


# --- sidecars -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    return zip_bomb_shapefile(tmp_path_factory.mktemp("bomb"))


def test_zip_bomb_prj_is_refused_from_its_declared_size(bomb):
    assert bomb.stat().st_size < 1 * 2**20  # about 400 KiB on disk
    with zipfile.ZipFile(bomb) as z:
        assert z.getinfo("zones.prj").file_size > 400 * 2**20
    tracemalloc.start()
    try:
        with pytest.raises(
            InputTooLargeError, match=r"zones\.prj \(declared uncompressed size\).*GEOZONES_MAX_SIDECAR"
        ):
            read_layer(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20  # nothing near the 400 MiB was inflated


def test_zip_bomb_import_exits_2_and_leaves_the_store(store, bomb):
    before = store.path.read_bytes()
    result = _cli(store, "store", "import", str(bomb))
    assert result.exit_code == 2, result.output
    assert "zones.prj" in result.output and "GEOZONES_MAX_SIDECAR_BYTES" in result.output
    assert "Traceback" not in result.output
    assert store.path.read_bytes() == before
    checked = CliRunner().invoke(app, ["validate", str(bomb)])
    assert checked.exit_code == 2 and "zones.prj" in checked.output
    with pytest.raises(InputTooLargeError):
        layer_warnings(bomb)  # GDAL never opens it either


def test_sidecars_beside_a_shp_and_inside_a_zip_are_read_at_most_to_their_limit(tmp_path, monkeypatch):
    from geozones.io import to_file
    from tests.helpers.zonefactory import bac_kan_squares

    zones = bac_kan_squares(sides_m=(1000.0, 500.0))
    zones["location_basis"] = ["x" * 3000, "y" * 3000]  # long text: a .longtext.csv sidecar
    with pytest.warns(UserWarning):
        shp = to_file(zones, tmp_path / "z.shp")
    assert read_layer(shp)["location_basis"].tolist() == zones["location_basis"].tolist()
    monkeypatch.setenv("GEOZONES_MAX_LONGTEXT_BYTES", "1000")
    with pytest.raises(InputTooLargeError, match=r"z\.longtext\.csv.*GEOZONES_MAX_LONGTEXT_BYTES"):
        read_layer(shp)
    archive = tmp_path / "z.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in tmp_path.glob("z.*"):
            if part.suffix != ".zip":
                z.write(part, part.name)
    with pytest.raises(InputTooLargeError, match="longtext"):
        read_layer(archive)
    monkeypatch.setenv("GEOZONES_MAX_LONGTEXT_BYTES", "100000")
    monkeypatch.setenv("GEOZONES_MAX_SIDECAR_BYTES", "64")  # the .prj of VN-2000 TM-3 is longer
    with pytest.raises(InputTooLargeError, match=r"z\.prj"):
        read_layer(shp)


# --- GeoParquet -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def huge_group(tmp_path_factory):
    return huge_row_group_parquet(tmp_path_factory.mktemp("pq") / "huge.parquet")


def test_geoparquet_with_a_3_million_row_group_is_refused_from_its_footer(huge_group):
    import pyarrow.parquet as pq

    assert huge_group.stat().st_size < 2**20
    assert pq.ParquetFile(huge_group).metadata.row_group(0).num_rows == 3_000_000
    started = time.monotonic()
    with pytest.raises(InputTooLargeError, match=r"row group 0.*3,000,000 rows.*GEOZONES_MAX_PARQUET_GROUP_ROWS"):
        read_layer(huge_group)
    assert time.monotonic() - started < 2  # only the footer was read


def test_geoparquet_import_exits_2_and_leaves_the_store(store, huge_group):
    before = store.path.read_bytes()
    result = _cli(store, "store", "import", str(huge_group))
    assert result.exit_code == 2, result.output
    assert "row group" in result.output and "Traceback" not in result.output
    assert store.path.read_bytes() == before


def test_geoparquet_row_groups_within_the_limit_are_read(tmp_path, monkeypatch):
    path = huge_row_group_parquet(tmp_path / "small.parquet", rows=1000)
    assert len(read_layer(path, check=False)) == 1000
    monkeypatch.setenv("GEOZONES_MAX_PARQUET_GROUP_ROWS", "999")
    with pytest.raises(InputTooLargeError):
        read_layer(path, check=False)


# --- rasters --------------------------------------------------------------------------------------


def test_local_raster_claiming_1e9_by_1e9_pixels_is_refused_before_reading(tmp_path):
    import rasterio

    from geozones.analysis.raster import read_raster

    path = huge_tiff(tmp_path / "huge.tif")
    with rasterio.open(path) as src:
        assert (src.width, src.height) == (10**9, 10**9)
    with pytest.raises(InputTooLargeError, match=r"1,000,000,000 x 1,000,000,000 pixels.*GEOZONES_MAX_RASTER_CELLS"):
        read_raster(path)


@pytest.fixture
def server():
    srv = RangeServer()
    yield srv
    srv.close()


def test_dem_tile_claiming_1e9_by_1e9_pixels_is_refused_before_any_read(server, tmp_path):
    name = fetch.dem_tile_name(21, 106)
    server.files[f"/dem/{name}/{name}.tif"] = huge_tiff(tmp_path / "huge.tif").read_bytes()
    area = fetch.area_from_bbox((106.7, 21.8, 106.8, 21.9))
    started = time.monotonic()
    with pytest.raises(ResponseTooLargeError, match=r"claims 1,000,000,000 x 1,000,000,000 pixels.*nothing was read"):
        fetch.fetch_dem(area, tmp_path / "dem.tif", resolution=1000, settings=local_settings(server, retries=0))
    assert time.monotonic() - started < 10
    assert not (tmp_path / "dem.tif").exists()


def test_cli_dem_fetch_of_a_lying_tile_exits_4_and_leaves_the_store(server, store, tmp_path, monkeypatch):
    name = fetch.dem_tile_name(21, 106)
    server.files[f"/dem/{name}/{name}.tif"] = huge_tiff(tmp_path / "huge.tif").read_bytes()
    monkeypatch.setenv("GEOZONES_DEM_URL", f"{server.url}/dem")
    before = store.path.read_bytes()
    dem_out = tmp_path / "out.tif"
    args = ["--bbox", BOX, "--layers", "none", "--dem", "--dem-resolution", "1000", "--dem-out", str(dem_out)]
    result = _cli(store, "data", "fetch", *args, "--retries", "0", "--timeout", "10")
    assert result.exit_code == 4, result.output
    assert "1,000,000,000" in result.output and "Traceback" not in result.output
    assert store.path.read_bytes() == before and not dem_out.exists()


# --- HTTP: total deadline, same-origin redirects ------------------------------------------------------


@pytest.mark.parametrize("drip", ["headers", "body"])
def test_a_server_sending_a_byte_a_second_fails_at_the_total_deadline(drip):
    slow = SlowServer(drip=drip, byte_every_s=0.5, max_s=20)
    try:
        settings = fetch.FetchSettings(
            overpass_url=f"{slow.url}/api/interpreter", timeout_s=2, retries=2, backoff_s=0.01
        )
        started = time.monotonic()
        with pytest.raises(FetchHTTPError, match=r"2-second deadline"):
            fetch.http_request(f"{slow.url}/x", settings)
        elapsed = time.monotonic() - started
        assert 1.9 < elapsed < 5  # the whole call, retries included, not 2 s per read
    finally:
        slow.close()


def test_cli_fetch_from_a_slow_server_exits_4_after_timeout_and_leaves_the_store(store):
    slow = SlowServer(drip="headers", byte_every_s=1.0, max_s=20)
    try:
        before = store.path.read_bytes()
        started = time.monotonic()
        args = ["--bbox", BOX, "--layers", "roads", "--overpass-url", f"{slow.url}/api/interpreter"]
        result = _cli(store, "data", "fetch", *args, "--timeout", "3", "--retries", "0")
        elapsed = time.monotonic() - started
        assert result.exit_code == 4, result.output
        assert "3-second deadline" in result.output
        assert elapsed < 6
        assert store.path.read_bytes() == before
    finally:
        slow.close()


def test_redirects_are_followed_only_to_the_same_origin():
    here, elsewhere = RedirectServer(), RedirectServer()
    try:
        settings = fetch.FetchSettings(timeout_s=5, retries=0, backoff_s=0.01)
        here.files["/new"] = b"same origin"
        here.redirects["/old"] = (301, "/new")
        assert fetch.http_request(f"{here.url}/old", settings) == b"same origin"
        elsewhere.files["/steal"] = b"other origin"
        for status in (301, 302, 303, 307, 308):
            here.redirects["/away"] = (status, f"{elsewhere.url}/steal")
            with pytest.raises(FetchHTTPError, match="redirect to another origin refused"):
                fetch.http_request(f"{here.url}/away", settings)
        # the same host on another port is another origin too; nothing reached it
        assert elsewhere.requests == []
    finally:
        here.close()
        elsewhere.close()


def test_cli_fetch_redirected_to_another_origin_exits_4(store):
    here, elsewhere = RedirectServer(), RedirectServer()
    try:
        elsewhere.files["/api/interpreter"] = json.dumps(OVERPASS).encode()
        here.redirects["/api/interpreter"] = (303, f"{elsewhere.url}/api/interpreter")
        before = store.path.read_bytes()
        args = ["--bbox", BOX, "--layers", "roads", "--overpass-url", f"{here.url}/api/interpreter"]
        result = _cli(store, "data", "fetch", *args, "--timeout", "5", "--retries", "0")
        assert result.exit_code == 4, result.output
        assert "another origin" in result.output
        assert elsewhere.requests == [] and store.path.read_bytes() == before
    finally:
        here.close()
        elsewhere.close()
