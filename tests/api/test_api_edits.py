"""Editing through the API: OGC API Part 4 routes, ETags, history, keys and roles, limits, CORS, injection."""

from __future__ import annotations

import socket
import threading
import time

import geopandas as gpd
import httpx
import pytest
import shapely
from fastapi.testclient import TestClient

from geozones.api.app import create_app
from geozones.api.settings import Settings
from geozones.store import GeoPackageStore
from geozones.store.keys import create_key
from tests.helpers import zonefactory as zf
from tests.helpers.postgis_server import new_schema

N_ZONES = 12
ITEMS = "/collections/zones/items"


class Env:
    """A store, keys of each role and a client for one backend."""

    def __init__(self, store, keys_file, **settings):
        self.store = store
        self.keys_file = keys_file
        self.keys = {role: create_key(role, f"{role} user", keys_file)[0] for role in ("viewer", "editor", "admin")}
        self.settings = Settings(keys_file=keys_file, **settings)
        self.app = create_app(self.settings, store=store)
        self.client = TestClient(self.app)

    def auth(self, role: str | None, **headers) -> dict:
        return ({"X-API-Key": self.keys[role]} if role else {}) | headers

    def etag(self, zone_id: str) -> str:
        return self.store.get_zone(zone_id).etag


def _store(kind, request, tmp_path):
    root = zf.data_dir(tmp_path / "data", N_ZONES)
    if kind == "geopackage":
        store = GeoPackageStore(tmp_path / "store.gpkg", data_dir=root).ensure()
    else:
        from geozones.store.postgis import PostGISStore

        store = PostGISStore(request.getfixturevalue("postgis_url"), schema=new_schema(), data_dir=root).ensure()
    roads = gpd.GeoDataFrame(
        {"name": ["QL3"]}, geometry=[shapely.LineString([(105.8, 22.1), (105.9, 22.2)])], crs="EPSG:4326"
    )
    store.write_layer("infrastructure_roads", roads)  # a read-only collection
    return store


@pytest.fixture(params=["geopackage", "postgis"])
def env(request, tmp_path):
    store = _store(request.param, request, tmp_path)
    yield Env(store, tmp_path / "keys.json")
    getattr(store, "close", lambda: None)()


@pytest.fixture
def gpkg_env(request, tmp_path):
    """GeoPackage only, for behaviour that does not depend on the backend."""

    def make(**settings):
        return Env(_store("geopackage", request, tmp_path), tmp_path / f"keys-{len(settings)}.json", **settings)

    return make


# --- the auth matrix: every write route x (no key / too low a role / the right role) -------------------


def _routes(env: Env):
    """(name, role needed, function(headers) -> response) for every write route, each ready to succeed."""
    c = env.client

    def create(h):
        return c.post(ITEMS, json=zf.feature(900), headers=h)

    def replace(h):
        return c.put(
            f"{ITEMS}/test-000001",
            json=zf.feature(1, investor="PUT"),
            headers=h | {"If-Match": env.etag("test-000001")},
        )

    def update(h):
        return c.patch(
            f"{ITEMS}/test-000002",
            json={"properties": {"occupancy_pct": 12.5}},
            headers=h | {"If-Match": env.etag("test-000002")},
        )

    def delete(h):
        return c.delete(f"{ITEMS}/test-000003", headers=h | {"If-Match": env.etag("test-000003")})

    env.store.update_zone("test-000004", {"properties": {"investor": "v1"}}, if_match=None, actor="setup")

    def restore(h):
        return c.post(f"{ITEMS}/test-000004/history/0/restore", headers=h | {"If-Match": env.etag("test-000004")})

    def key_create(h):
        return c.post("/keys", json={"role": "viewer", "name": "new"}, headers=h)

    def key_list(h):
        return c.get("/keys", headers=h)

    spare = create_key("viewer", "to revoke", env.keys_file)[1].id

    def key_revoke(h):
        return c.delete(f"/keys/{spare}", headers=h)

    return [
        ("create", "editor", create, 201),
        ("replace", "editor", replace, 200),
        ("update", "editor", update, 200),
        ("delete", "editor", delete, 204),
        ("restore", "editor", restore, 200),
        ("key_create", "admin", key_create, 201),
        ("key_list", "admin", key_list, 200),
        ("key_revoke", "admin", key_revoke, 204),
    ]


