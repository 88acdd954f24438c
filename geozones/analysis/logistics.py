"""Logistics reach: drive times to Hà Nội, the airport, the border gates; isochrones; labour catchments.

The drive-time model, stated (docs/logistics.md says the same, and every page showing a time repeats
:func:`model_note`):

* **Network**: the road lines given (the shipped ``infrastructure_corridor_roads``: national and
  provincial roads, no expressway), joined as the coarse shipped layer needs (line ends snapped within
  :data:`geozones.analysis.roadnet.SHIPPED_SNAP_M`, crossings joined at grade).
* **Speeds** per road class and vehicle (:data:`VEHICLE_SPEEDS_KMH`): planning assumptions, constant
  along a road, no congestion, no stops, no border or port dwell time.
* **Access leg**: from the site (its polygon's edge, or its point) straight to the nearest point of the
  network, at :data:`ACCESS_SPEED_KMH`; shown separately (``access_m``, ``access_min``). Longer than
  :data:`FAR_FROM_ROADS_M`: the site is **far from mapped roads** and no drive time is given for it
  (the numbers would be a straight line, not a road).
* **Destinations** join the network the same way (their own access leg counted).

Isochrones (:func:`isochrones`): the area reachable within 15/30/45/60 minutes is every point within
``r`` of a network point reached at time ``t <= T``, with ``r = min(ACCESS_SPEED * (T - t),
ISOCHRONE_SPREAD_M)``: the reached road stretches buffered by the remaining time at the access speed,
capped (plus the same disc around the site itself). Along a straight piece of road ``t`` is linear, so
the union of those discs is exactly the convex hull of the two end discs (or a plain buffer where the
cap holds); the polygon is the union of those hulls.

Labour catchment (:func:`catchment`): the population of each district-level unit is spread evenly
over its area; the population within an isochrone is ``sum(pop * area(unit ∩ isochrone) /
area(unit))``.

All lengths and areas in one metric CRS (:data:`METRIC_EPSG`, VN-2000 TM-3 105°45′: the corridor
spans 105.2–107.5 E, where its scale error stays below 0.05 %). Shortest paths: scipy's Dijkstra on a
sparse matrix (:func:`node_times`); ``engine="networkx"`` runs networkx instead (the reference: same
answers, see benchmarks/accessibility.py).

May import: the core and :mod:`geozones.analysis.roadnet`. Never imports the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from geozones.analysis.roadnet import SHIPPED_SNAP_M, _attach, column_key, road_graph
from geozones.checks import check_layer
from geozones.errors import InvalidParameterError

#: One metric CRS for the whole corridor (VN-2000 TM-3, central meridian 105°45′).
METRIC_EPSG = 9213

#: Speeds (km/h) per road class for each vehicle: planning ASSUMPTIONS for two-lane national and
#: provincial roads through mountains and towns, not measured speeds. The legal maximum outside
#: residential areas on a two-way road is 80 km/h for cars (Ministry of Transport, Circular
#: 31/2019/TT-BGTVT of 29 Aug 2019, Art. 7); the truck figures are lower, for a loaded container
#: tractor-trailer on grades. The expressway class is kept for user layers: the shipped network has
#: no expressway.
VEHICLE_SPEEDS_KMH: dict[str, dict[str, float]] = {
    "car": {
        "expressway": 80.0,
        "national_highway": 50.0,
        "provincial_road": 40.0,
        "district_road": 30.0,
        "local_road": 25.0,
    },
    "truck": {
        "expressway": 70.0,
        "national_highway": 40.0,
        "provincial_road": 30.0,
        "district_road": 25.0,
        "local_road": 20.0,
    },
}
VEHICLES = tuple(VEHICLE_SPEEDS_KMH)
#: Speed (km/h) on the straight access legs and for the isochrones' off-network spread (assumption).
ACCESS_SPEED_KMH = 15.0
#: A site farther than this (m) from the network is "far from mapped roads": no drive time.
FAR_FROM_ROADS_M = 3000.0
#: The isochrones' off-network spread around a reached road point never exceeds this (m).
ISOCHRONE_SPREAD_M = 2000.0
#: Isochrone thresholds (minutes).
ISOCHRONE_MINUTES = (15, 30, 45, 60)
#: Catchment thresholds (minutes).
CATCHMENT_MINUTES = (30, 60)
#: Destination categories the filters and ``minutes_to:`` criterion group by.
CATEGORIES = ("capital", "airport", "seaport", "border_gate", "railway_station", "city")
FAR_NOTE = "far from mapped roads"


def model_note(vehicle: str = "car") -> str:
    """One line stating the drive-time model, for every page that shows a time."""
    speeds = VEHICLE_SPEEDS_KMH[_vehicle(vehicle)]
    return (
        f"Drive times ({vehicle}) are a model: assumed speeds national {speeds['national_highway']:g}, "
        f"provincial {speeds['provincial_road']:g} km/h on the shipped corridor roads (no expressway in "
        f"the data), straight access leg at {ACCESS_SPEED_KMH:g} km/h; no congestion or border dwell. "
        f"Sites over {FAR_FROM_ROADS_M / 1000:g} km from a mapped road get no time ('{FAR_NOTE}')."
    )


def _vehicle(vehicle: str) -> str:
    if vehicle not in VEHICLE_SPEEDS_KMH:
        raise InvalidParameterError(f"vehicle must be one of {', '.join(VEHICLES)}, not {vehicle!r}")
    return vehicle


def _geoms(frame) -> np.ndarray:
    return np.asarray(frame.geometry.array if isinstance(frame, gpd.GeoDataFrame) else frame.array)


@dataclass
class Network:
    """The road graph of one vehicle, ready for shortest-path queries (times in minutes, lengths in m)."""

    table: dict
    graph: nx.Graph
    matrix: object  # scipy CSR, symmetric, weights in minutes (None without scipy)
    n_nodes: int
    speed_kmh: dict
    crs: object

    @classmethod
    def build(
        cls,
        roads: gpd.GeoDataFrame,
        vehicle: str = "car",
        *,
        speeds_kmh: Mapping[str, float] | None = None,
        snap_m: float = SHIPPED_SNAP_M,
        node_crossings: bool = True,
    ) -> Network:
        check_layer(roads, "roads")
        speeds = {**VEHICLE_SPEEDS_KMH[_vehicle(vehicle)], **(speeds_kmh or {})}
        graph, table = road_graph(roads, speeds_kmh=speeds, snap_m=snap_m, node_crossings=node_crossings)
        table = dict(table, minutes=table["length"] / 1000.0 / table["speed"] * 60.0)
        n = int(max(table["u"].max(), table["v"].max())) + 1
        rows, cols, weights = [], [], []
        for a, b, data in graph.edges(data=True):
            data["minutes"] = data["time"] * 60.0
            rows += [a, b]
            cols += [b, a]
            weights += [data["minutes"], data["minutes"]]
        try:  # scipy is optional (the raster extra): without it, networkx answers the same, slower
            from scipy.sparse import coo_matrix
        except ImportError:
            matrix = None
        else:
            matrix = coo_matrix((weights, (rows, cols)), shape=(n, n)).tocsr()
        return cls(table, graph, matrix, n, speeds, roads.crs)

    def attach(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest segment, access leg (m) and offset along the segment (m) of each geometry."""
        return _attach(geoms, self.table)

    def node_times(self, segment: int, offset: float, start_min: float, engine: str = "scipy") -> np.ndarray:
        """Minutes to every node from a point at ``offset`` along ``segment``, starting at ``start_min``."""
        u, v = int(self.table["u"][segment]), int(self.table["v"][segment])
        per_m = self.table["minutes"][segment] / self.table["length"][segment]
        to_u, to_v = start_min + offset * per_m, start_min + (self.table["length"][segment] - offset) * per_m
        if engine not in ("scipy", "networkx"):
            raise InvalidParameterError(f"engine must be 'scipy' or 'networkx', not {engine!r}")
        if engine == "networkx" or self.matrix is None:
            source = ("site",)
            self.graph.add_edge(source, u, minutes=to_u - start_min)
            if v != u:
                self.graph.add_edge(source, v, minutes=to_v - start_min)
            try:
                lengths = nx.single_source_dijkstra_path_length(self.graph, source, weight="minutes")
            finally:
                self.graph.remove_node(source)
            out = np.full(self.n_nodes, np.inf)
            for node, minutes in lengths.items():
                if node != source:
                    out[node] = start_min + minutes
            return out
        from scipy.sparse.csgraph import dijkstra

        both = dijkstra(self.matrix, directed=False, indices=[u, v])
        return np.minimum(to_u + both[0], to_v + both[1])

    def time_at(self, times: np.ndarray, segment: np.ndarray, offset: np.ndarray) -> np.ndarray:
        """Minutes to points at ``offset`` along ``segment`` given the node times (no same-segment shortcut)."""
        t = self.table
        per_m = t["minutes"][segment] / t["length"][segment]
        return np.minimum(
            times[t["u"][segment]] + offset * per_m, times[t["v"][segment]] + (t["length"][segment] - offset) * per_m
        )


