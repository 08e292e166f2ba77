"""GitHub REST API v3, as documented (docs.github.com/en/rest).

- Auth: `Authorization: Bearer <token>` (or `token <token>`); a wrong token
  answers 401 `{"message": "Bad credentials"}`.
- Paging: `page` and `per_page` (default 30, at most 100); the `Link` header
  names the `next`, `last`, `first` and `prev` pages with absolute URLs.
- Rate limits: 403 (or 429) with `X-RateLimit-Remaining: 0` and
  `X-RateLimit-Reset` (epoch seconds) — the `rate_limit` fault; a secondary
  limit answers 403 with `Retry-After` — the `secondary_rate_limit` fault.
- `GET /orgs/{org}/members`: simple user objects (no name, no email);
  `GET /users/{login}`: the full user, `email` being the public email.
- `GET /orgs/{org}/repos`, `GET /repos/{owner}/{repo}`.
- `GET /repos/{o}/{r}/pulls`: `state` (open by default), `sort` (created by
  default; updated), `direction` (desc for created, else asc); list items
  have no `additions`/`deletions`/`changed_files`: `GET /pulls/{n}` does.
- `GET /pulls/{n}/reviews` (chronological, `pull_request_url`, no PR id),
  `/pulls/{n}/commits` (at most 250), `GET /issues/{n}/timeline` (every
  event type: `committed` events have a `sha` and no `id`, `reviewed` events
  are the reviews).
- `GET /repos/{o}/{r}/deployments` newest first, without the repository
  object (`repository_url`); `GET /deployments/{id}/statuses` newest first,
  without the deployment's id (`deployment_url`).
- `GET /repos/{o}/{r}/actions/runs`: `created` (`>=DATE`, `DATE..DATE`),
  body `{"total_count", "workflow_runs"}`, newest first; a filtered search
  returns at most 1,000 results.
- GraphQL (`POST /graphql`, docs.github.com/en/graphql), only the org's
  SAML/SCIM identities: `organization(login:) { samlIdentityProvider {
  externalIdentities(first:, after:) { pageInfo { hasNextPage endCursor }
  edges { node { guid samlIdentity { nameId emails { value primary } }
  scimIdentity { username emails { value primary } } user { login } } } } } }`.
  A connection needs `first` (or `last`), at most 100; `after` is an opaque
  cursor. Errors come back as HTTP 200 with an `errors` array (`type`,
  `message`, `path`): an unknown org is `NOT_FOUND` with `organization:
  null`. `samlIdentityProvider` is null for an org without SAML SSO
  (`saml_sso = False`) and for a token that is not an owner's
  (`graphql_access = "member"`); `graphql_access = "insufficient_scopes"`
  answers a classic token without `read:org` (`INSUFFICIENT_SCOPES`, no
  `data`), `"forbidden"` a token GitHub refuses the field (`FORBIDDEN`). The
  served node carries every field above whatever the selection (no GraphQL
  parser here: `first`, `after` and `login` are read from the query's
  arguments and its variables).

The demo's exports hold what the API serves across endpoints (a PR's size,
the parent's id on child records, the user's email): the simulator splits
them the way the API does.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from outcomes.simulators.server import (
    Fault,
    Record,
    Request,
    Response,
    Simulator,
    iso,
    latest,
    parse_time,
    read_jsonl,
    route,
)

API = "https://api.github.com"
MAX_PER_PAGE = 100
GRAPHQL_MAX_FIRST = 100  # nodes a GraphQL connection gives a page
SEARCH_CAP = 1000  # results of a filtered workflow-run search
PR_SIZE = ("additions", "deletions", "changed_files")
TERMINAL = {"success", "failure", "error", "inactive"}

ROUTES: list[tuple[re.Pattern[str], str]] = [
    (route("/orgs/{org}/members"), "members"),
    (route("/orgs/{org}/repos"), "org_repos"),
    (route("/users/{login}"), "user"),
    (route("/rate_limit"), "rate_limit"),
    (route("/graphql"), "graphql"),
    (route("/repos/{owner}/{repo}"), "repo"),
    (route("/repos/{owner}/{repo}/pulls"), "pulls"),
    (route("/repos/{owner}/{repo}/pulls/{number}"), "pull"),
    (route("/repos/{owner}/{repo}/pulls/{number}/reviews"), "reviews"),
    (route("/repos/{owner}/{repo}/pulls/{number}/commits"), "commits"),
    (route("/repos/{owner}/{repo}/issues/{number}/timeline"), "timeline"),
    (route("/repos/{owner}/{repo}/deployments"), "deployments"),
    (route("/repos/{owner}/{repo}/deployments/{id}"), "deployment"),
    (route("/repos/{owner}/{repo}/deployments/{id}/statuses"), "statuses"),
    (route("/repos/{owner}/{repo}/actions/runs"), "runs"),
]


def _repo_of_url(url: str | None, marker: str) -> str | None:
    """`acme/web` out of `https://api.github.com/repos/acme/web/<marker>...`."""
    match = re.search(r"/repos/([^/]+/[^/]+)/" + marker, url or "")
    return match.group(1) if match else None


class GitHubSimulator(Simulator):
    tool = "github"
    org = "acme"
    # the demo org has SAML SSO; a test turns it off, or gives the token less access
    saml_sso = True
    graphql_access = "owner"  # "member", "insufficient_scopes" or "forbidden"

    def __init__(self, exports: Path) -> None:
        super().__init__(exports)
        self.users = latest(
            read_jsonl(exports / "users.jsonl"), lambda r: r.get("login"), lambda r: ""
        )
        self.pulls = latest(
            read_jsonl(exports / "pull_requests.jsonl"),
            lambda r: r.get("id"),
            lambda r: r.get("updated_at"),
        )
        reviews = latest(read_jsonl(exports / "reviews.jsonl"), lambda r: r.get("id"), lambda r: "")
        commits = latest(
            read_jsonl(exports / "commits.jsonl"),
            lambda r: (r.get("pull_request_id"), r.get("sha")),
            lambda r: "",
        )
        events = latest(
            read_jsonl(exports / "timeline_events.jsonl"), lambda r: r.get("id"), lambda r: ""
        )
        self.deployments = latest(
            read_jsonl(exports / "deployments.jsonl"),
            lambda r: r.get("id"),
            lambda r: r.get("updated_at"),
        )
        statuses = latest(
            read_jsonl(exports / "deployment_statuses.jsonl"), lambda r: r.get("id"), lambda r: ""
        )
        self.runs = latest(
            read_jsonl(exports / "workflow_runs.jsonl"),
            lambda r: r.get("id"),
            lambda r: r.get("updated_at"),
        )
        # repositories: the export's listing when it has one, else as the records embed them
        self.repos: dict[str, Record] = {}
        for ref in read_jsonl(exports / "repositories.jsonl"):
            if isinstance(ref, dict) and ref.get("full_name"):
                self.repos.setdefault(ref["full_name"], ref)
        for record in [*self.pulls, *self.runs]:
            ref = (record.get("base") or {}).get("repo") or record.get("repository")
            if isinstance(ref, dict) and ref.get("full_name"):
                self.repos.setdefault(ref["full_name"], ref)
        for record in self.deployments:
            ref = record.get("repository")
            if isinstance(ref, dict) and ref.get("full_name"):
                self.repos.setdefault(ref["full_name"], ref)
        # a pull request is addressed by repository and number
        self.pull_ids: dict[tuple[str, int], int] = {}
        for record in self.pulls:
            key = self._pull_key(record)
            if key and isinstance(record.get("id"), int):
                self.pull_ids[key] = record["id"]
        self._recover_keyless(reviews, commits, events)
        # indexes, so a big organisation (make bench) is served in linear time
        self._pulls_of: dict[str, list[Record]] = {}
        self._pull_at: dict[tuple[str, int], list[Record]] = {}
        for record in self.pulls:
            key = self._pull_key(record)
            if key:
                self._pulls_of.setdefault(key[0], []).append(record)
                self._pull_at.setdefault(key, []).append(record)
        self._deployments_of: dict[str, list[Record]] = {}
        for record in self.deployments:
            name = (record.get("repository") or {}).get("full_name")
            self._deployments_of.setdefault(name, []).append(record)
        self._runs_of: dict[str, list[Record]] = {}
        for record in self.runs:
            name = (record.get("repository") or {}).get("full_name")
            self._runs_of.setdefault(name, []).append(record)
        self.reviews = self._by_parent(reviews, "pull_request_id")
        self.commits = self._by_parent(commits, "pull_request_id")
        self.events = self._by_parent(events, "pull_request_id")
        self.statuses = self._by_parent(statuses, "deployment_id")
        self.identities = self._external_identities()
        # each GraphQL call's org, `first` and `after` (the request log has only the path)
        self.graphql_calls: list[dict[str, Any]] = []
        self._clock = max(
            (
                parse_time(r.get("updated_at"))
                for r in [*self.pulls, *self.deployments, *self.runs]
                if parse_time(r.get("updated_at"))
            ),
            default=dt.datetime.now(dt.UTC),
        )

    # -- the data ---------------------------------------------------------------

    @staticmethod
    def _pull_key(record: Record) -> tuple[str, int] | None:
        repo = ((record.get("base") or {}).get("repo") or {}).get("full_name")
        number = record.get("number")
        return (repo, number) if repo and isinstance(number, int) else None

    def _recover_keyless(self, *children: list[Record]) -> None:
        """A pull request whose export line lost its id still has one in the API:
        the id its reviews, commits and events name that no other PR holds."""
        known = set(self.pull_ids.values())
        keyless: dict[str, list[tuple[str, int]]] = {}
        for record in self.pulls:
            key = self._pull_key(record)
            if key and not isinstance(record.get("id"), int) and key not in self.pull_ids:
                keyless.setdefault(key[0], []).append(key)
        for records in children:
            for child in records:
                parent = child.get("pull_request_id")
                if parent in known:
                    continue
                url = child.get("html_url") or ""
                repo = _repo_of_url(child.get("url"), "(commits|issues)") or (
                    "/".join(url.split("/")[3:5]) if url else None
                )
                if repo in keyless and len(keyless[repo]) == 1:
                    self.pull_ids[keyless[repo][0]] = parent
                    known.add(parent)

    @staticmethod
    def _by_parent(records: list[Record], field: str) -> dict[Any, list[Record]]:
        out: dict[Any, list[Record]] = {}
        for record in records:
            out.setdefault(record.get(field), []).append(record)
        return out

    def tick(self) -> str:
        """The API's clock: a second after the newest change (the demo's time)."""
        self._clock += dt.timedelta(seconds=1)
        return iso(self._clock)

    def update_pull_request(self, pull_id: int, **changes: Any) -> Record:
        """A change a test makes between two pulls (the PR's updated_at moves)."""
        for record in self.pulls:
            if record.get("id") == pull_id:
                record.update(changes)
                record["updated_at"] = changes.get("updated_at") or self.tick()
                return record
        raise KeyError(pull_id)

    def add_review(self, pull_id: int, review: Record) -> None:
        """A new review: the PR's updated_at moves with it, as on GitHub."""
        stamp = self.update_pull_request(pull_id)["updated_at"]
        self.reviews.setdefault(pull_id, []).append(
            {**review, "pull_request_id": pull_id, "submitted_at": stamp}
        )

    def finish_deployment(self, deployment_id: int, state: str = "success") -> None:
        """A deployment gets its final status (its updated_at moves)."""
        stamp = self.tick()
        for record in self.deployments:
            if record.get("id") == deployment_id:
                record["updated_at"] = stamp
                statuses = self.statuses.setdefault(deployment_id, [])
                new_id = max((s["id"] for v in self.statuses.values() for s in v), default=0) + 1
                template = dict(statuses[-1]) if statuses else {}
                statuses.append(
                    {
                        **template,
                        "id": new_id,
                        "state": state,
                        "created_at": stamp,
                        "deployment_id": deployment_id,
                    }
                )
                return
        raise KeyError(deployment_id)

    def add_deployment(self, repo: str, **fields: Any) -> Record:
        stamp = self.tick()
        template = next(d for d in self.deployments if d["repository"]["full_name"] == repo)
        new_id = max(d["id"] for d in self.deployments) + 1
        record = {**template, "id": new_id, "created_at": stamp, "updated_at": stamp, **fields}
        self.deployments.append(record)
        self._deployments_of.setdefault(repo, []).append(record)
        return record

    def delete_deployment(self, deployment_id: int) -> None:
        """A repository admin deletes a deployment (and its statuses with it)."""
        self.deployments = [d for d in self.deployments if d.get("id") != deployment_id]
        for name, records in self._deployments_of.items():
            self._deployments_of[name] = [d for d in records if d.get("id") != deployment_id]
        self.statuses.pop(deployment_id, None)

    def delete_repository(self, full_name: str) -> None:
        """The repository is deleted: it leaves the org's listing and answers 404."""
        del self.repos[full_name]
        for index in (self._deployments_of, self._pulls_of, self._runs_of):
            index.pop(full_name, None)

    # -- routing ----------------------------------------------------------------

    def authorized(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        return header in (f"Bearer {self.token}", f"token {self.token}")

    def demo_scope(self) -> dict[str, Any]:
        return {"organization": self.org}

    def tool_fault(self, fault: Fault, request: Request) -> Response | None:
        if fault.kind == "rate_limit":
            return Response(
                403,
                {
                    "message": "API rate limit exceeded for user ID 1.",
                    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
                },
                {
                    "X-RateLimit-Limit": "5000",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Used": "5000",
                    "X-RateLimit-Reset": str(int(time.time()) + 1),
                    "X-RateLimit-Resource": "core",
                },
            )
        if fault.kind == "secondary_rate_limit":
            return Response(
                403,
                {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."},
                {"Retry-After": "1"},
            )
        return None

    def handle(self, request: Request) -> Response:
        path = unquote(request.path)
        for pattern, name in ROUTES:
            match = pattern.match(path)
            if match:
                args = match.groupdict()
                response: Response = getattr(self, f"_{name}")(request, **args)
                response.headers.setdefault("X-RateLimit-Limit", "5000")
                response.headers.setdefault("X-RateLimit-Remaining", "4999")
                return response
        raise LookupError(request.path)

    def _page(
        self,
        request: Request,
        items: list[Any],
        wrap: Callable[[list[Any]], Any] | None = None,
        cap: int | None = None,
    ) -> Response:
        per_page = max(1, min(request.int_arg("per_page", 30), MAX_PER_PAGE))
        page = max(1, request.int_arg("page", 1))
        total = len(items)
        reachable = items[:cap] if cap is not None else items
        start = (page - 1) * per_page
        chunk = reachable[start : start + per_page]
        last = max(1, -(-len(reachable) // per_page))
        params = {k: v for k, v in request.query.items() if k not in {"page", "per_page"}}
        links = []

        def link(number: int, rel: str) -> str:
            url = self.url(request.path, **params, per_page=per_page, page=number)
            return f'<{url}>; rel="{rel}"'

        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links += [link(1, "first"), link(page - 1, "prev")]
        headers = {"Link": ", ".join(links)} if links else {}
        body = wrap(chunk) if wrap else chunk
        if wrap is not None and isinstance(body, dict) and "total_count" in body:
            body["total_count"] = total
        return Response(200, body, headers)

    # -- users and repositories -------------------------------------------------

    @staticmethod
    def _simple_user(user: Record) -> Record:
        login = user.get("login")
        return {
            "login": login,
            "id": user.get("id"),
            "node_id": user.get("node_id"),
            "avatar_url": user.get("avatar_url"),
            "gravatar_id": "",
            "url": f"{API}/users/{login}",
            "html_url": f"https://github.com/{login}",
            "type": user.get("type"),
            "site_admin": user.get("site_admin"),
        }

    def _check_org(self, org: str) -> None:
        if org.lower() != self.org:
            raise LookupError(org)

    def _members(self, request: Request, org: str) -> Response:
        self._check_org(org)
        return self._page(request, [self._simple_user(u) for u in self.users])

    def _user(self, request: Request, login: str) -> Response:
        for user in self.users:
            if str(user.get("login")).lower() == login.lower():
                full = {
                    **self._simple_user(user),
                    "name": user.get("name"),
                    "company": None,
                    "blog": "",
                    "location": None,
                    "email": user.get("email"),
                    "hireable": None,
                    "bio": None,
                    "public_repos": 0,
                    "followers": 0,
                    "following": 0,
                    "created_at": "2019-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z",
                }
                return Response(200, full)
        raise LookupError(login)

    def _repo_object(self, full_name: str) -> Record:
        ref = self.repos[full_name]
        owner = full_name.split("/")[0]
        return {
            "archived": False,
            "default_branch": "main",
            **ref,
            "owner": {"login": owner, "type": "Organization", "url": f"{API}/users/{owner}"},
        }

    def _org_repos(self, request: Request, org: str) -> Response:
        self._check_org(org)
        return self._page(request, [self._repo_object(name) for name in sorted(self.repos)])

    def _repo(self, request: Request, owner: str, repo: str) -> Response:
        full = f"{owner}/{repo}"
        if full not in self.repos:
            raise LookupError(full)
        return Response(200, self._repo_object(full))

    def _rate_limit(self, request: Request) -> Response:
        core = {"limit": 5000, "used": 1, "remaining": 4999, "reset": int(time.time()) + 3600}
        return Response(200, {"resources": {"core": core}, "rate": core})

    # -- GraphQL: the org's SAML/SCIM external identities ----------------------

    def _external_identities(self) -> list[Record]:
        """One external identity per member the IdP knows (not the bots), in the
        shapes an IdP leaves: the email as SAML nameId, in the SAML or SCIM emails
        (primary or not), or only in SCIM; plus one identity nobody linked yet."""
        out: list[Record] = []
        people = [u for u in self.users if u.get("type") != "Bot" and u.get("email")]
        for i, user in enumerate(people):
            email, login = user["email"], user.get("login")
            opaque = f"{user.get('id')}-idp"
            saml: Record = {"nameId": email, "emails": []}
            scim: Record | None = None
            if i % 4 == 1:  # nameId an IdP id; the primary email listed after an alias
                saml = {
                    "nameId": opaque,
                    "emails": [
                        {"value": f"alias-{opaque}@example.invalid", "primary": False},
                        {"value": email, "primary": True},
                    ],
                }
            elif i % 4 == 2:  # SAML and SCIM (the IdP provisions too)
                scim = {"username": email, "emails": [{"value": email, "primary": True}]}
            elif i % 4 == 3:  # only SCIM knows the email
                saml = {"nameId": opaque, "emails": []}
                scim = {"username": str(login), "emails": [{"value": email, "primary": True}]}
            out.append(
                {
                    "guid": f"{user.get('id'):0>8}-sso",
                    "samlIdentity": saml,
                    "scimIdentity": scim,
                    "user": {"login": login},
                }
            )
        out.append(  # assigned in the IdP, never signed in: linked to no GitHub account
            {
                "guid": "00000000-pending",
                "samlIdentity": {"nameId": "pending-user@example.invalid", "emails": []},
                "scimIdentity": None,
                "user": None,
            }
        )
        return sorted(out, key=lambda r: r["guid"])

    @staticmethod
    def _cursor(index: int) -> str:
        return base64.b64encode(f"cursor:v2:{index}".encode()).decode()

    @staticmethod
    def _uncursor(cursor: str) -> int | None:
        try:
            text = base64.b64decode(cursor.encode(), validate=True).decode()
        except ValueError:
            return None
        head, _, index = text.rpartition(":")
        return int(index) if head == "cursor:v2" and index.isdigit() else None

    def _graphql(self, request: Request) -> Response:
        if request.method != "POST":
            raise LookupError("/graphql")
        body = request.body if isinstance(request.body, dict) else {}
        query = str(body.get("query") or "")
        variables = body.get("variables") or {}
        if "samlIdentityProvider" not in query or "externalIdentities" not in query:
            message = "simulator: only organization.samlIdentityProvider is served"
            return Response(200, {"errors": [{"message": message}]})

        def args(field: str) -> dict[str, Any]:
            match = re.search(field + r"\s*\(([^)]*)\)", query)
            out: dict[str, Any] = {}
            for name, value in re.findall(
                r'(\w+)\s*:\s*(\$\w+|"[^"]*"|-?\d+|null)', (match.group(1) if match else "")
            ):
                if value.startswith("$"):
                    out[name] = variables.get(value[1:])
                elif value.startswith('"'):
                    out[name] = value[1:-1]
                else:
                    out[name] = None if value == "null" else int(value)
            return out

        login = args("organization").get("login")
        paging = args("externalIdentities")
        first, after = paging.get("first"), paging.get("after")
        self.graphql_calls.append({"org": login, "first": first, "after": after})
        if self.graphql_access == "insufficient_scopes":
            return Response(
                200,
                {
                    "errors": [
                        {
                            "type": "INSUFFICIENT_SCOPES",
                            "locations": [{"line": 4, "column": 5}],
                            "message": "Your token has not been granted the required scopes "
                            "to execute this query. The 'samlIdentityProvider' field requires "
                            "one of the following scopes: ['read:org'], but your token has "
                            "only been granted the: ['repo'] scopes.",
                        }
                    ]
                },
            )
        if str(login or "").lower() != self.org:
            return Response(
                200,
                {
                    "data": {"organization": None},
                    "errors": [
                        {
                            "type": "NOT_FOUND",
                            "path": ["organization"],
                            "message": "Could not resolve to an Organization with the login "
                            f"of '{login}'.",
                        }
                    ],
                },
            )
        if self.graphql_access == "forbidden":
            return Response(
                200,
                {
                    "data": {"organization": {"samlIdentityProvider": None}},
                    "errors": [
                        {
                            "type": "FORBIDDEN",
                            "path": ["organization", "samlIdentityProvider"],
                            "message": "Resource not accessible by personal access token",
                        }
                    ],
                },
            )
        if not self.saml_sso or self.graphql_access == "member":
            return Response(200, {"data": {"organization": {"samlIdentityProvider": None}}})
        if not isinstance(first, int) or first < 0:
            message = (
                "You must provide a `first` or `last` value to properly paginate the "
                "`externalIdentities` connection."
            )
            return Response(
                200,
                {
                    "data": None,
                    "errors": [{"type": "MISSING_PAGINATION_BOUNDARIES", "message": message}],
                },
            )
        if first > GRAPHQL_MAX_FIRST:
            message = (
                f"Requesting {first} records on the `externalIdentities` connection exceeds "
                f"the `first` limit of {GRAPHQL_MAX_FIRST} records."
            )
            return Response(
                200,
                {"data": None, "errors": [{"type": "EXCESSIVE_PAGINATION", "message": message}]},
            )
        start = 0
        if after is not None:
            index = self._uncursor(str(after))
            if index is None:
                message = f"`{after}` does not appear to be a valid cursor."
                return Response(
                    200,
                    {
                        "data": None,
                        "errors": [{"type": "INVALID_CURSOR_ARGUMENTS", "message": message}],
                    },
                )
            start = index + 1
        chunk = self.identities[start : start + first]
        edges = [{"cursor": self._cursor(start + i), "node": node} for i, node in enumerate(chunk)]
        info = {
            "hasNextPage": start + len(chunk) < len(self.identities),
            "hasPreviousPage": start > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        }
        provider = {
            "ssoUrl": f"https://idp.example.invalid/sso/{self.org}",
            "externalIdentities": {
                "totalCount": len(self.identities),
                "pageInfo": info,
                "edges": edges,
            },
        }
        return Response(200, {"data": {"organization": {"samlIdentityProvider": provider}}})

    # -- pull requests ----------------------------------------------------------

    def _repo_pulls(self, owner: str, repo: str) -> list[Record]:
        full = f"{owner}/{repo}"
        if full not in self.repos:
            raise LookupError(full)
        return self._pulls_of.get(full, [])

    def _pulls(self, request: Request, owner: str, repo: str) -> Response:
        items = self._repo_pulls(owner, repo)
        state = request.arg("state", "open")
        if state != "all":
            items = [p for p in items if p.get("state") == state]
        sort = request.arg("sort", "created")
        field = {"updated": "updated_at"}.get(sort or "", "created_at")
        direction = request.arg("direction", "desc" if sort == "created" else "asc")
        items = sorted(
            items,
            key=lambda p: (p.get(field) or "", p.get("number") or 0),
            reverse=direction == "desc",
        )
        return self._page(
            request, [{k: v for k, v in p.items() if k not in PR_SIZE} for p in items]
        )

    def _find_pull(self, owner: str, repo: str, number: str) -> tuple[Record, int | None]:
        self._repo_pulls(owner, repo)  # 404 for an unknown repository
        if not number.isdigit():
            raise LookupError(number)
        wanted = (f"{owner}/{repo}", int(number))
        found = self._pull_at.get(wanted, [])
        if not found:
            raise LookupError(number)
        with_id = [p for p in found if isinstance(p.get("id"), int)]
        return (with_id or found)[0], self.pull_ids.get(wanted)

    def _pull(self, request: Request, owner: str, repo: str, number: str) -> Response:
        record, pull_id = self._find_pull(owner, repo, number)
        full = {
            **record,
            "id": pull_id if pull_id is not None else record.get("id"),
            "merged": record.get("merged_at") is not None,
            "mergeable": None,
            "comments": 0,
            "review_comments": 0,
            "commits": len(self.commits.get(pull_id, [])),
        }
        return Response(200, full)

    def _children(self, owner: str, repo: str, number: str, table: dict) -> tuple[list, int | None]:
        _, pull_id = self._find_pull(owner, repo, number)
        return list(table.get(pull_id, [])) if pull_id is not None else [], pull_id

    def _reviews(self, request: Request, owner: str, repo: str, number: str) -> Response:
        items, _ = self._children(owner, repo, number, self.reviews)
        url = f"{API}/repos/{owner}/{repo}/pulls/{number}"
        served = [
            {
                **{k: v for k, v in r.items() if k != "pull_request_id"},
                "pull_request_url": url,
            }
            for r in sorted(items, key=lambda r: (r.get("submitted_at") or "", r.get("id") or 0))
        ]
        return self._page(request, served)

    def _commits(self, request: Request, owner: str, repo: str, number: str) -> Response:
        items, _ = self._children(owner, repo, number, self.commits)
        served = [{k: v for k, v in c.items() if k != "pull_request_id"} for c in items]
        return self._page(request, served[:250])

    def _timeline(self, request: Request, owner: str, repo: str, number: str) -> Response:
        events, pull_id = self._children(owner, repo, number, self.events)
        served: list[tuple[str, Record]] = [
            (e.get("created_at") or "", {k: v for k, v in e.items() if k != "pull_request_id"})
            for e in events
        ]
        for c in self.commits.get(pull_id, []):  # committed events: no id, no created_at
            inner = c.get("commit") or {}
            served.append(
                (
                    (inner.get("author") or {}).get("date") or "",
                    {
                        "sha": c.get("sha"),
                        "node_id": c.get("node_id"),
                        "url": c.get("url"),
                        "html_url": c.get("html_url"),
                        "author": inner.get("author"),
                        "committer": inner.get("committer"),
                        "message": inner.get("message"),
                        "tree": inner.get("tree"),
                        "parents": c.get("parents"),
                        "verification": {"verified": False, "reason": "unsigned"},
                        "event": "committed",
                    },
                )
            )
        for r in self.reviews.get(pull_id, []):  # reviewed events: the review itself
            served.append(
                (
                    r.get("submitted_at") or "",
                    {
                        **{k: v for k, v in r.items() if k != "pull_request_id"},
                        "event": "reviewed",
                    },
                )
            )
        served.sort(key=lambda x: x[0])
        return self._page(request, [e for _, e in served])

    # -- deployments ------------------------------------------------------------

    def _served_deployment(self, d: Record, owner: str, repo: str) -> Record:
        out = {k: v for k, v in d.items() if k != "repository"}
        out["repository_url"] = f"{API}/repos/{owner}/{repo}"
        out.setdefault("transient_environment", False)
        out.setdefault("production_environment", d.get("environment") == "production")
        return out

    def _repo_deployments(self, owner: str, repo: str) -> list[Record]:
        full = f"{owner}/{repo}"
        if full not in self.repos:
            raise LookupError(full)
        return self._deployments_of.get(full, [])

    def _deployments(self, request: Request, owner: str, repo: str) -> Response:
        items = self._repo_deployments(owner, repo)
        for name in ("sha", "ref", "task", "environment"):
            value = request.arg(name)
            if value is not None:
                items = [d for d in items if d.get(name) == value]
        items = sorted(items, key=lambda d: (d.get("created_at") or "", d.get("id") or 0))
        served = [self._served_deployment(d, owner, repo) for d in reversed(items)]
        return self._page(request, served)

    def _deployment(self, request: Request, owner: str, repo: str, id: str) -> Response:
        for d in self._repo_deployments(owner, repo):
            if str(d.get("id")) == id:
                return Response(200, self._served_deployment(d, owner, repo))
        raise LookupError(id)

    def _statuses(self, request: Request, owner: str, repo: str, id: str) -> Response:
        deployment = next(
            (d for d in self._repo_deployments(owner, repo) if str(d.get("id")) == id), None
        )
        if deployment is None:
            raise LookupError(id)
        items = sorted(
            self.statuses.get(deployment["id"], []),
            key=lambda s: (s.get("created_at") or "", s.get("id") or 0),
            reverse=True,
        )
        url = f"{API}/repos/{owner}/{repo}/deployments/{id}"
        served = [
            {
                **{k: v for k, v in s.items() if k != "deployment_id"},
                "deployment_url": url,
                "repository_url": f"{API}/repos/{owner}/{repo}",
            }
            for s in items
        ]
        return self._page(request, served)

    # -- workflow runs ----------------------------------------------------------

    def _runs(self, request: Request, owner: str, repo: str) -> Response:
        full = f"{owner}/{repo}"
        if full not in self.repos:
            raise LookupError(full)
        items = self._runs_of.get(full, [])
        created = request.arg("created")
        filtered = False
        if created:
            low, high = _date_range(created)
            if low is None and high is None:
                return Response(422, {"message": f"Invalid created filter: {created}"})
            items = [
                r
                for r in items
                if (t := parse_time(r.get("created_at"))) is not None
                and (low is None or t >= low)
                and (high is None or t <= high)
            ]
            filtered = True
        for name in ("status", "event", "branch", "head_sha"):
            value = request.arg(name)
            if value is not None:
                key = "head_branch" if name == "branch" else name
                items = [r for r in items if r.get(key) == value]
                filtered = True
        items = sorted(
            items, key=lambda r: (r.get("created_at") or "", r.get("id") or 0), reverse=True
        )
        return self._page(
            request,
            items,
            wrap=lambda chunk: {"total_count": 0, "workflow_runs": chunk},
            cap=SEARCH_CAP if filtered else None,
        )


def _date_range(text: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """GitHub's search syntax for dates: `>=A`, `>A`, `<=B`, `A..B`, `A`."""

    def moment(value: str, end: bool = False) -> dt.datetime | None:
        parsed = parse_time(value)
        if parsed is not None and len(value) == 10 and end:
            parsed += dt.timedelta(days=1) - dt.timedelta(seconds=1)
        return parsed

    text = text.strip()
    if ".." in text:
        a, b = text.split("..", 1)
        return (None if a == "*" else moment(a)), (None if b == "*" else moment(b, end=True))
    for op in (">=", ">", "<=", "<"):
        if text.startswith(op):
            value = moment(text[len(op) :], end=op in {"<=", ">"})
            if value is None:
                return None, None
            if op == ">=":
                return value, None
            if op == ">":
                return value + dt.timedelta(seconds=1), None
            if op == "<=":
                return None, value
            return None, value - dt.timedelta(seconds=1)
    value = moment(text)
    return value, moment(text, end=True)


SIMULATOR = GitHubSimulator
