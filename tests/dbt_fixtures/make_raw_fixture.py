"""Build a small raw-layer DuckDB file for developing and testing the dbt project.

Tables and column types come from the collection policies
(`pipelines/<tool>/policy.yml`, parsed by the loader's own policy module), so
the fixture has exactly the shape the dlt loaders write: schema `raw_<tool>`
per source (the roster's `people_identity` in schema `identity`), every table
with `_outcomes_loaded_at`, `_dlt_load_id` and `_dlt_id`. Rows are hand-written
below for the seven sources roster, github, jira, pagerduty, zendesk, hubspot
and calendar (any other source with a policy gets empty tables), with readable
logins and emails; columns the policy pseudonymizes are replaced by the
loader's keyed HMAC under a fixture salt, so the same email joins across tools.

Usage:
    python tests/dbt_fixtures/make_raw_fixture.py /tmp/fx.duckdb
    OUTCOMES_WAREHOUSE=/tmp/fx.duckdb dbt build --profiles-dir .
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from outcomes.privacy.pseudonym import pseudonymize  # noqa: E402
from pipelines.common.policy import (  # noqa: E402
    LOADED_AT_COLUMN,
    POLICY_DIR,
    SourcePolicy,
    load_policy,
)

# Fixture-only key: the real salt comes from the loader's secrets, never from git.
FIXTURE_SALT = b"outcomes-fixture-salt"
LOADED_AT = datetime(2024, 3, 12, 6, 0, 0)
LOAD_ID = "1710223200.000000"
# Policy output types -> DuckDB types (epoch_ms already lands as timestamp).
SQL_TYPES = {
    "string": "varchar",
    "bigint": "bigint",
    "double": "double",
    "boolean": "boolean",
    "timestamp": "timestamp",
    "date": "date",
}


def ts(text: str) -> datetime:
    """A naive UTC timestamp from 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


def load_policies() -> list[SourcePolicy]:
    """Every source with a policy, so a newly added source gets (empty) tables too."""
    sources = sorted(path.parent.name for path in POLICY_DIR.glob("*/policy.yml"))
    return [load_policy(source) for source in sources]


# --------------------------------------------------------------------------
# Hand-written rows. Keys are the policy's column names; pseudonymized columns
# hold the clear value (login, id or email) and are hashed on write.
# --------------------------------------------------------------------------
WEEKDAYS = "Mon|Tue|Wed|Thu|Fri"


def roster_person(
    email,
    team,
    division,
    title,
    tz,
    active=True,
    days=WEEKDAYS,
    start="09:00",
    end="17:00",
    manager=None,
):
    return {
        "scim_user_key": f"scim-{email.split('@')[0]}",
        "person_key": email,
        "manager_scim_user_key": manager,
        "job_title": title,
        "function_name": division,
        "team_name": team,
        "time_zone": tz,
        "is_active": active,
        "work_days": days,
        "work_start_time": start,
        "work_end_time": end,
        "employment_start_date": date(2022, 1, 10),
        "created_at": ts("2022-01-01 00:00"),
        "last_modified_at": ts("2024-03-01 00:00"),
    }


ROSTER_USERS = [
    roster_person(
        "alice@example.com",
        "Platform Engineering",
        "Engineering",
        "Senior Engineer",
        "Europe/Berlin",
        manager="scim-carol",
    ),
    roster_person(
        "bob@example.com",
        "Platform Engineering",
        "Engineering",
        "Engineer",
        "Europe/Berlin",
        manager="scim-carol",
    ),
    roster_person(
        "carol@example.com",
        "Platform Engineering",
        "Engineering",
        "Engineering Manager",
        "America/New_York",
        days="Mon|Tue|Wed|Thu",
        start="08:00",
        end="16:00",
    ),
    # Left the company: still a person (history), not an active member.
    roster_person(
        "gina@example.com",
        "Platform Engineering ",
        "Engineering",
        "Engineer",
        "Europe/Berlin",
        active=False,
    ),
    roster_person(
        "dave@example.com",
        "Customer Team",
        "Support",
        "Support Agent",
        "Europe/Lisbon",
        manager="scim-erin",
    ),
    roster_person("erin@example.com", "Customer Team", "Support", "Support Lead", "Europe/Lisbon"),
    # A sales person in the same team: the team's function is the most common one.
    roster_person(
        "frank@example.com",
        "Customer Team",
        "Sales",
        "Account Executive",
        "Europe/London",
        manager="scim-erin",
    ),
]

