"""Office files without preparation: Vietnamese field names, status labels, constants and ids.

A provincial office's survey file names its columns in Vietnamese without diacritics
(``TEN_KCN``, ``DIEN_TICH``, ``CHU_DT``, ``TRANG_THAI``, ``NGAY_QD``), writes the status as a
Vietnamese label ("Quy hoạch", "Đang hoạt động") and leaves out what can be derived. geozones
reads such a file as it is:

* :data:`FIELD_ALIASES` maps the usual office column names to schema fields (case and
  diacritics ignored); a config file extends it (:func:`load_aliases`: ``GEOZONES_ALIASES`` or
  ``~/.config/geozones/aliases.toml``, ``[fields] TEN_DU_AN = "name"``, ``[status] "Đang vận
  hành" = "operating"``). An explicit ``--field-map`` wins over an alias.
* status and kind labels in Vietnamese or English become the schema codes (:func:`codes_from_labels`).
* ``--set FIELD=VALUE`` fills a field for every row (:func:`apply_constants`).
* ``name_ascii`` comes from ``name``, ``zone_group`` from ``name``, ``province`` (after 2025)
  from ``province_pre2025``; the province and district themselves come from the geometry
  (:func:`geozones.placement.derive_places`).
* an upper-case id becomes lower case (the store takes only lower-case ids), with a note.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geozones.errors import ZoneValidationError
from geozones.schema import FIELDS_BY_NAME, ID_RE, KINDS, PROVINCE_AFTER_2025, STATUSES, ascii_name

#: Office column names (upper case, no diacritics) -> schema field. Documented in docs/gis-files.md.
FIELD_ALIASES: dict[str, str] = {
    "MA_KCN": "id",
    "MA_CCN": "id",
    "MA_KHU": "id",
    "MA": "id",
    "TEN_KCN": "name",
    "TEN_CCN": "name",
    "TEN_KHU": "name",
    "TEN": "name",
    "LOAI": "kind",
    "LOAI_KHU": "kind",
    "NHOM": "zone_group",
    "GIAI_DOAN": "phase",
    "TINH": "province_pre2025",
    "TEN_TINH": "province_pre2025",
    "HUYEN": "district_pre2025",
    "TEN_HUYEN": "district_pre2025",
    "XA": "commune",
    "TEN_XA": "commune",
    "TRANG_THAI": "status",
    "TRANGTHAI": "status",
    "DIEN_TICH": "area_published_ha",
    "DIENTICH": "area_published_ha",
    "DT_HA": "area_published_ha",
    "CHU_DT": "investor",
    "CHU_DAU_TU": "investor",
    "CHUDAUTU": "investor",
    "TY_LE_LD": "occupancy_pct",
    "TYLE_LAPDAY": "occupancy_pct",
    "LAP_DAY": "occupancy_pct",
    "SO_QD": "decision",
    "QUYET_DINH": "decision",
    "NGAY_QD": "decision_date",
    "NAM_TL": "established_year",
    "NAM_THANHLAP": "established_year",
    "NGUON": "sources",
    "GHI_CHU": "notes",
    "GHICHU": "notes",
}

#: Status labels (any case, with or without diacritics) -> schema code, besides the schema's own labels.
STATUS_ALIASES: dict[str, str] = {
    "quy hoach": "planned",
    "da quy hoach": "planned",
    "du kien": "planned",
    "thanh lap": "established",
    "da thanh lap": "established",
    "giai phong mat bang": "site_clearance",
    "dang giai phong mat bang": "site_clearance",
    "dang xay dung": "under_construction",
    "dang xay dung ha tang": "under_construction",
    "xay dung": "under_construction",
    "hoat dong": "operating",
    "dang hoat dong": "operating",
    "da hoat dong": "operating",
    "dang van hanh": "operating",
    "loai bo": "retired",
    "da loai bo": "retired",
    "dua ra khoi quy hoach": "retired",
}

_CONFIG_ENV = "GEOZONES_ALIASES"


def _key(text) -> str:
    return re.sub(r"[^a-z0-9]+", " ", ascii_name(str(text)).lower()).strip()


def _column_key(text) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", ascii_name(str(text)).upper()).strip("_")


def config_path() -> Path:
    """The aliases config file: ``$GEOZONES_ALIASES`` or ``~/.config/geozones/aliases.toml``."""
    return Path(os.environ.get(_CONFIG_ENV) or Path.home() / ".config" / "geozones" / "aliases.toml")


def load_aliases(path: str | os.PathLike | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """The field and status aliases: the built-in ones extended by the config file (when it exists).

    Raises
    ------
    ZoneValidationError
        When the file is not TOML or names a field or status the schema does not have.
    """
    fields = dict(FIELD_ALIASES)
    statuses = dict(STATUS_ALIASES)
    path = Path(path) if path is not None else config_path()
    if not path.is_file():
        return fields, statuses
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ZoneValidationError(f"{path}: not a TOML aliases file ({exc})") from exc
    for column, field in (config.get("fields") or {}).items():
        if field not in FIELDS_BY_NAME:
            raise ZoneValidationError(f"{path}: [fields] {column} = {field!r} is not a schema field")
        fields[_column_key(column)] = field
    for label, code in (config.get("status") or {}).items():
        if code not in STATUSES:
            raise ZoneValidationError(f"{path}: [status] {label!r} = {code!r}: choose from {', '.join(STATUSES)}")
        statuses[_key(label)] = code
    return fields, statuses


def apply_aliases(frame: gpd.GeoDataFrame, aliases: Mapping[str, str] | None = None) -> tuple[gpd.GeoDataFrame, dict]:
    """Rename office columns to schema fields (a column already named as a field is kept); returns the
    frame and the renames made."""
    aliases = FIELD_ALIASES if aliases is None else aliases
    present = {str(c) for c in frame.columns}
    renames: dict[str, str] = {}
    for column in frame.columns:
        if column == frame.geometry.name or column in FIELDS_BY_NAME:
            continue
        field = aliases.get(_column_key(column))
        if field and field not in present and field not in renames.values():
            renames[column] = field
    return frame.rename(columns=renames), renames


def codes_from_labels(frame: gpd.GeoDataFrame, statuses: Mapping[str, str] | None = None) -> gpd.GeoDataFrame:
    """Status and kind labels as schema codes: "Đang hoạt động" -> ``operating``, "Khu công nghiệp" -> ``KCN``."""
    statuses = STATUS_ALIASES if statuses is None else statuses
    status_map = {_key(code): code for code in STATUSES}
    for code, names in STATUSES.items():
        status_map.update({_key(label): code for label in names.values()})
    status_map.update(statuses)
    kind_map = {_key(code): code for code in KINDS}
    for code, names in KINDS.items():
        kind_map.update({_key(label): code for label in names.values()})
    out = frame.copy()
    for column, table in (("status", status_map), ("kind", kind_map)):
        if column in out.columns:
            out[column] = out[column].map(lambda v, t=table: t.get(_key(v), v) if isinstance(v, str) else v)
    return out


def parse_constants(items: list[str] | None) -> dict[str, str]:
    """``["kind=KCN", "sources=Sở KH&ĐT 2024"]`` (``--set``) -> ``{"kind": "KCN", ...}``."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ZoneValidationError(f"--set {item!r}: write FIELD=VALUE, e.g. kind=KCN")
        if name not in FIELDS_BY_NAME:
            raise ZoneValidationError(f"--set {name}: not a schema field")
        out[name] = value.strip()
    return out


