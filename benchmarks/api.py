"""Benchmark: OGC API - Features items pages, geozones vs pygeoapi, side by side in one run.

Both servers run at the same time on loopback ports, one uvicorn worker each, access
logs off, and serve the SAME synthetic zones:

* geozones (``geozones serve``) reads the GeoPackage store;
* pygeoapi (its Starlette app) serves the same zones loaded into a throw-away
  PostgreSQL/PostGIS cluster with its ``PostgreSQL`` provider (collection ``zones``), and
  an RFC 7946 export of them with its ``GeoJSON`` provider (collection ``zones_geojson``).

For each page size (``limit`` 10, 100, 1000) and each number of concurrent clients
(1 and 32) a small asyncio + httpx load generator sends ``GET
/collections/<id>/items?limit=N`` for at most ``--seconds`` seconds or
``--max-requests`` requests, and reports requests per second and p50/p99 latency.
Before measuring, the first page of every size is fetched from every server and the
answers are compared (same ids in the same order, same geometries to 1e-6 degrees,
same attributes).

    python benchmarks/api.py                       # 10 000 zones, prints a table
    python benchmarks/api.py --write-docs          # and writes the "## api" section of docs/benchmarks.md
    python benchmarks/api.py --zones 200 --seconds 1 --limits 10   # smoke size

Needs the ``bench`` extra (pygeoapi, geoalchemy2, psycopg2) and PostgreSQL with PostGIS
(Debian postgresql-15-postgis-3; run as root, the cluster runs as the ``postgres`` user).
Without PostgreSQL the PostGIS peer is left out and the run says so. pygeoapi's
``SQLiteGPKG`` provider (same GeoPackage file) would be the closest peer, but it needs a
Python whose sqlite3 can load extensions (mod_spatialite), which pyenv builds lack.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as _dt
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path and its name would shadow the
# ``api`` package: drop the folder so ``import api`` finds geozones' web API.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
DOCS = ROOT / "docs" / "benchmarks.md"
SECTION = "## api"
#: Bắc Kạn's extent (facts.md): 21.80-22.73 N, 105.43-106.25 E.
EXTENT = (105.43, 21.80, 106.25, 22.73)


# -- data ---------------------------------------------------------------------------------------


def synthetic_zones(n: int, seed: int = 5):
    """``n`` valid zone records: small irregular polygons scattered over Bắc Kạn (EPSG:4326).

    Attributes are synthetic and say so (``sources``, ``location_basis``); no published
    area is invented (``area_published_ha`` stays empty).
    """
    import geopandas as gpd
    import shapely

    from geozones.schema import validate_zones

    rng = np.random.default_rng(seed)
    lon = rng.uniform(EXTENT[0] + 0.02, EXTENT[2] - 0.02, n)
    lat = rng.uniform(EXTENT[1] + 0.02, EXTENT[3] - 0.02, n)
    vertices = 12
    angles = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    radius = rng.uniform(0.002, 0.008, (n, 1)) * rng.uniform(0.7, 1.0, (n, vertices))
    ring_x = lon[:, None] + radius * np.cos(angles)
    ring_y = lat[:, None] + radius * np.sin(angles)
    coords = np.stack([ring_x, ring_y], axis=-1)
    coords = np.concatenate([coords, coords[:, :1]], axis=1)
    polygons = shapely.polygons(coords)
    kinds = np.array(["KCN", "CCN", "KCX"])[rng.integers(0, 3, n)]
    statuses = np.array(["planned", "site_clearance", "under_construction", "operating"])[rng.integers(0, 4, n)]
    districts = np.array(["Bắc Kạn city", "Ba Bể", "Bạch Thông", "Chợ Đồn", "Chợ Mới", "Na Rì", "Ngân Sơn", "Pác Nặm"])[
        rng.integers(0, 8, n)
    ]
    ids = [f"syn-{i:05d}" for i in range(n)]
    frame = gpd.GeoDataFrame(
        {
            "id": ids,
            "name": [f"Cụm công nghiệp thử {i}" for i in range(n)],
            "name_ascii": [f"Cum cong nghiep thu {i}" for i in range(n)],
            "kind": kinds,
            "zone_group": [f"synthetic {i // 3}" for i in range(n)],
            "province_pre2025": "Bắc Kạn",
            "district_pre2025": districts,
            "province": "Thái Nguyên",
            "status": statuses,
            "status_year": rng.integers(2019, 2025, n),
            "sources": "synthetic benchmark data (benchmarks/api.py)",
            "geometry_quality": "approximate",
            "location_basis": "synthetic: random polygon, not a real zone",
        },
        geometry=polygons,
        crs="EPSG:4326",
    )
    return validate_zones(frame)


def write_data(zones, folder: Path) -> tuple[Path, Path]:
    """The geozones store (GeoPackage) and an RFC 7946 GeoJSON export of the same zones."""
    from geozones.io import to_geojson, write_gpkg_layer

    gpkg = folder / "geozones.gpkg"
    write_gpkg_layer(zones, gpkg, "zones")
    geojson = to_geojson(zones, folder / "zones.geojson")
    return gpkg, geojson


# -- servers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pygeoapi_config(postgis: dict | None, geojson: Path, port: int) -> dict:
    """A minimal pygeoapi configuration: the PostGIS table (when given) and the GeoJSON file."""
    extents = {"spatial": {"bbox": list(EXTENT), "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}}

    def resource(title: str, provider: dict) -> dict:
        return {
            "type": "collection",
            "title": title,
            "description": title,
            "keywords": ["zones"],
            "links": [],
            "extents": extents,
            "providers": [provider],
        }

    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port},
            "url": f"http://127.0.0.1:{port}",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["en-US"],
            "cors": False,
            "pretty_print": False,
            "limits": {"default_items": 10, "max_items": 10000},
            "map": {"url": "http://127.0.0.1/{z}/{x}/{y}.png", "attribution": "none"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "bench",
                "description": "bench",
                "keywords": ["bench"],
                "keywords_type": "theme",
                "terms_of_service": "http://127.0.0.1",
                "url": "http://127.0.0.1",
            },
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "bench", "url": "http://127.0.0.1"},
            "contact": {
                "name": "bench",
                "position": "bench",
                "address": "bench",
                "city": "bench",
                "stateorprovince": "bench",
                "postalcode": "0",
                "country": "VN",
                "phone": "0",
                "fax": "0",
                "email": "bench@example.org",
                "url": "http://127.0.0.1",
                "hours": "0",
                "instructions": "none",
                "role": "pointOfContact",
            },
        },
        "resources": {
            **(
                {
                    "zones": resource(
                        "zones (PostGIS)",
                        {
                            "type": "feature",
                            "name": "PostgreSQL",
                            "data": postgis,
                            "id_field": "id",
                            "table": "zones",
                            "geom_field": "geom",
                        },
                    )
                }
                if postgis
                else {}
            ),
            "zones_geojson": resource(
                "zones (GeoJSON)", {"type": "feature", "name": "GeoJSON", "data": str(geojson), "id_field": "id"}
            ),
        },
    }


# -- PostgreSQL/PostGIS ---------------------------------------------------------------------------


def _pg_bin(name: str) -> str | None:
    import glob

    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


@dataclass
class PostGIS:
    """A throw-away PostgreSQL cluster on a loopback port, owned by this run."""

    folder: Path
    port: int
    runner: list[str]

    @property
    def connection(self) -> dict:
        return {"host": "127.0.0.1", "port": self.port, "dbname": "bench", "user": "bench", "password": "bench"}

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://bench:bench@127.0.0.1:{self.port}/bench"

    def stop(self) -> None:
        subprocess.run(
            [*self.runner, _pg_bin("pg_ctl"), "-D", str(self.folder / "db"), "-m", "fast", "-w", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_postgis(zones) -> PostGIS | None:
    """initdb + pg_ctl start in a temporary folder, load ``zones`` as table ``zones`` (geometry ``geom``).

    Returns None (and says why) when PostgreSQL, PostGIS or the Python drivers are missing.
    """
    missing = [name for name in ("initdb", "pg_ctl") if not _pg_bin(name)]
    try:
        import geoalchemy2  # noqa: F401
        import psycopg2
    except ImportError as exc:
        missing.append(f"python package {exc.name}")
    if missing:
        print(f"note: PostGIS peer left out ({', '.join(missing)} missing)", flush=True)
        return None
    folder = Path(tempfile.mkdtemp(prefix="geozones-bench-pg-"))
    runner: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        import pwd

        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        runner = ["runuser", "-u", "postgres", "--"]
    server = PostGIS(folder, free_port(), runner)
    (folder / "pw").write_text("bench\n")
    if runner:
        os.chown(folder / "pw", pwd.getpwnam("postgres").pw_uid, -1)
    try:
        subprocess.run(
            [
                *runner,
                _pg_bin("initdb"),
                "-D",
                str(folder / "db"),
                "-U",
                "bench",
                "-E",
                "UTF8",
                "--auth=md5",
                f"--pwfile={folder / 'pw'}",
                "--no-instructions",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [
                *runner,
                _pg_bin("pg_ctl"),
                "-D",
                str(folder / "db"),
                "-o",
                options,
                "-l",
                str(folder / "postgres.log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        import psycopg2

        for dbname, statement in (("postgres", "CREATE DATABASE bench"), ("bench", "CREATE EXTENSION postgis")):
            db = psycopg2.connect(**{**server.connection, "dbname": dbname})
            try:
                db.autocommit = True
                db.cursor().execute(statement)
            finally:
                db.close()
        _load_postgis(zones, server)
    except (subprocess.CalledProcessError, OSError, Exception) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        print(
            f"note: PostGIS peer left out (could not start PostgreSQL/PostGIS: {exc} "
            f"{detail.decode(errors='replace')[-500:]})",
            flush=True,
        )
        server.stop()
        return None
    return server


def _load_postgis(zones, server: PostGIS) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(server.url)
    try:
        zones.rename_geometry("geom").to_postgis("zones", engine, index=False)
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE zones ADD PRIMARY KEY (id)"))
            connection.execute(text("CREATE INDEX zones_geom_idx ON zones USING gist (geom)"))
            connection.execute(text("ANALYZE zones"))
    finally:
        engine.dispose()


@dataclass
class Server:
    name: str
    base: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def _wait_ready(server: Server, path: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited: {server.log.read_text()[-2000:]}")
        try:
            if httpx.get(server.base + path, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer {path} within {timeout} s: {server.log.read_text()[-2000:]}")


def start_geozones(gpkg: Path, folder: Path) -> Server:
    """``geozones serve`` on the store (one uvicorn worker, no access log)."""
    port = free_port()
    exe = Path(sys.executable).parent / "geozones"
    command = [str(exe)] if exe.exists() else [sys.executable, "-c", "from geozones.cli import main; main()"]
    log = folder / "geozones.log"
    env = dict(os.environ, GEOZONES_STORE=str(gpkg))
    process = subprocess.Popen(
        [
            *command,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--store",
            str(gpkg),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = Server("geozones", f"http://127.0.0.1:{port}", process, log)
    _wait_ready(server, "/health")
    return server


def start_pygeoapi(postgis: PostGIS | None, geojson: Path, folder: Path) -> Server:
    """pygeoapi's Starlette app under uvicorn (one worker, no access log)."""
    import yaml
    from pygeoapi.openapi import generate_openapi_document

    port = free_port()
    config = folder / "pygeoapi.yml"
    config.write_text(
        yaml.safe_dump(pygeoapi_config(postgis.connection if postgis else None, geojson, port), allow_unicode=True),
        encoding="utf-8",
    )
    openapi = folder / "pygeoapi-openapi.yml"
    env = dict(os.environ, PYGEOAPI_CONFIG=str(config), PYGEOAPI_OPENAPI=str(openapi))
    os.environ.update(PYGEOAPI_CONFIG=str(config), PYGEOAPI_OPENAPI=str(openapi))
    openapi.write_text(generate_openapi_document(config, "yaml"), encoding="utf-8")
    log = folder / "pygeoapi.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "pygeoapi.starlette_app:APP",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=folder,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = Server("pygeoapi", f"http://127.0.0.1:{port}", process, log)
    _wait_ready(server, "/collections/zones_geojson/items?limit=1&f=json")
    return server


