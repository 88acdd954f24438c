"""Is a store's copy of the shipped data still the shipped data?

A store keeps the layers it has when geozones is upgraded (so that nobody's edits are lost), so a
store built by an older version can hold older boundaries or infrastructure than the version
reading it ships. :func:`compare_shipped` tells, layer by layer, whether the store's copy matches
this installation's shipped file; :func:`refresh_shipped` replaces the named layers by the shipped
ones (``geozones store info`` and ``geozones store refresh``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geozones.errors import UnknownAttributeError
from geozones.store.base import ZONES, read_shipped, shipped_layers
from geozones.store.records import plain_value

#: Geometries within this many CRS units of each other count as the same (a GeoPackage round trip).
GEOMETRY_TOLERANCE = 1e-9


def _text(value) -> str:
    """A value as comparable text: missing -> '', numbers to 12 significant digits, dates without 00:00."""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        value = value.date()
    plain = plain_value(value)  # missing -> None, numpy scalars -> Python, dates -> ISO text
    if plain is None:
        return ""
    if isinstance(plain, bool):
        return str(plain)
    if isinstance(plain, (int, float)):
        return f"{float(plain):.12g}"
    text = str(plain)
    try:
        return f"{float(text):.12g}"
    except ValueError:
        return text


def _differences(stored: pd.DataFrame, shipped: pd.DataFrame) -> str:
    """Why ``stored`` is not ``shipped`` ('' when it is), ignoring column order, dtypes and row order by id."""
    if len(stored) != len(shipped):
        return f"{len(stored)} rows in the store, {len(shipped)} shipped"
    geometry = shipped.geometry.name if isinstance(shipped, gpd.GeoDataFrame) else None
    columns = [c for c in shipped.columns if c != geometry]
    missing = [c for c in columns if c not in stored.columns]
    if missing:
        return f"columns missing from the store: {', '.join(missing)}"
    if "id" in columns:
        stored = stored.sort_values("id", kind="stable")
        shipped = shipped.sort_values("id", kind="stable")
    changed = [c for c in columns if [_text(v) for v in stored[c].tolist()] != [_text(v) for v in shipped[c].tolist()]]
    if changed:
        return f"attributes differ: {', '.join(changed)}"
    if geometry is not None:
        if not isinstance(stored, gpd.GeoDataFrame):
            return "the store's copy has no geometry"
        theirs = stored.to_crs(shipped.crs) if stored.crs and shipped.crs and stored.crs != shipped.crs else stored
        a, b = np.asarray(theirs.geometry.array), np.asarray(shipped.geometry.array)
        same = shapely.equals_exact(a, b, tolerance=GEOMETRY_TOLERANCE) | (
            shapely.is_missing(a) & shapely.is_missing(b)
        )
        if not same.all():
            return f"{int((~same).sum())} geometries differ"
    return ""


def compare_shipped(store, data_dir: Path | None = None, names: Iterable[str] | None = None) -> pd.DataFrame:
    """Per shipped layer: ``layer``, ``file``, ``status`` (same, differs, not in the store) and ``detail``.

    Parameters
    ----------
    store : ZoneStore
    data_dir : path, optional
        Shipped data folder (default: this installation's).
    names : iterable of str, optional
        Only these layers.
    """
    present = set(store.layers())
    wanted = None if names is None else set(names)
    rows = []
    for name, path in shipped_layers(data_dir).items():
        if wanted is not None and name not in wanted:
            continue
        if name not in present:
            rows.append({"layer": name, "file": str(path), "status": "not in the store", "detail": ""})
            continue
        detail = _differences(store.layer(name), read_shipped(name, path))
        rows.append({"layer": name, "file": str(path), "status": "differs" if detail else "same", "detail": detail})
    return pd.DataFrame(rows, columns=["layer", "file", "status", "detail"])


def refresh_shipped(store, names: Iterable[str], data_dir: Path | None = None) -> list[str]:
    """Replace the named layers by this installation's shipped files; return the layers written.

    Raises
    ------
    UnknownAttributeError
        For a name that is not a shipped layer.
    """
    shipped = shipped_layers(data_dir)
    names = list(dict.fromkeys(names))
    unknown = [n for n in names if n not in shipped]
    if unknown:
        raise UnknownAttributeError(f"not shipped layer(s): {', '.join(unknown)}; shipped layers: {', '.join(shipped)}")
    for name in names:
        frame = read_shipped(name, shipped[name])
        if name == ZONES:
            store.write_zones(frame)
        else:
            store.write_layer(name, frame)
    return names


__all__ = ["compare_shipped", "refresh_shipped"]
