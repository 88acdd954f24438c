"""The wheel is the product: built with ``pip wheel .``, installed into a fresh virtual environment in a
temporary directory outside the repository, it finds its data, writes the report and serves the API."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.helpers.tools import ROOT

pytestmark = pytest.mark.slow


def _run(*args, cwd, env=None, timeout=600) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the tracked sources (the checkout stays clean)."""
    src = tmp_path_factory.mktemp("src")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            (src / name).write_bytes((ROOT / name).read_bytes())
    out = tmp_path_factory.mktemp("wheel")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", out, src, cwd=src)
    (built,) = out.glob("geozones-*.whl")
    return built


def test_the_wheel_installs_one_import_root_with_its_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    roots = {n.split("/")[0] for n in names if not n.split("/")[0].endswith((".dist-info", ".data"))}
    assert roots == {"geozones"}  # no top-level api/ or maps/
    assert "geozones/data/zones/zones.geojson" in names
    assert "geozones/maps/static/leaflet/leaflet.js" in names
    assert "geozones/store/migrations/0001_init.sql" in names


def test_installed_wheel_runs_the_report_and_answers_the_api(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    purelib = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path).stdout.strip()
    )
    # The dependencies come from the test environment (no network); geozones itself only from the wheel.
    (purelib / "_deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(purelib)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GEOZONES_DATA_DIR")}
    env["GEOZONES_STORE"] = str(work / "store.gpkg")
    where = _run(
        python,
        "-c",
        "import geozones, geozones.data; print(geozones.__file__); print(geozones.__version__)",
        cwd=work,
        env=env,
    ).stdout.split()
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert where[0].startswith(str(purelib)) and where[1] == version  # one version, from the package metadata
    _run(python, "-c", "from geozones.cli import main; main()", "report", "--out", work / "out", cwd=work, env=env)
    assert (work / "out" / "zones.gpkg").stat().st_size > 0
    request = (
        "from fastapi.testclient import TestClient; from geozones.api import create_app; "
        "r = TestClient(create_app()).get('/collections/zones/items', params={'f': 'json', 'limit': 100}); "
        "print(r.status_code, r.json()['numberReturned'])"
    )
    status, returned = _run(python, "-c", request, cwd=work, env=env).stdout.split()
    assert status == "200" and int(returned) >= 10
