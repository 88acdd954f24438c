"""Travel distance along roads: a networkx graph from a line layer, zones attached at their nearest point.

By default roads are connected only where their lines share a vertex (within ``node_tolerance``
metres), as in OpenStreetMap: two lines that cross without a shared vertex (a bridge over a road)
are not connected. Coarse layers such as the shipped one need two more steps, both optional and
stated: ``snap_m`` joins a dangling line end to another line within that many metres (a straight
connector, counted in the distance), and ``node_crossings`` joins lines where they cross (an
at-grade junction). :func:`network_report` lists the connected components and every snap.

A zone joins the network at the nearest point of the nearest road segment; the straight access
leg from the zone's edge to that point is counted in the distance (``access_m``), and the trip
continues along the segment in both directions, not from a jump to the nearest graph node.
Destinations join the network the same way. A destination in another connected component is
unreachable: NaN and ``reachable_<id> == False``, never a straight line.

To the *nearest* of many targets (border gates, stations) :func:`nearest_by_road` (per zone or
point) and :func:`road_distance_raster` (per raster cell, the ``along:`` criterion of suitability
files) run one Dijkstra from all targets at once; a point whose road component reaches no target
is unreachable the same way (NaN, or ``inf`` in the raster).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from geozones.analysis.raster import Grid, distance_raster
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


def _feature_speeds(roads: gpd.GeoDataFrame | gpd.GeoSeries, speeds: Mapping[str, float]) -> np.ndarray:
    """Speed (km/h) of every feature: its ``speed_kmh`` if positive, else by ``class``, else the fallback."""
    n = len(roads)
    if isinstance(roads, gpd.GeoDataFrame) and "speed_kmh" in roads.columns:
        feature_speed = pd.to_numeric(roads["speed_kmh"], errors="coerce").to_numpy(dtype=float)
    else:
        feature_speed = np.full(n, np.nan)
    if isinstance(roads, gpd.GeoDataFrame) and "class" in roads.columns:
        by_class = roads["class"].map(lambda c: speeds.get(c, speeds[FALLBACK_CLASS])).to_numpy(dtype=float)
    else:
        by_class = np.full(n, speeds[FALLBACK_CLASS])
    return np.where(np.isfinite(feature_speed) & (feature_speed > 0), feature_speed, by_class)


# --- network building: snapping and noding ---------------------------------------------

#: Stated snapping tolerance for the shipped road layer (metres): a dangling line end within this
#: distance of another line is joined to it. The shipped lines are coarse (about 0.5 km between
#: vertices, see data/README-infrastructure.md), so adjoining pieces miss each other by up to about
#: two vertex spacings; 1 km joins those and leaves real dead ends (the study-box edge) alone.
SHIPPED_SNAP_M = 1000.0
#: Ends closer than this (metres) already meet; no connector is added.
_MEET_M = 0.01


def _parts(roads: gpd.GeoDataFrame | gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Single LineStrings of the layer and the position of the feature each comes from."""
    geoms = np.asarray(roads.geometry.array if isinstance(roads, gpd.GeoDataFrame) else roads.array)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not np.isin(shapely.get_type_id(geoms[present]), (1, 5)).all():
        raise GeometryError("the road layer must hold LineStrings or MultiLineStrings", field="geometry")
    parts, feature = shapely.get_parts(geoms[present], return_index=True)
    keep = shapely.length(parts) > 0
    return parts[keep], np.flatnonzero(present)[feature][keep]


def _split(line: shapely.LineString, cuts: list[tuple[float, tuple[float, float]]]) -> list[shapely.LineString]:
    """``line`` cut at the given (distance along, exact point) pairs; cut points are used verbatim."""
    coords = np.asarray(line.coords)
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(coords, axis=0).T))])
    stops = sorted({(round(d, 6), xy) for d, xy in cuts if 0.0 < d < along[-1]})
    pieces, start_d, start_xy = [], 0.0, tuple(coords[0])
    for d, xy in [*stops, (along[-1], tuple(coords[-1]))]:
        inner = [tuple(c) for c, a in zip(coords, along) if start_d < a < d]
        piece = [start_xy, *inner, xy]
        if len(piece) >= 2 and any(p != piece[0] for p in piece[1:]):
            pieces.append(shapely.LineString(piece))
        start_d, start_xy = d, xy
    return pieces


