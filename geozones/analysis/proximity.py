"""Proximity to infrastructure: nearest distances, k nearest, everything within a distance.

Distances are measured in metres in a projected metric CRS, from a zone's edge
(distance 0 when a road crosses the zone) to the nearest point of a feature. The
low-level functions (:func:`nearest`, :func:`within_distance`) are strict: both
layers must carry the same metric CRS. :func:`infrastructure_distances`
accepts layers in any CRS and projects them to the VN-2000 TM-3 zone of each zone's
province. Loading the layers (from the store or the user's files) happens above this
module: :func:`geozones.store.load_infrastructure`.

Everything runs on one shapely 2 ``STRtree`` per layer; queries are sorted along a
Hilbert curve (neighbouring zones search neighbouring tree nodes) and split over
``n_jobs`` threads (shapely releases the GIL while querying).

May import: the core (crs, checks, errors), ``geozones.io`` (names only) and
``geozones.analysis.roadnet``. Never imports the store.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geozones import crs as _crs
from geozones.analysis.roadnet import SHIPPED_SNAP_M, column_key, travel
from geozones.checks import check_layer, geometry_array, same_crs
from geozones.errors import EmptyLayerError, InvalidParameterError, UnknownAttributeError
from geozones.io.infrastructure import INFRASTRUCTURE_LAYERS

#: Below this many query geometries a single thread is faster than two.
_PARALLEL_MIN = 4096


# --- the parallel tree query ----------------------------------------------------------


def _hilbert_order(geoms: np.ndarray) -> np.ndarray:
    """Positions of ``geoms`` sorted along a Hilbert curve (missing geometries last)."""
    series = gpd.GeoSeries(geoms)
    present = ~(series.isna() | series.is_empty).to_numpy()
    order = np.flatnonzero(present)
    if len(order) > 1:
        keys = series.iloc[order].hilbert_distance().to_numpy()
        order = order[np.argsort(keys, kind="stable")]
    return order


def _jobs(n_jobs: int | None) -> int:
    if n_jobs is None or n_jobs < 1:
        return os.cpu_count() or 1
    return n_jobs


def _parallel(fn, geoms: np.ndarray, n_jobs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run ``fn(chunk) -> (query_pos, tree_pos, distance)`` over Hilbert-sorted chunks in threads.

    Returns query positions into ``geoms`` (not into the chunk), tree positions and distances.
    """
    order = _hilbert_order(geoms)
    jobs = _jobs(n_jobs)
    if jobs == 1 or len(order) < _PARALLEL_MIN:
        chunks = [order]
    else:
        chunks = np.array_split(order, jobs * 2)  # a few more chunks than threads evens out the load

    def run(chunk: np.ndarray):
        q, t, d = fn(geoms[chunk])
        return chunk[q], t, d

    if len(chunks) == 1:
        results = [run(chunks[0])]
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(run, chunks))
    return tuple(np.concatenate([r[i] for r in results]) for i in range(3))


def _first_per_query(query: np.ndarray, tree: np.ndarray, distance: np.ndarray):
    """Keep one match per query: the feature with the lowest position (deterministic ties)."""
    order = np.lexsort((tree, query))
    query, tree, distance = query[order], tree[order], distance[order]
    keep = np.r_[True, query[1:] != query[:-1]] if len(query) else np.zeros(0, bool)
    return query[keep], tree[keep], distance[keep]


def _feature_labels(features, column: str | None, fallback_index: bool) -> np.ndarray:
    if isinstance(features, gpd.GeoDataFrame) and column is not None and column in features.columns:
        return features[column].to_numpy(dtype=object)
    if fallback_index:
        return features.index.to_numpy(dtype=object)
    return np.full(len(features), None, dtype=object)


# --- public API -------------------------------------------------------------------------


