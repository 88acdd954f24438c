"""The Dask engine on a real ``dask.distributed`` LocalCluster: equal to brute force and to one process."""

from __future__ import annotations

import os
import signal
import threading
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from tests.helpers.tools import require_tool

try:  # the 'scale' extra; a missing install skips, or fails under GEOZONES_REQUIRE_ALL=1
    import dask_geopandas
    from dask.distributed import Client, LocalCluster
except ImportError:  # pragma: no cover
    Client = None

CRS = 9213


@pytest.fixture(scope="module")
def client():
    if Client is None:  # pragma: no cover
        require_tool("dask[distributed] and dask-geopandas (pip install 'geozones[scale]')")
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster,
        Client(cluster) as c,
    ):
        yield c


def _layers(n=1500, m=250, seed=7):
    """Random parcels and road segments; the south-west quarter has parcels but no road at all,
    so those parcels' nearest roads lie in other partitions."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 20_000, n)
    y = rng.uniform(0, 20_000, n)
    w = rng.uniform(5, 80, n)
    parcels = gpd.GeoDataFrame({"pid": np.arange(n)}, geometry=shapely.box(x, y, x + w, y + w), crs=CRS)
    parcels.index = pd.Index([f"p{i}" for i in range(n)])
    parcels.iloc[[3, 40], parcels.columns.get_loc("geometry")] = None  # parcels without geometry: NaN
    rx = rng.uniform(0, 20_000, m * 2)
    ry = rng.uniform(0, 20_000, m * 2)
    keep = ~((rx < 9_000) & (ry < 9_000))
    rx, ry = rx[keep][:m], ry[keep][:m]
    a = rng.uniform(0, 2 * np.pi, m)
    length = rng.uniform(50, 1500, m)
    ends = np.stack([rx + length * np.cos(a), ry + length * np.sin(a)], 1)
    geoms = shapely.linestrings(np.stack([np.stack([rx, ry], 1), ends], 1))
    geoms[5] = geoms[9]  # a duplicate road: ties go to the first one
    roads = gpd.GeoDataFrame(
        {"id": [f"r{i}" for i in range(m)], "name": [f"road {i % 11}" for i in range(m)]}, geometry=geoms, crs=CRS
    )
    return parcels, roads


def _brute(parcels, roads):
    """Every parcel-road distance with shapely (independent of the STRtree kernel)."""
    p = np.asarray(parcels.geometry.array)
    r = np.asarray(roads.geometry.array)
    return shapely.distance(p[:, None], r[None, :])  # NaN rows for missing parcels


def _modules():
    from geozones.analysis import distributed, proximity

    return distributed, proximity


def test_nearest_equals_brute_force_and_single_process(client):
    distributed, proximity = _modules()
    parcels, roads = _layers()
    got = distributed.run(parcels, roads, kernel=proximity.nearest, client=client, npartitions=16)
    d = _brute(parcels, roads)
    present = ~np.isnan(d).all(axis=1)
    best = np.full(len(parcels), -1)
    best[present] = np.nanargmin(d[present], axis=1)  # first minimum: lowest road position
    np.testing.assert_array_equal(got["distance_m"].to_numpy()[present], d[present, best[present]])
    assert list(got["feature_id"][present]) == [f"r{i}" for i in best[present]]
    assert got["distance_m"][~present].isna().all() and got["feature_id"][~present].isna().all()
    # parcels in the road-free quarter: their partition's own box holds no road at all
    far = parcels.geometry.bounds.eval("maxx < 8000 and maxy < 8000").to_numpy()
    assert far.sum() > 100 and (got["distance_m"][far] > 0).all()
    pd.testing.assert_frame_equal(got, proximity.nearest(parcels, roads))


def test_k_nearest_and_max_distance_equal_single_process(client):
    distributed, proximity = _modules()
    parcels, roads = _layers(seed=11)
    got = distributed.run(parcels, roads, kernel=proximity.nearest, k=3, client=client, npartitions=9)
    pd.testing.assert_frame_equal(got, proximity.nearest(parcels, roads, k=3))
    d = _brute(parcels, roads)
    first = got.groupby("zone", sort=False)["distance_m"].apply(list)
    for label in ("p0", "p7", "p1000"):
        row = parcels.index.get_loc(label)
        assert first[label] == sorted(d[row])[:3]
    for max_distance in (250.0, 3000.0):
        got = distributed.run(
            parcels, roads, kernel=proximity.nearest, max_distance=max_distance, client=client, npartitions=7
        )
        pd.testing.assert_frame_equal(got, proximity.nearest(parcels, roads, max_distance=max_distance))
        within = np.nanmin(np.where(np.isnan(d), np.inf, d), axis=1) <= max_distance
        assert (got["distance_m"].notna().to_numpy() == within).all()


def test_within_distance_equals_brute_force(client):
    distributed, proximity = _modules()
    parcels, roads = _layers(seed=5)
    got = distributed.run(
        parcels,
        roads,
        kernel=proximity.within_distance,
        operation="within",
        distance=600.0,
        client=client,
        npartitions=12,
    )
    pd.testing.assert_frame_equal(got, proximity.within_distance(parcels, roads, 600.0))
    d = _brute(parcels, roads)
    assert len(got) == int((d <= 600.0).sum())


def test_empty_partitions_and_dask_frames(client):
    distributed, proximity = _modules()
    parcels, roads = _layers(n=300, seed=2)
    # more partitions than rows: most Hilbert runs are empty
    got = distributed.run(parcels.iloc[:5], roads, kernel=proximity.nearest, client=client, npartitions=12)
    pd.testing.assert_frame_equal(got, proximity.nearest(parcels.iloc[:5], roads))
    # a Dask frame with empty partitions gives a lazy result with one partition per input partition
    frame = dask_geopandas.from_geopandas(parcels, npartitions=4, sort=False)
    frame = frame.map_partitions(lambda p: p if p["pid"].min() < 150 else p.iloc[:0])  # the last two: empty
    lazy = distributed.run(frame, roads, kernel=proximity.nearest, client=client)
    assert lazy.npartitions == 4
    sizes = lazy.map_partitions(len).compute().tolist()
    assert sizes == [75, 75, 0, 0]
    result = lazy.compute()
    expected = proximity.nearest(frame.compute(), roads)
    pd.testing.assert_frame_equal(result.loc[expected.index], expected, check_dtype=False)  # Dask: arrow strings


def _slow_nearest(*args, **kwargs):
    """The single-process kernel, slowed so that a worker can be killed while partitions run."""
    from geozones.analysis.proximity import nearest

    time.sleep(0.15)
    return nearest(*args, **kwargs)


@pytest.mark.slow
def test_a_killed_worker_does_not_change_the_answer():
    if Client is None:  # pragma: no cover
        require_tool("dask[distributed] (pip install 'geozones[scale]')")
    distributed, proximity = _modules()
    parcels, roads = _layers(n=2000, seed=13)
    expected = proximity.nearest(parcels, roads)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as c,
    ):
        c.wait_for_workers(2)
        pids = c.run(os.getpid)
        out, errors = [], []

        def job():
            try:
                out.append(distributed.run(parcels, roads, kernel=_slow_nearest, client=c, npartitions=30))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        thread = threading.Thread(target=job)
        thread.start()
        deadline = time.time() + 20
        while time.time() < deadline and not any(c.processing().values()):
            time.sleep(0.05)
        time.sleep(0.5)  # some partitions done, others running
        victim = sorted(pids)[0]
        assert thread.is_alive(), "the job finished before a worker could be killed"
        os.kill(pids[victim], signal.SIGKILL)
        thread.join(60)
        assert not errors, errors
        assert victim not in c.scheduler_info()["workers"]  # the worker really died (the nanny made a new one)
    pd.testing.assert_frame_equal(out[0], expected)


def test_engine_parameter_on_the_proximity_functions(client):
    from geozones.errors import CRSError, InvalidParameterError

    distributed, proximity = _modules()
    parcels, roads = _layers(n=400, seed=21)
    pd.testing.assert_frame_equal(proximity.nearest(parcels, roads, engine=client), proximity.nearest(parcels, roads))
    pd.testing.assert_frame_equal(
        proximity.nearest(parcels, roads, k=2, engine="dask"),  # the current client
        proximity.nearest(parcels, roads, k=2),
    )
    pd.testing.assert_frame_equal(
        proximity.within_distance(parcels, roads, 300.0, engine=client),
        proximity.within_distance(parcels, roads, 300.0),
    )
    lazy = proximity.nearest(dask_geopandas.from_geopandas(parcels, npartitions=3), roads, engine=client)
    assert lazy.npartitions == 3
    with pytest.raises(InvalidParameterError, match="engine"):
        proximity.nearest(parcels, roads, engine="spark")
    with pytest.raises(CRSError):
        proximity.nearest(parcels, roads.to_crs(4326).to_crs(9215), engine=client)
