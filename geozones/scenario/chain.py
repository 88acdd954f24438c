"""The ``base:`` chain of a scenario: which scenario it continues from, and province matching."""

from __future__ import annotations

from pathlib import Path

from geozones.errors import ScenarioError
from geozones.scenario.model import Scenario
from geozones.schema import ascii_name


def resolve_base(scenario: Scenario, _seen: tuple[str, ...] = ()) -> Scenario:
    """The scenario named by ``scenario.base``: a file (relative to the scenario's) or an id in the same folder.

    Raises
    ------
    ScenarioError
        Base not found, a chain that loops, or a base that does not end before this one starts
        or covers another province (with the file and line of ``base:``).
    """
    from geozones.scenario.parse import load_scenario

    where = Path(scenario.path).parent if scenario.path and Path(scenario.path).exists() else Path.cwd()
    ref = str(scenario.base)
    if ref.lower().endswith((".yaml", ".yml", ".toml")):
        path = Path(ref) if Path(ref).is_absolute() else where / ref
        if not path.exists():
            raise ScenarioError(
                f"base scenario file {ref!r} not found (looked in {where})", scenario.path, scenario.base_line, "base"
            )
        base = load_scenario(path)
    else:
        found = []
        for path in sorted(where.glob("*")):
            if (
                path.suffix.lower() in (".yaml", ".yml", ".toml")
                and path.resolve() != Path(str(scenario.path)).resolve()
            ):
                try:
                    candidate = load_scenario(path)
                except ScenarioError:
                    continue
                if candidate.id == ref:
                    found.append(candidate)
        if not found:
            raise ScenarioError(f"no scenario with id {ref!r} in {where}", scenario.path, scenario.base_line, "base")
        base = found[0]
    if base.id in _seen + (scenario.id,):
        raise ScenarioError(
            f"base chain loops: {' -> '.join(_seen + (scenario.id, base.id))}",
            scenario.path,
            scenario.base_line,
            "base",
        )
    if not same_province(base.province, scenario.province):
        raise ScenarioError(
            f"base {base.id!r} covers {base.province}, not {scenario.province}",
            scenario.path,
            scenario.base_line,
            "base",
        )
    if base.end_year >= scenario.start_year:
        raise ScenarioError(
            f"base {base.id!r} runs to {base.end_year}: this scenario must start after it "
            f"(start_year {scenario.start_year})",
            scenario.path,
            scenario.base_line,
            "base",
        )
    return base


def same_province(a: str | None, b: str) -> bool:
    """The same province name, ignoring diacritics and case."""
    return isinstance(a, str) and ascii_name(a).lower() == ascii_name(b).lower()
