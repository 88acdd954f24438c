"""``geozones.io.fetch``: Overpass and Copernicus DEM fetching against a local HTTP server.

The server on 127.0.0.1 answers in the real formats: Overpass JSON (``out geom`` /
``out center``) written by hand below, and GLO-30-named Cloud-Optimized GeoTIFFs made with
rasterio, served with HTTP range requests so GDAL's ``/vsicurl/`` reads them by window.
Results are checked against values computed independently of the code under test.
"""

from __future__ import annotations

import json
import math
import urllib.parse

import numpy as np
import pyproj
import pytest

from geozones.io import fetch
from tests.helpers.fetchdata import OVERPASS, QL1A, RAIL, RIVER, local_settings, serve_tiles, tile_bytes, z
from tests.helpers.rangeserver import RangeServer

# --- a local server -------------------------------------------------------------------------


@pytest.fixture
def server():
    srv = RangeServer()
    yield srv
    srv.close()


def _hand_length(coords, epsg):
    """Sum of straight segments between the vertices projected with pyproj (no shapely/geopandas)."""
    tr = pyproj.Transformer.from_crs(4326, epsg, always_xy=True)
    xy = [tr.transform(lo, la) for lo, la in coords]
    return sum(math.hypot(x1 - x0, y1 - y0) for (x0, y0), (x1, y1) in zip(xy, xy[1:]))


def _geodesic_length(coords):
    geod = pyproj.Geod(ellps="WGS84")
    return sum(geod.inv(a[0], a[1], b[0], b[1])[2] for a, b in zip(coords, coords[1:]))


# --- areas ----------------------------------------------------------------------------------


def test_bbox_validation():
    settings = fetch.FetchSettings(max_area_km2=25_000)
    area = fetch.area_from_bbox((106.7, 21.8, 106.8, 21.9), settings=settings)
    assert area.crs.to_epsg() == 9215  # inside Lạng Sơn's TM-3 zone only
    # 0.1° x 0.1° at 21.85° N: about 11.1 km x 10.3 km
    assert 100 < area.area_km2() < 125
    with pytest.raises(fetch.AreaError, match="not inside Vietnam"):
        fetch.area_from_bbox((2.3, 48.8, 2.4, 48.9), settings=settings)  # Paris
    with pytest.raises(fetch.AreaError, match="west < east"):
        fetch.area_from_bbox((106.8, 21.8, 106.7, 21.9), settings=settings)
    with pytest.raises(fetch.AreaError, match="km²"):
        fetch.area_from_bbox((105.0, 20.0, 107.5, 22.5), settings=settings)  # ~70 000 km²
    with pytest.raises(fetch.AreaError):
        fetch.area_from_bbox(("a", 1, 2, 3), settings=settings)
    with pytest.raises(ValueError):  # the built-in still catches it
        fetch.area_from_bbox((106.7, 21.8, 106.8), settings=settings)


def test_province_area_from_boundaries_and_epsg(built_store):
    boundaries = built_store.layer("boundaries_provinces")
    area = fetch.area_from_province("Lang Son", boundaries)
    outline = boundaries[boundaries["name"] == "Lạng Sơn"].to_crs(4326).total_bounds
    assert area.bbox == pytest.approx(tuple(outline))
    assert area.crs.to_epsg() == 9215 and area.polygon is not None and area.slug == "lang_son"
    assert fetch.area_from_province("Bắc Kạn", boundaries).crs.to_epsg() == 9213
    # without outlines: the EPSG area of use of the province's TM-3 CRS
    bare = fetch.area_from_province("Lạng Sơn")
    aou = pyproj.CRS.from_epsg(9215).area_of_use
    assert bare.bbox == (aou.west, aou.south, aou.east, aou.north) and bare.polygon is None


# --- Overpass -------------------------------------------------------------------------------


