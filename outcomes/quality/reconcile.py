"""Reconcile `marts.fct_work_events` with the raw tables it is built from.

Each rule below restates, over the raw tables, which raw rows produce one
event type in `models/intermediate/events/int_<tool>__events_mapped.sql`
(after the staging renames, and `fct_work_events`' `occurred_at is not null`).
Quarantined records never reach the raw tables, so raw counts are already
"minus quarantine". A mismatch means a mapper dropped or duplicated rows, or a
mart is stale against the raw data.

Coverage: every event type the mappers produce. The Jira, Zendesk and ServiceNow types
derived from canonical-state intervals (task.started / task.done /
task.reopened, case.reopened) are restated from the raw status histories and
`seeds.status_mappings`: each entry into a status, mapped to its canonical
state; consecutive entries in the same state are one interval. Event types
without a rule (a new mapper) are listed as unreconciled, never silently
passed.

Opt-outs: `fct_work_events` drops the events of opted-out people per source
(privacy.opt_outs). The rules do not subtract them; a source with at least
one opt-out is reported under `not_judged` instead of being compared, so the
check is exact on a warehouse with an empty opt-out list (the demo, the
tests) and never raises a false alarm on one with opt-outs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

EVENTS_TABLE = "marts.fct_work_events"
RECONCILED_SOURCES = (
    "github",
    "pagerduty",
    "jira",
    "zendesk",
    "servicenow",
    "hubspot",
    "calendar",
)
OPT_OUTS_TABLE = "privacy.opt_outs"
# A sales touch (int_hubspot__events_mapped `touches`).
_HUBSPOT_TOUCH = (
    "(lower(e.engagement_type) in ('call', 'email') or (lower(e.engagement_type) = 'meeting' "
    "and coalesce(lower(e.meeting_outcome), 'completed') "
    "not in ('no_show', 'canceled', 'cancelled', 'rescheduled')))"
)


def _intervals(source: str, work_item_type: str, entries: str) -> str:
    """Canonical-state intervals (item, state, previous_state, entered_at, idx)
    from `entries` (item, entered_at, status, entry_order): consecutive entries
    mapping to the same state are one interval."""
    return (
        f"with entries as ({entries}), "
        "mapped as (select e.*, m.canonical_state as state from entries as e "
        "left join seeds.status_mappings as m "
        f"on m.source_system = '{source}' and m.work_item_type = '{work_item_type}' "
        "and lower(e.status) = lower(m.source_status)), "
        "flagged as (select *, lag(state) over w as prev, row_number() over w as k "
        "from mapped window w as (partition by item order by entered_at, entry_order)), "
        "starts as (select * from flagged where k = 1 or state is distinct from prev), "
        "intervals as (select item, state, entered_at, "
        "lag(state) over w as previous_state, row_number() over w as idx "
        "from starts window w as (partition by item order by entered_at, entry_order)) "
    )


# Staging keeps the changelog of live issues only: not of an issue deleted (the
# API's deletion sweep) nor of one never loaded (quarantined).
# (`is_deleted` read through the row's JSON: a warehouse loaded from files only
# has no such column.)
_JIRA_LIVE = (
    "issue_id in (select issue_id from raw_jira.issues as live "
    "where not coalesce(cast(to_json(live) ->> 'is_deleted' as boolean), false))"
)
# Jira: the status before the first change holds from creation, then each change.
_JIRA_INTERVALS = _intervals(
    "jira",
    "task",
    "with changes as (select issue_id, changed_at, trim(from_value) as from_value, "
    "trim(to_value) as to_value, row_number() over (partition by issue_id "
    "order by changed_at, history_id, item_index) as n "
    f"from raw_jira.changelog_items where field_name = 'status' and {_JIRA_LIVE}) "
    "select i.issue_id as item, i.created_at as entered_at, "
    "coalesce(c.from_value, trim(i.status_name)) as status, 0 as entry_order "
    "from raw_jira.issues as i left join changes as c on i.issue_id = c.issue_id and c.n = 1 "
    "union all select issue_id, changed_at, to_value, n from changes",
)
# Zendesk: the status set by the create audit ('new' when absent), then each change.
_ZENDESK_STATUS = (
    "case when lower(trim(new_value)) = 'on-hold' then 'hold' else lower(trim(new_value)) end"
)
_ZENDESK_INTERVALS = _intervals(
    "zendesk",
    "case",
    f"with statuses as (select ticket_id, created_at, audit_event_id, {_ZENDESK_STATUS} "
    "as status, lower(event_type) as kind from raw_zendesk.ticket_audit_events "
    "where field_name = 'status' and lower(event_type) in ('create', 'change')) "
    "select t.ticket_id as item, t.created_at as entered_at, "
    "coalesce(min(s.status), 'new') as status, 0 as entry_order "
    "from raw_zendesk.tickets as t left join statuses as s "
    "on t.ticket_id = s.ticket_id and s.kind = 'create' group by t.ticket_id, t.created_at "
    "union all select ticket_id, created_at, status, audit_event_id "
    "from statuses where kind = 'change'",
)
_ZENDESK_RATED = "('good', 'good_with_comment', '4', '5', 'bad', 'bad_with_comment', '1', '2', '3')"

# ServiceNow: the state after every update, in update order (time, then count).
_SERVICENOW_UPDATES = (
    "select incident_number as item, sys_updated_at as entered_at, incident_state as status, "
    "lag(incident_state) over (partition by incident_number "
    "order by sys_updated_at, sys_mod_count) as previous_status, "
    "row_number() over (partition by incident_number "
    "order by sys_updated_at, sys_mod_count) as entry_order "
    "from raw_servicenow.incident_updates"
)
_SERVICENOW_INTERVALS = _intervals(
    "servicenow",
    "case",
    f"select item, entered_at, status, entry_order from ({_SERVICENOW_UPDATES})",
)
_SERVICENOW_CHANGES = (
    f"from ({_SERVICENOW_UPDATES}) where previous_status is not null "
    "and status <> previous_status and entered_at is not null"
)

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
    ("jira", "task.created"): "select count(*) from raw_jira.issues where created_at is not null",
    ("jira", "task.status_changed"): (
        "select count(*) from raw_jira.changelog_items "
        f"where field_name = 'status' and changed_at is not null and {_JIRA_LIVE}"
    ),
    # the first entry into in_progress, every entry into done, every exit from done
    ("jira", "task.started"): (
        _JIRA_INTERVALS + "select count(*) from (select entered_at, row_number() over "
        "(partition by item order by idx) as r from intervals where state = 'in_progress') "
        "where r = 1 and entered_at is not null"
    ),
    ("jira", "task.done"): (
        _JIRA_INTERVALS
        + "select count(*) from intervals where state = 'done' and entered_at is not null"
    ),
    ("jira", "task.reopened"): (
        _JIRA_INTERVALS + "select count(*) from intervals "
        "where previous_state = 'done' and entered_at is not null"
    ),
    ("zendesk", "case.reopened"): (
        _ZENDESK_INTERVALS + "select count(*) from intervals "
        "where previous_state = 'done' and entered_at is not null"
    ),
    ("zendesk", "case.created"): (
        "select count(*) from raw_zendesk.tickets where created_at is not null"
    ),
    ("zendesk", "case.status_changed"): (
        "select count(*) from raw_zendesk.ticket_audit_events "
        "where field_name = 'status' and lower(event_type) = 'change' and created_at is not null"
    ),
    ("zendesk", "case.solved"): (
        "select count(*) from raw_zendesk.ticket_audit_events "
        "where field_name = 'status' and lower(event_type) = 'change' and created_at is not null "
        "and lower(trim(new_value)) = 'solved'"
    ),
    # the first public reply of an agent or admin, not the requester, not on creation
    ("zendesk", "case.first_reply"): (
        "select count(distinct e.ticket_id) from raw_zendesk.ticket_audit_events as e "
        "inner join raw_zendesk.tickets as t on e.ticket_id = t.ticket_id "
        "inner join raw_zendesk.users as u "
        "on coalesce(e.comment_author_user_key, e.author_user_key) = u.user_key "
        "where lower(e.event_type) = 'comment' and e.is_public and e.created_at is not null "
        "and lower(u.user_role) in ('agent', 'admin') "
        "and u.user_key is distinct from t.requester_user_key "
        "and not exists (select 1 from raw_zendesk.ticket_audit_events as c "
        "where c.audit_id = e.audit_id and lower(c.event_type) = 'create')"
    ),
    ("zendesk", "case.rated"): (
        "select count(*) from raw_zendesk.satisfaction_ratings "
        f"where created_at is not null and lower(trim(score)) in {_ZENDESK_RATED}"
    ),
    ("servicenow", "case.created"): (
        "select count(*) from raw_servicenow.incidents where opened_at is not null"
    ),
    # every update whose state differs from the previous update's
    ("servicenow", "case.status_changed"): "select count(*) " + _SERVICENOW_CHANGES,
    # every entry into Resolved, or into Closed straight from an open state
    ("servicenow", "case.solved"): (
        "select count(*) " + _SERVICENOW_CHANGES + " and (lower(status) = 'resolved' or "
        "(lower(status) = 'closed' and lower(previous_status) <> 'resolved'))"
    ),
    ("servicenow", "case.reopened"): (
        _SERVICENOW_INTERVALS + "select count(*) from intervals "
        "where previous_state = 'done' and entered_at is not null"
    ),
    ("hubspot", "lead.created"): (
        "select count(*) from raw_hubspot.contacts where created_at is not null"
    ),
    ("hubspot", "lead.first_touch"): (
        "select count(distinct e.contact_id) from raw_hubspot.engagements as e "
        "inner join raw_hubspot.contacts as c on e.contact_id = c.contact_id "
        f"where e.occurred_at >= c.created_at and {_HUBSPOT_TOUCH}"
    ),
    ("hubspot", "deal.created"): (
        "select count(*) from raw_hubspot.deals where created_at is not null"
    ),
    # every stage entry but each deal's first
    ("hubspot", "deal.stage_changed"): (
        "select count(*) - count(distinct deal_id) from raw_hubspot.deal_stage_history "
        "where entered_at is not null"
    ),
    ("hubspot", "deal.won"): (
        "select count(*) from raw_hubspot.deal_stage_history "
        "where lower(trim(deal_stage)) = 'closedwon' and entered_at is not null"
    ),
    ("hubspot", "deal.lost"): (
        "select count(*) from raw_hubspot.deal_stage_history "
        "where lower(trim(deal_stage)) = 'closedlost' and entered_at is not null"
    ),
    ("hubspot", "sales_meeting.held"): (
        "select count(*) from raw_hubspot.engagements where lower(engagement_type) = 'meeting' "
        "and lower(meeting_outcome) = 'completed' and occurred_at is not null"
    ),
    ("hubspot", "sales_meeting.no_show"): (
        "select count(*) from raw_hubspot.engagements where lower(engagement_type) = 'meeting' "
        "and lower(meeting_outcome) = 'no_show' and occurred_at is not null"
    ),
    # a timed, confirmed or tentative meeting under 8 h with two attendees, started
    ("calendar", "meeting.held"): (
        "select count(*) from raw_calendar.events as e inner join ("
        "select event_id from raw_calendar.event_attendees "
        "where not coalesce(is_resource, false) and response_status <> 'declined' "
        "group by event_id having count(*) >= 2) as a on e.event_id = a.event_id "
        "where lower(e.event_status) <> 'cancelled' "
        "and coalesce(e.event_type, 'default') = 'default' "
        "and e.start_at is not null and e.end_at is not null "
        "and cast(epoch_us(e.end_at) - epoch_us(e.start_at) as double) / 3600000000.0 < 8 "
        "and e.start_at <= cast(timezone('UTC', current_timestamp) as timestamp)"
    ),
}


@dataclass(frozen=True)
class Reconciliation:
    expected: dict[tuple[str, str], int]  # from the raw tables
    actual: dict[tuple[str, str], int]  # in fct_work_events
    unreconciled: list[tuple[str, str]]  # event types no rule covers
    not_judged: list[str] = field(default_factory=list)  # sources with opt-outs

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
            text = f"{len(self.expected)} event types match the raw tables"
            if self.not_judged:
                text += f" (not judged, people opted out: {', '.join(self.not_judged)})"
            return text
        return "; ".join(
            f"{s} {t}: raw rows give {raw}, fct_work_events has {mart}"
            for (s, t), (raw, mart) in sorted(self.mismatches.items())
        )


def opted_out_sources(con: duckdb.DuckDBPyConnection) -> set[str]:
    schema, table = OPT_OUTS_TABLE.split(".")
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()[0]
    if not exists:
        return set()
    rows = con.execute(f"select distinct source_system from {OPT_OUTS_TABLE}").fetchall()
    return {s for (s,) in rows}


def reconcile_con(con: duckdb.DuckDBPyConnection) -> Reconciliation:
    actual = {
        (source, event_type): count
        for source, event_type, count in con.execute(
            f"select source_system, event_type, count(*) from {EVENTS_TABLE} group by 1, 2"
        ).fetchall()
    }
    skipped = opted_out_sources(con)
    expected = {
        key: con.execute(sql).fetchone()[0] for key, sql in RULES.items() if key[0] not in skipped
    }
    unreconciled = sorted(key for key in actual if key not in RULES)
    return Reconciliation(expected, actual, unreconciled, sorted(skipped & set(RECONCILED_SOURCES)))


def reconcile(warehouse: Path) -> Reconciliation:
    """Counts per (source, event type): raw rules vs the canonical event mart."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return reconcile_con(con)
    finally:
        con.close()
