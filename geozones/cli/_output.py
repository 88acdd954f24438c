"""Shared CLI output: rich tables from DataFrames, and error handling with exit codes."""

from __future__ import annotations

import math

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from geozones._errors import CRSError, StoreError, UnknownAttributeError, UnsupportedFormatError, ZoneNotFoundError
from geozones._errors import ZoneValidationError

console = Console()
err_console = Console(stderr=True)

#: Exit codes: 0 ok, 1 unexpected failure, 2 bad input (file, CRS, attribute, schema), 3 store failure.
INPUT_ERRORS = (ZoneValidationError, CRSError, UnsupportedFormatError, UnknownAttributeError, ZoneNotFoundError,
                FileNotFoundError, ValueError)


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


def fail(message: str, code: int = 2) -> None:
    """Print an error in red and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def run_with_errors(app: typer.Typer) -> int:
    """Run a typer app; map geozones errors to a message and an exit code."""
    try:
        result = app(standalone_mode=False)
        if isinstance(result, int) and not isinstance(result, bool):
            return result  # click returns a typer.Exit's code instead of raising when not standalone
    except typer.Exit as exc:
        return exc.exit_code
    except (KeyboardInterrupt, EOFError):
        err_console.print("aborted")
        return 130
    except StoreError as exc:
        err_console.print(f"[bold red]store error:[/] {exc}", highlight=False)
        return 3
    except INPUT_ERRORS as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        return 2
    except Exception as exc:  # click's own usage errors and anything unexpected
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        if isinstance(exc, click.exceptions.Abort):
            return 1
        raise
    return 0
