"""Store benchmark: GeoPackage (default) vs PostGIS, side by side in one run, same synthetic zones.

    python benchmarks/store.py                 # 100 000 zones; starts a throw-away PostgreSQL 15 + PostGIS
    python benchmarks/store.py --n 2000        # smaller
    python benchmarks/store.py --database-url postgresql://user@host/db   # use an existing server

Measures, for each backend: bulk import of N zones (``write_zones``: validation plus one
atomic write), reading the whole zone layer (cold, what the items route serves), 1 000
single-zone reads by id (``get_zone``, with ETag) and 500 single-zone edits with
``If-Match`` (``update_zone``: validation, history entry, one transaction). Answers are
checked to be the same: the same zone count and identical ETags for a sample of zones
(both stores keep EPSG:4326, so the records and geometries must match bit for bit).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd
import shapely

from geozones.schema import validate_zones
from geozones.store import GeoPackageStore


def synthetic_zones(n: int) -> gpd.GeoDataFrame:
    """``n`` small squares on a grid over Bắc Kạn (clearly fake ids ``bench-...``)."""
    side, step, per_row = 0.002, 0.003, 300
    records, geometries = [], []
    for i in range(n):
        x, y = 105.6 + (i % per_row) * step, 21.8 + (i // per_row) * step
        records.append(
            {
                "id": f"bench-{i:06d}",
                "name": f"Cụm công nghiệp thử {i}",
                "name_ascii": f"Cum cong nghiep thu {i}",
                "kind": "CCN",
                "zone_group": f"Thử {i}",
                "province_pre2025": "Bắc Kạn",
                "province": "Thái Nguyên",
                "status": ("planned", "operating", "site_clearance")[i % 3],
                "sources": "synthetic benchmark",
                "geometry_quality": "approximate",
                "occupancy_pct": float(i % 100),
                "area_published_ha": 4.0 + i % 7,
            }
        )
        geometries.append(shapely.box(x, y, x + side, y + side))
    return validate_zones(gpd.GeoDataFrame(records, geometry=geometries, crs="EPSG:4326"))


def _time(call) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def run_backend(name: str, store, zones: gpd.GeoDataFrame, ids: list[str], edit_ids: list[str]) -> dict:
    figures = {}
    figures["import"], _ = _time(lambda: store.write_zones(zones))
    store._cache.clear()
    figures["read_layer"], layer = _time(store.zones)
    assert len(layer) == len(zones), (name, len(layer))
    figures["get_by_id"], etags = _time(lambda: [store.get_zone(i).etag for i in ids])

    def edits():
        for k, zone_id in enumerate(edit_ids):
            current = store.get_zone(zone_id)
            store.update_zone(
                zone_id, {"properties": {"occupancy_pct": float(k % 100)}}, if_match=current.etag, actor="benchmark"
            )

    figures["edits"], _ = _time(edits)
    assert len(store.history(limit=None)) >= len(edit_ids)
    figures["etags"] = etags
    return figures


def start_postgres():
    from tests.helpers.postgis_server import PostgresServer

    return PostgresServer().start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="zones to import (default 100 000)")
    parser.add_argument("--reads", type=int, default=1000, help="single-zone reads by id")
    parser.add_argument("--edits", type=int, default=500, help="single-zone edits with If-Match")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("GEOZONES_BENCH_DATABASE_URL"),
        help="an existing PostGIS database (default: start a throw-away server)",
    )
    args = parser.parse_args(argv)

    from geozones.store.postgis import PostGISStore
    from tests.helpers.zonefactory import data_dir

    zones = synthetic_zones(args.n)
    rng = random.Random(7)
    ids = rng.sample(list(zones["id"]), min(args.reads, args.n))
    edit_ids = [rng.choice(ids) for _ in range(args.edits)]
    server = None if args.database_url else start_postgres()
    url = args.database_url or server.url
    results = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            seed = data_dir(Path(tmp) / "data", 3)  # a tiny "shipped" data set; the benchmark imports its own
            gpkg = GeoPackageStore(Path(tmp) / "bench.gpkg", data_dir=seed).ensure()
            results["GeoPackage"] = run_backend("GeoPackage", gpkg, zones, ids, edit_ids)
            schema = f"bench_{os.getpid()}"
            postgis = PostGISStore(url, schema=schema, data_dir=seed).ensure()
            results["PostGIS"] = run_backend("PostGIS", postgis, zones, ids, edit_ids)
            with postgis._transaction() as conn:
                from psycopg import sql

                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
            postgis.close()
    finally:
        if server is not None:
            server.stop()
    same = results["GeoPackage"]["etags"] == results["PostGIS"]["etags"]
    assert same, "the two backends answered differently"
    rows = [
        ("bulk import of N zones (s)", "import", 1),
        ("read whole zone layer (s)", "read_layer", 1),
        (f"{len(ids)} reads by id (s)", "get_by_id", 1),
        (f"{len(edit_ids)} edits with If-Match (s)", "edits", 1),
    ]
    print(
        f"store benchmark: {args.n} zones, {dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(f"{'measure':34} {'GeoPackage':>11} {'PostGIS':>11} {'PostGIS/GPKG':>13}")
    for label, key, _ in rows:
        g, p = results["GeoPackage"][key], results["PostGIS"][key]
        print(f"{label:34} {g:11.2f} {p:11.2f} {p / g:13.2f}")
    print(
        f"per edit: GeoPackage {1000 * results['GeoPackage']['edits'] / len(edit_ids):.1f} ms, "
        f"PostGIS {1000 * results['PostGIS']['edits'] / len(edit_ids):.1f} ms; "
        f"answers identical (ETags of {len(ids)} zones): {same}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
