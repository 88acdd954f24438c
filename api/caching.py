"""HTTP caching for pages, data and assets: a weak ``ETag``, ``Cache-Control`` and ``304 Not Modified``.

A page or data answer built from the store is tagged with a hash of its bytes (the store version is in
the cache key that built it); a vendored asset with its size and modification time. A request whose
``If-None-Match`` names the tag gets an empty 304, so a slow line downloads each thing once.

Compression is not done here: the one gzip middleware (:mod:`geozones.api.compression`) compresses
these answers on the way out. The tags are therefore weak (``W/"..."``): one tag names the content,
whether it travels gzip-compressed or not (a strong tag would have to differ per encoding), and
``Vary: Accept-Encoding`` is on the 200 and the 304 alike. Tags are compared as
:func:`geozones.api.pages.etag_matches` does for the items and tiles.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from fastapi import Request
from fastapi.responses import FileResponse, Response

from geozones.api.pages import etag_matches

#: Store-built pages (the explorer, the desk's data): revalidate every time (a 304 costs a few bytes).
REVALIDATE = "no-cache"
#: Reference layers for the explorer: reused for five minutes, then revalidated.
DATA = "public, max-age=300"
#: Vendored assets (Leaflet, the explorer's scripts): a day, then revalidated by tag.
ASSETS = "public, max-age=86400"


def body_etag(body: bytes) -> str:
    """A weak tag for ``body`` (the same for its gzip-compressed form)."""
    return 'W/"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


_VARY = {"Vary": "Accept-Encoding"}


def cached_response(request: Request, body: bytes, media_type: str, cache_control: str, headers=None) -> Response:
    """``body`` with its ETag and ``cache_control``, or a 304 when the client already holds it."""
    etag = body_etag(body)
    out = {"ETag": etag, "Cache-Control": cache_control, **(headers or {})}
    vary = [v.strip() for v in out.get("Vary", "").split(",") if v.strip()]
    out["Vary"] = ", ".join([*vary, "Accept-Encoding"]) if "Accept-Encoding" not in vary else out["Vary"]
    if etag_matches(request, etag):
        return Response(status_code=304, headers=out)
    return Response(body, media_type=media_type, headers=out)


def cached_file(request: Request, path: Path, cache_control: str = ASSETS) -> Response:
    """A vendored file with a tag from its size and modification time (304 when unchanged)."""
    stat = os.stat(path)
    etag = (
        'W/"'
        + hashlib.blake2b(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode(), digest_size=12).hexdigest()
        + '"'
    )
    headers = {"ETag": etag, "Cache-Control": cache_control, **_VARY}
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, headers=headers)


__all__ = ["REVALIDATE", "DATA", "ASSETS", "body_etag", "cached_response", "cached_file"]
