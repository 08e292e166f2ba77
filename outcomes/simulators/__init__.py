"""Local simulators of the tools' REST APIs (tests, `outcomes demo --via-api`, `make bench`).

Each module `outcomes/simulators/<source>.py` defines `SIMULATOR`, the class
that serves the demo organisation's exports of that source from
`<exports>/<source>/` on 127.0.0.1.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from outcomes.simulators.server import Simulator


def simulated_sources() -> list[str]:
    """Every source that has a simulator (a module with `SIMULATOR`)."""
    found = []
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name in {"server", "demo"} or module.name.startswith("_"):
            continue
        if hasattr(importlib.import_module(f"outcomes.simulators.{module.name}"), "SIMULATOR"):
            found.append(module.name)
    return sorted(found)


def simulator_class(source: str) -> type[Simulator]:
    module = importlib.import_module(f"outcomes.simulators.{source}")
    return module.SIMULATOR
