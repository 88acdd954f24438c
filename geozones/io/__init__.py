"""Reading and writing layers: GeoJSON, GeoPackage, Shapefile (zipped too), FlatGeobuf, CSV+WKT.

All IO goes through pyogrio. Readers normalise the CRS (custom VN-2000 ``.prj``
definitions become their EPSG code), check axis order, and -- for zones -- validate the
schema. Writers produce RFC 7946 GeoJSON and QGIS-ready GeoPackages.

Submodules: :mod:`geozones.io.style` (QGIS and SLD styles written beside the data),
:mod:`geozones.io.infrastructure` (road, power and destination layers, OpenStreetMap tags) and
:mod:`geozones.io.geoparquet` (GeoParquet 1.1 for large and partitioned layers, via pyarrow).

May import: the core (``geozones.schema``, ``crs``, ``checks``, ``errors``). Never imports the
store, ``analysis``, ``scenario``, ``cli``, ``api`` or ``maps``.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import sqlite3
import tempfile
import warnings
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
import shapely

from geozones import crs as _crs
from geozones.errors import CRSError, MissingCRSError, MissingFileError, UnsupportedFormatError
from geozones.io import shapefile as _shp
from geozones.io.style import qgis_reference_qml, qgis_status_qml, sld_status
from geozones.schema import FIELDS_BY_NAME, ZONE_FIELDS, validate_zones

#: File suffix -> OGR driver, for reading and writing.
DRIVERS: dict[str, str] = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".gpkg": "GPKG",
    ".shp": "ESRI Shapefile",
    ".zip": "ESRI Shapefile",
    ".fgb": "FlatGeobuf",
    ".csv": "CSV",
    ".parquet": "Parquet",  # GeoParquet 1.1 through geozones.io.geoparquet (pyarrow), not OGR
    ".geoparquet": "Parquet",
}

#: Short format names accepted by the CLI and API.
FORMATS: dict[str, str] = {"geojson": ".geojson", "gpkg": ".gpkg", "shp": ".shp", "fgb": ".fgb", "csv": ".csv"}

_WKT_COLUMNS = ("wkt", "WKT", "geometry", "geom", "the_geom", "Geometry")


def _driver_for(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in DRIVERS:
        raise UnsupportedFormatError(
            f"cannot read or write {path.name!r}: unsupported extension {suffix or '(none)'}; "
            f"use one of {', '.join(sorted(DRIVERS))}"
        )
    return DRIVERS[suffix]


def _source(path: Path) -> str:
    if path.suffix.lower() == ".zip":
        return f"/vsizip/{path}"
    return str(path)


def _read_csv(path: Path, crs) -> gpd.GeoDataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    column = next((c for c in _WKT_COLUMNS if c in frame.columns), None)
    if column is None:
        raise UnsupportedFormatError(f"{path.name}: a CSV needs a WKT geometry column named one of {_WKT_COLUMNS}")
    if crs is None:
        raise MissingCRSError(f"{path.name}: a CSV carries no CRS; give one (crs='EPSG:4326', CLI --crs)")
    text = frame.pop(column).replace("", None)
    try:
        geometry = gpd.GeoSeries.from_wkt(text, crs=crs)
    except Exception as exc:  # shapely.errors.GEOSException
        raise UnsupportedFormatError(f"{path.name}: column {column!r} holds text that is not WKT: {exc}") from exc
    frame = frame.replace("", None)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=crs)


def _default_layer(path: Path) -> str | None:
    """The layer to read when none is named: ``zones`` if present, else the first data layer."""
    try:
        names = [n for n in layer_names(path) if n != "layer_styles"]
    except pyogrio.errors.DataSourceError as exc:
        raise UnsupportedFormatError(f"{path.name}: not a readable GeoPackage ({exc})") from exc
    return "zones" if "zones" in names else (names[0] if names else None)


def read_layer(
    path: str | os.PathLike,
    layer: str | int | None = None,
    *,
    crs: pyproj.CRS | str | int | None = None,
    swap_xy: bool = False,
    check: bool = True,
    fields: Mapping[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Read any supported vector file into a GeoDataFrame.

    Parameters
    ----------
    path : path-like
        ``.geojson``/``.json``, ``.gpkg``, ``.shp``, ``.zip`` (zipped Shapefile),
        ``.fgb``, ``.csv`` (with a WKT column), or GeoParquet (``.parquet`` file or a
        directory of them, :mod:`geozones.io.geoparquet`).
    layer : str or int, optional
        Layer name or index for multi-layer files.
    crs : CRS-like, optional
        CRS to assume when the file has none (CSV) or to override a wrong one.
    swap_xy : bool
        Exchange x and y (lat/lon files, survey sheets with X = northing).
    check : bool
        Check that coordinates fall in the CRS's area of use (detects swapped axes and
        wrong CRSs), for every CRS, recognised or not.
    fields : mapping, optional
        The file's own column names -> schema fields, e.g. ``{"TEN_KCN": "name"}``.

    Notes
    -----
    A shapefile's ``.prj`` is read by geozones itself (ESRI, OGC WKT1, WKT2 or a PROJ
    string; see :func:`geozones.crs.read_prj`), its short field names become the schema's
    names and text moved to the ``.longtext.csv`` sidecar is restored
    (:mod:`geozones.io.shapefile`).

    Raises
    ------
    FileNotFoundError, UnsupportedFormatError, MissingCRSError, AxisOrderError, CRSError
    """
    path = Path(path)
    if not path.exists():
        raise MissingFileError(f"no such file: {path}")
    driver = "Parquet" if path.is_dir() else _driver_for(path)  # a directory: a partitioned GeoParquet layer
    if driver == "CSV":
        frame = _read_csv(path, crs)
    elif driver == "Parquet":
        from geozones.io.geoparquet import read_geoparquet

        frame = read_geoparquet(path)
        if crs is not None:
            frame = frame.set_crs(crs, allow_override=True)
    else:
        if layer is None and driver == "GPKG":
            layer = _default_layer(path)
        try:
            frame = pyogrio.read_dataframe(_source(path), layer=layer)
        except pyogrio.errors.DataSourceError as exc:
            raise UnsupportedFormatError(f"{path.name}: not a readable {driver} file ({exc})") from exc
        except pyogrio.errors.DataLayerError as exc:
            raise UnsupportedFormatError(f"{path.name}: {exc}") from exc
        if driver == "ESRI Shapefile":
            frame = _shapefile_crs(frame, path, crs)
            frame = _shp.restore_shapefile_names(frame, path)
        if crs is not None:
            frame = frame.set_crs(crs, allow_override=True)
    if fields:
        frame = _shp.apply_field_map(frame, fields)
    if frame.crs is None:
        raise MissingCRSError(f"{path.name} has no CRS (missing .prj?); give one (crs=..., CLI --crs)")
    with warnings.catch_warnings():
        warnings.simplefilter("default", _crs.VN2000DefinitionWarning)
        frame = frame.set_crs(_crs.normalize_crs(frame.crs), allow_override=True)
    if swap_xy:
        frame = _crs.swap_xy(frame)
    if check:
        _crs.check_coordinates(frame)
    return frame


