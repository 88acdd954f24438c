"""Zones written over HTTP pass the same placement checks as `geozones validate` / `store import`.

On a store built from the shipped data (real ODM province and district boundaries): a zone must lie
in the province and district it names, overlap no other park's zone, and have a mapped area that agrees
with its published one; `?allow=` skips a check as the CLI's `--allow` does. A refused write changes
nothing.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from fastapi.testclient import TestClient

from geozones.api.app import create_app
from geozones.api.settings import Settings
from geozones.store import GeoPackageStore
from geozones.store.keys import create_key

ITEMS = "/collections/zones/items"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("placement")
    store = GeoPackageStore(tmp / "store.gpkg").ensure()
    keys = tmp / "keys.json"
    key = create_key("editor", "gis officer", keys)[0]
    client = TestClient(create_app(Settings(keys_file=keys), store=store))
    return store, client, {"X-API-Key": key}


def metric_square(store, zone_id: str, east_m: float, side_m: float) -> dict:
    """A square of `side_m` metres, `east_m` east of a shipped zone's centroid, as lon/lat GeoJSON."""
    zone = store.zones().set_index("id").loc[[zone_id]]
    metric = zone.to_crs(9213 if zone_id.startswith("bk-") else 9215)
    centre = metric.geometry.iloc[0].centroid
    square = shapely.box(
        centre.x + east_m - side_m / 2, centre.y - side_m / 2, centre.x + east_m + side_m / 2, centre.y + side_m / 2
    )
    return shapely.geometry.mapping(gpd.GeoSeries([square], crs=metric.crs).to_crs(4326).iloc[0])


def feature(zone_id: str, geometry: dict, **properties) -> dict:
    record = {
        "id": zone_id,
        "name": f"Cụm công nghiệp {zone_id}",
        "name_ascii": f"Cum cong nghiep {zone_id}",
        "kind": "CCN",
        "zone_group": zone_id,
        "province_pre2025": "Bắc Kạn",
        "province": "Thái Nguyên",
        "district_pre2025": "Chợ Mới",
        "status": "planned",
        "sources": "test",
        "geometry_quality": "approximate",
        "location_basis": "test square",
    }
    return {"type": "Feature", "properties": record | properties, "geometry": geometry}


def test_a_zone_in_another_province_is_refused_and_allow_lets_it_in(env):
    store, client, key = env
    before = store.version()
    # 1 ha, 3 km east of Đồng Bành: in Lạng Sơn (Chi Lăng), but it says Bắc Kạn / Chợ Mới
    body = feature("ccn-wrong-province", metric_square(store, "ls-kcn-dong-banh", 3000, 100))
    response = client.post(ITEMS, json=body, headers=key)
    assert response.status_code == 400, response.text
    text = response.json()["description"]
    assert "placement" in text and "(province)" in text and "?allow=province" in text and "(district)" in text
    assert store.version() == before and "ccn-wrong-province" not in set(store.zones()["id"])
    response = client.post(f"{ITEMS}?allow=province,district", json=body, headers=key)
    assert response.status_code == 201, response.text
    # where it says it is, it passes without any allow
    body = feature(
        "ccn-lang-son-ok",
        metric_square(store, "ls-kcn-hong-phong", 4000, 100),
        province_pre2025="Lạng Sơn",
        province="Lạng Sơn",
        district_pre2025="Cao Lộc",
    )
    assert client.post(ITEMS, json=body, headers=key).status_code == 201


def test_overlap_with_another_park_is_refused_unless_the_same_park(env):
    store, client, key = env
    # a 300 m square on Thanh Bình I's centroid: inside Chợ Mới, overlapping the park
    geometry = metric_square(store, "bk-kcn-thanh-binh-1", 0, 300)
    response = client.post(ITEMS, json=feature("ccn-on-thanh-binh", geometry), headers=key)
    assert response.status_code == 400 and "(overlap)" in response.json()["description"]
    assert "bk-kcn-thanh-binh-1" in response.json()["description"]
    # a phase of the same park (same zone_group) may overlap it
    phase = feature("bk-kcn-thanh-binh-3", geometry, zone_group="Thanh Bình", kind="KCN")
    assert client.post(ITEMS, json=phase, headers=key).status_code == 201


def test_a_published_area_unlike_the_polygon_is_refused(env):
    store, client, key = env
    # 4 km east: free land in Chợ Mới (6 km east is now KCN Chợ Mới 5 of the 2021-2030 plan, issue 21)
    geometry = metric_square(store, "bk-ccn-thanh-thinh", 4000, 200)  # 4 ha
    body = feature("ccn-area-check", geometry, area_published_ha=40.0)
    response = client.post(ITEMS, json=body, headers=key)
    assert response.status_code == 400 and "(area)" in response.json()["description"]
    assert "differs from the published 40.00 ha" in response.json()["description"]
    assert (
        client.post(ITEMS, json=feature("ccn-area-check", geometry, area_published_ha=4.0), headers=key).status_code
        == 201
    )


