"""The geozones QGIS plugin (issue 24 item 7): built by `geozones qgis-plugin build`, installed from its zip
into headless QGIS 3.22 LTR (system python3), its Processing algorithms listed and run on the shipped
sample, and their outputs loaded as valid QGIS layers."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from geozones.cli import app
from tests.helpers import published
from tests.helpers.tools import ROOT, require_tool

QGIS_MARKER = "/usr/lib/python3/dist-packages/qgis/core/__init__.py"


def test_the_plugin_zip_installs_and_its_algorithms_run_in_qgis(tmp_path, store):
    require_tool("python3-qgis", QGIS_MARKER)
    archive = tmp_path / "geozones_qgis.zip"
    result = CliRunner().invoke(app, ["qgis-plugin", "build", str(archive)])
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(archive).namelist()
    assert {"geozones_qgis/metadata.txt", "geozones_qgis/__init__.py", "geozones_qgis/provider.py"} <= set(names)
    metadata = zipfile.ZipFile(archive).read("geozones_qgis/metadata.txt").decode()
    assert "qgisMinimumVersion=3.22" in metadata and "hasProcessingProvider=yes" in metadata
    zones = tmp_path / "zones.gpkg"
    assert CliRunner().invoke(app, ["--store", str(store.path), "export", str(zones)]).exit_code == 0
    cli = Path(sys.executable).with_name("geozones")
    done = subprocess.run(
        [
            "/usr/bin/python3",
            str(ROOT / "tests" / "helpers" / "qgis_plugin_run.py"),
            str(archive),
            str(tmp_path / "plugins"),
            str(zones),
            str(ROOT / "scenarios" / "bac-kan-2030.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={
            "QT_QPA_PLATFORM": "offscreen",
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "GEOZONES_CLI": str(cli),
            "GEOZONES_STORE": str(store.path),
        },
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["algorithms"] == [
        "geozones:export",
        "geozones:import",
        "geozones:proximity",
        "geozones:scenario",
        "geozones:validate",
    ]
    runs = seen["runs"]
    assert runs["validate"]["VALID"] is True and f"{published.COUNT} valid zones" in runs["validate"]["REPORT"]
    assert (
        "dry run (nothing written)" in runs["import"]["REPORT"]
        and f"{published.COUNT} unchanged" in runs["import"]["REPORT"]
    )
    assert runs["export"]["zones"] == {"valid": True, "count": published.COUNT, "crs": "EPSG:9215"}
    assert runs["proximity"]["proximity"]["valid"] and runs["proximity"]["proximity"]["count"] == published.COUNT
    scenario = next(iter(runs["scenario"].values()))
    assert scenario["valid"] and scenario["count"] > 0
