"""Reading scenario files (YAML or TOML) with line numbers for every field.

YAML is composed into nodes first (``yaml.compose``) so each mapping key and list item
keeps its start mark; TOML (``tomllib``) has no marks, so lines come from a scan of the
table headers and keys. Errors name the file, the line and the field path
(``actions[2].to_ha``).
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import yaml

from geozones.errors import ScenarioError
from geozones.scenario.model import Scenario


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read and validate a scenario file (``.yaml``/``.yml`` or ``.toml``).

    Raises
    ------
    ScenarioError
        With the file name, line and field of the first problem.
    FileNotFoundError
        When the file does not exist.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        data, lines = parse_yaml(text, str(path))
    elif suffix == ".toml":
        data, lines = parse_toml(text, str(path))
    else:
        raise ScenarioError("scenario files are .yaml, .yml or .toml", str(path))
    return Scenario.from_dict(data, path=str(path), lines=lines)


def loads_scenario(text: str, fmt: str = "yaml", name: str = "<string>") -> Scenario:
    """Validate a scenario given as YAML or TOML text."""
    data, lines = parse_yaml(text, name) if fmt == "yaml" else parse_toml(text, name)
    return Scenario.from_dict(data, path=name, lines=lines)


# --- YAML ----------------------------------------------------------------------------------


def parse_yaml(text: str, name: str) -> tuple[object, dict[str, int]]:
    """Parse YAML into plain data and a map ``field path -> 1-based line``."""
    try:
        _screen_yaml(text, name)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise ScenarioError("the YAML is nested too deeply", name) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ScenarioError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}", name, mark.line + 1 if mark else None
        ) from None
    if node is None:
        raise ScenarioError("the file is empty", name)
    lines: dict[str, int] = {}
    constructor = yaml.SafeLoader("")
    return _build(node, "", lines, constructor, name, _Budget()), lines


#: Most YAML nodes a scenario may hold (the largest shipped scenario has a few hundred).
MAX_YAML_NODES = 20_000
#: Deepest nesting of mappings and lists (shipped scenarios nest 4 deep).
MAX_YAML_DEPTH = 32


def _screen_flow_depth(text: str, name: str) -> None:
    """Refuse deeply nested flow collections (``[[[[...``) before PyYAML's scanner, whose work grows with
    the square of their depth. Counts brackets outside quotes and comments (a conservative bound)."""
    depth, quote, comment = 0, "", False
    for line_number, line in enumerate(text.splitlines(), 1):
        comment, quote = False, ""  # quoted scalars in scenarios fit on one line
        for i, char in enumerate(line):
            if quote:
                if char == quote:
                    quote = ""
            elif comment:
                break
            elif char in "'\"" and (i == 0 or line[i - 1] in " \t:[{,"):
                quote = char
            elif char == "#" and (i == 0 or line[i - 1] in " \t"):
                comment = True
            elif char in "[{":
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise ScenarioError(f"the YAML is nested more than {MAX_YAML_DEPTH} levels deep", name, line_number)
            elif char in "]}":
                depth = max(0, depth - 1)


def _screen_yaml(text: str, name: str) -> None:
    """Walk the parser's events (iterative, cheap) before composing: no aliases, bounded depth and size.

    An alias is refused outright (expanding nested aliases turns a few hundred bytes into gigabytes),
    and so is nesting deeper than :data:`MAX_YAML_DEPTH` (the composer recurses once per level).
    """
    _screen_flow_depth(text, name)
    depth = events = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        events += 1
        if isinstance(event, yaml.AliasEvent):
            raise ScenarioError(
                "YAML aliases (*name) are not allowed in scenarios; write the value out",
                name,
                event.start_mark.line + 1,
            )
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise ScenarioError(
                    f"the YAML is nested more than {MAX_YAML_DEPTH} levels deep", name, event.start_mark.line + 1
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if events > 2 * MAX_YAML_NODES:
            raise ScenarioError(f"the scenario has more than {MAX_YAML_NODES:,} YAML values", name)


class _Budget:
    """Counts the nodes built and refuses aliases: an alias is expanded by copying, so a few
    nested ones make a tiny file build gigabytes (a "billion laughs" bomb)."""

    def __init__(self) -> None:
        self.seen: set[int] = set()

    def visit(self, node, name: str) -> None:
        if id(node) in self.seen:
            raise ScenarioError(
                "YAML aliases (*name) are not allowed in scenarios; write the value out", name, node.start_mark.line + 1
            )
        self.seen.add(id(node))
        if len(self.seen) > MAX_YAML_NODES:
            raise ScenarioError(f"the scenario has more than {MAX_YAML_NODES:,} YAML values", name)


def _build(node, where: str, lines: dict[str, int], constructor, name: str, budget: _Budget):
    budget.visit(node, name)
    lines[where] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            budget.visit(key_node, name)
            if not isinstance(key_node, yaml.ScalarNode):
                raise ScenarioError("keys must be text", name, key_node.start_mark.line + 1, where or None)
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise ScenarioError(
                    f"keys must be text, got {key!r}", name, key_node.start_mark.line + 1, where or None
                )
            if key in out:
                raise ScenarioError(f"duplicate key {key!r}", name, key_node.start_mark.line + 1, where or None)
            child = f"{where}.{key}" if where else key
            out[key] = _build(value_node, child, lines, constructor, name, budget)
            lines[child] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, f"{where}[{i}]", lines, constructor, name, budget) for i, item in enumerate(node.value)]
    return constructor.construct_object(node, deep=True)


# --- TOML ----------------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


def parse_toml(text: str, name: str) -> tuple[object, dict[str, int]]:
    """Parse TOML into plain data and a map ``field path -> 1-based line`` (tables, array tables, keys)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ScenarioError(f"not valid TOML: {exc}", name, int(match.group(1)) if match else None) from None
    return data, _toml_lines(text)


def _toml_lines(text: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    counters: dict[str, int] = {}
    table = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(raw)
        if header and not raw.lstrip().startswith(("#",)):
            key = header.group(2).replace('"', "").replace("'", "").strip()
            if header.group(1) == "[[":
                parent, _, leaf = key.rpartition(".")
                index = counters.get(key, 0)
                counters[key] = index + 1
                table = f"{_path(parent, lines)}{'.' if parent else ''}{leaf}[{index}]"
            else:
                table = _path(key, lines)
            lines.setdefault(table, number)
            continue
        match = _KEY.match(raw)
        if match:
            path = f"{table}.{match.group(1)}" if table else match.group(1)
            lines.setdefault(path, number)
    return lines


def _path(dotted: str, lines: dict[str, int]) -> str:
    """Resolve ``constraints.exclusions`` style names against array tables already seen."""
    if not dotted:
        return ""
    parts, built = dotted.split("."), ""
    for part in parts:
        candidate = f"{built}.{part}" if built else part
        pattern = re.compile(re.escape(candidate) + r"\[\d+\]$")
        indexed = [k for k in lines if pattern.match(k)]
        built = max(indexed, key=lambda k: lines[k]) if indexed else candidate
    return built
