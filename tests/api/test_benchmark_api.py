"""Smoke test: benchmarks/api.py runs end to end at a tiny size (no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.tools import require_module, require_tool

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_api_benchmark_runs_at_tiny_size(tmp_path):
    require_module("pygeoapi")
    require_tool("wrk", "/usr/bin/wrk")
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "api.py"),
            "--zones",
            "40",
            "--parcels",
            "500",
            "--seconds",
            "1",
            "--limits",
            "10",
            "--clients",
            "1",
            "--no-postgis",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "| items | geozones | 10 | 1 |" in result.stdout
    assert "| 40 zones | geozones |" in result.stdout and "| 500 parcels | geozones | - | 1 |" in result.stdout
    assert not (ROOT / "docs" / "benchmarks.md").exists() or "--zones 40 " not in (
        ROOT / "docs" / "benchmarks.md"
    ).read_text(encoding="utf-8")
