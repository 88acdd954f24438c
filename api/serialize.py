"""Fast JSON and GeoJSON serialisation for big responses (orjson + shapely 2, vectorised).

Geometries are written by GEOS (``shapely.to_geojson`` on a whole array) and embedded
as pre-encoded ``orjson.Fragment`` values; attributes are turned into plain Python
lists one column at a time (NaN/NA -> ``null``, dates -> ISO 8601, numpy scalars ->
numbers), so no per-feature Python work is done beyond building one small dict.

:func:`feature_collection_bytes` encodes a page in one go; :func:`iter_feature_collection`
yields it in chunks of features so a large collection is streamed with bounded memory
(:class:`StreamingGeoJSONResponse`). The frame is encoded as given: reproject it first
(``frame.to_crs(4326)`` for RFC 7946 output).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import shapely
from starlette.responses import JSONResponse, Response, StreamingResponse

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


def geometry_fragments(geometries: np.ndarray | gpd.GeoSeries, precision: int | None = DEFAULT_PRECISION) -> list:
    """GeoJSON geometry objects for an array of geometries, as ``orjson.Fragment`` (None -> None).

    ``precision`` rounds coordinates to that many decimals first (``None`` keeps them).
    """
    array = np.asarray(geometries.array if isinstance(geometries, gpd.GeoSeries) else geometries, dtype=object)
    if precision is not None and len(array):
        array = shapely.transform(array, lambda coords: np.round(coords, precision))
    texts = shapely.to_geojson(array)
    return [None if t is None else orjson.Fragment(t) for t in texts.tolist()]


def _property_rows(frame: gpd.GeoDataFrame, properties: Sequence[str] | None) -> tuple[list[str], list[list]]:
    """Attribute names and one list of values per row, in one ``to_numpy`` call.

    Values are left for :func:`dumps` to encode: float NaN and ``pd.NA``/``NaT`` become
    ``null``, numpy scalars numbers, dates ISO strings.
    """
    columns = list(frame.columns)
    geometry = frame.geometry.name
    names = [c for c in (properties if properties is not None else columns) if c != geometry]
    positions = [columns.index(c) for c in names]
    values = frame.to_numpy(dtype=object)
    return [str(n) for n in names], values[:, positions].tolist()


def _feature_list(frame: gpd.GeoDataFrame, id_column: str | None, precision: int | None,
                  properties: Sequence[str] | None) -> list[dict]:
    names, rows = _property_rows(frame, properties)
    geometries = geometry_fragments(frame.geometry, precision)
    if id_column is not None and id_column in frame.columns:
        ids = _column_values(frame[id_column])
    else:
        ids = _column_values(frame.index.to_series())
    return [{"type": "Feature", "id": fid, "geometry": geom, "properties": dict(zip(names, row))}
            for fid, geom, row in zip(ids, geometries, rows)]


def features_bytes(frame: gpd.GeoDataFrame, *, id_column: str | None = "id", precision: int | None = DEFAULT_PRECISION,
                   properties: Sequence[str] | None = None) -> bytes:
    """The features of ``frame`` as a JSON array."""
    return dumps(_feature_list(frame, id_column, precision, properties))


def iter_feature_collection(
    frame: gpd.GeoDataFrame,
    members: Mapping[str, Any] | None = None,
    *,
    id_column: str | None = "id",
    precision: int | None = DEFAULT_PRECISION,
    properties: Sequence[str] | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> Iterator[bytes]:
    """Yield a GeoJSON FeatureCollection in pieces of at most ``chunk_size`` features.

    Parameters
    ----------
    frame : GeoDataFrame
        Encoded in its own CRS (reproject first for RFC 7946).
    members : mapping, optional
        Extra top-level members written after ``features`` (``numberMatched``,
        ``numberReturned``, ``links``, ``timeStamp``...).
    id_column : str or None
        Attribute used as the feature ``id`` (kept in the properties too); the index
        when ``None`` or absent.
    precision : int or None
        Decimal places for coordinates; ``None`` writes them as stored.
    properties : sequence of str, optional
        Only these attributes (in this order).
    chunk_size : int
        Features encoded per piece.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be >= 1")
    yield b'{"type":"FeatureCollection","features":['
    for start in range(0, len(frame), chunk_size):
        body = features_bytes(frame.iloc[start:start + chunk_size], id_column=id_column, precision=precision,
                              properties=properties)[1:-1]
        yield body if start == 0 else b"," + body
    tail = dumps(dict(members)) if members else b"{}"
    yield b"]" + (b"," + tail[1:] if len(tail) > 2 else b"}")


def feature_collection_bytes(frame: gpd.GeoDataFrame, members: Mapping[str, Any] | None = None, **kwargs) -> bytes:
    """A whole GeoJSON FeatureCollection (see :func:`iter_feature_collection` for the options)."""
    if len(frame) <= kwargs.get("chunk_size", DEFAULT_CHUNK):
        features = _feature_list(frame, kwargs.get("id_column", "id"), kwargs.get("precision", DEFAULT_PRECISION),
                                 kwargs.get("properties"))
        return dumps({"type": "FeatureCollection", "features": features, **dict(members or {})})
    return b"".join(iter_feature_collection(frame, members, **kwargs))


class ORJSONResponse(JSONResponse):
    """A JSON response encoded with :func:`dumps` (NaN -> null, numpy and dates handled).

    Subclasses ``JSONResponse`` so FastAPI documents it as JSON (not as a string).
    """

    media_type = JSON_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        return dumps(content)


class GeoJSONResponse(Response):
    """An ``application/geo+json`` response; ``content`` is bytes from this module or a dict."""

    media_type = GEOJSON_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, (bytes, bytearray)) else dumps(content)


class StreamingGeoJSONResponse(StreamingResponse):
    """A FeatureCollection streamed chunk by chunk (bounded memory for large pages).

    Parameters are those of :func:`iter_feature_collection`, plus ``status_code`` and ``headers``.
    """

    def __init__(self, frame: gpd.GeoDataFrame, members: Mapping[str, Any] | None = None, *,
                 status_code: int = 200, headers: Mapping[str, str] | None = None,
                 media_type: str = GEOJSON_MEDIA_TYPE, **kwargs):
        super().__init__(iter_feature_collection(frame, members, **kwargs), status_code=status_code,
                         headers=dict(headers or {}), media_type=media_type)


def join_chunks(chunks: Iterable[bytes]) -> bytes:
    """Concatenate streamed pieces (tests and small callers)."""
    return b"".join(chunks)


__all__ = [
    "GEOJSON_MEDIA_TYPE", "DEFAULT_PRECISION", "DEFAULT_CHUNK", "dumps", "plain_columns", "records",
    "geometry_fragments", "features_bytes", "iter_feature_collection", "feature_collection_bytes",
    "ORJSONResponse", "GeoJSONResponse", "StreamingGeoJSONResponse", "join_chunks",
]
