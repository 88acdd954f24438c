"""``geozones serve``: a real uvicorn process answering /health; settings from GEOZONES_* and flags."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from tests.helpers import published
from tests.helpers.tools import require_module

require_module("uvicorn")

import httpx
from typer.testing import CliRunner

SERVE = [sys.executable, "-c", "from geozones.cli import main; main()", "serve", "--log-level", "warning"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(process: subprocess.Popen, url: str, timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            pytest.fail(f"geozones serve exited with {process.returncode}: {output}")
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"no answer from {url} within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@pytest.fixture
def store_copy(built_store, tmp_path):
    path = tmp_path / "served.gpkg"
    shutil.copyfile(built_store.path, path)
    return path


def run_serve(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [*SERVE, *args], env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def test_serve_uses_flags_and_answers_health(store_copy):
    port = free_port()
    # the flags win over the environment (GEOZONES_PORT names a port nothing listens on)
    process = run_serve(
        ["--host", "127.0.0.1", "--port", str(port), "--store", str(store_copy)],
        {"GEOZONES_PORT": "1", "GEOZONES_STORE": str(store_copy.with_name("other.gpkg"))},
    )
    try:
        response = wait_for_health(process, f"http://127.0.0.1:{port}/health")
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
        assert response.json()["zones"] == published.COUNT  # the shipped zones
        assert not store_copy.with_name("other.gpkg").exists()
    finally:
        stop(process)


def test_serve_reads_geozones_environment(store_copy):
    port = free_port()
    process = run_serve(
        [], {"GEOZONES_HOST": "127.0.0.1", "GEOZONES_PORT": str(port), "GEOZONES_STORE": str(store_copy)}
    )
    try:
        response = wait_for_health(process, f"http://127.0.0.1:{port}/health")
        assert response.status_code == 200 and response.json()["zones"] == published.COUNT
        assert httpx.get(f"http://127.0.0.1:{port}/analysis/totals?by=kind").status_code == 200
    finally:
        stop(process)


def test_serve_help_lists_its_options():
    from geozones.cli import app

    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for option in ("--host", "--port", "--store", "--reload"):
        assert option in result.output


@pytest.mark.parametrize("args", [["--port", "0"], ["--port", "70000"], ["--port", "http"]])
def test_serve_bad_port_is_exit_code_2(args):
    from geozones.cli import app

    result = CliRunner().invoke(app, ["serve", *args])
    assert result.exit_code == 2
    assert "port" in result.output.lower()


@pytest.mark.slow
def test_serve_with_several_worker_processes(store_copy):
    """``--workers 2``: two uvicorn server processes answer on one port, over the same store."""
    port = free_port()
    process = run_serve(["--host", "127.0.0.1", "--port", str(port), "--store", str(store_copy), "--workers", "2"], {})
    try:
        response = wait_for_health(process, f"http://127.0.0.1:{port}/health")
        assert response.status_code == 200 and response.json()["zones"] == published.COUNT
        deadline = time.monotonic() + 30
        children: list[str] = []
        while time.monotonic() < deadline:  # uvicorn's supervisor starts the workers as its children
            children = [p for p in os.listdir("/proc") if p.isdigit() and _parent(p) == process.pid]
            if len(children) >= 2:
                break
            time.sleep(0.2)
        assert len([c for c in children if "multiprocessing" in _cmdline(c) or "spawn" in _cmdline(c)]) >= 2, [
            _cmdline(c) for c in children
        ]
    finally:
        stop(process)


def _parent(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _cmdline(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def test_reload_and_workers_cannot_be_combined():
    from geozones.cli import app

    result = CliRunner().invoke(app, ["serve", "--reload", "--workers", "2"])
    assert result.exit_code != 0 and "cannot be combined" in result.output
