#!/usr/bin/env python3
"""One-command set-up and run for geozones (needs only Python 3.11+).

    python3 run.py demo     # create .venv, install geozones, run the main job on the shipped data
    python3 run.py test     # create .venv, install geozones + test tools (+ Debian chromium and
                            # PostgreSQL/PostGIS when run as root with apt), run the test suite
    python3 run.py lint     # ruff check, ruff format --check and mypy (what .ci/run runs first)

Extra arguments go to the underlying command: ``python3 run.py test -k area -x``,
``python3 run.py demo --out /tmp/out``. Re-running is cheap: the install is skipped
while pyproject.toml is unchanged.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
EXTRAS = {"demo": "all", "test": "all,dev,bench,scale", "bench": "all,dev,bench,scale", "lint": "all,dev,bench,scale"}
#: Debian packages the tests drive for real: a headless browser and a PostGIS server.
SYSTEM_PACKAGES = {
    "chromium": "/usr/bin/chromium",
    "postgresql-15-postgis-3": "/usr/share/postgresql/15/extension/postgis.control",
    "python3-qgis": "/usr/lib/python3/dist-packages/qgis/core/__init__.py",  # QGIS 3.22 LTR opens our exports
    "python3-gdal": "/usr/lib/python3/dist-packages/osgeo/__init__.py",  # ComputeProximity, the raster benchmark's peer
    # fact sheets: fonts for vi/ko/ja/zh (embedded in the PDFs, used by the browser pages) and pdftotext/pdffonts
    "fonts-noto-core": "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "fonts-noto-cjk": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "poppler-utils": "/usr/bin/pdftotext",
    "libpangoft2-1.0-0": "/usr/lib/x86_64-linux-gnu/libpangoft2-1.0.so.0",  # WeasyPrint lays the PDFs out with pango
    "wrk": "/usr/bin/wrk",  # the HTTP load generator of benchmarks/api.py
}


def sh(*args: str, **kwargs) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True, cwd=ROOT, **kwargs)


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (run.py runs under whatever python3 the user has)
        sys.exit("geozones needs Python 3.11 or newer")
    stamp = VENV / f".installed-{extras.replace(',', '-')}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    if not (BIN / "python").exists():
        sh(sys.executable, "-m", "venv", str(VENV))
    sh(str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    sh(str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", f".[{extras}]")
    stamp.write_text(digest)


def ensure_system_packages() -> None:
    missing = [name for name, marker in SYSTEM_PACKAGES.items() if not Path(marker).exists()]
    if not missing:
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        print(
            f"note: {', '.join(missing)} not installed (needs root and apt); the tests that drive them "
            "will be skipped (set GEOZONES_REQUIRE_ALL=1 to make that an error)",
            flush=True,
        )
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    sh("apt-get", "update", "-qq", env=env)
    sh("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, env=env)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in EXTRAS:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_venv(EXTRAS[command])
    if command == "demo":
        return subprocess.call([str(BIN / "geozones"), "report", *rest], cwd=ROOT)
    if command == "lint":
        checks = [["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]]
        return max(subprocess.call([str(BIN / tool[0]), *tool[1:], *rest], cwd=ROOT) for tool in checks)
    if command == "test":
        ensure_system_packages()
        return subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT)
    ensure_system_packages()
    return subprocess.call([str(BIN / "python"), "benchmarks/run_all.py", *rest], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
