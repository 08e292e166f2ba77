"""Jira Cloud platform REST API v3, as documented (developer.atlassian.com,
"The Jira Cloud platform REST API").

- Auth: basic auth with the account's email and an API token
  (`Authorization: Basic base64(email:token)`); a wrong pair answers 401.
- `GET /rest/api/3/myself`: the calling user, with the `timeZone` of its
  profile, the zone JQL date literals are read in.
- `GET /rest/api/3/search/jql` (the "enhanced search"; the old
  `/rest/api/3/search` answers 410 Gone): `jql`, `fields` (a comma list;
  without it only ids come back), `expand`, `maxResults` (at most 100 issues
  a page when fields are asked for, 5,000 when only `id` or `key`), `nextPageToken`. No `startAt`, no
  `total`: a page holds `issues`, and `nextPageToken` until the last page,
  which says `isLast: true`. A token expires (7 days): a stale one answers
  400. JQL dates are `"yyyy/MM/dd HH:mm"` (minute precision) in the user's
  time zone. Deleted issues are simply no longer found.
- `expand=changelog` embeds the issue's changelog, newest history first, cut
  to a few histories (`changelog.total` says how many there are).
- `GET /rest/api/3/issue/{idOrKey}/changelog`: every history, oldest first,
  paged by `startAt`/`maxResults` (at most 100): `values`, `total`, `isLast`.
- `GET /rest/api/3/users/search`: every user (apps too), a plain JSON array,
  paged by `startAt`/`maxResults` (at most 1000); a page may hold fewer than
  asked without being the last: the end is an empty page.
- Jira Software's Agile API: `GET /rest/agile/1.0/board` (`type=scrum`
  filters) and `GET /rest/agile/1.0/board/{id}/sprint` (`state` filters),
  both paged by `startAt`/`maxResults` (at most 50): `values`, `isLast`.
  The sprints come from `sprints.jsonl` of the export folder when it has
  one (the demo's has none); each board is its sprints' `originBoardId`.

JQL understood here: clauses joined by AND, each `project = K`,
`project in (K, ...)` or `updated >= "yyyy/MM/dd HH:mm"`, in parentheses or
not, then `ORDER BY updated ASC` or `ORDER BY created ASC`. Anything else answers 400 as Jira does for
a query it cannot parse.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import zoneinfo
from pathlib import Path
from typing import Any

from outcomes.simulators.server import (
    Fault,
    Request,
    Response,
    Simulator,
    basic_auth_ok,
    latest,
    read_jsonl,
    route,
)

EMAIL = "outcomes-reader@example.com"
MAX_ISSUES = 100
MAX_ID_ONLY = 5000  # the page cap when only id (or key) is asked for
MAX_CHANGELOG = 100
MAX_USERS = 1000
EMBEDDED_HISTORIES = 3  # Jira embeds a few of the newest; the test proves the paging
SEARCH = "/rest/api/3/search/jql"
CHANGELOG = route("/rest/api/3/issue/{issue}/changelog")
BOARDS = "/rest/agile/1.0/board"
BOARD_SPRINTS = route("/rest/agile/1.0/board/{board}/sprint")
MAX_AGILE = 50
JQL_DATE = re.compile(r'^updated\s*>=\s*"(\d{4}/\d{2}/\d{2} \d{2}:\d{2})"$', re.I)
JQL_PROJECT_EQ = re.compile(r"^project\s*=\s*\"?([A-Za-z0-9_]+)\"?$", re.I)
JQL_PROJECT_IN = re.compile(r"^project\s+in\s*\(([^)]*)\)$", re.I)


def jira_time(value: str | None) -> dt.datetime | None:
    """Jira's `2026-05-04T11:12:33.000+0200`."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class JiraSimulator(Simulator):
    tool = "jira"

    def __init__(self, exports: Path, now: dt.datetime | None = None) -> None:
        super().__init__(exports)
        self.now = now or dt.datetime.now(dt.UTC)
        self.user_time_zone = "UTC"
        self.changelog_page_cap = MAX_CHANGELOG
        self.issues = latest(
            read_jsonl(exports / "issues.jsonl"),
            lambda r: r.get("id"),
            lambda r: _stamp((r.get("fields") or {}).get("updated")),
        )
        self.users = latest(
            read_jsonl(exports / "users.jsonl"), lambda r: r.get("accountId"), lambda r: ""
        )
        histories = latest(
            read_jsonl(exports / "changelogs.jsonl"), lambda r: r.get("id"), lambda r: ""
        )
        self.sprints = latest(
            read_jsonl(exports / "sprints.jsonl"), lambda r: r.get("id"), lambda r: ""
        )
        self.histories: dict[str, list[dict[str, Any]]] = {}
        for history in histories:
            record = {k: v for k, v in history.items() if k != "issueId"}
            self.histories.setdefault(str(history.get("issueId")), []).append(record)
        for items in self.histories.values():
            items.sort(key=lambda h: (_stamp(h.get("created")), int(h.get("id") or 0)))

    # -- auth -----------------------------------------------------------------

    def credentials(self) -> dict[str, str]:
        return {"SOURCES__JIRA__EMAIL": EMAIL, "SOURCES__JIRA__API_TOKEN": self.token}

    def authorized(self, request: Request) -> bool:
        return basic_auth_ok(request, EMAIL, self.token)

    # -- changes a test makes between two pulls ---------------------------------

    def update_issue(self, issue_id: str, status: str, updated: str) -> dict[str, Any]:
        """A transition: the issue's status and `updated` move, a history is added."""
        for issue in self.issues:
            if issue.get("id") == issue_id:
                fields = issue["fields"]
                before = fields["status"]["name"]
                fields["status"] = {**fields["status"], "name": status}
                fields["updated"] = updated
                history = {
                    "id": str(900000 + sum(len(h) for h in self.histories.values())),
                    "author": fields.get("assignee") or fields.get("reporter"),
                    "created": updated,
                    "items": [
                        {
                            "field": "status",
                            "fieldtype": "jira",
                            "fieldId": "status",
                            "from": None,
                            "fromString": before,
                            "to": None,
                            "toString": status,
                        }
                    ],
                }
                self.histories.setdefault(issue_id, []).append(history)
                issue.setdefault("changelog", {})["total"] = len(self.histories[issue_id])
                return history
        raise KeyError(issue_id)

    def delete_issue(self, issue_id: str) -> None:
        """Deleted in Jira: search no longer finds it, its changelog is gone, and
        its links leave the issues on their other side (whose `updated` does
        not move: a pull does not read them again)."""
        self.issues = [i for i in self.issues if i.get("id") != issue_id]
        self.histories.pop(issue_id, None)
        for issue in self.issues:
            links = (issue.get("fields") or {}).get("issuelinks")
            if links:
                issue["fields"]["issuelinks"] = [
                    link
                    for link in links
                    if issue_id
                    not in {
                        (link.get("outwardIssue") or {}).get("id"),
                        (link.get("inwardIssue") or {}).get("id"),
                    }
                ]

    # -- routes -----------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.path == "/rest/api/3/myself":
            return Response(
                200,
                {
                    "accountId": "712020:simulator-reader",
                    "accountType": "atlassian",
                    "emailAddress": EMAIL,
                    "active": True,
                    "timeZone": self.user_time_zone,
                },
            )
        if request.path == "/rest/api/3/search":
            return Response(
                410,
                {
                    "errorMessages": [
                        "The requested API has been removed. Please migrate to the "
                        "/rest/api/3/search/jql API."
                    ]
                },
            )
        if request.path == SEARCH:
            return self._search(request)
        if (match := CHANGELOG.match(request.path)) is not None:
            return self._changelog(request, match["issue"])
        if request.path == BOARDS:
            boards = sorted(
                {int(s["originBoardId"]) for s in self.sprints if s.get("originBoardId")}
            )
            values = [{"id": b, "name": f"Board {b}", "type": "scrum"} for b in boards]
            if request.arg("type") not in (None, "scrum"):
                values = []
            return self._agile_page(request, values)
        if (match := BOARD_SPRINTS.match(request.path)) is not None:
            board = int(match["board"])
            values = [s for s in self.sprints if s.get("originBoardId") == board]
            states = set((request.arg("state") or "").split(",")) - {""}
            if states:
                values = [s for s in values if s.get("state") in states]
            return self._agile_page(request, values)
        if request.path == "/rest/api/3/users/search":
            start = max(request.int_arg("startAt", 0), 0)
            size = min(max(request.int_arg("maxResults", 50), 0), MAX_USERS)
            return Response(200, self.users[start : start + size])
        raise LookupError(request.path)

    def _agile_page(self, request: Request, values: list[dict[str, Any]]) -> Response:
        start = max(request.int_arg("startAt", 0), 0)
        size = min(max(request.int_arg("maxResults", 50), 1), MAX_AGILE)
        page = values[start : start + size]
        return Response(
            200,
            {
                "maxResults": size,
                "startAt": start,
                "isLast": start + size >= len(values),
                "values": page,
            },
        )

    def tool_fault(self, fault: Fault, request: Request) -> Response | None:
        if fault.kind == "expired_token":
            if not request.arg("nextPageToken"):  # not a page token yet: wait for one
                self.inject("expired_token", path=fault.path, times=1)
                return None
            return Response(
                400,
                {"errorMessages": ["The provided next page token is invalid or expired."]},
            )
        return None

    def _search(self, request: Request) -> Response:
        try:
            matches = self._match(request.arg("jql") or "")
        except ValueError as exc:
            return Response(400, {"errorMessages": [str(exc)], "errors": {}})
        start = 0
        token = request.arg("nextPageToken")
        if token:
            try:
                start = int(json.loads(base64.urlsafe_b64decode(token.encode()))["offset"])
            except (ValueError, KeyError, TypeError):
                return Response(
                    400,
                    {"errorMessages": ["The provided next page token is invalid or expired."]},
                )
        fields = [f for f in (request.arg("fields") or "").split(",") if f]
        cap = MAX_ID_ONLY if set(fields) <= {"id", "key"} else MAX_ISSUES
        size = min(max(request.int_arg("maxResults", 50), 1), cap)
        page = matches[start : start + size]
        expand = (request.arg("expand") or "").split(",")
        issues = [self._issue(i, fields, "changelog" in expand) for i in page]
        body: dict[str, Any] = {"issues": issues}
        if start + size < len(matches):
            body["nextPageToken"] = base64.urlsafe_b64encode(
                json.dumps({"offset": start + size}).encode()
            ).decode()
        else:
            body["isLast"] = True
        return Response(200, body)

    def _issue(self, issue: dict[str, Any], fields: list[str], changelog: bool) -> dict:
        out: dict[str, Any] = {
            "expand": issue.get("expand"),
            "id": issue.get("id"),
            "self": issue.get("self"),
            "key": issue.get("key"),
        }
        if fields:
            source = issue.get("fields") or {}
            wanted = source if "*all" in fields else {f: source.get(f) for f in fields}
            out["fields"] = {k: v for k, v in wanted.items() if k in source}
        if changelog:
            histories = self.histories.get(str(issue.get("id")), [])
            newest = list(reversed(histories))[:EMBEDDED_HISTORIES]
            out["changelog"] = {
                "startAt": 0,
                "maxResults": len(newest),
                "total": len(histories),
                "histories": newest,
            }
        return out

    def _match(self, jql: str) -> list[dict[str, Any]]:
        parts = re.split(r"\s*\border\s+by\s+", jql, maxsplit=1, flags=re.I)
        query, order = parts[0], (parts[1] if len(parts) > 1 else "")
        order = order.strip().lower()
        if order and order not in {"updated asc", "updated", "created asc", "created"}:
            raise ValueError(f"Error in the JQL Query: cannot order by {order!r} here")
        zone = zoneinfo.ZoneInfo(self.user_time_zone)
        keep = list(self.issues)
        for clause in re.split(r"\s+and\s+", query.strip(), flags=re.I):
            clause = clause.strip()
            while clause.startswith("(") and clause.endswith(")"):
                clause = clause[1:-1].strip()
            if not clause:
                continue
            if m := JQL_DATE.match(clause):
                since = dt.datetime.strptime(m[1], "%Y/%m/%d %H:%M").replace(tzinfo=zone)
                keep = [
                    i
                    for i in keep
                    if (u := jira_time((i.get("fields") or {}).get("updated"))) is not None
                    and u >= since
                ]
            elif m := JQL_PROJECT_EQ.match(clause):
                keep = [i for i in keep if _project(i) == m[1]]
            elif m := JQL_PROJECT_IN.match(clause):
                keys = {k.strip().strip('"') for k in m[1].split(",")}
                keep = [i for i in keep if _project(i) in keys]
            else:
                raise ValueError(f"Error in the JQL Query: unsupported clause {clause!r}")
        by = "created" if order.startswith("created") else "updated"
        return sorted(
            keep,
            key=lambda i: (_stamp((i.get("fields") or {}).get(by)), int(i.get("id") or 0)),
        )

    def _changelog(self, request: Request, issue: str) -> Response:
        known = {i.get("id"): i.get("id") for i in self.issues} | {
            i.get("key"): i.get("id") for i in self.issues
        }
        if issue not in known:
            return Response(
                404, {"errorMessages": ["Issue does not exist or you do not have permission."]}
            )
        histories = self.histories.get(str(known[issue]), [])
        start = max(request.int_arg("startAt", 0), 0)
        size = min(max(request.int_arg("maxResults", 100), 1), self.changelog_page_cap)
        page = histories[start : start + size]
        return Response(
            200,
            {
                "self": self.url(request.path, startAt=start, maxResults=size),
                "maxResults": size,
                "startAt": start,
                "total": len(histories),
                "isLast": start + size >= len(histories),
                "values": page,
            },
        )


def _stamp(value: str | None) -> str:
    """A sortable UTC text of a Jira time ("" when there is none)."""
    moment = jira_time(value)
    return moment.astimezone(dt.UTC).isoformat() if moment is not None else ""


def _project(issue: dict[str, Any]) -> str | None:
    return ((issue.get("fields") or {}).get("project") or {}).get("key")


SIMULATOR = JiraSimulator
