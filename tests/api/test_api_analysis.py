"""Analysis endpoints: totals and reconciliation against the published hectares (facts.md)."""

from __future__ import annotations

import shutil

import pytest

from tests.helpers.tools import require_module

require_module("fastapi")

from fastapi.testclient import TestClient

from tests.helpers import published
from tests.helpers.ogc import assert_ogc_error

# Published areas, typed in from their sources (tests/helpers/published.py: seeds and facts.md for the first
# 14 zones, the articles of data/zones/sources.csv for the rest) and summed by that helper:
# Bắc Kạn CCN: Quảng Chu 74.4 + Cẩm Giàng 43 + Thanh Thịnh 50 + Vằng Mười 15 + Nam Bằng Lũng 20 = 202.4
#   (Huyền Tụng and Chu Hương: no area published) -> 7 zones, 5 with a polygon
# Bắc Kạn KCN: Thanh Bình 73.5 + 51 + 80.3, Chợ Mới 3/4/5 300 + 496 + 498, Bạch Thông 400 = 1,898.8 -> 7 zones
#   occupied: phase I 73.5 ha x 97 % (baodauthau.vn) = 71.295
# Lạng Sơn KCN: Đồng Bành 321 + Hồng Phong 440 + Hữu Lũng (VSIP) 600 = 1,361 -> 3 zones
# Lạng Sơn KCX: unnamed, over 126 ha, unlocated -> 1 zone, no polygon; the border-gate economic zone: no area
EXPECTED = {
    (pre, kind): {
        "zones": published.count(province_pre2025=pre, kind=kind),
        "mapped": published.count(province_pre2025=pre, kind=kind, mapped=True),
        "published_ha": published.hectares(province_pre2025=pre, kind=kind),
    }
    for _, pre, kind, _, _ in published.ZONES
}
assert EXPECTED[("Bắc Kạn", "KCN")]["published_ha"] == pytest.approx(1898.8)
assert EXPECTED[("Lạng Sơn", "KCN")] == {"zones": 3, "mapped": 3, "published_ha": 1361.0}
TOTAL_PUBLISHED = published.hectares()
THANH_BINH_I_OCCUPIED = 73.5 * 0.97


@pytest.fixture(scope="module")
def client(built_store, tmp_path_factory):
    from geozones.api.app import create_app
    from geozones.api.settings import Settings
    from geozones.store import GeoPackageStore

    path = tmp_path_factory.mktemp("analysis") / "geozones.gpkg"
    shutil.copyfile(built_store.path, path)
    with TestClient(create_app(Settings(store=path), store=GeoPackageStore(path))) as test_client:
        yield test_client


def test_totals_by_province_and_kind_match_published_hectares(client):
    response = client.get("/analysis/totals", params=[("by", "province_pre2025"), ("by", "kind")])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["by"] == ["province_pre2025", "kind"]
    groups = {(g["province_pre2025"], g["kind"]): g for g in body["groups"]}
    assert set(groups) == set(EXPECTED)
    for key, expected in EXPECTED.items():
        assert groups[key]["zones"] == expected["zones"], key
        assert groups[key]["mapped"] == expected["mapped"], key
        if expected["published_ha"] is None:
            assert groups[key]["published_ha"] is None, key
        else:
            assert groups[key]["published_ha"] == pytest.approx(expected["published_ha"]), key
    # the polygons are drawn to the published areas: mapped hectares within 1 % of them
    assert groups[("Bắc Kạn", "CCN")]["mapped_ha"] == pytest.approx(202.4, rel=0.01)
    assert groups[("Lạng Sơn", "KCN")]["mapped_ha"] == pytest.approx(1361.0, rel=0.01)
    # nothing mapped is null, not 0
    assert groups[("Lạng Sơn", "KCX")]["mapped_ha"] is None
    assert groups[("Lạng Sơn", "KKTCK")]["published_ha"] is None
    assert groups[("Bắc Kạn", "KCN")]["occupied_ha"] == pytest.approx(THANH_BINH_I_OCCUPIED)
    assert groups[("Bắc Kạn", "CCN")]["occupied_ha"] is None
    assert body["total"]["zones"] == published.COUNT
    assert body["total"]["published_ha"] == pytest.approx(TOTAL_PUBLISHED)


def test_totals_default_grouping_is_province_and_kind(client):
    assert client.get("/analysis/totals").json()["by"] == ["province_pre2025", "kind"]