def nearest(
    zones: gpd.GeoDataFrame | gpd.GeoSeries,
    features: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    k: int = 1,
    max_distance: float | None = None,
    id_column: str = "id",
    name_column: str = "name",
    n_jobs: int | None = 2,
    engine="local",
    npartitions: int | None = None,
    progress: bool = False,
):
    """Distance from each zone's edge to its nearest feature(s), with the feature's id and name.

    Exact (GEOS distances), vectorised on a shapely ``STRtree``, on ``n_jobs`` threads.

    Parameters
    ----------
    zones : GeoDataFrame or GeoSeries
        Polygons (or any geometry) in a projected metric CRS. Null geometries give NaN.
    features : GeoDataFrame or GeoSeries
        Roads, substations, destinations... in the same CRS.
    k : int
        Number of nearest features per zone.
    max_distance : float, optional
        Ignore features farther than this (metres); zones with none give NaN. Much faster
        when the answer is known to be near.
    id_column, name_column : str
        Feature attributes reported as ``feature_id`` (the feature's index when the column
        is absent) and ``feature_name``.
    n_jobs : int, optional
        Threads (``None`` or ``-1``: all cores).
    engine : "local", "dask" or dask.distributed.Client
        ``"local"``: this process. ``"dask"``: a Dask cluster (the current client if one is
        open, else a ``LocalCluster`` sized to the machine for this call); a ``Client``: that
        cluster. The zones are cut into Hilbert partitions, the features shipped to every
        worker once; same results as ``"local"`` (see :mod:`geozones.analysis.distributed`).
        ``zones`` may then also be a ``dask_geopandas.GeoDataFrame``.
    npartitions : int, optional
        Dask partitions of an in-memory zone layer (default: two per worker, or 100 000 rows each).
    progress : bool
        Show Dask's progress bar.

    Returns
    -------
    pandas.DataFrame
        ``k == 1``: indexed like ``zones`` with ``distance_m``, ``feature_id``, ``feature_name``.
        Ties go to the feature that comes first in ``features``.
        ``k > 1``: long format, one row per zone and rank (1 = nearest), columns ``zone``
        (the zone's index label), ``rank``, ``distance_m``, ``feature_id``, ``feature_name``;
        zones with fewer than ``k`` features in reach have fewer rows.

    Raises
    ------
    MissingCRSError, CRSError
        A layer without CRS, in degrees, or the two layers in different CRSs.
    EmptyLayerError, GeometryError
        An empty feature layer; invalid geometries.

    Examples
    --------
    >>> near = nearest(to_metric(zones), to_metric(roads, zones_crs))  # doctest: +SKIP
    """
    if k < 1:
        raise InvalidParameterError("k must be at least 1")
    if max_distance is not None and not max_distance >= 0:
        raise InvalidParameterError("max_distance must be a non-negative number of metres")
    if not (isinstance(engine, str) and engine == "local") or hasattr(zones, "to_delayed"):
        return _on_dask(
            nearest,
            zones,
            features,
            engine,
            operation="nearest",
            k=k,
            max_distance=max_distance,
            id_column=id_column,
            name_column=name_column,
            npartitions=npartitions,
            progress=progress,
        )
    check_layer(zones, "zones", allow_missing=True)
    check_layer(features, "features")
    same_crs(zones, features)
    zone_geoms, feature_geoms = geometry_array(zones), geometry_array(features)
    tree = shapely.STRtree(feature_geoms)
    ids = _feature_labels(features, id_column, True)
    names = _feature_labels(features, name_column, False)
    if k == 1:

        def query(chunk):
            (q, t), d = tree.query_nearest(chunk, max_distance=max_distance, return_distance=True, all_matches=True)
            return q, t, d

        q, t, d = _first_per_query(*_parallel(query, zone_geoms, n_jobs))
        distance = np.full(len(zone_geoms), np.nan)
        distance[q] = d
        feature_id = np.full(len(zone_geoms), None, dtype=object)
        feature_name = np.full(len(zone_geoms), None, dtype=object)
        feature_id[q], feature_name[q] = ids[t], names[t]
        return pd.DataFrame(
            {"distance_m": distance, "feature_id": feature_id, "feature_name": feature_name}, index=zones.index
        )
    q, t, d = _k_nearest(tree, zone_geoms, feature_geoms, k, max_distance, n_jobs)
    labels = zones.index.to_numpy(dtype=object)[q]
    rank = np.ones(len(q), dtype=int)
    if len(q):
        starts = np.r_[0, np.flatnonzero(q[1:] != q[:-1]) + 1]
        rank = np.arange(len(q)) - np.repeat(starts, np.diff(np.r_[starts, len(q)])) + 1
    return pd.DataFrame({"zone": labels, "rank": rank, "distance_m": d, "feature_id": ids[t], "feature_name": names[t]})


