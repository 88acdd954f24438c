"""Monte Carlo odds of meeting targets: time per 1 000 draws on the shipped scenarios.

    .venv/bin/python benchmarks/odds.py                # 1000 draws of each shipped scenario with uncertain figures
    .venv/bin/python benchmarks/odds.py --draws 100    # smoke size

Each scenario runs once per draw (its uncertain figures drawn, seeded), with constraint unions,
growth results, the allocation grid and infrastructure distances shared between draws; the
time includes every run and the per-target, per-year tally. No peer tool computes these odds,
so the figure stands alone (not a ratio).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geozones.scenario import load_scenario, run_scenario
from geozones.scenario.odds import target_odds, uncertain_fields
from geozones.store import GeoPackageStore


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    store = GeoPackageStore(Path(tempfile.mkdtemp()) / "geozones.gpkg").ensure()
    rows = []
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        scenario = load_scenario(path)
        if not uncertain_fields(scenario):
            continue
        t = time.perf_counter()
        run_scenario(scenario, store=store)
        single = time.perf_counter() - t
        cpu = time.process_time()
        odds = target_odds(scenario, draws=args.draws, seed=args.seed, store=store)
        cpu = time.process_time() - cpu
        at = odds.at_deadline()
        rows.append(
            {
                "scenario": path.name,
                "uncertain": len(uncertain_fields(scenario)),
                "draws": args.draws,
                "seconds": round(odds.seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "seconds_per_1000": round(odds.seconds * 1000 / args.draws, 2),
                "one_plain_run_s": round(single, 3),
                "p_deadline": {r.target: round(r.probability, 3) for r in at.itertuples()},
            }
        )
    print(f"machine: {platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}")
    for row in rows:
        print(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