def node_network(
    roads: gpd.GeoDataFrame | gpd.GeoSeries, *, snap_m: float = 0.0, node_crossings: bool = False
) -> gpd.GeoDataFrame:
    """The road lines cut into network edges, with snapping connectors added.

    Parameters
    ----------
    roads : GeoDataFrame or GeoSeries
        Lines in a metric CRS.
    snap_m : float
        A line end that meets no other line is joined to the nearest point of another line
        within this many metres by a straight connector (``snapped == True``); that line is cut
        there. 0 (default): no snapping.
    node_crossings : bool
        Cut lines where they cross and join them there (an at-grade junction). False (default,
        OpenStreetMap semantics): lines that cross without a shared vertex (a bridge) stay apart.

    Returns
    -------
    GeoDataFrame
        One row per edge: ``feature`` (position of the source feature in ``roads``; -1 for a
        connector), ``snapped`` (bool), ``gap_m`` (connector length), geometry; in the roads' CRS.
    """
    parts, feature = _parts(roads)
    cuts: list[list] = [[] for _ in parts]
    connectors = []
    tree = shapely.STRtree(parts)
    if node_crossings:
        a, b = tree.query(parts, predicate="crosses")
        for i, j in zip(a, b):
            if i < j:
                for point in shapely.get_parts(shapely.intersection(parts[i], parts[j])):
                    for xy in shapely.get_coordinates(point)[:1]:  # a point, or the first point of an overlap
                        exact = tuple(xy)
                        cuts[i].append((parts[i].project(shapely.Point(exact)), exact))
                        cuts[j].append((parts[j].project(shapely.Point(exact)), exact))
    if snap_m > 0:
        for i, line in enumerate(parts):
            for end in (shapely.Point(line.coords[0]), shapely.Point(line.coords[-1])):
                near = [j for j in tree.query(end, predicate="dwithin", distance=snap_m) if j != i]
                if not near:
                    continue
                gaps = shapely.distance(parts[near], end)
                if gaps.min() <= _MEET_M:
                    continue  # already meets a line
                j = near[int(np.argmin(gaps))]
                at = parts[j].project(end)
                target = tuple(shapely.get_coordinates(parts[j].interpolate(at))[0])
                cuts[j].append((at, target))
                connectors.append((shapely.LineString([end.coords[0], target]), float(gaps.min())))
    edges, owner = [], []
    for i, line in enumerate(parts):
        for piece in _split(line, cuts[i]):
            edges.append(piece)
            owner.append(feature[i])
    crs = roads.crs
    frame = gpd.GeoDataFrame(
        {"feature": np.array(owner, dtype=np.int64), "snapped": False, "gap_m": 0.0}, geometry=edges, crs=crs
    )
    if connectors:
        extra = gpd.GeoDataFrame(
            {"feature": -1, "snapped": True, "gap_m": [g for _, g in connectors]},
            geometry=[c for c, _ in connectors],
            crs=crs,
        )
        frame = pd.concat([frame, extra], ignore_index=True)
    return frame


