"""API keys and the PostGIS store: ``geozones keys create|list|revoke``, ``geozones store migrate|history``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from geozones.cli._output import Typer, console, fail, print_frame, store_from

keys_app = Typer(
    name="keys", help="API keys for editing through the web API (only their hashes are stored).", no_args_is_help=True
)

KeysFile = Annotated[
    Path | None,
    typer.Option("--keys-file", envvar="GEOZONES_KEYS_FILE", help="Keys file (default: keys.json beside the store)."),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url", envvar="GEOZONES_DATABASE_URL", help="PostgreSQL/PostGIS URL (postgresql://user@host/db)."
    ),
]


@keys_app.command("create")
def create(
    role: Annotated[str, typer.Option(help="viewer, editor or admin.")],
    name: Annotated[str, typer.Option(help="Who uses the key (recorded in the edit history).")],
    keys_file: KeysFile = None,
) -> None:
    """Make a new key and print it once; only its salted scrypt hash is stored."""
    from geozones.store.keys import create_key, default_keys_path

    secret, key = create_key(role, name, keys_file)
    console.print(
        f"created {key.role} key {key.id} for {key.name!r} in {keys_file or default_keys_path()}", highlight=False
    )
    console.print("the key, shown only now (send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'):")
    typer.echo(secret)


@keys_app.command("list")
def list_keys(keys_file: KeysFile = None) -> None:
    """Id, name, role and creation time of every key."""
    import pandas as pd

    from geozones.store.keys import load_keys

    keys = load_keys(keys_file)
    print_frame(
        pd.DataFrame(
            [{"id": k.id, "name": k.name, "role": k.role, "created": k.created} for k in keys],
            columns=["id", "name", "role", "created"],
        ),
        f"{len(keys)} key(s)",
        index=False,
    )


@keys_app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (from `geozones keys list`).")], keys_file: KeysFile = None
) -> None:
    """Delete a key; it stops working at once."""
    from geozones.store.keys import revoke_key

    try:
        key = revoke_key(key_id, keys_file)
    except KeyError as exc:
        fail(str(exc.args[0]))
    console.print(f"revoked key {key.id} ({key.name}, {key.role})", highlight=False)


def migrate(
    database_url: DatabaseUrl = None,
    srid: Annotated[int, typer.Option(help="Storage CRS of a new PostGIS store (EPSG code, e.g. 9213).")] = 4326,
    schema: Annotated[str, typer.Option(help="Database schema for the store's tables.")] = "public",
) -> None:
    """Create or upgrade the PostGIS schema (versioned migrations); fill a new store from the shipped data."""
    if not database_url:
        fail("give --database-url or set GEOZONES_DATABASE_URL (the GeoPackage store needs no migrations)")
    from geozones.store.postgis import PostGISStore

    store = PostGISStore(database_url, schema=schema, srid=srid)
    applied = store.migrate()
    store.ensure()
    console.print(
        f"applied migrations: {applied or 'none (up to date)'}; schema version {store.schema_version()}; "
        f"{len(store.zones())} zones in EPSG:{store.srid}",
        highlight=False,
    )


def history(
    ctx: typer.Context,
    zone: Annotated[str | None, typer.Argument(help="Zone id (default: every zone).")] = None,
    limit: Annotated[int, typer.Option(help="Most recent entries.")] = 20,
) -> None:
    """Recorded edits, newest first: zone, version, change, who and when."""
    import pandas as pd

    entries = store_from(ctx).history(zone, limit)
    table = pd.DataFrame(
        [{"zone": e.zone_id, "version": e.version, "op": e.op, "actor": e.actor, "at": e.at} for e in entries],
        columns=["zone", "version", "op", "actor", "at"],
    )
    print_frame(table, f"{len(table)} change(s)", index=False)


def register(app: typer.Typer) -> None:
    """Add the ``keys`` group, and ``migrate`` and ``history`` to the ``store`` group."""
    from geozones.cli.store import store_app

    store_app.command("migrate")(migrate)
    store_app.command("history")(history)
    app.add_typer(keys_app)
