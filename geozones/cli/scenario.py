"""Scenario commands: ``geozones scenario validate|run|compare``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from geozones.cli._output import Typer, console, fail, print_frame, store_from
from geozones.io.csvcells import write_csv

scenario_app = Typer(
    help="Expansion scenarios: validate, run and compare plan files (YAML/TOML).", no_args_is_help=True
)

Files = Annotated[list[Path], typer.Argument(help="Scenario files (.yaml, .yml, .toml).")]
OutOption = Annotated[
    Path | None,
    typer.Option("--out", help="Also write each scenario's zones to this GeoPackage as layer scenario_<id>."),
]
NoStoreOption = Annotated[bool, typer.Option("--no-save", help="Do not save the result layers into the store.")]


def _load(path: Path):
    from geozones.scenario import load_scenario

    if not path.exists():
        fail(f"{path}: no such file")
    return load_scenario(path)


@scenario_app.command()
def validate(ctx: typer.Context, files: Files) -> None:
    """Check scenario files against everything a run needs; every problem with file:line and field.

    Fields, actions, years and sources; the ``base:`` chain; the province name (pre-2025); every
    zone id in year order; constraint layers and files; the DEM; the allocation's suitability file.
    A suitability file (one with ``criteria``) is checked as such: its fields, judgements and
    every layer, file, DEM and road layer (``along``) it names.
    """
    from geozones.scenario.suitability import is_suitability_file, load_suitability
    from geozones.scenario.validate import validate_scenario, validate_suitability

    bad = 0
    store = None
    for path in files:
        if not path.exists():
            fail(f"{path}: no such file")
        suitability_file = is_suitability_file(path)
        check = validate_suitability if suitability_file else validate_scenario
        problems = check(path, store=store, store_factory=lambda: store_from(ctx))
        if problems:
            bad += 1
            console.print(
                f"[red]✗[/] {path}: {len(problems)} problem{'s' if len(problems) > 1 else ''}", highlight=False
            )
            for problem in problems:
                console.print(f"  {problem}", highlight=False, soft_wrap=True)
            continue
        if suitability_file:
            spec = load_suitability(path)
            console.print(
                f"[green]✓[/] {path}: suitability {spec.id!r}, {len(spec.criteria)} criteria", highlight=False
            )
            continue
        scenario = _load(path)
        chained = f", on top of {scenario.base}" if scenario.base else ""
        console.print(
            f"[green]✓[/] {path}: scenario {scenario.id!r}, {len(scenario.actions)} actions, "
            f"{scenario.start_year}–{scenario.end_year}{chained}",
            highlight=False,
        )
    if bad:
        raise typer.Exit(2)


def _run(ctx: typer.Context, files: list[Path], out: Path | None, no_save: bool):
    from geozones.scenario import run_scenario

    store = store_from(ctx)
    results = []
    for path in files:
        result = run_scenario(_load(path), store=store)
        written = result.save(store=None if no_save else store, gpkg=out)
        results.append((result, written))
    return results


@scenario_app.command()
def run(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A scenario file (.yaml, .yml, .toml).")],
    out: OutOption = None,
    no_save: NoStoreOption = False,
    csv: Annotated[Path | None, typer.Option(help="Write the timeline to this CSV.")] = None,
    draws: Annotated[
        int,
        typer.Option(
            help="Monte Carlo draws of the scenario's uncertain assumptions: the "
            "probability of meeting each target by year (0: none)."
        ),
    ] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the Monte Carlo draws (same seed, same figures).")] = 0,
    odds_csv: Annotated[Path | None, typer.Option("--odds-csv", help="Write the probabilities to this CSV.")] = None,
) -> None:
    """Run a scenario: timeline by year, provincial targets (pass/fail), growth results, per-zone changes.

    With ``--draws N``, also the odds of meeting each target in each year over N Monte Carlo runs
    of the figures the scenario marks ``uncertain``.
    """
    from geozones.scenario.odds import MAX_DRAWS

    if not 0 <= draws <= MAX_DRAWS:
        fail(f"--draws must be between 0 and {MAX_DRAWS}")
    ((result, written),) = _run(ctx, [file], out, no_save)
    scenario = result.scenario
    console.rule(f"{scenario.name} ({scenario.id})")
    print_frame(result.timeline.T.rename_axis("indicator"), "Timeline")
    print_frame(
        result.targets[["name", "year", "rule", "scenario_value", "status", "note"]],
        "Targets",
        index=False,
    )
    if len(result.growth):
        print_frame(result.growth, "Growth", index=False)
    diff = result.diff()
    print_frame(
        diff[diff["change"] != "unchanged"][
            ["zone", "change", "status_before", "status_after", "ha_before", "ha_after", "delta_ha", "occupancy_after"]
        ],
        "Changed zones (ha)",
        index=False,
    )
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    for note in result.constraint_notes():
        console.print(f"[cyan]constraints:[/] {note}", highlight=False)
    if csv:
        write_csv(result.timeline, csv)
        written.append(str(csv))
    if scenario.candidates:
        from geozones.scenario.candidates import rank_candidates

        ranks, outlines = rank_candidates(scenario, store=store_from(ctx))
        print_frame(
            ranks[["name", "area_ha", "ahp_score", "base_rank", "median_rank", "top_k_share"]].round(3),
            f"Candidate sites by AHP ({ranks.attrs['suitability']}): rank stability over {ranks.attrs['draws']} "
            f"Dirichlet draws (share in the top {ranks.attrs['k']}, seed {ranks.attrs['seed']})",
            index=False,
        )
        if not no_save:
            name = "candidates_" + scenario.layer_name.removeprefix("scenario_")
            store_from(ctx).write_layer(name, outlines.assign(top_k=ranks.attrs["k"], draws=ranks.attrs["draws"]))
            written.append(f"store layer {name} (shown on the planner map)")
    if draws:
        from geozones.scenario.odds import target_odds, uncertain_fields

        odds = target_odds(scenario, draws=draws, seed=seed, store=store_from(ctx))
        table = odds.probabilities.pivot_table(index="name", columns="year", values="probability", aggfunc="first")
        print_frame(
            table.map(lambda p: f"{100 * p:.1f} %"),
            f"Probability of meeting each target ({draws} draws of {len(uncertain_fields(scenario))} "
            f"uncertain figures, seed {seed}; {odds.seconds:.1f} s)",
        )
        if odds_csv:
            write_csv(odds.probabilities, odds_csv, index=False)
            written.append(str(odds_csv))
        if not no_save:
            name = "odds_" + scenario.layer_name.removeprefix("scenario_")
            store_from(ctx).write_layer(name, odds.probabilities.assign(seed=seed))
            written.append(f"store table {name} (shown on the planner map)")
    for item in written:
        console.print(f"wrote {item}", highlight=False)


@scenario_app.command()
def compare(
    ctx: typer.Context,
    files: Files,
    out: OutOption = None,
    no_save: NoStoreOption = False,
    year: Annotated[int | None, typer.Option(help="Compare at this year (default: each scenario's end).")] = None,
    csv: Annotated[Path | None, typer.Option(help="Write the indicator table to this CSV.")] = None,
) -> None:
    """Run several scenarios; show indicators side by side and the per-zone diff of each."""
    from geozones.scenario import compare_indicators, compare_zones

    if len(files) < 2:
        fail("compare needs at least two scenario files")
    pairs = _run(ctx, files, out, no_save)
    results = [r for r, _ in pairs]
    try:
        table = compare_indicators(results, year)
    except ValueError as exc:
        fail(str(exc))
    print_frame(table, "Indicators")
    zones = compare_zones(results)
    shown = zones[zones["change"] != "unchanged"][
        ["scenario", "zone", "change", "status_before", "status_after", "ha_before", "ha_after", "delta_ha"]
    ]
    print_frame(shown, "Per-zone changes (ha)", index=False)
    for result in results:
        for note in result.notes:
            console.print(f"[yellow]note ({result.scenario.id}):[/] {note}", highlight=False)
    if csv:
        write_csv(table, csv)
        console.print(f"wrote {csv}")
    for _, written in pairs:
        for item in written:
            console.print(f"wrote {item}", highlight=False)


@scenario_app.command()
def rasters(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Folder for the Cloud-Optimized GeoTIFFs.")] = Path("out/rasters"),
    province: Annotated[str, typer.Option(help="Pre-2025 province whose zones the rasters cover.")] = "Bắc Kạn",
    resolution: Annotated[float, typer.Option(help="Cell size in metres.")] = 50.0,
    road_weight: Annotated[float, typer.Option(help="Weight of the road factor.")] = 0.5,
    grid_weight: Annotated[float, typer.Option(help="Weight of the power-grid factor.")] = 0.5,
) -> None:
    """Distance-to-highway, distance-to-grid and suitability COGs from the store's layers, with zonal means."""
    from geozones.analysis.raster import suitability_from_layers, write_cog
    from geozones.crs import tm3_crs
    from geozones.schema import ascii_name

    store = store_from(ctx)
    zones = store.zones()
    key = ascii_name(province).lower()
    zones = zones[zones["province_pre2025"].map(lambda p: isinstance(p, str) and ascii_name(p).lower() == key)]
    if zones.empty:
        fail(f"no zones in province {province!r}")
    try:
        roads, power = store.layer("infrastructure_roads"), store.layer("infrastructure_power")
    except KeyError as exc:
        fail(f"infrastructure layers not available in the store: {exc}")
    made = suitability_from_layers(
        zones, roads, power, resolution, crs=tm3_crs(province), weights={"road": road_weight, "grid": grid_weight}
    )
    grid = made["grid"]
    for name in ("dist_road_m", "dist_grid_m", "suitability"):
        path = write_cog(made[name], grid, out / f"{name}.tif", description=name)
        console.print(f"wrote {path}", highlight=False)
    table = made["zonal"].join(zones["id"]).set_index("id")
    print_frame(
        table.round(3), f"Zonal means ({grid.width} x {grid.height} cells of {resolution:g} m, {grid.crs.name})"
    )


