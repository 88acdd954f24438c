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


#: The longest attribute name a shapefile (dBASE) can hold.
SHAPEFILE_NAME_LIMIT = 10
#: A well-formed zone id: lower-case ASCII letters, digits and hyphens, at most 64 characters.
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
#: Schema type -> the one OGR field type written in GeoJSON, GeoPackage, Shapefile, FlatGeobuf and CSV.
OGR_TYPES: dict[str, str] = {"str": "String", "int": "Integer", "float": "Real", "date": "Date"}
#: Stated precision of Real fields: IEEE 754 double in every format (shapefile: 24 digits, 15 decimals).
REAL_PRECISION = "double (64-bit); shapefile Real(24,15)"
#: Longest value of a text field that gives no ``max_length`` of its own (characters).
TEXT_MAX_LENGTH = 200
#: Longest value of the free-text fields (location basis, notes, incentives): a page of a fact sheet.
LONG_TEXT_MAX_LENGTH = 4000


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
    short: str = ""
    #: Most characters a text value may have (text fields only; default :data:`TEXT_MAX_LENGTH`).
    max_length: int | None = None

    def __post_init__(self) -> None:
        if not self.short:
            object.__setattr__(self, "short", self.name)
        if self.dtype == "str" and self.max_length is None:
            longest = max((len(c) for c in self.choices), default=0) if self.choices else TEXT_MAX_LENGTH
            object.__setattr__(self, "max_length", longest)
        if len(self.short) > SHAPEFILE_NAME_LIMIT:
            raise ValueError(f"short name {self.short!r} of {self.name!r} is longer than {SHAPEFILE_NAME_LIMIT}")

    @property
    def ogr_type(self) -> str:
        """The OGR field type in every output format: String, Integer, Real or Date."""
        return OGR_TYPES[self.dtype]

    @property
    def allowed(self) -> str:
        """Allowed values in words, for the documentation table."""
        if self.choices is not None:
            return ", ".join(self.choices)
        if self.minimum is not None or self.maximum is not None:
            low = "" if self.minimum is None else f"{self.minimum:g}"
            high = "" if self.maximum is None else f"{self.maximum:g}"
            return f"{low} … {high}".strip()
        if self.name == "id":
            return f"`{ID_PATTERN}`"
        if self.max_length is not None:
            return f"at most {self.max_length:,} characters"
        return ""


FIELDS: tuple[Field, ...] = (
    Field("id", "str", True, description="Stable identifier (lower-case slug)", max_length=64),
    Field("name", "str", True, description="Vietnamese name with diacritics"),
    Field("name_ascii", "str", True, description="ASCII name (diacritics removed)"),
    Field("kind", "str", True, tuple(KINDS), description="KCN, CCN or KCX"),
    Field("zone_group", "str", True, description="The zone a phase belongs to (e.g. 'Thanh Bình')"),
    Field("phase", "str", description="Phase label: I, II, expansion; empty when not phased"),
    Field("province_pre2025", "str", True, description="Province before the 1 July 2025 reform", short="prov_pre25"),
    Field("district_pre2025", "str", description="District-level unit before the 2025 reform", short="dist_pre25"),
    Field("province", "str", True, description="Province after the 1 July 2025 reform"),
    Field("commune", "str", description="Commune (pre-2025 name) where known"),
    Field("status", "str", True, tuple(STATUSES), description="Life-cycle status"),
    Field(
        "status_year", "int", minimum=1990, maximum=2100, description="Year the status was reported", short="status_yr"
    ),
    Field(
        "area_published_ha",
        "float",
        minimum=0,
        description="Published area in hectares; empty if none",
        short="area_pub",
    ),
    Field("area_qualifier", "str", choices=AREA_QUALIFIERS, description="exact / about / over", short="area_qual"),
    Field("investor", "str", description="Investor or developer"),
    Field(
        "occupancy_pct", "float", minimum=0, maximum=100, description="Published occupancy rate, %", short="occup_pct"
    ),
    Field("decision", "str", description="Establishing decision (number/issuer)"),
    Field("decision_date", "date", description="Date of the establishing decision", short="dec_date"),
    Field("established_year", "int", minimum=1990, maximum=2100, description="Year established", short="estab_yr"),
    Field("target_year", "int", minimum=1990, maximum=2100, description="Year it is due to operate", short="target_yr"),
    Field("sources", "str", True, description="Seed file names or public sources, '; '-separated", max_length=2000),
    Field(
        "geometry_quality",
        "str",
        True,
        tuple(GEOMETRY_QUALITIES),
        description="approximate / surveyed",
        short="geom_qual",
    ),
    Field(
        "location_basis",
        "str",
        description="Where the geometry was placed and how",
        short="loc_basis",
        max_length=LONG_TEXT_MAX_LENGTH,
    ),
    Field("site_lon", "float", minimum=-180, maximum=180, description="Approximate site longitude (WGS84)"),
    Field("site_lat", "float", minimum=-90, maximum=90, description="Approximate site latitude (WGS84)"),
    Field("notes", "str", description="Free text", max_length=LONG_TEXT_MAX_LENGTH),
)

