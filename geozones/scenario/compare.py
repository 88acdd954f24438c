"""Comparing scenarios: a side-by-side indicator table and a per-zone diff."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd

from geozones.errors import InvalidParameterError
from geozones.scenario.run import ScenarioResult, zone_diff

#: Timeline columns shown in the comparison, in order.
INDICATORS = (
    "total_ha",
    "ha_planned",
    "ha_established",
    "ha_site_clearance",
    "ha_under_construction",
    "ha_operating",
    "occupied_ha",
    "new_land_ha",
    "ccn_count",
    "ccn_area_ha",
    "ccn_full_infra",
    "ccn_full_infra_occupancy_pct",
    "mean_dist_highway_m",
    "mean_dist_substation_m",
)


def compare_indicators(results: Sequence[ScenarioResult], year: int | None = None) -> pd.DataFrame:
    """Indicators side by side: one row per indicator, one column per scenario.

    Each scenario is read at ``year`` (default: its own end year). Target checks follow as
    rows ``target:<id>`` holding ``pass``/``fail``/``not assessed``.
    """
    columns = {}
    for result in results:
        at = year if year is not None else result.scenario.end_year
        if at not in result.timeline.index:
            raise InvalidParameterError(
                f"scenario {result.scenario.id!r} runs {result.scenario.start_year}–"
                f"{result.scenario.end_year}, not {at}"
            )
        values = result.timeline.loc[at, [c for c in INDICATORS if c in result.timeline.columns]].astype(object)
        checks = pd.Series(
            {f"target:{t}": s for t, s in zip(result.targets["target"], result.targets["status"])}, dtype=object
        )
        columns[result.scenario.id] = pd.concat([pd.Series({"year": at}, dtype=object), values, checks])
    table = pd.DataFrame(columns)
    table.index.name = "indicator"
    return table


def compare_zones(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    """Per-zone diff of every scenario against its own base, stacked with a ``scenario`` column."""
    frames = [zone_diff(r.base, r.zones).assign(scenario=r.scenario.id) for r in results]
    table = pd.concat(frames, ignore_index=True)
    return table[["scenario"] + [c for c in table.columns if c != "scenario"]]


def save_all(results: Sequence[ScenarioResult], gpkg: str | os.PathLike | None = None, store=None) -> list[str]:
    """Save each scenario's end-year zones as GeoPackage/store layer ``scenario_<id>``."""
    written = []
    for result in results:
        written.extend(result.save(store=store, gpkg=gpkg))
    return written
