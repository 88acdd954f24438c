"""The odds of meeting targets: Monte Carlo over the figures a scenario labels as uncertain.

An action may give, next to a figure labelled an ``assumption``, the range it is unsure of::

    - action: set_occupancy
      year: 2025
      zone: bk-ccn-vang-muoi
      occupancy_pct: 65
      assumption: occupancy path of the plan, not published
      uncertain: {occupancy_pct: {uniform: [50, 80]}, year: {choice: [2025, 2026]}}

A plain run uses the central figures. :func:`target_odds` draws every uncertain figure
independently (``uniform [low, high]``, ``triangular [low, mode, high]``, ``normal [mean, sd]``
clipped to the field's valid range, ``choice [values...]`` equally likely), runs the scenario
once per draw and reports, for every land target of the province and every year of the
timeline, the share of draws in which the target's condition holds. Draws come from
``numpy.random.default_rng(seed)``: the same seed gives the same figures.

A chained scenario (``base:``) is drawn whole: the uncertain figures of every scenario in its
base chain are drawn too (columns ``base[1].actions[i].field`` for the nearest base, ``base[2]``
for its base, ...), each draw runs the chain, and the probabilities cover every year of the
chained timeline, from the first base's start.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geozones.errors import InvalidParameterError
from geozones.scenario.model import Scenario
from geozones.scenario.run import resolve_base, run_scenario, store_targets
from geozones.scenario.targets import resolve_targets

#: Most draws one call may run (bounds the work a request can cause).
MAX_DRAWS = 100_000
#: Valid range of a drawn figure (normal draws are clipped to it).
_RANGES = {"occupancy_pct": (0.0, 100.0)}


@dataclass(frozen=True)
class OddsResult:
    """Probabilities of meeting targets.

    Attributes
    ----------
    probabilities : pandas.DataFrame
        One row per (target, year): ``target``, ``indicator``, ``year``, ``deadline`` (the
        target's own year), ``operator``, ``value``, ``value_max``, ``probability``, ``met``
        (draws meeting it), ``draws``.
    values : pandas.DataFrame
        Per draw (index ``draw``): the drawn figures (``actions[i].field`` columns).
    draws, seed : int
    seconds : float
        Wall time of the draws.
    """

    probabilities: pd.DataFrame
    values: pd.DataFrame
    draws: int
    seed: int | None
    seconds: float

    def at_deadline(self) -> pd.DataFrame:
        """Each target's probability in its own year."""
        table = self.probabilities
        return table[table["year"] == table["deadline"]].reset_index(drop=True)


def uncertain_fields(scenario: Scenario) -> list[tuple[int, str, str, tuple]]:
    """``(action index, field, distribution, parameters)`` of every uncertain figure."""
    return [
        (i, name, law, params)
        for i, action in enumerate(scenario.actions)
        for name, (law, params) in action.uncertain.items()
    ]


def _draw(law: str, params: tuple, rng: np.random.Generator, name: str):
    if law == "uniform":
        value = rng.uniform(params[0], params[1])
    elif law == "triangular":
        value = rng.triangular(params[0], params[1], params[2])
    elif law == "normal":
        value = rng.normal(params[0], params[1])
    else:
        value = params[int(rng.integers(len(params)))]
        return value
    low, high = _RANGES.get(name, (0.0, np.inf))
    return float(min(max(value, low), high))


def draw_scenario(scenario: Scenario, rng: np.random.Generator) -> tuple[Scenario, dict[str, float]]:
    """The scenario with every uncertain figure replaced by a draw; returns it and the drawn values."""
    drawn: dict[str, float] = {}
    actions = list(scenario.actions)
    for i, name, law, params in uncertain_fields(scenario):
        value = _draw(law, params, rng, name)
        drawn[f"actions[{i}].{name}"] = value
        action = actions[i]
        if name == "year":
            actions[i] = dataclasses.replace(action, year=int(value))
        else:
            actions[i] = dataclasses.replace(action, params={**action.params, name: value})
    return dataclasses.replace(scenario, actions=tuple(actions)), drawn


def base_chain(scenario: Scenario) -> list[Scenario]:
    """The scenarios ``scenario`` starts from, nearest base first (empty without ``base:``)."""
    chain: list[Scenario] = []
    current, seen = scenario, ()
    while current.base:
        base = resolve_base(current, seen)
        seen = seen + (current.id,)
        chain.append(base)
        current = base
    return chain


def target_odds(
    scenario: Scenario,
    draws: int = 1000,
    seed: int | None = 0,
    *,
    store=None,
    zones=None,
    layers=None,
    targets: pd.DataFrame | None = None,
    infra=None,
) -> OddsResult:
    """Probability of meeting every land target in every year, over ``draws`` Monte Carlo runs.

    Parameters
    ----------
    scenario : Scenario
        With ``uncertain:`` figures (without any, every probability is 0 or 1).
    draws : int
        Number of runs (1 ... :data:`MAX_DRAWS`).
    seed : int or None
        Seed of ``numpy.random.default_rng``; the same seed gives the same figures.
    store, zones, layers, targets, infra
        As for :func:`geozones.scenario.run.run_scenario`.

    Returns
    -------
    OddsResult
    """
    if not 1 <= int(draws) <= MAX_DRAWS:
        raise InvalidParameterError(f"draws must be between 1 and {MAX_DRAWS}, got {draws}")
    if zones is None or targets is None:
        if store is None:
            from geozones.store import open_store

            store = open_store()
        if zones is None:
            zones = store.zones()
        if targets is None:
            targets = store_targets(store)
    declared = resolve_targets(scenario, targets)
    land = None  # the targets whose indicator the timeline has (known after the first draw)
    chain = base_chain(scenario)
    drawn_chain = any(uncertain_fields(base) for base in chain)
    first_year = chain[-1].start_year if chain else scenario.start_year
    years = list(range(first_year, scenario.end_year + 1))
    met = np.zeros((0, len(years)), dtype=np.int64)
    rng = np.random.default_rng(seed)
    drawn_rows = []
    cache: dict = {}
    start = time.perf_counter()
    for _ in range(int(draws)):
        variant, drawn = draw_scenario(scenario, rng)
        bases = None
        if drawn_chain:
            bases = []
            for level, base in enumerate(chain, start=1):
                base_variant, base_drawn = draw_scenario(base, rng)
                bases.append(base_variant)
                drawn.update({f"base[{level}].{name}": value for name, value in base_drawn.items()})
        drawn_rows.append(drawn)
        result = run_scenario(
            variant,
            store=store,
            zones=zones,
            layers=layers,
            targets=targets.iloc[:0],
            infra=infra,
            cache=cache,
            bases=bases,
        )
        timeline = result.timeline
        if land is None:
            land = [t for t in declared if t.indicator in timeline.columns]
            met = np.zeros((len(land), len(years)), dtype=np.int64)
        for t, target in enumerate(land):
            for y, year in enumerate(years):
                if year not in timeline.index:
                    continue
                actual = timeline.loc[year, target.indicator]
                if pd.notna(actual) and target.meets(float(actual)):
                    met[t, y] += 1
    seconds = time.perf_counter() - start
    rows = []
    for t, target in enumerate(land or []):
        for y, year in enumerate(years):
            rows.append(
                {
                    "target": target.id,
                    "name": target.name,
                    "indicator": target.indicator,
                    "year": year,
                    "deadline": target.year,
                    "operator": target.operator,
                    "value": target.value,
                    "value_max": target.value_max if target.value_max is not None else np.nan,
                    "rule": target.rule(),
                    "probability": met[t, y] / draws,
                    "met": int(met[t, y]),
                    "draws": int(draws),
                }
            )
    probabilities = pd.DataFrame(
        rows,
        columns=[
            "target",
            "name",
            "indicator",
            "year",
            "deadline",
            "operator",
            "value",
            "value_max",
            "rule",
            "probability",
            "met",
            "draws",
        ],
    )
    values = pd.DataFrame(drawn_rows).rename_axis("draw")
    return OddsResult(probabilities, values, int(draws), seed, seconds)


__all__ = ["MAX_DRAWS", "OddsResult", "base_chain", "draw_scenario", "target_odds", "uncertain_fields"]
