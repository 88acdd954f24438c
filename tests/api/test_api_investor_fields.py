"""The optional investor fields: in the schema, filled through the edit API only with a published source,
shown everywhere else as "not published"; an older GeoPackage store gets the columns."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient

from geozones.errors import ZoneValidationError
from geozones.schema import INVESTOR_FIELD_NAMES, validate_zones
from tests.helpers.tools import require_module
from tests.helpers.zonefactory import bac_kan_squares

require_module("babel")  # the catalogues are compiled with Babel


ITEMS = "/collections/zones/items"
PRICE = {
    "land_price": 45.0,
    "land_price_currency": "USD",
    "land_price_unit": "m2",
    "land_price_period": "lease_term",
    "power_capacity_mva": 63.0,
    "contact": "Ban Quản lý các KCN tỉnh",
    "investor_info_sources": "https://example.org/brochure-2025.pdf",
}


def test_schema_needs_a_published_source_and_a_complete_price():
    zones = bac_kan_squares()
    ok = validate_zones(zones.assign(**{k: [v, None, None] for k, v in PRICE.items()}))
    assert ok.loc[0, "land_price"] == 45.0 and ok.loc[1, "land_price"] != ok.loc[1, "land_price"]  # NaN
    assert set(INVESTOR_FIELD_NAMES) <= set(ok.columns)
    with pytest.raises(ZoneValidationError, match="investor_info_sources"):
        validate_zones(zones.assign(power_capacity_mva=[40.0, None, None]))
    with pytest.raises(ZoneValidationError, match="land_price_period"):
        validate_zones(zones.assign(**{k: [v] * 3 for k, v in PRICE.items() if k != "land_price_period"}))
    with pytest.raises(ZoneValidationError, match="land_price_currency"):
        validate_zones(zones.assign(**{**{k: [v] * 3 for k, v in PRICE.items()}, "land_price_currency": ["EUR"] * 3}))


@pytest.fixture
def editor(store, tmp_path):
    from geozones.api.app import create_app
    from geozones.api.settings import Settings
    from geozones.store.keys import create_key

    keys = tmp_path / "keys.json"
    key = create_key("editor", "provincial office", keys)[0]
    client = TestClient(create_app(Settings(store=store.path, keys_file=keys), store=store))
    return client, {"X-API-Key": key}


def test_edit_api_fills_the_fields_and_the_pages_show_them(editor):
    client, auth = editor
    site = "bk-ccn-cam-giang"
    before = client.get("/maps/compare", params={"ids": f"{site},ls-kcn-hong-phong", "lang": "en", "f": "csv"}).text
    assert "Land rent / price,not published,not published" in before
    no_source = {k: v for k, v in PRICE.items() if k != "investor_info_sources"}
    auth = auth | {"If-Match": client.get(f"{ITEMS}/{site}").headers["ETag"]}
    refused = client.patch(f"{ITEMS}/{site}", json={"properties": no_source}, headers=auth)
    assert refused.status_code == 400 and "investor_info_sources" in refused.json()["description"]
    done = client.patch(f"{ITEMS}/{site}", json={"properties": PRICE}, headers=auth)
    assert done.status_code == 200, done.text
    assert client.get(f"{ITEMS}/{site}").json()["properties"]["land_price"] == 45.0
    text = client.get("/maps/compare", params={"ids": f"{site},ls-kcn-hong-phong", "lang": "en", "f": "csv"}).text
    rows = {r[0]: r[1:] for r in csv.reader(io.StringIO(text.lstrip("\ufeff")))}
    assert rows["Land rent / price"] == ["45 USD per m², once for the whole lease term", "not published"]
    assert rows["Power supply capacity"] == ["63 MVA", "not published"]
    sheet = client.get(f"{ITEMS}/{site}/factsheet", params={"lang": "ko", "f": "html"}).text
    assert "45 USD" in sheet and "임대 기간 전체 일시불" in sheet and "https://example.org/brochure-2025.pdf" in sheet


def test_an_older_geopackage_store_gets_the_new_columns(built_store, tmp_path):
    from geozones.store import GeoPackageStore

    path = tmp_path / "old.gpkg"
    shutil.copyfile(built_store.path, path)
    with sqlite3.connect(path) as db:  # a store written before the investor fields existed
        for name in INVESTOR_FIELD_NAMES:
            db.execute(f'ALTER TABLE zones DROP COLUMN "{name}"')
    store = GeoPackageStore(path).ensure()
    zone = store.get_zone("bk-ccn-cam-giang")
    store.update_zone(zone.id, {"properties": PRICE}, if_match=zone.etag, actor="test")
    frame = gpd.read_file(path, layer="zones")
    assert set(INVESTOR_FIELD_NAMES) <= set(frame.columns)
    assert frame.loc[frame["id"] == "bk-ccn-cam-giang", "land_price"].iloc[0] == 45.0


@pytest.mark.postgis
def test_postgis_store_keeps_the_fields(request, tmp_path):
    from geozones.store.postgis import PostGISStore
    from tests.helpers import zonefactory as zf
    from tests.helpers.postgis_server import new_schema

    url = request.getfixturevalue("postgis_url")
    store = PostGISStore(url, schema=new_schema(), data_dir=zf.data_dir(tmp_path / "data", 2)).ensure()
    zone_id = store.zones()["id"].iloc[0]
    zone = store.get_zone(zone_id)
    store.update_zone(zone_id, {"properties": PRICE}, if_match=zone.etag, actor="test")
    row = store.zones().set_index("id").loc[zone_id]
    assert row["land_price"] == 45.0 and row["land_price_period"] == "lease_term"
    assert row["investor_info_sources"] == PRICE["investor_info_sources"]
