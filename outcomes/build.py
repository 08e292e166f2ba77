"""Build the dbt project (seeds, models, tests, unit tests) against a warehouse.

`OUTCOMES_AS_OF_UTC` (naive UTC, `YYYY-MM-DD hh:mm:ss`) pins the build's
"now" (dbt var `as_of_utc`, macros/portable/utc_now.sql): the ages of open
work items and the data-as-of date are then those of that moment, so two
builds of the same data are identical (a rebuild as of a report's date, the
fault tests' clean and rerun builds).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outcomes.clock import AS_OF_ENV
from outcomes.config import PROJECT_DIR, WAREHOUSE_ENV
from outcomes.errors import OutcomesError
from outcomes.faults import fault_point, wanted

# dbt's anonymous usage statistics are off for every invocation.
os.environ.setdefault("DO_NOT_TRACK", "1")


@dataclass
class BuildResult:
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)  # e.g. {"model:success": 40}
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # the models' own (exceptions.warn)


def target_path_for(warehouse: Path) -> Path:
    """The project's `target/` for the default warehouse, a private one otherwise,
    so builds of two warehouses (e.g. parallel tests) never share artifacts."""
    default = (PROJECT_DIR / "warehouse" / "outcomes.duckdb").resolve()
    if warehouse.resolve() == default:
        return PROJECT_DIR / "target"
    return warehouse.parent / f"dbt_target_{warehouse.stem}"


def run_dbt(
    args: list[str],
    warehouse: Path,
    min_group_size: int | None = None,
    quiet: bool = True,
    dbt_vars: Mapping[str, Any] | None = None,
    target_path: Path | None = None,
) -> BuildResult:
    """Invoke dbt in-process; raise OutcomesError naming every failed node.

    `dbt_vars` are passed as `--vars` (with min_group_size); `target_path` is
    dbt's artifacts folder, by default the warehouse's (`target_path_for`)."""
    from dbt.cli.main import dbtRunner  # imported late: dbt import costs ~2 s

    os.environ[WAREHOUSE_ENV] = str(warehouse)
    target = target_path or target_path_for(warehouse)
    cli_args = [
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target / "logs"),
    ]
    if quiet:
        cli_args.append("--quiet")
    chosen = dict(dbt_vars or {})
    if os.environ.get(AS_OF_ENV) and "as_of_utc" not in chosen:
        chosen["as_of_utc"] = os.environ[AS_OF_ENV]
    if min_group_size is not None:
        chosen["min_group_size"] = min_group_size
    if chosen:
        cli_args += ["--vars", json.dumps(chosen)]
    warnings: list[str] = []

    def on_warning(event) -> None:
        if event.info.name == "JinjaLogWarning":
            warnings.append(event.data.msg)

    start = time.perf_counter()
    try:
        result = dbtRunner(callbacks=[on_warning, *_fault_callbacks()]).invoke(cli_args)
    finally:
        _release_warehouse()
    seconds = time.perf_counter() - start
    build = BuildResult(seconds=seconds, warnings=warnings)
    if quiet:  # --quiet hides dbt's warnings; a model's warning is meant for the reader
        for message in warnings:
            print(f"warning: {message}", file=sys.stderr)
    for node in getattr(result.result, "results", None) or []:
        kind = node.node.resource_type.value if hasattr(node, "node") else "node"
        status = str(node.status.value if hasattr(node.status, "value") else node.status)
        key = f"{kind}:{status}"
        build.counts[key] = build.counts.get(key, 0) + 1
        if status in {"error", "fail", "runtime error"}:
            build.failures.append(f"{node.node.unique_id}: {node.message}")
    if not result.success:
        detail = "\n  ".join(build.failures) or str(result.exception or "see dbt output above")
        raise OutcomesError(f"dbt {' '.join(args)} failed:\n  {detail}")
    return build


def _fault_callbacks() -> list:
    """The `build.node_done` fault point (outcomes.faults), only when one is asked for."""
    if not (wanted() or "").startswith("build.node_done@"):
        return []

    def on_event(event) -> None:
        if event.info.name == "NodeFinished":
            fault_point("build.node_done", event.data.node_info.node_name)

    return [on_event]


def _release_warehouse() -> None:
    """Close the DuckDB instance dbt-duckdb keeps open after a run.

    dbt-duckdb caches one read-write instance per process; until it is
    closed, DuckDB refuses any other in-process connection with another
    configuration (a read-only reader) and other processes cannot open the
    file at all.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # another adapter: nothing cached
        return
    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def build(warehouse: Path, min_group_size: int | None = None) -> BuildResult:
    """`dbt build`: seeds, models, data tests and unit tests, in dependency order."""
    return run_dbt(["build"], warehouse, min_group_size)
