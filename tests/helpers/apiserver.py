"""Run the geozones API with uvicorn in a subprocess on a free loopback port (for tests with real clients).

A subprocess, not a thread: GDAL's OAPIF driver holds the GIL while it waits for HTTP answers,
so a server thread in the test process would never get to answer it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(store: Path, **settings):
    """Serve ``api.app:create_app`` over the store at ``store``; yields the base URL.

    ``settings`` become ``GEOZONES_<NAME>`` environment variables (e.g. ``limit_max=3000``).
    """
    port = free_port()
    env = {**os.environ, "GEOZONES_STORE": str(store)}
    env.update({f"GEOZONES_{k.upper()}": str(v) for k, v in settings.items()})
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the API server exited: {process.stdout.read().decode(errors='replace')}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the API server did not start within 60 s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
