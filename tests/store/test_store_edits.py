"""Feature-level edits, history and restore: the same tests against GeoPackage and a real PostGIS."""

from __future__ import annotations

import sqlite3
import threading

import pyogrio
import pytest
import shapely

from geozones.errors import (
    ConflictError,
    GeometryError,
    PreconditionFailedError,
    VersionNotFoundError,
    ZoneNotFoundError,
    ZoneValidationError,
)
from geozones.store import GeoPackageStore, open_store
from geozones.store.records import record_etag
from tests.helpers import zonefactory as zf
from tests.helpers.postgis_server import new_schema

N_ZONES = 20


def _make(kind: str, request, root, path, **options):
    if kind == "geopackage":
        return GeoPackageStore(path / "store.gpkg", data_dir=root).ensure()
    from geozones.store.postgis import PostGISStore

    return PostGISStore(request.getfixturevalue("postgis_url"), schema=new_schema(), data_dir=root, **options).ensure()


@pytest.fixture(params=["geopackage", "postgis"])
def edit_store(request, tmp_path):
    """A writable store holding N_ZONES synthetic zones, in each backend."""
    store = _make(request.param, request, zf.data_dir(tmp_path / "data", N_ZONES), tmp_path)
    yield store
    getattr(store, "close", lambda: None)()


def _row_etag(store, zone_id: str) -> str:
    """The ETag a reader computes from the layer (as the GET route does), independently of get_zone."""
    row = store.zones().set_index("id").loc[zone_id]
    return record_etag({"id": zone_id, **row.drop("geometry").to_dict()}, row.geometry)


# --- create / read / update / replace / delete ------------------------------------------------


def test_create_then_read_back(edit_store):
    created = edit_store.create_zone(zf.feature(100, investor="Công ty TNHH Thử"), actor="alice")
    assert created.id == "test-000100"
    stored = edit_store.get_zone("test-000100")
    assert stored.properties["investor"] == "Công ty TNHH Thử"
    assert stored.etag == created.etag == _row_etag(edit_store, "test-000100")
    assert len(edit_store.zones()) == N_ZONES + 1
    # the geometry came in as lon/lat and is stored unchanged (EPSG:4326 store): same corners
    assert shapely.equals_exact(stored.geometry, zf.grid_square(100), tolerance=1e-9)


def test_create_existing_id_conflicts(edit_store):
    with pytest.raises(ConflictError, match="already exists"):
        edit_store.create_zone(zf.feature(3), actor="alice")


def test_partial_update_changes_only_named_fields(edit_store):
    before = edit_store.get_zone("test-000003")
    after = edit_store.update_zone(
        "test-000003",
        {"properties": {"occupancy_pct": 62.5, "status": "operating"}},
        if_match=before.etag,
        actor="alice",
    )
    assert after.properties["occupancy_pct"] == 62.5 and after.properties["status"] == "operating"
    unchanged = {k: v for k, v in before.properties.items() if k not in ("occupancy_pct", "status")}
    assert {k: after.properties[k] for k in unchanged} == unchanged
    assert after.geometry.equals(before.geometry)
    assert after.etag != before.etag == record_etag(before.properties, before.geometry)
    assert _row_etag(edit_store, "test-000003") == after.etag  # the layer cache saw the edit


def test_null_in_patch_clears_optional_but_not_required(edit_store):
    zone = edit_store.update_zone("test-000004", {"properties": {"investor": "X"}}, if_match=None, actor="a")
    cleared = edit_store.update_zone("test-000004", {"properties": {"investor": None}}, if_match=zone.etag, actor="a")
    assert cleared.properties["investor"] is None
    with pytest.raises(ZoneValidationError, match="name is required"):
        edit_store.update_zone("test-000004", {"properties": {"name": None}}, if_match=cleared.etag, actor="a")


def test_replace_empties_attributes_left_out(edit_store):
    current = edit_store.get_zone("test-000005")
    edit_store.update_zone("test-000005", {"properties": {"investor": "Y"}}, if_match=current.etag, actor="a")
    feature = zf.feature(5)
    feature["properties"].pop("investor")
    feature["geometry"] = shapely.geometry.mapping(zf.grid_square(5, size=0.004))
    replaced = edit_store.replace_zone("test-000005", feature, if_match=None, actor="a")
    assert replaced.properties["investor"] is None
    assert replaced.geometry.area == pytest.approx(0.004**2)


