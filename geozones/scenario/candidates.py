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
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geozones import crs as _crs
from geozones.errors import ScenarioError

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


__all__ = ["CANDIDATE_COLUMNS", "candidate_geometries", "rank_candidates", "weights_of"]
