"""Benchmark: OGC API items pages and vector tiles, geozones vs pygeoapi and tipg, side by side in one run.

All servers run at the same time on loopback ports, one uvicorn worker each, access logs off
(see benchmarks/api_servers.py), and serve the SAME data:

* geozones (``geozones serve``) reads its GeoPackage store;
* pygeoapi (its Starlette app) serves the zones from a throw-away PostgreSQL/PostGIS cluster
  with its ``PostgreSQL`` provider (items only: pygeoapi has no vector tiles of PostGIS);
* tipg (async, asyncpg) serves the same PostGIS tables: OGC API Features and vector tiles
  (``ST_AsMVT``), from its own virtual environment.

The load generator is wrk (Debian package ``wrk``, a C program: it does not compete with the
servers for the interpreter), ``-t1 -c1`` for one client and ``-t2 -c32`` for 32, for
``--seconds`` per cell, every request with ``Accept-Encoding: gzip`` (what browsers and QGIS send).

* **items**: ``/collections/zones/items?limit=N`` for N in ``--limits`` on ``--zones`` synthetic
  zones; before measuring, the first page of every size is fetched from every server and compared
  (same ids in the same order, same geometries to 1e-6 degrees, same attributes);
* **tiles**: every tile at zoom 8-14 over three data sets -- the shipped district boundaries (real
  outlines), the synthetic zones, and ``--parcels`` synthetic parcels -- requested round-robin by a
  wrk Lua script. Before the load, each server's first answer to every tile is timed once, one
  request at a time (the cold cost: geozones caches tiles per store version, tipg renders each
  request in PostGIS), and the feature counts of a sample of tiles are compared.

    python benchmarks/api.py                       # 10 000 zones, 100 000 parcels, prints the tables
    python benchmarks/api.py --write-docs          # and writes the "## api" section of docs/benchmarks.md
    python benchmarks/api.py --zones 200 --parcels 2000 --seconds 1 --limits 10   # smoke size
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gzip
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path and its name would shadow the
# ``api`` package: drop the folder so ``import api`` finds geozones' web API.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.append(str(Path(__file__).resolve().parent))  # last: only for api_servers beside this file
import api_servers as servers

DOCS = ROOT / "docs" / "benchmarks.md"
SECTION = "## api"
ZOOMS = range(8, 15)
PEER_PYGEOAPI = "pygeoapi PostgreSQL/PostGIS"
PEER_TIPG = "tipg PostGIS"


@dataclass(frozen=True)
class Target:
    """One thing to load: a server label, its base URL, and the path(s) it answers."""

    label: str
    base: str
    paths: tuple[str, ...]


@dataclass
class Result:
    kind: str  # "items" or the tile data set
    label: str
    size: int  # page size (items) or 0 (tiles)
    clients: int
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    kib: float
    errors: int


# -- wrk ------------------------------------------------------------------------------------------

_LUA = """
paths = {%s}
i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["Accept-Encoding"] = "gzip"})
end
"""


def _ms(text: str) -> float:
    found = re.match(r"([\d.]+)(us|ms|s|m|h)$", text)
    if found is None:
        return float("nan")
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}[unit]


def _bytes(text: str) -> float:
    value, unit = re.match(r"([\d.]+)([KMGT]?B)", text).groups()
    return float(value) * {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}[unit]


def wrk(target: Target, clients: int, seconds: float, folder: Path) -> dict:
    """Run wrk against the target's paths (round-robin); returns requests, rps, p50/p99 ms, KiB/answer, errors."""
    if not target.base.startswith("http://127.0.0.1:"):
        raise ValueError("the load generator only targets 127.0.0.1")
    script = folder / f"paths-{abs(hash(target.paths))}.lua"
    script.write_text(_LUA % ", ".join(f'"{p}"' for p in target.paths), encoding="utf-8")
    threads = 1 if clients == 1 else 2
    done = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds:g}s", "--latency", "--timeout", "10s", "-s", str(script)]
        + [target.base + target.paths[0]],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    out = done.stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    read = _bytes(re.search(r"requests in [\d.]+\w+, ([\d.]+\w+) read", out).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    errors += int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "kib": read / max(requests, 1) / 1024,
        "errors": errors,
    }