def test_edits_that_move_a_zone_are_checked_and_others_are_not(env):
    store, client, key = env
    zone_id = "bk-ccn-quang-chu"
    etag = store.get_zone(zone_id).etag
    # an attribute edit is not placement-checked again
    response = client.patch(
        f"{ITEMS}/{zone_id}", json={"properties": {"occupancy_pct": 30}}, headers=key | {"If-Match": etag}
    )
    assert response.status_code == 200, response.text
    etag = response.headers["etag"]
    # moving it onto Lạng Sơn is, and refused; the zone keeps its outline
    before = store.get_zone(zone_id)
    moved = {"geometry": metric_square(store, "ls-kcn-hong-phong", 5000, 100)}
    response = client.patch(f"{ITEMS}/{zone_id}", json=moved, headers=key | {"If-Match": etag})
    assert response.status_code == 400 and "(province)" in response.json()["description"]
    assert store.get_zone(zone_id).etag == before.etag
    # so is naming another province in place
    response = client.patch(
        f"{ITEMS}/{zone_id}", json={"properties": {"province_pre2025": "Lạng Sơn"}}, headers=key | {"If-Match": etag}
    )
    assert response.status_code == 400 and "(province)" in response.json()["description"]


def test_unknown_allow_is_a_400(env):
    store, client, key = env
    body = feature("ccn-allow", metric_square(store, "bk-ccn-thanh-thinh", 9000, 100))
    response = client.post(f"{ITEMS}?allow=everything", json=body, headers=key)
    assert response.status_code == 400 and "unknown check(s) everything" in response.json()["description"]


# --- issue 20 item 8: every path that writes a zone is placement-checked -------------------------


def test_an_unknown_province_is_refused_on_create_and_replace(env):
    store, client, key = env
    geometry = metric_square(store, "bk-ccn-thanh-thinh", 6000, 100)
    body = feature("ccn-atlantis", geometry, province_pre2025="Atlantis")
    response = client.post(ITEMS, json=body, headers=key)
    assert response.status_code == 400, response.text
    text = response.json()["description"]
    assert "province 'Atlantis' has no boundary" in text and "Bắc Kạn" in text and "?allow=province" in text
    assert "ccn-atlantis" not in set(store.zones()["id"])
    # replacing a stored zone with an unknown district name is refused the same way
    zone = client.get(f"{ITEMS}/bk-ccn-thanh-thinh").json()
    zone["properties"]["district_pre2025"] = "Chợ Mớii"
    etag = store.get_zone("bk-ccn-thanh-thinh").etag
    response = client.put(f"{ITEMS}/bk-ccn-thanh-thinh", json=zone, headers=key | {"If-Match": etag})
    assert response.status_code == 400, response.text
    assert "closest known district names of Bắc Kạn: Chợ Mới" in response.json()["description"]
    assert store.get_zone("bk-ccn-thanh-thinh").etag == etag


def test_a_copy_under_a_new_id_claiming_the_zone_group_is_refused(env):
    store, client, key = env
    totals = store.zones()["area_published_ha"].sum()
    copy = client.get(f"{ITEMS}/bk-ccn-quang-chu").json()
    copy["id"] = None
    copy["properties"]["id"] = "bk-ccn-quang-chu-2"
    response = client.post(ITEMS, json=copy, headers=key)
    assert response.status_code == 400, response.text
    text = response.json()["description"]
    assert "overlaps zone 'bk-ccn-quang-chu'" in text and "share 100% of their combined area" in text
    assert "?allow=overlap" in text
    assert store.zones()["area_published_ha"].sum() == totals
    assert client.post(f"{ITEMS}?allow=overlap", json=copy, headers=key).status_code == 201


def test_restore_puts_no_old_outline_over_a_zone_created_since(env):
    store, client, key = env
    geometry = metric_square(store, "bk-ccn-thanh-thinh", 7500, 100)
    created = client.post(ITEMS, json=feature("ccn-restore-old", geometry), headers=key)
    assert created.status_code == 201, created.text
    gone = client.delete(f"{ITEMS}/ccn-restore-old", headers=key | {"If-Match": created.headers["etag"]})
    assert gone.status_code == 204
    # another park is drawn on the free ground
    assert client.post(ITEMS, json=feature("ccn-restore-new", geometry), headers=key).status_code == 201
    before = store.version()
    response = client.post(f"{ITEMS}/ccn-restore-old/history/1/restore", headers=key)
    assert response.status_code == 400, response.text
    assert "overlaps zone 'ccn-restore-new'" in response.json()["description"]
    assert store.version() == before and "ccn-restore-old" not in set(store.zones()["id"])
    response = client.post(f"{ITEMS}/ccn-restore-old/history/1/restore?allow=overlap", headers=key)
    assert response.status_code == 200, response.text
    assert "ccn-restore-old" in set(store.zones()["id"])
