"""`make bench`: the whole data path at scale, with rows/s per stage.

    python -m outcomes.bench [--people 10000] [--weeks 52] [--out artifacts/bench]

Generates the demo organisation, loads every source, builds every model,
and prints (and writes to <out>/bench.json) time and throughput per stage.
Timings live here, never in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

from outcomes.config import PROJECT_DIR, WAREHOUSE_ENV
from outcomes.runner import demo_config, run
from outcomes.summary import RunSummary
from outcomes.warehouse import table_counts

BENCH_SALT = b"benchmark-only-salt-not-a-secret"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "artifacts" / "bench")
    args = parser.parse_args()

    from outcomes.demo import generate

    out = args.out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    warehouse = out / "bench.duckdb"
    os.environ[WAREHOUSE_ENV] = str(warehouse)
    summary = RunSummary()

    start = time.perf_counter()
    generated = generate(out / "exports", people=args.people, weeks=args.weeks, seed=args.seed)
    summary.stages["generate"] = time.perf_counter() - start
    records = sum(generated.files.values())

    run(demo_config(out / "exports", warehouse), BENCH_SALT, summary)
    landed = sum(load.rows_landed for load in summary.loads)
    built = sum(
        n
        for (schema, _), n in table_counts(warehouse).items()
        if schema in {"marts", "intermediate"}
    )
    rates = {
        "generate": (records, summary.stages["generate"]),
        "load": (landed, summary.stages["load"]),
        "build": (built, summary.stages["build"]),
    }
    report = {
        "people": args.people,
        "weeks": args.weeks,
        "cores": os.cpu_count(),
        "stages": {
            stage: {"rows": rows, "seconds": round(sec, 1), "rows_per_second": round(rows / sec)}
            for stage, (rows, sec) in rates.items()
        },
        "per_source_load_seconds": {load.source: round(load.seconds, 1) for load in summary.loads},
        "total_seconds": round(sum(summary.stages.values()), 1),
        "warehouse_mb": round(warehouse.stat().st_size / 1e6),
    }
    (out / "bench.json").write_text(json.dumps(report, indent=2))
    print(
        f"Outcomes benchmark: {args.people:,} people x {args.weeks} weeks on {os.cpu_count()} cores"
    )
    for stage, figures in report["stages"].items():
        print(
            f"  {stage:<9} {figures['rows']:>12,} rows {figures['seconds']:>8.1f} s "
            f"{figures['rows_per_second']:>10,} rows/s"
        )
    print(f"  {'total':<9} {'':>12} {report['total_seconds']:>13.1f} s")
    print(f"  load per source: {report['per_source_load_seconds']}")
    print(f"  warehouse: {report['warehouse_mb']} MB; report: {out / 'bench.json'}")


if __name__ == "__main__":
    main()
