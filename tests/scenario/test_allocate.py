"""Scenario demand allocation: year by year, inside every constraint, demand met within 0.5 % or shortfall."""

from __future__ import annotations

import textwrap

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geozones.errors import ScenarioError
from geozones.scenario import load_scenario, run_scenario
from geozones.schema import validate_zones
from tests.helpers.zonefactory import CHO_MOI, bac_kan_squares

AHP = textwrap.dedent("""\
    id: alloc-ahp
    province: Bắc Kạn
    assumption: test
    criteria:
      road: {layer: road, worst_m: 3000}
    matrix: [[1]]
    """)
PLAN = textwrap.dedent("""\
    id: alloc
    name: alloc
    province: Bắc Kạn
    start_year: 2026
    end_year: 2027
    constraints:
      exclusions: [{layer: water}]
    allocation: {suitability: ahp.yaml, resolution_m: 25, margin_m: 2500, min_parcel_ha: 5, max_road_m: 300,
                 roads: road}
    actions:
      - {action: allocate, year: 2026, ha: 30, mode: both, assumption: test demand}
      - {action: allocate, year: 2027, ha: 5000, mode: sites, assumption: more than the land allows}
    """)
TARGETS = pd.DataFrame(
    columns=["id", "province_pre2025", "indicator", "operator", "value", "value_max", "unit", "year", "source"]
)


@pytest.fixture
def setup(tmp_path):
    (tmp_path / "ahp.yaml").write_text(AHP, encoding="utf-8")
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    x, y = CHO_MOI
    road = gpd.GeoDataFrame(geometry=[shapely.LineString([(x - 4000, y - 600), (x + 10000, y - 600)])], crs=9213)
    water = gpd.GeoDataFrame(geometry=[shapely.box(x - 700, y - 900, x - 520, y + 2000)], crs=9213)
    zones = validate_zones(bac_kan_squares())
    return tmp_path / "plan.yaml", zones, {"road": road, "water": water}


def run(path, zones, layers):
    return run_scenario(load_scenario(path), zones=zones, layers=layers, targets=TARGETS, infra={})


def test_allocation_stays_inside_the_constraints_and_meets_the_demand(setup):
    path, zones, layers = setup
    result = run(path, zones, layers)
    alloc = result.allocations.set_index("year")
    assert alloc.loc[2026, "placed_ha"] == pytest.approx(30, rel=0.005)
    base = result.base
    new_land = shapely.difference(
        shapely.union_all(result.zones.geometry.dropna().array),
        shapely.buffer(shapely.union_all(base.geometry.dropna().array), 0.01),  # rounding slivers along old outlines
    )
    water = layers["water"].geometry.iloc[0]
    road = layers["road"].geometry.iloc[0]
    assert shapely.area(shapely.intersection(new_land, water)) < 1e-6  # never enters an exclusion
    # every allocated cell centre is within 300 m of the road: its corners within 300 + half a diagonal
    parts = shapely.get_parts(new_land)
    parts = parts[shapely.area(parts) > 1.0]  # the new land, not rounding slivers along the old outlines
    corners = shapely.points(shapely.get_coordinates(parts))
    assert shapely.distance(corners, road).max() <= 300 + 25 * 2**0.5 / 2 + 1e-6
    # no two zones overlap
    geoms = [g for g in result.zones.geometry if g is not None]
    assert sum(shapely.area(shapely.intersection(a, b)) for i, a in enumerate(geoms) for b in geoms[i + 1 :]) < 1e-3
    # 2027 asks for more than the land within 300 m of the road: the shortfall is reported
    assert alloc.loc[2027, "shortfall_ha"] > 0
    assert alloc.loc[2027, "placed_ha"] + alloc.loc[2027, "shortfall_ha"] == pytest.approx(5000)
    assert any("SHORTFALL" in note for note in result.notes)
    # contiguous: every grown zone and new site is one polygon
    assert all(shapely.get_num_geometries(g) == 1 for g in result.zones.geometry if g is not None)
    sites = result.zones[result.zones.index.str.startswith("alloc-site-")]
    assert len(sites) and (shapely.area(sites.geometry.array) / 1e4 >= 5 - 1e-6).all()  # minimum parcel
    assert timeline_total(result, 2027) - timeline_total(result, 2026) == pytest.approx(
        alloc.loc[2027, "placed_ha"], rel=1e-6
    )


def timeline_total(result, year):
    return result.timeline.loc[year, "total_ha"]


def test_same_inputs_same_result(setup):
    path, zones, layers = setup
    a, b = run(path, zones, layers), run(path, zones, layers)
    assert list(a.zones.index) == list(b.zones.index)
    assert all(shapely.equals_exact(x, y, 0) for x, y in zip(a.zones.geometry, b.zones.geometry) if x is not None)


def test_allocate_needs_an_allocation_block(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(
        PLAN.replace(
            "allocation: {suitability: ahp.yaml, resolution_m: 25, margin_m: 2500, "
            "min_parcel_ha: 5, max_road_m: 300,\n             roads: road}\n",
            "",
        ),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match="allocate actions need an 'allocation:' block"):
        load_scenario(path)
