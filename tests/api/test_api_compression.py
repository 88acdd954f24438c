"""gzip for JSON and HTML answers (items, metadata, investor pages), Vary, ETag and 304 on items pages.

Bodies are decompressed with the standard library's gzip module and compared with the
uncompressed answer to the same request.
"""

from __future__ import annotations

import gzip

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient

from geozones.api.app import create_app
from geozones.api.settings import Settings
from geozones.store import GeoPackageStore


@pytest.fixture
def client(store):
    return TestClient(create_app(Settings(store=str(store.path)), store=GeoPackageStore(store.path)))


def raw_get(client: TestClient, url: str, encoding: str, **headers) -> httpx.Response:
    """GET without decoding the body (httpx would gunzip it silently)."""
    request = client.build_request("GET", url, headers={"Accept-Encoding": encoding, **headers})
    response = client.send(request, stream=True)
    response.raw_body = b"".join(response.iter_raw())  # type: ignore[attr-defined]
    response.close()
    return response


def without_time(body: bytes) -> dict:
    doc = orjson.loads(body)
    doc.pop("timeStamp", None)
    return doc


@pytest.mark.parametrize(
    "url",
    [
        "/collections",
        "/collections/zones",
        "/collections/zones/items?limit=50",
        "/collections/zones/items?limit=50&kind=CCN",
        "/collections/zones/items?limit=50&f=html",
        "/api",
    ],
)
def test_gzip_when_accepted(client, url):
    plain = raw_get(client, url, "identity")
    packed = raw_get(client, url, "gzip, deflate")
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower() and "accept-encoding" in plain.headers["vary"].lower()
    assert int(packed.headers["content-length"]) == len(packed.raw_body) < len(plain.raw_body) / 1.5
    unpacked = gzip.decompress(packed.raw_body)
    if "html" in packed.headers["content-type"]:
        assert unpacked.replace(b"\n", b"")[:200] == plain.raw_body.replace(b"\n", b"")[:200]
    else:
        assert without_time(unpacked) == without_time(plain.raw_body)


def test_gzip_refused_or_small_body_stays_plain(client):
    for refusal in ("gzip;q=0", "identity", "br;q=1, gzip;q=0", ""):
        response = raw_get(client, "/collections/zones/items?limit=50", refusal)
        assert "content-encoding" not in response.headers, refusal
        orjson.loads(response.raw_body)
    assert raw_get(client, "/collections/zones/items?limit=50", "*").headers["content-encoding"] == "gzip"
    small = raw_get(client, "/health", "gzip")
    assert len(small.raw_body) < 1024 and "content-encoding" not in small.headers


def test_investor_page_is_compressed(client):
    plain = raw_get(client, "/maps/investor", "identity")
    packed = raw_get(client, "/maps/investor", "gzip")
    assert plain.status_code == packed.status_code == 200 and "text/html" in packed.headers["content-type"]
    assert packed.headers["content-encoding"] == "gzip"
    assert gzip.decompress(packed.raw_body) == plain.raw_body


def test_streamed_large_page_is_compressed(client):
    plain = raw_get(client, "/collections/zones/items?limit=10000", "identity")
    packed = raw_get(client, "/collections/zones/items?limit=10000", "gzip")
    assert packed.headers["content-encoding"] == "gzip"
    assert without_time(gzip.decompress(packed.raw_body)) == without_time(plain.raw_body)


def test_items_etag_and_304(client, store):
    url = "/collections/zones/items?limit=20&kind=KCN"
    first = client.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": etag.removeprefix("W/")}).status_code == 304  # weak comparison
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200
    assert client.get("/collections/zones/items?limit=21&kind=KCN", headers={"If-None-Match": etag}).status_code == 200
    # an edit changes the page, so the old tag no longer matches
    zone = first.json()["features"][0]
    new = "planned" if zone["properties"]["status"] != "planned" else "operating"
    store.update_zone(zone["id"], {"properties": {"status": new}}, if_match=None, actor="test")
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["features"][0]["properties"]["status"] == new


def test_large_bodies_are_compressed_once(client):
    from geozones.api.compression import CompressionMiddleware

    first = raw_get(client, "/api", "gzip")
    middleware = client.app.middleware_stack
    while not isinstance(middleware, CompressionMiddleware):
        middleware = middleware.app
    assert len(first.raw_body) and len(middleware._packed) == 1  # remembered by content digest
    second = raw_get(client, "/api", "gzip")
    assert gzip.decompress(second.raw_body) == gzip.decompress(first.raw_body)
    assert len(middleware._packed) == 1