#: :data:`ID_PATTERN` compiled. Ids of this form are safe in URLs, file names, HTTP headers and SQL.
ID_RE = re.compile(ID_PATTERN)
ID_RULE = "1-64 lower-case letters (a-z), digits and hyphens, starting with a letter or digit"


def check_ids(zones: pd.DataFrame) -> None:
    """Refuse a zone layer whose ids are not all of :data:`ID_PATTERN` (what every store requires).

    Files may be validated with odd ids (``--allow id`` of the placement checks); a store never
    takes one: an id with ``/`` could be created but never read, edited or deleted over HTTP.

    Raises
    ------
    ZoneValidationError
        Naming the first bad id.
    """
    if "id" not in zones.columns:
        return
    for value in zones["id"]:
        if value is not None and not (isinstance(value, str) and ID_RE.match(value)):
            label = str(value) if len(str(value)) <= 80 else str(value)[:77] + "..."
            raise ZoneValidationError(f"id must be {ID_RULE}", record=label, field="id")


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
REQUIRED: tuple[str, ...] = tuple(f.name for f in FIELDS if f.required)

#: Currencies, units and periods of a published land rent or price.
LAND_PRICE_CURRENCIES = ("VND", "USD")
LAND_PRICE_UNITS = ("m2", "ha")
LAND_PRICE_PERIODS = ("year", "month", "lease_term", "purchase")

#: What investors ask that the records' sources rarely say: optional, empty ("not published") unless a
#: published source gives the figure, named in ``investor_info_sources`` (required once any is filled).
#: Filled by the provincial office through the edit API, not by the shipped-data build.
INVESTOR_FIELDS: tuple[Field, ...] = (
    Field("land_price", "float", minimum=0, description="Published land rent or price (see currency, unit, period)"),
    Field("land_price_currency", "str", choices=LAND_PRICE_CURRENCIES, description="VND or USD", short="lp_curr"),
    Field("land_price_unit", "str", choices=LAND_PRICE_UNITS, description="Per m2 or per ha", short="lp_unit"),
    Field(
        "land_price_period",
        "str",
        choices=LAND_PRICE_PERIODS,
        description="year, month, lease_term (once for the remaining lease) or purchase",
        short="lp_period",
    ),
    Field(
        "available_land_ha",
        "float",
        minimum=0,
        description="Published land still available to lease, ha",
        short="avail_ha",
    ),
    Field("leased_land_ha", "float", minimum=0, description="Published land already leased, ha", short="leased_ha"),
    Field(
        "power_capacity_mva", "float", minimum=0, description="Published power supply capacity, MVA", short="power_mva"
    ),
    Field(
        "water_capacity_m3_day",
        "float",
        minimum=0,
        description="Published water supply capacity, m3/day",
        short="water_m3d",
    ),
    Field(
        "wastewater_capacity_m3_day",
        "float",
        minimum=0,
        description="Published wastewater treatment capacity, m3/day",
        short="wastew_m3d",
    ),
    Field("incentives", "str", description="Published investment incentives", max_length=LONG_TEXT_MAX_LENGTH),
    Field("contact", "str", description="Published contact (office, telephone, e-mail, web)", max_length=500),
    Field(
        "investor_info_sources",
        "str",
        description="The published source(s) of the investor fields, "
        "'; '-separated; required when any of them is filled",
        short="inv_src",
        max_length=2000,
    ),
)
INVESTOR_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in INVESTOR_FIELDS)
#: Every stored zone attribute: the record fields, then the investor fields.
ZONE_FIELDS: tuple[Field, ...] = FIELDS + INVESTOR_FIELDS
ZONE_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in ZONE_FIELDS)
FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in ZONE_FIELDS}
#: Schema name -> shapefile short name (at most 10 characters), written on export, read on import.
SHORT_NAMES: dict[str, str] = {f.name: f.short for f in ZONE_FIELDS}
#: Short name -> schema name.
LONG_NAMES: dict[str, str] = {f.short: f.name for f in ZONE_FIELDS}


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
            raise ZoneValidationError(f"{name} must be text (a JSON string), not {type(value).__name__}", field=name)
        if field.dtype == "str" and field.max_length is not None and len(value.strip()) > field.max_length:
            raise ZoneValidationError(_too_long(field, len(value.strip())), field=name)
        if field.dtype in ("float", "int") and (_structured(value) or not isinstance(value, (int, float, str))):
            raise ZoneValidationError(f"{name} must be a number, not {type(value).__name__}", field=name)
        if field.dtype == "date" and not isinstance(value, (str, _dt.date)):
            raise ZoneValidationError(
                f"{name} must be an ISO date text (YYYY-MM-DD), not {type(value).__name__}", field=name
            )


