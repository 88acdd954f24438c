"""``geozones logistics``: minutes to Hà Nội, the airport and the border gates; isochrones in the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from geozones.cli._output import console, fail, print_frame, store_from

logistics_app = typer.Typer(help="Logistics reach: drive times (a stated model), isochrones, labour catchments.")

VehicleOption = Annotated[str, typer.Option(help="car, or truck (a loaded container tractor-trailer)")]


def _check(vehicle: str) -> None:
    from geozones.analysis.logistics import VEHICLES

    if vehicle not in VEHICLES:
        fail(f"--vehicle must be one of {', '.join(VEHICLES)}, got {vehicle!r}")


def zones(
    ctx: typer.Context,
    vehicle: VehicleOption = "car",
    csv: Annotated[Path | None, typer.Option(help="Write the whole table (every destination) to this CSV file")] = None,
) -> None:
    """Minutes from every zone to Hà Nội, Nội Bài, the nearest border gate; people within 30 / 60 min."""
    from geozones.analysis.logistics import model_note
    from geozones.scenario.reach import zone_reach

    _check(vehicle)
    table = zone_reach(store_from(ctx), vehicle)
    if csv is not None:
        table.to_csv(csv, encoding="utf-8")
        console.print(f"wrote {csv}")
    shown = table[
        [
            c
            for c in (
                "access_m",
                "time_note",
                "min_ha_noi_centre",
                "min_noi_bai_airport",
                "min_to_border_gate",
                "pop_30min",
                "pop_60min",
            )
            if c in table.columns
        ]
    ].copy()
    shown["access_m"] = (shown["access_m"] / 1000).round(1)
    for column in [c for c in shown.columns if c.startswith(("min_", "pop_"))]:
        shown[column] = shown[column].round(0).astype("Int64")
    shown = shown.rename(
        columns={
            "access_m": "access km",
            "time_note": "note",
            "min_ha_noi_centre": "Hà Nội min",
            "min_noi_bai_airport": "Nội Bài min",
            "min_to_border_gate": "border gate min",
            "pop_30min": "people ≤30 min",
            "pop_60min": "people ≤60 min",
        }
    )
    print_frame(shown, title=f"Logistics reach ({vehicle})")
    console.print(model_note(vehicle))


def refresh(ctx: typer.Context) -> None:
    """Recompute the isochrones of the store's zones and save them as the layer logistics_isochrones."""
    from geozones.scenario.reach import ISOCHRONE_LAYER, write_isochrone_layer

    layer = write_isochrone_layer(store_from(ctx))
    console.print(f"{ISOCHRONE_LAYER}: {len(layer)} polygons ({layer['zone_id'].nunique()} zones, car and truck)")


def register(app: typer.Typer) -> None:
    """Add ``geozones logistics zones|refresh``."""
    logistics_app.command("zones")(zones)
    logistics_app.command("refresh")(refresh)
    app.add_typer(logistics_app, name="logistics")
