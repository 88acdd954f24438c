"""OGC API - Tiles: vector tiles of the shipped data on both backends, checked with an independent decoder.

Tiles are decoded by tests/helpers/mvt_decode.py (the protobuf read by hand, neither
mapbox-vector-tile nor PostGIS) and converted back to longitude/latitude with the Web Mercator
formulas; the expected features are found by brute force (shapely on the stored lon/lat
geometries against the tile's box computed by hand).
"""

from __future__ import annotations

import gzip
import math

import pytest
import shapely
from fastapi.testclient import TestClient

from geozones.api.app import create_app
from geozones.api.settings import Settings
from tests.helpers.mvt_decode import decode, to_lonlat
from tests.helpers.postgis_server import new_schema
from tests.helpers.tools import DATA

MVT = "application/vnd.mapbox-vector-tile"
TILES = "/collections/{}/tiles/WebMercatorQuad/{}/{}/{}"


def lonlat_box(z: int, x: int, y: int, pad_units: float = 0.0) -> shapely.Polygon:
    """Tile z/x/y (XYZ) in lon/lat, optionally grown by tile units of a 4096 extent (hand formulas)."""
    n = 2**z

    def lon(t):
        return t / n * 360.0 - 180.0

    def lat(t):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * t / n))))

    p = pad_units / 4096
    return shapely.box(lon(x - p), lat(y + 1 + p), lon(x + 1 + p), lat(y - p))


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


@pytest.fixture(params=["geopackage", "postgis"])
def backend(request, store):
    if request.param == "geopackage":
        yield store
        return
    from geozones.store.postgis import PostGISStore

    pg = PostGISStore(request.getfixturevalue("postgis_url"), schema=new_schema(), data_dir=DATA).ensure()
    yield pg
    getattr(pg, "close", lambda: None)()


@pytest.fixture
def client(backend):
    return TestClient(create_app(Settings(), store=backend))


def _tile(client, layer, z, x, y) -> list[dict]:
    response = client.get(TILES.format(layer, z, y, x))
    if response.status_code == 204:
        return []
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MVT
    layers = decode(response.content)
    assert set(layers) == {layer}
    assert layers[layer]["extent"] == 4096 and layers[layer]["version"] == 2
    return layers[layer]["features"]


def _check_tile(client, frame, layer: str, z: int, x: int, y: int) -> int:
    """The tile holds exactly the features of its box (its buffer allowed), with their shapes and attributes."""
    features = _tile(client, layer, z, x, y)
    box, padded = lonlat_box(z, x, y), lonlat_box(z, x, y, 64)
    geoms = frame.geometry.to_crs(4326).values
    unit_deg = 360.0 / 2**z / 4096
    # features bigger than a tile unit inside the tile must be there; none from outside the buffer
    must = {
        frame["id"].iloc[i] if "id" in frame else i
        for i, g in enumerate(geoms)
        if g is not None
        and g.intersects(box)
        and max(g.bounds[2] - g.bounds[0], g.bounds[3] - g.bounds[1]) > 2 * unit_deg
    }
    may = {
        frame["id"].iloc[i] if "id" in frame else i
        for i, g in enumerate(geoms)
        if g is not None and g.intersects(padded)
    }
    key = "id" if "id" in frame else "name"
    got = [f["properties"].get(key) for f in features]
    assert len(got) == len(set(got))
    if key == "id":
        assert must <= set(got) <= may, (z, x, y)
        by_id = {f["properties"]["id"]: f for f in features}
        stored = frame.set_index("id")
        for zone_id in list(must)[:25]:
            decoded = to_lonlat(by_id[zone_id]["geometry"], z, x, y)
            original = stored.loc[zone_id, "geometry"]
            # the shape within the tile, to quantisation and half-pixel simplification (a few tile units)
            drift = shapely.hausdorff_distance(decoded.intersection(box), original.intersection(box))
            assert drift < 12 * unit_deg, (zone_id, z, drift / unit_deg)
            for column in ("name", "kind", "status"):
                assert by_id[zone_id]["properties"][column] == stored.loc[zone_id, column]
            assert "sources" not in by_id[zone_id]["properties"]  # long text stays in the items
    else:
        assert len(got) >= 1
    return len(features)


