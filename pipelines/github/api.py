"""GitHub REST API v3 (github.com or GitHub Enterprise Server), pulled incrementally.

Settings (`outcomes.yml`, `sources.github.api`): `base_url` (default
https://api.github.com; GHES: https://HOST/api/v3), `start_date`,
`organization` (every repository of the org) or `repositories` (a list of
`owner/name`), and optionally `identity_mapping_file` (a CSV `login,email`
of the org's SSO identities) and `lookback_days` (default 3: how far before
the cursor deployments and workflow runs are read again, since neither list
filters on an update time) and `profile_refresh_days` (default 7: members'
public profiles are read again after that). Credentials:
`[sources.github] access_token`.

Users: the org's members (`GET /orgs/{org}/members`), each linked to the
roster by one email, chosen in this order:
1. `identity_mapping_file` when given (the admin's word wins: no other source
   is asked; a member missing from it has no email);
2. else the org's SAML/SCIM external identities, when GitHub gives them: the
   GraphQL API (`POST {graphql_url}`, github.com https://api.github.com/graphql,
   GHES https://HOST/api/graphql; `graphql_url` overrides), field
   `organization.samlIdentityProvider.externalIdentities`, paged 100 at a time
   by cursor. A member's email is the primary one of the SAML identity, else
   of the SCIM identity, else the first listed, else the SAML `nameId` (or the
   SCIM `username`) when it is an email. `samlIdentityProvider` is null when
   the org has no SAML SSO of its own (none, or SAML set on the enterprise)
   and for a token that is not an org owner's; a scope GitHub refuses answers
   HTTP 200 with an `errors` array (`INSUFFICIENT_SCOPES`, `FORBIDDEN`).
   Either way the pull goes on with 3.;
3. else, and for a member with no linked identity, the public email of
   `GET /users/{login}`.

Per repository:
- pull requests: `GET /pulls?state=all&sort=updated&direction=desc`, read
  until a PR last updated before the cursor (less the overlap); each PR read
  gets `GET /pulls/{n}` (its size), `/reviews`, `/commits` and
  `/issues/{n}/timeline`: a review, a push or a review request moves the
  PR's `updated_at`, so only changed PRs cost requests.
- deployments: newest first, down to the cursor less `lookback_days`, with
  `/deployments/{id}/statuses` of each.
- workflow runs: `created>=` the cursor less `lookback_days`, windowed so no
  search passes GitHub's cap of 1,000 results.

Deletions: GitHub has no feed of deleted objects. Deployments (which a
repository admin can delete) and whole repositories are swept once every
`deletion_sweep_hours` (default 24; 0: every pull; -1: never): that pull
reads each repository's deployment listing to its last page (100 a page,
not only down to the cursor) and compares the ids with the deployments
landed so far (id, repository, sha, environment and creation time, kept in
the stream's state). A deployment no longer listed, or one of a repository
no longer in scope (deleted, or left the organization), lands as a deletion
record (`is_deleted`) replacing its row; staging leaves it out. The
repositories themselves are listed every pull (`repositories.jsonl`); on a
sweep, a known repository no longer listed lands as a deletion record, and
staging leaves out its pull requests (with their reviews, commits and
events) and its workflow runs. A sweep that would delete more than half of
the known deployments or repositories is refused
(`deletion_sweep_max_share`). Pull requests are not swept one by one (GitHub
does not let a pull request be deleted, except with its repository), nor
are workflow runs.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from dlt.sources.helpers.rest_client.paginators import HeaderLinkPaginator

from outcomes.config import ApiConfig
from outcomes.errors import OutcomesError
from pipelines.common.api import Pull, format_cursor, parse_cursor, secret
from pipelines.common.http import ApiClient

DEFAULT_BASE_URL = "https://api.github.com"
PER_PAGE = 100
SAML_PAGE = 100  # GraphQL connections give at most 100 nodes a page
PROFILE_SAMPLE = 100  # `sources check`: public profiles read to count public emails
SEARCH_CAP = 1000
# the timeline events the policy reads (every other type is not fetched into a record)
TIMELINE_EVENTS = frozenset({"review_requested", "ready_for_review"})
USER_FIELDS = ("login", "id", "node_id", "avatar_url", "type", "site_admin", "name", "email")
PR_SIZE = ("additions", "deletions", "changed_files")
PULLS, DEPLOYMENTS, RUNS = "pull_requests.jsonl", "deployments.jsonl", "workflow_runs.jsonl"
REPOS = "repositories.jsonl"
# the fields of a repository the policy reads (GitHub's object has some 90)
REPO_FIELDS = ("id", "node_id", "name", "full_name", "private", "archived", "default_branch")


def client(api: ApiConfig) -> ApiClient:
    token = secret("github", "access_token")
    return ApiClient(
        "github",
        api.base_url or DEFAULT_BASE_URL,
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        },
    )


def _pages(
    pull: Pull, path: str, params: dict[str, Any] | None = None, selector: str | None = None
):
    query = {"per_page": PER_PAGE, **(params or {})}
    return pull.client.paginate(
        path, params=query, paginator=HeaderLinkPaginator(), data_selector=selector
    )


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_cursor(value)
    except ValueError:
        return None


def _memo(pull: Pull) -> dict[str, Any]:
    """What several streams of one pull share (the repositories, the PRs read)."""
    return pull.__dict__.setdefault("_github", {})


# -- scope ------------------------------------------------------------------------


def repositories(pull: Pull) -> list[dict[str, Any]]:
    """The repositories in scope, as GitHub describes them."""
    memo = _memo(pull)
    if "repos" in memo:
        return memo["repos"]
    listed = pull.setting("repositories")
    org = pull.setting("organization")
    if listed:
        names = [listed] if isinstance(listed, str) else list(listed)
        repos = [pull.client.get_json(f"/repos/{name.strip('/')}") for name in names]
    elif org:
        repos = [r for page in _pages(pull, f"/orgs/{org}/repos", {"type": "all"}) for r in page]
    else:
        raise OutcomesError(
            "source 'github': set api.organization (every repository of the org) "
            "or api.repositories (a list of owner/name) in outcomes.yml"
        )
    memo["repos"] = [r for r in repos if r.get("full_name")]
    return memo["repos"]


def repositories_listed(pull: Pull) -> Iterator[dict[str, Any]]:
    """The repositories in scope, every pull (the listing is read anyway); on a
    sweep, each known repository no longer listed lands as a deletion record."""
    sweep = pull.sweep_due(REPOS)  # before anything is known: a backfill never sweeps
    known = pull.known(REPOS)
    present: set[str] = set()
    for repo in repositories(pull):
        record = {k: repo[k] for k in REPO_FIELDS if k in repo}
        if repo.get("id") is not None:
            present.add(str(repo["id"]))
            known[str(repo["id"])] = repo["full_name"]
        yield record
    if sweep:
        for repo_id, full in pull.vanished(REPOS, present, "repositories").items():
            yield {"id": int(repo_id), "full_name": full, "deleted": True}
    pull.advance(REPOS, dt.datetime.now(dt.UTC))  # listed: the next pull may sweep


def _lookback(pull: Pull, stream: str) -> dt.datetime | None:
    since = pull.since(stream)
    if since is not None and pull.has_cursor(stream):
        since -= dt.timedelta(days=float(pull.setting("lookback_days", 3)))
    return since


# -- users ------------------------------------------------------------------------


def _identity_map(path: str) -> dict[str, str]:
    file = Path(path).expanduser()
    if not file.is_file():
        raise OutcomesError(f"source 'github': identity_mapping_file {path!r} not found")
    out = {}
    with file.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.reader(handle):
            if len(row) >= 2 and row[0].strip() and row[0].strip().lower() != "login":
                out[row[0].strip().lower()] = row[1].strip() or None
    return out


def graphql_url(pull: Pull) -> str:
    """GitHub's GraphQL endpoint beside the REST base URL (`graphql_url` overrides):
    https://api.github.com/graphql, or https://HOST/api/graphql on GHES."""
    explicit = pull.setting("graphql_url")
    if explicit:
        return str(explicit)
    base = pull.client.base_url.rstrip("/")
    if base.endswith("/api/v3"):
        return base[: -len("/v3")] + "/graphql"
    return base + "/graphql"


