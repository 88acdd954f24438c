"""Map test data: synthetic infrastructure layers and a scenario over its baseline."""

from __future__ import annotations

import geopandas as gpd
import shapely

from tests.helpers.zonefactory import CHO_MOI, bac_kan_squares, square, zone


def planner_scenario():
    """Baseline: z0 100 ha, z1 25 ha, z2 4 ha. Scenario: z0 grown to 1000 m x 1500 m, z1 kept, z2 dropped, n1 new."""
    baseline = bac_kan_squares().to_crs(9213)
    grown = shapely.box(CHO_MOI[0] - 500, CHO_MOI[1] - 500, CHO_MOI[0] + 500, CHO_MOI[1] + 1000)
    new = square(CHO_MOI, 500, dy=-5000)
    scenario = gpd.GeoDataFrame(
        [zone(0, status="site_clearance"), zone(1), zone(9, name="CCN Mới")],
        geometry=[grown, baseline.geometry.iloc[1], new],
        crs=9213,
    ).to_crs(4326)
    scenario.loc[2, "id"] = "n1"
    return scenario, baseline.to_crs(4326)


def synthetic_infrastructure() -> dict[str, gpd.GeoDataFrame]:
    """Issue-3 style layers (store names infrastructure_roads/power/destinations), built here."""
    x, y = CHO_MOI
    roads = gpd.GeoDataFrame(
        {"name": ["QL3 <i>thử</i>"]},
        geometry=[shapely.LineString([(x - 5000, y - 5000), (x + 5000, y + 8000)])],
        crs=9213,
    )
    power = gpd.GeoDataFrame(
        {"name": ["Trạm 110 kV thử", "Đường dây thử"]},
        geometry=[shapely.Point(x + 2000, y + 1000), shapely.LineString([(x + 2000, y + 1000), (x + 6000, y)])],
        crs=9213,
    )
    places = gpd.GeoDataFrame({"name": ["Cửa khẩu thử"]}, geometry=[shapely.Point(x + 9000, y + 9000)], crs=9213)
    return {"infrastructure_roads": roads, "infrastructure_power": power, "infrastructure_destinations": places}
