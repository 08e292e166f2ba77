"""One writer at a time per warehouse: the run lock.

DuckDB lets one process open a file for writing, and then refuses every
other open, even a read-only one. Two runs on one warehouse used to meet
mid-way: the second died with a raw DuckDB `IOException`, or with a dlt
message blaming credentials. So every command that writes the warehouse
(`outcomes run`, `demo`, `build`, `publish-postgres`, the privacy commands
that write, and each Dagster run) holds the warehouse's run lock for its
whole length: a file beside the warehouse, `<stem>.run.lock`, locked with
`fcntl.flock`. The kernel drops the lock when its process ends, however it
ends, so a killed run never leaves a stale lock behind.

The holder writes who it is into the file (pid, command, start time; never
its arguments, which may hold an email). A second run waits for it up to
`OUTCOMES_LOCK_WAIT_SECONDS` (default 60; 0 = do not wait), saying whom it
waits for, then fails naming the run that holds the warehouse.

The lock is re-entrant within a process (a rotation calls the runner, a
Dagster run's steps share it). Other programs that open the warehouse (a
DuckDB UI, a notebook) do not know this lock: `hold_warehouse` therefore
also opens the warehouse once for writing and names such a program when
DuckDB refuses (`outcomes.warehouse.explain_open_error`).

Why fcntl and not the `filelock` package: it is only a transitive
dependency here, and this module needs the holder's details in the locked
file itself, which `filelock` truncates.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from outcomes.errors import OutcomesError

LOCK_WAIT_ENV = "OUTCOMES_LOCK_WAIT_SECONDS"
DEFAULT_WAIT_SECONDS = 60.0
_POLL_SECONDS = 0.2

# lock file -> (open file, depth): the locks this process holds.
_HELD: dict[str, list] = {}


class WarehouseBusy(OutcomesError):
    """Another run holds the warehouse's run lock."""


def lock_path(warehouse: Path) -> Path:
    """`warehouse/outcomes.duckdb` -> `warehouse/outcomes.run.lock`."""
    return warehouse.parent / f"{warehouse.stem}.run.lock"


def wait_seconds(value: str | None = None) -> float:
    """How long a run waits for another: OUTCOMES_LOCK_WAIT_SECONDS, else 60."""
    text = value if value is not None else os.environ.get(LOCK_WAIT_ENV)
    if text is None or not text.strip():
        return DEFAULT_WAIT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # also refuses nan
        raise OutcomesError(f"{LOCK_WAIT_ENV} is {text!r}: expected seconds (0 or more)")
    return seconds


def holder(path: Path) -> dict | None:
    """Who holds (or last held) a lock: {"pid", "command", "started_at", "host"}."""
    try:
        text = path.read_text()
    except OSError:
        return None
    try:
        found = json.loads(text)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def describe_holder(found: dict | None) -> str:
    if not found:
        return "another run (it has not said who it is yet)"
    return (
        f"pid {found.get('pid')} on {found.get('host')}, `{found.get('command')}`, "
        f"started {found.get('started_at')}"
    )


def _not_writable(folder: Path, exc: OSError) -> OutcomesError:
    return OutcomesError(
        f"cannot write in the warehouse folder {folder} ({exc.strerror or exc}): Outcomes keeps "
        "the warehouse, its run lock and its audit log there; make the folder writable "
        "(or point OUTCOMES_WAREHOUSE or `warehouse:` in outcomes.yml at a writable place)"
    )


def _open(path: Path):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open("a+")
    except OSError as exc:
        if exc.errno in {errno.EACCES, errno.EPERM, errno.EROFS}:
            raise _not_writable(path.parent, exc) from None
        raise OutcomesError(f"cannot open the run lock {path}: {exc.strerror or exc}") from None


def _try_lock(handle) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


@contextmanager
def run_lock(
    warehouse: Path,
    command: str,
    wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """Hold the warehouse's run lock; wait up to `wait` seconds (default:
    `wait_seconds()`) for another holder, telling `on_wait` once, then raise
    WarehouseBusy naming it."""
    path = lock_path(warehouse)
    key = str(path.resolve())
    if key in _HELD:
        _HELD[key][1] += 1
        try:
            yield path
        finally:
            _HELD[key][1] -= 1
        return
    limit = wait_seconds() if wait is None else wait
    handle = _open(path)
    try:
        if not _try_lock(handle):
            deadline = time.monotonic() + limit
            told = False
            while True:
                if on_wait is not None and not told and limit > 0:
                    on_wait(
                        f"the warehouse {warehouse} is in use by {describe_holder(holder(path))}; "
                        f"waiting up to {limit:.0f} s ({LOCK_WAIT_ENV})"
                    )
                    told = True
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"the warehouse {warehouse} is in use by {describe_holder(holder(path))} "
                        f"(run lock {path}); nothing was done. Run again when it has finished, "
                        f"or wait longer with {LOCK_WAIT_ENV}=SECONDS"
                    )
                time.sleep(_POLL_SECONDS)
                if _try_lock(handle):
                    break
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "command": command,
                    "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "host": socket.gethostname(),
                }
            )
        )
        handle.flush()
        _HELD[key] = [handle, 1]
        try:
            yield path
        finally:
            del _HELD[key]
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


@contextmanager
def hold_warehouse(
    warehouse: Path,
    command: str,
    wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """The run lock, then one open of the warehouse for writing: a program
    outside Outcomes that holds the file (a DuckDB UI) is named now, before
    anything is read or written, instead of failing the run half-way."""
    with run_lock(warehouse, command, wait, on_wait):
        if warehouse.exists():
            from outcomes.warehouse import connect

            connect(warehouse, read_only=False).close()
        yield warehouse


def hold_for_command(warehouse: Path) -> AbstractContextManager[Path]:
    """`hold_warehouse` for a CLI command: named by its command path (never its
    arguments), telling on stderr whom it waits for."""
    import click

    command = click.get_current_context().command_path
    return hold_warehouse(
        warehouse, command, on_wait=lambda message: click.echo(f"note: {message}", err=True)
    )


def clear_errors(command: Callable) -> Callable:
    """A CLI command whose DuckDB lock and permission errors, however deep dlt or
    dbt wrapped them, and a file it may not write, end as one line (exit 2)
    instead of a traceback."""
    import functools

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        import sys

        import click

        from outcomes.warehouse import explain_chain

        try:
            return command(*args, **kwargs)
        except OutcomesError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except OSError as exc:
            if exc.errno not in {errno.EACCES, errno.EPERM, errno.EROFS}:
                raise
            click.echo(
                f"error: cannot write {exc.filename or 'a file'} ({exc.strerror or exc}): make "
                "its folder writable by this user, or choose another place",
                err=True,
            )
            sys.exit(2)
        except Exception as exc:
            explained = explain_chain(exc)
            if explained is None:
                raise
            click.echo(f"error: {explained}", err=True)
            sys.exit(2)

    return wrapper