PEOPLE_IDENTITY = [
    {
        "person_key": row["person_key"],
        "email": row["person_key"],
        "display_name": row["person_key"].split("@")[0].title(),
        "last_modified_at": row["last_modified_at"],
    }
    for row in ROSTER_USERS
]

GITHUB_USERS = [
    {"user_key": "alice-gh", "person_key": "alice@example.com", "account_type": "User"},
    {"user_key": "bob-gh", "person_key": "Bob@Example.com ", "account_type": "User"},
    {"user_key": "carol-gh", "person_key": "carol@example.com", "account_type": "User"},
    {"user_key": "renovate[bot]", "person_key": None, "account_type": "Bot"},
    {"user_key": "deploy-bot", "person_key": None, "account_type": "Bot"},
    # An outside contributor: no SSO identity, so no person.
    {"user_key": "ext-contrib", "person_key": None, "account_type": "User"},
]

GITHUB_PULL_REQUESTS = [
    {
        "pull_request_id": 1001,
        "pull_request_number": 42,
        "repository_name": "acme/api",
        "base_branch": "main",
        "author_user_key": "alice-gh",
        "state": "closed",
        "is_draft": False,
        "is_revert": False,
        "label_names": "enhancement",
        "additions": 120,
        "deletions": 30,
        "changed_files": 6,
        "merge_commit_sha": "m1001",
        "created_at": ts("2024-03-04 11:00"),
        "updated_at": ts("2024-03-05 15:00"),
        "closed_at": ts("2024-03-05 15:00"),
        "merged_at": ts("2024-03-05 15:00"),
    },
    {
        "pull_request_id": 1002,
        "pull_request_number": 43,
        "repository_name": "acme/api",
        "base_branch": "main",
        "author_user_key": "ext-contrib",
        "state": "closed",
        "is_draft": False,
        "is_revert": False,
        "label_names": "bug|hotfix",
        "additions": 5,
        "deletions": 2,
        "changed_files": 1,
        "merge_commit_sha": None,
        "created_at": ts("2024-03-06 10:00"),
        "updated_at": ts("2024-03-07 12:00"),
        "closed_at": ts("2024-03-07 12:00"),
        "merged_at": None,
    },
    {
        "pull_request_id": 1003,
        "pull_request_number": 44,
        "repository_name": "acme/web",
        "base_branch": "main",
        "author_user_key": "bob-gh",
        "state": "open",
        "is_draft": True,
        "is_revert": False,
        "label_names": None,
        "additions": 900,
        "deletions": 200,
        "changed_files": 31,
        "merge_commit_sha": None,
        "created_at": ts("2024-03-08 09:00"),
        "updated_at": ts("2024-03-08 09:00"),
        "closed_at": None,
        "merged_at": None,
    },
]

GITHUB_COMMITS = [
    {
        "commit_sha": "c1",
        "pull_request_id": 1001,
        "author_user_key": "alice-gh",
        "author_person_key": "alice@example.com",
        "authored_at": ts("2024-03-04 08:30"),
        "committed_at": ts("2024-03-04 08:31"),
    },
    {
        "commit_sha": "c2",
        "pull_request_id": 1001,
        "author_user_key": "alice-gh",
        "author_person_key": "alice@example.com",
        "authored_at": ts("2024-03-04 10:40"),
        "committed_at": ts("2024-03-04 10:41"),
    },
    {
        "commit_sha": "c3",
        "pull_request_id": 1003,
        "author_user_key": "bob-gh",
        "author_person_key": "bob@example.com",
        "authored_at": ts("2024-03-07 17:00"),
        "committed_at": ts("2024-03-07 17:00"),
    },
]

