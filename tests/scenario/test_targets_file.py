"""Targets declared in a scenario file: any indicator and year, every operator, checked against hand-computed timelines."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from geozones.errors import ScenarioError
from geozones.scenario import load_scenario, loads_scenario, run_scenario
from geozones.scenario.odds import target_odds
from geozones.scenario.targetspec import rounding_tolerance
from geozones.schema import validate_zones
from tests.helpers.tools import ROOT
from tests.helpers.zonefactory import bac_kan_squares

NO_TABLE = pd.DataFrame(
    columns=["id", "province_pre2025", "indicator", "operator", "value", "value_max", "unit", "year", "source"]
)
# three established CCN squares of 100, 25 and 4 ha (z0, z1, z2); 2027: z1 retires, z2 grows by 6 ha
# hand timeline: 2026 ccn_count 3, ccn_area_ha 129; 2027 ccn_count 2, ccn_area_ha 100 + 10 = 110
PLAN = textwrap.dedent("""\
    id: targets
    name: targets
    province: Bắc Kạn
    start_year: 2026
    end_year: 2027
    constraints: {avoid_other_zones: true}
    actions:
      - {action: retire, year: 2027, zone: z1, assumption: test}
      - {action: grow, year: 2027, zone: z2, by_ha: 6, assumption: test}
    targets:
      - {id: count-2026, name: three CCN in 2026, indicator: ccn_count, year: 2026, operator: ">=", value: 3,
         source: test}
      - {id: count-2027, name: three CCN in 2027, indicator: ccn_count, year: 2027, operator: ">=", value: 3,
         source: test}
      - {id: about-wide, name: about 130 ha within 1.5 ha, indicator: ccn_area_ha, year: 2026, operator: about,
         value: 130, tolerance: 1.5, source: test}
      - {id: about-tight, name: about 130 ha within 0.5 %, indicator: ccn_area_ha, year: 2026, operator: about,
         value: 130, tolerance: "0.5%", source: test}
      - {id: between-low, name: 100 to 109 ha, indicator: ccn_area_ha, year: 2027, operator: between, value: 100,
         max: 109, source: test}
      - {id: between-ok, name: 105 to 115 ha, indicator: ccn_area_ha, year: 2027, operator: between, value: 105,
         max: 115, source: test}
      - {id: at-most, name: at most 110.5 ha, indicator: total_ha, year: 2027, operator: "<=", value: 110.5,
         source: test}
      - {id: above, name: more than 128.9 ha, indicator: total_ha, year: 2026, operator: ">", value: 128.9,
         source: test}
      - {id: jobs, name: jobs, indicator: jobs, year: 2026, operator: ">=", value: 1000, assumption: not a land figure}
      - {id: later, name: five CCN by 2030, indicator: ccn_count, year: 2030, operator: ">=", value: 5, source: test}
    """)
EXPECTED = {  # id -> (status, scenario value by hand)
    "count-2026": ("pass", 3),
    "count-2027": ("fail", 2),
    "about-wide": ("pass", 129),  # |129 - 130| = 1 <= 1.5
    "about-tight": ("fail", 129),  # 0.5 % of 130 = 0.65 < 1
    "between-low": ("fail", 110),
    "between-ok": ("pass", 110),
    "at-most": ("pass", 110),
    "above": ("pass", 129),
    "jobs": ("not assessed", np.nan),
    "later": ("not assessed", np.nan),
}


@pytest.fixture(scope="module")
def zones():
    return validate_zones(bac_kan_squares(status="established"))


def test_declared_targets_against_a_hand_computed_timeline(zones):
    result = run_scenario(loads_scenario(PLAN), zones=zones, targets=NO_TABLE, infra={})
    assert result.timeline.loc[2026, "ccn_area_ha"] == pytest.approx(129, abs=0.01)
    assert result.timeline.loc[2027, "ccn_area_ha"] == pytest.approx(110, abs=0.06)  # growth within 0.5 %
    table = result.targets.set_index("target")
    assert list(table.index) == list(EXPECTED)
    for target, (status, value) in EXPECTED.items():
        assert table.loc[target, "status"] == status, target
        if not np.isnan(value):
            assert table.loc[target, "scenario_value"] == pytest.approx(value, abs=0.06), target
    assert table.loc["about-tight", "note"] == "below the target"
    assert table.loc["between-low", "note"] == "above the target"
    assert table.loc["about-tight", "tolerance"] == pytest.approx(0.65)
    assert table.loc["about-wide", "rule"] == "about 130 (± 1.5: 128.5–131.5)"
    assert table.loc["count-2026", "name"] == "three CCN in 2026"
    assert "runs 2026–2027" in table.loc["later", "note"]
    # a table the store holds is ignored when the scenario declares its own
    table_rows = pd.DataFrame(
        [["bk-target-ccn-count-2099", "Bắc Kạn", "x", ">=", 1, None, "count", 2026, "s"]], columns=NO_TABLE.columns
    )
    again = run_scenario(loads_scenario(PLAN), zones=zones, targets=table_rows, infra={})
    assert list(again.targets["target"]) == list(EXPECTED)


@pytest.mark.parametrize(
    "change, message",
    [
        ("tolerance: 1.5, source: test", "about needs its tolerance written"),
        ("max: 109, source: test", "between needs max"),
        ('operator: ">", value: 128.9', "operator must be one of"),
        ("value: 1000, assumption: not a land figure", "needs a source"),
    ],
)
def test_a_target_without_its_rule_or_source_is_refused_with_its_line(change, message):
    replaced = {
        "tolerance: 1.5, source: test": "source: test",
        "max: 109, source: test": "source: test",
        'operator: ">", value: 128.9': 'operator: "gt", value: 128.9',
        "value: 1000, assumption: not a land figure": "value: 1000",
    }[change]
    with pytest.raises(ScenarioError, match=message) as info:
        loads_scenario(PLAN.replace(change, replaced, 1), name="plan.yaml")
    assert info.value.line is not None and info.value.line >= 11


def test_rounding_tolerance_by_hand():
    assert rounding_tolerance(150) == 5
    assert rounding_tolerance(6) == 0.5
    assert rounding_tolerance(2000) == 500
    assert rounding_tolerance(0.8) == pytest.approx(0.05)
    assert rounding_tolerance(202.4) == pytest.approx(0.05)


def test_the_shipped_targets_cite_their_sources_and_the_programme_checks_them(built_store):
    scenario = load_scenario(ROOT / "scenarios" / "bac-kan-2021-2025.yaml")
    assert scenario.target_files == ("data:targets/bac-kan.yaml",)
    assert not any("targets" in ref for ref in scenario.file_references())  # a shipped file: allowed over HTTP
    # a file of the user's is a file reference (refused over the network); a shipped one is not
    own = loads_scenario(PLAN.replace("targets:\n", "targets:\n  - {include: mine.yaml}\n", 1))
    assert "targets.include: mine.yaml" in own.file_references()
    with pytest.raises(ScenarioError, match="data:targets/<name>.yaml"):
        run_scenario(
            loads_scenario(PLAN.replace("targets:\n", "targets:\n  - {include: 'data:targets/../../x.yaml'}\n", 1)),
            zones=validate_zones(bac_kan_squares(status="established")),
            targets=NO_TABLE,
            infra={},
        )
    result = run_scenario(scenario, store=built_store)
    table = result.targets.set_index("target")
    assert set(table["year"]) == {2025, 2030}
    for source in table["source"]:
        assert "seed" not in source and ".txt" not in source and "/" in source  # a title and a date, not a file
    area = table.loc["bk-target-ccn-area-2025"]
    # published CCN areas 74.4 + 43 + 50 + 15 + 20 = 202.4 ha (seed 001): not "khoảng 150 ha" (145–155)
    assert area["status"] == "fail" and area["note"] == "above the target"
    assert area["scenario_value"] == pytest.approx(202.4, abs=0.05) and area["tolerance"] == 5
    assert table.loc["bk-target-ccn-count-2025", "status"] == "pass"
    assert table.loc["bk-target-industry-grdp-share-2030", "status"] == "not assessed"
    assert table.loc["bk-target-ccn-count-2025", "name"] == "At least 6 CCN invested by 2025"


def test_odds_of_a_declared_target_equal_the_share_of_draws_by_hand(zones):
    text = PLAN.replace(
        "  - {action: retire, year: 2027, zone: z1, assumption: test}\n",
        "  - {action: retire, year: 2027, zone: z1, assumption: test, uncertain: {year: {choice: [2026, 2027]}}}\n",
    )
    odds = target_odds(loads_scenario(text), draws=40, seed=7, zones=zones, targets=NO_TABLE, infra={})
    rng = np.random.default_rng(7)
    retire_2026 = sum(int(rng.integers(2)) == 0 for _ in range(40))  # the same draws, by hand
    table = odds.probabilities.set_index(["target", "year"])
    # three CCN in 2026 unless z1 retires in 2026
    assert table.loc[("count-2026", 2026), "probability"] == pytest.approx((40 - retire_2026) / 40)
    assert table.loc[("count-2027", 2027), "probability"] == 0
    assert table.loc[("count-2026", 2026), "name"] == "three CCN in 2026"
    assert "jobs" not in set(odds.probabilities["target"])
