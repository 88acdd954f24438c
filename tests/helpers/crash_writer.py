"""Writes to a store forever, printing one line per acknowledged (committed) write.

Run by tests/test_store_crash.py, which kills it with SIGKILL mid-stream:
``python crash_writer.py geopackage PATH N`` or ``python crash_writer.py postgis URL SCHEMA N``;
``python crash_writer.py layers PATH`` only rewrites the styled layer ``scenario_crash`` (``begin k``
before each write, ``layer k`` once it is committed).
"""

from __future__ import annotations

import sys

import geopandas as gpd
import shapely


def styled_layer(k: int) -> gpd.GeoDataFrame:
    """50 squares all carrying step ``k`` and a status (so the store keeps a style row for the layer)."""
    return gpd.GeoDataFrame(
        {"step": [k] * 50, "status": ["planned"] * 50},
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(50)],
        crs="EPSG:4326",
    )


def layers(path: str) -> None:
    from geozones.store import GeoPackageStore

    store = GeoPackageStore(path)
    print("ready", flush=True)
    k = 0
    while True:
        k += 1
        print(f"begin {k}", flush=True)
        store.write_layer("scenario_crash", styled_layer(k))
        print(f"layer {k}", flush=True)


def main(argv: list[str]) -> None:
    if argv[0] == "layers":
        return layers(argv[1])
    if argv[0] == "geopackage":
        from geozones.store import GeoPackageStore

        store, n = GeoPackageStore(argv[1]), int(argv[2])
        every = int(argv[3]) if len(argv) > 3 else 20
    else:
        from geozones.store.postgis import PostGISStore

        store, n = PostGISStore(argv[1], schema=argv[2]), int(argv[3])
        every = 20
    print("ready", flush=True)
    k = 0
    while True:
        k += 1
        zone_id = f"test-{k % n:06d}"
        store.update_zone(zone_id, {"properties": {"area_published_ha": float(k)}}, if_match=None, actor="crash")
        print(f"ack {zone_id} {k}", flush=True)
        if every and k % every == 0:  # a whole-layer write now and then
            layer = gpd.GeoDataFrame(
                {"step": [k] * 50}, geometry=[shapely.box(i, 0, i + 1, 1) for i in range(50)], crs="EPSG:4326"
            )
            store.write_layer("scenario_crash", layer)
            print(f"layer {k}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
