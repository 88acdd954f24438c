"""Suitability files: AHP-weighted overlay of criterion rasters with its sensitivity, end to end.

A suitability file (YAML or TOML) names the criteria, the pairwise judgements between them and
the sensitivity settings::

    id: bac-kan-ahp
    province: Bắc Kạn
    resolution_m: 100
    margin_m: 10000
    assumption: the judgements and distances are an example planner's, not published
    criteria:
      road: {layer: infrastructure_roads, where: {class: national_highway}, worst_m: 10000}
      grid: {layer: infrastructure_power, worst_m: 20000}
      gate: {layer: infrastructure_border_gates, along: infrastructure_roads, worst_m: 60000}
      hanoi: {minutes_to: infrastructure_logistics_destinations, where: {category: capital}, vehicle: truck, worst_min: 300}
      slope: {dem: dem.tif, worst_deg: 25}           # only when a DEM is given
    judgements:                                      # or  matrix: [[1, 2], ["1/2", 1]]
      - "road > grid: 2"
    exclude: [zones]                                 # existing zones; also store layers / files
    sensitivity: {draws: 1000, concentration: 100, top_pct: 10, k: 3, seed: 0}

Distance criteria score 1 on the feature and fall linearly to 0 at ``worst_m`` (exact
Euclidean distance from every cell centre, :func:`geozones.analysis.raster.distance_raster`).
With ``along: <road layer>`` (a store layer or file) the distance runs along the roads instead
(:func:`geozones.analysis.roadnet.road_distance_raster`): from the cell centre straight to its
nearest road point, along the road network to the point where the nearest target joins it, then
the target's own straight leg. ``snap_m`` (default
:data:`~geozones.analysis.roadnet.SHIPPED_SNAP_M`, 1 km) and ``node_crossings`` (default true) say
how the graph is built, as the coarse shipped layer needs; ``snap_m: 0, node_crossings: false``
for an OpenStreetMap export. A cell whose nearest road belongs to a component that reaches no
target scores **0** for that criterion (it is never given a straight-line fallback, nor NaN);
``best_m`` must be below ``worst_m`` (near is better). ``minutes_to: <target layer>`` scores the
drive minutes instead (:func:`geozones.analysis.drivetime.minutes_raster`, the stated model of
:mod:`geozones.analysis.logistics`): 1 at ``best_min`` (default 0), 0 at ``worst_min``, on ``roads``
(default ``infrastructure_corridor_roads``) by ``vehicle`` (``car`` or ``truck``); cells more than
3 km from a mapped road ("far from mapped roads") and cells whose roads reach no target score 0. Slope scores 1 on flat land and 0 at ``worst_deg`` (Horn's method on the DEM). Weights come from
:func:`geozones.analysis.suitability.ahp_weights` (refused when CR > 0.1); the sensitivity from
:func:`~geozones.analysis.suitability.oat_sensitivity` and
:func:`~geozones.analysis.suitability.monte_carlo_suitability`. The candidate sites whose rank
stability is reported are the province's placed zones.

Every layer, file, DEM and road layer a file names is checked before a run, and by
``geozones scenario validate`` (:func:`check_suitability_layers`), each problem with file:line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geozones import crs as _crs
from geozones.analysis import raster as _raster
from geozones.analysis.roadnet import SHIPPED_SNAP_M, road_distance_raster
from geozones.analysis.suitability import (
    AHPResult,
    InconsistentJudgementsError,
    SuitabilityDraws,
    ahp_weights,
    judgement_matrix,
    monte_carlo_suitability,
    oat_sensitivity,
    site_criterion_means,
)
from geozones.errors import ScenarioError, SuitabilityError, UnknownAttributeError, raise_all
from geozones.io.csvcells import write_csv
from geozones.scenario.parse import parse_toml, parse_yaml
from geozones.scenario.road_criteria import ALONG, DEFAULT_ROADS, MINUTES, along_ok, minutes_ok
from geozones.schema import ascii_name

#: Most cells a suitability grid may have (bounds the work of one run).
MAX_CELLS = 25_000_000
_TOP = {
    "id",
    "name",
    "province",
    "resolution_m",
    "margin_m",
    "criteria",
    "judgements",
    "matrix",
    "exclude",
    "sensitivity",
    "assumption",
    "source",
    "description",
    "crs",
}
_SENSITIVITY = {
    "draws": 1000,
    "concentration": 100.0,
    "top_pct": 10.0,
    "k": 3,
    "seed": 0,
    "oat_change_pct": 20.0,
    "oat_step_pct": 1.0,
}


@dataclass(frozen=True)
class Criterion:
    """One factor: distance to a layer (``layer``/``file``, optional ``where`` filter) or slope (``dem``).

    ``along`` (a store layer or file of roads) measures the distance along those roads instead of
    in a straight line; ``snap_m`` and ``node_crossings`` say how the road graph is built.
    ``minutes_to`` (a store layer or file of targets) scores the drive minutes to the nearest of
    them on ``roads`` by ``vehicle`` (``best``/``worst`` in minutes).
    """

    name: str
    layer: str | None = None
    file: str | None = None
    where: dict = field(default_factory=dict)
    dem: str | None = None
    best: float = 0.0
    worst: float = 10_000.0
    line: int | None = None
    along: str | None = None
    snap_m: float = SHIPPED_SNAP_M
    node_crossings: bool = True
    minutes_to: str | None = None
    roads: str | None = None
    vehicle: str = "car"


@dataclass(frozen=True)
class SuitabilitySpec:
    """A validated suitability file."""

    id: str
    province: str
    criteria: tuple[Criterion, ...]
    matrix: pd.DataFrame
    resolution_m: float = 100.0
    margin_m: float = 10_000.0
    exclude: tuple[str, ...] = ("zones",)
    sensitivity: dict = field(default_factory=lambda: dict(_SENSITIVITY))
    assumption: str | None = None
    source: str | None = None
    path: str | None = None
    crs: str | None = None
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)


def load_suitability(path: str | os.PathLike) -> SuitabilitySpec:
    """Read and validate a suitability file; every problem reported at once with file:line.

    Raises
    ------
    ScenarioError
        (or :class:`~geozones.errors.ScenarioErrors` for several problems), including judgements whose
        consistency ratio exceeds 0.1 (the message names the most inconsistent ones).
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    data, lines = parse_toml(text, str(path)) if path.suffix.lower() == ".toml" else parse_yaml(text, str(path))
    return suitability_from_dict(data, str(path), lines)


