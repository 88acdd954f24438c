"""Mapbox Vector Tiles of a geometry layer in the WebMercatorQuad tile matrix set, and PMTiles archives.

:class:`TileLayer` holds one layer projected to Web Mercator (EPSG:3857) with an STRtree; its
:meth:`TileLayer.tile` answers the MVT bytes of one tile:

* candidates from the tree, clipped to the tile plus a buffer of :data:`BUFFER` tile units;
* simplified per zoom with ``shapely.simplify`` at :data:`SIMPLIFY_PX` screen pixels (256 px tiles);
* features smaller than a tile unit are left out (a renderer could not draw them);
* bounded cost: at most ``max_features`` features per tile (the largest first) and, if the
  encoded tile exceeds ``max_bytes``, fewer in proportion (at most half) until it fits;
* encoded with mapbox-vector-tile (extent 4096, y down, MVT 2.1).

Tile numbering is the OGC ``tileMatrix/tileRow/tileCol`` = XYZ ``z/y/x`` (row 0 at the north).
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyproj
import shapely

EXTENT = 4096
#: Clip buffer around a tile, in tile units (so strokes do not end at tile edges).
BUFFER = 64
#: Simplification tolerance in screen pixels of a 256-pixel tile.
SIMPLIFY_PX = 0.5
MAX_FEATURES = 10_000
MAX_BYTES = 1_500_000
MAX_ZOOM = 22
#: Half the Web Mercator world width in metres.
ORIGIN = 20037508.342789244
MEDIA_TYPE = "application/vnd.mapbox-vector-tile"


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Web Mercator bounds (minx, miny, maxx, maxy) of XYZ tile ``z/x/y``."""
    size = 2 * ORIGIN / 2**z
    return -ORIGIN + x * size, ORIGIN - (y + 1) * size, -ORIGIN + (x + 1) * size, ORIGIN - y * size


def tile_range(bbox84: Sequence[float], z: int) -> tuple[int, int, int, int]:
    """(min col, min row, max col, max row) of the zoom-``z`` tiles that cover a CRS84 bbox."""
    west, south, east, north = bbox84
    south, north = max(south, -85.0511287798), min(north, 85.0511287798)
    n = 2**z

    def col(lon: float) -> int:
        return min(n - 1, max(0, int((lon + 180.0) / 360.0 * n)))

    def row(lat: float) -> int:
        rad = math.radians(lat)
        return min(n - 1, max(0, int((1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * n)))

    return col(west), row(north), col(east), row(south)


_TO_MERCATOR: dict[str, pyproj.Transformer] = {}


def to_mercator(geometries: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    """Geometries in EPSG:3857 (latitudes clamped to the Web Mercator limit)."""
    key = crs.to_wkt()
    transformer = _TO_MERCATOR.get(key)
    if transformer is None:
        transformer = _TO_MERCATOR[key] = pyproj.Transformer.from_crs(crs, 3857, always_xy=True)
    geographic = pyproj.CRS(crs).is_geographic

    def project(xy: np.ndarray) -> np.ndarray:
        y = np.clip(xy[:, 1], -85.0511287798, 85.0511287798) if geographic else xy[:, 1]
        return np.column_stack(transformer.transform(xy[:, 0], y))

    return shapely.transform(geometries, project)


@dataclass
class TileLayer:
    """One layer ready for tiling: Web Mercator geometries, an STRtree, and the attributes to carry."""

    name: str
    geometries: np.ndarray  # EPSG:3857
    properties: list[dict]
    attribution: str = ""
    _tree: shapely.STRtree | None = field(default=None, repr=False)
    _size: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def of(cls, name: str, geometries: np.ndarray, crs: pyproj.CRS, properties: list[dict], attribution: str = ""):
        geoms = np.asarray(geometries, dtype=object)
        present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        projected = np.full(len(geoms), None, dtype=object)
        if present.any():
            projected[present] = to_mercator(geoms[present], crs)
        return cls(name, projected, properties, attribution)

    @property
    def tree(self) -> shapely.STRtree:
        if self._tree is None:
            self._tree = shapely.STRtree(self.geometries)
        return self._tree

    @property
    def size(self) -> np.ndarray:
        """The larger side of each feature's bounding box (m): the order a capped tile keeps."""
        if self._size is None:
            bounds = shapely.bounds(self.geometries)
            self._size = np.nan_to_num(np.fmax(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]), nan=-1.0)
        return self._size

    def candidates(self, z: int, x: int, y: int) -> np.ndarray:
        """Positions of the features drawn in tile z/x/y, largest first, before any cap."""
        minx, miny, maxx, maxy = tile_bounds(z, x, y)
        unit = (maxx - minx) / EXTENT
        pad = BUFFER * unit
        found = self.tree.query(shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad), predicate="intersects")
        found = found[self.size[found] >= unit]  # below one tile unit: nothing to draw
        return found[np.argsort(-self.size[found], kind="stable")]

    def tile(self, z: int, x: int, y: int, max_features: int = MAX_FEATURES, max_bytes: int = MAX_BYTES) -> bytes:
        """The MVT bytes of tile z/x/y (an empty tile where the layer has nothing)."""
        chosen = self.candidates(z, x, y)[:max_features]
        while True:
            data = self._encode(z, x, y, chosen)
            if len(data) <= max_bytes or len(chosen) <= 1:
                return data
            chosen = chosen[: fewer(len(chosen), len(data), max_bytes)]

    def _encode(self, z: int, x: int, y: int, chosen: np.ndarray) -> bytes:
        import mapbox_vector_tile

        minx, miny, maxx, maxy = tile_bounds(z, x, y)
        unit = (maxx - minx) / EXTENT
        pad = BUFFER * unit
        geoms = shapely.clip_by_rect(self.geometries[chosen], minx - pad, miny - pad, maxx + pad, maxy + pad)

        def to_tile(xy: np.ndarray) -> np.ndarray:  # tile units, y down, on the integer grid
            return np.round(np.column_stack([(xy[:, 0] - minx) / unit, (maxy - xy[:, 1]) / unit]))

        geoms = shapely.transform(geoms, to_tile)
        geoms = shapely.simplify(geoms, SIMPLIFY_PX * EXTENT / 256, preserve_topology=True)
        features = []
        for position, geom in zip(chosen, geoms):
            if geom is None or geom.is_empty:
                continue
            properties = {k: v for k, v in self.properties[position].items() if v is not None}
            features.append({"geometry": geom, "properties": properties, "id": int(position) + 1})
        if not features:
            return b""
        return mapbox_vector_tile.encode(
            [{"name": self.name, "features": features}],
            default_options={"extents": EXTENT, "y_coord_down": True},
        )


