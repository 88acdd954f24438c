"""Candidate sites a scenario file names, ranked by the AHP suitability with their rank stability.

A scenario's ``candidates:`` block::

    candidates:
      suitability: suitability/bac-kan.yaml    # default: allocation.suitability
      sites:
        - {id: na-phac, name: Nà Phặc, point: [105.87, 22.41], ha: 30}   # a disc of 30 ha
        - {id: cho-moi-south, name: Chợ Mới south, geometry: "POLYGON ((...))"}  # WGS84 lon/lat

Each site's mean criterion scores (fractional cells, :func:`geozones.analysis.suitability.site_criterion_means`)
give its AHP score (weights @ means) and, over Dirichlet draws of the weights (the suitability file's
``sensitivity``), its median rank and the share of draws ranking it within the top ``k``
(:func:`geozones.analysis.suitability.site_rank_stability`). The surface's exclusions do not apply
to candidates: a candidate is ranked on where it is.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geozones import crs as _crs
from geozones.errors import ScenarioError

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
#: Most candidate sites one scenario may name.
MAX_CANDIDATES = 200
CANDIDATE_COLUMNS = [
    "id",
    "name",
    "area_ha",
    "ahp_score",
    "base_rank",
    "median_rank",
    "top_k_share",
    "mean_score",
    "std_score",
]


def parse_candidates(value, builder) -> dict:
    """The validated ``candidates:`` block (``builder``: the scenario model's builder, for errors)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise builder.error("candidates must be a mapping with 'sites' (and optionally 'suitability')", "candidates")
    unknown = sorted(set(value) - {"suitability", "sites"})
    if unknown:
        raise builder.error(f"unknown field {unknown[0]!r} (known: sites, suitability)", f"candidates.{unknown[0]}")
    suitability = value.get("suitability")
    if suitability is not None and not isinstance(suitability, str):
        raise builder.error("suitability must be a file name", "candidates.suitability")
    sites = value.get("sites")
    if not isinstance(sites, list) or not sites:
        raise builder.error("candidates needs a non-empty 'sites' list", "candidates.sites")
    if len(sites) > MAX_CANDIDATES:
        raise builder.error(f"at most {MAX_CANDIDATES} candidate sites", "candidates.sites")
    out = []
    for i, site in enumerate(sites):
        where = f"candidates.sites[{i}]"
        if not isinstance(site, dict):
            raise builder.error("a site is a mapping (id, name, point + ha, or geometry)", where)
        extra = sorted(set(site) - {"id", "name", "point", "ha", "geometry", "source", "assumption"})
        if extra:
            raise builder.error(f"unknown field {extra[0]!r}", f"{where}.{extra[0]}")
        if not isinstance(site.get("id"), str) or not _SLUG.match(site["id"]):
            raise builder.error("id must be a lower-case slug", f"{where}.id")
        if not isinstance(site.get("name"), str):
            raise builder.error("name must be text", f"{where}.name")
        if "geometry" in site:
            if not isinstance(site["geometry"], (str, dict)):
                raise builder.error("geometry is WKT or GeoJSON (WGS84)", f"{where}.geometry")
        else:
            point, ha = site.get("point"), site.get("ha")
            if (
                not isinstance(point, list)
                or len(point) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in point)
            ):
                raise builder.error("point must be [lon, lat]", f"{where}.point")
            if isinstance(ha, bool) or not isinstance(ha, (int, float)) or not 0 < ha <= 10_000:
                raise builder.error("ha must be a positive area (at most 10 000 ha)", f"{where}.ha")
        out.append(dict(site))
    ids = [s["id"] for s in out]
    for dup in sorted({x for x in ids if ids.count(x) > 1}):
        raise builder.error(f"candidate id {dup!r} is used twice", "candidates.sites")
    return {"suitability": suitability, "sites": out}


