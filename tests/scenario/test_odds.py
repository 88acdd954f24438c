"""Odds of meeting targets: seeded Monte Carlo over uncertain assumptions, against analytic probabilities."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from geozones.errors import ScenarioError
from geozones.scenario import loads_scenario
from geozones.scenario.odds import target_odds
from geozones.schema import validate_zones
from tests.helpers.zonefactory import bac_kan_squares

PLAN = textwrap.dedent("""\
    id: odds-test
    name: Odds test
    province: Bắc Kạn
    start_year: 2023
    end_year: 2026
    actions:
      - {action: complete_phase, year: 2023, zone: z0, assumption: test}
      - {action: set_status, year: 2023, zone: z1, status: operating, assumption: test}
      - action: set_occupancy
        year: 2024
        zone: z0
        occupancy_pct: 70
        assumption: occupancy between 50 and 90 %, all equally likely
        uncertain: {occupancy_pct: {uniform: [50, 90]}}
      - action: set_infrastructure
        year: 2024
        zone: z1
        complete: true
        assumption: infrastructure finished in 2023, 2024, 2025 or 2026, all equally likely
        uncertain: {year: {choice: [2023, 2024, 2025, 2026]}}
    """)

TARGETS = pd.DataFrame(
    [
        {
            "id": "t-ccn-occupancy-2025",
            "province_pre2025": "Bắc Kạn",
            "indicator": "occupancy",
            "operator": ">",
            "value": 80,
            "value_max": None,
            "unit": "%",
            "year": 2025,
            "source": "test",
        },
        {
            "id": "t-complete-infra-2024",
            "province_pre2025": "Bắc Kạn",
            "indicator": "full infrastructure",
            "operator": ">=",
            "value": 2,
            "value_max": None,
            "unit": "count",
            "year": 2024,
            "source": "test",
        },
    ]
)


@pytest.fixture(scope="module")
def zones():
    return validate_zones(bac_kan_squares())


def odds(zones, draws, seed):
    return target_odds(loads_scenario(PLAN), draws=draws, seed=seed, zones=zones, targets=TARGETS, infra={})


def test_probabilities_converge_to_the_analytic_values(zones):
    result = odds(zones, 500, seed=42)
    p = result.probabilities.set_index(["target", "year"])["probability"]
    # occupancy ~ U(50, 90) from 2024: P(> 80) = 10 / 40 = 0.25; in 2023 no zone has an occupancy
    se = (0.25 * 0.75 / 500) ** 0.5
    assert p[("t-ccn-occupancy-2025", 2025)] == pytest.approx(0.25, abs=4 * se)
    assert p[("t-ccn-occupancy-2025", 2023)] == 0
    # z0 is operating (complete) from the start; z1 completes in a year drawn from 4: P(by year) = k / 4
    for year, expected in ((2023, 0.25), (2024, 0.5), (2025, 0.75), (2026, 1.0)):
        se = (expected * (1 - expected) / 500) ** 0.5
        assert p[("t-complete-infra-2024", year)] == pytest.approx(expected, abs=max(4 * se, 1e-12))
    assert result.at_deadline()["year"].tolist() == [2025, 2024]
    assert result.values.shape == (500, 2)


def test_same_seed_same_figures_and_another_seed_differs(zones):
    a, b, c = odds(zones, 60, 7), odds(zones, 60, 7), odds(zones, 60, 8)
    pd.testing.assert_frame_equal(a.probabilities, b.probabilities)
    pd.testing.assert_frame_equal(a.values, b.values)
    assert not a.values.equals(c.values)


def test_uncertain_figures_must_be_labelled_assumptions_and_well_formed():
    base = PLAN.replace("assumption: occupancy between 50 and 90 %, all equally likely", "source: x")
    with pytest.raises(ScenarioError, match="label it with 'assumption'"):
        loads_scenario(base)
    with pytest.raises(ScenarioError, match="low < high"):
        loads_scenario(PLAN.replace("uniform: [50, 90]", "uniform: [90, 50]"))
    with pytest.raises(ScenarioError, match="outside 2023..2026"):
        loads_scenario(PLAN.replace("choice: [2023, 2024, 2025, 2026]", "choice: [2023, 2031]"))
    with pytest.raises(ScenarioError, match="cannot be uncertain"):
        loads_scenario(PLAN.replace("{occupancy_pct: {uniform", "{zone: {uniform"))


BASE = textwrap.dedent("""\
    id: odds-base
    name: Odds base
    province: Bắc Kạn
    start_year: 2023
    end_year: 2025
    actions:
      - {action: complete_phase, year: 2023, zone: z0, assumption: test}
      - action: set_occupancy
        year: 2024
        zone: z0
        occupancy_pct: 70
        assumption: occupancy between 50 and 90 %, all equally likely
        uncertain: {occupancy_pct: {uniform: [50, 90]}}
    """)

NEXT = textwrap.dedent("""\
    id: odds-next
    name: Odds next
    province: Bắc Kạn
    base: odds-base.yaml
    start_year: 2026
    end_year: 2027
    actions:
      - {action: set_status, year: 2026, zone: z1, status: operating, assumption: test}
    """)


def test_a_chained_scenario_draws_its_base_figures_too(zones, tmp_path):
    """The odds of a plan on top of another cover the base's uncertain figures: z0's occupancy is drawn
    in the base (U(50, 90) from 2024) and nothing in the plan changes it, so P(> 80 %) = 0.25 in every
    year from 2024 to the plan's end, 0 in 2023; the drawn figures are reported per base level."""
    from geozones.scenario.parse import load_scenario

    (tmp_path / "odds-base.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "odds-next.yaml").write_text(NEXT, encoding="utf-8")
    plan = load_scenario(tmp_path / "odds-next.yaml")
    result = target_odds(plan, draws=400, seed=3, zones=zones, targets=TARGETS.iloc[:1], infra={})
    p = result.probabilities.set_index("year")["probability"]
    assert list(p.index) == [2023, 2024, 2025, 2026, 2027]
    se = (0.25 * 0.75 / 400) ** 0.5
    assert p[2023] == 0
    for year in (2024, 2025, 2026, 2027):
        assert p[year] == pytest.approx(0.25, abs=4 * se)
    drawn = result.values["base[1].actions[1].occupancy_pct"]
    assert drawn.between(50, 90).all() and drawn.nunique() == 400
    # each draw is the chain run by hand: the share of draws above 80 % is the probability, year by year
    assert (drawn > 80).mean() == p[2025] == p[2027]
    again = target_odds(plan, draws=400, seed=3, zones=zones, targets=TARGETS.iloc[:1], infra={})
    pd.testing.assert_frame_equal(result.values, again.values)