SAML_QUERY = """
query($org: String!, $first: Int!, $cursor: String) {
  organization(login: $org) {
    samlIdentityProvider {
      externalIdentities(first: $first, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        edges {
          node {
            samlIdentity { nameId emails { value primary } }
            scimIdentity { username emails { value primary } }
            user { login }
          }
        }
      }
    }
  }
}
"""


@dataclass
class SamlIdentities:
    """What the org's SAML/SCIM identities gave: emails by login (lower case),
    or why there are none (`reason`, in words, without any person's value)."""

    emails: dict[str, str | None] = field(default_factory=dict)
    reason: str | None = None
    pages: int = 0

    @property
    def available(self) -> bool:
        return self.reason is None


def _is_email(value: Any) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value))


def _identity_email(node: dict[str, Any]) -> str | None:
    """The primary email of the SAML identity, else of the SCIM one, else the first
    listed, else the SAML nameId (the SCIM username) when it is an email."""
    saml = node.get("samlIdentity") or {}
    scim = node.get("scimIdentity") or {}
    listed = [
        [e for e in (identity.get("emails") or []) if isinstance(e, dict)]
        for identity in (saml, scim)
    ]
    for emails in listed:
        for entry in emails:
            if entry.get("primary") and _is_email(entry.get("value")):
                return entry["value"].strip()
    for emails in listed:
        for entry in emails:
            if _is_email(entry.get("value")):
                return entry["value"].strip()
    for value in (saml.get("nameId"), scim.get("username")):
        if _is_email(value):
            return value.strip()
    return None


