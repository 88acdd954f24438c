"""A ``store import``-like writer in its own process, for tests/store/test_store_concurrency.py.

``python lock_writer.py geopackage PATH DATA_DIR`` or ``python lock_writer.py postgis URL SCHEMA``
replaces the whole zone layer again and again with the store's zones as they were at the start,
each carrying ``investor = "import k"``. It prints ``ready``, then ``start k T`` just before and
``done k T`` just after each write (``T`` = ``time.monotonic()``, comparable between processes of
one machine), and stops after the current write once a line ``stop`` arrives on stdin (or stdin
closes). A failed write prints ``error ...`` and exits with status 1.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback


def main(argv: list[str]) -> int:
    if argv[0] == "geopackage":
        from geozones.store import GeoPackageStore

        store = GeoPackageStore(argv[1], data_dir=argv[2])
    else:
        from geozones.store.postgis import PostGISStore

        store = PostGISStore(argv[1], schema=argv[2])
    base = store.zones()
    stop = threading.Event()

    def listen() -> None:
        for line in sys.stdin:
            if line.strip() == "stop":
                break
        stop.set()

    threading.Thread(target=listen, daemon=True).start()
    print("ready", flush=True)
    k = 0
    while not stop.is_set():
        k += 1
        frame = base.assign(investor=f"import {k}")
        print(f"start {k} {time.monotonic()!r}", flush=True)
        try:
            store.write_zones(frame)
        except Exception:
            print("error " + traceback.format_exc().replace("\n", " | "), flush=True)
            return 1
        print(f"done {k} {time.monotonic()!r}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
