"""Zendesk Support API, as documented (developer.zendesk.com, "Ticketing API" reference).

- Auth: API token as basic auth, user `{email}/token`, password the token;
  or an OAuth access token, `Authorization: Bearer <token>`. Wrong
  credentials answer 401 `{"error": "Couldn't authenticate you"}`; no
  credentials at all reach `/api/v2/users/me` as the anonymous user (200,
  `id: null`).
- Incremental exports, cursor based (`/api/v2/incremental/tickets/cursor.json`,
  `/api/v2/incremental/users/cursor.json`): the first request gives
  `start_time` (epoch seconds; items changed on or after it), the next ones
  only `cursor` (the previous page's `after_cursor`, also in `after_url`).
  Pages of `per_page` items, at most 1000; `end_of_stream` says the page
  reached the present. Items come in the order they last changed (the
  ticket's `generated_timestamp`), each once, in its current state; items
  changed within the last minute are left for the next export. Deleted
  tickets are served with `status: "deleted"` unless `exclude_deleted=true`.
  A cursor the API no longer accepts answers 400 `InvalidPaginationParameter`.
  The exports have their own rate limit (10 requests a minute): over it, 429
  with `Retry-After` (off unless `rate_limit_per_minute` is set).
- `GET /api/v2/tickets/{id}/audits.json`: the audits of one ticket, oldest
  first, with their `events`. Cursor pagination: `page[size]` (at most 100),
  `page[after]`; the body has `meta.has_more`, `meta.after_cursor` and
  `links.next` (null on the last page). A deleted ticket answers 404.
- `GET /api/v2/satisfaction_ratings.json`: `start_time`/`end_time` (epoch
  seconds) filter on the rating's creation time, `score` on its state; cursor
  pagination as above (or offset: `page`, `per_page`, `next_page`).
- `GET /api/v2/users/me.json`: the authenticated user (its `role`).
- `GET /api/v2/groups`: the account's groups (deleted ones marked
  `deleted: true`), oldest first; cursor pagination as above (or offset).
- `GET /api/v2/slas/policies`: every SLA policy in one answer
  (`sla_policies`, `next_page: null`, `count`), in their `position` order;
  admins only (403 otherwise).
- `GET /api/v2/incremental/ticket_metric_events?start_time=<epoch>`: a
  time-based incremental export of the ticket metric events (activate,
  pause, fulfill, apply_sla with its `sla` object, breach, update_status)
  whose `time` is on or after `start_time`, oldest first, 1000 a page
  (`metric_events_page`), a page extended to every event of its last
  second; the body has `count`, `end_time` (the last event's time),
  `next_page` (`start_time=<end_time>`, so a page boundary repeats that
  second's events, as Zendesk warns) and `end_of_stream`. Events of the
  last minute are left for the next export; admins only (403 otherwise).
  Served from the export file `ticket_metric_events.jsonl`.
"""

from __future__ import annotations

import base64
import bisect
import collections
import datetime as dt
import math
import threading
import time
from pathlib import Path
from typing import Any

from outcomes.simulators.server import (
    Fault,
    Request,
    Response,
    Simulator,
    basic_auth_ok,
    latest,
    parse_time,
    read_jsonl,
    route,
)

Record = dict[str, Any]

EXPORT_MAX_PER_PAGE = 1000
CURSOR_MAX_PAGE = 100
OFFSET_DEFAULT_PAGE = 100
AUDITS = route("/api/v2/tickets/{ticket_id}/audits.json")
INCREMENTAL = "/api/v2/incremental/"
SCORES = {
    "offered": {"offered"},
    "unoffered": {"unoffered"},
    "received": {"good", "bad"},
    "good": {"good"},
    "bad": {"bad"},
}


def _epoch(value: Any) -> int:
    moment = parse_time(value) if isinstance(value, str) else None
    return int(moment.timestamp()) if moment is not None else 0


def _encode(stamp: int, key: int) -> str:
    """An opaque cursor, like Zendesk's (base64, so it may hold `+`, `/`, `=`)."""
    return base64.b64encode(f"{stamp}.0||{key}|".encode()).decode()


def _decode(cursor: str) -> tuple[int, int] | None:
    try:
        stamp, _, key, _ = base64.b64decode(cursor, validate=True).decode().split("|")
        return int(float(stamp)), int(key)
    except (ValueError, UnicodeDecodeError):
        return None


