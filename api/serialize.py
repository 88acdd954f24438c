"""Fast JSON for API responses: one orjson encoder (numpy, pandas, dates, NaN -> null).

Tables become lists of JSON-ready records one column at a time. GeoJSON features and
streamed item pages are built by :mod:`api.features` on top of :func:`dumps`.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
from starlette.responses import JSONResponse

GEOJSON_MEDIA_TYPE = "application/geo+json"
JSON_MEDIA_TYPE = "application/json"
#: Decimal places for coordinates in degrees (7 is about 1 cm), as geozones.io.to_geojson.
DEFAULT_PRECISION = 7
#: Features per streamed chunk: bounds the memory a response holds at once.
DEFAULT_CHUNK = 500

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    """orjson fallback: pandas/numpy scalars, timestamps, decimals, sets."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, np.generic):
        item = value.item()
        return None if isinstance(item, float) and not math.isfinite(item) else item
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "__geo_interface__"):
        return value.__geo_interface__
    return str(value)


def dumps(obj: Any) -> bytes:
    """``orjson.dumps`` with numpy support and a fallback for pandas, dates and the like.

    Non-finite floats become ``null`` (orjson already does this for Python floats).
    """
    return orjson.dumps(obj, default=_default, option=_OPTIONS)


def _column_values(series: pd.Series) -> list:
    """One attribute column as JSON-ready Python values (missing -> None)."""
    missing = series.isna().to_numpy()
    kind = series.dtype.kind if isinstance(series.dtype, np.dtype) else "O"
    if kind in "biu":
        return series.to_numpy().tolist()
    if kind == "f":
        values = series.to_numpy(dtype=float).tolist()
    elif kind == "M":
        values = [v.isoformat() for v in series.dt.to_pydatetime()] if len(series) else []
    else:
        values = series.astype(object).to_numpy().tolist()
        values = [v.isoformat() if isinstance(v, (_dt.date, _dt.time)) else v for v in values]
    if missing.any():
        for position in np.flatnonzero(missing):
            values[position] = None
    return values


def plain_columns(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> dict[str, list]:
    """Attribute columns (not the geometry) as lists of JSON-ready values."""
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    names = [c for c in (columns if columns is not None else frame.columns) if c != geometry]
    return {str(name): _column_values(frame[name]) for name in names}


def records(frame: pd.DataFrame, index: bool = False) -> list[dict]:
    """A DataFrame as a list of JSON-ready dicts (NaN -> None), optionally with its index as columns."""
    if index:
        frame = frame.reset_index()
    columns = plain_columns(frame)
    names = list(columns)
    return [dict(zip(names, row)) for row in zip(*columns.values())] if names else [{} for _ in range(len(frame))]


class ORJSONResponse(JSONResponse):
    """A JSON response encoded with :func:`dumps` (NaN -> null, numpy and dates handled).

    Subclasses ``JSONResponse`` so FastAPI documents it as JSON (not as a string).
    """

    media_type = JSON_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        return dumps(content)
