"""Areas in hectares: hand-computed squares, geodesic agreement, totals, reconciliation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geozones.area import area_ha, geodesic_area_ha, reconcile, totals_by
from geozones.errors import MissingCRSError, UnknownAttributeError
from tests.helpers.zonefactory import CHI_LANG, bac_kan_squares, square


def test_square_of_known_side_in_epsg_9213():
    # 1000 m x 1000 m = 1 000 000 m2 = 100 ha; 500 m -> 25 ha; 200 m -> 4 ha.
    zones = bac_kan_squares()  # built in EPSG:9213, stored in WGS84
    assert area_ha(zones).to_numpy() == pytest.approx([100.0, 25.0, 4.0], rel=1e-7)


def test_area_is_measured_in_each_zones_province_crs():
    zones = bac_kan_squares((400.0,))
    lang_son = bac_kan_squares((400.0,)).set_geometry([square(CHI_LANG, 400.0)], crs=9215).to_crs(4326)
    lang_son["province_pre2025"] = "Lạng Sơn"
    both = pd.concat([zones, lang_son], ignore_index=True)
    assert area_ha(both).to_numpy() == pytest.approx([16.0, 16.0], rel=1e-7)


def test_geodesic_and_projected_areas_agree_within_0_1_percent():
    zones = bac_kan_squares((1000.0, 3000.0))
    rel = (area_ha(zones) - geodesic_area_ha(zones)).abs() / geodesic_area_ha(zones)
    assert (rel < 0.001).all()


def test_shipped_zones_geodesic_vs_projected(shipped_zones):
    mapped = shipped_zones[shipped_zones.geometry.notna()]
    rel = (area_ha(mapped) - geodesic_area_ha(mapped)).abs() / geodesic_area_ha(mapped)
    assert len(mapped) >= 8 and (rel < 0.001).all()


def test_area_of_missing_geometry_is_nan_and_index_kept():
    zones = bac_kan_squares().set_index("id", drop=False)
    zones.loc["z1", "geometry"] = None
    result = area_ha(zones)
    assert result.name == "area_ha" and list(result.index) == ["z0", "z1", "z2"]
    assert np.isnan(result["z1"]) and result["z0"] == pytest.approx(100.0)


def test_degrees_never_leak_into_areas():
    zones = bac_kan_squares().set_crs(None, allow_override=True)
    with pytest.raises(MissingCRSError):
        area_ha(zones)


def test_totals_by_matches_hand_sums():
    zones = bac_kan_squares((1000.0, 500.0, 200.0, 100.0))
    zones["kind"] = ["KCN", "CCN", "CCN", "CCN"]
    zones["occupancy_pct"] = [50.0, None, 100.0, None]
    zones.loc[zones.index[3], "area_published_ha"] = None
    table = totals_by(zones, "kind")
    assert table.loc["KCN", "mapped_ha"] == pytest.approx(100.0)
    assert table.loc["CCN", "mapped_ha"] == pytest.approx(25.0 + 4.0 + 1.0)
    assert table.loc["CCN", "published_ha"] == pytest.approx(25.0 + 4.0)
    assert table.loc["CCN", "occupied_ha"] == pytest.approx(4.0)  # only the zone with both figures
    assert table.loc["KCN", "occupied_ha"] == pytest.approx(50.0)
    assert table.loc["CCN", "zones"] == 3


def test_totals_by_several_attributes_and_missing_values():
    zones = bac_kan_squares()
    zones["investor"] = ["A", None, "A"]
    table = totals_by(zones, ["province_pre2025", "investor"])
    assert table.loc[("Bắc Kạn", "A"), "mapped_ha"] == pytest.approx(104.0)
    assert table.loc[("Bắc Kạn", "(unknown)"), "mapped_ha"] == pytest.approx(25.0)


def test_totals_by_unknown_attribute():
    with pytest.raises(UnknownAttributeError, match="'colour'"):
        totals_by(bac_kan_squares(), ["kind", "colour"])


def test_reconcile_flags_past_threshold():
    zones = bac_kan_squares()
    zones["area_published_ha"] = [100.0, 24.0, None]  # 25 mapped vs 24 published: +4.17 %
    zones.loc[zones.index[0], "geometry"] = None
    table = reconcile(zones, threshold=0.01)
    assert table["check"].tolist() == ["no_polygon", "over_threshold", "no_published_area"]
    assert table["rel_diff"].iloc[1] == pytest.approx(1 / 24)
    assert table["flag"].tolist() == [False, True, False]
    assert reconcile(zones, threshold=0.05)["check"].iloc[1] == "ok"


def test_reconcile_shipped_data_within_one_percent(shipped_zones):
    table = reconcile(shipped_zones, threshold=0.01)
    assert not table["flag"].any(), table[table["flag"]]
    assert (table["check"] == "ok").sum() >= 9


def test_multipolygon_area():
    zones = bac_kan_squares((1000.0, 500.0))
    zones.loc[zones.index[0], "geometry"] = shapely.MultiPolygon(list(zones.geometry))
    assert area_ha(zones).iloc[0] == pytest.approx(125.0, rel=1e-7)


def test_reconcile_threshold_is_strictly_greater():
    """A relative difference equal to the threshold is ok; only a larger one is flagged (> not >=).

    Hand values: a 1000 m square built in EPSG:9213 (integer corners, so exactly 100 ha) against
    published 80 ha and 125 ha: relative differences exactly +0.25 and -0.2.
    """
    import geopandas as gpd

    from tests.helpers.zonefactory import CHO_MOI, zone

    x, y = round(CHO_MOI[0]), round(CHO_MOI[1])
    box = shapely.box(x - 500, y - 500, x + 500, y + 500)
    zones = gpd.GeoDataFrame(
        [zone(0, area_published_ha=80.0), zone(1, area_published_ha=125.0)],
        geometry=[box, shapely.affinity.translate(box, 3000)],
        crs=9213,
    )
    assert box.area == 1_000_000.0
    at = reconcile(zones, threshold=0.25)
    assert at["rel_diff"].tolist() == [0.25, -0.2]
    assert at["check"].tolist() == ["ok", "ok"] and not at["flag"].any()
    below = reconcile(zones, threshold=0.2)
    assert below["check"].tolist() == ["over_threshold", "ok"]
    assert reconcile(zones, threshold=0.19999)["check"].tolist() == ["over_threshold", "over_threshold"]
