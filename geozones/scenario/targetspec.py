"""Targets a scenario file declares: any indicator, any year, an operator, a tolerance, a source.

A scenario's ``targets:`` is a list whose items are either a target or ``{include: file}`` (a YAML
file, relative to the scenario, whose ``targets:`` list is read when the scenario runs, never when
it is parsed: a scenario sent over the network may name no file of its own, only a shipped one,
``{include: "data:targets/bac-kan.yaml"}``). A target::

    - id: bk-target-ccn-area-2025
      name: CCN total area about 150 ha by 2025
      name_vi: Tổng diện tích CCN khoảng 150 ha đến năm 2025
      indicator: ccn_area_ha         # a timeline column (others are listed, not assessed)
      year: 2025
      operator: about                # >=, >, <=, <, =, about, between
      value: 150
      tolerance: 5                   # about: required, in the unit or "5%"
      tolerance_basis: why this band # about: where the band comes from
      max: 10                        # between: the upper bound (inclusive)
      unit: ha
      source: publisher, title, date # or assumption:

Operators: ``>=``, ``>``, ``<=``, ``<``, ``=`` compare directly; ``between`` is inclusive;
``about`` passes when ``|actual - value| <= tolerance``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

OPERATORS = (">=", ">", "<=", "<", "=", "about", "between")
_FIELDS = {
    "id",
    "name",
    "name_vi",
    "indicator",
    "year",
    "operator",
    "value",
    "max",
    "tolerance",
    "tolerance_basis",
    "unit",
    "province",
    "source",
    "assumption",
}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
SHIPPED_PREFIX = "data:"
_SHIPPED = re.compile(r"^data:targets/[a-z0-9][a-z0-9_-]*\.yaml$")
#: Most targets one scenario may declare (includes counted).
MAX_TARGETS = 500


def rounding_tolerance(value: float) -> float:
    """Half a unit of the last non-zero digit of a whole figure (150 -> 5, 6 -> 0.5, 2000 -> 500, 0.8 -> 0.05).

    The reading of "about X" when the source gives no band: X as the source rounded it.
    """
    if value == 0:
        return 0.0
    text = f"{abs(value):.10f}".rstrip("0").rstrip(".")
    if "." in text:
        return 0.5 * 10.0 ** -len(text.split(".")[1])
    digits = text.rstrip("0")
    return 0.5 * 10.0 ** (len(text) - len(digits))


@dataclass(frozen=True)
class Target:
    """One target: ``indicator`` compared with ``value`` by ``operator`` in ``year``."""

    id: str
    name: str
    indicator: str
    year: int
    operator: str
    value: float
    value_max: float | None = None
    tolerance: float | None = None
    tolerance_basis: str = ""
    unit: str = ""
    source: str = ""
    name_vi: str = ""
    province: str | None = None
    line: int | None = None

    def band(self) -> tuple[float, float]:
        """The interval of passing values (open ends as infinities; strictness in :meth:`meets`)."""
        if self.operator == "about":
            tol = self.tolerance if self.tolerance is not None else rounding_tolerance(self.value)
            return self.value - tol, self.value + tol
        if self.operator == "between":
            return self.value, self.value_max if self.value_max is not None else self.value
        if self.operator in (">=", ">"):
            return self.value, math.inf
        if self.operator in ("<=", "<"):
            return -math.inf, self.value
        return self.value, self.value

    def meets(self, actual: float) -> bool:
        """Whether ``actual`` passes the target."""
        if self.operator == ">":
            return actual > self.value
        if self.operator == "<":
            return actual < self.value
        if self.operator == "=":
            return abs(actual - self.value) <= 1e-9 * max(1.0, abs(self.value))
        low, high = self.band()
        return low - 1e-9 <= actual <= high + 1e-9

    def rule(self) -> str:
        """The rule in words and symbols: ``≥ 6``, ``about 150 ± 5 ha``, ``between 8 and 10 %``."""
        unit = f" {self.unit}" if self.unit else ""
        if self.operator == "about":
            low, high = self.band()
            return f"about {_num(self.value)}{unit} (± {_num(self.value - low)}: {_num(low)}–{_num(high)})"
        if self.operator == "between":
            return f"between {_num(self.value)} and {_num(self.value_max or self.value)}{unit}"
        symbol = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}[self.operator]
        return f"{symbol} {_num(self.value)}{unit}"


def _num(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value is not None else ""


def parse_targets(value, builder) -> tuple[tuple[Target, ...], tuple[str, ...]]:
    """The inline targets and the include files of a ``targets:`` value (``builder``: model._Builder)."""
    if value is None:
        return (), ()
    if not isinstance(value, list):
        raise builder.error("targets must be a list of targets or {include: file}", "targets")
    inline, files = [], []
    for i, item in enumerate(value[:MAX_TARGETS]):
        where = f"targets[{i}]"
        if isinstance(item, dict) and set(item) == {"include"}:
            if not isinstance(item["include"], str):
                raise builder.error("include must be a file name", f"{where}.include")
            files.append(item["include"])
            continue
        inline.append(build_target(item, where, builder.error, builder.lines.get(where)))
    if len(value) > MAX_TARGETS:
        raise builder.error(f"at most {MAX_TARGETS} targets", "targets")
    ids = [t.id for t in inline]
    for dup in sorted({x for x in ids if ids.count(x) > 1}):
        raise builder.error(f"target id {dup!r} is used twice", "targets")
    return tuple(inline), tuple(files)


def build_target(item, where: str, error, line: int | None = None) -> Target:
    """One target from plain data; ``error(message, where)`` makes the ScenarioError."""
    if not isinstance(item, dict):
        raise error("a target is a mapping (id, name, indicator, year, operator, value, source)", where)
    unknown = sorted(set(item) - _FIELDS)
    if unknown:
        raise error(f"unknown field {unknown[0]!r} (known: {', '.join(sorted(_FIELDS))})", f"{where}.{unknown[0]}")
    for key in ("id", "name", "indicator", "year", "operator", "value"):
        if key not in item:
            raise error(f"missing required field {key!r}", where)
    if not item.get("source") and not item.get("assumption"):
        raise error("a target needs a source (publisher, title, date) or an assumption", where)
    if not isinstance(item["id"], str) or not _SLUG.match(item["id"]):
        raise error("id must be a lower-case slug", f"{where}.id")
    for key in ("name", "name_vi", "indicator", "unit", "tolerance_basis", "province", "source", "assumption"):
        if key in item and not isinstance(item[key], str):
            raise error(f"{key} must be text", f"{where}.{key}")
    if not isinstance(item["year"], int) or isinstance(item["year"], bool):
        raise error("year must be a whole year", f"{where}.year")
    operator = item["operator"]
    if operator not in OPERATORS:
        raise error(f"operator must be one of {', '.join(OPERATORS)}, got {operator!r}", f"{where}.operator")
    value = _number(item["value"], f"{where}.value", error)
    vmax = None
    tolerance = None
    if operator == "between":
        if "max" not in item:
            raise error("between needs max (the upper bound)", where)
        vmax = _number(item["max"], f"{where}.max", error)
        if vmax < value:
            raise error("max is below value", f"{where}.max")
    elif "max" in item:
        raise error("max is only for between", f"{where}.max")
    if operator == "about":
        if "tolerance" not in item:
            raise error("about needs its tolerance written (in the unit, or like '5%'): see docs/scenarios.md", where)
        raw = item["tolerance"]
        match = _PERCENT.match(raw) if isinstance(raw, str) else None
        tolerance = abs(value) * float(match.group(1)) / 100 if match else _number(raw, f"{where}.tolerance", error)
        if tolerance < 0:
            raise error("tolerance must not be negative", f"{where}.tolerance")
    elif "tolerance" in item:
        raise error("tolerance is only for about", f"{where}.tolerance")
    source = item.get("source") or f"assumption: {item['assumption']}"
    return Target(
        id=item["id"],
        name=item["name"],
        indicator=item["indicator"],
        year=item["year"],
        operator=operator,
        value=value,
        value_max=vmax,
        tolerance=tolerance,
        tolerance_basis=item.get("tolerance_basis", ""),
        unit=item.get("unit", ""),
        source=source,
        name_vi=item.get("name_vi", ""),
        province=item.get("province"),
        line=line,
    )


def _number(value, where: str, error) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise error("must be a number", where)
    return float(value)


def is_shipped(name: str) -> bool:
    """A ``data:targets/<slug>.yaml`` name: a target file shipped with geozones (no file of the user's)."""
    return bool(_SHIPPED.match(name))
