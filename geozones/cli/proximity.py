"""``geozones proximity``: distances from every zone to highways, substations, the border gate, and by road."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from geozones.cli._output import console, fail, print_frame, store_from
from geozones.io.csvcells import write_csv

LayerOption = "Your own {what} layer (any format and CRS geozones reads), instead of the shipped one."


def _speeds(values: list[str] | None) -> dict[str, float]:
    speeds: dict[str, float] = {}
    for value in values or []:
        klass, _, number = value.partition("=")
        try:
            speeds[klass.strip()] = float(number)
        except ValueError:
            fail(f"--speed expects CLASS=KMH (e.g. national_highway=50), got {value!r}")
        if not klass.strip() or speeds[klass.strip()] <= 0:
            fail(f"--speed expects CLASS=KMH with a positive speed, got {value!r}")
    return speeds


def _compact(table):
    """The printed table: short headers, kilometres; no names, flags, hours or straight lines (all in the CSV)."""
    shown = table.drop(
        columns=[c for c in table.columns if c.startswith(("reachable_", "straight_km_", "road_h_"))]
        + [
            c
            for c in (
                "name",
                "nearest_substation",
                "substation_note",
                "nearest_station",
                "road_km_nearest_station",
                "road_h_nearest_station",
            )
            if c in table.columns
        ]
    )
    for column in [c for c in shown.columns if c.endswith("_m")]:
        shown[column] = (shown[column] / 1000.0).round(1)
    renames = {
        "measured_from": "from",
        "dist_highway_m": "highway",
        "nearest_highway": "ref",
        "dist_substation_m": "110kV",
        "dist_border_gate_m": "gate",
        "access_m": "access",
    }
    renames |= {
        c: "road:" + re.sub(r"_(city|border_gate|station)$", "", c[len("road_km_") :])
        for c in shown.columns
        if c.startswith("road_km_")
    }
    return shown.rename(columns=renames)


def proximity(
    ctx: typer.Context,
    roads: Annotated[Path | None, typer.Option(help=LayerOption.format(what="road"))] = None,
    power: Annotated[Path | None, typer.Option(help=LayerOption.format(what="power-grid"))] = None,
    destinations: Annotated[Path | None, typer.Option(help=LayerOption.format(what="destination"))] = None,
    zones_file: Annotated[Path | None, typer.Option("--zones", help="Zone file instead of the store's zones.")] = None,
    speed: Annotated[
        list[str] | None,
        typer.Option(help="Travel speed by road class, CLASS=KMH; repeat (defaults are assumptions, see docs)."),
    ] = None,
    max_access: Annotated[
        float | None,
        typer.Option(help="Zones farther than this many metres from any road count as unreachable by road."),
    ] = None,
    snap: Annotated[
        float | None,
        typer.Option(
            help="Join dangling road ends to another road within this many metres (default 1000, for the coarse "
            "shipped layer; 0 for OpenStreetMap data).",
            min=0,
        ),
    ] = None,
    at_grade: Annotated[
        bool,
        typer.Option(
            help="Join roads where they cross (at-grade junctions); --no-at-grade keeps crossings apart (bridges)."
        ),
    ] = True,
    csv: Annotated[Path | None, typer.Option(help="Write the table to this CSV.")] = None,
    gpkg: Annotated[Path | None, typer.Option(help="Write zones + distance columns to this GeoPackage.")] = None,
    jobs: Annotated[int, typer.Option(help="Threads for the nearest-feature queries.")] = 2,
) -> None:
    """Distance from every zone to the nearest national highway, 110 kV substation and border gate,
    and road distance and time to each destination (Bắc Kạn city, Hữu Nghị border gate...)."""
    from geozones.analysis.proximity import infrastructure_distances
    from geozones.io import read_layer, to_geopackage
    from geozones.store import load_infrastructure

    store = store_from(ctx)
    given = {
        name: path
        for name, path in (("roads", roads), ("power", power), ("destinations", destinations))
        if path is not None
    }
    infra = load_infrastructure(
        {
            **{n: store.layer(f"infrastructure_{n}") for n in ("roads", "power", "destinations") if n not in given},
            **given,
        }
    )
    zones = read_layer(zones_file) if zones_file else store.zones()
    if "id" not in zones.columns:
        fail("the zone layer needs an 'id' column")
    from geozones.analysis.roadnet import SHIPPED_SNAP_M, network_report

    snap_m = SHIPPED_SNAP_M if snap is None else snap
    table = infrastructure_distances(
        zones,
        infra,
        speeds_kmh=_speeds(speed),
        max_access_m=max_access,
        n_jobs=jobs,
        snap_m=snap_m,
        node_crossings=at_grade,
    )
    table.insert(0, "id", zones["id"].to_numpy())
    if "name" in zones.columns:
        table.insert(1, "name", zones["name"].to_numpy())
    print_frame(
        _compact(table),
        f"Proximity of {len(zones)} zones (km; road: = by road; — = no geometry, "
        "unreachable or no data; hours, straight lines and all other columns in the CSV)",
        index=False,
    )
    from geozones.crs import VN2000_UTM48

    roads_metric = infra["roads"].to_crs(VN2000_UTM48)  # the network spans provinces
    network = network_report(roads_metric, snap_m=snap_m, node_crossings=at_grade)
    print_frame(
        network["components"],
        f"Road network: {len(network['components'])} connected component(s); "
        f"{len(network['snaps'])} line end(s) snapped within {snap_m:g} m"
        + ("; crossings joined at grade" if at_grade else ""),
        index=False,
    )
    if csv:
        write_csv(table, csv, index=False)
        console.print(f"wrote {csv}")
    if gpkg:
        out = zones[[zones.geometry.name]].join(table)
        to_geopackage(out, gpkg, "proximity", style=False)
        console.print(f"wrote {gpkg} (layer 'proximity')")


def register(app: typer.Typer) -> None:
    """Add ``geozones proximity`` to ``app``."""
    app.command("proximity")(proximity)
