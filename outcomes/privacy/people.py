"""Finding a person and every row that names them (docs/privacy.md#export-and-erasure).

A person is found through the roster email: its pseudonym is their
`person_key`, and `identity.people_identity` must hold it. Their tool
accounts are the primary keys of the tool users tables (`raw_<tool>.users`,
`raw_hubspot.owners`, `raw_roster.users`) whose `person_key` is theirs.

Which columns name people (the rule, documented in privacy/README.md):

- raw tables (`raw_<source>` and dlt's `raw_<source>_staging`): the columns
  the source's policy pseudonymizes, plus `person_key` of the identity table
  and `record_key` of `quarantine.records`;
- dbt models (every other schema): VARCHAR columns named `person_id`,
  `*_person_id`, `account_id`, `*_account_id`, `*_user_id`, `person_key` or
  `*_key`.
  A value matches a key when it equals it, or when its text after the first
  ':' equals it (`source_account_id` is `<tool>:<account key>`).

Matching compares 32-hex-character HMACs, so a false match is impossible in
practice; tests/privacy prove the rule complete by scanning every text
column of every table.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from outcomes.config import KNOWN_SOURCES
from outcomes.errors import OutcomesError
from outcomes.privacy.audit import AuditLog, audit_key, registered_key
from outcomes.privacy.pseudonym import pseudonymize
from pipelines.common.policy import IDENTITY_SCHEMA, SourcePolicy, load_policy

IDENTITY_TABLE = (IDENTITY_SCHEMA, "people_identity")
QUARANTINE_TABLE = ("quarantine", "records")
MODEL_SCHEMAS = ("staging", "intermediate", "marts", "kpis", "reports", "privacy", "nudges")
_MODEL_PEOPLE_COLUMN = re.compile(r"^(.*_)?(person_id|account_id|user_id|person_key)$|^.+_key$")


def audit_log_for(warehouse: Path, salt: bytes | None = None) -> AuditLog:
    """The warehouse's audit log: `<warehouse dir>/<stem>_privacy_audit.jsonl`.

    Keyed by the pseudonym salt: the one given; else the one this process
    checked against the warehouse (`check_salt`); else the configured one
    (environment, .dlt/secrets.toml, the demo's salt file beside the
    warehouse). With none, entries are written unkeyed and verify says so.
    """
    path = warehouse.parent / f"{warehouse.stem}_privacy_audit.jsonl"
    if salt is not None:
        return AuditLog(path, audit_key(salt))
    key = registered_key(path)
    if key is None:
        configured = _configured_salt(warehouse)
        key = audit_key(configured) if configured else None
    return AuditLog(path, key)


def _configured_salt(warehouse: Path) -> bytes | None:
    from outcomes.config import PROJECT_DIR
    from outcomes.privacy.salt import resolve_salt

    try:
        return resolve_salt(PROJECT_DIR)
    except OutcomesError:
        demo_salt = warehouse.parent / f"{warehouse.stem}.salt"
        if demo_salt.exists():
            try:
                return resolve_salt(PROJECT_DIR, demo_salt_file=demo_salt)
            except OutcomesError:
                return None
        return None


def policies() -> dict[str, SourcePolicy]:
    return {source: load_policy(source) for source in KNOWN_SOURCES}


@dataclass(frozen=True)
class Person:
    """A roster person and every pseudonym that names them."""

    person_key: str
    email: str
    display_name: str | None
    account_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def keys(self) -> tuple[str, ...]:
        accounts = {k for keys in self.account_keys.values() for k in keys}
        return (self.person_key, *sorted(accounts - {self.person_key}))


def _tables(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_name not like '\\_dlt%' escape '\\'"
    ).fetchall()
    return {(s, t) for s, t in rows}


def _columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], dict[str, str]]:
    found: dict[tuple[str, str], dict[str, str]] = {}
    for schema, table, column, data_type in con.execute(
        "select table_schema, table_name, column_name, data_type "
        "from information_schema.columns order by ordinal_position"
    ).fetchall():
        found.setdefault((schema, table), {})[column] = data_type
    return found


# A load lands in `candidate_<dataset>` first (pipelines/common/load.py) and
# dlt keeps `<dataset>_staging` beside each dataset; a run killed before it
# published leaves them behind, and an identity candidate holds emails.
CANDIDATE_PREFIX = "candidate_"


def identity_schemas(schema: str) -> bool:
    """`identity` and what a load leaves beside it: `candidate_identity`,
    `candidate_identity_staging`, `identity_staging`."""
    base = schema.removeprefix(CANDIDATE_PREFIX).removesuffix("_staging")
    return base == IDENTITY_SCHEMA


def identity_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Every people_identity table: the published one first, then leftover candidates."""
    found = sorted(
        (s, t) for s, t in _tables(con) if t == IDENTITY_TABLE[1] and identity_schemas(s)
    )
    return sorted(found, key=lambda st: st != IDENTITY_TABLE)