GITHUB_REVIEWS = [
    # A bot review, the author's own comment, then the first human review.
    {
        "review_id": 3001,
        "pull_request_id": 1001,
        "reviewer_user_key": "renovate[bot]",
        "reviewer_account_type": "Bot",
        "review_state": "COMMENTED",
        "commit_sha": "c2",
        "submitted_at": ts("2024-03-04 11:05"),
    },
    {
        "review_id": 3002,
        "pull_request_id": 1001,
        "reviewer_user_key": "alice-gh",
        "reviewer_account_type": "User",
        "review_state": "COMMENTED",
        "commit_sha": "c2",
        "submitted_at": ts("2024-03-04 11:30"),
    },
    {
        "review_id": 3003,
        "pull_request_id": 1001,
        "reviewer_user_key": "bob-gh",
        "reviewer_account_type": "User",
        "review_state": "APPROVED",
        "commit_sha": "c2",
        "submitted_at": ts("2024-03-05 09:00"),
    },
    {
        "review_id": 3004,
        "pull_request_id": 1002,
        "reviewer_user_key": "carol-gh",
        "reviewer_account_type": "User",
        "review_state": "CHANGES_REQUESTED",
        "commit_sha": None,
        "submitted_at": ts("2024-03-06 15:00"),
    },
]

GITHUB_DEPLOYMENTS = [
    {
        "deployment_id": 5001,
        "repository_name": "acme/api",
        "commit_sha": "m1001",
        "ref": "main",
        "task": "deploy",
        "environment": "production",
        "creator_user_key": "deploy-bot",
        "creator_account_type": "Bot",
        "created_at": ts("2024-03-05 16:00"),
        "updated_at": ts("2024-03-05 16:20"),
    },
    {
        "deployment_id": 5002,
        "repository_name": "acme/api",
        "commit_sha": "c2",
        "ref": "feature",
        "task": "deploy",
        "environment": "staging",
        "creator_user_key": "alice-gh",
        "creator_account_type": "User",
        "created_at": ts("2024-03-04 11:10"),
        "updated_at": ts("2024-03-04 11:15"),
    },
    {
        "deployment_id": 5003,
        "repository_name": "acme/api",
        "commit_sha": "m1001",
        "ref": "main",
        "task": "deploy",
        "environment": "Prod",
        "creator_user_key": "bob-gh",
        "creator_account_type": "User",
        "created_at": ts("2024-03-06 09:00"),
        "updated_at": ts("2024-03-06 09:10"),
    },
]

GITHUB_DEPLOYMENT_STATUSES = [
    {
        "deployment_status_id": 1,
        "deployment_id": 5001,
        "status_state": "queued",
        "created_at": ts("2024-03-05 16:00"),
    },
    {
        "deployment_status_id": 2,
        "deployment_id": 5001,
        "status_state": "in_progress",
        "created_at": ts("2024-03-05 16:01"),
    },
    {
        "deployment_status_id": 3,
        "deployment_id": 5001,
        "status_state": "success",
        "created_at": ts("2024-03-05 16:20"),
    },
    {
        "deployment_status_id": 4,
        "deployment_id": 5002,
        "status_state": "failure",
        "created_at": ts("2024-03-04 11:15"),
    },
    {
        "deployment_status_id": 5,
        "deployment_id": 5003,
        "status_state": "error",
        "created_at": ts("2024-03-06 09:10"),
    },
]

GITHUB_WORKFLOW_RUNS = [
    {
        "workflow_run_id": 7001,
        "repository_name": "acme/api",
        "workflow_name": "ci",
        "head_sha": "c2",
        "head_branch_is_default": False,
        "trigger_event": "pull_request",
        "run_status": "completed",
        "conclusion": "success",
        "run_attempt": 1,
        "actor_user_key": "alice-gh",
        "created_at": ts("2024-03-04 10:45"),
        "run_started_at": ts("2024-03-04 10:45"),
        "updated_at": ts("2024-03-04 10:55"),
    },
    {
        "workflow_run_id": 7002,
        "repository_name": "acme/api",
        "workflow_name": "ci",
        "head_sha": "m1001",
        "head_branch_is_default": True,
        "trigger_event": "push",
        "run_status": "completed",
        "conclusion": "failure",
        "run_attempt": 2,
        "actor_user_key": "bob-gh",
        "created_at": ts("2024-03-05 15:01"),
        "run_started_at": ts("2024-03-05 15:05"),
        "updated_at": ts("2024-03-05 15:20"),
    },
    {
        "workflow_run_id": 7003,
        "repository_name": "acme/web",
        "workflow_name": "ci",
        "head_sha": "c3",
        "head_branch_is_default": False,
        "trigger_event": "pull_request",
        "run_status": "in_progress",
        "conclusion": None,
        "run_attempt": 1,
        "actor_user_key": "bob-gh",
        "created_at": ts("2024-03-08 09:01"),
        "run_started_at": ts("2024-03-08 09:01"),
        "updated_at": ts("2024-03-08 09:02"),
    },
]

