"""Store commands: where the store is, rebuild it, import zones into it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from geozones.cli._output import Typer, console, fail, print_frame, store_from
from geozones.cli.checks import AllowOption, EncodingOption, FieldMapOption, SetOption

store_app = Typer(name="store", help="The embedded zone store: info, reset, refresh, import.", no_args_is_help=True)


@store_app.command()
def info(ctx: typer.Context) -> None:
    """Show the store's location, version and layers: feature counts, and whether each shipped layer is
    still this installation's shipped data."""
    store = store_from(ctx)
    import pandas as pd

    from geozones.store.shipped import compare_shipped

    shipped = compare_shipped(store).set_index("layer")
    rows = [
        {
            "layer": name,
            "features": len(store.layer(name)),
            "shipped": shipped.loc[name, "status"] if name in shipped.index else "—",
            "detail": shipped.loc[name, "detail"] if name in shipped.index else "",
        }
        for name in store.layers()
    ]
    console.print(f"store: {getattr(store, 'path', store)}  version: {store.version()}", highlight=False)
    print_frame(pd.DataFrame(rows), "Layers", index=False)
    stale = [r["layer"] for r in rows if r["shipped"] == "differs" and r["layer"] != "zones"]
    if stale:
        console.print(
            f"note: {', '.join(stale)} differ from the data this geozones ships (an older version's, or edited); "
            f"`geozones store refresh {' '.join(stale)}` replaces them by the shipped ones",
            highlight=False,
        )


@store_app.command()
def refresh(
    ctx: typer.Context,
    layers: Annotated[
        list[str] | None,
        typer.Argument(help="Shipped layers to replace (e.g. infrastructure_roads); default: every one that differs."),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace layers by this installation's shipped data (a store built by an older geozones keeps its old
    boundaries and infrastructure until then). Zones are refreshed only when named."""
    from geozones.store.shipped import compare_shipped, refresh_shipped

    store = store_from(ctx)
    if not layers:
        table = compare_shipped(store)
        layers = table.loc[(table["status"] != "same") & (table["layer"] != "zones"), "layer"].tolist()
        if not layers:
            console.print("every shipped layer in the store is this installation's shipped data")
            return
    if not yes:
        typer.confirm(
            f"Replace {', '.join(layers)} in {getattr(store, 'path', store)} by the shipped data?", abort=True
        )
    written = refresh_shipped(store, layers)
    console.print(f"refreshed {', '.join(written)} from the shipped data", highlight=False)


@store_app.command()
def reset(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Rebuild the store from the shipped data (discards edits and imported zones)."""
    store = store_from(ctx)
    if not yes:
        typer.confirm(f"Rebuild {getattr(store, 'path', store)} from the shipped data?", abort=True)
    store.reset()
    console.print(f"rebuilt {getattr(store, 'path', store)}: {len(store.zones())} zones")


@store_app.command("import")
def import_zones(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Zone file (GeoJSON, GPKG, SHP, zipped SHP, FGB, CSV+WKT).")],
    replace: Annotated[bool, typer.Option("--replace", help="Replace all zones instead of merging by id.")] = False,
    crs: Annotated[str | None, typer.Option(help="CRS to assume (CSV) or to override the file's.")] = None,
    swap_xy: Annotated[bool, typer.Option("--swap-xy", help="Exchange x and y.")] = False,
    field_map: FieldMapOption = None,
    allow: AllowOption = None,
    encoding: EncodingOption = None,
    constants: SetOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change, zone by zone, and write nothing.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Overwrite zones edited in the store since the file was exported."),
    ] = False,
) -> None:
    """Import zones: merged by id (new ids added, existing ids replaced) or replacing every zone.

    The zones are checked like ``geozones validate`` (schema, CRS, axis order, placement) and
    nothing is written when a check fails. A file from ``geozones export`` carries each zone's
    version (``etag``): a zone edited in the store since (e.g. through the API) is not overwritten
    without ``--force``. Every change is recorded in the zone's history with the file's name.
    """
    import getpass

    from geozones.cli.checks import allowed, placement_or_fail, prepare_office_file
    from geozones.cli.checks import field_map as parse_map
    from geozones.io import read_layer
    from geozones.io.versions import split_etags
    from geozones.schema import validate_zones
    from geozones.store.imports import apply_import, plan_import

    allow_list = allowed(allow)
    store = store_from(ctx)
    frame = read_layer(path, crs=crs, swap_xy=swap_xy, fields=parse_map(field_map), encoding=encoding)
    frame, etags = split_etags(frame)
    incoming = validate_zones(prepare_office_file(ctx, frame, constants))
    placement_or_fail(ctx, incoming, path.name, allow_list, replace=replace)
    plan = plan_import(store, incoming, etags, replace=replace, source=path.name)
    if dry_run or plan.conflicts:
        heading = "dry run (nothing written)" if dry_run else "refused (nothing written)"
        console.print(f"{path.name} → {getattr(store, 'path', store)}: {heading}", highlight=False)
        for change in plan.changes:
            if change.kind != "unchanged" or change.conflict:
                console.print(escape(change.describe()), highlight=False, soft_wrap=True)
        console.print(plan.summary(), highlight=False)
    if not plan.versioned and plan.of_kind("changed"):
        console.print(
            f"note: {path.name} carries no etag column (not a geozones export): edits made in the store since "
            "cannot be told from the file's; check the changes above with --dry-run",
            highlight=False,
        )
    if dry_run:
        return
    if plan.conflicts and not force:
        fail(
            f"{path.name}: {len(plan.conflicts)} zone(s) were edited in the store since the file was exported; "
            "export again and redo the change, or --force to overwrite them"
        )
    written = apply_import(store, plan, actor=f"import {path.name} ({getpass.getuser()})", force=force)
    total = len(store.zones())
    console.print(
        f"imported {len(incoming)} zones from {path.name} ({len(plan.of_kind('added'))} new, "
        f"{len(plan.of_kind('changed'))} changed, {len(plan.of_kind('removed'))} removed, "
        f"{len(plan.of_kind('unchanged'))} unchanged; {written} history entries); the store now has {total}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add the ``store`` command group to ``app``."""
    app.add_typer(store_app)
