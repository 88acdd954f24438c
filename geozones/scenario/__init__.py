"""Expansion scenarios: scenario files, constrained growth, timelines, targets and comparison.

May import: the core, ``geozones.io``, ``geozones.store`` and ``geozones.analysis``. Never
imports ``cli``, ``api`` or ``maps``.

>>> from geozones.scenario import load_scenario, run_scenario, compare_indicators
>>> result = run_scenario(load_scenario("scenarios/bac-kan-2021-2025.yaml"))   # doctest: +SKIP
>>> result.timeline[["total_ha", "ccn_count", "ccn_full_infra"]]               # doctest: +SKIP
"""

from geozones.scenario.compare import compare_indicators, compare_zones, save_all
from geozones.scenario.model import ACTION_SPECS, Action, Constraints, LayerRef, Scenario
from geozones.scenario.parse import load_scenario, loads_scenario
from geozones.scenario.run import ScenarioResult, check_targets, run_scenario, zone_diff

__all__ = [
    "ACTION_SPECS",
    "Action",
    "Constraints",
    "LayerRef",
    "Scenario",
    "ScenarioResult",
    "load_scenario",
    "loads_scenario",
    "run_scenario",
    "check_targets",
    "zone_diff",
    "compare_indicators",
    "compare_zones",
    "save_all",
]