JIRA_USERS = [
    {
        "account_key": "j-alice",
        "person_key": "alice@example.com",
        "account_type": "atlassian",
        "is_active": True,
    },
    {
        "account_key": "j-bob",
        "person_key": "bob@example.com",
        "account_type": "atlassian",
        "is_active": True,
    },
    {
        "account_key": "j-carol",
        "person_key": "carol@example.com",
        "account_type": "atlassian",
        "is_active": True,
    },
    {"account_key": "j-automation", "person_key": None, "account_type": "app", "is_active": True},
]


def jira_issue(issue_id, key, issue_type, status, assignee, reporter, created, **extra):
    row = {
        "issue_id": issue_id,
        "issue_key": key,
        "project_key": key.split("-")[0],
        "issue_type": issue_type,
        "status_name": status,
        "priority_name": "Medium",
        "assignee_account_key": assignee,
        "reporter_account_key": reporter,
        "label_names": None,
        "story_points": None,
        "size_label": None,
        "work_type": None,
        "environment_name": None,
        "has_description": True,
        "due_date": None,
        "created_at": ts(created),
        "updated_at": ts(created),
        "resolved_at": None,
    }
    row.update(extra)
    return row


JIRA_ISSUES = [
    # The reference story: To Do -> In Progress -> Blocked -> In Progress -> In Review
    # -> Done -> (reopened) In Progress -> Done. Hours are worked out in the unit tests.
    jira_issue(
        10001,
        "OUT-1",
        "Story",
        "Done",
        "j-alice",
        "j-bob",
        "2024-03-04 09:00",
        story_points=5.0,
        size_label="M",
        due_date=date(2024, 3, 12),
        updated_at=ts("2024-03-11 17:45"),
        resolved_at=ts("2024-03-11 17:45"),
    ),
    # A production bug reported by an automation, caused by OUT-1, still in progress.
    jira_issue(
        10002,
        "OUT-2",
        "Bug",
        "In Progress",
        "j-carol",
        "j-automation",
        "2024-03-06 09:00",
        label_names="customer|regression",
        size_label="s",
        environment_name="Production",
        due_date=date(2024, 3, 8),
    ),
    # Statuses that map to the same canonical state merge into one interval.
    jira_issue(
        10003,
        "OUT-3",
        "Task",
        "Closed",
        None,
        "j-bob",
        "2024-03-05 09:00",
        size_label="XL",
        work_type="Content",
        resolved_at=ts("2024-03-07 10:00"),
    ),
]

JIRA_ISSUE_LINKS = [
    {
        "issue_link_id": 20001,
        "issue_id": 10002,
        "link_type": "Problem/Incident",
        "outward_issue_id": None,
        "inward_issue_id": 10001,
    },
]


def status_change(history_id, issue_id, author, at, from_status, to_status, index=0):
    return {
        "history_id": history_id,
        "item_index": index,
        "issue_id": issue_id,
        "author_account_key": author,
        "changed_at": ts(at),
        "field_name": "status",
        "from_value": from_status,
        "to_value": to_status,
    }


JIRA_CHANGELOG_ITEMS = [
    status_change(40001, 10001, "j-alice", "2024-03-04 10:00", "To Do", "In Progress"),
    # A non-workflow field changed in the same history entry: recorded, no values.
    {
        "history_id": 40001,
        "item_index": 1,
        "issue_id": 10001,
        "author_account_key": "j-alice",
        "changed_at": ts("2024-03-04 10:00"),
        "field_name": "summary",
        "from_value": None,
        "to_value": None,
    },
    status_change(40002, 10001, "j-alice", "2024-03-05 14:00", "In Progress", "Blocked"),
    status_change(40003, 10001, "j-alice", "2024-03-06 11:30", "Blocked", "In Progress"),
    status_change(40004, 10001, "j-alice", "2024-03-07 16:00", "In Progress", "In Review"),
    status_change(40005, 10001, "j-bob", "2024-03-08 10:00", "In Review", "Done"),
    status_change(40006, 10001, "j-bob", "2024-03-11 09:15", "Done", "In Progress"),
    status_change(40007, 10001, "j-alice", "2024-03-11 17:45", "In Progress", "Done"),
    status_change(40008, 10002, "j-carol", "2024-03-06 13:00", "To Do", "In Progress"),
    status_change(40009, 10003, "j-bob", "2024-03-05 10:00", "Backlog", "To Do"),
    status_change(40010, 10003, "j-automation", "2024-03-06 10:00", "To Do", "Done"),
    status_change(40011, 10003, "j-automation", "2024-03-07 10:00", "Done", "Closed"),
]