def _k_nearest(tree, zone_geoms, feature_geoms, k, max_distance, n_jobs):
    """k nearest by widening ``dwithin`` searches: exact once a zone has k candidates within r.

    All features within the radius r of a zone are candidates; once there are at least
    k, the k nearest are among them. The radius starts at the nearest distance and doubles.
    """

    def nearest_d(chunk):
        (q, t), d = tree.query_nearest(chunk, max_distance=max_distance, return_distance=True, all_matches=False)
        return q, t, d

    q1, _, d1 = _parallel(nearest_d, zone_geoms, n_jobs)
    radius = np.full(len(zone_geoms), np.nan)
    radius[q1] = d1
    pending = np.flatnonzero(~np.isnan(radius))
    step = max(float(np.nanmax(radius)) / 64.0, 1.0) if len(pending) else 1.0
    found_q, found_t, found_d = [], [], []
    limit = len(feature_geoms)
    while len(pending):
        r = radius[pending]
        if max_distance is not None:
            r = np.minimum(r, max_distance)
        qi, ti = tree.query(zone_geoms[pending], predicate="dwithin", distance=r)
        counts = np.bincount(qi, minlength=len(pending))
        done = counts >= min(k, limit)
        if max_distance is not None:
            done |= r >= max_distance
        sel = done[qi]
        zq = pending[qi[sel]]
        found_q.append(zq)
        found_t.append(ti[sel])
        found_d.append(shapely.distance(zone_geoms[zq], feature_geoms[ti[sel]]))
        pending = pending[~done]
        radius[pending] = np.maximum(radius[pending] * 2, step)
    if not found_q:
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0)
    q, t, d = np.concatenate(found_q), np.concatenate(found_t), np.concatenate(found_d)
    order = np.lexsort((t, d, q))
    q, t, d = q[order], t[order], d[order]
    starts = np.r_[0, np.flatnonzero(q[1:] != q[:-1]) + 1] if len(q) else np.zeros(0, int)
    within = np.arange(len(q)) - np.repeat(starts, np.diff(np.r_[starts, len(q)]))
    keep = within < k
    return q[keep], t[keep], d[keep]


def within_distance(
    zones: gpd.GeoDataFrame | gpd.GeoSeries,
    features: gpd.GeoDataFrame | gpd.GeoSeries,
    distance: float,
    *,
    id_column: str = "id",
    name_column: str = "name",
    n_jobs: int | None = 2,
    engine="local",
    npartitions: int | None = None,
    progress: bool = False,
):
    """Every (zone, feature) pair closer than ``distance`` metres (edge to edge, inclusive).

    ``engine``, ``npartitions`` and ``progress`` as in :func:`nearest`.

    Returns
    -------
    pandas.DataFrame
        Long format sorted by zone then distance: ``zone`` (index label), ``distance_m``,
        ``feature_id``, ``feature_name``.
    """
    if not distance >= 0:
        raise InvalidParameterError("distance must be a non-negative number of metres")
    if not (isinstance(engine, str) and engine == "local") or hasattr(zones, "to_delayed"):
        return _on_dask(
            within_distance,
            zones,
            features,
            engine,
            operation="within",
            distance=distance,
            id_column=id_column,
            name_column=name_column,
            npartitions=npartitions,
            progress=progress,
        )
    check_layer(zones, "zones", allow_missing=True)
    check_layer(features, "features")
    same_crs(zones, features)
    zone_geoms, feature_geoms = geometry_array(zones), geometry_array(features)
    tree = shapely.STRtree(feature_geoms)

    def query(chunk):
        q, t = tree.query(chunk, predicate="dwithin", distance=distance)
        return q, t, shapely.distance(chunk[q], feature_geoms[t])

    q, t, d = _parallel(query, zone_geoms, n_jobs)
    order = np.lexsort((t, d, q))
    q, t, d = q[order], t[order], d[order]
    return pd.DataFrame(
        {
            "zone": zones.index.to_numpy(dtype=object)[q],
            "distance_m": d,
            "feature_id": _feature_labels(features, id_column, True)[t],
            "feature_name": _feature_labels(features, name_column, False)[t],
        }
    )


