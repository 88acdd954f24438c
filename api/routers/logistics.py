"""Logistics reach (JSON / GeoJSON): drive times to Hà Nội, Nội Bài, the border gates; isochrones; catchments.

Computed by :mod:`geozones.scenario.reach` for the zones the store holds, once per store version,
through the analysis gate (bounded concurrency, cached). Every answer carries the drive-time model
(``model``: speeds, access speed, far-from-roads limit) because the minutes are a model, not data.
The isochrones are also a store layer (``logistics_isochrones``, an OGC collection) once written with
``geozones logistics refresh``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool

from geozones.api.dependencies import StoreDep
from geozones.api.errors import NotFound
from geozones.api.limits import AnalysisGate, get_gate
from geozones.api.serialize import ORJSONResponse, records

router = APIRouter(prefix="/logistics", tags=["logistics"], default_response_class=ORJSONResponse)

Vehicle = Annotated[Literal["car", "truck"], Query(description="car, or truck (a loaded container tractor-trailer)")]


def _model(vehicle: str) -> dict:
    from geozones.analysis import logistics

    return {
        "vehicle": vehicle,
        "note": logistics.model_note(vehicle),
        "speeds_kmh": logistics.VEHICLE_SPEEDS_KMH[vehicle],
        "access_speed_kmh": logistics.ACCESS_SPEED_KMH,
        "far_from_roads_m": logistics.FAR_FROM_ROADS_M,
        "isochrone_method": logistics.METHOD,
        "catchment_method": "district population (2009 census, ODM) spread evenly over each unit's area",
        "network": "infrastructure_corridor_roads (no expressway: see data/README-infrastructure.md)",
    }


@router.get(
    "/zones", summary="Minutes from each zone to Hà Nội, the airport, the border gates; population within 30/60 min"
)
async def zones(
    store: StoreDep, gate: Annotated[AnalysisGate, Depends(get_gate)], vehicle: Vehicle = "car"
) -> ORJSONResponse:
    """One row per zone: ``access_m`` / ``access_min`` (the straight leg to the mapped roads, shown
    apart), ``far_from_roads`` (then every minute figure is ``null``: "far from mapped roads"),
    ``min_<destination id>``, ``min_to_<category>`` with ``nearest_<category>`` (capital, airport,
    border_gate, railway_station, city), ``pop_30min``, ``pop_60min`` and ``pop_year``."""
    from geozones.scenario import reach

    def compute() -> dict:
        table = reach.zone_reach(store, vehicle)
        destinations = sorted(
            c[len("min_") :] for c in table.columns if c.startswith("min_") and not c.startswith("min_to_")
        )
        return {"model": _model(vehicle), "destinations": destinations, "zones": records(table, index=True)}

    version = await run_in_threadpool(store.version)
    return ORJSONResponse(await gate.run(("logistics-zones", version, vehicle), compute, "logistics"))


@router.get("/isochrones", summary="15/30/45/60-minute drive-time polygons (GeoJSON)")
async def isochrones(
    store: StoreDep,
    gate: Annotated[AnalysisGate, Depends(get_gate)],
    vehicle: Vehicle = "car",
    zone_id: Annotated[str | None, Query(max_length=200, description="Only this zone's polygons")] = None,
    minutes: Annotated[int | None, Query(ge=1, le=60, description="Only this threshold (15, 30, 45 or 60)")] = None,
) -> ORJSONResponse:
    """A GeoJSON FeatureCollection (WGS84): one polygon per zone and threshold, with ``zone_id``,
    ``vehicle``, ``minutes``, ``area_km2`` and ``method``; sites far from mapped roads have none."""
    import json

    from geozones.scenario import reach

    if zone_id is not None and zone_id not in set((await run_in_threadpool(store.zones))["id"]):
        raise NotFound(f"no zone {zone_id!r}")

    def compute() -> dict:
        frame = reach.isochrone_frame(store, vehicle, zone_id)
        frame["geometry"] = frame.geometry.simplify(1e-4)  # ~10 m: the lines are coarser than that
        return json.loads(frame.to_json(drop_id=True))

    version = await run_in_threadpool(store.version)
    collection = await gate.run(("logistics-isochrones", version, vehicle, zone_id), compute, "logistics")
    features = collection["features"]
    if minutes is not None:
        features = [f for f in features if f["properties"]["minutes"] == float(minutes)]
    return ORJSONResponse({"type": "FeatureCollection", "model": _model(vehicle), "features": features})