# -- checks ---------------------------------------------------------------------------------------


def _fid(feature: dict):
    return feature.get("id") if feature.get("id") is not None else feature["properties"].get("id")


def check_same_items(targets: list[Target], limits: list[int]) -> None:
    """Every target returns the same features (ids, order, geometry, attributes) for every page size."""
    import httpx
    import shapely.geometry

    for limit in limits:
        pages = {}
        for target in targets:
            response = httpx.get(target.base + target.paths[0].replace("limit=LIMIT", f"limit={limit}"), timeout=60)
            response.raise_for_status()
            pages[target.label] = response.json()["features"]
        reference_label, reference = next(iter(pages.items()))
        if len(reference) != limit:
            raise AssertionError(f"{reference_label} returned {len(reference)} features for limit={limit}")
        for label, features in pages.items():
            if [str(_fid(f)) for f in features] != [str(_fid(f)) for f in reference]:
                raise AssertionError(f"{label} and {reference_label} return different features for limit={limit}")
            for mine, theirs in zip(features, reference):
                a, b = shapely.geometry.shape(mine["geometry"]), shapely.geometry.shape(theirs["geometry"])
                if not a.equals_exact(b, 1e-6):
                    raise AssertionError(f"{label}: geometry of {_fid(mine)} differs from {reference_label}")
                for key in ("name", "kind", "status", "district_pre2025"):
                    if mine["properties"].get(key) != theirs["properties"].get(key):
                        raise AssertionError(f"{label}: {key} of {_fid(mine)} differs from {reference_label}")


def _decode_count(body: bytes) -> int:
    import mapbox_vector_tile

    if not body:
        return 0
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    return sum(len(layer["features"]) for layer in mapbox_vector_tile.decode(body).values())


def cold_tiles(target: Target) -> tuple[list[float], list[int]]:
    """Each tile fetched once, one at a time: (milliseconds, feature counts)."""
    import httpx

    times, counts = [], []
    with httpx.Client(timeout=120, headers={"Accept-Encoding": "gzip"}) as client:
        for path in target.paths:
            t0 = time.perf_counter()
            response = client.get(target.base + path)
            times.append((time.perf_counter() - t0) * 1000)
            if response.status_code not in (200, 204):
                raise RuntimeError(f"GET {target.base + path} -> {response.status_code}")
            counts.append(_decode_count(response.content) if response.status_code == 200 else 0)
    return times, counts


# -- the run --------------------------------------------------------------------------------------


