"""gzip for every JSON, HTML and text answer of the API (investor pages included): one ASGI middleware.

* compresses when the request's ``Accept-Encoding`` takes gzip (``gzip;q=0`` refuses it) and the
  body is at least :data:`MINIMUM` bytes; streamed bodies are compressed chunk by chunk;
* only compressible media types (JSON, GeoJSON, HTML, CSV, text, XML, JavaScript, SVG, MVT);
  PDFs, images, GeoPackages and the like pass untouched;
* adds ``Vary: Accept-Encoding`` to every compressible answer, compressed or not;
* remembers the compressed form of large whole bodies by their content digest, so a page served
  again (an investor map, the OpenAPI document) is compressed once;
* leaves alone answers that already carry a ``Content-Encoding`` (the items and tiles routes send
  their cached gzip bytes themselves), partial (206), bodiless (204, 304) and ``HEAD`` answers.
"""

from __future__ import annotations

import hashlib
import threading
import zlib
from collections import OrderedDict

import anyio.to_thread
from starlette.datastructures import Headers, MutableHeaders

from geozones.api.pages import gzip_accepted

#: Smallest body worth compressing.
MINIMUM = 1024
LEVEL = 6
#: Chunks at least this large are compressed in a worker thread (not on the event loop).
THREAD_MINIMUM = 256 * 1024
#: Whole bodies at least this large are remembered compressed (by content digest): the same page
#: (an investor map, the OpenAPI document) is compressed once, not per request.
REMEMBER_MINIMUM = 32 * 1024
REMEMBER_BYTES = 32 * 1024 * 1024

COMPRESSIBLE = (
    "application/json",
    "application/geo+json",
    "application/schema+json",
    "application/problem+json",
    "application/vnd.oai.openapi+json",
    "application/javascript",
    "application/xml",
    "application/vnd.mapbox-vector-tile",
    "image/svg+xml",
)


def compressible(content_type: str) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    return media.startswith("text/") or media in COMPRESSIBLE or media.endswith("+json")


def add_vary(headers: MutableHeaders, value: str = "Accept-Encoding") -> None:
    """Add ``value`` to ``Vary`` once."""
    present = [v.strip().lower() for v in headers.get("vary", "").split(",") if v.strip()]
    if value.lower() not in present and "*" not in present:
        headers["Vary"] = ", ".join([headers["vary"], value]) if present else value


class CompressionMiddleware:
    """Pure ASGI gzip middleware (see the module)."""

    def __init__(self, app, minimum_size: int = MINIMUM, level: int = LEVEL):
        self.app = app
        self.minimum_size = minimum_size
        self.level = level
        self._packed: OrderedDict[bytes, bytes] = OrderedDict()
        self._packed_bytes = 0
        self._lock = threading.Lock()

    def _remembered(self, body: bytes, compress) -> bytes:
        """``compress(body)``, answered from memory when the same body was compressed before."""
        key = hashlib.blake2b(body, digest_size=20).digest() + len(body).to_bytes(8, "little")
        with self._lock:
            found = self._packed.get(key)
            if found is not None:
                self._packed.move_to_end(key)
                return found
        data = compress()
        with self._lock:
            if key not in self._packed:
                self._packed[key] = data
                self._packed_bytes += len(data)
                while self._packed_bytes > REMEMBER_BYTES and self._packed:
                    _, dropped = self._packed.popitem(last=False)
                    self._packed_bytes -= len(dropped)
        return data

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        wanted = scope["method"] != "HEAD" and gzip_accepted(Headers(scope=scope).get("accept-encoding", ""))
        state: dict = {"passing": False, "start": None, "compressor": None}

        async def send_compressed(message):
            kind = message["type"]
            if kind == "http.response.start":
                headers = MutableHeaders(raw=message.setdefault("headers", []))
                if (
                    not compressible(headers.get("content-type", ""))
                    or message["status"] in (204, 206, 304)
                    or message["status"] < 200
                ):
                    state["passing"] = True
                    return await send(message)
                add_vary(headers)
                if not wanted or "content-encoding" in headers:
                    state["passing"] = True
                    return await send(message)
                state["start"] = message  # held until the first body part decides
                return None
            if kind != "http.response.body" or state["passing"]:
                return await send(message)
            body, more = message.get("body", b""), message.get("more_body", False)
            start = state["start"]
            if start is not None:
                state["start"] = None
                if not more and len(body) < self.minimum_size:
                    await send(start)
                    return await send(message)
                state["compressor"] = zlib.compressobj(self.level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
                headers = MutableHeaders(raw=start["headers"])
                headers["Content-Encoding"] = "gzip"
                if not more and len(body) >= REMEMBER_MINIMUM:
                    data = await anyio.to_thread.run_sync(
                        self._remembered, body, lambda: zlib.compress(body, self.level, wbits=16 + zlib.MAX_WBITS)
                    )
                else:
                    data = await self._compress(state["compressor"], body, more)
                if more:
                    if "content-length" in headers:
                        del headers["content-length"]
                else:
                    headers["Content-Length"] = str(len(data))
                await send(start)
                return await send({"type": "http.response.body", "body": data, "more_body": more})
            data = await self._compress(state["compressor"], body, more)
            return await send({"type": "http.response.body", "body": data, "more_body": more})

        await self.app(scope, receive, send_compressed)

    @staticmethod
    async def _compress(compressor, body: bytes, more: bool) -> bytes:
        def run() -> bytes:
            return compressor.compress(body) + compressor.flush(zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH)

        if len(body) >= THREAD_MINIMUM:
            return await anyio.to_thread.run_sync(run)
        return run()


def install(app) -> None:
    """Compress the app's answers (added last: it wraps every other middleware, errors included)."""
    app.add_middleware(CompressionMiddleware)