def test_ids_cannot_change(edit_store):
    feature = zf.feature(6)
    feature["properties"]["id"] = feature["id"] = "someone-else"
    with pytest.raises(ZoneValidationError, match="ids cannot change"):
        edit_store.replace_zone("test-000006", feature, if_match=None, actor="a")


def test_delete_then_gone(edit_store):
    zone = edit_store.get_zone("test-000007")
    edit_store.delete_zone("test-000007", if_match=zone.etag, actor="bob")
    with pytest.raises(ZoneNotFoundError):
        edit_store.get_zone("test-000007")
    assert "test-000007" not in set(edit_store.zones()["id"])
    assert len(edit_store.zones()) == N_ZONES - 1


def test_unknown_zone_is_not_found(edit_store):
    for call in (
        lambda: edit_store.get_zone("nope"),
        lambda: edit_store.update_zone("nope", {"properties": {}}, if_match=None, actor="a"),
        lambda: edit_store.delete_zone("nope", if_match=None, actor="a"),
    ):
        with pytest.raises(ZoneNotFoundError):
            call()


# --- optimistic concurrency ----------------------------------------------------------------------


def test_stale_etag_is_refused_and_nothing_is_overwritten(edit_store):
    seen = edit_store.get_zone("test-000008")
    first = edit_store.update_zone(
        "test-000008", {"properties": {"investor": "first editor"}}, if_match=seen.etag, actor="alice"
    )
    with pytest.raises(PreconditionFailedError, match="changed since you read it"):
        edit_store.update_zone(
            "test-000008", {"properties": {"investor": "second editor"}}, if_match=seen.etag, actor="bob"
        )
    with pytest.raises(PreconditionFailedError):
        edit_store.delete_zone("test-000008", if_match=seen.etag, actor="bob")
    assert edit_store.get_zone("test-000008").properties["investor"] == "first editor"
    assert edit_store.get_zone("test-000008").etag == first.etag
    assert [e.actor for e in edit_store.history("test-000008")] == ["alice"]


