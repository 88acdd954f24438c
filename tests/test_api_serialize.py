"""api.serialize: orjson GeoJSON encoding (NaN -> null, dates ISO) and chunked streaming."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

pytest.importorskip("starlette")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from shapely.geometry import shape  # noqa: E402

from api import serialize  # noqa: E402


@pytest.fixture
def frame():
    return gpd.GeoDataFrame({
        "id": ["a", "b", "c"],
        "area": [1.5, np.nan, 3.0],
        "count": pd.array([1, None, 3], dtype="Int64"),
        "when": [dt.date(2021, 9, 21), None, dt.date(2021, 10, 8)],
        "name": ["Vằng Mười", None, "Chu Hương"],
        "flag": [True, False, True],
    }, geometry=[shapely.box(105.8, 22.0, 105.81, 22.01), None, shapely.Point(106.0, 21.9)], crs="EPSG:4326")


def test_feature_collection_is_plain_geojson(frame):
    body = json.loads(serialize.feature_collection_bytes(frame, {"numberMatched": 3}))
    assert body["type"] == "FeatureCollection" and body["numberMatched"] == 3
    features = body["features"]
    assert [f["id"] for f in features] == ["a", "b", "c"]
    assert features[0]["properties"] == {"id": "a", "area": 1.5, "count": 1, "when": "2021-09-21",
                                         "name": "Vằng Mười", "flag": True}
    # missing values of every kind are null, never NaN (which is not JSON)
    assert features[1]["properties"] == {"id": "b", "area": None, "count": None, "when": None, "name": None,
                                         "flag": False}
    assert features[1]["geometry"] is None
    assert shape(features[0]["geometry"]).equals_exact(frame.geometry.iloc[0], 1e-7)
    assert features[2]["geometry"] == {"type": "Point", "coordinates": [106.0, 21.9]}


def test_precision_rounds_coordinates():
    frame = gpd.GeoDataFrame({"id": ["p"]}, geometry=[shapely.Point(105.123456789, 22.987654321)], crs=4326)
    body = json.loads(serialize.feature_collection_bytes(frame, precision=5))
    assert body["features"][0]["geometry"]["coordinates"] == [105.12346, 22.98765]
    full = json.loads(serialize.feature_collection_bytes(frame, precision=None))
    assert full["features"][0]["geometry"]["coordinates"] == [105.123456789, 22.987654321]


@pytest.mark.parametrize("chunk", [1, 2, 3, 1000])
def test_streamed_chunks_join_to_the_same_document(frame, chunk):
    members = {"numberReturned": 3, "links": [{"href": "x", "rel": "self"}]}
    pieces = list(serialize.iter_feature_collection(frame, members, chunk_size=chunk))
    assert len(pieces) == 2 + math.ceil(len(frame) / chunk)  # head, one piece per chunk, tail
    assert json.loads(b"".join(pieces)) == json.loads(serialize.feature_collection_bytes(frame, members))


def test_empty_frame_and_no_members(frame):
    assert json.loads(b"".join(serialize.iter_feature_collection(frame.iloc[:0]))) == {
        "type": "FeatureCollection", "features": []}


def test_records_and_dumps_handle_numpy_and_pandas():
    table = pd.DataFrame({"x": [np.float64(1.0), np.nan], "k": ["a", "b"]}).set_index("k")
    assert serialize.records(table, index=True) == [{"k": "a", "x": 1.0}, {"k": "b", "x": None}]
    assert json.loads(serialize.dumps({"n": np.int64(3), "na": pd.NA, "t": pd.Timestamp("2025-07-01")})) == {
        "n": 3, "na": None, "t": "2025-07-01T00:00:00"}


def test_bad_chunk_size(frame):
    with pytest.raises(ValueError, match="chunk_size"):
        list(serialize.iter_feature_collection(frame, chunk_size=0))
