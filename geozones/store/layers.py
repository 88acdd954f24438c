"""Loading analysis inputs from a store or from the user's own files.

May import: the core, :mod:`geozones.io` and the store backends.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geozones.errors import UnknownAttributeError
from geozones.io.infrastructure import INFRASTRUCTURE_LAYERS, read_infrastructure
from geozones.store.opening import open_store

#: Reference layers (boundaries and infrastructure) maps and reports show when the store has them.
REFERENCE_LAYERS = (
    "boundaries_provinces",
    "boundaries_districts",
    "infrastructure_roads",
    "infrastructure_railways",
    "infrastructure_border_gates",
    "infrastructure_hydropower",
    "infrastructure_protected_areas",
    "infrastructure_power",
    "infrastructure_destinations",
)


def load_infrastructure(source=None) -> dict[str, gpd.GeoDataFrame]:
    """The road, power and destination layers, from the store or from the user's own files.

    Parameters
    ----------
    source : ZoneStore, mapping or None
        ``None``: the default store (shipped layers ``infrastructure_roads`` etc.).
        A store: its ``infrastructure_*`` layers. A mapping ``{"roads": path or GeoDataFrame,
        "power": ..., "destinations": ...}``: the given layers (any CRS, any format
        :func:`geozones.io.read_layer` reads, e.g. an OpenStreetMap or utility export);
        keys left out come from the default store.

    Returns
    -------
    dict
        ``{"roads", "power", "destinations"}`` -> GeoDataFrame, each in its own CRS, with at
        least the columns ``id``, ``name``, ``class``, ``ref``, ``voltage_kv``. OpenStreetMap
        exports without ``class`` are classified from ``ref`` (``QL…`` national highway,
        ``ĐT…`` provincial road) and the ``highway`` tag; ``power=substation``/``line`` and
        ``voltage`` (volts, ``;``-separated) become ``class`` and ``voltage_kv``.

    Raises
    ------
    MissingCRSError, EmptyLayerError, GeometryError, FileNotFoundError, KeyError
    """
    given: Mapping = source if isinstance(source, Mapping) else {}
    unknown = set(given) - set(INFRASTRUCTURE_LAYERS)
    if unknown:
        raise UnknownAttributeError(
            f"unknown infrastructure layer(s) {', '.join(sorted(unknown))}; use {', '.join(INFRASTRUCTURE_LAYERS)}"
        )
    store = None
    if not isinstance(source, Mapping) and source is not None:
        store = source
    out: dict[str, gpd.GeoDataFrame] = {}
    for name, layer in INFRASTRUCTURE_LAYERS.items():
        if name in given:
            out[name] = read_infrastructure(given[name], name)
            continue
        if store is None:
            store = open_store()
        out[name] = read_infrastructure(store.layer(layer), name)
    return out


def store_layers(store, names: tuple[str, ...] = REFERENCE_LAYERS) -> dict[str, gpd.GeoDataFrame]:
    """The named layers the store has (missing ones are simply left out)."""
    if store is None:
        return {}
    available = set(store.layers())
    layers = {}
    for name in names:
        if name in available:
            frame = store.layer(name)
            if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None and len(frame):
                layers[name] = frame
    return layers


def suitability_raster(store, scenario_id: str) -> Path | None:
    """The scenario's suitability GeoTIFF next to the store (``suitability_<id>.tif``, also under ``rasters/``).

    Falls back to ``suitability.tif`` (what ``geozones scenario rasters --out <store dir>/rasters`` writes).
    """
    folder = Path(getattr(store, "path", ".")).parent
    for name in (
        f"suitability_{scenario_id}.tif",
        f"scenario_{scenario_id}_suitability.tif",
        f"rasters/suitability_{scenario_id}.tif",
        f"rasters/scenario_{scenario_id}_suitability.tif",
        "suitability.tif",
        "rasters/suitability.tif",
    ):
        if (folder / name).is_file():
            return folder / name
    return None


def _beside_suitability(store, scenario_id: str, suffix: str) -> Path | None:
    """A file written next to the scenario's suitability raster by ``geozones scenario suitability``."""
    found = suitability_raster(store, scenario_id)
    if found is None:
        return None
    candidate = found.with_name(found.stem + suffix)
    return candidate if candidate.is_file() else None


def sensitivity_raster(store, scenario_id: str) -> Path | None:
    """The share-of-draws-in-the-top raster beside the scenario's suitability raster (``suitability_top_share.tif``)."""
    return _beside_suitability(store, scenario_id, "_top_share.tif")


def uncertainty_raster(store, scenario_id: str) -> Path | None:
    """The standard deviation of the suitability over the weight draws (``suitability_std.tif``) beside it."""
    return _beside_suitability(store, scenario_id, "_std.tif")


def site_ranks(store, scenario_id: str) -> pd.DataFrame | None:
    """The rank stability of the candidate sites (``suitability_sites.csv``) beside the suitability raster."""
    path = _beside_suitability(store, scenario_id, "_sites.csv")
    if path is None:
        return None
    table = pd.read_csv(path)
    return table if {"id", "ahp_score", "base_rank", "median_rank", "top_k_share"} <= set(table.columns) else None


def candidate_sites(store, scenario_id: str):
    """The ranked candidate sites saved by ``geozones scenario run`` (layer ``candidates_<id>``), or None."""
    if store is None:
        return None
    names = store.layers()
    for name in (f"candidates_{scenario_id}", f"candidates_{scenario_id.replace('-', '_')}"):
        if name in names:
            frame = store.layer(name).copy()
            for column in ("area_ha", "ahp_score", "base_rank", "median_rank", "top_k_share", "top_k", "draws"):
                if column in frame.columns:
                    frame[column] = pd.to_numeric(frame[column], errors="coerce")
            return frame
    return None


def odds_table(store, scenario_id: str):
    """The odds of meeting targets saved by ``geozones scenario run --draws N`` (table ``odds_<id>``), or None."""
    if store is None:
        return None
    names = store.layers()
    for name in (f"odds_{scenario_id}", f"odds_{scenario_id.replace('-', '_')}"):
        if name in names:
            table = store.layer(name).copy()
            for column in ("year", "deadline", "value", "value_max", "probability", "met", "draws", "seed"):
                if column in table.columns:
                    table[column] = pd.to_numeric(table[column], errors="coerce")
            return table
    return None


def scenario_layer_name(names: list[str], scenario_id: str) -> str | None:
    """The store layer of a scenario: ``scenario_<id>`` (``-`` in the id saved as ``_``)."""
    for name in (f"scenario_{scenario_id}", f"scenario_{scenario_id.replace('-', '_')}"):
        if name in names:
            return name
    return None


__all__ = [
    "REFERENCE_LAYERS",
    "load_infrastructure",
    "site_ranks",
    "uncertainty_raster",
    "odds_table",
    "scenario_layer_name",
    "sensitivity_raster",
    "store_layers",
    "suitability_raster",
]