def _on_dask(kernel, zones, features, engine, **kwargs):
    """Run ``kernel`` (this module's nearest or within_distance) partition by partition on Dask."""
    from geozones.analysis import distributed

    if isinstance(engine, str) and engine not in distributed.ENGINES:
        raise InvalidParameterError(
            f"engine must be one of {', '.join(distributed.ENGINES)} or a Client, not {engine!r}"
        )
    check_layer(features, "features")
    if hasattr(zones, "to_delayed"):  # a dask_geopandas frame: its rows are checked partition by partition
        _crs.require_metric(zones._meta, "zones")
        same_crs(zones._meta, features)
    else:
        check_layer(zones, "zones", allow_missing=True)
        same_crs(zones, features)
    with distributed.connect(None if engine == "dask" else engine) as client:
        result = distributed.run(zones, features, kernel=kernel, client=client, **kwargs)
        if hasattr(result, "compute") and client is not engine:  # our own cluster ends here: collect
            result = result.compute()
    return result


def _of_class(layer: gpd.GeoDataFrame, classes, what: str) -> gpd.GeoDataFrame:
    if classes is None:
        return layer
    wanted = [classes] if isinstance(classes, str) else list(classes)
    if "class" not in layer.columns:
        raise EmptyLayerError(f"the {what} layer has no 'class' column to select {', '.join(wanted)} from")
    selected = layer[layer["class"].isin(wanted)]
    if selected.empty:
        present = ", ".join(sorted(map(str, layer["class"].dropna().unique()))) or "none"
        raise EmptyLayerError(f"the {what} layer has no feature of class {', '.join(wanted)} (classes: {present})")
    return selected


def nearest_road(zones, roads: gpd.GeoDataFrame, road_class: str | list[str] | None = None, **kwargs) -> pd.DataFrame:
    """Nearest road, optionally of a class (``"national_highway"``, ``"provincial_road"``...).

    Same parameters and result as :func:`nearest`; ``feature_name`` falls back to the road's ``ref``.
    """
    selected = _of_class(roads, road_class, "roads")
    result = nearest(zones, selected, **kwargs)
    if "ref" in selected.columns:
        refs = dict(zip(_feature_labels(selected, kwargs.get("id_column", "id"), True), selected["ref"]))
        fill = result["feature_id"].map(lambda i: refs.get(i) if i is not None else None)
        result["feature_name"] = result["feature_name"].where(result["feature_name"].notna(), fill)
    return result


def nearest_substation(zones, power: gpd.GeoDataFrame, min_kv: float = 110, **kwargs) -> pd.DataFrame:
    """Nearest substation of at least ``min_kv`` kilovolts (``class == "substation"``, ``voltage_kv``)."""
    substations = _of_class(power, "substation", "power")
    if "voltage_kv" not in substations.columns:
        raise EmptyLayerError("the power layer has no 'voltage_kv' column")
    strong = substations[pd.to_numeric(substations["voltage_kv"], errors="coerce") >= min_kv]
    if strong.empty:
        raise EmptyLayerError(f"the power layer has no substation of at least {min_kv:g} kV")
    return nearest(zones, strong, **kwargs)


# --- the zone table -------------------------------------------------------------------