def _graphql_refusal(errors: list[Any]) -> str:
    """GitHub's GraphQL errors in one line: type and message (the API's own words)."""
    parts = []
    for error in errors[:3]:
        if isinstance(error, dict):
            kind = error.get("type") or "ERROR"
            parts.append(f"{kind}: {str(error.get('message') or '')[:240]}".rstrip(": "))
    return "; ".join(parts) or "an error"


def saml_identities(pull: Pull, org: str) -> SamlIdentities:
    """Every external identity of the org linked to a GitHub account, paged by cursor."""
    memo = _memo(pull)
    if "saml" in memo:
        return memo["saml"]
    url = graphql_url(pull)
    found = SamlIdentities()
    cursor: str | None = None
    while True:
        body = pull.client.post_json(
            url,
            {"query": SAML_QUERY, "variables": {"org": org, "first": SAML_PAGE, "cursor": cursor}},
        )
        found.pages += 1
        data = (body or {}).get("data") or {}
        errors = (body or {}).get("errors") or []
        organization = data.get("organization")
        provider = (organization or {}).get("samlIdentityProvider")
        kinds = {str((e or {}).get("type")) for e in errors if isinstance(e, dict)}
        if organization is None and (not errors or kinds == {"NOT_FOUND"}):
            found.reason = f"GraphQL {url} found no organization {org!r} (api.organization)"
            found.emails = {}
            break
        if errors and provider is None:
            found.reason = (
                f"GraphQL {url} refused organization.samlIdentityProvider "
                f"({_graphql_refusal(errors)}): reading it needs an org owner's token "
                "with the read:org scope"
            )
            found.emails = {}
            break
        if provider is None:
            found.reason = (
                f"the organization {org!r} has no SAML single sign-on of its own, or the "
                "token is not an org owner's (GraphQL organization.samlIdentityProvider is null)"
            )
            break
        connection = provider.get("externalIdentities") or {}
        for edge in connection.get("edges") or []:
            node = (edge or {}).get("node") or {}
            login = (node.get("user") or {}).get("login")
            if login:  # an identity not linked to a GitHub account links nobody
                found.emails[str(login).lower()] = _identity_email(node)
        info = connection.get("pageInfo") or {}
        if not info.get("hasNextPage") or info.get("endCursor") in (None, cursor):
            break  # the last page (or a cursor that does not move: no endless loop)
        cursor = info["endCursor"]
    if found.reason:
        found.emails = {}  # a refusal part way: no identity counts
    memo["saml"] = found
    return found


def _organization(pull: Pull) -> str:
    org = pull.setting("organization")
    if org:
        return str(org)
    names = {r["owner"]["login"] for r in repositories(pull) if r.get("owner")}
    if len(names) != 1:
        raise OutcomesError(
            "source 'github': users need api.organization (the org whose members to read)"
        )
    return names.pop()