@scenario_app.command()
def suitability(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A suitability file (.yaml, .toml): criteria, judgements, sensitivity.")],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Folder for the COGs and CSV tables (default <store folder>/rasters, where the planner map looks)."
        ),
    ] = None,
    draws: Annotated[int | None, typer.Option(help="Monte Carlo draws (default: the file's, else 1000).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the draws (default: the file's, else 0).")] = None,
) -> None:
    """AHP-weighted suitability with its sensitivity: weights and CR, OAT table, Monte Carlo rasters, site ranks."""
    import dataclasses

    from geozones.scenario.suitability import load_suitability, run_suitability

    if not file.exists():
        fail(f"{file}: no such file")
    spec = load_suitability(file)
    settings = dict(spec.sensitivity)
    if draws is not None:
        if not 1 <= draws <= 100_000:
            fail("--draws must be between 1 and 100000")
        settings["draws"] = draws
    if seed is not None:
        settings["seed"] = seed
    run_ = run_suitability(dataclasses.replace(spec, sensitivity=settings), store=store_from(ctx))
    grid = run_.grid
    print_frame(run_.weights_table().round(4), f"AHP weights ({spec.id}; CR <= 0.1 accepted)")
    summary = run_.oat.groupby("criterion").agg(
        max_abs_change=("max_abs_change", "max"), min_top_overlap=("top_overlap", "min")
    )
    print_frame(summary.round(4), f"One-at-a-time ±{settings['oat_change_pct']:g} % (worst case per criterion)")
    print_frame(
        run_.sites.round(3),
        f"Candidate sites: rank stability over {int(settings['draws'])} Dirichlet draws "
        f"(top {int(settings['k'])}), seed {int(settings['seed'])}",
    )
    if out is None:
        out = Path(getattr(store_from(ctx), "path", "geozones.gpkg")).parent / "rasters"
    for path in run_.write(out):
        console.print(f"wrote {path}", highlight=False)
    console.print(f"{grid.width} x {grid.height} cells of {grid.resolution:g} m in {grid.crs.name}", highlight=False)


