"""The store benchmark runs (tiny size) and checks both backends answer alike."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers.postgis_server import POSTGIS_CONTROL
from tests.helpers.tools import ROOT


def test_store_benchmark_smoke(postgis_url):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "store.py"),
            "--n",
            "300",
            "--reads",
            "20",
            "--edits",
            "10",
            "--database-url",
            postgis_url,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "answers identical (ETags of 20 zones): True" in result.stdout
    assert POSTGIS_CONTROL