def test_totals_by_kind_and_by_province_after_the_2025_merger(client):
    by_kind = {g["kind"]: g["published_ha"] for g in client.get("/analysis/totals?by=kind").json()["groups"]}
    expected = {k: published.hectares(kind=k) for k in ("CCN", "KCN", "KCX", "CNTT")}  # KKTCK: none
    assert by_kind.pop("KKTCK") is None  # the economic zone's extent is not industrial land
    assert by_kind == pytest.approx(expected)
    by_province = {
        g["province"]: g["published_ha"] for g in client.get("/analysis/totals?by=province").json()["groups"]
    }
    # Bắc Kạn merged into Thái Nguyên on 1 July 2025 (so today's Thái Nguyên has both provinces' parks);
    # Lạng Sơn was not merged. Former Thái Nguyên 4,428.34 + former Bắc Kạn 2,101.2 = 6,529.54 ha.
    assert published.hectares(province_pre2025="Thái Nguyên") == pytest.approx(4428.34)
    assert by_province == pytest.approx(
        {"Thái Nguyên": 202.4 + 1898.8 + 4428.34, "Lạng Sơn": published.hectares(province="Lạng Sơn")}
    )


@pytest.mark.parametrize(
    "by, words",
    [
        ("nope", ["nope", "choose from"]),
        ("notes", ["notes", "not one to group by"]),
        ("geometry", ["geometry"]),
    ],
)
def test_totals_bad_attribute_is_400(client, by, words):
    assert_ogc_error(client.get("/analysis/totals", params={"by": by}), 400, *words)


def test_reconcile_checks_every_zone(client):
    response = client.get("/analysis/reconcile", params={"threshold": 0.01})
    assert response.status_code == 200
    body = response.json()
    assert body["threshold"] == 0.01
    checks = {z["id"]: z["check"] for z in body["zones"]}
    assert len(checks) == published.COUNT
    # no area published: nothing to compare
    for zone_id in ("bk-ccn-huyen-tung", "bk-ccn-chu-huong", "ls-kktck-dong-dang-lang-son"):
        assert checks[zone_id] == "no_data"
    # the export processing zone has a published area (over 126 ha) but no location
    assert checks["ls-kcx-unnamed"] == "no_polygon"
    assert body["checks"] == {"no_data": 3, "no_polygon": 1, "ok": published.count(mapped=True)}
    assert body["flagged"] == 0
    thanh_binh = next(z for z in body["zones"] if z["id"] == "bk-kcn-thanh-binh-1")
    assert thanh_binh["published_ha"] == 73.5
    assert thanh_binh["mapped_ha"] == pytest.approx(73.5, rel=0.01)
    assert thanh_binh["diff_ha"] == pytest.approx(thanh_binh["mapped_ha"] - 73.5)
    no_polygon = next(z for z in body["zones"] if z["id"] == "ls-kcx-unnamed")
    assert no_polygon["mapped_ha"] is None and no_polygon["rel_diff"] is None


def test_reconcile_zero_threshold_flags_any_difference(client):
    body = client.get("/analysis/reconcile", params={"threshold": 0, "flagged_only": True}).json()
    assert all(z["flag"] and z["check"] == "over_threshold" for z in body["zones"])
    assert len(body["zones"]) == body["flagged"]
    # every mapped zone's area differs from its published figure by some rounding at least
    assert body["flagged"] == sum(
        1 for z in client.get("/analysis/reconcile").json()["zones"] if z["diff_ha"] not in (None, 0.0)
    )


@pytest.mark.parametrize(
    "threshold, words",
    [("-1", ["threshold", "greater than or equal"]), ("abc", ["threshold", "number"]), ("11", ["threshold"])],
)
def test_reconcile_bad_threshold_is_400(client, threshold, words):
    assert_ogc_error(client.get("/analysis/reconcile", params={"threshold": threshold}), 400, *words)


def test_analysis_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api").json()["paths"]
    for path in (
        "/analysis/totals",
        "/analysis/reconcile",
        "/analysis/indicators",
        "/analysis/proximity",
        "/analysis/scenarios/run",
        "/analysis/scenarios/compare",
        "/downloads/{collectionId}",
    ):
        assert path in paths
    by = next(p for p in paths["/analysis/totals"]["get"]["parameters"] if p["name"] == "by")
    assert "group by" in by["description"]


def test_indicators_against_the_2025_targets(client):
    response = client.get("/analysis/indicators")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["indicators"]}
    # seed 003: at least 6 CCN by 2025; 6 Bắc Kạn CCN are established or further along (facts.md)
    assert rows["bk-target-ccn-count-2025"]["value"] == 6
    assert rows["bk-target-ccn-count-2025"]["status"] == "met"
    # about 150 ha targeted; the published CCN areas sum to 74.4 + 43 + 50 + 15 + 20 = 202.4 ha
    assert rows["bk-target-ccn-area-2025"]["value"] == pytest.approx(202.4)
    # no occupancy published for any CCN: unknown, and its value is null rather than NaN
    assert rows["bk-target-ccn-occupancy-2025"]["status"] == "unknown"
    assert rows["bk-target-ccn-occupancy-2025"]["value"] is None
    assert rows["bk-target-industry-grdp-share-2030"]["status"] == "not_measured"
    assert all(row["source"].startswith("seed:") for row in rows.values())


