"""An independent Mapbox Vector Tile decoder (MVT 2.1 protobuf read by hand), for checking tiles.

Neither mapbox-vector-tile nor PostGIS is used: the protobuf wire format (varints and
length-delimited fields) and the geometry commands (MoveTo, LineTo, ClosePath, zig-zag
deltas) are decoded here from the specification, https://github.com/mapbox/vector-tile-spec/tree/master/2.1
"""

from __future__ import annotations

import shapely
from shapely.geometry import LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon


def _varint(data: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i
        shift += 7


def _fields(data: bytes):
    """(field number, wire type, value) of a protobuf message; value is int or bytes."""
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 2:
            size, i = _varint(data, i)
            value, i = data[i : i + size], i + size
        elif wire == 1:
            value, i = data[i : i + 8], i + 8
        elif wire == 5:
            value, i = data[i : i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, wire, value


def _packed(data: bytes) -> list[int]:
    out, i = [], 0
    while i < len(data):
        value, i = _varint(data, i)
        out.append(value)
    return out


def _zigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def _value(data: bytes):
    import struct

    for number, _, value in _fields(data):
        if number == 1:
            return value.decode("utf-8")
        if number == 2:
            return struct.unpack("<f", value)[0]
        if number == 3:
            return struct.unpack("<d", value)[0]
        if number in (4, 5):
            return value if number == 5 or value < 2**63 else value - 2**64
        if number == 6:
            return _zigzag(value)
        if number == 7:
            return bool(value)
    return None


def _rings(commands: list[int]) -> list[list[tuple[int, int]]]:
    """Paths of tile coordinates (each MoveTo starts one; ClosePath closes it)."""
    paths: list[list[tuple[int, int]]] = []
    x = y = i = 0
    while i < len(commands):
        command, count = commands[i] & 7, commands[i] >> 3
        i += 1
        if command == 7:
            paths[-1].append(paths[-1][0])
            continue
        for _ in range(count):
            x += _zigzag(commands[i])
            y += _zigzag(commands[i + 1])
            i += 2
            if command == 1:
                paths.append([(x, y)])
            else:
                paths[-1].append((x, y))
    return paths


def _signed_area(ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2


def _geometry(kind: int, commands: list[int]):
    paths = _rings(commands)
    if kind == 1:
        points = [Point(p[0]) for p in paths]
        return points[0] if len(points) == 1 else MultiPoint(points)
    if kind == 2:
        lines = [LineString(p) for p in paths]
        return lines[0] if len(lines) == 1 else MultiLineString(lines)
    # polygons: an exterior ring has positive area in tile coordinates (y down), interiors negative
    polygons: list[list] = []
    for ring in paths:
        if _signed_area(ring) > 0 or not polygons:
            polygons.append([ring])
        else:
            polygons[-1].append(ring)
    shapes = [Polygon(rings[0], rings[1:]) for rings in polygons]
    return shapes[0] if len(shapes) == 1 else MultiPolygon(shapes)


def decode(data: bytes) -> dict[str, dict]:
    """Layer name -> {"extent": int, "version": int, "features": [{"id", "properties", "geometry"}]}.

    Geometries are shapely geometries in tile coordinates (0..extent, y down).
    """
    layers = {}
    for number, _, layer_bytes in _fields(data):
        if number != 3:
            continue
        name, extent, version, keys, values, raw = "", 4096, 1, [], [], []
        for n, _, value in _fields(layer_bytes):
            if n == 1:
                name = value.decode("utf-8")
            elif n == 2:
                raw.append(value)
            elif n == 3:
                keys.append(value.decode("utf-8"))
            elif n == 4:
                values.append(_value(value))
            elif n == 5:
                extent = value
            elif n == 15:
                version = value
        features = []
        for feature_bytes in raw:
            fid, tags, kind, commands = None, [], 0, []
            for n, _, value in _fields(feature_bytes):
                if n == 1:
                    fid = value
                elif n == 2:
                    tags = _packed(value)
                elif n == 3:
                    kind = value
                elif n == 4:
                    commands = _packed(value)
            properties = {keys[tags[i]]: values[tags[i + 1]] for i in range(0, len(tags), 2)}
            features.append({"id": fid, "properties": properties, "geometry": _geometry(kind, commands)})
        layers[name] = {"extent": extent, "version": version, "features": features}
    return layers


def to_lonlat(geometry, z: int, x: int, y: int, extent: int = 4096):
    """A geometry in tile coordinates back to longitude/latitude (the Web Mercator formulas, by hand)."""
    import math

    n = 2**z

    def convert(coords):
        tx = x + coords[:, 0] / extent
        ty = y + coords[:, 1] / extent
        lon = tx / n * 360.0 - 180.0
        lat = [math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * t / n)))) for t in ty]
        import numpy as np

        return np.column_stack([lon, np.asarray(lat)])

    return shapely.transform(geometry, convert)
