"""``geozones data fetch``: OpenStreetMap layers and the Copernicus GLO-30 DEM for your own area."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from geozones.cli._output import Typer, console, err_console, fail, print_frame, store_from

data_app = Typer(
    name="data",
    help="Bring your own area: fetch public data (OpenStreetMap, Copernicus DEM) into the store.",
    no_args_is_help=True,
)

#: Exit code of a remote-service failure (HTTP error, empty answer, too large).
EXIT_REMOTE = 4


def _bbox(text: str) -> tuple[float, ...]:
    parts = [p for p in text.replace(" ", ",").split(",") if p]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4:
        fail(f"--bbox expects WEST,SOUTH,EAST,NORTH in degrees (e.g. 106.7,21.8,106.8,21.9), got {text!r}")
    return values


@data_app.command("fetch")
def fetch_command(
    ctx: typer.Context,
    province: Annotated[
        str | None,
        typer.Option(help='Province name (e.g. "Lạng Sơn"): its outline in the store gives the box and clips the DEM.'),
    ] = None,
    bbox: Annotated[str | None, typer.Option(help="WEST,SOUTH,EAST,NORTH in degrees (EPSG:4326).")] = None,
    layers: Annotated[
        str,
        typer.Option(
            help="OpenStreetMap layers, comma-separated: roads,railways,rivers,power; 'none' for the DEM only."
        ),
    ] = "roads,railways,rivers,power",
    dem: Annotated[bool, typer.Option("--dem", help="Also fetch the Copernicus GLO-30 DEM.")] = False,
    dem_resolution: Annotated[float, typer.Option(help="DEM cell size in metres (TM-3 grid).")] = 30.0,
    dem_out: Annotated[
        Path | None, typer.Option(help="Where to write the DEM COG (default: next to the store).")
    ] = None,
    as_infrastructure: Annotated[
        bool,
        typer.Option(
            "--as-infrastructure",
            help="Also write roads and power as infrastructure_roads / infrastructure_power, replacing the shipped "
            "layers that 'geozones proximity' reads.",
        ),
    ] = False,
    crs: Annotated[str | None, typer.Option(help="Metric CRS for --bbox (default: the province TM-3 zone).")] = None,
    overpass_url: Annotated[
        str | None, typer.Option(help="Overpass API endpoint (env GEOZONES_OVERPASS_URL; default overpass-api.de).")
    ] = None,
    dem_url: Annotated[
        str | None, typer.Option(help="Base URL of the GLO-30 COG tiles (env GEOZONES_DEM_URL; default AWS open data).")
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            help="Total seconds of one HTTP request: connecting, the whole answer and every retry "
            "(env GEOZONES_FETCH_TIMEOUT)."
        ),
    ] = None,
    retries: Annotated[int | None, typer.Option(help="Further attempts after a failed request.")] = None,
    max_km2: Annotated[
        float | None, typer.Option(help="Largest area accepted, km² (env GEOZONES_FETCH_MAX_KM2).")
    ] = None,
    max_mb: Annotated[
        float | None, typer.Option(help="Largest response accepted, MiB (env GEOZONES_FETCH_MAX_MB).")
    ] = None,
) -> None:
    """Fetch OpenStreetMap roads, railways, rivers, power lines and substations (Overpass API) and
    optionally the Copernicus GLO-30 DEM for a province or a bounding box, into the store.

    Data © OpenStreetMap contributors (ODbL 1.0) and Copernicus DEM (ESA licence): see docs/data-fetch.md.
    """
    from geozones.io.fetch import (
        LAYERS,
        AreaError,
        FetchError,
        FetchSettings,
        area_from_bbox,
        area_from_province,
        fetch_into_store,
    )

    if (province is None) == (bbox is None):
        fail("give exactly one of --province or --bbox")
    chosen = [] if layers.strip().lower() == "none" else [p.strip() for p in layers.split(",") if p.strip()]
    unknown = [name for name in chosen if name not in LAYERS]
    if unknown:
        fail(f"unknown layer(s) {', '.join(unknown)}; choose from {', '.join(LAYERS)} or 'none'")
    if not chosen and not dem:
        fail("nothing to fetch: --layers none needs --dem")
    settings = FetchSettings.from_env(
        overpass_url=overpass_url,
        dem_url=dem_url,
        timeout_s=timeout,
        retries=retries,
        max_area_km2=max_km2,
        max_bytes=int(max_mb * 2**20) if max_mb is not None else None,
    )
    store = store_from(ctx)
    try:
        if province is not None:
            boundaries = store.layer("boundaries_provinces") if "boundaries_provinces" in store.layers() else None
            area = area_from_province(province, boundaries, settings=settings)
        else:
            area = area_from_bbox(_bbox(bbox or ""), crs, settings=settings)
        console.print(
            f"fetching {', '.join(chosen) or 'no OpenStreetMap layer'}{' and the DEM' if dem else ''} "
            f"for {area.name or 'the box'} {area.west:g},{area.south:g},{area.east:g},{area.north:g} "
            f"({area.area_km2():,.0f} km², EPSG:{area.crs.to_epsg()})",
            highlight=False,
        )
        report = fetch_into_store(
            store,
            area,
            chosen,
            dem=dem,
            dem_path=dem_out,
            resolution=dem_resolution,
            as_infrastructure=as_infrastructure,
            settings=settings,
        )
    except AreaError as exc:
        fail(str(exc))
    except FetchError as exc:
        err_console.print(f"[bold red]fetch failed:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_REMOTE) from exc
    import pandas as pd

    rows = [{"layer": name, "features": count} for name, count in report.layers.items()]
    if rows:
        print_frame(pd.DataFrame(rows), "Written to the store", index=False)
    if report.empty:
        console.print(f"OpenStreetMap has nothing for: {', '.join(report.empty)} (not written)")
    if report.dem is not None:
        height, width = report.dem.shape
        console.print(
            f"DEM: {report.dem.path} ({width} x {height} cells of {report.dem.resolution:g} m, "
            f"EPSG:{report.dem.crs.to_epsg()}); use it as a scenario's constraints.dem",
            highlight=False,
        )
        if report.dem.missing:
            console.print(f"no tile on the server (nodata there): {', '.join(report.dem.missing)}")
    console.print(
        "Data © OpenStreetMap contributors, ODbL 1.0 (openstreetmap.org/copyright)"
        + ("; DEM produced using Copernicus WorldDEM-30 (see docs/data-fetch.md)" if dem else ""),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``geozones data fetch`` to ``app``."""
    app.add_typer(data_app)
