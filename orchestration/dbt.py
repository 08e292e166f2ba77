"""dbt models as Dagster assets (dagster-dbt), dbt tests as their asset checks.

dagster-dbt gives a dbt source table the key `[source_name, table]`; our
source names are the dlt datasets (`raw_github`), so `["raw_github",
"pull_requests"]` is both the dbt source's key and the load's asset key:
lineage runs from each raw table through staging to the marts. Models keep
the default key (their schema folder path, e.g. `["marts", "fct_work_events"]`
is not assumed: tests read the keys from the snapshot).
"""

import fcntl
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.loads import WAREHOUSE_TAG, failed_gates_in_run
from orchestration.settings import OutcomesSettings
from outcomes.config import PROJECT_DIR, WAREHOUSE_ENV

# Dagster's own parse of the project lives apart from `outcomes build`'s
# artifacts, so the two never overwrite each other's manifest mid-run.
MANIFEST_TARGET = Path("target") / "dagster"

DBT_PROJECT = DbtProject(
    project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR, target_path=MANIFEST_TARGET
)
MANIFEST_PATH = Path(DBT_PROJECT.manifest_path)


def _stale(manifest: Path) -> bool:
    """Missing, or older than any file dbt parses (models, macros, seeds, config)."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [PROJECT_DIR / "dbt_project.yml", PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests", "snapshots", "analyses"):
        root = PROJECT_DIR / folder
        if root.is_dir():
            sources += [p for p in root.rglob("*") if p.suffix in {".sql", ".yml", ".md", ".csv"}]
    return any(p.exists() and p.stat().st_mtime > built for p in sources)


@contextmanager
def _dbt_on_path() -> Iterator[None]:
    """dagster-dbt's preparer runs `dbt` from PATH, which may not hold this
    environment's bin folder (`.venv/bin/dagster dev`, `.venv/bin/pytest`)."""
    previous = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), previous])
    try:
        yield
    finally:
        os.environ["PATH"] = previous


def prepare_project() -> Path:
    """The manifest the asset definitions are built from, made by dagster-dbt's
    own preparer (`dbt parse` into MANIFEST_TARGET). Under `dagster dev` it
    runs at every code load (`DbtProject.prepare_if_dev`); elsewhere (tests,
    `dagster job execute`) dagster-dbt expects a manifest made beforehand, so
    the same preparer runs when the manifest is missing or older than a file
    dbt reads. Local files only, no network.

    The lock covers the freshness check as well as the parse: dbt writes
    manifest.json in place, so a process (pytest-xdist worker, `dagster dev`'s
    code server beside a run worker) that checked it while another was still
    writing would read half a file. The others wait, then find it fresh.
    """
    os.environ.setdefault("DO_NOT_TRACK", "1")
    lock_path = PROJECT_DIR / "target" / "dagster.manifest.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock, _dbt_on_path():
        fcntl.flock(lock, fcntl.LOCK_EX)
        DBT_PROJECT.prepare_if_dev()
        if not DBT_PROJECT.preparer.using_dagster_dev() and _stale(MANIFEST_PATH):
            DBT_PROJECT.preparer.prepare(DBT_PROJECT)
    return MANIFEST_PATH


def dbt_executable() -> str:
    """The dbt of this interpreter's environment (PATH may not hold .venv/bin)."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


class OutcomesDbtTranslator(DagsterDbtTranslator):
    """Default keys (sources `[raw_<tool>, table]` match the loads); models are
    grouped by their layer so the UI shows raw -> staging -> intermediate -> marts."""

    def get_group_name(self, dbt_resource_props) -> str | None:
        if dbt_resource_props["resource_type"] in {"model", "seed", "snapshot"}:
            fqn = dbt_resource_props.get("fqn") or []
            return fqn[1] if len(fqn) > 2 else "seeds"
        return super().get_group_name(dbt_resource_props)


TRANSLATOR = OutcomesDbtTranslator()


@dbt_assets(
    manifest=prepare_project(),
    project=DBT_PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    op_tags=WAREHOUSE_TAG,
)
def outcomes_dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, outcomes: OutcomesSettings
):
    """`dbt build` of the selected models: seeds, models, data and unit tests.

    Models downstream of a source whose quality gate failed in this run are
    left out (their published marts keep their last good state); the rest are
    built, then the step fails naming what failed.
    """
    from outcomes.build import target_path_for
    from outcomes.runner import build_exclusions

    resolved = outcomes.resolve()
    config = resolved.config
    failed = failed_gates_in_run(context.instance, context.run.run_id)
    args = ["build", "--vars", json.dumps({"min_group_size": config.min_group_size})]
    args += build_exclusions(set(failed))
    if failed:
        context.log.warning(f"quality gate failed for {sorted(failed)}: dbt {' '.join(args)}")
    # profiles.yml reads the warehouse path from the environment; the dbt
    # subprocess takes a copy when it starts, then this process's value is restored.
    previous = os.environ.get(WAREHOUSE_ENV)
    os.environ[WAREHOUSE_ENV] = str(config.warehouse)
    try:
        invocation = dbt.cli(
            args, context=context, target_path=target_path_for(config.warehouse) / "dagster"
        )
    finally:
        if previous is None:
            os.environ.pop(WAREHOUSE_ENV, None)
        else:
            os.environ[WAREHOUSE_ENV] = previous
    try:
        yield from invocation.stream()
    finally:
        from outcomes.build import _release_warehouse

        _release_warehouse()  # dagster-dbt opens an adapter in this process
    if not failed and set(context.selected_asset_keys) == set(context.assets_def.keys):
        from outcomes.privacy.run_start import after_build

        after_build(config.warehouse, resolved.salt)  # as the runner: every model rebuilt
    if failed:
        lines = [line for source in sorted(failed) for line in failed[source]]
        raise dg.Failure(
            description="quality gate failed, models downstream of "
            + ", ".join(f"source:raw_{s}+" for s in sorted(failed))
            + " were not rebuilt (the published marts keep their last good state):\n"
            + "\n".join(lines),
            metadata={"failed_sources": ", ".join(sorted(failed))},
        )


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable())
