"""Register interest: anonymous, rate-limited and size-limited inquiries stored on both backends, read and
exported (formula cells neutralised) only with an editor key."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from tests.helpers.tools import require_module

require_module("babel")

FORMULA = '=HYPERLINK("http://evil.example","click")'
SCRIPT = "<img src=x onerror=alert(1)>"


def _client(store, tmp_path, **settings):
    from geozones.api.app import create_app
    from geozones.api.settings import Settings
    from geozones.store.keys import create_key

    keys = tmp_path / "keys.json"
    key = create_key("editor", "provincial office", keys)[0]
    path = {"store": store.path} if hasattr(store, "path") else {}
    client = TestClient(create_app(Settings(keys_file=keys, **path, **settings), store=store))
    return client, {"X-API-Key": key}


def _inquiry(**extra):
    return {
        "zone_ids": ["ls-kcn-hong-phong"],
        "company": FORMULA,
        "contact": "+84 20 5381 0000",
        "sector": "@SUM(1+1)",
        "land_ha": 20,
        "message": SCRIPT,
        "lang": "ko",
        **extra,
    }


@pytest.fixture(params=["gpkg", "postgis"])
def any_store(request, store):
    if request.param == "gpkg":
        return store
    from geozones.store.postgis import PostGISStore
    from tests.helpers.postgis_server import new_schema

    return PostGISStore(request.getfixturevalue("postgis_url"), schema=new_schema()).ensure()


def test_an_inquiry_is_stored_and_the_editor_exports_it_neutralised(any_store, tmp_path):
    client, editor = _client(any_store, tmp_path)
    answer = client.post("/inquiries", json=_inquiry())
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["id"].startswith("inq-") and "KCN Hồng Phong" in body["message"] and "등록" in body["message"]
    # form posts (no script) work too, in Vietnamese
    form = {**_inquiry(lang="vi", zone_ids="bk-ccn-cam-giang,ls-kcn-hong-phong", company="Công ty A")}
    assert client.post("/inquiries", data=form).status_code == 201
    assert client.get("/inquiries").status_code == 401  # reading needs a key
    listed = client.get("/inquiries", headers=editor).json()
    assert listed["count"] == 2
    first = next(r for r in listed["inquiries"] if r["id"] == body["id"])
    assert first["company"] == FORMULA and first["message"] == SCRIPT and first["land_ha"] == 20.0
    assert first["lang"] == "ko" and first["zone_ids"] == "ls-kcn-hong-phong"
    by_zone = client.get("/inquiries", params={"zone": "bk-ccn-cam-giang"}, headers=editor).json()
    assert by_zone["count"] == 1 and by_zone["inquiries"][0]["company"] == "Công ty A"
    exported = client.get("/inquiries", params={"f": "csv"}, headers=editor)
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    cells = [c for r in rows[1:] for c in r]
    assert "'" + FORMULA in cells and "'@SUM(1+1)" in cells and "20.0" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_inquiries_are_checked_bounded_and_rate_limited(store, tmp_path):
    client, _ = _client(store, tmp_path, inquiry_burst=5, inquiry_per_hour=1, max_inquiry_bytes=2048)
    assert client.post("/inquiries", json=_inquiry(zone_ids=["no-such-zone"])).status_code == 400
    assert client.post("/inquiries", json=_inquiry(company="")).status_code == 400
    assert client.post("/inquiries", json=_inquiry(message="x" * 3000)).status_code == 413  # over the body limit
    assert client.post("/inquiries", json=_inquiry(land_ha=-5)).status_code == 400
    assert client.post("/inquiries", json=_inquiry(zone_ids=[])).status_code == 400
    from geozones.store.inquiries import inquiries

    assert len(inquiries(store)) == 0  # refused inquiries store nothing
    # the four checked refusals spent four of the five (the limit is per client, before the checks;
    # the oversized body is refused before it is read); one more goes through, the next waits
    assert client.post("/inquiries", json=_inquiry()).status_code == 201
    assert len(inquiries(store)) == 1
    limited = client.post("/inquiries", json=_inquiry(lang="ja"))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert "多すぎます" in limited.json()["description"]


def test_the_client_table_stays_bounded():
    from geozones.api.routers.inquiries import ClientLimiter

    limiter = ClientLimiter(per_hour=1, burst=1, clients=100)
    for n in range(1000):
        assert limiter.take(f"10.0.{n // 256}.{n % 256}") == 0.0
    assert len(limiter) == 100
    assert limiter.take("10.0.3.231") > 0  # the latest clients are remembered
