"""Messages and their delivery: Slack-compatible and Microsoft Teams incoming
webhooks and generic JSON webhooks (docs/nudges.md#channels).

Each message is one signed POST (`outcomes.nudges.signing`), retried with
exponential backoff on the statuses and network errors the API sources retry
(`pipelines.common.http.RETRY_STATUS`, `RETRY_EXCEPTIONS`, `Retry-After`
honoured), re-signed with a fresh timestamp on each attempt and the same
delivery id. A team channel's text names the item, the wait and the rule,
never a person; only a direct message goes to a person, about their own item.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from outcomes.nudges.policy import Candidate
from outcomes.nudges.signing import signed_headers
from pipelines.common.http import RETRY_EXCEPTIONS, RETRY_STATUS, _header_wait

SUBJECT_WORDS = {
    "pull_request": "Pull request",
    "case": "Ticket",
    "task": "Work item",
    "lead": "Lead",
    "queue": "Queue",
    "meeting_series": "Recurring meeting",
}


@dataclass(frozen=True)
class Endpoint:
    """A channel's URL and signing secret (from dlt secrets)."""

    url: str
    signing_secret: str


@dataclass
class Attempts:
    statuses: list[int | None] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return (
            bool(self.statuses)
            and self.statuses[-1] is not None
            and (200 <= self.statuses[-1] < 300)
        )


def link(candidate: Candidate, templates: dict[str, str]) -> str | None:
    """The item's address from the `links:` template of its source, if any."""
    template = templates.get(candidate.source_system or "")
    if not template or not candidate.subject_ref:
        return None
    ref = candidate.subject_ref
    repo, _, number = ref.partition("#")
    try:
        return template.format(ref=ref, id=candidate.subject_id, repo=repo, number=number)
    except (KeyError, IndexError):
        return None


def line(candidate: Candidate, templates: dict[str, str]) -> str:
    word = SUBJECT_WORDS.get(candidate.subject_type, candidate.subject_type)
    ref = candidate.subject_ref or candidate.subject_id
    text = f"[{candidate.severity}] {word} {ref}: {candidate.reason}"
    if candidate.wait_hours is not None and candidate.subject_type != "meeting_series":
        text += f" (waiting {candidate.wait_hours:.1f} h"
        if candidate.threshold is not None:
            text += f"; threshold {candidate.threshold:g} {candidate.threshold_unit or ''}".rstrip()
        text += ")"
    url = link(candidate, templates)
    return f"{text} {url}" if url else text


def item(candidate: Candidate, templates: dict[str, str]) -> dict:
    return {
        "rule_id": candidate.rule_id,
        "subject_type": candidate.subject_type,
        "subject_id": candidate.subject_id,
        "subject_ref": candidate.subject_ref,
        "source_system": candidate.source_system,
        "link": link(candidate, templates),
        "reason_code": candidate.reason_code,
        "reason": candidate.reason,
        "severity": candidate.severity,
        "wait_hours": candidate.wait_hours,
        "threshold": candidate.threshold,
        "threshold_unit": candidate.threshold_unit,
        "first_seen_at": candidate.first_seen_at.isoformat() if candidate.first_seen_at else None,
        "text": line(candidate, templates),
    }


def body(
    kind: str,
    message_id: str,
    candidates: list[Candidate],
    templates: dict[str, str],
    is_digest: bool,
    recipient: dict,
) -> bytes:
    """The request body for a channel kind: slack, teams or webhook."""
    lines = [line(c, templates) for c in candidates]
    if recipient.get("type") == "person":
        title = "Waiting on you" if not is_digest else "Your nudges"
    else:
        title = "Daily digest" if is_digest else "Nudge"
        title += f" for team {recipient['team_id']}"
    text = f"*{title}*\n" + "\n".join(f"• {x}" for x in lines)
    if kind == "slack":
        payload: dict = {"text": text}
    elif kind == "teams":
        payload = {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": title,
            "title": title,
            "text": "\n\n".join(lines),
        }
    else:
        payload = {
            "message_id": message_id,
            "kind": "digest" if is_digest else "nudge",
            "recipient": recipient,
            "nudges": [item(c, templates) for c in candidates],
        }
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def post(
    endpoint: Endpoint,
    payload: bytes,
    message_id: str,
    max_attempts: int = 5,
    backoff_seconds: float = 1.0,
    timeout_seconds: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> Attempts:
    """POST one signed message, retrying 429/5xx and network errors with backoff."""
    attempts = Attempts()
    for attempt in range(max_attempts):
        headers = signed_headers(endpoint.signing_secret, payload, message_id, int(clock()))
        response = None
        try:
            response = requests.post(
                endpoint.url, data=payload, headers=headers, timeout=timeout_seconds
            )
        except RETRY_EXCEPTIONS as exc:
            attempts.statuses.append(None)
            attempts.error = type(exc).__name__
        else:
            attempts.statuses.append(response.status_code)
            if response.status_code not in RETRY_STATUS:
                attempts.error = None if attempts.ok else f"HTTP {response.status_code}"
                return attempts
            attempts.error = f"HTTP {response.status_code}"
        if attempt + 1 < max_attempts:
            wait = _header_wait(response)
            sleep(min(wait if wait is not None else backoff_seconds * 2**attempt, 60.0))
    return attempts


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