def test_contended_increments_lose_nothing(edit_store):
    """8 editors each add 1 ha 15 times to the same zone, re-reading on 412: all 120 additions land."""
    start = edit_store.update_zone(
        "test-000009", {"properties": {"area_published_ha": 0}}, if_match=None, actor="setup"
    )
    errors = []

    def editor(name: str) -> None:
        done = 0
        try:
            while done < 15:
                zone = edit_store.get_zone("test-000009")
                area = zone.properties["area_published_ha"]
                try:
                    edit_store.update_zone(
                        "test-000009", {"properties": {"area_published_ha": area + 1}}, if_match=zone.etag, actor=name
                    )
                    done += 1
                except PreconditionFailedError:
                    continue
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=editor, args=(f"editor-{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert edit_store.get_zone("test-000009").properties["area_published_ha"] == 120
    updates = [e for e in edit_store.history("test-000009") if e.actor != "setup"]
    assert len(updates) == 120
    # each recorded change starts from the previous one's result: a chain with no gaps
    chain = sorted(updates, key=lambda e: e.version)
    assert [e.before["properties"]["area_published_ha"] for e in chain] == list(range(120))
    assert chain[0].etag_before == start.etag
    assert all(a.etag_after == b.etag_before for a, b in zip(chain, chain[1:]))


def test_eight_threads_times_500_updates(edit_store):
    """8 writers x 500 updates (each writer its own zone, If-Match on its last result): all 4000 land."""
    results, errors = {}, []

    def writer(i: int) -> None:
        zone_id = f"test-{i:06d}"
        try:
            zone = edit_store.get_zone(zone_id)
            for k in range(1, 501):
                zone = edit_store.update_zone(
                    zone_id, {"properties": {"area_published_ha": float(k)}}, if_match=zone.etag, actor=f"writer-{i}"
                )
            results[zone_id] = zone
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    zones = edit_store.zones().set_index("id")
    for i in range(8):
        zone_id = f"test-{i:06d}"
        assert zones.loc[zone_id, "area_published_ha"] == 500
        assert len(edit_store.history(zone_id)) == 500
        assert edit_store.get_zone(zone_id).etag == results[zone_id].etag
    assert len(edit_store.history()) == 4000
    assert len(zones) == N_ZONES


def test_reads_continue_during_writes(edit_store):
    """A reader keeps getting complete, consistent layers while two writers edit."""
    stop = threading.Event()
    reads, problems = [], []

    def reader() -> None:
        while not stop.is_set():
            try:
                zones = edit_store.zones()
                reads.append(len(zones))
                if len(zones) != N_ZONES or zones["area_published_ha"].fillna(0).min() < 0:
                    problems.append(len(zones))
            except Exception as exc:  # pragma: no cover
                problems.append(exc)

    def writer(i: int) -> None:
        for k in range(30):
            edit_store.update_zone(
                f"test-{i:06d}", {"properties": {"area_published_ha": float(k)}}, if_match=None, actor="w"
            )

    threads = [threading.Thread(target=reader)] + [threading.Thread(target=writer, args=(i,)) for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads[1:]:
        t.join()
    stop.set()
    threads[0].join()
    assert not problems
    assert len(reads) >= 2


# --- history and restore -------------------------------------------------------------------------


def test_history_records_who_when_what(edit_store):
    zone = edit_store.get_zone("test-000010")
    changed = edit_store.update_zone(
        "test-000010", {"properties": {"status": "site_clearance"}}, if_match=zone.etag, actor="Sở KH&ĐT Bắc Kạn"
    )
    [entry] = edit_store.history("test-000010")
    assert (entry.zone_id, entry.version, entry.op, entry.actor) == ("test-000010", 1, "update", "Sở KH&ĐT Bắc Kạn")
    assert entry.at[:4].isdigit() and ("+00:00" in entry.at or entry.at.endswith("Z"))
    assert entry.before["properties"]["status"] == "planned"
    assert entry.after["properties"]["status"] == "site_clearance"
    assert (entry.etag_before, entry.etag_after) == (zone.etag, changed.etag)
    assert entry.snapshot("before").etag == zone.etag  # snapshots are exact (WKB), so ETags match


def test_restore_previous_version_and_deleted_zone(edit_store):
    original = edit_store.get_zone("test-000011")
    v1 = edit_store.update_zone("test-000011", {"properties": {"occupancy_pct": 10}}, if_match=None, actor="a")
    v2 = edit_store.update_zone(
        "test-000011",
        {"properties": {"occupancy_pct": 20}, "geometry": shapely.geometry.mapping(zf.grid_square(999))},
        if_match=v1.etag,
        actor="a",
    )
    restored = edit_store.restore("test-000011", 1, actor="b", if_match=v2.etag)
    assert restored.etag == v1.etag
    assert edit_store.get_zone("test-000011").geometry.equals(original.geometry)
    assert edit_store.restore("test-000011", 0, actor="b").etag == original.etag
    edit_store.delete_zone("test-000011", if_match=None, actor="c")
    back = edit_store.restore("test-000011", 2, actor="c")
    assert back.etag == v2.etag == edit_store.get_zone("test-000011").etag
    ops = [e.op for e in sorted(edit_store.history("test-000011"), key=lambda e: e.version)]
    assert ops == ["update", "update", "restore", "restore", "delete", "restore"]


def test_restore_refuses_missing_versions(edit_store):
    edit_store.update_zone("test-000012", {"properties": {"occupancy_pct": 10}}, if_match=None, actor="a")
    with pytest.raises(VersionNotFoundError, match="no version 7"):
        edit_store.restore("test-000012", 7, actor="a")
    created = edit_store.create_zone(zf.feature(300), actor="a")
    with pytest.raises(VersionNotFoundError, match="did not exist"):
        edit_store.restore("test-000300", 0, actor="a")
    edit_store.delete_zone("test-000300", if_match=created.etag, actor="a")
    with pytest.raises(VersionNotFoundError, match="deleted"):
        edit_store.restore("test-000300", 2, actor="a")
    with pytest.raises(PreconditionFailedError):
        edit_store.restore("test-000012", 1, actor="a", if_match='"stale"')


# --- validation and repair -------------------------------------------------------------------------

BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[105.80, 22.10], [105.81, 22.11], [105.81, 22.10], [105.80, 22.11], [105.80, 22.10]]],
}


