"""Benchmark: geozones.analysis.proximity.nearest against geopandas.sjoin_nearest, same data, same answers.

Synthetic, seeded data in VN-2000 / TM-3 106-30 (EPSG:9213): square parcels (20–80 m)
scattered over a 60 km x 60 km area, and straight road segments (50–400 m, random
direction) over the same area. Both tools answer "distance from each parcel to its
nearest road segment"; the script checks the distances agree exactly (to 1e-9 m) and
the ids agree wherever the nearest segment is unique, then prints the times, the ratio
and the peak memory of each side (the process's peak resident memory above the loaded
data, sampled every 5 ms, and tracemalloc's peak of numpy/Python allocations; measured
in a fresh subprocess per side).

    .venv/bin/python benchmarks/proximity.py                  # 200 000 parcels, 100 000 roads
    .venv/bin/python benchmarks/proximity.py --parcels 2000 --roads 1000 --repeat 1   # smoke
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import shapely

SIDE = 60_000.0
ORIGIN = (450_000.0, 2_400_000.0)


def make_data(parcels: int, roads: int, seed: int = 20261121) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Seeded synthetic parcels (polygons) and road segments (lines) in EPSG:9213."""
    rng = np.random.default_rng(seed)
    corner = rng.uniform(0, SIDE, (parcels, 2)) + ORIGIN
    size = rng.uniform(20, 80, parcels)
    polygons = shapely.box(corner[:, 0], corner[:, 1], corner[:, 0] + size, corner[:, 1] + size)
    start = rng.uniform(0, SIDE, (roads, 2)) + ORIGIN
    angle = rng.uniform(0, 2 * np.pi, roads)
    length = rng.uniform(50, 400, roads)
    end = start + np.column_stack([np.cos(angle) * length, np.sin(angle) * length])
    lines = shapely.linestrings(np.stack([start, end], axis=1))
    zones = gpd.GeoDataFrame({"id": np.arange(parcels)}, geometry=polygons, crs=9213)
    segments = gpd.GeoDataFrame({"id": [f"r{i}" for i in range(roads)], "name": None}, geometry=lines, crs=9213)
    return zones, segments


def run_geozones(zones, roads, n_jobs: int):
    from geozones.analysis.proximity import nearest

    result = nearest(zones, roads, n_jobs=n_jobs)
    return result["distance_m"].to_numpy(), result["feature_id"].to_numpy()


def run_sjoin(zones, roads):
    joined = gpd.sjoin_nearest(zones, roads, how="left", distance_col="distance_m")
    first = joined[~joined.index.duplicated(keep="first")].reindex(zones.index)
    ties = joined.index.value_counts().reindex(zones.index).to_numpy()
    return first["distance_m"].to_numpy(), first["id_right"].to_numpy(), ties


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _child(args) -> None:
    """Run one side in a fresh process; report its time and peak memory above the loaded data as JSON."""
    import threading
    import tracemalloc

    import geozones.analysis.proximity  # noqa: F401  (imports are not part of the measurement)

    zones, roads = make_data(args.parcels, args.roads)
    baseline = _rss_mb()
    peak = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss_mb())
            done.wait(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    tracemalloc.start()
    start = time.perf_counter()
    if args.child == "geozones":
        run_geozones(zones, roads, args.jobs)
    else:
        run_sjoin(zones, roads)
    seconds = time.perf_counter() - start
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    done.set()
    sampler.join()
    peak[0] = max(peak[0], _rss_mb())
    print(
        json.dumps(
            {
                "seconds": round(seconds, 3),
                "peak_rss_growth_mb": round(peak[0] - baseline, 1),
                "tracemalloc_peak_mb": round(traced / 2**20, 1),
            }
        )
    )


def _memory(args, side: str) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        side,
        "--parcels",
        str(args.parcels),
        "--roads",
        str(args.roads),
        "--jobs",
        str(args.jobs),
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=200_000)
    parser.add_argument("--roads", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per side (alternating); best is kept")
    parser.add_argument("--jobs", type=int, default=2, help="threads for geozones")
    parser.add_argument("--child", choices=("geozones", "sjoin"), help=argparse.SUPPRESS)
    parser.add_argument("--no-memory", action="store_true", help="skip the per-side memory subprocesses")
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return 0

    import geozones.analysis.proximity  # noqa: F401  (imports are not part of the measurement)

    zones, roads = make_data(args.parcels, args.roads)
    ours, theirs = [], []
    for _ in range(args.repeat):  # alternate so background load hits both sides alike
        start = time.perf_counter()
        distance, ids = run_geozones(zones, roads, args.jobs)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        peer_distance, peer_ids, ties = run_sjoin(zones, roads)
        theirs.append(time.perf_counter() - start)

    # Same answers: every distance, and the id wherever sjoin_nearest found one nearest segment.
    np.testing.assert_allclose(distance, peer_distance, rtol=0, atol=1e-9)
    unique = ties == 1
    assert (ids[unique] == peer_ids[unique]).all(), "nearest ids differ where the nearest segment is unique"

    best, peer = min(ours), min(theirs)
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}",
        "versions": f"shapely {shapely.__version__}, geopandas {gpd.__version__}",
        "parcels": args.parcels,
        "roads": args.roads,
        "threads": args.jobs,
        "geozones_s": round(best, 3),
        "sjoin_nearest_s": round(peer, 3),
        "ratio": round(peer / best, 2),
        "all_runs_geozones_s": [round(t, 3) for t in ours],
        "all_runs_sjoin_s": [round(t, 3) for t in theirs],
        "distances_equal": True,
        "ids_equal_where_unique": int(unique.sum()),
        "tied_parcels": int((~unique).sum()),
    }
    if not args.no_memory:
        report["memory_geozones"] = _memory(args, "geozones")
        report["memory_sjoin"] = _memory(args, "sjoin")
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
