"""Allocation draws parks: the shipped 2026–2030 run's new land is wide and compact; no 0 ha zone is made."""

from __future__ import annotations

import textwrap

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geozones.errors import ScenarioError
from geozones.scenario import load_scenario, loads_scenario, run_scenario
from geozones.schema import validate_zones
from tests.helpers.tools import ROOT
from tests.helpers.zonefactory import CHO_MOI, bac_kan_squares

NO_TARGETS = pd.DataFrame(
    columns=["id", "province_pre2025", "indicator", "operator", "value", "value_max", "unit", "year", "source"]
)


def short_side(geom) -> float:
    coords = np.asarray(shapely.minimum_rotated_rectangle(geom).exterior.coords)
    return float(min(np.hypot(*(coords[1] - coords[0])), np.hypot(*(coords[2] - coords[1]))))


def test_the_shipped_2026_2030_run_grows_a_park_not_a_42_m_ribbon(built_store):
    scenario = load_scenario(ROOT / "scenarios" / "bac-kan-2026-2030.yaml")
    result = run_scenario(scenario, store=built_store)
    width = scenario.allocation["min_width_m"]
    minimum_pp = scenario.allocation["min_compactness"]
    assert result.allocations["placed_ha"].sum() == pytest.approx(40, rel=0.005)
    grown = result.diff()
    grown = grown[grown["change"].str.contains("geometry|added")]
    assert len(grown)
    for zone_id in grown["zone"]:
        old = result.base.geometry.get(zone_id) if zone_id in result.base.index else None
        new = result.zones.geometry[zone_id]
        land = shapely.difference(new, shapely.buffer(old, 0.01)) if old is not None else new
        parts = shapely.get_parts(land)
        parts = parts[shapely.area(parts) > 1.0]  # not the rounding slivers along the old outline
        assert len(parts) >= 1
        for part in parts:
            # independent width check: half-width inward buffer is non-empty and, grown back, covers most of it
            inner = shapely.buffer(part, -width / 2)
            assert not shapely.is_empty(inner)
            assert shapely.area(shapely.intersection(shapely.buffer(inner, width / 2), part)) >= 0.8 * part.area
            assert 4 * np.pi * part.area / part.length**2 >= minimum_pp  # Polsby–Popper
            assert short_side(part) >= 3 * width  # 40 ha as a block, not 9.6 km x 42 m


MINIMAL = """\
id: corridor
name: a CCN seeded on QL3
province: Bắc Kạn
start_year: 2026
end_year: 2027
constraints:
  buffers:
    - {layer: infrastructure_roads, buffer_m: 20}
actions:
  - action: add_zone
    year: 2026
    id: bk-ccn-on-ql3
    name: CCN on QL3
    kind: CCN
    status: established
    point: [LON, LAT]
    target_ha: 10
    assumption: a seed placed on the road
"""


def test_a_zone_seeded_inside_the_road_corridor_fails_naming_the_corridor(built_store):
    roads = built_store.layer("infrastructure_roads")
    ql3 = shapely.union_all(roads[roads["ref"] == "QL3"].to_crs(9213).geometry.array)
    cam_giang = gpd.GeoSeries(gpd.points_from_xy([105.86936], [22.20695]), crs=4326).to_crs(9213).iloc[0]
    on_road = gpd.GeoSeries([shapely.ops.nearest_points(ql3, cam_giang)[0]], crs=9213).to_crs(4326).iloc[0]
    text = MINIMAL.replace("LON", f"{on_road.x:.7f}").replace("LAT", f"{on_road.y:.7f}")
    with pytest.raises(ScenarioError) as info:
        run_scenario(loads_scenario(text, name="corridor.yaml"), store=built_store)
    message = str(info.value)
    assert "corridor 'infrastructure_roads (+20 m)'" in message and "0 ha" in message
    assert info.value.field == "actions[0].point"
    # the suggested spot is outside the corridor, about 20 m away
    assert "m away" in message


def test_a_zone_with_too_little_land_fails_naming_what_took_it():
    x, y = CHO_MOI
    moat = shapely.box(x + 5000, y - 300, x + 5600, y + 300)
    ring = moat.difference(shapely.box(x + 5225, y - 75, x + 5375, y + 75))
    water = gpd.GeoDataFrame(geometry=[ring], crs=9213)  # a moat round a 2.25 ha island (150 m x 150 m)
    point = gpd.GeoSeries([shapely.Point(x + 5300, y)], crs=9213).to_crs(4326).iloc[0]
    text = textwrap.dedent(f"""\
        id: island
        name: a CCN on an island
        province: Bắc Kạn
        start_year: 2026
        end_year: 2026
        constraints:
          exclusions: [{{layer: water}}]
        actions:
          - {{action: add_zone, year: 2026, id: bk-ccn-island, name: Island, kind: CCN, status: established,
              point: [{point.x:.7f}, {point.y:.7f}], target_ha: 20, assumption: test}}
        """)
    zones = validate_zones(bac_kan_squares())
    with pytest.raises(ScenarioError) as info:
        run_scenario(loads_scenario(text), zones=zones, layers={"water": water}, targets=NO_TARGETS, infra={})
    message = str(info.value)
    assert "too little land" in message and "exclusion 'water'" in message
    assert "only 2.25 ha" in message and "5 ha minimum useful size" in message
    # a target the island can hold (below the 5 ha minimum parcel, so the target is the minimum) runs and counts
    ok = run_scenario(
        loads_scenario(text.replace("target_ha: 20,", "target_ha: 2,")),
        zones=zones,
        layers={"water": water},
        targets=NO_TARGETS,
        infra={},
    )
    assert ok.zones.loc["bk-ccn-island", "area_mapped_ha"] == pytest.approx(2, rel=0.005)
    assert ok.timeline.loc[2026, "ccn_count"] == 1


def test_a_zone_of_0_ha_is_never_counted():
    zones = validate_zones(bac_kan_squares(status="established"))
    text = textwrap.dedent("""\
        id: count
        name: count
        province: Bắc Kạn
        start_year: 2026
        end_year: 2026
        actions: []
        """)
    counted = run_scenario(loads_scenario(text), zones=zones, targets=NO_TARGETS, infra={})
    assert counted.timeline.loc[2026, "ccn_count"] == 3
    zero = zones.copy()
    zero.loc[0, "geometry"] = None
    zero.loc[0, "area_published_ha"] = 0.0  # no outline and a 0 ha figure: no zone
    zero.loc[1, "geometry"] = None
    zero.loc[1, "area_published_ha"] = None  # no outline, no figure: counted, its area unknown
    again = run_scenario(loads_scenario(text), zones=zero, targets=NO_TARGETS, infra={})
    assert again.timeline.loc[2026, "ccn_count"] == 2
    assert again.timeline.loc[2026, "ccn_area_unknown"] == 1
