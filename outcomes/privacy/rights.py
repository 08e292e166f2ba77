"""The person's rights: access/portability (export) and erasure (GDPR Art. 15, 17, 20).

Both find the person through the roster email (`outcomes.privacy.people`)
and write one audit entry naming them only by pseudonym.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from outcomes.errors import OutcomesError
from outcomes.faults import fault_point
from outcomes.nudges.privacy import ERASABLE as NUDGE_TABLES
from outcomes.privacy.erasures import (
    ERASURES_SCHEMA,
    ERASURES_TABLE,
    REFERENCE_COLUMNS,
    erasure_token,
    purge_loaded_packages,
    record_erasures,
)
from outcomes.privacy.people import (
    IDENTITY_TABLE,
    QUARANTINE_TABLE,
    audit_log_for,
    find_person,
    identity_schemas,
    match_sql,
    people_columns,
    quoted,
    raw_schema_source,
    rows_about,
)
from outcomes.privacy.pseudonym import pseudonymize
from outcomes.privacy.salt import check_salt
from outcomes.warehouse import connect

__all__ = [
    "REFERENCE_COLUMNS",
    "erase_person",
    "export_person",
    "finish_erasures",
    "mark_erasures_built",
]


def export_person(warehouse: Path, email: str, salt: bytes, actor: str | None = None) -> dict:
    """Everything held about the person: {person, keys, tables: {schema.table: [rows]}}."""
    if not warehouse.exists():
        raise OutcomesError(f"no warehouse at {warehouse}")
    check_salt(warehouse, salt, record=False)  # another salt finds nobody, or the wrong rows
    con = connect(warehouse)
    try:
        person = find_person(con, email, salt)
        tables = rows_about(con, person)
    finally:
        con.close()
    audit_log_for(warehouse, salt).append(
        "privacy.export",
        {
            "person": person.person_key,
            "tables": len(tables),
            "rows": sum(len(rows) for rows in tables.values()),
        },
        actor=actor,
    )
    return {
        "person": {
            "person_key": person.person_key,
            "email": person.email,
            "display_name": person.display_name,
        },
        "account_keys": {source: list(keys) for source, keys in person.account_keys.items()},
        "tables": {f"{s}.{t}": rows for (s, t), rows in sorted(tables.items())},
    }


def _erasable(schema: str, table: str) -> bool:
    """Raw data, identity, quarantine and the hashed opt-out list: what dbt
    does not rebuild (the opt-out list is reloaded from its file)."""
    return (
        raw_schema_source(schema) is not None
        or (table == IDENTITY_TABLE[1] and identity_schemas(schema))
        or (schema, table) in {QUARANTINE_TABLE, ("privacy", "opt_outs")}
        or (schema, table) in NUDGE_TABLES  # the delivery log and opt-ins: no rebuild
    )


REQUESTS_TABLE = f"{ERASURES_SCHEMA}.erasure_requests"
_CREATE_REQUESTS = (
    f"create table if not exists {REQUESTS_TABLE} ("
    "request_id varchar primary key, "
    "person_key varchar, "  # the pseudonym, kept only until the erasure is complete
    "tokens varchar[] not null, "  # erasure tokens of every pseudonym that named them
    "requested_at timestamp not null, "
    "deleted_at timestamp, "  # raw, identity, quarantine and candidates deleted
    "deleted varchar, "  # what was deleted and unlinked (JSON counts, no values)
    "completed_at timestamp)"  # the models rebuilt: nothing names them any more
)
_NOW = "cast(timezone('UTC', current_timestamp) as timestamp)"


def _has_requests(con) -> bool:
    (count,) = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = ? and table_name = 'erasure_requests'",
        [ERASURES_SCHEMA],
    ).fetchone()
    return bool(count)


def _pending(con) -> list[tuple[str, str | None, list[str], Any, str | None]]:
    """(request_id, person_key, tokens, deleted_at, deleted) of every unfinished request."""
    if not _has_requests(con):
        return []
    return con.execute(
        f"select request_id, person_key, tokens, deleted_at, deleted from {REQUESTS_TABLE} "
        "where completed_at is null order by requested_at, request_id"
    ).fetchall()


def _logged(warehouse: Path) -> set[tuple[str, str]]:
    """(action, request) of every erasure entry the audit log holds."""
    return {
        (e.get("action"), e.get("details", {}).get("request"))
        for e in audit_log_for(warehouse).entries()
        if str(e.get("action", "")).startswith("privacy.erase")
    }


def _normalized(value: str) -> str:
    # as match_sql compares: the text after the first ':' (`<tool>:<key>`)
    return value.split(":", 1)[1] if ":" in value else value


def _keys_for_tokens(con, tables: dict, tokens: set[str], salt: bytes) -> list[str]:
    """Every pseudonym in the erasable tables whose erasure token is in `tokens`."""
    keys: set[str] = set()
    for (schema, table), columns in tables.items():
        for column in columns:
            values = con.execute(
                f'select distinct "{column}" from {quoted(schema, table)} '
                f'where "{column}" is not null'
            ).fetchall()
            for (value,) in values:
                key = _normalized(str(value))
                if erasure_token(key, salt) in tokens:
                    keys.add(key)
    return sorted(keys)


def _delete_rows(con, tokens: set[str], salt: bytes) -> tuple[dict[str, int], dict[str, int]]:
    """Delete (or unlink) every erasable row naming a token's pseudonym (in the caller's
    transaction). Idempotent: a rerun after a kill deletes what is left."""
    tables = {
        (schema, table): columns
        for (schema, table), columns in people_columns(con).items()
        if _erasable(schema, table)
    }
    deleted: dict[str, int] = {}
    unlinked: dict[str, int] = {}
    keys = {"keys": _keys_for_tokens(con, tables, tokens, salt)}
    if not keys["keys"]:
        return deleted, unlinked
    for (schema, table), columns in tables.items():
        name = f"{schema}.{table}"
        source = raw_schema_source(schema)
        references = tuple(c for c in columns if (source, table, c) in REFERENCE_COLUMNS)
        for column in references:
            (count,) = con.execute(
                f'update {quoted(schema, table)} set "{column}" = null '
                f"where {match_sql((column,))}",
                keys,
            ).fetchone()
            if count:
                unlinked[f"{name}.{column}"] = count
        owning = tuple(c for c in columns if c not in references)
        if owning:
            (count,) = con.execute(
                f"delete from {quoted(schema, table)} where {match_sql(owning)}", keys
            ).fetchone()
            if count:
                deleted[name] = count
    return deleted, unlinked


def _request(warehouse: Path, person_key: str, keys: tuple[str, ...], salt: bytes) -> str:
    """Step 1, recorded before anything is deleted: the erasure list entry and the
    request, in one transaction. Returns the request id."""
    request = uuid.uuid4().hex
    con = connect(warehouse, read_only=False)
    try:
        con.execute("begin transaction")
        try:
            listed = record_erasures(con, keys, salt)
            con.execute(_CREATE_REQUESTS)
            con.execute(
                f"insert into {REQUESTS_TABLE} (request_id, person_key, tokens, requested_at, "
                f"deleted) values (?, ?, ?, {_NOW}, ?)",
                [
                    request,
                    person_key,
                    sorted({erasure_token(k, salt) for k in keys}),
                    json.dumps({"erasure_list_added": listed}),
                ],
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    finally:
        con.close()
    return request


def finish_erasures(
    warehouse: Path,
    salt: bytes,
    actor: str | None = None,
    rebuild: bool = True,
    min_group_size: int | None = None,
) -> dict[str, dict[str, Any]]:
    """Carry out every recorded erasure that is not complete, whatever interrupted it.

    For each unfinished request: the audit entry `privacy.erase_requested` if
    the log lacks it; the deletes and unlinks in one transaction that also
    marks the request deleted (`privacy.erase` entry); then, with `rebuild`,
    one dbt build for all of them, after which each is complete
    (`privacy.erase_completed`, its pseudonym dropped from the request).
    Without `rebuild` the requests stay open until a build (`outcomes run`
    marks them complete after its build, `mark_erasures_built`).
    Returns {request: {"person", "deleted", "unlinked"}} of the requests handled.
    """
    if not warehouse.exists():
        return {}
    con = connect(warehouse, read_only=False)
    handled: dict[str, dict[str, Any]] = {}
    try:
        pending = _pending(con)
        if not pending:
            return {}
        logged = _logged(warehouse)
        for request, person_key, tokens, deleted_at, details in pending:
            if ("privacy.erase_requested", request) not in logged:
                audit_log_for(warehouse, salt).append(
                    "privacy.erase_requested",
                    {"request": request, "person": person_key, "pseudonyms": len(tokens)},
                    actor=actor,
                )
            recorded = json.loads(details or "{}")
            if deleted_at is None:
                con.execute("begin transaction")
                try:
                    deleted, unlinked = _delete_rows(con, set(tokens), salt)
                    recorded.update({"deleted": deleted, "unlinked": unlinked})
                    con.execute(
                        f"update {REQUESTS_TABLE} set deleted_at = {_NOW}, deleted = ? "
                        "where request_id = ?",
                        [json.dumps(recorded, sort_keys=True), request],
                    )
                    con.execute("commit")
                except Exception:
                    con.execute("rollback")
                    raise
                fault_point("erase.deleted")
            if ("privacy.erase", request) not in logged:
                purged = purge_loaded_packages(warehouse)
                audit_log_for(warehouse, salt).append(
                    "privacy.erase",
                    {
                        "request": request,
                        "person": person_key,
                        "deleted": recorded.get("deleted", {}),
                        "unlinked": recorded.get("unlinked", {}),
                        "erasure_list_added": recorded.get("erasure_list_added", 0),
                        "load_package_files_deleted": purged,
                    },
                    actor=actor,
                )
            handled[request] = {
                "person": person_key,
                "deleted": recorded.get("deleted", {}),
                "unlinked": recorded.get("unlinked", {}),
            }
    finally:
        con.close()
    if rebuild:
        _rebuild(warehouse, salt, actor, min_group_size)
    return handled


def _rebuild(warehouse: Path, salt: bytes, actor: str | None, min_group_size: int | None) -> None:
    from outcomes.build import build

    build(warehouse, min_group_size)
    fault_point("erase.rebuilt")
    mark_erasures_built(warehouse, actor, salt)


def mark_erasures_built(
    warehouse: Path, actor: str | None = None, salt: bytes | None = None
) -> list[str]:
    """After a complete dbt build: every deleted request is complete. Returns their ids.

    The audit log is keyed by `salt`, else by the salt this process checked."""
    if not warehouse.exists():
        return []
    con = connect(warehouse, read_only=False)
    try:
        done = [(r, p) for r, p, _t, deleted_at, _d in _pending(con) if deleted_at is not None]
        logged = _logged(warehouse) if done else set()
        for request, person_key in done:
            # Logged already when a kill came after the entry, before the request was marked.
            if ("privacy.erase_completed", request) not in logged:
                audit_log_for(warehouse, salt).append(
                    "privacy.erase_completed",
                    {"request": request, "person": person_key},
                    actor=actor,
                )
            con.execute(
                f"update {REQUESTS_TABLE} set completed_at = {_NOW}, person_key = null "
                "where request_id = ?",
                [request],
            )
        return [r for r, _p in done]
    finally:
        con.close()


def erase_person(
    warehouse: Path,
    email: str,
    salt: bytes,
    actor: str | None = None,
    rebuild: bool = True,
    min_group_size: int | None = None,
) -> dict[str, Any]:
    """Erase a person: recorded first, then carried out, finished whatever interrupts it.

    1. Recorded: in one transaction their pseudonyms' tokens join the erasure
       list (`outcomes.privacy.erasures`, which every loader checks: a later
       load of the same exports does not bring them back) and an erasure
       request is written; then the audit entry `privacy.erase_requested`.
    2. Carried out (`finish_erasures`): their raw, identity, quarantine and
       candidate rows are deleted (a direct report's link to them is cut),
       dlt's copies of loaded rows are deleted, the models rebuilt.
    An erase or a run killed at any point is finished by the next
    `outcomes privacy erase` (any email) or `outcomes run`: an interrupted
    erase of the same person then completes instead of saying nothing is held.
    Returns {"person": pseudonym, "deleted": {schema.table: n}, "unlinked": {...}}.
    """
    if not warehouse.exists():
        raise OutcomesError(f"no warehouse at {warehouse}")
    check_salt(warehouse, salt)  # tokens under another salt would never match a load
    person_key = pseudonymize(email, salt, "email", "roster")
    person_token = erasure_token(person_key, salt)
    # Whatever an earlier erase left unfinished, this person's or anyone's.
    finished = finish_erasures(warehouse, salt, actor, rebuild=False)
    con = connect(warehouse, read_only=False)
    try:
        try:
            person = find_person(con, email, salt)
        except OutcomesError:
            if person_token not in _erased_tokens(con):
                raise
            person = None
    finally:
        con.close()
    if person is None:  # on the erasure list: an interrupted erase of them, finished above
        request = next((r for r, h in finished.items() if h["person"] == person_key), None)
        if finished and rebuild:
            _rebuild(warehouse, salt, actor, min_group_size)
        if request is None:
            raise OutcomesError(
                "that person is already erased (on the erasure list): nothing is held about "
                "them and a reload does not bring them back"
            )
        return finished[request]
    request = _request(warehouse, person.person_key, person.keys, salt)
    fault_point("erase.recorded")
    handled = finish_erasures(warehouse, salt, actor, rebuild, min_group_size)
    return handled[request]


def _erased_tokens(con) -> set[str]:
    (exists,) = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = ? and table_name = 'erasures'",
        [ERASURES_SCHEMA],
    ).fetchone()
    if not exists:
        return set()
    return {t for (t,) in con.execute(f"select erasure_token from {ERASURES_TABLE}").fetchall()}
