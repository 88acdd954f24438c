"""Coordinate reference systems: the VN-2000 registry, metric working CRSs, axis checks.

Areas and distances are computed in a projected metric CRS: the VN-2000 TM-3 zone of
the zone's province (EPSG:9213 for Bắc Kạn and Thái Nguyên, EPSG:9215 for Lạng Sơn),
never in degrees. The registry is read from pyproj's EPSG database, not typed in.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from pyproj.database import query_crs_info
from pyproj.enums import PJType

from geozones.errors import AxisOrderError, CRSError, MissingCRSError

WGS84 = pyproj.CRS.from_epsg(4326)
#: OGC CRS84: WGS84 with lon/lat axis order (what GeoJSON and OGC API use by default).
CRS84 = pyproj.CRS.from_user_input("OGC:CRS84")
#: VN-2000 geographic CRS.
VN2000 = pyproj.CRS.from_epsg(4756)
#: VN-2000 / UTM zone 48N: the fallback metric CRS for layers that span provinces.
VN2000_UTM48 = pyproj.CRS.from_epsg(3405)

#: Official VN-2000 -> WGS84 shift (Decision 05/2007/QĐ-BTNMT, EPSG:6960) as a PROJ
#: ``+towgs84`` in the position-vector convention.
TOWGS84_OFFICIAL = (-191.90441429, -39.30318279, -111.45032835, 0.00928836, -0.01975479, 0.00427372, 0.252906278)
#: The same numbers with the decision's raw (coordinate-frame) rotation signs, common in
#: circulating ``.prj`` files; about 0.8 m off near Bắc Kạn.
TOWGS84_RAW_SIGNS = TOWGS84_OFFICIAL[:3] + tuple(-r for r in TOWGS84_OFFICIAL[3:6]) + TOWGS84_OFFICIAL[6:]


class VN2000DefinitionWarning(UserWarning):
    """A custom VN-2000 definition was recognised and replaced by its EPSG equivalent."""


def _fold(text: str) -> str:
    from geozones.schema import ascii_name

    return re.sub(r"[^a-z ]", "", ascii_name(text).lower()).strip()


@lru_cache(maxsize=1)
def tm3_registry() -> dict[str, int]:
    """Map province names (ASCII, lower case) to their VN-2000 TM-3 EPSG code.

    Built from the area-of-use names of every ``VN-2000 / TM-3`` CRS in pyproj's EPSG
    database, e.g. ``"Vietnam - Bac Kan and Thai Nguyen provinces."`` -> 9213.
    """
    registry: dict[str, int] = {}
    for info in query_crs_info(auth_name="EPSG", pj_types=PJType.PROJECTED_CRS):
        if not info.name.startswith("VN-2000 / TM-3") or info.area_of_use is None:
            continue
        area = info.area_of_use.name or ""
        if "between" in area or not area.startswith("Vietnam - "):
            continue  # generic 3-degree zones, not a province's
        body = area.removeprefix("Vietnam - ").rstrip(".")
        body = re.sub(r"\b(provinces?|cities|city)\b", ",", body)
        for part in re.split(r",|;|\band\b", body):
            name = _fold(part)
            if name:
                registry[name] = int(info.code)
    return registry


def tm3_crs(province: str) -> pyproj.CRS:
    """Return the VN-2000 TM-3 CRS of a province (pre- or post-2025 name, with or without diacritics).

    Raises
    ------
    CRSError
        If the province has no TM-3 zone in the EPSG database.
    """
    key = _fold(province)
    registry = tm3_registry()
    if key not in registry:
        raise CRSError(f"no VN-2000 TM-3 zone known for province {province!r}")
    return pyproj.CRS.from_epsg(registry[key])


_EPSG_CODE = re.compile(r"^(?:EPSG:)?(\d{4,6})$", re.IGNORECASE)


@lru_cache(maxsize=1)
def vn2000_names() -> dict[str, int]:
    """The VN-2000 CRSs of the EPSG database by name (lower case), e.g. ``"vn-2000 / tm-3 106-30"`` -> 9213.

    Read from pyproj's EPSG database (the names are EPSG's, not typed in); also
    ``"vn-2000 / tm-3 <province>"`` for each province of :func:`tm3_registry` (``"vn-2000 / tm-3 bac kan"``).
    """
    names: dict[str, int] = {}
    for info in query_crs_info(auth_name="EPSG"):
        if info.name.startswith("VN-2000") and not info.deprecated:
            names.setdefault(info.name.lower(), int(info.code))
    for province, code in tm3_registry().items():
        names.setdefault(f"vn-2000 / tm-3 {province}", code)
    return names


def scenario_crs(value: str | int) -> str:
    """The metric CRS a scenario names, as ``EPSG:n``: an EPSG code (``EPSG:9213``, ``9213``) or a VN-2000
    name of :func:`vn2000_names` (``VN-2000 / TM-3 106-30``, ``VN-2000 / UTM zone 48N``).

    Anything else (PROJ strings, WKT, URLs, file names) is refused before PROJ sees it: a PROJ string
    such as ``+init=/etc/passwd:root`` or ``+nadgrids=/some/file`` makes PROJ open a file on the machine.

    Raises
    ------
    CRSError
        When the value is not one of these, not in the EPSG database, or not projected in metres.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise CRSError(f"crs must be an EPSG code such as EPSG:9213, not {type(value).__name__}")
    text = str(value).strip()
    match = _EPSG_CODE.match(text)
    code = int(match.group(1)) if match else vn2000_names().get(_fold_crs_name(text))
    if code is None:
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise CRSError(
            f"crs {shown!r} is not an EPSG code (e.g. EPSG:9213 for Bắc Kạn, EPSG:9215 for Lạng Sơn) "
            "or a VN-2000 CRS name (e.g. 'VN-2000 / TM-3 106-30'); PROJ strings and WKT are not accepted"
        )
    try:
        crs = pyproj.CRS.from_epsg(code)
    except pyproj.exceptions.CRSError:
        raise CRSError(f"crs EPSG:{code} is not in the EPSG database") from None
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if not crs.is_projected or unit not in ("metre", "meter"):
        raise CRSError(f"crs EPSG:{code} ({crs.name}) is not a projected CRS in metres; growth is measured in metres")
    return f"EPSG:{code}"


