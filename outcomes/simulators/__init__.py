"""Local simulators of the tools' REST APIs (tests, `outcomes demo --via-api`, `make bench`).

`SIMULATORS` maps a source to its simulator class; each serves the demo
organisation's exports from `<exports>/<source>/` on 127.0.0.1.
"""

from __future__ import annotations

import importlib

from outcomes.simulators.server import Simulator

# source -> module under outcomes.simulators holding class `<Tool>Simulator`
SIMULATED_SOURCES = ("pagerduty",)


def simulator_class(source: str) -> type[Simulator]:
    module = importlib.import_module(f"outcomes.simulators.{source}")
    return module.SIMULATOR