def test_auth_matrix_for_every_write_route(env):
    for name, needed, call, ok in _routes(env):
        before = env.store.version()
        response = call(env.auth(None))
        assert response.status_code == 401, name
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "needs an API key with the " + needed in response.json()["description"]
        lower = ["viewer"] if needed == "editor" else ["viewer", "editor"]
        for role in lower:
            response = call(env.auth(role))
            assert response.status_code == 403, (name, role)
            assert f"has the {role} role; this request needs {needed}" in response.json()["description"]
        assert env.store.version() == before, name  # refused requests changed nothing
        response = call(env.auth(needed))
        assert response.status_code == ok, (name, response.text)
    # admins may do what editors may
    response = env.client.patch(
        f"{ITEMS}/test-000005",
        json={"properties": {"investor": "admin"}},
        headers=env.auth("admin", **{"If-Match": env.etag("test-000005")}),
    )
    assert response.status_code == 200


def test_bearer_token_wrong_and_revoked_keys(gpkg_env):
    env = gpkg_env()
    patch = {"properties": {"investor": "x"}}

    def send(headers):
        return env.client.patch(
            f"{ITEMS}/test-000001", json=patch, headers=headers | {"If-Match": env.etag("test-000001")}
        )

    assert send({"Authorization": f"Bearer {env.keys['editor']}"}).status_code == 200
    assert send({"Authorization": f"Basic {env.keys['editor']}"}).status_code == 401
    assert send({"X-API-Key": env.keys["editor"][:-2] + "xx"}).json()["code"] == "Unauthorized"
    assert send({"X-API-Key": "' OR 1=1 --"}).status_code == 401
    key_id = env.keys["editor"].split("_")[1]
    assert env.client.delete(f"/keys/{key_id}", headers=env.auth("admin")).status_code == 204
    assert send(env.auth("editor")).status_code == 401  # revoked at once
    created = env.client.post("/keys", json={"role": "editor", "name": "Phòng QLĐT"}, headers=env.auth("admin"))
    assert send({"X-API-Key": created.json()["key"]}).status_code == 200
    assert "hash" not in str(env.client.get("/keys", headers=env.auth("admin")).json())
    stored = env.keys_file.read_text()
    assert created.json()["key"] not in stored and env.keys["admin"] not in stored  # only hashes on disk


def test_no_keys_configured_says_how_to_make_one(gpkg_env, tmp_path):
    env = gpkg_env()
    env.keys_file.unlink()
    response = env.client.post(ITEMS, json=zf.feature(901))
    assert response.status_code == 401 and "geozones keys create" in response.json()["description"]


# --- Part 4 behaviour -------------------------------------------------------------------------------------


def test_create_answers_location_and_etag(env):
    response = env.client.post(ITEMS, json=zf.feature(902), headers=env.auth("editor"))
    assert response.status_code == 201
    assert response.headers["location"].endswith(f"{ITEMS}/test-000902")
    assert response.headers["etag"] == env.etag("test-000902")
    body = response.json()
    assert body["type"] == "Feature" and body["id"] == "test-000902"
    assert shapely.geometry.shape(body["geometry"]).equals_exact(zf.grid_square(902), tolerance=1e-9)
    again = env.client.post(ITEMS, json=zf.feature(902), headers=env.auth("editor"))
    assert again.status_code == 409 and "already exists" in again.json()["description"]


