"""Mapbox Vector Tiles straight from PostGIS: ``ST_AsMVTGeom`` + ``ST_AsMVT`` on a store layer.

The same rules as the GeoPackage tiles of :mod:`geozones.io.mvt`: WebMercatorQuad tiles,
clip buffer of :data:`~geozones.io.mvt.BUFFER` units, ``ST_Simplify`` at
:data:`~geozones.io.mvt.SIMPLIFY_PX` screen pixels, features under one tile unit left out,
at most ``max_features`` per tile (largest first) and fewer when the byte cap is exceeded.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import sql

from geozones.errors import UnknownAttributeError
from geozones.io.mvt import BUFFER, EXTENT, MAX_BYTES, MAX_FEATURES, SIMPLIFY_PX, fewer, tile_bounds
from geozones.store.base import ZONES


def _table(conn, store, layer: str) -> tuple[str, int]:
    if layer == ZONES:
        return ZONES, int(store.srid)
    row = conn.execute("SELECT table_name, srid FROM geozones_layers WHERE name = %s", (layer,)).fetchone()
    if row is None or row[1] is None:
        raise UnknownAttributeError(f"no geometry layer {layer!r} in the store")
    return row[0], int(row[1])


def postgis_tile(
    store,
    layer: str,
    z: int,
    x: int,
    y: int,
    columns: Sequence[tuple[str, bool]],
    *,
    max_features: int = MAX_FEATURES,
    max_bytes: int = MAX_BYTES,
) -> bytes:
    """The MVT bytes of tile z/x/y of a PostGIS store layer; ``columns`` are (name, is_number) pairs."""
    minx, _, maxx, _ = tile_bounds(z, x, y)
    unit = (maxx - minx) / EXTENT
    props = [
        sql.SQL("t.{}").format(sql.Identifier(name))
        if number
        else sql.SQL("t.{}::text AS {}").format(sql.Identifier(name), sql.Identifier(name))
        for name, number in columns
    ]
    names = [sql.Identifier(name) for name, _ in columns]
    with store._connection() as conn:
        table, srid = _table(conn, store, layer)
        if srid == 4326:  # the GiST index answers the box test
            where = sql.SQL("t.geometry && public.ST_Transform(public.ST_Expand(b.env, %(pad)s), 4326)")
        elif srid == 3857:
            where = sql.SQL("t.geometry && public.ST_Expand(b.env, %(pad)s)")
        else:  # a projected storage CRS (e.g. VN-2000 TM-3): the world box has no image there, test in 3857
            where = sql.SQL("public.ST_Transform(t.geometry, 3857) && public.ST_Expand(b.env, %(pad)s)")
        query = sql.SQL(
            """
            WITH b AS (SELECT public.ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env),
            src AS (
                SELECT {props}, public.ST_Transform(t.geometry, 3857) AS g
                FROM {table} t, b WHERE t.geometry IS NOT NULL AND {where}
            ),
            sized AS (
                SELECT *, greatest(public.ST_XMax(g) - public.ST_XMin(g), public.ST_YMax(g) - public.ST_YMin(g)) AS size
                FROM src
            ),
            chosen AS (SELECT * FROM sized WHERE size >= %(unit)s ORDER BY size DESC LIMIT %(cap)s),
            m AS (
                SELECT {names}, public.ST_AsMVTGeom(public.ST_Simplify(g, %(tolerance)s, true), b.env,
                                                    %(extent)s, %(buffer)s, true) AS geom
                FROM chosen, b
            )
            SELECT public.ST_AsMVT(m.*, %(name)s, %(extent)s, 'geom') FROM m WHERE geom IS NOT NULL
            """
        ).format(
            props=sql.SQL(", ").join(props) if props else sql.SQL("1 AS geozones_none"),
            names=sql.SQL(", ").join(names) if names else sql.SQL("geozones_none"),
            table=sql.Identifier(table),
            where=where,
        )
        cap = max_features
        while True:
            params = {
                "z": z,
                "x": x,
                "y": y,
                "pad": BUFFER * unit,
                "unit": unit,
                "cap": cap,
                "tolerance": SIMPLIFY_PX * (maxx - minx) / 256,
                "extent": EXTENT,
                "buffer": BUFFER,
                "name": layer,
            }
            row = conn.execute(query, params).fetchone()
            data = bytes(row[0]) if row and row[0] is not None else b""
            if len(data) <= max_bytes or cap <= 1:
                return data
            cap = fewer(cap, len(data), max_bytes)
