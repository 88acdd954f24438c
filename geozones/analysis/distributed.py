"""The Dask engine: partitioned nearest / k-nearest / within-distance on a ``dask.distributed`` cluster.

dask-geopandas partitions a GeoDataFrame but has no ``sjoin_nearest`` (its issue #223), so
the partitioned nearest is written here, around the exact single-process kernel (the
``nearest``/``within_distance`` functions of :mod:`geozones.analysis.proximity`, passed in as
``kernel``; this module does not import the analysis modules, which call it):

1. The parcels are spatially partitioned: rows sorted along a Hilbert curve and cut into
   contiguous runs (a GeoParquet layer written by :mod:`geozones.io.geoparquet` already is).
2. The features (roads, grid lines...) are shipped to every worker once
   (a task holding them, replicated to every worker); each worker builds one ``STRtree`` of them and
   keeps it for all its partitions.
3. A partition asks the tree only for the features whose envelope meets the partition's
   bounding box grown by a search radius ``r`` and runs the exact kernel on those candidates
   with ``max_distance=r``. Every feature within ``r`` of a parcel is a candidate (its nearest
   point lies in the grown box), so a parcel whose answer is within ``r`` has its exact,
   global answer. The others (and only they) are searched again with ``r`` doubled, until
   each parcel has its answer, the radius reaches ``max_distance``, or the candidates are
   the whole feature layer. Nothing is ever cut off silently.
4. Candidates are kept in the features' original order, so ties go to the feature that
   comes first in the layer, as in the single-process kernel: the results are identical
   (same distances, same ids).

A lost worker does not change the answer: the partitions are tasks Dask reruns, and the
broadcast features survive on the other workers.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
from collections.abc import Callable, Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geozones.errors import InvalidParameterError

#: Engines accepted by ``engine=``.
ENGINES = ("local", "dask")
#: Default rows per partition when an in-memory layer is partitioned here.
PARTITION_ROWS = 100_000

_INSTALL_HINT = "the Dask engine needs the 'scale' extra: pip install 'geozones[scale]'"

# per-process cache of feature trees: token -> (payload id, STRtree)
_TREES: dict[str, tuple[int, shapely.STRtree]] = {}
_TREES_LOCK = threading.Lock()


def _distributed():
    try:
        import dask.distributed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(_INSTALL_HINT) from exc
    return dask.distributed


# --- clusters --------------------------------------------------------------------------------


def local_cluster_size(memory_limit: str | float | None = None) -> dict:
    """Arguments of a ``LocalCluster`` sized to this machine: one single-threaded worker per core.

    Each worker gets an equal share of the memory (``memory_limit="auto"``) unless one is given.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return {
        "n_workers": max(1, cores),
        "threads_per_worker": 1,
        "memory_limit": "auto" if memory_limit is None else memory_limit,
    }