def candidate_geometries(scenario, metric) -> gpd.GeoDataFrame:
    """The candidate sites as polygons in ``metric`` (a point with ``ha``: the disc of that area)."""
    rows, geoms = [], []
    for i, site in enumerate(scenario.candidates["sites"]):
        if "geometry" in site:
            value = site["geometry"]
            try:
                geom = shapely.from_geojson(json.dumps(value)) if isinstance(value, dict) else shapely.from_wkt(value)
            except Exception as exc:  # GEOSException
                raise ScenarioError(
                    f"cannot read the geometry: {exc}", scenario.path, field=f"candidates.sites[{i}].geometry"
                ) from None
            if shapely.get_type_id(geom) not in (3, 6) or not shapely.is_valid(geom):
                raise ScenarioError(
                    "the geometry must be a valid Polygon or MultiPolygon (WGS84 lon/lat)",
                    scenario.path,
                    field=f"candidates.sites[{i}].geometry",
                )
            geom = gpd.GeoSeries([geom], crs=_crs.WGS84).to_crs(metric).iloc[0]
        else:
            point = gpd.GeoSeries(gpd.points_from_xy([site["point"][0]], [site["point"][1]]), crs=_crs.WGS84)
            radius = math.sqrt(float(site["ha"]) * 10_000.0 / math.pi)
            geom = shapely.buffer(point.to_crs(metric).iloc[0], radius, quad_segs=32)
        rows.append({"id": site["id"], "name": site["name"]})
        geoms.append(geom)
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=metric)
    frame["area_ha"] = shapely.area(frame.geometry.array) / 10_000.0
    return frame


def rank_candidates(scenario, *, store=None, layers: dict | None = None) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """The candidate sites ranked: a table (:data:`CANDIDATE_COLUMNS`, best first) and their outlines (WGS84).

    Raises
    ------
    ScenarioError
        No ``candidates:`` block, or its suitability file is missing.
    """
    from geozones.analysis import raster
    from geozones.analysis.suitability import ahp_weights, site_criterion_means, site_rank_stability
    from geozones.scenario.suitability import criterion_scores, load_suitability

    if not scenario.candidates:
        raise ScenarioError("the scenario names no candidates", scenario.path, field="candidates")
    name = scenario.candidates.get("suitability") or scenario.allocation.get("suitability")
    if not name:
        raise ScenarioError(
            "candidates need a suitability file (candidates.suitability or allocation.suitability)",
            scenario.path,
            field="candidates.suitability",
        )
    where = Path(scenario.path).parent if scenario.path and Path(scenario.path).exists() else Path.cwd()
    path = Path(name) if Path(name).is_absolute() else where / name
    if not path.exists():
        raise ScenarioError(f"suitability file {name!r} not found", scenario.path, field="candidates.suitability")
    spec = load_suitability(path)
    metric = _crs.tm3_crs(scenario.province) if scenario.crs is None else scenario.crs
    sites = candidate_geometries(scenario, metric)
    grid = raster.Grid.covering([sites], spec.resolution_m, margin=2 * spec.resolution_m, crs=metric)
    scores = criterion_scores(spec, grid, store=store, layers=layers or {})
    names = [c.name for c in spec.criteria]
    weights = ahp_weights(spec.matrix, names).weights
    means = site_criterion_means(sites.set_index("id"), scores, grid)
    sens = spec.sensitivity
    ranks = site_rank_stability(
        means, weights, int(sens["draws"]), float(sens["concentration"]), int(sens["seed"]), int(sens["k"])
    )
    table = sites.drop(columns="geometry").set_index("id").join(ranks).reset_index()
    table = table.sort_values(["base_rank", "id"], na_position="last").reset_index(drop=True)
    table.attrs.update(
        {"draws": int(sens["draws"]), "k": int(sens["k"]), "seed": int(sens["seed"]), "suitability": spec.id}
    )
    for criterion in names:
        table[f"mean_{criterion}"] = table["id"].map(means[criterion])
    outlines = sites.to_crs(_crs.WGS84).merge(table.drop(columns=["name", "area_ha"]), on="id")
    return table[CANDIDATE_COLUMNS + [f"mean_{c}" for c in names]], outlines


def weights_of(scenario) -> pd.Series:
    """The AHP weights of the candidates' suitability file (for reports)."""
    from geozones.analysis.suitability import ahp_weights
    from geozones.scenario.suitability import load_suitability

    name = scenario.candidates.get("suitability") or scenario.allocation.get("suitability")
    where = Path(scenario.path).parent if scenario.path and Path(scenario.path).exists() else Path.cwd()
    spec = load_suitability(Path(name) if Path(name).is_absolute() else where / name)
    return ahp_weights(spec.matrix, [c.name for c in spec.criteria]).weights


__all__ = ["CANDIDATE_COLUMNS", "candidate_geometries", "parse_candidates", "rank_candidates", "weights_of"]