PAGERDUTY_USERS = [
    {"user_key": "PCAROL", "person_key": "carol@example.com", "user_role": "admin"},
    {"user_key": "PBOB", "person_key": "bob@example.com", "user_role": "user"},
]

PAGERDUTY_INCIDENTS = [
    {
        "incident_id": "Q1ABC",
        "incident_number": 101,
        "incident_status": "resolved",
        "urgency": "high",
        "priority_name": "P2",
        "service_name": "api",
        "first_assignee_user_key": "PCAROL",
        "first_acknowledged_at": ts("2024-03-05 18:10"),
        "related_deployment_id": 5001,
        "related_commit_sha": None,
        "created_at": ts("2024-03-05 18:00"),
        "updated_at": ts("2024-03-05 19:30"),
        "resolved_at": ts("2024-03-05 19:30"),
    },
    {
        "incident_id": "Q2DEF",
        "incident_number": 102,
        "incident_status": "triggered",
        "urgency": "low",
        "priority_name": None,
        "service_name": "web",
        "first_assignee_user_key": None,
        "first_acknowledged_at": None,
        "related_deployment_id": None,
        "related_commit_sha": None,
        "created_at": ts("2024-03-08 08:00"),
        "updated_at": ts("2024-03-08 08:00"),
        "resolved_at": None,
    },
]

ZENDESK_USERS = [
    {
        "user_key": 900001,
        "person_key": "customer1@client.test",
        "user_role": "end-user",
        "default_group_id": None,
    },
    {
        "user_key": 900002,
        "person_key": "dave@example.com",
        "user_role": "agent",
        "default_group_id": 360001,
    },
    {
        "user_key": 900003,
        "person_key": "erin@example.com",
        "user_role": "admin",
        "default_group_id": 360001,
    },
]

ZENDESK_TICKETS = [
    {
        "ticket_id": 501,
        "ticket_status": "solved",
        "priority": "high",
        "ticket_type": "question",
        "channel": "email",
        "requester_user_key": 900001,
        "submitter_user_key": 900001,
        "assignee_user_key": 900002,
        "group_id": 360001,
        "tag_names": "billing|vip",
        "due_at": None,
        "created_at": ts("2024-03-04 08:00"),
        "updated_at": ts("2024-03-04 12:00"),
    },
    {
        "ticket_id": 502,
        "ticket_status": "open",
        "priority": "normal",
        "ticket_type": "problem",
        "channel": "web",
        "requester_user_key": 900001,
        "submitter_user_key": 900001,
        "assignee_user_key": 900003,
        "group_id": 360001,
        "tag_names": "bug",
        "due_at": None,
        "created_at": ts("2024-03-05 10:00"),
        "updated_at": ts("2024-03-06 09:00"),
    },
]


def audit_event(
    event_id,
    audit_id,
    ticket_id,
    author,
    at,
    event_type,
    field_name=None,
    new=None,
    previous=None,
    public=None,
    comment_author=None,
):
    return {
        "audit_event_id": event_id,
        "audit_id": audit_id,
        "ticket_id": ticket_id,
        "author_user_key": author,
        "created_at": ts(at),
        "event_type": event_type,
        "field_name": field_name,
        "new_value": new,
        "previous_value": previous,
        "is_public": public,
        "comment_author_user_key": comment_author,
    }