def users(pull: Pull) -> Iterator[dict[str, Any]]:
    """Org members with the email that links them to the roster: the admin's
    mapping file when given, else the org's SAML/SCIM identity, else (and for a
    member without one) the public email of `GET /users/{login}`."""
    org = _organization(pull)
    mapping_file = pull.setting("identity_mapping_file")
    mapping = _identity_map(mapping_file) if mapping_file else None
    saml = saml_identities(pull, org) if mapping is None else SamlIdentities()
    # profiles read (a profile costs a request: read again weekly), by the
    # login's pseudonym: the state is a file on disk. Rebuilt from this
    # listing, so a member who left is forgotten.
    state = pull.stream_state("users.jsonl")
    previous: dict[str, str] = {} if pull.full_refresh else dict(state.get("profiles_read") or {})
    read: dict[str, str] = {}
    today = dt.datetime.now(dt.UTC).date()
    refresh = dt.timedelta(days=float(pull.setting("profile_refresh_days", 7)))
    members = profiles = public = 0
    for page in _pages(pull, f"/orgs/{org}/members"):
        for member in page:
            members += 1
            login = str(member.get("login"))
            linked = mapping if mapping is not None else saml.emails
            if mapping is not None or login.lower() in saml.emails:
                record = {k: member[k] for k in USER_FIELDS if k in member}
                record["email"] = linked.get(login.lower())
                yield record  # linked: not in `read`, a later fallback reads the profile
                continue
            key = pull.pseudonym(login)
            last = previous.get(key)
            if last and today - dt.date.fromisoformat(last) < refresh:
                read[key] = last
                continue  # landed already; its row stays
            detail = pull.client.get_json(f"/users/{quote(login, safe='')}")
            read[key] = today.isoformat()
            profiles += 1
            public += 1 if detail.get("email") else 0
            yield {k: detail.get(k) for k in USER_FIELDS}
    if mapping is None:
        state["profiles_read"] = read
    if profiles:
        # Public emails are the weakest link (most members hide theirs): say
        # so on every pull that used them, with why and what to do.
        why = saml.reason or "they have no linked SAML identity"
        pull.client.log.notes.append(
            f"users: {profiles} of {members} members linked to the roster by their public "
            f"GitHub profile email ({public} have one): {why}; give identity_mapping_file "
            "(a CSV login,email) to link the others (docs/connectors/github.md)"
        )


def identity_note(pull: Pull) -> str:
    """What `sources check` says of the login -> email link: which source applies
    for the org and why, in counts (never an email)."""
    mapping_file = pull.setting("identity_mapping_file")
    org = _organization(pull)
    members = [str(m.get("login")) for page in _pages(pull, f"/orgs/{org}/members") for m in page]
    if mapping_file:
        mapping = _identity_map(mapping_file)
        linked = sum(1 for login in members if mapping.get(login.lower()))
        return (
            f"emails of members from the identity mapping file {mapping_file} "
            f"(identity_mapping_file): {linked} of {len(members)} members linked"
        )
    saml = saml_identities(pull, org)
    if saml.available:
        linked = sum(1 for login in members if saml.emails.get(login.lower()))
        without = sum(1 for login in members if login.lower() not in saml.emails)
        return (
            f"emails of members from the org's SAML identities (GraphQL "
            f"organization.samlIdentityProvider): {linked} of {len(members)} members linked"
            + (
                f"; {without} without a linked identity fall back to their public GitHub "
                "profile email"
                if without
                else ""
            )
        )
    sample = members[:PROFILE_SAMPLE]
    public = sum(
        1
        for login in sample
        if pull.client.get_json(f"/users/{quote(login, safe='')}").get("email")
    )
    counted = (
        f"{public} of {len(members)} members have one"
        if len(sample) == len(members)
        else f"{public} of the first {len(sample)} of {len(members)} members have one"
    )
    return (
        f"emails of members from their public GitHub profile ({counted}): {saml.reason}; "
        "for a real organisation give identity_mapping_file (a CSV login,email)"
    )


# -- pull requests and their children ------------------------------------------------


