"""``geozones export --tiles``: a layer's vector tiles in a PMTiles archive (the API's tiles, offline)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from geozones.errors import UnknownAttributeError


def export_pmtiles(store, name: str, path: Path, zooms: Iterable[int]) -> int:
    """Write every non-empty tile of layer ``name`` at ``zooms`` to ``path``; returns the tile count."""
    import geopandas as gpd

    from geozones.api.layers import Layer
    from geozones.api.tiles import properties_schema, tile_layer
    from geozones.io.mvt import iter_tiles, write_pmtiles

    frame = store.layer(name)
    if not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None:
        raise UnknownAttributeError(f"layer {name!r} has no geometry to tile")
    layer = Layer(name, frame, store.version())
    zooms = list(zooms)
    bbox = layer.bbox or [-180.0, -85.0, 180.0, 85.0]
    kinds = {"number": "Number", "integer": "Number", "boolean": "Boolean"}
    fields = {c: kinds.get(s["type"], "String") for c, s in properties_schema(layer)["properties"].items()}
    metadata = {
        "name": layer.title,
        "description": layer.description,
        "attribution": layer.attribution,
        "license": layer.license,
        "vector_layers": [{"id": name, "fields": fields, "minzoom": min(zooms), "maxzoom": max(zooms)}],
    }
    return write_pmtiles(path, iter_tiles(tile_layer(layer), bbox, zooms), metadata, bbox, zooms)
