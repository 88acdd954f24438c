"""Shapefiles both ways: short field names, long text, dates, styles and field maps.

A shapefile's dBASE table limits attribute names to 10 characters and text to 254 bytes,
and has a Date type the OGR writers reach only through its own header. On export geozones:

* renames every schema field to its documented short name (:data:`geozones.schema.SHORT_NAMES`,
  docs/schema.md) and any other long column to a unique 10-character name, and writes the
  mapping to ``<name>.fields.csv``;
* writes text longer than 254 bytes in full to ``<name>.longtext.csv`` (keyed by ``id``), leaves
  a shortened copy ending in ``…`` in the ``.dbf`` and says so (:class:`LongTextWarning`);
* writes years as Integer, dates as dBASE Date (``D``) and reals as Real;
* puts a QGIS ``.qml`` (loaded automatically by QGIS) and an ``.sld`` style beside the file.

On import the short names, the long text and the ``.prj`` (any form
:func:`geozones.crs.read_prj` recognises) are read back, and a survey office's own column
names are mapped with ``fields={"TEN_KCN": "name"}`` (CLI ``--field-map TEN_KCN=name``).
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import struct
import tempfile
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geozones.errors import UnsupportedFormatError, ZoneValidationError
from geozones.io import limits as _limits
from geozones.io.csvcells import csv_row, restore_cell
from geozones.schema import FIELD_NAMES, FIELDS_BY_NAME, LONG_NAMES, SHAPEFILE_NAME_LIMIT, SHORT_NAMES

#: The most bytes a dBASE character field holds.
DBF_TEXT_BYTES = 254
#: Sidecar with every text value longer than :data:`DBF_TEXT_BYTES`, in full.
LONGTEXT_SUFFIX = ".longtext.csv"
#: Sidecar with the column-name mapping of this file (name, short_name, type).
FIELDS_SUFFIX = ".fields.csv"
_ELLIPSIS = "…"
_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qml", ".sld", LONGTEXT_SUFFIX, FIELDS_SUFFIX)


#: The names GDAL gives schema fields when it cuts them to 10 characters (``province_p``), as
#: other tools' exports carry them; read back as the schema names.
GDAL_TRUNCATIONS: dict[str, str] = {
    name[:SHAPEFILE_NAME_LIMIT]: name for name in FIELD_NAMES if len(name) > SHAPEFILE_NAME_LIMIT
}
assert len(GDAL_TRUNCATIONS) == sum(len(n) > SHAPEFILE_NAME_LIMIT for n in FIELD_NAMES)
assert not set(GDAL_TRUNCATIONS) & set(FIELD_NAMES) and not set(GDAL_TRUNCATIONS) & set(SHORT_NAMES.values())


class LongTextWarning(UserWarning):
    """Text too long for a shapefile was moved to the ``.longtext.csv`` sidecar."""


def short_names(columns: list[str]) -> dict[str, str]:
    """Column -> name of at most 10 characters: the schema's short name, else a unique truncation."""
    out: dict[str, str] = {}
    taken = set()
    for column in columns:
        short = SHORT_NAMES.get(column, column)
        if len(short) > SHAPEFILE_NAME_LIMIT or short.lower() in taken:
            stem = re.sub(r"[^A-Za-z0-9_]", "_", column)[:SHAPEFILE_NAME_LIMIT]
            short, n = stem, 1
            while short.lower() in taken:
                suffix = f"_{n}"
                short, n = stem[: SHAPEFILE_NAME_LIMIT - len(suffix)] + suffix, n + 1
        taken.add(short.lower())
        out[column] = short
    return out


def _clip_utf8(text: str, limit: int) -> str:
    """The longest prefix of ``text`` that, with an ellipsis, fits in ``limit`` UTF-8 bytes."""
    budget = limit - len(_ELLIPSIS.encode("utf-8"))
    clipped = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return clipped + _ELLIPSIS


def _record_keys(frame: pd.DataFrame) -> list[str]:
    if "id" in frame.columns and frame["id"].notna().all() and frame["id"].is_unique:
        return [str(v) for v in frame["id"]]
    return [f"#{i}" for i in range(len(frame))]