def raw_schema_source(schema: str) -> str | None:
    """`raw_github`, dlt's `raw_github_staging`, and the gate's candidates of a
    refused batch kept for inspection (`candidate_raw_github`, and its dlt
    staging) -> `github`: export and erase reach a kept candidate too."""
    for source in KNOWN_SOURCES:
        raw = f"raw_{source}"
        if schema in {raw, f"{raw}_staging", f"candidate_{raw}", f"candidate_{raw}_staging"}:
            return source
    return None


def people_columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[str, ...]]:
    """Every table that can name a person, with the columns that do (see module doc)."""
    known = policies()
    columns = _columns(con)
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for (schema, table), cols in sorted(columns.items()):
        if table.startswith("_dlt"):
            continue
        source = raw_schema_source(schema)
        if source is not None:
            policy_tables = {t.name: t for t in known[source].tables}
            if table not in policy_tables:
                continue
            names = [
                c.name
                for c in policy_tables[table].columns
                if c.action == "pseudonymize" and c.name in cols
            ]
        elif table == IDENTITY_TABLE[1] and identity_schemas(schema):
            names = ["person_key"]
        elif (schema, table) == QUARANTINE_TABLE:
            names = ["record_key"]
        elif schema in MODEL_SCHEMAS:
            names = [
                c
                for c, data_type in cols.items()
                if data_type == "VARCHAR" and _MODEL_PEOPLE_COLUMN.match(c)
            ]
        else:
            continue
        if names:
            found[(schema, table)] = tuple(names)
    return found


def quoted(schema: str, table: str) -> str:
    return f'"{schema}"."{table}"'


def match_sql(columns: tuple[str, ...]) -> str:
    """A predicate true for rows whose people columns hold a key of `$keys`."""
    return " or ".join(
        f"""substr("{c}", strpos("{c}", ':') + 1) in (select unnest($keys))""" for c in columns
    )


def find_person(con: duckdb.DuckDBPyConnection, email: str, salt: bytes) -> Person:
    """The person with this roster email, or an error saying there is none."""
    person_key = pseudonymize(email, salt, "email", "roster")
    # The published identity, then any candidate a killed run left (its emails
    # are held too, so export and erase must reach them).
    identities = identity_tables(con)
    if not identities:
        raise OutcomesError("the warehouse has no identity.people_identity table (load the roster)")
    row = None
    for schema, table in identities:
        row = con.execute(
            f"select person_key, email, display_name from {quoted(schema, table)} "
            "where person_key = ?",
            [person_key],
        ).fetchone()
        if row is not None:
            break
    if row is None:
        raise OutcomesError(
            "no person with that email in identity.people_identity (the roster): "
            "nothing is held about them under it"
        )
    accounts: dict[str, set[str]] = {}
    tables = _tables(con)
    for source, policy in policies().items():
        for table in policy.tables:
            dataset = policy.dataset_for(table)
            names = {c.name: c for c in table.columns}
            account_key = table.primary_key[0] if len(table.primary_key) == 1 else None
            if (
                dataset == IDENTITY_SCHEMA
                or "person_key" not in names
                or account_key is None
                or names[account_key].kind != "account"
            ):
                continue
            # The published table, and a candidate a killed or refused load left.
            for schema in (dataset, f"{CANDIDATE_PREFIX}{dataset}"):
                if (schema, table.name) not in tables:
                    continue
                keys = con.execute(
                    f'select distinct "{account_key}" from {quoted(schema, table.name)} '
                    f'where person_key = ? and "{account_key}" is not null',
                    [person_key],
                ).fetchall()
                accounts.setdefault(source, set()).update(k for (k,) in keys)
    accounts = {source: tuple(sorted(keys)) for source, keys in accounts.items() if keys}
    return Person(person_key=row[0], email=row[1], display_name=row[2], account_keys=accounts)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID | bytes):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def rows_about(
    con: duckdb.DuckDBPyConnection, person: Person
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Every row of every table whose people columns name the person."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for (schema, table), columns in people_columns(con).items():
        cursor = con.execute(
            f"select * from {quoted(schema, table)} where {match_sql(columns)}",
            {"keys": list(person.keys)},
        )
        names = [d[0] for d in cursor.description]
        rows = [
            {n: _jsonable(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()
        ]
        if rows:
            found[(schema, table)] = rows
    return found