def is_suitability_file(path: str | os.PathLike) -> bool:
    """True when the file is a mapping with ``criteria`` (a suitability file, not a scenario)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data, _ = parse_toml(text, str(path)) if path.suffix.lower() == ".toml" else parse_yaml(text, str(path))
    except (OSError, UnicodeDecodeError, ScenarioError):
        return False
    return isinstance(data, dict) and "criteria" in data


def suitability_from_dict(data, path: str | None = None, lines: dict[str, int] | None = None) -> SuitabilitySpec:
    """Validate plain data into a :class:`SuitabilitySpec` (see :func:`load_suitability`)."""
    lines = lines or {}
    errors: list[ScenarioError] = []

    def err(message: str, where: str) -> None:
        probe, line = where, lines.get(where)
        while line is None and probe:
            probe = probe.rpartition(".")[0]
            line = lines.get(probe)
        errors.append(ScenarioError(message, path, line, where or None))

    if not isinstance(data, dict):
        raise ScenarioError("a suitability file is a mapping (id, province, criteria, judgements)", path)
    for key in data:
        if key not in _TOP:
            err(f"unknown field {key!r}; expected one of {', '.join(sorted(_TOP))}", key)
    for key in ("id", "province", "criteria"):
        if key not in data:
            err(f"missing required field {key!r}", "")
    if not data.get("source") and not data.get("assumption"):
        err("give a 'source' for the judgements or label them an 'assumption'", "")
    criteria = []
    raw = data.get("criteria") or {}
    if not isinstance(raw, dict) or not raw:
        err("criteria must be a mapping name -> {layer|file|dem, worst_m|worst_deg, ...}", "criteria")
        raw = {}
    for name, spec in raw.items():
        where = f"criteria.{name}"
        if not isinstance(spec, dict):
            err("a criterion is a mapping", where)
            continue
        sources = [k for k in ("layer", "file", "dem", "minutes_to") if k in spec]
        if len(sources) != 1:
            err(
                "give exactly one of 'layer' (store layer), 'file' (vector file), 'dem' (slope from a DEM) "
                "or 'minutes_to' (drive minutes to a layer)",
                where,
            )
            continue
        fields = {"layer", "file", "dem", "where", "best_m", "worst_m", "best_deg", "worst_deg", *ALONG, *MINUTES}
        unknown = set(spec) - fields
        if unknown:
            err(f"unknown field(s) {', '.join(sorted(unknown))}", where)
            continue
        unit = "deg" if "dem" in spec else "min" if "minutes_to" in spec else "m"
        best, worst = spec.get(f"best_{unit}", 0.0), spec.get(f"worst_{unit}")
        if (
            not isinstance(worst, (int, float))
            or isinstance(worst, bool)
            or not isinstance(best, (int, float))
            or worst == best
        ):
            err(f"give worst_{unit} (the value scoring 0), a number different from best_{unit}", where)
            continue
        if spec.get("where") is not None and not isinstance(spec["where"], dict):
            err("where is a mapping column -> value", f"{where}.where")
            continue
        if not along_ok(spec, where, err) or not minutes_ok(spec, where, err):
            continue
        criteria.append(
            Criterion(
                str(name),
                spec.get("layer"),
                spec.get("file"),
                dict(spec.get("where") or {}),
                spec.get("dem"),
                float(best),
                float(worst),
                lines.get(where),
                spec.get("along"),
                float(spec.get("snap_m", SHIPPED_SNAP_M)),
                bool(spec.get("node_crossings", True)),
                spec.get("minutes_to"),
                spec.get("roads", DEFAULT_ROADS) if "minutes_to" in spec else None,
                spec.get("vehicle", "car"),
            )
        )
    names = [c.name for c in criteria]
    matrix = None
    if ("judgements" in data) == ("matrix" in data):
        err("give the pairwise comparisons as 'judgements' (a list) or as a 'matrix', not both or neither", "")
    elif criteria and len(criteria) == len(raw):
        try:
            matrix = (
                judgement_matrix(names, data["judgements"])
                if "judgements" in data
                else pd.DataFrame(data["matrix"], index=names, columns=names)
            )
            ahp_weights(matrix, names)
        except InconsistentJudgementsError as exc:
            err(str(exc), _worst_item(exc, data.get("judgements")))
        except SuitabilityError as exc:
            err(str(exc), "judgements" if "judgements" in data else "matrix")
        except ValueError as exc:
            err(f"the matrix must be {len(names)} x {len(names)} (criteria order): {exc}", "matrix")
    sensitivity = dict(_SENSITIVITY)
    given = data.get("sensitivity") or {}
    if not isinstance(given, dict):
        err("sensitivity is a mapping", "sensitivity")
        given = {}
    for key, value in given.items():
        if key not in _SENSITIVITY:
            err(f"unknown sensitivity setting {key!r}; expected {', '.join(_SENSITIVITY)}", f"sensitivity.{key}")
        elif not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            err(f"{key} must be a non-negative number", f"sensitivity.{key}")
        else:
            sensitivity[key] = value
    if not 1 <= sensitivity["draws"] <= 100_000:
        err("draws must be between 1 and 100000", "sensitivity.draws")
    if not 0 < sensitivity["top_pct"] <= 100:
        err("top_pct must be in (0, 100]", "sensitivity.top_pct")
    resolution = data.get("resolution_m", 100.0)
    if not isinstance(resolution, (int, float)) or resolution <= 0:
        err("resolution_m must be a positive number of metres", "resolution_m")
    exclude = data.get("exclude", ["zones"])
    if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
        err("exclude is a list of layer names or files ('zones': the existing zones)", "exclude")
        exclude = []
    raise_all(errors)
    return SuitabilitySpec(
        str(data["id"]),
        str(data["province"]),
        tuple(criteria),
        matrix,
        float(resolution),
        float(data.get("margin_m", 10_000.0)),
        tuple(exclude),
        sensitivity,
        data.get("assumption"),
        data.get("source"),
        path,
        data.get("crs"),
        dict(lines),
    )


def _resolve(name: str, base: Path, layers: dict) -> str:
    """Where a layer name of a suitability file comes from: ``"given"``, ``"file"`` or ``"store"``."""
    if name in layers:
        return "given"
    path = Path(name)
    return "file" if (path if path.is_absolute() else base / path).is_file() else "store"


def check_suitability_layers(
    spec: SuitabilitySpec, store=None, layers: dict | None = None, store_names: set[str] | None = None
) -> list[ScenarioError]:
    """Every layer, file and DEM a run of ``spec`` reads that is not there, each with file:line.

    Parameters
    ----------
    spec : SuitabilitySpec
    store : ZoneStore, optional
        Where store layers are looked up (none: every store layer is missing).
    layers : dict, optional
        Layers by name, looked up before files and the store.
    store_names : set of str, optional
        The store's layer names, when already known.
    """
    layers = layers or {}
    base = Path(spec.path).parent if spec.path else Path.cwd()
    problems: list[ScenarioError] = []
    names = store_names

    def in_store(name: str) -> bool:
        nonlocal names
        if names is None:
            try:
                names = set(store.layers()) if store is not None else set()
            except (OSError, UnknownAttributeError):
                names = set()
        return name in names

    def missing(message: str, field_: str, line: int | None) -> None:
        problems.append(ScenarioError(message, spec.path, line, field_))

    for c in spec.criteria:
        where = f"criteria.{c.name}"
        line = spec.lines.get(where, c.line)
        for key, value in (("file", c.file), ("dem", c.dem)):
            if value and not (Path(value) if Path(value).is_absolute() else base / value).is_file():
                missing(f"{key} {value!r} not found", f"{where}.{key}", line)
        if c.layer and c.layer not in layers and not in_store(c.layer):
            missing(f"no store layer {c.layer!r}", f"{where}.layer", line)
        if c.along and _resolve(c.along, base, layers) == "store" and not in_store(c.along):
            missing(f"no store layer or file {c.along!r} to measure along", f"{where}.along", line)
        for key, value in (("minutes_to", c.minutes_to), ("roads", c.roads)):
            if value and _resolve(value, base, layers) == "store" and not in_store(value):
                missing(f"no store layer or file {value!r}", f"{where}.{key}", line)
    for i, name in enumerate(spec.exclude):
        if name != "zones" and _resolve(name, base, layers) == "store" and not in_store(name):
            missing(f"no store layer or file {name!r} to exclude", f"exclude[{i}]", spec.lines.get(f"exclude[{i}]"))
    return problems


def _worst_item(exc: InconsistentJudgementsError, judgements) -> str:
    """The field path of the most inconsistent judgement in the list (``judgements[i]``), else ``matrix``."""
    if not isinstance(judgements, list):
        return "matrix"
    from geozones.analysis.suitability import parse_judgement

    worst = exc.result.inconsistencies().iloc[0]
    for i, item in enumerate(judgements):
        try:
            a, b, _ = parse_judgement(item)
        except SuitabilityError:
            continue
        if {a, b} == {worst.a, worst.b}:
            return f"judgements[{i}]"
    return "judgements"


@dataclass
class SuitabilityRun:
    """Everything a suitability run produces.

    Attributes
    ----------
    spec : SuitabilitySpec
    grid : geozones.analysis.raster.Grid
    scores : dict of numpy.ndarray
        Criterion scores in [0, 1].
    excluded : numpy.ndarray
        True where a cell is excluded.
    ahp : AHPResult
    suitability : numpy.ndarray
        The weighted overlay with the AHP weights (NaN where excluded).
    oat : pandas.DataFrame
        One-at-a-time table (:func:`~geozones.analysis.suitability.oat_sensitivity`).
    draws : SuitabilityDraws
        Monte Carlo mean / std / top-share rasters and the site ranks.
    sites : pandas.DataFrame
        Per candidate site (zone id): criterion means, AHP score and rank stability.
    """

    spec: SuitabilitySpec
    grid: _raster.Grid
    scores: dict[str, np.ndarray]
    excluded: np.ndarray
    ahp: AHPResult
    suitability: np.ndarray
    oat: pd.DataFrame
    draws: SuitabilityDraws
    sites: pd.DataFrame

    def weights_table(self) -> pd.DataFrame:
        """The AHP weights with lambda_max, CI, RI and CR."""
        table = self.ahp.weights.to_frame()
        table["lambda_max"], table["ci"], table["ri"], table["cr"] = (
            self.ahp.lambda_max,
            self.ahp.ci,
            self.ahp.ri,
            self.ahp.cr,
        )
        return table

    def write(self, folder: str | os.PathLike) -> list[Path]:
        """COGs (``suitability.tif`` and ``suitability_{mean,std,top_share}.tif``) and CSV tables."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = [
            _raster.write_cog(
                self.suitability, self.grid, folder / "suitability.tif", description=f"AHP suitability {self.spec.id}"
            )
        ]
        written += list(self.draws.to_cogs(self.grid, folder).values())
        # the site table says what its shares are of: draws, and k of "in the top k"
        sites = self.sites.assign(top_k=self.draws.k, draws=len(self.draws.weights))
        for name, table in (("weights", self.weights_table()), ("oat", self.oat), ("sites", sites)):
            path = folder / f"suitability_{name}.csv"
            write_csv(table, path, index=name != "oat")
            written.append(path)
        return [Path(p) for p in written]