def _coerce(series: pd.Series, field: Field, bad: _Collector) -> pd.Series:
    structured = series.map(_structured).astype(bool)
    if structured.any():
        bad.fail(
            structured.to_numpy(),
            field.name,
            f"{field.name} must be {'text' if field.dtype == 'str' else 'a ' + field.dtype}, "
            "not an object, array or boolean",
        )
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


def _too_long(field: Field, length: int | None = None) -> str:
    got = f" (got {length:,})" if length is not None else ""
    if field.name == "id":
        return f"id must be {ID_RULE}{got}"
    return f"{field.name} is longer than its limit of {field.max_length:,} characters{got}"


def _check_field(values: pd.Series, field: Field, bad: _Collector) -> None:
    missing = values.isna().to_numpy()
    if field.required:
        bad.fail(missing, field.name, f"{field.name} is required")
    limit = field.max_length
    if field.dtype == "str" and limit is not None:
        lengths = values.map(lambda v: len(v) if isinstance(v, str) else 0)
        bad.fail((lengths > limit).to_numpy(dtype=bool), field.name, _too_long(field))
    if field.choices is not None:
        wrong = ~values.isna() & ~values.isin(field.choices)
        bad.fail(wrong.to_numpy(), field.name, f"{field.name} must be one of {', '.join(field.choices)}")
    if field.minimum is not None:
        low = (values.astype("Float64") < field.minimum).fillna(False)
        bad.fail(low.to_numpy(dtype=bool), field.name, f"{field.name} must be >= {field.minimum:g}")
    if field.maximum is not None:
        high = (values.astype("Float64") > field.maximum).fillna(False)
        bad.fail(high.to_numpy(dtype=bool), field.name, f"{field.name} must be <= {field.maximum:g}")


def _check_investor_fields(frame: pd.DataFrame, bad: _Collector) -> None:
    """Investor figures only with their published source; a price only with its currency, unit and period."""
    filled = frame[[n for n in INVESTOR_FIELD_NAMES if n != "investor_info_sources"]].notna().any(axis=1)
    bad.fail(
        (filled & frame["investor_info_sources"].isna()).to_numpy(),
        "investor_info_sources",
        "investor_info_sources is required when an investor field is filled (name the published source)",
    )
    price = frame["land_price"].notna()
    for name in ("land_price_currency", "land_price_unit", "land_price_period"):
        bad.fail((price & frame[name].isna()).to_numpy(), name, f"{name} is required with land_price")


def _check_geometry(frame: gpd.GeoDataFrame, bad: _Collector) -> None:
    geoms = frame.geometry.array
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    types = shapely.get_type_id(geoms)
    polygonal = np.isin(types, (3, 6))  # Polygon, MultiPolygon
    bad.fail(present & ~polygonal, "geometry", "geometry must be a Polygon or MultiPolygon", GeometryError)
    invalid = present & polygonal & ~shapely.is_valid(geoms)
    for position in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geoms[position])
        bad.fail(
            np.arange(len(frame)) == position,
            "geometry",
            f"invalid geometry ({reason}); repair it (e.g. shapely.make_valid) and load again",
            GeometryError,
        )
    no_area = present & polygonal & ~invalid & (shapely.area(geoms) <= 0)
    bad.fail(no_area, "geometry", "geometry has zero area", GeometryError)