def measured_geometry(zones: gpd.GeoDataFrame) -> tuple[gpd.GeoSeries, pd.Series]:
    """The geometry distances are measured from, and how: ``"edge"``, ``"site point"`` or ``"none"``.

    Zones with a polygon are measured from its edge; zones without one from their
    ``site_lon``/``site_lat`` point (WGS84) when present; otherwise nothing (NaN results).
    """
    _crs.require_crs(zones, "zones")
    geoms = zones.geometry
    has_shape = ~(geoms.isna() | geoms.is_empty).to_numpy()
    how = np.where(has_shape, "edge", "none").astype(object)
    out = geoms.copy()
    if {"site_lon", "site_lat"} <= set(zones.columns):
        lon = pd.to_numeric(zones["site_lon"], errors="coerce").to_numpy(dtype=float)
        lat = pd.to_numeric(zones["site_lat"], errors="coerce").to_numpy(dtype=float)
        use = ~has_shape & np.isfinite(lon) & np.isfinite(lat)
        if use.any():
            points = gpd.GeoSeries(shapely.points(lon[use], lat[use]), crs=_crs.WGS84).to_crs(zones.crs)
            values = out.array.copy()
            values[use] = points.array
            out = gpd.GeoSeries(values, index=zones.index, crs=zones.crs)
            how[use] = "site point"
    return out, pd.Series(how, index=zones.index, name="measured_from")


def _safe_nearest(fn, zones, layer, **kwargs) -> pd.DataFrame:
    try:
        return fn(zones, layer, **kwargs)
    except EmptyLayerError:
        return pd.DataFrame({"distance_m": np.nan, "feature_id": None, "feature_name": None}, index=zones.index)


def _substations(zones: gpd.GeoSeries, power: gpd.GeoDataFrame, province: pd.Series | None, n_jobs) -> pd.DataFrame:
    """Nearest >= 110 kV substation of the zone's own province; "no data" where its province has none.

    A substation layer with a ``province_pre2025`` (or ``province``) column is matched by province,
    so a zone is never given another province's substation as if it were local. Layers without
    such a column (e.g. an OpenStreetMap export) are used whole.
    """
    out = pd.DataFrame(
        {"dist_substation_m": np.nan, "nearest_substation": None, "substation_note": None}, index=zones.index
    )
    column = next((c for c in ("province_pre2025", "province") if c in power.columns), None)
    if column is None or province is None:
        found = _safe_nearest(nearest_substation, zones, power, n_jobs=n_jobs)
        out["dist_substation_m"] = found["distance_m"]
        out["nearest_substation"] = found["feature_name"]
        out["substation_note"] = np.where(found["distance_m"].notna(), "nearest in the given layer", "no data")
        return out
    province = province.reindex(zones.index)
    for name in province.dropna().unique():
        mine = zones[province == name]
        local = power[power[column] == name]
        found = _safe_nearest(nearest_substation, mine, local, n_jobs=n_jobs) if len(local) else None
        if found is None or found["distance_m"].isna().all():
            out.loc[mine.index, "substation_note"] = f"no data: no substation of {name} is known"
            continue
        out.loc[mine.index, "dist_substation_m"] = found["distance_m"].to_numpy()
        out.loc[mine.index, "nearest_substation"] = found["feature_name"].to_numpy()
        out.loc[mine.index, "substation_note"] = f"same province ({name})"
    out.loc[province.isna(), "substation_note"] = "no data: zone province unknown"
    return out


def _straight_km(zones: gpd.GeoSeries, destinations: gpd.GeoDataFrame) -> pd.DataFrame:
    """Straight-line distance (km, in the zones' metric CRS) from each zone to each destination."""
    ids = destinations["id"] if "id" in destinations.columns else pd.Series(destinations.index)
    return pd.DataFrame(
        {f"straight_km_{column_key(d)}": zones.distance(geom) / 1000.0 for d, geom in zip(ids, destinations.geometry)},
        index=zones.index,
    )


