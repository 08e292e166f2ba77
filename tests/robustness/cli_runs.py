"""One real `outcomes run` in a folder of its own, and what it left there (issue 14).

The command runs as a user runs it: the installed `outcomes` in a
subprocess, its warehouse (OUTCOMES_WAREHOUSE) in the run folder, so that
every file the run writes (dlt's pipeline folders, dbt's target and logs,
the audit log, the digest) is under that folder, and the exports outside it.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tests.conftest import DBT_TESTS_LEFT_OUT
from tests.robustness.helpers import process_env

OUTCOMES = Path(sys.executable).with_name("outcomes")  # the installed command
WAREHOUSE = "outcomes.duckdb"
PEOPLE, WEEKS, SEED, END = 40, 4, 7, dt.date(2026, 11, 16)
AS_OF = "2026-11-16 12:00:00"


@dataclass(frozen=True)
class Run:
    folder: Path  # the run's own folder: the warehouse and everything the run writes
    exports: Path
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def warehouse(self) -> Path:
        return self.folder / WAREHOUSE

    @property
    def lines(self) -> list[str]:
        return self.stdout.decode().splitlines()

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def count(self, table: str) -> int | None:
        """Rows of `schema.table`, None when the run never made the table."""
        schema, name = table.split(".")
        exists = self.query(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema, name],
        )
        return self.query(f"select count(*) from {table}")[0][0] if exists[0][0] else None

    def files_holding(self, needle: bytes) -> list[str]:
        """Files under the run folder, the warehouse itself aside, whose bytes hold `needle`."""
        skip = {self.warehouse, self.warehouse.with_name(WAREHOUSE + ".wal")}
        return sorted(
            str(path.relative_to(self.folder))
            for path in self.folder.rglob("*")
            if path.is_file() and path not in skip and needle in path.read_bytes()
        )

    def failure(self) -> str:
        return (self.stderr[-4000:] + b"\n" + self.stdout[-3000:]).decode(errors="replace")


def write_config(path: Path, sources: dict[str, Path]) -> Path:
    path.write_text(
        "sources:\n" + "".join(f"  {name}:\n    path: {p}\n" for name, p in sources.items())
    )
    return path


def outcomes_run(folder: Path, config: Path, *args: str, exports: Path) -> Run:
    """`outcomes run --config <config> <args>` with its warehouse in `folder`.

    dbt's data and unit tests are left out of the build, as in
    tests/faults/test_kill_and_rerun.py: they write no table, the rest of
    the suite runs them on every model, and they would double the runtime."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [str(OUTCOMES), "run", "--config", str(config), *args],
        cwd=folder,
        env=process_env(
            OUTCOMES_WAREHOUSE=str(folder / WAREHOUSE),
            OUTCOMES_AS_OF_UTC=AS_OF,
            DBT_EXCLUDE_RESOURCE_TYPES=DBT_TESTS_LEFT_OUT,
            DO_NOT_TRACK="1",
            RUNTIME__DLTHUB_TELEMETRY="false",
        ),
        capture_output=True,
        timeout=900,
    )
    return Run(folder, exports, done.returncode, done.stdout, done.stderr)


def landed_per_file(exports: Path) -> dict[str, int]:
    """Records each demo file lands: its records, less the repeats and the
    broken records the generator planted (manifest.json says which)."""
    manifest = json.loads((exports / "manifest.json").read_text())
    broken: dict[str, int] = {}
    for record in manifest["broken_records"]:
        broken[record["file"]] = broken.get(record["file"], 0) + 1
    return {
        name: records - manifest["duplicates"][name] - broken.get(name, 0)
        for name, records in manifest["files"].items()
    }
