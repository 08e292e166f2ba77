"""Keep less (docs/privacy.md#retention): delete raw rows older than each source's window.

Each source's policy sets `retention_days`; each raw table with a
`time_field` loses the rows whose time field is older than `now` minus that
window. A row whose time field is empty (an all-day meeting has a start
date, not a start time) is judged by its `created_at`, else by when it was
loaded, so every row expires some day. A table without a time field whose primary key holds a timed
table's key (calendar attendees -> events, Jira issue links -> issues) loses
the rows of the expired parents; other tables without one (users, owners,
repositories) are reference data and are kept. A versioned table (the
roster's history, `raw_roster.user_versions`) loses the versions that a later
version superseded before the cutoff: they describe only a time whose events
have expired, and the version that followed them still says where the person
was from then on. Event-level marts are
rebuilt from raw by dbt, so the next build drops the expired events there too
(`rebuild=True` does it at once). Aggregated, suppressed KPI tables are
rebuilt from what remains.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from outcomes.privacy.people import audit_log_for, policies, quoted
from outcomes.warehouse import connect
from pipelines.common.policy import LOADED_AT_COLUMN


def _naive_utc(now: dt.datetime) -> dt.datetime:
    """Raw timestamps are stored as naive UTC."""
    if now.tzinfo is not None:
        now = now.astimezone(dt.UTC).replace(tzinfo=None)
    return now


def retention_cutoffs(now: dt.datetime) -> dict[tuple[str, str], tuple[str, dt.datetime]]:
    """(schema, table) -> (time field, cutoff): rows before the cutoff expire."""
    found: dict[tuple[str, str], tuple[str, dt.datetime]] = {}
    for policy in policies().values():
        cutoff = _naive_utc(now) - dt.timedelta(days=policy.retention_days)
        for table in policy.tables:
            if table.time_field:
                found[(policy.dataset_for(table), table.name)] = (table.time_field, cutoff)
    return found


# (schema, table) -> (source, the record key, the version time, the effective
# date a version may carry): versions superseded before the cutoff expire.
VERSIONED_TABLES = {
    ("raw_roster", "user_versions"): (
        "roster",
        "scim_user_key",
        "last_modified_at",
        "team_effective_date",
    )
}


def expiry_sql(time_field: str, columns: set[str]) -> str:
    """The SQL expression of a row's age: its time field, else created_at, else load time."""
    fallbacks = [c for c in ("created_at", LOADED_AT_COLUMN) if c in columns and c != time_field]
    names = ", ".join(f'"{c}"' for c in (time_field, *fallbacks))
    return f"coalesce({names})" if fallbacks else f'"{time_field}"'


def retention_children(
    now: dt.datetime,
) -> dict[tuple[str, str], tuple[str, tuple[str, str], str, dt.datetime]]:
    """(schema, table) -> (key column, parent (schema, table), parent time field, cutoff)."""
    found = {}
    for policy in policies().values():
        cutoff = _naive_utc(now) - dt.timedelta(days=policy.retention_days)
        parents = {
            t.primary_key[0]: t for t in policy.tables if t.time_field and len(t.primary_key) == 1
        }
        for table in policy.tables:
            if table.time_field:
                continue
            for key in table.primary_key:
                parent = parents.get(key)
                if parent is not None:
                    parent_name = (policy.dataset_for(parent), parent.name)
                    found[(policy.dataset_for(table), table.name)] = (
                        key,
                        parent_name,
                        parent.time_field,
                        cutoff,
                    )
    return found


def apply_retention(
    warehouse: Path,
    now: dt.datetime,
    actor: str | None = None,
    rebuild: bool = False,
    min_group_size: int | None = None,
    salt: bytes | None = None,
) -> dict[str, int]:
    """Delete expired raw rows; return {schema.table: rows deleted} (zeros left out).

    One audit entry records the cutoffs and counts, even when nothing expired,
    keyed by `salt` (else the salt this process checked, else the configured one).
    """
    con = connect(warehouse, read_only=False)
    deleted: dict[str, int] = {}
    try:
        columns: dict[tuple[str, str], set[str]] = {}
        for s, t, c in con.execute(
            "select c.table_schema, c.table_name, c.column_name "
            "from information_schema.columns as c inner join information_schema.tables as t "
            "on c.table_schema = t.table_schema and c.table_name = t.table_name "
            "where t.table_type = 'BASE TABLE'"
        ).fetchall():
            columns.setdefault((s, t), set()).add(c)
        present = set(columns)
        con.execute("begin transaction")
        # Children first: their expiry is read from the parents about to go.
        for (schema, table), (key, parent, time_field, cutoff) in sorted(
            retention_children(now).items()
        ):
            if (schema, table) not in present or parent not in present:
                continue
            (count,) = con.execute(
                f'delete from {quoted(schema, table)} where "{key}" in '
                f'(select "{key}" from {quoted(*parent)} '
                f"where {expiry_sql(time_field, columns[parent])} < ?)",
                [cutoff],
            ).fetchone()
            if count:
                deleted[f"{schema}.{table}"] = count
        for (schema, table), (time_field, cutoff) in sorted(retention_cutoffs(now).items()):
            if (schema, table) not in present:
                continue
            (count,) = con.execute(
                f"delete from {quoted(schema, table)} "
                f"where {expiry_sql(time_field, columns[(schema, table)])} < ?",
                [cutoff],
            ).fetchone()
            if count:
                deleted[f"{schema}.{table}"] = count
        known = policies()
        for (schema, table), (source, key, version, effective) in sorted(VERSIONED_TABLES.items()):
            if (schema, table) not in present:
                continue
            cutoff = _naive_utc(now) - dt.timedelta(days=known[source].retention_days)
            # superseded when the later version was made and had taken effect
            superseded = (
                f'greatest(later."{version}", '
                f'coalesce(cast(later."{effective}" as timestamp), later."{version}"))'
            )
            (count,) = con.execute(
                f"delete from {quoted(schema, table)} as kept where exists ("
                f"select 1 from {quoted(schema, table)} as later "
                f'where later."{key}" = kept."{key}" '
                f'and later."{version}" > kept."{version}" and {superseded} < ?)',
                [cutoff],
            ).fetchone()
            if count:
                deleted[f"{schema}.{table}"] = count
        con.execute("commit")
    finally:
        con.close()
    audit_log_for(warehouse, salt).append(
        "privacy.retention",
        {"now": _naive_utc(now).isoformat(timespec="seconds"), "deleted": deleted},
        actor=actor,
    )
    if rebuild:
        from outcomes.build import build

        build(warehouse, min_group_size)
    return deleted