ZENDESK_AUDIT_EVENTS = [
    # Ticket 501: the requester's opening comment, an internal note, a requester
    # follow-up, then the first public agent reply at 09:30.
    audit_event(90011, 9001, 501, 900001, "2024-03-04 08:00", "Create", "status", "new"),
    audit_event(
        90012, 9001, 501, 900001, "2024-03-04 08:00", "Comment", public=True, comment_author=900001
    ),
    audit_event(90013, 9001, 501, 900001, "2024-03-04 08:00", "Create", "priority", "high"),
    audit_event(
        90021, 9002, 501, 900002, "2024-03-04 08:40", "Comment", public=False, comment_author=900002
    ),
    audit_event(90022, 9002, 501, 900002, "2024-03-04 08:40", "Change", "status", "open", "new"),
    audit_event(
        90031, 9003, 501, 900001, "2024-03-04 09:10", "Comment", public=True, comment_author=900001
    ),
    audit_event(
        90041, 9004, 501, 900002, "2024-03-04 09:30", "Comment", public=True, comment_author=900002
    ),
    audit_event(
        90042, 9004, 501, 900002, "2024-03-04 09:30", "Change", "status", "pending", "open"
    ),
    audit_event(
        90051, 9005, 501, 900001, "2024-03-04 11:00", "Comment", public=True, comment_author=900001
    ),
    audit_event(
        90052, 9005, 501, 900001, "2024-03-04 11:00", "Change", "status", "open", "pending"
    ),
    audit_event(
        90061, 9006, 501, 900002, "2024-03-04 12:00", "Comment", public=True, comment_author=900002
    ),
    audit_event(90062, 9006, 501, 900002, "2024-03-04 12:00", "Change", "status", "solved", "open"),
    # Ticket 502: put on hold (spelt on-hold), solved, then reopened by the requester.
    audit_event(90111, 9011, 502, 900001, "2024-03-05 10:00", "Create", "status", "new"),
    audit_event(
        90112, 9011, 502, 900001, "2024-03-05 10:00", "Comment", public=True, comment_author=900001
    ),
    audit_event(
        90121, 9012, 502, 900003, "2024-03-05 10:30", "Comment", public=True, comment_author=900003
    ),
    audit_event(90122, 9012, 502, 900003, "2024-03-05 10:30", "Change", "status", "on-hold", "new"),
    audit_event(90131, 9013, 502, 900003, "2024-03-05 14:00", "Change", "status", "solved", "hold"),
    audit_event(
        90141, 9014, 502, 900001, "2024-03-06 09:00", "Comment", public=True, comment_author=900001
    ),
    audit_event(90142, 9014, 502, 900001, "2024-03-06 09:00", "Change", "status", "open", "solved"),
]

ZENDESK_SATISFACTION_RATINGS = [
    {
        "rating_id": 801,
        "ticket_id": 501,
        "score": "good",
        "assignee_user_key": 900002,
        "has_comment": False,
        "created_at": ts("2024-03-04 15:00"),
        "updated_at": ts("2024-03-04 15:00"),
    },
    {
        "rating_id": 802,
        "ticket_id": 502,
        "score": "offered",
        "assignee_user_key": 900003,
        "has_comment": False,
        "created_at": ts("2024-03-05 14:05"),
        "updated_at": ts("2024-03-05 14:05"),
    },
]

HUBSPOT_OWNERS = [
    {"owner_key": "101", "person_key": "frank@example.com", "is_archived": False},
    {"owner_key": "102", "person_key": None, "is_archived": True},
]

HUBSPOT_CONTACTS = [
    {
        "contact_id": 9001,
        "contact_key": "lead1@prospect.test",
        "lifecycle_stage": "lead",
        "lead_status": "CONNECTED",
        "lead_source": "ORGANIC_SEARCH",
        "owner_key": "101",
        "created_at": ts("2024-03-04 10:00"),
        "updated_at": ts("2024-03-04 12:00"),
    },
]

HUBSPOT_DEALS = [
    {
        "deal_id": 7001,
        "pipeline_name": "default",
        "deal_stage": "closedwon",
        "amount": 12000.0,
        "forecast_category": "COMMIT",
        "owner_key": "101",
        "close_date": ts("2024-03-08 16:00"),
        "created_at": ts("2024-03-05 09:00"),
        "updated_at": ts("2024-03-08 16:00"),
    },
    {
        "deal_id": 7002,
        "pipeline_name": "default",
        "deal_stage": "closedlost",
        "amount": 5000.0,
        "forecast_category": "PIPELINE",
        "owner_key": "101",
        "close_date": ts("2024-03-07 12:00"),
        "created_at": ts("2024-03-06 11:00"),
        "updated_at": ts("2024-03-07 12:00"),
    },
]

