"""Access control: API keys with roles, a write rate limit, and request size limits.

Reads are open unless ``read_requires_key`` is set (then every request but ``/health`` and
CORS preflights needs at least a viewer key, whatever its method). Writes need a key -- sent as
``Authorization: Bearer <key>`` or ``X-API-Key: <key>`` -- whose role is high enough:
``editor`` for zone edits, ``admin`` for key management. Keys are checked against the
salted scrypt hashes in the keys file (:mod:`geozones.store.keys`); a key that passed once
is remembered (by its SHA-256) until the keys file changes, so the scrypt cost is paid
once per key, not per request.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from geozones.api.errors import APIError, exception_body
from geozones.api.settings import Settings
from geozones.store.keys import ApiKey, default_keys_path, load_keys, role_at_least, verify_key


class AuthError(APIError):
    """401: no usable credentials."""

    def __init__(self, detail: str):
        super().__init__(401, detail, "Unauthorized", headers={"WWW-Authenticate": 'Bearer realm="geozones"'})


class ForbiddenError(APIError):
    """403: a valid key whose role is too low."""

    def __init__(self, detail: str):
        super().__init__(403, detail, "Forbidden")


class RateLimitedError(APIError):
    """429: too many writes from one key."""

    def __init__(self, retry_after: float):
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            429,
            f"too many writes with this key; retry in {seconds} s",
            "TooManyRequests",
            headers={"Retry-After": str(seconds)},
        )


class PayloadTooLargeError(APIError):
    """413: the request body is larger than ``max_upload_bytes``."""

    def __init__(self, limit: int, setting: str = "max_upload_bytes"):
        super().__init__(
            413, f"request body larger than the limit of {limit} bytes (setting {setting})", "PayloadTooLarge"
        )


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, name and role."""

    key_id: str
    name: str
    role: str

    @property
    def actor(self) -> str:
        """How edits by this key are recorded in the history."""
        return f"{self.name} [{self.key_id}]"


class KeyRing:
    """The keys file, re-read when it changes, with a cache of keys already verified."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._keys: list[ApiKey] = []
        self._verified: dict[str, ApiKey] = {}

    def _refresh(self) -> None:
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            self._keys = load_keys(self.path) if stamp else []
            self._verified = {}
            self._stamp = stamp

    def check(self, secret: str) -> ApiKey | None:
        fingerprint = hashlib.sha256(secret.encode()).hexdigest()
        with self._lock:
            self._refresh()
            if fingerprint in self._verified:
                return self._verified[fingerprint]
            keys = list(self._keys)
        key = verify_key(secret, keys)
        if key is not None:
            with self._lock:
                self._verified[fingerprint] = key
        return key

    def empty(self) -> bool:
        with self._lock:
            self._refresh()
            return not self._keys


class TokenBucket:
    """Per-key token buckets: ``burst`` writes at once, refilled at ``per_minute``."""

    def __init__(self, per_minute: float, burst: int):
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when a write may go ahead, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate


def _credentials(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise AuthError("the Authorization header must be 'Bearer <API key>'")
        return value.strip()
    return request.headers.get("x-api-key") or None


def principal(request: Request, needed: str) -> Principal:
    """The caller's identity, or AuthError (401) / ForbiddenError (403) naming what is missing."""
    ring: KeyRing = request.app.state.keyring
    secret = _credentials(request)
    if secret is None:
        hint = (
            " (no keys are configured yet: create one with `geozones keys create --role editor`)"
            if ring.empty()
            else ""
        )
        raise AuthError(
            f"this request needs an API key with the {needed} role: send 'Authorization: Bearer "
            f"<key>' or 'X-API-Key: <key>'{hint}"
        )
    key = ring.check(secret)
    if key is None:
        raise AuthError("the API key is not valid (unknown, revoked or mistyped)")
    if not role_at_least(key.role, needed):
        raise ForbiddenError(f"key {key.id!r} has the {key.role} role; this request needs {needed}")
    return Principal(key.id, key.name, key.role)


def require(role: str):
    """A dependency: the caller must hold ``role`` (writes also pass the rate limit)."""

    def dependency(request: Request) -> Principal:
        who = principal(request, role)
        if role != "viewer":
            wait = request.app.state.write_limiter.take(who.key_id)
            if wait:
                raise RateLimitedError(wait)
        return who

    return dependency


def reader(request: Request) -> Principal | None:
    """Reads: open by default; a viewer key when ``read_requires_key`` is set."""
    if request.app.state.settings.read_requires_key:
        return principal(request, "viewer")
    return None


Editor = Annotated[Principal, Depends(require("editor"))]
Admin = Annotated[Principal, Depends(require("admin"))]
Reader = Annotated[Principal | None, Depends(reader)]

#: Paths always open (liveness checks, API description).
OPEN_PATHS = ("/health",)


class SecurityMiddleware:
    """Pure ASGI middleware: the request size limit, and closed reads when configured.

    A body with a Content-Length over the limit is refused before it is read; a
    streamed body (no Content-Length) is read up to the limit and then replayed.
    """

    def __init__(self, app, settings: Settings):
        self.app = app
        self.limit = settings.max_upload_bytes
        self.settings = settings

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        # Closed reads cover every method (POST analysis routes answer zone data too); only
        # CORS preflights and the liveness check stay open. Writes check their own role after this.
        if self.settings.read_requires_key and scope["method"] != "OPTIONS" and scope["path"] not in OPEN_PATHS:
            try:
                principal(Request(scope), "viewer")
            except APIError as error:
                return await _send_error(send, error)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.limit:
                return await _send_error(send, PayloadTooLargeError(self.limit))
            return await self.app(scope, receive, send)
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            return await self.app(scope, receive, send)
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return await self.app(scope, receive, send)  # client went away: let the app see it
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                return await _send_error(send, PayloadTooLargeError(self.limit))
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


async def _send_error(send, error: APIError) -> None:
    response = JSONResponse(
        exception_body(error.status, error.code, error.detail), status_code=error.status, headers=error.headers
    )
    await send({"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


def install(app: FastAPI, settings: Settings) -> None:
    """Attach the key ring, the write limiter and the middlewares to ``app``."""
    app.state.keyring = KeyRing(Path(settings.keys_file) if settings.keys_file else default_keys_path())
    app.state.write_limiter = TokenBucket(settings.write_rate_per_minute, settings.write_burst)
    app.add_middleware(SecurityMiddleware, settings=settings)
