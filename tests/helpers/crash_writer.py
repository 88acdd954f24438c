"""Writes to a store forever, printing one line per acknowledged (committed) write.

Run by tests/test_store_crash.py, which kills it with SIGKILL mid-stream:
``python crash_writer.py geopackage PATH N`` or ``python crash_writer.py postgis URL SCHEMA N``.
"""

from __future__ import annotations

import sys

import geopandas as gpd
import shapely


def main(argv: list[str]) -> None:
    if argv[0] == "geopackage":
        from geozones.store import GeoPackageStore

        store, n = GeoPackageStore(argv[1]), int(argv[2])
    else:
        from geozones.store.postgis import PostGISStore

        store, n = PostGISStore(argv[1], schema=argv[2]), int(argv[3])
    print("ready", flush=True)
    k = 0
    while True:
        k += 1
        zone_id = f"test-{k % n:06d}"
        store.update_zone(zone_id, {"properties": {"area_published_ha": float(k)}}, if_match=None, actor="crash")
        print(f"ack {zone_id} {k}", flush=True)
        if k % 20 == 0:  # a whole-layer write now and then (the GeoPackage's copy-and-rename path)
            layer = gpd.GeoDataFrame({"step": [k] * 50}, geometry=[shapely.box(i, 0, i + 1, 1) for i in range(50)],
                                     crs="EPSG:4326")
            store.write_layer("scenario_crash", layer)
            print(f"layer {k}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
