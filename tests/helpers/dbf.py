"""Shapefiles as survey offices keep them: a .dbf whose text is in a legacy Vietnamese encoding.

geozones (like pyogrio) writes UTF-8; these helpers rewrite the bytes of every character field of a
written .dbf in TCVN3, VNI or Windows-1258 (:func:`geozones.io.encodings.encode`, itself pinned
against the published tables in tests/io/test_encodings.py), with or without a .cpg.
"""

from __future__ import annotations

import struct
from pathlib import Path

from geozones.io.encodings import encode


def dbf_fields(data: bytes) -> list[tuple[bytes, str, int, int]]:
    """(name, type, offset in the record, width) of each field of a dBASE III table."""
    fields, offset, position = [], 1, 32
    while data[position] != 0x0D:
        descriptor = data[position : position + 32]
        name = descriptor[:11].split(b"\x00")[0]
        fields.append((name, chr(descriptor[11]), offset, descriptor[16]))
        offset += descriptor[16]
        position += 32
    return fields


def reencode_dbf(shp: Path, encoding: str, cpg: str | None, names: dict[str, str] | None = None) -> Path:
    """Rewrite the UTF-8 text of ``shp``'s .dbf in ``encoding``; write ``cpg`` as its .cpg (None: no .cpg).

    ``names`` renames fields (``{"name": "TEN_KCN"}``), also written in ``encoding``.
    """
    dbf = shp.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    count, header_size, record_size = struct.unpack("<IHH", data[4:12])
    fields = dbf_fields(bytes(data))
    for index, (name, _, _, _) in enumerate(fields):
        new = (names or {}).get(name.decode("ascii"))
        if new is not None:
            raw = encode(new, encoding)[:10]
            data[32 + 32 * index : 32 + 32 * index + 11] = raw.ljust(11, b"\x00")
    for record in range(count):
        base = header_size + record * record_size
        for _, kind, offset, width in fields:
            if kind != "C":
                continue
            cell = bytes(data[base + offset : base + offset + width])
            text = cell.rstrip(b" ").decode("utf-8")
            raw = encode(text, encoding)
            assert len(raw) <= width, (text, encoding)
            data[base + offset : base + offset + width] = raw.ljust(width, b" ")
    dbf.write_bytes(bytes(data))
    for suffix in (".cpg", ".CPG"):
        shp.with_suffix(suffix).unlink(missing_ok=True)
    if cpg is not None:
        shp.with_suffix(".cpg").write_text(cpg, encoding="ascii")
    return shp


def cut_dbf_text(shp: Path, field: str, record: int, text: str) -> Path:
    """Put ``text``'s UTF-8 bytes in a character field, cut at the field's width (mid-character if so)."""
    dbf = shp.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    _, header_size, record_size = struct.unpack("<IHH", data[4:12])
    for name, _, offset, width in dbf_fields(bytes(data)):
        if name.decode("ascii") == field:
            start = header_size + record * record_size + offset
            data[start : start + width] = text.encode("utf-8")[:width].ljust(width, b" ")
            dbf.write_bytes(bytes(data))
            return shp
    raise KeyError(field)
