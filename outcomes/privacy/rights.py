"""The person's rights: access/portability (export) and erasure (GDPR Art. 15, 17, 20).

Both find the person through the roster email (`outcomes.privacy.people`)
and write one audit entry naming them only by pseudonym.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from outcomes.errors import OutcomesError
from outcomes.privacy.erasures import (
    REFERENCE_COLUMNS,
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
from outcomes.privacy.salt import check_salt
from outcomes.warehouse import connect

__all__ = ["REFERENCE_COLUMNS", "erase_person", "export_person"]


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
    audit_log_for(warehouse).append(
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
    )


def erase_person(
    warehouse: Path,
    email: str,
    salt: bytes,
    actor: str | None = None,
    rebuild: bool = True,
    min_group_size: int | None = None,
) -> dict[str, Any]:
    """Delete the person's raw, identity and quarantine rows, then rebuild dbt.

    In the same transaction their pseudonyms join the erasure list
    (`outcomes.privacy.erasures`), which every loader checks: a later load of
    the same exports does not bring them back. The copies of loaded rows dlt
    kept beside the warehouse are deleted too.
    Returns {"person": pseudonym, "deleted": {schema.table: n}, "unlinked": {...}}.
    """
    if not warehouse.exists():
        raise OutcomesError(f"no warehouse at {warehouse}")
    check_salt(warehouse, salt)  # tokens under another salt would never match a load
    con = connect(warehouse, read_only=False)
    deleted: dict[str, int] = {}
    unlinked: dict[str, int] = {}
    in_transaction = False
    try:
        person = find_person(con, email, salt)
        keys = {"keys": list(person.keys)}
        con.execute("begin transaction")
        in_transaction = True
        for (schema, table), columns in people_columns(con).items():
            if not _erasable(schema, table):
                continue
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
        listed = record_erasures(con, person.keys, salt)
        con.execute("commit")
    except Exception:
        if in_transaction:
            con.execute("rollback")
        raise
    finally:
        con.close()
    purged = purge_loaded_packages(warehouse)
    audit_log_for(warehouse).append(
        "privacy.erase",
        {
            "person": person.person_key,
            "deleted": deleted,
            "unlinked": unlinked,
            "erasure_list_added": listed,
            "load_package_files_deleted": purged,
        },
        actor=actor,
    )
    if rebuild:
        from outcomes.build import build

        build(warehouse, min_group_size)
    return {"person": person.person_key, "deleted": deleted, "unlinked": unlinked}