def _prepare(sites, crs) -> np.ndarray:
    check_layer(sites, "sites", metric=False, allow_missing=True)
    return _geoms(sites.to_crs(crs))


@dataclass
class Reach:
    """Where one site's Dijkstra got to: node times and how the site joined the network."""

    times: np.ndarray
    segment: int
    offset: float
    access_m: float
    start_min: float


def site_reach(network: Network, geom, *, engine: str = "scipy", far_m: float = FAR_FROM_ROADS_M) -> Reach | None:
    """Node times from one site geometry (None: no geometry, or farther than ``far_m`` from the network)."""
    if geom is None or shapely.is_empty(geom):
        return None
    seg, access, off = network.attach(np.array([geom], dtype=object))
    if seg[0] < 0 or access[0] > far_m:
        return None
    start = access[0] / 1000.0 / ACCESS_SPEED_KMH * 60.0
    return Reach(
        network.node_times(int(seg[0]), float(off[0]), start, engine),
        int(seg[0]),
        float(off[0]),
        float(access[0]),
        start,
    )


def drive_times(
    sites: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    vehicle: str = "car",
    speeds_kmh: Mapping[str, float] | None = None,
    far_m: float = FAR_FROM_ROADS_M,
    engine: str = "scipy",
    network: Network | None = None,
) -> pd.DataFrame:
    """Minutes from each site to each destination and to the nearest of each category.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``sites``: ``access_m`` (straight leg to the network, m; shown separately),
        ``access_min``, ``far_from_roads`` (bool: ``access_m > far_m``), ``time_note`` (``"far from
        mapped roads"`` or None), then per destination ``min_<id>`` (minutes, access legs included;
        NaN when the site or the destination is far from the roads, or unreachable), and per category present in the destinations'
        ``category`` column ``min_to_<category>`` with ``nearest_<category>`` (its id).
    """
    _vehicle(vehicle)
    check_layer(destinations, "destinations", metric=False)
    network = network or Network.build(roads.to_crs(METRIC_EPSG), vehicle, speeds_kmh=speeds_kmh)
    geoms = _prepare(sites, network.crs)
    dest = destinations.to_crs(network.crs)
    d_seg, d_access, d_off = network.attach(_geoms(dest))
    d_min = d_access / 1000.0 / ACCESS_SPEED_KMH * 60.0
    ids = [column_key(i) for i in (dest["id"] if "id" in dest.columns else dest.index)]
    out = np.full((len(geoms), len(ids)), np.nan)
    seg_all, access_all, off_all = network.attach(geoms)
    access = np.where(seg_all >= 0, access_all, np.nan)
    # One Dijkstra per destination (the graph is undirected), not per site: cheap for many sites.
    sites_ok = (seg_all >= 0) & (access_all <= far_m)
    s_seg, s_off = seg_all[sites_ok], off_all[sites_ok]
    s_min = access_all[sites_ok] / 1000.0 / ACCESS_SPEED_KMH * 60.0
    per_m = network.table["minutes"] / network.table["length"]
    for j in range(len(ids)):
        if d_seg[j] < 0 or d_access[j] > far_m:  # a destination far from the network is not reached either
            continue
        times = network.node_times(int(d_seg[j]), float(d_off[j]), float(d_min[j]), engine)
        t = network.time_at(times, s_seg, s_off) + s_min
        same = s_seg == d_seg[j]
        t[same] = np.minimum(t[same], d_min[j] + np.abs(s_off[same] - d_off[j]) * per_m[s_seg[same]] + s_min[same])
        out[np.flatnonzero(sites_ok), j] = np.where(np.isfinite(t), t, np.nan)
    far = np.isfinite(access) & (access > far_m)
    table = pd.DataFrame(
        {
            "access_m": access,
            "access_min": access / 1000.0 / ACCESS_SPEED_KMH * 60.0,
            "far_from_roads": far,
            "time_note": [FAR_NOTE if f else None for f in far],
        },
        index=sites.index,
    )
    for j, key in enumerate(ids):
        table[f"min_{key}"] = out[:, j]
    if "category" in dest.columns:
        for category in [c for c in CATEGORIES if c in set(dest["category"])]:
            cols = [j for j, c in enumerate(dest["category"]) if c == category]
            block = out[:, cols]
            has = np.isfinite(block).any(axis=1)
            best = np.where(has, np.nanargmin(np.where(np.isfinite(block), block, np.inf), axis=1), 0)
            table[f"min_to_{category}"] = np.where(has, block[np.arange(len(block)), best], np.nan)
            names = np.array(ids, dtype=object)[np.array(cols)][best]
            table[f"nearest_{category}"] = pd.Series(np.where(has, names, None), index=table.index, dtype=object)
    return table


