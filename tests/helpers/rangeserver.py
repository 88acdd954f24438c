"""A local HTTP server for tests of remote-data clients: static files with byte ranges, scripted POSTs.

GDAL's ``/vsicurl/`` needs ``HEAD`` with ``Content-Length`` and ``GET`` with ``Range`` answered by
``206 Partial Content``; both are served here, on 127.0.0.1, so tests never need the internet.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RangeServer:
    """Serves ``files`` (GET/HEAD with byte ranges) and answers POSTs from ``posts[path]``.

    ``posts[path]`` is a list of ``(status, body, headers)``: each POST takes the next answer, the
    last one repeats. Every request is recorded in ``requests`` as ``(method, path, headers, body)``.
    """

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.posts: dict[str, list[tuple[int, bytes, dict]]] = {}
        self.requests: list[tuple[str, str, dict, bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep pytest output clean
                pass

            def _record(self, body: bytes = b"") -> None:
                server.requests.append((self.command, self.path, dict(self.headers), body))

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self._record(body)
                answers = server.posts.get(self.path)
                if not answers:
                    return self._send(404, b"not found", {})
                status, payload, headers = answers.pop(0) if len(answers) > 1 else answers[0]
                self._send(status, payload, {"Content-Type": "application/json", **headers})

            def do_HEAD(self):
                self._record()
                self._file(head=True)

            def do_GET(self):
                self._record()
                self._file(head=False)

            def _file(self, head: bool):
                data = server.files.get(self.path)
                if data is None:
                    return self._send(404, b"<Error><Code>NoSuchKey</Code></Error>", {}, head)
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes="):
                    start_s, _, end_s = rng[len("bytes=") :].split(",")[0].partition("-")
                    start = int(start_s)
                    end = min(int(end_s) if end_s else len(data) - 1, len(data) - 1)
                    return self._send(
                        206,
                        data[start : end + 1],
                        {
                            "Content-Range": f"bytes {start}-{end}/{len(data)}",
                            "Accept-Ranges": "bytes",
                            "Content-Type": "image/tiff",
                        },
                        head,
                    )
                self._send(200, data, {"Accept-Ranges": "bytes", "Content-Type": "image/tiff"}, head)

            def _send(self, status, payload: bytes, headers: dict, head: bool = False):
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if not head:
                    self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
