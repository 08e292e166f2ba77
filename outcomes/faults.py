"""Fault points: the named steps where a test may kill a command.

`tests/faults` proves that a load, an erase or a build killed at any step
ends, once rerun, exactly where an uninterrupted one ends. It runs the real
command in a subprocess with `OUTCOMES_FAULT_AT=<point>` (or
`<point>@<where>`: a source, a dbt node, an audit action), and the process
sends itself SIGKILL the first time it reaches that point: no `finally`, no
`atexit`, no flush, as with a power cut or the OOM killer. Unset (always, in
production) a point costs one environment lookup.

The points, in the order a run reaches them:

Load (`pipelines/common/load.py`, once per source; `@<source>`):
    load.extracted   dlt extracted the batch (a package on disk), not normalized
    load.normalized  normalized, not yet loaded into the candidate schema
    load.landed      the candidate schemas hold the batch, not yet gated
    load.gated       the gate passed, not yet published (nor its row counts recorded)
    load.published   the raw tables hold the batch (committed); the API cursors,
                     the quarantine and the fixed records not yet written
Erase (`outcomes/privacy/rights.py`):
    erase.recorded   the erasure list and the request committed, nothing else
    erase.deleted    raw, identity and quarantine rows deleted (committed),
                     the `privacy.erase` audit entry not yet written
    erase.rebuilt    the models rebuilt without the person, the request not
                     yet marked complete
Audit log (`outcomes/privacy/audit.py`; `@<action>`):
    audit.line_written  an entry's line is on disk, the head not yet moved
Build (`outcomes/build.py`; `@<node name>`):
    build.node_done  dbt finished that node (seed, model...); the rest not built
"""

from __future__ import annotations

import os
import signal

FAULT_ENV = "OUTCOMES_FAULT_AT"

POINTS = (
    "load.extracted",
    "load.normalized",
    "load.landed",
    "load.gated",
    "load.published",
    "erase.recorded",
    "erase.deleted",
    "erase.rebuilt",
    "audit.line_written",
    "build.node_done",
)


def wanted() -> str | None:
    """The point this process is to die at (`OUTCOMES_FAULT_AT`), if any."""
    return os.environ.get(FAULT_ENV) or None


def fault_point(name: str, where: str | None = None) -> None:
    """Die here (SIGKILL) when `OUTCOMES_FAULT_AT` names this point, or this
    point at `where`; otherwise return at once."""
    chosen = os.environ.get(FAULT_ENV)
    if not chosen:
        return
    if chosen == name or (where is not None and chosen == f"{name}@{where}"):
        os.kill(os.getpid(), signal.SIGKILL)
