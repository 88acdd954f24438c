"""The embedded zone store: one GeoPackage, created from the shipped files on first use.

The API and the CLI read through a store. Every write is atomic: the new state is
written to a temporary copy and renamed into place under a lock, so a failed or killed
write leaves the previous state intact and readers never see half a write.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd
import pyogrio

from geozones import io as _io
from geozones._errors import StoreError, UnknownAttributeError
from geozones.paths import default_store_path, shipped_data_dir
from geozones.schema import validate_zones

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


def _read_shipped(name: str, path: Path) -> gpd.GeoDataFrame | pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8").replace("", None)
    frame = _io.read_layer(path)
    return validate_zones(frame) if name == ZONES else frame


class GeoPackageStore:
    """A zone store in one GeoPackage file.

    Parameters
    ----------
    path : path-like, optional
        The GeoPackage; default :func:`geozones.paths.default_store_path`.
    data_dir : path-like, optional
        Shipped data to create the store from on first use.
    """

    def __init__(self, path: str | os.PathLike | None = None, data_dir: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else default_store_path()
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self._cache: dict[str, tuple[str, object]] = {}

    def __repr__(self) -> str:
        return f"GeoPackageStore({str(self.path)!r})"

    # -- life cycle ---------------------------------------------------------------------

    def ensure(self) -> "GeoPackageStore":
        """Create the store from the shipped files if it does not exist yet."""
        if self.path.exists():
            return self
        with self._lock():
            if not self.path.exists():
                self._build(shipped_layers(self.data_dir))
        return self

    def reset(self) -> "GeoPackageStore":
        """Rebuild the store from the shipped files, atomically."""
        with self._lock():
            self._build(shipped_layers(self.data_dir))
        return self

    def _build(self, layers: dict[str, Path]) -> None:
        frames = {name: _read_shipped(name, path) for name, path in layers.items()}
        self._write_many(frames, start_empty=True)

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{self.path}.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- reading --------------------------------------------------------------------------

    def version(self) -> str:
        """Changes whenever the store is written (mtime and size of the file)."""
        self.ensure()
        stat = self.path.stat()
        return f"{stat.st_mtime_ns}-{stat.st_size}-{stat.st_ino}"

    def layers(self) -> list[str]:
        """Names of every layer and table in the store."""
        self.ensure()
        return [n for n in _io.layer_names(self.path) if n != "layer_styles"]

    def layer(self, name: str) -> gpd.GeoDataFrame | pd.DataFrame:
        """Read one layer (a GeoDataFrame) or table (a DataFrame); cached until the next write."""
        version = self.version()
        cached = self._cache.get(name)
        if cached and cached[0] == version:
            return cached[1].copy()
        if name not in self.layers():
            raise UnknownAttributeError(f"no layer {name!r} in {self.path}; layers: {', '.join(self.layers())}")
        frame = pyogrio.read_dataframe(self.path, layer=name)
        if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name != "geometry":
            frame = frame.rename_geometry("geometry")
        if name == ZONES:
            frame = validate_zones(frame)
        elif not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None:
            frame = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).replace("", None)
        self._cache[name] = (version, frame)
        return frame.copy()

    def zones(self) -> gpd.GeoDataFrame:
        """The validated zone layer."""
        return self.layer(ZONES)

    # -- writing --------------------------------------------------------------------------

    def write_zones(self, zones: gpd.GeoDataFrame) -> None:
        """Validate and replace the zone layer atomically."""
        self.write_layer(ZONES, validate_zones(zones))

    def write_layer(self, name: str, frame: gpd.GeoDataFrame | pd.DataFrame) -> None:
        """Add or replace one layer atomically; the rest of the store is kept."""
        if name == ZONES:
            frame = validate_zones(frame)
        self.ensure()
        with self._lock():
            self._write_many({name: frame}, start_empty=False)

    def delete_layer(self, name: str) -> None:
        """Remove a layer (never the zone layer)."""
        if name == ZONES:
            raise StoreError("the zone layer cannot be deleted")
        import sqlite3

        self.ensure()
        with self._lock():
            def drop(tmp: str) -> None:
                with sqlite3.connect(tmp) as db:
                    db.execute(f'DROP TABLE IF EXISTS "{name.replace(chr(34), "")}"')
                    for table in ("gpkg_contents", "gpkg_geometry_columns", "layer_styles"):
                        column = "f_table_name" if table == "layer_styles" else "table_name"
                        db.execute(f"DELETE FROM {table} WHERE {column} = ?", (name,))
                    db.execute("DELETE FROM gpkg_extensions WHERE table_name = ?", (name,))
            self._commit(drop, start_empty=False)

    def _write_many(self, frames: dict[str, gpd.GeoDataFrame | pd.DataFrame], start_empty: bool) -> None:
        def write(tmp: str) -> None:
            for name, frame in frames.items():
                if isinstance(frame, gpd.GeoDataFrame):
                    _io.write_gpkg_layer(frame, tmp, name)
                else:
                    pyogrio.write_dataframe(pd.DataFrame(frame).astype(object).where(frame.notna(), None),
                                            tmp, layer=name, driver="GPKG",
                                            layer_options={"OVERWRITE": "YES"})

        self._commit(write, start_empty)

    def _commit(self, write, start_empty: bool) -> None:
        """Run ``write`` on a temporary copy of the store and rename it over the store."""
        try:
            _io.replace_atomically(self.path, write, copy_existing=not start_empty and self.path.exists())
        except Exception as exc:
            raise StoreError(f"write to {self.path} failed, store unchanged: {exc}") from exc


def open_store(path: str | os.PathLike | None = None) -> ZoneStore:
    """Open the configured store: the GeoPackage at ``path`` or the default one, created if needed.

    Other backends (PostGIS via ``GEOZONES_DATABASE_URL``) plug in here.
    """
    return GeoPackageStore(path).ensure()
