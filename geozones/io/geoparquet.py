"""GeoParquet 1.1: Hilbert-sorted, bbox-covered, optionally partitioned layers.

GeoParquet is the exchange format for layers too large for a GeoPackage workflow (national
parcel or building layers, tens of millions of rows) and the input and output of the Dask
engine (:mod:`geozones.analysis.distributed`). Files written here

* follow GeoParquet 1.1 (``geo`` metadata with ``"version": "1.1.0"``, WKB geometry, the CRS
  as PROJJSON);
* carry the 1.1 **bbox covering column** (``bbox.xmin/ymin/xmax/ymax`` per row, declared in the
  ``covering`` metadata), so readers such as GDAL >= 3.9, DuckDB or :func:`read_geoparquet`
  with ``bbox=`` skip whole row groups outside a window;
* are **sorted along a Hilbert curve** over the layer's bounds, so that neighbouring rows are
  neighbours on the ground: row groups and partition files cover small, compact areas and
  their statistics make the covering column effective;
* are **partitioned** when large: a directory of ``part.NNNNN.parquet`` files, each a
  contiguous stretch of the Hilbert curve (one Dask partition each), written one part at a
  time (:func:`write_partitioned` never holds more than one part in memory).

GIS staff keep using GeoPackage: QGIS 3.22 LTR (our supported desktop) is built on GDAL 3.4,
which has no (Geo)Parquet driver (GDAL added it in 3.5 and the 1.1 covering column in 3.9).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geozones.errors import (
    CRSError,
    EmptyLayerError,
    InvalidParameterError,
    MissingCRSError,
    MissingFileError,
    UnsupportedFormatError,
)
from geozones.io import limits as _limits

#: GeoParquet specification version written.
GEOPARQUET_VERSION = "1.1.0"
#: Rows per Parquet row group (the unit a bbox filter can skip).
ROW_GROUP_ROWS = 65_536
#: Default rows per partition file of a partitioned layer.
PARTITION_ROWS = 1_000_000
#: Suffixes recognised as GeoParquet files.
SUFFIXES = (".parquet", ".geoparquet")
#: Hilbert curve order (bits per axis) used for sorting: 2**16 cells per axis.
HILBERT_LEVEL = 16


def _require_crs(frame: gpd.GeoDataFrame, what: str = "layer") -> None:
    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"the {what} must be a GeoDataFrame, not {type(frame).__name__}")
    if frame.crs is None:
        raise MissingCRSError(f"the {what} has no CRS; set one (frame.set_crs(...)) before writing GeoParquet")


def hilbert_keys(geometry: gpd.GeoSeries, total_bounds=None, level: int = HILBERT_LEVEL) -> np.ndarray:
    """Hilbert curve distance of each geometry's bounding-box centre (``uint64``; missing geometries last).

    Parameters
    ----------
    geometry : GeoSeries
    total_bounds : sequence of 4 floats, optional
        The extent the curve spans; give the whole layer's bounds when keying one part of it
        so that keys of different parts are comparable. Default: ``geometry.total_bounds``.
    level : int
        Bits per axis (1-16).
    """
    missing = (geometry.isna() | geometry.is_empty).to_numpy()
    keys = np.full(len(geometry), np.iinfo(np.uint64).max, dtype=np.uint64)
    present = ~missing
    if present.any():
        bounds = total_bounds if total_bounds is not None else geometry[present].total_bounds
        xmin, ymin, xmax, ymax = (float(b) for b in bounds)
        # geopandas needs a non-degenerate extent
        if xmax <= xmin:
            xmax = xmin + 1.0
        if ymax <= ymin:
            ymax = ymin + 1.0
        keys[present] = (
            geometry[present]
            .hilbert_distance(total_bounds=(xmin, ymin, xmax, ymax), level=level)
            .to_numpy()
            .astype(np.uint64)
        )
    return keys


def hilbert_sort(frame: gpd.GeoDataFrame, total_bounds=None) -> gpd.GeoDataFrame:
    """The rows of ``frame`` in Hilbert-curve order (stable; null and empty geometries last)."""
    order = np.argsort(hilbert_keys(frame.geometry, total_bounds), kind="stable")
    return frame.iloc[order]


def _part_name(i: int) -> str:
    return f"part.{i:05d}.parquet"


def _write_file(frame: gpd.GeoDataFrame, path: Path, compression: str, row_group_rows: int) -> None:
    frame.to_parquet(
        path,
        index=None,
        compression=compression,
        geometry_encoding="WKB",
        write_covering_bbox=True,
        schema_version=GEOPARQUET_VERSION,
        row_group_size=row_group_rows,
    )


def _is_dask(frame) -> bool:
    return type(frame).__module__.startswith("dask_geopandas") or hasattr(frame, "map_partitions")


class _AtomicTarget:
    """Write into a temporary sibling of ``path`` and move it into place only on success."""

    def __init__(self, path: Path, directory: bool):
        self.path, self.directory = path, directory

    def __enter__(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.directory:
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", dir=self.path.parent))
        else:
            fd, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".parquet", dir=self.path.parent)
            os.close(fd)
            self.tmp = Path(name)
        return self.tmp

    def __exit__(self, kind, value, tb) -> None:
        if kind is not None:
            shutil.rmtree(self.tmp, ignore_errors=True) if self.tmp.is_dir() else self.tmp.unlink(missing_ok=True)
            return
        if self.path.is_dir():
            old = self.path.with_name(f".{self.path.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            self.path.rename(old)
            os.replace(self.tmp, self.path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(self.tmp, self.path)


def write_partitioned(
    parts: Iterable[gpd.GeoDataFrame],
    directory: str | os.PathLike,
    *,
    total_bounds=None,
    sort: bool = True,
    compression: str = "zstd",
    row_group_rows: int = ROW_GROUP_ROWS,
) -> Path:
    """Write a layer given as a stream of parts as a partitioned GeoParquet directory.

    Only one part is in memory at a time. Give the parts in spatial order (e.g. tiles along
    a Hilbert curve) and the layer's ``total_bounds`` so that each part's rows are sorted on
    the same curve as the whole layer. Empty parts are skipped.

    Parameters
    ----------
    parts : iterable of GeoDataFrame
        Same columns and CRS.
    directory : path-like
        Created (or replaced atomically): ``part.00000.parquet``, ``part.00001.parquet``...
    total_bounds : 4 floats, optional
        Extent of the whole layer for the Hilbert keys (default: each part's own bounds).
    sort : bool
        Sort each part along the Hilbert curve.

    Returns
    -------
    pathlib.Path
        The directory.

    Raises
    ------
    MissingCRSError, CRSError
        A part without CRS, or parts in different CRSs.
    """
    directory = Path(directory)
    crs = None
    with _AtomicTarget(directory, directory=True) as tmp:
        count = 0
        for part in parts:
            _require_crs(part, "part")
            if crs is None:
                crs = part.crs
            elif not part.crs.equals(crs):
                raise CRSError(f"part {count} is in {part.crs.to_string()}, the first part in {crs.to_string()}")
            if len(part) == 0:
                continue
            if sort:
                part = hilbert_sort(part, total_bounds)
            _write_file(part, tmp / _part_name(count), compression, row_group_rows)
            count += 1
        if count == 0:
            raise EmptyLayerError(f"nothing to write to {directory}: every part is empty")
    return directory


def _chunks(frame: gpd.GeoDataFrame, rows: int) -> Iterator[gpd.GeoDataFrame]:
    for start in range(0, len(frame), rows):
        yield frame.iloc[start : start + rows]


def write_geoparquet(
    frame,
    path: str | os.PathLike,
    *,
    partition_rows: int | None = None,
    sort: bool = True,
    compression: str = "zstd",
    row_group_rows: int = ROW_GROUP_ROWS,
) -> Path:
    """Write a layer as GeoParquet 1.1 with the bbox covering column, rows in Hilbert order.

    Parameters
    ----------
    frame : GeoDataFrame or dask_geopandas.GeoDataFrame
        A Dask frame is written partition by partition (one file per partition) without
        being collected; with ``sort`` it is first spatially shuffled along the Hilbert curve
        (``dask_geopandas.GeoDataFrame.spatial_shuffle``).
    path : path-like
        A ``.parquet`` file, or a directory for a partitioned layer (any other name, or a
        frame longer than ``partition_rows``).
    partition_rows : int, optional
        Split an in-memory layer into files of at most this many rows (default
        :data:`PARTITION_ROWS` when ``path`` is a directory name).
    sort : bool
        Hilbert-sort the rows (default). The index is kept (restored on reading).
    compression : str
        Parquet codec (``zstd``, ``snappy``, ``gzip``, ``none``).
    row_group_rows : int
        Rows per row group.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    MissingCRSError
        The layer has no CRS.
    EmptyLayerError
        A partitioned layer with no rows.

    Examples
    --------
    >>> write_geoparquet(parcels, "parcels.parquet")  # doctest: +SKIP
    >>> write_geoparquet(parcels, "parcels/", partition_rows=500_000)  # doctest: +SKIP
    """
    path = Path(path)
    if _is_dask(frame):
        return _write_dask(frame, path, sort, compression, row_group_rows)
    _require_crs(frame)
    single = path.suffix.lower() in SUFFIXES
    rows = partition_rows if partition_rows is not None else (None if single else PARTITION_ROWS)
    if rows is not None and rows < 1:
        raise InvalidParameterError("partition_rows must be at least 1")
    if single and (rows is None or len(frame) <= rows):
        data = hilbert_sort(frame) if sort else frame
        with _AtomicTarget(path, directory=False) as tmp:
            _write_file(data, tmp, compression, row_group_rows)
        return path
    assert rows is not None  # a directory always has a partition size
    bounds = frame.total_bounds if len(frame) else None
    data = hilbert_sort(frame, bounds) if sort else frame
    return write_partitioned(
        _chunks(data, rows),
        path,
        total_bounds=bounds,
        sort=False,
        compression=compression,
        row_group_rows=row_group_rows,
    )


def _write_dask(frame, path: Path, sort: bool, compression: str, row_group_rows: int) -> Path:
    import dask

    if frame.crs is None:
        raise MissingCRSError("the layer has no CRS; set one before writing GeoParquet")
    if sort:
        frame = frame.spatial_shuffle(by="hilbert", level=HILBERT_LEVEL)
    with _AtomicTarget(path, directory=True) as tmp:

        def write(part, i):
            if len(part):
                _write_file(part, tmp / _part_name(i), compression, row_group_rows)
            return len(part)

        counts = dask.compute(*[dask.delayed(write)(p, i) for i, p in enumerate(frame.to_delayed())])
        if sum(counts) == 0:
            raise EmptyLayerError(f"nothing to write to {path}: the layer is empty")
    return path


def parts_of(path: str | os.PathLike) -> list[Path]:
    """The Parquet files of a layer: the file itself, or a directory's ``*.parquet`` files in order."""
    path = Path(path)
    if not path.exists():
        raise MissingFileError(f"no such GeoParquet file or directory: {path}")
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and not p.name.startswith("."))
        if not files:
            raise UnsupportedFormatError(f"{path} holds no .parquet files")
        return files
    if path.suffix.lower() not in SUFFIXES:
        raise UnsupportedFormatError(f"{path.name}: a GeoParquet file ends in .parquet or .geoparquet")
    return [path]


