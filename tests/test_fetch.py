"""``geozones.fetch``: Overpass and Copernicus DEM fetching against a local HTTP server.

The server on 127.0.0.1 answers in the real formats: Overpass JSON (``out geom`` /
``out center``) written by hand below, and GLO-30-named Cloud-Optimized GeoTIFFs made with
rasterio, served with HTTP range requests so GDAL's ``/vsicurl/`` reads them by window.
Results are checked against values computed independently of the code under test.
"""

from __future__ import annotations

import json
import math
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pyproj
import pytest

from geozones import fetch

# --- a local server -------------------------------------------------------------------------


class _Server:
    """Serves ``files`` (GET/HEAD with byte ranges) and answers POSTs from ``posts[path]``."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.posts: dict[str, list[tuple[int, bytes, dict]]] = {}
        self.requests: list[tuple[str, str, dict, bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep pytest output clean
                pass

            def _record(self, body: bytes = b"") -> None:
                server.requests.append((self.command, self.path, dict(self.headers), body))

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self._record(body)
                answers = server.posts.get(self.path)
                if not answers:
                    return self._send(404, b"not found", {})
                status, payload, headers = answers.pop(0) if len(answers) > 1 else answers[0]
                self._send(status, payload, {"Content-Type": "application/json", **headers})

            def do_HEAD(self):
                self._record()
                self._file(head=True)

            def do_GET(self):
                self._record()
                self._file(head=False)

            def _file(self, head: bool):
                data = server.files.get(self.path)
                if data is None:
                    return self._send(404, b"<Error><Code>NoSuchKey</Code></Error>", {}, head)
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes="):
                    start_s, _, end_s = rng[len("bytes="):].split(",")[0].partition("-")
                    start = int(start_s)
                    end = min(int(end_s) if end_s else len(data) - 1, len(data) - 1)
                    return self._send(206, data[start:end + 1], {
                        "Content-Range": f"bytes {start}-{end}/{len(data)}", "Accept-Ranges": "bytes",
                        "Content-Type": "image/tiff"}, head)
                self._send(200, data, {"Accept-Ranges": "bytes", "Content-Type": "image/tiff"}, head)

            def _send(self, status, payload: bytes, headers: dict, head: bool = False):
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if not head:
                    self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = _Server()
    yield srv
    srv.close()


def _settings(server, **kw):
    return fetch.FetchSettings(overpass_url=f"{server.url}/api/interpreter", dem_url=f"{server.url}/dem",
                               timeout_s=10, retries=kw.pop("retries", 2), backoff_s=0.01, **kw)


# --- a hand-written Overpass answer (real schema: out geom for ways, out center for substations) --

# Test fixtures near Lạng Sơn city; ids and coordinates are made up for the test, not real OSM data.
QL1A = [(106.7400, 21.8000), (106.7500, 21.8200), (106.7620, 21.8450)]
RAIL = [(106.7300, 21.8100), (106.7700, 21.8600)]
RIVER = [(106.7000, 21.8500), (106.7300, 21.8520), (106.7600, 21.8480)]
LINE = [(106.7100, 21.7900), (106.7900, 21.8700)]

OVERPASS = {
    "version": 0.6,
    "generator": "Overpass API 0.7.62.1 084b4234",
    "osm3s": {
        "timestamp_osm_base": "2026-11-30T18:00:00Z",
        "copyright": "The data included in this document is from www.openstreetmap.org. "
                     "The data is made available under ODbL.",
    },
    "elements": [
        {"type": "way", "id": 1001, "bounds": {"minlat": 21.80, "minlon": 106.74, "maxlat": 21.845, "maxlon": 106.762},
         "nodes": [1, 2, 3], "geometry": [{"lat": la, "lon": lo} for lo, la in QL1A],
         "tags": {"highway": "trunk", "ref": "QL1A", "name": "Quốc lộ 1A", "maxspeed": "80"}},
        {"type": "way", "id": 1002, "nodes": [4, 5],
         "geometry": [{"lat": 21.83, "lon": 106.75}, {"lat": 21.835, "lon": 106.755}],
         "tags": {"highway": "tertiary", "name": "Đường Bà Triệu"}},
        {"type": "way", "id": 2001, "nodes": [6, 7], "geometry": [{"lat": la, "lon": lo} for lo, la in RAIL],
         "tags": {"railway": "rail", "name": "Đường sắt Hà Nội – Đồng Đăng", "gauge": "1000;1435", "usage": "main"}},
        {"type": "way", "id": 3001, "nodes": [8, 9, 10], "geometry": [{"lat": la, "lon": lo} for lo, la in RIVER],
         "tags": {"waterway": "river", "name": "Sông Kỳ Cùng"}},
        {"type": "way", "id": 4001, "nodes": [11, 12], "geometry": [{"lat": la, "lon": lo} for lo, la in LINE],
         "tags": {"power": "line", "voltage": "220000;110000", "circuits": "2"}},
        {"type": "node", "id": 5001, "lat": 21.8300, "lon": 106.7700,
         "tags": {"power": "substation", "name": "Trạm biến áp 110 kV (test)", "voltage": "110000;35000;22000"}},
        {"type": "way", "id": 5002, "center": {"lat": 21.8600, "lon": 106.7200}, "nodes": [13, 14, 15, 16, 13],
         "tags": {"power": "substation", "voltage": "35000", "substation": "distribution"}},
    ],
}


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
    assert '(21.8000000,106.7000000,21.9000000,106.8000000)' in query
    assert 'way["highway"~"^(motorway|motorway_link|trunk|' in query
    assert "out geom qt;" in query and 'nwr["power"="substation"]' in query and "out center qt;" in query
    assert "railway" not in query and "waterway" not in query
    with pytest.raises(ValueError, match="unknown layer"):
        fetch.overpass_query(area, ["buildings"])


def test_fetch_osm_layers_from_local_overpass(server):
    server.posts["/api/interpreter"] = [(200, json.dumps(OVERPASS).encode(), {})]
    settings = _settings(server)
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
    for frame, coords, key in ((roads, QL1A, "way/1001"), (frames["railways"].set_index("id"), RAIL, "way/2001"),
                               (frames["rivers"].set_index("id"), RIVER, "way/3001")):
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


def test_fetched_layers_feed_proximity(server):
    """The fetched roads and power layers go straight into the proximity code."""
    import geopandas as gpd
    import shapely

    from geozones.proximity import load_infrastructure, nearest_road, nearest_substation

    server.posts["/api/interpreter"] = [(200, json.dumps(OVERPASS).encode(), {})]
    settings = _settings(server)
    area = fetch.area_from_bbox((106.7, 21.78, 106.8, 21.88), settings=settings)
    frames = fetch.fetch_osm(area, settings=settings)
    shipped_destinations = gpd.GeoDataFrame({"id": ["x"], "name": ["x"]}, geometry=[shapely.Point(106.76, 21.85)],
                                            crs=4326)
    infra = load_infrastructure({"roads": frames["roads"], "power": frames["power"],
                                 "destinations": shipped_destinations})
    zone = gpd.GeoDataFrame({"id": ["z"]}, geometry=[shapely.Point(106.7620, 21.8450)], crs=4326).to_crs(9215)
    near = nearest_road(zone, infra["roads"].to_crs(9215), road_class="national_highway")
    assert near["distance_m"].iloc[0] == pytest.approx(0.0, abs=1e-6)  # on QL1A's last vertex
    sub = nearest_substation(zone, infra["power"].to_crs(9215), min_kv=110)
    tr = pyproj.Transformer.from_crs(4326, 9215, always_xy=True)
    (x0, y0), (x1, y1) = tr.transform(106.7620, 21.8450), tr.transform(106.77, 21.83)
    assert sub["distance_m"].iloc[0] == pytest.approx(math.hypot(x1 - x0, y1 - y0), abs=0.01)


def test_overpass_retries_429_then_succeeds(server):
    server.posts["/api/interpreter"] = [(429, b"rate limited", {"Retry-After": "0"}),
                                        (504, b"<html>Gateway Timeout</html>", {}),
                                        (200, json.dumps(OVERPASS).encode(), {})]
    settings = _settings(server, retries=2)
    area = fetch.area_from_bbox((106.7, 21.78, 106.8, 21.88), settings=settings)
    assert "roads" in fetch.fetch_osm(area, ["roads"], settings=settings)
    assert len(server.requests) == 3


def test_overpass_http_errors_are_typed(server):
    server.posts["/api/interpreter"] = [(400, b"<p><strong>Error</strong>: line 1: parse error</p>", {})]
    settings = _settings(server)
    area = fetch.area_from_bbox((106.7, 21.78, 106.8, 21.88), settings=settings)
    with pytest.raises(fetch.FetchHTTPError, match="HTTP 400.*parse error") as info:
        fetch.fetch_osm(area, settings=settings)
    assert info.value.status == 400 and len(server.requests) == 1  # a 400 is not retried
    server.posts["/api/interpreter"] = [(503, b"busy", {})]
    with pytest.raises(fetch.FetchHTTPError, match="HTTP 503"):
        fetch.fetch_osm(area, settings=settings)
    assert len(server.requests) == 1 + 3  # first try + 2 retries


def test_no_answer_is_typed():
    settings = fetch.FetchSettings(overpass_url="http://127.0.0.1:9/api/interpreter", timeout_s=2, retries=1,
                                   backoff_s=0.01)
    area = fetch.area_from_bbox((106.7, 21.78, 106.8, 21.88), settings=settings)
    with pytest.raises(fetch.FetchHTTPError, match="no answer") as info:
        fetch.fetch_osm(area, settings=settings)
    assert info.value.status is None and isinstance(info.value, fetch.FetchError)


def test_empty_remark_and_size_bound(server):
    empty = {**OVERPASS, "elements": []}
    server.posts["/api/interpreter"] = [(200, json.dumps(empty).encode(), {})]
    settings = _settings(server)
    area = fetch.area_from_bbox((106.7, 21.78, 106.8, 21.88), settings=settings)
    with pytest.raises(fetch.EmptyResultError, match="no roads"):
        fetch.fetch_osm(area, ["roads"], settings=settings)
    remark = {**empty, "remark": "runtime error: Query timed out in \"query\" at line 3 after 26 seconds."}
    server.posts["/api/interpreter"] = [(200, json.dumps(remark).encode(), {})]
    with pytest.raises(fetch.OverpassError, match="timed out"):
        fetch.fetch_osm(area, settings=settings)
    server.posts["/api/interpreter"] = [(200, json.dumps(OVERPASS).encode(), {})]
    with pytest.raises(fetch.ResponseTooLargeError, match="bound"):
        fetch.fetch_osm(area, settings=_settings(server, max_bytes=1000))


# --- Copernicus DEM -------------------------------------------------------------------------

PX = 120  # pixels per 1° tile in the test tiles (30"); real GLO-30 tiles have 3600


def _z(lon, lat):
    """The elevation field put into the test tiles: linear in lon/lat, so bilinear resampling is exact."""
    return 100.0 + 1000.0 * (lon - 106.0) + 500.0 * (lat - 21.0)


def _tile_bytes(tmp_path: Path, lat: int, lon: int, px: int = PX, blocksize: int = 128) -> bytes:
    import rasterio
    import rasterio.shutil
    from rasterio.io import MemoryFile
    from rasterio.transform import from_origin

    res = 1.0 / px
    cols = lon + (np.arange(px) + 0.5) * res
    rows = lat + 1 - (np.arange(px) + 0.5) * res
    data = _z(cols[None, :], rows[:, None]).astype("float32")
    profile = dict(driver="GTiff", width=px, height=px, count=1, dtype="float32", crs="EPSG:4326",
                   transform=from_origin(lon, lat + 1, res, res))
    path = tmp_path / f"{fetch.dem_tile_name(lat, lon)}.tif"
    with MemoryFile() as mem:
        with mem.open(**profile) as dst:
            dst.write(data, 1)
        with mem.open() as src:
            rasterio.shutil.copy(src, path, driver="COG", BLOCKSIZE=blocksize, OVERVIEWS="NONE")
    return path.read_bytes()


def _serve_tiles(server, tmp_path, tiles):
    for lat, lon in tiles:
        name = fetch.dem_tile_name(lat, lon)
        server.files[f"/dem/{name}/{name}.tif"] = _tile_bytes(tmp_path, lat, lon)


def test_tile_names():
    assert fetch.dem_tile_name(21, 105) == "Copernicus_DSM_COG_10_N21_00_E105_00_DEM"
    assert fetch.dem_tile_name(-1, -75) == "Copernicus_DSM_COG_10_S01_00_W075_00_DEM"
    area = fetch.area_from_bbox((106.9, 21.9, 107.1, 22.1))
    assert fetch.dem_tiles(area) == [fetch.dem_tile_name(21, 106), fetch.dem_tile_name(21, 107),
                                     fetch.dem_tile_name(22, 106), fetch.dem_tile_name(22, 107)]
    assert fetch.dem_tile_url("https://h/x/", "T") == "https://h/x/T/T.tif"


def test_dem_mosaic_reprojected_to_tm3(server, tmp_path):
    import rasterio

    from geozones.raster import read_raster, slope_from_dem

    _serve_tiles(server, tmp_path, [(21, 106), (21, 107), (22, 106), (22, 107)])
    settings = _settings(server)
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
    assert len(rows) > 0.95 * dem.size
    x = grid.xmin + (cols + 0.5) * grid.resolution
    y = grid.ymax - (rows + 0.5) * grid.resolution
    lon, lat = tr.transform(x, y)
    assert np.abs(dem[rows, cols] - _z(lon, lat)).max() < 0.01  # float32 + GDAL's approximate transformer
    # the grid covers the box in TM-3
    west_x, south_y = pyproj.Transformer.from_crs(4326, 9215, always_xy=True).transform(106.95, 21.95)
    assert grid.xmin <= west_x and grid.bounds[1] <= south_y
    # slope of the plane: the field rises ~1000 m per degree east (~103 km) -> about 0.6°
    slope, _ = slope_from_dem(result.path)
    assert 0.3 < np.nanmedian(slope) < 1.0


def test_dem_missing_tiles_and_errors(server, tmp_path):
    _serve_tiles(server, tmp_path, [(21, 106)])
    settings = _settings(server)
    area = fetch.area_from_bbox((106.9, 21.9, 107.1, 22.1), settings=settings)
    result = fetch.fetch_dem(area, tmp_path / "dem.tif", resolution=200, settings=settings)
    assert result.tiles == [fetch.dem_tile_name(21, 106)] and len(result.missing) == 3
    with pytest.raises(fetch.EmptyResultError, match="no Copernicus GLO-30 tile"):
        fetch.fetch_dem(fetch.area_from_bbox((107.2, 22.2, 107.3, 22.3), settings=settings), tmp_path / "x.tif",
                        settings=settings)
    with pytest.raises(fetch.AreaError, match="cells"):
        fetch.fetch_dem(area, tmp_path / "y.tif", resolution=30, settings=_settings(server, max_dem_cells=1000))
    broken = fetch.FetchSettings(dem_url="http://127.0.0.1:9/dem", timeout_s=2, retries=0)
    with pytest.raises(fetch.FetchHTTPError):
        fetch.fetch_dem(area, tmp_path / "z.tif", settings=broken)


# --- into the store -------------------------------------------------------------------------


def test_fetch_into_store_feeds_proximity_and_slope(server, tmp_path, store):
    from geozones.proximity import load_infrastructure
    from geozones.raster import slope_from_dem

    server.posts["/api/interpreter"] = [(200, json.dumps(OVERPASS).encode(), {})]
    _serve_tiles(server, tmp_path, [(21, 106)])
    settings = _settings(server)
    area = fetch.area_from_bbox((106.7, 21.78, 106.8, 21.88), settings=settings)
    report = fetch.fetch_into_store(store, area, dem=True, resolution=100, as_infrastructure=True,
                                    settings=settings)
    assert report.layers == {"osm_roads": 2, "infrastructure_roads": 2, "osm_railways": 1, "osm_rivers": 1,
                             "osm_power": 3, "infrastructure_power": 3}
    assert report.dem.path == store.path.with_name(f"{store.path.stem}_dem_{area.slug}.tif")
    assert report.dem.path.exists() and report.dem.crs.to_epsg() == 9215

    roads = store.layer("osm_roads")
    assert set(roads["ref"].dropna()) == {"QL1A"} and (roads["attribution"] == fetch.OSM_ATTRIBUTION).all()
    sources = store.layer(fetch.SOURCES_TABLE).set_index("layer")
    assert sources.loc["osm_rivers", "licence"].startswith("ODbL-1.0")
    assert sources.loc[f"dem_{area.slug}", "path"] == str(report.dem.path)
    assert sources.loc[f"dem_{area.slug}", "attribution"] == fetch.DEM_ATTRIBUTION
    assert "infrastructure_power" in sources.index

    # the proximity code reads the replaced infrastructure layers from the store as they are
    infra = load_infrastructure(store)
    assert set(infra["roads"]["id"]) == {"way/1001", "way/1002"}
    klass = infra["roads"].set_index("id")["class"]
    assert klass["way/1001"] == "national_highway"  # from ref QL1A
    power = infra["power"].set_index("id")
    assert power.loc["node/5001", "class"] == "substation" and power.loc["node/5001", "voltage_kv"] == 110
    slope, grid = slope_from_dem(report.dem.path)
    assert grid.crs.to_epsg() == 9215 and np.isfinite(slope).any()

    # a second fetch replaces its own rows in the sources table and keeps the others
    server.posts["/api/interpreter"] = [(200, json.dumps(OVERPASS).encode(), {})]
    fetch.fetch_into_store(store, area, ["rivers"], settings=settings)
    again = store.layer(fetch.SOURCES_TABLE)
    assert sorted(again["layer"]).count("osm_rivers") == 1 and f"dem_{area.slug}" in set(again["layer"])


def test_dem_reads_only_the_blocks_it_needs(server, tmp_path):
    """A small box in a large tile: GDAL fetches a few byte ranges, not the whole file."""
    name = fetch.dem_tile_name(21, 106)
    data = _tile_bytes(tmp_path, 21, 106, px=2048, blocksize=256)
    server.files[f"/dem/{name}/{name}.tif"] = data
    settings = _settings(server)
    area = fetch.area_from_bbox((106.50, 21.50, 106.53, 21.53), settings=settings)
    result = fetch.fetch_dem(area, tmp_path / "small.tif", resolution=30, settings=settings)
    served = 0
    for method, _, headers, _ in server.requests:
        if method == "GET":
            assert "Range" in headers  # never the whole file
            start, _, end = headers["Range"].removeprefix("bytes=").partition("-")
            served += min(int(end), len(data) - 1) - int(start) + 1
    assert 0 < served < 0.25 * len(data)
    dem, _, _ = __import__("geozones.raster", fromlist=["read_raster"]).read_raster(result.path)
    assert np.isfinite(dem).mean() > 0.95


def test_fetched_layers_constrain_a_scenario(server, tmp_path, store):
    """A scenario names the fetched river layer as a buffer and the fetched DEM as its slope source."""
    import textwrap

    import shapely

    from geozones.scenario import load_scenario, run_scenario

    zone = store.zones().set_index("id").loc[["ls-kcn-hong-phong"]]
    minx, miny, maxx, maxy = zone.to_crs(4326).total_bounds
    river_lon = maxx + 0.0012  # ~125 m east of the zone's easternmost point, north-south across it
    river = {"type": "way", "id": 3100, "nodes": [1, 2],
             "geometry": [{"lat": miny - 0.05, "lon": river_lon}, {"lat": maxy + 0.05, "lon": river_lon}],
             "tags": {"waterway": "river", "name": "test river"}}
    server.posts["/api/interpreter"] = [(200, json.dumps({**OVERPASS, "elements": [river]}).encode(), {})]
    _serve_tiles(server, tmp_path, [(21, 106)])
    settings = _settings(server)
    area = fetch.area_from_bbox((minx - 0.05, miny - 0.05, maxx + 0.05, maxy + 0.05), settings=settings)
    report = fetch.fetch_into_store(store, area, ["rivers"], dem=True, resolution=50, settings=settings)

    def plan(max_slope, buffer_m=80):
        buffers = f"[{{layer: osm_rivers, buffer_m: {buffer_m}}}]" if buffer_m else "[]"
        text = textwrap.dedent(f"""\
            id: fetched
            name: Fetched layers
            province: Lạng Sơn
            start_year: 2024
            end_year: 2025
            constraints:
              buffers: {buffers}
              dem: {report.dem.path}
              max_slope_deg: {max_slope}
              max_distance_m: 2000
            actions:
              - {{action: grow, year: 2025, zone: ls-kcn-hong-phong, by_ha: 60, assumption: test}}
            """)
        path = tmp_path / f"plan{max_slope}_{buffer_m}.yaml"
        path.write_text(text, encoding="utf-8")
        return load_scenario(path)

    metric = zone.to_crs(9215).geometry.iloc[0]
    tr = pyproj.Transformer.from_crs(4326, 9215, always_xy=True)
    corridor = shapely.LineString([tr.transform(river_lon, miny - 0.05),
                                   tr.transform(river_lon, maxy + 0.05)]).buffer(79.9)

    def added_in_corridor(result):
        grown = result.zones.loc["ls-kcn-hong-phong"]
        assert grown["area_mapped_ha"] == pytest.approx(metric.area / 1e4 + 60, rel=0.005)
        added = shapely.difference(gpd_to(grown.geometry, result.zones.crs, 9215), metric)
        return shapely.area(shapely.intersection(added, corridor))

    result = run_scenario(plan(5), store=store)
    assert added_in_corridor(result) < 1.0  # m²
    # without the river buffer the zone grows into that corridor (the constraint does the work)
    assert added_in_corridor(run_scenario(plan(5, buffer_m=None), store=store)) > 1000.0
    # the field's slope is ~0.6°: a 0.2° limit leaves no land to grow on
    assert not result.notes
    steep = run_scenario(plan(0.2), store=store)
    assert steep.zones.loc["ls-kcn-hong-phong", "area_mapped_ha"] == pytest.approx(metric.area / 1e4, rel=1e-4)
    assert any("cannot be reached" in note for note in steep.notes)


def gpd_to(geometry, crs, epsg):
    import geopandas as gpd

    return gpd.GeoSeries([geometry], crs=crs).to_crs(epsg).iloc[0]


def test_html_error_page_with_status_200_is_typed(server):
    """Overpass sometimes answers an HTML error page with status 200."""
    server.posts["/api/interpreter"] = [(200, b"<html><body><p>The server is probably too busy</p></body></html>", {})]
    settings = _settings(server)
    area = fetch.area_from_bbox((106.7, 21.78, 106.8, 21.88), settings=settings)
    with pytest.raises(fetch.OverpassError, match="not JSON.*too busy"):
        fetch.fetch_osm(area, settings=settings)
