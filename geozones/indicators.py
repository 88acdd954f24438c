"""Programme indicators: what the zone data says against the provincial targets.

The targets are the shipped table ``data/zones/targets.csv`` (store table
``table_targets``), each citing its seed article. Only targets that the zone data can
measure get a value; the others (industry growth, GRDP share) are listed as
``not_measured`` rather than given a number from nowhere.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from geozones.errors import InvalidParameterError
from geozones.paths import shipped_data_dir

#: Statuses that count as a cluster being invested in (past the planning stage).
INVESTED = ("established", "site_clearance", "under_construction", "operating")
#: Status that means complete technical infrastructure.
COMPLETE = ("operating",)
#: Relative tolerance for an "about" (``~``) target, e.g. "about 150 ha" -> 135..165 ha.
ABOUT_TOLERANCE = 0.10


def _bac_kan_ccn(zones: pd.DataFrame, statuses: tuple[str, ...]) -> pd.DataFrame:
    mask = (zones["province_pre2025"] == "Bắc Kạn") & (zones["kind"] == "CCN") & zones["status"].isin(statuses)
    return zones[mask]


def _ccn_count(zones: pd.DataFrame) -> tuple[float, str]:
    ccn = _bac_kan_ccn(zones, INVESTED)
    return float(len(ccn)), f"CCN with status {', '.join(INVESTED)}"


def _ccn_area(zones: pd.DataFrame) -> tuple[float, str]:
    ccn = _bac_kan_ccn(zones, INVESTED)
    area = ccn["area_published_ha"].astype(float)
    note = "sum of published areas of invested CCN"
    if area.isna().any():
        missing = ", ".join(ccn.loc[area.isna(), "name"])
        note += f"; no area published for {missing}, so the true total is larger"
    return float(area.sum(min_count=1)) if area.notna().any() else np.nan, note


def _ccn_complete(zones: pd.DataFrame) -> tuple[float, str]:
    return float(len(_bac_kan_ccn(zones, COMPLETE))), "CCN with status operating (complete infrastructure)"


def _ccn_occupancy(zones: pd.DataFrame) -> tuple[float, str]:
    complete = _bac_kan_ccn(zones, COMPLETE)
    occupancy = complete["occupancy_pct"].astype(float)
    if complete.empty:
        return np.nan, "no CCN with complete infrastructure yet"
    if occupancy.isna().any():
        return np.nan, "occupancy not published for every CCN with complete infrastructure"
    area = complete["area_published_ha"].astype(float)
    weighted = float((occupancy * area).sum() / area.sum()) if area.notna().all() else float(occupancy.mean())
    return weighted, "area-weighted occupancy of CCN with complete infrastructure"


#: Target id -> function measuring it on the zones: (value, how it was measured).
MEASURES: dict[str, Callable[[pd.DataFrame], tuple[float, str]]] = {
    "bk-target-ccn-count-2025": _ccn_count,
    "bk-target-ccn-area-2025": _ccn_area,
    "bk-target-ccn-complete-infra-2025": _ccn_complete,
    "bk-target-ccn-occupancy-2025": _ccn_occupancy,
}


def load_targets(source=None) -> pd.DataFrame:
    """The targets table from a store (``table_targets``) or the shipped CSV."""
    if source is not None and hasattr(source, "layer"):
        table = source.layer("table_targets")
    else:
        table = pd.read_csv(shipped_data_dir() / "zones" / "targets.csv", dtype=str, keep_default_na=False)
    table = table.replace("", None)
    for column in ("value", "value_max"):
        table[column] = pd.to_numeric(table[column], errors="coerce")
    table["year"] = pd.to_numeric(table["year"], errors="coerce").astype("Int64")
    return table


def judge(value: float, operator: str, target: float, target_max: float | None = None) -> str:
    """``met``, ``not_met`` or ``unknown`` for a value against one target."""
    if value is None or np.isnan(value):
        return "unknown"
    checks = {
        ">=": lambda: value >= target,
        ">": lambda: value > target,
        "=": lambda: value == target,
        "~": lambda: abs(value - target) <= ABOUT_TOLERANCE * abs(target),
        "between": lambda: target <= value <= (target_max if target_max is not None else target),
    }
    if operator not in checks:
        raise InvalidParameterError(f"unknown target operator {operator!r}")
    return "met" if checks[operator]() else "not_met"


def _target_text(row: pd.Series) -> str:
    if row["operator"] == "between":
        return f"{row['value']:g}–{row['value_max']:g} {row['unit']} by {row['year']}"
    symbol = {"~": "about", ">=": "≥", ">": ">", "=": "="}[row["operator"]]
    return f"{symbol} {row['value']:g} {row['unit']} by {row['year']}"


def evaluate_targets(zones: gpd.GeoDataFrame | pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Measure every target the zone data can measure and judge it.

    Parameters
    ----------
    zones : DataFrame
        Validated zones (as they are now, or as a scenario makes them in some year).
    targets : DataFrame
        From :func:`load_targets`.

    Returns
    -------
    pandas.DataFrame
        One row per target: ``id``, ``indicator``, ``target``, ``value``, ``unit``,
        ``status`` (``met``, ``not_met``, ``unknown``, ``not_measured``), ``measured_as``,
        ``source``.
    """
    rows = []
    for _, target in targets.iterrows():
        measure = MEASURES.get(target["id"])
        if measure is None:
            value, how, status = np.nan, "not measurable from zone data", "not_measured"
        else:
            value, how = measure(zones)
            status = judge(value, target["operator"], target["value"], target["value_max"])
        rows.append(
            {
                "id": target["id"],
                "indicator": target["indicator"],
                "target": _target_text(target),
                "value": value,
                "unit": target["unit"],
                "status": status,
                "measured_as": how,
                "source": target["source"],
            }
        )
    return pd.DataFrame(rows)


def programme_indicators(store) -> pd.DataFrame:
    """:func:`evaluate_targets` on a store's zones and targets, with the data year stated."""
    zones = store.zones()
    table = evaluate_targets(zones, load_targets(store))
    years = zones["status_year"].dropna()
    table.insert(5, "data_year", int(years.max()) if len(years) else None)
    return table
