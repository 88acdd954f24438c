"""Run every benchmark in turn (``python3 run.py bench``); extra arguments name a subset.

    python3 run.py bench                 # proximity, raster_distance, api, maps, fetch_dem
    python3 run.py bench proximity api   # only these

Each script runs side by side with its peer and prints its own table; see docs/benchmarks.md.
The raster benchmark needs Debian python3-gdal (GDAL's own proximity is the peer).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ("proximity", "raster_distance", "api", "maps", "fetch_dem", "road_distance")


def main(argv: list[str]) -> int:
    names = argv or list(ORDER)
    unknown = [n for n in names if n not in ORDER]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(ORDER)}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        print(f"=== {name}", flush=True)
        if subprocess.call([sys.executable, str(HERE / f"{name}.py")], cwd=HERE.parent) != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
