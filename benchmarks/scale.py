"""Benchmark: national-scale nearest road, single process vs Dask (1 and 2 workers), GeoParquet in and out.

Synthetic, seeded data in VN-2000 / UTM zone 48N (EPSG:3405) over a 600 km x 1 600 km box
(a benchmark extent, not a country outline): square parcels of 10-60 m, uniformly spread, and
straight road segments of 50-2 000 m in random directions. The parcels are generated tile by
tile along a Hilbert curve and written as a partitioned GeoParquet layer (one file per tile,
never the whole layer in memory); the roads as one GeoParquet file.

Jobs, each in a fresh subprocess (so that peak memory is the job's own):

* ``local``: read the whole layer, :func:`geozones.analysis.proximity.nearest` on one thread
  (``n_jobs=1``), join, write the partitioned GeoParquet output;
* ``dask-1``, ``dask-2``: :func:`geozones.analysis.distributed.nearest_geoparquet` on a LocalCluster
  of 1 and 2 single-threaded worker processes (each task reads one part, searches, writes one
  part);
* ``dask-2-lowmem``: the same with each worker's memory limit set below the size of the
  parcel layer in memory.

Every output is compared with the local one (same distances and ids for every parcel, read
back from the GeoParquet files). Reported: wall time of the job (cluster start-up apart),
rows per second per worker, peak resident memory per worker process (``getrusage``) and the
scaling efficiency ``T(1 worker) / (2 x T(2 workers))``.

    .venv/bin/python benchmarks/scale.py --parcels 100000 --roads 10000      # smoke, ~1 min
    nice .venv/bin/python benchmarks/scale.py                               # 10 M parcels, 1 M roads
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CRS = 3405  # VN-2000 / UTM zone 48N
ORIGIN = (300_000.0, 950_000.0)
WIDTH, HEIGHT = 600_000.0, 1_600_000.0
SEED = 20261130


def _cpu_s() -> float:
    """CPU seconds (user + system) this process has used; unlike wall time, not inflated by other jobs."""
    import resource

    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# --- data ----------------------------------------------------------------------------------


def generate(workdir: Path, parcels: int, roads: int, part_rows: int) -> dict:
    """Write parcels (partitioned, Hilbert tiles) and roads (one file) as GeoParquet."""
    import geopandas as gpd
    import shapely

    from geozones.io.geoparquet import write_geoparquet, write_partitioned

    rng = np.random.default_rng(SEED)
    # tiles: a 2^L x 2^L grid, visited along a Hilbert curve, about part_rows parcels each
    level = max(0, math.ceil(math.log(max(parcels / part_rows, 1), 4)))
    side = 2**level
    tw, th = WIDTH / side, HEIGHT / side
    cols, rows = np.meshgrid(np.arange(side), np.arange(side))
    cols, rows = cols.ravel(), rows.ravel()
    x0 = ORIGIN[0] + cols * tw
    y0 = ORIGIN[1] + rows * th
    tiles = gpd.GeoSeries(shapely.box(x0, y0, x0 + tw, y0 + th))
    order = np.argsort(
        tiles.hilbert_distance(total_bounds=(ORIGIN[0], ORIGIN[1], ORIGIN[0] + WIDTH, ORIGIN[1] + HEIGHT)).to_numpy(),
        kind="stable",
    )
    counts = rng.multinomial(parcels, np.full(side * side, 1.0 / (side * side)))
    bounds = (ORIGIN[0], ORIGIN[1], ORIGIN[0] + WIDTH, ORIGIN[1] + HEIGHT)
    first_id = np.concatenate([[0], np.cumsum(counts[order])])

    def parts():
        for j, t in enumerate(order):
            n = int(counts[t])
            r = np.random.default_rng([SEED, int(t)])
            x = r.uniform(x0[t], x0[t] + tw, n)
            y = r.uniform(y0[t], y0[t] + th, n)
            w = r.uniform(10, 60, n)
            ids = np.arange(first_id[j], first_id[j] + n, dtype=np.int64)
            yield gpd.GeoDataFrame(
                {"parcel_id": ids}, geometry=shapely.box(x, y, x + w, y + w), crs=CRS, index=ids
            )  # labels unique over the whole layer

    t = time.perf_counter()
    write_partitioned(parts(), workdir / "parcels", total_bounds=bounds)
    t_parcels = time.perf_counter() - t
    start = np.column_stack(
        [rng.uniform(ORIGIN[0], ORIGIN[0] + WIDTH, roads), rng.uniform(ORIGIN[1], ORIGIN[1] + HEIGHT, roads)]
    )
    angle = rng.uniform(0, 2 * np.pi, roads)
    length = rng.uniform(50, 2_000, roads)
    end = start + np.column_stack([np.cos(angle) * length, np.sin(angle) * length])
    segments = gpd.GeoDataFrame(
        {"id": [f"r{i}" for i in range(roads)], "name": [f"road {i % 997}" for i in range(roads)]},
        geometry=shapely.linestrings(np.stack([start, end], axis=1)),
        crs=CRS,
    )
    t = time.perf_counter()
    write_geoparquet(segments, workdir / "roads.parquet")
    t_roads = time.perf_counter() - t
    size = sum(p.stat().st_size for p in (workdir / "parcels").iterdir())
    return {
        "parcels": parcels,
        "roads": roads,
        "parts": side * side,
        "write_parcels_s": t_parcels,
        "write_roads_s": t_roads,
        "parcels_bytes_on_disk": size,
        "roads_bytes_on_disk": (workdir / "roads.parquet").stat().st_size,
    }


# --- jobs (each in its own process) ----------------------------------------------------------


def job_local(workdir: Path) -> dict:
    import psutil

    from geozones.analysis.proximity import nearest
    from geozones.io.geoparquet import read_geoparquet, write_geoparquet

    t0 = time.perf_counter()
    cpu0 = _cpu_s()
    roads = read_geoparquet(workdir / "roads.parquet")
    before = psutil.Process().memory_info().rss
    parcels = read_geoparquet(workdir / "parcels")
    parcels_rss = psutil.Process().memory_info().rss - before
    t_read = time.perf_counter() - t0
    found = nearest(parcels, roads, n_jobs=1)
    t_query = time.perf_counter() - t0 - t_read
    out = parcels.join(found.add_prefix("nearest_"))
    write_geoparquet(out, workdir / "out-local", sort=False, partition_rows=len(out) // 64 + 1)
    total = time.perf_counter() - t0
    return {
        "time_s": total,
        "cpu_s": {"main": _cpu_s() - cpu0},
        "load_average": os.getloadavg(),
        "read_s": t_read,
        "query_s": t_query,
        "workers": 1,
        "rows": len(parcels),
        "peak_rss": {"main": _peak_rss()},
        "parcels_rss": parcels_rss,
    }


def job_dask(workdir: Path, workers: int, memory_limit: str | None, name: str) -> dict:
    from dask.distributed import Client, LocalCluster

    from geozones.analysis import distributed
    from geozones.analysis.proximity import nearest
    from geozones.io.geoparquet import read_geoparquet

    t0 = time.perf_counter()
    limit = memory_limit or "auto"
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, memory_limit=limit, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        client.wait_for_workers(workers)
        t_start = time.perf_counter() - t0
        cpu0 = client.run(_cpu_s)  # worker start-up (imports) is not the job's
        t1 = time.perf_counter()
        roads = read_geoparquet(workdir / "roads.parquet")
        result = distributed.nearest_geoparquet(
            workdir / "parcels", roads, workdir / f"out-{name}", kernel=nearest, client=client
        )
        total = time.perf_counter() - t1
        peaks = distributed.peak_memory(client)
        cpu = {w: v - cpu0.get(w, 0.0) for w, v in client.run(_cpu_s).items()}  # the job's CPU seconds per worker
        limits = {w: info.get("memory_limit") for w, info in client.scheduler_info()["workers"].items()}
    return {
        "time_s": total,
        "cluster_start_s": t_start,
        "workers": workers,
        "rows": result["rows"],
        "peak_rss": peaks,
        "cpu_s": cpu,
        "load_average": os.getloadavg(),
        "memory_limit": limits,
        "client_peak_rss": _peak_rss(),
    }


def compare(workdir: Path, name: str) -> dict:
    """Same distance and id for every parcel as the local job (read back part by part)."""
    import pyarrow.parquet as pq

    def table(folder):
        frames = []
        for f in sorted((workdir / folder).glob("*.parquet")):
            frames.append(
                pq.read_table(f, columns=["parcel_id", "nearest_distance_m", "nearest_feature_id"]).to_pandas()
            )
        import pandas as pd

        return pd.concat(frames).set_index("parcel_id").sort_index()

    a, b = table("out-local"), table(f"out-{name}")
    same_index = a.index.equals(b.index)
    equal = bool(
        same_index
        and np.array_equal(a["nearest_distance_m"].to_numpy(), b["nearest_distance_m"].to_numpy())
        and (a["nearest_feature_id"].to_numpy() == b["nearest_feature_id"].to_numpy()).all()
    )
    return {"rows": len(b), "identical": equal}


def _child(args) -> int:
    workdir = Path(args.workdir)
    if args.job == "generate":
        out = generate(workdir, args.parcels, args.roads, args.part_rows)
    elif args.job == "local":
        out = job_local(workdir)
    elif args.job == "compare":
        out = compare(workdir, args.name)
    else:
        out = job_dask(workdir, args.workers, args.memory_limit, args.name)
    out["process_peak_rss"] = _peak_rss()
    print("RESULT " + json.dumps(out, default=str), flush=True)
    return 0


def _run(argv: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *argv], capture_output=True, text=True, cwd=ROOT)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
    raise SystemExit(f"job {argv} failed")


def _gib(n: float) -> str:
    return f"{n / 2**30:.2f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parcels", type=int, default=10_000_000)
    ap.add_argument("--roads", type=int, default=1_000_000)
    ap.add_argument("--part-rows", type=int, default=160_000, help="parcels per GeoParquet part (about)")
    ap.add_argument("--workdir", default=None, help="scratch directory (default: a temporary one, removed)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--reuse", action="store_true", help="reuse the layers already in --workdir (same sizes)")
    ap.add_argument("--json", default=None, help="also write the figures to this JSON file")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--job", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--memory-limit", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--name", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return _child(args)
    import tempfile

    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="geozones-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    common = ["--workdir", str(workdir)]
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average {os.getloadavg()[0]:.1f}; {args.parcels:,} parcels, {args.roads:,} roads in {workdir}",
        flush=True,
    )
    if args.reuse and (workdir / "parcels").is_dir() and (workdir / "roads.parquet").exists():
        files = list((workdir / "parcels").glob("*.parquet"))
        gen = {
            "reused": True,
            "parts": len(files),
            "parcels_bytes_on_disk": sum(f.stat().st_size for f in files),
            "roads_bytes_on_disk": (workdir / "roads.parquet").stat().st_size,
        }
        print(f"reusing the {len(files)} parcel parts in {workdir} (written by an earlier run, same seed)", flush=True)
    else:
        gen = _run(
            [
                *common,
                "--job",
                "generate",
                "--parcels",
                str(args.parcels),
                "--roads",
                str(args.roads),
                "--part-rows",
                str(args.part_rows),
            ]
        )
        print(
            f"generated: {gen['parts']} parcel parts ({_gib(gen['parcels_bytes_on_disk'])} GiB on disk) in "
            f"{gen['write_parcels_s']:.1f} s; roads {_gib(gen['roads_bytes_on_disk'])} GiB",
            flush=True,
        )
    results = {"generate": gen}
    results["local"] = local = _run([*common, "--job", "local"])
    in_memory = local["parcels_rss"]
    print(
        f"local: {local['time_s']:.1f} s (read {local['read_s']:.1f}, query {local['query_s']:.1f}); "
        f"peak {_gib(local['peak_rss']['main'])} GiB; parcel layer in memory {_gib(in_memory)} GiB",
        flush=True,
    )
    # each worker gets a third of what the parcel layer takes in one process, but at least 2 GiB: a
    # worker holds the roads (about 0.6 GiB per million segments with their STRtree) and one part,
    # and Dask pauses a worker at 80 % of its limit
    low = max(int(in_memory / 3), 2 * 2**30)
    plan = [("dask-1", 1, None), ("dask-2", 2, None), ("dask-2-lowmem", 2, str(low))]
    for name, workers, limit in plan:
        argv = [*common, "--job", "dask", "--workers", str(workers), "--name", name]
        if limit:
            argv += ["--memory-limit", limit]
        res = _run(argv)
        res["check"] = _run([*common, "--job", "compare", "--name", name])
        results[name] = res
        peaks = ", ".join(_gib(v) for v in res["peak_rss"].values())
        print(
            f"{name}: {res['time_s']:.1f} s (cluster start {res['cluster_start_s']:.1f} s); peak per worker "
            f"{peaks} GiB; identical to local: {res['check']['identical']}",
            flush=True,
        )
    n = args.parcels
    t1, t2 = results["dask-1"]["time_s"], results["dask-2"]["time_s"]
    print(
        "\n| job | workers | memory limit / worker (GiB) | wall time (s) | rows/s/worker (wall) | CPU s (all workers) "
        "| rows per CPU-second | peak RSS per worker (GiB) | load average | identical to local |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, workers, _ in [("local", 1, None), *plan]:
        res = results[name]
        lim = ", ".join(_gib(float(v)) for v in res.get("memory_limit", {}).values()) or "–"
        peaks = ", ".join(_gib(v) for v in res["peak_rss"].values())
        cpu = sum(res["cpu_s"].values())
        same = "(reference)" if name == "local" else ("yes" if res["check"]["identical"] else "NO")
        label = "single process (n_jobs=1)" if name == "local" else name
        print(
            f"| {label} | {workers} | {lim} | {res['time_s']:.1f} | {n / res['time_s'] / workers:,.0f} | {cpu:.1f} | "
            f"{n / cpu:,.0f} | {peaks} | {res['load_average'][0]:.1f} | {same} |"
        )
    efficiency = t1 / (2 * t2)
    c1, c2 = sum(results["dask-1"]["cpu_s"].values()), sum(results["dask-2"]["cpu_s"].values())
    print(
        f"\nCPU efficiency 1 -> 2 workers (CPU seconds of 1 worker / of 2 workers): {c1 / c2:.2f}; "
        f"scaling efficiency 1 -> 2 workers (wall): {efficiency:.2f}; Dask 1 worker / single process: "
        f"{t1 / local['time_s']:.2f}; parcel layer in one process {_gib(in_memory)} GiB; low memory limit "
        f"{_gib(low)} GiB per worker ({'below' if low < in_memory else 'NOT below'} the layer's size)"
    )
    results["efficiency"] = efficiency
    results["cpu_efficiency"] = c1 / c2
    results["parcels_in_memory_bytes"] = in_memory
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    if not args.keep and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    ok = all(results[name]["check"]["identical"] for name, _, _ in plan)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