def _nearest_station(trips: pd.DataFrame, destinations: gpd.GeoDataFrame) -> pd.DataFrame:
    """The railway station (``class == "railway_station"``) nearest by road, with its road and straight figures."""
    out = pd.DataFrame(
        {
            "nearest_station": None,
            "road_km_nearest_station": np.nan,
            "road_h_nearest_station": np.nan,
            "straight_km_nearest_station": np.nan,
        },
        index=trips.index,
    )
    if "class" not in destinations.columns:
        return out
    stations = destinations[destinations["class"] == "railway_station"]
    if stations.empty:
        return out
    keys = [column_key(i) for i in stations["id"]]
    names = dict(zip(keys, stations["name"] if "name" in stations.columns else stations["id"]))
    km = trips[[f"road_km_{k}" for k in keys]].to_numpy(dtype=float)
    ok = np.isfinite(km).any(axis=1)
    best = np.where(ok, np.argmin(np.where(np.isfinite(km), km, np.inf), axis=1), -1)
    for row, k in enumerate(best):
        if k >= 0:
            key = keys[k]
            out.iloc[row] = [
                names[key],
                trips[f"road_km_{key}"].iloc[row],
                trips[f"road_h_{key}"].iloc[row],
                trips[f"straight_km_{key}"].iloc[row],
            ]
    return out


def _distances_in(
    zones: gpd.GeoSeries,
    infra: dict[str, gpd.GeoDataFrame],
    speeds_kmh,
    max_access_m,
    n_jobs,
    province: pd.Series | None = None,
    snap_m: float = 0.0,
    node_crossings: bool = False,
) -> pd.DataFrame:
    """All proximity columns for zones already in one metric CRS."""
    table = pd.DataFrame(index=zones.index)
    zones = zones[~(zones.isna() | zones.is_empty)]
    if zones.empty:
        return table  # nothing to measure: every column is filled with NaN by the caller
    layers = {name: frame.to_crs(zones.crs) for name, frame in infra.items()}
    highway = _safe_nearest(nearest_road, zones, layers["roads"], road_class="national_highway", n_jobs=n_jobs)
    table["dist_highway_m"] = highway["distance_m"]
    roads = layers["roads"]
    refs = dict(zip(roads["id"], roads["ref"])) if {"id", "ref"} <= set(roads.columns) else {}
    ref = highway["feature_id"].map(lambda i: refs.get(i) if i is not None else None)
    table["nearest_highway"] = ref.where(ref.notna(), highway["feature_name"])
    table = table.join(_substations(zones, layers["power"], province, n_jobs))
    gate = _safe_nearest(
        lambda z, f, **kw: nearest(z, _of_class(f, "border_gate", "destinations"), **kw),
        zones,
        layers["destinations"],
        n_jobs=n_jobs,
    )
    table["dist_border_gate_m"] = gate["distance_m"]
    trips = travel(
        zones,
        layers["roads"],
        layers["destinations"],
        speeds_kmh=speeds_kmh,
        max_access_m=max_access_m,
        snap_m=snap_m,
        node_crossings=node_crossings,
    )
    trips = trips.join(_straight_km(zones, layers["destinations"]))
    return table.join(trips).join(_nearest_station(trips, layers["destinations"]))


def _empty_columns(destinations: gpd.GeoDataFrame) -> list[str]:
    columns = [
        "dist_highway_m",
        "nearest_highway",
        "dist_substation_m",
        "nearest_substation",
        "substation_note",
        "dist_border_gate_m",
        "access_m",
    ]
    ids = destinations["id"] if "id" in destinations.columns else pd.Series(destinations.index)
    for dest in ids:
        key = column_key(dest)
        columns += [f"road_km_{key}", f"road_h_{key}", f"reachable_{key}", f"straight_km_{key}"]
    return columns + [
        "nearest_station",
        "road_km_nearest_station",
        "road_h_nearest_station",
        "straight_km_nearest_station",
    ]


