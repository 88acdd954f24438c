"""The scenario model: a plan of dated actions on zones, under land constraints.

A scenario is plain data (a YAML/TOML file or the same dictionaries in Python) validated
into the dataclasses below. Every action carries a year and either a ``source`` (seed file
or public source) or an ``assumption`` (a sentence saying what is assumed), so a figure in
a plan is never passed off as published.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from geozones.errors import ScenarioError, ScenarioErrors, raise_all
from geozones.schema import KINDS, STATUSES

#: Field name -> (python types, required?) for every action kind, besides the common fields.
ACTION_SPECS: dict[str, dict[str, tuple[tuple[type, ...], bool]]] = {
    "grow": {"zone": ((str,), True), "by_ha": ((int, float), False), "to_ha": ((int, float), False)},
    "add_zone": {
        "id": ((str,), True),
        "name": ((str,), True),
        "kind": ((str,), True),
        "target_ha": ((int, float), False),
        "point": ((list,), False),
        "geometry": ((str, dict), False),
        "zone_group": ((str,), False),
        "phase": ((str,), False),
        "status": ((str,), False),
        "district_pre2025": ((str,), False),
        "occupancy_pct": ((int, float), False),
    },
    "add_phase": {
        "id": ((str,), True),
        "of": ((str,), True),
        "phase": ((str,), True),
        "target_ha": ((int, float), False),
        "geometry": ((str, dict), False),
        "name": ((str,), False),
        "status": ((str,), False),
    },
    "complete_phase": {"zone": ((str,), True)},
    "set_status": {"zone": ((str,), True), "status": ((str,), True)},
    "set_occupancy": {"zone": ((str,), True), "occupancy_pct": ((int, float), True)},
    "set_infrastructure": {"zone": ((str,), True), "complete": ((bool,), True)},
    "retire": {"zone": ((str,), True)},
    "allocate": {
        "ha": ((int, float), True),
        "mode": ((str,), False),
        "kind": ((str,), False),
        "zones": ((list,), False),
    },
}
#: Settings of the ``allocation:`` block (land demand placed by ``allocate`` actions) -> (types, default).
ALLOCATION_SETTINGS: dict[str, tuple[tuple[type, ...], Any]] = {
    "suitability": ((str,), None),
    "resolution_m": ((int, float), 25.0),
    "margin_m": ((int, float), 5_000.0),
    "min_parcel_ha": ((int, float), 5.0),
    "max_parcel_ha": ((int, float), None),
    "max_road_m": ((int, float), None),
    "roads": ((str,), "infrastructure_roads"),
    # a parcel's narrowest part and its Polsby–Popper score (geozones defaults: see docs/scenarios.md)
    "min_width_m": ((int, float), 100.0),
    "min_compactness": ((int, float), 0.3),
}
COMMON = {
    "action": ((str,), True),
    "year": ((int,), True),
    "source": ((str, list), False),
    "assumption": ((str,), False),
    "note": ((str,), False),
    "uncertain": ((dict,), False),
}
#: Distributions an ``uncertain:`` field may draw from -> number of parameters (None: a list of choices).
DISTRIBUTIONS: dict[str, int | None] = {"uniform": 2, "triangular": 3, "normal": 2, "choice": None}


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
    uncertain : dict
        Field -> ``(distribution, parameters)`` for figures the Monte Carlo odds draw
        (:mod:`geozones.scenario.odds`); the params hold the central value used by a plain run.
    """

    kind: str
    year: int
    params: dict[str, Any]
    source: str | None = None
    assumption: str | None = None
    note: str | None = None
    line: int | None = field(default=None, compare=False)
    uncertain: dict[str, tuple[str, tuple]] = field(default_factory=dict, compare=False)

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
        A zone-style id (:data:`geozones.schema.ID_PATTERN`: 1-64 of a-z, 0-9, '-'); results are saved
        as store layer ``scenario_<id>``.
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
        Metric CRS for growth and distances (default: the province's VN-2000 TM-3): an EPSG code
        (``EPSG:9213``, ``9213``) or a VN-2000 CRS name, kept as ``EPSG:n``.
    path : str or None
        The file it was read from.
    allocation : dict
        Settings for ``allocate`` actions (:data:`ALLOCATION_SETTINGS`): the suitability file, cell
        size, minimum / maximum parcel, maximum distance to a road.
    base : str or None
        A scenario file (relative to this one) or the id of a scenario in the same folder whose
        end state this scenario starts from (see :func:`geozones.scenario.run.resolve_base`).
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
    base: str | None = None
    base_line: int | None = field(default=None, compare=False)
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    allocation: dict[str, Any] = field(default_factory=dict)
    #: the scenario's own targets (geozones.scenario.targetspec.Target) and its ``{include: file}`` target files
    targets: tuple[Any, ...] = ()
    target_files: tuple[str, ...] = ()
    #: candidate sites to rank by AHP (geozones.scenario.candidates): ``{"suitability": file, "sites": [...]}``
    candidates: dict[str, Any] = field(default_factory=dict)

    def file_references(self) -> list[str]:
        """Every place the scenario names something on the file system of the machine that runs it.

        ``base`` (a file, or an id looked up among the files of a folder), layer ``file:`` entries of the
        constraints, ``constraints.dem`` and ``allocation.suitability``, as ``"field: value"``. A scenario
        that came over the network must have none (it may only use the store's layers).
        """
        found = [f"base: {self.base}"] if self.base else []
        for kind in ("exclusions", "buffers"):
            found += [f"constraints.{kind}: {ref.file}" for ref in getattr(self.constraints, kind) if ref.file]
        if self.constraints.dem:
            found.append(f"constraints.dem: {self.constraints.dem}")
        if self.allocation.get("suitability"):
            found.append(f"allocation.suitability: {self.allocation['suitability']}")
        if self.candidates.get("suitability"):
            found.append(f"candidates.suitability: {self.candidates['suitability']}")
        found += [f"targets.include: {name}" for name in self.target_files if not name.startswith("data:targets/")]
        return found

    def __post_init__(self) -> None:
        from geozones.scenario.budget import check_scenario_fields

        object.__setattr__(self, "crs", check_scenario_fields(self))  # an EPSG code, never PROJ text
        if self.end_year < self.start_year:
            raise ScenarioError(
                f"end_year {self.end_year} is before start_year {self.start_year}", self.path, field="end_year"
            )
        errors = []
        for i, action in enumerate(self.actions):
            if not self.start_year <= action.year <= self.end_year:
                errors.append(
                    ScenarioError(
                        f"year {action.year} is outside {self.start_year}..{self.end_year}",
                        self.path,
                        action.line,
                        f"actions[{i}].year",
                    )
                )
            for year in action.uncertain.get("year", ("choice", ()))[1]:
                if not self.start_year <= year <= self.end_year:
                    errors.append(
                        ScenarioError(
                            f"uncertain year {year} is outside {self.start_year}..{self.end_year}",
                            self.path,
                            action.line,
                            f"actions[{i}].uncertain.year",
                        )
                    )
        raise_all(errors)

    @property
    def layer_name(self) -> str:
        """The store layer the results are saved to."""
        return f"scenario_{self.id.replace('-', '_')}"

    @classmethod
    def from_dict(cls, data: dict, path: str | None = None, lines: dict[str, int] | None = None) -> Scenario:
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
        known = {
            "id",
            "name",
            "province",
            "start_year",
            "end_year",
            "actions",
            "constraints",
            "sources",
            "description",
            "crs",
            "base",
            "allocation",
            "targets",
            "candidates",
        }
        errors: list[ScenarioError] = []

        def collect(fn, *args):
            try:
                return fn(*args)
            except ScenarioErrors as exc:
                errors.extend(exc.errors)
            except ScenarioError as exc:
                errors.append(exc)
            return None

        collect(self.unknown, data, known, "")
        for key in ("id", "name", "province", "start_year", "end_year"):
            if key not in data:
                errors.append(self.error(f"missing required field {key!r}", ""))
        for key in ("id", "name", "province", "base"):
            if data.get(key) is not None:
                collect(self.check, data[key], (str,), key, key)
        for key in ("start_year", "end_year"):
            if key in data:
                collect(self.check, data[key], (int,), key, key)
        actions = data.get("actions") or []
        if collect(self.check, actions, (list,), "actions", "actions") is None:
            actions = []
        sources = data.get("sources") or []
        sources = (
            [sources]
            if isinstance(sources, str)
            else (collect(self.check, sources, (list,), "sources", "sources") or [])
        )
        built = [collect(self.action, a, f"actions[{i}]") for i, a in enumerate(actions)]
        constraints = collect(self.constraints, data.get("constraints"))
        allocation = collect(self.allocation, data.get("allocation"), built)
        targets = collect(self.targets, data.get("targets")) or ((), ())
        candidates = collect(self.candidates, data.get("candidates")) or {}
        start, end = data.get("start_year"), data.get("end_year")
        if isinstance(start, int) and isinstance(end, int) and errors:
            for i, action in enumerate(built):  # year problems alongside the others
                if action is not None and not start <= action.year <= end:
                    errors.append(self.error(f"year {action.year} is outside {start}..{end}", f"actions[{i}].year"))
        raise_all(errors)
        try:
            return Scenario(
                id=data["id"],
                name=data["name"],
                province=data["province"],
                start_year=data["start_year"],
                end_year=data["end_year"],
                actions=tuple(built),
                constraints=constraints,
                sources=tuple(str(s) for s in sources),
                description=str(data.get("description") or ""),
                crs=data.get("crs"),
                path=self.path,
                base=data.get("base"),
                base_line=self.lines.get("base"),
                lines=dict(self.lines),
                allocation=allocation or {},
                targets=targets[0],
                target_files=targets[1],
                candidates=candidates,
            )
        except ScenarioErrors as exc:
            raise_all([self.error(e.reason, e.field) if e.field and self.lines else e for e in exc.errors])
            raise
        except ScenarioError as exc:
            if exc.field and self.lines:
                raise self.error(exc.reason, exc.field) from None
            raise

    def candidates(self, data):
        from geozones.scenario.candidatespec import parse_candidates

        return parse_candidates(data, self)

    def targets(self, data):
        from geozones.scenario.targetspec import parse_targets

        return parse_targets(data, self)

    def allocation(self, data, actions) -> dict[str, Any]:
        uses = any(a is not None and a.kind == "allocate" for a in actions)
        if data is None:
            if uses:
                raise self.error("allocate actions need an 'allocation:' block naming a 'suitability' file", "")
            return {}
        self.check(data, (dict,), "allocation", "allocation")
        self.unknown(data, set(ALLOCATION_SETTINGS), "allocation")
        out = {}
        for name, (types, default) in ALLOCATION_SETTINGS.items():
            value = data.get(name, default)
            if value is not None:
                self.check(value, types, f"allocation.{name}", name)
                if isinstance(value, (int, float)) and not value > 0:
                    raise self.error(f"{name} must be positive", f"allocation.{name}")
            out[name] = value
        if out["suitability"] is None:
            raise self.error("allocation needs 'suitability' (a suitability file)", "allocation")
        if out["max_parcel_ha"] is not None and out["max_parcel_ha"] < out["min_parcel_ha"]:
            raise self.error("max_parcel_ha is below min_parcel_ha", "allocation.max_parcel_ha")
        if out["min_compactness"] >= 1:
            raise self.error("min_compactness is a Polsby–Popper score below 1", "allocation.min_compactness")
        return out

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
            raise self.error(
                "give a 'source' (seed file or public source) or label the figure as an 'assumption'", where
            )
        self.values(kind, data, where)
        uncertain = self.uncertain(kind, data, where)
        params = {k: v for k, v in data.items() if k not in COMMON}
        source = data.get("source")
        if isinstance(source, list):
            source = "; ".join(map(str, source))
        return Action(
            kind,
            int(data["year"]),
            params,
            source,
            data.get("assumption"),
            data.get("note"),
            self.lines.get(where),
            uncertain,
        )

    def uncertain(self, kind: str, data: dict, where: str) -> dict[str, tuple[str, tuple]]:
        """``uncertain: {field: {distribution: [parameters]}}``: only on figures labelled an assumption."""
        spec = data.get("uncertain")
        if not spec:
            return {}
        if not data.get("assumption"):
            raise self.error("an uncertain figure is an assumption: label it with 'assumption'", f"{where}.uncertain")
        numeric = {"year"} | {
            name
            for name, (types, _) in ACTION_SPECS[kind].items()
            if float in types or (int in types and name != "zone")
        }
        out = {}
        for name, dist in spec.items():
            at = f"{where}.uncertain.{name}"
            if name not in numeric:
                raise self.error(
                    f"{name!r} cannot be uncertain in {kind}; numeric fields: {', '.join(sorted(numeric))}", at
                )
            if name != "year" and name not in data:
                raise self.error(f"uncertain {name!r} needs the central value as {name!r} too", at)
            if not isinstance(dist, dict) or len(dist) != 1:
                raise self.error(f"write {{distribution: [parameters]}} with one of {', '.join(DISTRIBUTIONS)}", at)
            ((law, params),) = dist.items()
            if law not in DISTRIBUTIONS:
                raise self.error(f"unknown distribution {law!r}; expected one of {', '.join(DISTRIBUTIONS)}", at)
            if (
                not isinstance(params, list)
                or not params
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in params)
            ):
                raise self.error(f"{law} needs a list of numbers", at)
            want = DISTRIBUTIONS[law]
            if want is not None and len(params) != want:
                raise self.error(f"{law} needs {want} numbers, got {len(params)}", at)
            if law == "uniform" and not params[0] < params[1]:
                raise self.error("uniform needs [low, high] with low < high", at)
            if law == "triangular" and not (params[0] <= params[1] <= params[2] and params[0] < params[2]):
                raise self.error("triangular needs [low, mode, high] with low <= mode <= high", at)
            if law == "normal" and not params[1] > 0:
                raise self.error("normal needs [mean, standard deviation > 0]", at)
            if name == "year" and law != "choice":
                raise self.error("an uncertain year is a choice of years: {choice: [2026, 2027]}", at)
            if name == "year" and not all(isinstance(v, int) for v in params):
                raise self.error("years must be whole numbers", at)
            out[name] = (law, tuple(params))
        return out

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
                raise self.error(
                    "add_zone needs a 'geometry' (WKT or GeoJSON, WGS84) or a 'point' [lon, lat] and a 'target_ha'",
                    where,
                )
            if "point" in data:
                point = data["point"]
                if len(point) != 2 or not all(isinstance(v, (int, float)) for v in point):
                    raise self.error("point must be [lon, lat] in WGS84 degrees", f"{where}.point")
                if not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
                    raise self.error(f"point {point} is not [lon, lat] in degrees", f"{where}.point")
        if kind == "allocate":
            if data.get("mode", "both") not in ("grow", "sites", "both"):
                raise self.error("mode must be grow, sites or both", f"{where}.mode")
            if data.get("kind", "CCN") not in KINDS:
                raise self.error(f"kind must be one of {', '.join(KINDS)}", f"{where}.kind")
            if not data["ha"] > 0:
                raise self.error("ha must be positive", f"{where}.ha")
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
            refs[group] = tuple(
                self.layer_ref(item, f"constraints.{group}[{i}]", group == "buffers") for i, item in enumerate(items)
            )
        slope = data.get("max_slope_deg")
        if slope is not None:
            self.check(slope, (int, float), "constraints.max_slope_deg", "max_slope_deg")
            if not 0 < slope < 90:
                raise self.error("max_slope_deg must be between 0 and 90", "constraints.max_slope_deg")
            if not data.get("dem"):
                raise self.error("max_slope_deg needs a 'dem' (GeoTIFF path)", "constraints.max_slope_deg")
        reach = data.get("max_distance_m", 5_000.0)
        self.check(reach, (int, float), "constraints.max_distance_m", "max_distance_m")
        return Constraints(
            refs["exclusions"],
            refs["buffers"],
            bool(data.get("avoid_other_zones", True)),
            slope,
            data.get("dem"),
            float(reach),
        )

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
        return LayerRef(
            data.get("layer"),
            data.get("file"),
            float(buffer_m),
            bool(data.get("optional", False)),
            self.lines.get(where),
        )


def _names(types: tuple[type, ...]) -> str:
    words = {
        str: "text",
        int: "a whole number",
        float: "a number",
        list: "a list",
        dict: "a mapping",
        bool: "true/false",
    }
    return " or ".join(dict.fromkeys(words.get(t, t.__name__) for t in types))