def test_indicators_filtered_by_status(client):
    body = client.get("/analysis/indicators", params=[("status", "met"), ("status", "unknown")]).json()
    assert {row["status"] for row in body["indicators"]} <= {"met", "unknown"}
    assert len(body["indicators"]) == body["statuses"]["met"] + body["statuses"]["unknown"]
    assert_ogc_error(client.get("/analysis/indicators", params={"status": "great"}), 400, "great", "met")


def _metric(layer, epsg):
    return layer.to_crs(epsg=epsg)


def test_proximity_distances_match_brute_force(client, built_store):
    body = client.get("/analysis/proximity").json()
    rows = {row["id"]: row for row in body["zones"]}
    assert len(rows) == published.COUNT
    assert body["destinations"] == [
        "bac_kan_city",
        "dong_dang_station",
        "huu_nghi_border_gate",
        "lang_son_city",
        "thai_nguyen_city",
    ]
    zones = built_store.zones().set_index("id")
    roads = built_store.layer("infrastructure_roads")
    power = built_store.layer("infrastructure_power")
    gate = built_store.layer("infrastructure_destinations").query("id == 'huu_nghi_border_gate'")
    # Bắc Kạn zones in VN-2000 / TM-3 106-30 (EPSG:9213), Lạng Sơn zones in EPSG:9215, by plain shapely distance
    for zone_id, epsg in (("bk-ccn-quang-chu", 9213), ("bk-kcn-thanh-binh-1", 9213), ("ls-kcn-dong-banh", 9215)):
        polygon = _metric(zones.loc[[zone_id], "geometry"], epsg).iloc[0]
        highways = _metric(roads[roads["class"] == "national_highway"], epsg)
        expected_highway = min(polygon.distance(line) for line in highways.geometry)
        assert rows[zone_id]["measured_from"] == "edge"
        assert rows[zone_id]["dist_highway_m"] == pytest.approx(expected_highway, abs=0.01)
        province = zones.loc[zone_id, "province_pre2025"]
        substation = _metric(
            power[(power["class"] == "substation") & (power["province_pre2025"] == province)], epsg
        ).geometry
        if len(substation):
            assert rows[zone_id]["dist_substation_m"] == pytest.approx(
                min(polygon.distance(p) for p in substation), abs=0.01
            )
        else:  # no substation of that province is known: no data, never another province's
            assert rows[zone_id]["dist_substation_m"] is None and rows[zone_id]["substation_note"].startswith("no data")
        assert rows[zone_id]["straight_km_huu_nghi_border_gate"] * 1000 == pytest.approx(
            polygon.distance(_metric(gate, epsg).geometry.iloc[0]), abs=0.01
        )
        assert rows[zone_id]["dist_border_gate_m"] == pytest.approx(
            polygon.distance(_metric(gate, epsg).geometry.iloc[0]), abs=0.01
        )
    assert rows["bk-ccn-quang-chu"]["nearest_highway"] == "QL3"  # facts.md: QL3 runs through Chợ Mới
    assert rows["ls-kcn-dong-banh"]["nearest_highway"] == "QL1A"  # QL1A runs through Chi Lăng


def test_proximity_road_distance_is_never_shorter_than_the_straight_line(client, built_store):
    body = client.get("/analysis/proximity").json()
    zones = built_store.zones().set_index("id")
    city = built_store.layer("infrastructure_destinations").query("id == 'bac_kan_city'").to_crs(epsg=9213)
    for row in body["zones"]:
        if row["reachable_bac_kan_city"] and row["measured_from"] == "edge":
            polygon = zones.loc[[row["id"]], "geometry"].to_crs(epsg=9213).iloc[0]
            assert row["road_km_bac_kan_city"] * 1000 >= polygon.distance(city.geometry.iloc[0]) - 1
        if not row["reachable_bac_kan_city"]:
            assert row["road_km_bac_kan_city"] is None  # never a straight line instead


