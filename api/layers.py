"""Collections served by the API: every geometry layer of the store, prepared once per store version.

A :class:`Layer` holds the stored GeoDataFrame plus what requests need over and over: the item
ids, JSON-ready attribute records, the spatial index, the queryables and the extent. The
:class:`Catalog` rebuilds a layer only when ``store.version()`` changes, so requests never
re-read the store file and filtering/paging work on memory.
"""

from __future__ import annotations

import datetime as _dt
import math
import threading
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from fastapi import Request

from geozones.api import crs as _crs
from geozones.api.errors import NotFound
from geozones.schema import FIELDS_BY_NAME
from geozones.store import ZoneStore

#: Layer name -> (title, description). Names not listed get a title from their name.
REGISTRY: dict[str, tuple[str, str]] = {
    "zones": (
        "Industrial zones (KCN, CCN, KCX)",
        "Industrial parks (KCN), industrial clusters (CCN) and the export processing zone (KCX) of Bắc Kạn "
        "(merged into Thái Nguyên on 1 July 2025) and Lạng Sơn. Each zone cites its sources; where "
        "geometry_quality is 'approximate' the outline is schematic (see location_basis).",
    ),
    "boundaries_provinces": (
        "Provinces before 1 July 2025",
        "Bắc Kạn, Thái Nguyên and Lạng Sơn as they were until 30 June 2025 (Open Development "
        "Vietnam / Department of Survey and Mapping, CC BY-SA 4.0), with GSO codes, post-reform "
        "names and codes, and areas measured in the provincial VN-2000 TM-3 CRS.",
    ),
    "boundaries_provinces_2025": (
        "Provinces from 1 July 2025",
        "Thái Nguyên (including former Bắc Kạn) and Lạng Sơn in the 34-province system "
        "(Resolution 202/2025/QH15); CC BY-SA 4.0.",
    ),
    "boundaries_districts": (
        "Districts (pre-2025)",
        "The 28 district-level units of the three provinces before the 2025 reform (the level "
        "was abolished on 1 July 2025), with GSO codes; CC BY-SA 4.0. Some differ from the "
        "published district areas by up to ~9 %.",
    ),
    "logistics_isochrones": (
        "Drive-time isochrones (15/30/45/60 min)",
        "Areas reachable from each zone within 15, 30, 45 and 60 minutes by car and by container truck "
        "on the corridor roads (a model: assumed speeds per road class, straight access legs at 15 km/h; "
        "see the 'model' and 'method' columns). Written by `geozones logistics refresh` for the zones the "
        "store held then; /logistics/isochrones always answers for the current zones.",
    ),
    "infrastructure_corridor_roads": (
        "Corridor roads (to Hà Nội, Hải Phòng, Quảng Ninh)",
        "National and provincial roads of the corridor from Lạng Sơn and Thái Nguyên to Hà Nội, Bắc Ninh, "
        "Bắc Giang, Hải Phòng and Quảng Ninh (CTU-SematX/LegoCity, CC BY-SA 4.0 provisional). No expressway: "
        "none is in the source.",
    ),
    "infrastructure_logistics_destinations": (
        "Logistics destinations",
        "Hà Nội centre, Nội Bài airport, the Lạng Sơn border gates with a published coordinate, Đồng Đăng "
        "station and the provincial cities, each with its cited source. Seaports and Chi Ma: no published "
        "coordinate found.",
    ),
    "boundaries_population_districts": (
        "District population (2009 census)",
        "District-level units of the 18 provinces around the corridor with their 2009 census population "
        "(Open Development Vietnam, CC BY-SA 4.0): the base of the labour catchment.",
    ),
}

#: Licence and attribution of layers that carry no ``licence`` / ``attribution`` columns.
PROJECT_LICENSE = "geozones compilation: figures cited per feature (seed articles, facts.md); see data/LICENSE"
PROJECT_ATTRIBUTION = "geozones (sources cited per feature in 'sources')"
LICENSE_URLS = {
    "CC BY-SA 4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    # OpenStreetMap data written by `geozones data fetch` (licence column "ODbL-1.0")
    "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
}

#: Prefixes of store layers that are collections (tables ``table_*`` are not).
COLLECTION_PREFIXES = ("zones", "boundaries_", "infrastructure_", "scenario_", "logistics_")

#: The temporal property of a layer, when it has one.
TEMPORAL_PROPERTIES = ("decision_date",)


def title_for(name: str) -> tuple[str, str]:
    """Title and description of a collection."""
    if name in REGISTRY:
        return REGISTRY[name]
    for prefix, label in (
        ("infrastructure_", "Infrastructure"),
        ("boundaries_", "Boundaries"),
        ("scenario_", "Scenario"),
    ):
        if name.startswith(prefix):
            stem = name.removeprefix(prefix).replace("_", " ")
            what = "saved scenario result" if prefix == "scenario_" else label.lower() + " layer"
            return f"{label}: {stem}", f"The {what} '{name.removeprefix(prefix)}' of the geozones store."
    return name.replace("_", " ").capitalize(), f"The store layer '{name}'."


