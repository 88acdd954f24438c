"""Local limits: how much geozones reads from one file it did not write (a hostile file costs little).

Each limit is a ``GEOZONES_*`` environment variable read when the check runs (so a test or a
command can change it), with the default below; a file over a limit raises
:class:`geozones.errors.InputTooLargeError` (the command line's exit code 2) before the expensive
read, and nothing is written anywhere.

========================================  =====================================  ===========
what                                      setting                                default
========================================  =====================================  ===========
a shapefile sidecar (.prj .cpg .qml .sld  ``GEOZONES_MAX_SIDECAR_BYTES``          1 MiB
.fields.csv), declared and read
the ``.longtext.csv`` sidecar             ``GEOZONES_MAX_LONGTEXT_BYTES``         64 MiB
rows in one GeoParquet row group          ``GEOZONES_MAX_PARQUET_GROUP_ROWS``     1 048 576
uncompressed bytes of one row group       ``GEOZONES_MAX_PARQUET_GROUP_BYTES``    1 GiB
cells of a raster read whole              ``GEOZONES_MAX_RASTER_CELLS``           200 000 000
========================================  =====================================  ===========

May import: the core.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from geozones.errors import InputTooLargeError, InvalidParameterError

#: name -> (default, what it bounds) of every local limit.
LIMITS: dict[str, tuple[int, str]] = {
    "GEOZONES_MAX_SIDECAR_BYTES": (1 << 20, "bytes of a shapefile sidecar (.prj, .cpg, .qml, .sld, .fields.csv)"),
    "GEOZONES_MAX_LONGTEXT_BYTES": (64 << 20, "bytes of a shapefile's .longtext.csv"),
    "GEOZONES_MAX_PARQUET_GROUP_ROWS": (1 << 20, "rows of one GeoParquet row group"),
    "GEOZONES_MAX_PARQUET_GROUP_BYTES": (1 << 30, "uncompressed bytes of one GeoParquet row group"),
    "GEOZONES_MAX_RASTER_CELLS": (200_000_000, "cells of a raster band read whole"),
}


def limit(name: str) -> int:
    """The current value of the local limit ``name`` (its environment variable, else the default)."""
    default, _ = LIMITS[name]
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(float(value))
    except ValueError:
        raise InvalidParameterError(f"environment variable {name} must be a number, not {value!r}") from None
    if number <= 0:
        raise InvalidParameterError(f"environment variable {name} must be positive, not {value!r}")
    return number


def too_large(what: str, size: int, name: str, unit: str = "bytes") -> InputTooLargeError:
    """The error for ``what`` of ``size`` over the limit ``name``."""
    return InputTooLargeError(
        f"{what}: {size:,} {unit}, more than the {limit(name):,} geozones reads ({name}); nothing was read or written"
    )


def read_capped_member(archive: zipfile.ZipFile, member: str, what: str, name: str) -> bytes:
    """A zip member's bytes, refusing it when its declared size or its real size exceeds ``limit(name)``.

    At most ``limit(name) + 1`` bytes are ever inflated, whatever the archive declares.
    """
    cap = limit(name)
    info = archive.getinfo(member)
    if info.file_size > cap:
        raise too_large(f"{what} (declared uncompressed size)", info.file_size, name)
    with archive.open(info) as handle:
        data = handle.read(cap + 1)
    if len(data) > cap:
        raise too_large(what, len(data), name)
    return data


def read_capped_file(path: Path, what: str, name: str) -> bytes:
    """A file's bytes, refusing a file larger than ``limit(name)`` (at most ``limit + 1`` bytes are read)."""
    cap = limit(name)
    size = path.stat().st_size
    if size > cap:
        raise too_large(what, size, name)
    with open(path, "rb") as handle:
        data = handle.read(cap + 1)
    if len(data) > cap:
        raise too_large(what, len(data), name)
    return data


__all__ = ["LIMITS", "limit", "read_capped_file", "read_capped_member", "too_large"]