def test_invalid_geometry_rejected_unless_repair_requested(edit_store):
    feature = zf.feature(400)
    feature["geometry"] = BOWTIE
    with pytest.raises(GeometryError, match="Self-intersection"):
        edit_store.create_zone(feature, actor="a")
    with pytest.raises(ZoneNotFoundError):
        edit_store.get_zone("test-000400")
    repaired = edit_store.create_zone(feature, actor="a", repair=True)
    assert repaired.geometry.is_valid and repaired.geometry.geom_type == "MultiPolygon"
    # two triangles of 0.005 x 0.01 / 2 degrees each (hand computed)
    assert repaired.geometry.area == pytest.approx(2 * 0.01 * 0.005 / 2)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"properties": {"kind": "XYZ"}}, "kind must be one of"),
        ({"properties": {"occupancy_pct": 140}}, "occupancy_pct must be <= 100"),
        ({"properties": {"status_year": "soon"}}, "status_year must be a number"),
        ({"properties": {"colour": "red"}}, "unknown attribute"),
        ({"geometry": {"type": "Point", "coordinates": [105.8, 22.1]}}, "Polygon or MultiPolygon"),
        (
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[22.10, 105.80], [22.11, 105.80], [22.11, 105.81], [22.10, 105.80]]],
                }
            },
            "latitude/longitude",
        ),
    ],
)
def test_bad_edits_are_refused_with_the_reason(edit_store, change, message):
    before = edit_store.get_zone("test-000013")
    with pytest.raises(ValueError, match=message):
        edit_store.update_zone("test-000013", change, if_match=before.etag, actor="a")
    assert edit_store.get_zone("test-000013").etag == before.etag
    assert edit_store.history("test-000013") == []


def test_vn2000_input_is_reprojected(edit_store):
    """A geometry sent in VN-2000 / TM-3 (EPSG:9213) lands where the same square in lon/lat does."""
    import geopandas as gpd

    square = gpd.GeoSeries([zf.grid_square(401)], crs="EPSG:4326").to_crs(9213).iloc[0]
    feature = zf.feature(401)
    feature["geometry"] = shapely.geometry.mapping(square)
    zone = edit_store.create_zone(feature, actor="a", crs="EPSG:9213")
    assert zone.geometry.equals_exact(zf.grid_square(401), tolerance=1e-7)


# --- injection and odd ids -------------------------------------------------------------------------

NASTY = ["x' OR '1'='1", "'; DROP TABLE zones; --", 'test-000001" --', "../../etc/passwd", "%", "_", "*", "test-00000%"]


@pytest.mark.parametrize("zone_id", NASTY)
def test_ids_are_data_not_sql(edit_store, zone_id):
    with pytest.raises(ZoneNotFoundError):
        edit_store.get_zone(zone_id)
    with pytest.raises(ZoneNotFoundError):
        edit_store.delete_zone(zone_id, if_match=None, actor="a")
    assert edit_store.history(zone_id) == []
    assert len(edit_store.zones()) == N_ZONES
    # such ids are refused on create (issue 16: ids follow geozones.schema.ID_PATTERN)
    with pytest.raises(ZoneValidationError, match="id must be"):
        edit_store.create_zone(
            zf.feature(500) | {"id": zone_id, "properties": zf.properties(500, id=zone_id)}, actor="a"
        )
    assert len(edit_store.zones()) == N_ZONES


def test_layer_names_are_checked(edit_store):
    import pandas as pd

    with pytest.raises((ValueError, KeyError)):
        edit_store.layer("zones; DROP TABLE zones")
    if not isinstance(edit_store, GeoPackageStore):
        with pytest.raises(ValueError, match="layer name"):
            edit_store.write_layer('x"; DROP TABLE zones; --', pd.DataFrame({"a": [1]}))
    assert len(edit_store.zones()) == N_ZONES


# --- bulk writes and edits together -----------------------------------------------------------------


