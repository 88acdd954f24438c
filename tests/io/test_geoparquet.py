"""GeoParquet 1.1 read/write: checked against pyarrow's own reading of the files and brute force."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from tests.helpers.tools import require_tool

try:  # the 'scale' extra; a missing install skips, or fails under GEOZONES_REQUIRE_ALL=1
    import pyarrow.parquet as pq
except ImportError:  # pragma: no cover
    pq = None


@pytest.fixture(scope="module")
def gp():
    if pq is None:  # pragma: no cover
        require_tool("pyarrow (pip install 'geozones[scale]')")
    try:
        from geozones.io import geoparquet
    except ImportError as exc:  # pragma: no cover
        require_tool(f"geozones GeoParquet support ({exc})")
    return geoparquet


def _parcels(n=5000, seed=3, crs=9213):
    rng = np.random.default_rng(seed)
    x = rng.uniform(400_000, 460_000, n)
    y = rng.uniform(2_380_000, 2_440_000, n)
    w = rng.uniform(10, 60, n)
    return gpd.GeoDataFrame(
        {"pid": np.arange(n), "owner": [f"o{i % 17}" for i in range(n)], "area_ha": w * w / 10_000},
        geometry=shapely.box(x, y, x + w, y + w),
        crs=crs,
    )


def _raw(path):
    """Rows of a file as pyarrow reads them (no geopandas): WKB geometries, bbox struct, metadata."""
    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[b"geo"])
    return table, meta


def test_round_trip_keeps_rows_crs_and_index(tmp_path, gp):
    parcels = _parcels()
    path = gp.write_geoparquet(parcels, tmp_path / "parcels.parquet")
    back = gp.read_geoparquet(path)
    assert back.crs.to_epsg() == 9213
    assert "bbox" not in back.columns
    back = back.loc[parcels.index]  # rows come back Hilbert-sorted, labels intact
    pd.testing.assert_frame_equal(
        pd.DataFrame(back.drop(columns="geometry")), pd.DataFrame(parcels.drop(columns="geometry"))
    )
    assert shapely.equals(back.geometry.array, parcels.geometry.array).all()


def test_file_is_geoparquet_1_1_with_bbox_covering(tmp_path, gp):
    parcels = _parcels()
    path = gp.write_geoparquet(parcels, tmp_path / "parcels.parquet")
    table, meta = _raw(path)
    assert meta["version"] == "1.1.0"
    column = meta["columns"][meta["primary_column"]]
    assert column["encoding"] == "WKB"
    assert column["covering"] == {
        "bbox": {"xmin": ["bbox", "xmin"], "ymin": ["bbox", "ymin"], "xmax": ["bbox", "xmax"], "ymax": ["bbox", "ymax"]}
    }
    assert column["crs"]["id"] == {"authority": "EPSG", "code": 9213}
    # the covering column holds each row's own bounds (computed here from the WKB with shapely)
    geoms = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
    bbox = table.column("bbox").combine_chunks()
    got = np.column_stack([bbox.field(f).to_numpy() for f in ("xmin", "ymin", "xmax", "ymax")])
    np.testing.assert_allclose(got, shapely.bounds(geoms), rtol=0, atol=1e-6)


def test_rows_follow_a_hilbert_curve(tmp_path, gp):
    parcels = _parcels()
    path = gp.write_geoparquet(parcels, tmp_path / "parcels.parquet")
    table, _ = _raw(path)
    geoms = gpd.GeoSeries(shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False)))
    keys = geoms.hilbert_distance(total_bounds=parcels.total_bounds).to_numpy()  # geopandas' own curve
    assert (np.diff(keys.astype(np.int64)) >= 0).all()
    # locality: consecutive rows are neighbours on the ground, unlike the random input order
    c_sorted = shapely.get_coordinates(geoms.centroid.array)
    c_input = shapely.get_coordinates(parcels.centroid.array)
    step_sorted = np.hypot(*np.diff(c_sorted, axis=0).T).mean()
    step_input = np.hypot(*np.diff(c_input, axis=0).T).mean()
    assert step_sorted < step_input / 10


def test_bbox_filter_returns_exactly_the_rows_meeting_the_window(tmp_path, gp):
    parcels = _parcels(20_000)
    path = gp.write_geoparquet(parcels, tmp_path / "parcels.parquet", row_group_rows=1000)
    window = (420_000.0, 2_400_000.0, 425_000.0, 2_406_000.0)
    got = gp.read_geoparquet(path, bbox=window)
    b = shapely.bounds(parcels.geometry.array)
    brute = parcels.index[
        (b[:, 0] <= window[2]) & (b[:, 2] >= window[0]) & (b[:, 1] <= window[3]) & (b[:, 3] >= window[1])
    ]
    assert 0 < len(got) < len(parcels) / 10
    assert sorted(got.index) == sorted(brute)
    # Hilbert order makes row groups compact: most of the 20 row groups lie outside the window
    row_groups = pq.ParquetFile(path).metadata
    outside = 0
    for i in range(row_groups.num_row_groups):
        group = row_groups.row_group(i)
        stats = {group.column(j).path_in_schema: group.column(j).statistics for j in range(group.num_columns)}
        if (
            stats["bbox.xmin"].min > window[2]
            or stats["bbox.xmax"].max < window[0]
            or stats["bbox.ymin"].min > window[3]
            or stats["bbox.ymax"].max < window[1]
        ):
            outside += 1
    assert outside >= row_groups.num_row_groups // 2


def test_partitioned_layer_is_split_in_compact_hilbert_runs(tmp_path, gp):
    parcels = _parcels(10_000)
    out = gp.write_geoparquet(parcels, tmp_path / "parcels", partition_rows=2_500)
    files = gp.parts_of(out)
    assert [f.name for f in files] == [f"part.0000{i}.parquet" for i in range(4)]
    assert [pq.ParquetFile(f).metadata.num_rows for f in files] == [2500] * 4
    back = gp.read_geoparquet(out)
    assert sorted(back["pid"]) == list(range(10_000))
    # each part covers a compact area: their bboxes together cover little more than the extent
    areas = []
    for f in files:
        _, meta = _raw(f)
        xmin, ymin, xmax, ymax = meta["columns"]["geometry"]["bbox"]
        areas.append((xmax - xmin) * (ymax - ymin))
    xmin, ymin, xmax, ymax = parcels.total_bounds
    assert sum(areas) < 1.3 * (xmax - xmin) * (ymax - ymin)


def test_streaming_writer_and_dask_reader(tmp_path, gp):
    parcels = _parcels(6000)
    bounds = parcels.total_bounds
    pieces = (parcels.iloc[i : i + 1500] for i in range(0, 6000, 1500))
    out = gp.write_partitioned(pieces, tmp_path / "stream", total_bounds=bounds)
    frame = gp.read_geoparquet_dask(out)
    assert frame.npartitions == 4
    assert frame.spatial_partitions is not None and len(frame.spatial_partitions) == 4
    assert frame.crs.to_epsg() == 9213
    assert sorted(frame["pid"].compute()) == list(range(6000))


def test_errors(tmp_path, gp):
    from geozones.errors import EmptyLayerError, MissingCRSError, UnsupportedFormatError

    with pytest.raises(MissingCRSError):
        gp.write_geoparquet(_parcels(10).set_crs(None, allow_override=True), tmp_path / "x.parquet")
    with pytest.raises(FileNotFoundError):
        gp.read_geoparquet(tmp_path / "missing.parquet")
    pd.DataFrame({"a": [1, 2]}).to_parquet(tmp_path / "plain.parquet")
    with pytest.raises(UnsupportedFormatError, match="without GeoParquet"):
        gp.read_geoparquet(tmp_path / "plain.parquet")
    with pytest.raises(EmptyLayerError):
        gp.write_partitioned(iter([_parcels(10).iloc[:0]]), tmp_path / "empty")
    assert not (tmp_path / "empty").exists()  # nothing half-written


def test_store_exports_and_imports_any_layer(tmp_path, gp, store):
    roads = store.layer("infrastructure_roads")
    out = gp.export_layer(store, "infrastructure_roads", tmp_path / "roads.parquet")
    assert gp.geo_metadata(out)["version"] == "1.1.0"
    n = gp.import_layer(store, "roads_copy", out)
    assert n == len(roads)
    copy = store.layer("roads_copy")
    assert copy.crs.equals(roads.crs)
    merged = roads.set_index("id").geometry.geom_equals(copy.set_index("id").geometry.reindex(roads["id"]))
    assert merged.all()
    zones = store.zones()
    gp.export_layer(store, "zones", tmp_path / "zones.parquet")
    assert gp.import_layer(store, "zones", tmp_path / "zones.parquet") == len(zones)
    assert sorted(store.zones()["id"]) == sorted(zones["id"])


def test_read_layer_and_to_file_speak_geoparquet(tmp_path, gp):
    from geozones.io import read_layer, to_file

    parcels = _parcels(300).to_crs(4326)  # written in another CRS on request
    out = to_file(parcels, tmp_path / "p.parquet", crs=9213)
    assert gp.geo_metadata(out)["columns"]["geometry"]["crs"]["id"]["code"] == 9213
    back = read_layer(out)
    assert back.crs.to_epsg() == 9213 and len(back) == 300
    gp.write_geoparquet(parcels.to_crs(9213), tmp_path / "dir", partition_rows=100)
    assert sorted(read_layer(tmp_path / "dir")["pid"]) == list(range(300))


def test_qgis_3_22_opens_the_geopackage_but_not_the_geoparquet(tmp_path, gp):
    """Why GeoPackage stays the GIS-staff format: QGIS 3.22's GDAL has no (Geo)Parquet driver."""
    import subprocess

    from geozones.io import to_file
    from tests.helpers.tools import ROOT

    require_tool("python3-qgis", "/usr/lib/python3/dist-packages/qgis/core/__init__.py")
    parcels = _parcels(50)
    parcels["name"] = [f"parcel {i}" for i in range(50)]  # the helper lists names
    gp.write_geoparquet(parcels, tmp_path / "p.parquet")
    to_file(parcels, tmp_path / "p.gpkg", layer="parcels")
    done = subprocess.run(
        [
            "/usr/bin/python3",
            str(ROOT / "tests" / "helpers" / "qgis_open.py"),
            f"{tmp_path / 'p.parquet'}|p",
            f"{tmp_path / 'p.gpkg'}|parcels",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": "/tmp"},
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["qgis"].startswith("3.22")
    assert seen[f"{tmp_path / 'p.parquet'}|p"]["valid"] is False
    assert seen[f"{tmp_path / 'p.gpkg'}|parcels"]["count"] == 50
