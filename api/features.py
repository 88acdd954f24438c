"""GeoJSON serialisation of features with orjson: geometry text from shapely, streamed in chunks.

Geometries are encoded once per layer version and output CRS (``shapely.to_geojson`` on the
whole array) and inserted into the orjson output as pre-encoded fragments, so a page of
10 000 features is a few list look-ups and one ``orjson.dumps`` per chunk.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import orjson
import pyproj
import shapely

from geozones.api import crs as _crs
from geozones.api.etag import record_etag
from geozones.api.layers import Layer
from geozones.api.serialize import dumps

#: Features per streamed chunk.
CHUNK = 1000


def geometry_texts(layer: Layer, target: pyproj.CRS, target_uri: str) -> list[str | None]:
    """GeoJSON text of every geometry of the layer in ``target`` (authority axis order), cached."""
    cache = layer.__dict__.setdefault("_geojson_cache", {})
    texts = cache.get(target_uri)
    if texts is None:
        geoms = layer.geometries
        missing = shapely.is_missing(geoms)
        out = _crs.to_output(geoms[~missing], layer.storage_crs, target)
        decimals = _crs.decimals_for(target)
        out = shapely.transform(out, lambda xy: np.round(xy, decimals))
        encoded = shapely.to_geojson(out) if len(out) else np.array([], dtype=object)
        texts = [None] * len(geoms)
        for position, text in zip(np.flatnonzero(~missing), encoded):
            texts[int(position)] = text
        cache[target_uri] = texts
    return texts


def feature(layer: Layer, position: int, texts: Sequence[str | None], links: list | None = None) -> dict:
    """One GeoJSON Feature (geometry as a pre-encoded fragment)."""
    text = texts[position]
    out = {
        "type": "Feature",
        "id": layer.ids[position],
        "geometry": orjson.Fragment(text) if text is not None else None,
        "properties": layer.records[position],
    }
    if links is not None:
        out["links"] = links
    return out


def item_etag(layer: Layer, position: int) -> str:
    """The record's ETag: stored attributes and storage-CRS geometry (output CRS and format do not matter)."""
    return record_etag(layer.stored_properties(position), layer.geometries[position])


def collection_chunks(
    layer: Layer, positions: Sequence[int], texts: Sequence[str | None], head: dict, tail: dict
) -> Iterator[bytes]:
    """A FeatureCollection as byte chunks: ``head`` members, the features, then ``tail`` members."""
    start = dumps({"type": "FeatureCollection", **head})[:-1]
    yield start + (b',"features":[' if len(start) > 1 else b'"features":[')
    for begin in range(0, len(positions), CHUNK):
        chunk = [feature(layer, int(p), texts) for p in positions[begin : begin + CHUNK]]
        body = dumps(chunk)[1:-1]
        yield (b"," if begin else b"") + body
    rest = dumps(tail)
    yield b"]" + (b"," + rest[1:] if len(rest) > 2 else b"}")