def test_proximity_slower_highway_takes_longer(client):
    default = {r["id"]: r for r in client.get("/analysis/proximity").json()["zones"]}
    slow = client.get("/analysis/proximity", params={"speed": "national_highway=20"}).json()
    assert slow["speeds_kmh"] == {"national_highway": 20.0}
    for row in slow["zones"]:
        if row["reachable_bac_kan_city"]:
            assert row["road_h_bac_kan_city"] >= default[row["id"]]["road_h_bac_kan_city"]
            assert row["road_km_bac_kan_city"] == pytest.approx(default[row["id"]]["road_km_bac_kan_city"])


@pytest.mark.parametrize(
    "params, words",
    [
        ({"speed": "fast"}, ["speed", "CLASS=KMH"]),
        ({"speed": "national_highway=0"}, ["speed", "positive"]),
        ({"speed": "motorway=80"}, ["motorway", "national_highway"]),
        ({"max_access_m": "-5"}, ["max_access_m"]),
    ],
)
def test_proximity_bad_parameters_are_400(client, params, words):
    assert_ogc_error(client.get("/analysis/proximity", params=params), 400, *words)


# --- scenarios ---------------------------------------------------------------------------------

SCENARIOS = __import__("pathlib").Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture
def writable_client(store, tmp_path):
    """A client over a writable store that sends an editor key (saving a scenario is a write)."""
    from geozones.api.app import create_app
    from geozones.api.settings import Settings
    from geozones.store.keys import create_key

    secret = create_key("editor", "analysis tests", tmp_path / "keys.json")[0]
    app = create_app(Settings(store=store.path, keys_file=tmp_path / "keys.json"), store=store)
    with TestClient(app, headers={"X-API-Key": secret}) as test_client:
        yield test_client


def test_scenario_run_from_yaml_against_published_hectares(client):
    body = (SCENARIOS / "bac-kan-2021-2025.yaml").read_bytes()
    response = client.post("/analysis/scenarios/run", content=body, headers={"Content-Type": "application/yaml"})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["scenario"]["id"] == "bac-kan-2021-2025"
    timeline = {row["year"]: row for row in result["timeline"]}
    assert sorted(timeline) == [2021, 2022, 2023, 2024, 2025]
    # The run starts from the status history as of 2021 (issue 21): Thanh Bình I 73.5 and II 80.3 (planned in
    # the 2020 plan), CCN Quảng Chu 74.4, Cẩm Giàng 43, Vằng Mười 15, Nam Bằng Lũng 20 (published areas).
    assert timeline[2021]["total_ha"] == pytest.approx(73.5 + 80.3 + 74.4 + 43 + 15 + 20, abs=0.05)
    # 2022: the 51 ha expansion (under consideration, Feb 2022) and CCN Thanh Thịnh 50 ha (added Oct 2022) enter
    assert timeline[2022]["total_ha"] == pytest.approx(73.5 + 51 + 80.3 + 74.4 + 43 + 50 + 15 + 20, abs=0.05)
    # 2024: the plan's KCN Chợ Mới 3, 4, 5 and Bạch Thông (300 + 496 + 498 + 400 ha, listed Jun 2024) enter
    assert timeline[2024]["total_ha"] - timeline[2023]["total_ha"] == pytest.approx(300 + 496 + 498 + 400, abs=0.05)
    assert (
        timeline[2021]["ccn_count"] == 4
    )  # Huyền Tụng (2019), Cẩm Giàng (first reported 2023), Vằng Mười, Nam Bằng Lũng
    assert timeline[2023]["ccn_count"] == 6  # "6 CCN established by 2023" (seed 001)
    status = {row["target"]: row["status"] for row in result["targets"]}
    assert status["bk-target-ccn-count-2025"] == "pass"
    assert status["bk-target-ccn-area-2025"] == "fail"  # about 150 ha targeted, 202.4 ha published
    assert result["saved_layer"] is None
    assert all(change["change"] != "unchanged" for change in result["changes"])


def test_scenario_run_json_equals_yaml_and_save_makes_a_downloadable_layer(writable_client, store):
    yaml = require_module("yaml")
    text = (SCENARIOS / "bac-kan-2021-2025.yaml").read_text(encoding="utf-8")
    as_json = writable_client.post("/analysis/scenarios/run", json=yaml.safe_load(text), params={"save": True})
    assert as_json.status_code == 200, as_json.text
    as_yaml = writable_client.post(
        "/analysis/scenarios/run", content=text.encode(), headers={"Content-Type": "application/yaml"}
    ).json()
    assert as_json.json()["timeline"] == as_yaml["timeline"]
    layer = as_json.json()["saved_layer"]
    assert layer == "scenario_bac_kan_2021_2025" and layer in store.layers()
    download = writable_client.get(f"/downloads/{layer}", params={"f": "geojson"})
    assert download.status_code == 200
    assert "bk-kcn-thanh-binh-1" in {f["properties"]["id"] for f in download.json()["features"]}


