"""One HTTP request to a remote service, bounded: a total deadline, same-origin redirects, a size bound.

* **Total deadline.** ``settings.timeout_s`` bounds the whole call (connecting, the headers, the
  whole body, every retry and back-off), not each socket read: a server that answers one byte a
  second fails at the deadline. A watchdog thread shuts the connection's socket down when the time
  is up, so even a read blocked in the middle of the headers returns.
* **Redirects only to the same origin** (scheme, host and port of the requested URL); a redirect
  elsewhere is refused, at most :data:`MAX_REDIRECTS` are followed.
* **Size bound**: ``settings.max_bytes`` (``Content-Length`` checked first, then the bytes read).
* **Retries** on HTTP 429/5xx and on no answer, with exponential back-off (``Retry-After`` wins),
  within the deadline.

May import: the core and :mod:`geozones.io.fetch.settings`.
"""

from __future__ import annotations

import functools
import http.client
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

from geozones.errors import FetchHTTPError, ResponseTooLargeError
from geozones.io.fetch.settings import FetchSettings

_RETRY_STATUS = {429, 500, 502, 503, 504}

#: Redirects followed (each to the requested URL's own origin) before giving up.
MAX_REDIRECTS = 5


class Deadline:
    """A point in time after which every socket registered with :meth:`watch` is shut down."""

    def __init__(self, seconds: float):
        self.seconds = float(seconds)
        self.end = time.monotonic() + self.seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(max(0.0, self.seconds), self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        """Seconds left (at least a millisecond, so it can be a socket time-out)."""
        return max(0.001, self.end - time.monotonic())

    def passed(self) -> bool:
        return self.expired or time.monotonic() >= self.end

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if self.expired:
                _shutdown(sock)
            else:
                self._sockets.append(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, deadline: Deadline, **kwargs):
        self.deadline = deadline
        super().__init__(*args, **kwargs)

    def connect(self) -> None:
        self.timeout = self.deadline.remaining()
        super().connect()
        self.deadline.watch(self.sock)


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, deadline: Deadline, **kwargs):
        self.deadline = deadline
        super().__init__(*args, **kwargs)

    def connect(self) -> None:
        self.timeout = self.deadline.remaining()
        super().connect()
        self.deadline.watch(self.sock)


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(functools.partial(_HTTPConnection, deadline=self.deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline):
        super().__init__()
        self.deadline = deadline

    def https_open(self, req):
        return self.do_open(functools.partial(_HTTPSConnection, deadline=self.deadline), req, context=self._context)


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of a URL, the port filled in for http and https."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.origin = origin(url)

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if origin(newurl) != self.origin:
            fp.close()
            raise FetchHTTPError(
                self.url,
                code,
                f"redirect to another origin refused ({_short(newurl, 200)}); only the same "
                "scheme, host and port are followed",
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(url: str, deadline: Deadline) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_HTTPHandler(deadline), _HTTPSHandler(deadline), _SameOriginRedirects(url))


def _retry_after(exc: urllib.error.HTTPError) -> float | None:
    value = exc.headers.get("Retry-After") if exc.headers else None
    try:
        return min(60.0, max(0.0, float(value))) if value is not None else None
    except ValueError:
        return None


def _too_slow(url: str, deadline: Deadline) -> FetchHTTPError:
    return FetchHTTPError(
        url,
        None,
        f"no complete answer within the {deadline.seconds:g}-second deadline "
        "(the whole request, not each read: --timeout / GEOZONES_FETCH_TIMEOUT)",
    )


def http_request(
    url: str,
    settings: FetchSettings,
    *,
    data: bytes | None = None,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """One HTTP request with a total deadline, retries (429/5xx/no answer, exponential back-off),
    same-origin redirects and a size bound.

    Raises
    ------
    FetchHTTPError
        Any other status, a redirect to another origin, no complete answer within
        ``settings.timeout_s`` (all attempts together), or still failing after
        ``settings.retries`` further attempts.
    ResponseTooLargeError
        The body exceeds ``settings.max_bytes``.
    """
    wait = settings.backoff_s
    with Deadline(settings.timeout_s) as deadline:
        for attempt in range(settings.retries + 1):
            request = urllib.request.Request(
                url, data=data, method=method, headers={"User-Agent": settings.user_agent, **(headers or {})}
            )
            try:
                with _opener(url, deadline).open(request, timeout=deadline.remaining()) as response:
                    if method == "HEAD":  # no body; Content-Length is the size of the resource
                        body = b""
                    else:
                        body = _read_bounded(response, url, settings.max_bytes)
                if deadline.passed():  # the watchdog cut the body short
                    raise _too_slow(url, deadline)
                return body
            except urllib.error.HTTPError as exc:
                detail = exc.read(2000).decode("utf-8", "replace").strip() if exc.fp else ""
                if exc.code in _RETRY_STATUS and attempt < settings.retries:
                    after = _retry_after(exc)
                    _sleep(wait if after is None else after, url, deadline)
                    wait *= 2
                    continue
                raise FetchHTTPError(url, exc.code, _short(detail or exc.reason)) from None
            except (OSError, http.client.HTTPException) as exc:
                if deadline.passed():
                    raise _too_slow(url, deadline) from None
                if attempt < settings.retries:
                    _sleep(wait, url, deadline)
                    wait *= 2
                    continue
                reason = getattr(exc, "reason", exc)
                raise FetchHTTPError(url, None, f"{reason} (after {settings.retries + 1} attempts)") from None
    raise AssertionError("unreachable")  # pragma: no cover


def _sleep(seconds: float, url: str, deadline: Deadline) -> None:
    if seconds >= deadline.end - time.monotonic():
        raise _too_slow(url, deadline)
    time.sleep(seconds)


def _short(text: str, limit: int = 300) -> str:
    text = re.sub(r"<[^>]+>", " ", str(text))
    text = re.sub(r"\s+", " ", text).strip()
    return text[:limit] + ("…" if len(text) > limit else "")


def _read_bounded(response, url: str, limit: int) -> bytes:
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > limit:
        raise ResponseTooLargeError(
            f"{url}: response of {int(length):,} bytes exceeds the {limit:,}-byte bound "
            "(max_bytes / GEOZONES_FETCH_MAX_MB)"
        )
    chunks, total = [], 0
    while True:
        chunk = response.read(1 << 16)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise ResponseTooLargeError(
                f"{url}: response exceeds the {limit:,}-byte bound (max_bytes / GEOZONES_FETCH_MAX_MB)"
            )
        chunks.append(chunk)
    return b"".join(chunks)


__all__ = ["MAX_REDIRECTS", "Deadline", "http_request", "origin"]