@contextlib.contextmanager
def connect(
    engine=None,
    scheduler: str | None = None,
    *,
    n_workers: int | None = None,
    memory_limit: str | float | None = None,
    processes: bool = True,
) -> Iterator:
    """A ``dask.distributed.Client`` for the duration of a ``with`` block.

    Parameters
    ----------
    engine : Client, "dask" or None
        An existing client is used as is (and not closed); so is the current default client
        (``Client.current()``) when no scheduler or size is given.
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``); default: a ``LocalCluster`` sized
        to the machine (:func:`local_cluster_size`), shut down at the end.
    n_workers, memory_limit, processes
        Override the local cluster's size (ignored with ``scheduler``).

    Yields
    ------
    dask.distributed.Client
        Its ``dashboard_link`` is the address of the Dask dashboard.
    """
    distributed = _distributed()
    if isinstance(engine, distributed.Client):
        yield engine
        return
    if engine not in (None, "dask"):
        raise InvalidParameterError(f"engine must be 'local', 'dask' or a dask.distributed.Client, not {engine!r}")
    if scheduler is None and n_workers is None and memory_limit is None:
        current = None
        try:  # a client the caller already opened (e.g. in a notebook) is used as is
            current = distributed.Client.current()
        except ValueError:
            pass
        if current is not None:
            yield current
            return
    if scheduler:
        client = distributed.Client(scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    size = local_cluster_size(memory_limit)
    if n_workers is not None:
        size["n_workers"] = n_workers
    with (
        distributed.LocalCluster(processes=processes, dashboard_address=":0", **size) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def peak_memory(client) -> dict[str, int]:
    """Peak resident memory (bytes) of each worker process since it started (``getrusage``).

    With a threaded (``processes=False``) cluster every worker reports the one shared process.
    """

    def peak() -> int:
        import resource
        import sys

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(rss if sys.platform == "darwin" else rss * 1024)

    return client.run(peak)


# --- shipping the features -------------------------------------------------------------------


def _labels(features, column: str | None, fallback_index: bool) -> np.ndarray:
    """Feature labels exactly as the single-process kernel reports them."""
    if isinstance(features, gpd.GeoDataFrame) and column is not None and column in features.columns:
        return features[column].to_numpy(dtype=object)
    if fallback_index:
        return features.index.to_numpy(dtype=object)
    return np.full(len(features), None, dtype=object)


def _payload_from_wkb(wkb: np.ndarray, rest: dict) -> Payload:
    return Payload(rest, geoms=shapely.from_wkb(wkb))


class Payload(dict):
    """The shipped features: a dict whose geometries travel as one WKB array.

    Pickling shapely geometries one by one is slow (one WKB parse per object); this
    converts the whole array at once on each side.
    """

    def __reduce__(self):
        rest = {k: v for k, v in self.items() if k != "geoms"}
        return (_payload_from_wkb, (shapely.to_wkb(self["geoms"]), rest))


def features_payload(
    features: gpd.GeoDataFrame | gpd.GeoSeries, id_column: str = "id", name_column: str = "name"
) -> dict:
    """What is shipped to the workers: geometries, ids and names as arrays, the CRS and a token."""
    from dask.base import tokenize

    geoms = np.asarray(features.geometry.array if isinstance(features, gpd.GeoDataFrame) else features.array)
    payload = Payload(
        geoms=geoms,
        ids=_labels(features, id_column, True),
        names=_labels(features, name_column, False),
        crs=features.crs,
    )
    present = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    xmin, ymin, xmax, ymax = shapely.total_bounds(present) if len(present) else (0.0, 0.0, 1.0, 1.0)
    # typical spacing of the features: the side of the square each would have to itself
    payload["spacing"] = max(math.sqrt(max(xmax - xmin, 1.0) * max(ymax - ymin, 1.0) / max(len(present), 1)), 1.0)
    payload["token"] = tokenize(shapely.to_wkb(geoms), payload["ids"], payload["names"], str(features.crs))
    return payload


def ship(client, payload):
    """Send ``payload`` to every worker once; returns its future (pass it to tasks in place of the payload).

    The payload is the result of a task (not scattered data), so a worker killed mid-job never loses it:
    the scheduler knows how to make it again.
    """
    # each worker fetches it once (from a peer) when its first task needs it, and keeps its tree
    return client.submit(_payload_of, payload, pure=False)


def _payload_of(payload: dict) -> dict:
    """The task that holds the payload. Unlike ``Client.scatter`` data, a task result can be rebuilt: when
    the workers holding it die (or the scheduler's memory manager dropped its extra replicas first),
    Dask runs this task again instead of failing with "lost scattered data"."""
    return payload


def feature_tree(payload: dict) -> shapely.STRtree:
    """The STRtree of a :func:`features_payload`, built once per worker process and kept."""
    token = payload["token"]
    with _TREES_LOCK:
        cached = _TREES.get(token)
        if cached is not None and cached[0] == id(payload["geoms"]):
            return cached[1]
        tree = shapely.STRtree(payload["geoms"])
        if len(_TREES) >= 4:
            _TREES.clear()
        _TREES[token] = (id(payload["geoms"]), tree)
        return tree


def _candidates(payload: dict, geoms: np.ndarray, radius: float) -> np.ndarray:
    """Positions (ascending) of the features whose envelope meets the bounds of ``geoms`` grown by ``radius``."""
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    window = shapely.box(xmin - radius, ymin - radius, xmax + radius, ymax + radius)
    return np.sort(feature_tree(payload).query(window))


def _subset(payload: dict, positions: np.ndarray) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": payload["ids"][positions], "name": payload["names"][positions]},
        geometry=payload["geoms"][positions],
        crs=payload["crs"],
    )


def _first_radius(payload: dict, geoms: np.ndarray) -> float:
    """Start at the typical feature spacing, or farther when the whole partition is far from every feature."""
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    box = shapely.box(xmin, ymin, xmax, ymax)
    _, gap = feature_tree(payload).query_nearest(box, return_distance=True, all_matches=False)
    return max(payload["spacing"], float(gap[0]) if len(gap) else 0.0)


# --- the per-partition search ----------------------------------------------------------------


def _objects(values) -> np.ndarray:
    """An object array with ``None`` for every missing value (as the single-process kernel builds its columns)."""
    out = np.asarray(values, dtype=object).copy()
    out[pd.isna(out)] = None
    return out


def _present(geoms: np.ndarray) -> np.ndarray:
    return ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))


