"""Provincial targets against a scenario's timeline: pass, fail or not assessed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geozones.errors import InvalidParameterError, UnknownAttributeError
from geozones.scenario.chain import same_province
from geozones.scenario.model import Scenario

#: Tolerance used for "about" (~) targets: within 10 % of the value (a geozones convention).
ABOUT_TOLERANCE = 0.10
#: Target id fragment -> timeline column it is checked against.
TARGET_INDICATORS = {
    "ccn-count": "ccn_count",
    "ccn-area": "ccn_area_ha",
    "complete-infra": "ccn_full_infra",
    "ccn-occupancy": "ccn_full_infra_occupancy_pct",
}


def store_targets(store) -> pd.DataFrame:
    """The store's ``table_targets`` (an empty table with its columns when it has none)."""
    try:
        return store.layer("table_targets")
    except (UnknownAttributeError, KeyError):
        return pd.DataFrame(
            columns=["id", "province_pre2025", "indicator", "operator", "value", "value_max", "unit", "year", "source"]
        )


def check_targets(timeline: pd.DataFrame, targets: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Each target of the scenario's province against the timeline: pass, fail or not assessed.

    ``>=``, ``>``, ``=``, ``between`` (inclusive) compare directly; ``~`` ("about") passes
    within :data:`ABOUT_TOLERANCE` (10 %) of the value, a convention of geozones, not of the source.
    """
    rows = []
    mine = (
        targets[targets["province_pre2025"].map(lambda p: same_province(p, scenario.province))]
        if len(targets)
        else targets
    )
    for _, target in mine.iterrows():
        year = int(target["year"])
        column = next((col for key, col in TARGET_INDICATORS.items() if key in str(target["id"])), None)
        value = float(target["value"])
        vmax = (
            float(target["value_max"])
            if target.get("value_max") not in (None, "") and pd.notna(target.get("value_max"))
            else None
        )
        record = {
            "target": target["id"],
            "indicator": target["indicator"],
            "year": year,
            "operator": target["operator"],
            "value": value,
            "value_max": vmax,
            "unit": target["unit"],
            "source": target["source"],
            "scenario_value": np.nan,
            "status": "not assessed",
            "note": "",
        }
        if column is None:
            record["note"] = "not a land indicator: outside what a zone scenario measures"
        elif year not in timeline.index:
            record["note"] = f"the scenario runs {scenario.start_year}–{scenario.end_year}"
        else:
            actual = timeline.loc[year, column]
            record["scenario_value"] = actual
            if pd.isna(actual):
                record["note"] = "no value (e.g. no occupancy figure for these zones)"
            else:
                record["status"] = "pass" if meets_target(float(actual), target["operator"], value, vmax) else "fail"
        rows.append(record)
    return pd.DataFrame(
        rows,
        columns=[
            "target",
            "indicator",
            "year",
            "operator",
            "value",
            "value_max",
            "unit",
            "source",
            "scenario_value",
            "status",
            "note",
        ],
    )


def meets_target(actual: float, operator: str, value: float, vmax: float | None) -> bool:
    """Whether ``actual`` satisfies a target's ``operator`` and value(s) (see :func:`check_targets`)."""
    if operator == ">=":
        return actual >= value
    if operator == ">":
        return actual > value
    if operator == "=":
        return abs(actual - value) <= 1e-9 * max(1.0, abs(value))
    if operator == "~":
        return abs(actual - value) <= ABOUT_TOLERANCE * abs(value)
    if operator == "between":
        return value <= actual <= (vmax if vmax is not None else value)
    if operator == "<=":
        return actual <= value
    if operator == "<":
        return actual < value
    raise InvalidParameterError(f"unknown target operator {operator!r}")
