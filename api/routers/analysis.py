"""Analysis endpoints (JSON): area totals, area reconciliation, programme indicators.

Every endpoint reads the zones from the store and calls one geozones function; the
numbers are the library's (hectares in the provinces' VN-2000 TM-3 CRSs), only encoded
here. Bad parameters answer 400 with an OGC exception body (see api/errors.py).
"""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Depends, Query

from geozones.api.dependencies import StoreDep
from geozones.api.errors import InvalidParameter
from geozones.api.limits import AnalysisGate, get_gate
from geozones.api.openapi import error_responses
from geozones.api.serialize import ORJSONResponse, records
from geozones.schema import FIELD_NAMES

router = APIRouter(prefix="/analysis", tags=["analysis"], default_response_class=ORJSONResponse)

#: Attributes it makes sense to group zones by (free text and numbers are refused).
GROUPABLE = (
    "province_pre2025",
    "province",
    "district_pre2025",
    "commune",
    "kind",
    "status",
    "zone_group",
    "geometry_quality",
    "area_qualifier",
    "investor",
    "status_year",
    "established_year",
    "target_year",
)
INDICATOR_STATUSES = ("met", "not_met", "unknown", "not_measured")
TOTAL_COLUMNS = ("zones", "mapped", "published_ha", "mapped_ha", "occupied_ha")


def json_schema(properties: dict, required: list[str] | None = None) -> dict:
    """A 200 response documented as a JSON object with these properties (OpenAPI 3.0)."""
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {200: {"description": "Success", "content": {"application/json": {"schema": schema}}}}


ROWS = {"type": "array", "items": {"type": "object"}}
_TOTALS_EXAMPLE = {
    "by": ["province_pre2025", "kind"],
    "groups": [
        {
            "province_pre2025": "Bắc Kạn",
            "kind": "CCN",
            "zones": 7,
            "mapped": 7,
            "published_ha": 202.4,
            "mapped_ha": 202.4,
            "occupied_ha": None,
        }
    ],
    "total": {"zones": 7, "mapped": 7, "published_ha": 202.4, "mapped_ha": 202.4, "occupied_ha": None},
}


def _sum(series: pd.Series) -> float | int | None:
    value = series.sum(min_count=1)
    return None if pd.isna(value) else value.item() if hasattr(value, "item") else value


@router.get(
    "/totals",
    summary="Zone counts and hectares grouped by attributes",
    responses={
        200: {
            "description": "Success",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["by", "groups", "total"],
                        "properties": {
                            "by": {"type": "array", "items": {"type": "string"}},
                            "groups": ROWS,
                            "total": {"type": "object"},
                        },
                    },
                    "example": _TOTALS_EXAMPLE,
                }
            },
        }
    },
)
def totals(
    store: StoreDep,
    by: Annotated[
        list[str] | None,
        Query(
            description="Attribute to group by; repeat for several (default province_pre2025 and kind). "
            f"One of: {', '.join(GROUPABLE)}."
        ),
    ] = None,
) -> ORJSONResponse:
    """Per group: ``zones`` (count), ``mapped`` (count with a polygon), ``published_ha`` (sum of
    published areas), ``mapped_ha`` (sum of areas measured in the metric CRS) and ``occupied_ha``
    (published area x occupancy where both are published). A sum over nothing is ``null``, not 0.
    ``total`` sums the groups."""
    from geozones.area import totals_by

    by = list(dict.fromkeys(by or ["province_pre2025", "kind"]))
    unknown = [b for b in by if b not in GROUPABLE]
    if unknown:
        hint = " (a zone attribute, but not one to group by)" if set(unknown) <= set(FIELD_NAMES) else ""
        raise InvalidParameter(
            f"by: cannot group by {', '.join(map(repr, unknown))}{hint}; choose from {', '.join(GROUPABLE)}"
        )
    table = totals_by(store.zones(), by)
    return ORJSONResponse(
        {
            "by": by,
            "groups": records(table, index=True),
            "total": {column: _sum(table[column]) for column in TOTAL_COLUMNS},
        }
    )


@router.get(
    "/reconcile",
    summary="Mapped area against published area, per zone",
    responses=json_schema(
        {"threshold": {"type": "number"}, "flagged": {"type": "integer"}, "checks": {"type": "object"}, "zones": ROWS},
        ["threshold", "flagged", "checks", "zones"],
    ),
)
def reconcile(
    store: StoreDep,
    threshold: Annotated[
        float,
        Query(ge=0, le=10, description="Relative difference that flags a zone (0.01 = 1 %)."),
    ] = 0.01,
    flagged_only: Annotated[bool, Query(description="Only the zones that need attention.")] = False,
) -> ORJSONResponse:
    """For each zone: ``published_ha``, ``mapped_ha`` (measured in the province's TM-3 CRS),
    ``diff_ha``, ``rel_diff`` and ``check`` (``ok``, ``over_threshold``, ``no_polygon``,
    ``no_published_area``, ``no_data``); ``flag`` is true when the zone needs attention."""
    from geozones.area import reconcile as _reconcile

    table = _reconcile(store.zones(), threshold)
    counts = {str(k): int(v) for k, v in table["check"].value_counts().sort_index().items()}
    shown = table[table["flag"]] if flagged_only else table
    return ORJSONResponse(
        {
            "threshold": threshold,
            "flagged": int(table["flag"].sum()),
            "checks": counts,
            "zones": records(shown),
        }
    )


