"""Reading and writing layers: GeoJSON, GeoPackage, Shapefile (zipped too), FlatGeobuf, CSV+WKT.

All IO goes through pyogrio. Readers normalise the CRS (custom VN-2000 ``.prj``
definitions become their EPSG code), check axis order, and -- for zones -- validate the
schema. Writers produce RFC 7946 GeoJSON and QGIS-ready GeoPackages.

Submodules: :mod:`geozones.io.style` (QGIS and SLD styles written beside the data),
:mod:`geozones.io.infrastructure` (road, power and destination layers, OpenStreetMap tags) and
:mod:`geozones.io.geoparquet` (GeoParquet 1.1 for large and partitioned layers, via pyarrow),
:mod:`geozones.io.gpkg` (GeoPackage layers and their QGIS styles), :mod:`geozones.io.writing`
(field types per format, atomic replacement), :mod:`geozones.io.csvcells` (spreadsheet-safe CSV
cells), :mod:`geozones.io.limits` (how much is read from a hostile file) and :mod:`geozones.io.fetch`.

May import: the core (``geozones.schema``, ``crs``, ``checks``, ``errors``). Never imports the
store, ``analysis``, ``scenario``, ``cli``, ``api`` or ``maps``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
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
from geozones.io.csvcells import write_csv
from geozones.io.gpkg import to_geopackage, write_gpkg_layer, write_gpkg_table
from geozones.io.writing import _for_writing, _is_date_column, replace_atomically, typed_for_writing
from geozones.schema import FIELDS_BY_NAME, validate_zones

#: File suffix -> OGR driver, for reading and writing.
DRIVERS: dict[str, str] = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".gpkg": "GPKG",
    ".shp": "ESRI Shapefile",
    ".zip": "ESRI Shapefile",
    ".fgb": "FlatGeobuf",
    ".tab": "MapInfo File",  # geozones.io.mapinfo
    ".mif": "MapInfo File",
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
    """What GDAL opens for ``path``; a shapefile's sidecars are checked against their limits first."""
    if path.suffix.lower() in (".zip", ".shp"):
        _shp.check_sidecars(path)  # GDAL reads the .prj and .cpg whole
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
    encoding: str | None = None,
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
    encoding : str, optional
        Text encoding of a shapefile's ``.dbf`` (``utf-8``, ``cp1258``, ``tcvn3``, ``vni``, ...);
        by default the ``.cpg``'s or the one detected (:mod:`geozones.io.encodings`).

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
            if driver == "ESRI Shapefile":  # text decoded by geozones (.cpg, TCVN3, VNI, Windows-1258)
                frame = _shp.read_shapefile(path, layer, encoding=encoding)
            elif driver == "MapInfo File":
                from geozones.io.mapinfo import read_mapinfo

                frame = read_mapinfo(path, layer, encoding=encoding)
            else:
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
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a zone layer from any supported file and validate it against the schema.

    See :func:`read_layer` for the parameters; ``extra`` is passed to
    :func:`geozones.schema.validate_zones` (``"error"`` rejects unmapped columns, naming
    them; map them with ``fields``).
    """
    from geozones.io.versions import split_etags  # an export's version column is not a zone field

    frame = split_etags(read_layer(path, layer, crs=crs, swap_xy=swap_xy, fields=fields, encoding=encoding))[0]
    return validate_zones(frame, extra=extra)


def layer_names(path: str | os.PathLike) -> list[str]:
    """Names of the layers in a file."""
    return [str(name) for name in pyogrio.list_layers(_source(Path(path)))[:, 0]]


# --- writing ---------------------------------------------------------------------------


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
        replace_atomically(path, lambda tmp: write_csv(table, tmp, index=False, encoding="utf-8"))
        # GDAL's CSV driver (QGIS, ogr2ogr) reads the column types from a .csvt beside the file
        path.with_suffix(".csvt").write_text(",".join(f'"{t}"' for t in types) + "\n", encoding="utf-8")
        return path
    if driver == "ESRI Shapefile":
        _shp.write_shapefile(out, path)
        return path
    if driver == "MapInfo File":
        from geozones.io.mapinfo import write_mapinfo

        return write_mapinfo(out, path)
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
    "write_gpkg_table",
    "typed_for_writing",
]
