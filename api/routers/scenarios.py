"""Scenario endpoints: run one expansion scenario, or compare several (geozones.scenario).

A scenario is sent as the body: the YAML or TOML file itself (``Content-Type:
application/yaml`` or ``application/toml``), or the same content as a JSON object. Errors in
the scenario answer 400 with the file line and field (``ScenarioError``).
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request

from geozones.api.auth import PayloadTooLargeError, require
from geozones.api.dependencies import SettingsDep, StoreDep
from geozones.api.errors import InvalidParameter
from geozones.api.openapi import error_responses
from geozones.api.routers.analysis import ROWS, json_schema
from geozones.api.serialize import ORJSONResponse

#: Most Monte Carlo draws one request may ask for (bounds the work of a request).
MAX_API_DRAWS = 2000

router = APIRouter(prefix="/analysis/scenarios", tags=["analysis"], default_response_class=ORJSONResponse)

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
TOML_TYPES = ("application/toml", "text/toml")
_SCENARIO_SCHEMA = {
    "type": "object",
    "description": "A scenario as in scenarios/*.yaml (id, name, province, start_year, end_year, actions, ...)",
}
_EXAMPLE_YAML = """id: try-it
name: Vằng Mười to 20 ha
province: Bắc Kạn
start_year: 2024
end_year: 2026
actions:
  - action: grow
    year: 2026
    zone: bk-ccn-vang-muoi
    to_ha: 20
    assumption: a planner's what-if, not a published figure
"""
_RUN_BODY = {
    "requestBody": {
        "required": True,
        "description": "One scenario: the YAML or TOML file, or the same as JSON.",
        "content": {
            "application/yaml": {"schema": {"type": "string"}, "example": _EXAMPLE_YAML},
            "application/toml": {"schema": {"type": "string"}},
            "application/json": {"schema": _SCENARIO_SCHEMA},
        },
    }
}
_COMPARE_BODY = {
    "requestBody": {
        "required": True,
        "description": 'Two or more scenarios: a JSON object ``{"scenarios": [...]}`` whose items are '
        "scenario objects or YAML/TOML texts.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["scenarios"],
                    "properties": {
                        "scenarios": {
                            "type": "array",
                            "minItems": 2,
                            "items": {"oneOf": [_SCENARIO_SCHEMA, {"type": "string"}]},
                        }
                    },
                }
            }
        },
    }
}


async def _body(request: Request, limit: int) -> bytes:
    body = await request.body()
    if not body.strip():
        raise InvalidParameter("the request body is empty: send a scenario (YAML, TOML or JSON)")
    if len(body) > limit:
        raise PayloadTooLargeError(limit, "max_scenario_bytes")
    return body


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidParameter(f"the scenario is not UTF-8 text ({exc})") from exc


def _served(scenario):
    """A scenario sent over the network may use the store's layers only: never a file on the server."""
    files = scenario.file_references()
    if files:
        raise InvalidParameter(
            f"scenario {scenario.id!r} names files on the server ({'; '.join(files)}); a scenario sent to the API "
            "may use store layers only (run chained, DEM or allocation scenarios with 'geozones scenario run')"
        )
    return scenario


def _from_text(text: str, fmt: str, name: str):
    from geozones.scenario import loads_scenario

    return _served(loads_scenario(text, fmt, name))


def _from_json(data: Any, name: str):
    from geozones.scenario import Scenario, loads_scenario

    if isinstance(data, str):
        fmt = "toml" if _looks_like_toml(data) else "yaml"
        return _served(loads_scenario(data, fmt, name))
    if not isinstance(data, dict):
        raise InvalidParameter(f"{name}: a scenario is a JSON object or a YAML/TOML text, not {type(data).__name__}")
    return _served(Scenario.from_dict(data, path=name))