def test_bulk_replace_then_edit(edit_store, tmp_path):
    """Importing a file replaces the zone layer atomically; edits afterwards work and are visible."""
    from geozones.io import to_file, zones_from_file

    to_file(zf.zones(5).to_crs(9213), tmp_path / "five.gpkg")
    edit_store.write_zones(zones_from_file(tmp_path / "five.gpkg"))
    assert sorted(edit_store.zones()["id"]) == [f"test-{i:06d}" for i in range(5)]
    zone = edit_store.get_zone("test-000002")
    edit_store.update_zone("test-000002", {"properties": {"investor": "after import"}}, if_match=zone.etag, actor="a")
    assert edit_store.zones().set_index("id").loc["test-000002", "investor"] == "after import"


# --- backend specifics ----------------------------------------------------------------------------------


def test_geopackage_stays_valid_and_indexed_after_edits(tmp_path):
    store = GeoPackageStore(tmp_path / "s.gpkg", data_dir=zf.data_dir(tmp_path / "data", 5)).ensure()
    zone = store.get_zone("test-000001")
    far = shapely.box(106.5, 21.9, 106.51, 21.91)  # Lạng Sơn side, away from every other square
    store.update_zone("test-000001", {"geometry": shapely.geometry.mapping(far)}, if_match=zone.etag, actor="a")
    store.create_zone(zf.feature(50), actor="a")
    store.delete_zone("test-000002", if_match=None, actor="a")
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rtree = {r[0]: r[1:] for r in db.execute("SELECT id, minx, maxx, miny, maxy FROM rtree_zones_geom")}
        fids = dict(db.execute("SELECT id, fid FROM zones"))
        assert set(rtree) == set(fids.values())  # deleted row left the index, new row entered it
        minx, maxx, miny, maxy = rtree[fids["test-000001"]]
        assert (minx, miny) == pytest.approx((106.5, 21.9), abs=1e-4)  # R-tree stores float32 bounds
        assert db.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'zones'").fetchone()[0] == 5
        assert db.execute("SELECT max_x FROM gpkg_contents WHERE table_name = 'zones'").fetchone()[0] >= 106.51
    # GDAL finds the moved zone through the spatial index at its new place only
    assert pyogrio.read_dataframe(store.path, layer="zones", bbox=(106.49, 21.89, 106.52, 21.92))["id"].tolist() == [
        "test-000001"
    ]
    assert (
        "test-000001"
        not in pyogrio.read_dataframe(store.path, layer="zones", bbox=zf.grid_square(1).bounds)["id"].tolist()
    )
    assert "geozones_history" not in store.layers()


def test_postgis_migrations_are_versioned(postgis_url):
    import psycopg

    from geozones.store.postgis import PostGISStore, migrations

    schema = new_schema()
    store = PostGISStore(
        postgis_url, schema=schema, srid=9213, data_dir=zf.data_dir(__import__("tempfile").mkdtemp(), 3)
    ).ensure()
    assert [m[0] for m in migrations()] == [1, 2, 3, 4, 5]
    assert store.schema_version() == 5 and store.migrate() == []
    with psycopg.connect(postgis_url) as conn:
        rows = conn.execute(f"SELECT version, name FROM {schema}.schema_migrations ORDER BY version").fetchall()
        assert rows == [
            (1, "init"),
            (2, "history_indexes"),
            (3, "zones_without_polygon"),
            (4, "investor_fields"),
            (5, "coverage_fields"),
        ]
        srid = conn.execute(f"SELECT DISTINCT ST_SRID(geometry) FROM {schema}.zones").fetchall()
        assert srid == [(9213,)]
        index = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = 'zones' "
            "AND indexdef ILIKE '%%gist%%'",
            (schema,),
        ).fetchone()
        assert index is not None
    # stored in VN-2000 / TM-3, read back in the same CRS, the same squares as drawn in lon/lat
    zones = store.zones()
    assert zones.crs.to_epsg() == 9213
    assert zones.to_crs(4326).geometry.iloc[0].equals_exact(zf.grid_square(0), tolerance=1e-7)
    store.close()


