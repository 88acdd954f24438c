"""The attribute rows of zones a scenario adds (``add_zone``, ``add_phase``, allocated sites)."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import shapely

from geozones import crs as _crs
from geozones.errors import ScenarioError
from geozones.scenario.model import Action, Scenario
from geozones.schema import PROVINCE_AFTER_2025, ascii_name


def add_zone_row(scenario: Scenario, action: Action) -> dict:
    """The row of an ``add_zone`` action's new zone (its outline drawn or grown from a point)."""
    p = action.params
    basis = (
        "drawn in the scenario file"
        if "geometry" in p
        else f"scenario {scenario.id}: grown from the point {p.get('point')} to {p.get('target_ha')} ha "
        "around constraints (not a surveyed outline)"
    )
    return {
        "id": p["id"],
        "name": p["name"],
        "name_ascii": ascii_name(p["name"]),
        "kind": p["kind"],
        "zone_group": p.get("zone_group") or p["name"],
        "phase": p.get("phase"),
        "province_pre2025": scenario.province,
        "province": PROVINCE_AFTER_2025.get(scenario.province, scenario.province),
        "district_pre2025": p.get("district_pre2025"),
        "status": p.get("status", "planned"),
        "status_year": action.year,
        "area_published_ha": None,
        "occupancy_pct": p.get("occupancy_pct"),
        "sources": action.source or "scenario assumption",
        "geometry_quality": "approximate",
        "location_basis": basis,
        "notes": action.assumption,
        "infrastructure_complete": False,
    }


def phase_row(scenario: Scenario, action: Action, parent: pd.Series, parent_id: str) -> dict:
    """The row of an ``add_phase`` action's new phase: the parent's attributes with its own status and id."""
    p = action.params
    row = parent.drop(labels=["geometry"]).to_dict()
    row.update(
        {
            "id": p["id"],
            "name": p.get("name") or f"{parent['name']} ({p['phase']})",
            "phase": p["phase"],
            "status": p.get("status", "planned"),
            "status_year": action.year,
            "area_published_ha": None,
            "area_qualifier": None,
            "occupancy_pct": None,
            "decision": None,
            "decision_date": None,
            "established_year": None,
            "target_year": None,
            "infrastructure_complete": False,
            "sources": action.source or "scenario assumption",
            "notes": action.assumption,
            "location_basis": f"scenario {scenario.id}: grown beside {parent_id} to {p.get('target_ha')} ha",
        }
    )
    row["name_ascii"] = ascii_name(row["name"])
    return row


def site_row(scenario: Scenario, action: Action, zone_id: str, opened: int) -> dict:
    """The row of a new site an ``allocate`` action opens (the ``opened``-th of its year)."""
    settings = scenario.allocation
    kind = action.params.get("kind", "CCN")
    row = {
        "id": zone_id,
        "name": f"{kind} site {action.year}-{opened} ({scenario.id})",
        "kind": kind,
        "zone_group": zone_id,
        "province_pre2025": scenario.province,
        "province": PROVINCE_AFTER_2025.get(scenario.province, scenario.province),
        "status": "planned",
        "status_year": action.year,
        "area_published_ha": None,
        "sources": action.source or "scenario assumption",
        "geometry_quality": "approximate",
        "location_basis": f"scenario {scenario.id}: land demand allocated to the most suitable "
        f"contiguous cells ({float(settings['resolution_m']):g} m) of "
        f"{settings['suitability']}",
        "notes": action.assumption,
        "infrastructure_complete": False,
    }
    row["name_ascii"] = ascii_name(row["name"])
    return row


def read_geometry(value, metric, scenario: Scenario, action: Action, index: int):
    """A scenario file's WGS84 Polygon/MultiPolygon (GeoJSON mapping or WKT) in the run's metric CRS."""
    try:
        geom = shapely.from_geojson(json.dumps(value)) if isinstance(value, dict) else shapely.from_wkt(value)
    except Exception as exc:  # shapely raises GEOSException for bad WKT/GeoJSON
        raise ScenarioError(
            f"cannot read the geometry: {exc}", scenario.path, action.line, f"actions[{index}].geometry"
        ) from None
    if shapely.get_type_id(geom) not in (3, 6) or not shapely.is_valid(geom):
        raise ScenarioError(
            "the geometry must be a valid Polygon or MultiPolygon (WGS84 lon/lat)",
            scenario.path,
            action.line,
            f"actions[{index}].geometry",
        )
    return gpd.GeoSeries([geom], crs=_crs.WGS84).to_crs(metric).iloc[0]