def test_overpass_query_is_valid_ql():
    area = fetch.area_from_bbox((106.7, 21.8, 106.8, 21.9))
    query = fetch.overpass_query(area, ["roads", "power"], timeout_s=60, maxsize=1 << 20)
    assert query.startswith("[out:json][timeout:60][maxsize:1048576];")
    # Overpass bboxes are south,west,north,east
    assert "(21.8000000,106.7000000,21.9000000,106.8000000)" in query
    assert 'way["highway"~"^(motorway|motorway_link|trunk|' in query
    assert "out geom qt;" in query and 'nwr["power"="substation"]' in query and "out center qt;" in query
    assert "railway" not in query and "waterway" not in query
    with pytest.raises(ValueError, match="unknown layer"):
        fetch.overpass_query(area, ["buildings"])


def test_fetch_osm_layers_from_local_overpass(server):
    server.posts["/api/interpreter"] = [(200, json.dumps(OVERPASS).encode(), {})]
    settings = local_settings(server)
    area = fetch.area_from_bbox((106.7, 21.78, 106.8, 21.88), settings=settings)
    frames = fetch.fetch_osm(area, settings=settings)

    # the request: a form-encoded POST with the Overpass QL, our User-Agent
    method, path, headers, body = server.requests[0]
    assert (method, path) == ("POST", "/api/interpreter")
    assert headers["User-Agent"].startswith("geozones/")
    query = urllib.parse.parse_qs(body.decode())["data"][0]
    assert query == fetch.overpass_query(area, tuple(fetch.LAYERS), timeout_s=10, maxsize=settings.max_bytes)

    assert set(frames) == {"roads", "railways", "rivers", "power"}
    roads = frames["roads"].set_index("id")
    assert list(roads.index) == ["way/1001", "way/1002"]
    assert roads.loc["way/1001", "ref"] == "QL1A" and roads.loc["way/1001", "highway"] == "trunk"
    assert roads.loc["way/1001", "osm_id"] == 1001 and roads.loc["way/1001", "osm_type"] == "way"
    assert frames["roads"].crs.to_epsg() == 4326
    assert list(roads.loc["way/1001"].geometry.coords) == QL1A
    # lengths in EPSG:9215 against an independent projection of the vertices, and the geodesic
    for frame, coords, key in (
        (roads, QL1A, "way/1001"),
        (frames["railways"].set_index("id"), RAIL, "way/2001"),
        (frames["rivers"].set_index("id"), RIVER, "way/3001"),
    ):
        expected = _hand_length(coords, 9215)
        assert frame.loc[key, "length_m"] == pytest.approx(expected, abs=0.01)
        # TM-3 scale error near 106.75° E (0.5° from the central meridian 107.25°) is < 1e-4
        assert frame.loc[key, "length_m"] / _geodesic_length(coords) == pytest.approx(1.0, abs=1e-4)

    power = frames["power"].set_index("id")
    assert set(power.index) == {"way/4001", "node/5001", "way/5002"}
    assert power.loc["way/4001"].geometry.geom_type == "LineString"
    assert power.loc["node/5001"].geometry.coords[0] == (106.77, 21.83)
    assert power.loc["way/5002"].geometry.coords[0] == (106.72, 21.86)  # the outline's centre
    assert power.loc["way/4001", "voltage_kv"] == 220.0 and power.loc["node/5001", "voltage_kv"] == 110.0
    assert power.loc["way/5002", "voltage_kv"] == 35.0
    assert math.isnan(power.loc["node/5001", "length_m"])
    for frame in frames.values():
        assert (frame["licence"] == "ODbL-1.0").all()
        assert (frame["attribution"] == "© OpenStreetMap contributors").all()
        assert (frame["osm_base"] == "2026-11-30T18:00:00Z").all()


def test_overpass_retries_429_then_succeeds(server):
    server.posts["/api/interpreter"] = [
        (429, b"rate limited", {"Retry-After": "0"}),
        (504, b"<html>Gateway Timeout</html>", {}),
        (200, json.dumps(OVERPASS).encode(), {}),
    ]
    settings = local_settings(server, retries=2)
    area = fetch.area_from_bbox((106.7, 21.78, 106.8, 21.88), settings=settings)
    assert "roads" in fetch.fetch_osm(area, ["roads"], settings=settings)
    assert len(server.requests) == 3


