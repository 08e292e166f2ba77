"""PagerDuty REST API v2: users, services, incidents and their log entries, pulled incrementally.

Settings (`outcomes.yml`, `sources.pagerduty.api`): `base_url` (default
https://api.pagerduty.com), `start_date` (first backfill), and optionally
`reopen_days` (default 30). Credentials: `[sources.pagerduty] api_key` (a
read-only REST API key) in `.dlt/secrets.toml`, or
`SOURCES__PAGERDUTY__API_KEY`.

PagerDuty filters incidents by creation time only, so each run asks for
(a) incidents created since the cursor less `reopen_days` (an incident is
still updated days after it opened), windowed by month because classic
pagination stops at offset 10,000, (b) every incident still open,
whenever it was created, and (c) by id (`GET /incidents/{id}`), each
incident open at the last run that (b) no longer lists: resolved since,
and perhaps created before (a). Merging by id keeps the newest version.
Users and services (`GET /services`) are read in full every run (an
account has a few hundred at most). Deleted incidents do not exist in
PagerDuty (an incident is resolved, never removed); a deleted service or
user stays as last seen.

Log entries (`GET /incidents/{id}/log_entries`, offset pagination) are asked
for each incident the incidents stream returned in this run, so they follow
their incident: the same window, the same lookback, merged by id (an
acknowledgement or a resolution always comes with its incident changing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from dlt.sources.helpers.rest_client.paginators import OffsetPaginator

from outcomes.config import ApiConfig
from pipelines.common.api import Pull, format_cursor, secret
from pipelines.common.http import ApiClient

DEFAULT_BASE_URL = "https://api.pagerduty.com"
PAGE = 100
WINDOW = dt.timedelta(days=30)
LOG_WORKERS = 4
LOG_BATCH = 256


def client(api: ApiConfig) -> ApiClient:
    key = secret("pagerduty", "api_key")
    return ApiClient(
        "pagerduty",
        api.base_url or DEFAULT_BASE_URL,
        headers={
            "Authorization": f"Token token={key}",
            "Accept": "application/vnd.pagerduty+json;version=2",
        },
    )


def _paginator() -> OffsetPaginator:
    return OffsetPaginator(limit=PAGE, total_path=None, has_more_path="more")


def users(pull: Pull) -> Iterator[dict[str, Any]]:
    for page in pull.client.paginate("/users", paginator=_paginator(), data_selector="users"):
        yield from page


def _fetched(pull: Pull) -> dict[str, Any]:
    """What this load's incidents stream returned: the incidents whose log to read."""
    return pull.__dict__.setdefault("_pagerduty_incidents", {"done": False, "ids": []})


def incidents(pull: Pull) -> Iterator[dict[str, Any]]:
    fetched = _fetched(pull)
    if fetched["done"]:  # the log entries stream pulled them first: its records
        yield from fetched.pop("records", [])
        return
    for record in _incidents(pull):
        if record.get("id") is not None:
            fetched["ids"].append((record["id"], record.get("created_at")))
        yield record
    fetched["done"] = True


def _incidents(pull: Pull) -> Iterator[dict[str, Any]]:
    now = dt.datetime.now(dt.UTC)
    since = pull.since("incidents.jsonl")
    reopen = dt.timedelta(days=int(pull.setting("reopen_days", 30)))
    if since is None:
        since = now - dt.timedelta(days=365)
    # after the first backfill, look back far enough to see recent incidents change
    start = since - reopen if pull.has_cursor("incidents.jsonl") else since
    seen: set[str] = set()
    window_start = start
    while window_start < now:
        window_end = min(window_start + WINDOW, now + dt.timedelta(minutes=1))
        params = {
            "since": format_cursor(window_start),
            "until": format_cursor(window_end),
            "sort_by": "created_at",
            "total": "false",
        }
        for page in pull.client.paginate(
            "/incidents", params=params, paginator=_paginator(), data_selector="incidents"
        ):
            for record in page:
                seen.add(record.get("id"))
                yield record
        window_start = window_end
    open_params = {"date_range": "all", "statuses[]": ["triggered", "acknowledged"]}
    still_open: list[str] = []
    for page in pull.client.paginate(
        "/incidents", params=open_params, paginator=_paginator(), data_selector="incidents"
    ):
        for record in page:
            still_open.append(record.get("id"))
            if record.get("id") not in seen:
                seen.add(record.get("id"))
                yield record
    # An incident open at the last pull and resolved since, created before this
    # run's windows, is in neither listing (PagerDuty filters by creation time
    # and status only): it is read by id, else its resolution would be missed.
    state = pull.stream_state("incidents.jsonl")
    for incident_id in state.get("open", []):
        if incident_id in seen:
            continue
        answer = pull.client.response(f"/incidents/{incident_id}", allow=(404,))
        if answer.status_code != 404:  # never in PagerDuty: incidents are not deleted
            yield answer.json()["incident"]
    state["open"] = sorted({i for i in still_open if i is not None})
    pull.advance("incidents.jsonl", now)


def services(pull: Pull) -> Iterator[dict[str, Any]]:
    for page in pull.client.paginate("/services", paginator=_paginator(), data_selector="services"):
        yield from page


def _log_of(pull: Pull, incident: tuple[str, Any], until: str) -> list[dict[str, Any]]:
    incident_id, created_at = incident
    # the whole log: from the incident's creation (a bounded range, never the default)
    params = {"time_zone": "UTC", "total": "false", "until": until}
    if isinstance(created_at, str):
        params["since"] = created_at
    entries: list[dict[str, Any]] = []
    for page in pull.client.paginate(
        f"/incidents/{incident_id}/log_entries",
        params=params,
        paginator=_paginator(),
        data_selector="log_entries",
    ):
        entries.extend(page)
    return entries


def log_entries(pull: Pull) -> Iterator[dict[str, Any]]:
    fetched = _fetched(pull)
    if not fetched["done"]:  # log entries before incidents: pull those first, keep them
        fetched["records"] = list(incidents(pull))
    ids = list(dict.fromkeys(fetched["ids"]))
    until = format_cursor(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
    workers = max(1, int(pull.setting("log_workers", LOG_WORKERS)))
    with ThreadPoolExecutor(workers, thread_name_prefix="pagerduty-log") as pool:
        for start in range(0, len(ids), LOG_BATCH):
            batch = ids[start : start + LOG_BATCH]
            for entries in pool.map(lambda i: _log_of(pull, i, until), batch):
                yield from entries


STREAMS = {
    "users.jsonl": users,
    "incidents.jsonl": incidents,
    "services.jsonl": services,
    "log_entries.jsonl": log_entries,
}


def check(pull: Pull) -> list[str]:
    first = next(pull.client.paginate("/users", params={"limit": 1}, data_selector="users"), [])
    since = pull.since("incidents.jsonl")
    return [
        f"reachable at {pull.client.base_url}, API key accepted ({len(first)} user on the first page)",
        "would fetch: users; services; incidents created since "
        + (format_cursor(since) if since else "one year ago")
        + " plus every open incident, and the log entries of each",
    ]