# -- answers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One thing to load: a server and an items URL template."""

    label: str
    server: str
    path: str  # with {limit}

    def url(self, base: str, limit: int) -> str:
        return base + self.path.format(limit=limit)


PEER_POSTGIS = "pygeoapi PostgreSQL/PostGIS"
PEER_GEOJSON = "pygeoapi GeoJSON file"


def targets(with_postgis: bool = True) -> list[Target]:
    found = [Target("geozones", "geozones", "/collections/zones/items?limit={limit}")]
    if with_postgis:
        found.append(Target(PEER_POSTGIS, "pygeoapi", "/collections/zones/items?limit={limit}&f=json"))
    found.append(Target(PEER_GEOJSON, "pygeoapi", "/collections/zones_geojson/items?limit={limit}&f=json"))
    return found


def _comparable(feature: dict) -> tuple:
    return feature.get("id") if feature.get("id") is not None else feature["properties"].get("id")


def check_same_answers(bases: dict[str, str], limits: list[int], chosen: list[Target]) -> None:
    """Every target returns the same features (ids, order, geometry, attributes) for every page size."""
    import httpx
    import shapely.geometry

    for limit in limits:
        pages = {}
        for target in chosen:
            response = httpx.get(target.url(bases[target.server], limit), timeout=60)
            response.raise_for_status()
            pages[target.label] = response.json()["features"]
        reference_label, reference = next(iter(pages.items()))
        if len(reference) != limit:
            raise AssertionError(f"{reference_label} returned {len(reference)} features for limit={limit}")
        for label, features in pages.items():
            if [_comparable(f) for f in features] != [_comparable(f) for f in reference]:
                raise AssertionError(f"{label} and {reference_label} return different features for limit={limit}")
            for mine, theirs in zip(features, reference):
                a, b = shapely.geometry.shape(mine["geometry"]), shapely.geometry.shape(theirs["geometry"])
                if not a.equals_exact(b, 1e-6):
                    raise AssertionError(f"{label}: geometry of {_comparable(mine)} differs from {reference_label}")
                for key in ("name", "kind", "status", "district_pre2025"):
                    if mine["properties"].get(key) != theirs["properties"].get(key):
                        raise AssertionError(f"{label}: {key} of {_comparable(mine)} differs from {reference_label}")


