"""BI readers (docs/privacy.md#who-sees-what: BI users get the team-level marts
only; no role but the privacy operator reads identity or raw schemas): on
Postgres the reader role gets SELECT on the team-level marts and on nothing
else: not the marts with a row per person's pseudonym, never raw_*, staging,
intermediate, seeds, identity, privacy or quarantine."""

from __future__ import annotations

import json

import psycopg2
import psycopg2.errors
import pytest

from outcomes.config import PROJECT_DIR
from tests.postgres.conftest import BI_LOGIN, BI_ROLE

PRIVATE_SCHEMAS = {
    "raw_github",
    "raw_roster",
    "staging",
    "intermediate",
    "kpis",
    "seeds",
    "identity",
    "privacy",
    "quarantine",
}
PERSON_LEVEL_MARTS = {"dim_people", "fct_work_events", "fct_work_items", "fct_pull_requests"}


@pytest.fixture(scope="module")
def bi(published):
    con = published.cluster.connect(user=BI_LOGIN)
    yield con
    con.close()


def _columns_by_table(published) -> dict[tuple[str, str], set[str]]:
    """(schema, table) -> columns, for every table and view in the database."""
    con = published.cluster.connect()
    try:
        with con.cursor() as cur:
            cur.execute(
                "select table_schema, table_name, column_name from information_schema.columns"
                " where table_schema not in ('pg_catalog', 'information_schema')"
            )
            tables: dict[tuple[str, str], set[str]] = {}
            for schema, table, column in cur.fetchall():
                tables.setdefault((schema, table), set()).add(column)
            return tables
    finally:
        con.close()


def _is_team_level_mart(schema: str, columns: set[str]) -> bool:
    return schema == "marts" and not any(c.endswith("person_id") for c in columns)


def test_bi_reader_selects_the_team_level_marts(published, bi):
    tables = _columns_by_table(published)
    team_marts = {t for (s, t), cols in tables.items() if _is_team_level_mart(s, cols)}
    assert {"fct_team_kpis_weekly", "fct_dora_team_weekly", "dim_teams"} <= team_marts
    with bi.cursor() as cur:
        for table in sorted(team_marts):
            cur.execute(f'select count(*) from marts."{table}"')
            assert cur.fetchone()[0] >= 0
        cur.execute("select count(*) from marts.fct_team_kpis_weekly")
        assert cur.fetchone()[0] > 0


@pytest.mark.parametrize(
    "relation",
    [
        "raw_github.pull_requests",
        "raw_roster.users",
        "identity.people_identity",
        "privacy.opt_outs",
        "quarantine.records",
        "staging.stg_github__pull_requests",
        "intermediate.int_work_items_unioned",
        "seeds.kpi_catalog",
        "marts.dim_people",
        "marts.fct_work_events",
    ],
)
def test_bi_reader_is_denied_everything_else(bi, relation):
    schema, table = relation.split(".")
    with bi.cursor() as cur, pytest.raises(psycopg2.errors.InsufficientPrivilege):
        cur.execute(f'select * from "{schema}"."{table}" limit 1')


def test_bi_reader_privileges_are_exactly_the_team_level_marts(published):
    """Every table and view in the database: SELECT for the role iff it is a
    mart without a person pseudonym column; USAGE on the marts schema only."""
    tables = _columns_by_table(published)
    schemas = {schema for schema, _ in tables}
    assert schemas >= PRIVATE_SCHEMAS | {"marts"}
    assert {t for (s, t) in tables if s == "marts"} >= PERSON_LEVEL_MARTS
    con = published.cluster.connect()
    try:
        with con.cursor() as cur:
            for schema in sorted(schemas):
                cur.execute("select has_schema_privilege(%s, %s, 'usage')", [BI_ROLE, schema])
                assert cur.fetchone()[0] == (schema == "marts"), schema
            for (schema, table), columns in sorted(tables.items()):
                cur.execute(
                    "select has_table_privilege(%s, format('%%I.%%I', %s, %s), 'select')",
                    [BI_ROLE, schema, table],
                )
                granted = cur.fetchone()[0]
                assert granted == _is_team_level_mart(schema, columns), f"{schema}.{table}"
    finally:
        con.close()


def _grants(manifest_dir) -> dict[str, dict]:
    nodes = json.loads((manifest_dir / "manifest.json").read_text())["nodes"]
    return {
        name: nodes[f"model.outcomes.{name}"]["config"]["grants"]
        for name in ("fct_team_kpis_weekly", "dim_people", "stg_github__pull_requests")
    }


def test_duckdb_build_has_no_grants(published):
    # DuckDB has no roles: no grants (and no "grants are not supported" warning).
    assert _grants(published.duckdb_target) == {
        "fct_team_kpis_weekly": {},
        "dim_people": {},
        "stg_github__pull_requests": {},
    }


def test_reader_role_comes_from_a_var(tmp_path, published):
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(
        ["parse", "--quiet", "--target", "postgres", "--project-dir", str(PROJECT_DIR),
         "--profiles-dir", str(PROJECT_DIR), "--target-path", str(tmp_path),
         "--vars", json.dumps({"bi_reader_role": "revops_bi"})]
    )  # fmt: skip
    assert result.success, result.exception
    assert _grants(tmp_path) == {
        "fct_team_kpis_weekly": {"select": ["revops_bi"]},
        "dim_people": {"select": []},
        "stg_github__pull_requests": {},
    }
