"""The store interface every backend implements, and the shipped layers a new store starts from.

May import: the core (schema, crs, errors), ``geozones.io``, ``geozones.data`` and
``geozones.store.records``. Never imports a backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd

from geozones import io as _io
from geozones.paths import shipped_data_dir
from geozones.schema import validate_zones
from geozones.store.records import HistoryEntry, StoredZone

ZONES = "zones"


@runtime_checkable
class ZoneStore(Protocol):
    """What every store backend offers (GeoPackage here; PostGIS behind the same interface)."""

    def zones(self) -> gpd.GeoDataFrame: ...

    def layer(self, name: str) -> gpd.GeoDataFrame | pd.DataFrame: ...

    def layers(self) -> list[str]: ...

    def write_zones(self, zones: gpd.GeoDataFrame) -> None: ...

    def write_layer(self, name: str, frame: gpd.GeoDataFrame | pd.DataFrame) -> None: ...

    def version(self) -> str: ...

    # feature-level edits (see geozones.store.edits.FeatureEditing)

    def get_zone(self, zone_id: str) -> StoredZone: ...

    def create_zone(
        self, feature: Mapping, *, actor: str, crs=None, repair: bool = False, check=None
    ) -> StoredZone: ...

    def replace_zone(
        self,
        zone_id: str,
        feature: Mapping,
        *,
        if_match: str | None,
        actor: str,
        crs=None,
        repair: bool = False,
        check=None,
    ) -> StoredZone: ...

    def update_zone(
        self,
        zone_id: str,
        patch: Mapping,
        *,
        if_match: str | None,
        actor: str,
        crs=None,
        repair: bool = False,
        check=None,
    ) -> StoredZone: ...

    def delete_zone(self, zone_id: str, *, if_match: str | None, actor: str) -> StoredZone: ...

    def history(self, zone_id: str | None = None, limit: int | None = None) -> list[HistoryEntry]: ...

    def restore(
        self, zone_id: str, version: int, *, actor: str, if_match: str | None = None, check=None
    ) -> StoredZone: ...


def shipped_layers(data_dir: Path | None = None) -> dict[str, Path]:
    """Store layer name -> shipped file: zones, boundaries, infrastructure and fact tables."""
    root = data_dir or shipped_data_dir()
    layers = {ZONES: root / "zones" / "zones.geojson"}
    for folder in ("boundaries", "infrastructure"):
        for path in sorted((root / folder).glob("*.geojson")) if (root / folder).is_dir() else []:
            layers[f"{folder}_{path.stem}"] = path
    for path in sorted((root / "zones").glob("*.csv")):
        if path.stem != "zone_records":
            layers[f"table_{path.stem}"] = path
    return layers


def read_shipped(name: str, path: Path) -> gpd.GeoDataFrame | pd.DataFrame:
    """A shipped file as a frame: CSV fact tables as text columns, the zone layer validated."""
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8").replace("", None)
    frame = _io.read_layer(path)
    return validate_zones(frame) if name == ZONES else frame
