"""OGC API - Features (Parts 1, 2 and 3) read by real clients from a live server on a loopback port.

Expected values come from the shipped GeoJSON file read with the json module and from pyproj
transforms, never from the API code.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import httpx
import numpy as np
import pyproj
import pytest
import shapely

from tests.helpers.apiserver import live_server

ROOT = Path(__file__).resolve().parents[2]
ZONES_FILE = ROOT / "data" / "zones" / "zones.geojson"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}".format
GRID_CELLS = 2500
LIMIT_DEFAULT, LIMIT_MAX = 5, 3000
MARKUP = "<script>alert('x')</script> & <b>bold</b>"


@pytest.fixture(scope="module")
def shipped() -> dict:
    """The shipped zones as plain JSON: id -> feature."""
    features = json.loads(ZONES_FILE.read_text(encoding="utf-8"))["features"]
    return {f["properties"]["id"]: f for f in features}


def _grid() -> gpd.GeoDataFrame:
    """A synthetic layer without an id attribute: 2500 100 m squares near Bắc Kạn city, stored in EPSG:9213."""
    x0, y0 = pyproj.Transformer.from_crs(4326, 9213, always_xy=True).transform(105.83, 22.16)
    cells = [
        shapely.box(x0 + 200 * (i % 50), y0 + 200 * (i // 50), x0 + 200 * (i % 50) + 100, y0 + 200 * (i // 50) + 100)
        for i in range(GRID_CELLS)
    ]
    return gpd.GeoDataFrame(
        {"cell": range(GRID_CELLS), "label": [f"ô {i}" for i in range(GRID_CELLS)]}, geometry=cells, crs=9213
    )


@pytest.fixture(scope="module")
def api_store(tmp_path_factory, built_store) -> Path:
    """A copy of the shipped store plus a saved scenario and a grid layer without ids."""
    from geozones.store import GeoPackageStore

    path = tmp_path_factory.mktemp("api") / "geozones.gpkg"
    shutil.copyfile(built_store.path, path)
    store = GeoPackageStore(path)
    zones = store.zones()
    scenario = zones[zones["province_pre2025"] == "Lạng Sơn"].copy()
    scenario.loc[scenario.index[0], "notes"] = MARKUP
    store.write_layer("scenario_lang_son", scenario)
    store.write_layer("infrastructure_grid", _grid())
    return path


@pytest.fixture(scope="module")
def api(api_store):
    """Base URL of a live API (uvicorn subprocess) over ``api_store``."""
    with live_server(api_store, limit_default=LIMIT_DEFAULT, limit_max=LIMIT_MAX) as url:
        yield url


def shape(feature: dict):
    """The feature's shapely geometry, or None."""
    return shapely.geometry.shape(feature["geometry"]) if feature["geometry"] else None


def get(url: str, **params) -> httpx.Response:
    return httpx.get(url, params=params or None, timeout=60)  # params={} would drop the URL's own query


def all_items(api: str, collection: str = "zones", **params) -> list[dict]:
    """Follow ``next`` links from the first page."""
    features, url, seen = [], f"{api}/collections/{collection}/items", 0
    page = get(url, **params).json()
    while True:
        features += page["features"]
        seen += 1
        nxt = [link["href"] for link in page["links"] if link["rel"] == "next"]
        if not nxt or seen > 100:
            return features
        page = get(nxt[0]).json()


# --- real clients --------------------------------------------------------------------------------


def test_gdal_oapif_reads_every_zone_with_all_attributes(api, shipped):
    import pyogrio

    frame = pyogrio.read_dataframe(f"OAPIF:{api}/collections/zones")
    assert sorted(frame["id"]) == sorted(shipped)
    assert frame.crs.equals(pyproj.CRS("OGC:CRS84")) or frame.crs.to_epsg() == 4326
    expected_fields = set(next(iter(shipped.values()))["properties"])
    assert expected_fields <= set(frame.columns)
    for _, row in frame.iterrows():
        source = shipped[row["id"]]
        assert row["name"] == source["properties"]["name"]  # diacritics intact
        published = source["properties"]["area_published_ha"]
        assert (
            np.isnan(row["area_published_ha"])
            if published is None
            else row["area_published_ha"] == pytest.approx(published)
        )
        expected = shape(source)
        if expected is None:
            assert row.geometry is None
        else:
            assert shapely.hausdorff_distance(row.geometry, expected) < 1e-6


