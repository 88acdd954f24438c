"""``geozones data fetch`` against a local HTTP server (Overpass JSON, GLO-30 COG tiles)."""

from __future__ import annotations

import json
import urllib.parse

import numpy as np
import pytest

from tests.helpers.fetchdata import OVERPASS, serve_tiles
from tests.helpers.rangeserver import RangeServer


@pytest.fixture
def server():
    srv = RangeServer()
    yield srv
    srv.close()


def test_cli_data_fetch_province(server, tmp_path, store, monkeypatch):
    from typer.testing import CliRunner

    from geozones.cli import app

    server.posts["/api/interpreter"] = [(200, json.dumps(OVERPASS).encode(), {})]
    serve_tiles(server, tmp_path, [(21, 106), (21, 107), (22, 106), (22, 107)])
    monkeypatch.setenv("GEOZONES_DEM_URL", f"{server.url}/dem")
    dem_out = tmp_path / "ls.tif"
    result = CliRunner().invoke(
        app,
        [
            "--store",
            str(store.path),
            "data",
            "fetch",
            "--province",
            "Lạng Sơn",
            "--layers",
            "roads,power",
            "--dem",
            "--dem-resolution",
            "1000",
            "--dem-out",
            str(dem_out),
            "--overpass-url",
            f"{server.url}/api/interpreter",
            "--timeout",
            "10",
            "--retries",
            "0",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "osm_roads" in result.output and "© OpenStreetMap contributors" in result.output
    query = urllib.parse.parse_qs(server.requests[0][3].decode())["data"][0]
    outline = store.layer("boundaries_provinces").set_index("name").loc[["Lạng Sơn"]].to_crs(4326).total_bounds
    assert f"({outline[1]:.7f},{outline[0]:.7f},{outline[3]:.7f},{outline[2]:.7f})" in query
    assert "railway" not in query
    assert set(store.layer("osm_power")["id"]) == {"way/4001", "node/5001", "way/5002"}
    import rasterio

    with rasterio.open(dem_out) as src:
        assert src.crs.to_epsg() == 9215 and src.res == (1000.0, 1000.0)
        dem = src.read(1)
        # clipped to the province outline: cells whose centre is outside are nodata
        assert np.isnan(dem).any() and np.isfinite(dem).any()


def test_cli_data_fetch_errors(server, store):
    from typer.testing import CliRunner

    from geozones.cli import app

    def run(*args):
        return CliRunner().invoke(app, ["--store", str(store.path), "data", "fetch", *args])

    assert run("--bbox", "2.3,48.8,2.4,48.9").exit_code == 2  # outside Vietnam
    assert run("--bbox", "1,2,3").exit_code == 2
    assert run("--province", "Lạng Sơn", "--bbox", "106.7,21.8,106.8,21.9").exit_code == 2
    assert run("--bbox", "106.7,21.8,106.8,21.9", "--layers", "buildings").exit_code == 2
    server.posts["/api/interpreter"] = [(500, b"boom", {})]
    result = run(
        "--bbox",
        "106.7,21.8,106.8,21.9",
        "--overpass-url",
        f"{server.url}/api/interpreter",
        "--retries",
        "0",
        "--timeout",
        "5",
    )
    assert result.exit_code == 4 and "HTTP 500" in result.output
