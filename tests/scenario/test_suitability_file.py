"""Suitability files: judgements with file:line errors, the end-to-end run, COGs and tables, the CLI."""

from __future__ import annotations

import re
import textwrap

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from typer.testing import CliRunner

from geozones.errors import ScenarioError
from geozones.scenario.suitability import load_suitability, run_suitability
from geozones.schema import validate_zones
from tests.helpers.zonefactory import CHO_MOI, bac_kan_squares

FILE = textwrap.dedent("""\
    id: test-ahp
    province: Bắc Kạn
    resolution_m: 200
    margin_m: 4000
    assumption: test judgements
    criteria:
      road: {layer: road, worst_m: 5000}
      grid: {layer: substation, worst_m: 8000}
    judgements:
      - "road > grid: 3"
    sensitivity: {draws: 50, top_pct: 20, k: 1, seed: 3}
    """)


@pytest.fixture
def layers():
    road = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(CHO_MOI[0] - 9000, CHO_MOI[1] + 1000), (CHO_MOI[0] + 9000, CHO_MOI[1] + 1000)])],
        crs=9213,
    )
    substation = gpd.GeoDataFrame(geometry=[shapely.Point(CHO_MOI[0] + 6000, CHO_MOI[1])], crs=9213)
    return {"road": road, "substation": substation}


def test_a_suitability_file_runs_end_to_end(tmp_path, layers):
    path = tmp_path / "ahp.yaml"
    path.write_text(FILE, encoding="utf-8")
    zones = validate_zones(bac_kan_squares())  # squares 3 km apart along x from CHO_MOI
    run = run_suitability(load_suitability(path), zones=zones, layers=layers)
    assert run.ahp.weights["road"] == pytest.approx(0.75) and run.ahp.cr == 0  # 2 x 2: 3 / (3 + 1)
    # the overlay at a cell by hand: 0.75 * road score + 0.25 * grid score
    r, c = 3, 5
    x = run.grid.xmin + (c + 0.5) * run.grid.resolution
    y = run.grid.ymax - (r + 0.5) * run.grid.resolution
    d_road = abs(y - (CHO_MOI[1] + 1000))
    d_sub = np.hypot(x - (CHO_MOI[0] + 6000), y - CHO_MOI[1])
    expected = 0.75 * max(0, 1 - d_road / 5000) + 0.25 * max(0, 1 - d_sub / 8000)
    assert run.suitability[r, c] == pytest.approx(expected, abs=1e-9)
    assert np.isnan(run.suitability[run.excluded]).all() and run.excluded.any()
    written = run.write(tmp_path / "out")
    with rasterio.open(tmp_path / "out" / "suitability_top_share.tif") as src:
        share = src.read(1)
        assert src.crs.to_epsg() == 9213 and np.nanmax(share) <= 1
    assert {p.name for p in written} >= {
        "suitability.tif",
        "suitability_mean.tif",
        "suitability_std.tif",
        "suitability_sites.csv",
        "suitability_oat.csv",
        "suitability_weights.csv",
    }
    # z2 (nearest the substation, east) is the best site under the AHP weights
    assert run.sites["base_rank"].idxmin() == "z2"
    assert len(run.oat) == 2 * 41


def test_inconsistent_judgements_are_refused_with_their_line(tmp_path):
    text = FILE.replace(
        "road: {layer: road, worst_m: 5000}", "road: {layer: road, worst_m: 5000}\n  rail: {layer: rail, worst_m: 5000}"
    ).replace('  - "road > grid: 3"\n', '  - "road > grid: 9"\n  - "grid > rail: 9"\n  - "rail > road: 9"\n')
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_suitability(path)
    assert re.search(r"bad.yaml:1[123]: judgements\[[012]\]:", str(caught.value)) and "CR = " in str(caught.value)
    assert "most inconsistent" in str(caught.value)


def test_cli_suitability_writes_the_rasters(store, tmp_path):
    from geozones.cli import app
    from tests.helpers.tools import ROOT

    shipped = ROOT / "scenarios" / "suitability" / "bac-kan.yaml"
    result = CliRunner().invoke(
        app,
        ["--store", str(store.path), "scenario", "suitability", str(shipped), "--out", str(tmp_path), "--draws", "20"],
    )
    assert result.exit_code == 0, result.output
    assert "AHP weights" in result.output and (tmp_path / "suitability_mean.tif").exists()
