"""Caching on a slow line: ETag and Cache-Control on the explorer, its data and its assets, 304 when unchanged;
the explorer's reference layers come in a second request after the page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers.tools import require_module

require_module("babel")


def _client(store, **settings):
    from geozones.api.app import create_app
    from geozones.api.settings import Settings

    return TestClient(create_app(Settings(store=store.path, **settings), store=store))


def test_pages_data_and_assets_carry_tags_and_answer_304(store):
    client = _client(store)
    page = client.get("/maps/investor", params={"lang": "en"})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-cache"
    assert len(page.content) < 200_000  # the reference layers are not in the page any more
    again = client.get("/maps/investor", params={"lang": "en"}, headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    url = page.text.split('"layers_url":"')[1].split('"')[0]
    assert url.startswith("/maps/investor/layers?v=")
    layers = client.get(url)
    assert layers.status_code == 200 and "max-age=300" in layers.headers["Cache-Control"]
    assert {"layer.roads", "layer.provinces", "layer.railways"} <= set(layers.json())
    assert client.get(url, headers={"If-None-Match": layers.headers["ETag"]}).status_code == 304
    for asset in ("/maps/static/geozones/explorer.js", "/maps/static/leaflet/leaflet.js"):
        first = client.get(asset)
        assert first.status_code == 200 and first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
        assert client.get(asset, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    # a write changes the page's tag (it is a hash of the page built for the new store version)
    zone = store.get_zone("bk-ccn-cam-giang")
    store.update_zone(zone.id, {"properties": {"name": "CCN Cẩm Giàng (mới)"}}, if_match=zone.etag, actor="test")
    changed = client.get("/maps/investor", params={"lang": "en"}, headers={"If-None-Match": page.headers["ETag"]})
    assert changed.status_code == 200 and "CCN Cẩm Giàng (mới)" in changed.text


def test_basemap_and_max_zoom_are_settings(store):
    default = _client(store).get("/maps/investor").text
    assert '"basemap":null' in default and '"max_zoom":15' in default
    configured = (
        _client(
            store,
            basemap_url="http://127.0.0.1:9/tiles/{z}/{x}/{y}.png",
            basemap_attribution="© test tiles",
            map_max_zoom=14,
        )
        .get("/maps/investor")
        .text
    )
    assert '"url":"http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"' in configured and '"max_zoom":14' in configured
    assert "© test tiles" in configured


def test_one_weak_tag_for_the_gzip_and_the_plain_representation(store):
    """The gzip middleware compresses the explorer, its layers and its scripts once (no double
    Content-Encoding); the tag is weak and the same whether gzip or not, so either revalidates with a 304
    that keeps Vary; the layers answer carries the isochrones, the page does not."""
    import gzip
    import json

    client = _client(store)
    page = client.get("/maps/investor?lang=en", headers={"Accept-Encoding": "identity"})
    layers_url = json.loads(page.text.split('id="gz-data">', 1)[1].split("</script>", 1)[0])["layers_url"]
    for url in ("/maps/investor?lang=en", layers_url, "/maps/static/geozones/explorer-core.js"):
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        packed = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert plain.status_code == packed.status_code == 200
        assert "content-encoding" not in plain.headers and packed.headers["content-encoding"] == "gzip"
        assert packed.headers["etag"] == plain.headers["etag"] and plain.headers["etag"].startswith('W/"')
        assert "Accept-Encoding" in packed.headers["vary"] and "Accept-Encoding" in plain.headers["vary"]
        raw = client.stream("GET", url, headers={"Accept-Encoding": "gzip"})
        with raw as response:
            body = b"".join(response.iter_raw())
        assert gzip.decompress(body) == plain.content  # compressed once: one gzip layer gives the plain bytes
        again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]})
        assert again.status_code == 304 and not again.content and "Accept-Encoding" in again.headers["vary"]
        if "layers" in url:
            assert "isochrones" in plain.json() and '"isochrones":null' in page.text.replace(" ", "")
