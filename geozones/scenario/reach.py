"""Logistics reach of the store's zones: drive times, isochrones and labour catchments, per store version.

Reads the store's corridor network (``infrastructure_corridor_roads``), logistics destinations
(``infrastructure_logistics_destinations``) and district population (``boundaries_population_districts``),
runs :mod:`geozones.analysis.logistics` for whatever zones the store holds, and keeps the answer per
``store.version()`` (an edit recomputes it). :func:`write_isochrone_layer` saves the polygons as the
store layer ``logistics_isochrones`` (an OGC API collection).

May import: the core, the store and the analysis (a layer-3 module like the scenario runner).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import geopandas as gpd
import numpy as np
import pandas as pd

from geozones import crs as _crs
from geozones.analysis import logistics as _logistics
from geozones.analysis.proximity import measured_geometry
from geozones.errors import EmptyLayerError, WorkLimitError

ROADS = "infrastructure_corridor_roads"
DESTINATIONS = "infrastructure_logistics_destinations"
POPULATION = "boundaries_population_districts"
ISOCHRONE_LAYER = "logistics_isochrones"
#: Isochrones and catchments cost about 0.1 s a site: beyond this many zones they are computed one
#: zone at a time, on request (``/logistics/isochrones?zone_id=…``), never for the whole store at once.
MAX_ISOCHRONE_ZONES = 300
#: Store versions whose answers are kept (per process).
_CACHE_SIZE = 4
_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()


def _layer(store, name: str) -> gpd.GeoDataFrame | None:
    if name not in set(store.layers()):
        return None
    frame = store.layer(name)
    return frame if isinstance(frame, gpd.GeoDataFrame) and len(frame) and frame.crs is not None else None


def _cached(store, key: tuple, compute):
    version = getattr(store, "version", lambda: None)()
    full = (id(store) if version is None else version, *key)
    with _lock:
        if full in _cache:
            _cache.move_to_end(full)
            return _cache[full]
    value = compute()
    with _lock:
        _cache[full] = value
        while len(_cache) > _CACHE_SIZE * 8:
            _cache.popitem(last=False)
    return value


def _sites(store) -> gpd.GeoDataFrame:
    zones = store.zones()
    if zones.crs is None:
        zones = zones.set_crs(_crs.WGS84)
    geometry, how = measured_geometry(zones)
    sites = gpd.GeoDataFrame(
        {"id": zones["id"].to_numpy(), "measured_from": how.to_numpy()}, geometry=geometry.to_numpy(), crs=zones.crs
    )
    return sites


def _network(store, vehicle: str):
    roads = _layer(store, ROADS)
    if roads is None:
        raise EmptyLayerError(f"the store has no {ROADS} layer (refresh it: geozones store refresh)")

    def build():
        return _logistics.Network.build(roads.to_crs(_logistics.METRIC_EPSG), vehicle)

    return _cached(store, ("network", vehicle), build)


def zone_reach(store, vehicle: str = "car") -> pd.DataFrame:
    """One row per zone: access leg, far-from-roads flag, minutes to each destination and category,
    and the population within 30 and 60 minutes (``pop_30min``, ``pop_60min``, ``pop_year``).

    Indexed by zone id. Destinations without a coordinate are simply absent (see
    data/README-infrastructure.md).
    """

    def compute():
        network = _network(store, vehicle)
        destinations = _layer(store, DESTINATIONS)
        sites = _sites(store)
        if destinations is None:
            table = pd.DataFrame(index=sites.index)
        else:
            table = _logistics.drive_times(sites, None, destinations, vehicle=vehicle, network=network)
        table.insert(0, "measured_from", sites["measured_from"].to_numpy())
        for minutes in _logistics.CATCHMENT_MINUTES:
            table[f"pop_{minutes}min"] = np.nan
        table["pop_year"] = None
        population = _layer(store, POPULATION)
        table["pop_note"] = None
        if population is not None and len(sites) > MAX_ISOCHRONE_ZONES:
            table["pop_note"] = f"not computed for more than {MAX_ISOCHRONE_ZONES} zones at once"
        elif population is not None:
            iso = isochrone_frame(store, vehicle)
            catch = iso[iso["minutes"].isin([float(m) for m in _logistics.CATCHMENT_MINUTES])]
            if len(catch):
                counted = _logistics.catchment(catch.to_crs(_logistics.METRIC_EPSG), population)
                position = {z: i for i, z in enumerate(sites["id"])}
                for (_, row), (_, c) in zip(catch.iterrows(), counted.iterrows()):
                    i = position[row["zone_id"]]
                    table.iloc[i, table.columns.get_loc(f"pop_{int(row['minutes'])}min")] = c["population"]
                    table.iloc[i, table.columns.get_loc("pop_year")] = c["population_year"]
        table.index = pd.Index(sites["id"].to_numpy(), name="zone_id")
        return table

    return _cached(store, ("reach", vehicle), compute).copy()


def isochrone_frame(store, vehicle: str = "car", zone_id: str | None = None) -> gpd.GeoDataFrame:
    """15/30/45/60-minute polygons (WGS84) of every zone, or of one, computed for the store's current zones.

    Raises
    ------
    WorkLimitError
        For the whole store when it holds more than :data:`MAX_ISOCHRONE_ZONES` zones (ask one zone).
    """

    def compute():
        network = _network(store, vehicle)
        sites = _sites(store)
        if zone_id is not None:
            sites = sites[sites["id"] == zone_id]
        elif len(sites) > MAX_ISOCHRONE_ZONES:
            raise WorkLimitError(
                f"the store holds {len(sites)} zones: isochrones are computed for at most "
                f"{MAX_ISOCHRONE_ZONES} at once; ask for one zone (zone_id)"
            )
        iso = _logistics.isochrones(sites, None, vehicle=vehicle, network=network)
        return iso.to_crs(_crs.WGS84)

    return _cached(store, ("isochrones", vehicle, zone_id), compute).copy()


def write_isochrone_layer(store, vehicles: tuple[str, ...] = _logistics.VEHICLES) -> gpd.GeoDataFrame:
    """Save the isochrones of every vehicle as the store layer ``logistics_isochrones``."""
    frames = [isochrone_frame(store, v) for v in vehicles]
    layer = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=_crs.WGS84)
    layer.insert(
        0, "id", [f"{z}-{v}-{int(m)}" for z, v, m in zip(layer["zone_id"], layer["vehicle"], layer["minutes"])]
    )
    layer["model"] = [_logistics.model_note(v) for v in layer["vehicle"]]
    store.write_layer(ISOCHRONE_LAYER, layer)
    return layer


#: Categories the investor pages show, in order (seaports stay "no data" until one is located).
SITE_CATEGORIES = ("capital", "airport", "seaport", "border_gate", "railway_station")


def site_logistics(store) -> pd.DataFrame:
    """The investor-page logistics columns, indexed by zone id.

    ``minutes_<category>`` (car) and ``truck_minutes_<category>`` for :data:`SITE_CATEGORIES`
    (NaN: far from mapped roads, or no such destination in the data), ``nearest_<category>_name``,
    ``far_from_roads``, ``pop_30min``, ``pop_60min``, ``pop_year``. Empty (no columns) when the
    store lacks the corridor layers.
    """
    try:
        car, truck = zone_reach(store, "car"), zone_reach(store, "truck")
    except EmptyLayerError:
        return pd.DataFrame()
    destinations = _layer(store, DESTINATIONS)
    names = dict(zip(destinations["id"], destinations["name"])) if destinations is not None else {}
    out = pd.DataFrame(index=car.index)
    for category in SITE_CATEGORIES:
        column = f"min_to_{category}"
        out[f"minutes_{category}"] = car[column] if column in car.columns else np.nan
        out[f"truck_minutes_{category}"] = truck[column] if column in truck.columns else np.nan
        near = car[f"nearest_{category}"] if f"nearest_{category}" in car.columns else pd.Series(None, index=car.index)
        out[f"nearest_{category}_name"] = near.map(lambda i: names.get(i) if isinstance(i, str) else None)
    out["far_from_roads"] = car["far_from_roads"].astype(bool) if "far_from_roads" in car.columns else False
    for column in ("pop_30min", "pop_60min", "pop_year", "pop_note"):
        out[column] = car[column]
    return out


def add_logistics(table: pd.DataFrame, store) -> pd.DataFrame:
    """The site table with :func:`site_logistics` joined on its ``id`` column (unchanged if none)."""
    extra = site_logistics(store)
    if extra.empty or "id" not in table.columns:
        return table
    joined = table.join(extra, on="id")
    joined["far_from_roads"] = joined["far_from_roads"].astype("boolean").fillna(False).astype(bool)
    return joined


__all__ = [
    "ISOCHRONE_LAYER",
    "MAX_ISOCHRONE_ZONES",
    "SITE_CATEGORIES",
    "add_logistics",
    "isochrone_frame",
    "site_logistics",
    "write_isochrone_layer",
    "zone_reach",
]
