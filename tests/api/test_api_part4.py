"""The service tells a client what it can do (issue 24 item 8): OGC API - Features Part 4 conformance
classes, OPTIONS with Allow (QGIS's OAPIF provider enables editing from these), and each collection's
default style in QML and SLD linked from its metadata."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from geozones.api.app import create_app
from geozones.api.settings import Settings

PART4 = "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/"


@pytest.fixture(scope="module")
def client(built_store, tmp_path_factory):
    keys = tmp_path_factory.mktemp("part4") / "keys.json"
    return TestClient(create_app(Settings(keys_file=keys), store=built_store))


def test_part4_conformance_classes_are_advertised(client):
    classes = set(client.get("/conformance").json()["conformsTo"])
    for name in ("create-replace-delete", "update", "optimistic-locking-etags", "features"):
        assert PART4 + name in classes


def test_options_answers_with_allow(client):
    items = client.options("/collections/zones/items")
    assert items.status_code == 204
    assert {m.strip() for m in items.headers["allow"].split(",")} == {"GET", "OPTIONS", "POST"}
    item = client.options("/collections/zones/items/bk-ccn-quang-chu")
    assert {m.strip() for m in item.headers["allow"].split(",")} == {"GET", "OPTIONS", "PUT", "PATCH", "DELETE"}
    # a read-only collection says so: no POST
    roads = client.options("/collections/infrastructure_roads/items")
    assert roads.status_code == 204 and "POST" not in roads.headers["allow"]
    assert client.options("/collections/nothing/items").status_code == 404
    # it names only methods that answer (no HEAD: FastAPI's GET routes do not take it)
    assert client.head("/collections/zones/items?limit=1").status_code == 405


@pytest.mark.parametrize("collection", ["zones", "infrastructure_roads", "boundaries_districts"])
def test_each_collection_links_its_default_style_in_qml_and_sld(client, collection):
    doc = client.get(f"/collections/{collection}").json()
    styles = {link["type"]: link["href"] for link in doc["links"] if link["rel"] == "stylesheet"}
    assert set(styles) == {"application/vnd.qgis.qml", "application/vnd.ogc.sld+xml;version=1.1"}
    qml = client.get(styles["application/vnd.qgis.qml"].replace("http://testserver", ""))
    assert qml.status_code == 200 and qml.headers["content-type"].startswith("application/vnd.qgis.qml")
    root = ET.fromstring(qml.text.split("\n", 1)[1])  # after the DOCTYPE
    assert root.tag == "qgis" and root.find("renderer-v2") is not None
    sld = client.get(styles["application/vnd.ogc.sld+xml;version=1.1"].replace("http://testserver", ""))
    assert sld.status_code == 200
    tree = ET.fromstring(sld.content)
    assert tree.tag.endswith("StyledLayerDescriptor")
    rules = tree.findall(".//{http://www.opengis.net/se}Rule")
    assert len(rules) == (6 if collection == "zones" else 1)
    if collection == "infrastructure_roads":
        assert "LineSymbolizer" in sld.text and "#d35400" in sld.text
    assert client.get(f"/collections/{collection}/styles/default?f=png").status_code == 400
