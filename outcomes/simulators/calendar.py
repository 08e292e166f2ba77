"""Google Calendar API v3 `events.list`, as documented (developers.google.com/calendar,
"Events: list" and "Synchronize resources efficiently").

- Auth: `Authorization: Bearer <OAuth access token>`. A service account gets
  one at its `token_uri` (`POST /token`, `grant_type=
  urn:ietf:params:oauth:grant-type:jwt-bearer`, `assertion=<RS256 JWT>` with
  `iss`, `sub` (the user impersonated), `scope`, `aud` = the token URI,
  `iat`, `exp`); played here when a test sets `service_account_key` (the
  account's public key).
- `GET /calendars/{calendarId}/events`: `maxResults` (default 250, at most
  2500), `pageToken`/`nextPageToken`; the last page of a listing carries
  `nextSyncToken` instead. `singleEvents=true` lists the instances of
  recurring events (the export's shape). `showDeleted=true` includes
  cancelled events; `timeMin` keeps events that end after it.
- Incremental sync: `syncToken` returns every event changed since the token
  was handed out, cancelled ones included; it cannot be combined with
  `timeMin`, `timeMax`, `updatedMin`, `q`, `orderBy` or `iCalUID` (400
  `syncTokenWithRequestRestrictions`), nor with `showDeleted=false`. An
  expired token answers 410 Gone (`fullSyncRequired`): the client drops it
  and syncs in full again. The answer also has the calendar's `updated`,
  `timeZone` and `kind: calendar#events`.
- Each meeting of the demo sits on its organizer's calendar (calendar id =
  the organizer's email, as a user's primary calendar).
- Faults: `expired_token` answers 410 Gone once (to a request with a
  `syncToken`); `rate_limit_403` answers Google's quota error (403
  `rateLimitExceeded`, no Retry-After: the client backs off).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

from outcomes.simulators.server import (
    Fault,
    Record,
    Request,
    Response,
    Simulator,
    latest,
    parse_time,
    read_jsonl,
    route,
)

DEFAULT_PAGE = 250
MAX_PAGE = 2500
EVENTS = route("/calendars/{calendar}/events")
RESTRICTED = ("timeMin", "timeMax", "updatedMin", "q", "orderBy", "iCalUID")
SCOPE = "https://www.googleapis.com/auth/calendar.readonly"


def google_error(status: int, reason: str, message: str) -> Response:
    return Response(
        status,
        {
            "error": {
                "errors": [{"domain": "global", "reason": reason, "message": message}],
                "code": status,
                "message": message,
            }
        },
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CalendarSimulator(Simulator):
    tool = "calendar"
    service_account_key: Any = None  # a cryptography RSA public key: the token endpoint is on

    def __init__(self, exports: Path, now: dt.datetime | None = None) -> None:
        super().__init__(exports)
        self.now = now or dt.datetime.now(dt.UTC)
        self.events = latest(
            read_jsonl(exports / "events.jsonl"),
            lambda r: r.get("id"),
            lambda r: r.get("updated"),
        )
        # a change counter: each event remembers the change that last touched it
        self.version = 1
        self.changed_at: dict[int, int] = {id(r): 1 for r in self.events}
        self.expired_before = 0  # tokens older than this version answer 410
        self.grants: list[dict[str, Any]] = []  # the JWT claims of each token exchange
        self.by_calendar: dict[str | None, list[Record]] = {}
        for record in self.events:
            self.by_calendar.setdefault(self.calendar_of(record), []).append(record)

    def credentials(self) -> dict[str, str]:
        return {"SOURCES__CALENDAR__ACCESS_TOKEN": self.token}

    def calendar_of(self, record: Record) -> str | None:
        return (record.get("organizer") or {}).get("email")

    def calendars(self) -> list[str]:
        return sorted(c for c in self.by_calendar if c)

    def demo_scope(self) -> dict[str, Any]:
        return {"calendars": tuple(self.calendars())}

    # -- changes a test makes between two pulls ------------------------------------

    def _touch(self, record: Record, updated: str | None) -> None:
        self.version += 1
        self.changed_at[id(record)] = self.version
        record["updated"] = updated or self.now.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def update_event(self, event_id: str, updated: str | None = None, **changes: Any) -> Record:
        for record in self.events:
            if record.get("id") == event_id:
                record.update(changes)
                self._touch(record, updated)
                return record
        raise KeyError(event_id)

    def cancel_event(self, event_id: str, updated: str | None = None) -> Record:
        """A deleted event: it stays, with status cancelled (what a sync reports)."""
        return self.update_event(event_id, updated, status="cancelled")

    def add_event(self, record: Record) -> None:
        self.events.append(record)
        self.by_calendar.setdefault(self.calendar_of(record), []).append(record)
        self._touch(record, record.get("updated"))

    def expire_tokens(self) -> None:
        """Every sync token handed out so far is now too old (410 Gone)."""
        self.expired_before = self.version + 1
        self.version += 1

    # -- the API ------------------------------------------------------------------

    def authorized(self, request: Request) -> bool:
        if request.path == "/token" and self.service_account_key is not None:
            return True
        return super().authorized(request)

    def tool_fault(self, fault: Fault, request: Request) -> Response | None:
        if fault.kind == "forbidden":
            return google_error(403, "forbidden", "Not allowed to read this calendar: forbidden")
        if fault.kind == "rate_limit_403":
            return google_error(403, "rateLimitExceeded", "Rate Limit Exceeded")
        if fault.kind == "expired_token":
            return google_error(
                410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required."
            )
        return None

    def handle(self, request: Request) -> Response:
        if request.path == "/token" and request.method == "POST":
            return self._token(request)
        match = EVENTS.match(request.path)
        if not match:
            raise LookupError(request.path)
        calendar = unquote(match["calendar"])
        if calendar not in self.by_calendar:
            return google_error(404, "notFound", "Not Found")
        return self._events(request, calendar)

    def _events(self, request: Request, calendar: str) -> Response:
        sync = request.arg("syncToken")
        page_token = request.arg("pageToken")
        if sync and any(request.arg(p) for p in RESTRICTED):
            return google_error(
                400,
                "syncTokenWithRequestRestrictions",
                "Sync token cannot be used with other request restrictions.",
            )
        show_deleted = request.arg("showDeleted") == "true"
        if sync and not show_deleted and request.arg("showDeleted") is not None:
            return google_error(
                400,
                "syncTokenWithRequestRestrictions",
                "Sync token cannot be used with other request restrictions.",
            )
        if page_token:  # the listing's snapshot and position
            try:
                state = json.loads(_unb64(page_token))
                after, snapshot, offset = state["after"], state["snapshot"], state["offset"]
            except (ValueError, KeyError, TypeError):
                return google_error(400, "invalid", "Invalid page token value.")
        else:
            offset, snapshot = 0, self.version
            after = 0
            if sync:
                try:
                    token = json.loads(_unb64(sync))
                    after = int(token["version"])
                    assert token["calendar"] == calendar
                except (ValueError, KeyError, TypeError, AssertionError):
                    return google_error(400, "invalid", "Invalid sync token value.")
                if after < self.expired_before:
                    return google_error(
                        410,
                        "fullSyncRequired",
                        "Sync token is no longer valid, a full sync is required.",
                    )
        items = [
            r for r in self.by_calendar[calendar] if after < self.changed_at[id(r)] <= snapshot
        ]
        if not sync and not (page_token and after):
            if not show_deleted:
                items = [r for r in items if r.get("status") != "cancelled"]
            time_min = parse_time(request.arg("timeMin"))
            if time_min is not None:
                items = [r for r in items if _ends_after(r, time_min)]
        size = min(max(request.int_arg("maxResults", DEFAULT_PAGE), 1), MAX_PAGE)
        page = items[offset : offset + size]
        body: dict[str, Any] = {
            "kind": "calendar#events",
            "etag": f'"p{snapshot}"',
            "summary": calendar,
            "updated": self.now.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "timeZone": "UTC",
            "accessRole": "owner",
            "defaultReminders": [],
            "items": page,
        }
        if offset + size < len(items):
            state = {"after": after, "snapshot": snapshot, "offset": offset + size}
            body["nextPageToken"] = _b64(json.dumps(state).encode())
        else:
            token = {"calendar": calendar, "version": snapshot}
            body["nextSyncToken"] = _b64(json.dumps(token).encode())
        return Response(200, body)

    def _token(self, request: Request) -> Response:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        form = parse_qs(request.body if isinstance(request.body, str) else "")
        grant = (form.get("grant_type") or [""])[0]
        assertion = (form.get("assertion") or [""])[0]
        if grant != "urn:ietf:params:oauth:grant-type:jwt-bearer" or assertion.count(".") != 2:
            return Response(400, {"error": "invalid_request", "error_description": "Bad Request"})
        head, claims_text, signature = assertion.split(".")
        try:
            self.service_account_key.verify(
                _unb64(signature),
                f"{head}.{claims_text}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
            claims = json.loads(_unb64(claims_text))
        except (InvalidSignature, ValueError):
            return Response(
                400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
            )
        now = dt.datetime.now(dt.UTC).timestamp()
        if (
            claims.get("aud") != f"{self.base_url}/token"
            or SCOPE not in str(claims.get("scope", "")).split()
            or not claims.get("iat", 0) - 300 <= now <= claims.get("exp", 0)
        ):
            return Response(
                400, {"error": "invalid_grant", "error_description": "Invalid JWT claims."}
            )
        self.grants.append(claims)
        return Response(
            200, {"access_token": self.token, "expires_in": 3599, "token_type": "Bearer"}
        )


def _ends_after(record: Record, moment: dt.datetime) -> bool:
    end = record.get("end") or {}
    if end.get("dateTime"):
        parsed = parse_time(end["dateTime"])
        return parsed is None or parsed > moment
    if end.get("date"):
        return dt.date.fromisoformat(end["date"]) > moment.date()
    return True


SIMULATOR = CalendarSimulator
