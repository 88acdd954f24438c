"""Where things live: the shipped data (the ``geozones.data`` package) and the default store path."""

from __future__ import annotations

import os
from geozones.errors import MissingFileError
from importlib import resources
from pathlib import Path


def shipped_data_dir() -> Path:
    """The shipped data: the ``geozones.data`` package (``GEOZONES_DATA_DIR`` overrides it).

    Raises
    ------
    FileNotFoundError
        When the directory has no ``zones/`` folder (a broken install or a wrong override).
    """
    override = os.environ.get("GEOZONES_DATA_DIR")
    path = Path(override) if override else Path(str(resources.files("geozones.data")))
    if not (path / "zones").is_dir():
        raise MissingFileError(
            f"shipped data not found at {path}; reinstall geozones (pip install geozones) or set GEOZONES_DATA_DIR"
        )
    return path


def default_store_path() -> Path:
    """The embedded store: ``GEOZONES_STORE`` or ``<user data dir>/geozones/geozones.gpkg``."""
    override = os.environ.get("GEOZONES_STORE")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path("geozones", appauthor=False) / "geozones.gpkg"