def write_shapefile(frame: gpd.GeoDataFrame, path: str | os.PathLike, *, style: bool | None = None) -> list[str]:
    """Write a layer as a shapefile with short names, sidecars and styles; return notes for the user.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Typed for writing (see :func:`geozones.io.typed_for_writing`): dates as
        ``datetime.date``, years as nullable integers.
    path : path-like
        The ``.shp`` file; its ``.shx``, ``.dbf``, ``.prj``, ``.cpg``, ``.fields.csv`` (and
        ``.longtext.csv``, ``.qml``, ``.sld`` when needed) are written beside it.
    style : bool, optional
        Write the status style (``.qml``, ``.sld``); by default when there is a ``status`` column.

    Returns
    -------
    list of str
        One line per text field that did not fit (also issued as :class:`LongTextWarning`).
    """
    from geozones.io.style import qgis_status_qml, sld_status

    path = Path(path)
    if path.suffix.lower() != ".shp":
        raise UnsupportedFormatError(f"{path.name}: write a shapefile as a .shp file")
    geometry = frame.geometry.name
    columns = [c for c in frame.columns if c != geometry]
    names = short_names(columns)
    out = frame.copy()
    keys = _record_keys(frame)
    long_rows: list[tuple[str, str, str]] = []
    notes: list[str] = []
    date_columns: list[str] = []
    for column in columns:
        series = out[column]
        field = FIELDS_BY_NAME.get(column)
        if (field is not None and field.dtype == "date") or _holds_dates(series):
            out[column] = series.map(lambda v: v.strftime("%Y%m%d") if hasattr(v, "strftime") else None)
            date_columns.append(names[column])
            continue
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            too_long = series.map(lambda v: isinstance(v, str) and len(v.encode("utf-8")) > DBF_TEXT_BYTES)
            if too_long.any():
                for position in too_long.to_numpy().nonzero()[0]:
                    long_rows.append((keys[position], column, series.iloc[position]))
                out[column] = series.where(~too_long, series[too_long].map(lambda v: _clip_utf8(v, DBF_TEXT_BYTES)))
                records = [keys[p] for p in too_long.to_numpy().nonzero()[0]]
                notes.append(
                    f"field {column!r}: {len(records)} value(s) longer than {DBF_TEXT_BYTES} bytes "
                    f"({', '.join(records[:5])}{', …' if len(records) > 5 else ''}) shortened in the .dbf; "
                    f"full text in {path.with_suffix(LONGTEXT_SUFFIX).name}"
                )
    out = out.rename(columns=names)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.stem}.") as tmp:
        staged = Path(tmp) / path.name
        pyogrio.write_dataframe(out, staged, driver="ESRI Shapefile", encoding="UTF-8")
        if date_columns:
            _make_date_fields(staged.with_suffix(".dbf"), date_columns)
        with open(staged.with_suffix(FIELDS_SUFFIX), "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["name", "short_name", "type"])
            for column in columns:
                field = FIELDS_BY_NAME.get(column)
                kind = field.ogr_type if field else str(frame[column].dtype)
                writer.writerow(csv_row([column, names[column], kind], reversible=True))
        if long_rows:
            with open(staged.with_suffix(LONGTEXT_SUFFIX), "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(["record", "field", "text"])
                writer.writerows(csv_row(row, reversible=True) for row in long_rows)
        if style if style is not None else "status" in frame.columns:
            staged.with_suffix(".qml").write_text(qgis_status_qml(), encoding="utf-8")
            staged.with_suffix(".sld").write_text(sld_status(path.stem), encoding="utf-8")
        for suffix in _PARTS:  # replace the old set of files, leaving no stale sidecar behind
            old = path.with_suffix(suffix)
            if old.exists():
                old.unlink()
        for part in Path(tmp).iterdir():
            os.replace(part, path.parent / part.name)
    for note in notes:
        warnings.warn(note, LongTextWarning, stacklevel=2)
    return notes


def _holds_dates(series: pd.Series) -> bool:
    import datetime as dt

    values = series.dropna()
    return (
        len(values) > 0
        and series.dtype == object
        and all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in values)
    )


def _make_date_fields(dbf: Path, names: list[str]) -> None:
    """Turn character fields holding ``YYYYMMDD`` into dBASE Date (``D``, 8 bytes) fields.

    pyogrio cannot create an OGR Date field in a shapefile, so the fields are written as
    text and the table is rewritten with the Date type (dBASE III layout: 32-byte header,
    32-byte field descriptors, records of fixed width).
    """
    data = dbf.read_bytes()
    count, header_size, record_size = struct.unpack("<IHH", data[4:12])
    fields = []
    offset = 1  # the deletion flag
    position = 32
    while data[position] != 0x0D:
        descriptor = bytearray(data[position : position + 32])
        name = descriptor[:11].split(b"\x00")[0].decode("ascii")
        fields.append((name, descriptor, offset, descriptor[16]))
        offset += descriptor[16]
        position += 32
    wanted = set(names)
    new_descriptors, slices = [], []
    for name, descriptor, start, width in fields:
        if name in wanted:
            descriptor[11] = ord("D")
            descriptor[16], descriptor[17] = 8, 0
            slices.append((start, min(width, 8), 8))
        else:
            slices.append((start, width, width))
        new_descriptors.append(bytes(descriptor))
    new_record = 1 + sum(s[2] for s in slices)
    new_header_size = 32 + 32 * len(fields) + 1
    header = bytearray(data[:32])
    header[8:12] = struct.pack("<HH", new_header_size, new_record)
    body = io.BytesIO()
    body.write(bytes(header) + b"".join(new_descriptors) + b"\x0d")
    for i in range(count):
        record = data[header_size + i * record_size : header_size + (i + 1) * record_size]
        body.write(record[:1])
        for start, keep, width in slices:
            value = record[start : start + keep]
            body.write(value.ljust(width, b" "))
    body.write(b"\x1a")
    dbf.write_bytes(body.getvalue())


# --- reading ---------------------------------------------------------------------------


#: Sidecars geozones or GDAL reads whole, each with the limit it is read under.
SIDECAR_LIMITS: dict[str, str] = {
    ".prj": "GEOZONES_MAX_SIDECAR_BYTES",
    ".cpg": "GEOZONES_MAX_SIDECAR_BYTES",
    ".qml": "GEOZONES_MAX_SIDECAR_BYTES",
    ".sld": "GEOZONES_MAX_SIDECAR_BYTES",
    FIELDS_SUFFIX: "GEOZONES_MAX_SIDECAR_BYTES",
    LONGTEXT_SUFFIX: "GEOZONES_MAX_LONGTEXT_BYTES",
}


def _limit_of(name: str) -> str | None:
    lowered = name.lower()
    for suffix in sorted(SIDECAR_LIMITS, key=len, reverse=True):
        if lowered.endswith(suffix):
            return SIDECAR_LIMITS[suffix]
    return None


def check_sidecars(path: Path) -> None:
    """Refuse a shapefile (or a zip of one) whose sidecars are larger than their limits, before any is read.

    For a zip the declared uncompressed sizes are checked (a 400 KiB zip can inflate a ``.prj`` to
    400 MiB); beside a ``.shp`` the files' sizes. GDAL reads the ``.prj`` and ``.cpg`` whole, so this
    runs before GDAL opens the file.

    Raises
    ------
    InputTooLargeError
        A sidecar over its limit (:mod:`geozones.io.limits`).
    UnsupportedFormatError
        Not a readable zip.
    """
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    name = _limit_of(info.filename)
                    if name is not None and info.file_size > _limits.limit(name):
                        raise _limits.too_large(
                            f"{path.name}: {info.filename} (declared uncompressed size)", info.file_size, name
                        )
        except zipfile.BadZipFile as exc:
            raise UnsupportedFormatError(f"{path.name}: not a readable zip ({exc})") from None
        return
    for suffix, name in SIDECAR_LIMITS.items():
        for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
            if candidate.is_file() and candidate.stat().st_size > _limits.limit(name):
                raise _limits.too_large(candidate.name, candidate.stat().st_size, name)


def _sidecar_text(path: Path, suffix: str) -> str | None:
    """A sidecar of a ``.shp`` or of the shapefile inside a ``.zip``, read under its limit."""
    name = SIDECAR_LIMITS.get(suffix, "GEOZONES_MAX_SIDECAR_BYTES")
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                matches = [n for n in archive.namelist() if n.lower().endswith(suffix)]
                if len(matches) != 1:
                    return None
                data = _limits.read_capped_member(archive, matches[0], f"{path.name}: {matches[0]}", name)
        except zipfile.BadZipFile as exc:
            raise UnsupportedFormatError(f"{path.name}: not a readable zip ({exc})") from None
        return data.decode("utf-8-sig", errors="replace")
    candidate = path.with_suffix(suffix)
    if not candidate.exists():
        upper = path.with_suffix(suffix.upper())
        candidate = upper if upper.exists() else candidate
    if not candidate.exists():
        return None
    return _limits.read_capped_file(candidate, candidate.name, name).decode("utf-8-sig", errors="replace")


def prj_text(path: Path) -> str | None:
    """The text of a shapefile's ``.prj`` (beside a ``.shp`` or inside a ``.zip``), or None."""
    return _sidecar_text(path, ".prj")


def restore_shapefile_names(frame: gpd.GeoDataFrame, path: str | os.PathLike) -> gpd.GeoDataFrame:
    """Give back the long names (schema and ``.fields.csv``) and the full text (``.longtext.csv``)."""
    path = Path(path)
    mapping = dict(GDAL_TRUNCATIONS)
    mapping.update({short: long for long, short in SHORT_NAMES.items() if short != long})
    listed = _sidecar_text(path, FIELDS_SUFFIX)
    if listed:
        for row in csv.DictReader(io.StringIO(listed)):
            if row.get("short_name") and row.get("name"):
                mapping[restore_cell(row["short_name"])] = restore_cell(row["name"])
    # case-insensitive: dBASE names are often upper-cased by other tools (PROV_PRE25)
    lowered = {k.lower(): v for k, v in mapping.items()}
    renames = {c: lowered[c.lower()] for c in frame.columns if c.lower() in lowered and c != frame.geometry.name}
    renames.update(
        {
            c: LONG_NAMES[c.lower()]
            for c in frame.columns
            if c not in renames and c != c.lower() and c.lower() in LONG_NAMES
        }
    )
    out = frame.rename(columns=renames)
    long_text = _sidecar_text(path, LONGTEXT_SUFFIX)
    if long_text:
        keys = _record_keys(out)
        position = {k: i for i, k in enumerate(keys)}
        for row in csv.DictReader(io.StringIO(long_text)):
            row = {key: restore_cell(value) for key, value in row.items()}
            i, field = position.get(row["record"]), row["field"]
            if i is None or field not in out.columns:
                raise ZoneValidationError(
                    f"{path.with_suffix(LONGTEXT_SUFFIX).name}: no record {row['record']!r} "
                    f"with field {field!r} in {path.name}; the sidecar belongs to another file"
                )
            out[field] = out[field].astype(object)
            out.iloc[i, out.columns.get_loc(field)] = row["text"]
    return out


def apply_field_map(frame: gpd.GeoDataFrame, fields: Mapping[str, str]) -> gpd.GeoDataFrame:
    """Rename a file's own columns to schema fields: ``{"TEN_KCN": "name", "DT_HA": "area_published_ha"}``.

    Raises
    ------
    ZoneValidationError
        When a source column is not in the file or a target is not a schema field.
    """
    available = [c for c in frame.columns if c != frame.geometry.name]
    missing = [source for source in fields if source not in available]
    if missing:
        raise ZoneValidationError(
            f"--field-map names column(s) {', '.join(map(repr, missing))} that the file does "
            f"not have; its columns are {', '.join(available)}"
        )
    wrong = [target for target in fields.values() if target not in FIELDS_BY_NAME]
    if wrong:
        raise ZoneValidationError(
            f"--field-map target(s) {', '.join(map(repr, wrong))} are not schema fields; "
            f"choose from {', '.join(FIELD_NAMES)}"
        )
    return frame.rename(columns=dict(fields))


def parse_field_map(items: list[str] | None) -> dict[str, str]:
    """``["TEN_KCN=name", "DT=area_published_ha"]`` -> ``{"TEN_KCN": "name", ...}`` (also ``a=b,c=d``)."""
    out: dict[str, str] = {}
    for item in items or []:
        for part in filter(None, (p.strip() for p in item.split(","))):
            source, sep, target = part.partition("=")
            if not sep or not source.strip() or not target.strip():
                raise ZoneValidationError(f"--field-map {part!r}: write COLUMN=field, e.g. TEN_KCN=name")
            out[source.strip()] = target.strip()
    return out


def unmapped_columns(frame: gpd.GeoDataFrame) -> list[str]:
    """Columns of ``frame`` that are not schema fields (after names and field maps are applied)."""
    return [c for c in frame.columns if c != frame.geometry.name and c not in FIELDS_BY_NAME]


def copy_shapefile(source: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Copy a shapefile with all its sidecars (tests and the CLI use it to stage files)."""
    source, target = Path(source), Path(target)
    for suffix in _PARTS:
        if source.with_suffix(suffix).exists():
            shutil.copyfile(source.with_suffix(suffix), target.with_suffix(suffix))
    return target


__all__ = [
    "DBF_TEXT_BYTES",
    "LONGTEXT_SUFFIX",
    "FIELDS_SUFFIX",
    "LongTextWarning",
    "short_names",
    "write_shapefile",
    "restore_shapefile_names",
    "apply_field_map",
    "parse_field_map",
    "unmapped_columns",
    "prj_text",
    "copy_shapefile",
]