def _read_named(name: str, store, base: Path, layers: dict) -> gpd.GeoDataFrame:
    """A layer a suitability file names: given in ``layers``, a file next to the file, or a store layer."""
    how = _resolve(name, base, layers)
    if how == "given":
        return layers[name]
    if how == "file":
        from geozones.io import read_layer

        return read_layer(Path(name) if Path(name).is_absolute() else base / name)
    if store is None:
        raise SuitabilityError(f"no store to read layer {name!r} from")
    return store.layer(name)


def _read_criterion_layer(criterion: Criterion, store, base: Path, layers: dict) -> gpd.GeoDataFrame:
    if criterion.file:
        from geozones.io import read_layer

        path = Path(criterion.file) if Path(criterion.file).is_absolute() else base / criterion.file
        frame = read_layer(path)
    elif criterion.layer in layers:
        frame = layers[criterion.layer]
    else:
        if store is None:
            raise SuitabilityError(f"criterion {criterion.name!r}: no store to read layer {criterion.layer!r} from")
        frame = store.layer(criterion.layer)
    for column, value in criterion.where.items():
        if column not in frame.columns:
            raise SuitabilityError(f"criterion {criterion.name!r}: layer has no column {column!r}")
        frame = frame[frame[column].isin(value if isinstance(value, list) else [value])]
    if frame.empty:
        raise SuitabilityError(f"criterion {criterion.name!r}: no feature to measure distances to")
    return frame


