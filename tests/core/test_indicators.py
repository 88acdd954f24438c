"""Programme indicators against the Bắc Kạn targets (seeds 002, 003)."""

from __future__ import annotations

import numpy as np
import pytest

from geozones.indicators import evaluate_targets, judge, load_targets, programme_indicators


def by_id(table):
    return table.set_index("id")


def test_shipped_data_against_2025_targets(built_store):
    table = by_id(programme_indicators(built_store))
    # seed 001 (Nov 2023): 6 CCN established; published CCN areas 74.4 + 43 + 50 + 15 + 20 = 202.4 ha
    assert table.loc["bk-target-ccn-count-2025", "value"] == 6
    assert table.loc["bk-target-ccn-count-2025", "status"] == "met"
    assert table.loc["bk-target-ccn-area-2025", "value"] == pytest.approx(202.4)
    assert table.loc["bk-target-ccn-area-2025", "status"] == "not_met"  # "about 150 ha": 202.4 is 35 % over
    assert "Huyền Tụng" in table.loc["bk-target-ccn-area-2025", "measured_as"]
    assert table.loc["bk-target-ccn-complete-infra-2025", "value"] == 0
    assert table.loc["bk-target-ccn-occupancy-2025", "status"] == "unknown"  # no occupancy published
    assert (table.loc["bk-target-industry-grdp-share-2030", "status"]) == "not_measured"
    assert np.isnan(table.loc["bk-target-industry-grdp-share-2030", "value"])
    assert table["source"].str.startswith("seed:").all()


def test_a_scenario_that_meets_the_infrastructure_and_occupancy_targets(shipped_zones):
    zones = shipped_zones.copy()
    done = ["bk-ccn-quang-chu", "bk-ccn-cam-giang", "bk-ccn-vang-muoi", "bk-ccn-nam-bang-lung"]
    zones.loc[zones["id"].isin(done), "status"] = "operating"
    zones.loc[zones["id"].isin(done), "occupancy_pct"] = [70.0, 50.0, 80.0, 90.0]
    table = by_id(evaluate_targets(zones, load_targets()))
    assert table.loc["bk-target-ccn-complete-infra-2025", "value"] == 4
    assert table.loc["bk-target-ccn-complete-infra-2025", "status"] == "met"
    # area-weighted: (74.4*70 + 43*50 + 15*80 + 20*90) / (74.4 + 43 + 15 + 20) = 69.82 %
    assert table.loc["bk-target-ccn-occupancy-2025", "value"] == pytest.approx(
        (74.4 * 70 + 43 * 50 + 15 * 80 + 20 * 90) / 152.4
    )
    assert table.loc["bk-target-ccn-occupancy-2025", "status"] == "met"


@pytest.mark.parametrize(
    "value,op,target,target_max,expected",
    [
        (6, ">=", 6, None, "met"),
        (5, ">=", 6, None, "not_met"),
        (60, ">", 60, None, "not_met"),
        (160, "~", 150, None, "met"),
        (170, "~", 150, None, "not_met"),
        (9, "between", 8, 10, "met"),
        (np.nan, ">", 1, None, "unknown"),
    ],
)
def test_judge(value, op, target, target_max, expected):
    assert judge(value, op, target, target_max) == expected


def test_unknown_operator():
    with pytest.raises(ValueError, match="operator"):
        judge(1.0, "≈", 1.0)