def test_open_store_picks_postgis_from_the_environment(postgis_url, monkeypatch, tmp_path):
    from geozones.store.postgis import PostGISStore

    monkeypatch.setenv("GEOZONES_DATA_DIR", str(zf.data_dir(tmp_path / "data", 3)))
    monkeypatch.setenv("GEOZONES_DATABASE_URL", postgis_url)  # the default schema, public
    store = open_store()
    assert isinstance(store, PostGISStore) and len(store.zones()) == 3
    monkeypatch.delenv("GEOZONES_DATABASE_URL")
    assert isinstance(open_store(tmp_path / "x.gpkg"), GeoPackageStore)


def test_postgis_filled_from_the_shipped_data_matches_the_geopackage(postgis_url, built_store):
    """A new PostGIS store imports every shipped layer; its zones are the GeoPackage's, record for record."""
    from geozones.store import shipped_layers
    from geozones.store.postgis import PostGISStore

    store = PostGISStore(postgis_url, schema=new_schema()).ensure()
    assert set(store.layers()) == set(shipped_layers())
    for zone_id in built_store.zones()["id"]:
        assert store.get_zone(zone_id).etag == built_store.get_zone(zone_id).etag
    boundaries = store.layer("boundaries_provinces")
    assert len(boundaries) == len(built_store.layer("boundaries_provinces"))
    store.close()


def test_zone_without_polygon_then_outlined(edit_store):
    """Some zones are known only by a site marker (no published area): they can be created, then outlined."""
    feature = zf.feature(600, site_lon=105.84, site_lat=22.15)
    feature["geometry"] = None
    created = edit_store.create_zone(feature, actor="a")
    assert created.geometry is None and edit_store.get_zone("test-000600").etag == created.etag
    assert _row_etag(edit_store, "test-000600") == created.etag
    outlined = edit_store.update_zone(
        "test-000600", {"geometry": shapely.geometry.mapping(zf.grid_square(600))}, if_match=created.etag, actor="a"
    )
    assert outlined.geometry.equals(zf.grid_square(600))
    assert edit_store.restore("test-000600", 1, actor="a").geometry is None


# --- managed imports and checked restores (issue 24 item 3, issue 20 item 8), both backends -------------


def test_an_import_plan_is_applied_in_one_transaction_with_history(edit_store):
    from geozones.errors import ConflictError
    from geozones.store.imports import apply_import, plan_import, with_etags

    exported = with_etags(edit_store.zones())
    frame, tags = exported.drop(columns="etag"), exported["etag"]
    frame.loc[frame["id"] == "test-000001", "occupancy_pct"] = 55.0
    # an API edit of another zone after the export: the file's stale row would revert it
    current = edit_store.get_zone("test-000002")
    edit_store.update_zone("test-000002", {"properties": {"status": "operating"}}, if_match=current.etag, actor="api")
    frame.loc[frame["id"] == "test-000002", "notes"] = "sửa trong QGIS"
    plan = plan_import(edit_store, frame, tags, source="zones.gpkg")
    assert [c.zone_id for c in plan.of_kind("changed")] == ["test-000001", "test-000002"]
    assert [c.zone_id for c in plan.conflicts] == ["test-000002"]
    assert "status changed since, by api" in plan.conflicts[0].conflict
    before = len(edit_store.history(None))
    with pytest.raises(ConflictError):
        apply_import(edit_store, plan, actor="import zones.gpkg (test)")
    assert len(edit_store.history(None)) == before
    assert apply_import(edit_store, plan, actor="import zones.gpkg (test)", force=True) == 2
    entries = edit_store.history(None)[:2]
    assert {e.zone_id for e in entries} == {"test-000001", "test-000002"}
    assert all(e.actor == "import zones.gpkg (test)" and e.op == "replace" for e in entries)
    assert edit_store.get_zone("test-000001").properties["occupancy_pct"] == 55.0


def test_restore_runs_the_check_it_is_given(edit_store):
    current = edit_store.get_zone("test-000003")
    edit_store.update_zone("test-000003", {"properties": {"occupancy_pct": 10.0}}, if_match=current.etag, actor="a")
    etag = edit_store.get_zone("test-000003").etag

    def refuse(zone, before):
        assert before is not None and before.etag == etag
        raise ValueError("placement")

    with pytest.raises(ValueError, match="placement"):
        edit_store.restore("test-000003", 0, actor="b", if_match=etag, check=refuse)
    assert edit_store.get_zone("test-000003").etag == etag