def is_collection(name: str) -> bool:
    """Whether a store layer name is served as a collection (geometry layers, not tables)."""
    return name == "zones" or (name.startswith(COLLECTION_PREFIXES) and not name.startswith("table_"))


def _json_column(series: pd.Series) -> list:
    """A column as JSON-ready Python values (None for missing, ISO text for dates)."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return [
            None if pd.isna(v) else (v.date().isoformat() if v == v.normalize() and v.tzinfo is None else v.isoformat())
            for v in series
        ]
    values = series.astype(object).tolist()
    out = []
    for value in values:
        if value is None or value is pd.NA or value is pd.NaT:
            out.append(None)
        elif isinstance(value, float):
            out.append(None if math.isnan(value) or math.isinf(value) else value)
        elif isinstance(value, np.generic):
            item = value.item()
            out.append(None if isinstance(item, float) and not math.isfinite(item) else item)
        elif isinstance(value, (_dt.date, _dt.datetime)):
            out.append(value.isoformat())
        else:
            out.append(value)
    return out


def _schema_for(name: str, series: pd.Series, zone_layer: bool) -> dict:
    """JSON Schema of one queryable property."""
    spec = FIELDS_BY_NAME.get(name) if zone_layer else None
    schema: dict = {"title": name}
    if spec is not None:
        schema["type"] = {"str": "string", "float": "number", "int": "integer", "date": "string"}[spec.dtype]
        if spec.dtype == "date":
            schema["format"] = "date"
        if spec.choices:
            schema["enum"] = list(spec.choices)
        if spec.minimum is not None:
            schema["minimum"] = spec.minimum
        if spec.maximum is not None:
            schema["maximum"] = spec.maximum
        if spec.description:
            schema["description"] = spec.description
        return schema
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        schema["type"] = "boolean"
    elif pd.api.types.is_integer_dtype(dtype):
        schema["type"] = "integer"
    elif pd.api.types.is_float_dtype(dtype):
        schema["type"] = "number"
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        schema.update(type="string", format="date-time")
    else:
        sample = series.dropna()
        if len(sample) and all(isinstance(v, _dt.date) for v in sample.iloc[:50]):
            schema.update(type="string", format="date")
        else:
            schema["type"] = "string"
    return schema


def _temporal_values(series: pd.Series) -> pd.Series:
    """The temporal property as UTC timestamps (NaT where empty)."""
    return pd.to_datetime(series.astype(object).where(series.notna(), None), errors="coerce", utc=True)


def _distinct(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame.columns:
        return []
    return list(dict.fromkeys(str(v).strip() for v in frame[column].dropna() if str(v).strip()))


def _licensing(frame: pd.DataFrame) -> tuple[str, str]:
    """A layer's licence and attribution, from its ``licence`` / ``attribution`` columns (CC BY-SA travels)."""
    licences, lines = _distinct(frame, "licence"), _distinct(frame, "attribution")
    return ("; ".join(licences) or PROJECT_LICENSE), (" ".join(lines) or PROJECT_ATTRIBUTION)


