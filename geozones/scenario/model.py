"""The scenario model: a plan of dated actions on zones, under land constraints.

A scenario is plain data (a YAML/TOML file or the same dictionaries in Python) validated
into the dataclasses below. Every action carries a year and either a ``source`` (seed file
or public source) or an ``assumption`` (a sentence saying what is assumed), so a figure in
a plan is never passed off as published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

from geozones.errors import ScenarioError
from geozones.schema import KINDS, STATUSES

#: Field name -> (python types, required?) for every action kind, besides the common fields.
ACTION_SPECS: dict[str, dict[str, tuple[tuple[type, ...], bool]]] = {
    "grow": {"zone": ((str,), True), "by_ha": ((int, float), False), "to_ha": ((int, float), False)},
    "add_zone": {
        "id": ((str,), True), "name": ((str,), True), "kind": ((str,), True),
        "target_ha": ((int, float), False), "point": ((list,), False), "geometry": ((str, dict), False),
        "zone_group": ((str,), False), "phase": ((str,), False), "status": ((str,), False),
        "district_pre2025": ((str,), False), "occupancy_pct": ((int, float), False),
    },
    "add_phase": {
        "id": ((str,), True), "of": ((str,), True), "phase": ((str,), True), "target_ha": ((int, float), False),
        "geometry": ((str, dict), False), "name": ((str,), False), "status": ((str,), False),
    },
    "complete_phase": {"zone": ((str,), True)},
    "set_status": {"zone": ((str,), True), "status": ((str,), True)},
    "set_occupancy": {"zone": ((str,), True), "occupancy_pct": ((int, float), True)},
    "set_infrastructure": {"zone": ((str,), True), "complete": ((bool,), True)},
    "retire": {"zone": ((str,), True)},
}
COMMON = {"action": ((str,), True), "year": ((int,), True), "source": ((str, list), False),
          "assumption": ((str,), False), "note": ((str,), False)}

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Action:
    """One dated change to the zones.

    Attributes
    ----------
    kind : str
        One of :data:`ACTION_SPECS`: grow, add_zone, add_phase, complete_phase, set_status,
        set_occupancy, set_infrastructure, retire.
    year : int
        The year the change takes effect (it shows in the timeline from that year on).
    params : dict
        The action's own fields (``zone``, ``to_ha``, ...).
    source : str or None
        Seed file names or public sources for the figures, ``; ``-separated.
    assumption : str or None
        What is assumed where no source gives the figure.
    line : int or None
        Line in the scenario file (for error messages).
    """

    kind: str
    year: int
    params: dict[str, Any]
    source: str | None = None
    assumption: str | None = None
    note: str | None = None
    line: int | None = field(default=None, compare=False)

    @property
    def zone(self) -> str | None:
        """The zone the action changes (its id; new zones: the new id)."""
        return self.params.get("zone") or self.params.get("id")

    def describe(self) -> str:
        """A short human-readable line: ``2025 grow bk-ccn-x to 20 ha``."""
        extra = ", ".join(f"{k}={v}" for k, v in self.params.items() if k not in ("zone", "id", "geometry"))
        return f"{self.year} {self.kind} {self.zone}" + (f" ({extra})" if extra else "")


@dataclass(frozen=True)
class LayerRef:
    """A constraint layer: a store layer name or a file, optionally buffered."""

    layer: str | None = None
    file: str | None = None
    buffer_m: float = 0.0
    optional: bool = False
    line: int | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return self.layer or self.file or "?"


@dataclass(frozen=True)
class Constraints:
    """Land the growth of zones must avoid.

    Attributes
    ----------
    exclusions : list of LayerRef
        Water, protected forest, settlements, ... (store layers or files), each optionally buffered.
    buffers : list of LayerRef
        Roads, rivers, ... that exclude a corridor of ``buffer_m`` metres either side.
    avoid_other_zones : bool
        New land never overlaps another zone (default True).
    max_slope_deg : float or None
        Exclude cells steeper than this (needs ``dem``).
    dem : str or None
        A DEM GeoTIFF in a metric CRS.
    max_distance_m : float
        Farthest a zone may grow from its original edge.
    """

    exclusions: tuple[LayerRef, ...] = ()
    buffers: tuple[LayerRef, ...] = ()
    avoid_other_zones: bool = True
    max_slope_deg: float | None = None
    dem: str | None = None
    max_distance_m: float = 5_000.0


@dataclass(frozen=True)
class Scenario:
    """A plan: dated actions on the zones of a province, under constraints.

    Attributes
    ----------
    id : str
        Lower-case slug; results are saved as store layer ``scenario_<id>``.
    name : str
    province : str
        Province (pre-2025 name) whose zones the plan covers, e.g. ``"Bắc Kạn"``.
    start_year, end_year : int
        The timeline runs over these years inclusive.
    actions : list of Action
    constraints : Constraints
    sources : list of str
        Sources of the plan as a whole (seed file names).
    description : str
    crs : str
        Metric CRS for growth and distances (default: the province's VN-2000 TM-3).
    path : str or None
        The file it was read from.
    """

    id: str
    name: str
    province: str
    start_year: int
    end_year: int
    actions: tuple[Action, ...] = ()
    constraints: Constraints = field(default_factory=Constraints)
    sources: tuple[str, ...] = ()
    description: str = ""
    crs: str | None = None
    path: str | None = None

    def __post_init__(self) -> None:
        if not _SLUG.match(self.id or ""):
            raise ScenarioError("id must be a lower-case slug (letters, digits, '-', '_')", self.path, field="id")
        if self.end_year < self.start_year:
            raise ScenarioError(f"end_year {self.end_year} is before start_year {self.start_year}", self.path,
                                field="end_year")
        for i, action in enumerate(self.actions):
            if not self.start_year <= action.year <= self.end_year:
                raise ScenarioError(f"year {action.year} is outside {self.start_year}..{self.end_year}",
                                    self.path, action.line, f"actions[{i}].year")

    @property
    def layer_name(self) -> str:
        """The store layer the results are saved to."""
        return f"scenario_{self.id.replace('-', '_')}"

    @classmethod
    def from_dict(cls, data: dict, path: str | None = None, lines: dict[str, int] | None = None) -> "Scenario":
        """Validate plain data (as read from YAML/TOML) into a Scenario.

        Raises
        ------
        ScenarioError
            Naming the file, line (when known) and the dotted field path.
        """
        return _Builder(path, lines or {}).scenario(data)


class _Builder:
    """Turns dictionaries into the dataclasses, raising ScenarioError with line numbers."""

    def __init__(self, path: str | None, lines: dict[str, int]):
        self.path, self.lines = path, lines

    def error(self, message: str, where: str) -> ScenarioError:
        line = self.lines.get(where)
        probe = where
        while line is None and probe:
            probe = probe.rpartition(".")[0] if "." in probe else (probe.rpartition("[")[0] if "[" in probe else "")
            line = self.lines.get(probe)
        return ScenarioError(message, self.path, line, where or None)

    def check(self, value, types, where: str, name: str):
        if isinstance(value, bool) and bool not in types:
            raise self.error(f"{name} must be {_names(types)}, got a boolean", where)
        if not isinstance(value, types):
            raise self.error(f"{name} must be {_names(types)}, got {type(value).__name__} {value!r}", where)
        return value

    def scenario(self, data) -> Scenario:
        if not isinstance(data, dict):
            raise self.error("a scenario must be a mapping (id, name, province, start_year, end_year, actions)", "")
        known = {"id", "name", "province", "start_year", "end_year", "actions", "constraints", "sources",
                 "description", "crs"}
        self.unknown(data, known, "")
        for key in ("id", "name", "province", "start_year", "end_year"):
            if key not in data:
                raise self.error(f"missing required field {key!r}", "")
        for key in ("id", "name", "province"):
            self.check(data[key], (str,), key, key)
        for key in ("start_year", "end_year"):
            self.check(data[key], (int,), key, key)
        actions = data.get("actions") or []
        self.check(actions, (list,), "actions", "actions")
        sources = data.get("sources") or []
        sources = [sources] if isinstance(sources, str) else self.check(sources, (list,), "sources", "sources")
        built = tuple(self.action(a, f"actions[{i}]") for i, a in enumerate(actions))
        try:
            return Scenario(
                id=data["id"], name=data["name"], province=data["province"], start_year=data["start_year"],
                end_year=data["end_year"], actions=built, constraints=self.constraints(data.get("constraints")),
                sources=tuple(str(s) for s in sources), description=str(data.get("description") or ""),
                crs=data.get("crs"), path=self.path)
        except ScenarioError as exc:
            if exc.field and self.lines:
                raise self.error(exc.reason, exc.field) from None
            raise

    def unknown(self, data: dict, known: set[str], where: str) -> None:
        for key in data:
            if key not in known:
                loc = f"{where}.{key}" if where else key
                raise self.error(f"unknown field {key!r}; expected one of {', '.join(sorted(known))}", loc)

    def action(self, data, where: str) -> Action:
        if not isinstance(data, dict):
            raise self.error("an action must be a mapping with 'action' and 'year'", where)
        kind = data.get("action")
        if kind not in ACTION_SPECS:
            raise self.error(f"action must be one of {', '.join(ACTION_SPECS)}, got {kind!r}", f"{where}.action")
        spec = {**COMMON, **ACTION_SPECS[kind]}
        self.unknown(data, set(spec), where)
        for name, (types, required) in spec.items():
            if name not in data or data[name] is None:
                if required:
                    raise self.error(f"{kind} needs {name!r}", where)
                continue
            self.check(data[name], types, f"{where}.{name}", name)
        if not data.get("source") and not data.get("assumption"):
            raise self.error("give a 'source' (seed file or public source) or label the figure as an "
                             "'assumption'", where)
        self.values(kind, data, where)
        params = {k: v for k, v in data.items() if k not in COMMON}
        source = data.get("source")
        if isinstance(source, list):
            source = "; ".join(map(str, source))
        return Action(kind, int(data["year"]), params, source, data.get("assumption"), data.get("note"),
                      self.lines.get(where))

    def values(self, kind: str, data: dict, where: str) -> None:
        """Checks beyond types: ranges, choices, one-of fields."""
        for name in ("by_ha", "to_ha", "target_ha"):
            if name in data and not data[name] > 0:
                raise self.error(f"{name} must be positive, got {data[name]!r}", f"{where}.{name}")
        if kind == "grow" and ("by_ha" in data) == ("to_ha" in data):
            raise self.error("grow needs exactly one of 'by_ha' (hectares to add) or 'to_ha' (total)", where)
        if kind == "add_zone":
            if data["kind"] not in KINDS:
                raise self.error(f"kind must be one of {', '.join(KINDS)}", f"{where}.kind")
            if "geometry" not in data and not ("point" in data and "target_ha" in data):
                raise self.error("add_zone needs a 'geometry' (WKT or GeoJSON, WGS84) or a 'point' "
                                 "[lon, lat] and a 'target_ha'", where)
            if "point" in data:
                point = data["point"]
                if len(point) != 2 or not all(isinstance(v, (int, float)) for v in point):
                    raise self.error("point must be [lon, lat] in WGS84 degrees", f"{where}.point")
                if not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
                    raise self.error(f"point {point} is not [lon, lat] in degrees", f"{where}.point")
        if kind == "add_phase" and "geometry" not in data and "target_ha" not in data:
            raise self.error("add_phase needs a 'geometry' or a 'target_ha' (grown beside the zone)", where)
        status = data.get("status")
        if status is not None and status not in STATUSES:
            raise self.error(f"status must be one of {', '.join(STATUSES)}, got {status!r}", f"{where}.status")
        if "occupancy_pct" in data and not 0 <= data["occupancy_pct"] <= 100:
            raise self.error("occupancy_pct must be between 0 and 100", f"{where}.occupancy_pct")

    def constraints(self, data) -> Constraints:
        if data is None:
            return Constraints()
        self.check(data, (dict,), "constraints", "constraints")
        known = {f.name for f in fields(Constraints)}
        self.unknown(data, known, "constraints")
        refs = {}
        for group in ("exclusions", "buffers"):
            items = data.get(group) or []
            self.check(items, (list,), f"constraints.{group}", group)
            refs[group] = tuple(self.layer_ref(item, f"constraints.{group}[{i}]", group == "buffers")
                                for i, item in enumerate(items))
        slope = data.get("max_slope_deg")
        if slope is not None:
            self.check(slope, (int, float), "constraints.max_slope_deg", "max_slope_deg")
            if not 0 < slope < 90:
                raise self.error("max_slope_deg must be between 0 and 90", "constraints.max_slope_deg")
            if not data.get("dem"):
                raise self.error("max_slope_deg needs a 'dem' (GeoTIFF path)", "constraints.max_slope_deg")
        reach = data.get("max_distance_m", 5_000.0)
        self.check(reach, (int, float), "constraints.max_distance_m", "max_distance_m")
        return Constraints(refs["exclusions"], refs["buffers"], bool(data.get("avoid_other_zones", True)),
                           slope, data.get("dem"), float(reach))

    def layer_ref(self, data, where: str, needs_buffer: bool) -> LayerRef:
        if isinstance(data, str):
            data = {"layer": data}
        self.check(data, (dict,), where, "a constraint layer")
        self.unknown(data, {"layer", "file", "buffer_m", "optional"}, where)
        if ("layer" in data) == ("file" in data):
            raise self.error("give exactly one of 'layer' (a store layer) or 'file' (a vector file)", where)
        buffer_m = data.get("buffer_m", 0.0)
        self.check(buffer_m, (int, float), f"{where}.buffer_m", "buffer_m")
        if buffer_m < 0 or (needs_buffer and buffer_m <= 0):
            raise self.error("buffer_m must be positive", f"{where}.buffer_m")
        return LayerRef(data.get("layer"), data.get("file"), float(buffer_m), bool(data.get("optional", False)),
                        self.lines.get(where))


def _names(types: tuple[type, ...]) -> str:
    words = {str: "text", int: "a whole number", float: "a number", list: "a list", dict: "a mapping",
             bool: "true/false"}
    return " or ".join(dict.fromkeys(words.get(t, t.__name__) for t in types))
