"""Jira Cloud REST API v3: users, issues (with their links and sprints), changelogs and
the boards' sprints, pulled incrementally.

Settings (`outcomes.yml`, `sources.jira.api`): `base_url` (the site,
https://your-site.atlassian.net: required), `start_date` (first backfill),
and the scope: `jql` (a filter, ANDed with the cursor clause; no ORDER BY)
or `projects` (a list of project keys); neither: every issue the account can
browse; optionally `changelog_workers` (default 4: how many issues' long
changelogs are read at a time; the site's rate limit still applies). Credentials: `[sources.jira] email` and `api_token` in
`.dlt/secrets.toml`, or `SOURCES__JIRA__EMAIL` / `SOURCES__JIRA__API_TOKEN`
(basic auth, an Atlassian API token).

- issues: `GET /rest/api/3/search/jql` with
  `<scope> AND updated >= "yyyy/MM/dd HH:mm" ORDER BY updated ASC`, the
  cursor less the overlap written in the API user's own time zone (JQL reads
  date literals in the time zone of the user's profile, which
  `GET /rest/api/3/myself` tells), paged by `nextPageToken`. Only the fields
  the policy reads are asked for (never the summary or comments), with
  `expand=changelog`. The cursor is the newest `updated` seen. A page token
  that expired (400) restarts the search from the newest `updated` read.
- issue links come with each issue (`fields.issuelinks`).
- changelogs: search embeds only a few of an issue's newest histories; when
  `changelog.total` says there are more, the whole changelog is paged from
  `GET /rest/api/3/issue/{id}/changelog` (oldest first, `startAt`). Any new
  history moves the issue's `updated`, so only changed issues are read.
- issue sprints come with each issue: the Sprint field (`customfield_10020`,
  Jira Cloud's id for it), a list of the sprints the issue was in.
- sprints: Jira Software's Agile API, every scrum board
  (`GET /rest/agile/1.0/board?type=scrum`) and each board's sprints
  (`/rest/agile/1.0/board/{id}/sprint`), both paged by `startAt` (50 a
  page), in full every run (a sprint shared by boards is landed once). A
  site without Jira Software answers 404: no sprints, said in `check`.
- users: `GET /rest/api/3/users/search`, paged by `startAt` to an empty page
  (a page may hold fewer than asked without being the last).

Deleted issues: Jira has no feed of them (search simply stops finding
them). Once every `deletion_sweep_hours` (default 24; 0: every pull; -1:
never) a pull lists the ids of every issue in scope (the same JQL without
the cursor clause, `fields=id`, 5,000 ids a page: one request per 5,000
issues) and compares them with the issues landed so far (their ids, keys and
creation times, kept in the stream's state). An issue no longer listed lands
as a deletion record: its id, key and creation time, `deleted: true`
(`is_deleted` in raw), nothing else; it replaces the issue's row, and staging
leaves it out. A sweep that would delete more than half of the known issues
is refused (`deletion_sweep_max_share`): a narrowed scope or a token that
lost access looks the same.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from dlt.sources.helpers.rest_client.auth import HttpBasicAuth
from dlt.sources.helpers.rest_client.paginators import BasePaginator
from requests import Request, Response

from outcomes.config import ApiConfig
from outcomes.errors import OutcomesError
from pipelines.common.api import Pull, format_cursor, secret
from pipelines.common.http import ApiClient, ApiError, error_message
from pipelines.common.policy import load_policy

SEARCH = "/rest/api/3/search/jql"
ISSUES, CHANGELOGS, USERS = "issues.jsonl", "changelogs.jsonl", "users.jsonl"
SPRINTS = "sprints.jsonl"
BOARDS = "/rest/agile/1.0/board"
AGILE_PAGE = 50
ISSUE_PAGE = 100
SWEEP_PAGE = 5000  # the search's page cap when only ids are asked for
CHANGELOG_PAGE = 100
USER_PAGE = 1000
DEFAULT_CHANGELOG_WORKERS = 4
JQL_TIME = "%Y/%m/%d %H:%M"


def client(api: ApiConfig) -> ApiClient:
    if not api.base_url:
        raise OutcomesError(
            "source 'jira': api.base_url is not set in outcomes.yml "
            "(your site, e.g. https://your-site.atlassian.net)"
        )
    email = secret("jira", "email")
    token = secret("jira", "api_token")
    return ApiClient(
        "jira",
        api.base_url,
        auth=HttpBasicAuth(str(email), str(token)),
        headers={"Accept": "application/json"},
    )


class StartAtPaginator(BasePaginator):
    """Jira's offset paging: the next `startAt` is after what the page held
    (the server may cap `maxResults` lower than asked); the end is `isLast`
    where the body says it, else an empty page (a plain JSON array)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.start = 0

    def init_request(self, request: Request) -> None:
        self.start = 0
        self._has_next_page = True
        self.update_request(request)

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        body = response.json()
        count = len(data or [])
        self.start += count
        is_last = body.get("isLast") if isinstance(body, dict) else None
        self._has_next_page = count > 0 and not is_last

    def update_request(self, request: Request) -> None:
        request.params = {**(request.params or {}), "startAt": self.start, "maxResults": self.limit}