@dataclass
class Layer:
    """One collection: its frame in the storage CRS and everything derived from it."""

    name: str
    frame: gpd.GeoDataFrame
    version: str
    title: str = ""
    description: str = ""
    id_column: str | None = None
    columns: list[str] = field(default_factory=list)
    license: str = ""
    attribution: str = ""

    def __post_init__(self) -> None:
        self.title, self.description = title_for(self.name)
        self.license, self.attribution = _licensing(self.frame)
        self.columns = [c for c in self.frame.columns if c != self.frame.geometry.name]
        ids = self.frame["id"] if "id" in self.frame.columns else None
        if ids is not None and ids.notna().all() and ids.is_unique:
            self.id_column = "id"

    @property
    def license_url(self) -> str | None:
        """The licence's URL when the whole layer is under one known licence (e.g. CC BY-SA 4.0)."""
        return next((url for name, url in LICENSE_URLS.items() if self.license.startswith(name)), None)

    @property
    def storage_crs(self) -> pyproj.CRS:
        return self.frame.crs

    @property
    def storage_crs_uri(self) -> str | None:
        return _crs.crs_uri(self.storage_crs)

    def __len__(self) -> int:
        return len(self.frame)

    @cached_property
    def ids(self) -> list:
        """Item ids in row order: the ``id`` attribute, or the feature number (GPKG fid, from 1)."""
        if self.id_column:
            return [str(v) for v in self.frame[self.id_column]]
        return list(range(1, len(self.frame) + 1))

    @cached_property
    def positions(self) -> dict:
        """Item id (as text) -> row position."""
        return {str(i): p for p, i in enumerate(self.ids)}

    def position(self, fid: str) -> int:
        """Row position of an item, or :class:`NotFound`."""
        try:
            return self.positions[str(fid)]
        except KeyError:
            raise NotFound(f"no item {fid!r} in collection {self.name!r}") from None

    @cached_property
    def records(self) -> list[dict]:
        """JSON-ready attribute records, one per row."""
        columns = {c: _json_column(self.frame[c]) for c in self.columns}
        return (
            [dict(zip(columns, row)) for row in zip(*columns.values())] if columns else [{} for _ in range(len(self))]
        )

    @cached_property
    def geometries(self) -> np.ndarray:
        return np.asarray(self.frame.geometry.array, dtype=object)

    @cached_property
    def sindex(self):
        return self.frame.sindex

    @cached_property
    def temporal(self) -> str | None:
        """The property ``datetime`` filters on, if the layer has one."""
        return next((c for c in TEMPORAL_PROPERTIES if c in self.columns), None)

    @cached_property
    def temporal_values(self) -> pd.Series | None:
        return _temporal_values(self.frame[self.temporal]) if self.temporal else None

    @cached_property
    def queryables(self) -> dict[str, dict]:
        """Property name -> JSON Schema, for every attribute."""
        zone_layer = self.name == "zones" or self.name.startswith("scenario_")
        out = {name: _schema_for(name, self.frame[name], zone_layer) for name in self.columns}
        if self.temporal:
            out[self.temporal]["x-ogc-role"] = "primary-instant"
        return out

    @cached_property
    def geometry_types(self) -> list[str]:
        present = self.geometries[~shapely.is_missing(self.geometries)]
        return sorted({g.geom_type for g in present})

    @cached_property
    def bbox(self) -> list[float] | None:
        """Spatial extent in CRS84."""
        present = self.geometries[~(shapely.is_missing(self.geometries) | shapely.is_empty(self.geometries))]
        if len(present) == 0:
            return None
        return _crs.bbox_out(tuple(shapely.total_bounds(present)), self.storage_crs)

    @cached_property
    def interval(self) -> list | None:
        """Temporal extent [[start, end]] (ISO text) of the temporal property."""
        if not self.temporal:
            return None
        values = self.temporal_values.dropna()
        if values.empty:
            return [[None, None]]
        return [[values.min().strftime("%Y-%m-%dT%H:%M:%SZ"), values.max().strftime("%Y-%m-%dT%H:%M:%SZ")]]

    def stored_properties(self, position: int) -> dict:
        """One row's attributes as stored (for :func:`api.etag.record_etag`)."""
        return {c: self.frame[c].iloc[position] for c in self.columns}


class Catalog:
    """The store's collections, rebuilt when the store's version changes."""

    def __init__(self, store: ZoneStore):
        self.store = store
        self._lock = threading.Lock()
        self._version: str | None = None
        self._names: list[str] = []
        self._layers: dict[str, Layer] = {}

    def _refresh(self) -> str:
        version = self.store.version()
        if version != self._version:
            with self._lock:
                if version != self._version:
                    self._layers = {}
                    self._names = [n for n in self.store.layers() if is_collection(n)]
                    self._version = version
        return version

    def version(self) -> str:
        """The store version the collections follow (cheap: the store caches it)."""
        return self._refresh()

    def names(self) -> list[str]:
        """Collection ids: zones first, then the other layers in store order."""
        self._refresh()
        names = [n for n in self._names if self._load(n) is not None]
        return sorted(names, key=lambda n: (n != "zones", n))

    def _load(self, name: str) -> Layer | None:
        layer = self._layers.get(name)
        if layer is not None:
            return layer
        with self._lock:
            layer = self._layers.get(name)
            if layer is None:
                frame = self.store.layer(name)
                if not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None:
                    return None
                layer = Layer(name, frame, self._version or "")
                self._layers[name] = layer
        return layer

    def get(self, name: str) -> Layer:
        """The collection ``name`` or :class:`NotFound`."""
        self._refresh()
        if name not in self._names:
            raise NotFound(f"no collection {name!r}; collections: {', '.join(self.names())}")
        layer = self._load(name)
        if layer is None:
            raise NotFound(f"{name!r} is a table, not a feature collection")
        return layer


def get_catalog(request: Request) -> Catalog:
    """The app's catalog of collections (a FastAPI dependency), made on first use for the app's store."""
    state = request.app.state
    catalog = getattr(state, "catalog", None)
    if catalog is None or catalog.store is not state.store:
        with _CATALOG_LOCK:
            catalog = getattr(state, "catalog", None)
            if catalog is None or catalog.store is not state.store:
                catalog = Catalog(state.store)
                state.catalog = catalog
    return catalog


_CATALOG_LOCK = threading.Lock()
