"""GeoPackages: a layer with a spatial index, declared dates, its description and its QGIS default style.

May import: the core, :mod:`geozones.io.writing` and :mod:`geozones.io.style`.
"""

from __future__ import annotations

import os
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj

from geozones import crs as _crs
from geozones.io.style import qgis_reference_qml, qgis_status_qml, sld_status
from geozones.io.writing import _date_columns, _distinct_text, _for_writing, _metadata, replace_atomically


def _declare_dates(gpkg: str, layer: str, columns: list[str]) -> None:
    """Declare ISO-date text columns as ``DATE`` so GDAL and QGIS read them as Date fields.

    pyogrio writes them as TEXT; a GeoPackage Date column is TEXT holding ``YYYY-MM-DD``
    with the declared type ``DATE`` (GeoPackage 1.2, table 1), so only the declaration
    in the schema changes, as SQLite documents for changes that leave the stored data alone.
    """
    if not columns:
        return
    with sqlite3.connect(gpkg) as db:
        row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (layer,)).fetchone()
        if row is None:
            return
        sql = row[0]
        for column in columns:
            sql = re.sub(rf'("{re.escape(column)}"\s+)TEXT\b', r"\1DATE", sql)
        if sql == row[0]:
            return
        version = db.execute("PRAGMA schema_version").fetchone()[0]
        db.execute("PRAGMA writable_schema = ON")
        db.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql, layer))
        db.execute(f"PRAGMA schema_version = {int(version) + 1}")
        db.execute("PRAGMA writable_schema = OFF")


def to_geopackage(
    frame: gpd.GeoDataFrame,
    path: str | os.PathLike,
    layer: str = "zones",
    *,
    crs: pyproj.CRS | str | int | None = None,
    style: bool | None = None,
    append_layer: bool = False,
) -> Path:
    """Write a layer to a GeoPackage with a spatial index and, for zones, a QGIS default style.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
    path : path-like
    layer : str
        Layer (table) name.
    crs : CRS-like, optional
        Reproject first (e.g. ``"EPSG:9213"`` for VN-2000 / TM-3 106-30).
    style : bool, optional
        Store the status style in ``layer_styles`` as the layer's default; by default
        when the layer has a ``status`` column.
    append_layer : bool
        Add the layer to an existing GeoPackage (replacing a layer of the same name)
        instead of replacing the whole file.
    """
    path = Path(path)
    _crs.require_crs(frame)
    out = frame if crs is None else frame.to_crs(pyproj.CRS.from_user_input(crs))

    def write(target):
        write_gpkg_layer(out, target, layer, style=style)

    replace_atomically(path, write, copy_existing=append_layer and path.exists())
    return path


def write_gpkg_layer(
    frame: gpd.GeoDataFrame, target: str | os.PathLike, layer: str, *, style: bool | None = None
) -> None:
    """Write (or replace) one layer in a GeoPackage in place; not atomic (see :func:`to_geopackage`).

    Zone layers (with ``status``) get the status style; shipped reference layers (``boundaries_*``,
    ``infrastructure_*``) a single-symbol style (:func:`geozones.io.style.qgis_reference_qml`). The
    layer's ``attribution`` lines also become its GeoPackage description.
    """
    out = _for_writing(frame)
    dates = _date_columns(frame)
    status = "status" in out.columns
    style = (status or layer.startswith(("boundaries_", "infrastructure_"))) if style is None else style
    # GeoPackage 1.2: QGIS 3.22 LTR's GDAL (3.6) warns on the 1.4 files newer GDALs write by default.
    new_file = not Path(target).exists()
    options = {"OVERWRITE": "YES"}
    credit = " ".join(_distinct_text(out, "attribution"))
    if credit:
        options["DESCRIPTION"] = credit
    pyogrio.write_dataframe(
        out,
        target,
        layer=layer,
        driver="GPKG",
        spatial_index=True,
        promote_to_multi=False,
        layer_metadata=_metadata(out),
        dataset_options={"VERSION": "1.2"} if new_file else None,
        layer_options=options,
    )
    _declare_dates(str(target), layer, dates)
    if style and status:
        _store_style(str(target), layer, qgis_status_qml(), sld_status(layer), "Zones coloured by status (geozones)")
    elif style:
        kinds = out.geometry.dropna().geom_type
        qml = qgis_reference_qml(layer, kinds.iloc[0] if len(kinds) else None)
        if qml is not None:
            _store_style(str(target), layer, qml, None, "Reference layer (geozones)")


def write_gpkg_table(frame: pd.DataFrame, target: str | os.PathLike, layer: str, description: str = "") -> None:
    """Write (or replace) an attribute-only table (no geometry) in an existing or new GeoPackage.

    Used for the provenance tables (``sources``, ``figures``, ``status_history``): every column is
    written as text, so ids join exactly (``zones.id`` = ``figures.zone_id``, ``figures.source_id`` =
    ``sources.id``).
    """
    out = pd.DataFrame(frame).astype(object).where(pd.DataFrame(frame).notna(), None)
    out = out.map(lambda v: None if v is None else str(v))
    new_file = not Path(target).exists()
    options = {"OVERWRITE": "YES"}
    if description:
        options["DESCRIPTION"] = description
    pyogrio.write_dataframe(
        out,
        target,
        layer=layer,
        driver="GPKG",
        dataset_options={"VERSION": "1.2"} if new_file else None,
        layer_options=options,
    )


_LAYER_STYLES_DDL = """
CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
    f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
    styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))
"""


def _store_style(gpkg: str, layer: str, qml: str, sld: str | None, description: str) -> None:
    """Insert ``qml`` as the layer's default QGIS style (as QGIS itself stores it)."""
    # closing(): ``with sqlite3.connect()`` only commits; a connection left open keeps a WAL
    # file's last transaction out of the database file (and beside it after a rename).
    with closing(sqlite3.connect(gpkg)) as db, db:
        db.execute(_LAYER_STYLES_DDL)
        db.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) "
            "VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles')"
        )
        geometry_column = db.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)
        ).fetchone()[0]
        db.execute("DELETE FROM layer_styles WHERE f_table_name = ?", (layer,))
        db.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
            "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui) "
            "VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, '', NULL)",
            (layer, geometry_column, f"{layer} by status" if sld else f"{layer} (geozones)", qml, sld, description),
        )
