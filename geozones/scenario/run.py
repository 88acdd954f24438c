"""Running a scenario: apply its actions year by year, measure indicators, check targets.

The run works on the zones of the scenario's province in its VN-2000 TM-3 CRS. Each year
applies that year's actions (in file order) and records one timeline row. Hectares are the
mapped polygon area where a zone has a polygon, else its published area.

This module holds the entry point (:func:`run_scenario`, the ``base:`` chain) and the result;
the work is split by concern:

- :mod:`geozones.scenario.actions` -- the run's state and one method per action kind;
- :mod:`geozones.scenario.constraints` -- constraint layers, buffers and slope as geometry;
- :mod:`geozones.scenario.allocate` -- where ``allocate`` actions put their hectares;
- :mod:`geozones.scenario.timeline` -- the indicators of each year's row;
- :mod:`geozones.scenario.targets` -- targets checked against the timeline;
- :mod:`geozones.scenario.chain` -- resolving ``base:`` scenarios;
- :mod:`geozones.scenario.diff` -- per-zone differences between two states;
- :mod:`geozones.scenario.odds` -- Monte Carlo odds of meeting targets.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geozones import crs as _crs
from geozones.scenario.actions import Runner
from geozones.scenario.chain import resolve_base, same_province
from geozones.scenario.diff import zone_diff
from geozones.scenario.model import Scenario
from geozones.scenario.targets import (
    ABOUT_TOLERANCE,
    TARGET_INDICATORS,
    check_targets,
    meets_target,
    store_targets,
)
from geozones.scenario.timeline import ESTABLISHED, INFRA_NOTE
from geozones.store import open_store

__all__ = [
    "ABOUT_TOLERANCE",
    "ALLOCATION_COLUMNS",
    "ESTABLISHED",
    "INFRA_NOTE",
    "REMOVED_COLUMNS",
    "TARGET_INDICATORS",
    "ScenarioResult",
    "check_targets",
    "meets_target",
    "resolve_base",
    "run_scenario",
    "same_province",
    "store_targets",
    "zone_diff",
]

ALLOCATION_COLUMNS = ["year", "demand_ha", "placed_ha", "shortfall_ha"]
REMOVED_COLUMNS = ["year", "zone", "constraint", "reach_m", "removed_ha"]


@dataclass
class ScenarioResult:
    """Everything a scenario run produces.

    Attributes
    ----------
    scenario : Scenario
    zones : GeoDataFrame
        The zones at the end year (metric CRS), with ``infrastructure_complete``,
        ``area_mapped_ha``, ``hectares`` and ``scenario_id`` columns.
    base : GeoDataFrame
        The zones before any action.
    timeline : DataFrame
        One row per year (index ``year``) of indicators.
    targets : DataFrame
        Each provincial target with the scenario's value and ``pass``/``fail``/``not assessed``.
    growth : DataFrame
        One row per growth (zone, year, target, area reached, message).
    notes : list of str
        What could not be computed and why (:meth:`constraint_notes`: what each constraint removed).
    removed : DataFrame
        Per growth and constraint: ``year``, ``zone``, ``constraint``, ``reach_m`` (the growth's final
        distance) and ``removed_ha`` (the constraint's overlap with the land within that reach).
    allocations : DataFrame
        Per ``allocate`` action: ``year``, ``demand_ha``, ``placed_ha``, ``shortfall_ha``.
    """

    scenario: Scenario
    zones: gpd.GeoDataFrame
    base: gpd.GeoDataFrame
    timeline: pd.DataFrame
    targets: pd.DataFrame
    growth: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    removed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REMOVED_COLUMNS))
    allocations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ALLOCATION_COLUMNS))

    def constraint_notes(self) -> list[str]:
        """One line per growth: the hectares each constraint took from the land within its reach."""
        lines = []
        for (year, zone), rows in self.removed.groupby(["year", "zone"], sort=False):
            listed = ", ".join(f"{r.constraint} {r.removed_ha:.2f} ha" for r in rows.itertuples())
            lines.append(
                f"{year} {zone}: within {rows['reach_m'].iloc[0]:.0f} m of its edge the constraints removed {listed}"
            )
        return lines

    def diff(self) -> pd.DataFrame:
        """Per-zone changes from the base to the end year (see :func:`zone_diff`)."""
        return zone_diff(self.base, self.zones)

    def layer(self) -> gpd.GeoDataFrame:
        """The end-year zones in WGS84, ready for a store layer or a GeoPackage."""
        out = self.zones.to_crs(_crs.WGS84).copy()
        for column in out.columns:
            if column != "geometry" and out[column].dtype == object:
                out[column] = out[column].map(lambda v: v if v is None or isinstance(v, str) else str(v))
        return out

    def save(self, store=None, gpkg: str | os.PathLike | None = None) -> list[str]:
        """Write the end-year zones as layer ``scenario_<id>`` to a store and/or a GeoPackage."""
        from geozones.io import to_geopackage

        written = []
        frame = self.layer()
        name = self.scenario.layer_name
        if store is not None:
            store.write_layer(name, frame)
            written.append(f"store layer {name}")
        if gpkg is not None:
            to_geopackage(frame, gpkg, name, append_layer=True)
            written.append(f"{gpkg} layer {name}")
        return written


def run_scenario(
    scenario: Scenario,
    *,
    store=None,
    zones: gpd.GeoDataFrame | None = None,
    layers: dict[str, gpd.GeoDataFrame] | None = None,
    targets: pd.DataFrame | None = None,
    infra: dict | None = None,
    cache: dict | None = None,
    bases: Sequence[Scenario] | None = None,
) -> ScenarioResult:
    """Apply a scenario to the zones and measure it year by year.

    Parameters
    ----------
    scenario : Scenario
    store : ZoneStore, optional
        Source of zones, constraint layers and the ``targets`` table (default: the configured store).
    zones : GeoDataFrame, optional
        Zones to start from instead of the store's.
    layers : dict, optional
        Constraint layers by name, looked up before the store.
    targets : DataFrame, optional
        Targets table (columns of ``data/zones/targets.csv``); default: the store's ``table_targets``.
    infra : dict, optional
        Infrastructure layers for ``geozones.analysis.proximity.infrastructure_distances``.
    cache : dict, optional
        Shared between runs of variants of one scenario on the same zones and layers (Monte Carlo
        draws): constraint unions, growth results and distances computed once. Pass an empty
        dict; never share it between different zones, layers or constraints.
    bases : sequence of Scenario, optional
        The chain of ``base:`` scenarios (nearest first) to use instead of resolving them from
        ``scenario.base``: Monte Carlo draws of their uncertain figures. Their results are then
        not reused between calls.

    Returns
    -------
    ScenarioResult
    """
    if zones is None or targets is None:
        if store is None:
            store = open_store()
    if zones is None:
        zones = store.zones()
    if scenario.base:
        return _run_chained(
            scenario, store=store, zones=zones, layers=layers, targets=targets, infra=infra, cache=cache, bases=bases
        )
    runner = Runner(scenario, zones, store, layers or {}, infra, {} if cache is None else cache)
    timeline = runner.run()
    if targets is None:
        targets = store_targets(store)
    checked = check_targets(timeline, targets, scenario)
    return ScenarioResult(
        scenario,
        runner.zones,
        runner.base,
        timeline,
        checked,
        pd.DataFrame(
            runner.growth_log, columns=["year", "zone", "action", "target_ha", "area_ha", "reached", "message"]
        ),
        runner.notes,
        pd.DataFrame(runner.removals, columns=REMOVED_COLUMNS),
        pd.DataFrame(runner.allocations, columns=ALLOCATION_COLUMNS),
    )


def _run_chained(
    scenario: Scenario, *, store, zones, layers, targets, infra, cache=None, bases=None, _seen=()
) -> ScenarioResult:
    """Run the base chain, then this scenario from the base's end state; one timeline from the first start.

    With a ``cache`` (Monte Carlo draws of this scenario's own figures) the base runs once: its
    result is the same for every draw. With drawn ``bases`` (nearest first) the base runs every
    time, sharing its own cache, and this scenario starts from each run's end state.
    """
    base = bases[0] if bases else resolve_base(scenario, _seen)
    if bases and cache is not None:  # the base differs per call: share only what does not depend on it
        base_cache = cache.setdefault("base", {})
        if base.base:
            first = _run_chained(
                base,
                store=store,
                zones=zones,
                layers=layers,
                targets=targets,
                infra=infra,
                cache=base_cache,
                bases=bases[1:] or None,
                _seen=_seen + (scenario.id,),
            )
        else:
            first = run_scenario(
                base, store=store, zones=zones, layers=layers, targets=targets, infra=infra, cache=base_cache
            )
        cache.setdefault("own", {}).pop("start", None)  # this run starts from this draw's end state
    elif cache is not None and "base_result" in cache:
        first = cache["base_result"]
    elif base.base:
        first = _run_chained(
            base,
            store=store,
            zones=zones,
            layers=layers,
            targets=targets,
            infra=infra,
            bases=bases[1:] if bases else None,
            _seen=_seen + (scenario.id,),
        )
    else:
        first = run_scenario(base, store=store, zones=zones, layers=layers, targets=targets, infra=infra)
    if cache is not None and not bases:
        cache["base_result"] = first
    own = dataclasses.replace(scenario, base=None)
    second = run_scenario(
        own,
        store=store,
        zones=first.zones,
        layers=layers,
        targets=targets,
        infra=infra,
        cache=None if cache is None else cache.setdefault("own", {}),
    )
    timeline = pd.concat([first.timeline, second.timeline])
    if targets is None:
        targets = store_targets(store)
    whole = dataclasses.replace(scenario, start_year=first.timeline.index.min())
    return ScenarioResult(
        scenario,
        second.zones,
        first.base,
        timeline,
        check_targets(timeline, targets, whole),
        pd.concat([first.growth, second.growth], ignore_index=True),
        [f"base {base.id}: {n}" for n in first.notes] + second.notes,
        pd.concat([first.removed, second.removed], ignore_index=True),
        pd.concat([first.allocations, second.allocations], ignore_index=True),
    )