def test_zone_tiles_hold_the_zones_of_their_box(client, backend):
    zones = backend.zones()
    centroids = zones.geometry.dropna().to_crs(4326).representative_point()
    checked = set()
    for z in (8, 11, 14):
        for point in centroids.iloc[:: max(1, len(zones) // 4)]:
            x, y = tile_of(point.x, point.y, z)
            if (z, x, y) not in checked:
                checked.add((z, x, y))
                assert _check_tile(client, zones, "zones", z, x, y) >= 1
    assert len(checked) >= 6


def test_boundary_tile_is_clipped_to_its_box(client, backend):
    provinces = backend.layer("boundaries_provinces")
    point = provinces.geometry.to_crs(4326).iloc[0].representative_point()
    z = 10
    x, y = tile_of(point.x, point.y, z)
    features = _tile(client, "boundaries_provinces", z, x, y)
    assert features
    box = lonlat_box(z, x, y, 64)
    for feature in features:
        shape = to_lonlat(feature["geometry"], z, x, y)
        assert box.buffer(1e-9).contains(shape)  # clipped to the tile and its buffer
    covered = sum(to_lonlat(f["geometry"], z, x, y).intersection(lonlat_box(z, x, y)).area for f in features)
    expected = provinces.geometry.to_crs(4326).union_all().intersection(lonlat_box(z, x, y)).area
    assert covered == pytest.approx(expected, rel=0.02)


def test_empty_and_outside_tiles(client):
    assert client.get(TILES.format("zones", 12, 0, 0)).status_code == 204
    assert client.get(TILES.format("zones", 3, 8, 0)).status_code == 404  # row beyond the 8x8 matrix
    assert client.get(TILES.format("zones", 17, 0, 0)).status_code in (404, 422, 400)
    assert client.get("/collections/zones/tiles/WorldCRS84Quad/3/0/0").status_code == 404
    assert client.get("/collections/nope/tiles/WebMercatorQuad/3/0/0").status_code == 404


def test_tile_after_an_edit(client, backend):
    zones = backend.zones().dropna(subset=["geometry"])
    zone_id = zones["id"].iloc[0]
    original = zones.geometry.iloc[0]
    point = zones.geometry.to_crs(4326).iloc[0].representative_point()
    x, y = tile_of(point.x, point.y, 14)
    before = {f["properties"]["id"]: f for f in _tile(client, "zones", 14, x, y)}
    assert zone_id in before
    # move the zone 0.3 degrees east (out of this z14 tile) and rename it
    moved = shapely.affinity.translate(original, xoff=0.3)
    feature = {"type": "Feature", "properties": {"name": "Khu mới"}, "geometry": shapely.geometry.mapping(moved)}
    backend.update_zone(zone_id, feature, if_match=None, actor="test")
    after = {f["properties"]["id"]: f for f in _tile(client, "zones", 14, x, y)}
    assert zone_id not in after
    nx, ny = tile_of(point.x + 0.3, point.y, 14)
    there = {f["properties"]["id"]: f for f in _tile(client, "zones", 14, nx, ny)}
    assert there[zone_id]["properties"]["name"] == "Khu mới"


def test_metadata_and_tile_matrix_set(client):
    listing = client.get("/tileMatrixSets").json()
    assert [t["id"] for t in listing["tileMatrixSets"]] == ["WebMercatorQuad"]
    tms = client.get("/tileMatrixSets/WebMercatorQuad").json()
    assert tms["id"] == "WebMercatorQuad" and len(tms["tileMatrices"]) >= 17
    assert tms["tileMatrices"][0]["matrixWidth"] == 1
    meta = client.get("/collections/zones/tiles/WebMercatorQuad").json()
    assert meta["dataType"] == "vector"
    assert meta["tileMatrixSetURI"] == "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
    assert meta["attribution"] and meta["license"]
    template = next(x for x in meta["links"] if x["rel"] == "item")
    assert template["type"] == MVT and template["href"].endswith("/{tileMatrix}/{tileRow}/{tileCol}")
    z8 = next(lim for lim in meta["tileMatrixSetLimits"] if lim["tileMatrix"] == "8")
    zones = client.get("/collections/zones/items?limit=1000").json()["features"]
    for f in zones:  # every zone lies within the announced tiles (hand formula)
        if f["geometry"] is None:
            continue
        lon, lat = shapely.geometry.shape(f["geometry"]).representative_point().coords[0]
        x, y = tile_of(lon, lat, 8)
        assert z8["minTileCol"] <= x <= z8["maxTileCol"] and z8["minTileRow"] <= y <= z8["maxTileRow"]
    assert "kind" in meta["layers"][0]["propertiesSchema"]["properties"]
    provinces = client.get("/collections/boundaries_provinces/tiles/WebMercatorQuad").json()
    assert "CC BY-SA" in provinces["license"]
    assert any(x["rel"].endswith("tilesets-vector") for x in client.get("/collections/zones").json()["links"])
    assert "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt" in client.get("/conformance").json()["conformsTo"]


def test_tile_etag_304_and_gzip(client, backend):
    point = backend.layer("boundaries_districts").geometry.to_crs(4326).representative_point().iloc[0]
    x, y = tile_of(point.x, point.y, 8)
    url = TILES.format("boundaries_districts", 8, y, x)
    request = client.build_request("GET", url, headers={"Accept-Encoding": "gzip"})
    packed = client.send(request, stream=True)
    raw = b"".join(packed.iter_raw())
    packed.close()
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert len(plain.content) > 1024  # smaller tiles go uncompressed
    assert packed.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert gzip.decompress(raw) == plain.content and decode(plain.content)["boundaries_districts"]["features"]
    etag = plain.headers["etag"]
    assert packed.headers["etag"] == etag and not etag.startswith("W/")
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_geopackage_and_postgis_tiles_agree(store, request):
    """The same shipped zones give tiles with the same features on both backends."""
    from geozones.store.postgis import PostGISStore

    pg = PostGISStore(request.getfixturevalue("postgis_url"), schema=new_schema(), data_dir=DATA).ensure()
    a, b = TestClient(create_app(Settings(), store=store)), TestClient(create_app(Settings(), store=pg))
    point = store.zones().geometry.dropna().to_crs(4326).representative_point().iloc[3]
    for z in (8, 12):
        x, y = tile_of(point.x, point.y, z)
        fa = {f["properties"]["id"]: f for f in _tile(a, "zones", z, x, y)}
        fb = {f["properties"]["id"]: f for f in _tile(b, "zones", z, x, y)}
        assert set(fa) == set(fb) and fa
        for zone_id in fa:
            ga, gb = fa[zone_id]["geometry"], fb[zone_id]["geometry"]
            assert shapely.hausdorff_distance(ga, gb) < 12  # tile units


QGIS_MARKER = "/usr/lib/python3/dist-packages/qgis/core/__init__.py"


def test_qgis_loads_and_renders_the_vector_tiles(store):
    """Real QGIS 3.22 (headless) reads the XYZ template of a live server as a vector tile layer and draws it."""
    import json
    import subprocess

    from tests.helpers.apiserver import live_server
    from tests.helpers.tools import ROOT, require_tool

    require_tool("python3-qgis", QGIS_MARKER)
    zones = store.zones().dropna(subset=["geometry"]).to_crs(4326)
    west, south, east, north = zones.total_bounds
    with live_server(store.path) as url:
        template = f"{url}/collections/zones/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}"

        def render(*box: float) -> dict:
            done = subprocess.run(
                ["/usr/bin/python3", str(ROOT / "tests" / "helpers" / "qgis_vector_tiles.py"), template]
                + [str(v) for v in box],
                capture_output=True,
                text=True,
                timeout=180,
                env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": "/tmp"},
            )
            assert done.returncode == 0, done.stderr
            return json.loads(done.stdout.strip().splitlines()[-1])

        seen = render(west, south, east, north)
        sea = render(110.0, 15.0, 110.5, 15.5)  # the South China Sea: no zone there
    assert seen["valid"] and seen["crs"] == "EPSG:3857", seen
    assert seen["painted"] > 50, seen  # QGIS fetched, decoded and drew the zones
    assert sea["valid"] and sea["painted"] == 0, sea
    assert not seen["errors"], seen


def test_a_burst_of_cold_tiles_waits_then_gets_429(store):
    import threading

    app = create_app(Settings(tile_workers=1, tile_wait_s=0.2), store=store)
    held = threading.BoundedSemaphore(1)
    app.state.tile_slots = (held, 0.2)
    client = TestClient(app)
    url = TILES.format("boundaries_provinces", 6, 28, 50)
    held.acquire()  # another render holds the only slot
    try:
        busy = client.get(url)
        assert busy.status_code == 429 and "render slot" in busy.text
    finally:
        held.release()
    assert client.get(url).status_code in (200, 204)