# -- what to ask for -------------------------------------------------------------


def issue_fields() -> list[str]:
    """The issue fields the policy reads (`fields.<name>...`), and nothing else."""
    names: set[str] = set()
    for table in load_policy("jira").tables:
        if table.file != ISSUES:
            continue
        paths = [c.record_path if table.explode else c.path for c in table.columns]
        paths.append(table.explode)
        for path in paths:
            if path and path.startswith("fields."):
                names.add(re.split(r"[.\[]", path[len("fields.") :])[0])
    names.add("updated")  # the cursor
    return sorted(names)


def scope_jql(pull: Pull) -> str:
    """The user's filter: `jql`, else `projects`, else none."""
    jql = (pull.setting("jql") or "").strip()
    projects = pull.setting("projects") or []
    if isinstance(projects, str):
        projects = [p.strip() for p in projects.split(",") if p.strip()]
    if jql and projects:
        raise OutcomesError("source 'jira': set api.jql or api.projects, not both")
    if re.search(r"\border\s+by\b", jql, re.I):
        raise OutcomesError(
            "source 'jira': api.jql must not have an ORDER BY (the loader orders by updated)"
        )
    if jql:
        return f"({jql})"
    if projects:
        return "project in (" + ", ".join(f'"{p}"' for p in projects) + ")"
    return ""


def user_zone(pull: Pull) -> dt.tzinfo:
    """The time zone JQL reads date literals in: the API user's profile."""
    cache = _cache(pull)
    if "zone" not in cache:
        me = pull.client.get_json("/rest/api/3/myself")
        name = (me or {}).get("timeZone") or "UTC"
        try:
            cache["zone"] = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            cache["zone"] = dt.UTC
    return cache["zone"]


def search_jql(pull: Pull, since: dt.datetime | None) -> str:
    clauses = [c for c in (scope_jql(pull),) if c]
    if since is not None:
        local = since.astimezone(user_zone(pull))  # minute precision: floor it
        clauses.append(f'updated >= "{local.strftime(JQL_TIME)}"')
    return " AND ".join(clauses) + " ORDER BY updated ASC"


# -- the search, shared by issues, links and changelogs ----------------------------


def _cache(pull: Pull) -> dict[str, Any]:
    cache = pull.__dict__.get("_jira")
    if cache is None:
        cache = pull.__dict__["_jira"] = {}
    return cache


def _updated(issue: dict[str, Any]) -> dt.datetime | None:
    value = (issue.get("fields") or {}).get("updated")
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def search(pull: Pull) -> list[dict[str, Any]]:
    """Every issue updated since the cursor less the overlap, once per pull."""
    cache = _cache(pull)
    if "issues" in cache:
        return cache["issues"]
    since = pull.since(ISSUES)
    sweep = pull.sweep_due(ISSUES)  # before the cursor moves: a first backfill never sweeps
    params = {
        "fields": ",".join(issue_fields()),
        "expand": "changelog",
        "maxResults": ISSUE_PAGE,
    }
    found: dict[str, dict[str, Any]] = {}
    newest: dt.datetime | None = None
    token: str | None = None
    jql = search_jql(pull, since)
    while True:
        page_params = {**params, "jql": jql, **({"nextPageToken": token} if token else {})}
        response = pull.client.response(SEARCH, page_params, allow=(400,) if token else ())
        if response.status_code == 400:
            # the page token expired: search again from the newest `updated` read
            if newest is None or (since is not None and newest <= since):
                raise ApiError("jira", f"GET {SEARCH}", 400, error_message(response))
            since, token = newest, None
            jql = search_jql(pull, since)
            continue
        body = response.json()
        for issue in body.get("issues") or []:
            found[str(issue.get("id"))] = issue  # a repeat after a restart: the newer one
            moment = _updated(issue)
            if moment is not None and (newest is None or moment > newest):
                newest = moment
        token = body.get("nextPageToken")
        if not token or body.get("isLast"):
            break
    pull.advance(ISSUES, newest)
    known = pull.known(ISSUES)
    for issue_id, issue in found.items():
        created = (issue.get("fields") or {}).get("created")
        if issue.get("key") and created:
            known[issue_id] = [issue["key"], created]
    deleted = _deleted_issues(pull) if sweep else []
    for record in deleted:
        found.pop(record["id"], None)
    cache["issues"] = list(found.values())
    cache["deleted"] = deleted
    return cache["issues"]


