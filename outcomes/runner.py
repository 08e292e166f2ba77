"""The main job: load the configured sources, then build the models.

Each source is landed, gated and published by `pipelines.common.load.load_source`.
A source whose gate fails is not published, and the dbt models downstream of
its raw tables are left out of the build (`--exclude source:raw_<tool>+`),
so its published marts keep their last good state while the models of the
other sources are rebuilt. The run then fails with `QualityGateFailed`,
naming the source, table, check and failing records.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from outcomes.build import run_dbt
from outcomes.clock import run_clock
from outcomes.config import Config, SourceConfig
from outcomes.errors import OutcomesError
from outcomes.privacy.opt_out import DEFAULT_OPT_OUT_FILE, OPT_OUT_ENV, load_opt_outs
from outcomes.privacy.run_start import after_build, before_load
from outcomes.summary import RunSummary
from outcomes.warehouse import ensure_warehouse
from pipelines.common.load import SourceLoad, declare_unconfigured_sources, load_source
from pipelines.common.source import check_export_folder


class QualityGateFailed(OutcomesError):
    """A source's batch failed its quality gate: it was not published."""

    def __init__(self, message: str, summary: RunSummary) -> None:
        super().__init__(message)
        self.summary = summary


def dbt_source_name(source: str) -> str:
    """The dbt source (and raw schema) of a loader source: `github` -> `raw_github`."""
    return f"raw_{source}"


def build_exclusions(failed_sources: list[str] | set[str]) -> list[str]:
    """dbt `--exclude` arguments leaving out every model downstream of the failed sources."""
    if not failed_sources:
        return []
    return ["--exclude", *(f"source:{dbt_source_name(s)}+" for s in sorted(failed_sources))]


def gate_failure_message(failed: list[SourceLoad], built: bool) -> str:
    lines = [load.gate_report() for load in failed]
    sources = ", ".join(f"source:{dbt_source_name(load.source)}+" for load in failed)
    if built:
        lines.append(
            f"dbt models downstream of {sources} were not rebuilt: the published marts keep "
            "their last good state; the other models were rebuilt."
        )
    return "\n".join(lines)


def run(
    config: Config,
    salt: bytes,
    summary: RunSummary | None = None,
    skip_build: bool = False,
    now: dt.datetime | None = None,
) -> RunSummary:
    """Load, gate and publish every source, then build what the published data allows.

    Raises QualityGateFailed (after building the rest) when a source's gate
    failed; `now` is the gate's clock (default: the machine's).
    """
    summary = summary or RunSummary()
    check_export_folders(config)  # another tool's export is refused before anything is written
    ensure_warehouse(config.warehouse)
    before_load(config.warehouse, salt)  # the salt check, before anything is read
    loaded_at = run_clock()  # pinned by OUTCOMES_AS_OF_UTC (outcomes.clock)
    start = time.perf_counter()
    for source in config.sources:
        summary.loads.append(load_source(source, config.warehouse, salt, loaded_at, now))
    configured = {source.name for source in config.sources}
    declare_unconfigured_sources(configured, config.warehouse, salt, loaded_at)
    opt_out_file = Path(os.environ.get(OPT_OUT_ENV) or DEFAULT_OPT_OUT_FILE)
    load_opt_outs(config.warehouse, salt, opt_out_file)
    summary.stages["load"] = time.perf_counter() - start
    failed = [load for load in summary.loads if not load.published]
    build_error: OutcomesError | None = None
    if not skip_build:
        exclude = build_exclusions({load.source for load in failed})
        try:
            result = run_dbt(["build", *exclude], config.warehouse, config.min_group_size)
            summary.stages["build"] = result.seconds
            if not failed:
                after_build(config.warehouse)  # every model rebuilt: pending erasures complete
                summary.digest = _write_digest(config.warehouse)
        except OutcomesError as exc:
            if not failed:
                raise
            build_error = exc
    if failed:
        message = gate_failure_message(failed, not skip_build)
        if build_error is not None:
            message += f"\nThe build of the other models failed too: {build_error}"
        raise QualityGateFailed(message, summary)
    return summary


def _write_digest(warehouse: Path) -> Path | None:
    """The weekly digest beside the warehouse (outcomes.digest), after every full build."""
    from outcomes.digest import write_digest

    files = write_digest(warehouse)
    return files.markdown if files else None


def check_export_folders(config: Config) -> None:
    """Every export folder holds its tool's files (pipelines.common.source.check_export_folder):
    a folder with none of them, or a file of another tool, is refused (OutcomesError)."""
    for source in config.sources:
        if source.path is not None and source.name != "git":  # git reads clones
            check_export_folder(source.name, source.path)


def demo_config(exports: Path, warehouse: Path) -> Config:
    """Every source, read from the generated exports."""
    from outcomes.config import DEMO_SOURCES

    return Config(
        warehouse=warehouse,
        sources=tuple(SourceConfig(name, exports / name) for name in DEMO_SOURCES),
    )