def test_if_match_required_and_checked(env):
    seen = env.etag("test-000006")
    no_tag = env.client.patch(
        f"{ITEMS}/test-000006", json={"properties": {"investor": "a"}}, headers=env.auth("editor")
    )
    assert no_tag.status_code == 428 and "If-Match" in no_tag.json()["description"]
    first = env.client.patch(
        f"{ITEMS}/test-000006",
        json={"properties": {"investor": "Alice's"}},
        headers=env.auth("editor", **{"If-Match": seen}),
    )
    second = env.client.patch(
        f"{ITEMS}/test-000006",
        json={"properties": {"investor": "Bob's"}},
        headers=env.auth("editor", **{"If-Match": seen}),
    )
    assert first.status_code == 200 and second.status_code == 412
    assert second.json()["code"] == "PreconditionFailed"
    assert env.store.get_zone("test-000006").properties["investor"] == "Alice's"
    for method in ("put", "delete"):
        kwargs = {"json": zf.feature(6)} if method == "put" else {}
        response = getattr(env.client, method)(f"{ITEMS}/test-000006", headers=env.auth("editor"), **kwargs)
        assert response.status_code == 428


def test_only_zones_are_editable(env):
    response = env.client.post(
        "/collections/infrastructure_roads/items", json=zf.feature(903), headers=env.auth("editor")
    )
    assert response.status_code == 405 and "read-only" in response.json()["description"]
    assert env.client.delete("/collections/nothing/items/x", headers=env.auth("editor")).status_code == 404


def test_bad_bodies_are_400_or_415(env):
    h = env.auth("editor")
    assert (
        env.client.post(ITEMS, content=b"{not json", headers=h | {"Content-Type": "application/json"}).status_code
        == 400
    )
    assert env.client.post(ITEMS, content=b"<xml/>", headers=h | {"Content-Type": "application/xml"}).status_code == 415
    assert env.client.post(ITEMS, json=[1, 2], headers=h).status_code == 400
    bad = zf.feature(904, status="almost done")
    response = env.client.post(ITEMS, json=bad, headers=h)
    assert response.status_code == 400 and "status must be one of" in response.json()["description"]


def test_invalid_geometry_400_unless_repair(env):
    feature = zf.feature(905)
    feature["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[105.80, 22.10], [105.81, 22.11], [105.81, 22.10], [105.80, 22.11], [105.80, 22.10]]],
    }
    refused = env.client.post(ITEMS, json=feature, headers=env.auth("editor"))
    assert refused.status_code == 400
    assert "Self-intersection" in refused.json()["description"] and "repair=true" in refused.json()["description"]
    repaired = env.client.post(f"{ITEMS}?repair=true", json=feature, headers=env.auth("editor"))
    assert repaired.status_code == 201 and repaired.json()["geometry"]["type"] == "MultiPolygon"


def test_content_crs_vn2000(env):
    square = gpd.GeoSeries([zf.grid_square(906)], crs="EPSG:4326").to_crs(9215).iloc[0]
    feature = zf.feature(906)
    feature["geometry"] = shapely.geometry.mapping(square)
    response = env.client.post(
        ITEMS,
        json=feature,
        headers=env.auth("editor", **{"Content-Crs": "<http://www.opengis.net/def/crs/EPSG/0/9215>"}),
    )
    assert response.status_code == 201
    assert shapely.geometry.shape(response.json()["geometry"]).equals_exact(zf.grid_square(906), tolerance=1e-7)
    bad = env.client.post(ITEMS, json=zf.feature(907), headers=env.auth("editor", **{"Content-Crs": "EPSG 9215"}))
    assert bad.status_code == 400


def test_history_and_restore_over_http(env):
    original = env.etag("test-000007")
    patched = env.client.patch(
        f"{ITEMS}/test-000007",
        json={"properties": {"occupancy_pct": 33, "status": "operating"}},
        headers=env.auth("editor", **{"If-Match": original}),
    )
    history = env.client.get(f"{ITEMS}/test-000007/history").json()["versions"]
    assert len(history) == 1
    entry = history[0]
    assert entry["op"] == "update" and entry["actor"].startswith("editor user [")
    assert entry["changed"] == ["occupancy_pct", "status"]
    assert entry["before"]["properties"]["status"] == "planned" and entry["after"]["properties"]["occupancy_pct"] == 33
    assert (entry["etag_before"], entry["etag_after"]) == (original, patched.headers["etag"])
    version0 = env.client.get(f"{ITEMS}/test-000007/history/0")
    assert version0.status_code == 200 and version0.headers["etag"] == original
    restored = env.client.post(
        f"{ITEMS}/test-000007/history/0/restore", headers=env.auth("editor", **{"If-Match": patched.headers["etag"]})
    )
    assert restored.status_code == 200 and restored.headers["etag"] == original == env.etag("test-000007")
    changes = env.client.get("/collections/zones/history?limit=5").json()["changes"]
    assert [c["op"] for c in changes[:2]] == ["restore", "update"]
    assert env.client.get(f"{ITEMS}/no-such-zone/history").status_code == 404
    assert env.client.get(f"{ITEMS}/test-000007/history/9").status_code == 404


