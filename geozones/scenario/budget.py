"""What a scenario may ask for: its years, its id, its CRS, and the work of one call.

Two kinds of limits. Checks every :class:`~geozones.scenario.model.Scenario` passes when it is built
(:func:`check_scenario_fields`): the id follows the zone id pattern (:data:`geozones.schema.ID_PATTERN`),
the years lie in :data:`MIN_YEAR` .. :data:`MAX_YEAR` (the schema's range of years), and ``crs`` is an
EPSG code or a VN-2000 CRS name the EPSG database knows (:func:`geozones.crs.scenario_crs`; PROJ is
never handed the text). And a :class:`ScenarioBudget` bounding the work of one call (the API builds
one from its ``GEOZONES_MAX_SCENARIO_*`` settings): years per timeline, scenarios per comparison,
actions per call, and Monte Carlo draws x actions x years.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from geozones.errors import CRSError, ScenarioBudgetError, ScenarioError
from geozones.schema import ID_RE, ID_RULE

#: A :class:`geozones.scenario.model.Scenario` (not imported: the model imports this module).
Scenario = Any

#: Earliest and latest year of a scenario (the schema's years: ``status_year``, ``target_year``).
MIN_YEAR, MAX_YEAR = 1990, 2100


def check_scenario_fields(scenario: Scenario) -> str | None:
    """Check the id, the years and the CRS of a scenario being built; return its CRS as ``EPSG:n``.

    Raises
    ------
    ScenarioError
        Naming the field (``id``, ``start_year``, ``end_year``, ``crs``).
    """
    path = scenario.path
    if not isinstance(scenario.id, str) or not ID_RE.match(scenario.id):
        shown = repr(scenario.id) if len(str(scenario.id)) <= 80 else repr(str(scenario.id)[:77] + "...")
        raise ScenarioError(f"id must be {ID_RULE}; got {shown}", path, field="id")
    for name in ("start_year", "end_year"):
        year = getattr(scenario, name)
        if isinstance(year, int) and not MIN_YEAR <= year <= MAX_YEAR:
            raise ScenarioError(f"{name} {year} is outside {MIN_YEAR}..{MAX_YEAR}", path, field=name)
    if scenario.crs is None:
        return None
    from geozones.crs import scenario_crs

    try:
        return scenario_crs(scenario.crs)
    except CRSError as exc:
        raise ScenarioError(str(exc), path, field="crs") from None


@dataclass(frozen=True)
class ScenarioBudget:
    """The most work one call may ask for; ``settings`` names what raises each limit (for messages).

    Attributes
    ----------
    years : int
        Years of one scenario's timeline (``end_year - start_year + 1``).
    scenarios : int
        Scenarios in one comparison.
    actions : int
        Actions over all the scenarios of the call.
    draw_work : int
        Monte Carlo draws x actions (at least 1) x years of the timeline.
    """

    years: int = 50
    scenarios: int = 10
    actions: int = 100
    draw_work: int = 5_000
    settings: tuple[tuple[str, str], ...] = (
        ("years", "years"),
        ("scenarios", "scenarios"),
        ("actions", "actions"),
        ("draw_work", "draw_work"),
    )

    def _setting(self, name: str) -> str:
        return dict(self.settings).get(name, name)

    def _fail(self, message: str, name: str, scenario: Scenario | None = None, field: str | None = None):
        setting = self._setting(name)
        return ScenarioBudgetError(
            f"{message}; the limit is {getattr(self, name):,} (setting {setting})",
            scenario.path if scenario is not None else None,
            field,
            setting,
        )

    def check_count(self, count: int) -> None:
        """Refuse more than :attr:`scenarios` scenarios (before any is parsed)."""
        if count > self.scenarios:
            raise self._fail(f"the request holds {count} scenarios", "scenarios")

    def check(self, scenarios: list[Scenario], draws: int = 0) -> None:
        """Refuse a call over the budget before any work starts.

        Raises
        ------
        ScenarioBudgetError
            Naming the limit and its setting (the API answers 422).
        """
        self.check_count(len(scenarios))
        for scenario in scenarios:
            years = scenario.end_year - scenario.start_year + 1
            if years > self.years:
                raise self._fail(
                    f"scenario {scenario.id!r} runs over {years} years ({scenario.start_year}..{scenario.end_year})",
                    "years",
                    scenario,
                    "end_year",
                )
        total = sum(len(s.actions) for s in scenarios)
        if total > self.actions:
            raise self._fail(f"the request holds {total} scenario actions", "actions")
        for scenario in scenarios:
            years = scenario.end_year - scenario.start_year + 1
            work = draws * max(1, len(scenario.actions)) * years
            if work > self.draw_work:
                raise self._fail(
                    f"draws: {draws} draws x {max(1, len(scenario.actions))} actions x {years} years = "
                    f"{work:,} draw-action-years; ask for fewer draws",
                    "draw_work",
                    scenario,
                )


__all__ = ["MAX_YEAR", "MIN_YEAR", "ScenarioBudget", "check_scenario_fields"]
