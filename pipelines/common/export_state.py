"""Which export files a load must read: per-file fingerprints kept in the warehouse.

After every published load of a file-export source, `load_state.export_files`
holds one row per file read: its path relative to the export folder, size,
mtime_ns, sha256 and line count, under the load's *context* (a hash of what
changes the rows a file produces: the source's policy.yml, the salt's
fingerprint, the since/until window, the source's settings and
`LOADER_VERSION`). The next load plans each table:

- every file matches under the same context: the table is not read;
- files only grew (a JSONL export appended to: the stored sha256 equals the
  hash of the file's first `size` bytes, which ended on a line break) or
  are new: only the new lines and files are read, numbered as a full read
  numbers them. If a key read this way is already in raw (a record
  delivered again), the table is read whole instead: only a whole read
  knows which delivery wins;
- anything else (a file edited, a CSV or gzip file that changed, a
  converted file, another context, `--full-refresh`): the table is read
  whole.

A file that disappeared keeps its rows in raw, as it always has (a merge
never deletes) and leaves the state. Fingerprints are written only after the
batch was published, so a failed gate or a killed load is read again.
No personal value is stored: paths, sizes, times and hashes only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outcomes.privacy.salt import salt_fingerprint

# Bump when the reader changes what a file produces: every file is read again.
LOADER_VERSION = "1"
STATE_SCHEMA = "load_state"
STATE_TABLE = "export_files"

_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class FilePrint:
    path: str  # relative to the export folder
    size: int
    mtime_ns: int
    sha256: str
    lines: int


@dataclass
class TablePlan:
    """How one table is read this load."""

    mode: str  # "unchanged" | "partial" | "full"
    # partial: file name -> (byte offset, lines before it); a file absent reads whole
    offsets: dict[str, tuple[int, int]] = field(default_factory=dict)
    # partial: the files to read (new or grown), as paths
    files: list[Path] = field(default_factory=list)
    prints: list[FilePrint] = field(default_factory=list)


def load_context(
    policy_path: Path,
    salt: bytes,
    since: str | None,
    until: str | None,
    options: dict[str, Any] | None = None,
) -> str:
    """What, besides the files, decides the rows a load produces."""
    parts = {
        "policy": hashlib.sha256(policy_path.read_bytes()).hexdigest(),
        "salt": salt_fingerprint(salt),
        "since": since,
        "until": until,
        "options": {k: str(v) for k, v in sorted((options or {}).items())},
        "loader": LOADER_VERSION,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _digest(path: Path, limit: int | None = None) -> tuple[str, int]:
    """sha256 of the file (or its first `limit` bytes) and its line breaks."""
    digest = hashlib.sha256()
    lines = 0
    left = limit
    with path.open("rb") as handle:
        while left is None or left > 0:
            chunk = handle.read(_HASH_CHUNK if left is None else min(_HASH_CHUNK, left))
            if not chunk:
                break
            digest.update(chunk)
            lines += chunk.count(b"\n")
            if left is not None:
                left -= len(chunk)
    return digest.hexdigest(), lines


def fingerprint(path: Path, export_dir: Path) -> FilePrint:
    stat = path.stat()
    sha, lines = _digest(path)
    return FilePrint(str(path.relative_to(export_dir)), stat.st_size, stat.st_mtime_ns, sha, lines)


def _appendable(path: Path) -> bool:
    return path.name.endswith(".jsonl")


def _ends_with_newline(path: Path, size: int) -> bool:
    if size == 0:
        return True
    with path.open("rb") as handle:
        handle.seek(size - 1)
        return handle.read(1) == b"\n"


def plan_table(
    files: list[Path], export_dir: Path, stored: dict[str, FilePrint] | None
) -> TablePlan:
    """Decide how to read a table's files given what the last load read
    (`stored`: path -> print, None when nothing is known or a full read is asked)."""
    prints = [fingerprint(p, export_dir) for p in files]
    if stored is None:
        return TablePlan("full", prints=prints)
    offsets: dict[str, tuple[int, int]] = {}
    to_read: list[Path] = []
    for path, now in zip(files, prints, strict=True):
        old = stored.get(now.path)
        if old is None:
            if not _appendable(path):
                return TablePlan("full", prints=prints)
            to_read.append(path)
            continue
        if (old.size, old.mtime_ns, old.sha256) == (now.size, now.mtime_ns, now.sha256):
            continue
        if old.sha256 == now.sha256:
            continue  # touched, same bytes
        grew = (
            _appendable(path)
            and now.size > old.size
            and _ends_with_newline(path, old.size)
            and _digest(path, old.size)[0] == old.sha256
        )
        if not grew:
            return TablePlan("full", prints=prints)
        offsets[path.name] = (old.size, old.lines)
        to_read.append(path)
    if not to_read:
        return TablePlan("unchanged", prints=prints)
    return TablePlan("partial", offsets=offsets, files=to_read, prints=prints)


def stored_prints(
    warehouse: Path, source: str, context: str
) -> dict[str, dict[str, FilePrint]] | None:
    """table -> path -> print of the last published load under `context`; None
    when the last load was under another context (or there was none)."""
    from outcomes.warehouse import connect

    if not warehouse.exists():
        return None
    con = connect(warehouse)
    try:
        (present,) = con.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [STATE_SCHEMA, STATE_TABLE],
        ).fetchall()[0]
        if not present:
            return None
        rows = con.execute(
            f"select table_name, path, size, mtime_ns, sha256, lines, context "
            f"from {STATE_SCHEMA}.{STATE_TABLE} where source = ?",
            [source],
        ).fetchall()
    finally:
        con.close()
    if not rows or any(row[6] != context for row in rows):
        return None
    found: dict[str, dict[str, FilePrint]] = {}
    for table, path, size, mtime_ns, sha, lines, _ in rows:
        found.setdefault(table, {})[path] = FilePrint(path, size, mtime_ns, sha, lines)
    return found


def save_prints(
    warehouse: Path, source: str, context: str, prints: dict[str, list[FilePrint]]
) -> None:
    """Replace the source's fingerprints with this published load's."""
    from outcomes.warehouse import connect

    con = connect(warehouse, read_only=False)
    try:
        con.execute(f"create schema if not exists {STATE_SCHEMA}")
        con.execute(
            f"create table if not exists {STATE_SCHEMA}.{STATE_TABLE} (source varchar, "
            "table_name varchar, path varchar, size bigint, mtime_ns bigint, sha256 varchar, "
            "lines bigint, context varchar)"
        )
        con.execute("begin transaction")
        con.execute(f"delete from {STATE_SCHEMA}.{STATE_TABLE} where source = ?", [source])
        rows = [
            (source, table, p.path, p.size, p.mtime_ns, p.sha256, p.lines, context)
            for table, found in prints.items()
            for p in found
        ]
        if rows:
            con.executemany(
                f"insert into {STATE_SCHEMA}.{STATE_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
        con.execute("commit")
    finally:
        con.close()


def keys_in_raw(warehouse: Path, dataset: str, table: str, columns: list[str], data) -> bool:
    """Whether any key of `data` (an arrow table) is already a row of raw."""
    from outcomes.warehouse import connect

    if data.num_rows == 0 or not warehouse.exists():
        return False
    con = connect(warehouse)
    try:
        (present,) = con.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [dataset, table],
        ).fetchall()[0]
        if not present:
            return False
        con.register("incoming_keys", data.select(columns))
        names = ", ".join(f'"{c}"' for c in columns)
        (hits,) = con.execute(
            f'select count(*) from (select {names} from "{dataset}"."{table}" '
            f"intersect select {names} from incoming_keys)"
        ).fetchall()[0]
        con.unregister("incoming_keys")
        return bool(hits)
    finally:
        con.close()