def _deleted_issues(pull: Pull) -> list[dict[str, Any]]:
    """The landed issues the scope no longer holds, as deletion records."""
    scope = scope_jql(pull)
    jql = (scope + " " if scope else "") + "ORDER BY created ASC"
    present: set[str] = set()
    token: str | None = None
    while True:
        params = {"jql": jql, "fields": "id", "maxResults": SWEEP_PAGE}
        body = pull.client.get_json(
            SEARCH, {**params, **({"nextPageToken": token} if token else {})}
        )
        present.update(str(i.get("id")) for i in body.get("issues") or [])
        token = body.get("nextPageToken")
        if not token or body.get("isLast"):
            break
    return [
        {"id": issue_id, "key": key, "deleted": True, "fields": {"created": created}}
        for issue_id, (key, created) in pull.vanished(ISSUES, present, "issues").items()
    ]


def issues(pull: Pull) -> Iterator[dict[str, Any]]:
    found = search(pull)
    yield from _cache(pull)["deleted"]
    for issue in found:
        record = dict(issue)
        embedded = record.get("changelog")
        if isinstance(embedded, dict):  # as the export has it: the histories are their own file
            record["changelog"] = {
                "startAt": 0,
                "maxResults": 0,
                "total": embedded.get("total", 0),
                "histories": [],
            }
        yield record


def _full_changelog(pull: Pull, issue_id: str) -> list[dict[str, Any]]:
    histories: list[dict[str, Any]] = []
    for page in pull.client.paginate(
        f"/rest/api/3/issue/{issue_id}/changelog",
        paginator=StartAtPaginator(CHANGELOG_PAGE),
        data_selector="values",
    ):
        histories.extend(page)
    return histories


def changelogs(pull: Pull) -> Iterator[dict[str, Any]]:
    found = search(pull)
    truncated = []
    for issue in found:
        embedded = issue.get("changelog") or {}
        total = embedded.get("total")
        if isinstance(total, int) and total > len(embedded.get("histories") or []):
            truncated.append(str(issue.get("id")))
    workers = max(1, int(pull.setting("changelog_workers", DEFAULT_CHANGELOG_WORKERS)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # a few issues' changelogs at a time, yielded in the search's order
        paged = pool.map(lambda issue_id: _full_changelog(pull, issue_id), truncated)
        full = dict(zip(truncated, paged, strict=True))
    for issue in found:
        issue_id = str(issue.get("id"))
        if issue_id in full:
            histories = full[issue_id]
        else:  # embedded newest first; the export is oldest first
            histories = list(reversed((issue.get("changelog") or {}).get("histories") or []))
        for history in histories:
            yield {"id": history.get("id"), "issueId": issue_id, **history}


def users(pull: Pull) -> Iterator[dict[str, Any]]:
    for page in pull.client.paginate(
        "/rest/api/3/users/search", paginator=StartAtPaginator(USER_PAGE)
    ):
        yield from page


def sprints(pull: Pull) -> Iterator[dict[str, Any]]:
    seen: set[Any] = set()
    try:
        for boards in pull.client.paginate(
            BOARDS, {"type": "scrum"}, StartAtPaginator(AGILE_PAGE), data_selector="values"
        ):
            for board in boards:
                path = f"{BOARDS}/{board.get('id')}/sprint"
                for page in pull.client.paginate(
                    path, paginator=StartAtPaginator(AGILE_PAGE), data_selector="values"
                ):
                    for sprint in page:
                        if sprint.get("id") not in seen:
                            seen.add(sprint.get("id"))
                            yield sprint
    except ApiError as exc:
        if exc.status != 404:  # no Jira Software on the site: no boards, no sprints
            raise


STREAMS = {USERS: users, ISSUES: issues, CHANGELOGS: changelogs, SPRINTS: sprints}


def check(pull: Pull) -> list[str]:
    zone = user_zone(pull)  # also proves the credentials
    since = pull.since(ISSUES)
    jql = search_jql(pull, since)
    body = pull.client.get_json(SEARCH, {"jql": jql, "fields": "updated", "maxResults": 1})
    first = len(body.get("issues") or [])
    zone_name = getattr(zone, "key", "UTC")
    lines = [
        f"reachable at {pull.client.base_url}, email and API token accepted "
        f"(JQL dates read in the user's time zone {zone_name})",
        f"search answers: {'issues found' if first else 'no issue matches yet'} for {jql}",
        "would fetch: users; issues (with links and their full changelogs) updated since "
        + (format_cursor(since) if since else "the beginning (no start_date)"),
    ]
    lines.append(pull.sweep_note("issues (ids only)"))
    if zone_name != "UTC":
        lines.append(
            f"note: the API user's profile time zone is {zone_name}; JQL dates are written in it"
        )
    return lines
