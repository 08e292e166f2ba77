"""Jira Cloud webhook deliveries (docs/webhooks.md).

An admin-registered webhook with a secret is signed with
`X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>` (WebSub's
method=signature). Jira signs no header timestamp; the body's `timestamp`
(epoch milliseconds) is covered by the signature, so a delivery signed more
than 5 minutes ago is a replay. `X-Atlassian-Webhook-Identifier` names the
delivery.

`jira:issue_created` / `jira:issue_updated` carry the issue in its REST v3
shape (the export's issues.jsonl) and, for an update, the changelog entry
that made it (changelogs.jsonl: id, issueId, author, created, items);
`jira:issue_deleted` marks the issue deleted, as the API loader's sweep does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pipelines.common.webhooks import header, hex_signature_matches, stale

SECRET_KEY = "webhook_secret"  # [sources.jira] webhook_secret in .dlt/secrets.toml


def _signed_at(payload: dict[str, Any]) -> dt.datetime | None:
    stamp = payload.get("timestamp")
    if not isinstance(stamp, int | float):
        return None
    return dt.datetime.fromtimestamp(stamp / 1000, dt.UTC).replace(tzinfo=None)


def verify(headers, body: bytes, secret: str, now: dt.datetime) -> str | None:
    signature = header(headers, "X-Hub-Signature")
    if not signature:
        return "no X-Hub-Signature header"
    if not hex_signature_matches(secret, body, signature, "sha256="):
        return "X-Hub-Signature does not match the body under the webhook secret"
    import orjson

    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return "the body is not JSON"
    return stale(_signed_at(payload), now)


def delivery_id(headers, body: bytes) -> str | None:
    return header(headers, "X-Atlassian-Webhook-Identifier")


def _created(payload: dict[str, Any]) -> str | None:
    at = _signed_at(payload)
    return None if at is None else at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def records(headers, payload: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    event = payload.get("webhookEvent")
    issue = payload.get("issue")
    if not isinstance(issue, dict):
        return {}
    if event == "jira:issue_deleted":
        return {"issues.jsonl": [{**issue, "deleted": True}]}
    if event not in {"jira:issue_created", "jira:issue_updated"}:
        return {}
    out: dict[str, list[dict[str, Any]]] = {"issues.jsonl": [issue]}
    changelog = payload.get("changelog")
    if isinstance(changelog, dict) and changelog.get("items"):
        out["changelogs.jsonl"] = [
            {
                "id": changelog.get("id"),
                "issueId": issue.get("id"),
                "author": payload.get("user"),
                "created": _created(payload),
                "items": changelog["items"],
            }
        ]
    return out