def test_gdal_oapif_lists_layers_and_filters_by_attribute(api, shipped):
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(f"OAPIF:{api}")}
    assert {
        "zones",
        "boundaries_provinces",
        "boundaries_districts",
        "scenario_lang_son",
        "infrastructure_grid",
    } <= layers
    frame = pyogrio.read_dataframe(f"OAPIF:{api}/collections/zones", where="kind = 'KCN'")
    assert sorted(frame["id"]) == sorted(i for i, f in shipped.items() if f["properties"]["kind"] == "KCN")


def test_owslib_features_client(api, shipped):
    from owslib.ogcapi.features import Features

    client = Features(api)
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in client.conformance()["conformsTo"]
    ids = {c["id"] for c in client.collections()["collections"]}
    # of the tables, only the provenance tables are collections (issue 21); targets and aggregates are not
    tables = {i for i in ids if i.startswith("table_")}
    assert {"zones", "scenario_lang_son"} <= ids and tables == {
        "table_sources",
        "table_figures",
        "table_status_history",
    }
    sources = client.collection_items("table_sources", limit=100)
    assert sources["numberMatched"] == len(sources["features"]) > 40
    assert all(f["geometry"] is None and f["properties"]["publisher"] for f in sources["features"])
    page = client.collection_items("zones", limit=100)
    assert page["numberMatched"] == len(shipped) == page["numberReturned"]
    assert {f["id"] for f in page["features"]} == set(shipped)
    one = client.collection_item("zones", "bk-ccn-quang-chu")
    assert one["properties"]["area_published_ha"] == shipped["bk-ccn-quang-chu"]["properties"]["area_published_ha"]
    assert "kind" in client.collection_queryables("zones")["properties"]


# --- Part 1 core -------------------------------------------------------------------------------------


