"""MapInfo TAB and MIF/MID both ways (GDAL's "MapInfo File" driver), Vietnamese text and VN-2000 kept.

* **Reading.** GDAL knows no iconv encoding for MapInfo's ``WindowsVietnamese`` charset (and its
  Windows-1258 decoding drops the last character of every value), so geozones asks GDAL for the
  raw bytes and decodes them itself like a shapefile's (:func:`geozones.io.shapefile.decode_raw_text`):
  the ``Charset`` of the ``.mif`` / ``.tab`` header is the declared encoding, TCVN3 and VNI text
  without one are detected.
* **Writing.** Text in UTF-8 (``Charset "UTF-8"``); a number column with empty values is
  written as text (MapInfo stores an empty number as 0, which would read back as a year 0); a VN-2000 CRS is written with its datum shift
  (MapInfo datum 9999 with the seven TOWGS84 parameters of Decision 05/2007), so MapInfo and QGIS
  place it on the ground and geozones reads it back as its EPSG code. MapInfo's own VN-2000 datum
  numbers differ between versions; the explicit parameters do not.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pyproj

from geozones.crs import TOWGS84_OFFICIAL

#: MapInfo charset names -> geozones encodings.
CHARSETS = {
    "windowsvietnamese": "cp1258",
    "utf8": "utf-8",
    "windowslatin1": "cp1252",
    "iso88591": "latin-1",
    "neutral": None,
}
_PARTS = {".tab": (".tab", ".dat", ".map", ".id", ".ind"), ".mif": (".mif", ".mid")}


def declared_charset(path: Path) -> str | None:
    """The encoding named by a ``.tab``'s ``!charset`` or a ``.mif``'s ``Charset`` line (None: none/Neutral)."""
    try:
        head = path.read_bytes()[:4096].decode("latin-1")
    except OSError:
        return None
    found = re.search(r'^\s*!?charset\s+"?([A-Za-z0-9_\- ]+?)"?\s*$', head, flags=re.IGNORECASE | re.MULTILINE)
    if not found:
        return None
    key = re.sub(r"[^a-z0-9]", "", found.group(1).lower())
    return CHARSETS.get(key, found.group(1))


def read_mapinfo(path: str | os.PathLike, layer=None, *, encoding: str | None = None) -> gpd.GeoDataFrame:
    """A TAB or MIF layer with its text decoded by geozones (see the module notes)."""
    import warnings

    from geozones.io.shapefile import decode_raw_text

    path = Path(path)
    with warnings.catch_warnings():  # GDAL: "Cannot find iconv encoding corresponding to ... WindowsVietnamese"
        warnings.filterwarnings("ignore", message="Cannot find iconv encoding", category=RuntimeWarning)
        frame = pyogrio.read_dataframe(str(path), layer=layer, encoding="ISO-8859-1", ENCODING="")
    return decode_raw_text(frame, path.name, declared_charset(path), encoding, f"its {path.suffix} Charset")


def _with_datum_shift(crs: pyproj.CRS) -> pyproj.CRS:
    """A VN-2000 CRS as a PROJ definition with its TOWGS84 (MapInfo keeps the shift, not the EPSG code)."""
    datum = crs.datum.name if crs is not None and crs.datum is not None else ""
    if crs is None or not ("VN-2000" in crs.name or "Vietnam 2000" in datum):
        return crs
    import warnings

    shift = ",".join(f"{v:.10g}" for v in TOWGS84_OFFICIAL)
    with warnings.catch_warnings():  # pyproj: a PROJ string loses information (not for a TM-3 definition)
        warnings.simplefilter("ignore", UserWarning)
        definition = crs.to_proj4()
    return pyproj.CRS.from_proj4(f"{definition} +towgs84={shift}".replace("+type=crs", ""))


def write_mapinfo(frame: gpd.GeoDataFrame, path: str | os.PathLike) -> Path:
    """Write ``frame`` as a MapInfo ``.tab`` (with .dat, .map, .id) or ``.mif`` (with .mid), replacing the old set."""
    import warnings

    import pandas as pd

    path = Path(path)
    out = frame.set_crs(_with_datum_shift(frame.crs), allow_override=True) if frame.crs is not None else frame
    out = out.copy()
    for column in out.columns:  # MapInfo has no empty number (it stores 0): such columns go as text
        series = out[column]
        if column != out.geometry.name and pd.api.types.is_numeric_dtype(series) and series.isna().any():
            out[column] = series.map(lambda v: None if pd.isna(v) else repr(v.item() if hasattr(v, "item") else v))
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.stem}.") as tmp:
        staged = Path(tmp) / path.name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # pyproj: a PROJ string loses nothing here
            pyogrio.write_dataframe(out, staged, driver="MapInfo File", layer_options={"ENCODING": "UTF-8"})
        for suffix in _PARTS[path.suffix.lower()]:
            old = path.with_suffix(suffix)
            if old.exists():
                old.unlink()
        for part in Path(tmp).iterdir():
            os.replace(part, path.parent / part.name)
    return path


__all__ = ["CHARSETS", "declared_charset", "read_mapinfo", "write_mapinfo"]
