"""The roster from a SCIM 2.0 service provider's `/Users` (RFC 7643 / 7644).

Settings (`outcomes.yml`, `sources.roster.api`): `base_url`, the SCIM base
(`https://graph.microsoft.com/rp/scim` for Entra ID's SCIM API, an HRIS's or
an app's `.../scim/v2`), and optionally:

- `incremental_filter` (default false): ask only for users changed since the
  last pull, `filter=meta.lastModified gt "<cursor less the overlap>"`. Only
  some servers support filtering on `meta.lastModified` (RFC 7644 makes
  filtering optional; Entra ID's SCIM API filters on a few attributes only):
  by default every run reads every user, which for a roster is a few pages;
- `email_from` (default `userName`): where the person's email is read.
  `emails` takes the primary (else the work, else the first) address of
  `emails` in place of `userName`, for servers whose `userName` is not the
  email (Entra ID's is the user principal name);
- `page_size` (default 100; servers cap `count`, RFC 7644 3.4.2.4).

Credentials: `[sources.roster] access_token` (a bearer token) in
`.dlt/secrets.toml`, or `SOURCES__ROSTER__ACCESS_TOKEN`.

Paging is index based: `startIndex` (1-based) and `count`; the next page
starts after the resources this page returned (a server may return fewer
than asked), until `totalResults` is reached.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from dlt.sources.helpers.rest_client.paginators import BasePaginator
from requests import Request, Response

from outcomes.config import ApiConfig
from outcomes.errors import OutcomesError
from pipelines.common.api import Pull, format_cursor, parse_cursor, secret
from pipelines.common.http import ApiClient

STREAM = "users.jsonl"
DEFAULT_PAGE_SIZE = 100
SCIM_JSON = "application/scim+json, application/json"


def client(api: ApiConfig) -> ApiClient:
    if not api.base_url:
        raise OutcomesError(
            "source 'roster': api.base_url is not set in outcomes.yml "
            "(the SCIM base URL, e.g. https://graph.microsoft.com/rp/scim)"
        )
    token = secret("roster", "access_token")
    return ApiClient(
        "roster",
        api.base_url,
        headers={"Authorization": f"Bearer {token}", "Accept": SCIM_JSON},
    )


class ScimPaginator(BasePaginator):
    """RFC 7644 3.4.2.4: `startIndex` (1-based) and `count`; the answer says
    `totalResults`, `startIndex` and `itemsPerPage`."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self.start_index = 1

    def init_request(self, request: Request) -> None:
        request.params = {**(request.params or {}), "startIndex": 1, "count": self.count}

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        body = response.json()
        returned = len(body.get("Resources") or [])
        start = _int(body.get("startIndex")) or self.start_index
        total = _int(body.get("totalResults"))
        self.start_index = start + returned
        if returned == 0:
            self._has_next_page = False
        elif total is not None:
            self._has_next_page = self.start_index <= total
        else:  # no total said: go on while pages come full
            self._has_next_page = returned >= self.count

    def update_request(self, request: Request) -> None:
        request.params = {**(request.params or {}), "startIndex": self.start_index}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _email(record: dict[str, Any]) -> str | None:
    emails = [e for e in record.get("emails") or [] if isinstance(e, dict) and e.get("value")]
    for pick in (
        lambda e: e.get("primary") is True,
        lambda e: e.get("type") == "work",
        lambda e: True,
    ):
        for entry in emails:
            if pick(entry):
                return str(entry["value"])
    return None


def _modified(record: Any) -> dt.datetime | None:
    """`meta.lastModified`; None when absent or unreadable (the record is quarantined)."""
    meta = record.get("meta") if isinstance(record, dict) else None
    value = meta.get("lastModified") if isinstance(meta, dict) else None
    try:
        return parse_cursor(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _filter(pull: Pull) -> str | None:
    if not pull.setting("incremental_filter", False) or not pull.has_cursor(STREAM):
        return None
    since = pull.since(STREAM)
    return f'meta.lastModified gt "{format_cursor(since)}"' if since else None


def users(pull: Pull) -> Iterator[dict[str, Any]]:
    email_from = pull.setting("email_from", "userName")
    if email_from not in {"userName", "emails"}:
        raise OutcomesError(
            f"source 'roster': api.email_from must be userName or emails, not {email_from!r}"
        )
    params: dict[str, Any] = {}
    where = _filter(pull)
    if where:
        params["filter"] = where
    size = int(pull.setting("page_size", DEFAULT_PAGE_SIZE))
    newest = None
    for page in pull.client.paginate(
        "/Users", params=params, paginator=ScimPaginator(size), data_selector="Resources"
    ):
        for record in page:
            if email_from == "emails" and isinstance(record, dict):
                record = {**record, "userName": _email(record)}
            moment = _modified(record)
            if moment is not None and (newest is None or moment > newest):
                newest = moment
            yield record
    pull.advance(STREAM, newest)


STREAMS = {STREAM: users}


def check(pull: Pull) -> list[str]:
    body = pull.client.get_json("/Users", params={"startIndex": 1, "count": 1})
    total = body.get("totalResults") if isinstance(body, dict) else None
    lines = [f"reachable at {pull.client.base_url}, token accepted ({total} users in /Users)"]
    if pull.setting("incremental_filter", False):
        since = pull.since(STREAM) if pull.has_cursor(STREAM) else None
        lines.append(
            "would fetch: users changed since " + format_cursor(since)
            if since
            else "would fetch: every user (first pull), then only users changed since the last one"
        )
    else:
        lines.append("would fetch: every user (a full pull each run; incremental_filter is off)")
    return lines
