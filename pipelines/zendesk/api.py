"""Zendesk Support API: users, tickets, their audits, satisfaction ratings, groups, SLA
policies and ticket metric events.

Settings (`outcomes.yml`, `sources.zendesk.api`): `subdomain` (the
`<subdomain>.zendesk.com` of the account) or `base_url`, `start_date` (the
first backfill of tickets), and optionally `ratings_lookback_days` (default
28), `per_page` (the exports' page size, at most and by default 1000) and
`audit_workers` (audit listings asked at once, default 4).
Credentials: an API token, `[sources.zendesk] email` and `api_token` in
`.dlt/secrets.toml` (or `SOURCES__ZENDESK__EMAIL`,
`SOURCES__ZENDESK__API_TOKEN`), sent as basic auth `{email}/token:{api_token}`;
or an OAuth `access_token` (sent as a Bearer token), which wins if both are set.

- Users and tickets come from the cursor-based incremental exports
  (`/api/v2/incremental/{users,tickets}/cursor.json`): the first run asks
  from `start_time` (users from the epoch, tickets from `start_date`), every
  page hands the `after_cursor` of the next, and the last page's
  `after_cursor` is kept in the stream's state: the next run asks from
  there, exactly, so a rerun with no change costs one request per export.
  Deleted tickets arrive with `status: "deleted"` and replace the row.
  A cursor the API rejects (400/422) restarts the export from `start_time`
  = the newest `updated_at` seen, less the overlap window.
- Audits (`/api/v2/tickets/{id}/audits.json`, cursor pagination, 100 per
  page) are asked for each ticket the ticket export returned in this run:
  a new audit always changes its ticket. A deleted ticket has none (404).
- Satisfaction ratings (`/api/v2/satisfaction_ratings.json`) filter on the
  rating's creation time only, so each run asks from the cursor less
  `ratings_lookback_days` (a rating is offered, then scored days later).
- Groups (`/api/v2/groups`, cursor pagination, 100 per page) and SLA
  policies (`/api/v2/slas/policies`, one answer; `next_page` followed if the
  API ever pages it) are read in full every run: an account has a few
  dozen at most, and merging by id leaves unchanged rows as they were. An
  account whose plan has no SLA policies (403/404) lands none.
- Ticket metric events (`/api/v2/incremental/ticket_metric_events`) come
  from a time-based incremental export: `start_time` (epoch seconds), then
  each page's `next_page` until `end_of_stream` (an answer without it ends
  on a page of fewer than 1000 events). A page boundary may repeat the
  events of its `end_time`: merging by event id keeps one. The stream's
  cursor is the newest event `time` seen; the next run asks from it less
  the overlap window. Plans without SLAs (403/404) land none.

The incremental exports allow about 10 requests a minute and answer 429 with
`Retry-After`, which the shared client honours.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from dlt.common.jsonpath import compile_path
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth, HttpBasicAuth
from dlt.sources.helpers.rest_client.paginators import BasePaginator
from requests import Request, Response

from outcomes.config import ApiConfig
from outcomes.errors import OutcomesError
from pipelines.common.api import Pull, format_cursor, parse_cursor, secret
from pipelines.common.http import ApiClient, ApiError

EXPORT_PAGE = 1000
CURSOR_PAGE = 100
DEFAULT_RATINGS_LOOKBACK_DAYS = 28
AUDIT_WORKERS = 4
AUDIT_BATCH = 256
# the exports refuse a start_time within the last minute
RECENT = dt.timedelta(minutes=2)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
REJECTED_CURSOR = (400, 422)
# fields of the export's records that the exports (files) do not have
EXPORT_ONLY_FIELDS = ("generated_timestamp",)


def client(api: ApiConfig) -> ApiClient:
    base_url = api.base_url
    if not base_url:
        subdomain = api.setting("subdomain")
        if not subdomain:
            raise OutcomesError(
                "source 'zendesk': set api.subdomain (the <subdomain>.zendesk.com of "
                "your account) or api.base_url in outcomes.yml"
            )
        base_url = f"https://{subdomain}.zendesk.com"
    token = secret("zendesk", "access_token", required=False)
    if token:
        auth: Any = BearerTokenAuth(token)
    else:
        email = secret("zendesk", "email")
        auth = HttpBasicAuth(f"{email}/token", secret("zendesk", "api_token") or "")
    return ApiClient("zendesk", base_url, auth=auth, headers={"Accept": "application/json"})


class ExportPaginator(BasePaginator):
    """Zendesk's cursor-based incremental export: follow `after_url` until
    `end_of_stream`; keep the last `after_cursor` (where the next export starts)."""

    def __init__(self) -> None:
        super().__init__()
        self.after_cursor: str | None = None
        self._next: str | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> ExportPaginator:
        return self  # RESTClient copies its paginator: keep this one, to read after_cursor

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        body = response.json()
        self.after_cursor = body.get("after_cursor") or self.after_cursor
        self._next = body.get("after_url")
        self._has_next_page = not body.get("end_of_stream", True) and bool(self._next)

    def update_request(self, request: Request) -> None:
        request.url = self._next or request.url
        request.params = {}


class CursorPaginator(BasePaginator):
    """Zendesk's cursor pagination: `links.next` while `meta.has_more`."""

    def __init__(self) -> None:
        super().__init__()
        self._next: str | None = None

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        body = response.json()
        self._next = (body.get("links") or {}).get("next")
        self._has_next_page = bool((body.get("meta") or {}).get("has_more")) and bool(self._next)

    def update_request(self, request: Request) -> None:
        request.url = self._next or request.url
        request.params = {}