def test_deleted_zone_restored_without_if_match(env):
    etag = env.etag("test-000008")
    assert (
        env.client.delete(f"{ITEMS}/test-000008", headers=env.auth("editor", **{"If-Match": etag})).status_code == 204
    )
    back = env.client.post(f"{ITEMS}/test-000008/history/0/restore", headers=env.auth("editor"))
    assert back.status_code == 200 and back.headers["etag"] == etag


# --- limits, CORS, closed reads -----------------------------------------------------------------------------


def test_write_rate_limit(gpkg_env):
    env = gpkg_env(write_burst=3, write_rate_per_minute=1)
    codes = []
    for i in range(5):
        codes.append(env.client.post(ITEMS, json=zf.feature(910 + i), headers=env.auth("editor")).status_code)
    assert codes == [201, 201, 201, 429, 429]
    limited = env.client.post(ITEMS, json=zf.feature(920), headers=env.auth("editor"))
    assert int(limited.headers["retry-after"]) >= 1 and "too many writes" in limited.json()["description"]
    assert env.client.post(ITEMS, json=zf.feature(921), headers=env.auth("admin")).status_code == 201  # per key
    assert env.client.get(f"{ITEMS}/test-000001/history").status_code == 200  # reads are not limited


def test_request_size_limit(gpkg_env):
    env = gpkg_env(max_upload_bytes=2000)
    big = zf.feature(930, notes="x" * 5000)
    response = env.client.post(ITEMS, json=big, headers=env.auth("editor"))
    assert response.status_code == 413 and "2000 bytes" in response.json()["description"]

    def chunks():  # no Content-Length: counted while streaming
        yield b'{"type": "Feature", "properties": {"notes": "'
        for _ in range(10):
            yield b"y" * 500
        yield b'"}}'

    streamed = env.client.post(
        ITEMS, content=chunks(), headers=env.auth("editor", **{"Content-Type": "application/geo+json"})
    )
    assert streamed.status_code == 413
    assert "test-000930" not in set(env.store.zones()["id"])


