"""Smoke test: benchmarks/api.py runs end to end at a tiny size (no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.tools import require_module

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_api_benchmark_runs_at_tiny_size(tmp_path):
    require_module("pygeoapi")
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "api.py"),
            "--zones",
            "40",
            "--seconds",
            "0.3",
            "--max-requests",
            "5",
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
    assert "| geozones | 10 | 1 |" in result.stdout
    assert "pygeoapi GeoJSON file" in result.stdout
    assert not (ROOT / "docs" / "benchmarks.md").exists() or "--zones 40 " not in (
        ROOT / "docs" / "benchmarks.md"
    ).read_text(encoding="utf-8")
