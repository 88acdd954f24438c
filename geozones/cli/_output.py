"""Shared CLI output: rich tables from DataFrames, and error handling with exit codes."""

from __future__ import annotations

import functools
import math
import sys
import warnings

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from geozones.errors import GeozonesError, StoreError

# Piped output (logs, CI) gets a wide console instead of rich's 80-column default.
console = Console() if sys.stdout.isatty() else Console(width=160)
err_console = Console(stderr=True) if sys.stderr.isatty() else Console(stderr=True, width=160)

#: Exit codes: 0 ok, 1 unexpected failure, 2 bad input (file, CRS, attribute, schema), 3 store failure.
#: Input errors are geozones' own errors (and a path that does not exist); anything else is a bug (exit 1).
INPUT_ERRORS = (GeozonesError, FileNotFoundError)


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def print_frame(frame: pd.DataFrame, title: str | None = None, index: bool = True) -> None:
    """Print a DataFrame as a rich table (numbers right-aligned, missing values as a dash)."""
    table = Table(title=title, show_lines=False, header_style="bold")
    frame = frame.reset_index() if index and not isinstance(frame.index, pd.RangeIndex) else frame
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and frame[column].dtype != bool
        table.add_column(str(column), justify="right" if numeric else "left", overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    console.print(table)


def store_from(ctx: typer.Context):
    """The store the command line chose (``--store`` on the root command, else the default), opened."""
    from geozones.store import open_store

    path = None
    while ctx is not None and path is None:
        path = (ctx.obj or {}).get("store") if isinstance(ctx.obj, dict) else None
        ctx = ctx.parent
    return open_store(path)


def fail(message: str, code: int = 2) -> None:
    """Print an error in red and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def warning_line(message: warnings.WarningMessage) -> str:
    """A Python warning as one clean line: its category and the first line of its text, no source line."""
    text = str(message.message).strip().splitlines()[0] if str(message.message).strip() else ""
    return f"{message.category.__name__}: {text}"


def print_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Print each distinct warning once, on one yellow line on stderr."""
    seen = set()
    for message in caught:
        line = warning_line(message)
        if line not in seen:
            seen.add(line)
            err_console.print(f"[yellow]warning:[/] {escape(line)}", highlight=False, soft_wrap=True)


def handle_errors(command):
    """Decorate a command: geozones errors become one red line and an exit code (2 input, 3 store)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("default")
                try:
                    return command(*args, **kwargs)
                finally:
                    print_warnings(caught)
        except StoreError as exc:
            err_console.print(f"[bold red]store error:[/] {exc}", highlight=False)
            raise typer.Exit(3) from exc
        except INPUT_ERRORS as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(2) from exc

    return wrapper


class Typer(typer.Typer):
    """A typer app whose every command maps geozones errors to a message and an exit code.

    Use it for sub-command groups too (``geozones.cli._output.Typer(name="scenario")``).
    """

    def command(self, *args, **kwargs):
        register = super().command(*args, **kwargs)

        def decorate(function):
            register(handle_errors(function))
            return function

        return decorate
