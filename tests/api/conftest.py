"""Shared setup of the API loader tests: a small demo organisation, its
simulators, and the comparison of an API pull with a load of the same
organisation's files.

The property every connector must hold: for the demo organisation, pulling
through the simulator lands exactly the raw rows (keys and values) that
loading its file exports lands.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from outcomes.config import ApiConfig, SourceConfig
from outcomes.demo import generate
from outcomes.simulators import simulator_class
from outcomes.simulators.server import Simulator
from pipelines.common.load import SourceLoad, load_source

SALT = b"api-test-salt-0123456789abcdef!!"
LOADED_AT = dt.datetime(2026, 11, 16, 12, 0, 0)
# The demo's clock: its exports end on 2026-11-16; the gate refuses later times.
NOW = dt.datetime(2026, 11, 16, 23, 59, 59)
START_DATE = "2025-11-01"


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory) -> Path:
    """A small demo organisation (40 people, 8 weeks): exports per tool."""
    root = tmp_path_factory.mktemp("api-demo")
    generate(root, people=40, weeks=8, seed=7)
    return root


@pytest.fixture
def simulator(request, demo_exports: Path, monkeypatch) -> Iterator[Simulator]:
    """The simulator of the test module's `SOURCE`, started, with its credentials set."""
    source = request.module.SOURCE
    sim = simulator_class(source)(demo_exports / source)
    for key, value in credentials(source, sim).items():
        monkeypatch.setenv(key, value)
    with sim:
        yield sim


def credentials(source: str, sim: Simulator) -> dict[str, str]:
    """The environment variables (dlt secrets) a source's API loader reads."""
    return getattr(sim, "credentials", lambda: {})() or {
        f"SOURCES__{source.upper()}__{key.upper()}": sim.token
        for key in ("access_token", "api_key", "api_token", "token")
    }


def api_config(source: str, sim: Simulator, **scope) -> SourceConfig:
    api = ApiConfig(
        base_url=sim.base_url,
        start_date=scope.pop("start_date", START_DATE),
        overlap_minutes=scope.pop("overlap_minutes", 60),
        scope=tuple(sorted(scope.items())),
    )
    return SourceConfig(source, api=api, full_refresh=False)


def load_api(config: SourceConfig, warehouse: Path) -> SourceLoad:
    return load_source(config, warehouse, SALT, LOADED_AT, now=NOW)


# The pull a test kills: a separate process, so the kill is a real SIGKILL of
# everything dlt holds open; the simulator keeps running in the test process.
_PULL_TO_KILL = """
import json, sys
from pathlib import Path
from tests.api.conftest import api_config, load_api

class Remote:
    base_url = sys.argv[2]

scope = {k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(sys.argv[4]).items()}
load_api(api_config(sys.argv[1], Remote, **scope), Path(sys.argv[3]))
"""


def kill_a_pull(
    source: str,
    sim: Simulator,
    warehouse: Path,
    *,
    slow_path: str,
    until: Callable[[list[str]], bool] | None = None,
    slow_times: int = 8,
    slow_seconds: float = 0.4,
    settle_seconds: float = 0.0,
    timeout: float = 60,
    **scope,
) -> None:
    """Pull `source` into `warehouse` in a child process and SIGKILL it mid-way.

    Requests to `slow_path` are slowed so the kill lands inside the pull. The
    child is killed once `until(sim.requests)` holds (default: 4 requests
    answered), after `settle_seconds`; the test fails if it finished first.
    The injected faults are cleared on return, the request log is not.
    """
    until = until or (lambda requests: len(requests) >= 4)
    for _ in range(slow_times):
        sim.inject("slow", path=slow_path, seconds=slow_seconds)
    sim.clear_log()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _PULL_TO_KILL,
            source,
            sim.base_url,
            str(warehouse),
            json.dumps(scope),
        ],
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while not until(sim.requests) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(settle_seconds)
    os.killpg(process.pid, signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, f"the {source} pull finished before it was killed"
    sim._faults.clear()


def load_files(source: str, exports: Path, warehouse: Path) -> SourceLoad:
    return load_source(SourceConfig(source, exports / source), warehouse, SALT, LOADED_AT, now=NOW)


def raw_tables(warehouse: Path, source: str, with_loaded_at: bool = True) -> dict[str, list[tuple]]:
    """Every raw table of a source (and identity, for the roster), sorted rows;
    without the load time when two runs loaded at different times."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in (?, ?) and not starts_with(table_name, '_dlt') "
            "order by 1, 2",
            [f"raw_{source}", "identity" if source == "roster" else f"raw_{source}"],
        ).fetchall()
        out = {}
        for schema, table in tables:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where table_schema = ? "
                    "and table_name = ? and not starts_with(column_name, '_dlt') order by 1",
                    [schema, table],
                ).fetchall()
                if with_loaded_at or c != "_outcomes_loaded_at"
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'select {select} from "{schema}"."{table}"').fetchall()
            out[f"{schema}.{table}"] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


# Tables that keep every version of a record a load has seen (the roster's
# history): a file export's earlier lines of a record land there, an API
# serves only the current version, and a warehouse loaded twice holds what
# both loads saw. The current versions are compared in the record's table.
VERSIONED_TABLES = {"raw_roster.user_versions"}


def assert_same_raw(a: Path, b: Path, source: str, with_loaded_at: bool = True) -> None:
    left = raw_tables(a, source, with_loaded_at)
    right = raw_tables(b, source, with_loaded_at)
    assert sorted(left) == sorted(right)
    for table in left:
        if table in VERSIONED_TABLES:
            fewer, more = sorted((set(left[table]), set(right[table])), key=len)
            assert fewer <= more, table
            continue
        assert len(left[table]) == len(right[table]), table
        assert left[table] == right[table], table


def read_export(path: Path) -> list[dict]:
    """The records of an export file (for tests that look for its text elsewhere)."""
    import json

    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def staged(warehouse: Path, tool: str, model: str, columns: str = "*") -> list[tuple]:
    """A staging model's rows over a warehouse's raw tables, without dbt: the
    model's SQL rendered with `source()` read as the raw table, `ref()` of
    another staging model as that model's own SQL (rendered the same way) and
    `stable_id()` as on DuckDB, so a test sees what the marts would read."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        sql = _staging_sql(tool, model)
        return sorted(con.execute(f"select {columns} from ({sql})").fetchall(), key=repr)
    finally:
        con.close()


def _staging_sql(tool: str, model: str) -> str:
    import jinja2

    folder = Path(__file__).parents[2] / "models/staging"

    def ref(name: str) -> str:
        other = name.split("__")[0].removeprefix("stg_")
        assert (folder / other / f"{name}.sql").exists(), f"{model} reads {name}, not staging"
        return f"({_staging_sql(other, name)})"

    def stable_id(*columns: str) -> str:
        parts = " || '|' || ".join(f"coalesce(cast({c} as varchar), '<null>')" for c in columns)
        return f"md5({parts})"

    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    # The staging macros (plain Jinja, no dbt context) as they are.
    macros = {}
    for path in sorted((folder.parents[1] / "macros/staging").glob("*.sql")):
        module = env.from_string(path.read_text()).module
        macros.update({n: getattr(module, n) for n in dir(module) if not n.startswith("_")})
    template = env.from_string((folder / tool / f"{model}.sql").read_text())
    return template.render(
        source=lambda schema, table: f'"{schema}"."{table}"',
        ref=ref,
        stable_id=stable_id,
        **macros,
    )