def apply_constants(frame: gpd.GeoDataFrame, constants: Mapping[str, str]) -> gpd.GeoDataFrame:
    """Fill each ``--set`` field for every row where the file leaves it empty."""
    out = frame.copy()
    for name, value in constants.items():
        if name in out.columns:
            out[name] = out[name].where(out[name].notna() & (out[name].astype(str).str.strip() != ""), value)
        else:
            out[name] = value
    return out


def derive_names(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``name_ascii`` from ``name``, ``zone_group`` from ``name``, ``province`` from ``province_pre2025``,
    where the file leaves them empty."""
    out = frame.copy()

    def empty(column):
        if column not in out.columns:
            return pd.Series(True, index=out.index)
        return out[column].isna() | (out[column].astype(str).str.strip() == "")

    if "name" in out.columns:
        out.loc[empty("name_ascii"), "name_ascii"] = out.loc[empty("name_ascii"), "name"].map(
            lambda v: ascii_name(v) if isinstance(v, str) else v
        )
        out.loc[empty("zone_group"), "zone_group"] = out.loc[empty("zone_group"), "name"]
    if "province_pre2025" in out.columns:
        after = out["province_pre2025"].map(lambda v: PROVINCE_AFTER_2025.get(v) if isinstance(v, str) else None)
        out.loc[empty("province"), "province"] = after[empty("province")]
    return out


def lower_case_ids(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Upper-case ids in lower case (``KCN-DB-01`` -> ``kcn-db-01``), as the store takes them; an id still
    malformed in lower case (``Bad ID!``) is left for the id check to name with its fix."""
    if "id" not in frame.columns:
        return frame, []

    def fixable(value) -> bool:  # only an id that is well formed once in lower case
        return isinstance(value, str) and value != value.lower() and bool(ID_RE.match(value.lower()))

    changed = [v for v in frame["id"] if fixable(v)]
    out = frame.copy()
    out["id"] = out["id"].map(lambda v: v.lower() if fixable(v) else v)
    return out, changed


__all__ = [
    "FIELD_ALIASES",
    "STATUS_ALIASES",
    "apply_aliases",
    "apply_constants",
    "codes_from_labels",
    "config_path",
    "derive_names",
    "load_aliases",
    "lower_case_ids",
    "parse_constants",
]
