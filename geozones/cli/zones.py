"""Zone commands: list, totals, reconcile, indicators, export, validate, report."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from geozones.cli._output import console, fail, print_frame, store_from
from geozones.cli.checks import AllowOption, EncodingOption, FieldMapOption, SetOption
from geozones.io.csvcells import write_csv

StoreOption = Annotated[
    Path | None,
    typer.Option("--store", envvar="GEOZONES_STORE", help="GeoPackage store (default: user data dir)."),
]


def global_options(ctx: typer.Context, store: StoreOption = None) -> None:
    """Industrial-zone planning toolkit for northern Vietnam.

    Reads the embedded GeoPackage store, created from the shipped data on first use.
    """
    ctx.obj = {"store": store}


def _filtered(zones, province: str | None, kind: str | None, status: str | None):
    from geozones.schema import ascii_name

    if province:
        key = ascii_name(province).lower()
        match = zones["province_pre2025"].map(lambda p: ascii_name(p).lower() == key)
        match |= zones["province"].map(lambda p: ascii_name(p).lower() == key)
        zones = zones[match]
    if kind:
        zones = zones[zones["kind"] == kind.upper()]
    if status:
        zones = zones[zones["status"] == status]
    return zones


def list_zones(
    ctx: typer.Context,
    province: Annotated[str | None, typer.Option(help="Province, pre- or post-2025, e.g. 'Bắc Kạn'.")] = None,
    kind: Annotated[str | None, typer.Option(help="KCN, CCN or KCX.")] = None,
    status: Annotated[str | None, typer.Option(help="planned, site_clearance, operating, ...")] = None,
) -> None:
    """List zones with their published and mapped areas."""
    from geozones.area import area_ha

    zones = _filtered(store_from(ctx).zones(), province, kind, status)
    table = zones[
        [
            "id",
            "name",
            "kind",
            "province_pre2025",
            "district_pre2025",
            "status",
            "area_published_ha",
            "investor",
            "geometry_quality",
        ]
    ].copy()
    table.insert(7, "area_mapped_ha", area_ha(zones).round(2))
    print_frame(
        table.rename(columns={"province_pre2025": "province (pre-2025)", "district_pre2025": "district"}),
        f"{len(zones)} zones",
        index=False,
    )


def totals(
    ctx: typer.Context,
    by: Annotated[list[str], typer.Option("--by", help="Attribute to group by; repeat for several.")] = None,
    csv: Annotated[Path | None, typer.Option(help="Also write the table to this CSV.")] = None,
) -> None:
    """Zone counts and hectares (published and mapped, in the metric CRS) grouped by attributes."""
    from geozones.area import totals_by

    table = totals_by(store_from(ctx).zones(), by or ["province_pre2025", "kind"])
    print_frame(table, "Totals (ha)")
    if csv:
        write_csv(table, csv)
        console.print(f"wrote {csv}")


def reconcile(
    ctx: typer.Context,
    threshold: Annotated[float, typer.Option(help="Relative difference that raises a flag (0.01 = 1 %).")] = 0.01,
    csv: Annotated[Path | None, typer.Option(help="Also write the table to this CSV.")] = None,
) -> None:
    """Mapped area against published area for every zone; exit code 1 if any zone is flagged."""
    from geozones.area import reconcile as _reconcile

    table = _reconcile(store_from(ctx).zones(), threshold)
    shown = table.drop(columns="flag").assign(rel_diff=(table["rel_diff"] * 100).round(3))
    print_frame(
        shown.rename(columns={"rel_diff": "rel_diff_%"}), f"Reconciliation (threshold {threshold:.1%})", index=False
    )
    if csv:
        write_csv(table, csv, index=False)
    if table["flag"].any():
        raise typer.Exit(1)


class Format(str, Enum):
    geojson = "geojson"
    gpkg = "gpkg"
    fgb = "fgb"
    shp = "shp"
    csv = "csv"


def export(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Argument(help="Output file; the extension picks the format unless --format.")
    ] = None,
    fmt: Annotated[Format | None, typer.Option("--format", "-f", help="Output format.")] = None,
    crs: Annotated[str | None, typer.Option(help="Output CRS, e.g. EPSG:9213 (not for GeoJSON).")] = None,
    layer: Annotated[str, typer.Option(help="Store layer to export.")] = "zones",
    tiles: Annotated[
        Path | None, typer.Option("--tiles", help="Write the layer's vector tiles to this PMTiles archive instead.")
    ] = None,
    min_zoom: Annotated[int, typer.Option(min=0, max=16, help="Lowest zoom of --tiles.")] = 4,
    max_zoom: Annotated[int, typer.Option(min=0, max=16, help="Highest zoom of --tiles.")] = 14,
) -> None:
    """Export a layer (zones by default) to GeoJSON, GeoPackage, FlatGeobuf, Shapefile or CSV.

    ``project.qgz`` (or ``.qgs``) writes a QGIS project of every store layer, styled and grouped,
    in the provincial VN-2000 TM-3 CRS (or --crs), with its data in ``project.gpkg`` beside it.
    ``--tiles out.pmtiles`` writes the layer's Mapbox Vector Tiles (the API's WebMercatorQuad tiles)
    to a PMTiles archive for offline maps (QGIS 3.32+, MapLibre with the pmtiles protocol).
    """
    from geozones.io import FORMATS, to_file

    if tiles is not None:
        if min_zoom > max_zoom:
            fail(f"--min-zoom {min_zoom} is above --max-zoom {max_zoom}")
        from geozones.cli.tiles import export_pmtiles

        count = export_pmtiles(store_from(ctx), layer, tiles, range(min_zoom, max_zoom + 1))
        console.print(f"wrote {count} tiles of {layer!r} (zoom {min_zoom}-{max_zoom}) to {tiles}", highlight=False)
        return
    if out is None:
        fail("give an output file, or --tiles out.pmtiles")
    if out.suffix.lower() in (".qgz", ".qgs"):
        _export_project(ctx, out, crs)
        return
    if fmt is not None and out.suffix.lower() != FORMATS[fmt.value]:
        out = out.with_suffix(FORMATS[fmt.value])
    frame = store_from(ctx).layer(layer)
    if not hasattr(frame, "geometry"):
        fail(f"layer {layer!r} is a table without geometry; export it with --format csv from Python instead")
    if layer == "zones":  # each zone's version, so that a re-import never reverts a later edit
        from geozones.store.imports import with_etags

        frame = with_etags(frame)
    to_file(frame, out, crs=crs, layer=layer)
    console.print(f"wrote {len(frame)} features to {out}" + (f" in {crs}" if crs else ""))


def _export_project(ctx: typer.Context, out: Path, crs: str | None) -> None:
    from collections import Counter

    from geozones.crs import metric_epsg
    from geozones.io.qgis_project import write_qgis_project

    store = store_from(ctx)
    layers = {name: store.layer(name) for name in store.layers()}
    # the TM-3 zone of the province most zones are in (EPSG:9213 for the shipped data); --crs for another
    codes = Counter(int(c) for c in metric_epsg(store.zones()))
    target = crs or f"EPSG:{codes.most_common(1)[0][0] if codes else 9213}"
    extent, where = _province_extent(layers.get("boundaries_provinces"), target)
    write_qgis_project(layers, out, crs=target, extent=extent)
    console.print(
        f"wrote {out} ({len(layers)} layers in {target}{', opening on ' + where if where else ''}) "
        f"and its data {out.with_suffix('.gpkg')}",
        highlight=False,
    )


def _province_extent(provinces, target: str):
    """The bounds (in ``target``, 5 % margin) of the provinces whose TM-3 CRS ``target`` is, and their names."""
    import pyproj

    from geozones.crs import tm3_crs

    if provinces is None or not len(provinces):
        return None, ""
    wanted = pyproj.CRS.from_user_input(target)
    names = []
    for name in provinces["name"]:
        try:
            if tm3_crs(name).equals(wanted):
                names.append(name)
        except (ValueError, KeyError):
            continue
    if not names:
        return None, ""
    xmin, ymin, xmax, ymax = provinces[provinces["name"].isin(names)].to_crs(wanted).total_bounds
    dx, dy = (xmax - xmin) * 0.05, (ymax - ymin) * 0.05
    return (xmin - dx, ymin - dy, xmax + dx, ymax + dy), ", ".join(names)


def validate(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A zone file (GeoJSON, GPKG, SHP, zipped SHP, FGB, CSV+WKT).")],
    crs: Annotated[str | None, typer.Option(help="CRS to assume (CSV) or to override the file's.")] = None,
    layer: Annotated[str | None, typer.Option(help="Layer name in a multi-layer file.")] = None,
    swap_xy: Annotated[bool, typer.Option("--swap-xy", help="Exchange x and y (lat/lon or X=northing).")] = False,
    allow_extra: Annotated[bool, typer.Option("--allow-extra", help="Keep attributes not in the schema.")] = False,
    field_map: FieldMapOption = None,
    allow: AllowOption = None,
    encoding: EncodingOption = None,
    constants: SetOption = None,
) -> None:
    """Check a zone file: schema, CRS, axis order, and placement (province, district, overlaps, id, area).

    Placement is checked against the store's boundaries and zones; every problem is listed.
    """
    from geozones import area
    from geozones.cli.checks import allowed, list_unmapped, placement_or_fail, prepare_office_file
    from geozones.cli.checks import field_map as parse_map
    from geozones.errors import ZoneValidationError
    from geozones.io import read_layer
    from geozones.schema import validate_zones

    allow_list = allowed(allow)
    from geozones.io.versions import split_etags

    frame = read_layer(path, layer, crs=crs, swap_xy=swap_xy, fields=parse_map(field_map), encoding=encoding)
    frame = split_etags(frame)[0]  # an export's version column
    frame = prepare_office_file(ctx, frame, constants)
    if allow_extra:
        list_unmapped(frame)
    try:
        zones = validate_zones(frame, extra="keep" if allow_extra else "error", errors="collect")
    except ZoneValidationError as exc:
        problems = exc.problems or [exc]
        for problem in problems:
            console.print(f"[red]✗[/] {problem}", highlight=False)
        fail(f"{path.name}: {len(problems)} problem(s)")
    placement_or_fail(ctx, zones, path.name, allow_list)
    mapped = area.area_ha(zones)
    console.print(
        f"[green]✓[/] {path.name}: {len(zones)} valid zones, CRS {zones.crs.to_string()}, "
        f"{mapped.sum():,.2f} ha mapped",
        highlight=False,
    )


def _note_stale_shipped(store) -> None:
    """One line when the store's boundaries or infrastructure are not this installation's shipped data."""
    from geozones.store.shipped import compare_shipped

    try:
        table = compare_shipped(store)
    except FileNotFoundError:  # no shipped data beside this installation
        return
    stale = table.loc[(table["status"] != "same") & (table["layer"] != "zones"), "layer"].tolist()
    if stale:
        console.print(
            f"note: this store's {', '.join(stale)} are not the data this geozones ships (built by an older "
            "version, or edited); `geozones store refresh` replaces them, `geozones store info` says how they differ",
            highlight=False,
        )


def report(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Folder for the exported files.")] = Path("out"),
) -> None:
    """The main job: zones, totals, reconciliation and programme indicators, plus QGIS-ready exports."""
    from geozones.area import reconcile as _reconcile
    from geozones.area import totals_by
    from geozones.io import to_geojson, to_geopackage

    store = store_from(ctx)
    zones = store.zones()
    console.rule(f"geozones report — store {getattr(store, 'path', store)}")
    _note_stale_shipped(store)
    list_zones(ctx, None, None, None)
    print_frame(totals_by(zones, ["province_pre2025", "kind"]), "Totals by province (pre-2025) and kind, ha")
    print_frame(totals_by(zones, ["province", "status"]), "Totals by province (after 1 July 2025) and status, ha")
    table = _reconcile(zones).assign(rel_diff=lambda t: (t["rel_diff"] * 100).round(4))
    print_frame(
        table[["id", "published_ha", "mapped_ha", "rel_diff", "check"]].rename(columns={"rel_diff": "rel_diff_%"}),
        "Mapped vs published area",
        index=False,
    )
    _print_indicators(store)
    out.mkdir(parents=True, exist_ok=True)
    to_geopackage(zones, out / "zones.gpkg", "zones")
    for name in [n for n in store.layers() if n.startswith(("boundaries_", "infrastructure_"))]:
        to_geopackage(store.layer(name), out / "zones.gpkg", name, append_layer=True)
    _export_provenance(store, out / "zones.gpkg")
    to_geojson(zones, out / "zones.geojson")
    _export_vn2000(zones, out / "zones_vn2000.gpkg")
    console.print(
        f"wrote {out / 'zones.gpkg'} (WGS84, QGIS style), {out / 'zones_vn2000.gpkg'} "
        f"(one layer per province in its VN-2000 TM-3 CRS) and {out / 'zones.geojson'} (RFC 7946)"
    )


#: Store tables written beside the zones in the report's GeoPackage, with their descriptions.
PROVENANCE_TABLES = {
    "table_sources": ("sources", "Sources: publisher, title, date, URL, kind (join: figures.source_id = sources.id)"),
    "table_figures": ("figures", "One published figure per row (join: zones.id = figures.zone_id)"),
    "table_status_history": ("status_history", "Dated, sourced status steps (join: zones.id = zone_id)"),
}


def _export_provenance(store, path: Path) -> None:
    """The sources, figures and status-history tables as attribute tables of the GeoPackage."""
    from geozones.io import write_gpkg_table

    names = set(store.layers())
    for name, (layer, description) in PROVENANCE_TABLES.items():
        if name in names:
            write_gpkg_table(store.layer(name), path, layer, description)


def _export_vn2000(zones, path: Path) -> None:
    """One layer per province, each in its own VN-2000 TM-3 CRS (EPSG:9213, EPSG:9215)."""
    from geozones.crs import tm3_crs
    from geozones.io import to_geopackage
    from geozones.schema import ascii_name

    if path.exists():
        path.unlink()
    for province, group in zones.groupby("province_pre2025", sort=True):
        layer = "zones_" + ascii_name(province).lower().replace(" ", "_")
        to_geopackage(group, path, layer, crs=tm3_crs(province), append_layer=True)


def _print_indicators(store) -> None:
    from geozones.indicators import programme_indicators

    table = programme_indicators(store)
    print_frame(
        table[["indicator", "target", "value", "unit", "data_year", "status"]],
        "Programme indicators against targets (Bắc Kạn)",
        index=False,
    )
    from geozones.maps.citations import cite_all

    for row in table.itertuples():
        cited = "; ".join(cite_all(str(row.source).split(";"))) or "no source"  # publisher, title, date; no file name
        console.print(f"  [dim]{row.indicator}: {row.measured_as} — {cited}[/]", highlight=False)


def indicators(ctx: typer.Context) -> None:
    """Bắc Kạn programme indicators (CCN count, hectares, infrastructure, occupancy) against the targets."""
    _print_indicators(store_from(ctx))


def register(app: typer.Typer) -> None:
    """Add the zone commands to ``app``."""
    app.command("zones")(list_zones)
    for function in (totals, reconcile, indicators, export, validate, report):
        app.command()(function)
