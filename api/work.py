"""Scenario work as it runs in a worker process (:mod:`geozones.bounded`): run, odds, save, compare.

The routes in :mod:`geozones.api.routers.scenarios` parse and check a request (budget, files), then hand
the scenarios to :func:`scenario_job` in a worker process with a deadline
(``GEOZONES_SCENARIO_TIMEOUT_S``): a request over it, or one whose client has gone, is killed there,
never left running in the server. The worker opens the same store again from its
:func:`store_spec` (a GeoPackage path or a PostGIS URL and schema) and answers plain JSON data.
"""

from __future__ import annotations

from typing import Any

from geozones.api.serialize import records

#: Modules a new scenario worker imports before its first deadline starts.
WARM = ("geozones.api.work", "geozones.scenario", "geozones.scenario.odds", "geozones.store")

_stores: dict[tuple, Any] = {}


def store_spec(store) -> tuple:
    """How a worker process opens ``store`` again: ``(class, keyword arguments)``, picklable."""
    from geozones.store import GeoPackageStore

    if isinstance(store, GeoPackageStore):
        return (type(store), (("path", str(store.path)), ("data_dir", store.data_dir)))
    if hasattr(store, "url") and hasattr(store, "schema"):  # PostGISStore
        keys = (("url", store.url), ("schema", store.schema), ("srid", store.srid), ("data_dir", store.data_dir))
        return (type(store), keys)
    raise TypeError(f"cannot reopen {store!r} in a worker process")


def _open(spec: tuple):
    if spec not in _stores:
        cls, keys = spec
        _stores[spec] = cls(**dict(keys))
    return _stores[spec]


def summary(scenario) -> dict:
    return {
        "id": scenario.id,
        "name": scenario.name,
        "province": getattr(scenario, "province", None),
        "start_year": scenario.start_year,
        "end_year": scenario.end_year,
        "actions": len(scenario.actions),
        "layer": scenario.layer_name,
    }


def _result_body(result, saved: bool) -> dict:
    diff = result.diff()
    return {
        "scenario": summary(result.scenario),
        "timeline": records(result.timeline, index=True),
        "targets": records(result.targets),
        "growth": records(result.growth),
        "changes": records(diff[diff["change"] != "unchanged"]),
        "notes": list(result.notes),
        "removed": records(result.removed),
        "saved_layer": result.scenario.layer_name if saved else None,
    }


def run_job(spec: tuple, scenario, save: bool, draws: int, seed: int) -> dict:
    """``POST /analysis/scenarios/run`` in a worker: the run, its save, its odds."""
    from geozones.scenario import run_scenario

    store = _open(spec)
    result = run_scenario(scenario, store=store)
    if save:
        result.save(store=store)
    body = _result_body(result, save)
    body["odds"] = None
    if draws:
        from geozones.scenario.odds import target_odds

        odds = target_odds(scenario, draws=draws, seed=seed, store=store)
        body["odds"] = {
            "draws": odds.draws,
            "seed": odds.seed,
            "seconds": round(odds.seconds, 3),
            "probabilities": records(odds.probabilities),
        }
    return body


def compare_job(spec: tuple, scenarios: list, year: int | None) -> dict:
    """``POST /analysis/scenarios/compare`` in a worker."""
    from geozones.scenario import compare_indicators, compare_zones, run_scenario

    store = _open(spec)
    results = [run_scenario(s, store=store) for s in scenarios]
    table = compare_indicators(results, year)
    zones = compare_zones(results)
    return {
        "scenarios": [summary(s) for s in scenarios],
        "year": year,
        "indicators": [{"indicator": name, **values} for name, values in zip(table.index, records(table))],
        "changes": records(zones[zones["change"] != "unchanged"]),
        "notes": {r.scenario.id: list(r.notes) for r in results},
    }


def sleep_job(seconds: float, pid_file: str | None = None) -> float:
    """A job that writes its process id to ``pid_file`` and waits (tests: a deadline, a cancel, shutdown)."""
    import os
    import time

    if pid_file:
        with open(pid_file, "w") as handle:
            handle.write(str(os.getpid()))
    time.sleep(seconds)
    return seconds


__all__ = ["WARM", "compare_job", "run_job", "sleep_job", "store_spec", "summary"]
