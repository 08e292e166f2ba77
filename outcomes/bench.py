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
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
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
    summed per area (`marts/engineering`, `kpis/flow`...). With several
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


def api_pull(out: Path, people: int, weeks: int, seed: int) -> dict:
    """Pull a demo organisation through the simulators (served by another process):
    records/s per source, requests made, time waiting on HTTP and time in our code,
    and the peak memory of the simulators' process and of ours.

    Each source is served by a process of its own, started before its pull and
    stopped after it: the simulators hold their records as Python objects, so
    serving one source at a time keeps the peak at the largest source's."""
    import datetime as dt

    from outcomes.config import ApiConfig
    from outcomes.demo import generate
    from outcomes.simulators import simulated_sources
    from outcomes.simulators.demo import DEMO_START_DATE
    from pipelines.common.load import load_source

    exports = out / "api_exports"
    generate(exports, people=people, weeks=weeks, seed=seed)
    warehouse = out / "api.duckdb"
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    figures = {}
    for source in simulated_sources():
        server = _start_server(exports, source)
        try:
            spec = json.loads(server.stdout.readline())[source]  # type: ignore[union-attr]
            os.environ.update(spec["env"])
            api = ApiConfig(
                base_url=spec["base_url"],
                start_date=DEMO_START_DATE,
                scope=tuple(sorted(spec["scope"].items())),
            )
            load = load_source(SourceConfig(source, api=api), warehouse, BENCH_SALT, loaded_at)
            land = load.timings["land"]
            http = load.requests.http_seconds if load.requests else 0.0
            figures[source] = {
                "records": load.records_read,
                "seconds": round(land, 1),
                "records_per_second": round(load.records_read / land) if land else 0,
                "requests": len(load.requests.records) if load.requests else 0,
                "http_seconds": round(http, 1),
                "our_share": round(max(land - http, 0.0) / land, 3) if land else 0.0,
                "simulator_peak_mb": _stop_server(server),
            }
            print(f"  pulled {source}: {json.dumps(figures[source])}", file=sys.stderr, flush=True)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
    peaks = [f["simulator_peak_mb"] for f in figures.values() if f["simulator_peak_mb"]]
    return {
        "people": people,
        "cores": os.cpu_count(),
        "date": dt.date.today().isoformat(),
        "sources": figures,
        "peak_memory_mb": {
            "simulators": max(peaks, default=None),
            "ours": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        },
    }


def _start_server(exports: Path, source: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "outcomes.simulators.serve",
            "--exports",
            str(exports),
            "--sources",
            source,
        ],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _stop_server(server: subprocess.Popen) -> int | None:
    """Stop a simulators' process; its peak memory in MB (None if it did not say)."""
    server.terminate()
    try:
        out, _ = server.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        return None
    for line in reversed(out.splitlines()):
        with contextlib.suppress(ValueError, TypeError, KeyError):
            return int(json.loads(line)["max_rss_mb"])
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--git-commits", type=int, default=50_000)
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "artifacts" / "bench")
    parser.add_argument(
        "--api-people",
        type=int,
        default=2_000,
        help="People of the organisation pulled through the API simulators (0: skip). "
        "The simulators hold every record in memory as Python objects; one source is "
        "served at a time, and the largest (github) needs over 2 GB per 1,000 people.",
    )
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
        if schema in {"intermediate", "marts", "kpis"}
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
    if args.api_people:
        report["api_pull"] = api_pull(out, args.api_people, args.weeks, args.seed)
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
    if "api_pull" in report:
        pulled = report["api_pull"]
        print(
            f"  API pull through the simulators ({pulled['people']:,} people, simulators in "
            "their own process; ours = the pull's wall time not spent waiting on HTTP):"
        )
        for source, figures in pulled["sources"].items():
            print(
                f"    {source:<10} {figures['records']:>10,} records {figures['seconds']:>7.1f} s"
                f" {figures['records_per_second']:>8,}/s {figures['requests']:>6,} requests"
                f"  waiting {figures['http_seconds']:>6.1f} s  ours {figures['our_share']:.0%}"
                f"  simulator peak {figures['simulator_peak_mb']} MB"
            )
        peak = pulled["peak_memory_mb"]
        print(f"    peak memory: simulators {peak['simulators']} MB, ours {peak['ours']} MB")
    print(f"  warehouse: {report['warehouse_mb']} MB; report: {out / 'bench.json'}")


if __name__ == "__main__":
    main()