def _looks_like_toml(text: str) -> bool:
    first = next((line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")), "")
    return first.startswith("[") or ("=" in first and ":" not in first.split("=", 1)[0])


def _json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidParameter(f"the body is not valid JSON: {exc}") from exc


def _scenario_from_request(request: Request, body: bytes):
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in YAML_TYPES:
        return _from_text(_decode(body), "yaml", "<request body>")
    if media in TOML_TYPES:
        return _from_text(_decode(body), "toml", "<request body>")
    if media in ("application/json", ""):
        return _from_json(_json(body), "<request body>")
    raise InvalidParameter(
        f"Content-Type {media!r} is not a scenario; use application/yaml, application/toml or application/json"
    )


def budget(settings):
    """The scenario budget of one request, from the settings (:class:`geozones.scenario.budget.ScenarioBudget`)."""
    from geozones.scenario.budget import ScenarioBudget

    return ScenarioBudget(
        years=settings.max_scenario_years,
        scenarios=settings.max_scenarios,
        actions=settings.max_scenario_actions,
        draw_work=settings.max_scenario_draw_actions,
        settings=(
            ("years", "GEOZONES_MAX_SCENARIO_YEARS"),
            ("scenarios", "GEOZONES_MAX_SCENARIOS"),
            ("actions", "GEOZONES_MAX_SCENARIO_ACTIONS"),
            ("draw_work", "GEOZONES_MAX_SCENARIO_DRAW_ACTIONS"),
        ),
    )


async def _in_worker(request: Request, settings, what: str, func, *args):
    """``func(*args)`` in a scenario worker process, killed at the deadline, on shutdown or when the
    client goes away (:func:`geozones.bounded.acall`)."""
    from geozones import bounded
    from geozones.api.work import WARM

    return await bounded.acall(
        func,
        *args,
        timeout=settings.scenario_timeout_s,
        what=what,
        kind="scenario",
        warm=WARM,
        abandoned=request.is_disconnected,
    )


@router.post(
    "/run",
    summary="Run an expansion scenario",
    openapi_extra=_RUN_BODY,
    responses=json_schema(
        {
            "scenario": {"type": "object"},
            "timeline": ROWS,
            "targets": ROWS,
            "growth": ROWS,
            "changes": ROWS,
            "notes": {"type": "array", "items": {"type": "string"}},
            "saved_layer": {"type": "string", "nullable": True},
            "odds": {"type": "object", "nullable": True},
        },
        ["scenario", "timeline", "targets", "changes"],
    )
    | error_responses(400, 401, 403, 413, 422, 429),
)
async def run(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    save: Annotated[
        bool,
        Query(
            description="Save the end-year zones as store layer scenario_<id> (then "
            "downloadable from /downloads/scenario_<id>); needs an API key "
            "with the editor role."
        ),
    ] = False,
    draws: Annotated[
        int,
        Query(
            ge=0,
            le=MAX_API_DRAWS,
            description="Monte Carlo draws of the scenario's "
            "uncertain assumptions: ``odds`` gives the probability of meeting each target "
            "in each year (0: none).",
        ),
    ] = 0,
    seed: Annotated[int, Query(ge=0, le=2**32 - 1, description="Seed of the draws (same seed, same figures).")] = 0,
) -> ORJSONResponse:
    """Apply the scenario's actions to the stored zones year by year: ``timeline`` (one row per
    year of indicators), ``targets`` (each provincial target: pass, fail, not assessed),
    ``growth`` (each constrained growth and the area it reached), ``changes`` (per-zone
    differences from the start) and ``notes`` (what could not be computed and why). With
    ``draws``, ``odds`` holds ``probabilities`` (target, year, probability, met, draws), the
    ``seed`` and the ``seconds`` the draws took."""
    from fastapi.concurrency import run_in_threadpool

    from geozones.api.work import run_job, store_spec

    if save:  # saving writes a store layer: an editor's right, like every other write
        require("editor")(request)
    body = await _body(request, settings.max_scenario_bytes)
    scenario = await run_in_threadpool(_scenario_from_request, request, body)  # parsing is CPU work
    budget(settings).check([scenario], draws)
    answer = await _in_worker(
        request, settings, f"scenario {scenario.id!r}", run_job, store_spec(store), scenario, save, draws, seed
    )
    return ORJSONResponse(answer)


@router.post(
    "/compare",
    summary="Run several scenarios and compare them",
    openapi_extra=_COMPARE_BODY,
    responses=json_schema(
        {
            "scenarios": ROWS,
            "year": {"type": "integer", "nullable": True},
            "indicators": ROWS,
            "changes": ROWS,
            "notes": {"type": "object"},
        },
        ["scenarios", "indicators", "changes"],
    )
    | error_responses(400, 413, 422, 429),
)
async def compare(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    year: Annotated[
        int | None, Query(ge=1990, le=2100, description="Compare at this year (default: each scenario's end year).")
    ] = None,
) -> ORJSONResponse:
    """Indicators side by side (``indicators``: one entry per indicator with a value per
    scenario, and ``target:<id>`` rows with pass/fail) and the per-zone changes of each."""
    from fastapi.concurrency import run_in_threadpool

    from geozones.api.work import compare_job, store_spec

    data = _json(await _body(request, settings.max_scenario_bytes))
    items = data.get("scenarios") if isinstance(data, dict) else None
    if not isinstance(items, list) or len(items) < 2:
        raise InvalidParameter('send {"scenarios": [...]} with at least two scenarios')
    limits = budget(settings)
    limits.check_count(len(items))  # before parsing any of them
    scenarios = await run_in_threadpool(lambda: [_from_json(item, f"scenarios[{i}]") for i, item in enumerate(items)])
    limits.check(scenarios)
    ids = [s.id for s in scenarios]
    if len(set(ids)) != len(ids):
        raise InvalidParameter(f"scenario ids must differ; got {', '.join(ids)}")
    answer = await _in_worker(
        request, settings, f"comparison of {len(scenarios)} scenarios", compare_job, store_spec(store), scenarios, year
    )
    return ORJSONResponse(answer)
