"""The zone schema: one table of fields, validated on load.

Every zone layer that enters geozones (shipped data, a user file, the store, an API
upload) passes through :func:`validate_zones`, which coerces types and raises
:class:`~geozones.ZoneValidationError` naming the record and the field on the first
problem it finds (or all of them with ``errors="collect"``).
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geozones.errors import GeometryError, MissingCRSError, ZoneValidationError

#: Zone kinds: industrial park, industrial cluster, export processing zone.
KINDS: dict[str, dict[str, str]] = {
    "KCN": {"vi": "Khu công nghiệp", "en": "Industrial park"},
    "CCN": {"vi": "Cụm công nghiệp", "en": "Industrial cluster"},
    "KCX": {"vi": "Khu chế xuất", "en": "Export processing zone"},
}

#: Zone statuses, in life-cycle order.
STATUSES: dict[str, dict[str, str]] = {
    "planned": {"vi": "Quy hoạch", "en": "Planned"},
    "established": {"vi": "Đã thành lập", "en": "Established"},
    "site_clearance": {"vi": "Giải phóng mặt bằng", "en": "Site clearance"},
    "under_construction": {"vi": "Đang xây dựng hạ tầng", "en": "Under construction"},
    "operating": {"vi": "Đang hoạt động", "en": "Operating"},
    "retired": {"vi": "Đã loại bỏ", "en": "Retired"},
}

#: How a polygon was obtained.
GEOMETRY_QUALITIES: dict[str, str] = {
    "approximate": "drawn to match a published area at an approximate location",
    "surveyed": "from a survey or an official cadastral/planning file",
}

#: How a published area is qualified in its source ("over 321 ha", "about 440 ha").
AREA_QUALIFIERS = ("exact", "about", "over")

#: Province names before the 1 July 2025 reform and after it.
PROVINCE_AFTER_2025: dict[str, str] = {
    "Bắc Kạn": "Thái Nguyên",
    "Thái Nguyên": "Thái Nguyên",
    "Lạng Sơn": "Lạng Sơn",
}


@dataclass(frozen=True)
class Field:
    """One attribute of a zone record."""

    name: str
    dtype: Literal["str", "float", "int", "date"]
    required: bool = False
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""


FIELDS: tuple[Field, ...] = (
    Field("id", "str", True, description="Stable identifier (lower-case slug)"),
    Field("name", "str", True, description="Vietnamese name with diacritics"),
    Field("name_ascii", "str", True, description="ASCII name (diacritics removed)"),
    Field("kind", "str", True, tuple(KINDS), description="KCN, CCN or KCX"),
    Field("zone_group", "str", True, description="The zone a phase belongs to (e.g. 'Thanh Bình')"),
    Field("phase", "str", description="Phase label: I, II, expansion; empty when not phased"),
    Field("province_pre2025", "str", True, description="Province before the 1 July 2025 reform"),
    Field("district_pre2025", "str", description="District-level unit before the 2025 reform"),
    Field("province", "str", True, description="Province after the 1 July 2025 reform"),
    Field("commune", "str", description="Commune (pre-2025 name) where known"),
    Field("status", "str", True, tuple(STATUSES), description="Life-cycle status"),
    Field("status_year", "int", minimum=1990, maximum=2100, description="Year the status was reported"),
    Field("area_published_ha", "float", minimum=0, description="Published area in hectares; empty if none"),
    Field("area_qualifier", "str", choices=AREA_QUALIFIERS, description="exact / about / over"),
    Field("investor", "str", description="Investor or developer"),
    Field("occupancy_pct", "float", minimum=0, maximum=100, description="Published occupancy rate, %"),
    Field("decision", "str", description="Establishing decision (number/issuer)"),
    Field("decision_date", "date", description="Date of the establishing decision"),
    Field("established_year", "int", minimum=1990, maximum=2100, description="Year established"),
    Field("target_year", "int", minimum=1990, maximum=2100, description="Year it is due to operate"),
    Field("sources", "str", True, description="Seed file names or public sources, '; '-separated"),
    Field("geometry_quality", "str", True, tuple(GEOMETRY_QUALITIES), description="approximate / surveyed"),
    Field("location_basis", "str", description="Where the geometry was placed and how"),
    Field("site_lon", "float", minimum=-180, maximum=180, description="Approximate site longitude (WGS84)"),
    Field("site_lat", "float", minimum=-90, maximum=90, description="Approximate site latitude (WGS84)"),
    Field("notes", "str", description="Free text"),
)

#: Zone ids: 1-64 lower-case ASCII letters, digits and hyphens, starting with a letter or digit.
#: Safe in URLs, file names, HTTP headers and SQL identifiers without escaping.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
ID_RULE = "1-64 lower-case letters (a-z), digits and hyphens, starting with a letter or digit"

FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
REQUIRED: tuple[str, ...] = tuple(f.name for f in FIELDS if f.required)


def ascii_name(text: str) -> str:
    """Strip Vietnamese diacritics: ``'Bắc Kạn'`` -> ``'Bac Kan'``, ``'Đồng'`` -> ``'Dong'``."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _pandas_dtype(kind: str) -> str:
    return {"str": "object", "float": "float64", "int": "Int64", "date": "object"}[kind]