@functools.cache
def _selector(name: str) -> Any:
    """The records' field of an answer, as a compiled JSONPath (dlt compiles a
    string on every page: a few ms per audits listing)."""
    return compile_path(name)


def _epoch(moment: dt.datetime) -> int:
    now = dt.datetime.now(dt.UTC)
    return max(0, int(min(moment, now - RECENT).timestamp()))


def _export(pull: Pull, stream: str, resource: str, first: dt.datetime) -> Iterator[dict[str, Any]]:
    """One incremental export, from the stream's saved cursor or from `first`."""
    state = pull.stream_state(stream)
    cursor = state.get("after_cursor") if pull.has_cursor(stream) else None
    fallback = pull.since(stream) or first  # the cursor's time less the overlap
    paginator = ExportPaginator()
    try:
        yield from _pages(
            pull, stream, resource, {"cursor": cursor} if cursor else first, paginator
        )
    except ApiError as exc:
        if not cursor or exc.status not in REJECTED_CURSOR:
            raise
        # the API no longer takes the cursor (expired): export again from its time
        paginator = ExportPaginator()
        yield from _pages(pull, stream, resource, fallback, paginator)
    if paginator.after_cursor:
        state["after_cursor"] = paginator.after_cursor
    if state.get("cursor") is None:
        pull.advance(stream, first)  # nothing yet: the next run starts here


def _pages(
    pull: Pull,
    stream: str,
    resource: str,
    start: dict[str, Any] | dt.datetime,
    paginator: ExportPaginator,
) -> Iterator[dict[str, Any]]:
    params = dict(start) if isinstance(start, dict) else {"start_time": _epoch(start)}
    per_page = min(int(pull.setting("per_page", EXPORT_PAGE)), EXPORT_PAGE)
    if per_page != EXPORT_PAGE:
        params["per_page"] = per_page
    path = f"/api/v2/incremental/{resource}/cursor.json"
    for page in pull.client.paginate(path, params, paginator, data_selector=_selector(resource)):
        for record in page:
            for name in EXPORT_ONLY_FIELDS:
                record.pop(name, None)
            pull.advance(stream, record.get("updated_at") if _valid(record) else None)
            yield record


def _valid(record: dict[str, Any]) -> bool:
    value = record.get("updated_at")
    if not isinstance(value, str):
        return False
    try:
        parse_cursor(value)
    except ValueError:
        return False
    return True


def _changed(pull: Pull) -> dict[str, Any]:
    """What this load's ticket export returned: the ids whose audits to fetch."""
    return pull.__dict__.setdefault("_zendesk_tickets", {"done": False, "ids": []})


def _start(pull: Pull) -> dt.datetime:
    since = pull.since("tickets.jsonl")
    return since if since is not None else dt.datetime.now(dt.UTC) - dt.timedelta(days=365)


def users(pull: Pull) -> Iterator[dict[str, Any]]:
    yield from _export(pull, "users.jsonl", "users", EPOCH)


def tickets(pull: Pull) -> Iterator[dict[str, Any]]:
    changed = _changed(pull)
    if changed["done"]:  # the audits stream ran the export first: its records
        yield from changed.pop("records", [])
        return
    for record in _export(pull, "tickets.jsonl", "tickets", _start(pull)):
        if record.get("id") is not None and record.get("status") != "deleted":
            changed["ids"].append(record["id"])
        yield record
    changed["done"] = True


def _audits_of(pull: Pull, ticket_id: Any) -> list[dict[str, Any]]:
    path = f"/api/v2/tickets/{ticket_id}/audits.json"
    audits: list[dict[str, Any]] = []
    try:
        for page in pull.client.paginate(
            path, {"page[size]": CURSOR_PAGE}, CursorPaginator(), data_selector=_selector("audits")
        ):
            audits.extend(page)
    except ApiError as exc:
        if exc.status != 404:  # deleted since the export: no audits any more
            raise
    return audits


