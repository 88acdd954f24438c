"""A throw-away PostgreSQL 15 + PostGIS server for the tests (Debian's postgresql-15-postgis-3).

The cluster lives in a temporary directory owned by the ``postgres`` user when the
tests run as root (PostgreSQL refuses to run as root), listens on a free loopback port
and is stopped at the end of the session. Debian's binaries are used explicitly
(``/usr/lib/postgresql/15/bin``): another ``pg_ctl`` may be first on PATH.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")
POSTGIS_CONTROL = "/usr/share/postgresql/15/extension/postgis.control"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """Start with :meth:`start`, stop with :meth:`stop`; :attr:`url` names its ``geozones`` database."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="geozones-pg-"))
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/geozones"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [*args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, cwd=self.root)

    def start(self) -> PostgresServer:
        if self.as_postgres:
            entry = pwd.getpwnam("postgres")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        data = self.root / "data"
        self._run(
            str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"
        )
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=60",
            "start",
        )
        self._run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "geozones")
        return self

    def stop(self) -> None:
        try:
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


_SERVER: PostgresServer | None = None


def shared_server() -> PostgresServer:
    """One server for the whole test session (stopped when the interpreter exits)."""
    global _SERVER
    if _SERVER is None:
        _SERVER = PostgresServer().start()
        atexit.register(_SERVER.stop)
    return _SERVER


@pytest.fixture(scope="session")
def postgis_url():
    """URL of a running PostGIS database (skips locally without the Debian package; fails in CI)."""
    from tests.helpers.tools import require_tool

    require_tool("postgis", POSTGIS_CONTROL)
    require_tool("initdb", str(PG_BIN / "initdb"))
    return shared_server().url


def new_schema() -> str:
    """A fresh schema name: each store under test gets its own tables."""
    return f"t_{uuid.uuid4().hex[:12]}"