class _Export:
    """One incremental export: items in the order they last changed."""

    def __init__(self, records: list[Record], stamp_field: str) -> None:
        self.records: dict[int, Record] = {}
        self.stamps: dict[int, int] = {}
        self._keyless = 0
        for record in records:
            key = record.get("id")
            if not isinstance(key, int):  # a broken record is served too
                self._keyless -= 1
                key = self._keyless
            self.records[key] = record
            self.stamps[key] = _epoch(record.get(stamp_field))
        self.high_water = max(self.stamps.values(), default=0)
        self._order: list[tuple[int, int]] | None = None

    def touch(self, key: int, lag: int) -> None:
        """The item changed now: stamped a minute and a second ago (so the next
        export sees it), after everything stamped before."""
        stamp = max(int(time.time()) - lag - 1, self.high_water + 1)
        self.stamps[key] = stamp
        self.high_water = stamp
        self._order = None

    def page(self, after: tuple[int, int], horizon: int, size: int) -> tuple[list[int], bool]:
        if self._order is None:
            self._order = sorted((stamp, key) for key, stamp in self.stamps.items())
        order = self._order
        first = bisect.bisect_right(order, after)
        chosen = []
        for stamp, key in order[first:]:
            if stamp > horizon or len(chosen) == size:
                break
            chosen.append(key)
        rest = first + len(chosen)
        end = rest >= len(order) or order[rest][0] > horizon
        return chosen, end


