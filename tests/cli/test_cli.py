"""The geozones command line: tables, exports, validation, error messages and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import shapely
from typer.testing import CliRunner

from geozones.cli import app
from geozones.io import to_file
from tests.helpers import published
from tests.helpers.zonefactory import bac_kan_squares

runner = CliRunner()


def run(store, *args):
    return runner.invoke(app, ["--store", str(store.path), *args])


def test_zones_lists_every_zone(built_store):
    result = run(built_store, "zones")
    assert result.exit_code == 0, result.output
    for name in ("Thanh Bình", "Quảng Chu", "Cẩm Giàng", "Đồng Bành", "Hồng Phong"):
        assert name in result.output
    assert f"{published.COUNT} zones" in result.output


def test_zones_filters(built_store):
    result = run(built_store, "zones", "--province", "Lang Son", "--kind", "KCN")
    assert result.exit_code == 0 and "3 zones" in result.output and "Quảng Chu" not in result.output


def test_totals_by_kind_matches_published_hectares(built_store, tmp_path):
    # KCN: Thanh Bình 73.5 + 51 + 80.3, Đồng Bành 321, Hồng Phong 440 (facts.md) and the issue-21 parks typed
    # in tests/helpers/published.py = 7,488.14 ha; CCN: Bắc Kạn 202.4 + Lạng Sơn 235.208 = 437.61 ha.
    csv = tmp_path / "t.csv"
    result = run(built_store, "totals", "--by", "kind", "--csv", str(csv))
    assert result.exit_code == 0, result.output
    assert published.hectares(kind="KCN") == 7488.14 and published.hectares(kind="CCN") == 437.608
    assert "7,488.14" in result.output and "437.61" in result.output
    assert "kind" in csv.read_text().splitlines()[0]


def test_totals_unknown_attribute_exit_code_2(built_store):
    result = run(built_store, "totals", "--by", "colour")
    assert result.exit_code == 2 and "colour" in result.output


def test_reconcile_passes_on_shipped_data(built_store):
    result = run(built_store, "reconcile")
    assert result.exit_code == 0, result.output
    assert "no_polygon" in result.output  # the export processing zone has no location


def test_export_geojson_in_vn2000_is_refused(built_store, tmp_path):
    result = run(built_store, "export", str(tmp_path / "z.geojson"), "--crs", "EPSG:9213")
    assert result.exit_code == 2 and "RFC 7946" in result.output


def test_export_format_option(built_store, tmp_path):
    result = run(built_store, "export", str(tmp_path / "z"), "--format", "geojson")
    assert result.exit_code == 0, result.output
    assert len(json.loads((tmp_path / "z.geojson").read_text())["features"]) == published.COUNT


def test_validate_good_and_bad_files(tmp_path):
    good = tmp_path / "good.gpkg"
    to_file(bac_kan_squares(), good)
    result = runner.invoke(app, ["validate", str(good)])
    assert result.exit_code == 0 and "3 valid zones" in result.output and "129.00 ha" in result.output

    bad = bac_kan_squares()
    x0, y0, x1, y1 = bad.geometry.iloc[1].bounds
    bad.loc[bad.index[1], "geometry"] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    bad.loc[bad.index[2], "status"] = "done"
    path = tmp_path / "bad.geojson"
    to_file(bad, path)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "'z1'" in result.output and "Self-intersection" in result.output
    assert "'z2'" in result.output and "status" in result.output


def test_validate_swapped_axes_hint_and_fix(tmp_path):
    swapped = bac_kan_squares()
    swapped.geometry = shapely.transform(swapped.geometry.array, lambda xy: xy[:, ::-1])
    path = tmp_path / "swapped.gpkg"
    to_file(swapped, path)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "--swap-xy" in result.output
    assert runner.invoke(app, ["validate", str(path), "--swap-xy"]).exit_code == 0


def test_validate_missing_file():
    result = runner.invoke(app, ["validate", "/nonexistent/zones.gpkg"])
    assert result.exit_code == 2 and "no such file" in result.output


@pytest.mark.parametrize("command", ["zones", "totals", "reconcile", "indicators", "export", "validate", "report"])
def test_help_everywhere(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_console_script_exit_codes(tmp_path, built_store):
    exe = [sys.executable, "-c", "from geozones.cli import main; main()"]
    ok = subprocess.run([*exe, "--store", str(built_store.path), "indicators"], capture_output=True, text=True)
    assert ok.returncode == 0 and "CCN" in ok.stdout
    bad = subprocess.run([*exe, "validate", str(tmp_path / "x.kml")], capture_output=True, text=True)
    assert bad.returncode == 2 and "error" in bad.stderr


def test_store_import_merges_by_id_and_reset_restores(store, tmp_path):
    mine = bac_kan_squares()
    path = tmp_path / "mine.gpkg"
    to_file(mine, path)
    result = run(store, "store", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "3 new" in result.output and f"the store now has {published.COUNT + 3}" in result.output
    assert run(store, "store", "info").exit_code == 0
    assert len(store.zones()) == published.COUNT + 3
    assert run(store, "store", "reset", "--yes").exit_code == 0
    assert len(store.zones()) == published.COUNT


def test_store_import_of_a_bad_file_changes_nothing(store, tmp_path):
    before = store.path.read_bytes()
    bad = bac_kan_squares().assign(kind="FACTORY")
    path = tmp_path / "bad.geojson"
    to_file(bad, path)
    result = run(store, "store", "import", str(path))
    assert result.exit_code == 2 and "FACTORY" not in store.zones()["kind"].tolist()
    assert store.path.read_bytes() == before


def test_indicators_cite_their_sources_by_publisher_title_and_date(built_store):
    """Issue 21: no internal file name is shown as a source; the 2021-2025 resolution is cited as published."""
    result = runner.invoke(app, ["--store", str(built_store.path), "indicators"], terminal_width=400)
    assert result.exit_code == 0, result.output
    assert "seed:" not in result.output and ".txt" not in result.output
    assert "Sở Kế hoạch và Đầu tư tỉnh Bắc Kạn" in result.output and "2021-09-27" in result.output