def fewer(count: int, size: int, max_bytes: int) -> int:
    """How many features to keep when ``count`` of them encoded to ``size`` > ``max_bytes`` bytes.

    In proportion to the excess (with a 10 % margin), and at most half: one or two re-encodings
    instead of a halving series (the largest features come first, so the kept ones weigh more).
    """
    return max(1, min(count // 2, int(count * max_bytes / size * 0.9)))


def tile_properties(records: Iterable[dict], columns: Sequence[str]) -> list[dict]:
    """Per feature, the chosen columns with MVT-ready values (text, number, bool; dates as ISO text)."""
    out = []
    for record in records:
        row = {}
        for column in columns:
            value = record.get(column)
            if value is None or isinstance(value, (bool, int, float, str)):
                if isinstance(value, float) and not math.isfinite(value):
                    value = None
                row[column] = value
            else:
                row[column] = str(value)
        out.append(row)
    return out


def iter_tiles(
    layer: TileLayer, bbox84: Sequence[float], zooms: Iterable[int]
) -> Iterator[tuple[int, int, int, bytes]]:
    """(z, x, y, MVT bytes) of every non-empty tile over ``bbox84`` at the given zooms."""
    for z in zooms:
        x0, y0, x1, y1 = tile_range(bbox84, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                data = layer.tile(z, x, y)
                if data:
                    yield z, x, y, data


def write_pmtiles(
    path: str | Path, tiles: Iterable[tuple[int, int, int, bytes]], metadata: dict, bbox84: Sequence[float], zooms
) -> int:
    """A PMTiles v3 archive of gzip-compressed MVT tiles; returns the number of tiles written."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    zooms = list(zooms)
    entries = sorted((zxy_to_tileid(z, x, y), data) for z, x, y, data in tiles)
    with open(path, "wb") as handle:
        writer = Writer(handle)
        for tile_id, data in entries:
            writer.write_tile(tile_id, gzip.compress(data, mtime=0))
        west, south, east, north = bbox84
        header = {
            "tile_type": TileType.MVT,
            "tile_compression": Compression.GZIP,
            "min_zoom": min(zooms),
            "max_zoom": max(zooms),
            "min_lon_e7": int(west * 1e7),
            "min_lat_e7": int(south * 1e7),
            "max_lon_e7": int(east * 1e7),
            "max_lat_e7": int(north * 1e7),
            "center_zoom": min(zooms),
            "center_lon_e7": int((west + east) / 2 * 1e7),
            "center_lat_e7": int((south + north) / 2 * 1e7),
        }
        writer.finalize(header, metadata)
    return len(entries)
