"""What every writer shares: field types per format (:func:`typed_for_writing`), dates, layer metadata,
and :func:`replace_atomically` (a failed or killed write leaves the old file).

May import: the core and :mod:`geozones.io.style`.
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geozones.schema import FIELDS_BY_NAME, ZONE_FIELDS


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
