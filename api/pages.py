"""Items pages from memory: prebuilt feature bytes, cached matches and whole cached pages.

Per store version (a layer of the :class:`~api.layers.Catalog` is rebuilt when it changes):

* :func:`feature_bytes` encodes every feature of a layer to GeoJSON bytes once per output CRS,
  so a page is a ``b",".join`` of list items -- no per-feature dict or orjson call per request;
* :class:`PageCache` keeps, under a byte budget, the positions a filter matched (paging through
  ``offset`` does not re-run the filter) and finished pages: the JSON bytes, their gzip stream
  and a content-based ETag. A request that hits the cache does no per-feature work at all.

Only the page's ``timeStamp`` is added per request: it is the last member of the document, so
the cached gzip stream (deflated up to a full flush) is continued with the tail rather than recompressed.
"""

from __future__ import annotations

import hashlib
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyproj
from fastapi import Request

from geozones.api.features import feature, geometry_texts
from geozones.api.layers import Catalog, Layer
from geozones.api.serialize import dumps

#: Bytes of cached pages, matches and tiles per app when the settings say nothing (the oldest go first).
CACHE_BYTES = 256 * 1024 * 1024
#: Pages larger than this are built per request (and streamed), never cached.
MAX_CACHED_PAGE = 4 * 1024 * 1024
#: Bodies below this are sent uncompressed (gzip would not pay for its header).
GZIP_MINIMUM = 1024
GZIP_LEVEL = 6

_BYTES_LOCK = threading.Lock()


def feature_bytes(layer: Layer, target: pyproj.CRS, target_uri: str) -> list[bytes]:
    """Every feature of the layer as GeoJSON bytes in ``target`` (cached on the layer per CRS)."""
    cache = layer.__dict__.setdefault("_feature_bytes", {})
    out = cache.get(target_uri)
    if out is None:
        with _BYTES_LOCK:
            out = cache.get(target_uri)
            if out is None:
                texts = geometry_texts(layer, target, target_uri)
                out = [dumps(feature(layer, p, texts)) for p in range(len(layer))]
                cache[target_uri] = out
    return out


def accepts_gzip(request: Request) -> bool:
    """Whether the request's ``Accept-Encoding`` takes gzip (``gzip;q=0`` refuses it)."""
    return gzip_accepted(request.headers.get("accept-encoding", ""))


def gzip_accepted(header: str) -> bool:
    """Whether an ``Accept-Encoding`` value takes gzip (explicitly or through ``*``)."""
    found: dict[str, float] = {}
    for part in header.split(","):
        coding, _, params = part.strip().partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        found[coding] = q
    if "gzip" in found:
        return found["gzip"] > 0
    return found.get("*", 0.0) > 0


def etag_matches(request: Request, etag: str) -> bool:
    """``If-None-Match`` names this ETag (weak comparison, as RFC 9110 asks for GET) or is ``*``."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    bare = etag.removeprefix("W/")
    return any(t.strip() == "*" or t.strip().removeprefix("W/") == bare for t in header.split(","))


#: A gzip member header (RFC 1952): deflate, no name, no time, unknown OS.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


@dataclass
class CachedBody:
    """A finished body (``prefix`` + a per-request ``tail``) with its gzip start and ETag.

    The gzip start is the prefix deflated up to a full flush (byte-aligned, no reference to
    earlier data), so a fresh raw deflater can continue the stream with the tail; the trailer's
    CRC-32 continues from the prefix's. No compressor state (about 256 KiB each) is kept.
    """

    prefix: bytes
    etag: str
    headers: dict = field(default_factory=dict)
    _gzip: tuple[bytes, int] | None = None  # (gzip header + deflated prefix, CRC-32 of the prefix)

    @classmethod
    def of(cls, prefix: bytes, headers: dict, weak: bool) -> CachedBody:
        digest = hashlib.blake2b(prefix, digest_size=16).hexdigest()
        return cls(prefix, f'W/"{digest}"' if weak else f'"{digest}"', headers)

    @property
    def size(self) -> int:
        """Bytes held, counting the gzip copy it will make on its first gzip answer."""
        return len(self.prefix) + (len(self.prefix) // 3 if len(self.prefix) >= GZIP_MINIMUM else 0) + 512

    def _gzip_start(self) -> tuple[bytes, int]:
        """The gzip start, made on the first answer that asks for gzip (idempotent, so no lock)."""
        if self._gzip is None:
            deflater = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
            start = _GZIP_HEADER + deflater.compress(self.prefix) + deflater.flush(zlib.Z_FULL_FLUSH)
            self._gzip = (start, zlib.crc32(self.prefix))
        return self._gzip

    def body(self, tail: bytes, gzip: bool) -> tuple[bytes, bool]:
        """(body, whether it is gzip-encoded) with ``tail`` appended."""
        if gzip and len(self.prefix) >= GZIP_MINIMUM:
            start, crc = self._gzip_start()
            deflater = zlib.compressobj(1, zlib.DEFLATED, -9, 1)  # a small tail needs a small window
            end = deflater.compress(tail) + deflater.flush()
            trailer = struct.pack(
                "<II", zlib.crc32(tail, crc) & 0xFFFFFFFF, (len(self.prefix) + len(tail)) & 0xFFFFFFFF
            )
            return start + end + trailer, True
        return self.prefix + tail, False


class PageCache:
    """Cached matches and pages of one catalog, for its current store version only, within a byte budget."""

    def __init__(self, budget: int = CACHE_BYTES):
        self.budget = budget
        self._lock = threading.Lock()
        self._version: str | None = None
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0

    def get(self, version: str, key: Hashable):
        with self._lock:
            if version != self._version:
                return None
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, version: str, key: Hashable, value, size: int) -> None:
        if size > self.budget // 4:
            return
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._bytes = 0
                self._version = version
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.budget and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped


def page_cache(request: Request, catalog: Catalog) -> PageCache:
    """The page cache of the app's catalog (made on first use)."""
    cache = getattr(catalog, "pages", None)
    if cache is None:
        with _BYTES_LOCK:
            cache = getattr(catalog, "pages", None)
            if cache is None:
                settings = getattr(request.app.state, "settings", None)
                budget = getattr(settings, "cache_mb", None)
                cache = PageCache(CACHE_BYTES if budget is None else budget * 1024 * 1024)
                catalog.pages = cache  # type: ignore[attr-defined]
    return cache


def time_stamp_tail() -> bytes:
    """The last member of an items page: ``,"timeStamp":"..."}``."""
    return b',"timeStamp":"' + datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode() + b'"}'


def page_prefix(head: dict, chosen: list[bytes]) -> bytes:
    """A FeatureCollection without its closing brace: ``head`` members, then the features."""
    start = dumps({"type": "FeatureCollection", **head})[:-1]
    return start + b',"features":[' + b",".join(chosen) + b"]"
