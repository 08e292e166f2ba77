"""Google Calendar API v3: the events of a list of calendars, synced by `syncToken`.

Settings (`outcomes.yml`, `sources.calendar.api`): `calendars` (a list of
calendar ids: people's primary calendars are their email addresses),
`base_url` (default https://www.googleapis.com/calendar/v3) and `start_date`
(the first full sync lists events ending after it).

Credentials (dlt secrets, `[sources.calendar]` or `SOURCES__CALENDAR__...`):
either `access_token` (an OAuth access token with the
calendar.readonly scope), or `service_account_json` (the JSON key of a
service account with domain-wide delegation, its text or a file path) with
`subject` (the user it acts as; default: each calendar id in turn, so every
person's primary calendar is read as that person).

Each calendar is synced as Google documents it: a full sync
(`singleEvents=true`, `showDeleted=true`, `timeMin=start_date`) pages by
`pageToken` to the last page, whose `nextSyncToken` is kept per calendar in
the stream's state; the next run passes `syncToken` and gets only the events
changed since, cancelled ones included (status `cancelled`: they land as
such, as the export's cancelled events do). A 410 Gone (token expired) drops
the token and syncs that calendar in full again. A token only counts once
its load is published (see `pipelines.common.api`), so a pull that dies part
way syncs again from the last published tokens.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from outcomes.config import ApiConfig
from outcomes.errors import OutcomesError
from pipelines.common.api import Pull, format_cursor, secret
from pipelines.common.http import ApiClient, ApiError, error_message

DEFAULT_BASE_URL = "https://www.googleapis.com/calendar/v3"
SCOPE = "https://www.googleapis.com/auth/calendar.readonly"
PAGE = 2500
STREAM = "events.jsonl"
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
RATE_ATTEMPTS = 6


class _Calendars:
    """One API client per identity: a service account impersonates each calendar's owner."""

    def __init__(self, api: ApiConfig) -> None:
        self.base_url = (api.base_url or DEFAULT_BASE_URL).rstrip("/")
        self.token = secret("calendar", "access_token", required=False)
        self.account: dict[str, Any] | None = None
        if self.token is None:
            self.account = _service_account()
        self.subject = secret("calendar", "subject", required=False)
        self._clients: dict[str | None, ApiClient] = {}
        self.log: Any = None  # one request log for every identity

    def client(self, calendar: str | None = None) -> ApiClient:
        who = None if self.account is None or self.subject else calendar
        if who not in self._clients:
            token = self.token or _exchange(self.account or {}, self.subject or who)
            made = ApiClient(
                "calendar", self.base_url, headers={"Authorization": f"Bearer {token}"}
            )
            if self.log is None:
                self.log = made.log
            made.log = made._http._log = self.log
            self._clients[who] = made
        return self._clients[who]


def client(api: ApiConfig) -> ApiClient:
    calendars = _Calendars(api)
    first = calendars.client(None) if calendars.account is None or calendars.subject else None
    main = first or ApiClient("calendar", calendars.base_url)
    calendars.log = main.log
    main.log = main._http._log = calendars.log
    main.calendars = calendars  # type: ignore[attr-defined]
    return main


def _client_for(pull: Pull, calendar: str) -> ApiClient:
    calendars = getattr(pull.client, "calendars", None)
    if calendars is None:  # a client built by a test or a caller: one identity
        return pull.client
    return calendars.client(calendar)


# -- service accounts: an RS256 JWT exchanged at the token URI ---------------------


