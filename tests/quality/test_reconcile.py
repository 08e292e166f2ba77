"""Reconciliation on a hand-built warehouse: counts computed by hand."""

from __future__ import annotations

import duckdb

from outcomes.quality.reconcile import RULES, reconcile

RAW = """
create schema raw_github; create schema raw_pagerduty; create schema seeds; create schema marts;
create schema raw_jira; create schema raw_zendesk; create schema raw_hubspot; create schema raw_calendar;
create schema raw_servicenow;
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
create table seeds.status_mappings as select * from (values
    ('jira', 'task', 'To Do', 'todo'), ('jira', 'task', 'In Progress', 'in_progress'),
    ('jira', 'task', 'Done', 'done'), ('jira', 'task', 'Closed', 'done'),
    ('zendesk', 'case', 'new', 'todo'), ('zendesk', 'case', 'open', 'in_progress'),
    ('zendesk', 'case', 'pending', 'blocked'), ('zendesk', 'case', 'solved', 'done'),
    ('servicenow', 'case', 'New', 'todo'), ('servicenow', 'case', 'Active', 'in_progress'),
    ('servicenow', 'case', 'Awaiting User Info', 'blocked'),
    ('servicenow', 'case', 'Resolved', 'done'), ('servicenow', 'case', 'Closed', 'done')
) t(source_system, work_item_type, source_status, canonical_state);
create table raw_jira.issues as select * from (values
    (1, 'Done', timestamp '2026-10-01'),
    (2, 'In Progress', timestamp '2026-10-02'),
    (3, 'Done', null)  -- no creation time: no event, its done interval has no time either
) t(issue_id, status_name, created_at);
create table raw_jira.changelog_items as select * from (values
    -- issue 1: todo -> in_progress -> done (Done, Closed: one interval) -> in_progress -> done
    (1, 11, 0, 'status', 'To Do', 'In Progress', timestamp '2026-10-02'),
    (1, 11, 1, 'assignee', null, null, timestamp '2026-10-02'),  -- not a status change
    (1, 12, 0, 'status', 'In Progress', 'Done', timestamp '2026-10-03'),
    (1, 13, 0, 'status', 'Done', ' Closed', timestamp '2026-10-04'),
    (1, 14, 0, 'status', 'Closed', 'In Progress', timestamp '2026-10-05'),
    (1, 15, 0, 'status', 'In Progress', 'Done', timestamp '2026-10-06'),
    -- issue 2: todo -> in_progress
    (2, 21, 0, 'status', 'To Do', 'In Progress', timestamp '2026-10-03')
) t(issue_id, history_id, item_index, field_name, from_value, to_value, changed_at);
create table raw_zendesk.users as select * from (values
    ('agent-a', 'Agent'), ('admin-b', 'admin'), ('cust-c', 'end-user')
) t(user_key, user_role);
create table raw_zendesk.tickets as select * from (values
    (10, 'cust-c', timestamp '2026-10-01'), (11, 'cust-c', timestamp '2026-10-01'),
    (12, 'agent-a', timestamp '2026-10-01')
) t(ticket_id, requester_user_key, created_at);
create table raw_zendesk.ticket_audit_events as select * from (values
    -- ticket 10: created with a public agent comment (not a reply), then two replies
    (100, 1000, 10, 'Create', 'status', 'agent-a', null, true, 'new', timestamp '2026-10-01'),
    (101, 1000, 10, 'Comment', null, 'agent-a', 'agent-a', true, null, timestamp '2026-10-01'),
    (102, 1001, 10, 'Comment', null, 'agent-a', 'agent-a', true, null, timestamp '2026-10-02'),
    (103, 1002, 10, 'Comment', null, 'admin-b', 'admin-b', true, null, timestamp '2026-10-03'),
    (104, 1003, 10, 'Change', 'status', 'agent-a', null, true, ' Solved', timestamp '2026-10-03'),
    (105, 1004, 10, 'Change', 'status', 'cust-c', null, true, 'open', timestamp '2026-10-05'),
    -- ticket 11: a private note and the customer's own comment are not replies
    (110, 1010, 11, 'Comment', null, 'agent-a', 'agent-a', false, null, timestamp '2026-10-02'),
    (111, 1011, 11, 'Comment', null, 'cust-c', 'cust-c', true, null, timestamp '2026-10-02'),
    (112, 1012, 11, 'Change', 'status', 'agent-a', null, true, 'pending', timestamp '2026-10-02'),
    -- ticket 12: the agent is its requester: their comment is no reply
    (120, 1020, 12, 'Comment', null, 'agent-a', 'agent-a', true, null, timestamp '2026-10-02')
) t(audit_event_id, audit_id, ticket_id, event_type, field_name, author_user_key,
    comment_author_user_key, is_public, new_value, created_at);
create table raw_zendesk.satisfaction_ratings as select * from (values
    (1, 'good', timestamp '2026-10-04'), (2, 'Bad_with_comment', timestamp '2026-10-04'),
    (3, 'offered', timestamp '2026-10-04'), (4, '5', timestamp '2026-10-04')
) t(rating_id, score, created_at);
create table raw_servicenow.incidents as select * from (values
    ('INC1', timestamp '2026-10-01 09:00'), ('INC2', timestamp '2026-10-01 07:00')
) t(incident_number, opened_at);
create table raw_servicenow.incident_updates as select * from (values
    -- INC1: New -> Active -> Resolved (same minute, by count) -> Closed -> Active -> Closed
    ('INC1', 0, timestamp '2026-10-01 09:00', 'New'),
    ('INC1', 2, timestamp '2026-10-01 10:00', 'Resolved'),
    ('INC1', 1, timestamp '2026-10-01 10:00', 'Active'),
    ('INC1', 3, timestamp '2026-10-02 10:00', 'Closed'),
    ('INC1', 4, timestamp '2026-10-03 10:00', 'Active'),
    ('INC1', 5, timestamp '2026-10-04 10:00', 'Closed'),
    -- INC2: counts out of time order; by time New -> Awaiting User Info, then no change
    ('INC2', 1, timestamp '2026-10-01 08:00', 'Awaiting User Info'),
    ('INC2', 2, timestamp '2026-10-01 07:00', 'New'),
    ('INC2', 3, timestamp '2026-10-02 08:00', 'Awaiting User Info')
) t(incident_number, sys_mod_count, sys_updated_at, incident_state);
create table raw_hubspot.contacts as select * from (values
    (1, timestamp '2026-10-01'), (2, timestamp '2026-10-05'), (3, timestamp '2026-10-01')
) t(contact_id, created_at);
create table raw_hubspot.deals as select * from (values
    (7, timestamp '2026-10-01'), (8, timestamp '2026-10-01')
) t(deal_id, created_at);
create table raw_hubspot.deal_stage_history as select * from (values
    (7, 'appointmentscheduled', timestamp '2026-10-01'),
    (7, 'qualifiedtobuy', timestamp '2026-10-02'),
    (7, 'closedwon', timestamp '2026-10-03'),
    (8, 'appointmentscheduled', timestamp '2026-10-01'),
    (8, 'closedlost', timestamp '2026-10-04')
) t(deal_id, deal_stage, entered_at);
create table raw_hubspot.engagements as select * from (values
    (50, 'CALL', 1, null, timestamp '2026-10-02'),       -- contact 1: first touch
    (51, 'EMAIL', 1, null, timestamp '2026-10-03'),
    (52, 'MEETING', 2, 'COMPLETED', timestamp '2026-10-03'),  -- before contact 2 existed
    (53, 'MEETING', 3, 'NO_SHOW', timestamp '2026-10-03'),    -- no show: no touch
    (54, 'NOTE', 3, null, timestamp '2026-10-04'),            -- a note: no touch
    (55, 'MEETING', 3, null, timestamp '2026-10-05')          -- no outcome: held, a touch
) t(engagement_id, engagement_type, contact_id, meeting_outcome, occurred_at);
create table raw_calendar.events as select * from (values
    ('e1', 'confirmed', null, timestamp '2026-10-01 09:00', timestamp '2026-10-01 10:00'),
    ('e2', 'cancelled', null, timestamp '2026-10-01 09:00', timestamp '2026-10-01 10:00'),
    ('e3', 'confirmed', 'focusTime', timestamp '2026-10-01 09:00', timestamp '2026-10-01 10:00'),
    ('e4', 'tentative', 'default', timestamp '2026-10-01 09:00', timestamp '2026-10-01 19:00'),
    ('e5', 'confirmed', null, timestamp '2026-10-01 09:00', timestamp '2026-10-01 09:30'),
    ('e6', 'confirmed', null, null, null),                          -- all day
    ('e7', 'confirmed', null, timestamp '2999-01-01 09:00', timestamp '2999-01-01 10:00')
) t(event_id, event_status, event_type, start_at, end_at);
create table raw_calendar.event_attendees as select * from (values
    ('e1', 'a', 'accepted', false), ('e1', 'b', 'needsAction', null),
    ('e2', 'a', 'accepted', false), ('e2', 'b', 'accepted', false),
    ('e3', 'a', 'accepted', false), ('e3', 'b', 'accepted', false),
    ('e4', 'a', 'accepted', false), ('e4', 'b', 'accepted', false),
    ('e5', 'a', 'accepted', false), ('e5', 'b', 'declined', false), ('e5', 'r', 'accepted', true),
    ('e6', 'a', 'accepted', false), ('e6', 'b', 'accepted', false),
    ('e7', 'a', 'accepted', false), ('e7', 'b', 'accepted', false)
) t(event_id, attendee_key, response_status, is_resource);
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
    ("jira", "task.created"): 2,  # issue 3 has no creation time
    ("jira", "task.status_changed"): 6,  # 5 of issue 1, 1 of issue 2
    ("jira", "task.started"): 2,  # issues 1 and 2, once each
    ("jira", "task.done"): 2,  # issue 1 twice (Done then Closed is one entry)
    ("jira", "task.reopened"): 1,  # issue 1, Closed -> In Progress
    ("jira", "task.teleported"): 1,  # no rule: listed, not judged
    ("zendesk", "case.created"): 3,
    ("zendesk", "case.status_changed"): 3,  # 104, 105, 112; the create audit is no change
    ("zendesk", "case.reopened"): 1,  # ticket 10: solved -> open
    ("zendesk", "case.solved"): 1,  # 104 (' Solved' trimmed, lower-cased)
    ("zendesk", "case.first_reply"): 1,  # ticket 10 (102); 11 and 12 have no reply
    ("zendesk", "case.rated"): 3,  # good, bad_with_comment, 5; 'offered' is no rating
    ("servicenow", "case.created"): 2,
    ("servicenow", "case.status_changed"): 6,  # 5 of INC1, 1 of INC2
    ("servicenow", "case.solved"): 2,  # INC1 -> Resolved, Active -> Closed; not Resolved -> Closed
    ("servicenow", "case.reopened"): 1,  # INC1, Closed -> Active
    ("hubspot", "lead.created"): 3,
    ("hubspot", "lead.first_touch"): 2,  # contact 1 (call 50), contact 3 (meeting 55)
    ("hubspot", "deal.created"): 2,
    ("hubspot", "deal.stage_changed"): 3,  # 5 entries minus the 2 deals' first
    ("hubspot", "deal.won"): 1,
    ("hubspot", "deal.lost"): 1,
    ("hubspot", "sales_meeting.held"): 1,  # 52; 55 has no outcome
    ("hubspot", "sales_meeting.no_show"): 1,
    ("calendar", "meeting.held"): 1,  # e1 only (see each event's reason above)
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
    assert result.unreconciled == [("jira", "task.teleported")]
    assert result.not_judged == []


def test_sources_with_opt_outs_are_not_judged(tmp_path):
    path = _warehouse(tmp_path, {**EVENTS, ("zendesk", "case.created"): 2})
    con = duckdb.connect(str(path))
    con.execute("create schema privacy")
    con.execute(
        "create table privacy.opt_outs as select 'p1' as person_key, 'zendesk' as source_system"
    )
    con.close()
    result = reconcile(path)
    assert result.passed, result.describe()
    assert result.not_judged == ["zendesk"]
    assert not any(source == "zendesk" for source, _ in result.expected)
    assert result.describe().endswith("(not judged, people opted out: zendesk)")


def test_a_dropped_event_is_named(tmp_path):
    events = {**EVENTS, ("github", "pr.merged"): 0, ("pagerduty", "incident.opened"): 3}
    result = reconcile(_warehouse(tmp_path, events))
    assert result.mismatches == {
        ("github", "pr.merged"): (1, 0),
        ("pagerduty", "incident.opened"): (2, 3),
    }
    assert "github pr.merged: raw rows give 1, fct_work_events has 0" in result.describe()
