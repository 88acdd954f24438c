"""geozones factsheet and the explorer export of geozones map."""

from __future__ import annotations

from tests.helpers.tools import require_module

require_module("babel")  # the catalogues are compiled with Babel


def test_cli_factsheet_and_explorer_export(tmp_path, store):
    from typer.testing import CliRunner

    from geozones.cli import app

    runner = CliRunner()
    out = tmp_path / "site.html"
    result = runner.invoke(app, ["--store", str(store.path), "factsheet", "bk-ccn-cam-giang", str(out), "--lang", "ja"])
    assert result.exit_code == 0, result.output
    assert "用地ファクトシート" in out.read_text(encoding="utf-8")
    result = runner.invoke(
        app, ["--store", str(store.path), "factsheet", "nope", str(tmp_path / "x.pdf"), "--lang", "ko"]
    )
    assert result.exit_code == 2 and "nope" in result.output
    page = tmp_path / "explorer.html"
    result = runner.invoke(app, ["--store", str(store.path), "map", str(page), "--lang", "zh-Hans"])
    assert result.exit_code == 0 and '<html lang="zh-Hans">' in page.read_text(encoding="utf-8")
