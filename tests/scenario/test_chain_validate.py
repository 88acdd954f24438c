"""Chained scenarios (base:) equal the two runs in sequence; validate reports every problem with file:line."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from geozones.errors import ScenarioError, ScenarioErrors
from geozones.scenario import load_scenario, loads_scenario, run_scenario
from geozones.scenario.validate import validate_scenario

ROOT = Path(__file__).resolve().parents[2]
PROGRAMME = ROOT / "scenarios" / "bac-kan-2021-2025.yaml"

NEXT = textwrap.dedent("""\
    id: next-plan
    name: 2026-2028 on top of the programme
    province: Bắc Kạn
    start_year: 2026
    end_year: 2028
    base: {base}
    actions:
      - {{action: complete_phase, year: 2027, zone: bk-kcn-thanh-binh-mr, assumption: test}}
      - {{action: set_infrastructure, year: 2026, zone: bk-ccn-cam-giang, complete: true, assumption: test}}
      - {{action: grow, year: 2028, zone: bk-ccn-vang-muoi, by_ha: 4, assumption: test growth}}
    """)


@pytest.fixture
def folder(tmp_path):
    shutil.copy(PROGRAMME, tmp_path / PROGRAMME.name)
    return tmp_path


def test_chained_scenario_equals_the_two_runs_in_sequence(folder, built_store):
    for ref in (PROGRAMME.name, "bac-kan-2021-2025"):  # a file or an id in the same folder
        path = folder / "next.yaml"
        path.write_text(NEXT.format(base=ref), encoding="utf-8")
        chained = run_scenario(load_scenario(path), store=built_store)
        first = run_scenario(load_scenario(PROGRAMME), store=built_store)
        by_hand = run_scenario(
            loads_scenario(NEXT.format(base="x").replace("base: x\n", "")), store=built_store, zones=first.zones
        )
        pd.testing.assert_frame_equal(chained.timeline.loc[2021:2025], first.timeline)
        pd.testing.assert_frame_equal(chained.timeline.loc[2026:2028], by_hand.timeline)
        assert list(chained.zones.index) == list(by_hand.zones.index)
        for column in ("status", "hectares", "occupancy_pct", "infrastructure_complete"):
            pd.testing.assert_series_equal(chained.zones[column], by_hand.zones[column])
        assert all(
            shapely.equals_exact(a, b, 1e-9)
            for a, b in zip(chained.zones.geometry, by_hand.zones.geometry)
            if a is not None
        )
        # the base's set_infrastructure of 2025 carries over (4 CCN complete), the new one adds Cẩm Giàng
        assert chained.timeline.loc[2025, "ccn_full_infra"] == 4
        assert chained.timeline.loc[2026, "ccn_full_infra"] == 5
        # compared from the same start as the base: the diff spans 2021-2028
        assert chained.base.equals(first.base)
        assert set(chained.targets["target"]) == set(first.targets["target"])


def test_base_chain_errors_name_the_line(folder, built_store):
    path = folder / "next.yaml"
    path.write_text(NEXT.format(base="nowhere.yaml"), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"next.yaml:6: base: base scenario file 'nowhere.yaml' not found"):
        run_scenario(load_scenario(path), store=built_store)
    path.write_text(NEXT.format(base=PROGRAMME.name).replace("start_year: 2026", "start_year: 2025"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="must start after it"):
        run_scenario(load_scenario(path), store=built_store)


def test_all_file_errors_are_reported_at_once(tmp_path):
    text = (
        NEXT.format(base="x.yaml")
        .replace("by_ha: 4", "by_ha: -4")
        .replace("complete: true", "complete: yes-please")
        .replace("year: 2027", "year: 2031")
    )
    with pytest.raises(ScenarioErrors) as caught:
        loads_scenario(text, name="plan.yaml")
    lines = sorted(e.line for e in caught.value.errors)
    assert lines == [8, 9, 10]
    assert "3 problems" in str(caught.value) and "plan.yaml:10: actions[2].by_ha" in str(caught.value)


def test_validate_checks_what_run_would_and_reports_every_problem(folder, built_store):
    text = NEXT.format(base=PROGRAMME.name) + textwrap.dedent("""\
        constraints:
          exclusions:
            - {file: missing-water.gpkg}
            - {layer: no_such_layer}
        """)
    text = text.replace("zone: bk-ccn-vang-muoi", "zone: bk-ccn-vang-moui")
    path = folder / "next.yaml"
    path.write_text(text, encoding="utf-8")
    problems = validate_scenario(path, store=built_store)
    messages = [str(p) for p in problems]
    assert len(problems) == 3, messages
    assert any("next.yaml:10: actions[2].zone: no zone 'bk-ccn-vang-moui'" in m for m in messages)
    assert any("next.yaml:13" in m and "missing-water.gpkg" in m for m in messages)
    assert any("next.yaml:14" in m and "no_such_layer" in m for m in messages)
    # a post-2025 province name is named as such
    path.write_text(
        NEXT.format(base=PROGRAMME.name).replace("province: Bắc Kạn", "province: Thái Nguyên 2026"), encoding="utf-8"
    )
    assert "unknown province" in str(validate_scenario(path, store=built_store)[0])
    # the shipped scenarios are clean
    for shipped in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert validate_scenario(shipped, store=built_store) == []


def test_cli_validate_prints_every_problem(folder, store):
    from geozones.cli import app

    path = folder / "next.yaml"
    path.write_text(
        NEXT.format(base=PROGRAMME.name)
        .replace("zone: bk-ccn-vang-muoi", "zone: nope")
        .replace("zone: bk-ccn-cam-giang", "zone: nope-either"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["--store", str(store.path), "scenario", "validate", str(path)])
    assert result.exit_code == 2
    assert "2 problems" in result.output and "next.yaml:9" in result.output and "next.yaml:10" in result.output


def test_run_notes_say_what_each_constraint_removed(tmp_path):
    import geopandas as gpd

    from geozones.schema import validate_zones
    from tests.helpers.zonefactory import CHO_MOI, bac_kan_squares

    zones = validate_zones(bac_kan_squares((200.0,)))  # one 200 m square (4 ha) centred on CHO_MOI
    east = CHO_MOI[0] + 100.0  # its east edge
    road = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(east + 50, CHO_MOI[1] - 5000), (east + 50, CHO_MOI[1] + 5000)])], crs=9213
    )
    text = textwrap.dedent("""\
        id: notes
        name: notes
        province: Bắc Kạn
        start_year: 2024
        end_year: 2024
        constraints:
          buffers:
            - {layer: road, buffer_m: 20}
        actions:
          - {action: grow, year: 2024, zone: z0, to_ha: 8, assumption: test}
        """)
    result = run_scenario(
        loads_scenario(text),
        zones=zones,
        layers={"road": road},
        targets=pd.DataFrame(
            columns=["id", "province_pre2025", "indicator", "operator", "value", "value_max", "unit", "year", "source"]
        ),
        infra={},
    )
    removed = result.removed.set_index("constraint")
    reach = removed.loc["road (+20 m)", "reach_m"]
    assert 30 < reach < 70  # the growth reaches into the corridor (30-70 m east of the edge)
    ha = removed.loc["road (+20 m)", "removed_ha"]
    # by hand: the corridor's first (reach - 30) m, over the square's 200 m side, plus at most that
    # width again over `reach` above and below it (the rounded corners of the reach)
    assert (reach - 30) * 200 / 1e4 <= ha <= (reach - 30) * (200 + 2 * reach) / 1e4
    assert removed.loc["other zones", "removed_ha"] == 0
    assert any("road (+20 m)" in note and "removed" in note for note in result.constraint_notes())
    grown = result.zones.loc["z0"].geometry
    assert shapely.area(shapely.intersection(grown, road.buffer(20).iloc[0])) < 1e-6
