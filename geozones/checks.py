"""Layer checks shared by every analysis: a layer can be measured, two layers share a CRS.

The one place these checks live (analysis modules, the store and the maps use them).
May import: ``geozones.crs`` and ``geozones.errors`` only.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geozones import crs as _crs
from geozones.errors import CRSError, EmptyLayerError, GeometryError


def geometry_array(layer: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
    """The layer's geometries as a numpy array of shapely objects."""
    return np.asarray(layer.geometry.array if isinstance(layer, gpd.GeoDataFrame) else layer.array)


def check_layer(
    layer: gpd.GeoDataFrame | gpd.GeoSeries, what: str = "layer", *, metric: bool = True, allow_missing: bool = False
) -> None:
    """Raise a clear error unless ``layer`` can be measured.

    Parameters
    ----------
    layer : GeoDataFrame or GeoSeries
    what : str
        Name used in messages ("zones", "roads", ...).
    metric : bool
        Require a projected CRS in metres (distances in degrees are meaningless).
    allow_missing : bool
        Accept null or empty geometries (zones without a polygon); otherwise they are an error.

    Raises
    ------
    TypeError, MissingCRSError, CRSError, EmptyLayerError, GeometryError
    """
    if not isinstance(layer, (gpd.GeoDataFrame, gpd.GeoSeries)):
        raise TypeError(f"the {what} must be a geopandas GeoDataFrame or GeoSeries, not {type(layer).__name__}")
    if metric:
        _crs.require_metric(layer, what)
    else:
        _crs.require_crs(layer, what)
    if len(layer) == 0:
        raise EmptyLayerError(f"the {what} layer is empty")
    geoms = geometry_array(layer)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.all():
        raise EmptyLayerError(f"the {what} layer has no geometry (all {len(layer)} features are null or empty)")
    if missing.any() and not allow_missing:
        raise GeometryError(
            f"the {what} layer has {int(missing.sum())} null or empty geometries; drop them first",
            record=record_label(layer, int(np.flatnonzero(missing)[0])),
            field="geometry",
        )
    invalid = ~missing & ~shapely.is_valid(geoms)
    if invalid.any():
        first = int(np.flatnonzero(invalid)[0])
        raise GeometryError(
            f"the {what} layer has {int(invalid.sum())} invalid geometries "
            f"(first: {shapely.is_valid_reason(geoms[first])}); repair them (shapely.make_valid)",
            record=record_label(layer, first),
            field="geometry",
        )


def record_label(layer, position: int) -> str:
    if isinstance(layer, gpd.GeoDataFrame) and "id" in layer.columns and pd.notna(layer["id"].iloc[position]):
        return str(layer["id"].iloc[position])
    return f"row {position}"


def same_crs(zones, features) -> None:
    """Raise :class:`CRSError` unless both layers carry the same CRS."""
    if not zones.crs.equals(features.crs):
        raise CRSError(
            f"the zones ({zones.crs.to_string()}) and the features ({features.crs.to_string()}) are in "
            "different CRSs; project the features with features.to_crs(zones.crs)"
        )


__all__ = ["check_layer", "geometry_array", "record_label", "same_crs"]