def ticket_audits(pull: Pull) -> Iterator[dict[str, Any]]:
    changed = _changed(pull)
    if not changed["done"]:  # audits before tickets: run the export, keep its records
        records = list(tickets(pull))
        changed["records"] = records
    ids = list(dict.fromkeys(changed["ids"]))
    workers = max(1, int(pull.setting("audit_workers", AUDIT_WORKERS)))
    if workers == 1:
        for ticket_id in ids:
            yield from _audits_of(pull, ticket_id)
        return
    # one listing per ticket: a few at a time (the account's rate limit still
    # applies; its 429s are waited out), in the export's order
    with ThreadPoolExecutor(workers, thread_name_prefix="zendesk-audits") as pool:
        for start in range(0, len(ids), AUDIT_BATCH):
            batch = ids[start : start + AUDIT_BATCH]
            for audits in pool.map(lambda t: _audits_of(pull, t), batch):
                yield from audits


def satisfaction_ratings(pull: Pull) -> Iterator[dict[str, Any]]:
    stream = "satisfaction_ratings.jsonl"
    since = pull.since(stream) or _start(pull)
    if pull.has_cursor(stream):
        lookback = int(pull.setting("ratings_lookback_days", DEFAULT_RATINGS_LOOKBACK_DAYS))
        since -= dt.timedelta(days=lookback)
    params = {"page[size]": CURSOR_PAGE, "start_time": _epoch(since)}
    for page in pull.client.paginate(
        "/api/v2/satisfaction_ratings.json",
        params,
        CursorPaginator(),
        data_selector=_selector("satisfaction_ratings"),
    ):
        for record in page:
            pull.advance(stream, record.get("updated_at") if _valid(record) else None)
            yield record
    if pull.stream_state(stream).get("cursor") is None:
        pull.advance(stream, since)


def groups(pull: Pull) -> Iterator[dict[str, Any]]:
    for page in pull.client.paginate(
        "/api/v2/groups",
        {"page[size]": CURSOR_PAGE},
        CursorPaginator(),
        data_selector=_selector("groups"),
    ):
        yield from page


NO_SLAS = (403, 404)  # plans without SLA policies


def sla_policies(pull: Pull) -> Iterator[dict[str, Any]]:
    url: str | None = "/api/v2/slas/policies"
    while url:
        try:
            body = pull.client.get_json(url) or {}
        except ApiError as exc:
            if exc.status not in NO_SLAS:
                raise
            return
        yield from body.get("sla_policies") or []
        url = body.get("next_page")


def _event_time(value: Any) -> str | None:
    """An event's `time` (ISO 8601) as the cursor, or None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        parse_cursor(value)
    except ValueError:
        return None
    return value


def ticket_metric_events(pull: Pull) -> Iterator[dict[str, Any]]:
    stream = "ticket_metric_events.jsonl"
    since = pull.since(stream) or _start(pull)
    url: str | None = "/api/v2/incremental/ticket_metric_events"
    params: dict[str, Any] | None = {"start_time": _epoch(since)}
    seen: set[str] = set()
    while url:
        try:
            body = pull.client.get_json(url, params) or {}
        except ApiError as exc:
            if exc.status not in NO_SLAS:
                raise
            return
        events = body.get("ticket_metric_events") or []
        for record in events:
            pull.advance(stream, _event_time(record.get("time")))
            yield record
        seen.add(url if params is None else f"{url}?start_time={params['start_time']}")
        following = body.get("next_page")
        # an answer without end_of_stream ends on a short page
        done = bool(body["end_of_stream"]) if "end_of_stream" in body else len(events) < EXPORT_PAGE
        if done or not following or following in seen:
            break
        url, params = following, None
    if pull.stream_state(stream).get("cursor") is None:
        pull.advance(stream, since)


STREAMS = {
    "users.jsonl": users,
    "groups.jsonl": groups,
    "sla_policies.jsonl": sla_policies,
    "tickets.jsonl": tickets,
    "ticket_audits.jsonl": ticket_audits,
    "satisfaction_ratings.jsonl": satisfaction_ratings,
    "ticket_metric_events.jsonl": ticket_metric_events,
}


def check(pull: Pull) -> list[str]:
    me = (pull.client.get_json("/api/v2/users/me.json") or {}).get("user") or {}
    if me.get("id") is None:
        raise OutcomesError(
            "source 'zendesk': GET /api/v2/users/me.json answered as the anonymous user: "
            "the credentials were not sent or not recognised"
        )
    role = me.get("role")
    if role != "admin":
        raise OutcomesError(
            f"source 'zendesk': the credentials' user ({me.get('email')}) is {role!r}: "
            "the incremental exports and satisfaction ratings need an admin"
        )
    since = _start(pull)
    return [
        f"reachable at {pull.client.base_url}, credentials accepted (role {role})",
        "would fetch: every user; tickets (deleted ones too) updated since "
        f"{format_cursor(since)} and their audits; satisfaction ratings created since "
        f"{format_cursor(since)}; every group and SLA policy; ticket metric events since "
        f"{format_cursor(since)}",
    ]
