"""``geozones figures``: list a zone's published figures and sources; add a new figure (append-only)."""

from __future__ import annotations

import getpass
from typing import Annotated

import pandas as pd
import typer

from geozones.cli._output import Typer, console, fail, print_frame, store_from

figures_app = Typer(
    name="figures",
    help="Published figures with their sources: list them, add a new one (old figures are never overwritten).",
    no_args_is_help=True,
)


def _text(frame) -> pd.DataFrame:
    frame = pd.DataFrame(frame)
    return frame.astype(object).where(frame.notna(), "").map(str)


@figures_app.command("list")
def list_command(
    ctx: typer.Context, zone: Annotated[str, typer.Argument(help="Zone id, e.g. ls-kcn-dong-banh.")]
) -> None:
    """Every figure of one zone with its source (publisher, title, date), the served one marked."""
    from geozones import provenance

    store = store_from(ctx)
    names = set(store.layers())
    if "table_figures" not in names or "table_sources" not in names:
        fail("the store has no figures or sources table")
    figures, sources = _text(store.layer("table_figures")), _text(store.layer("table_sources"))
    mine = figures[figures["zone_id"] == zone]
    if mine.empty:
        fail(f"no figures for zone {zone!r}")
    served = set(provenance.served_figures(mine, sources)["id"])
    by_id = sources.set_index("id")
    table = mine.assign(
        served=mine["id"].map(lambda i: "✓" if i in served else ""),
        source=mine["source_id"].map(lambda s: provenance.citation_text(by_id.loc[s]) if s in by_id.index else s),
        kind=mine["source_id"].map(lambda s: by_id.loc[s, "kind"] if s in by_id.index else ""),
    )
    print_frame(
        table[["id", "field", "value", "unit", "qualifier", "as_of", "served", "kind", "source"]], zone, index=False
    )


@figures_app.command("add")
def add_command(
    ctx: typer.Context,
    zone: Annotated[str, typer.Argument(help="Zone id.")],
    field: Annotated[str, typer.Argument(help="area_published_ha, occupancy_pct, investor, decision, ...")],
    value: Annotated[str, typer.Argument(help="The value as published.")],
    source: Annotated[str, typer.Option("--source", help="Source id (a row of the sources table).")],
    as_of: Annotated[str, typer.Option(help="Date the figure describes: YYYY, YYYY-MM or YYYY-MM-DD.")] = "",
    unit: Annotated[str, typer.Option(help="Unit as published (ha, %, bn VND ...).")] = "",
    qualifier: Annotated[str, typer.Option(help="exact, about or over.")] = "",
    note: Annotated[str, typer.Option(help="The source's wording or context.")] = "",
) -> None:
    """Append a figure with its source; the zone then serves the value the rule picks (see data/README.md)."""
    from geozones.store.figures import add_figure

    store = store_from(ctx)
    figure = {"zone_id": zone, "field": field, "value": value, "unit": unit, "qualifier": qualifier}
    figure |= {"as_of": as_of, "source_id": source, "note": note}
    result = add_figure(store, figure, actor=f"cli:{getpass.getuser()}")
    served = result["served"]
    console.print(
        f"added {result['figure']['id']}: {zone} {field} = {value} ({source}); "
        f"served value now {served['value']} from {served['source_id']} "
        f"({served['alternatives']} other figure(s) kept)",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``geozones figures`` to ``app``."""
    app.add_typer(figures_app)
