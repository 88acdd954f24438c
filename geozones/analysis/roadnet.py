"""Travel distance along roads: a networkx graph from a line layer, zones attached at their nearest point.

Roads are connected where their lines share a vertex (within ``node_tolerance``
metres), as in OpenStreetMap: two lines that cross without a shared vertex (a
bridge over a road) are not connected. A zone joins the network at the nearest
point of the nearest road segment; the straight access leg from the zone's edge to
that point is counted in the distance (``access_m``), and the trip continues along
the segment in both directions, not from a jump to the nearest graph node.
Destinations join the network the same way. A destination in another connected
component is unreachable: NaN and ``reachable_<id> == False``, never a straight line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from geozones.checks import check_layer, same_crs
from geozones.errors import EmptyLayerError, GeometryError

#: Default travel speeds (km/h) by road class: planning ASSUMPTIONS for two-lane mountain
#: roads, not measured or published figures. Override with ``speeds_kmh`` or a ``speed_kmh``
#: column on the road layer.
DEFAULT_SPEEDS_KMH: dict[str, float] = {
    "expressway": 80.0,
    "national_highway": 50.0,
    "provincial_road": 40.0,
    "district_road": 30.0,
    "local_road": 25.0,
}
#: Speed for classes not in the table, and for the straight access legs.
FALLBACK_CLASS = "local_road"


def column_key(value) -> str:
    """A destination id made safe for a column name: ``'huu-nghi gate'`` -> ``'huu_nghi_gate'``."""
    return re.sub(r"[^0-9A-Za-z_]+", "_", str(value)).strip("_").lower()


def _segments(roads: gpd.GeoDataFrame | gpd.GeoSeries, speeds: Mapping[str, float]):
    """Every straight segment of the road layer: start/end coordinates, length (m), speed (km/h)."""
    geoms = np.asarray(roads.geometry.array if isinstance(roads, gpd.GeoDataFrame) else roads.array)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    kinds = shapely.get_type_id(geoms[present])
    if not np.isin(kinds, (1, 5)).all():  # LineString, MultiLineString
        raise GeometryError("the road layer must hold LineStrings or MultiLineStrings", field="geometry")
    if isinstance(roads, gpd.GeoDataFrame) and "speed_kmh" in roads.columns:
        feature_speed = pd.to_numeric(roads["speed_kmh"], errors="coerce").to_numpy(dtype=float)
    else:
        feature_speed = np.full(len(geoms), np.nan)
    if isinstance(roads, gpd.GeoDataFrame) and "class" in roads.columns:
        by_class = roads["class"].map(lambda c: speeds.get(c, speeds[FALLBACK_CLASS])).to_numpy(dtype=float)
    else:
        by_class = np.full(len(geoms), speeds[FALLBACK_CLASS])
    feature_speed = np.where(np.isfinite(feature_speed) & (feature_speed > 0), feature_speed, by_class)
    parts, feature = shapely.get_parts(geoms[present], return_index=True)
    feature = np.flatnonzero(present)[feature]
    coords, part = shapely.get_coordinates(parts, return_index=True)
    same = part[1:] == part[:-1]
    start, end = coords[:-1][same], coords[1:][same]
    speed = feature_speed[feature[part[:-1][same]]]
    length = np.hypot(*(end - start).T)
    keep = length > 0
    return start[keep], end[keep], length[keep], speed[keep]


def road_graph(roads: gpd.GeoDataFrame | gpd.GeoSeries, *, speeds_kmh: Mapping[str, float] | None = None,
               node_tolerance: float = 0.01) -> tuple[nx.Graph, dict]:
    """Build an undirected road graph with ``length`` (m) and ``time`` (h) on every edge.

    Parameters
    ----------
    roads : GeoDataFrame or GeoSeries
        Lines in a metric CRS; optional ``class`` and ``speed_kmh`` columns.
    speeds_kmh : mapping, optional
        Speed by class, merged over :data:`DEFAULT_SPEEDS_KMH`.
    node_tolerance : float
        Vertices closer than this (metres, on a grid) are the same node.

    Returns
    -------
    (networkx.Graph, dict)
        The graph (nodes are integers) and the segment table used to attach points:
        ``{"start", "end", "u", "v", "length", "speed"}`` arrays, one entry per segment.
    """
    speeds = {**DEFAULT_SPEEDS_KMH, **(speeds_kmh or {})}
    start, end, length, speed = _segments(roads, speeds)
    if len(length) == 0:
        raise EmptyLayerError("the road layer has no line of non-zero length")
    keys = np.round(np.vstack([start, end]) / node_tolerance).astype(np.int64)
    _, node = np.unique(keys, axis=0, return_inverse=True)
    node = node.ravel()
    u, v = node[: len(start)], node[len(start):]
    hours = length / 1000.0 / speed
    edges = pd.DataFrame({"a": np.minimum(u, v), "b": np.maximum(u, v), "length": length, "time": hours})
    edges = edges[edges["a"] != edges["b"]].groupby(["a", "b"], sort=False).min()
    graph = nx.Graph()
    graph.add_edges_from((a, b, {"length": lg, "time": t}) for (a, b), lg, t in
                         zip(edges.index, edges["length"].to_numpy(), edges["time"].to_numpy()))
    table = {"start": start, "end": end, "u": u, "v": v, "length": length, "speed": speed,
             "lines": shapely.linestrings(np.stack([start, end], axis=1))}
    return graph, table


def _attach(geoms: np.ndarray, table: dict):
    """Nearest segment of each geometry: segment index, access distance (m), offset along it from ``u`` (m)."""
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    segment = np.full(len(geoms), -1)
    access = np.full(len(geoms), np.nan)
    offset = np.full(len(geoms), np.nan)
    if present.any():
        tree = shapely.STRtree(table["lines"])
        (q, t), d = tree.query_nearest(geoms[present], return_distance=True, all_matches=False)
        rows = np.flatnonzero(present)[q]
        segment[rows], access[rows] = t, d
        on_road = shapely.get_point(shapely.shortest_line(geoms[rows], table["lines"][t]), 1)
        offset[rows] = np.clip(shapely.line_locate_point(table["lines"][t], on_road), 0.0, table["length"][t])
    return segment, access, offset


def _from_destination(graph: nx.Graph, table: dict, segment: int, offset: float, weight: str) -> dict:
    """Shortest ``weight`` from a point on ``segment`` to every node (a temporary node splits the segment)."""
    u, v, length, speed = (table[k][segment] for k in ("u", "v", "length", "speed"))
    scale = 1.0 if weight == "length" else 1.0 / 1000.0 / speed
    source = ("destination",)
    graph.add_edge(source, u, **{weight: offset * scale})
    if v != u:
        graph.add_edge(source, v, **{weight: (length - offset) * scale})
    try:
        return nx.single_source_dijkstra_path_length(graph, source, weight=weight)
    finally:
        graph.remove_node(source)


def _along(graph, table, seg_o, off_o, seg_d, off_d, weight: str) -> np.ndarray:
    """Network part of each origin's trip to one destination (metres or hours; inf if unreachable)."""
    lengths = _from_destination(graph, table, seg_d, off_d, weight)
    result = np.full(len(seg_o), np.inf)
    ok = seg_o >= 0
    seg = seg_o[ok]
    scale = np.ones(len(seg)) if weight == "length" else 1.0 / 1000.0 / table["speed"][seg]
    via_u = off_o[ok] * scale + np.array([lengths.get(n, np.inf) for n in table["u"][seg]])
    via_v = (table["length"][seg] - off_o[ok]) * scale + np.array([lengths.get(n, np.inf) for n in table["v"][seg]])
    best = np.minimum(via_u, via_v)
    same = seg == seg_d
    best[same] = np.minimum(best[same], np.abs(off_o[ok][same] - off_d) * scale[same])
    result[ok] = best
    return result