HUBSPOT_DEAL_STAGE_HISTORY = [
    {
        "deal_id": 7001,
        "deal_stage": "appointmentscheduled",
        "entered_at": ts("2024-03-05 09:00"),
        "change_source": "CRM_UI",
    },
    {
        "deal_id": 7001,
        "deal_stage": "qualifiedtobuy",
        "entered_at": ts("2024-03-06 10:00"),
        "change_source": "CRM_UI",
    },
    {
        "deal_id": 7001,
        "deal_stage": "closedwon",
        "entered_at": ts("2024-03-08 16:00"),
        "change_source": "CRM_UI",
    },
    {
        "deal_id": 7002,
        "deal_stage": "appointmentscheduled",
        "entered_at": ts("2024-03-06 11:00"),
        "change_source": "CRM_UI",
    },
    {
        "deal_id": 7002,
        "deal_stage": "closedlost",
        "entered_at": ts("2024-03-07 12:00"),
        "change_source": "AUTOMATION_PLATFORM",
    },
]


def engagement(engagement_id, kind, at, contact_id=None, deal_id=None, outcome=None):
    return {
        "engagement_id": engagement_id,
        "engagement_type": kind,
        "owner_key": "101",
        "occurred_at": ts(at),
        "created_at": ts(at),
        "contact_id": contact_id,
        "deal_id": deal_id,
        "meeting_outcome": outcome,
        "call_status": None,
        "duration_ms": 1_800_000 if kind == "MEETING" else None,
    }


HUBSPOT_ENGAGEMENTS = [
    engagement(60005, "NOTE", "2024-03-04 10:10", contact_id=9001),
    engagement(60001, "CALL", "2024-03-04 10:25", contact_id=9001),
    engagement(60002, "EMAIL", "2024-03-04 12:00", contact_id=9001),
    engagement(
        60003, "MEETING", "2024-03-06 10:00", contact_id=9001, deal_id=7001, outcome="COMPLETED"
    ),
    engagement(
        60004, "MEETING", "2024-03-07 15:00", contact_id=9001, deal_id=7001, outcome="NO_SHOW"
    ),
]


def calendar_event(
    event_id,
    status="confirmed",
    start=None,
    end=None,
    start_date=None,
    end_date=None,
    attendees=(),
    organizer="alice@example.com",
):
    event = {
        "event_id": event_id,
        "event_status": status,
        "recurring_event_id": None,
        "organizer_person_key": organizer,
        "has_agenda": True,
        "has_conference": True,
        "event_type": "default",
        "transparency": None,
        "start_at": ts(start) if start else None,
        "end_at": ts(end) if end else None,
        "start_date": start_date,
        "end_date": end_date,
        "start_time_zone": "Europe/Berlin",
        "attendee_count": len(attendees),
        "created_at": ts("2024-03-01 09:00"),
        "updated_at": ts("2024-03-01 09:00"),
    }
    rows = [
        {
            "event_id": event_id,
            "attendee_key": email,
            "response_status": response,
            "is_organizer": email == organizer or None,
            "is_resource": resource or None,
            "is_optional": None,
            "updated_at": ts("2024-03-01 09:00"),
        }
        for email, response, resource in attendees
    ]
    return event, rows


TEAM = [("alice@example.com", "accepted", False), ("bob@example.com", "accepted", False)]
CALENDAR = [
    # Held: 3 people and a room (the room is not an attendee).
    calendar_event(
        "ev1",
        start="2024-03-05 10:00",
        end="2024-03-05 11:00",
        attendees=[
            *TEAM,
            ("carol@example.com", "tentative", False),
            ("room-1@resource.test", "accepted", True),
        ],
    ),
    calendar_event("ev2", start_date=date(2024, 3, 6), end_date=date(2024, 3, 7), attendees=TEAM),
    calendar_event(
        "ev3", status="cancelled", start="2024-03-06 10:00", end="2024-03-06 10:30", attendees=TEAM
    ),
    calendar_event("ev4", start="2024-03-06 14:00", end="2024-03-06 15:00", attendees=[TEAM[0]]),
    calendar_event("ev5", start="2024-03-07 08:00", end="2024-03-07 17:00", attendees=TEAM),
    calendar_event("ev6", start="2030-01-07 10:00", end="2030-01-07 11:00", attendees=TEAM),
]
CALENDAR_EVENTS = [event for event, _ in CALENDAR]
CALENDAR_EVENT_ATTENDEES = [row for _, rows in CALENDAR for row in rows]