def partition_nearest(
    part: gpd.GeoDataFrame, payload: dict, kernel: Callable, k: int = 1, max_distance: float | None = None
) -> pd.DataFrame:
    """Exact nearest (``k == 1``) or k nearest features of one partition's rows.

    Runs ``kernel`` (the single-process :func:`geozones.analysis.proximity.nearest`) on the candidate
    features within a growing radius; see the module docstring.

    Returns
    -------
    pandas.DataFrame
        ``k == 1``: on the partition's index, ``distance_m``, ``feature_id``, ``feature_name``.
        ``k > 1``: long format ``zone``, ``rank``, ``distance_m``, ``feature_id``, ``feature_name``.
    """
    geoms = np.asarray(part.geometry.array)
    n_features = len(payload["geoms"])
    pending = np.flatnonzero(_present(geoms))
    if k == 1:
        distance = np.full(len(part), np.nan)
        fid = np.full(len(part), None, dtype=object)
        fname = np.full(len(part), None, dtype=object)
    pieces: list[pd.DataFrame] = []
    radius = _first_radius(payload, geoms[pending]) if len(pending) else 0.0
    while len(pending):
        sub = geoms[pending]
        cand = _candidates(payload, sub, radius)
        complete = len(cand) == n_features
        limit = None if complete else radius
        if max_distance is not None:
            limit = max_distance if limit is None else min(limit, max_distance)
        final = complete or (max_distance is not None and radius >= max_distance)
        if len(cand):
            zones = gpd.GeoSeries(sub, index=pd.RangeIndex(len(sub)), crs=payload["crs"])
            found = kernel(
                zones, _subset(payload, cand), k=k, max_distance=limit, id_column="id", name_column="name", n_jobs=1
            )
        else:
            found = None
        if k == 1:
            ok = np.ones(len(sub), bool) if final else np.zeros(len(sub), bool)
            if found is not None:
                hit = found["distance_m"].notna().to_numpy()
                ok |= hit
                rows = pending[hit]
                distance[rows] = found["distance_m"].to_numpy()[hit]
                fid[rows] = _objects(found["feature_id"])[hit]
                fname[rows] = _objects(found["feature_name"])[hit]
        else:
            counts = np.zeros(len(sub), int)
            if found is not None and len(found):
                counts = np.bincount(found["zone"].to_numpy(dtype=np.int64), minlength=len(sub))
            ok = np.full(len(sub), final) | (counts >= k)
            if found is not None and len(found):
                keep = ok[found["zone"].to_numpy(dtype=np.int64)]
                taken = found[keep].copy()
                taken["zone"] = pending[taken["zone"].to_numpy(dtype=np.int64)]
                pieces.append(taken)
        pending = pending[~ok]
        radius *= 2.0
    if k == 1:
        return pd.DataFrame({"distance_m": distance, "feature_id": fid, "feature_name": fname}, index=part.index)
    return _long(part, pieces)


def _long(part: gpd.GeoDataFrame, pieces: list[pd.DataFrame]) -> pd.DataFrame:
    columns = ["zone", "rank", "distance_m", "feature_id", "feature_name"]
    if not pieces:
        return pd.DataFrame(
            {
                "zone": pd.Series([], dtype=object),
                "rank": pd.Series([], dtype=int),
                "distance_m": pd.Series([], dtype=float),
                "feature_id": pd.Series([], dtype=object),
                "feature_name": pd.Series([], dtype=object),
            }
        )
    found = pd.concat(pieces, ignore_index=True)
    positions = found["zone"].to_numpy(dtype=np.int64)
    order = np.lexsort((found["rank"].to_numpy(), positions))
    found = found.iloc[order].reset_index(drop=True)
    found["zone"] = part.index.to_numpy(dtype=object)[found.pop("zone").to_numpy(dtype=np.int64)]
    found["rank"] = found["rank"].astype(int)
    return found[columns]


def partition_within(part: gpd.GeoDataFrame, payload: dict, kernel: Callable, distance: float) -> pd.DataFrame:
    """Every (row, feature) pair of one partition closer than ``distance``: one exact search of the candidates."""
    geoms = np.asarray(part.geometry.array)
    present = _present(geoms)
    columns = {"zone": object, "distance_m": float, "feature_id": object, "feature_name": object}
    empty = pd.DataFrame({c: pd.Series([], dtype=t) for c, t in columns.items()})
    if not present.any():
        return empty
    cand = _candidates(payload, geoms[present], distance)
    if len(cand) == 0:
        return empty
    found = kernel(part.geometry, _subset(payload, cand), distance, id_column="id", name_column="name", n_jobs=1)
    return found.reset_index(drop=True)


