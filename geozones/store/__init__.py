"""Storage: the :class:`ZoneStore` interface and its backends, edits, keys and migrations.

- :mod:`geozones.store.base` -- the interface and the shipped layers a new store starts from;
- :mod:`geozones.store.geopackage` -- the embedded default (one GeoPackage file);
- :mod:`geozones.store.postgis` -- the same interface on PostgreSQL/PostGIS (``geozones[postgis]``);
- :mod:`geozones.store.edits`, :mod:`geozones.store.records` -- row-level edits with history;
- :mod:`geozones.store.keys` -- API keys; ``migrations/`` -- versioned PostGIS SQL.
- :mod:`geozones.store.locking` -- every lock a store takes, in one documented order.

May import: the core (``geozones.schema``, ``crs``, ``area``, ``errors``, ``paths``) and
``geozones.io``. Never imports ``analysis``, ``scenario``, ``cli``, ``api`` or ``maps``.
"""

from __future__ import annotations

from geozones.store.base import ZONES, ZoneStore, read_shipped, shipped_layers
from geozones.store.geopackage import GeoPackageStore
from geozones.store.layers import (
    REFERENCE_LAYERS,
    candidate_sites,
    load_infrastructure,
    odds_table,
    scenario_layer_name,
    sensitivity_raster,
    site_ranks,
    store_layers,
    suitability_raster,
    uncertainty_raster,
)
from geozones.store.opening import open_store

__all__ = [
    "ZONES",
    "REFERENCE_LAYERS",
    "ZoneStore",
    "GeoPackageStore",
    "open_store",
    "read_shipped",
    "shipped_layers",
    "load_infrastructure",
    "scenario_layer_name",
    "store_layers",
    "suitability_raster",
    "sensitivity_raster",
    "candidate_sites",
    "odds_table",
    "site_ranks",
    "uncertainty_raster",
]