def test_overpass_http_errors_are_typed(server):
    server.posts["/api/interpreter"] = [(400, b"<p><strong>Error</strong>: line 1: parse error</p>", {})]
    settings = local_settings(server)
    area = fetch.area_from_bbox((106.7, 21.78, 106.8, 21.88), settings=settings)
    with pytest.raises(fetch.FetchHTTPError, match="HTTP 400.*parse error") as info:
        fetch.fetch_osm(area, settings=settings)
    assert info.value.status == 400 and len(server.requests) == 1  # a 400 is not retried
    server.posts["/api/interpreter"] = [(503, b"busy", {})]
    with pytest.raises(fetch.FetchHTTPError, match="HTTP 503"):
        fetch.fetch_osm(area, settings=settings)
    assert len(server.requests) == 1 + 3  # first try + 2 retries


def test_no_answer_is_typed():
    settings = fetch.FetchSettings(
        overpass_url="http://127.0.0.1:9/api/interpreter", timeout_s=2, retries=1, backoff_s=0.01
    )
    area = fetch.area_from_bbox((106.7, 21.78, 106.8, 21.88), settings=settings)
    with pytest.raises(fetch.FetchHTTPError, match="no answer") as info:
        fetch.fetch_osm(area, settings=settings)
    assert info.value.status is None and isinstance(info.value, fetch.FetchError)


def test_empty_remark_and_size_bound(server):
    empty = {**OVERPASS, "elements": []}
    server.posts["/api/interpreter"] = [(200, json.dumps(empty).encode(), {})]
    settings = local_settings(server)
    area = fetch.area_from_bbox((106.7, 21.78, 106.8, 21.88), settings=settings)
    with pytest.raises(fetch.EmptyResultError, match="no roads"):
        fetch.fetch_osm(area, ["roads"], settings=settings)
    remark = {**empty, "remark": 'runtime error: Query timed out in "query" at line 3 after 26 seconds.'}
    server.posts["/api/interpreter"] = [(200, json.dumps(remark).encode(), {})]
    with pytest.raises(fetch.OverpassError, match="timed out"):
        fetch.fetch_osm(area, settings=settings)
    server.posts["/api/interpreter"] = [(200, json.dumps(OVERPASS).encode(), {})]
    with pytest.raises(fetch.ResponseTooLargeError, match="bound"):
        fetch.fetch_osm(area, settings=local_settings(server, max_bytes=1000))


# --- Copernicus DEM -------------------------------------------------------------------------


def test_tile_names():
    assert fetch.dem_tile_name(21, 105) == "Copernicus_DSM_COG_10_N21_00_E105_00_DEM"
    assert fetch.dem_tile_name(-1, -75) == "Copernicus_DSM_COG_10_S01_00_W075_00_DEM"
    area = fetch.area_from_bbox((106.9, 21.9, 107.1, 22.1))
    assert fetch.dem_tiles(area) == [
        fetch.dem_tile_name(21, 106),
        fetch.dem_tile_name(21, 107),
        fetch.dem_tile_name(22, 106),
        fetch.dem_tile_name(22, 107),
    ]
    assert fetch.dem_tile_url("https://h/x/", "T") == "https://h/x/T/T.tif"