# --- isochrones -----------------------------------------------------------------------------


#: Pieces shorter than this (m) are dropped: they come from rounding, not from the network.
_SNAP_M = 1e-6


def _hull_piece(p, q, r_p: float, r_q: float, quad_segs: int):
    """Union of discs along the segment p->q with radius linear from r_p to r_q: hull of the end discs."""
    # a radius of a rounding error buffers to an empty polygon, losing the tip: a point then
    a = shapely.Point(p).buffer(r_p, quad_segs=quad_segs) if r_p > _SNAP_M else shapely.Point(p)
    b = shapely.Point(q).buffer(r_q, quad_segs=quad_segs) if r_q > _SNAP_M else shapely.Point(q)
    return shapely.convex_hull(shapely.GeometryCollection([a, b]))


def _linear_piece(start, direction, length, t0, per_m, limit, spread, quad_segs, out):
    """Reached part of a straight piece whose time rises from ``t0`` at ``per_m`` min/m; its area."""
    if t0 > limit or length <= 0:
        return
    reach = min(length, (limit - t0) / per_m) if per_m > 0 else length
    access_per_m = 60.0 / (ACCESS_SPEED_KMH * 1000.0)  # minutes per metre off the network
    # radius r(s) = min(spread, (limit - t0 - s*per_m) / access_per_m); the cap holds up to s_cap
    s_cap = (limit - t0 - spread * access_per_m) / per_m if per_m > 0 else np.inf
    s_cap = max(0.0, min(s_cap, reach))
    s_cap = 0.0 if s_cap < _SNAP_M else reach if reach - s_cap < _SNAP_M else s_cap

    def at(s):
        return (start[0] + direction[0] * s, start[1] + direction[1] * s)

    def radius(s):
        return min(spread, max(0.0, (limit - t0 - s * per_m) / access_per_m))

    if s_cap > 0:
        line = shapely.LineString([at(0.0), at(s_cap)])
        out.append(line.buffer(spread, quad_segs=quad_segs))
    if reach > s_cap:
        out.append(_hull_piece(at(s_cap), at(reach), radius(s_cap), radius(reach), quad_segs))


