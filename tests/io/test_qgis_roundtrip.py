"""GIS staff round trip with real QGIS 3.22 LTR (Debian python3-qgis, driven in a subprocess).

Shapefile export -> QGIS opens it styled with the short names -> validate and import accept it
with nothing lost; the QGIS project opens with every store layer valid, grouped, in TM-3.
"""

from __future__ import annotations

import json
import subprocess

import pandas as pd
import pyogrio
import shapely
from typer.testing import CliRunner

from geozones.cli import app
from geozones.schema import SHORT_NAMES
from geozones.schema import ZONE_FIELD_NAMES as FIELD_NAMES  # every stored field, the investor fields too
from geozones.store import GeoPackageStore
from tests.helpers import published
from tests.helpers.tools import ROOT, require_tool

QGIS_MARKER = "/usr/lib/python3/dist-packages/qgis/core/__init__.py"
ENV = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": "/tmp"}


def _qgis(script: str, *args: str) -> dict:
    require_tool("python3-qgis", QGIS_MARKER)
    done = subprocess.run(
        ["/usr/bin/python3", str(ROOT / "tests" / "helpers" / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_shapefile_export_opens_styled_in_qgis_and_comes_back_whole(tmp_path, store):
    out = tmp_path / "zones.shp"
    runner = CliRunner()
    result = runner.invoke(app, ["--store", str(store.path), "export", str(out), "--crs", "EPSG:9213"])
    assert result.exit_code == 0, result.output
    assert "warning: LongTextWarning: field 'notes'" in result.output  # one line each, no source line
    assert "_shp.write_shapefile" not in result.output

    seen = _qgis("qgis_open.py", f"{out}|zones")
    assert seen["qgis"].startswith("3.22")
    layer = seen[f"{out}|zones"]
    assert layer["valid"] and layer["crs"] == "EPSG:9213" and layer["count"] == published.COUNT
    assert layer["renderer"] == "categorizedSymbol" and layer["attr"] == "status" and layer["categories"] == 6
    assert layer["fields"] == [SHORT_NAMES[n] for n in FIELD_NAMES] + ["etag"]  # each zone's version
    assert "CCN Cẩm Giàng" in layer["names"]

    result = runner.invoke(app, ["--store", str(store.path), "validate", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{published.COUNT} valid zones, CRS EPSG:9213" in result.output

    before = store.zones()
    result = runner.invoke(app, ["--store", str(store.path), "store", "import", str(out)])
    assert result.exit_code == 0, result.output
    after = GeoPackageStore(store.path).zones().set_index("id").loc[before["id"]]
    for column in FIELD_NAMES[1:]:
        for ours, theirs in zip(before[column], after[column]):
            assert (pd.isna(ours) and pd.isna(theirs)) or ours == theirs, (column, ours, theirs)
    # geometry: through EPSG:9213 and back, within a millimetre
    for ours, theirs in zip(before.to_crs(9213).geometry, after.to_crs(9213).geometry):
        assert (ours is None and theirs is None) or shapely.hausdorff_distance(ours, theirs) < 1e-3


def test_qgis_project_opens_with_every_layer_valid_grouped_in_tm3(tmp_path, built_store):
    out = tmp_path / "project.qgz"
    result = CliRunner().invoke(app, ["--store", str(built_store.path), "export", str(out)])
    assert result.exit_code == 0, result.output
    seen = _qgis("qgis_project_open.py", str(out))
    assert seen["read"] and seen["crs"] == "EPSG:9213"
    names = set(built_store.layers())
    assert set(seen["layers"]) == names
    for name, layer in seen["layers"].items():
        assert layer["valid"], name
        assert layer["source"].startswith(str(tmp_path / "project.gpkg")), name
        if layer["spatial"]:
            assert layer["crs"] == "EPSG:9213" and layer["renderer"] is not None, name
        stored = built_store.layer(name)
        assert layer["count"] == len(stored), name
    assert seen["layers"]["zones"]["renderer"] == "categorizedSymbol"
    assert seen["layers"]["zones"]["attr"] == "status"
    assert seen["groups"]["zones"] == ["zones"]
    assert sorted(seen["groups"]["boundaries"]) == sorted(n for n in names if n.startswith("boundaries_"))
    assert sorted(seen["groups"]["infrastructure"]) == sorted(n for n in names if n.startswith("infrastructure_"))
    # the data GeoPackage is in TM-3 too
    assert pyogrio.read_info(tmp_path / "project.gpkg", layer="zones")["crs"] == "EPSG:9213"


def test_qgis_project_includes_scenario_layers_in_their_group(tmp_path, store):
    zones = store.zones()
    store.write_layer("scenario_test", zones.iloc[:3])
    out = tmp_path / "project.qgs"
    result = CliRunner().invoke(app, ["--store", str(store.path), "export", str(out), "--crs", "EPSG:9215"])
    assert result.exit_code == 0, result.output
    seen = _qgis("qgis_project_open.py", str(out))
    assert seen["crs"] == "EPSG:9215"
    assert seen["groups"]["scenarios"] == ["scenario_test"]
    assert seen["layers"]["scenario_test"]["valid"] and seen["layers"]["scenario_test"]["count"] == 3
    assert seen["layers"]["scenario_test"]["renderer"] == "categorizedSymbol"


def test_prj_corpus_through_geozones_opens_in_qgis_in_the_expected_crs(tmp_path):
    """Each corpus .prj on a shapefile, read by geozones and written out, is the expected EPSG CRS in QGIS."""
    import csv
    import warnings

    import geopandas as gpd
    import pyproj
    import shapely

    from geozones.io import read_layer, to_file

    corpus = ROOT / "tests" / "data" / "prj"
    rows = [
        r for r in csv.DictReader(open(corpus / "expected.csv", encoding="utf-8")) if r["expected"].startswith("EPSG:")
    ]
    specs, expected = [], {}
    for row in rows:
        text = (corpus / row["file"]).read_text(encoding="utf-8").strip()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            definition = pyproj.CRS.from_user_input(text)
        # a 200 m square at Chợ Mới (105.787 E, 21.893 N) in the file's own coordinates
        x, y = pyproj.Transformer.from_crs("OGC:CRS84", definition, always_xy=True).transform(105.787, 21.893)
        size = 0.002 if definition.is_geographic else 200.0
        stem = row["file"].removesuffix(".prj")
        shp = tmp_path / f"{stem}.shp"
        frame = gpd.GeoDataFrame({"name": [stem]}, geometry=[shapely.box(x, y, x + size, y + size)], crs=None)
        pyogrio.write_dataframe(frame, shp)
        shp.with_suffix(".prj").write_text(text, encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layer = read_layer(shp)
        out = to_file(layer, tmp_path / f"{stem}.gpkg", layer="data")
        specs.append(f"{out}|data")
        expected[f"{out}|data"] = row["expected"].split()[0]
    seen = _qgis("qgis_open.py", *specs)
    got = {spec: seen[spec]["crs"] for spec in specs}
    assert got == expected
    assert all(seen[spec]["valid"] and seen[spec]["count"] == 1 for spec in specs)