def _shapefile_crs(frame: gpd.GeoDataFrame, path: Path, crs) -> gpd.GeoDataFrame:
    """The CRS of the ``.prj`` as geozones reads it (GDAL reads no PROJ string and no ESRI-encoded shift)."""
    text = _shp.prj_text(path)
    if crs is not None or text is None:
        return frame
    reading = _crs.read_prj(text, path.with_suffix(".prj").name)
    if reading.warning:
        warnings.warn(reading.warning, _crs.VN2000DefinitionWarning, stacklevel=3)
    return frame.set_crs(reading.crs, allow_override=True)


def zones_from_file(
    path: str | os.PathLike,
    layer: str | int | None = None,
    *,
    crs: pyproj.CRS | str | int | None = None,
    swap_xy: bool = False,
    extra: Literal["error", "keep", "drop"] = "error",
    fields: Mapping[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Read a zone layer from any supported file and validate it against the schema.

    See :func:`read_layer` for the parameters; ``extra`` is passed to
    :func:`geozones.schema.validate_zones` (``"error"`` rejects unmapped columns, naming
    them; map them with ``fields``).
    """
    return validate_zones(read_layer(path, layer, crs=crs, swap_xy=swap_xy, fields=fields), extra=extra)


def layer_names(path: str | os.PathLike) -> list[str]:
    """Names of the layers in a file."""
    return [str(name) for name in pyogrio.list_layers(_source(Path(path)))[:, 0]]


# --- writing ---------------------------------------------------------------------------


def _is_date_column(series: pd.Series) -> bool:
    field = FIELDS_BY_NAME.get(str(series.name))
    if field is not None:
        return field.dtype == "date"
    values = series.dropna()
    return (
        series.dtype == object
        and len(values) > 0
        and all(isinstance(v, _dt.date) and not isinstance(v, _dt.datetime) for v in values)
    )


def typed_for_writing(frame: gpd.GeoDataFrame, driver: str) -> gpd.GeoDataFrame:
    """One OGR type per attribute in every format: years Integer, dates Date, areas Real, text String.

    Schema integers become nullable 32-bit integers (OGR Integer, nulls kept) and reals
    64-bit floats. Dates become what the driver writes as a Date: ISO text for GeoJSON
    (read back as Date), GeoPackage (declared ``DATE``, see :func:`_declare_dates`) and CSV
    (typed by its ``.csvt``); ``datetime.date`` for the shapefile writer (dBASE ``D``);
    a timestamp at midnight for FlatGeobuf, whose format has no date-only type.
    """
    out = frame.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        series = out[column]
        field = FIELDS_BY_NAME.get(column)
        if _is_date_column(series):
            dates = series.map(_as_date)
            if driver == "ESRI Shapefile":
                out[column] = dates.astype(object)
            elif driver == "FlatGeobuf":
                out[column] = pd.to_datetime(dates, errors="coerce").astype("datetime64[ms]")
            else:
                out[column] = dates.map(lambda v: v.isoformat() if v is not None else None).astype(object)
        elif (field is not None and field.dtype == "int") or isinstance(series.dtype, pd.Int64Dtype):
            numbers = pd.to_numeric(series, errors="coerce")
            fits = numbers.dropna().abs().max() < 2**31 if numbers.notna().any() else True
            out[column] = numbers.round().astype("Int32" if fits else "Int64")
        elif field is not None and field.dtype == "float":
            out[column] = pd.to_numeric(series, errors="coerce").astype("float64")
    return out


def _distinct_text(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame.columns:
        return []
    return list(dict.fromkeys(str(v).strip() for v in frame[column].dropna() if str(v).strip()))


def _as_date(value) -> _dt.date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _for_writing(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Typed for GeoJSON, GeoPackage and CSV (dates as ISO text): see :func:`typed_for_writing`."""
    return typed_for_writing(frame, "GPKG")


def _date_columns(frame: gpd.GeoDataFrame) -> list[str]:
    return [c for c in frame.columns if c != frame.geometry.name and _is_date_column(frame[c])]


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


def _metadata(frame: gpd.GeoDataFrame) -> dict[str, str]:
    """GeoPackage layer metadata (``gpkg_metadata``): field descriptions, licence and attribution.

    CC BY-SA data keeps its licence and attribution in the file wherever it travels.
    """
    descriptions = {f.name: f.description for f in ZONE_FIELDS if f.name in frame.columns}
    out = {"geozones_fields": "; ".join(f"{k}: {v}" for k, v in descriptions.items())} if descriptions else {}
    licences, lines = _distinct_text(frame, "licence"), _distinct_text(frame, "attribution")
    if licences:
        out["geozones_licence"] = "; ".join(licences)
    if lines:
        out["geozones_attribution"] = " ".join(lines)
    return out


def to_geojson(frame: gpd.GeoDataFrame, path: str | os.PathLike, precision: int = 7) -> Path:
    """Write RFC 7946 GeoJSON: WGS84 lon/lat, counter-clockwise exteriors, no ``crs`` member.

    ``precision`` decimals (7 is about 1 cm).
    """
    path = Path(path)
    _crs.require_crs(frame)
    out = _for_writing(frame.to_crs(_crs.WGS84))
    replace_atomically(
        path,
        lambda tmp: pyogrio.write_dataframe(
            out,
            tmp,
            driver="GeoJSON",
            layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": precision, "WRITE_NAME": "NO"},
        ),
    )
    return path


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


def replace_atomically(path: Path, write, copy_existing: bool = False) -> None:
    """Run ``write(tmp)`` on a temporary file beside ``path``, fsync it and rename it into place.

    With ``copy_existing`` the temporary file starts as a copy of ``path``. A failed (or
    killed) write leaves ``path`` exactly as it was; readers see the old or the new file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        if copy_existing:
            import shutil

            shutil.copyfile(path, tmp)
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def to_file(
    frame: gpd.GeoDataFrame,
    path: str | os.PathLike,
    *,
    crs: pyproj.CRS | str | int | None = None,
    layer: str | None = None,
) -> Path:
    """Write a layer in the format given by the file's extension.

    ``.geojson`` is always RFC 7946 (WGS84; giving another ``crs`` is an error);
    ``.gpkg`` gets a spatial index and the QGIS style; ``.shp``, ``.fgb``, ``.csv``
    (WKT) and ``.parquet`` (GeoParquet 1.1, Hilbert-sorted, :mod:`geozones.io.geoparquet`) are
    written in ``crs`` or the layer's CRS. Every format gets the same field names
    in the same order and the same types (:func:`typed_for_writing`); a shapefile gets the
    short names, sidecars and styles of :func:`geozones.io.shapefile.write_shapefile`, a CSV
    a ``.csvt`` naming each column's type.
    """
    path = Path(path)
    driver = _driver_for(path)
    if driver == "Parquet":
        from geozones.io.geoparquet import write_geoparquet

        return write_geoparquet(frame if crs is None else frame.to_crs(pyproj.CRS.from_user_input(crs)), path)
    if driver == "GeoJSON":
        if crs is not None and not pyproj.CRS.from_user_input(crs).equals(_crs.WGS84):
            raise CRSError("RFC 7946 GeoJSON is always WGS84 lon/lat; use .gpkg, .fgb or .shp for VN-2000 output")
        return to_geojson(frame, path)
    if driver == "GPKG":
        return to_geopackage(frame, path, layer or "zones", crs=crs)
    if path.suffix.lower() == ".zip":
        raise UnsupportedFormatError("write a .shp (geozones does not zip Shapefiles itself)")
    source = frame if crs is None else frame.to_crs(pyproj.CRS.from_user_input(crs))
    out = typed_for_writing(source, driver)
    if driver == "CSV":
        table = pd.DataFrame(out.drop(columns=out.geometry.name))
        types = [_csv_type(source[c]) for c in table.columns] + ["WKT"]
        table["wkt"] = shapely.to_wkt(out.geometry.array, rounding_precision=-1)
        replace_atomically(path, lambda tmp: table.to_csv(tmp, index=False, encoding="utf-8"))
        # GDAL's CSV driver (QGIS, ogr2ogr) reads the column types from a .csvt beside the file
        path.with_suffix(".csvt").write_text(",".join(f'"{t}"' for t in types) + "\n", encoding="utf-8")
        return path
    if driver == "ESRI Shapefile":
        _shp.write_shapefile(out, path)
        return path
    options = None
    if driver == "FlatGeobuf" and out.geometry.isna().any():
        options = {"SPATIAL_INDEX": "NO"}  # GDAL's FlatGeobuf index cannot hold features without geometry
    replace_atomically(path, lambda tmp: pyogrio.write_dataframe(out, tmp, driver=driver, layer_options=options))
    return path


def _csv_type(series: pd.Series) -> str:
    field = FIELDS_BY_NAME.get(str(series.name))
    if field is not None:
        return field.ogr_type
    if _is_date_column(series):
        return "Date"
    if pd.api.types.is_integer_dtype(series):
        return "Integer"
    if pd.api.types.is_float_dtype(series):
        return "Real"
    return "String"


def layer_warnings(path: str | os.PathLike) -> list[str]:
    """GDAL warnings raised while opening and reading every layer of ``path``.

    Used by ``geozones validate`` and the export tests (a clean file gives ``[]``).
    """
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in layer_names(path):
            pyogrio.read_info(_source(Path(path)), layer=name)
            pyogrio.read_dataframe(_source(Path(path)), layer=name)
    messages.extend(str(w.message) for w in caught)
    return messages


__all__ = [
    "DRIVERS",
    "FORMATS",
    "read_layer",
    "zones_from_file",
    "layer_names",
    "to_geojson",
    "to_geopackage",
    "to_file",
    "layer_warnings",
    "replace_atomically",
    "write_gpkg_layer",
    "typed_for_writing",
]
