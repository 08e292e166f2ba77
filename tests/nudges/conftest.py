"""A small warehouse holding hand-built nudge candidates, and a receiver."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from outcomes.nudges.delivery import Endpoint
from outcomes.nudges.policy import Channel, Settings
from outcomes.nudges.settings import NudgeConfig
from tests.nudges.receiver import Receiver

SECRET = "test-signing-secret-0123456789"
BERLIN = ("Europe/Berlin", "Mon|Tue|Wed|Thu|Fri", "09:00", "17:00")
SF = ("America/Los_Angeles", "Mon|Tue|Wed|Thu|Fri", "09:00", "17:00")
OWNER = "a" * 32  # an email pseudonym: opted in
OTHER = "b" * 32  # not opted in

COLUMNS = (
    "nudge_candidate_id, rule_id, recipient_type, recipient_team_id, recipient_person_id, "
    "subject_type, subject_id, source_system, subject_ref, reason_code, reason, severity, "
    "wait_hours, threshold, threshold_unit, first_seen_at, repeat_after_hours, "
    "recipient_time_zone, recipient_work_days, recipient_work_start_time, "
    "recipient_work_end_time"
)


def candidate(
    cid,
    rule,
    team,
    subject,
    severity,
    first_seen,
    repeat,
    schedule,
    person=None,
    subject_type="pull_request",
    source="github",
    ref=None,
    reason_code=None,
):
    return (
        cid,
        rule,
        "person" if person else "team",
        team,
        person,
        subject_type,
        subject,
        source,
        ref or subject,
        reason_code or rule,
        f"reason of {rule}",
        severity,
        30.0,
        24.0,
        "hours",
        first_seen,
        repeat,
        *schedule,
    )


SCENARIO = [
    candidate(
        "B1",
        "pr_review_wait",
        "berlin",
        "wi-pr-1",
        "warning",
        dt.datetime(2026, 3, 2, 9),
        24,
        BERLIN,
        ref="acme/api#1",
    ),
    candidate(
        "B2",
        "ticket_sla_risk",
        "berlin",
        "wi-t-1",
        "warning",
        dt.datetime(2026, 3, 3, 9),
        4,
        BERLIN,
        subject_type="case",
        source="zendesk",
        ref="4711",
    ),
    candidate(
        "B3",
        "wip_aging",
        "berlin",
        "wi-w-1",
        "info",
        dt.datetime(2026, 3, 1, 9),
        72,
        BERLIN,
        subject_type="task",
        source="jira",
        ref="PAY-7",
    ),
    candidate(
        "S1",
        "pr_review_wait",
        "sf",
        "wi-pr-9",
        "warning",
        dt.datetime(2026, 3, 2, 9),
        24,
        SF,
        ref="acme/web#9",
    ),
    candidate(
        "S2",
        "lead_untouched",
        "sf",
        "wi-l-1",
        "warning",
        dt.datetime(2026, 3, 3, 9),
        24,
        SF,
        subject_type="lead",
        source="hubspot",
        ref="901",
    ),
    candidate(
        "P1",
        "wip_aging",
        "berlin",
        "wi-w-1",
        "info",
        dt.datetime(2026, 3, 1, 9),
        72,
        BERLIN,
        person=OWNER,
        subject_type="task",
        source="jira",
        ref="PAY-7",
    ),
    candidate(
        "P2",
        "pr_review_wait",
        "sf",
        "wi-pr-9",
        "warning",
        dt.datetime(2026, 3, 2, 9),
        24,
        SF,
        person=OTHER,
        ref="acme/web#9",
    ),
]


def make_warehouse(path, rows, opted_in=(OWNER,)) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("set TimeZone = 'UTC'")
    con.execute("create schema nudges")
    con.execute(
        """create table nudges.nudge_candidates (
            nudge_candidate_id varchar, rule_id varchar, recipient_type varchar,
            recipient_team_id varchar, recipient_person_id varchar, subject_type varchar,
            subject_id varchar, source_system varchar, subject_ref varchar,
            reason_code varchar, reason varchar, severity varchar, wait_hours double,
            threshold double, threshold_unit varchar, first_seen_at timestamp,
            repeat_after_hours integer, recipient_time_zone varchar,
            recipient_work_days varchar, recipient_work_start_time varchar,
            recipient_work_end_time varchar)"""
    )
    con.executemany(
        f"insert into nudges.nudge_candidates ({COLUMNS}) values ({', '.join(['?'] * 21)})",
        rows,
    )
    con.execute("create schema identity")
    con.execute(
        "create table identity.people_identity (person_key varchar, email varchar, "
        "display_name varchar)"
    )
    con.execute(
        "insert into identity.people_identity values (?, 'owner@example.com', 'Owner'), "
        "(?, 'other@example.com', 'Other')",
        [OWNER, OTHER],
    )
    from outcomes.nudges.store import ensure_tables, set_opt_in

    ensure_tables(con)
    for key in opted_in:
        set_opt_in(con, key, True, dt.datetime(2026, 3, 1))
    return con


def config(**overrides) -> NudgeConfig:
    channels = {
        "berlin": Channel("berlin_chat", "slack", "stream", 2),
        "sf": Channel("sf_chat", "teams", "stream", 5),
    }
    channels.update(overrides.pop("channels", {}))
    return NudgeConfig(
        settings=Settings(channels=channels, direct=Channel("direct", "webhook", "stream", 3)),
        links={"github": "https://github.com/{repo}/pull/{number}"},
        max_attempts=overrides.pop("max_attempts", 3),
        backoff_seconds=overrides.pop("backoff_seconds", 0.5),
    )


@pytest.fixture
def receiver():
    r = Receiver(SECRET).start()
    yield r
    r.stop()


def endpoints_for(receiver: Receiver, secret: str = SECRET):
    return lambda channel: Endpoint(f"{receiver.url}/{channel.name}", secret)
