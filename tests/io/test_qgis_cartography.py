"""The QGIS project a cartographer would sign (issue 24 item 6), checked in real QGIS 3.22: distinct
symbols per layer (roads by class), labels on with collision handling, one boundary period shown,
districts labelled, the user's province as extent and CRS, licences and Vietnamese field aliases;
and the project renders to a PNG (written next to the test's files for a look)."""

from __future__ import annotations

import json
import subprocess

from typer.testing import CliRunner

from geozones.cli import app
from tests.helpers.tools import ROOT, require_tool

QGIS_MARKER = "/usr/lib/python3/dist-packages/qgis/core/__init__.py"


def _render(project, png) -> dict:
    require_tool("python3-qgis", QGIS_MARKER)
    done = subprocess.run(
        ["/usr/bin/python3", str(ROOT / "tests" / "helpers" / "qgis_project_render.py"), str(project), str(png)],
        capture_output=True,
        text=True,
        timeout=180,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": "/tmp"},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_lang_son_project_is_styled_labelled_and_renders(tmp_path, built_store):
    out = tmp_path / "lang_son.qgz"
    result = CliRunner().invoke(app, ["--store", str(built_store.path), "export", str(out), "--crs", "EPSG:9215"])
    assert result.exit_code == 0, result.output
    assert "opening on Lạng Sơn" in result.output
    seen = _render(out, tmp_path / "lang_son.png")
    assert seen["read"] and seen["crs"] == "EPSG:9215"
    layers = seen["layers"]
    # the view is Lạng Sơn's (its boundary's bounds in EPSG:9215, 5 % margin), not the whole store
    province = built_store.layer("boundaries_provinces").set_index("name").loc[["Lạng Sơn"]].to_crs(9215)
    xmin, ymin, xmax, ymax = province.total_bounds
    ex = seen["extent"]
    assert abs(ex[0] - (xmin - 0.05 * (xmax - xmin))) < 1 and abs(ex[3] - (ymax + 0.05 * (ymax - ymin))) < 1
    # one boundary period on
    assert layers["boundaries_provinces"]["visible"] and not layers["boundaries_provinces_2025"]["visible"]
    # every spatial layer has its own colours; roads by class, zones by status
    spatial = {n: info for n, info in layers.items() if info["spatial"] and n != "boundaries_provinces_2025"}
    single = [info["colors"][0] for info in spatial.values() if info["renderer"] == "singleSymbol"]
    assert len(single) == len(set(single)) == len(spatial) - 2
    assert layers["infrastructure_roads"]["renderer"] == "categorizedSymbol"
    assert layers["infrastructure_roads"]["categories"] == ["national_highway", "provincial_road"]
    assert len(layers["infrastructure_roads"]["colors"]) == 2
    assert layers["zones"]["renderer"] == "categorizedSymbol" and len(layers["zones"]["colors"]) == 6
    # labels: zones, districts, provinces, border gates and road numbers; overlapping labels dropped
    for name, field in [
        ("zones", "name"),
        ("boundaries_districts", "name"),
        ("boundaries_provinces", "name"),
        ("infrastructure_border_gates", "name"),
        ("infrastructure_roads", "ref"),
    ]:
        assert layers[name]["labels"] and layers[name]["label_field"] == field, name
        assert layers[name]["label_display_all"] is False, name
    # metadata and Vietnamese field aliases
    assert layers["boundaries_districts"]["licences"] == ["CC BY-SA 4.0"]
    assert "Open Development" in layers["boundaries_districts"]["rights"][0]
    assert layers["zones"]["aliases"]["status"] == "Trạng thái"
    assert layers["zones"]["aliases"]["area_published_ha"] == "Diện tích công bố (ha)"
    # it renders: a real map, not an empty canvas
    assert (tmp_path / "lang_son.png").stat().st_size > 20_000
    assert 0.02 < seen["painted_share"] < 0.6


def test_without_crs_the_project_opens_on_the_zones_province(tmp_path, built_store):
    out = tmp_path / "project.qgs"
    result = CliRunner().invoke(app, ["--store", str(built_store.path), "export", str(out)])
    assert result.exit_code == 0, result.output
    assert "in EPSG:9213, opening on Bắc Kạn, Thái Nguyên" in result.output
