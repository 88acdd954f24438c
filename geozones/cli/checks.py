"""Options and checks shared by ``geozones validate`` and ``geozones store import``.

``--field-map TEN_KCN=name`` maps a survey office's own column names to schema fields;
``--allow overlap`` (and ``id``, ``province``, ``district``, ``area``) accepts a kind of
placement problem the user means.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.markup import escape

from geozones.cli._output import console, fail

FieldMapOption = Annotated[
    Optional[list[str]],  # noqa: UP045  (typer < 0.15 cannot read X | None here)
    typer.Option(
        "--field-map",
        help="Map a column of the file to a schema field: COLUMN=field, e.g. "
        "TEN_KCN=name (repeat, or separate with commas).",
    ),
]
EncodingOption = Annotated[
    Optional[str],  # noqa: UP045  (typer < 0.15 cannot read X | None here)
    typer.Option(
        "--encoding",
        help="Text encoding of a shapefile's .dbf: utf-8, cp1258, tcvn3 (ABC), vni, cp1252 "
        "(default: the .cpg's, or detected from the text, with a warning naming it).",
    ),
]
SetOption = Annotated[
    Optional[list[str]],  # noqa: UP045  (typer < 0.15 cannot read X | None here)
    typer.Option(
        "--set",
        help="Fill a field for every row where the file leaves it empty: FIELD=VALUE, e.g. --set kind=KCN "
        "--set 'sources=Sở KH&ĐT Lạng Sơn 2024' (repeat).",
    ),
]
AllowOption = Annotated[
    Optional[list[str]],  # noqa: UP045  (typer < 0.15 cannot read X | None here)
    typer.Option(
        "--allow",
        help="Accept a kind of placement problem: id, province, district, overlap, area (repeat for several).",
    ),
]


def field_map(items: list[str] | None) -> dict[str, str]:
    """The ``--field-map`` options as a dict (bad syntax is an input error)."""
    from geozones.io.shapefile import parse_field_map

    return parse_field_map(items)


def allowed(items: list[str] | None) -> list[str]:
    """The ``--allow`` options, checked against the known checks."""
    from geozones.placement import CHECKS

    values = [v.strip() for item in items or [] for v in item.split(",") if v.strip()]
    unknown = [v for v in values if v not in CHECKS]
    if unknown:
        fail(f"--allow {', '.join(unknown)}: choose from {', '.join(CHECKS)}")
    return values


def placement_or_fail(ctx: typer.Context, zones, label: str, allow: list[str], replace: bool = False) -> None:
    """Check where the zones lie (against the store's boundaries and zones); list every problem and exit 2."""
    from geozones.cli._output import store_from
    from geozones.placement import Boundaries, check_incoming

    store = store_from(ctx)
    problems = check_incoming(zones, store.zones(), Boundaries.from_store(store), replace=replace, allow=allow)
    if problems:
        for problem in problems:
            console.print(f"[red]✗[/] {escape(str(problem))}", highlight=False, soft_wrap=True)
        fail(f"{label}: {len(problems)} placement problem(s)")


def prepare_office_file(ctx: typer.Context, frame, constants: list[str] | None):
    """An office file as the schema wants it: Vietnamese column names and status labels, ``--set``
    constants, province and district from the geometry, derived names, lower-case ids; each step said."""
    from geozones.cli._output import store_from
    from geozones.io import aliases
    from geozones.placement import Boundaries, derive_places

    fields, statuses = aliases.load_aliases()
    frame, renames = aliases.apply_aliases(frame, fields)
    if renames:
        shown = ", ".join(f"{k} → {v}" for k, v in renames.items())
        console.print(f"read office columns as schema fields: {escape(shown)}", highlight=False, soft_wrap=True)
    frame = aliases.apply_constants(frame, aliases.parse_constants(constants))
    frame = aliases.codes_from_labels(frame, statuses)
    store = store_from(ctx)
    if "boundaries_provinces" in store.layers():
        frame, derived = derive_places(frame, Boundaries.from_store(store))
        for column, count in derived.items():
            console.print(
                f"{column} of {count} zone(s) taken from the geometry (the store's boundaries)", highlight=False
            )
    frame = aliases.derive_names(frame)
    frame, lowered = aliases.lower_case_ids(frame)
    if lowered:
        console.print(
            f"ids in lower case, as the store takes them: {escape(', '.join(lowered[:5]))}"
            + (" …" if len(lowered) > 5 else ""),
            highlight=False,
        )
    return frame


def list_unmapped(frame) -> None:
    """Say which columns of the file are not schema fields (kept with --allow-extra)."""
    from geozones.io.shapefile import unmapped_columns

    unmapped = unmapped_columns(frame)
    if unmapped:
        console.print(
            f"[yellow]unmapped columns kept as extra attributes:[/] {escape(', '.join(unmapped))} "
            "(map them with --field-map COLUMN=field)",
            highlight=False,
            soft_wrap=True,
        )
