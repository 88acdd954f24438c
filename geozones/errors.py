"""Exception classes raised by geozones.

Every error the library raises on purpose subclasses :class:`GeozonesError` and a built-in,
so callers can catch the library's errors as a group (``except GeozonesError``), a specific
class, or the built-in (``except ValueError``), following osmnx's ``_errors.py``. The API maps
these, and only these, to 4xx responses (``geozones.api.errors.STATUS_TABLE``); anything else
is a bug and answers 500.

This module imports nothing from geozones: every other module may import it.
"""

from __future__ import annotations


class GeozonesError(Exception):
    """Base class of every error geozones raises on purpose (bad input, missing data, store state)."""


class InvalidParameterError(GeozonesError, ValueError):
    """A function argument or request parameter has a value geozones cannot use."""


class MissingFileError(GeozonesError, FileNotFoundError):
    """A file geozones was asked to read (or its shipped data) does not exist."""


class NotFoundError(GeozonesError, KeyError):
    """A named thing (zone, API key, layer) does not exist."""

    def __str__(self) -> str:  # KeyError repr-quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class ZoneValidationError(GeozonesError, ValueError):
    """A zone record breaks the schema.

    Parameters
    ----------
    message : str
        What is wrong.
    record : str or None
        The id (or row position) of the offending record.
    field : str or None
        The offending field.
    """

    #: Every problem found, when one error reports several (``validate_zones``).
    problems: list

    def __init__(self, message: str, record: str | None = None, field: str | None = None):
        self.problems = []
        self.record = record
        self.field = field
        where = []
        if record is not None:
            where.append(f"record {record!r}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = f"{', '.join(where)}: " if where else ""
        super().__init__(prefix + message)


class GeometryError(ZoneValidationError):
    """A geometry is missing, empty, of the wrong type, or invalid (e.g. self-intersecting)."""


class CRSError(GeozonesError, ValueError):
    """A layer has no CRS, the wrong CRS, or a CRS geozones cannot use for metric work."""


class MissingCRSError(CRSError):
    """A layer carries no CRS and none was given."""


class AxisOrderError(CRSError):
    """Coordinates look swapped (lat/lon instead of lon/lat, or northing/easting)."""


class UnsupportedFormatError(GeozonesError, ValueError):
    """A file's format or extension is not one geozones reads or writes."""


class UnknownAttributeError(NotFoundError):
    """A requested attribute (e.g. a ``by=`` column) or layer does not exist."""


class ZoneNotFoundError(NotFoundError):
    """No zone with the given id."""


class StoreError(GeozonesError, RuntimeError):
    """The zone store could not complete an operation; its previous state is intact."""


class RasterError(GeozonesError, ValueError):
    """A raster cannot be used: not north-up, non-square cells, wrong CRS, or a bad grid."""


class ScenarioError(GeozonesError, ValueError):
    """A scenario file or object is invalid; the message names the file, line and field.

    Parameters
    ----------
    message : str
        What is wrong.
    path : str or None
        The scenario file.
    line : int or None
        1-based line in the file.
    field : str or None
        Dotted path of the offending field, e.g. ``actions[2].target_ha``.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None, field: str | None = None):
        self.path, self.line, self.field, self.reason = path, line, field, message
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f":{line}"
            where += ": "
        elif line is not None:
            where = f"line {line}: "
        if field is not None:
            where += f"{field}: "
        super().__init__(where + message)


class ScenarioErrors(ScenarioError):
    """Several problems in one scenario, each a :class:`ScenarioError` with its file:line (``errors``).

    Its own ``path``, ``line`` and ``field`` are the first problem's.
    """

    def __init__(self, errors: list[ScenarioError]):
        self.errors = list(errors)
        first = self.errors[0]
        text = f"{len(self.errors)} problems:\n" + "\n".join(f"  {e}" for e in self.errors)
        ValueError.__init__(self, text)
        self.path, self.line, self.field, self.reason = first.path, first.line, first.field, text


def raise_all(errors: list[ScenarioError]) -> None:
    """Raise nothing, the one error, or a :class:`ScenarioErrors` holding them all."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ScenarioErrors(sorted(errors, key=lambda e: (str(e.path), e.line or 0)))


class SuitabilityError(GeozonesError, ValueError):
    """Suitability inputs are unusable: bad pairwise judgements, weights or criterion rasters."""


class GrowthError(GeozonesError, ValueError):
    """A zone cannot be grown: no allowed land around it, or bad parameters."""


class EmptyLayerError(GeozonesError, ValueError):
    """A layer (or the part of it a query selects, e.g. substations of at least 110 kV) has no features."""


class ConflictError(GeozonesError, RuntimeError):
    """An edit conflicts with the stored state (e.g. a zone id that already exists)."""


class PreconditionFailedError(ConflictError):
    """The zone changed since the caller read it: its ETag no longer matches ``If-Match``."""


class VersionNotFoundError(ZoneNotFoundError):
    """No such version in a zone's history."""


class FetchError(GeozonesError, RuntimeError):
    """Fetching data from a remote service (Overpass API, Copernicus DEM tiles) failed."""


class FetchHTTPError(FetchError):
    """An HTTP request failed (a status code, or no answer at all after the retries).

    Parameters
    ----------
    url : str
        The requested URL.
    status : int or None
        The HTTP status; ``None`` when the server did not answer (time-out, refused connection).
    detail : str
        The server's message or the network error.
    """

    def __init__(self, url: str, status: int | None, detail: str = ""):
        self.url, self.status, self.detail = url, status, detail
        what = f"HTTP {status}" if status is not None else "no answer"
        super().__init__(f"{url}: {what}" + (f": {detail}" if detail else ""))


class ResponseTooLargeError(FetchError):
    """A remote response is larger than the configured bound."""


class OverpassError(FetchError):
    """The Overpass server answered but reported a runtime error (time-out, out of memory) or sent no JSON."""


class EmptyResultError(FetchError, EmptyLayerError):
    """A remote service returned nothing for the area (no feature, or no DEM tile)."""


class AreaError(InvalidParameterError):
    """A bounding box or province cannot be fetched: malformed, outside Vietnam, or too large."""


class PlacementError(ZoneValidationError):
    """A zone is not where its attributes say, overlaps another park's zone, or has a malformed id.

    Parameters
    ----------
    message : str
        What is wrong.
    record : str or None
        The zone's id.
    field : str or None
        The field concerned.
    check : str
        The check that failed (``id``, ``province``, ``district``, ``overlap``, ``area``).
    fix : str
        What to do about it.
    """

    def __init__(self, message: str, record: str | None, field: str | None, check: str, fix: str):
        self.check = check
        self.fix = fix
        self.problem = message
        super().__init__(f"{message}; {fix} (or --allow {check})", record=record, field=field)


class WorkLimitError(GeozonesError, ValueError):
    """A request needs more than its budget: too many vertices, too long a repair, too large a body."""


class BudgetError(WorkLimitError):
    """A request or call asks for more work than its budget: too many years, scenarios or draws, or it
    ran past its deadline. The message names the limit and the setting that raises it (``setting``)."""

    def __init__(self, message: str, setting: str | None = None):
        self.setting = setting
        super().__init__(message)


class ScenarioBudgetError(ScenarioError, BudgetError):
    """A scenario over a budget (its timeline, its draws): a :class:`ScenarioError` naming the field too."""

    def __init__(self, message: str, path: str | None = None, field: str | None = None, setting: str | None = None):
        ScenarioError.__init__(self, message, path, None, field)  # (its super() is BudgetError's, setting None)
        self.setting = setting


class WorkersBusyError(WorkLimitError):
    """Every worker for heavy geometry steps is busy; try again shortly."""


class InputTooLargeError(WorkLimitError):
    """A file would cost more than geozones reads from one: a sidecar, a GeoParquet row group, a raster."""
