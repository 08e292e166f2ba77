"""The nudges' state in the warehouse (docs/nudges.md#the-delivery-log).

- `nudges.delivery_log`: one row per decision that was acted on (sent, held,
  capped, deduplicated, failed, and `sending` while a request is out), with
  its reason. Ids are deterministic (a held nudge has one row per hold, a
  capped one a row per local day), so a rerun adds no row it already has.
  People appear only as email pseudonyms (`recipient_person_id`).
- `privacy.nudge_opt_ins`: the people who asked for direct nudges, by email
  pseudonym (`person_key`); export, erase and rotate-salt cover both tables
  (outcomes/privacy/).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from outcomes.nudges.policy import Decision, LogEntry

LOG_TABLE = "nudges.delivery_log"
OPT_IN_TABLE = "privacy.nudge_opt_ins"

_CREATE_LOG = f"""
create table if not exists {LOG_TABLE} (
    delivery_id varchar primary key,
    message_id varchar,
    nudge_candidate_id varchar not null,
    rule_id varchar not null,
    recipient_type varchar not null,
    recipient_team_id varchar,
    recipient_person_id varchar,
    subject_id varchar not null,
    reason_code varchar not null,
    status varchar not null,
    status_reason varchar,
    channel_name varchar,
    is_digest boolean not null default false,
    decided_at timestamp not null,
    recipient_local_date date,
    hold_until timestamp,
    attempts integer,
    http_statuses varchar
)"""

_CREATE_OPT_INS = f"""
create table if not exists {OPT_IN_TABLE} (
    person_key varchar primary key,
    opted_in_at timestamp not null
)"""


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists nudges")
    con.execute("create schema if not exists privacy")
    con.execute(_CREATE_LOG)
    con.execute(_CREATE_OPT_INS)


def opted_in(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    return frozenset(k for (k,) in con.execute(f"select person_key from {OPT_IN_TABLE}").fetchall())


def set_opt_in(con: duckdb.DuckDBPyConnection, person_key: str, on: bool, at: dt.datetime) -> bool:
    """Record (or withdraw) a person's opt-in; True when it changed anything."""
    ensure_tables(con)
    before = person_key in opted_in(con)
    if on and not before:
        con.execute(f"insert into {OPT_IN_TABLE} values (?, ?)", [person_key, at])
    if not on and before:
        con.execute(f"delete from {OPT_IN_TABLE} where person_key = ?", [person_key])
    return before != on


def history(con: duckdb.DuckDBPyConnection, since: dt.datetime) -> list[LogEntry]:
    rows = con.execute(
        f"""
        select delivery_id, nudge_candidate_id, recipient_type, recipient_team_id,
            recipient_person_id, status, decided_at, message_id, is_digest,
            recipient_local_date
        from {LOG_TABLE} where decided_at >= ?
        """,
        [since],
    ).fetchall()
    return [
        LogEntry(
            delivery_id=r[0],
            nudge_candidate_id=r[1],
            recipient_key=f"person:{r[4]}" if r[2] == "person" else f"team:{r[3]}",
            status=r[5],
            decided_at=r[6],
            message_id=r[7],
            is_digest=bool(r[8]),
            local_date=r[9],
        )
        for r in rows
    ]


def record(
    con: duckdb.DuckDBPyConnection,
    decision: Decision,
    status: str,
    now: dt.datetime,
    attempts: int | None = None,
    statuses: list[int | None] | None = None,
    why: str | None = None,
) -> None:
    """Insert the decision's row, or update it (a `sending` row becoming sent/failed)."""
    c = decision.candidate
    con.execute(
        f"""
        insert into {LOG_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        on conflict (delivery_id) do update set
            status = excluded.status, status_reason = excluded.status_reason,
            attempts = excluded.attempts, http_statuses = excluded.http_statuses
        """,
        [
            decision.delivery_id,
            decision.message_id,
            c.nudge_candidate_id,
            c.rule_id,
            c.recipient_type,
            c.recipient_team_id,
            c.recipient_person_id,
            c.subject_id,
            c.reason_code,
            status,
            why if why is not None else decision.why,
            decision.channel.name if decision.channel else None,
            decision.is_digest,
            now,
            c.schedule.local_date(now),
            decision.hold_until,
            attempts,
            ",".join("-" if s is None else str(s) for s in statuses) if statuses else None,
        ],
    )
