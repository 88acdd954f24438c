"""Opening the configured store: GeoPackage by default, PostGIS when a database URL is set."""

from __future__ import annotations

import os

from geozones.store.base import ZoneStore
from geozones.store.geopackage import GeoPackageStore


def open_store(path: str | os.PathLike | None = None, *, url: str | None = None) -> ZoneStore:
    """Open the configured store, created (or migrated) if needed.

    Parameters
    ----------
    path : path-like, optional
        GeoPackage store (default :func:`geozones.paths.default_store_path`).
    url : str, optional
        A ``postgresql://`` URL: use the PostGIS backend. Defaults to the
        ``GEOZONES_DATABASE_URL`` environment variable; when neither is set the
        GeoPackage store is used.
    """
    url = url or os.environ.get("GEOZONES_DATABASE_URL") or None
    if url:
        from geozones.store.postgis import PostGISStore

        return PostGISStore(url).ensure()
    return GeoPackageStore(path).ensure()


__all__ = ["open_store"]
