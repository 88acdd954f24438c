"""``geozones export --tiles``: a PMTiles archive whose tiles are the API's tiles."""

from __future__ import annotations

import gzip

from fastapi.testclient import TestClient
from pmtiles.reader import MmapSource, Reader, all_tiles
from typer.testing import CliRunner

from geozones.api.app import create_app
from geozones.api.settings import Settings
from geozones.cli import app
from tests.helpers.mvt_decode import decode


def test_export_tiles_writes_the_api_tiles(tmp_path, store):
    out = tmp_path / "zones.pmtiles"
    args = ["--store", str(store.path), "export", "--tiles", str(out), "--min-zoom", "6", "--max-zoom", "12"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    client = TestClient(create_app(Settings(), store=store))
    with open(out, "rb") as handle:
        reader = Reader(MmapSource(handle))
        header, metadata = reader.header(), reader.metadata()
        assert (header["min_zoom"], header["max_zoom"]) == (6, 12)
        assert metadata["vector_layers"][0]["id"] == "zones" and metadata["attribution"]
        tiles = list(all_tiles(reader.get_bytes))
    assert {z for (z, _, _), _ in tiles} == set(range(6, 13))
    for (z, x, y), data in tiles[:: max(1, len(tiles) // 15)]:
        archived = decode(gzip.decompress(data))["zones"]["features"]
        served = decode(client.get(f"/collections/zones/tiles/WebMercatorQuad/{z}/{y}/{x}").content)
        assert sorted(f["properties"]["id"] for f in archived) == sorted(
            f["properties"]["id"] for f in served["zones"]["features"]
        )
    total = {
        f["properties"]["id"]
        for (z, _, _), data in tiles
        if z == 12
        for f in decode(gzip.decompress(data))["zones"]["features"]
    }
    assert total == set(store.zones().dropna(subset=["geometry"])["id"])  # every zone with a shape is in the archive


def test_export_tiles_refuses_bad_zooms(tmp_path, store):
    result = CliRunner().invoke(
        app,
        [
            "--store",
            str(store.path),
            "export",
            "--tiles",
            str(tmp_path / "x.pmtiles"),
            "--min-zoom",
            "9",
            "--max-zoom",
            "3",
        ],
    )
    assert result.exit_code != 0 and "min-zoom" in result.output
