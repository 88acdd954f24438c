"""One table mapping library exceptions to HTTP status codes, and OGC exception bodies."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from geozones.errors import (
    BudgetError,
    ConflictError,
    CRSError,
    GeozonesError,
    MissingFileError,
    NotFoundError,
    PreconditionFailedError,
    StoreError,
    WorkersBusyError,
    WorkLimitError,
)

logger = logging.getLogger("geozones.api")


class APIError(Exception):
    """An error with an HTTP status, raised by routers."""

    def __init__(self, status: int, detail: str, code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.headers = headers


class InvalidParameter(APIError):
    """A query parameter is unknown or has a bad value (OGC: 400 InvalidParameterValue)."""

    def __init__(self, detail: str):
        super().__init__(400, detail, "InvalidParameterValue")


class NotFound(APIError):
    def __init__(self, detail: str):
        super().__init__(404, detail, "NotFound")


#: Library exception -> (HTTP status, OGC exception code). First match wins. Only geozones' own
#: errors (:class:`geozones.errors.GeozonesError`) are the client's doing; any other exception is a
#: bug and answers 500 with a generic message (its traceback goes to the log).
STATUS_TABLE: list[tuple[type[GeozonesError], int, str]] = [
    (NotFoundError, 404, "NotFound"),
    (MissingFileError, 404, "NotFound"),
    (PreconditionFailedError, 412, "PreconditionFailed"),
    (ConflictError, 409, "Conflict"),
    (WorkersBusyError, 429, "TooManyRequests"),
    (BudgetError, 422, "LimitExceeded"),
    (WorkLimitError, 400, "LimitExceeded"),
    (StoreError, 503, "ServiceUnavailable"),
    (CRSError, 400, "InvalidParameterValue"),
    (GeozonesError, 400, "InvalidParameterValue"),
]


def exception_body(status: int, code: str, description: str) -> dict:
    """OGC API exception body (``code``, ``description``) plus RFC 7807-style fields."""
    return {"code": code, "description": description, "status": status, "title": code, "detail": description}


def _response(status: int, code: str, description: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        exception_body(status, code, description), status_code=status, media_type="application/json", headers=headers
    )


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``: library errors, API errors, validation errors (400, not 422)."""

    @app.exception_handler(APIError)
    async def _api_error(request: Request, exc: APIError):
        return _response(
            exc.status, exc.code or ("NotFound" if exc.status == 404 else "Error"), exc.detail, exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        parts = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "body", "path"))
            parts.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
        return _response(400, "InvalidParameterValue", "; ".join(parts) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = {404: "NotFound", 405: "MethodNotAllowed", 406: "NotAcceptable"}.get(exc.status_code, "Error")
        return _response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(GeozonesError)
    async def _library(request: Request, exc: GeozonesError):
        for cls, status, code in STATUS_TABLE:
            if isinstance(exc, cls):
                return _response(status, code, str(exc))
        return _response(400, "InvalidParameterValue", str(exc))  # pragma: no cover - the table ends with the base

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception):
        logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return _response(500, "ServerError", "internal server error; the traceback is in the server log")