# --- running on a cluster ----------------------------------------------------------------------


def hilbert_partitions(frame: gpd.GeoDataFrame, npartitions: int) -> list[np.ndarray]:
    """Row positions of ``frame`` cut into ``npartitions`` contiguous runs of the Hilbert curve.

    Null and empty geometries go to the last run (they get NaN without any search).
    """
    geometry = frame.geometry
    missing = (geometry.isna() | geometry.is_empty).to_numpy()
    order = np.flatnonzero(~missing)
    if len(order) > 1:
        keys = geometry.iloc[order].hilbert_distance().to_numpy()
        order = order[np.argsort(keys, kind="stable")]
    order = np.concatenate([order, np.flatnonzero(missing)])
    return np.array_split(order, max(1, npartitions))


def show_progress(futures, show: bool = True) -> None:
    """Dask's progress bar (text in a terminal) over ``futures`` until they finish; nothing when ``show`` is false."""
    if show:
        from dask.distributed import progress

        progress(futures)


def _partitions_of(zones, client, npartitions: int | None):
    """``(delayed partitions, positions or None)``: a Dask frame's own partitions, or Hilbert runs of a GeoDataFrame."""
    import dask

    if hasattr(zones, "to_delayed"):
        return zones.to_delayed(), None
    if npartitions is None:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        npartitions = max(workers * 2, math.ceil(len(zones) / PARTITION_ROWS))
    runs = hilbert_partitions(zones, npartitions)
    return [dask.delayed(zones.iloc[run], pure=True) for run in runs], runs


def run(
    zones,
    features,
    *,
    kernel: Callable,
    operation: str = "nearest",
    k: int = 1,
    max_distance: float | None = None,
    distance: float | None = None,
    id_column: str = "id",
    name_column: str = "name",
    client=None,
    npartitions: int | None = None,
    progress: bool = False,
):
    """Run the partitioned nearest / k-nearest / within-distance on a Dask cluster.

    Parameters
    ----------
    zones : GeoDataFrame or dask_geopandas.GeoDataFrame
        The parcels. A GeoDataFrame is cut into Hilbert runs here (``npartitions``, default
        two per worker or :data:`PARTITION_ROWS` rows each); a Dask frame keeps its partitions
        (read a Hilbert-sorted GeoParquet layer with
        :func:`geozones.io.geoparquet.read_geoparquet_dask`, or sort another one with
        ``frame.spatial_shuffle("hilbert")``). Any partitioning gives the same answer; compact
        partitions only make the candidate searches smaller.
    features : GeoDataFrame or GeoSeries
        Roads, lines, points: in memory, shipped to every worker once.
    kernel : callable
        The single-process function (:func:`geozones.analysis.proximity.nearest` or
        :func:`geozones.analysis.proximity.within_distance`).
    operation : "nearest" or "within"
    client : dask.distributed.Client
    progress : bool
        Show Dask's progress bar while computing.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        For a GeoDataFrame: the same frame the single-process kernel returns (same index and
        row order). For a Dask frame: a lazy Dask DataFrame, one partition per input partition
        (write it with ``.to_parquet`` to stream it to disk).
    """
    import dask
    import dask.dataframe as dd

    if client is None:
        raise InvalidParameterError("give a dask.distributed.Client (or use geozones.analysis.distributed.connect())")
    payload = ship(client, features_payload(features, id_column, name_column))
    parts, runs = _partitions_of(zones, client, npartitions)
    if operation == "nearest":
        tasks = [dask.delayed(partition_nearest, pure=True)(p, payload, kernel, k, max_distance) for p in parts]
        if k == 1:
            meta = pd.DataFrame(
                {
                    "distance_m": pd.Series([], dtype=float),
                    "feature_id": pd.Series([], dtype=object),
                    "feature_name": pd.Series([], dtype=object),
                }
            )
        else:
            meta = _long(zones.head(0) if not hasattr(zones, "_meta") else zones._meta, [])
    elif operation == "within":
        tasks = [dask.delayed(partition_within, pure=True)(p, payload, kernel, distance) for p in parts]
        meta = partition_within(
            gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=features.crs)),
            {"geoms": np.array([], dtype=object)},
            kernel,
            0.0,
        )
    else:
        raise InvalidParameterError(f"unknown operation {operation!r}; use 'nearest' or 'within'")
    if runs is None:
        return dd.from_delayed(tasks, meta=meta, verify_meta=False)
    futures = client.compute(tasks)
    show_progress(futures, progress)
    results = client.gather(futures)
    if operation == "nearest" and k == 1:
        distance = np.full(len(zones), np.nan)
        fid = np.full(len(zones), None, dtype=object)
        fname = np.full(len(zones), None, dtype=object)
        for run_positions, result in zip(runs, results):
            distance[run_positions] = result["distance_m"].to_numpy()
            fid[run_positions] = _objects(result["feature_id"])
            fname[run_positions] = _objects(result["feature_name"])
        # built like the single-process result (same dtype inference)
        out = pd.DataFrame({"distance_m": distance, "feature_id": fid, "feature_name": fname}, index=zones.index)
        return out
    return _in_zone_order(zones, runs, results, operation)