def _service_account() -> dict[str, Any]:
    text = secret("calendar", "service_account_json", required=False)
    if text is None:
        raise OutcomesError(
            "source 'calendar': no access_token or service_account_json set: put one in "
            ".dlt/secrets.toml under [sources.calendar], or export "
            "SOURCES__CALENDAR__ACCESS_TOKEN (or SOURCES__CALENDAR__SERVICE_ACCOUNT_JSON)"
        )
    if not text.lstrip().startswith("{"):
        path = Path(text).expanduser()
        if not path.is_file():
            raise OutcomesError(
                f"source 'calendar': service_account_json is neither JSON nor a file: {path}"
            )
        text = path.read_text()
    try:
        account = json.loads(text)
    except ValueError:
        raise OutcomesError("source 'calendar': service_account_json is not valid JSON") from None
    missing = [k for k in ("client_email", "private_key", "token_uri") if not account.get(k)]
    if missing:
        raise OutcomesError(f"source 'calendar': service_account_json has no {', '.join(missing)}")
    return account


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def service_account_jwt(account: dict[str, Any], subject: str | None, now: float) -> str:
    """The signed assertion of Google's OAuth 2.0 for server-to-server applications."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    key = serialization.load_pem_private_key(account["private_key"].encode(), password=None)
    header = {"alg": "RS256", "typ": "JWT"}
    if account.get("private_key_id"):
        header["kid"] = account["private_key_id"]
    claims: dict[str, Any] = {
        "iss": account["client_email"],
        "scope": SCOPE,
        "aud": account["token_uri"],
        "iat": int(now),
        "exp": int(now) + 3600,
    }
    if subject:
        claims["sub"] = subject
    signing = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
    return f"{signing}.{_b64(signature)}"


def _exchange(account: dict[str, Any], subject: str | None) -> str:
    assertion = service_account_jwt(account, subject, time.time())
    uri = account["token_uri"]
    try:
        answer = requests.post(
            uri,
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion": assertion,
            },
            timeout=60,
        )
    except requests.RequestException:
        raise ApiError("calendar", f"POST {uri}", None, "could not connect") from None
    if answer.status_code != 200:
        raise ApiError(
            "calendar",
            f"POST {uri} (service account {account['client_email']})",
            answer.status_code,
            error_message(answer),
        )
    return str(answer.json()["access_token"])


# -- events ---------------------------------------------------------------------------


def _calendars(pull: Pull) -> list[str]:
    value = pull.required_setting("calendars")
    return [value] if isinstance(value, str) else [str(c) for c in value]


def _sync(pull: Pull, calendar: str, token: str | None) -> Iterator[dict[str, Any]]:
    """One calendar's events, full or from `token`; sets its next token at the end."""
    api = _client_for(pull, calendar)
    path = f"/calendars/{quote(calendar, safe='@')}/events"
    base: dict[str, Any] = {"singleEvents": "true", "showDeleted": "true", "maxResults": PAGE}
    if token:
        base["syncToken"] = token
    else:
        start = pull.api.start_date
        if start:
            base["timeMin"] = format_cursor(dt.datetime.fromisoformat(start).replace(tzinfo=dt.UTC))
    page_token = None
    while True:
        params = {**base, **({"pageToken": page_token} if page_token else {})}
        answer = _get(api, path, params)
        if answer.status_code == 410:
            if not token:
                raise ApiError("calendar", f"GET {path}", 410, error_message(answer))
            pull.stream_state(STREAM).setdefault("sync_tokens", {}).pop(calendar, None)
            yield from _sync(pull, calendar, None)  # the token expired: sync in full
            return
        body = answer.json()
        for record in body.get("items") or []:
            if isinstance(record, dict) and record.get("status") == "cancelled":
                # a deleted event may come back with id and status only
                record.setdefault("updated", body.get("updated"))
            yield record
        page_token = body.get("nextPageToken")
        if not page_token:
            if body.get("nextSyncToken"):
                pull.stream_state(STREAM).setdefault("sync_tokens", {})[calendar] = body[
                    "nextSyncToken"
                ]
            return


def _rate_limited(answer: requests.Response) -> bool:
    """Google's quota answer: 403 (or 429) `rateLimitExceeded`/`userRateLimitExceeded`."""
    if answer.status_code != 403:
        return False
    try:
        errors = answer.json().get("error", {}).get("errors") or []
    except (ValueError, AttributeError):
        return False
    return any(e.get("reason") in RATE_REASONS for e in errors if isinstance(e, dict))


def _get(api: ApiClient, path: str, params: dict[str, Any]) -> requests.Response:
    """One page; a 403 quota answer is waited out with exponential backoff, as
    Google asks (429s and 5xx are the client's)."""
    wait = 1.0
    for _ in range(RATE_ATTEMPTS):
        answer = api.response(path, params, allow=(410, 403))
        if not _rate_limited(answer):
            break
        time.sleep(wait)
        api.log.retry_wait_seconds += wait
        wait = min(wait * 2, 32.0)
    if answer.status_code == 403:
        raise ApiError("calendar", f"GET {path}", 403, error_message(answer))
    return answer


def events(pull: Pull) -> Iterator[dict[str, Any]]:
    state = pull.stream_state(STREAM)
    tokens = state.setdefault("sync_tokens", {})
    for calendar in _calendars(pull):
        token = None if pull.full_refresh else tokens.get(calendar)
        yield from _sync(pull, calendar, token)
    pull.advance(STREAM, dt.datetime.now(dt.UTC))


STREAMS = {STREAM: events}


def check(pull: Pull) -> list[str]:
    calendars = _calendars(pull)
    first = calendars[0]
    api = _client_for(pull, first)
    body = api.get_json(
        f"/calendars/{quote(first, safe='@')}/events",
        {"maxResults": 1, "singleEvents": "true"},
    )
    tokens = pull.stream_state(STREAM).get("sync_tokens") or {}
    synced = sum(1 for c in calendars if c in tokens)
    start = pull.api.start_date or "the first event"
    return [
        f"reachable at {pull.client.base_url or api.base_url}, credentials accepted "
        f"({len(body.get('items') or [])} event on the first page of {first})",
        f"would fetch: events of {len(calendars)} calendar(s): {synced} by sync token "
        f"(changes only), {len(calendars) - synced} in full from {start}",
    ]