class ZendeskSimulator(Simulator):
    tool = "zendesk"
    email = "outcomes-reader@acme.example"

    def __init__(self, exports: Path, now: dt.datetime | None = None) -> None:
        super().__init__(exports)
        self.now = now or dt.datetime.now(dt.UTC)
        # incremental exports leave out what changed within the last minute
        self.export_lag_seconds = 60
        # the exports' own rate limit; None: not enforced (the tests' default)
        self.rate_limit_per_minute: int | None = None
        self.rate_window_seconds = 60.0
        self._export_calls: collections.deque[float] = collections.deque()
        self._rate_lock = threading.Lock()
        self.role = "admin"
        tickets = latest(
            read_jsonl(exports / "tickets.jsonl"),
            lambda r: r.get("id"),
            lambda r: r.get("updated_at"),
        )
        self.tickets = _Export(tickets, "updated_at")
        users = latest(
            read_jsonl(exports / "users.jsonl"),
            lambda r: r.get("id"),
            lambda r: r.get("updated_at"),
        )
        self.users = _Export(users, "updated_at")
        self.audits: dict[Any, list[Record]] = {}
        for audit in latest(
            read_jsonl(exports / "ticket_audits.jsonl"), lambda r: r.get("id"), lambda r: ""
        ):
            self.audits.setdefault(audit.get("ticket_id"), []).append(audit)
        for audits in self.audits.values():
            audits.sort(key=lambda a: (a.get("created_at") or "", a.get("id") or 0))
        self.ratings = latest(
            read_jsonl(exports / "satisfaction_ratings.jsonl"),
            lambda r: r.get("id"),
            lambda r: r.get("updated_at"),
        )
        self.groups = sorted(
            latest(
                read_jsonl(exports / "groups.jsonl"),
                lambda r: r.get("id"),
                lambda r: r.get("updated_at"),
            ),
            key=lambda r: (r.get("created_at") or "", r.get("id") or 0),
        )
        self.metric_events_page = EXPORT_MAX_PER_PAGE
        self.metric_events = sorted(
            latest(
                read_jsonl(exports / "ticket_metric_events.jsonl"),
                lambda r: r.get("id"),
                lambda r: "",
            ),
            key=lambda r: (_epoch(r.get("time")), r.get("id") or 0),
        )
        self.sla_policies = sorted(
            latest(
                read_jsonl(exports / "sla_policies.jsonl"),
                lambda r: r.get("id"),
                lambda r: r.get("updated_at"),
            ),
            key=lambda r: (r.get("position") or 0, r.get("id") or 0),
        )

    # -- auth ---------------------------------------------------------------------

    def credentials(self) -> dict[str, str]:
        return {
            "SOURCES__ZENDESK__EMAIL": self.email,
            "SOURCES__ZENDESK__API_TOKEN": self.token,
        }

    def authorized(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header and request.path == "/api/v2/users/me.json":
            return True  # the anonymous user
        return header == f"Bearer {self.token}" or basic_auth_ok(
            request, f"{self.email}/token", self.token
        )

    # -- changes a test makes between two pulls ---------------------------------------

    def update_ticket(self, ticket_id: int, **changes: Any) -> None:
        """The ticket changes (give `updated_at`); the next export serves it again."""
        record = self.tickets.records[ticket_id]
        record.update(changes)
        self.tickets.touch(ticket_id, self.export_lag_seconds)

    def delete_ticket(self, ticket_id: int, updated_at: str) -> None:
        """An agent deletes the ticket: the export serves it with status "deleted"."""
        self.update_ticket(ticket_id, status="deleted", updated_at=updated_at)

    def add_audit(self, ticket_id: int, audit: Record) -> None:
        """A new audit on a ticket (the ticket changes with it)."""
        self.audits.setdefault(ticket_id, []).append(audit)
        self.update_ticket(ticket_id, updated_at=audit["created_at"])

    def update_rating(self, rating_id: int, **changes: Any) -> None:
        for record in self.ratings:
            if record.get("id") == rating_id:
                record.update(changes)
                return
        raise KeyError(rating_id)

    # -- faults -----------------------------------------------------------------------

    def tool_fault(self, fault: Fault, request: Request) -> Response | None:
        if fault.kind == "expired_cursor" and request.arg("cursor"):
            return Response(
                400,
                {
                    "error": "InvalidPaginationParameter",
                    "description": "Invalid or expired cursor. Start a new export.",
                },
            )
        return None

    def _rate_limited(self) -> Response | None:
        if self.rate_limit_per_minute is None:
            return None
        with self._rate_lock:
            moment = time.monotonic()
            calls = self._export_calls
            while calls and moment - calls[0] >= self.rate_window_seconds:
                calls.popleft()
            if len(calls) >= self.rate_limit_per_minute:
                wait = max(1, math.ceil(self.rate_window_seconds - (moment - calls[0])))
                return Response(
                    429,
                    {"error": "APIRateLimitExceeded", "description": "Rate limit exceeded"},
                    {"Retry-After": str(wait)},
                )
            calls.append(moment)
        return None

    # -- routes -----------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        path = request.path
        if path.startswith(INCREMENTAL):
            limited = self._rate_limited()
            if limited is not None:
                return limited
        if path == "/api/v2/incremental/tickets/cursor.json":
            return self._export(request, "tickets", self.tickets)
        if path == "/api/v2/incremental/users/cursor.json":
            return self._export(request, "users", self.users)
        if path in (
            "/api/v2/incremental/ticket_metric_events",
            "/api/v2/incremental/ticket_metric_events.json",
        ):
            return self._metric_events(request)
        if path == "/api/v2/users/me.json":
            return self._me(request)
        if path == "/api/v2/satisfaction_ratings.json":
            return self._ratings(request)
        if path in ("/api/v2/groups", "/api/v2/groups.json"):
            return self._cursor_page(request, "groups", self.groups)
        if path in ("/api/v2/slas/policies", "/api/v2/slas/policies.json"):
            return self._sla_policies()
        match = AUDITS.match(path)
        if match:
            return self._audits(request, match.group("ticket_id"))
        raise LookupError(path)

    def _me(self, request: Request) -> Response:
        if not request.headers.get("authorization"):
            return Response(
                200, {"user": {"id": None, "name": "Anonymous user", "role": "end-user"}}
            )
        return Response(
            200, {"user": {"id": 370_000_000_001, "email": self.email, "role": self.role}}
        )

    def _export(self, request: Request, name: str, export: _Export) -> Response:
        if self.role != "admin":
            return Response(403, {"error": "Forbidden", "description": "Admins only"})
        size = min(max(request.int_arg("per_page", EXPORT_MAX_PER_PAGE), 1), EXPORT_MAX_PER_PAGE)
        horizon = int(time.time()) - self.export_lag_seconds
        cursor = request.arg("cursor")
        if cursor:
            after = _decode(cursor)
            if after is None:
                return Response(
                    400,
                    {"error": "InvalidPaginationParameter", "description": "Invalid cursor"},
                )
        else:
            start = request.arg("start_time")
            if start is None or not start.lstrip("-").isdigit():
                return Response(
                    400,
                    {"error": "InvalidValue", "description": "start_time is required"},
                )
            if int(start) > horizon:
                return Response(
                    400,
                    {
                        "error": "InvalidValue",
                        "description": "Too recent start_time. Use a start_time older "
                        "than 1 minute.",
                    },
                )
            after = (int(start), -(2**62))
        keys, end = export.page(after, horizon, size)
        served = [{**export.records[k], "generated_timestamp": export.stamps[k]} for k in keys]
        if name == "tickets" and request.arg("exclude_deleted") == "true":
            served = [s for s in served if s.get("status") != "deleted"]
        if keys:
            after_cursor = _encode(export.stamps[keys[-1]], keys[-1])
        else:  # nothing new: the next export starts where this one did
            after_cursor = cursor or _encode(*after)
        params = {"cursor": after_cursor}
        if request.arg("per_page"):
            params["per_page"] = str(size)
        return Response(
            200,
            {
                name: served,
                "after_url": self.url(request.path, **params),
                "after_cursor": after_cursor,
                "before_url": None,
                "before_cursor": None,
                "end_of_stream": end,
            },
        )

    def _audits(self, request: Request, ticket_id: str) -> Response:
        key = int(ticket_id) if ticket_id.isdigit() else ticket_id
        ticket = self.tickets.records.get(key)  # type: ignore[arg-type]
        if ticket is None or ticket.get("status") == "deleted":
            return Response(404, {"error": "RecordNotFound", "description": "Not found"})
        return self._cursor_page(request, "audits", self.audits.get(key, []))

    def add_metric_event(self, event: Record) -> None:
        """A new ticket metric event (give its `time`)."""
        self.metric_events.append(event)
        self.metric_events.sort(key=lambda r: (_epoch(r.get("time")), r.get("id") or 0))

    def _metric_events(self, request: Request) -> Response:
        if self.role != "admin":
            return Response(403, {"error": "Forbidden", "description": "Admins only"})
        start = request.arg("start_time")
        if start is None or not start.lstrip("-").isdigit():
            return Response(400, {"error": "InvalidValue", "description": "start_time is required"})
        horizon = int(time.time()) - self.export_lag_seconds
        if int(start) > horizon:
            return Response(
                400,
                {
                    "error": "InvalidValue",
                    "description": "Too recent start_time. Use a start_time older than 1 minute.",
                },
            )
        stamps = [_epoch(r.get("time")) for r in self.metric_events]
        first = bisect.bisect_left(stamps, int(start))
        last = bisect.bisect_right(stamps, horizon)
        size = max(1, self.metric_events_page)
        stop = min(first + size, last)
        if stop < last and stop > first:  # every event of the page's last second
            stop = min(bisect.bisect_right(stamps, stamps[stop - 1]), last)
        page = self.metric_events[first:stop]
        end = stop >= last
        end_time = stamps[stop - 1] if page else int(start)
        # a page all of one second moves on past it (else it would repeat forever)
        following = end_time if end_time > int(start) else end_time + 1
        return Response(
            200,
            {
                "ticket_metric_events": page,
                "count": len(page),
                "end_time": end_time,
                "next_page": None if end else self.url(request.path, start_time=str(following)),
                "end_of_stream": end,
            },
        )

    def _sla_policies(self) -> Response:
        if self.role != "admin":
            return Response(403, {"error": "Forbidden", "description": "Admins only"})
        policies = self.sla_policies
        return Response(
            200,
            {
                "sla_policies": policies,
                "next_page": None,
                "previous_page": None,
                "count": len(policies),
            },
        )

    def _ratings(self, request: Request) -> Response:
        items = self.ratings
        start = request.arg("start_time")
        end = request.arg("end_time")
        if start and start.isdigit():
            items = [r for r in items if _epoch(r.get("created_at")) >= int(start)]
        if end and end.isdigit():
            items = [r for r in items if _epoch(r.get("created_at")) <= int(end)]
        score = request.arg("score")
        if score:
            wanted = SCORES.get(
                score.removesuffix("_with_comment").removesuffix("_without_comment")
            )
            items = [r for r in items if wanted is None or r.get("score") in wanted]
        items = sorted(items, key=lambda r: (r.get("created_at") or "", r.get("id") or 0))
        return self._cursor_page(request, "satisfaction_ratings", items)

    def _cursor_page(self, request: Request, name: str, items: list[Record]) -> Response:
        if request.arg("page[size]") is None and request.arg("page[after]") is None:
            return self._offset_page(request, name, items)
        size = min(max(request.int_arg("page[size]", CURSOR_MAX_PAGE), 1), CURSOR_MAX_PAGE)
        after = request.arg("page[after]")
        start = 0
        if after:
            position = _decode(after)
            if position is None:
                return Response(
                    400, {"error": "InvalidPaginationParameter", "description": "Invalid cursor"}
                )
            start = position[1]
        page = items[start : start + size]
        more = start + size < len(items)
        after_cursor = _encode(0, start + size) if page else None
        next_url = (
            self.url(request.path, **{**_flat(request), "page[after]": after_cursor})
            if more
            else None
        )
        return Response(
            200,
            {
                name: page,
                "meta": {
                    "has_more": more,
                    "after_cursor": after_cursor,
                    "before_cursor": _encode(0, start) if page else None,
                },
                "links": {"next": next_url, "prev": None},
            },
        )

    def _offset_page(self, request: Request, name: str, items: list[Record]) -> Response:
        size = min(max(request.int_arg("per_page", OFFSET_DEFAULT_PAGE), 1), OFFSET_DEFAULT_PAGE)
        number = max(request.int_arg("page", 1), 1)
        page = items[(number - 1) * size : number * size]
        more = number * size < len(items)
        return Response(
            200,
            {
                name: page,
                "next_page": self.url(request.path, **{**_flat(request), "page": number + 1})
                if more
                else None,
                "previous_page": None,
                "count": len(items),
            },
        )


def _flat(request: Request) -> dict[str, str]:
    return {k: v[0] for k, v in request.query.items() if v and k not in {"page[after]", "page"}}


SIMULATOR = ZendeskSimulator
