"""Exports open in real QGIS 3.22 LTR as valid layers, in the right CRS, styled by status."""

from __future__ import annotations

import json
import subprocess

import pytest
from typer.testing import CliRunner

from geozones.cli import app
from geozones.io import layer_warnings
from tests.helpers import published
from tests.helpers.tools import ROOT, require_tool

QGIS_MARKER = "/usr/lib/python3/dist-packages/qgis/core/__init__.py"


def qgis_open(*specs: str) -> dict:
    """What QGIS reports for each ``path|layer``."""
    require_tool("python3-qgis", QGIS_MARKER)
    done = subprocess.run(
        ["/usr/bin/python3", str(ROOT / "tests" / "helpers" / "qgis_open.py"), *specs],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": "/tmp"},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("crs,expected", [(None, "EPSG:4326"), ("EPSG:9213", "EPSG:9213")])
def test_geozones_export_opens_in_qgis(tmp_path, built_store, crs, expected):
    out = tmp_path / "zones.gpkg"
    args = ["--store", str(built_store.path), "export", str(out)] + (["--crs", crs] if crs else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert layer_warnings(out) == []  # GDAL has nothing to say about the file
    seen = qgis_open(f"{out}|zones")
    assert seen["qgis"].startswith("3.22")
    layer = seen[f"{out}|zones"]
    assert layer["valid"] and layer["crs"] == expected
    assert layer["count"] == published.COUNT  # every shipped zone (tests/helpers/published.py)
    assert layer["renderer"] == "categorizedSymbol" and layer["attr"] == "status" and layer["categories"] == 6
    assert "CCN Cẩm Giàng" in layer["names"]  # diacritics intact


def test_report_writes_per_province_vn2000_layers(tmp_path, built_store):
    result = CliRunner().invoke(app, ["--store", str(built_store.path), "report", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "zones_vn2000.gpkg"
    names = ("zones_bac_kan", "zones_lang_son", "zones_thai_nguyen")
    seen = qgis_open(*(f"{path}|{n}" for n in names))
    assert seen[f"{path}|zones_bac_kan"]["crs"] == "EPSG:9213"
    assert seen[f"{path}|zones_thai_nguyen"]["crs"] == "EPSG:9213"
    assert seen[f"{path}|zones_lang_son"]["crs"] == "EPSG:9215"
    assert sum(seen[f"{path}|{n}"]["count"] for n in names) == published.COUNT
    assert seen[f"{path}|zones_thai_nguyen"]["count"] == published.count(province_pre2025="Thái Nguyên")


def test_every_shipped_layer_opens_in_qgis_valid_and_styled(tmp_path, built_store):
    """Acceptance (issue 10): the report's GeoPackage holds every shipped layer; QGIS 3.22 opens each one
    valid, with valid geometries, in WGS84, styled from the file's layer_styles (the reference colours)."""
    import sqlite3

    from geozones.io.style import REFERENCE_STYLES, STATUS_COLORS

    result = CliRunner().invoke(app, ["--store", str(built_store.path), "report", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "zones.gpkg"
    shipped = {f"{p.parent.name}_{p.stem}" for p in (ROOT / "data").glob("*/*.geojson") if p.parent.name != "zones"}
    assert shipped == set(REFERENCE_STYLES)  # every shipped reference layer has its own style
    seen = qgis_open(*(f"{path}|{name}" for name in ["zones", *sorted(shipped)]))
    assert seen["qgis"].startswith("3.22")
    for name in sorted(shipped):
        layer = seen[f"{path}|{name}"]
        assert layer["valid"] and layer["crs"] == "EPSG:4326" and layer["count"] > 0, name
        assert layer["invalid_geometries"] == 0, name
        assert layer["renderer"] == "singleSymbol" and layer["symbol_color"] == REFERENCE_STYLES[name][1], name
    zones = seen[f"{path}|zones"]
    assert zones["renderer"] == "categorizedSymbol" and zones["categories"] == len(STATUS_COLORS)
    # licence and attribution travel in the GeoPackage: gpkg_contents.description and gpkg_metadata
    with sqlite3.connect(path) as db:
        described = dict(db.execute("SELECT table_name, description FROM gpkg_contents").fetchall())
        metadata = " ".join(row[0] for row in db.execute("SELECT metadata FROM gpkg_metadata"))
    for name in ("boundaries_provinces", "boundaries_provinces_2025", "boundaries_districts"):
        assert (
            "Open Development Vietnam (Open Development Mekong) / Department of Survey and Mapping" in described[name]
        )
    assert "LegoCity" in described["infrastructure_roads"] and "PROVISIONAL" in metadata
    assert "CC BY-SA 4.0" in metadata and "geozones_attribution" in metadata and "geozones_licence" in metadata


def test_report_geopackage_has_joinable_sources_figures_and_status_layers(tmp_path, built_store):
    """Issue 21: the report's GeoPackage carries the sources, figures and status history as attribute tables
    whose ids join: every zone's source ids and every figure's source are rows of ``sources`` with a publisher,
    title and date; QGIS opens the tables."""
    import pyogrio

    result = CliRunner().invoke(app, ["--store", str(built_store.path), "report", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "zones.gpkg"
    names = {name for name, _ in pyogrio.list_layers(path)}
    assert {"zones", "sources", "figures", "status_history"} <= names
    sources = pyogrio.read_dataframe(path, layer="sources", read_geometry=False).set_index("id")
    figures = pyogrio.read_dataframe(path, layer="figures", read_geometry=False)
    zones = pyogrio.read_dataframe(path, layer="zones")
    assert set(figures["source_id"]) <= set(sources.index)
    assert set(figures["zone_id"]) <= set(zones["id"])
    cited = {t.strip() for value in zones["sources"] for t in value.split(";") if t.strip()}
    assert cited <= set(sources.index)
    for column in ("publisher", "title", "date"):
        assert sources.loc[sorted(cited), column].str.len().gt(0).all(), column
    # Đồng Bành's three published areas travel together (321, about 162, 200 ha)
    dong_banh = figures[(figures["zone_id"] == "ls-kcn-dong-banh") & (figures["field"] == "area_published_ha")]
    assert sorted(float(v) for v in dong_banh["value"]) == [162.0, 200.0, 321.0]
    seen = qgis_open(f"{path}|sources", f"{path}|figures")
    assert seen[f"{path}|sources"]["valid"] and seen[f"{path}|sources"]["count"] == len(sources)
    assert seen[f"{path}|figures"]["count"] == len(figures)