def _report_item(scenario, result, store, draws: int, seed: int):
    """One scenario of a report: its run, odds, candidate ranks, assumptions and sources as plain tables."""
    from geozones.maps.report import ReportScenario
    from geozones.scenario.odds import base_chain, target_odds

    odds = target_odds(scenario, draws=draws, seed=seed, store=store).probabilities if draws else None
    candidates = weights = None
    if scenario.candidates:
        from geozones.scenario.candidates import rank_candidates, weights_of

        candidates, _ = rank_candidates(scenario, store=store)
        weights = weights_of(scenario)
    chain = [*reversed(base_chain(scenario)), scenario] if scenario.base else [scenario]
    assumptions = [
        f"{action.year} {action.kind} {action.zone or ''}".rstrip() + f": {action.assumption}"
        for part in chain
        for action in part.actions
        if action.assumption
    ]
    sources = [s for part in chain for s in part.sources] + [
        s for part in chain for action in part.actions if action.source for s in str(action.source).split(";")
    ]
    return ReportScenario(
        id=scenario.id,
        name=scenario.name,
        zones=result.layer(),
        base=result.base.to_crs(4326),
        timeline=result.timeline,
        targets=result.targets,
        odds=odds,
        candidates=candidates,
        weights=weights,
        assumptions=assumptions,
        sources=sources,
        draws=draws,
        description=scenario.description,
    )


