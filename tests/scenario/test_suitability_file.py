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


# --- distance along the roads (along:) -------------------------------------------------------

ALONG = textwrap.dedent("""\
    id: test-along
    province: Bắc Kạn
    resolution_m: 100
    margin_m: 3000
    assumption: test judgements
    criteria:
      gate: {layer: gate, along: roads, worst_m: 5000, snap_m: 0}
      straight: {layer: gate, worst_m: 5000}
    judgements:
      - "gate > straight: 1"
    sensitivity: {draws: 5, k: 1}
    """)


@pytest.fixture
def road_layers():
    """Around CHO_MOI: an L-shaped road with the gate 100 m beyond its north end, and a separate road."""
    x0, y0 = round(CHO_MOI[0], -2), round(CHO_MOI[1], -2)
    roads = gpd.GeoDataFrame(
        geometry=[
            shapely.LineString([(x0, y0), (x0 + 1000, y0), (x0 + 1000, y0 + 1000)]),
            shapely.LineString([(x0 + 2400, y0 - 400), (x0 + 2400, y0 + 400)]),
        ],
        crs=9213,
    )
    gate = gpd.GeoDataFrame(geometry=[shapely.Point(x0 + 1000, y0 + 1100)], crs=9213)
    return {"roads": roads, "gate": gate}, (x0, y0)


