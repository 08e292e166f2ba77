"""Reconciliation on a hand-built warehouse: counts computed by hand."""

from __future__ import annotations

import duckdb

from outcomes.quality.reconcile import RULES, reconcile

RAW = """
create schema raw_github; create schema raw_pagerduty; create schema seeds; create schema marts;
create table seeds.environments as
    select * from (values ('production', true), ('staging', false)) t(environment_name, is_production);
create table raw_github.pull_requests as select * from (values
    (1, 'alice', 'closed', timestamp '2026-10-01', timestamp '2026-10-02', timestamp '2026-10-02'),
    (2, 'bob',   'closed', timestamp '2026-10-01', timestamp '2026-10-03', null),
    (3, 'bob',   'open',   timestamp '2026-10-01', null, null)
) t(pull_request_id, author_user_key, state, created_at, closed_at, merged_at);
create table raw_github.reviews as select * from (values
    (10, 1, 'bob', 'APPROVED', timestamp '2026-10-01'),
    (11, 1, 'alice', 'COMMENTED', timestamp '2026-10-01'),  -- author: not a review
    (12, 2, 'carol', 'PENDING', timestamp '2026-10-01')     -- pending: not submitted
) t(review_id, pull_request_id, reviewer_user_key, review_state, submitted_at);
create table raw_github.workflow_runs as select * from (values
    (20, 'completed', 'success', timestamp '2026-10-01'),
    (21, 'completed', 'failure', timestamp '2026-10-01'),
    (22, 'completed', 'cancelled', timestamp '2026-10-01'),
    (23, 'in_progress', null, timestamp '2026-10-01')
) t(workflow_run_id, run_status, conclusion, updated_at);
create table raw_github.deployments as select * from (values
    (30, 'Production'), (31, 'staging')
) t(deployment_id, environment);
create table raw_github.deployment_statuses as select * from (values
    (40, 30, 'success', timestamp '2026-10-01'),
    (41, 30, 'error', timestamp '2026-10-01'),
    (42, 31, 'success', timestamp '2026-10-01'),
    (43, 30, 'in_progress', timestamp '2026-10-01')
) t(deployment_status_id, deployment_id, status_state, created_at);
create table raw_pagerduty.incidents as select * from (values
    ('P1', 'resolved', timestamp '2026-10-01', timestamp '2026-10-01', timestamp '2026-10-02'),
    ('P2', 'triggered', timestamp '2026-10-01', null, null)
) t(incident_id, incident_status, created_at, first_acknowledged_at, resolved_at);
"""

# What the mappers would produce for the raw rows above, by hand.
EVENTS = {
    ("github", "pr.opened"): 3,
    ("github", "pr.merged"): 1,
    ("github", "pr.closed"): 1,  # PR 2: closed, not merged
    ("github", "pr.reviewed"): 1,
    ("github", "ci.succeeded"): 1,
    ("github", "ci.failed"): 1,  # cancelled is not an event
    ("github", "deploy.succeeded"): 1,
    ("github", "deploy.failed"): 1,
    ("pagerduty", "incident.opened"): 2,
    ("pagerduty", "incident.acknowledged"): 1,
    ("pagerduty", "incident.resolved"): 1,
    ("jira", "task.created"): 4,  # no rule yet: listed, not judged
}


def _warehouse(tmp_path, events: dict) -> str:
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute(RAW)
    rows = [(s, t) for (s, t), n in events.items() for _ in range(n)]
    con.execute("create table marts.fct_work_events (source_system varchar, event_type varchar)")
    con.executemany("insert into marts.fct_work_events values (?, ?)", rows)
    con.close()
    return path


def test_matching_events_reconcile(tmp_path):
    result = reconcile(_warehouse(tmp_path, EVENTS))
    assert result.passed, result.describe()
    assert set(result.expected) == set(RULES)
    assert result.unreconciled == [("jira", "task.created")]


def test_a_dropped_event_is_named(tmp_path):
    events = {**EVENTS, ("github", "pr.merged"): 0, ("pagerduty", "incident.opened"): 3}
    result = reconcile(_warehouse(tmp_path, events))
    assert result.mismatches == {
        ("github", "pr.merged"): (1, 0),
        ("pagerduty", "incident.opened"): (2, 3),
    }
    assert "github pr.merged: raw rows give 1, fct_work_events has 0" in result.describe()
