"""The ``minutes_to:`` suitability criterion: drive minutes to the nearest target, scored linearly."""

from __future__ import annotations

import textwrap

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geozones.errors import ScenarioError
from geozones.scenario.suitability import load_suitability, run_suitability
from geozones.schema import validate_zones
from tests.helpers.zonefactory import CHO_MOI, bac_kan_squares

pytest.importorskip("rasterio")

MINUTES = textwrap.dedent("""\
    id: test-minutes
    province: Bắc Kạn
    resolution_m: 100
    margin_m: 3000
    assumption: test judgements
    criteria:
      port: {minutes_to: port, roads: roads, worst_min: 60}
      port_truck: {minutes_to: port, roads: roads, vehicle: truck, worst_min: 60}
    judgements:
      - "port > port_truck: 1"
    sensitivity: {draws: 5, k: 1}
    """)


@pytest.fixture
def layers():
    """A national highway along y = y0 across the grid, and a port on it 20 km east of CHO_MOI."""
    x0, y0 = round(CHO_MOI[0], -2), round(CHO_MOI[1], -2)
    roads = gpd.GeoDataFrame(
        {"class": ["national_highway"]},
        geometry=[shapely.LineString([(x0 - 20000, y0), (x0 + 20000, y0)])],
        crs=9213,
    )
    port = gpd.GeoDataFrame({"category": ["seaport"]}, geometry=[shapely.Point(x0 + 20000, y0)], crs=9213)
    return {"roads": roads, "port": port}, (x0, y0)


def test_minutes_to_by_hand(tmp_path, layers):
    given, (x0, y0) = layers
    path = tmp_path / "minutes.yaml"
    path.write_text(MINUTES, encoding="utf-8")
    run = run_suitability(load_suitability(path), zones=validate_zones(bac_kan_squares()), layers=given)
    grid = run.grid
    xs, ys = grid.cell_centers()
    cx, cy = np.meshgrid(xs, ys)
    access = np.abs(cy - y0)
    # car: straight leg at 15 km/h (4 min/km), then 50 km/h (1.2 min/km) to the port; truck 40 km/h
    car = access / 1000 * 4 + (x0 + 20000 - cx) / 1000 * 1.2
    truck = access / 1000 * 4 + (x0 + 20000 - cx) / 1000 * 1.5
    near = access <= 3000
    assert near.any() and (~near).any()
    assert run.scores["port"][near] == pytest.approx(np.clip(1 - car[near] / 60, 0, 1), abs=1e-9)
    assert run.scores["port_truck"][near] == pytest.approx(np.clip(1 - truck[near] / 60, 0, 1), abs=1e-9)
    assert (run.scores["port"][~near] == 0).all()  # far from mapped roads: no time, score 0


@pytest.mark.parametrize(
    ("criterion", "message"),
    [
        ("{minutes_to: port, roads: roads, worst_min: 60, vehicle: bike}", "vehicle is one of car, truck"),
        ("{minutes_to: port, roads: roads, best_min: 70, worst_min: 60}", "best_min must be below worst_min"),
        ("{layer: port, worst_m: 60, vehicle: car}", "only go with 'minutes_to'"),
        ("{minutes_to: port, along: roads, worst_min: 60}", "not slope or minutes"),
    ],
)
def test_bad_minutes_criteria_are_refused_with_their_field(tmp_path, criterion, message):
    text = MINUTES.replace("{minutes_to: port, roads: roads, worst_min: 60}", criterion)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_suitability(path)
    assert message in str(info.value)
