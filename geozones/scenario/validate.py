"""Check a scenario file against everything a run needs, reporting every problem at once.

:func:`validate_scenario` returns (never raises) the list of problems, each a
:class:`~geozones.errors.ScenarioError` with file:line and field: the file's own fields and
actions (all of them, not only the first bad one), the ``base:`` chain (each base checked in
turn), the province name (the pre-2025 name the zones carry; a post-2025 name is named as
such), every zone id an action refers to, in year order (zones added by earlier actions
count, retired ones no longer do), every constraint layer (store layer or file), the DEM, and
the allocation's suitability file with every layer it names (:func:`validate_suitability`, which
also checks a suitability file on its own).
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd

from geozones.errors import ScenarioError, ScenarioErrors, UnknownAttributeError
from geozones.scenario.chain import resolve_base, same_province
from geozones.scenario.model import Scenario
from geozones.scenario.parse import load_scenario
from geozones.scenario.suitability import SuitabilitySpec, check_suitability_layers, load_suitability
from geozones.schema import PROVINCE_AFTER_2025, ascii_name


def _province_problem(scenario: Scenario) -> ScenarioError | None:
    names = {ascii_name(n).lower(): n for n in PROVINCE_AFTER_2025}
    given = ascii_name(scenario.province).lower()
    if given in names:
        return None
    after = sorted({ascii_name(v).lower(): v for v in PROVINCE_AFTER_2025.values()}.items())
    merged = [old for old, new in PROVINCE_AFTER_2025.items() if ascii_name(new).lower() == given]
    hint = (
        (f"{scenario.province!r} is a post-2025 province name; zones carry the pre-2025 name ({' or '.join(merged)})")
        if merged
        else (
            f"unknown province {scenario.province!r}; the zones' pre-2025 provinces are "
            f"{', '.join(PROVINCE_AFTER_2025)} (after 2025: {', '.join(v for _, v in after)})"
        )
    )
    return ScenarioError(hint, scenario.path, scenario.lines.get("province"), "province")


def _zone_ids(zones: gpd.GeoDataFrame, scenario: Scenario) -> dict[str, str]:
    mine = zones[zones["province_pre2025"].map(lambda p: same_province(p, scenario.province))]
    return dict(zip(mine["id"], mine["status"]))


def _check_actions(scenario: Scenario, ids: dict[str, str]) -> list[ScenarioError]:
    """Zone references in year order; returns problems and updates ``ids`` to the end state."""
    problems = []
    order = sorted(enumerate(scenario.actions), key=lambda pair: (pair[1].year, pair[0]))
    for index, action in order:
        refs = [("zone", action.params.get("zone"))] if "zone" in action.params else []
        if action.kind == "add_phase":
            refs.append(("of", action.params.get("of")))
        for key, zone_id in refs:
            if zone_id not in ids:
                problems.append(
                    ScenarioError(
                        f"no zone {zone_id!r} in {scenario.province} in {action.year}",
                        scenario.path,
                        action.line,
                        f"actions[{index}].{key}",
                    )
                )
            elif ids[zone_id] == "retired" and action.kind != "set_status":
                problems.append(
                    ScenarioError(
                        f"zone {zone_id!r} is retired before {action.year}",
                        scenario.path,
                        action.line,
                        f"actions[{index}].{key}",
                    )
                )
        if action.kind in ("add_zone", "add_phase"):
            new = action.params.get("id")
            if new in ids:
                problems.append(
                    ScenarioError(f"zone {new!r} already exists", scenario.path, action.line, f"actions[{index}].id")
                )
            ids[new] = action.params.get("status", "planned")
        elif action.kind == "retire" and action.zone in ids:
            ids[action.zone] = "retired"
        elif action.kind == "set_status" and action.zone in ids:
            ids[action.zone] = action.params["status"]
    return problems


def _check_layers(scenario: Scenario, store, layers: dict) -> list[ScenarioError]:
    problems = []
    where = Path(scenario.path).parent if scenario.path else Path.cwd()
    c = scenario.constraints
    names = None
    for group, refs in (("exclusions", c.exclusions), ("buffers", c.buffers)):
        for i, ref in enumerate(refs):
            if ref.optional:
                continue
            if ref.file:
                path = Path(ref.file) if Path(ref.file).is_absolute() else where / ref.file
                if not path.exists():
                    problems.append(
                        ScenarioError(
                            f"constraint file {ref.file!r} not found",
                            scenario.path,
                            ref.line,
                            f"constraints.{group}[{i}].file",
                        )
                    )
            elif ref.layer not in layers:
                if names is None:
                    try:
                        names = set(store.layers()) if store is not None else set()
                    except (OSError, UnknownAttributeError):
                        names = set()
                if ref.layer not in names:
                    problems.append(
                        ScenarioError(
                            f"no store layer {ref.layer!r} (mark it optional: true to skip it when absent)",
                            scenario.path,
                            ref.line,
                            f"constraints.{group}[{i}].layer",
                        )
                    )
    if c.dem:
        dem = Path(c.dem) if Path(c.dem).is_absolute() else where / c.dem
        if not dem.exists():
            problems.append(
                ScenarioError(
                    f"DEM {c.dem!r} not found", scenario.path, scenario.lines.get("constraints.dem"), "constraints.dem"
                )
            )
    return problems


def _check_suitability(scenario: Scenario, store, layers: dict) -> list[ScenarioError]:
    """The allocation's suitability file: there, valid, and every layer, file and DEM it names present."""
    name = scenario.allocation.get("suitability")
    if not name:
        return []
    where = Path(scenario.path).parent if scenario.path and Path(scenario.path).exists() else Path.cwd()
    path = Path(name) if Path(name).is_absolute() else where / name
    if not path.is_file():
        return [
            ScenarioError(
                f"suitability file {name!r} not found",
                scenario.path,
                scenario.lines.get("allocation.suitability"),
                "allocation.suitability",
            )
        ]
    return validate_suitability(path, store=store, layers=layers)


