"""Spreadsheet-safe CSV cells: every CSV geozones writes goes through this module.

A spreadsheet program (Excel, LibreOffice Calc, Google Sheets) runs a cell that starts with
``=``, ``+``, ``-`` or ``@`` as a formula, and a leading tab or carriage return can hide such a
start; a stored zone name ``=HYPERLINK("http://x","y")`` would become a live link (OWASP, "CSV
Injection", https://owasp.org/www-community/attacks/CSV_Injection). Following that advice, a
**text** cell starting with one of those characters gets a single quote in front (``'=HYPERLINK…``),
which every spreadsheet shows as text. Embedded double quotes are doubled and a cell holding the
delimiter, a quote or a line break is wrapped in double quotes (Python's ``csv`` quoting, RFC 4180),
so a value can never spill into a neighbouring cell that starts a formula.

Numbers written as numbers (a numeric column, an ``int`` or ``float`` value) stay as they are:
``-12.5`` in a numeric column is a number to every spreadsheet, not a formula, and prefixing it
would turn it into text. Text that merely looks like a number (``"-5"`` in a text column) is text
and gets the prefix.

The machine-read sidecars (``.longtext.csv`` of a shapefile) use the *reversible* form, which also
prefixes a value that itself starts with a single quote, so :func:`restore_cell` gives back the
exact original text.

May import: nothing of geozones but the core.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

#: Characters that make a spreadsheet read a cell as a formula (OWASP): = + - @, tab, CR.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: The prefix that makes a spreadsheet show a cell as text.
TEXT_PREFIX = "'"


def csv_cell(value: Any, *, reversible: bool = False) -> Any:
    """``value`` safe for a CSV cell: text starting with a formula character gets a ``'`` in front.

    Anything that is not text (numbers, dates, missing values) is returned unchanged. With
    ``reversible`` a text starting with ``'`` is prefixed too, so :func:`restore_cell` undoes it.
    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_STARTS) or (reversible and value.startswith(TEXT_PREFIX)):
        return TEXT_PREFIX + value
    return value


def restore_cell(value: Any) -> Any:
    """The original text of a cell written with ``csv_cell(value, reversible=True)``."""
    if isinstance(value, str) and value.startswith(TEXT_PREFIX):
        return value[1:]
    return value


def csv_row(values: Iterable[Any], *, reversible: bool = False) -> list[Any]:
    """Every cell of a row through :func:`csv_cell` (for ``csv.writer.writerow``)."""
    return [csv_cell(v, reversible=reversible) for v in values]


def _is_text(series: pd.Series) -> bool:
    return (
        series.dtype == object or pd.api.types.is_string_dtype(series) or isinstance(series.dtype, pd.CategoricalDtype)
    )


def _safe_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([list(_safe_index(level)) for level in index.levels])
    if index.dtype == object or pd.api.types.is_string_dtype(index):
        return index.map(csv_cell)
    return index


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, index labels and column names are spreadsheet-safe.

    Numeric, boolean and date columns are untouched (their values are numbers, not text).
    """
    out = pd.DataFrame(frame).copy()
    for position in range(out.shape[1]):
        series = out.iloc[:, position]
        if _is_text(series):
            out.isetitem(position, series.astype(object).map(csv_cell).to_numpy())
    out.index = _safe_index(out.index)
    out.columns = _safe_index(out.columns)
    return out


def write_csv(frame: pd.DataFrame, target: str | os.PathLike | io.TextIOBase | None = None, **options) -> str | None:
    """``frame.to_csv(target, **options)`` with every text cell made safe by :func:`safe_frame`."""
    if isinstance(target, (str, os.PathLike)):
        target = Path(target)
    return safe_frame(frame).to_csv(target, **options)


def rows_to_csv(rows: Iterable[Iterable[Any]], *, lineterminator: str = "\r\n") -> str:
    """Rows of cells as CSV text, every cell through :func:`csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    for row in rows:
        writer.writerow(csv_row(row))
    return buffer.getvalue()


__all__ = ["FORMULA_STARTS", "csv_cell", "csv_row", "restore_cell", "rows_to_csv", "safe_frame", "write_csv"]