def validate_zones(
    zones: gpd.GeoDataFrame,
    *,
    extra: Literal["error", "keep", "drop"] = "error",
    errors: Literal["raise", "collect"] = "raise",
) -> gpd.GeoDataFrame:
    """Validate and coerce a zone layer against :data:`ZONE_FIELDS` (record and investor fields).

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
            f"unknown attribute(s) {', '.join(map(repr, unknown))} (unmapped columns): map each to a schema field with "
            f"fields={{'COLUMN': 'field'}} (CLI --field-map COLUMN=field) or keep them with extra='keep' "
            f"(CLI --allow-extra); the schema has {', '.join(ZONE_FIELD_NAMES)}",
            field=unknown[0],
        )
    frame = zones.copy()
    if frame.geometry.name != "geometry":
        frame = frame.rename_geometry("geometry")
    bad = _Collector(frame, errors == "collect")
    for field in ZONE_FIELDS:
        source = frame[field.name] if field.name in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        frame[field.name] = _coerce(source, field, bad)
        _check_field(frame[field.name], field, bad)
    _check_investor_fields(frame, bad)
    duplicated = frame["id"].duplicated(keep="first") & frame["id"].notna()
    bad.fail(duplicated.to_numpy(), "id", "id is not unique")
    _check_geometry(frame, bad)
    if bad.problems:
        summary = "; ".join(str(p) for p in bad.problems[:20])
        more = f" (and {len(bad.problems) - 20} more)" if len(bad.problems) > 20 else ""
        error = ZoneValidationError(f"{len(bad.problems)} problem(s): {summary}{more}")
        error.problems = bad.problems
        raise error
    keep = list(ZONE_FIELD_NAMES) + (list(unknown) if extra == "keep" else []) + ["geometry"]
    return gpd.GeoDataFrame(frame[keep], geometry="geometry", crs=frame.crs)


def schema_markdown() -> str:
    """The schema as a Markdown document: one row per field (docs/schema.md is this text).

    Columns: name, shapefile short name, type (OGR), required, allowed values, meaning.
    ``scripts/make_schema_doc.py`` writes it; a test keeps the file in sync.
    """

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        "# Zone schema",
        "",
        "<!-- Generated from geozones/schema.py by scripts/make_schema_doc.py; do not edit by hand. -->",
        "",
        "Every zone record in every format (GeoJSON, GeoPackage, Shapefile, CSV+WKT, FlatGeobuf and the API)",
        "has these fields, with these types, in this order, followed by the geometry (Polygon or MultiPolygon).",
        f"Shapefiles use the short names (at most {SHAPEFILE_NAME_LIMIT} characters); `geozones validate` and",
        "`geozones store import` read either name, and the 10-character cuts GDAL makes (`province_p`).",
        "Text longer than a dBASE field holds (254 bytes) is written in full to a `<name>.longtext.csv`",
        "sidecar beside the shapefile and restored from it on import. A survey office's own column names",
        "are mapped with `--field-map TEN_KCN=name` (Python: `fields={'TEN_KCN': 'name'}`).",
        f"Real fields are stored as {REAL_PRECISION}; dates are ISO 8601 dates (YYYY-MM-DD).",
        "",
        "| name | short name | type | required | allowed values | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for field in ZONE_FIELDS:
        lines.append(
            f"| `{field.name}` | `{field.short}` | {field.ogr_type} | {'yes' if field.required else 'no'} | "
            f"{cell(field.allowed)} | {cell(field.description)} |"
        )
    lines += ["", "## Kinds", "", "| code | Vietnamese | English |", "|---|---|---|"]
    lines += [f"| `{code}` | {names['vi']} | {names['en']} |" for code, names in KINDS.items()]
    lines += ["", "## Statuses", "", "| status | Vietnamese | English |", "|---|---|---|"]
    lines += [f"| `{code}` | {names['vi']} | {names['en']} |" for code, names in STATUSES.items()]
    lines += ["", "## Geometry quality", "", "| value | meaning |", "|---|---|"]
    lines += [f"| `{code}` | {meaning} |" for code, meaning in GEOMETRY_QUALITIES.items()]
    return "\n".join(lines) + "\n"
