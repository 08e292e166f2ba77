"""Serve the demo organisation through every tool's simulator, in its own process.

    python -m outcomes.simulators.serve --exports warehouse/outcomes_demo_exports

prints one JSON line `{source: {"base_url": ..., "env": {secret: value}, "scope": {...}}}`
once every simulator listens on 127.0.0.1, then serves until killed. On
SIGTERM it prints a second line, `{"max_rss_mb": ...}` (its peak resident
memory), and exits. `make bench` runs it in a separate process so the time a
pull waits on the simulators is not confused with the time spent in our code.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import signal
import threading
from pathlib import Path

from outcomes.simulators import simulated_sources, simulator_class


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exports", type=Path, required=True)
    parser.add_argument("--sources", nargs="*", default=None)
    args = parser.parse_args()
    served = {}
    for source in args.sources or simulated_sources():
        sim = simulator_class(source)(args.exports / source).start()
        served[source] = {
            "base_url": sim.base_url,
            "env": sim.credentials(),
            "scope": sim.demo_scope(),
        }
    print(json.dumps(served), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    print(json.dumps({"max_rss_mb": max_rss_mb()}), flush=True)
    # no teardown: freeing gigabytes of records one object at a time takes long
    os._exit(0)


def max_rss_mb() -> int:
    """This process's peak resident memory in MB (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


if __name__ == "__main__":
    main()
