"""Store and key commands: ``geozones store info|migrate|import|history`` and ``geozones keys create|list|revoke``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from geozones.cli._output import console, fail, print_frame

store_app = typer.Typer(help="The zone store: backend, migrations, imports, edit history.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for editing through the web API (stored hashed).", no_args_is_help=True)

DatabaseUrl = Annotated[Optional[str], typer.Option(
    "--database-url", envvar="GEOZONES_DATABASE_URL",
    help="PostgreSQL/PostGIS URL (postgresql://user@host/db); default: the GeoPackage store.")]
KeysFile = Annotated[Optional[Path], typer.Option(
    "--keys-file", envvar="GEOZONES_KEYS_FILE", help="Keys file (default: keys.json beside the store).")]


def _open(ctx: typer.Context, url: str | None):
    from geozones.store import open_store

    return open_store(((ctx.obj or {}) if ctx.obj else {}).get("store"), url=url)


@store_app.command("info")
def info(ctx: typer.Context, database_url: DatabaseUrl = None) -> None:
    """Which backend, its layers, zone count and schema version."""
    store = _open(ctx, database_url)
    console.print(f"store: {store!r}")
    if hasattr(store, "schema_version"):
        console.print(f"schema version: {store.schema_version()}")
    console.print(f"zones: {len(store.zones())}; layers: {', '.join(store.layers())}")


@store_app.command("migrate")
def migrate(ctx: typer.Context, database_url: DatabaseUrl = None,
            srid: Annotated[int, typer.Option(help="Storage CRS of a new PostGIS store (EPSG code, e.g. 9213).")]
            = 4326) -> None:
    """Create or upgrade the PostGIS schema (versioned migrations), then fill it from the shipped data."""
    if not database_url:
        fail("give --database-url or set GEOZONES_DATABASE_URL (the GeoPackage store needs no migrations)")
    from geozones.store_postgis import PostGISStore

    store = PostGISStore(database_url, srid=srid)
    applied = store.migrate()
    store.ensure()
    console.print(f"applied migrations: {applied or 'none (up to date)'}; schema version {store.schema_version()}")


@store_app.command("import")
def import_zones(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Zones file: GeoJSON, GeoPackage, Shapefile (.shp/.zip), "
                                              "FlatGeobuf or CSV with WKT.")],
    layer: Annotated[Optional[str], typer.Option(help="Layer of a multi-layer file.")] = None,
    crs: Annotated[Optional[str], typer.Option(help="CRS when the file has none (CSV), e.g. EPSG:9213.")] = None,
    swap_xy: Annotated[bool, typer.Option("--swap-xy", help="Exchange x and y (lat/lon files).")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Replace the zone layer with the zones of a file (validated first; one atomic write)."""
    from geozones.io import zones_from_file

    zones = zones_from_file(path, layer, crs=crs, swap_xy=swap_xy)
    store = _open(ctx, database_url)
    store.write_zones(zones)
    console.print(f"imported {len(zones)} zones into {store!r}")


@store_app.command("history")
def history(ctx: typer.Context,
            zone: Annotated[Optional[str], typer.Argument(help="Zone id (default: every zone).")] = None,
            limit: Annotated[int, typer.Option(help="Most recent entries.")] = 20,
            database_url: DatabaseUrl = None) -> None:
    """Recorded edits: version, change, who and when."""
    import pandas as pd

    entries = _open(ctx, database_url).history(zone, limit)
    table = pd.DataFrame([{"zone": e.zone_id, "version": e.version, "op": e.op, "actor": e.actor, "at": e.at}
                          for e in entries], columns=["zone", "version", "op", "actor", "at"])
    print_frame(table, f"{len(table)} change(s)", index=False)


@keys_app.command("create")
def create(role: Annotated[str, typer.Option(help="viewer, editor or admin.")],
           name: Annotated[str, typer.Option(help="Who uses the key (recorded in the edit history).")],
           keys_file: KeysFile = None) -> None:
    """Make a new key and print it once; only its salted hash is stored."""
    from geozones.keys import create_key, default_keys_path

    secret, key = create_key(role, name, keys_file)
    console.print(f"created {key.role} key {key.id} for {key.name!r} in {keys_file or default_keys_path()}")
    console.print("the key (shown only now; send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'):")
    typer.echo(secret)


@keys_app.command("list")
def list_keys(keys_file: KeysFile = None) -> None:
    """Id, name, role and creation time of every key."""
    import pandas as pd

    from geozones.keys import load_keys

    keys = load_keys(keys_file)
    print_frame(pd.DataFrame([{"id": k.id, "name": k.name, "role": k.role, "created": k.created} for k in keys],
                             columns=["id", "name", "role", "created"]), f"{len(keys)} key(s)", index=False)


@keys_app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="The key's id (from `geozones keys list`).")],
           keys_file: KeysFile = None) -> None:
    """Delete a key; it stops working at once."""
    from geozones.keys import revoke_key

    try:
        key = revoke_key(key_id, keys_file)
    except KeyError as exc:
        fail(str(exc.args[0]))
    console.print(f"revoked key {key.id} ({key.name}, {key.role})")


def register(app: typer.Typer) -> None:
    """Add the ``store`` and ``keys`` command groups to ``app``."""
    app.add_typer(store_app, name="store")
    app.add_typer(keys_app, name="keys")
