"""`outcomes demo --via-api`: the demo organisation pulled through the simulators.

Every source with a simulator is served on 127.0.0.1 from the generated
exports and configured as `api:` (its base URL, the demo's scope, a
backfill from before the demo's first day); the others are read as files.
The simulators' credentials are set as dlt secrets in the environment for
the duration of the run.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

from outcomes.config import DEMO_SOURCES, ApiConfig, Config, SourceConfig
from outcomes.simulators import simulated_sources, simulator_class

# Before the first day of any demo (its history is at most a few years long).
DEMO_START_DATE = "2020-01-01"


def _has_api_loader(source: str) -> bool:
    return importlib.util.find_spec(f"pipelines.{source}.api") is not None


@contextlib.contextmanager
def demo_via_api(exports: Path, warehouse: Path) -> Iterator[Config]:
    """A demo config whose simulated sources are pulled from running simulators."""
    started = []
    saved = dict(os.environ)
    try:
        sources = []
        simulated = {s for s in simulated_sources() if _has_api_loader(s)}
        for name in DEMO_SOURCES:
            if name not in simulated:
                sources.append(SourceConfig(name, exports / name))
                continue
            sim = simulator_class(name)(exports / name).start()
            started.append(sim)
            os.environ.update(sim.credentials())
            api = ApiConfig(
                base_url=sim.base_url,
                start_date=DEMO_START_DATE,
                scope=tuple(sorted(sim.demo_scope().items())),
            )
            sources.append(SourceConfig(name, api=api))
        yield Config(warehouse=warehouse, sources=tuple(sources))
    finally:
        for sim in started:
            sim.stop()
        os.environ.clear()
        os.environ.update(saved)
