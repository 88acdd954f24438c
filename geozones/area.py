"""Area analysis in hectares: per-zone areas, totals by any attributes, reconciliation.

Areas are computed in each zone's provincial VN-2000 TM-3 CRS (EPSG:9213 for Bắc Kạn,
EPSG:9215 for Lạng Sơn); :func:`geodesic_area_ha` gives the ellipsoidal area as a check.
Functions take a GeoDataFrame and return a Series or DataFrame on the same index
(momepy style), with no hidden state.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geozones import crs as _crs
from geozones.errors import InvalidParameterError, UnknownAttributeError

M2_PER_HA = 10_000.0


def area_ha(zones: gpd.GeoDataFrame | gpd.GeoSeries, crs: pyproj.CRS | str | int | None = None) -> pd.Series:
    """Planar area of each geometry in hectares, in its metric working CRS.

    Parameters
    ----------
    zones : GeoDataFrame or GeoSeries
        With a CRS. Zones are measured in the TM-3 CRS of their ``province_pre2025``;
        a GeoSeries (or a frame without provinces) in its :func:`~geozones.crs.working_crs`.
    crs : CRS-like, optional
        Force one metric CRS for every geometry.

    Returns
    -------
    pandas.Series
        ``area_ha`` on the same index; NaN for missing or empty geometries.
    """
    _crs.require_crs(zones)
    geoseries = zones.geometry if isinstance(zones, gpd.GeoDataFrame) else zones
    if crs is not None:
        codes = np.full(len(zones), pyproj.CRS.from_user_input(crs).to_epsg())
    elif isinstance(zones, gpd.GeoDataFrame) and ({"province_pre2025", "province"} & set(zones.columns)):
        codes = _crs.metric_epsg(zones)
    else:
        codes = np.full(len(zones), _crs.working_crs(gpd.GeoDataFrame(geometry=geoseries)).to_epsg())
    result = np.full(len(zones), np.nan)
    for code in np.unique(codes):
        mask = codes == code
        projected = geoseries[mask].to_crs(epsg=int(code)).array
        values = shapely.area(projected) / M2_PER_HA
        values[shapely.is_missing(projected) | shapely.is_empty(projected)] = np.nan
        result[mask] = values
    return pd.Series(result, index=zones.index, name="area_ha")


def geodesic_area_ha(zones: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Area on the WGS84 ellipsoid (the VN-2000 ellipsoid too) in hectares, via ``pyproj.Geod``."""
    _crs.require_crs(zones)
    geod = pyproj.Geod(ellps="WGS84")
    lonlat = (zones.geometry if isinstance(zones, gpd.GeoDataFrame) else zones).to_crs(_crs.WGS84)
    values = [
        np.nan if g is None or g.is_empty else abs(geod.geometry_area_perimeter(g)[0]) / M2_PER_HA for g in lonlat.array
    ]
    return pd.Series(values, index=zones.index, name="geodesic_area_ha", dtype=float)


def _check_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    unknown = [c for c in columns if c not in frame.columns or c == frame.geometry.name]
    if unknown:
        available = ", ".join(c for c in frame.columns if c != frame.geometry.name)
        raise UnknownAttributeError(f"unknown attribute(s) {', '.join(map(repr, unknown))}; choose from {available}")


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as floats; all-NaN when the frame does not have it."""
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def totals_by(zones: gpd.GeoDataFrame, by: str | Sequence[str]) -> pd.DataFrame:
    """Zone counts and hectares grouped by any attributes.

    Parameters
    ----------
    zones : GeoDataFrame
        Validated zones.
    by : str or list of str
        Grouping attributes, e.g. ``["province_pre2025", "kind"]``. Missing values
        form their own group.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``by``, with ``zones`` (count), ``mapped`` (count with a polygon),
        ``published_ha`` (sum of published areas), ``mapped_ha`` (sum of areas measured
        in the metric CRS) and ``occupied_ha`` (published area x occupancy, where both are
        published). Sums of nothing are NaN, not 0.

    Raises
    ------
    UnknownAttributeError
    """
    by = [by] if isinstance(by, str) else list(by)
    if not by:
        raise InvalidParameterError("give at least one attribute to group by")
    _check_columns(zones, by)
    table = pd.DataFrame({c: zones[c].astype(object).where(zones[c].notna(), "(unknown)") for c in by})
    table["zones"] = 1
    mapped = area_ha(zones)
    table["mapped"] = mapped.notna().astype(int)
    published = _numeric(zones, "area_published_ha")
    table["published_ha"] = published
    table["mapped_ha"] = mapped
    table["occupied_ha"] = published * _numeric(zones, "occupancy_pct") / 100
    grouped = table.groupby(by, sort=True, dropna=False)
    out = grouped[["zones", "mapped"]].sum()
    for column in ("published_ha", "mapped_ha", "occupied_ha"):
        out[column] = grouped[column].sum(min_count=1)
    return out


def reconcile(zones: gpd.GeoDataFrame, threshold: float = 0.01) -> pd.DataFrame:
    """Mapped area against published area, per zone.

    Parameters
    ----------
    zones : GeoDataFrame
    threshold : float
        Relative difference above which a zone is flagged (0.01 = 1 %).

    Returns
    -------
    pandas.DataFrame
        On the zones' index: ``id``, ``name``, ``published_ha``, ``mapped_ha``,
        ``diff_ha`` (mapped - published), ``rel_diff`` (diff / published), ``check``
        (``ok``, ``over_threshold``, ``no_polygon``, ``no_published_area``,
        ``no_data``) and ``flag`` (True when the zone needs attention).
    """
    if not 0 <= threshold:
        raise InvalidParameterError("threshold must be >= 0")
    published = _numeric(zones, "area_published_ha")
    mapped = area_ha(zones)
    diff = mapped - published
    rel = diff / published.where(published > 0)
    check = np.select(
        [published.isna() & mapped.isna(), mapped.isna(), published.isna(), rel.abs() > threshold],
        ["no_data", "no_polygon", "no_published_area", "over_threshold"],
        default="ok",
    )
    return pd.DataFrame(
        {
            "id": zones["id"],
            "name": zones["name"],
            "published_ha": published,
            "mapped_ha": mapped,
            "diff_ha": diff,
            "rel_diff": rel,
            "check": check,
            "flag": check == "over_threshold",
        },
        index=zones.index,
    )
