"""A throwaway PostgreSQL cluster for the portability tests (one per session).

initdb into a temporary folder and pg_ctl start on a free loopback port and a
private unix socket; stopped and deleted at the end. Run as root (CI), the
server runs as the `postgres` user (PostgreSQL refuses to run as root). The
tests of this folder are one xdist group (`postgres`), so the cluster starts
once, on one worker.

Binaries: Debian's /usr/lib/postgresql/<version>/bin (highest version), else
`initdb`/`pg_ctl` on PATH. Absent binaries skip the tests on a developer's
machine and FAIL them in CI (CI=true): .ci/run installs Debian's postgresql,
so a missing binary there is a broken setup, never a reason to skip.
"""

from __future__ import annotations

import datetime as dt
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from outcomes.build import BuildResult
from outcomes.config import WAREHOUSE_ENV

SUPERUSER = "outcomes"  # the bootstrap superuser dbt connects as
DBNAME = "outcomes"
SERVER_USER = "postgres"  # runs the server when the tests run as root


# tryfirst: pytest-xdist reads the xdist_group marks in its own
# pytest_collection_modifyitems; an initial conftest (this one, or any
# conftest of a path given on the command line) runs after it unless
# tryfirst, and its groups are then silently ignored.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/postgres" in str(item.fspath):
            item.add_marker(pytest.mark.xdist_group("postgres"))


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))


def find_postgres_bin() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, or None."""
    debian = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()),
        key=_version_key,
    )
    if debian:
        return debian[-1]
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    return None


def require_postgres_bin() -> Path:
    """The binaries' folder; without one, skip on a developer's machine, fail in CI."""
    bindir = find_postgres_bin()
    if bindir is None:
        message = (
            "PostgreSQL binaries not found (/usr/lib/postgresql/*/bin or initdb on PATH); "
            "install Debian's postgresql (apt-get install postgresql), as .ci/run does"
        )
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return bindir


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresCluster:
    host: str
    port: int
    user: str
    dbname: str
    socket_dir: Path

    def env(self) -> dict[str, str]:
        """The profile's OUTCOMES_PG_* variables for this cluster."""
        return {
            "OUTCOMES_PG_HOST": self.host,
            "OUTCOMES_PG_PORT": str(self.port),
            "OUTCOMES_PG_USER": self.user,
            "OUTCOMES_PG_PASSWORD": "",
            "OUTCOMES_PG_DBNAME": self.dbname,
        }

    def connect(self, user: str | None = None, dbname: str | None = None):
        import psycopg2

        con = psycopg2.connect(
            host=self.host,
            port=self.port,
            user=user or self.user,
            dbname=dbname or self.dbname,
            connect_timeout=10,
        )
        con.autocommit = True
        return con