def travel(
    origins: gpd.GeoDataFrame | gpd.GeoSeries,
    roads: gpd.GeoDataFrame | gpd.GeoSeries,
    destinations: gpd.GeoDataFrame,
    *,
    speeds_kmh: Mapping[str, float] | None = None,
    access_speed_kmh: float | None = None,
    max_access_m: float | None = None,
    id_column: str = "id",
    node_tolerance: float = 0.01,
) -> pd.DataFrame:
    """Shortest road distance and fastest time from each origin to each destination.

    Parameters
    ----------
    origins : GeoDataFrame or GeoSeries
        Zones (polygons, from their edge) or points, in a metric CRS; null geometries give NaN.
    roads : GeoDataFrame or GeoSeries
        Road lines in the same CRS (``class``/``speed_kmh`` set the speeds).
    destinations : GeoDataFrame
        Points (or any geometry) in the same CRS with an ``id_column``.
    speeds_kmh : mapping, optional
        Speeds by road class over :data:`DEFAULT_SPEEDS_KMH` (assumptions, not data).
    access_speed_kmh : float, optional
        Speed on the straight access legs (default: the ``local_road`` speed).
    max_access_m : float, optional
        Origins or destinations farther than this from any road are unreachable.
    node_tolerance : float
        See :func:`road_graph`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``origins``: ``access_m`` (straight leg to the network), then per
        destination ``<id>``: ``road_km_<id>`` (access legs + shortest distance along roads,
        km), ``road_h_<id>`` (fastest time, hours; its route may differ from the shortest),
        ``reachable_<id>`` (bool). Unreachable: NaN and False.
    """
    check_layer(origins, "zones", allow_missing=True)
    check_layer(roads, "roads")
    check_layer(destinations, "destinations")
    same_crs(origins, roads)
    same_crs(origins, destinations)
    speeds = {**DEFAULT_SPEEDS_KMH, **(speeds_kmh or {})}
    access_speed = access_speed_kmh or speeds[FALLBACK_CLASS]
    graph, table = road_graph(roads, speeds_kmh=speeds, node_tolerance=node_tolerance)
    origin_geoms = np.asarray(origins.geometry.array if isinstance(origins, gpd.GeoDataFrame) else origins.array)
    seg_o, access_o, off_o = _attach(origin_geoms, table)
    seg_d, access_d, off_d = _attach(np.asarray(destinations.geometry.array), table)
    if max_access_m is not None:
        seg_o = np.where(access_o <= max_access_m, seg_o, -1)
    ids = destinations[id_column] if id_column in destinations.columns else pd.Series(destinations.index)
    out = {"access_m": access_o}
    for j, dest in enumerate(ids.to_numpy()):
        key = column_key(dest)
        if seg_d[j] < 0 or (max_access_m is not None and access_d[j] > max_access_m):
            metres = hours = np.full(len(origin_geoms), np.inf)
        else:
            metres = _along(graph, table, seg_o, off_o, seg_d[j], off_d[j], "length") + access_o + access_d[j]
            hours = (_along(graph, table, seg_o, off_o, seg_d[j], off_d[j], "time")
                     + (access_o + access_d[j]) / 1000.0 / access_speed)
        reachable = np.isfinite(metres)
        out[f"road_km_{key}"] = np.where(reachable, metres / 1000.0, np.nan)
        out[f"road_h_{key}"] = np.where(reachable, hours, np.nan)
        out[f"reachable_{key}"] = reachable
    return pd.DataFrame(out, index=origins.index)


__all__ = ["DEFAULT_SPEEDS_KMH", "column_key", "road_graph", "travel"]