def geo_metadata(path: str | os.PathLike) -> dict:
    """The GeoParquet ``geo`` metadata of a file (or of the first part of a directory).

    Raises
    ------
    UnsupportedFormatError
        A Parquet file without ``geo`` metadata (plain Parquet, not GeoParquet).
    """
    import pyarrow.parquet as pq

    first = parts_of(path)[0]
    meta = pq.read_schema(first).metadata or {}
    if b"geo" not in meta:
        raise UnsupportedFormatError(f"{first.name} is Parquet without GeoParquet 'geo' metadata")
    return json.loads(meta[b"geo"])


def check_row_groups(file: Path) -> None:
    """Refuse a Parquet file with a row group larger than geozones reads (read from its footer only).

    A reader decodes a whole row group at once: a 615 KiB file can hold one 3-million-row group
    (values that compress to nothing) and exhaust memory. Files written here have groups of
    :data:`ROW_GROUP_ROWS` rows; GDAL writes 65 536, pyarrow at most 1 048 576.

    Raises
    ------
    InputTooLargeError
        A row group with more rows (``GEOZONES_MAX_PARQUET_GROUP_ROWS``) or more uncompressed
        bytes (``GEOZONES_MAX_PARQUET_GROUP_BYTES``) than allowed.
    UnsupportedFormatError
        Not a Parquet file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        metadata = pq.ParquetFile(file).metadata
    except (pa.ArrowException, OSError) as exc:
        raise UnsupportedFormatError(f"{file.name}: not a readable Parquet file ({exc})") from None
    rows_name, bytes_name = "GEOZONES_MAX_PARQUET_GROUP_ROWS", "GEOZONES_MAX_PARQUET_GROUP_BYTES"
    for i in range(metadata.num_row_groups):
        group = metadata.row_group(i)
        if group.num_rows > _limits.limit(rows_name):
            raise _limits.too_large(
                f"{file.name}: row group {i} (rewrite the file with smaller row groups, e.g. "
                "`ogr2ogr -lco ROW_GROUP_SIZE=65536`)",
                group.num_rows,
                rows_name,
                unit="rows",
            )
        if group.total_byte_size > _limits.limit(bytes_name):
            raise _limits.too_large(f"{file.name}: row group {i} (uncompressed)", group.total_byte_size, bytes_name)


def read_geoparquet(path: str | os.PathLike, *, bbox=None, columns: list[str] | None = None) -> gpd.GeoDataFrame:
    """Read a GeoParquet file or partitioned directory into one GeoDataFrame.

    Parameters
    ----------
    path : path-like
        A ``.parquet`` file or a directory of them.
    bbox : 4 floats, optional
        ``(xmin, ymin, xmax, ymax)`` in the layer's CRS: only rows whose bounding box
        intersects it (row groups outside are skipped through the covering column).
    columns : list of str, optional
        Attribute columns to read (the geometry is always read).

    Raises
    ------
    FileNotFoundError, UnsupportedFormatError
    InputTooLargeError
        A row group over the limits of :func:`check_row_groups` (nothing is read).
    """
    files = parts_of(path)
    meta = geo_metadata(path)
    geometry = meta.get("primary_column", "geometry")
    if columns is not None:
        columns = list(dict.fromkeys([*columns, geometry]))
    for file in files:  # the footers only, before any row is read
        check_row_groups(file)
    frames = []
    for file in files:
        try:
            frames.append(gpd.read_parquet(file, columns=columns, bbox=None if bbox is None else tuple(bbox)))
        except ValueError as exc:
            raise UnsupportedFormatError(f"{file.name}: {exc}") from exc
    frame = frames[0] if len(frames) == 1 else pd.concat(frames)
    if "bbox" in frame.columns and (columns is None or "bbox" not in columns):
        frame = frame.drop(columns="bbox")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=frames[0].crs)


def read_geoparquet_dask(path: str | os.PathLike, *, columns: list[str] | None = None):
    """Open a GeoParquet file or directory as a partitioned ``dask_geopandas.GeoDataFrame``.

    One partition per file (a partitioned layer written here is Hilbert-ordered, so each
    partition covers a compact area); ``spatial_partitions`` are read from the files'
    ``bbox`` metadata without touching the rows.
    """
    import dask_geopandas
    import pyarrow.parquet as pq
    import shapely

    files = parts_of(path)
    for file in files:
        check_row_groups(file)
    frame = dask_geopandas.read_parquet([str(p) for p in files], columns=columns, gather_spatial_partitions=False)
    if "bbox" in frame.columns:
        frame = frame.drop(columns="bbox")
    boxes = []
    for file in files:  # the footers only: each file's own geo metadata carries its bbox
        meta = json.loads((pq.read_schema(file).metadata or {}).get(b"geo", b"{}"))
        column = meta.get("columns", {}).get(meta.get("primary_column", "geometry"), {})
        boxes.append(shapely.box(*column["bbox"]) if "bbox" in column else None)
    if frame.npartitions == len(files) and all(b is not None for b in boxes):
        frame.spatial_partitions = gpd.GeoSeries(boxes, crs=frame.crs)
    return frame


# --- store export / import ------------------------------------------------------------------


def export_layer(store, name: str, path: str | os.PathLike, **kwargs) -> Path:
    """Write the store's layer ``name`` to GeoParquet (see :func:`write_geoparquet` for ``kwargs``).

    Parameters
    ----------
    store : ZoneStore
        Any store backend (GeoPackage, PostGIS): only ``store.layer(name)`` is used.
    name : str
        A layer of the store (``zones``, ``infrastructure_roads``...).

    Raises
    ------
    KeyError
        No such layer (from the store).
    UnsupportedFormatError
        The layer is a table without geometry.
    """
    frame = store.layer(name)
    if not isinstance(frame, gpd.GeoDataFrame):
        raise UnsupportedFormatError(f"store layer {name!r} has no geometry; export it as CSV instead")
    return write_geoparquet(frame, path, **kwargs)


def import_layer(store, name: str, path: str | os.PathLike, *, bbox=None) -> int:
    """Read a GeoParquet file or directory into the store as layer ``name``; returns the row count.

    The store validates what it accepts (``zones`` must pass the zone schema).
    """
    frame = read_geoparquet(path, bbox=bbox)
    if name == "zones":
        store.write_zones(frame)
    else:
        store.write_layer(name, frame)
    return len(frame)


__all__ = [
    "GEOPARQUET_VERSION",
    "PARTITION_ROWS",
    "ROW_GROUP_ROWS",
    "hilbert_keys",
    "hilbert_sort",
    "write_geoparquet",
    "write_partitioned",
    "read_geoparquet",
    "read_geoparquet_dask",
    "geo_metadata",
    "parts_of",
    "export_layer",
    "import_layer",
]
