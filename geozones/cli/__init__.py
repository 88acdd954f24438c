"""The ``geozones`` command line (typer + rich). Each concept registers its commands here."""

from __future__ import annotations

import sys

import typer

from geozones.cli import store as _store
from geozones.cli import zones as _zones

app = typer.Typer(
    name="geozones",
    help="Industrial-zone planning toolkit for northern Vietnam: zones, areas, exports, analysis.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
app.callback()(_zones.global_options)
_zones.register(app)
_store.register(app)


def main() -> None:
    """Entry point: run the app, turning geozones errors into one red line and an exit code."""
    from geozones.cli._output import run_with_errors

    sys.exit(run_with_errors(app))