def test_landing_links_have_rel_and_type_and_service_desc_media_type(api):
    landing = get(f"{api}/").json()
    for link in landing["links"]:
        assert link["rel"] and link["type"] and link["href"].startswith(api)
    service = [link for link in landing["links"] if link["rel"] == "service-desc"]
    assert service[0]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    doc = httpx.get(service[0]["href"])
    assert doc.headers["content-type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert doc.json()["openapi"].startswith("3.0")
    assert get(f"{api}/api", f="json").json()["openapi"].startswith("3.0")


def test_openapi_document_is_valid_openapi_30_and_documents_limit(api):
    from openapi_spec_validator import validate

    doc = get(f"{api}/api").json()
    validate(doc)  # raises on any 3.1-only construct
    params = {p["name"]: p for p in doc["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]}
    assert params["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": LIMIT_MAX,
        "default": LIMIT_DEFAULT,
    }
    assert {"bbox", "bbox-crs", "crs", "datetime", "filter", "filter-lang", "filter-crs"} <= set(params)
    # FastAPI's own 422 (validation) is documented as the OGC 400; a 422 left is a budget's LimitExceeded
    assert all(
        "422" not in op["responses"] or "HTTPValidationError" not in str(op["responses"]["422"])
        for item in doc["paths"].values()
        for op in item.values()
    )
    assert "HTTPValidationError" not in str(doc)


def test_every_link_carries_rel_and_type(api):
    urls = [
        f"{api}/collections",
        f"{api}/collections/zones",
        f"{api}/collections/zones/items",
        f"{api}/collections/zones/items/bk-kcn-thanh-binh-1",
        f"{api}/conformance",
    ]
    for url in urls:
        for link in get(url).json()["links"]:
            assert set(link) >= {"href", "rel", "type"}, (url, link)


def test_collections_are_the_store_geometry_layers(api):
    collections = {c["id"]: c for c in get(f"{api}/collections").json()["collections"]}
    shipped_infrastructure = {f"infrastructure_{p.stem}" for p in (ROOT / "data" / "infrastructure").glob("*.geojson")}
    assert (
        set(collections)
        == {
            "zones",
            "boundaries_provinces",
            "boundaries_provinces_2025",
            "boundaries_districts",
            "boundaries_population_districts",
            "scenario_lang_son",
            "infrastructure_grid",
            # issue 21: the provenance tables, read-only features without geometry
            "table_sources",
            "table_figures",
            "table_status_history",
        }
        | shipped_infrastructure
    )
    zones = collections["zones"]
    assert zones["storageCrs"] == EPSG(4326) and zones["crs"][0] == CRS84
    assert {EPSG(9213), EPSG(9215), EPSG(4326), EPSG(3405), EPSG(4756)} <= set(zones["crs"])
    assert zones["extent"]["temporal"]["property"] == "decision_date"
    # earliest: Sông Công I, Decision 181/1999/QĐ-TTg of 1 Sep 1999; latest: CCN Hồ Sơn 1, 854/QĐ-UBND of 2 Jun 2023
    assert zones["extent"]["temporal"]["interval"] == [["1999-09-01T00:00:00Z", "2023-06-02T00:00:00Z"]]
    west, south, east, north = zones["extent"]["spatial"]["bbox"][0]
    assert 105 < west < east < 107.5 and 21 < south < north < 23  # Đình Lập (Lạng Sơn) reaches past 107 E


def test_paging_links_and_exact_counts(api, shipped):
    first = get(f"{api}/collections/zones/items", limit=4).json()
    assert first["numberMatched"] == len(shipped) and first["numberReturned"] == 4
    assert not [link for link in first["links"] if link["rel"] == "prev"]
    second = get([link["href"] for link in first["links"] if link["rel"] == "next"][0]).json()
    assert [link["rel"] for link in second["links"]].count("prev") == 1
    features = all_items(api, limit=4)
    assert [f["id"] for f in features] == list(shipped)  # every zone once, in store order
    last = get(f"{api}/collections/zones/items", limit=4, offset=4 * (len(shipped) // 4)).json()
    assert last["numberReturned"] == len(shipped) % 4 and not [link for link in last["links"] if link["rel"] == "next"]
    beyond = get(f"{api}/collections/zones/items", offset=100).json()
    assert beyond["numberReturned"] == 0 and beyond["numberMatched"] == len(shipped)


def test_limit_default_and_maximum(api):
    assert get(f"{api}/collections/zones/items").json()["numberReturned"] == LIMIT_DEFAULT
    big = get(f"{api}/collections/infrastructure_grid/items", limit=LIMIT_MAX + 1000).json()
    assert big["numberReturned"] == GRID_CELLS and big["numberMatched"] == GRID_CELLS  # clamped, streamed


def test_layer_stored_in_vn2000_is_served_in_crs84_and_its_storage_crs(api):
    collection = get(f"{api}/collections/infrastructure_grid").json()
    assert collection["storageCrs"] == EPSG(9213)
    x0, y0 = pyproj.Transformer.from_crs(4326, 9213, always_xy=True).transform(105.83, 22.16)
    stored = get(f"{api}/collections/infrastructure_grid/items/1", crs=EPSG(9213)).json()["geometry"]
    assert shapely.geometry.shape(stored).equals_exact(shapely.box(x0, y0, x0 + 100, y0 + 100), 0.002)
    lonlat = np.array(get(f"{api}/collections/infrastructure_grid/items/1").json()["geometry"]["coordinates"][0])
    xy = np.array(shapely.box(x0, y0, x0 + 100, y0 + 100).exterior.coords)
    lon, lat = pyproj.Transformer.from_crs(9213, "OGC:CRS84", always_xy=True).transform(xy[:, 0], xy[:, 1])
    np.testing.assert_allclose(lonlat, np.column_stack([lon, lat]), atol=1e-7)
    # a CRS84 bbox around the first cell's corner finds cells 1 and its neighbours only
    page = get(f"{api}/collections/infrastructure_grid/items", bbox="105.8299,22.1599,105.8301,22.1601").json()
    assert [f["id"] for f in page["features"]] == [1]


def test_layer_without_id_uses_feature_numbers(api):
    page = get(f"{api}/collections/infrastructure_grid/items", limit=3, offset=10).json()
    assert [f["id"] for f in page["features"]] == [11, 12, 13]
    one = get(f"{api}/collections/infrastructure_grid/items/11").json()
    assert one["properties"] == {"cell": 10, "label": "ô 10"}


def test_item_has_etag_stable_across_crs_and_format(api):
    url = f"{api}/collections/zones/items/bk-ccn-vang-muoi"
    plain = get(url)
    assert plain.headers["content-type"].startswith("application/geo+json")
    etag = plain.headers["etag"]
    assert etag.startswith('"') and etag == get(url, crs=EPSG(9213)).headers["etag"]
    assert etag == get(url, f="html").headers["etag"]
    assert httpx.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert plain.json()["properties"]["decision_date"] == "2021-09-21"
    assert get(f"{api}/collections/zones/items/bk-ccn-quang-chu").headers["etag"] != etag


def test_bbox_in_crs84_selects_intersecting_zones(api, shipped):
    box = shapely.box(106.0, 21.0, 107.5, 22.5)
    expected = {i for i, f in shipped.items() if shape(f) is not None and shape(f).intersects(box)}
    got = {f["id"] for f in all_items(api, bbox="106.0,21.0,107.5,22.5")}
    assert got == expected and expected
    assert {f["id"] for f in all_items(api, bbox="106.0,21.0,0,107.5,22.5,100")} == expected


def test_datetime_filters_on_decision_date(api, shipped):
    def dated(low, high):
        return {
            i
            for i, f in shipped.items()
            if f["properties"]["decision_date"] and low <= f["properties"]["decision_date"] <= high
        }

    assert {f["id"] for f in all_items(api, datetime="2021-10-01/..")} == dated("2021-10-01", "9999")
    assert {f["id"] for f in all_items(api, datetime="2021-09-21")} == dated("2021-09-21", "2021-09-21")
    assert {f["id"] for f in all_items(api, datetime="../2021-10-06T12:00:00Z")} == dated("0000", "2021-10-06")


def test_simple_property_filters(api, shipped):
    got = {f["id"] for f in all_items(api, kind="KCN", province_pre2025="Lạng Sơn")}
    expected = {
        i
        for i, f in shipped.items()
        if f["properties"]["kind"] == "KCN" and f["properties"]["province_pre2025"] == "Lạng Sơn"
    }
    assert got == expected and expected
    got = {f["id"] for f in all_items(api, area_published_ha="74.4")}
    assert got == {i for i, f in shipped.items() if f["properties"]["area_published_ha"] == 74.4}


# --- Part 2: CRS ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [4326, 9213, 9215, 3405, 4756])
def test_crs_output_matches_pyproj(api, shipped, code):
    zone = "ls-kcn-dong-banh"
    response = get(f"{api}/collections/zones/items/{zone}", crs=EPSG(code))
    assert response.headers["content-crs"] == f"<{EPSG(code)}>"
    got = np.array(response.json()["geometry"]["coordinates"][0])
    lonlat = np.array(shipped[zone]["geometry"]["coordinates"][0])
    # authority axis order: EPSG:4326 and EPSG:4756 are latitude first
    transformer = pyproj.Transformer.from_crs("OGC:CRS84", f"EPSG:{code}")
    a, b = transformer.transform(lonlat[:, 0], lonlat[:, 1])
    tolerance = 1e-6 if code in (4326, 4756) else 0.002
    np.testing.assert_allclose(got[:, 0], a, atol=tolerance)
    np.testing.assert_allclose(got[:, 1], b, atol=tolerance)
    if code == 4326:
        assert 21 < got[0, 0] < 23 and 105 < got[0, 1] < 108  # lat, lon


def test_crs_on_items_and_default_crs84_header(api, shipped):
    default = get(f"{api}/collections/zones/items", limit=100)
    assert default.headers["content-crs"] == f"<{CRS84}>"
    in_tm3 = get(f"{api}/collections/zones/items", limit=100, crs=EPSG(9213))
    assert in_tm3.headers["content-crs"] == f"<{EPSG(9213)}>"
    feature = next(f for f in in_tm3.json()["features"] if f["id"] == "bk-kcn-thanh-binh-1")
    x, y = feature["geometry"]["coordinates"][0][0]
    lon, lat = shipped["bk-kcn-thanh-binh-1"]["geometry"]["coordinates"][0][0]
    ex, ey = pyproj.Transformer.from_crs("OGC:CRS84", "EPSG:9213", always_xy=True).transform(lon, lat)
    assert (x, y) == (pytest.approx(ex, abs=0.002), pytest.approx(ey, abs=0.002))


def test_bbox_crs_in_tm3_and_lat_lon(api, shipped):
    centre = shape(shipped["bk-ccn-quang-chu"]).centroid
    x, y = pyproj.Transformer.from_crs("OGC:CRS84", "EPSG:9213", always_xy=True).transform(centre.x, centre.y)
    got = {f["id"] for f in all_items(api, bbox=f"{x - 50},{y - 50},{x + 50},{y + 50}", **{"bbox-crs": EPSG(9213)})}
    assert got == {"bk-ccn-quang-chu"}
    lonlat = all_items(api, bbox="105.5,21.5,106.0,22.5")
    latlon = all_items(api, bbox="21.5,105.5,22.5,106.0", **{"bbox-crs": EPSG(4326)})
    assert [f["id"] for f in latlon] == [f["id"] for f in lonlat] and lonlat


# --- Part 3: filtering --------------------------------------------------------------------------------


def _where(shipped, predicate) -> set[str]:
    return {i for i, f in shipped.items() if predicate(f["properties"])}


def test_cql2_text_and_json_filters(api, shipped):
    expected = _where(shipped, lambda p: (p["area_published_ha"] or 0) > 50 and p["kind"] == "CCN")
    text = {f["id"] for f in all_items(api, filter="area_published_ha > 50 AND kind = 'CCN'")}
    as_json = json.dumps(
        {
            "op": "and",
            "args": [
                {"op": ">", "args": [{"property": "area_published_ha"}, 50]},
                {"op": "=", "args": [{"property": "kind"}, "CCN"]},
            ],
        }
    )
    assert text == expected == {f["id"] for f in all_items(api, filter=as_json, **{"filter-lang": "cql2-json"})}
    # CCN over 50 ha: Quảng Chu 74.4 (Báo Bắc Kạn), Hợp Thành 81.558, Hồ Sơn 1 73.76, Đình Lập 71.39 (Thanh Thịnh: 50)
    assert expected == {"bk-ccn-quang-chu", "ls-ccn-hop-thanh", "ls-ccn-ho-son-1", "ls-ccn-dinh-lap"}
    assert {
        f["id"] for f in all_items(api, filter="kind IN ('KCN','KCX') AND province_pre2025 = 'Lạng Sơn'")
    } == _where(shipped, lambda p: p["kind"] in ("KCN", "KCX") and p["province_pre2025"] == "Lạng Sơn")
    assert {f["id"] for f in all_items(api, filter="name LIKE 'CCN%' AND investor IS NULL")} == _where(
        shipped, lambda p: p["name"].startswith("CCN") and p["investor"] is None
    )
    assert {f["id"] for f in all_items(api, filter="decision_date >= DATE('2021-10-01')")} == _where(
        shipped, lambda p: (p["decision_date"] or "") >= "2021-10-01"
    )
    assert {f["id"] for f in all_items(api, filter="area_published_ha BETWEEN 40 AND 75")} == _where(
        shipped, lambda p: p["area_published_ha"] is not None and 40 <= p["area_published_ha"] <= 75
    )


def test_cql2_spatial_filter_with_filter_crs(api, shipped):
    site = shipped["ls-kcn-hong-phong"]
    centre = shape(site).centroid
    got = {f["id"] for f in all_items(api, filter=f"S_INTERSECTS(geometry, POINT({centre.x} {centre.y}))")}
    assert got == {"ls-kcn-hong-phong"}
    x, y = pyproj.Transformer.from_crs("OGC:CRS84", "EPSG:9215", always_xy=True).transform(centre.x, centre.y)
    got = {
        f["id"] for f in all_items(api, filter=f"S_INTERSECTS(geometry, POINT({x} {y}))", **{"filter-crs": EPSG(9215)})
    }
    assert got == {"ls-kcn-hong-phong"}
    box = shapely.box(106.0, 21.0, 107.5, 22.5)
    got = {f["id"] for f in all_items(api, filter="S_INTERSECTS(geometry, BBOX(106.0, 21.0, 107.5, 22.5))")}
    assert got == {i for i, f in shipped.items() if shape(f) is not None and shape(f).intersects(box)}
    polygon = shapely.box(105.0, 21.0, 106.0, 22.0)
    within = {f["id"] for f in all_items(api, filter=f"S_WITHIN(geometry, {polygon.wkt})")}
    assert within == {i for i, f in shipped.items() if shape(f) is not None and shape(f).within(polygon)} and within
    as_json = json.dumps(
        {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [106.0, 21.0, 107.5, 22.5]}]}
    )
    assert {f["id"] for f in all_items(api, filter=as_json, **{"filter-lang": "cql2-json"})} == got


def test_queryables_are_a_json_schema_of_the_properties(api, shipped):
    response = get(f"{api}/collections/zones/queryables")
    assert response.headers["content-type"].startswith("application/schema+json")
    doc = response.json()
    assert doc["type"] == "object" and "$schema" in doc
    assert set(next(iter(shipped.values()))["properties"]) <= set(doc["properties"])
    assert doc["properties"]["kind"]["enum"] == ["KCN", "CCN", "KCX", "CNTT", "KKTCK"]
    assert doc["properties"]["decision_date"]["format"] == "date"
    assert doc["properties"]["area_published_ha"]["type"] == "number"


def test_new_store_layers_appear_without_restart(api, api_store):
    from geozones.store import GeoPackageStore

    assert "scenario_late" not in {c["id"] for c in get(f"{api}/collections").json()["collections"]}
    store = GeoPackageStore(api_store)  # a second handle on the server's store file
    store.write_layer("scenario_late", store.zones().head(2))
    try:
        assert "scenario_late" in {c["id"] for c in get(f"{api}/collections").json()["collections"]}
        assert get(f"{api}/collections/scenario_late/items").json()["numberMatched"] == 2
    finally:
        store.delete_layer("scenario_late")
    assert get(f"{api}/collections/scenario_late").status_code == 404


# --- HTML and negotiation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/conformance",
        "/collections",
        "/collections/zones",
        "/collections/zones/items",
        "/collections/zones/items/bk-kcn-thanh-binh-1",
        "/collections/zones/queryables",
    ],
)
def test_html_by_parameter_and_by_accept(api, path):
    by_param = get(f"{api}{path}", f="html")
    by_accept = httpx.get(f"{api}{path}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    for response in (by_param, by_accept):
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        assert "<html" in response.text
    as_json = httpx.get(f"{api}{path}", headers={"Accept": "application/json"})
    assert as_json.status_code == 200 and as_json.json()


def test_html_escapes_attribute_text(api):
    page = get(f"{api}/collections/zones/items", f="html", limit=100).text
    assert "KCN Thanh Bình giai đoạn I" in page
    scenario = get(f"{api}/collections/scenario_lang_son/items", f="html", limit=100).text
    assert "<script" not in scenario and "&lt;script&gt;" in scenario and "&amp; &lt;b&gt;bold" in scenario
    as_json = get(f"{api}/collections/scenario_lang_son/items", limit=100).json()
    assert MARKUP in [f["properties"]["notes"] for f in as_json["features"]]  # JSON keeps the text as it is


def test_api_definition_as_html_for_browsers(api):
    page = httpx.get(f"{api}/api", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html") and "swagger" in page.text.lower()
    assert get(f"{api}/api", f="xml").status_code == 400


# --- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path,params,status,words",
    [
        ("/collections/zones/items", {"colour": "red"}, 400, "unknown parameter 'colour'"),
        ("/collections/zones/items", {"limit": "0"}, 400, "limit"),
        ("/collections/zones/items", {"limit": "ten"}, 400, "limit"),
        ("/collections/zones/items", {"offset": "-1"}, 400, "offset"),
        ("/collections/zones/items", {"bbox": "1,2,3"}, 400, "bbox"),
        ("/collections/zones/items", {"bbox": "106,22,105,21x"}, 400, "bbox"),
        ("/collections/zones/items", {"bbox": "105,22,106,21"}, 400, "bbox"),
        ("/collections/zones/items", {"crs": "EPSG:2154"}, 400, "crs"),
        ("/collections/zones/items", {"bbox": "1,2,3,4", "bbox-crs": "EPSG:32648"}, 400, "bbox-crs"),
        ("/collections/zones/items", {"datetime": "yesterday"}, 400, "datetime"),
        ("/collections/zones/items", {"datetime": "2022-01-01/2021-01-01"}, 400, "datetime"),
        ("/collections/boundaries_provinces/items", {"datetime": "2021-01-01"}, 400, "temporal"),
        ("/collections/zones/items", {"filter": "area_published_ha >"}, 400, "cql2-text"),
        ("/collections/zones/items", {"filter": "colour = 'red'"}, 400, "colour"),
        ("/collections/zones/items", {"filter": "name > 5"}, 400, "filter"),
        ("/collections/zones/items", {"filter": "{", "filter-lang": "cql2-json"}, 400, "JSON"),
        ("/collections/zones/items", {"filter": "kind = 'KCN'", "filter-lang": "ecql"}, 400, "filter-lang"),
        ("/collections/zones/items", {"area_published_ha": "big"}, 400, "number"),
        ("/collections/zones/items", {"f": "xml"}, 400, "f"),
        ("/collections/zones/items/bk-kcn-thanh-binh-1", {"limit": "5"}, 400, "unknown parameter 'limit'"),
        ("/collections/zones", {"bbox": "1,2,3,4"}, 400, "unknown parameter"),
        ("/collections/rivers", {}, 404, "no collection 'rivers'"),
        ("/collections/rivers/items", {}, 404, "rivers"),
        ("/collections/table_targets/items", {}, 404, "table_targets"),
        ("/collections/zones/items/no-such-zone", {}, 404, "no-such-zone"),
        ("/collections/infrastructure_grid/items/99999", {}, 404, "99999"),
        ("/nowhere", {}, 404, ""),
    ],
)
def test_error_paths_answer_ogc_exceptions(api, path, params, status, words):
    response = get(f"{api}{path}", **params)
    assert response.status_code == status
    body = response.json()
    assert body["code"] in ("InvalidParameterValue", "NotFound") and body["description"]
    assert words in body["description"]


def test_collections_carry_licence_and_attribution(api):
    """Acceptance (issue 10): CC BY-SA data keeps its licence and attribution in the collections JSON."""
    collections = {c["id"]: c for c in get(f"{api}/collections").json()["collections"]}
    for name in ("boundaries_provinces", "boundaries_provinces_2025", "boundaries_districts"):
        doc = collections[name]
        assert doc["license"] == "CC BY-SA 4.0"
        assert (
            "Open Development Vietnam (Open Development Mekong) / Department of Survey and Mapping"
            in doc["attribution"]
        )
        assert any(link["rel"] == "license" and "by-sa/4.0" in link["href"] for link in doc["links"])
    roads = get(f"{api}/collections/infrastructure_roads").json()
    assert "PROVISIONAL" in roads["license"] and "LegoCity" in roads["attribution"]
    assert all(c["license"] and c["attribution"] for c in collections.values())
