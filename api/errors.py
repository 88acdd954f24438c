"""One table mapping library exceptions to HTTP status codes, and OGC exception bodies."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from geozones._errors import (
    ConflictError,
    CRSError,
    PreconditionFailedError,
    StoreError,
    WorkersBusyError,
    WorkLimitError,
    UnknownAttributeError,
    UnsupportedFormatError,
    ZoneNotFoundError,
    ZoneValidationError,
)


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


#: Library exception -> (HTTP status, OGC exception code). Order matters: first match wins.
STATUS_TABLE: list[tuple[type[BaseException], int, str]] = [
    (ZoneNotFoundError, 404, "NotFound"),
    (PreconditionFailedError, 412, "PreconditionFailed"),
    (ConflictError, 409, "Conflict"),
    (FileNotFoundError, 404, "NotFound"),
    (WorkersBusyError, 429, "TooManyRequests"),
    (WorkLimitError, 400, "LimitExceeded"),
    (ZoneValidationError, 400, "InvalidParameterValue"),
    (CRSError, 400, "InvalidParameterValue"),
    (UnsupportedFormatError, 400, "InvalidParameterValue"),
    (UnknownAttributeError, 400, "InvalidParameterValue"),
    (StoreError, 503, "ServiceUnavailable"),
    (ValueError, 400, "InvalidParameterValue"),
]


def exception_body(status: int, code: str, description: str) -> dict:
    """OGC API exception body (``code``, ``description``) plus RFC 7807-style fields."""
    return {"code": code, "description": description, "status": status, "title": code, "detail": description}


def _response(status: int, code: str, description: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(exception_body(status, code, description), status_code=status,
                        media_type="application/json", headers=headers)


def status_for(exc: BaseException) -> tuple[int, str]:
    """The HTTP status and code for a library exception."""
    for cls, status, code in STATUS_TABLE:
        if isinstance(exc, cls):
            return status, code
    return 500, "ServerError"


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``: library errors, API errors, validation errors (400, not 422)."""

    @app.exception_handler(APIError)
    async def _api_error(request: Request, exc: APIError):
        return _response(exc.status, exc.code or ("NotFound" if exc.status == 404 else "Error"), exc.detail,
                         exc.headers)

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

    for cls, status, code in STATUS_TABLE:
        def handler(request: Request, exc: BaseException, status=status, code=code):
            return _response(status, code, str(exc))

        app.add_exception_handler(cls, handler)