def same_province(a, b: str) -> bool:
    """The same province name, ignoring diacritics and case."""
    return isinstance(a, str) and ascii_name(a).lower() == ascii_name(b).lower()


def criterion_scores(
    spec: SuitabilitySpec, grid: _raster.Grid, *, store=None, layers: dict | None = None
) -> dict[str, np.ndarray]:
    """Every criterion's score raster (0..1, NaN where a DEM has no data) on ``grid``."""
    layers = layers or {}
    base = Path(spec.path).parent if spec.path else Path.cwd()
    scores = {}
    for criterion in spec.criteria:
        if criterion.dem:
            dem = Path(criterion.dem) if Path(criterion.dem).is_absolute() else base / criterion.dem
            slope, _ = _raster.slope_from_dem(dem, grid)
            scores[criterion.name] = _raster.linear_score(slope, criterion.best, criterion.worst)
        elif criterion.minutes_to:
            from dataclasses import replace

            from geozones.analysis.drivetime import minutes_raster

            targets = _read_named(criterion.minutes_to, store, base, layers)
            targets = _read_criterion_layer(
                replace(criterion, layer=criterion.minutes_to), None, base, {criterion.minutes_to: targets}
            )
            # inf (score 0) far from mapped roads, where no target is reached, or beyond worst_min
            minutes = minutes_raster(
                _read_named(criterion.roads or DEFAULT_ROADS, store, base, layers),
                targets,
                grid,
                vehicle=criterion.vehicle,
                max_minutes=criterion.worst,
            )
            scores[criterion.name] = _raster.linear_score(minutes, criterion.best, criterion.worst)
        else:
            frame = _read_criterion_layer(criterion, store, base, layers)
            if criterion.along:
                # inf (score 0) where the cell's road component reaches no target or beyond worst_m
                distance = road_distance_raster(
                    _read_named(criterion.along, store, base, layers),
                    frame,
                    grid,
                    max_distance=criterion.worst,
                    snap_m=criterion.snap_m,
                    node_crossings=criterion.node_crossings,
                )
            else:
                distance = _raster.distance_raster(frame, grid)
            distance = _raster.fill_inside_polygons(distance, frame, grid)
            scores[criterion.name] = _raster.linear_score(distance, criterion.best, criterion.worst)
    return scores