def _pieces(network: Network, reach: Reach, horizon: float):
    """(p, q, t_p, t_q, min/m) for every segment, the site's own segment split at the site's entry point."""
    t = network.table
    seg = np.arange(len(t["length"]))
    per_m = t["minutes"] / t["length"]
    tu, tv = reach.times[t["u"]], reach.times[t["v"]]
    keep = (seg != reach.segment) & (np.minimum(tu, tv) <= horizon)
    for s in seg[keep]:
        yield t["start"][s], t["end"][s], tu[s], tv[s], per_m[s]
    s = reach.segment
    start, end, length = t["start"][s], t["end"][s], t["length"][s]
    entry = start + (end - start) * (reach.offset / length)
    yield entry, start, reach.start_min, tu[s], per_m[s]
    yield entry, end, reach.start_min, tv[s], per_m[s]


def _reached_parts(network: Network, reach: Reach, limit: float, spread_m: float, quad_segs: int) -> list:
    """The area pieces (line buffers and disc hulls) of every road stretch reached within ``limit``."""
    parts: list = []
    for p, q, tp, tq, per_m in _pieces(network, reach, limit):
        p, q = np.asarray(p, float), np.asarray(q, float)
        length = float(np.hypot(*(q - p)))
        if length <= 0:
            continue
        direction = (q - p) / length
        tp = tp if np.isfinite(tp) else np.inf
        tq = tq if np.isfinite(tq) else np.inf
        # t(s) = min(tp + s*per_m, tq + (L - s)*per_m): rises from each end up to the peak s*
        if not np.isfinite(tq):
            peak = length
        elif not np.isfinite(tp):
            peak = 0.0
        else:
            peak = (tq - tp + length * per_m) / (2 * per_m)
        peak = min(max(peak, 0.0), length)
        # a road walked end to end reaches q exactly at t_q: snap, so that no sliver piece depends on rounding
        peak = 0.0 if peak < _SNAP_M else length if length - peak < _SNAP_M else peak
        if np.isfinite(tp):
            _linear_piece(p, direction, peak, tp, per_m, limit, spread_m, quad_segs, parts)
        if np.isfinite(tq):
            _linear_piece(q, -direction, length - peak, tq, per_m, limit, spread_m, quad_segs, parts)
    return parts