def infrastructure_distances(
    zones: gpd.GeoDataFrame,
    infra: Mapping[str, gpd.GeoDataFrame],
    *,
    speeds_kmh: Mapping[str, float] | None = None,
    max_access_m: float | None = None,
    n_jobs: int | None = 2,
    snap_m: float | None = None,
    node_crossings: bool = True,
) -> pd.DataFrame:
    """The proximity table investors ask for, one row per zone.

    Each zone is measured in the VN-2000 TM-3 CRS of its province (EPSG:9213 Bắc Kạn,
    9215 Lạng Sơn; :func:`geozones.crs.metric_epsg`), from its polygon's edge or, without a
    polygon, from its site point (column ``measured_from``).

    Parameters
    ----------
    zones : GeoDataFrame
        Zones in any CRS.
    infra : mapping
        ``{"roads", "power", "destinations"}`` -> GeoDataFrame in any CRS, e.g. from
        :func:`geozones.store.load_infrastructure` (the store's layers or the user's own files).
    speeds_kmh, max_access_m
        Passed to :func:`geozones.analysis.roadnet.travel`.
    n_jobs : int, optional
        Threads for the nearest queries.
    snap_m, node_crossings
        How the road graph is built (:func:`geozones.analysis.roadnet.node_network`). Default:
        line ends snapped within :data:`geozones.analysis.roadnet.SHIPPED_SNAP_M` (1 km) and crossings
        joined at grade, as the coarse shipped layer needs; pass ``snap_m=0,
        node_crossings=False`` for an OpenStreetMap layer (shared vertices only, bridges kept).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``zones``: ``measured_from``, ``dist_highway_m``, ``nearest_highway``
        (``ref`` of the nearest national highway, e.g. ``QL3``, else its name), ``dist_substation_m``,
        ``nearest_substation`` (≥ 110 kV, of the zone's own province when the power layer records
        provinces), ``substation_note`` (``same province (…)`` or ``no data: …``: no other
        province's substation is ever reported), ``dist_border_gate_m``, ``access_m`` (straight
        leg from the zone to the road network), and for each destination ``<id>``:
        ``road_km_<id>``, ``road_h_<id>`` (drive time at the assumed speeds of
        :data:`geozones.analysis.roadnet.DEFAULT_SPEEDS_KMH`), ``reachable_<id>`` and
        ``straight_km_<id>`` (the straight line, beside it); then ``nearest_station`` (destination of
        class ``railway_station`` nearest by road) with ``road_km_``/``road_h_``/``straight_km_nearest_station``.
        Unreachable destinations give NaN with ``reachable_<id> == False``; never a straight line.
    """
    if not isinstance(zones, gpd.GeoDataFrame):
        raise TypeError("zones must be a GeoDataFrame")
    missing = set(INFRASTRUCTURE_LAYERS) - set(infra)
    if missing:
        raise UnknownAttributeError(
            f"infra lacks layer(s) {', '.join(sorted(missing))}; load it with geozones.store.load_infrastructure()"
        )
    for name, frame in infra.items():
        check_layer(frame, name, metric=False)
    snap = SHIPPED_SNAP_M if snap_m is None else float(snap_m)
    geometry, how = measured_geometry(zones)
    province = zones["province_pre2025"] if "province_pre2025" in zones.columns else None
    codes = _crs.metric_epsg(zones) if len(zones) else np.zeros(0, int)
    parts = []
    for code in sorted(set(codes.tolist())):
        selected = geometry[codes == code].to_crs(pyproj.CRS.from_epsg(int(code)))
        parts.append(_distances_in(selected, infra, speeds_kmh, max_access_m, n_jobs, province, snap, node_crossings))
    table = pd.concat([p for p in parts if len(p.columns)] or [pd.DataFrame(index=zones.index[:0])])
    table = table.reindex(index=zones.index, columns=_empty_columns(infra["destinations"]))
    for column in [c for c in table.columns if c.startswith("reachable_")]:
        table[column] = table[column].fillna(False).astype(bool)
    table.insert(0, "measured_from", how)
    return table


__all__ = [
    "nearest",
    "within_distance",
    "nearest_road",
    "nearest_substation",
    "measured_geometry",
    "infrastructure_distances",
]