def _as_server_user(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as SERVER_USER."""
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", SERVER_USER, "--", *cmd]
    return ["su", SERVER_USER, "-s", "/bin/sh", "-c", shlex.join(cmd)]


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(
        _as_server_user(cmd), capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def _start(bindir: Path, data: Path, log: Path, base: Path, port: int) -> PostgresCluster:
    """initdb (trust auth, superuser SUPERUSER), pg_ctl start, create DBNAME."""
    _run(
        [str(bindir / "initdb"), "--pgdata", str(data), "--username", SUPERUSER,
         "--auth", "trust", "--encoding", "UTF8", "--locale", "C", "--no-sync"],
        "initdb",
    )  # fmt: skip
    # Loopback only; durability off (a throwaway cluster); UTC like the warehouse.
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} "
        f"-c unix_socket_directories={base} -c timezone=UTC "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    _run(
        [str(bindir / "pg_ctl"), "--pgdata", str(data), "--log", str(log), "--wait",
         "--timeout", "60", "--options", options, "start"],
        "pg_ctl start",
    )  # fmt: skip
    cluster = PostgresCluster("127.0.0.1", port, SUPERUSER, DBNAME, base)
    con = cluster.connect(dbname="postgres")
    try:
        with con.cursor() as cur:
            cur.execute(f"create database {DBNAME}")
    finally:
        con.close()
    return cluster


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    bindir = require_postgres_bin()
    if os.geteuid() == 0:
        try:
            server = pwd.getpwnam(SERVER_USER)
        except KeyError:
            pytest.fail(f"running as root but there is no `{SERVER_USER}` user to run the server")

    # Not pytest's tmp_path: it is private to the test user (0700) and the
    # server may run as another user.
    base = Path(tempfile.mkdtemp(prefix="outcomes-pg-"))
    data = base / "data"
    log = base / "server.log"
    if os.geteuid() == 0:
        os.chown(base, server.pw_uid, server.pw_gid)
    port = _free_port()
    try:
        try:
            cluster = _start(bindir, data, log, base, port)
        except RuntimeError as exc:
            detail = log.read_text() if log.exists() else ""
            pytest.fail(f"{exc}\n{detail}")
        yield cluster
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_server_user(
                    [str(bindir / "pg_ctl"), "--pgdata", str(data), "--mode", "immediate", "stop"]
                ),
                capture_output=True,
                stdin=subprocess.DEVNULL,
            )
        shutil.rmtree(base, ignore_errors=True)


BI_ROLE = "outcomes_bi_reader"  # dbt_project.yml's default var('bi_reader_role')
BI_LOGIN = "bi_analyst"  # a BI tool's login, member of BI_ROLE
PEOPLE, WEEKS, SEED = 40, 6, 7  # generator minimums: people >= 40, weeks >= 4


@dataclass
class Published:
    """One demo organisation built on DuckDB and, from the same raw data, on Postgres."""

    cluster: PostgresCluster
    duckdb_warehouse: Path
    duckdb_target: Path  # the DuckDB build's dbt target folder (manifest.json)
    copied: dict[str, int]
    build: BuildResult  # of `dbt build --target postgres`


@pytest.fixture(scope="session")
def published(postgres_cluster: PostgresCluster, tmp_path_factory) -> Iterator[Published]:
    # run_dbt sets OUTCOMES_WAREHOUSE; restore it and the OUTCOMES_PG_* variables
    # at the end, for later tests on this worker.
    saved = {key: os.environ.get(key) for key in [*postgres_cluster.env(), WAREHOUSE_ENV]}
    try:
        yield _publish(postgres_cluster, tmp_path_factory.mktemp("postgres"))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _publish(cluster: PostgresCluster, root: Path) -> Published:
    from outcomes.build import run_dbt, target_path_for
    from outcomes.demo import generate
    from outcomes.postgres import publish
    from outcomes.runner import demo_config, run
    from tests.conftest import DEMO_SALT

    exports = root / "exports"
    generate(exports, people=PEOPLE, weeks=WEEKS, seed=SEED)
    warehouse = root / "outcomes.duckdb"
    run(demo_config(exports, warehouse), DEMO_SALT, skip_build=True)
    # Both builds share one "now" (open items' durations so far), and the
    # DuckDB one skips the data tests: the demo warehouse tests run them there.
    as_of = {"as_of_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")}
    run_dbt(
        ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"],
        warehouse,
        dbt_vars=as_of,
    )

    con = cluster.connect()
    try:
        with con.cursor() as cur:
            # What a DBA does once: the BI role (no login) and a BI login in it.
            cur.execute(f"create role {BI_ROLE} nologin")
            cur.execute(f"create role {BI_LOGIN} login in role {BI_ROLE}")
        con.commit()
    finally:
        con.close()

    os.environ.update(cluster.env())
    # What `outcomes publish-postgres` does: copy, then every seed, model, data
    # test and unit test on Postgres. The private schemas are copied too, so
    # the grant tests can prove the BI role cannot read them.
    copied, build = publish(warehouse, dbt_vars=as_of, include_private=True)
    return Published(cluster, warehouse, target_path_for(warehouse), copied, build)
