"""The API returns zones with the schema's names, order and JSON types (as the files do)."""

from __future__ import annotations

import datetime as dt

from tests.helpers.tools import require_module

require_module("starlette")

from fastapi.testclient import TestClient

from geozones.api.app import create_app
from geozones.schema import ZONE_FIELD_NAMES as FIELD_NAMES
from tests.helpers import published


def test_items_have_schema_names_in_order_and_typed_values(built_store):
    client = TestClient(create_app(store=built_store))
    response = client.get("/collections/zones/items", params={"limit": 100})
    assert response.status_code == 200, response.text
    features = response.json()["features"]
    assert len(features) == published.COUNT
    for feature in features:
        assert list(feature["properties"]) == list(FIELD_NAMES)
        props = feature["properties"]
        for year in ("status_year", "established_year", "target_year"):
            assert props[year] is None or isinstance(props[year], int)
        assert props["area_published_ha"] is None or isinstance(props["area_published_ha"], float | int)
        if props["decision_date"] is not None:
            dt.date.fromisoformat(props["decision_date"])  # a date, not a timestamp
    assert any(f["properties"]["decision_date"] for f in features)
