"""Per-zone differences between two states of a scenario's zones."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely


def zone_diff(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per zone: what changed between two states and by how many hectares.

    Both frames are indexed by zone id with ``status``, ``hectares``, ``occupancy_pct`` and
    ``infrastructure_complete`` columns (as in :class:`ScenarioResult`).
    """
    ids = list(dict.fromkeys(list(before.index) + list(after.index)))
    rows = []
    for zone_id in ids:
        b = before.loc[zone_id] if zone_id in before.index else None
        a = after.loc[zone_id] if zone_id in after.index else None
        changes = []
        if b is None:
            changes.append("added")
        else:
            if a["status"] != b["status"]:
                changes.append("retired" if a["status"] == "retired" else "status")
            if not _same_geometry(a.geometry, b.geometry):
                changes.append("geometry")
            if not _same_number(a["occupancy_pct"], b["occupancy_pct"]):
                changes.append("occupancy")
            if bool(a["infrastructure_complete"]) != bool(b["infrastructure_complete"]):
                changes.append("infrastructure")
        before_ha = float(b["hectares"]) if b is not None and pd.notna(b["hectares"]) else np.nan
        after_ha = float(a["hectares"]) if pd.notna(a["hectares"]) else np.nan
        rows.append(
            {
                "zone": zone_id,
                "name": a["name"],
                "kind": a["kind"],
                "change": "+".join(changes) or "unchanged",
                "status_before": None if b is None else b["status"],
                "status_after": a["status"],
                "ha_before": before_ha,
                "ha_after": after_ha,
                "delta_ha": (after_ha if b is None else after_ha - before_ha),
                "occupancy_before": np.nan if b is None else b["occupancy_pct"],
                "occupancy_after": a["occupancy_pct"],
            }
        )
    return pd.DataFrame(rows)


def _same_geometry(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(shapely.equals_exact(a, b, 1e-6))


def _same_number(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and float(a) == float(b))
