"""Drive minutes from every raster cell to the nearest target: the ``minutes_to:`` suitability criterion.

The model of :mod:`geozones.analysis.logistics`, cell by cell: the straight leg from the cell centre to
its nearest road point at :data:`~geozones.analysis.logistics.ACCESS_SPEED_KMH`, then along the network
at the vehicle's speeds to the point where the nearest target joins it, then the target's own straight
leg. Cells (and targets) farther than :data:`~geozones.analysis.logistics.FAR_FROM_ROADS_M` from a road
are "far from mapped roads": ``inf``, as are cells whose road component reaches no target. One
multi-source Dijkstra from every target (scipy, or networkx without it); the nearest road segments of
the cells come from the block search of :func:`geozones.analysis.roadnet.road_distance_raster`.

May import: the core and the other analysis modules. Never imports the store.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np

from geozones.analysis import logistics as _logistics
from geozones.analysis.raster import Grid
from geozones.analysis.roadnet import SHIPPED_SNAP_M, _NearestTarget
from geozones.checks import check_layer


def _target_node_minutes(network: _logistics.Network, targets: gpd.GeoDataFrame, far_m: float):
    """Minutes from the nearest target to every node; the targets' segments, offsets and access minutes."""
    seg, access, off = network.attach(np.asarray(targets.geometry.array))
    ok = (seg >= 0) & (access <= far_m)
    seg, access, off = seg[ok], access[ok], off[ok]
    start = access / 1000.0 / _logistics.ACCESS_SPEED_KMH * 60.0
    t = network.table
    per_m = t["minutes"][seg] / t["length"][seg]
    source = ("targets",)
    graph = network.graph.copy()
    for s, a, o, p in zip(seg, start, off, per_m):
        for node, minutes in ((t["u"][s], a + o * p), (t["v"][s], a + (t["length"][s] - o) * p)):
            old = graph.get_edge_data(source, node, {}).get("minutes", np.inf)
            graph.add_edge(source, int(node), minutes=min(old, minutes))
    times = np.full(network.n_nodes, np.inf)
    if len(seg):
        for node, minutes in nx.single_source_dijkstra_path_length(graph, source, weight="minutes").items():
            if node != source:
                times[node] = minutes
    return times, seg, off, start


def minutes_raster(
    roads: gpd.GeoDataFrame,
    targets: gpd.GeoDataFrame,
    grid: Grid,
    *,
    vehicle: str = "car",
    max_minutes: float | None = None,
    far_m: float = _logistics.FAR_FROM_ROADS_M,
    snap_m: float = SHIPPED_SNAP_M,
    node_crossings: bool = True,
) -> np.ndarray:
    """Drive minutes (the stated model) from every cell centre to the nearest target.

    Returns
    -------
    numpy.ndarray
        float64 ``(height, width)``; ``inf`` far from mapped roads, where no target is reached, or
        beyond ``max_minutes``.
    """
    check_layer(roads, "roads", metric=False)
    check_layer(targets, "targets", metric=False)
    roads = roads.to_crs(grid.crs)
    targets = targets.to_crs(grid.crs)
    network = _logistics.Network.build(roads, vehicle, snap_m=snap_m, node_crossings=node_crossings)
    nearest = _NearestTarget(roads, targets, snap_m=snap_m, node_crossings=node_crossings, node_tolerance=0.01)
    if not np.array_equal(nearest.table["length"], network.table["length"]):  # same graph, same segment order
        raise AssertionError("the road graph differs between the length and the time networks")
    times, t_seg, t_off, t_start = _target_node_minutes(network, targets, far_m)
    t = network.table
    per_m_all = t["minutes"] / t["length"]
    access_per_m = 60.0 / (_logistics.ACCESS_SPEED_KMH * 1000.0)
    out = np.full(grid.shape, np.inf)
    flat = out.reshape(-1)
    wanted = np.ones(flat.size, dtype=bool)
    for cells, segment, d, offset in nearest.grid_nearest(grid, wanted, far_m):
        per_m = per_m_all[segment]
        along = np.minimum(
            times[t["u"][segment]] + offset * per_m, times[t["v"][segment]] + (t["length"][segment] - offset) * per_m
        )
        for s, o, a in zip(t_seg, t_off, t_start):  # on a target's own segment, the direct stretch
            same = segment == s
            along[same] = np.minimum(along[same], a + np.abs(offset[same] - o) * per_m[same])
        np.minimum.at(flat, cells, d * access_per_m + along)
    if max_minutes is not None:
        out[out > max_minutes] = np.inf
    return out


__all__ = ["minutes_raster"]
