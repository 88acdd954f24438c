"""Writing fetched layers, the DEM and the table of sources into a store."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geozones.errors import (
    InvalidParameterError,
)
from geozones.io.fetch.area import Area
from geozones.io.fetch.dem import DemResult, fetch_dem
from geozones.io.fetch.overpass import fetch_osm
from geozones.io.fetch.settings import (
    DEM_ATTRIBUTION,
    DEM_LICENCE,
    DEM_LICENCE_URL,
    HIGHWAY_CLASSES,
    LAYERS,
    OSM_ATTRIBUTION,
    OSM_LICENCE,
    OSM_LICENCE_URL,
    FetchSettings,
)
from geozones.io.infrastructure import INFRASTRUCTURE_LAYERS

# --- writing into a store ---------------------------------------------------------------------

#: Table layer listing what was fetched, from where, under which licence.
SOURCES_TABLE = "table_fetched_sources"


def sources_rows(
    area: Area,
    frames: Mapping[str, gpd.GeoDataFrame],
    dem: DemResult | None,
    settings: FetchSettings,
    layer_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per written layer / DEM file: name, kind, source URL, licence, attribution, box, CRS, time."""
    names = {**LAYERS, **(layer_names or {})}
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    box = ",".join(f"{v:.7f}" for v in area.bbox)
    rows = [
        {
            "layer": names[name],
            "kind": "vector",
            "path": None,
            "features": str(len(frame)),
            "source": settings.overpass_url,
            "licence": f"{OSM_LICENCE} ({OSM_LICENCE_URL})",
            "attribution": OSM_ATTRIBUTION,
            "area": area.name or "",
            "bbox_wgs84": box,
            "crs": f"EPSG:{area.crs.to_epsg()}",
            "fetched_at": now,
        }
        for name, frame in frames.items()
    ]
    if dem is not None:
        rows.append(
            {
                "layer": f"dem_{area.slug}",
                "kind": "raster",
                "path": str(dem.path),
                "features": f"{dem.shape[0]}x{dem.shape[1]} cells of {dem.resolution:g} m",
                "source": settings.dem_url,
                "licence": f"{DEM_LICENCE} ({DEM_LICENCE_URL})",
                "attribution": DEM_ATTRIBUTION,
                "area": area.name or "",
                "bbox_wgs84": box,
                "crs": f"EPSG:{area.crs.to_epsg()}",
                "fetched_at": now,
            }
        )
    return pd.DataFrame(rows, dtype=object)


#: Fetched layer -> the infrastructure layer the proximity code reads (``as_infrastructure=True``).
INFRASTRUCTURE_TARGETS: dict[str, str] = {name: INFRASTRUCTURE_LAYERS[name] for name in ("roads", "power")}


@dataclass
class FetchReport:
    """What :func:`fetch_into_store` wrote.

    Attributes
    ----------
    area : Area
    layers : dict
        Store layer name -> number of features written.
    empty : list of str
        Requested layers OpenStreetMap has nothing for in the area (not written).
    dem : DemResult or None
    """

    area: Area
    layers: dict[str, int] = field(default_factory=dict)
    empty: list[str] = field(default_factory=list)
    dem: DemResult | None = None


def default_dem_path(store, area: Area) -> Path:
    """``<store folder>/<store name>_dem_<area>.tif`` next to a GeoPackage store, else in the working folder."""
    base = getattr(store, "path", None)
    if base is not None:
        base = Path(base)
        return base.with_name(f"{base.stem}_dem_{area.slug}.tif")
    return Path.cwd() / f"geozones_dem_{area.slug}.tif"


def fetch_into_store(
    store,
    area: Area,
    layers: Sequence[str] = tuple(LAYERS),
    *,
    dem: bool = False,
    dem_path: str | os.PathLike | None = None,
    resolution: float = 30.0,
    as_infrastructure: bool = False,
    settings: FetchSettings | None = None,
    highway_classes: Sequence[str] = HIGHWAY_CLASSES,
) -> FetchReport:
    """Fetch OpenStreetMap layers (and optionally the DEM) for an area and write them into a store.

    Vector layers are written with ``store.write_layer`` as ``osm_roads``, ``osm_railways``,
    ``osm_rivers``, ``osm_power`` (and, with ``as_infrastructure``, also as
    ``infrastructure_roads`` / ``infrastructure_power``, replacing the shipped layers the
    proximity code reads). The DEM is written as a COG next to the store
    (:func:`default_dem_path`) for the slope code and scenario ``constraints.dem``. Every
    layer and the DEM file are listed, with source, licence and attribution, in the table
    :data:`SOURCES_TABLE`.

    Parameters
    ----------
    store : ZoneStore
    area : Area
        From :func:`area_from_bbox` or :func:`area_from_province`.
    layers : sequence of str
        Any of :data:`LAYERS`; empty to fetch only the DEM.
    dem : bool
        Also fetch the Copernicus GLO-30 DEM.

    Raises
    ------
    FetchError, AreaError
        See :func:`fetch_osm` and :func:`fetch_dem`. Nothing is written unless every fetch succeeded.
    """
    settings = settings or FetchSettings.from_env()
    if not layers and not dem:
        raise InvalidParameterError("nothing to fetch: give layers and/or dem=True")
    report = FetchReport(area)
    frames = fetch_osm(area, layers, settings=settings, highway_classes=highway_classes) if layers else {}
    report.empty = [name for name in layers if name not in frames]
    if dem:
        report.dem = fetch_dem(
            area, dem_path or default_dem_path(store, area), resolution=resolution, settings=settings
        )
    for name, frame in frames.items():
        targets = [LAYERS[name]] + (
            [INFRASTRUCTURE_TARGETS[name]] if as_infrastructure and name in INFRASTRUCTURE_TARGETS else []
        )
        for target in targets:
            store.write_layer(target, frame)
            report.layers[target] = len(frame)
    rows = sources_rows(area, frames, report.dem, settings)
    if as_infrastructure:
        extra = rows[rows["layer"].isin([LAYERS[n] for n in INFRASTRUCTURE_TARGETS])].copy()
        extra["layer"] = extra["layer"].map({LAYERS[n]: t for n, t in INFRASTRUCTURE_TARGETS.items()})
        rows = pd.concat([rows, extra], ignore_index=True)
    if SOURCES_TABLE in store.layers():
        old = pd.DataFrame(store.layer(SOURCES_TABLE))
        old = old[~old["layer"].isin(rows["layer"])] if "layer" in old.columns else old.iloc[0:0]
        rows = pd.concat([old, rows], ignore_index=True)
    store.write_layer(SOURCES_TABLE, rows.astype(object))
    return report
