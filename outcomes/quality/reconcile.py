"""Reconcile `marts.fct_work_events` with the raw tables it is built from.

Each rule below restates, over the raw tables, which raw rows produce one
event type in `models/intermediate/events/int_<tool>__events_mapped.sql`
(after the staging renames, and `fct_work_events`' `occurred_at is not null`).
Quarantined records never reach the raw tables, so raw counts are already
"minus quarantine". A mismatch means a mapper dropped or duplicated rows, or a
mart is stale against the raw data.

Coverage: GitHub and PagerDuty event types. Jira, Zendesk, HubSpot and
Calendar mappers derive events from status histories and are not restated
here yet (their types are listed as unreconciled, never silently passed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

EVENTS_TABLE = "marts.fct_work_events"

# (source_system, event_type) -> SQL over raw tables returning one count.
RULES: dict[tuple[str, str], str] = {
    ("github", "pr.opened"): (
        "select count(*) from raw_github.pull_requests where created_at is not null"
    ),
    ("github", "pr.merged"): (
        "select count(*) from raw_github.pull_requests where merged_at is not null"
    ),
    ("github", "pr.closed"): (
        "select count(*) from raw_github.pull_requests "
        "where merged_at is null and lower(state) = 'closed' and closed_at is not null"
    ),
    ("github", "pr.reviewed"): (
        "select count(*) from raw_github.reviews as r "
        "inner join raw_github.pull_requests as p on r.pull_request_id = p.pull_request_id "
        "where lower(r.review_state) <> 'pending' and r.submitted_at is not null "
        "and r.reviewer_user_key is distinct from p.author_user_key"
    ),
    ("github", "ci.succeeded"): (
        "select count(*) from raw_github.workflow_runs "
        "where lower(run_status) = 'completed' and updated_at is not null "
        "and lower(conclusion) = 'success'"
    ),
    ("github", "ci.failed"): (
        "select count(*) from raw_github.workflow_runs "
        "where lower(run_status) = 'completed' and updated_at is not null "
        "and lower(conclusion) in ('failure', 'timed_out', 'startup_failure')"
    ),
    ("github", "deploy.succeeded"): (
        "select count(*) from raw_github.deployment_statuses as s "
        "inner join raw_github.deployments as d on s.deployment_id = d.deployment_id "
        "inner join seeds.environments as e on lower(trim(d.environment)) = e.environment_name "
        "where e.is_production and s.status_state = 'success' and s.created_at is not null"
    ),
    ("github", "deploy.failed"): (
        "select count(*) from raw_github.deployment_statuses as s "
        "inner join raw_github.deployments as d on s.deployment_id = d.deployment_id "
        "inner join seeds.environments as e on lower(trim(d.environment)) = e.environment_name "
        "where e.is_production and s.status_state in ('failure', 'error') "
        "and s.created_at is not null"
    ),
    ("pagerduty", "incident.opened"): (
        "select count(*) from raw_pagerduty.incidents where created_at is not null"
    ),
    ("pagerduty", "incident.acknowledged"): (
        "select count(*) from raw_pagerduty.incidents where first_acknowledged_at is not null"
    ),
    ("pagerduty", "incident.resolved"): (
        "select count(*) from raw_pagerduty.incidents "
        "where resolved_at is not null and lower(incident_status) = 'resolved'"
    ),
}


@dataclass(frozen=True)
class Reconciliation:
    expected: dict[tuple[str, str], int]  # from the raw tables
    actual: dict[tuple[str, str], int]  # in fct_work_events
    unreconciled: list[tuple[str, str]]  # event types no rule covers

    @property
    def mismatches(self) -> dict[tuple[str, str], tuple[int, int]]:
        return {
            key: (count, self.actual.get(key, 0))
            for key, count in self.expected.items()
            if self.actual.get(key, 0) != count
        }

    @property
    def passed(self) -> bool:
        return not self.mismatches

    def describe(self) -> str:
        if self.passed:
            return f"{len(self.expected)} event types match the raw tables"
        return "; ".join(
            f"{s} {t}: raw rows give {raw}, fct_work_events has {mart}"
            for (s, t), (raw, mart) in sorted(self.mismatches.items())
        )


def reconcile_con(con: duckdb.DuckDBPyConnection) -> Reconciliation:
    actual = {
        (source, event_type): count
        for source, event_type, count in con.execute(
            f"select source_system, event_type, count(*) from {EVENTS_TABLE} group by 1, 2"
        ).fetchall()
    }
    expected = {key: con.execute(sql).fetchone()[0] for key, sql in RULES.items()}
    unreconciled = sorted(key for key in actual if key not in RULES)
    return Reconciliation(expected, actual, unreconciled)


def reconcile(warehouse: Path) -> Reconciliation:
    """Counts per (source, event type): raw rules vs the canonical event mart."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return reconcile_con(con)
    finally:
        con.close()