# -- load -----------------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    limit: int
    concurrency: int
    requests: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    bytes_per_response: int
    errors: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else float("nan")

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latencies_ms, q)) if self.latencies_ms else float("nan")


async def _load(url: str, concurrency: int, max_requests: int, max_seconds: float, warmup: int) -> tuple:
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        for _ in range(warmup):
            (await client.get(url)).raise_for_status()
        latencies: list[float] = []
        sizes: list[int] = []
        errors: list[str] = []
        issued = 0
        start = time.perf_counter()
        deadline = start + max_seconds

        async def worker() -> None:
            nonlocal issued
            while issued < max_requests and time.perf_counter() < deadline:
                issued += 1
                t0 = time.perf_counter()
                try:
                    response = await client.get(url)
                    body = response.content
                except httpx.TransportError as exc:  # a dropped connection counts, it does not end the run
                    errors.append(type(exc).__name__)
                    continue
                latencies.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {url} -> {response.status_code}: {body[:300]!r}")
                sizes.append(len(body))

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return latencies, elapsed, (statistics.mean(sizes) if sizes else 0), len(errors)


def measure(label: str, url: str, limit: int, concurrency: int, max_requests: int, max_seconds: float) -> Result:
    """Load one URL (only loopback) with ``concurrency`` clients, bounded in count and time."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("the load generator only targets 127.0.0.1")
    latencies, elapsed, size, errors = asyncio.run(
        _load(url, concurrency, max_requests, max_seconds, warmup=min(5, max_requests))
    )
    return Result(label, limit, concurrency, len(latencies), elapsed, latencies, int(size), errors)


# -- report ---------------------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    lines = [
        "| server | limit | clients | requests | req/s | p50 ms | p99 ms | KiB/response | dropped |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.label} | {r.limit} | {r.concurrency} | {r.requests} | {r.rps:,.1f} | "
            f"{r.percentile(50):,.1f} | {r.percentile(99):,.1f} | {r.bytes_per_response / 1024:,.1f} | "
            f"{r.errors} |"
        )
    return "\n".join(lines)


def ratios(results: list[Result]) -> tuple[str, dict]:
    """geozones req/s divided by each pygeoapi set-up's, per limit and concurrency."""
    ours = {(r.limit, r.concurrency): r for r in results if r.label == "geozones"}
    peers = sorted({r.label for r in results if r.label != "geozones"})
    lines = ["| limit | clients | " + " | ".join(f"x {p}" for p in peers) + " |", "|---:|---:|" + "---:|" * len(peers)]
    found: dict = {}
    for key, mine in sorted(ours.items()):
        cells = []
        for peer in peers:
            theirs = next((r for r in results if r.label == peer and (r.limit, r.concurrency) == key), None)
            value = mine.rps / theirs.rps if theirs and theirs.rps else float("nan")
            found[(peer, *key)] = value
            cells.append(f"{value:,.1f}")
        lines.append(f"| {key[0]} | {key[1]} | " + " | ".join(cells) + " |")
    return "\n".join(lines), found


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

    return (
        f"{os.cpu_count()} cores ({model}), Linux {platform.release()}, Python {platform.python_version()}, "
        f"pygeoapi {pygeoapi.__version__}"
    )