def road_components(
    roads: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    snap_m: float = 0.0,
    node_crossings: bool = False,
    node_tolerance: float = 0.01,
) -> pd.Series:
    """Connected component of every road feature (0 = the component with the most length).

    Parameters as in :func:`node_network`. Returns a Series named ``component`` on the roads'
    index (a feature whose parts fall in several components gets the largest of them).
    """
    graph, table = road_graph(roads, snap_m=snap_m, node_crossings=node_crossings, node_tolerance=node_tolerance)
    comps = sorted(
        nx.connected_components(graph),
        key=lambda c: -sum(d["length"] for _, _, d in graph.subgraph(c).edges(data=True)),
    )
    label = {n: k for k, comp in enumerate(comps) for n in comp}
    seg_comp = np.array([label[u] for u in table["u"]])
    out = pd.Series(-1, index=roads.index, name="component", dtype=np.int64)
    feature = table["feature"]
    for position in np.unique(feature[feature >= 0]):
        mine = seg_comp[feature == position]
        out.iloc[position] = int(np.bincount(mine).argmax())
    return out


def network_report(
    roads: gpd.GeoDataFrame, *, snap_m: float = 0.0, node_crossings: bool = False, node_tolerance: float = 0.01
) -> dict[str, pd.DataFrame]:
    """What the graph is made of: its connected components and every snap it made.

    Returns
    -------
    dict
        ``"components"``: one row per component (``component``, ``features``, ``length_km``,
        ``refs``), largest first; ``"snaps"``: one row per connector (``gap_m``, ``from_ref``,
        ``to_ref``, ``x``, ``y`` of the joined end).
    """
    component = road_components(roads, snap_m=snap_m, node_crossings=node_crossings, node_tolerance=node_tolerance)
    frame = roads.assign(component=component.to_numpy(), _km=roads.length.to_numpy() / 1000.0)
    refs = frame["ref"] if "ref" in frame.columns else pd.Series(None, index=frame.index)
    frame["_ref"] = refs.fillna("(no ref)").astype(str)
    components = (
        frame.groupby("component")
        .agg(features=("_km", "size"), length_km=("_km", "sum"), refs=("_ref", lambda s: ", ".join(sorted(set(s)))))
        .reset_index()
    )
    components["length_km"] = components["length_km"].round(1)
    edges = node_network(roads, snap_m=snap_m, node_crossings=node_crossings)
    connectors = edges[edges["snapped"]]
    ref_of = np.asarray(frame["_ref"])
    tree = shapely.STRtree(np.asarray(edges.loc[~edges["snapped"], "geometry"].array))
    plain = edges.loc[~edges["snapped"], "feature"].to_numpy()
    rows = []
    for line, gap in zip(connectors.geometry, connectors["gap_m"]):
        a, b = shapely.Point(line.coords[0]), shapely.Point(line.coords[-1])
        rows.append(
            {
                "gap_m": round(float(gap), 1),
                "from_ref": ref_of[plain[tree.nearest(a)]],
                "to_ref": ref_of[plain[tree.nearest(b)]],
                "x": round(a.x, 1),
                "y": round(a.y, 1),
            }
        )
    snaps = pd.DataFrame(rows, columns=["gap_m", "from_ref", "to_ref", "x", "y"])
    return {"components": components, "snaps": snaps}