def _fold_crs_name(text: str) -> str:
    from geozones.schema import ascii_name

    return re.sub(r"\s+", " ", ascii_name(text).strip().lower())


def metric_epsg(zones: gpd.GeoDataFrame) -> np.ndarray:
    """EPSG code of the working metric CRS for each zone, from its pre-2025 province.

    Zones without a known province get VN-2000 / UTM 48N (EPSG:3405).
    """
    column = "province_pre2025" if "province_pre2025" in zones.columns else "province"
    if column not in zones.columns:
        return np.full(len(zones), working_crs(zones).to_epsg())
    registry = tm3_registry()
    codes = zones[column].map(lambda p: registry.get(_fold(p), 3405) if isinstance(p, str) else 3405)
    return codes.to_numpy(dtype=int)


def working_crs(layer: gpd.GeoDataFrame) -> pyproj.CRS:
    """Choose one metric CRS for a whole layer.

    The smallest province-scale TM-3 zone whose area of use contains the layer, else
    VN-2000 / UTM 48N when the layer lies in its area of use, else the layer's UTM zone.
    """
    require_crs(layer)
    if layer.crs.is_projected and layer.crs.axis_info[0].unit_name in ("metre", "meter"):
        return layer.crs
    west, south, east, north = layer.to_crs(WGS84).total_bounds
    if not np.isfinite([west, south, east, north]).all():
        return VN2000_UTM48
    candidates = []
    for code in sorted(set(tm3_registry().values())):
        aou = pyproj.CRS.from_epsg(code).area_of_use
        if aou is None:
            continue
        province_scale = (aou.north - aou.south) <= 4 and (aou.east - aou.west) <= 4
        if province_scale and aou.west <= west and east <= aou.east and aou.south <= south and north <= aou.north:
            candidates.append(((aou.east - aou.west) * (aou.north - aou.south), code))
    if candidates:
        return pyproj.CRS.from_epsg(min(candidates)[1])
    aou = VN2000_UTM48.area_of_use
    if aou is not None and aou.west <= west and east <= aou.east and aou.south <= south and north <= aou.north:
        return VN2000_UTM48
    return layer.estimate_utm_crs()


