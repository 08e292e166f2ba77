"""Zendesk webhook deliveries (docs/webhooks.md).

Signed with `X-Zendesk-Webhook-Signature: base64(HMAC-SHA256(timestamp +
body))` under the webhook's signing secret, where the timestamp is
`X-Zendesk-Webhook-Signature-Timestamp` (ISO 8601): a delivery signed more
than 5 minutes ago is a replay. The event's own `id` names the delivery.

Ticket events (`zen:event-type:ticket.*`) carry the ticket's current fields
in `detail`, with ids as strings and the status and priority capitalised;
they become a ticket record of the export's tickets.jsonl (ids as numbers,
status and priority in lower case, as the Support API writes them). The
ticket's audits (its status history) come with the next incremental pull.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pipelines.common.webhooks import base64_signature_matches, header, stale

SECRET_KEY = "webhook_secret"  # [sources.zendesk] webhook_secret in .dlt/secrets.toml
TICKET_FIELDS = (
    "id",
    "status",
    "priority",
    "type",
    "via",
    "requester_id",
    "submitter_id",
    "assignee_id",
    "group_id",
    "tags",
    "created_at",
    "updated_at",
)
_ID_FIELDS = {"id", "requester_id", "submitter_id", "assignee_id", "group_id"}


def _parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def verify(headers, body: bytes, secret: str, now: dt.datetime) -> str | None:
    signature = header(headers, "X-Zendesk-Webhook-Signature")
    stamp = header(headers, "X-Zendesk-Webhook-Signature-Timestamp")
    if not signature or not stamp:
        return "no X-Zendesk-Webhook-Signature or X-Zendesk-Webhook-Signature-Timestamp header"
    if not base64_signature_matches(secret, stamp.encode() + body, signature):
        return "X-Zendesk-Webhook-Signature does not match the timestamp and body"
    return stale(_parse_time(stamp), now)


def delivery_id(headers, body: bytes) -> str | None:
    import orjson

    try:
        event_id = orjson.loads(body).get("id")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return None if event_id is None else str(event_id)


def _number(value: Any) -> Any:
    """Zendesk's event ids are strings, "0" meaning none (a ticket with no group)."""
    if value in ("", "0", 0):
        return None
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def records(headers, payload: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    kind = payload.get("type")
    detail = payload.get("detail")
    if not (isinstance(kind, str) and kind.startswith("zen:event-type:ticket.")):
        return {}
    if not isinstance(detail, dict) or detail.get("id") in (None, ""):
        return {}
    ticket: dict[str, Any] = {}
    for name in TICKET_FIELDS:
        if name not in detail:
            continue
        value = detail[name]
        if name in _ID_FIELDS:
            value = _number(value)
        elif name in {"status", "priority", "type"} and isinstance(value, str):
            value = value.lower()
        ticket[name] = value
    return {"tickets.jsonl": [ticket]}
