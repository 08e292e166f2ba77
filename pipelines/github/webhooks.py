"""GitHub webhook deliveries (docs/webhooks.md).

Signed with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>` under
the webhook's secret; GitHub signs no timestamp, so a replay is recognised by
its `X-GitHub-Delivery` id (a redelivery keeps its id and lands once).

`pull_request` events carry the whole pull request in its REST shape (the
export's pull_requests.jsonl); `pull_request_review` events carry the review,
whose `state` GitHub writes in lower case in webhooks and in upper case in
the REST API the export follows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pipelines.common.webhooks import header, hex_signature_matches

SECRET_KEY = "webhook_secret"  # [sources.github] webhook_secret in .dlt/secrets.toml


def verify(headers, body: bytes, secret: str, now: dt.datetime) -> str | None:
    if not header(headers, "X-Hub-Signature-256"):
        return "no X-Hub-Signature-256 header"
    if not hex_signature_matches(secret, body, header(headers, "X-Hub-Signature-256"), "sha256="):
        return "X-Hub-Signature-256 does not match the body under the webhook secret"
    return None


def delivery_id(headers, body: bytes) -> str | None:
    return header(headers, "X-GitHub-Delivery")


def records(headers, payload: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    event = header(headers, "X-GitHub-Event")
    pull_request = payload.get("pull_request")
    if event == "pull_request" and isinstance(pull_request, dict):
        return {"pull_requests.jsonl": [pull_request]}
    review = payload.get("review")
    if event == "pull_request_review" and isinstance(review, dict) and pull_request:
        state = review.get("state")
        return {
            "reviews.jsonl": [
                {
                    **review,
                    "state": state.upper() if isinstance(state, str) else state,
                    "pull_request_id": pull_request.get("id"),
                }
            ],
            "pull_requests.jsonl": [pull_request],
        }
    return {}
