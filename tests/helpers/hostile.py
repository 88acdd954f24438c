"""Hostile inputs in real formats, made in the test: zip bombs, huge Parquet row groups, lying GeoTIFF
headers, and slow or redirecting HTTP servers on 127.0.0.1 (bounded in time, closed by the test)."""

from __future__ import annotations

import socket
import struct
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

MiB = 1 << 20


def zip_bomb_shapefile(folder: Path, prj_mib: int = 400) -> Path:
    """A zipped shapefile (real .shp/.shx/.dbf/.cpg of two zones) whose ``.prj`` inflates to ``prj_mib`` MiB.

    The ``.prj`` is the layer's real WKT padded with spaces, so it is a valid-looking sidecar;
    deflate shrinks the padding about a thousandfold (400 MiB -> about 400 KiB).
    """
    from geozones.io import to_file
    from tests.helpers.zonefactory import bac_kan_squares

    shp = to_file(bac_kan_squares(sides_m=(1000.0, 500.0)), folder / "zones.shp")
    archive = folder / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for suffix in (".shp", ".shx", ".dbf", ".cpg"):
            z.write(shp.with_suffix(suffix), f"zones{suffix}")
        with z.open("zones.prj", "w", force_zip64=True) as handle:
            handle.write(shp.with_suffix(".prj").read_bytes())
            block = b" " * MiB
            for _ in range(prj_mib):
                handle.write(block)
    return archive


def huge_row_group_parquet(path: Path, rows: int = 3_000_000) -> Path:
    """A GeoParquet file (valid ``geo`` metadata, WKB points) with ONE row group of ``rows`` rows.

    Every row is the same point and the same name, so dictionary encoding keeps the file tiny.
    """
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq
    import shapely

    wkb = shapely.to_wkb(shapely.Point(105.83, 22.15))
    geometry = pa.DictionaryArray.from_arrays(pa.array(np.zeros(rows, dtype="int32")), pa.array([wkb], pa.binary()))
    names = pa.DictionaryArray.from_arrays(pa.array(np.zeros(rows, dtype="int32")), pa.array(["x"]))
    table = pa.table({"id": names, "geometry": geometry})
    geo = {
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"]}},
    }
    table = table.replace_schema_metadata({b"geo": json.dumps(geo).encode()})
    pq.write_table(table, path, row_group_size=rows, compression="zstd")
    return path


def huge_tiff(path: Path, side: int = 10**9, lon: int = 106, lat: int = 21) -> Path:
    """A 1-pixel GeoTIFF of the 1° tile at (lon, lat) whose header is patched to claim side x side pixels.

    ImageWidth, ImageLength and RowsPerStrip are rewritten in the IFD and the pixel size is
    1/side degrees, so the header describes the same 1° footprint at 1e9 x 1e9 pixels.
    """
    import rasterio
    from rasterio.transform import from_origin

    res = 1.0 / side
    profile = {"driver": "GTiff", "width": 1, "height": 1, "count": 1, "dtype": "float32", "crs": "EPSG:4326"}
    with rasterio.open(path, "w", transform=from_origin(lon, lat + 1, res, res), **profile) as dst:
        dst.write(np.zeros((1, 1, 1), "float32"))
    data = bytearray(path.read_bytes())
    assert data[:4] == b"II*\x00"  # little-endian classic TIFF
    (ifd,) = struct.unpack_from("<I", data, 4)
    (count,) = struct.unpack_from("<H", data, ifd)
    patched = 0
    for i in range(count):
        at = ifd + 2 + 12 * i
        tag = struct.unpack_from("<H", data, at)[0]
        if tag in (256, 257, 278):  # ImageWidth, ImageLength, RowsPerStrip as one LONG
            struct.pack_into("<HHII", data, at, tag, 4, 1, side)
            patched += 1
    assert patched == 3
    path.write_bytes(bytes(data))
    return path


class SlowServer:
    """Answers every connection with a valid HTTP response sent ``byte_every_s`` per byte.

    ``drip="headers"`` drips the status line and headers; ``drip="body"`` sends the headers at once
    and drips a 10 000-byte body. The server stops dripping after ``max_s`` or when closed.
    """

    def __init__(self, drip: str = "headers", byte_every_s: float = 1.0, max_s: float = 30.0):
        self.drip, self.every, self.max_s = drip, byte_every_s, max_s
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.connections = 0
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        body = b"x" * 10_000
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        slow, fast = (head + body, b"") if self.drip == "headers" else (body, head)
        end = time.monotonic() + self.max_s
        try:
            conn.settimeout(2)
            conn.recv(65536)  # the request
            if fast:
                conn.sendall(fast)
            for i in range(len(slow)):
                if self.closed.is_set() or time.monotonic() > end:
                    break
                conn.sendall(slow[i : i + 1])
                self.closed.wait(self.every)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.closed.set()
        self.listener.close()
        self.thread.join(timeout=5)


class RedirectServer:
    """``redirects[path] = (status, location)`` answers with that redirect; ``files[path]`` with 200 and the bytes.

    Every request is recorded in ``requests`` as ``(method, path)``.
    """

    def __init__(self):
        self.redirects: dict[str, tuple[int, str]] = {}
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                server.requests.append((self.command, self.path))
                if self.path in server.redirects:
                    status, location = server.redirects[self.path]
                    self.send_response(status)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = server.files.get(self.path)
                self.send_response(200 if data is not None else 404)
                payload = data if data is not None else b"not found"
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_HEAD = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
