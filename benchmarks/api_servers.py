"""Servers for benchmarks/api.py: synthetic data, a throw-away PostGIS cluster, geozones, pygeoapi and tipg.

Every server is one uvicorn worker (uvloop + httptools where installed) on a loopback port with
access logs off. tipg runs from its own virtual environment (default ``/tmp/tipg-venv``,
``python -m venv /tmp/tipg-venv && /tmp/tipg-venv/bin/pip install tipg uvicorn uvloop httptools``)
so that its pinned dependencies do not clash with geozones'.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Bắc Kạn's extent (facts.md): 21.80-22.73 N, 105.43-106.25 E.
EXTENT = (105.43, 21.80, 106.25, 22.73)
TIPG_VENV = Path(os.environ.get("GEOZONES_TIPG_VENV", "/tmp/tipg-venv"))


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


def synthetic_parcels(n: int, seed: int = 7):
    """``n`` synthetic land parcels: 40-90 m quadrilaterals on a jittered 100 m grid near Bắc Kạn city (EPSG:4326).

    Attributes are synthetic and say so; they stand for a cadastral layer, not for real parcels.
    """
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    step = 0.0009  # about 100 m
    i = np.arange(n)
    x0 = 105.70 + (i % side) * step + rng.uniform(0, 0.0001, n)
    y0 = 21.95 + (i // side) * step + rng.uniform(0, 0.0001, n)
    w = rng.uniform(0.00036, 0.0008, n)
    h = rng.uniform(0.00036, 0.0008, n)
    ring = np.stack(
        [np.column_stack([x0, y0]), np.column_stack([x0 + w, y0]), np.column_stack([x0 + w, y0 + h])]
        + [np.column_stack([x0, y0 + h]), np.column_stack([x0, y0])],
        axis=1,
    )
    return gpd.GeoDataFrame(
        {
            "parcel_no": [f"P{k:07d}" for k in i],
            "land_use": np.array(["residential", "farmland", "forest", "industrial"])[rng.integers(0, 4, n)],
            "sheet": (i // 1000).astype("int64"),
            "sources": "synthetic benchmark data (benchmarks/api_servers.py)",
        },
        geometry=shapely.polygons(ring),
        crs="EPSG:4326",
    )


PARCELS = "boundaries_parcels_synthetic"


def write_data(zones, folder: Path, extra: dict | None = None) -> tuple[Path, Path]:
    """The geozones store (GeoPackage: the zones and any ``extra`` layers) and a GeoJSON of the zones."""
    from geozones.io import to_geojson, write_gpkg_layer

    gpkg = folder / "geozones.gpkg"
    write_gpkg_layer(zones, gpkg, "zones")
    for name, frame in (extra or {}).items():
        write_gpkg_layer(frame, gpkg, name)
    geojson = to_geojson(zones, folder / "zones.geojson")
    return gpkg, geojson


DISTRICTS = "boundaries_districts"


def shipped_districts():
    """The shipped district boundaries (real outlines, CC BY-SA 4.0), for the tiles over the shipped data."""
    from geozones.store.base import read_shipped, shipped_layers

    return read_shipped(DISTRICTS, shipped_layers(None)[DISTRICTS])


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


def start_postgis(zones, extra: dict | None = None) -> PostGIS | None:
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
        _load_postgis({"zones": zones, **(extra or {})}, server)
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


def _load_postgis(tables: dict, server: PostGIS) -> None:
    """Each frame as a table (geometry ``geom``, GiST index; zones keyed by ``id``)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(server.url)
    try:
        for name, frame in tables.items():
            frame.rename_geometry("geom").to_postgis(name, engine, index=False)
            with engine.begin() as connection:
                key = next((k for k in ("id", "parcel_no", "code") if k in frame.columns), None)
                if key is not None:
                    connection.execute(text(f"ALTER TABLE {name} ADD PRIMARY KEY ({key})"))
                connection.execute(text(f"CREATE INDEX {name}_geom_idx ON {name} USING gist (geom)"))
                connection.execute(text(f"ANALYZE {name}"))
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


def start_geozones(gpkg: Path, folder: Path, cache_mb: int | None = None) -> Server:
    """``geozones serve`` on the store (one uvicorn worker, no access log; ``cache_mb`` sets GEOZONES_CACHE_MB)."""
    port = free_port()
    exe = Path(sys.executable).parent / "geozones"
    command = [str(exe)] if exe.exists() else [sys.executable, "-c", "from geozones.cli import main; main()"]
    log = folder / "geozones.log"
    env = dict(os.environ, GEOZONES_STORE=str(gpkg))
    if cache_mb is not None:
        env["GEOZONES_CACHE_MB"] = str(cache_mb)
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


def start_tipg(postgis: PostGIS, folder: Path) -> Server | None:
    """tipg (OGC API Features and Tiles on PostGIS, async) from its own venv; None when it is not installed."""
    exe = TIPG_VENV / "bin" / "uvicorn"
    if not exe.exists():
        print(f"note: tipg peer left out (no {exe}; see benchmarks/api_servers.py)", flush=True)
        return None
    port = free_port()
    c = postgis.connection
    env = dict(
        os.environ,
        DATABASE_URL=f"postgresql://{c['user']}:{c['password']}@{c['host']}:{c['port']}/{c['dbname']}",
        TIPG_DB_SCHEMAS='["public"]',
        TIPG_MAX_FEATURES_PER_QUERY="10000",
    )
    log = folder / "tipg.log"
    process = subprocess.Popen(
        [str(exe), "tipg.main:app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
        + ["--no-access-log"],
        env=env,
        cwd=folder,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = Server("tipg", f"http://127.0.0.1:{port}", process, log)
    _wait_ready(server, "/collections/public.zones/items?limit=1")
    return server


def tipg_version() -> str:
    found = sorted((TIPG_VENV / "lib").glob("python*/site-packages/tipg-*.dist-info"))
    return found[-1].name.removeprefix("tipg-").removesuffix(".dist-info") if found else "not installed"
