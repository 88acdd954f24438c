"""Fetched OpenStreetMap layers written through the store interface: GeoPackage and a real PostGIS."""

from __future__ import annotations

import json

import pytest

from geozones.io import fetch
from tests.helpers.fetchdata import OVERPASS, QL1A, local_settings
from tests.helpers.postgis_server import new_schema
from tests.helpers.rangeserver import RangeServer


@pytest.fixture
def server():
    srv = RangeServer()
    yield srv
    srv.close()


@pytest.fixture(params=["gpkg", "postgis"])
def any_store(request, tmp_path):
    from geozones.store import GeoPackageStore

    if request.param == "gpkg":
        return GeoPackageStore(tmp_path / "s.gpkg").ensure()
    from geozones.store.postgis import PostGISStore

    return PostGISStore(request.getfixturevalue("postgis_url"), schema=new_schema()).ensure()


def test_fetched_layers_round_trip_through_the_store(server, any_store):
    server.posts["/api/interpreter"] = [(200, json.dumps(OVERPASS).encode(), {})]
    settings = local_settings(server)
    area = fetch.area_from_bbox((106.7, 21.78, 106.8, 21.88), settings=settings)
    report = fetch.fetch_into_store(any_store, area, ["roads", "power"], settings=settings)
    assert report.layers == {"osm_roads": 2, "osm_power": 3} and report.dem is None
    roads = any_store.layer("osm_roads").set_index("id")
    assert roads.crs.to_epsg() == 4326
    assert [tuple(round(v, 7) for v in c) for c in roads.loc["way/1001"].geometry.coords] == QL1A
    assert roads.loc["way/1001", "class"] == "national_highway" and roads.loc["way/1001", "ref"] == "QL1A"
    assert (roads["licence"] == "ODbL-1.0").all() and (roads["attribution"] == fetch.OSM_ATTRIBUTION).all()
    power = any_store.layer("osm_power").set_index("id")
    assert float(power.loc["node/5001", "voltage_kv"]) == 110.0 and power.loc["node/5001", "class"] == "substation"
    sources = any_store.layer(fetch.SOURCES_TABLE).set_index("layer")
    assert set(sources.index) == {"osm_roads", "osm_power"}
    assert sources.loc["osm_power", "attribution"] == fetch.OSM_ATTRIBUTION
    assert "infrastructure_roads" not in set(sources.index)  # without as_infrastructure the shipped layer stays


def test_fetched_roads_as_infrastructure_carry_the_odbl_wherever_they_are_served(server, tmp_path):
    """`data fetch --as-infrastructure` replaces the shipped roads with OpenStreetMap ones: the OGC
    collection then says ODbL (with its licence link) and the OSM attribution, and the web map's
    attribution control credits OpenStreetMap."""
    from fastapi.testclient import TestClient

    from geozones.api.app import create_app
    from geozones.api.settings import Settings
    from geozones.maps import investor_map, render_html
    from geozones.store import GeoPackageStore, store_layers

    store = GeoPackageStore(tmp_path / "s.gpkg").ensure()
    server.posts["/api/interpreter"] = [(200, json.dumps(OVERPASS).encode(), {})]
    settings = local_settings(server)
    area = fetch.area_from_bbox((106.7, 21.78, 106.8, 21.88), settings=settings)
    fetch.fetch_into_store(store, area, ["roads"], settings=settings, as_infrastructure=True)
    client = TestClient(create_app(Settings(store=store.path), store=store))
    doc = client.get("/collections/infrastructure_roads?f=json").json()
    assert doc["license"] == "ODbL-1.0" and doc["attribution"] == "© OpenStreetMap contributors"
    licence = [link for link in doc["links"] if link["rel"] == "license"]
    assert [link["href"] for link in licence] == ["https://opendatacommons.org/licenses/odbl/1-0/"]
    html = render_html(investor_map(store.zones(), layers=store_layers(store), lang="en"))
    assert "© OpenStreetMap contributors" in html
