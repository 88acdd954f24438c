"""Downloads: GeoPackage with the QGIS style, RFC 7946 GeoJSON, CSV with WKT; errors; temp files removed."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tempfile

import pytest

from tests.helpers.tools import require_module

require_module("fastapi")

import pyogrio
import shapely
from fastapi.testclient import TestClient

from tests.helpers import published
from tests.helpers.ogc import assert_ogc_error

# data/zones/zones.geojson as typed in tests/helpers/published.py: 33 with a polygon, 4 without
SHIPPED_ZONES = published.COUNT
WITH_POLYGON = published.count(mapped=True)
assert (SHIPPED_ZONES, WITH_POLYGON) == (37, 33)


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """Every temporary file the API makes lands here, so leftovers can be seen."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def client(store, scratch):
    from geozones.api.app import create_app
    from geozones.api.settings import Settings

    with TestClient(create_app(Settings(store=store.path), store=store)) as test_client:
        yield test_client


def save(response, path):
    path.write_bytes(response.content)
    return path


def test_geopackage_has_the_zones_the_crs_and_the_qgis_style(client, tmp_path, scratch):
    response = client.get("/downloads/zones", params={"f": "gpkg"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geopackage+sqlite3"
    assert response.headers["content-disposition"] == 'attachment; filename="zones.gpkg"'
    path = save(response, tmp_path / "zones.gpkg")
    info = pyogrio.read_info(path, layer="zones")
    assert info["features"] == SHIPPED_ZONES
    assert info["crs"] == "EPSG:4326"
    with sqlite3.connect(path) as db:
        styles = db.execute("SELECT f_table_name, useAsDefault, styleQML FROM layer_styles").fetchall()
    assert [(s[0], s[1]) for s in styles] == [("zones", 1)]
    assert "<qgis" in styles[0][2] and "status" in styles[0][2]
    assert list(scratch.iterdir()) == []  # the temporary file is gone once sent


def test_geopackage_in_vn2000_tm3_keeps_the_published_area(client, tmp_path):
    response = client.get("/downloads/zones", params={"f": "gpkg", "crs": "EPSG:9213"})
    assert response.status_code == 200
    path = save(response, tmp_path / "zones_vn2000.gpkg")
    assert pyogrio.read_info(path, layer="zones")["crs"] == "EPSG:9213"
    frame = pyogrio.read_dataframe(path, layer="zones")
    phase_one = frame.loc[frame["id"] == "bk-kcn-thanh-binh-1", "geometry"].iloc[0]
    # KCN Thanh Bình phase I: 73.5 ha published (seed 003); in metres, so area / 10 000 is hectares
    assert phase_one.area / 10_000 == pytest.approx(73.5, rel=0.01)


def test_geopackage_accepts_an_ogc_crs_uri(client, tmp_path):
    response = client.get("/downloads/zones", params={"crs": "http://www.opengis.net/def/crs/EPSG/0/9215"})
    assert response.status_code == 200
    assert pyogrio.read_info(save(response, tmp_path / "z.gpkg"), layer="zones")["crs"] == "EPSG:9215"


def test_geojson_is_rfc7946(client):
    response = client.get("/downloads/zones", params={"f": "geojson"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert response.headers["content-disposition"] == 'attachment; filename="zones.geojson"'
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection"
    assert "crs" not in body
    assert len(body["features"]) == SHIPPED_ZONES
    polygons = [shapely.geometry.shape(f["geometry"]) for f in body["features"] if f["geometry"]]
    assert len(polygons) == WITH_POLYGON
    for polygon in polygons:
        lon, lat = polygon.centroid.x, polygon.centroid.y
        # Bắc Kạn and Lạng Sơn lie at about 21-23 N, 105-108 E: longitude first
        assert 105 < lon < 108 and 21 < lat < 23
        # RFC 7946: exterior rings counter-clockwise
        assert polygon.exterior.is_ccw


def test_geojson_in_another_crs_is_refused(client):
    assert_ogc_error(
        client.get("/downloads/zones", params={"f": "geojson", "crs": "EPSG:9213"}), 400, "RFC 7946", "WGS84"
    )
    assert client.get("/downloads/zones", params={"f": "geojson", "crs": "EPSG:4326"}).status_code == 200


def test_csv_has_parseable_wkt(client):
    response = client.get("/downloads/zones", params={"f": "csv", "crs": "EPSG:9213"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="zones.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert len(rows) == SHIPPED_ZONES
    geometries = {row["id"]: shapely.from_wkt(row["wkt"]) for row in rows if row["wkt"]}
    assert len(geometries) == WITH_POLYGON
    assert geometries["bk-ccn-quang-chu"].area / 10_000 == pytest.approx(74.4, rel=0.01)  # seed 001: 74.4 ha
    assert next(r for r in rows if r["id"] == "bk-ccn-quang-chu")["name"] == "CCN Quảng Chu"


def test_other_geometry_layers_download(client, store, tmp_path):
    import geopandas as gpd

    response = client.get("/downloads/boundaries_provinces", params={"f": "gpkg"})
    assert response.status_code == 200
    assert pyogrio.list_layers(save(response, tmp_path / "b.gpkg"))[0][0] == "boundaries_provinces"
    store.write_layer(
        "scenario_test",
        gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.box(105.8, 22.0, 105.81, 22.01)], crs="EPSG:4326"),
    )
    body = client.get("/downloads/scenario_test", params={"f": "geojson"}).json()
    assert [f["properties"]["name"] for f in body["features"]] == ["a"]
    layers = [layer["id"] for layer in client.get("/downloads").json()["layers"]]
    assert "zones" in layers and "scenario_test" in layers and "boundaries_provinces" in layers
    assert not any(name.startswith("table_") for name in layers)


@pytest.mark.parametrize("layer", ["nope", "table_targets", "layer_styles"])
def test_unknown_or_table_layer_is_404(client, layer, scratch):
    assert_ogc_error(client.get(f"/downloads/{layer}"), 404, layer)
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize(
    "params, words",
    [
        ({"f": "shp"}, ["f", "gpkg"]),
        ({"crs": "EPSG:999999"}, ["crs", "EPSG:999999"]),
        ({"crs": "not a crs"}, ["crs"]),
    ],
)
def test_bad_format_or_crs_is_400(client, params, words, scratch):
    assert_ogc_error(client.get("/downloads/zones", params=params), 400, *words)
    assert list(scratch.iterdir()) == []
