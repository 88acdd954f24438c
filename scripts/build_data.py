"""Build every shipped data file in data/ (the one entry point for the data build).

Deterministic (no randomness): running it twice gives byte-identical files. Inputs: the
unmodified real data in ``data/sources/realdata/`` (see its PROVENANCE.md), the hand-edited
``data/zones/zone_records.csv`` and the facts.md places quoted in ``scripts/buildlib``.

Writes, under ``--out`` (default: the repository's ``data/`` directory)::

    boundaries/provinces.geojson         Bắc Kạn, Thái Nguyên, Lạng Sơn before 1 July 2025
    boundaries/provinces_2025.geojson    Thái Nguyên (with former Bắc Kạn), Lạng Sơn from 1 July 2025
    boundaries/districts.geojson         the 28 district-level units before 1 July 2025
    infrastructure/roads.geojson         national / provincial roads (+ the flagged QL1A gap fill)
    infrastructure/railways.geojson      railway lines
    infrastructure/hydropower.geojson    hydropower plants
    infrastructure/power.geojson         the 110 kV Bắc Kạn substation (flagged, approximate)
    infrastructure/border_gates.geojson  Tân Thanh, Hữu Nghị Quan, Đồng Đăng rail crossing
    infrastructure/protected_areas.geojson  reference points with legal areas (not boundaries)
    infrastructure/destinations.geojson  cities, Hữu Nghị border gate, Đồng Đăng station
    infrastructure/corridor_roads.geojson     roads of the corridor to Hà Nội, Hải Phòng, Quảng Ninh
    infrastructure/corridor_railways.geojson  railways of the same corridor
    infrastructure/logistics_destinations.geojson  Hà Nội, Nội Bài, border gates, stations, cities
    boundaries/population_districts.geojson   district units of 18 provinces, 2009 census population
    zones/zones.geojson                  one feature per row of zone_records.csv

Usage::

    .venv/bin/python scripts/build_data.py [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from buildlib import boundaries, corridor, infrastructure, zones
from buildlib.output import write_geojson


def build(out: Path) -> dict[str, Path]:
    """Build every generated file under ``out``; return layer name -> path."""
    layers = {
        "boundaries/provinces": boundaries.provinces_pre2025(),
        "boundaries/provinces_2025": boundaries.provinces_2025(),
        "boundaries/districts": boundaries.districts_pre2025(),
        "infrastructure/roads": infrastructure.roads(),
        "infrastructure/railways": infrastructure.railways(),
        "infrastructure/hydropower": infrastructure.hydropower(),
        "infrastructure/power": infrastructure.power(),
        "infrastructure/border_gates": infrastructure.border_gates(),
        "infrastructure/protected_areas": infrastructure.protected_areas(),
    }
    layers["infrastructure/destinations"] = infrastructure.destinations(layers["boundaries/districts"])
    layers["infrastructure/corridor_roads"] = corridor.corridor_roads()
    layers["infrastructure/corridor_railways"] = corridor.corridor_railways()
    layers["infrastructure/logistics_destinations"] = corridor.logistics_destinations(layers["boundaries/districts"])
    layers["boundaries/population_districts"] = corridor.population_districts()
    layers["zones/zones"] = zones.build_zones(
        zones.read_records(),
        layers["boundaries/districts"],
        layers["boundaries/provinces"],
        layers["infrastructure/roads"],
    )
    return {name: write_geojson(frame, out / f"{name}.geojson") for name, frame in layers.items()}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "data", help="output directory (default: the repository's data/)"
    )
    args = parser.parse_args(argv)
    for name, path in build(args.out).items():
        print(f"{name}: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