def isochrone_polygons(
    network: Network,
    reach: Reach,
    site_geom,
    minutes: Sequence[float] = ISOCHRONE_MINUTES,
    *,
    spread_m: float = ISOCHRONE_SPREAD_M,
    quad_segs: int = 4,
) -> list:
    """One polygon per threshold (see the module docstring for the method)."""
    polygons = []
    access_per_m = 60.0 / (ACCESS_SPEED_KMH * 1000.0)
    for limit in minutes:
        parts = _reached_parts(network, reach, limit, spread_m, quad_segs)
        radius = min(spread_m, limit / access_per_m)
        parts.append(shapely.buffer(site_geom, radius, quad_segs=quad_segs))
        polygons.append(shapely.union_all(parts))
    return polygons


def isochrones(
    sites: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    *,
    minutes: Sequence[float] = ISOCHRONE_MINUTES,
    vehicle: str = "car",
    id_column: str = "id",
    engine: str = "scipy",
    network: Network | None = None,
    far_m: float = FAR_FROM_ROADS_M,
) -> gpd.GeoDataFrame:
    """Drive-time polygons from each site: one row per site and threshold.

    Returns
    -------
    GeoDataFrame
        ``zone_id``, ``vehicle``, ``minutes``, ``area_km2``, ``method`` and the polygon, in
        :data:`METRIC_EPSG`; sites without geometry or far from mapped roads get no row.
    """
    network = network or Network.build(roads.to_crs(METRIC_EPSG), vehicle)
    geoms = _prepare(sites, network.crs)
    ids = sites[id_column].to_numpy() if id_column in sites.columns else sites.index.to_numpy()
    rows = []
    for ident, geom in zip(ids, geoms):
        reach = site_reach(network, geom, engine=engine, far_m=far_m)
        if reach is None:
            continue
        for limit, polygon in zip(minutes, isochrone_polygons(network, reach, geom, minutes)):
            rows.append(
                {
                    "zone_id": ident,
                    "vehicle": vehicle,
                    "minutes": float(limit),
                    "area_km2": round(polygon.area / 1e6, 3),
                    "method": METHOD,
                    "geometry": polygon,
                }
            )
    columns = ["zone_id", "vehicle", "minutes", "area_km2", "method", "geometry"]
    return gpd.GeoDataFrame(rows or None, columns=columns, geometry="geometry", crs=network.crs)