def validate_suitability(
    source: SuitabilitySpec | str | os.PathLike, *, store=None, layers: dict | None = None, store_factory=None
) -> list[ScenarioError]:
    """Every problem a run of the suitability file would meet, each with its file:line (empty list: runs).

    The file's own fields and judgements (:func:`~geozones.scenario.suitability.load_suitability`),
    then every criterion layer, file, DEM, road layer (``along``) and exclusion it names
    (:func:`~geozones.scenario.suitability.check_suitability_layers`).
    """
    if not isinstance(source, SuitabilitySpec):
        try:
            source = load_suitability(source)
        except ScenarioErrors as exc:
            return list(exc.errors)
        except ScenarioError as exc:
            return [exc]
    if store is None and store_factory is not None:
        store = store_factory()
    return check_suitability_layers(source, store, layers or {})


def validate_scenario(
    source: Scenario | str | os.PathLike,
    *,
    store=None,
    zones: gpd.GeoDataFrame | None = None,
    layers: dict | None = None,
    store_factory=None,
    _seen: tuple[str, ...] = (),
) -> list[ScenarioError]:
    """Every problem a run of the scenario would meet, each with its file:line (empty list: runs).

    Parameters
    ----------
    source : Scenario or path of a scenario file
    store : ZoneStore, optional
        Zones and constraint layers (default: the configured store, opened when needed).
    zones : GeoDataFrame, optional
        Zones to check ids against instead of the store's.
    layers : dict, optional
        Constraint layers by name, as for :func:`geozones.scenario.run.run_scenario`.
    store_factory : callable, optional
        Opens the store when one is first needed (default: the configured store).
    """
    if not isinstance(source, Scenario):
        try:
            source = load_scenario(source)
        except ScenarioErrors as exc:
            return list(exc.errors)
        except ScenarioError as exc:
            return [exc]
    scenario = source
    problems: list[ScenarioError] = []
    province = _province_problem(scenario)
    if province is not None:
        return [province]
    if zones is None:
        if store is None:
            from geozones.store import open_store

            store = (store_factory or open_store)()
        zones = store.zones()
    if scenario.base:
        try:
            base = resolve_base(scenario, _seen)
        except ScenarioError as exc:
            problems.append(exc)
            ids = _zone_ids(zones, scenario)
        else:
            problems.extend(
                validate_scenario(base, store=store, zones=zones, layers=layers, _seen=_seen + (scenario.id,))
            )
            ids = _end_ids(base, zones, _seen + (scenario.id,))
    else:
        ids = _zone_ids(zones, scenario)
    problems.extend(_check_actions(scenario, ids))
    problems.extend(_check_layers(scenario, store, layers or {}))
    problems.extend(_check_suitability(scenario, store, layers or {}))
    problems.extend(_check_target_files(scenario))
    return sorted(problems, key=lambda e: (str(e.path), e.line or 0))


def _check_target_files(scenario: Scenario) -> list[ScenarioError]:
    """The ``{include: file}`` target files read as a run would read them."""
    from geozones.scenario.targets import included_targets

    try:
        included_targets(scenario)
    except ScenarioErrors as exc:
        return list(exc.errors)
    except ScenarioError as exc:
        return [exc]
    return []


def _end_ids(scenario: Scenario, zones: gpd.GeoDataFrame, seen: tuple[str, ...]) -> dict[str, str]:
    """Zone ids and statuses at the end of a scenario and its bases."""
    if scenario.base:
        try:
            ids = _end_ids(resolve_base(scenario, seen), zones, seen + (scenario.id,))
        except ScenarioError:
            ids = _zone_ids(zones, scenario)
    else:
        ids = _zone_ids(zones, scenario)
    _check_actions(scenario, ids)
    return ids
