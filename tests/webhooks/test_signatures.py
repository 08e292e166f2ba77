"""Each tool's own signature scheme, checked on hand-built deliveries
(pipelines/<tool>/webhooks.py, docs/webhooks.md)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json

import pytest

from pipelines.github import webhooks as github
from pipelines.jira import webhooks as jira
from pipelines.zendesk import webhooks as zendesk

SECRET = "It's a Secret to Everybody"
NOW = dt.datetime(2026, 12, 2, 10, 0, 0)


def hex_sig(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_github_example_from_its_documentation():
    # GitHub's documented test vector: secret "It's a Secret to Everybody",
    # payload "Hello, World!".
    body = b"Hello, World!"
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert hex_sig(SECRET, body) == expected
    assert github.verify({"X-Hub-Signature-256": expected}, body, SECRET, NOW) is None


@pytest.mark.parametrize(
    ("headers", "body", "secret", "reason"),
    [
        ({}, b"{}", SECRET, "no X-Hub-Signature-256"),
        ({"X-Hub-Signature-256": hex_sig(SECRET, b"{}")}, b'{"a":1}', SECRET, "does not match"),
        ({"X-Hub-Signature-256": hex_sig("wrong", b"{}")}, b"{}", SECRET, "does not match"),
        ({"X-Hub-Signature-256": hex_sig(SECRET, b"{}")[7:]}, b"{}", SECRET, "does not match"),
    ],
    ids=["missing", "tampered body", "wrong secret", "no sha256= prefix"],
)
def test_github_refuses(headers, body, secret, reason):
    assert reason in github.verify(headers, body, secret, NOW)


def jira_body(at: dt.datetime) -> bytes:
    stamp = int(at.replace(tzinfo=dt.UTC).timestamp() * 1000)
    return json.dumps({"timestamp": stamp, "webhookEvent": "jira:issue_updated"}).encode()


def test_jira_accepts_a_fresh_signed_body_and_refuses_a_replay():
    fresh = jira_body(NOW - dt.timedelta(seconds=30))
    assert jira.verify({"x-hub-signature": hex_sig(SECRET, fresh)}, fresh, SECRET, NOW) is None
    old = jira_body(NOW - dt.timedelta(minutes=6))
    reason = jira.verify({"X-Hub-Signature": hex_sig(SECRET, old)}, old, SECRET, NOW)
    assert "replay" in reason
    tampered = fresh.replace(b"issue_updated", b"issue_deleted")
    reason = jira.verify({"X-Hub-Signature": hex_sig(SECRET, fresh)}, tampered, SECRET, NOW)
    assert "does not match" in reason


def zendesk_headers(secret: str, stamp: str, body: bytes) -> dict[str, str]:
    digest = hmac.new(secret.encode(), stamp.encode() + body, hashlib.sha256).digest()
    return {
        "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }


def test_zendesk_signs_the_timestamp_with_the_body():
    body = b'{"type":"zen:event-type:ticket.created"}'
    stamp = "2026-12-02T09:59:00Z"
    assert zendesk.verify(zendesk_headers(SECRET, stamp, body), body, SECRET, NOW) is None
    # the same signature under another timestamp does not verify
    moved = {**zendesk_headers(SECRET, stamp, body)}
    moved["X-Zendesk-Webhook-Signature-Timestamp"] = "2026-12-02T09:59:30Z"
    assert "does not match" in zendesk.verify(moved, body, SECRET, NOW)
    old = "2026-12-02T09:50:00Z"
    assert "replay" in zendesk.verify(zendesk_headers(SECRET, old, body), body, SECRET, NOW)
    assert "does not match" in zendesk.verify(zendesk_headers("x", stamp, body), body, SECRET, NOW)
    assert "no X-Zendesk" in zendesk.verify({}, body, SECRET, NOW)


def test_events_map_to_export_records():
    pr = {"id": 7, "number": 3, "state": "open"}
    review = {"id": 9, "state": "approved", "submitted_at": "2026-12-01T10:00:00Z"}
    got = github.records(
        {"X-GitHub-Event": "pull_request_review"}, {"review": review, "pull_request": pr}
    )
    assert got["reviews.jsonl"] == [{**review, "state": "APPROVED", "pull_request_id": 7}]
    assert got["pull_requests.jsonl"] == [pr]
    assert github.records({"X-GitHub-Event": "star"}, {"action": "created"}) == {}
    ticket = zendesk.records(
        {},
        {
            "type": "zen:event-type:ticket.status_changed",
            "detail": {
                "id": "35436",
                "status": "OPEN",
                "priority": "HIGH",
                "assignee_id": "42",
                "group_id": "0",
                "subject": "never kept",
            },
        },
    )
    assert ticket == {
        "tickets.jsonl": [
            {"id": 35436, "status": "open", "priority": "high", "assignee_id": 42, "group_id": None}
        ]
    }
    issue = {"id": "10001", "key": "PAYM-1", "fields": {}}
    deleted = jira.records({}, {"webhookEvent": "jira:issue_deleted", "issue": issue})
    assert deleted == {"issues.jsonl": [{**issue, "deleted": True}]}