ROWS: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("roster", "users"): ROSTER_USERS,
    ("roster", "people_identity"): PEOPLE_IDENTITY,
    ("github", "users"): GITHUB_USERS,
    ("github", "pull_requests"): GITHUB_PULL_REQUESTS,
    ("github", "reviews"): GITHUB_REVIEWS,
    ("github", "commits"): GITHUB_COMMITS,
    ("github", "deployments"): GITHUB_DEPLOYMENTS,
    ("github", "deployment_statuses"): GITHUB_DEPLOYMENT_STATUSES,
    ("github", "workflow_runs"): GITHUB_WORKFLOW_RUNS,
    ("jira", "users"): JIRA_USERS,
    ("jira", "issues"): JIRA_ISSUES,
    ("jira", "issue_links"): JIRA_ISSUE_LINKS,
    ("jira", "changelog_items"): JIRA_CHANGELOG_ITEMS,
    ("pagerduty", "users"): PAGERDUTY_USERS,
    ("pagerduty", "incidents"): PAGERDUTY_INCIDENTS,
    ("zendesk", "users"): ZENDESK_USERS,
    ("zendesk", "tickets"): ZENDESK_TICKETS,
    ("zendesk", "ticket_audit_events"): ZENDESK_AUDIT_EVENTS,
    ("zendesk", "satisfaction_ratings"): ZENDESK_SATISFACTION_RATINGS,
    ("hubspot", "owners"): HUBSPOT_OWNERS,
    ("hubspot", "contacts"): HUBSPOT_CONTACTS,
    ("hubspot", "deals"): HUBSPOT_DEALS,
    ("hubspot", "deal_stage_history"): HUBSPOT_DEAL_STAGE_HISTORY,
    ("hubspot", "engagements"): HUBSPOT_ENGAGEMENTS,
    ("calendar", "events"): CALENDAR_EVENTS,
    ("calendar", "event_attendees"): CALENDAR_EVENT_ATTENDEES,
}


def build(path: Path) -> dict[str, int]:
    """Create the fixture warehouse at `path` (replacing it); return row counts."""
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = {}
    con = duckdb.connect(str(path), config={"storage_compatibility_version": "v1.4.0"})
    try:
        for policy in load_policies():
            for table in policy.tables:
                schema = policy.dataset_for(table)
                ddl = [f"{column.name} {SQL_TYPES[column.output_type]}" for column in table.columns]
                ddl += [f"{LOADED_AT_COLUMN} timestamp", "_dlt_load_id varchar", "_dlt_id varchar"]
                con.execute(f"create schema if not exists {schema}")
                con.execute(f"create table {schema}.{table.name} ({', '.join(ddl)})")
                rows = ROWS.get((policy.source, table.name), [])
                names = {column.name for column in table.columns}
                for index, row in enumerate(rows):
                    unknown = set(row) - names
                    if unknown:
                        raise ValueError(f"{policy.source}.{table.name}: not in policy: {unknown}")
                    values = []
                    for column in table.columns:
                        value = row.get(column.name)
                        if column.action == "pseudonymize" and value is not None:
                            value = pseudonymize(
                                str(value), FIXTURE_SALT, column.kind or "account", policy.source
                            )
                        values.append(value)
                    row_id = hashlib.md5(f"{schema}.{table.name}:{index}".encode()).hexdigest()
                    values += [LOADED_AT, LOAD_ID, row_id[:14]]
                    placeholders = ", ".join("?" for _ in values)
                    con.execute(
                        f"insert into {schema}.{table.name} values ({placeholders})", values
                    )
                counts[f"{schema}.{table.name}"] = len(rows)
    finally:
        con.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="DuckDB file to create (replaced if present)")
    args = parser.parse_args()
    for table, count in build(args.path).items():
        print(f"{table}: {count} rows")


if __name__ == "__main__":
    main()