def road_graph(
    roads: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    speeds_kmh: Mapping[str, float] | None = None,
    node_tolerance: float = 0.01,
    snap_m: float = 0.0,
    node_crossings: bool = False,
) -> tuple[nx.Graph, dict]:
    """Build an undirected road graph with ``length`` (m) and ``time`` (h) on every edge.

    Parameters
    ----------
    roads : GeoDataFrame or GeoSeries
        Lines in a metric CRS; optional ``class`` and ``speed_kmh`` columns.
    speeds_kmh : mapping, optional
        Speed by class, merged over :data:`DEFAULT_SPEEDS_KMH`. Snapping connectors run at the
        ``local_road`` speed.
    node_tolerance : float
        Vertices closer than this (metres, on a grid) are the same node.
    snap_m, node_crossings
        See :func:`node_network`.

    Returns
    -------
    (networkx.Graph, dict)
        The graph (nodes are integers) and the segment table used to attach points:
        ``{"start", "end", "u", "v", "length", "speed", "feature", "lines"}`` arrays, one entry per
        segment (``feature`` is the position of the source feature, -1 for a connector).
    """
    speeds = {**DEFAULT_SPEEDS_KMH, **(speeds_kmh or {})}
    edges = node_network(roads, snap_m=snap_m, node_crossings=node_crossings)
    feature_speed = _feature_speeds(roads, speeds)
    owner = edges["feature"].to_numpy()
    edge_speed = np.where(
        owner >= 0, feature_speed[np.clip(owner, 0, None)] if len(feature_speed) else 0.0, speeds[FALLBACK_CLASS]
    )
    coords, part = shapely.get_coordinates(np.asarray(edges.geometry.array), return_index=True)
    same = part[1:] == part[:-1]
    start, end = coords[:-1][same], coords[1:][same]
    seg_part = part[:-1][same]
    length = np.hypot(*(end - start).T)
    keep = length > 0
    start, end, length, seg_part = start[keep], end[keep], length[keep], seg_part[keep]
    speed, feature = edge_speed[seg_part], owner[seg_part]
    if len(length) == 0:
        raise EmptyLayerError("the road layer has no line of non-zero length")
    keys = np.round(np.vstack([start, end]) / node_tolerance).astype(np.int64)
    _, node = np.unique(keys, axis=0, return_inverse=True)
    node = node.ravel()
    u, v = node[: len(start)], node[len(start) :]
    hours = length / 1000.0 / speed
    frame = pd.DataFrame({"a": np.minimum(u, v), "b": np.maximum(u, v), "length": length, "time": hours})
    frame = frame[frame["a"] != frame["b"]].groupby(["a", "b"], sort=False).min()
    graph = nx.Graph()
    graph.add_edges_from(
        (a, b, {"length": lg, "time": t})
        for (a, b), lg, t in zip(frame.index, frame["length"].to_numpy(), frame["time"].to_numpy())
    )
    table = {
        "start": start,
        "end": end,
        "u": u,
        "v": v,
        "length": length,
        "speed": speed,
        "feature": feature,
        "lines": shapely.linestrings(np.stack([start, end], axis=1)),
    }
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
    snap_m: float = 0.0,
    node_crossings: bool = False,
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
    snap_m, node_crossings
        See :func:`node_network` (default: neither, OpenStreetMap semantics).

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
    graph, table = road_graph(
        roads, speeds_kmh=speeds, node_tolerance=node_tolerance, snap_m=snap_m, node_crossings=node_crossings
    )
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
            hours = (
                _along(graph, table, seg_o, off_o, seg_d[j], off_d[j], "time")
                + (access_o + access_d[j]) / 1000.0 / access_speed
            )
        reachable = np.isfinite(metres)
        out[f"road_km_{key}"] = np.where(reachable, metres / 1000.0, np.nan)
        out[f"road_h_{key}"] = np.where(reachable, hours, np.nan)
        out[f"reachable_{key}"] = reachable
    return pd.DataFrame(out, index=origins.index)


# --- distance along the roads to the nearest of several targets ----------------------------

#: Road points within this many metres of a point's nearest one count as equally near (the best
#: of them is taken): far above floating-point noise, so the result does not hang on rounding
#: where a point is equidistant from two roads.
TIE_M = 1e-3


