"""The road-network fields of a suitability criterion: ``along:`` (distance along roads) and
``minutes_to:`` (drive minutes to the nearest target, the stated model of :mod:`geozones.analysis.logistics`).

Only the checks of the fields live here (each problem reported through ``err(message, field)``);
:mod:`geozones.scenario.suitability` reads and scores them.

May import: the core and the analysis (no other scenario module).
"""

from __future__ import annotations

from geozones.analysis.logistics import VEHICLES

#: The fields of an along-the-roads distance criterion.
ALONG = ("along", "snap_m", "node_crossings")
#: The fields of a drive-minutes criterion (``minutes_to`` names the targets, like ``layer``).
MINUTES = ("minutes_to", "roads", "vehicle", "best_min", "worst_min")
#: The road layer ``minutes_to`` runs on unless ``roads`` says otherwise.
DEFAULT_ROADS = "infrastructure_corridor_roads"


def along_ok(spec: dict, where: str, err) -> bool:
    """Check the ``along``/``snap_m``/``node_crossings`` fields of one criterion."""
    given = [k for k in ALONG if k in spec]
    if not given:
        return True
    if "along" not in spec:
        err(f"{', '.join(given)} only go with 'along' (distance along a road layer)", f"{where}.{given[0]}")
        return False
    if "dem" in spec or "minutes_to" in spec:
        err("'along' is for distance criteria (layer or file), not slope or minutes", f"{where}.along")
        return False
    if not isinstance(spec["along"], str) or not spec["along"]:
        err("along names the road layer (store layer or file) to measure along", f"{where}.along")
        return False
    snap = spec.get("snap_m", 0.0)
    if not isinstance(snap, (int, float)) or isinstance(snap, bool) or snap < 0:
        err("snap_m must be a non-negative number of metres", f"{where}.snap_m")
        return False
    if not isinstance(spec.get("node_crossings", True), bool):
        err("node_crossings is true or false", f"{where}.node_crossings")
        return False
    if not spec.get("best_m", 0.0) < spec["worst_m"]:
        err("along the roads, near is better: best_m must be below worst_m", f"{where}.worst_m")
        return False
    return True


def minutes_ok(spec: dict, where: str, err) -> bool:
    """Check the ``minutes_to``/``roads``/``vehicle``/``best_min``/``worst_min`` fields of one criterion."""
    if "minutes_to" not in spec:
        given = [k for k in ("roads", "vehicle", "best_min", "worst_min") if k in spec]
        if given:
            err(f"{', '.join(given)} only go with 'minutes_to' (drive minutes to a layer)", f"{where}.{given[0]}")
            return False
        return True
    if not isinstance(spec["minutes_to"], str) or not spec["minutes_to"]:
        err("minutes_to names the target layer (store layer or file)", f"{where}.minutes_to")
        return False
    if "roads" in spec and (not isinstance(spec["roads"], str) or not spec["roads"]):
        err("roads names the road layer (store layer or file) to drive on", f"{where}.roads")
        return False
    if spec.get("vehicle", "car") not in VEHICLES:
        err(f"vehicle is one of {', '.join(VEHICLES)}", f"{where}.vehicle")
        return False
    if not spec.get("best_min", 0.0) < spec["worst_min"]:
        err("nearer is better: best_min must be below worst_min", f"{where}.worst_min")
        return False
    return True


__all__ = ["ALONG", "DEFAULT_ROADS", "MINUTES", "along_ok", "minutes_ok"]