def _updated_pulls(pull: Pull) -> list[tuple[str, int, Any, dict[str, Any]]]:
    """(repository, number, PR id, record) of every PR updated since the cursor."""
    memo = _memo(pull)
    if "pulls" in memo:
        return memo["pulls"]
    since = pull.since(PULLS)
    found: list[tuple[str, int, Any, dict[str, Any]]] = []
    newest: dt.datetime | None = None
    for repo in repositories(pull):
        full = repo["full_name"]
        params = {"state": "all", "sort": "updated", "direction": "desc"}
        seen: set[int] = set()
        for page in _pages(pull, f"/repos/{full}/pulls", params):
            done = False
            for record in page:
                updated = _time(record.get("updated_at"))
                if since is not None and updated is not None and updated < since:
                    done = True
                    break
                number = record.get("number")
                if not isinstance(number, int) or number in seen:
                    continue
                seen.add(number)
                detail = pull.client.get_json(f"/repos/{full}/pulls/{number}")
                record = {**record, **{k: detail.get(k) for k in PR_SIZE if k in detail}}
                pr_id = record.get("id") if record.get("id") is not None else detail.get("id")
                found.append((full, number, pr_id, record))
                if updated is not None and (newest is None or updated > newest):
                    newest = updated
            if done:
                break
    memo["pulls"] = found
    pull.advance(PULLS, newest)
    return found


def pull_requests(pull: Pull) -> Iterator[dict[str, Any]]:
    for _, _, _, record in _updated_pulls(pull):
        yield record


def _children(pull: Pull, path: str, keep=None) -> Iterator[dict[str, Any]]:
    for full, number, pr_id, _ in _updated_pulls(pull):
        for page in _pages(pull, f"/repos/{full}/{path.format(number=number)}"):
            for record in page:
                if keep is None or keep(record):
                    yield {**record, "pull_request_id": pr_id}


def reviews(pull: Pull) -> Iterator[dict[str, Any]]:
    for record in _children(pull, "pulls/{number}/reviews"):
        record.pop("pull_request_url", None)
        record.pop("_links", None)
        yield record


def commits(pull: Pull) -> Iterator[dict[str, Any]]:
    for record in _children(pull, "pulls/{number}/commits"):
        record.pop("comments_url", None)
        yield record


def timeline_events(pull: Pull) -> Iterator[dict[str, Any]]:
    yield from _children(
        pull, "issues/{number}/timeline", keep=lambda r: r.get("event") in TIMELINE_EVENTS
    )


# -- deployments ----------------------------------------------------------------------


def _recent_deployments(pull: Pull) -> list[tuple[str, dict[str, Any]]]:
    memo = _memo(pull)
    if "deployments" in memo:
        return memo["deployments"]
    since = _lookback(pull, DEPLOYMENTS)
    sweep = pull.sweep_due(DEPLOYMENTS)  # before the cursor moves: a backfill never sweeps
    found = []
    present: set[str] = set()
    newest: dt.datetime | None = None
    for repo in repositories(pull):
        full = repo["full_name"]
        ref = {
            k: repo.get(k)
            for k in ("id", "node_id", "name", "full_name", "private", "html_url", "url")
        }
        done = False
        for page in _pages(pull, f"/repos/{full}/deployments"):
            for record in page:  # newest first
                present.add(str(record.get("id")))
                created = _time(record.get("created_at"))
                if since is not None and created is not None and created < since:
                    done = not sweep  # a sweep reads on to the last page, ids only
                    if done:
                        break
                    continue
                record = {k: v for k, v in record.items() if k not in _DEPLOYMENT_EXTRA}
                record["repository"] = ref
                found.append((full, record))
                if created is not None and (newest is None or created > newest):
                    newest = created
            if done:
                break
    pull.advance(DEPLOYMENTS, newest)
    known = pull.known(DEPLOYMENTS)
    for full, record in found:
        required = [full, record.get("sha"), record.get("environment"), record.get("created_at")]
        if record.get("id") is not None and all(required):
            known[str(record["id"])] = required
    if sweep:
        for deployment_id, (full, sha, environment, created) in pull.vanished(
            DEPLOYMENTS, present, "deployments"
        ).items():
            deleted = {
                "id": int(deployment_id),
                "repository": {"full_name": full},
                "sha": sha,
                "environment": environment,
                "created_at": created,
                "deleted": True,
            }
            found.append((full, deleted))
    memo["deployments"] = found
    return found