def _cell(grid, x, y):
    """Row and column of the cell whose centre is nearest (x, y)."""
    return int((grid.ymax - y) // grid.resolution), int((x - grid.xmin) // grid.resolution)


def test_along_the_roads_by_hand_and_a_disconnected_road_scores_0(tmp_path, road_layers):
    layers, (x0, y0) = road_layers
    path = tmp_path / "along.yaml"
    path.write_text(ALONG, encoding="utf-8")
    zones = validate_zones(bac_kan_squares())
    run = run_suitability(load_suitability(path), zones=zones, layers=layers)
    grid = run.grid
    # cells south of the south leg (nearest road point straight north) and east of the north leg
    for px, py in ((250, -250), (700, -50), (1250, 550), (1150, 850)):
        r, c = _cell(grid, x0 + px, y0 + py)
        cx = grid.xmin + (c + 0.5) * grid.resolution - x0  # the cell centre, relative to the road's corner
        cy = grid.ymax - (r + 0.5) * grid.resolution - y0
        if py < 0:
            by_hand = -cy + (1000 - cx) + 1000 + 100  # access leg + along both legs + the gate's 100 m leg
        else:
            by_hand = (cx - 1000) + (1000 - cy) + 100
        assert run.scores["gate"][r, c] == pytest.approx(1 - by_hand / 5000, abs=1e-9)
    # next to the separate road: the straight line scores well, along the roads it is unreachable: 0
    r, c = _cell(grid, x0 + 2450, y0)
    assert run.scores["straight"][r, c] > 0.6
    assert run.scores["gate"][r, c] == 0
    assert np.isfinite(run.scores["gate"]).all()
    assert (run.scores["gate"] <= run.scores["straight"] + 1e-12).all()
    # the road layer may also be a file next to the suitability file
    layers["roads"].to_file(tmp_path / "roads.geojson")
    path.write_text(ALONG.replace("along: roads", "along: roads.geojson"), encoding="utf-8")
    again = run_suitability(load_suitability(path), zones=zones, layers={"gate": layers["gate"]})
    assert np.allclose(again.scores["gate"], run.scores["gate"], rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    ("line", "message", "field_"),
    [
        ("  gate: {dem: dem.tif, along: roads, worst_deg: 20}", "not slope", "criteria.gate.along"),
        ("  gate: {layer: gate, snap_m: 0, worst_m: 5000}", "only go with 'along'", "criteria.gate.snap_m"),
        ("  gate: {layer: gate, along: roads, best_m: 5000, worst_m: 0}", "near is better", "criteria.gate.worst_m"),
        ("  gate: {layer: gate, along: roads, worst_m: 5000, node_crossings: 3}", "true or false", "node_crossings"),
    ],
)
def test_along_is_checked_with_its_line(tmp_path, line, message, field_):
    path = tmp_path / "bad.yaml"
    path.write_text(ALONG.replace("  gate: {layer: gate, along: roads, worst_m: 5000, snap_m: 0}", line), "utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_suitability(path)
    assert caught.value.line == 7 and message in str(caught.value) and field_ in str(caught.value)


def test_an_unknown_road_layer_is_reported_by_run_and_by_scenario_validate(tmp_path, store):
    from geozones.cli import app

    text = ALONG.replace("along: roads", "along: no_such_roads").replace("layer: gate", "layer: zones")
    path = tmp_path / "suitability.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        run_suitability(load_suitability(path), store=store)
    assert f"{path}:7: criteria.gate.along: no store layer or file 'no_such_roads'" in str(caught.value)
    result = CliRunner().invoke(app, ["--store", str(store.path), "scenario", "validate", str(path)])
    assert result.exit_code == 2 and "suitability.yaml:7: criteria.gate.along" in result.output
    # the same through a scenario whose allocation names the file
    scenario = tmp_path / "plan.yaml"
    scenario.write_text(
        textwrap.dedent("""\
            id: plan
            name: plan
            province: Bắc Kạn
            start_year: 2026
            end_year: 2027
            sources: [test]
            allocation: {suitability: suitability.yaml}
            actions: []
            """),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["--store", str(store.path), "scenario", "validate", str(scenario)])
    assert "suitability.yaml:7: criteria.gate.along: no store layer" in result.output, result.output
    fixed = path.read_text(encoding="utf-8").replace("no_such_roads", "infrastructure_roads")
    path.write_text(fixed, encoding="utf-8")
    result = CliRunner().invoke(app, ["--store", str(store.path), "scenario", "validate", str(path)])
    assert result.exit_code == 0 and "suitability 'test-along', 2 criteria" in result.output, result.output


SHIPPED_ALONG = textwrap.dedent("""\
    id: lang-son-gates
    province: Lạng Sơn
    resolution_m: 200
    margin_m: 10000
    assumption: test settings
    criteria:
      gate: {layer: infrastructure_border_gates, where: {class: border_gate}, along: infrastructure_roads, worst_m: 200000}
      straight: {layer: infrastructure_border_gates, where: {class: border_gate}, worst_m: 200000}
    judgements:
      - "gate > straight: 1"
    sensitivity: {draws: 5, k: 1}
    """)


def test_along_the_shipped_roads_to_the_shipped_border_gates(tmp_path, built_store):
    """Lạng Sơn: never shorter than the straight line; at the dead end next to Tân Thanh, exactly by hand.

    The shipped road ``road-gt_422`` ends about 294 m from the Tân Thanh gate (the gate is off the
    coarse line, so along == straight holds only where cell, road end and gate line up). Cells whose
    nearest road point is that end measure |cell - end| + |end - gate|.
    """
    path = tmp_path / "gates.yaml"
    path.write_text(SHIPPED_ALONG, encoding="utf-8")
    run = run_suitability(load_suitability(path), store=built_store)
    grid = run.grid
    along = 200000 * (1 - run.scores["gate"])
    gates = built_store.layer("infrastructure_border_gates").to_crs(grid.crs)
    gates = gates[gates["class"] == "border_gate"]
    xs, ys = grid.cell_centers()
    centres = shapely.points(*np.meshgrid(xs, ys))
    straight = np.min([shapely.distance(centres, g) for g in gates.geometry], axis=0)  # independent, by shapely
    assert run.scores["gate"].min() > 0  # every cell reaches a gate on the snapped network
    assert (along >= straight - 1e-6).all()
    assert (along - straight).max() > 5000  # the detours are real, not a straight line
    roads = built_store.layer("infrastructure_roads").to_crs(grid.crs)
    road = roads.set_index("id").geometry["road-gt_422"]
    gate = gates.set_index("id").geometry["tan_thanh_border_gate"]
    end = min((shapely.Point(road.coords[0]), shapely.Point(road.coords[-1])), key=gate.distance)
    assert 250 < gate.distance(end) < 350 and road.distance(gate) == pytest.approx(gate.distance(end))
    to_roads = np.min([shapely.distance(centres, line) for line in roads.geometry], axis=0)
    to_end = shapely.distance(centres, end)
    at_end = (to_end <= 2000) & (to_end - to_roads < 1e-6)  # cells whose nearest road point is the dead end
    assert at_end.sum() >= 20
    assert along[at_end] == pytest.approx(to_end[at_end] + gate.distance(end), abs=1e-6)
    near = along[at_end] - straight[at_end]
    # the triangle inequality bounds the detour by twice the gate's leg; where the cell, the road end
    # and the gate (nearly) line up the two distances (nearly) agree
    assert (near >= -1e-6).all() and (near <= 2 * gate.distance(end) + 1e-6).all() and near.min() < 60


def test_the_shipped_along_example_validates(built_store):
    from geozones.scenario.validate import validate_suitability
    from tests.helpers.tools import ROOT

    shipped = ROOT / "scenarios" / "suitability" / "bac-kan-roads.yaml"
    assert validate_suitability(shipped, store=built_store) == []
    assert next(c for c in load_suitability(shipped).criteria if c.name == "border").along == "infrastructure_roads"