METHOD = (
    "network Dijkstra from the site's access point; reached road stretches buffered by the remaining "
    f"time at {ACCESS_SPEED_KMH:g} km/h, capped at {ISOCHRONE_SPREAD_M:g} m (exact hull of the end discs)"
)


# --- labour catchment -------------------------------------------------------------------------


def catchment(
    polygons: gpd.GeoDataFrame, population: gpd.GeoDataFrame, *, population_column: str = "population"
) -> pd.DataFrame:
    """Population inside each polygon, spread evenly over each unit's area.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``polygons``: ``population`` (rounded to the person), ``units`` (how many units
        it touches), ``population_year`` (the units' year(s), e.g. ``"2009"``).
    """
    check_layer(population, "population", metric=False)
    units = population.to_crs(polygons.crs)
    pop = pd.to_numeric(units[population_column], errors="coerce").to_numpy(dtype=float)
    unit_geoms = _geoms(units)
    unit_area = shapely.area(unit_geoms)
    tree = shapely.STRtree(unit_geoms)
    years = units["population_year"].astype(str).to_numpy() if "population_year" in units.columns else None
    rows: list[dict] = []
    for geom in _geoms(polygons):
        if geom is None or shapely.is_empty(geom):
            rows.append({"population": np.nan, "units": 0, "population_year": None})
            continue
        hit = tree.query(geom, predicate="intersects")
        share = shapely.area(shapely.intersection(unit_geoms[hit], geom)) / unit_area[hit]
        ok = np.isfinite(pop[hit])
        total = float(np.sum(pop[hit][ok] * share[ok]))
        rows.append(
            {
                "population": round(total),
                "units": int(ok.sum()),
                "population_year": ", ".join(sorted(set(years[hit]))) if years is not None and len(hit) else None,
            }
        )
    return pd.DataFrame(rows, index=polygons.index)


def site_catchments(
    sites: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame,
    *,
    minutes: Sequence[float] = CATCHMENT_MINUTES,
    vehicle: str = "car",
    id_column: str = "id",
    engine: str = "scipy",
    network: Network | None = None,
) -> pd.DataFrame:
    """Population within each threshold of each site: ``zone_id``, ``minutes``, ``population``, ``area_km2``."""
    polygons = isochrones(
        sites, roads, minutes=minutes, vehicle=vehicle, id_column=id_column, engine=engine, network=network
    )
    counted = catchment(polygons, population)
    return pd.concat([polygons[["zone_id", "vehicle", "minutes", "area_km2"]], counted], axis=1)


__all__ = [
    "ACCESS_SPEED_KMH",
    "CATCHMENT_MINUTES",
    "CATEGORIES",
    "FAR_FROM_ROADS_M",
    "FAR_NOTE",
    "ISOCHRONE_MINUTES",
    "ISOCHRONE_SPREAD_M",
    "METHOD",
    "METRIC_EPSG",
    "Network",
    "VEHICLE_SPEEDS_KMH",
    "catchment",
    "drive_times",
    "isochrone_polygons",
    "isochrones",
    "model_note",
    "site_catchments",
    "site_reach",
]