def tile_paths(bbox: tuple[float, float, float, float], zooms=ZOOMS, cap: int = 400) -> list[tuple[int, int, int]]:
    """(z, x, y) of the tiles over ``bbox`` at ``zooms``, at most ``cap`` per zoom (evenly sampled)."""
    from geozones.io.mvt import tile_range

    found = []
    for z in zooms:
        x0, y0, x1, y1 = tile_range(bbox, z)
        level = [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        step = max(1, len(level) // cap)
        found += level[::step][:cap]
    return found


def run(args, folder: Path) -> tuple[list[Result], list[str]]:
    zones = servers.synthetic_zones(args.zones)
    parcels = servers.synthetic_parcels(args.parcels)
    districts = servers.shipped_districts()
    layers = {servers.PARCELS: parcels, servers.DISTRICTS: districts}
    gpkg, geojson = servers.write_data(zones, folder, layers)
    pg_tables = {"parcels": parcels, "districts": districts}
    postgis = servers.start_postgis(zones, pg_tables) if not args.no_postgis else None
    running = []
    notes: list[str] = []
    try:
        ours = servers.start_geozones(gpkg, folder, args.cache_mb)
        running.append(ours)
        pygeoapi = tipg = None
        if postgis is not None:
            pygeoapi = servers.start_pygeoapi(postgis, geojson, folder)
            running.append(pygeoapi)
            tipg = servers.start_tipg(postgis, folder)
            if tipg is not None:
                running.append(tipg)
        items = [Target("geozones", ours.base, ("/collections/zones/items?limit=LIMIT",))]
        if pygeoapi is not None:
            items.append(Target(PEER_PYGEOAPI, pygeoapi.base, ("/collections/zones/items?limit=LIMIT&f=json",)))
        if tipg is not None:
            items.append(Target(PEER_TIPG, tipg.base, ("/collections/public.zones/items?limit=LIMIT",)))
        check_same_items(items, args.limits)
        results: list[Result] = []
        for limit in args.limits:
            for clients in args.clients:
                for target in items:
                    one = Target(target.label, target.base, (target.paths[0].replace("LIMIT", str(limit)),))
                    results.append(_cell("items", one, limit, clients, args.seconds, folder))
        datasets = [
            ("shipped districts", servers.DISTRICTS, "public.districts", tuple(districts.total_bounds)),
            (f"{args.zones:,} zones", "zones", "public.zones", tuple(zones.total_bounds)),
            (f"{args.parcels:,} parcels", servers.PARCELS, "public.parcels", tuple(parcels.total_bounds)),
        ]
        for name, ours_id, tipg_id, bbox in datasets:
            zxy = tile_paths(bbox)
            tile_targets = [
                Target(
                    "geozones",
                    ours.base,
                    tuple(f"/collections/{ours_id}/tiles/WebMercatorQuad/{z}/{y}/{x}" for z, x, y in zxy),
                )
            ]
            if tipg is not None:
                tile_targets.append(
                    Target(
                        PEER_TIPG,
                        tipg.base,
                        tuple(f"/collections/{tipg_id}/tiles/WebMercatorQuad/{z}/{x}/{y}" for z, x, y in zxy),
                    )
                )
            counts = {}
            for target in tile_targets:
                times, counts[target.label] = cold_tiles(target)
                notes.append(
                    f"| {name} | {target.label} | {len(times)} | {np.median(times):,.1f} | "
                    f"{np.percentile(times, 99):,.1f} | {max(times):,.1f} | {sum(counts[target.label]):,} |"
                )
                print(notes[-1], flush=True)
            for clients in args.clients:
                for target in tile_targets:
                    results.append(_cell(name, target, 0, clients, args.seconds, folder))
        return results, notes
    finally:
        for server in running:
            server.stop()
        if postgis is not None:
            postgis.stop()


def _cell(kind: str, target: Target, size: int, clients: int, seconds: float, folder: Path) -> Result:
    found = wrk(target, clients, seconds, folder)
    result = Result(
        kind,
        target.label,
        size,
        clients,
        found["requests"],
        found["rps"],
        found["p50"],
        found["p99"],
        found["kib"],
        found["errors"],
    )
    print(
        f"{kind:22s} {target.label:30s} size={size:<5d} clients={clients:<3d} {result.rps:9.1f} req/s  "
        f"p50 {result.p50_ms:8.1f} ms  p99 {result.p99_ms:8.1f} ms  {result.kib:8.1f} KiB"
        + (f"  {result.errors} errors" if result.errors else ""),
        flush=True,
    )
    return result


# -- report ---------------------------------------------------------------------------------------


def table(results: list[Result], kind: str) -> str:
    lines = [
        "| data | server | limit | clients | requests | req/s | p50 ms | p99 ms | KiB/answer | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if (r.kind == "items") == (kind == "items"):
            lines.append(
                f"| {r.kind} | {r.label} | {r.size or '-'} | {r.clients} | {r.requests:,} | {r.rps:,.1f} | "
                f"{r.p50_ms:,.1f} | {r.p99_ms:,.1f} | {r.kib:,.1f} | {r.errors} |"
            )
    return "\n".join(lines)


def ratios(results: list[Result]) -> str:
    """geozones req/s divided by each peer's, per data set, page size and clients."""
    ours = {(r.kind, r.size, r.clients): r for r in results if r.label == "geozones"}
    peers = [p for p in (PEER_PYGEOAPI, PEER_TIPG) if any(r.label == p for r in results)]
    lines = ["| data | limit | clients | " + " | ".join(f"x {p}" for p in peers) + " |"]
    lines.append("|---|---:|---:|" + "---:|" * len(peers))
    for key, mine in ours.items():
        cells = []
        for peer in peers:
            theirs = next((r for r in results if r.label == peer and (r.kind, r.size, r.clients) == key), None)
            cells.append(f"{mine.rps / theirs.rps:,.1f}" if theirs and theirs.rps else "-")
        lines.append(f"| {key[0]} | {key[1] or '-'} | {key[2]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    try:
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
    except OSError:
        model = platform.processor()
    import pygeoapi

    load = os.getloadavg()
    return (
        f"{os.cpu_count()} cores ({model}), Linux {platform.release()}, Python {platform.python_version()}, "
        f"pygeoapi {pygeoapi.__version__}, tipg {servers.tipg_version()}, "
        f"{subprocess.run(['wrk', '-v'], capture_output=True, text=True).stdout.split()[1]}; "
        f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min)"
    )


def write_docs(text: str, path: Path = DOCS) -> None:
    """Replace (or append) the ``## api`` section of docs/benchmarks.md, keeping the others."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    lines = old.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + text.strip("\n") + "\n"
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        new = "\n".join(lines[:start] + text.strip("\n").splitlines() + [""] + lines[end:]).rstrip("\n") + "\n"
    path.write_text(new, encoding="utf-8")


def report(results: list[Result], notes: list[str], args, started: float) -> str:
    command = (
        f"python benchmarks/api.py --zones {args.zones} --parcels {args.parcels} --seconds {args.seconds:g} "
        f"--limits {' '.join(map(str, args.limits))}"
        + (f" --cache-mb {args.cache_mb}" if args.cache_mb is not None else "")
        + " --write-docs"
    )
    return f"""{SECTION}

OGC API items pages and vector tiles, geozones vs [pygeoapi](https://pygeoapi.io) and
[tipg](https://developmentseed.org/tipg/) side by side in one run (`benchmarks/api.py`). geozones
serves its GeoPackage store; pygeoapi (`PostgreSQL` provider) and tipg serve the same data loaded
into a throw-away PostgreSQL/PostGIS cluster (GiST index, primary key). One uvicorn worker per
server, access logs off; load from wrk, {args.seconds:g} s per cell, `Accept-Encoding: gzip` on
every request; all on the same machine. Items: `GET /collections/zones/items?limit=N` on
{args.zones:,} synthetic zones (12-vertex polygons over Bắc Kạn, 26 attributes), first page of each
size checked identical on every server. Tiles: every WebMercatorQuad tile of zoom 8-14 over each
data set (at most 400 per zoom), requested round-robin.

Run {_dt.datetime.fromtimestamp(started, _dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}:
`{command}`.

### Items

{table(results, "items")}

### Vector tiles

First answer to every tile, one request at a time (ms; geozones then keeps the tile for the
store version, tipg renders every request in PostGIS):

| data | server | tiles | p50 ms | p99 ms | max ms | features in all tiles |
|---|---|---:|---:|---:|---:|---:|
{chr(10).join(notes)}

Under load (the same tiles round-robin):

{table(results, "tiles")}

### Throughput ratios (geozones req/s / peer req/s)

{ratios(results)}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--zones", type=int, default=10_000, help="synthetic zones (default 10000)")
    parser.add_argument("--parcels", type=int, default=100_000, help="synthetic parcels (default 100000)")
    parser.add_argument("--limits", type=int, nargs="+", default=[10, 100, 1000], help="page sizes")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 32], help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=8.0, help="wrk duration per cell")
    parser.add_argument("--write-docs", action="store_true", help="write the section into docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, config)")
    parser.add_argument("--no-postgis", action="store_true", help="leave out the PostGIS peers")
    parser.add_argument(
        "--cache-mb", type=int, default=None, help="GEOZONES_CACHE_MB of the geozones server (0: no page/tile cache)"
    )
    args = parser.parse_args(argv)
    if max(args.limits) > args.zones:
        parser.error("--limits must not exceed --zones")
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (Debian package wrk)")
    started = time.time()
    folder = Path(tempfile.mkdtemp(prefix="geozones-bench-api-"))
    try:
        results, notes = run(args, folder)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    text = report(results, notes, args, started)
    print(text)
    if args.write_docs:
        write_docs(text)
        print(f"wrote {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
