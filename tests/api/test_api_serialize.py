"""api.serialize: the orjson encoder used by every JSON response (NaN/NA -> null, dates ISO)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.helpers.tools import require_module

require_module("starlette")

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geozones.api import serialize


@pytest.fixture
def frame():
    return gpd.GeoDataFrame(
        {
            "id": ["a", "b", "c"],
            "area": [1.5, np.nan, 3.0],
            "count": pd.array([1, None, 3], dtype="Int64"),
            "when": [dt.date(2021, 9, 21), None, dt.date(2021, 10, 8)],
            "name": ["Vằng Mười", None, "Chu Hương"],
            "flag": [True, False, True],
        },
        geometry=[shapely.box(105.8, 22.0, 105.81, 22.01), None, shapely.Point(106.0, 21.9)],
        crs="EPSG:4326",
    )


def test_records_and_dumps_handle_numpy_and_pandas():
    table = pd.DataFrame({"x": [np.float64(1.0), np.nan], "k": ["a", "b"]}).set_index("k")
    assert serialize.records(table, index=True) == [{"k": "a", "x": 1.0}, {"k": "b", "x": None}]
    assert json.loads(serialize.dumps({"n": np.int64(3), "na": pd.NA, "t": pd.Timestamp("2025-07-01")})) == {
        "n": 3,
        "na": None,
        "t": "2025-07-01T00:00:00",
    }