def require_crs(layer: gpd.GeoDataFrame | gpd.GeoSeries, what: str = "layer") -> pyproj.CRS:
    """Return the layer's CRS or raise :class:`MissingCRSError`."""
    if layer.crs is None:
        raise MissingCRSError(f"the {what} has no CRS; set one (e.g. EPSG:4326, EPSG:9213, EPSG:9215)")
    return layer.crs


def require_metric(layer: gpd.GeoDataFrame | gpd.GeoSeries, what: str = "layer") -> pyproj.CRS:
    """Raise :class:`CRSError` unless the layer is in a projected CRS with metre units."""
    crs = require_crs(layer, what)
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if not crs.is_projected or unit not in ("metre", "meter"):
        raise CRSError(
            f"the {what} is in {crs.name!r} ({unit or 'no unit'}); project it to a metric CRS first "
            "(geozones.crs.to_metric)"
        )
    return crs


def to_metric(layer: gpd.GeoDataFrame, crs: pyproj.CRS | str | int | None = None) -> gpd.GeoDataFrame:
    """Project a layer to ``crs`` or to its :func:`working_crs`."""
    target = pyproj.CRS.from_user_input(crs) if crs is not None else working_crs(layer)
    return layer.to_crs(target)


def to_wgs84(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Project a layer to WGS84 lon/lat (EPSG:4326, traditional GIS axis order)."""
    require_crs(layer)
    return layer if layer.crs.equals(WGS84) else layer.to_crs(WGS84)


# --- reading custom definitions ------------------------------------------------------

_TOWGS84 = re.compile(r"TOWGS84\s*\[([^\]]+)\]", re.IGNORECASE)
_PROJ_TOWGS84 = re.compile(r"\+towgs84=([-0-9.eE,+]+)")
#: How GDAL and PROJ encode a ``TOWGS84`` in an ESRI datum name (ESRI WKT has no TOWGS84 node).
_ESRI_TOWGS84 = re.compile(r"_using_towgs84_([-0-9_]+)", re.IGNORECASE)
_HELMERT = re.compile(r"\+proj=helmert((?:\s+\+[a-z_]+=[^\s]+)+)")

#: Geographic EPSG code of each datum family geozones recognises.
DATUM_FAMILIES: dict[str, int] = {"VN-2000": 4756, "Hanoi 1972": 4147, "WGS 84": 4326}
#: Projected CRSs of those families that a custom definition can be recognised as.
_PROJECTED_PREFIXES = (
    "VN-2000 /",
    "Hanoi 1972 /",
    "WGS 84 / UTM zone 47N",
    "WGS 84 / UTM zone 48N",
    "WGS 84 / UTM zone 49N",
)
_DATUM_NAME_HINTS = (
    ("VN-2000", ("vietnam_2000", "vietnam 2000", "vn_2000", "vn-2000", "vn2000")),
    ("Hanoi 1972", ("hanoi",)),
    ("WGS 84", ("wgs_1984", "wgs 1984", "wgs 84", "wgs84", "world geodetic system 1984")),
)


@lru_cache(maxsize=64)
def _cached_transformer(source: str, target: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(
        pyproj.CRS.from_user_input(source), pyproj.CRS.from_user_input(target), always_xy=True
    )


def transformer(source: pyproj.CRS | str | int, target: pyproj.CRS | str | int) -> pyproj.Transformer:
    """A cached GIS-order (x/y, lon/lat) transformer between two CRSs (the one helper everything uses).

    Parameters
    ----------
    source, target : pyproj.CRS, str or int
        Anything :meth:`pyproj.CRS.from_user_input` reads (a CRS object is keyed by its WKT).
    """

    def key(crs) -> str:
        return crs.to_wkt() if isinstance(crs, pyproj.CRS) else str(pyproj.CRS.from_user_input(crs).to_wkt())

    return _cached_transformer(key(source), key(target))


def reproject_geometry(geometry, source: pyproj.CRS | str | int, target: pyproj.CRS | str | int):
    """One geometry (or an array of them) from ``source`` to ``target``, in GIS x/y order.

    Returns the input unchanged when both CRSs are the same.
    """
    source_crs, target_crs = pyproj.CRS.from_user_input(source), pyproj.CRS.from_user_input(target)
    if source_crs.equals(target_crs):
        return geometry
    project = transformer(source_crs, target_crs)
    return shapely.transform(geometry, lambda xy: np.column_stack(project.transform(xy[:, 0], xy[:, 1])))


def _towgs84_of(text: str) -> tuple[float, ...] | None:
    match = _TOWGS84.search(text) or _PROJ_TOWGS84.search(text)
    if not match:
        return None
    try:
        values = tuple(float(v) for v in match.group(1).split(","))
    except ValueError:
        return None
    if len(values) == 3:
        values = values + (0.0, 0.0, 0.0, 0.0)
    return values if len(values) == 7 else None


def esri_towgs84_readings(text: str) -> list[tuple[float, ...]]:
    """Every 3- or 7-parameter reading of an ESRI datum name ``..._using_towgs84_-191_90441429_...``.

    The encoding writes both the decimal point and the separator as ``_``, so a name can
    have several readings; the caller compares them with known shifts.
    """
    match = _ESRI_TOWGS84.search(text)
    if not match:
        return []
    tokens = [t for t in match.group(1).strip("_").split("_") if t]
    readings: list[tuple[float, ...]] = []

    def walk(position: int, values: list[str]) -> None:
        if len(readings) > 64 or len(values) > 7:
            return
        if position == len(tokens):
            if len(values) in (3, 7):
                numbers = tuple(float(v) for v in values)
                readings.append(numbers + (0.0,) * (7 - len(numbers)))
            return
        token = tokens[position]
        walk(position + 1, values + [token])  # a new value
        if values and "." not in values[-1] and not token.startswith("-") and token.isdigit():
            walk(position + 1, values[:-1] + [values[-1] + "." + token])  # the fraction of the last one

    walk(0, [])
    return readings


def _close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(abs(x - y) <= max(1e-6, 1e-6 * abs(y)) for x, y in zip(a, b))


@lru_cache(maxsize=1)
def known_shifts() -> dict[str, tuple[tuple[str, tuple[float, ...]], ...]]:
    """The ``TOWGS84`` shifts (position-vector convention) of each datum family's EPSG transformations.

    Read from the Helmert steps of pyproj's EPSG transformations to WGS 84, e.g.
    ``"VN-2000 to WGS 84 (2)"`` (EPSG:6960, Decision 05/2007/QĐ-BTNMT).
    """
    from pyproj.transformer import TransformerGroup

    shifts: dict[str, list[tuple[str, tuple[float, ...]]]] = {}
    for family, code in DATUM_FAMILIES.items():
        if code == 4326:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            group = TransformerGroup(code, 4326)
        for transformer in group.transformers:
            match = _HELMERT.search(transformer.to_proj4() or "")
            if not match:
                continue
            params = dict(p.split("=", 1) for p in match.group(1).split())
            values = [float(params.get(k, 0.0)) for k in ("+x", "+y", "+z", "+rx", "+ry", "+rz", "+s")]
            if params.get("+convention") == "coordinate_frame":
                values[3:6] = [-v for v in values[3:6]]
            shifts.setdefault(family, []).append((transformer.description, tuple(values)))
    return {family: tuple(entries) for family, entries in shifts.items()}


def _family_of_shift(towgs84: tuple[float, ...]) -> tuple[str, str, bool] | None:
    """(family, transformation name, raw signs?) for a known shift, else None."""
    if all(v == 0 for v in towgs84):
        return ("WGS 84", "no shift", False)
    for family, entries in known_shifts().items():
        for name, values in entries:
            if _close(towgs84, values):
                return (family, name, False)
            flipped = values[:3] + tuple(-r for r in values[3:6]) + values[6:]
            if any(values[3:6]) and _close(towgs84, flipped):
                return (family, name, True)
    return None


def _family_of_name(crs: pyproj.CRS) -> str | None:
    datum = crs.datum.name.lower() if crs.datum is not None else ""
    if "unknown" in datum or "based on" in datum or "based_on" in datum:
        return None  # "Unknown based on WGS 84 ellipsoid": an ellipsoid, not a datum
    for family, hints in _DATUM_NAME_HINTS:
        if any(h in datum for h in hints):
            return family
    return None


def _ellipsoid(crs: pyproj.CRS) -> tuple[float, float] | None:
    ellipsoid = crs.ellipsoid
    if ellipsoid is None:
        return None
    return (round(ellipsoid.semi_major_metre, 3), round(ellipsoid.inverse_flattening, 6))


@lru_cache(maxsize=1)
def _projected_candidates() -> tuple[tuple[int, str, tuple[float, float], tuple[float, ...]], ...]:
    out = []
    for info in query_crs_info(auth_name="EPSG", pj_types=PJType.PROJECTED_CRS):
        if info.deprecated or not info.name.startswith(_PROJECTED_PREFIXES):
            continue
        candidate = pyproj.CRS.from_epsg(int(info.code))
        params, ellipsoid = _tm_params(candidate), _ellipsoid(candidate)
        family = next(f for f in DATUM_FAMILIES if info.name.startswith(f))
        if params is not None and ellipsoid is not None:
            out.append((int(info.code), family, ellipsoid, params))
    return tuple(out)


def _tm_params(crs: pyproj.CRS) -> tuple[float, ...] | None:
    if crs.is_bound and crs.source_crs is not None:
        crs = crs.source_crs
    conversion = crs.coordinate_operation
    if conversion is None or "Transverse Mercator" not in conversion.method_name:
        return None
    values = {p.name: p.value for p in conversion.params}
    keys = (
        "Latitude of natural origin",
        "Longitude of natural origin",
        "Scale factor at natural origin",
        "False easting",
        "False northing",
    )
    if not all(k in values for k in keys):
        return None
    unit = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    if unit != 1.0:
        return None  # a TM in feet is not one of ours
    return tuple(float(values[k]) for k in keys)


def _matching_epsg(crs: pyproj.CRS, family: str) -> int | None:
    """EPSG code of the ``family`` CRS with the same ellipsoid and projection parameters as ``crs``."""
    base = crs.source_crs if crs.is_bound and crs.source_crs is not None else crs
    ellipsoid = _ellipsoid(base)
    if base.is_geographic:
        code = DATUM_FAMILIES[family]
        axes = base.axis_info
        axis = axes[0].unit_name.lower() if axes else ""
        return code if axis == "degree" and ellipsoid == _ellipsoid(pyproj.CRS.from_epsg(code)) else None
    params = _tm_params(base)
    if params is None:
        return None
    for code, candidate_family, candidate_ellipsoid, candidate_params in _projected_candidates():
        if (
            candidate_family == family
            and candidate_ellipsoid == ellipsoid
            and np.allclose(candidate_params, params, rtol=0, atol=1e-7)
        ):
            return code
    return None


@dataclass(frozen=True)
class CRSReading:
    """What :func:`recognize_crs` made of a CRS definition.

    Attributes
    ----------
    crs : pyproj.CRS
        The CRS to use: the EPSG CRS when the definition is one, else the definition itself.
    epsg : int or None
        The EPSG code, when recognised.
    how : str
        ``"epsg"`` (carries or is identified as an EPSG code), ``"towgs84"`` (recognised from
        its datum shift and projection parameters), ``"datum name"`` (from its datum name and
        parameters) or ``"unrecognised"``.
    warning : str or None
        Something the user should know (raw-sign rotations, a VN-2000 grid on the WGS 84 datum).
    """

    crs: pyproj.CRS
    epsg: int | None
    how: str
    warning: str | None = None

    def describe(self) -> str:
        """One line for messages: ``EPSG:9213 (VN-2000 / TM-3 106-30)``."""
        if self.epsg is not None:
            return f"EPSG:{self.epsg} ({self.crs.name})"
        return f"an unrecognised CRS ({self.crs.name})"


def recognize_crs(crs: pyproj.CRS | str | int) -> CRSReading:
    """Recognise a CRS definition as its EPSG code when it is one.

    Handles every VN-2000 form met in the wild: OGC WKT1 and WKT2 with ``TOWGS84``, PROJ
    strings with ``+towgs84`` (official or raw-sign rotations), and ESRI WKT1 in which GDAL
    and ArcGIS encode the shift in the datum name
    (``D_Unknown_based_on_WGS_84_ellipsoid_using_towgs84_-191_90441429_...``); likewise
    Hà Nội 1972 (Gauss-Krüger) and WGS 84 / UTM definitions.

    Parameters
    ----------
    crs : pyproj.CRS, str or int
        Anything :meth:`pyproj.CRS.from_user_input` reads (WKT, PROJ string, ``EPSG:n``).

    Returns
    -------
    CRSReading

    Raises
    ------
    CRSError
        When the text is not a CRS definition.
    """
    given = crs if isinstance(crs, str) else ""
    try:
        crs = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise CRSError(f"not a CRS definition: {exc}") from exc
    code = crs.to_epsg(min_confidence=100)
    if code is not None:
        return CRSReading(pyproj.CRS.from_epsg(code), code, "epsg")
    # the shift as written (PROJ may rewrite the rotation signs of a WKT1 TOWGS84 on export)
    towgs84 = _towgs84_of(given) or _towgs84_of(crs.to_wkt("WKT1_GDAL") or "")
    readings = [towgs84] if towgs84 is not None else esri_towgs84_readings(crs.datum.name if crs.datum else given)
    for reading in readings:
        found = _family_of_shift(reading)
        if found is None:
            continue
        family, transformation, raw = found
        code = _matching_epsg(crs, family)
        if code is None:
            continue
        warning: str | None = None
        if raw:
            warning = (
                f"the {family} definition uses the raw rotation signs of {transformation} in its TOWGS84 "
                f"(about 0.8 m off near Bắc Kạn); read as EPSG:{code} with the official shift"
            )
        return CRSReading(pyproj.CRS.from_epsg(code), code, "towgs84", warning)
    if not readings:
        named = _family_of_name(crs)
        if named is not None:
            code = _matching_epsg(crs, named)
            if code is not None:
                return CRSReading(pyproj.CRS.from_epsg(code), code, "datum name")
        identified = crs.to_epsg(min_confidence=70)
        if (
            identified is not None
            and _same_definition(crs, pyproj.CRS.from_epsg(identified))
            and (_datum_key(crs) == _datum_key(pyproj.CRS.from_epsg(identified)))
        ):
            return CRSReading(pyproj.CRS.from_epsg(identified), identified, "epsg")
    warning = None
    if _tm_params(crs) is not None and _matching_epsg(crs, "VN-2000") is not None and not readings:
        vn = _matching_epsg(crs, "VN-2000")
        warning = (
            f"the definition has the projection of EPSG:{vn} but no VN-2000 datum or shift; read as "
            f"given (about 100 m off if the data is VN-2000: then give --crs EPSG:{vn})"
        )
    return CRSReading(crs, None, "unrecognised", warning)


def _datum_key(crs: pyproj.CRS) -> str:
    name = crs.datum.name if crs.datum is not None else ""
    return re.sub(r"[^a-z0-9]", "", name.lower().removeprefix("d_"))


def _same_definition(crs: pyproj.CRS, candidate: pyproj.CRS) -> bool:
    if crs.is_projected != candidate.is_projected or _ellipsoid(crs) != _ellipsoid(candidate):
        return False
    if crs.is_projected:
        mine, theirs = _tm_params(crs), _tm_params(candidate)
        if mine is None or theirs is None:
            return crs.equals(candidate, ignore_axis_order=True)
        return bool(np.allclose(mine, theirs, rtol=0, atol=1e-7))
    return True


def read_prj(text: str, name: str = ".prj") -> CRSReading:
    """Recognise the CRS in the text of a ``.prj`` file (WKT1, ESRI WKT, WKT2 or a PROJ string).

    Raises
    ------
    CRSError
        Naming ``name`` when the text is empty or not a CRS definition.
    """
    text = text.strip().lstrip("\ufeff")
    if not text:
        raise CRSError(f"{name} is empty; give the CRS (crs=..., CLI --crs)")
    try:
        return recognize_crs(text)
    except CRSError as exc:
        raise CRSError(
            f"{name} holds no CRS definition geozones can read ({text[:60]!r}...); give the CRS (crs=..., CLI --crs)"
        ) from exc


def normalize_crs(crs: pyproj.CRS | str | int | None) -> pyproj.CRS | None:
    """Recognise custom VN-2000 (and Hà Nội 1972, WGS 84) definitions and return their EPSG equivalent.

    See :func:`recognize_crs`. Issues a :class:`VN2000DefinitionWarning` for definitions
    the user should hear about (raw-sign rotations, about 0.8 m error near Bắc Kạn).
    Unrecognised definitions are returned unchanged.
    """
    if crs is None:
        return None
    reading = recognize_crs(crs)
    if reading.warning:
        warnings.warn(reading.warning, VN2000DefinitionWarning, stacklevel=2)
    return reading.crs


def area_of_use(crs: pyproj.CRS) -> tuple[float, float, float, float, str] | None:
    """(west, south, east, north, name) in degrees where ``crs`` can hold coordinates.

    The EPSG area of use when the CRS has one; for an unrecognised Transverse Mercator
    definition, the band 3° either side of its central meridian (a Gauss-Krüger zone is 6°
    wide, a TM-3 zone 3°); for other projections, the geodetic range (the whole world).
    """
    aou = crs.area_of_use
    if aou is not None:
        return (aou.west, aou.south, aou.east, aou.north, aou.name)
    params = _tm_params(crs)
    if params is not None:
        lon0 = params[1]
        return (lon0 - 3.0, -80.0, lon0 + 3.0, 84.0, f"3° either side of the central meridian {lon0:g}°E")
    if crs.is_projected or crs.is_geographic:
        return (-180.0, -90.0, 180.0, 90.0, "the world")
    return None


# --- axis order and range checks -----------------------------------------------------


def swap_xy(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy with x and y exchanged in every geometry."""
    out = layer.copy()
    out.geometry = shapely.transform(layer.geometry.array, lambda xy: xy[:, ::-1])
    return out


def _lonlat_sample(layer: gpd.GeoDataFrame, swapped: bool, limit: int = 2000) -> np.ndarray:
    geoms = layer.geometry.array
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0:
        return np.empty((0, 2))
    coords = shapely.get_coordinates(geoms)
    if len(coords) > limit:
        coords = coords[np.linspace(0, len(coords) - 1, limit).astype(int)]
    if swapped:
        coords = coords[:, ::-1]
    transformer = pyproj.Transformer.from_crs(layer.crs, CRS84, always_xy=True)
    lon, lat = transformer.transform(coords[:, 0], coords[:, 1], errcheck=False)
    return np.column_stack([lon, lat])


def _inside(lonlat: np.ndarray, aou: tuple, margin: float) -> np.ndarray:
    lon, lat = lonlat[:, 0], lonlat[:, 1]
    west, south, east, north = aou[:4]
    return (
        np.isfinite(lon)
        & np.isfinite(lat)
        & (west - margin <= lon)
        & (lon <= east + margin)
        & (south - margin <= lat)
        & (lat <= north + margin)
    )


def check_coordinates(layer: gpd.GeoDataFrame, margin_deg: float = 1.0) -> None:
    """Check that coordinates lie in the area of use of the layer's CRS.

    Raises
    ------
    AxisOrderError
        When they do not but would with x and y exchanged: lat/lon given as lon/lat,
        or a survey sheet's X (northing) / Y (easting) read in GIS order.
        Fix with ``swap_xy=True`` when reading.
    CRSError
        When they lie outside the CRS's area of use either way: probably the wrong CRS.
    """
    crs = require_crs(layer)
    aou = area_of_use(crs)
    if aou is None:
        return
    direct = _lonlat_sample(layer, swapped=False)
    if len(direct) == 0 or _inside(direct, aou, margin_deg).all():
        return
    swapped = _lonlat_sample(layer, swapped=True)
    code = crs.to_epsg(min_confidence=100)
    name = f"EPSG:{code}" if code is not None else f"the CRS {crs.name!r}"
    if _inside(swapped, aou, margin_deg).all():
        if crs.is_geographic:
            detail = "the coordinates look like latitude/longitude in the longitude/latitude order"
        else:
            detail = "the coordinates look like X = northing, Y = easting (survey-sheet order)"
        raise AxisOrderError(f"{detail} for {name}; read again with swap_xy=True (CLI: --swap-xy)")
    lon, lat = direct[:, 0], direct[:, 1]
    raise CRSError(
        f"coordinates fall outside the area of use of {name} ({aou[4]}: lon {aou[0]:g}..{aou[2]:g}, "
        f"lat {aou[1]:g}..{aou[3]:g}); first point reads as lon {lon[0]:.4f}, lat {lat[0]:.4f}. "
        "Is the CRS right? Give the correct one with crs=... (CLI: --crs)"
    )