def _record_label(frame: pd.DataFrame, position: int) -> str:
    if "id" in frame.columns:
        value = frame["id"].iloc[position]
        if isinstance(value, str) and value:
            return value if len(value) <= 80 else value[:77] + "..."
    return f"row {position}"


class _Collector:
    """Raise on the first problem, or collect them all."""

    def __init__(self, frame: pd.DataFrame, collect: bool):
        self.frame = frame
        self.collect = collect
        self.problems: list[ZoneValidationError] = []

    def fail(self, mask: np.ndarray, field: str, message: str, cls=ZoneValidationError) -> None:
        for position in np.flatnonzero(mask):
            error = cls(message, record=_record_label(self.frame, int(position)), field=field)
            if not self.collect:
                raise error
            self.problems.append(error)


def _structured(value) -> bool:
    """True for values no schema field can hold: objects, arrays, booleans, bytes."""
    return isinstance(value, (Mapping, list, tuple, set, bool, np.bool_, bytes, np.ndarray))


def check_types(properties: Mapping) -> None:
    """Strict JSON types for one record sent to a store: text fields take strings, numbers numbers
    (or numeric text), dates ISO text; never objects, arrays or booleans.

    Raises
    ------
    ZoneValidationError
        Naming the field.
    """
    for name, value in properties.items():
        field = FIELDS_BY_NAME.get(name)
        if field is None or value is None:
            continue
        if field.dtype == "str" and not isinstance(value, str):
            raise ZoneValidationError(f"{name} must be text (a JSON string), not {type(value).__name__}",
                                      field=name)
        if field.dtype in ("float", "int") and (_structured(value) or not isinstance(value, (int, float, str))):
            raise ZoneValidationError(f"{name} must be a number, not {type(value).__name__}", field=name)
        if field.dtype == "date" and not isinstance(value, (str, _dt.date)):
            raise ZoneValidationError(f"{name} must be an ISO date text (YYYY-MM-DD), not {type(value).__name__}",
                                      field=name)


def _coerce(series: pd.Series, field: Field, bad: _Collector) -> pd.Series:
    structured = series.map(_structured).astype(bool)
    if structured.any():
        bad.fail(structured.to_numpy(), field.name,
                 f"{field.name} must be {'text' if field.dtype == 'str' else 'a ' + field.dtype}, "
                 "not an object, array or boolean")
        series = series.where(~structured, None)
    present = series.notna() & ~series.astype(str).str.strip().isin(["", "nan", "None", "<NA>"])
    if field.dtype == "str":
        out = series.astype(object).where(present, None)
        return out.map(lambda v: v if v is None else str(v).strip()).astype(object)
    if field.dtype in ("float", "int"):
        numbers = pd.to_numeric(series.where(present), errors="coerce")
        bad.fail((present & numbers.isna()).to_numpy(), field.name, f"{field.name} must be a number")
        if field.dtype == "int":
            fractional = numbers.notna() & (numbers % 1 != 0)
            bad.fail(fractional.to_numpy(), field.name, f"{field.name} must be a whole number")
            return numbers.round().astype("Int64")
        return numbers.astype("float64")
    dates = series.where(present).map(_parse_date)
    bad.fail((present & dates.isna()).to_numpy(), field.name, "decision_date must be an ISO date (YYYY-MM-DD)")
    return dates.astype(object)


