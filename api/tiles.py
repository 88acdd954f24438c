"""Vector tiles of the collections: attributes per layer, the tile source per backend, and tile metadata.

GeoPackage stores are tiled in memory from the catalog's layer (:class:`geozones.io.mvt.TileLayer`,
encoded with mapbox-vector-tile); PostGIS stores by ``ST_AsMVT`` in the database
(:mod:`geozones.store.postgis_tiles`). Finished tiles go to the catalog's page cache, keyed by
store version, with their gzip bytes and ETag.
"""

from __future__ import annotations

import threading

import morecantile
import pandas as pd

from geozones.api.layers import Layer
from geozones.io import mvt

TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
MVT = mvt.MEDIA_TYPE
#: Deepest tile matrix served (clients over-zoom beyond it).
MAX_ZOOM = 16

#: Attributes carried in the tiles of a layer (the rest stay in the items): enough to label, style and pick.
TILE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "zones": (
        "id",
        "name",
        "kind",
        "status",
        "province",
        "province_pre2025",
        "district_pre2025",
        "area_published_ha",
        "geometry_quality",
    ),
}
#: Columns never carried by default (long text: sources, notes, licences are in the metadata).
LONG_TEXT = {"sources", "location_basis", "notes", "attribution", "licence", "description"}
DEFAULT_MAX_ATTRIBUTES = 12

_LOCK = threading.Lock()


def tile_columns(layer: Layer) -> list[tuple[str, bool]]:
    """(column, is_number) of the attributes a layer's tiles carry."""
    wanted = TILE_ATTRIBUTES.get(layer.name)
    if wanted is None and layer.name.startswith("scenario_"):
        wanted = TILE_ATTRIBUTES["zones"]
    if wanted is not None:
        names = [c for c in wanted if c in layer.columns]
    else:
        names = [c for c in layer.columns if c not in LONG_TEXT][:DEFAULT_MAX_ATTRIBUTES]
    frame = layer.frame
    return [
        (c, pd.api.types.is_numeric_dtype(frame[c].dtype) and not pd.api.types.is_bool_dtype(frame[c].dtype))
        for c in names
    ]


def tile_layer(layer: Layer) -> mvt.TileLayer:
    """The layer in Web Mercator with its tree and tile attributes (built once per layer version)."""
    found = layer.__dict__.get("_tile_layer")
    if found is None:
        with _LOCK:
            found = layer.__dict__.get("_tile_layer")
            if found is None:
                columns = [c for c, _ in tile_columns(layer)]
                properties = mvt.tile_properties(layer.records, columns)
                found = mvt.TileLayer.of(layer.name, layer.geometries, layer.storage_crs, properties, layer.attribution)
                layer.__dict__["_tile_layer"] = found
    return found


def render_tile(store, layer: Layer, z: int, x: int, y: int) -> bytes:
    """The MVT bytes of a collection's tile z/x/y (PostGIS in the database, else in memory)."""
    if type(store).__name__ == "PostGISStore":
        from geozones.store.postgis_tiles import postgis_tile

        return postgis_tile(store, layer.name, z, x, y, tile_columns(layer))
    return tile_layer(layer).tile(z, x, y)


def tile_matrix_set() -> morecantile.TileMatrixSet:
    return morecantile.tms.get(TMS_ID)


def tile_matrix_set_doc() -> dict:
    """The WebMercatorQuad definition (OGC Two Dimensional Tile Matrix Set 2.0 JSON)."""
    return tile_matrix_set().model_dump(mode="json", exclude_none=True, by_alias=True)


def limits(layer: Layer) -> list[dict]:
    """tileMatrixSetLimits: the tiles that cover the layer's extent at every served zoom."""
    bbox = layer.bbox or [-180.0, -85.0, 180.0, 85.0]
    out = []
    for z in range(MAX_ZOOM + 1):
        col0, row0, col1, row1 = mvt.tile_range(bbox, z)
        out.append(
            {"tileMatrix": str(z), "minTileRow": row0, "maxTileRow": row1, "minTileCol": col0, "maxTileCol": col1}
        )
    return out


def properties_schema(layer: Layer) -> dict:
    queryables = layer.queryables
    return {
        "type": "object",
        "properties": {c: {"type": queryables.get(c, {}).get("type", "string")} for c, _ in tile_columns(layer)},
    }
