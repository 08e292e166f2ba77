"""`outcomes publish-postgres` (outcomes/postgres.py): what it copies, that a
rerun copies the same rows and a failed copy changes nothing, and that bad
input names what was wrong. The build it runs is the one the portability and
grant tests check (the `published` fixture publishes with it)."""

from __future__ import annotations

import socket

import duckdb
import pytest

from outcomes.errors import OutcomesError
from outcomes.postgres import connect, copied_schemas, copy_warehouse


def _pg_count(pg, name: str) -> int:
    schema, table = name.split(".")
    with pg.cursor() as cur:
        cur.execute(f'select count(*) from "{schema}"."{table}"')
        return cur.fetchone()[0]


def test_by_default_only_what_the_models_read_is_copied(published):
    con = duckdb.connect(str(published.duckdb_warehouse), read_only=True)
    try:
        schemas = copied_schemas(con)
        with_private = copied_schemas(con, include_private=True)
    finally:
        con.close()
    assert "privacy" in schemas and all(s == "privacy" or s.startswith("raw_") for s in schemas)
    assert not [s for s in schemas if s.endswith("_staging")]
    assert set(with_private) - set(schemas) == {"identity", "quarantine"}


def test_publishing_again_copies_the_same_rows_and_builds_again(published):
    """A rerun replaces every raw table (and the staging views over it, which
    its build recreates): the same rows, and every node passes again."""
    from outcomes.postgres import publish

    again, build = publish(published.duckdb_warehouse, include_private=True)
    assert again == published.copied
    assert build.failures == []
    assert build.counts == published.build.counts
    pg = published.cluster.connect()
    try:
        for name, rows in again.items():
            assert _pg_count(pg, name) == rows, name
    finally:
        pg.close()


def test_a_failed_copy_leaves_postgres_as_it_was(published, tmp_path):
    """A raw column of a type nobody mapped stops the copy, naming it; the
    tables copied before it in the same run are rolled back."""
    warehouse = tmp_path / "odd.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema raw_github")
    con.execute("create table raw_github.aaa_first as select 1 as id")
    con.execute("create table raw_github.pull_requests as select 1 as id, [1, 2] as odd_list")
    con.close()
    before = _pg_count_or_none(published, "raw_github.pull_requests")
    pg = published.cluster.connect()
    pg.autocommit = False
    try:
        with pytest.raises(OutcomesError, match=r"raw_github\.pull_requests\.odd_list"):
            copy_warehouse(warehouse, pg, tmp_path)
    finally:
        pg.close()
    assert _pg_count_or_none(published, "raw_github.pull_requests") == before
    assert _pg_count_or_none(published, "raw_github.aaa_first") is None


def _pg_count_or_none(published, name: str) -> int | None:
    pg = published.cluster.connect()
    try:
        with pg.cursor() as cur:
            cur.execute("select to_regclass(%s)", [name])
            if cur.fetchone()[0] is None:
                return None
        return _pg_count(pg, name)
    finally:
        pg.close()


def test_a_database_that_cannot_be_reached_is_named():
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {"OUTCOMES_PG_HOST": "127.0.0.1", "OUTCOMES_PG_PORT": str(port)}
    with pytest.raises(
        OutcomesError, match=rf"cannot connect to Postgres outcomes@127.0.0.1:{port}/"
    ):
        connect(env)


def test_a_missing_warehouse_is_named(tmp_path):
    with pytest.raises(OutcomesError, match=r"no warehouse at .*nowhere\.duckdb"):
        copy_warehouse(tmp_path / "nowhere.duckdb", pg_con=None)


def test_the_command_says_which_database_it_could_not_reach(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from outcomes.cli import main

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("OUTCOMES_PG_HOST", "127.0.0.1")
    monkeypatch.setenv("OUTCOMES_PG_PORT", str(port))
    monkeypatch.setenv("OUTCOMES_PG_USER", "bi_loader")
    monkeypatch.setenv("OUTCOMES_WAREHOUSE", str(tmp_path / "w.duckdb"))
    result = CliRunner().invoke(main, ["publish-postgres"])
    assert result.exit_code == 2
    assert f"error: cannot connect to Postgres bi_loader@127.0.0.1:{port}/" in result.output
