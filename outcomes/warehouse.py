"""The DuckDB warehouse file."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from outcomes.errors import OutcomesError

# DuckDB 2.0 writes storage v69 by default, which DuckDB <= 1.5 (and the
# report site's bundled DuckDB 1.4) cannot open; the version is fixed when the
# file is created, so create it ourselves before dlt or dbt touch it.
STORAGE_COMPATIBILITY = "v1.4.0"


_HELD_BY = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")
_ON_FILE = re.compile(r'(?:lock on file|open file) "(?P<path>[^"]+)"')


def explain_open_error(exc: BaseException, path: Path | None = None) -> OutcomesError | None:
    """A clear message for DuckDB refusing to open the warehouse, or None.

    Another process holding the file (a second run, a DuckDB UI, a notebook)
    and a file or folder we may not write are the user's to fix: they are
    named in one line instead of DuckDB's or dlt's traceback."""
    text = str(exc)
    if path is None:
        named = _ON_FILE.search(text)
        path = Path(named["path"]) if named else Path("(the DuckDB file)")
    held = _HELD_BY.search(text)
    if held or "Could not set lock" in text:
        by = f"{held['program']} (pid {held['pid']})" if held else "another process"
        return OutcomesError(
            f"the warehouse {path} is open in another program, {by}: DuckDB lets one program "
            "open it while it writes. Close that program (a DuckDB UI, a notebook, another "
            "run) and run again"
        )
    if "Permission denied" in text or "Read-only file system" in text:
        return OutcomesError(
            f"cannot write the warehouse {path} (permission denied): make the file and its "
            "folder writable by this user, or point OUTCOMES_WAREHOUSE elsewhere"
        )
    return None


def explain_chain(exc: BaseException) -> OutcomesError | None:
    """`explain_open_error` of the DuckDB error somewhere in an exception's chain
    (dlt and dbt wrap it, dlt in a message about credentials)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, duckdb.Error):
            explained = explain_open_error(current)
            if explained is not None:
                return explained
        current = getattr(current, "exception", None) or current.__cause__ or current.__context__
    if "Could not set lock on file" in str(exc):  # a message that only quotes DuckDB's
        return explain_open_error(exc)
    return None


def ensure_warehouse(path: Path) -> Path:
    """Create an empty warehouse file readable by DuckDB 1.4, if none exists."""
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            duckdb.connect(
                str(path), config={"storage_compatibility_version": STORAGE_COMPATIBILITY}
            ).close()
        except (OSError, duckdb.Error) as exc:
            explained = explain_open_error(exc, path)
            if explained is None and isinstance(exc, PermissionError):
                explained = explain_open_error(OSError("Permission denied"), path)
            if explained is None:
                raise
            raise explained from None
    return path


def connect(path: Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (UTC session); another program holding it, or a file we
    may not write, is an OutcomesError that says so."""
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        explained = explain_open_error(exc, path)
        if explained is None:
            raise
        raise explained from None
    con.execute("set TimeZone = 'UTC'")
    return con


def table_counts(path: Path, schema_prefix: str = "") -> dict[tuple[str, str], int]:
    """Row counts of every base table whose schema starts with `schema_prefix`."""
    con = connect(path)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_schema like ? "
            "and table_name not like '\\_dlt%' escape '\\' order by 1, 2",
            [schema_prefix + "%"],
        ).fetchall()
        return {
            (s, t): con.execute(f'select count(*) from "{s}"."{t}"').fetchall()[0][0]
            for s, t in tables
        }
    finally:
        con.close()
