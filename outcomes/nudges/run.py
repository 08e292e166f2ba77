"""`outcomes nudges preview` and `send` (docs/nudges.md).

Both read the rules' candidates (`nudges.nudge_candidates`, built by dbt),
the delivery log and the opt-ins, and let `policy.plan` decide at `now`.
Preview writes nothing. Send logs each decision, posts each message (one
nudge, or a digest) to its channel, signed and retried, and logs the
outcome; a message is logged `sending` before it goes out, so a run killed
mid-send never sends it again.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from outcomes.clock import AS_OF_ENV, run_clock
from outcomes.errors import OutcomesError
from outcomes.nudges import delivery, store
from outcomes.nudges.delivery import Endpoint
from outcomes.nudges.policy import Candidate, Channel, Decision, Schedule, plan
from outcomes.nudges.settings import NudgeConfig, endpoint

CANDIDATES = "nudges.nudge_candidates"


def clock(value: str | None = None) -> dt.datetime:
    """The delivery clock (naive UTC): `value`, else OUTCOMES_AS_OF_UTC, else now."""
    if not (value or os.environ.get(AS_OF_ENV)):
        return delivery.utc_now()
    return run_clock(value)


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    (n,) = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(n)


def _holidays(con: duckdb.DuckDBPyConnection) -> tuple[dict, dict]:
    by_zone: dict[str, set[dt.date]] = defaultdict(set)
    by_team: dict[str, set[dt.date]] = defaultdict(set)
    if _has_table(con, "seeds", "holidays"):
        for zone, team, day in con.execute(
            "select time_zone, team_id, holiday_date from seeds.holidays"
        ).fetchall():
            (by_team[team] if team else by_zone[zone]).add(day)
    return by_zone, by_team


def load_candidates(con: duckdb.DuckDBPyConnection) -> list[Candidate]:
    if not _has_table(con, "nudges", "nudge_candidates"):
        raise OutcomesError(
            "the warehouse has no nudges.nudge_candidates: build the models first (outcomes build)"
        )
    by_zone, by_team = _holidays(con)
    rows = con.execute(
        f"""
        select nudge_candidate_id, rule_id, recipient_type, recipient_team_id,
            recipient_person_id, subject_type, subject_id, source_system, subject_ref,
            reason_code, reason, severity, wait_hours, threshold, threshold_unit,
            first_seen_at, repeat_after_hours, recipient_time_zone, recipient_work_days,
            recipient_work_start_time, recipient_work_end_time
        from {CANDIDATES}
        order by nudge_candidate_id
        """
    ).fetchall()
    candidates = []
    for r in rows:
        zone = r[17] or "UTC"
        days = set(by_zone.get(zone, ()))
        if r[2] == "team":
            days |= by_team.get(r[3], set())
        candidates.append(
            Candidate(
                *r[:17],
                schedule=Schedule.parse(zone, r[18], r[19], r[20], days),
            )
        )
    return candidates


@dataclass
class Outcome:
    decisions: list[Decision]
    sent_messages: int = 0
    failed_messages: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def decide(con: duckdb.DuckDBPyConnection, config: NudgeConfig, now: dt.datetime) -> list[Decision]:
    candidates = load_candidates(con)
    window = max([c.repeat_after_hours for c in candidates] + [48])
    since = now - dt.timedelta(hours=window + 48)
    has_log = _has_table(con, "nudges", "delivery_log")
    history = store.history(con, since) if has_log else []
    optins = store.opted_in(con) if _has_table(con, "privacy", "nudge_opt_ins") else frozenset()
    return plan(candidates, now, history, config.settings, optins)


def _recipient(con: duckdb.DuckDBPyConnection, candidate: Candidate) -> dict:
    if candidate.recipient_type == "team":
        return {"type": "team", "team_id": candidate.recipient_team_id}
    # A direct message must reach its person: their own roster email, looked up
    # at send time and never logged.
    row = None
    if _has_table(con, "identity", "people_identity"):
        row = con.execute(
            "select email from identity.people_identity where person_key = ?",
            [candidate.recipient_person_id],
        ).fetchone()
    return {
        "type": "person",
        "person_id": candidate.recipient_person_id,
        "email": row[0] if row else None,
    }


def send(
    con: duckdb.DuckDBPyConnection,
    config: NudgeConfig,
    now: dt.datetime,
    endpoints: Callable[[Channel], Endpoint] = endpoint,
    sleep: Callable[[float], None] | None = None,
) -> Outcome:
    store.ensure_tables(con)
    decisions = decide(con, config, now)
    outcome = Outcome(decisions)
    messages: dict[str, list[Decision]] = defaultdict(list)
    for d in decisions:
        if d.status == "send":
            messages[d.message_id].append(d)
        elif d.logged and d.status in {"held", "capped", "deduplicated"}:
            store.record(con, d, d.status, now)
    resolved: dict[str, Endpoint] = {}
    for message_id, members in messages.items():
        channel = members[0].channel
        if channel.name not in resolved:
            resolved[channel.name] = endpoints(channel)
        for d in members:
            store.record(con, d, "sending", now, why="request in flight")
        body = delivery.body(
            channel.kind,
            message_id,
            [d.candidate for d in members],
            config.links,
            members[0].is_digest,
            _recipient(con, members[0].candidate),
        )
        kwargs = {"sleep": sleep} if sleep is not None else {}
        attempts = delivery.post(
            resolved[channel.name],
            body,
            message_id,
            max_attempts=config.max_attempts,
            backoff_seconds=config.backoff_seconds,
            **kwargs,
        )
        status = "sent" if attempts.ok else "failed"
        outcome.sent_messages += attempts.ok
        outcome.failed_messages += not attempts.ok
        for d in members:
            d.status = status
            why = (
                d.why
                if attempts.ok
                else f"{attempts.error} after {len(attempts.statuses)} attempts"
            )
            store.record(
                con,
                d,
                status,
                now,
                attempts=len(attempts.statuses),
                statuses=attempts.statuses,
                why=why,
            )
    for d in decisions:
        outcome.counts[d.status] = outcome.counts.get(d.status, 0) + 1
    return outcome


def render(decisions: list[Decision], now: dt.datetime, links: dict[str, str]) -> str:
    """What preview prints: each decision and why, recipients by team or as 'owner'."""
    lines = [f"nudges at {now:%Y-%m-%d %H:%M} UTC:"]
    order = ["send", "held", "capped", "deduplicated", "no_channel", "not_opted_in"]
    for status in order:
        chosen = [d for d in decisions if d.status == status]
        if not chosen:
            continue
        label = "would send" if status == "send" else status.replace("_", " ")
        lines.append(f"{label}: {len(chosen)}")
        if status == "not_opted_in":
            continue  # nothing about people who did not ask for direct nudges
        for d in chosen:
            c = d.candidate
            who = (
                f"team {c.recipient_team_id}"
                if c.recipient_type == "team"
                else (f"owner (team {c.recipient_team_id})")
            )
            extra = f" until {d.hold_until:%Y-%m-%d %H:%M} UTC" if d.hold_until else ""
            lines.append(f"  {who} [{c.rule_id}] {delivery.line(c, links)} — {d.why}{extra}")
    if len(lines) == 1:
        lines.append("nothing to nudge")
    return "\n".join(lines)


def warehouse_for_nudges(warehouse: Path) -> Path:
    if not warehouse.exists():
        raise OutcomesError(f"no warehouse at {warehouse}: run `outcomes demo` or `outcomes run`")
    return warehouse