def test_scenario_compare_side_by_side(client):
    texts = [(SCENARIOS / name).read_text(encoding="utf-8") for name in ("bac-kan-2021-2025.yaml", "bac-kan-2030.yaml")]
    response = client.post("/analysis/scenarios/compare", json={"scenarios": texts})
    assert response.status_code == 200, response.text
    body = response.json()
    rows = {row["indicator"]: row for row in body["indicators"]}
    assert rows["year"] == {"indicator": "year", "bac-kan-2021-2025": 2025, "bac-kan-2030": 2030}
    added = [c for c in body["changes"] if c["scenario"] == "bac-kan-2030" and c["change"] == "added"]
    assert [c["zone"] for c in added] == ["bk-ccn-chu-huong-2030"]
    assert set(body["notes"]) == {"bac-kan-2021-2025", "bac-kan-2030"}


@pytest.mark.parametrize(
    "content, content_type, words",
    [
        (b"id: x\nname: y\n", "application/yaml", ["<request body>:1", "province"]),
        (b"{bad", "application/json", ["not valid JSON"]),
        (b"id: x", "text/plain", ["Content-Type", "application/yaml"]),
        (b"", "application/yaml", ["empty"]),
    ],
)
def test_scenario_run_bad_bodies_are_400(client, content, content_type, words):
    response = client.post("/analysis/scenarios/run", content=content, headers={"Content-Type": content_type})
    assert_ogc_error(response, 400, *words)


def test_scenario_compare_bad_requests_are_400(client):
    text = (SCENARIOS / "bac-kan-2021-2025.yaml").read_text(encoding="utf-8")
    assert_ogc_error(client.post("/analysis/scenarios/compare", json={"scenarios": [text]}), 400, "at least two")
    assert_ogc_error(client.post("/analysis/scenarios/compare", json={"scenarios": [text, text]}), 400, "must differ")
    other = (SCENARIOS / "bac-kan-2030.yaml").read_text(encoding="utf-8")
    assert_ogc_error(
        client.post("/analysis/scenarios/compare", params={"year": 2030}, json={"scenarios": [text, other]}),
        400,
        "2021–2025",
        "2030",
    )


def test_proximity_runs_a_bounded_number_at_once_and_answers_repeats_from_cache(built_store, tmp_path, monkeypatch):
    """Heavy analysis is gated: with one slot busy, another proximity request gets 429 within the wait
    (the server still answers other routes), repeats of an answered request cost no computation until
    the store changes, and different parameters are computed apart."""
    import threading
    import time

    from geozones.analysis import proximity as proximity_module
    from geozones.api.app import create_app
    from geozones.api.settings import Settings
    from geozones.store import GeoPackageStore

    path = tmp_path / "geozones.gpkg"
    shutil.copyfile(built_store.path, path)
    store = GeoPackageStore(path)
    app = create_app(Settings(store=path, analysis_workers=1, analysis_wait_s=0.3), store=store)
    real = proximity_module.infrastructure_distances
    calls, release = [], threading.Event()

    def slow(*args, **kwargs):
        calls.append(kwargs.get("speeds_kmh"))
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(proximity_module, "infrastructure_distances", slow)
    with TestClient(app) as client:
        first: dict = {}
        worker = threading.Thread(target=lambda: first.update(r=client.get("/analysis/proximity")))
        worker.start()
        deadline = time.monotonic() + 10
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        busy = client.get("/analysis/proximity", params={"speed": "national_highway=40"})
        assert busy.status_code == 429 and time.monotonic() - started < 5
        assert "try again" in busy.json()["description"]
        assert client.get("/health").status_code == 200
        release.set()
        worker.join(30)
        assert first["r"].status_code == 200
        again = client.get("/analysis/proximity")
        assert again.status_code == 200 and again.json() == first["r"].json() and len(calls) == 1
        other = client.get("/analysis/proximity", params={"speed": "national_highway=40"})
        assert other.status_code == 200 and len(calls) == 2
        store.update_zone(store.zones()["id"].iloc[0], {"properties": {"investor": "x"}}, if_match=None, actor="test")
        assert client.get("/analysis/proximity").status_code == 200 and len(calls) == 3  # the store changed


def test_indicators_carry_a_citation_never_a_file_name(client):
    rows = client.get("/analysis/indicators").json()["indicators"]
    assert rows and all(row["citation"] and "seed:" not in row["citation"] for row in rows)
    assert all(".txt" not in row["citation"] for row in rows)
    assert any("Bắc Kạn" in row["citation"] and "20" in row["citation"] for row in rows)
