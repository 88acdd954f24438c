"""Targets against a scenario's timeline: pass, fail or not assessed (declared in the file or the store's table)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geozones.errors import InvalidParameterError, ScenarioError, UnknownAttributeError
from geozones.scenario.chain import same_province
from geozones.scenario.model import Scenario
from geozones.scenario.parse import parse_yaml
from geozones.scenario.targetspec import (
    MAX_TARGETS,
    SHIPPED_PREFIX,
    Target,
    build_target,
    is_shipped,
    rounding_tolerance,
)

#: Former fixed tolerance of "about" (~) targets (10 %); no longer used: "about" passes within the
#: tolerance the target writes, or, for a table row, the rounding of its figure (docs/scenarios.md).
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


TARGET_COLUMNS = [
    "target",
    "name",
    "name_vi",
    "indicator",
    "year",
    "operator",
    "value",
    "value_max",
    "tolerance",
    "rule",
    "unit",
    "source",
    "scenario_value",
    "status",
    "note",
]


def _optional(value) -> float | None:
    return float(value) if value not in (None, "") and pd.notna(value) else None


def table_targets(targets: pd.DataFrame, scenario: Scenario) -> list[Target]:
    """The rows of a targets table (``data/zones/targets.csv`` columns) for the scenario's province.

    The timeline column comes from :data:`TARGET_INDICATORS` (a fragment of the id); a row no
    fragment matches keeps its description as indicator (listed, not assessed). ``~`` is ``about``
    with the rounding tolerance (:func:`geozones.scenario.targetspec.rounding_tolerance`).
    """
    mine = (
        targets[targets["province_pre2025"].map(lambda p: same_province(p, scenario.province))]
        if len(targets)
        else targets
    )
    out = []
    for _, row in mine.iterrows():
        column = next((col for key, col in TARGET_INDICATORS.items() if key in str(row["id"])), None)
        operator = "about" if row["operator"] == "~" else str(row["operator"])
        value = float(row["value"])
        out.append(
            Target(
                id=str(row["id"]),
                name=str(row["indicator"]),
                indicator=column or str(row["indicator"]),
                year=int(row["year"]),
                operator=operator,
                value=value,
                value_max=_optional(row.get("value_max")),
                tolerance=rounding_tolerance(value) if operator == "about" else None,
                tolerance_basis="the source gives no band: the figure as it is rounded" if operator == "about" else "",
                unit=str(row.get("unit") or ""),
                source=str(row.get("source") or ""),
                province=str(row["province_pre2025"]),
            )
        )
    return out


def resolve_targets(scenario: Scenario, table: pd.DataFrame | None) -> list[Target]:
    """A scenario's targets: those it declares (``targets:``), else the targets table's for its province."""
    if scenario.targets or scenario.target_files:
        return [
            t for t in scenario_targets(scenario) if t.province is None or same_province(t.province, scenario.province)
        ]
    return table_targets(table, scenario) if table is not None else []


def check_targets(timeline: pd.DataFrame, targets: pd.DataFrame | None, scenario: Scenario) -> pd.DataFrame:
    """Each target of the scenario against the timeline: pass, fail or not assessed.

    The targets are the scenario's own (``targets:`` in the file) or, when it declares none, the
    ``targets`` table's rows for its province (:func:`resolve_targets`). ``>=``, ``>``, ``<=``,
    ``<``, ``=`` compare directly, ``between`` is inclusive, ``about`` passes within the tolerance
    the target writes (see docs/scenarios.md for the rule).
    """
    rows = []
    for target in resolve_targets(scenario, targets):
        record = {
            "target": target.id,
            "name": target.name,
            "name_vi": target.name_vi,
            "indicator": target.indicator,
            "year": target.year,
            "operator": target.operator,
            "value": target.value,
            "value_max": target.value_max,
            "tolerance": target.tolerance,
            "rule": target.rule(),
            "unit": target.unit,
            "source": target.source,
            "scenario_value": np.nan,
            "status": "not assessed",
            "note": "",
        }
        first = int(timeline.index.min()) if len(timeline) else scenario.start_year
        last = int(timeline.index.max()) if len(timeline) else scenario.end_year
        if target.indicator not in timeline.columns:
            record["note"] = "not a land indicator: outside what a zone scenario measures"
        elif target.year not in timeline.index:
            record["note"] = f"the scenario runs {first}–{last}"
        else:
            actual = timeline.loc[target.year, target.indicator]
            record["scenario_value"] = actual
            if pd.isna(actual):
                record["note"] = "no value (e.g. no occupancy figure for these zones)"
            else:
                met = target.meets(float(actual))
                record["status"] = "pass" if met else "fail"
                if not met:
                    low, high = target.band()
                    record["note"] = "above the target" if float(actual) > high else "below the target"
        rows.append(record)
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def meets_target(
    actual: float, operator: str, value: float, vmax: float | None, tolerance: float | None = None
) -> bool:
    """Whether ``actual`` satisfies an operator and value(s); ``~``/``about`` within ``tolerance``
    (default: the rounding tolerance of ``value``)."""
    if operator == ">=":
        return actual >= value
    if operator == ">":
        return actual > value
    if operator == "=":
        return abs(actual - value) <= 1e-9 * max(1.0, abs(value))
    if operator in ("~", "about"):
        band = tolerance if tolerance is not None else rounding_tolerance(value)
        return abs(actual - value) <= band + 1e-9
    if operator == "between":
        return value <= actual <= (vmax if vmax is not None else value)
    if operator == "<=":
        return actual <= value
    if operator == "<":
        return actual < value
    raise InvalidParameterError(f"unknown target operator {operator!r}")


def shipped_target_file(name: str, scenario) -> Path:
    """The shipped file a ``data:targets/<slug>.yaml`` name stands for."""
    from geozones.paths import shipped_data_dir

    if not is_shipped(name):
        raise ScenarioError(
            f"{name!r}: a shipped target file is named data:targets/<name>.yaml", scenario.path, field="targets"
        )
    return shipped_data_dir() / name.removeprefix(SHIPPED_PREFIX)


def included_targets(scenario) -> list[Target]:
    """The targets of the scenario's ``{include: file}`` items, read now (relative to the scenario file)."""
    out: list[Target] = []
    where = Path(scenario.path).parent if scenario.path and Path(scenario.path).exists() else Path.cwd()
    for name in scenario.target_files:
        if name.startswith(SHIPPED_PREFIX):
            path = shipped_target_file(name, scenario)
        else:
            path = Path(name) if Path(name).is_absolute() else where / name
        if path.suffix.lower() not in (".yaml", ".yml"):
            raise ScenarioError(f"target file {name!r} must be .yaml", scenario.path, field="targets")
        if not path.exists():
            raise ScenarioError(f"target file {name!r} not found (looked in {where})", scenario.path, field="targets")
        data, lines = parse_yaml(path.read_text(encoding="utf-8"), str(path))
        items = data.get("targets") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ScenarioError("a target file holds a 'targets:' list", str(path), field="targets")

        def error(message, field, _path=str(path), _lines=lines):
            return ScenarioError(message, _path, _lines.get(field) or _lines.get(field.split(".")[0]), field)

        for i, item in enumerate(items[:MAX_TARGETS]):
            out.append(build_target(item, f"targets[{i}]", error, lines.get(f"targets[{i}]")))
    return out


def scenario_targets(scenario) -> list[Target]:
    """Every target of a scenario: its inline ones and those of its include files (inline ids win)."""
    inline = list(getattr(scenario, "targets", ()) or ())
    if not getattr(scenario, "target_files", ()):
        return inline
    seen = {t.id for t in inline}
    return inline + [t for t in included_targets(scenario) if t.id not in seen]