_DEPLOYMENT_EXTRA = {
    "repository_url",
    "transient_environment",
    "production_environment",
    "performed_via_github_app",
}


def deployments(pull: Pull) -> Iterator[dict[str, Any]]:
    for _, record in _recent_deployments(pull):
        yield record


def deployment_statuses(pull: Pull) -> Iterator[dict[str, Any]]:
    for full, deployment in _recent_deployments(pull):
        if deployment.get("deleted"):
            continue  # gone: it has no statuses to list
        path = f"/repos/{full}/deployments/{deployment.get('id')}/statuses"
        for page in _pages(pull, path):
            for record in page:
                record = {
                    k: v
                    for k, v in record.items()
                    if k not in {"deployment_url", "repository_url", "target_url"}
                }
                yield {**record, "deployment_id": deployment.get("id")}


# -- workflow runs ----------------------------------------------------------------------


def _day(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _runs_in(pull: Pull, full: str, low: dt.datetime, high: dt.datetime | None):
    """Runs created in [low, high]; a window GitHub would cap at 1,000 is halved."""
    created = f">={_day(low)}" if high is None else f"{_day(low)}..{_day(high)}"
    path = f"/repos/{full}/actions/runs"
    first = pull.client.get_json(path, {"created": created, "per_page": PER_PAGE})
    total = int(first.get("total_count") or 0)
    if total > SEARCH_CAP:
        end = high or dt.datetime.now(dt.UTC).replace(microsecond=0)
        if end - low > dt.timedelta(minutes=2):
            middle = low + (end - low) / 2
            middle = middle.replace(microsecond=0)
            yield from _runs_in(pull, full, low, middle)
            yield from _runs_in(pull, full, middle + dt.timedelta(seconds=1), high)
            return
    runs = first.get("workflow_runs") or []
    yield from runs
    if len(runs) < PER_PAGE or total <= len(runs):
        return
    pages = _pages(pull, path, {"created": created, "page": 2}, selector="workflow_runs")
    for page in pages:
        yield from page


def workflow_runs(pull: Pull) -> Iterator[dict[str, Any]]:
    since = _lookback(pull, RUNS)
    low = since or dt.datetime(2008, 1, 1, tzinfo=dt.UTC)
    newest: dt.datetime | None = None
    seen: set[Any] = set()
    for repo in repositories(pull):
        for record in _runs_in(pull, repo["full_name"], low, None):
            if record.get("id") is not None and record.get("id") in seen:
                continue
            seen.add(record.get("id"))
            created = _time(record.get("created_at"))
            if created is not None and (newest is None or created > newest):
                newest = created
            yield record
    pull.advance(RUNS, newest)


STREAMS = {
    "users.jsonl": users,
    REPOS: repositories_listed,
    PULLS: pull_requests,
    "reviews.jsonl": reviews,
    "commits.jsonl": commits,
    "timeline_events.jsonl": timeline_events,
    DEPLOYMENTS: deployments,
    "deployment_statuses.jsonl": deployment_statuses,
    RUNS: workflow_runs,
}


def check(pull: Pull) -> list[str]:
    # free of charge; GitHub Enterprise Server answers 404 when it has no rate limits
    answer = pull.client.response("/rate_limit", allow=(404,))
    rate = answer.json() if answer.status_code == 200 else {}
    core = (rate.get("resources") or {}).get("core") or rate.get("rate") or {}
    limits = (
        f"{core.get('remaining', '?')} of {core.get('limit', '?')} requests left this hour"
        if core
        else "no rate limit on this server"
    )
    repos = repositories(pull)
    since = pull.since(PULLS)
    start = format_cursor(since) if since else "the first pull request"
    return [
        f"reachable at {pull.client.base_url}, token accepted ({limits})",
        f"{len(repos)} repositories in scope: "
        + ", ".join(r["full_name"] for r in repos[:5])
        + (" ..." if len(repos) > 5 else ""),
        identity_note(pull),
        f"would fetch: pull requests updated since {start} with their reviews, commits and "
        "timeline; deployments and workflow runs created since then (less lookback_days)",
        pull.sweep_note("deployments and repositories"),
    ]