def _parse_date(value) -> _dt.date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _check_field(values: pd.Series, field: Field, bad: _Collector) -> None:
    missing = values.isna().to_numpy()
    if field.required:
        bad.fail(missing, field.name, f"{field.name} is required")
    if field.choices is not None:
        wrong = ~values.isna() & ~values.isin(field.choices)
        bad.fail(wrong.to_numpy(), field.name, f"{field.name} must be one of {', '.join(field.choices)}")
    if field.minimum is not None:
        low = (values.astype("Float64") < field.minimum).fillna(False)
        bad.fail(low.to_numpy(dtype=bool), field.name, f"{field.name} must be >= {field.minimum:g}")
    if field.maximum is not None:
        high = (values.astype("Float64") > field.maximum).fillna(False)
        bad.fail(high.to_numpy(dtype=bool), field.name, f"{field.name} must be <= {field.maximum:g}")


def _check_geometry(frame: gpd.GeoDataFrame, bad: _Collector) -> None:
    geoms = frame.geometry.array
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    types = shapely.get_type_id(geoms)
    polygonal = np.isin(types, (3, 6))  # Polygon, MultiPolygon
    bad.fail(present & ~polygonal, "geometry", "geometry must be a Polygon or MultiPolygon", GeometryError)
    invalid = present & polygonal & ~shapely.is_valid(geoms)
    for position in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geoms[position])
        bad.fail(np.eye(1, len(frame), position, dtype=bool)[0], "geometry",
                 f"invalid geometry ({reason}); repair it (e.g. shapely.make_valid) and load again",
                 GeometryError)
    no_area = present & polygonal & ~invalid & (shapely.area(geoms) <= 0)
    bad.fail(no_area, "geometry", "geometry has zero area", GeometryError)


def validate_zones(
    zones: gpd.GeoDataFrame,
    *,
    extra: Literal["error", "keep", "drop"] = "error",
    errors: Literal["raise", "collect"] = "raise",
) -> gpd.GeoDataFrame:
    """Validate and coerce a zone layer against :data:`FIELDS`.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Zone records with a CRS. Missing optional columns are added empty.
    extra : {"error", "keep", "drop"}
        What to do with columns that are not in the schema.
    errors : {"raise", "collect"}
        ``"raise"`` stops at the first problem; ``"collect"`` raises one
        :class:`ZoneValidationError` listing every problem (``.problems``).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with schema column order and dtypes, indexed like the input.

    Raises
    ------
    ZoneValidationError
        Naming the record (its id) and the field.
    GeometryError
        For missing-type, invalid or self-intersecting polygons.
    MissingCRSError
        When the layer has no CRS.
    """
    if not isinstance(zones, gpd.GeoDataFrame):
        raise TypeError("zones must be a geopandas.GeoDataFrame")
    if zones.crs is None:
        raise MissingCRSError("the zone layer has no CRS; give one (e.g. crs='EPSG:4326' or 'EPSG:9213')")
    unknown = [c for c in zones.columns if c not in FIELDS_BY_NAME and c != zones.geometry.name]
    if unknown and extra == "error":
        raise ZoneValidationError(
            f"unknown attribute(s) {', '.join(map(repr, unknown))}; the schema has {', '.join(FIELD_NAMES)}",
            field=unknown[0],
        )
    frame = zones.copy()
    if frame.geometry.name != "geometry":
        frame = frame.rename_geometry("geometry")
    bad = _Collector(frame, errors == "collect")
    for field in FIELDS:
        source = frame[field.name] if field.name in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        frame[field.name] = _coerce(source, field, bad)
        _check_field(frame[field.name], field, bad)
    malformed = frame["id"].map(lambda v: v is not None and not ID_PATTERN.match(v)).astype(bool)
    bad.fail(malformed.to_numpy(), "id", f"id must be {ID_RULE}")
    duplicated = frame["id"].duplicated(keep="first") & frame["id"].notna()
    bad.fail(duplicated.to_numpy(), "id", "id is not unique")
    _check_geometry(frame, bad)
    if bad.problems:
        summary = "; ".join(str(p) for p in bad.problems[:20])
        more = f" (and {len(bad.problems) - 20} more)" if len(bad.problems) > 20 else ""
        error = ZoneValidationError(f"{len(bad.problems)} problem(s): {summary}{more}")
        error.problems = bad.problems
        raise error
    keep = list(FIELD_NAMES) + ([c for c in unknown] if extra == "keep" else []) + ["geometry"]
    return gpd.GeoDataFrame(frame[keep], geometry="geometry", crs=frame.crs)