def write_docs(text: str, path: Path = DOCS) -> None:
    """Replace (or append) the ``## api`` section of docs/benchmarks.md, keeping the others."""
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    lines = old.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + text.strip("\n") + "\n"
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        new = "\n".join(lines[:start] + text.strip("\n").splitlines() + [""] + lines[end:]).rstrip("\n") + "\n"
    path.write_text(new, encoding="utf-8")


def run(
    n_zones: int,
    limits: list[int],
    concurrencies: list[int],
    seconds: float,
    max_requests: int,
    keep: bool = False,
    with_postgis: bool = True,
) -> tuple[list[Result], dict, str]:
    folder = Path(tempfile.mkdtemp(prefix="geozones-bench-api-"))
    servers: list[Server] = []
    postgis = None
    try:
        zones = synthetic_zones(n_zones)
        gpkg, geojson = write_data(zones, folder)
        postgis = start_postgis(zones) if with_postgis else None
        servers = [start_geozones(gpkg, folder), start_pygeoapi(postgis, geojson, folder)]
        bases = {s.name: s.base for s in servers}
        chosen = targets(postgis is not None)
        check_same_answers(bases, limits, chosen)
        results = []
        for limit in limits:
            for concurrency in concurrencies:
                for target in chosen:
                    result = measure(
                        target.label, target.url(bases[target.server], limit), limit, concurrency, max_requests, seconds
                    )
                    print(
                        f"{target.label:36s} limit={limit:<5d} clients={concurrency:<3d} "
                        f"{result.rps:9.1f} req/s  p50 {result.percentile(50):8.1f} ms  "
                        f"p99 {result.percentile(99):8.1f} ms"
                        + (f"  {result.errors} dropped" if result.errors else ""),
                        flush=True,
                    )
                    results.append(result)
        ratio_table, found = ratios(results)
        return results, found, ratio_table
    finally:
        for server in servers:
            server.stop()
        if postgis is not None:
            postgis.stop()
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def report(results: list[Result], ratio_table: str, found: dict, args) -> str:
    lines = []
    for peer in (PEER_POSTGIS, PEER_GEOJSON):
        at_100 = [v for (name, limit, _c), v in found.items() if limit == 100 and name == peer]
        if at_100:
            lines.append(
                f"- limit=100: geozones serves {min(at_100):.1f}x to {max(at_100):.1f}x the requests per "
                f"second of {peer} (target: at least 3x)."
            )
    if not any(name == PEER_POSTGIS for (name, _l, _c) in found):
        lines.append("- The PostGIS peer was left out in this run (no PostgreSQL/PostGIS or drivers).")
    return (
        f"""{SECTION}

OGC API - Features items pages (`GET /collections/zones/items?limit=N`), geozones vs
[pygeoapi](https://pygeoapi.io) side by side in one run, on {args.zones:,} synthetic zones
(12-vertex polygons over Bắc Kạn, 26 attributes). geozones serves its GeoPackage store.
pygeoapi serves the same zones loaded into PostgreSQL/PostGIS (a throw-away local cluster,
primary key on `id`, GiST index) with its `PostgreSQL` provider, and an RFC 7946 export
with its `GeoJSON` provider (which re-reads and parses the whole file on every request).
Each server is one uvicorn worker with access logs off; the load generator (asyncio +
httpx, loopback only) runs on the same machine, at most {args.seconds:g} s or {args.max_requests}
requests per cell. The first page of each size was checked identical on every server
(ids, order, geometries to 1e-6 degrees, attributes) before measuring.

Run {_dt.datetime.now(_dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}:
`python benchmarks/api.py --zones {args.zones} --seconds {args.seconds:g} --max-requests {args.max_requests} --write-docs`.

{table(results)}

Throughput ratio (geozones req/s / pygeoapi req/s):

{ratio_table}

"""
        + "\n".join(lines)
        + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--zones", type=int, default=10_000, help="synthetic zones (default 10000)")
    parser.add_argument("--limits", type=int, nargs="+", default=[10, 100, 1000], help="page sizes")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 32], help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=6.0, help="time budget per cell")
    parser.add_argument("--max-requests", type=int, default=3000, help="request budget per cell")
    parser.add_argument("--write-docs", action="store_true", help="write the section into docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, config)")
    parser.add_argument("--no-postgis", action="store_true", help="leave out the PostGIS peer")
    args = parser.parse_args(argv)
    if max(args.limits) > args.zones:
        parser.error("--limits must not exceed --zones")
    results, found, ratio_table = run(
        args.zones, args.limits, args.clients, args.seconds, args.max_requests, args.keep, not args.no_postgis
    )
    text = report(results, ratio_table, found, args)
    print(text)
    if args.write_docs:
        write_docs(text)
        print(f"wrote {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