class _NearestTarget:
    """Node distances (m) from the nearest target along the roads, ready to measure any geometry.

    Every target joins the network at the nearest point of its nearest segment; its straight
    access leg is counted. One Dijkstra from a virtual source joined to both ends of every
    target's segment (weights: access leg plus the offset to that end) gives, for every node,
    the shortest road distance to the nearest target: a multi-source Dijkstra whose sources start
    at their access-leg-plus-offset distances instead of 0.
    """

    def __init__(self, roads, targets, *, snap_m: float, node_crossings: bool, node_tolerance: float):
        graph, table = road_graph(roads, snap_m=snap_m, node_crossings=node_crossings, node_tolerance=node_tolerance)
        self.table = table
        self.tree = shapely.STRtree(table["lines"])
        seg, access, offset = _attach(np.asarray(targets.geometry.array), table)
        order = np.argsort(seg[seg >= 0], kind="stable")
        self.target_segment, self.target_access, self.target_offset = (
            a[seg >= 0][order] for a in (seg, access, offset)
        )
        start: dict = {}
        for s, a, t in zip(self.target_segment, self.target_access, self.target_offset):
            u, v, length = table["u"][s], table["v"][s], table["length"][s]
            start[u] = min(start.get(u, np.inf), a + t)
            start[v] = min(start.get(v, np.inf), a + length - t)
        source = ("targets",)
        graph.add_edges_from((source, node, {"length": metres}) for node, metres in start.items())
        lengths = nx.single_source_dijkstra_path_length(graph, source, weight="length") if start else {}
        self.node_m = np.full(int(max(table["u"].max(), table["v"].max())) + 1, np.inf)
        for node, metres in lengths.items():
            if node != source:
                self.node_m[node] = metres

    def measure(self, geoms: np.ndarray, max_distance: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Access leg (m) to the nearest road point and total distance (m) to the nearest target.

        The total is the access leg plus the shortest distance along the roads from that road
        point to the nearest target (its own access leg included); when several road points
        are equally near (within :data:`TIE_M`), the best of them. ``inf`` (both) beyond
        ``max_distance`` of any road and, for the total, where the point's road component
        reaches no target.
        """
        table = self.table
        access = np.full(len(geoms), np.inf)
        total = np.full(len(geoms), np.inf)
        present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        if not present.any():
            return access, total
        rows = np.flatnonzero(present)
        (q, _), d = self.tree.query_nearest(
            geoms[rows], max_distance=max_distance, return_distance=True, all_matches=False
        )
        rows = rows[q]
        access[rows] = d
        # every segment within TIE_M of the nearest: equally near road points, the best of them counts
        q, s = self.tree.query(geoms[rows], predicate="dwithin", distance=d + TIE_M)
        q = rows[q]
        d = shapely.distance(geoms[q], table["lines"][s])
        near = d <= access[q] + TIE_M
        q, s, d = q[near], s[near], d[near]
        start, end, length = table["start"][s], table["end"][s], table["length"][s]
        if (shapely.get_type_id(geoms[q]) == 0).all():  # points: project on the segment directly
            xy = shapely.get_coordinates(geoms[q])
            direction = end - start
            t = np.einsum("ij,ij->i", xy - start, direction) / length
        else:  # any geometry: the road end of the shortest line from it to the segment
            on_road = shapely.get_point(shapely.shortest_line(geoms[q], table["lines"][s]), 1)
            t = shapely.line_locate_point(table["lines"][s], on_road)
        np.minimum.at(total, q, d + self.along(s, np.clip(t, 0.0, length)))
        return access, total

    def along(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Road distance (m) to the nearest target from offset ``t`` along segment ``s`` (inf: none reached)."""
        table = self.table
        length = table["length"][s]
        along = np.minimum(t + self.node_m[table["u"][s]], length - t + self.node_m[table["v"][s]])
        # on a target's own segment the direct stretch may be shorter (targets are sorted by segment)
        first = np.searchsorted(self.target_segment, s, side="left")
        last = np.searchsorted(self.target_segment, s, side="right")
        for k in range(int((last - first).max(initial=0))):
            pair = np.flatnonzero(first + k < last)
            j = first[pair] + k
            along[pair] = np.minimum(along[pair], np.abs(t[pair] - self.target_offset[j]) + self.target_access[j])
        return along

    def grid_nearest(self, grid: Grid, wanted: np.ndarray, limit: float):
        """Nearest road points of the wanted cell centres, block by block: ``(cells, segments, d, t)`` batches.

        Exact. A block of cells whose centre is ``d_b`` from the nearest segment has every
        cell within ``d_b + h`` of a road (``h``: half the diagonal of its cell centres), so a
        segment nearest to one of its cells lies within ``d_b + 2h`` of the block centre: those
        candidates (one ``dwithin`` query per block) are measured against every cell of the
        block at once. Blocks start at :data:`_BLOCK` cells a side and are quartered while they
        have more than :data:`_MAX_CANDIDATES` candidates. Every segment within :data:`TIE_M` of
        the nearest comes back (ties); cells with no road within ``limit`` are left out.
        """
        height, width = grid.shape
        res = grid.resolution
        count = np.zeros((height + 1, width + 1), dtype=np.int64)  # summed-area table of the wanted cells
        count[1:, 1:] = wanted.reshape(height, width).cumsum(0).cumsum(1)
        size = _BLOCK
        rows0, cols0 = (
            a.ravel() for a in np.meshgrid(np.arange(0, height, size), np.arange(0, width, size), indexing="ij")
        )
        while len(rows0):
            rows1, cols1 = np.minimum(rows0 + size, height), np.minimum(cols0 + size, width)
            inside = count[rows1, cols1] - count[rows0, cols1] - count[rows1, cols0] + count[rows0, cols0] > 0
            rows0, cols0, rows1, cols1 = rows0[inside], cols0[inside], rows1[inside], cols1[inside]
            if not len(rows0):
                break
            cx = grid.xmin + ((cols0 + cols1 - 1) / 2 + 0.5) * res
            cy = grid.ymax - ((rows0 + rows1 - 1) / 2 + 0.5) * res
            half = np.hypot(cols1 - 1 - cols0, rows1 - 1 - rows0) * res / 2
            centres = shapely.points(cx, cy)
            (block, _), nearest = self.tree.query_nearest(centres, return_distance=True, all_matches=False)
            d_block = np.full(len(centres), np.inf)
            d_block[block] = nearest
            reach = d_block - half <= limit
            radius = d_block + 2 * half
            block, segment = self.tree.query(
                centres[reach], predicate="dwithin", distance=radius[reach] * (1 + 1e-9) + 1e-6
            )
            block = np.flatnonzero(reach)[block]
            k = np.bincount(block, minlength=len(centres))
            split = (k > _MAX_CANDIDATES) & (size > 1)
            done = reach & ~split
            pairs = np.isin(block, np.flatnonzero(done))
            yield from self._measure_blocks(
                rows0, cols0, rows1, cols1, size, block[pairs], segment[pairs], k, limit, grid, wanted
            )
            half_size = (size + 1) // 2
            parents = np.flatnonzero(split)
            rows0 = np.concatenate([rows0[parents] + dr for dr in (0, 0, half_size, half_size)])
            cols0 = np.concatenate([cols0[parents] + dc for dc in (0, half_size, 0, half_size)])
            keep = (rows0 < height) & (cols0 < width)
            rows0, cols0, size = rows0[keep], cols0[keep], half_size

    def _measure_blocks(self, rows0, cols0, rows1, cols1, size, block, segment, k, limit, grid, wanted):
        """Distances from every cell of the given blocks to their candidates, in batches; the nearest pairs."""
        if not len(block):
            return
        start, end, length = self.table["start"], self.table["end"], self.table["length"]
        height, width = grid.shape
        res = grid.resolution
        order = np.lexsort((segment, k[block], block))
        block, segment = block[order], segment[order]
        blocks, first = np.unique(block, return_index=True)
        rank = np.arange(len(block)) - np.repeat(first, np.diff(np.append(first, len(block))))
        by_k = blocks[np.argsort(k[blocks], kind="stable")]
        position = np.empty(k.size, dtype=np.int64)
        dr, dc = (a.ravel() for a in np.meshgrid(np.arange(size), np.arange(size), indexing="ij"))
        at = 0
        while at < len(by_k):
            # blocks in rising candidate count: the batch's widest block is its last
            cost = np.arange(1, len(by_k) - at + 1) * size * size * k[by_k[at:]]
            n = max(1, int(np.searchsorted(cost, _PAIR_BATCH, side="right")))
            batch = by_k[at : at + n]
            kmax = int(k[batch[-1]])
            at += n
            position[batch] = np.arange(len(batch))
            mine = np.isin(block, batch)
            cand = np.full((len(batch), kmax), -1, dtype=np.int64)
            cand[position[block[mine]], rank[mine]] = segment[mine]
            rows = rows0[batch, None] + dr[None, :]
            cols = cols0[batch, None] + dc[None, :]
            cell = rows * width + cols
            valid = (rows < rows1[batch, None]) & (cols < cols1[batch, None])
            valid[valid] = wanted[cell[valid]]
            px = (grid.xmin + (cols + 0.5) * res)[:, :, None]
            py = (grid.ymax - (rows + 0.5) * res)[:, :, None]
            c = np.maximum(cand, 0)[:, None, :]
            x0, y0 = start[c, 0], start[c, 1]
            ex, ey = end[c, 0] - x0, end[c, 1] - y0
            seg_len = length[c]
            t = np.clip(((px - x0) * ex + (py - y0) * ey) / seg_len, 0.0, seg_len)
            d = np.hypot(px - x0 - t * ex / seg_len, py - y0 - t * ey / seg_len)
            d = np.where((cand >= 0)[:, None, :], d, np.inf)
            best = d.min(axis=2)
            tie = (d <= best[:, :, None] + TIE_M) & (valid & (best <= limit))[:, :, None]
            j, m, q = np.nonzero(tie)
            yield cell[j, m], cand[j, q], d[j, m, q], t[j, m, q]


def nearest_by_road(
    origins: gpd.GeoDataFrame | gpd.GeoSeries,
    roads: gpd.GeoDataFrame | gpd.GeoSeries,
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    max_access_m: float | None = None,
    snap_m: float = 0.0,
    node_crossings: bool = False,
    node_tolerance: float = 0.01,
) -> pd.DataFrame:
    """Distance along the roads from each origin to the nearest target (border gates, stations, ...).

    The origin joins the network at its nearest road point (straight ``access_m`` leg), the trip
    runs along the roads to the point where the nearest target joins them, then along that
    target's straight access leg: ``road_m`` is the sum of all three. Unlike :func:`travel`,
    which measures to every destination, this measures to the nearest of them, with one
    Dijkstra for all targets (cheap for many origins).

    Parameters
    ----------
    origins : GeoDataFrame or GeoSeries
        Any geometry in a metric CRS (polygons: from their edge); null geometries give NaN.
    roads : GeoDataFrame or GeoSeries
        Road lines in the same CRS.
    targets : GeoDataFrame or GeoSeries
        Target geometries in the same CRS.
    max_access_m : float, optional
        Origins farther than this from any road are unreachable.
    snap_m, node_crossings, node_tolerance
        How the graph is built (:func:`road_graph`; default: OpenStreetMap semantics).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``origins``: ``access_m``, ``road_m`` and ``reachable`` (False, with
        ``road_m`` NaN, where the origin's road component reaches no target or the origin is
        beyond ``max_access_m``).
    """
    check_layer(origins, "origins", allow_missing=True)
    check_layer(roads, "roads")
    check_layer(targets, "targets")
    same_crs(origins, roads)
    same_crs(origins, targets)
    nearest = _NearestTarget(
        roads, targets, snap_m=snap_m, node_crossings=node_crossings, node_tolerance=node_tolerance
    )
    geoms = np.asarray(origins.geometry.array if isinstance(origins, gpd.GeoDataFrame) else origins.array)
    access, total = nearest.measure(geoms, max_access_m)
    reachable = np.isfinite(total)
    return pd.DataFrame(
        {
            "access_m": np.where(np.isfinite(access), access, np.nan),
            "road_m": np.where(reachable, total, np.nan),
            "reachable": reachable,
        },
        index=origins.index,
    )


#: Side (cells) of the blocks :func:`road_distance_raster` searches the nearest road segments for.
_BLOCK = 8
#: A block with more candidate segments than this is quartered.
_MAX_CANDIDATES = 32
#: Cell-to-segment distances computed per batch (bounds the memory: about 8 arrays of this many floats).
_PAIR_BATCH = 1_000_000


def road_distance_raster(
    roads: gpd.GeoDataFrame | gpd.GeoSeries,
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    grid: Grid,
    *,
    max_distance: float | None = None,
    snap_m: float = 0.0,
    node_crossings: bool = False,
    node_tolerance: float = 0.01,
) -> np.ndarray:
    """Distance (m) from every cell centre to the nearest target along the roads.

    For each cell: the straight access leg from the cell centre to its nearest road point, plus
    the shortest distance along the roads from that point to the nearest target, whose own
    straight access leg to the roads is counted too (see :func:`nearest_by_road`). Along a
    road inside an edge ``(u, v)`` of length ``L`` at offset ``t`` the road part is
    ``min(D[u] + t, D[v] + L - t)``, ``D`` from one multi-source Dijkstra from the targets
    (networkx); on a target's own edge, the direct stretch when shorter.

    Parameters
    ----------
    roads, targets : GeoDataFrame or GeoSeries
        Road lines and target geometries with a CRS (projected to the grid's CRS).
    grid : geozones.analysis.raster.Grid
    max_distance : float, optional
        Cells whose result would exceed this get ``inf`` without being measured: those farther
        than it in a straight line from every target (the road distance is never shorter, by
        the triangle inequality) or from every road.
    snap_m, node_crossings, node_tolerance
        How the graph is built (:func:`road_graph`).

    Returns
    -------
    numpy.ndarray
        float64 ``(height, width)``; ``inf`` where the cell's nearest road point is in a
        component that reaches no target, or beyond ``max_distance``; never NaN.

    Notes
    -----
    The nearest road point of each cell is found block by block, not cell by cell: one
    :meth:`shapely.STRtree.query_nearest` per block of cells gives ``d_b`` at its centre, every
    segment within ``d_b + 2h`` of that centre (``h``: half the block's diagonal) is a candidate
    for all its cells (the triangle inequality: none farther can be nearest), and the candidates
    are measured against the block's cells with numpy; blocks with many candidates are quartered.
    Exact, and equal (to 1e-6 m) to :func:`nearest_by_road` at the cell centres, which queries
    GEOS cell by cell: 0.8 s against 12 s on 1.7 million cells of the shipped Bắc Kạn grid (see
    ``benchmarks/road_distance.py``). Only cells within ``max_distance`` of a target in a
    straight line are measured (:func:`geozones.analysis.raster.distance_raster`).
    """
    check_layer(roads, "roads", metric=False)
    check_layer(targets, "targets", metric=False)
    roads = roads.to_crs(grid.crs)
    targets = targets.to_crs(grid.crs)
    nearest = _NearestTarget(
        roads, targets, snap_m=snap_m, node_crossings=node_crossings, node_tolerance=node_tolerance
    )
    out = np.full(grid.shape, np.inf)
    if max_distance is None:
        wanted = np.ones(out.size, dtype=bool)
    else:
        wanted = distance_raster(targets, grid, max_distance=max_distance).ravel() <= max_distance
    flat = out.reshape(-1)
    limit = np.inf if max_distance is None else float(max_distance)
    for cells, segment, d, t in nearest.grid_nearest(grid, wanted, limit):
        np.minimum.at(flat, cells, d + nearest.along(segment, t))
    if max_distance is not None:
        out[out > max_distance] = np.inf
    return out


__all__ = [
    "DEFAULT_SPEEDS_KMH",
    "SHIPPED_SNAP_M",
    "TIE_M",
    "column_key",
    "node_network",
    "road_components",
    "nearest_by_road",
    "network_report",
    "road_distance_raster",
    "road_graph",
    "travel",
]
