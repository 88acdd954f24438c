"""/logistics: drive times, isochrones and catchments for whatever zones the store holds."""

from __future__ import annotations

import shutil

import pytest

from tests.helpers.tools import require_module

require_module("fastapi")

from fastapi.testclient import TestClient


@pytest.fixture()
def setup(built_store, tmp_path):
    from geozones.api.app import create_app
    from geozones.api.settings import Settings
    from geozones.store import GeoPackageStore

    path = tmp_path / "geozones.gpkg"
    shutil.copyfile(built_store.path, path)
    store = GeoPackageStore(path)
    with TestClient(create_app(Settings(store=path), store=store)) as client:
        yield client, store


def _library(store, vehicle="car"):
    import geopandas as gpd

    from geozones.analysis import logistics
    from geozones.analysis.proximity import measured_geometry

    zones = store.zones()
    geometry, _ = measured_geometry(zones)
    sites = gpd.GeoDataFrame({"id": zones["id"]}, geometry=geometry, crs=zones.crs)
    return logistics.drive_times(
        sites,
        store.layer("infrastructure_corridor_roads"),
        store.layer("infrastructure_logistics_destinations"),
        vehicle=vehicle,
    ).set_index(zones["id"])


def test_zone_minutes_match_the_library_and_state_the_model(setup):
    client, store = setup
    body = client.get("/logistics/zones", params={"vehicle": "truck"}).json()
    assert body["model"]["vehicle"] == "truck" and "assumed speeds" in body["model"]["note"]
    assert body["model"]["speeds_kmh"]["national_highway"] == 40.0
    rows = {r["zone_id"]: r for r in body["zones"]}
    assert set(rows) == set(store.zones()["id"])
    expected = _library(store, "truck")
    for zone_id, row in rows.items():
        for column in ("min_ha_noi_centre", "min_noi_bai_airport", "min_to_border_gate"):
            want = expected.loc[zone_id, column]
            assert (row[column] is None) == (want != want), (zone_id, column)  # NaN <-> null
            if row[column] is not None:
                assert row[column] == pytest.approx(want)
    # the two Bắc Kạn clusters 22-24 km from the nearest mapped road: flagged, no time
    for zone_id in ("bk-ccn-vang-muoi", "bk-ccn-nam-bang-lung"):
        assert rows[zone_id]["far_from_roads"] is True and rows[zone_id]["time_note"] == "far from mapped roads"
        assert rows[zone_id]["access_m"] > 20000 and rows[zone_id]["min_ha_noi_centre"] is None
    assert rows["ls-kcn-hong-phong"]["pop_30min"] > 0 and rows["ls-kcn-hong-phong"]["pop_year"] == "2009"


def test_a_new_zone_is_measured_at_once(setup):
    client, store = setup
    zones = store.zones()
    row = zones[zones["id"] == "ls-kcn-dong-banh"].copy()
    row["id"] = "ls-kcn-test-copy"
    row["name"] = "KCN thử (copy)"
    import pandas as pd

    store.write_zones(pd.concat([zones, row]))
    assert "ls-kcn-test-copy" in set(store.zones()["id"])
    rows = {r["zone_id"]: r for r in client.get("/logistics/zones").json()["zones"]}
    assert rows["ls-kcn-test-copy"]["min_ha_noi_centre"] == pytest.approx(rows["ls-kcn-dong-banh"]["min_ha_noi_centre"])


def test_isochrones_are_geojson_and_nested(setup):
    import shapely.geometry

    client, _ = setup
    body = client.get("/logistics/isochrones", params={"zone_id": "ls-kcn-hong-phong"}).json()
    assert body["type"] == "FeatureCollection" and "remaining time" in body["model"]["isochrone_method"]
    by_minutes = {f["properties"]["minutes"]: shapely.geometry.shape(f["geometry"]) for f in body["features"]}
    assert sorted(by_minutes) == [15.0, 30.0, 45.0, 60.0]
    assert by_minutes[15.0].area < by_minutes[30.0].area < by_minutes[45.0].area < by_minutes[60.0].area
    assert by_minutes[60.0].buffer(3e-4).contains(by_minutes[30.0])  # both simplified by ~10 m
    only = client.get("/logistics/isochrones", params={"minutes": 30}).json()["features"]
    assert only and {f["properties"]["minutes"] for f in only} == {30.0}
    assert client.get("/logistics/isochrones", params={"zone_id": "no-such-zone"}).status_code == 404
    assert client.get("/logistics/zones", params={"vehicle": "bicycle"}).status_code in (400, 422)


def test_written_isochrones_are_an_ogc_collection(setup):
    from geozones.scenario.reach import write_isochrone_layer

    client, store = setup
    written = write_isochrone_layer(store)
    response = client.get("/collections/logistics_isochrones/items", params={"limit": 1000, "f": "json"})
    assert response.status_code == 200
    body = response.json()
    assert body["numberMatched"] == len(written)
    assert {f["properties"]["vehicle"] for f in body["features"]} == {"car", "truck"}


def test_isochrones_of_a_large_store_are_asked_one_zone_at_a_time(setup, monkeypatch):
    from geozones.scenario import reach

    client, _ = setup
    monkeypatch.setattr(reach, "MAX_ISOCHRONE_ZONES", 3)
    response = client.get("/logistics/isochrones")
    assert response.status_code == 400 and "zone_id" in response.json()["description"]
    one = client.get("/logistics/isochrones", params={"zone_id": "ls-kcn-dong-banh"}).json()["features"]
    assert {f["properties"]["zone_id"] for f in one} == {"ls-kcn-dong-banh"} and len(one) == 4
    rows = client.get("/logistics/zones").json()["zones"]
    assert all(r["pop_30min"] is None and "more than 3 zones" in r["pop_note"] for r in rows)
    assert any(r["min_ha_noi_centre"] is not None for r in rows)  # drive times stay: one Dijkstra per destination