@router.get(
    "/indicators",
    summary="Bắc Kạn programme indicators against the 2025/2030 targets",
    responses=json_schema({"statuses": {"type": "object"}, "indicators": ROWS}, ["statuses", "indicators"]),
)
def indicators(
    store: StoreDep,
    status: Annotated[
        list[str] | None,
        Query(
            description="Only indicators with this status; repeat for several (met, not_met, unknown, not_measured)."
        ),
    ] = None,
) -> ORJSONResponse:
    """One row per provincial target (``data/zones/targets.csv``, each citing its seed):
    ``target`` in words, ``value`` measured from the zone data (``null`` when it cannot be),
    ``status`` (``met``, ``not_met``, ``unknown`` when the data lack a figure,
    ``not_measured`` for targets zone data cannot measure), ``measured_as``, ``source`` (the source's id)
    and ``citation`` (publisher, “title”, date)."""
    from geozones.indicators import programme_indicators
    from geozones.maps.citations import cite_all

    wanted = list(dict.fromkeys(status or []))
    bad = [s for s in wanted if s not in INDICATOR_STATUSES]
    if bad:
        raise InvalidParameter(
            f"status: unknown value(s) {', '.join(map(repr, bad))}; choose from {', '.join(INDICATOR_STATUSES)}"
        )
    table = programme_indicators(store)
    table["citation"] = table["source"].map(lambda s: "; ".join(cite_all(str(s).split(";"))) or None)
    counts = {s: int((table["status"] == s).sum()) for s in INDICATOR_STATUSES}
    if wanted:
        table = table[table["status"].isin(wanted)]
    return ORJSONResponse({"statuses": counts, "indicators": records(table)})


#: Highest travel speed a request may assume (km/h); speeds are rounded to 0.1 km/h.
MAX_SPEED_KMH = 200.0
#: Farthest ``max_access_m`` (metres); it is rounded to whole metres.
MAX_ACCESS_M = 100_000.0


def _parse_speeds(values: list[str]) -> dict[str, float]:
    """``["national_highway=50", ...]`` -> ``{"national_highway": 50.0}`` (400 on anything else).

    Speeds are rounded to 0.1 km/h (between 0.1 and :data:`MAX_SPEED_KMH`) so that near-equal values
    share one cache entry; a class given twice keeps its last value."""
    from geozones.analysis.roadnet import DEFAULT_SPEEDS_KMH

    speeds: dict[str, float] = {}
    for value in values:
        klass, sep, number = value.partition("=")
        klass = klass.strip()
        try:
            speed = float(number) if sep else float("nan")
        except ValueError:
            speed = float("nan")
        if not klass or not speed > 0 or speed == float("inf"):
            raise InvalidParameter(
                f"speed: expected CLASS=KMH with a positive speed, e.g. national_highway=50; got {value!r}"
            )
        if klass not in DEFAULT_SPEEDS_KMH:
            raise InvalidParameter(f"speed: unknown road class {klass!r}; choose from {', '.join(DEFAULT_SPEEDS_KMH)}")
        speed = round(speed, 1)
        if not 0.1 <= speed <= MAX_SPEED_KMH:
            raise InvalidParameter(f"speed: {value!r} must be between 0.1 and {MAX_SPEED_KMH:g} km/h")
        speeds[klass] = speed
    return dict(sorted(speeds.items()))


@router.get(
    "/proximity",
    summary="Distances from each zone to highways, substations, the border gate, by road",
    responses=json_schema(
        {
            "destinations": {"type": "array", "items": {"type": "string"}},
            "speeds_kmh": {"type": "object"},
            "max_access_m": {"type": "number", "nullable": True},
            "zones": ROWS,
        },
        ["destinations", "zones"],
    )
    | error_responses(400, 429),
)
async def proximity(
    store: StoreDep,
    gate: Annotated[AnalysisGate, Depends(get_gate)],
    speed: Annotated[
        list[str] | None,
        Query(
            description="Travel speed by road class, CLASS=KMH; repeat for several (e.g. national_highway=50). "
            "The defaults are assumptions, not data."
        ),
    ] = None,
    max_access_m: Annotated[
        float | None,
        Query(
            ge=0,
            le=MAX_ACCESS_M,
            description="Zones farther than this many metres from any road are unreachable by road "
            "(rounded to whole metres).",
        ),
    ] = None,
) -> ORJSONResponse:
    """One row per zone, measured in its province's VN-2000 TM-3 CRS from its polygon's edge (or,
    without a polygon, its published site point; ``measured_from``): ``dist_highway_m`` and
    ``nearest_highway`` (e.g. QL3), ``dist_substation_m`` and ``nearest_substation`` (≥ 110 kV),
    ``dist_border_gate_m``, ``access_m`` (straight leg to the road network), and for each
    destination ``road_km_<id>``, ``road_h_<id>``, ``reachable_<id>``. Distances are ``null``
    where nothing can be measured; an unreachable destination is ``null``, never a straight line."""
    from geozones.analysis.proximity import infrastructure_distances
    from geozones.store import load_infrastructure

    speeds = _parse_speeds(speed or [])
    if max_access_m is not None:
        max_access_m = float(round(max_access_m))  # normalised before it keys the cache

    def compute() -> dict:
        zones = store.zones()
        table = infrastructure_distances(
            zones, load_infrastructure(store), speeds_kmh=speeds, max_access_m=max_access_m
        )
        table.insert(0, "id", zones["id"].to_numpy())
        table.insert(1, "name", zones["name"].to_numpy())
        destinations = sorted(c[len("reachable_") :] for c in table.columns if c.startswith("reachable_"))
        return {
            "destinations": destinations,
            "speeds_kmh": speeds,
            "max_access_m": max_access_m,
            "zones": records(table),
        }

    from fastapi.concurrency import run_in_threadpool

    key = ("proximity", await run_in_threadpool(store.version), tuple(speeds.items()), max_access_m)
    return ORJSONResponse(await gate.run(key, compute, "proximity"))