def test_cors_restricted_to_configured_origins(gpkg_env):
    env = gpkg_env(cors_origins=["https://investors.example.vn"])
    preflight = {"Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "if-match,x-api-key"}
    ok = env.client.options(f"{ITEMS}/test-000001", headers={"Origin": "https://investors.example.vn"} | preflight)
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://investors.example.vn"
    evil = env.client.options(f"{ITEMS}/test-000001", headers={"Origin": "https://evil.example"} | preflight)
    assert "access-control-allow-origin" not in evil.headers
    simple = env.client.get(f"{ITEMS}/test-000001/history", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_reads_can_be_closed(gpkg_env):
    env = gpkg_env(read_requires_key=True)
    assert env.client.get(f"{ITEMS}/test-000001/history").status_code == 401
    assert env.client.get(f"{ITEMS}/test-000001/history", headers=env.auth("viewer")).status_code == 200
    assert env.client.get("/health").status_code == 200


# --- injection through ids, filters and sort parameters --------------------------------------------------------

NASTY = ["x' OR '1'='1", "'; DROP TABLE zones; --", "test-000001' --", "..%2F..%2Fetc%2Fpasswd", "%25", "*"]


@pytest.mark.parametrize("zone_id", NASTY)
def test_injection_in_ids(env, zone_id):
    before = env.store.zones().to_wkb(hex=True).to_json()
    h = env.auth("editor", **{"If-Match": '"x"'})
    assert env.client.patch(f"{ITEMS}/{zone_id}", json={"properties": {"investor": "x"}}, headers=h).status_code == 404
    assert env.client.delete(f"{ITEMS}/{zone_id}", headers=h).status_code == 404
    assert env.client.get(f"{ITEMS}/{zone_id}/history").status_code == 404
    assert env.client.post(f"/collections/{zone_id}/items", json=zf.feature(940), headers=h).status_code == 404
    assert env.store.zones().to_wkb(hex=True).to_json() == before and env.store.history() == []


@pytest.mark.parametrize(
    "params",
    [
        {"filter": "id = 'x' OR 1=1; DROP TABLE zones; --"},
        {"filter": "name LIKE '%' UNION SELECT * FROM sqlite_master --", "filter-lang": "cql2-text"},
        {"sortby": "id; DROP TABLE zones"},
        {"sortby": "-name,(SELECT 1)"},
        {"limit": "1; DROP TABLE zones"},
        {"bbox": "0,0,1,1); DROP TABLE zones; --"},
    ],
)
def test_injection_in_filters_and_sort(env, params):
    response = env.client.get(ITEMS, params=params)
    assert response.status_code in (200, 400), response.text
    assert len(env.store.zones()) == N_ZONES and "zones" in env.store.layers()


# --- a real server: concurrent editors and readers ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live(request, tmp_path):
    import uvicorn

    kind = request.param
    store = _store(kind, request, tmp_path)
    env = Env(store, tmp_path / "keys.json", write_burst=100_000)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(env.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield env, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)
    getattr(store, "close", lambda: None)()


@pytest.mark.parametrize("live", ["geopackage", "postgis"], indirect=True)
def test_concurrent_http_editors_and_readers(live):
    """8 editors x 40 PATCHes with If-Match chains over real HTTP while a reader polls: nothing lost, reads answer."""
    env, url = live
    errors, reads = [], []
    stop = threading.Event()

    def editor(i: int) -> None:
        zone_id = f"test-{i:06d}"
        with httpx.Client(base_url=url, headers=env.auth("editor"), timeout=60) as client:
            etag = env.etag(zone_id)
            for k in range(1, 41):
                # an attribute that does not move the zone (placement edits: tests/api/test_api_placement.py)
                response = client.patch(
                    f"{ITEMS}/{zone_id}", json={"properties": {"occupancy_pct": k}}, headers={"If-Match": etag}
                )
                if response.status_code != 200:
                    errors.append(response.text)
                    return
                etag = response.headers["etag"]

    def reader() -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            while not stop.is_set():
                response = client.get("/health")
                reads.append(response.status_code)

    threads = [threading.Thread(target=editor, args=(i,)) for i in range(8)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watcher.join()
    assert not errors
    assert reads and set(reads) == {200}
    zones = env.store.zones().set_index("id")
    for i in range(8):
        assert zones.loc[f"test-{i:06d}", "occupancy_pct"] == 40
        assert len(env.store.history(f"test-{i:06d}")) == 40


def test_write_etag_matches_the_read_route(env):
    """The ETag a write answers is the one GET /collections/zones/items/{id} gives for the stored zone."""
    patched = env.client.patch(
        f"{ITEMS}/test-000009",
        json={"properties": {"occupancy_pct": 71.5}},
        headers=env.auth("editor", **{"If-Match": env.etag("test-000009")}),
    )
    read = env.client.get(f"{ITEMS}/test-000009")
    assert read.status_code == 200 and read.json()["properties"]["occupancy_pct"] == 71.5
    assert read.headers["etag"] == patched.headers["etag"]
    # a client can take the ETag from the read route and write with it
    again = env.client.patch(
        f"{ITEMS}/test-000009",
        json={"properties": {"occupancy_pct": 72}},
        headers=env.auth("editor", **{"If-Match": read.headers["etag"]}),
    )
    assert again.status_code == 200
    created = env.client.post(ITEMS, json=zf.feature(950), headers=env.auth("editor"))
    assert (
        env.client.get(created.headers["location"].replace("http://testserver", "")).headers["etag"]
        == created.headers["etag"]
    )
    assert env.client.get(f"{ITEMS}/test-000009", headers={"If-None-Match": again.headers["etag"]}).status_code == 304
