"""The main job: load the configured sources, then build the models."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from outcomes.build import build
from outcomes.config import Config, SourceConfig
from outcomes.load import declare_unconfigured_sources, load_source
from outcomes.privacy.opt_out import DEFAULT_OPT_OUT_FILE, OPT_OUT_ENV, load_opt_outs
from outcomes.summary import RunSummary
from outcomes.warehouse import ensure_warehouse


def run(
    config: Config, salt: bytes, summary: RunSummary | None = None, skip_build: bool = False
) -> RunSummary:
    summary = summary or RunSummary()
    ensure_warehouse(config.warehouse)
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    start = time.perf_counter()
    for source in config.sources:
        summary.loads.append(load_source(source, config.warehouse, salt, loaded_at))
    configured = {source.name for source in config.sources}
    declare_unconfigured_sources(configured, config.warehouse, salt, loaded_at)
    opt_out_file = Path(os.environ.get(OPT_OUT_ENV) or DEFAULT_OPT_OUT_FILE)
    load_opt_outs(config.warehouse, salt, opt_out_file)
    summary.stages["load"] = time.perf_counter() - start
    if not skip_build:
        summary.stages["build"] = build(config.warehouse, config.min_group_size).seconds
    return summary


def demo_config(exports: Path, warehouse: Path) -> Config:
    """Every source, read from the generated exports."""
    from outcomes.config import DEMO_SOURCES

    return Config(
        warehouse=warehouse,
        sources=tuple(SourceConfig(name, exports / name) for name in DEMO_SOURCES),
    )
