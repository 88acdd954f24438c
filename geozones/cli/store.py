"""Store commands: where the store is, rebuild it, import zones into it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from geozones.cli._output import Typer, console, print_frame, store_from
from geozones.cli.checks import AllowOption, EncodingOption, FieldMapOption

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
) -> None:
    """Import zones: merged by id (new ids added, existing ids replaced) or replacing every zone.

    The zones are checked like ``geozones validate`` (schema, CRS, axis order, placement) and
    nothing is written when a check fails.
    """
    import pandas as pd

    from geozones.cli.checks import allowed, placement_or_fail
    from geozones.cli.checks import field_map as parse_map
    from geozones.crs import WGS84
    from geozones.io import zones_from_file

    allow_list = allowed(allow)
    store = store_from(ctx)
    incoming = zones_from_file(path, crs=crs, swap_xy=swap_xy, fields=parse_map(field_map), encoding=encoding)
    placement_or_fail(ctx, incoming, path.name, allow_list, replace=replace)
    current = store.zones()
    incoming = incoming.to_crs(current.crs or WGS84)
    if replace:
        merged = incoming
    else:
        kept = current[~current["id"].isin(incoming["id"])]
        merged = pd.concat([kept, incoming], ignore_index=True)
    store.write_zones(merged)
    added = (~incoming["id"].isin(current["id"])).sum()
    console.print(
        f"imported {len(incoming)} zones from {path.name} ({added} new, "
        f"{len(incoming) - added} replaced); the store now has {len(merged)}"
    )


def register(app: typer.Typer) -> None:
    """Add the ``store`` command group to ``app``."""
    app.add_typer(store_app)
