"""`make bench`: the whole data path at scale, with rows/s per stage.

    python -m outcomes.bench [--people 10000] [--weeks 52] [--out artifacts/bench]

Generates the demo organisation and synthesizes a large git repository
(`--git-commits`, default 50,000, via `git fast-import`), loads every source
(the git clone as the `git` source, beside the demo's GitHub data), builds
every model, and prints (and writes to <out>/bench.json) time and throughput
per stage, plus dbt's own per-model timings grouped by area, so the cost of
the engineering marts at scale is visible on its own. Timings live here,
never in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

from outcomes.build import target_path_for
from outcomes.config import PROJECT_DIR, WAREHOUSE_ENV, Config, SourceConfig
from outcomes.runner import demo_config, run
from outcomes.summary import RunSummary
from outcomes.warehouse import table_counts

BENCH_SALT = b"benchmark-only-salt-not-a-secret"


def model_timings(warehouse: Path) -> dict[str, dict]:
    """dbt's execution time per model and test, from the build's run_results.json,
    summed per area (`marts/engineering`, `intermediate/kpis`...). With several
    dbt threads the sums exceed the wall time of the build; they say where it goes."""
    target = target_path_for(warehouse)
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    areas: dict[str, dict] = {}
    slowest: list[tuple[float, str]] = []
    for result in results:
        node = nodes.get(result["unique_id"])
        if node is None:
            continue
        kind = node["resource_type"]
        # fqn: [project, layer, area, ..., name]; a model's tests count with its folder.
        fqn = node["fqn"]
        if kind == "seed":
            area = "seeds"
        elif len(fqn) > 3:
            area = "/".join(fqn[1:3])
        else:
            area = "singular tests" if kind == "test" else fqn[1]
        seconds = float(result["execution_time"])
        entry = areas.setdefault(
            area, {"models": 0, "model_seconds": 0.0, "tests": 0, "test_seconds": 0.0}
        )
        is_test = kind in {"test", "unit_test"}
        entry["tests" if is_test else "models"] += 1
        entry["test_seconds" if is_test else "model_seconds"] += seconds
        if kind == "model":
            slowest.append((seconds, node["name"]))
    for entry in areas.values():
        entry["model_seconds"] = round(entry["model_seconds"], 1)
        entry["test_seconds"] = round(entry["test_seconds"], 1)
    slowest.sort(reverse=True)
    return {
        "by_area": dict(
            sorted(
                areas.items(), key=lambda item: -item[1]["model_seconds"] - item[1]["test_seconds"]
            )
        ),
        "slowest_models": {name: round(sec, 1) for sec, name in slowest[:8]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--git-commits", type=int, default=50_000)
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "artifacts" / "bench")
    args = parser.parse_args()

    from outcomes.demo import generate
    from pipelines.git.synth import synthesize_repo

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

    start = time.perf_counter()
    repos = out / "git"
    synth = synthesize_repo(repos / "synthetic.git", commits=args.git_commits)
    summary.stages["synthesize git"] = time.perf_counter() - start

    demo = demo_config(out / "exports", warehouse)
    config = Config(warehouse=warehouse, sources=(*demo.sources, SourceConfig("git", repos)))
    run(config, BENCH_SALT, summary)
    timings = model_timings(warehouse)
    landed = sum(load.rows_landed for load in summary.loads)
    built = sum(
        n
        for (schema, _), n in table_counts(warehouse).items()
        if schema in {"marts", "intermediate"}
    )
    rates = {
        "generate": (records, summary.stages["generate"]),
        "synthesize git": (synth.commits, summary.stages["synthesize git"]),
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
        "git_commits": synth.commits,
        "per_source_load_seconds": {load.source: round(load.seconds, 1) for load in summary.loads},
        # where a source's load goes: land (read, pseudonymize, dlt), gate (GX
        # and row counts on the candidate), publish (merge into raw)
        "per_source_load_steps": {
            load.source: {step: round(sec, 1) for step, sec in load.timings.items()}
            for load in summary.loads
        },
        "dbt_seconds_by_area": timings["by_area"],
        "slowest_models": timings["slowest_models"],
        "total_seconds": round(sum(summary.stages.values()), 1),
        "warehouse_mb": round(warehouse.stat().st_size / 1e6),
    }
    (out / "bench.json").write_text(json.dumps(report, indent=2))
    print(
        f"Outcomes benchmark: {args.people:,} people x {args.weeks} weeks and a "
        f"{synth.commits:,}-commit git repository on {os.cpu_count()} cores"
    )
    for stage, figures in report["stages"].items():
        print(
            f"  {stage:<15} {figures['rows']:>12,} rows {figures['seconds']:>8.1f} s "
            f"{figures['rows_per_second']:>10,} rows/s"
        )
    print(f"  {'total':<15} {'':>12} {report['total_seconds']:>13.1f} s")
    print("  load per source (land + gate + publish):")
    for source, steps in report["per_source_load_steps"].items():
        detail = ", ".join(f"{step} {sec:.1f} s" for step, sec in steps.items())
        print(f"    {source:<10} {report['per_source_load_seconds'][source]:>7.1f} s  ({detail})")
    print("  dbt seconds by area (summed over threads):")
    for area, figures in timings["by_area"].items():
        print(
            f"    {area:<26} {figures['models']:>3} models {figures['model_seconds']:>7.1f} s"
            f"  {figures['tests']:>4} tests {figures['test_seconds']:>7.1f} s"
        )
    print(f"  slowest models: {timings['slowest_models']}")
    print(f"  warehouse: {report['warehouse_mb']} MB; report: {out / 'bench.json'}")


if __name__ == "__main__":
    main()