@scenario_app.command()
def report(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(help="One or two scenario files, then the output .pdf or .html.", metavar="A [B] OUT"),
    ],
    lang: Annotated[str, typer.Option(help="vi or en.")] = "vi",
    paper: Annotated[str, typer.Option(help="a4 or a3 (landscape).")] = "a4",
    draws: Annotated[int, typer.Option(help="Monte Carlo draws for the odds of each target (0: none).")] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the draws.")] = 0,
) -> None:
    """A scenario report (PDF or HTML): maps side by side, timeline charts, targets and odds, AHP ranks,
    assumptions, sources and date."""
    from geozones.maps.report import report_html, report_pdf
    from geozones.scenario import run_scenario
    from geozones.scenario.odds import MAX_DRAWS
    from geozones.store import store_layers

    if len(paths) not in (2, 3):
        fail("give one or two scenario files and the output file: geozones scenario report A.yaml [B.yaml] out.pdf")
    *files, out = paths
    if out.suffix.lower() not in (".pdf", ".html", ".htm"):
        fail(f"{out}: the report is written as .pdf or .html")
    if lang not in ("vi", "en"):
        fail("--lang is vi or en")
    if paper not in ("a4", "a3"):
        fail("--paper is a4 or a3")
    if not 0 <= draws <= MAX_DRAWS:
        fail(f"--draws must be between 0 and {MAX_DRAWS}")
    store = store_from(ctx)
    items = []
    for path in files:
        scenario = _load(path)
        result = run_scenario(scenario, store=store)
        items.append(_report_item(scenario, result, store, draws, seed))
    layers = store_layers(store)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(report_pdf(items, layers=layers, lang=lang, paper=paper))
    else:
        out.write_text(report_html(items, layers=layers, lang=lang, paper=paper), encoding="utf-8")
    console.print(f"wrote {out}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``geozones scenario ...`` to ``app``."""
    app.add_typer(scenario_app, name="scenario")