def test_dem_mosaic_reprojected_to_tm3(server, tmp_path):
    import rasterio

    from geozones.analysis.raster import read_raster, slope_from_dem

    serve_tiles(server, tmp_path, [(21, 106), (21, 107), (22, 106), (22, 107)])
    settings = local_settings(server)
    area = fetch.area_from_bbox((106.95, 21.95, 107.05, 22.05), settings=settings)  # across 4 tiles
    result = fetch.fetch_dem(area, tmp_path / "out" / "dem.tif", resolution=90, settings=settings)
    assert result.missing == [] and len(result.tiles) == 4
    assert any(r[0] == "GET" and "Range" in r[2] for r in server.requests)  # read by range, via /vsicurl/

    dem, grid, nodata = read_raster(result.path)  # what the slope code reads
    assert grid.crs.to_epsg() == 9215 and grid.resolution == 90
    with rasterio.open(result.path) as src:
        assert src.tags()["ATTRIBUTION"] == fetch.DEM_ATTRIBUTION
        assert "Copernicus" in src.tags()["LICENCE"] and src.profile["driver"] == "GTiff"
        assert src.overviews(1) or min(src.shape) < 512
    # every cell centre, taken back to lon/lat by pyproj, has the value of the field put into the tiles
    tr = pyproj.Transformer.from_crs(9215, 4326, always_xy=True)
    rows, cols = np.nonzero(np.isfinite(dem))
    assert len(rows) == dem.size  # every cell of the TM-3 rectangle has data (the tiles cover it)
    x = grid.xmin + (cols + 0.5) * grid.resolution
    y = grid.ymax - (rows + 0.5) * grid.resolution
    lon, lat = tr.transform(x, y)
    assert np.abs(dem[rows, cols] - z(lon, lat)).max() < 0.01  # float32 + GDAL's approximate transformer
    # the grid covers the box in TM-3
    west_x, south_y = pyproj.Transformer.from_crs(4326, 9215, always_xy=True).transform(106.95, 21.95)
    assert grid.xmin <= west_x and grid.bounds[1] <= south_y
    # slope of the plane: the field rises ~1000 m per degree east (~103 km) -> about 0.6°
    slope, _ = slope_from_dem(result.path)
    assert 0.3 < np.nanmedian(slope) < 1.0


def test_dem_missing_tiles_and_errors(server, tmp_path):
    serve_tiles(server, tmp_path, [(21, 106)])
    settings = local_settings(server)
    area = fetch.area_from_bbox((106.9, 21.9, 107.1, 22.1), settings=settings)
    result = fetch.fetch_dem(area, tmp_path / "dem.tif", resolution=200, settings=settings)
    assert result.tiles == [fetch.dem_tile_name(21, 106)] and len(result.missing) == 3
    with pytest.raises(fetch.EmptyResultError, match="no Copernicus GLO-30 tile"):
        fetch.fetch_dem(
            fetch.area_from_bbox((107.2, 22.2, 107.3, 22.3), settings=settings), tmp_path / "x.tif", settings=settings
        )
    with pytest.raises(fetch.AreaError, match="cells"):
        fetch.fetch_dem(area, tmp_path / "y.tif", resolution=30, settings=local_settings(server, max_dem_cells=1000))
    broken = fetch.FetchSettings(dem_url="http://127.0.0.1:9/dem", timeout_s=2, retries=0)
    with pytest.raises(fetch.FetchHTTPError):
        fetch.fetch_dem(area, tmp_path / "z.tif", settings=broken)


def test_dem_reads_only_the_blocks_it_needs(server, tmp_path):
    """A small box in a large tile: GDAL fetches a few byte ranges, not the whole file."""
    name = fetch.dem_tile_name(21, 106)
    data = tile_bytes(tmp_path, 21, 106, px=2048, blocksize=256)
    server.files[f"/dem/{name}/{name}.tif"] = data
    settings = local_settings(server)
    area = fetch.area_from_bbox((106.50, 21.50, 106.53, 21.53), settings=settings)
    result = fetch.fetch_dem(area, tmp_path / "small.tif", resolution=30, settings=settings)
    served = 0
    for method, _, headers, _ in server.requests:
        if method == "GET":
            assert "Range" in headers  # never the whole file
            start, _, end = headers["Range"].removeprefix("bytes=").partition("-")
            served += min(int(end), len(data) - 1) - int(start) + 1
    assert 0 < served < 0.25 * len(data)
    from geozones.analysis.raster import read_raster

    dem, _, _ = read_raster(result.path)
    assert np.isfinite(dem).all()


def test_html_error_page_with_status_200_is_typed(server):
    """Overpass sometimes answers an HTML error page with status 200."""
    server.posts["/api/interpreter"] = [(200, b"<html><body><p>The server is probably too busy</p></body></html>", {})]
    settings = local_settings(server)
    area = fetch.area_from_bbox((106.7, 21.78, 106.8, 21.88), settings=settings)
    with pytest.raises(fetch.OverpassError, match="not JSON.*too busy"):
        fetch.fetch_osm(area, settings=settings)
