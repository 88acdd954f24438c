"""``geozones scale``: national-scale layers on one machine or a Dask cluster (GeoParquet, nearest, tiled rasters)."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from geozones.cli._output import Typer, console, fail, store_from
from geozones.cli.checks import AllowOption

scale_app = Typer(
    name="scale",
    no_args_is_help=True,
    help="National-scale layers: GeoParquet import/export, nearest feature and distance rasters, "
    "in this process or on a Dask cluster (--engine dask [--scheduler tcp://host:8786]).",
)


class Engine(StrEnum):
    local = "local"
    dask = "dask"


EngineOption = Annotated[Engine, typer.Option(help="Where to compute: this process or a Dask cluster.")]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        help="Address of a running Dask scheduler (tcp://host:8786); default: a LocalCluster sized to this machine."
    ),
]
WorkersOption = Annotated[int | None, typer.Option(help="Workers of the LocalCluster (default: one per core).")]
MemoryOption = Annotated[
    str | None,
    typer.Option(help="Memory limit per LocalCluster worker, e.g. 2GiB (default: an equal share of the machine)."),
]

_PARQUET = (".parquet", ".geoparquet")


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in _PARQUET or path.is_dir()


def _read(path: Path):
    from geozones.io import read_layer
    from geozones.io.geoparquet import read_geoparquet

    return read_geoparquet(path) if _is_parquet(path) else read_layer(path)


def _parquet_crs(path: Path):
    import pyproj

    from geozones.io.geoparquet import geo_metadata

    meta = geo_metadata(path)
    column = meta["columns"][meta.get("primary_column", "geometry")]
    crs = column.get("crs", "OGC:CRS84")  # GeoParquet: a missing crs means OGC:CRS84
    return None if crs is None else pyproj.CRS.from_user_input(crs)


def _write(frame, out: Path) -> None:
    from geozones.io import to_file
    from geozones.io.geoparquet import write_geoparquet

    if out.suffix.lower() in _PARQUET or not out.suffix:
        write_geoparquet(frame, out)
    else:
        to_file(frame, out)


def _announce(client) -> None:
    workers = client.scheduler_info().get("workers", {})
    console.print(
        f"Dask: {len(workers)} workers at {client.scheduler.address}; dashboard {client.dashboard_link}",
        highlight=False,
    )


def _report_memory(client) -> None:
    from geozones.analysis.distributed import peak_memory

    peaks = peak_memory(client)
    text = ", ".join(f"{v / 2**30:.2f}" for v in peaks.values())
    console.print(f"peak memory per worker process (GiB): {text}", highlight=False)


@scale_app.command("nearest")
def nearest_command(
    parcels: Annotated[
        Path,
        typer.Argument(
            help="Parcels: GeoParquet file or partitioned directory, or any "
            "vector file geozones reads; a projected metric CRS."
        ),
    ],
    features: Annotated[
        Path, typer.Argument(help="Roads, lines or points (any format; reprojected to the parcels' CRS).")
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Output: a GeoParquet directory or file (.parquet), or .gpkg/.fgb/... for a small layer."
        ),
    ],
    max_distance: Annotated[float | None, typer.Option(help="Ignore features farther than this (metres).")] = None,
    id_column: Annotated[str, typer.Option(help="Feature attribute reported as nearest_feature_id.")] = "id",
    name_column: Annotated[str, typer.Option(help="Feature attribute reported as nearest_feature_name.")] = "name",
    engine: EngineOption = Engine.local,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    memory_limit: MemoryOption = None,
    jobs: Annotated[int, typer.Option(help="Threads of the local engine.")] = 2,
) -> None:
    """Distance from every parcel to its nearest feature, with the feature's id and name (exact).

    With --engine dask and a GeoParquet input, each worker reads, searches and writes one part at
    a time: the layer never has to fit in memory (the workers must see the input and output paths).
    """
    from geozones.analysis import distributed
    from geozones.analysis.proximity import nearest
    from geozones.crs import require_metric

    start = time.perf_counter()
    roads = _read(features)
    if engine is Engine.local:
        layer = _read(parcels)
        require_metric(layer, "parcels")
        found = nearest(
            layer,
            roads.to_crs(layer.crs),
            max_distance=max_distance,
            id_column=id_column,
            name_column=name_column,
            n_jobs=jobs,
        )
        _write(layer.join(found.add_prefix("nearest_")), out)
        console.print(f"wrote {out}: {len(layer):,} parcels in {time.perf_counter() - start:.1f} s", highlight=False)
        return
    with distributed.connect("dask", scheduler, n_workers=workers, memory_limit=memory_limit) as client:
        _announce(client)
        if _is_parquet(parcels) and (out.suffix.lower() in _PARQUET or not out.suffix):
            crs = _parquet_crs(parcels)
            if crs is None or not crs.is_projected:
                fail(f"{parcels} must be in a projected metric CRS (VN-2000 TM-3 or UTM), not {crs}")
            result = distributed.nearest_geoparquet(
                parcels,
                roads.to_crs(crs),
                out,
                kernel=nearest,
                client=client,
                max_distance=max_distance,
                id_column=id_column,
                name_column=name_column,
                progress=True,
            )
            rows = result["rows"]
        else:
            layer = _read(parcels)
            require_metric(layer, "parcels")
            found = nearest(
                layer,
                roads.to_crs(layer.crs),
                max_distance=max_distance,
                id_column=id_column,
                name_column=name_column,
                engine=client,
                progress=True,
            )
            _write(layer.join(found.add_prefix("nearest_")), out)
            rows = len(layer)
        console.print(f"\nwrote {out}: {rows:,} parcels in {time.perf_counter() - start:.1f} s", highlight=False)
        _report_memory(client)


@scale_app.command("distance-raster")
def distance_raster_command(
    features: Annotated[Path, typer.Argument(help="Lines, points or polygons (any format).")],
    out: Annotated[Path, typer.Option("--out", help="A .tif (Cloud-Optimized GeoTIFF) or .vrt (tile set).")],
    resolution: Annotated[float, typer.Option(help="Cell size in metres.")] = 30.0,
    crs: Annotated[
        str | None, typer.Option(help="Metric CRS of the grid (default: the features' own, which must then be metric).")
    ] = None,
    bounds: Annotated[
        str | None,
        typer.Option(help="xmin,ymin,xmax,ymax in the grid CRS (default: the features' bounds plus --margin)."),
    ] = None,
    margin: Annotated[float, typer.Option(help="Metres added around the features' bounds.")] = 10_000.0,
    max_distance: Annotated[float | None, typer.Option(help="Cells farther than this are nodata.")] = None,
    tile: Annotated[int, typer.Option(help="Tile side in cells.")] = 1024,
    engine: EngineOption = Engine.local,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    memory_limit: MemoryOption = None,
) -> None:
    """Exact distance (m) from every cell centre to the nearest feature, computed tile by tile."""
    import pyproj

    from geozones.analysis import distributed, tiling
    from geozones.analysis.raster import Grid

    layer = _read(features)
    target = pyproj.CRS.from_user_input(crs) if crs else layer.crs
    if bounds:
        try:
            box = [float(v) for v in bounds.split(",")]
        except ValueError:
            box = []
        if len(box) != 4:
            fail(f"--bounds expects xmin,ymin,xmax,ymax, got {bounds!r}")
    else:
        xmin, ymin, xmax, ymax = layer.to_crs(target).total_bounds
        box = [xmin - margin, ymin - margin, xmax + margin, ymax + margin]
    grid = Grid.from_bounds(box, resolution, target)
    console.print(
        f"grid: {grid.width:,} x {grid.height:,} cells of {resolution:g} m ({grid.width * grid.height:,} "
        f"cells) in {target.name}",
        highlight=False,
    )
    start = time.perf_counter()
    if engine is Engine.local:
        tiling.distance_tiles(layer, grid, out, max_distance=max_distance, tile=tile)
    else:
        with distributed.connect("dask", scheduler, n_workers=workers, memory_limit=memory_limit) as client:
            _announce(client)
            tiling.distance_tiles(layer, grid, out, max_distance=max_distance, tile=tile, engine=client, progress=True)
            _report_memory(client)
    console.print(f"\nwrote {out} in {time.perf_counter() - start:.1f} s", highlight=False)


@scale_app.command("export")
def export_command(
    ctx: typer.Context,
    layer: Annotated[str, typer.Argument(help="Store layer (geozones store info lists them).")],
    out: Annotated[Path, typer.Argument(help="GeoParquet file (.parquet) or directory (partitioned).")],
    partition_rows: Annotated[int | None, typer.Option(help="Rows per file of a partitioned layer.")] = None,
) -> None:
    """Export a store layer to GeoParquet 1.1 (bbox covering column, rows in Hilbert order)."""
    from geozones.io.geoparquet import export_layer

    path = export_layer(store_from(ctx), layer, out, partition_rows=partition_rows)
    console.print(f"wrote {path}", highlight=False)


@scale_app.command("import")
def import_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="GeoParquet file or directory.")],
    layer: Annotated[
        str, typer.Argument(help="Store layer to create or replace ('zones' is schema- and placement-checked).")
    ],
    allow: AllowOption = None,
) -> None:
    """Import a GeoParquet layer into the store.

    A ``zones`` layer replaces every zone and is checked like ``geozones store import --replace``
    (schema, then placement against the store's boundaries: province, district, overlaps and
    copies, id, area); nothing is written when a check fails.
    """
    from geozones.io.geoparquet import import_layer, read_geoparquet

    store = store_from(ctx)
    if layer == "zones":
        from geozones.cli.checks import allowed, placement_or_fail
        from geozones.schema import validate_zones

        allow_list = allowed(allow)
        frame = validate_zones(read_geoparquet(path))
        placement_or_fail(ctx, frame, path.name, allow_list, replace=True)
        store.write_zones(frame)
        rows = len(frame)
    else:
        rows = import_layer(store, layer, path)
    console.print(f"imported {rows:,} rows into store layer {layer!r}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``scale`` command group to ``app``."""
    app.add_typer(scale_app)