def _in_zone_order(zones, runs, results, operation: str) -> pd.DataFrame:
    """Long results of all runs, ordered as the single-process kernel orders them (zone position first)."""
    frames, positions = [], []
    for run_positions, result in zip(runs, results):
        if not len(result):
            continue
        local = pd.Index(zones.index[run_positions]).get_indexer(result["zone"]) if zones.index.is_unique else None
        if local is None:  # duplicate labels: positions are recovered run by run, in order of appearance
            raise InvalidParameterError("the zones' index must be unique for the Dask engine")
        frames.append(result)
        positions.append(run_positions[local])
    if not frames:
        return results[0].iloc[:0].reset_index(drop=True)
    out = pd.concat(frames, ignore_index=True)
    pos = np.concatenate(positions)
    order = np.lexsort((np.arange(len(out)), pos))  # stable: within a zone keep the kernel's order
    return out.iloc[order].reset_index(drop=True)


def _file_job(
    source: str, target: str, payload: dict, kernel: Callable, max_distance: float | None, prefix: str
) -> int:
    """Read one GeoParquet part, add its nearest-feature columns, write it as one output part."""
    from geozones.io.geoparquet import read_geoparquet, write_geoparquet

    part = read_geoparquet(source)
    found = partition_nearest(part, payload, kernel, 1, max_distance)
    out = part.join(found.add_prefix(prefix))
    if len(out):
        write_geoparquet(out, target, sort=False)
    return len(out)


def nearest_geoparquet(
    source,
    features,
    target,
    *,
    kernel: Callable,
    client,
    max_distance: float | None = None,
    id_column: str = "id",
    name_column: str = "name",
    prefix: str = "nearest_",
    progress: bool = False,
) -> dict:
    """Stream a partitioned GeoParquet layer through the nearest search into a partitioned GeoParquet layer.

    Each task reads one input file, searches its rows' nearest feature (as :func:`run`) and
    writes one output file with the columns ``<prefix>distance_m``, ``<prefix>feature_id``
    and ``<prefix>feature_name`` added; nothing is collected on the client, so the layer may
    be many times the memory of any worker. The workers must see ``source`` and ``target``
    (the same path on a shared file system).

    Parameters
    ----------
    source, target : path-like
        Input file or directory; output directory (replaced when the job succeeds).
    features : GeoDataFrame or GeoSeries
        Shipped to every worker once.
    kernel : callable
        :func:`geozones.analysis.proximity.nearest`.
    client : dask.distributed.Client

    Returns
    -------
    dict
        ``rows``, ``parts`` and ``target``.
    """
    import shutil
    import tempfile
    from pathlib import Path

    import dask

    from geozones.io.geoparquet import parts_of

    files = parts_of(source)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        payload = ship(client, features_payload(features, id_column, name_column))
        tasks = [
            dask.delayed(_file_job, pure=True)(
                str(f), str(tmp / f"part.{i:05d}.parquet"), payload, kernel, max_distance, prefix
            )
            for i, f in enumerate(files)
        ]
        futures = client.compute(tasks)
        show_progress(futures, progress)
        rows = sum(client.gather(futures))
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"rows": rows, "parts": len(files), "target": target}


__all__ = [
    "ENGINES",
    "PARTITION_ROWS",
    "Payload",
    "connect",
    "local_cluster_size",
    "peak_memory",
    "features_payload",
    "ship",
    "feature_tree",
    "show_progress",
    "partition_nearest",
    "partition_within",
    "hilbert_partitions",
    "run",
    "nearest_geoparquet",
]