def suitability_surface(
    spec: SuitabilitySpec, grid: _raster.Grid, *, store=None, layers: dict | None = None
) -> np.ndarray:
    """The AHP-weighted overlay on ``grid`` with no exclusion (the allocator applies its own constraints)."""
    scores = criterion_scores(spec, grid, store=store, layers=layers)
    weights = ahp_weights(spec.matrix, [c.name for c in spec.criteria]).weights
    nodata = np.zeros(grid.shape, dtype=bool)
    for score in scores.values():
        nodata |= ~np.isfinite(score)
    return _raster.weighted_overlay(scores, weights.to_dict(), constraints=[nodata])


def run_suitability(
    spec: SuitabilitySpec, *, store=None, zones: gpd.GeoDataFrame | None = None, layers: dict | None = None
) -> SuitabilityRun:
    """Build the criterion rasters, the AHP overlay and its sensitivity.

    Parameters
    ----------
    spec : SuitabilitySpec
    store : ZoneStore, optional
        Zones and layers (default: the configured store when needed).
    zones : GeoDataFrame, optional
        The zones (candidate sites and the ``zones`` exclusion) instead of the store's.
    layers : dict, optional
        Layers by name, looked up before the store.
    """
    layers = layers or {}
    base = Path(spec.path).parent if spec.path else Path.cwd()
    named = [c.layer for c in spec.criteria if c.layer] + [c.along for c in spec.criteria if c.along]
    named += [n for c in spec.criteria for n in (c.minutes_to, c.roads) if n]
    named += [name for name in spec.exclude if name != "zones"]
    if zones is None or any(_resolve(name, base, layers) == "store" for name in named):
        if store is None:
            from geozones.store import open_store

            store = open_store()
    raise_all(check_suitability_layers(spec, store, layers))
    if zones is None:
        zones = store.zones()
    mine = zones[zones["province_pre2025"].map(lambda p: same_province(p, spec.province))]
    placed = mine[~(mine.geometry.isna() | mine.geometry.is_empty)]
    if placed.empty:
        raise SuitabilityError(f"no placed zones in province {spec.province!r} to centre the grid on")
    metric = _crs.tm3_crs(spec.province) if spec.crs is None else spec.crs
    grid = _raster.Grid.covering([placed], spec.resolution_m, margin=spec.margin_m, crs=metric)
    if grid.width * grid.height > MAX_CELLS:
        raise SuitabilityError(f"{grid.width} x {grid.height} cells is more than {MAX_CELLS}: raise resolution_m")
    scores = criterion_scores(spec, grid, store=store, layers=layers)
    excluded = np.zeros(grid.shape, dtype=bool)
    for name in spec.exclude:
        if name == "zones":
            frame = placed
        else:
            frame = _read_named(name, store, base, layers)
        excluded |= _raster.mask(frame, grid, all_touched=False)
    for score in scores.values():
        excluded |= ~np.isfinite(score)
    names = [c.name for c in spec.criteria]
    ahp = ahp_weights(spec.matrix, names)
    weights = ahp.weights
    suitability = _raster.weighted_overlay(scores, weights.to_dict(), constraints=[excluded])
    sens = spec.sensitivity
    oat = oat_sensitivity(
        scores, weights, [excluded], sens["oat_change_pct"] / 100, sens["oat_step_pct"] / 100, sens["top_pct"]
    )
    site_means = site_criterion_means(placed.set_index("id"), scores, grid)
    draws = monte_carlo_suitability(
        scores,
        weights,
        int(sens["draws"]),
        float(sens["concentration"]),
        int(sens["seed"]),
        [excluded],
        float(sens["top_pct"]),
        site_means,
        int(sens["k"]),
    )
    sites = site_means.join(draws.sites)
    sites.insert(len(site_means.columns), "ahp_score", site_means[names].to_numpy() @ weights.to_numpy())
    return SuitabilityRun(spec, grid, scores, excluded, ahp, suitability, oat, draws, sites)
