"""GitHub through its simulator: the same raw rows as the exports, incremental
(only what changed is fetched again), resilient to faults and rate limits."""

from __future__ import annotations

import csv
import json
from urllib.parse import parse_qs, quote, urlsplit

import duckdb
import pytest

from outcomes.errors import OutcomesError
from pipelines.common.api import check_source
from tests.api.conftest import (
    api_config,
    assert_same_raw,
    kill_a_pull,
    load_api,
    load_files,
    raw_tables,
    read_export,
    staged,
)

SOURCE = "github"
ORG = {"organization": "acme"}


def config(simulator, **scope):
    return api_config(SOURCE, simulator, **{**ORG, **scope})


@pytest.fixture(scope="module")
def files_warehouse(demo_exports, tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("github-files") / "files.duckdb"
    load_files(SOURCE, demo_exports, warehouse)
    return warehouse


def test_pull_lands_the_same_raw_rows_as_the_exports(simulator, files_warehouse, tmp_path):
    pulled = load_api(config(simulator), tmp_path / "api.duckdb")
    assert pulled.published
    assert_same_raw(files_warehouse, tmp_path / "api.duckdb", SOURCE)
    tables = raw_tables(tmp_path / "api.duckdb", SOURCE)
    for table in ("pull_requests", "reviews", "commits", "pull_request_events", "users"):
        assert tables[f"raw_github.{table}"], table
    targets = pulled.requests.targets()
    assert all("per_page=100" in t for t in targets if "/pulls?" in t or "/deployments?" in t)


def _cursor(records, field):
    return max(r[field] for r in records if isinstance(r.get(field), str))


def _minus(stamp: str, **delta) -> str:
    import datetime as dt

    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")) - dt.timedelta(**delta)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _children_asked(targets):
    """(repo, number) of every PR whose reviews, commits or timeline were asked for."""
    out = set()
    for target in targets:
        parts = urlsplit(target).path.split("/")
        if len(parts) == 7 and parts[6] in {"reviews", "commits", "timeline"}:
            out.add((f"{parts[2]}/{parts[3]}", int(parts[5])))
    return out


def test_incremental_pulls_ask_only_for_what_changed(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    first = load_api(config(simulator), warehouse)
    before = raw_tables(warehouse, SOURCE)
    pulls_cursor = _cursor(simulator.pulls, "updated_at")
    runs_cursor = _cursor(simulator.runs, "created_at")

    # a rerun with nothing changed: nothing moves, few requests
    simulator.clear_log()
    second = load_api(config(simulator), warehouse)
    assert second.published
    assert raw_tables(warehouse, SOURCE) == before
    assert len(simulator.requests) < len(first.requests.records) / 10
    assert not [t for t in simulator.requests if t.startswith("/users/")]  # profiles: weekly
    overlap = _minus(pulls_cursor, minutes=60)
    recent = {
        (p["base"]["repo"]["full_name"], p["number"])
        for p in simulator.pulls
        if p["updated_at"] >= overlap
    }
    assert _children_asked(simulator.requests) == recent
    runs = [t for t in simulator.requests if "/actions/runs?" in t]
    assert runs and all(
        parse_qs(urlsplit(t).query)["created"] == [">=" + _minus(runs_cursor, minutes=60, days=3)]
        for t in runs
    )

    # two PRs change (one is merged, one gets a review), a deployment is superseded
    old = sorted(simulator.pulls, key=lambda p: p.get("updated_at") or "")
    merged, reviewed = old[5], old[6]
    simulator.update_pull_request(merged["id"], state="closed", merged_at="2026-11-16T01:00:00Z")
    review = dict(next(r for v in simulator.reviews.values() for r in v))
    simulator.add_review(reviewed["id"], {**review, "id": 2_999_999_999, "state": "APPROVED"})
    running = max(simulator.deployments, key=lambda d: d["created_at"])
    simulator.finish_deployment(running["id"], state="inactive")
    simulator.clear_log()
    third = load_api(config(simulator), warehouse)
    assert third.published
    asked = _children_asked(simulator.requests)
    for pr in (merged, reviewed):
        assert (pr["base"]["repo"]["full_name"], pr["number"]) in asked
    assert asked <= recent | {
        (p["base"]["repo"]["full_name"], p["number"]) for p in (merged, reviewed)
    }
    assert any(f"/deployments/{running['id']}/statuses" in t for t in simulator.requests)
    rows = raw_tables(warehouse, SOURCE)
    assert any(2_999_999_999 in row for row in rows["raw_github.reviews"])
    assert (
        len(rows["raw_github.deployment_statuses"])
        == len(before["raw_github.deployment_statuses"]) + 1
    )

    # the same as a full pull into a fresh warehouse
    load_api(config(simulator), tmp_path / "fresh.duckdb")
    assert_same_raw(warehouse, tmp_path / "fresh.duckdb", SOURCE)


# Staging models whose rows follow a parent, with the column naming it first.
CHILDREN = {
    "stg_github__pull_requests": "pull_request_id, repository_name",
    "stg_github__reviews": "pull_request_id, review_id",
    "stg_github__commits": "pull_request_id, pull_request_commit_id",
    "stg_github__pull_request_events": "pull_request_id, pull_request_event_id",
    "stg_github__workflow_runs": "repository_name, workflow_run_id",
    "stg_github__deployment_statuses": "deployment_id, deployment_status_id",
}


def test_deleted_deployments_and_repositories_are_swept_and_leave_staging(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    settings = config(simulator, deletion_sweep_hours=0)
    load_api(settings, warehouse)
    before = staged(warehouse, "github", "stg_github__deployments", "deployment_id")
    oldest = min(simulator.deployments, key=lambda d: d["created_at"])  # far behind the cursor
    simulator.delete_deployment(oldest["id"])
    repo = "acme/payments-jobs"
    of_repo = {(d["id"],) for d in simulator.deployments if d["repository"]["full_name"] == repo}
    assert of_repo and (oldest["id"],) not in of_repo
    simulator.delete_repository(repo)
    children = {
        model: staged(warehouse, "github", model, columns) for model, columns in CHILDREN.items()
    }
    simulator.clear_log()
    assert load_api(settings, warehouse).published
    after = staged(warehouse, "github", "stg_github__deployments", "deployment_id")
    assert after == [r for r in before if r != (oldest["id"],) and r not in of_repo]
    # the repository is a deletion record; its pull requests (with their reviews,
    # commits and events), runs and the deleted deployments' statuses leave staging
    assert staged(warehouse, "github", "stg_github__repositories", "repository_name") == sorted(
        (name,) for name in simulator.repos
    )
    pulls = {p["id"] for p in simulator.pulls if p["base"]["repo"]["full_name"] == repo}
    gone_deployments = {d for (d,) in of_repo} | {oldest["id"]}
    dropped = {
        "stg_github__pull_requests": lambda r: r[0] in pulls,
        "stg_github__reviews": lambda r: r[0] in pulls,
        "stg_github__commits": lambda r: r[0] in pulls,
        "stg_github__pull_request_events": lambda r: r[0] in pulls,
        "stg_github__workflow_runs": lambda r: r[0] == repo,
        "stg_github__deployment_statuses": lambda r: r[0] in gone_deployments,
    }
    for model, columns in CHILDREN.items():
        kept = [r for r in children[model] if not dropped[model](r)]
        assert len(kept) < len(children[model]), model  # the test deletes some of each
        assert staged(warehouse, "github", model, columns) == kept, model
    con = duckdb.connect(str(warehouse), read_only=True)
    deleted = con.execute(
        "select count(*), count(distinct repository_name) from raw_github.deployments "
        "where is_deleted"
    ).fetchone()
    con.close()
    assert deleted == (len(of_repo) + 1, 2 if oldest["repository"]["full_name"] != repo else 1)
    con = duckdb.connect(str(warehouse), read_only=True)
    repositories = con.execute(
        "select repository_name, coalesce(is_deleted, false) from raw_github.repositories"
    ).fetchall()
    con.close()
    assert sorted(repositories) == sorted(
        [(name, False) for name in simulator.repos] + [(repo, True)]
    )
    # the sweep read each listing to its last page: at least one page per repository
    listings = [t for t in simulator.requests if "/deployments?" in t]
    assert len(listings) >= len(simulator.repos)
    # a rerun sweeps again and finds nothing more: no row changes
    rows = raw_tables(warehouse, SOURCE)
    load_api(settings, warehouse)
    assert raw_tables(warehouse, SOURCE) == rows


def test_faults_and_rate_limits_are_waited_out(simulator, files_warehouse, tmp_path):
    simulator.inject("429", path="/repos/acme/payments-web/pulls")
    simulator.inject("502", path="/repos/acme/platform-api/pulls/")
    simulator.inject("truncate", path="/orgs/acme/members")
    simulator.inject("bad_json", path="/repos/acme/payments-jobs/deployments")
    simulator.inject("slow", path="/repos/acme/platform-jobs/actions/runs", seconds=0.5)
    simulator.inject("rate_limit", path="/repos/acme/payments-worker/issues/")
    simulator.inject("secondary_rate_limit", path="/users/")
    pulled = load_api(config(simulator), tmp_path / "api.duckdb")
    assert_same_raw(files_warehouse, tmp_path / "api.duckdb", SOURCE)
    statuses = [r.status for r in pulled.requests.records]
    assert statuses.count(403) == 2 and 429 in statuses and 502 in statuses
    assert pulled.requests.retry_wait_seconds >= 2
    assert simulator._faults == []


def test_small_pages_a_capped_search_a_new_field_and_a_removed_field(
    simulator, files_warehouse, tmp_path, monkeypatch
):
    """Every listing followed through its Link headers (10 per page here);
    workflow-run searches past GitHub's 1,000-result cap split into windows
    (cap lowered to 40 here); vendor changes to the records are harmless."""
    import outcomes.simulators.github as sim_module
    import pipelines.github.api as api_module

    monkeypatch.setattr(sim_module, "SEARCH_CAP", 40)
    monkeypatch.setattr(api_module, "SEARCH_CAP", 40)
    monkeypatch.setattr(api_module, "PER_PAGE", 10)
    simulator.inject("new_field", path="/repos/acme/payments-web/pulls", times=1000)
    simulator.inject("drop_optional", path="/repos/acme/platform-api/deployments", times=1000)
    pulled = load_api(config(simulator), tmp_path / "api.duckdb")
    assert_same_raw(files_warehouse, tmp_path / "api.duckdb", SOURCE)
    assert any("x_added_by_vendor" in keys for keys in pulled.new_columns.values())
    for listing in ("/pulls?", "/members?", "/deployments?", "/actions/runs?"):
        assert any(listing in t and "page=2" in t for t in simulator.requests), listing
    ranges = [t for t in simulator.requests if "/actions/runs?" in t]
    assert any(".." in parse_qs(urlsplit(t).query)["created"][0] for t in ranges)


def test_an_identity_mapping_file_replaces_profile_emails(
    simulator, demo_exports, files_warehouse, tmp_path
):
    mapping = tmp_path / "sso.csv"
    with mapping.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["login", "email"])
        for user in read_export(demo_exports / SOURCE / "users.jsonl"):
            if user.get("email"):
                writer.writerow([user["login"].upper(), user["email"]])
    pulled = load_api(
        config(simulator, identity_mapping_file=str(mapping)), tmp_path / "api.duckdb"
    )
    assert not [t for t in pulled.requests.targets() if t.startswith("/users/")]
    assert (
        raw_tables(tmp_path / "api.duckdb", SOURCE)["raw_github.users"]
        == raw_tables(files_warehouse, SOURCE)["raw_github.users"]
    )


def test_a_list_of_repositories_limits_the_pull(simulator, tmp_path):
    pulled = load_api(
        api_config(SOURCE, simulator, repositories=["acme/payments-web"]), tmp_path / "api.duckdb"
    )
    repos = {t.split("/")[3] for t in pulled.requests.targets() if t.startswith("/repos/")}
    assert repos == {"payments-web"}
    names = {row for row in raw_tables(tmp_path / "api.duckdb", SOURCE)["raw_github.pull_requests"]}
    assert names


def test_bad_credentials_name_the_source_and_the_answer(simulator, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCES__GITHUB__ACCESS_TOKEN", "wrong")
    with pytest.raises(OutcomesError) as failure:
        load_api(config(simulator), tmp_path / "api.duckdb")
    message = str(failure.value)
    assert "'github'" in message and "401" in message and "Bad credentials" in message
    assert "Traceback" not in message


def test_a_missing_scope_is_named(simulator, tmp_path):
    with pytest.raises(OutcomesError, match=r"api\.organization"):
        load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")


def test_sources_check(simulator):
    lines = check_source(SOURCE, config(simulator).api)
    text = "\n".join(lines)
    assert "token accepted" in text and "6 repositories" in text
    assert "SAML identities" in text and "would fetch" in text
    assert "deletions: deployments and repositories swept every 24 h" in text
    assert not [t for t in simulator.requests if "/pulls" in t]


def test_a_pull_killed_among_the_reviews_resumes_identical(simulator, files_warehouse, tmp_path):
    """A real kill of the pulling process while it reads PRs' children; the
    rerun ends as the exports do (nothing from the killed pull counted)."""
    killed = tmp_path / "killed.duckdb"
    kill_a_pull(
        SOURCE,
        simulator,
        killed,
        slow_path="/repos/acme/platform-api/pulls/",
        slow_times=20,
        slow_seconds=0.3,
        until=lambda r: any("/platform-api/pulls/" in t for t in r),
        settle_seconds=0.5,
        timeout=120,
        organization="acme",
    )
    load_api(config(simulator), killed)
    assert_same_raw(files_warehouse, killed, SOURCE)


# -- the login -> email link: mapping file, else SAML/SCIM identities, else public email ----


def _humans(simulator):
    return [u for u in simulator.users if u.get("type") != "Bot"]


def _bots(simulator):
    return [u for u in simulator.users if u.get("type") == "Bot"]


def _linked_users(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select count(*) filter (where person_key is not null), count(*) from raw_github.users"
        ).fetchone()
    finally:
        con.close()


def _graphql_posts(pulled):
    return [r for r in pulled.requests.records if r.method == "POST" and r.target == "/graphql"]


def test_saml_identities_paged_link_every_member(
    simulator, files_warehouse, demo_exports, tmp_path, monkeypatch, caplog
):
    """The demo org has SAML SSO: every human member is linked by the email of
    their external identity (read 5 a page here, so over several pages), and
    only the members without one (the bots) cost a profile request."""
    import logging

    import pipelines.github.api as api_module

    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(api_module, "SAML_PAGE", 5)
    folder = tmp_path / "pull"
    folder.mkdir()
    pulled = load_api(config(simulator), folder / "api.duckdb")
    assert pulled.published
    # 16 people and one identity linked to no account: 17 identities, 4 pages of 5
    identities = len(simulator.identities)
    assert identities == len(_humans(simulator)) + 1 == 17
    pages = -(-identities // 5)
    assert len(_graphql_posts(pulled)) == pages == 4
    assert [c["first"] for c in simulator.graphql_calls] == [5] * pages
    assert [c["after"] for c in simulator.graphql_calls] == [None] + [
        simulator._cursor(5 * n - 1) for n in range(1, pages)
    ]
    assert {c["org"] for c in simulator.graphql_calls} == {"acme"}
    # every human member linked; profiles read only for the members with no identity
    assert _linked_users(folder / "api.duckdb") == (len(_humans(simulator)), len(simulator.users))
    profiles = sorted(t for t in pulled.requests.targets() if t.startswith("/users/"))
    assert profiles == sorted(f"/users/{quote(u['login'], safe='')}" for u in _bots(simulator))
    # only the bots fell back to a public profile, and the pull says why
    assert pulled.requests.notes == [
        f"users: {len(_bots(simulator))} of {len(simulator.users)} members linked to the roster "
        "by their public GitHub profile email (0 have one): they have no linked SAML identity; "
        "give identity_mapping_file (a CSV login,email) to link the others "
        "(docs/connectors/github.md)"
    ]
    # the same pseudonyms as the exports' emails (nameId, SAML or SCIM primary email)
    assert_same_raw(files_warehouse, folder / "api.duckdb", SOURCE)
    # no email in clear: not in raw, not in dlt's files, not in the logs
    emails = {u["email"] for u in simulator.users if u.get("email")}
    emails |= {
        e["value"]
        for node in simulator.identities
        for identity in (node.get("samlIdentity"), node.get("scimIdentity"))
        for e in (identity or {}).get("emails") or []
    }
    written = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert [e for e in emails if e.encode() in written] == []
    assert [e for e in emails if e in caplog.text] == []


def test_without_saml_sso_members_fall_back_to_public_emails(simulator, files_warehouse, tmp_path):
    simulator.saml_sso = False
    pulled = load_api(config(simulator), tmp_path / "api.duckdb")
    assert len(_graphql_posts(pulled)) == 1  # asked once, null: no SAML SSO
    profiles = [t for t in pulled.requests.targets() if t.startswith("/users/")]
    assert len(profiles) == len(simulator.users)
    assert_same_raw(files_warehouse, tmp_path / "api.duckdb", SOURCE)
    public = sum(1 for u in simulator.users if u.get("email"))
    # the pull says so too, in the run summary: counts, why, what to do
    (note,) = pulled.requests.notes
    assert note.startswith(
        f"users: {len(simulator.users)} of {len(simulator.users)} members linked to the roster "
        f"by their public GitHub profile email ({public} have one): the organization 'acme' "
        "has no SAML single sign-on"
    )
    assert "give identity_mapping_file" in note
    text = "\n".join(check_source(SOURCE, config(simulator).api))
    assert f"public GitHub profile ({public} of {len(simulator.users)} members have one)" in text
    assert "no SAML single sign-on" in text and "identity_mapping_file" in text
    assert not [u["email"] for u in simulator.users if u.get("email") and u["email"] in text]


@pytest.mark.parametrize("access", ["insufficient_scopes", "forbidden", "member"])
def test_a_token_without_owner_access_is_named_and_falls_back(
    simulator, files_warehouse, tmp_path, access
):
    """GitHub answers HTTP 200 with `errors` (or a null provider for a member's
    token): the check says so in one line, and the pull links public emails."""
    simulator.graphql_access = access
    lines = check_source(SOURCE, config(simulator).api)
    (line,) = [line for line in lines if line.startswith("emails of members")]
    assert line.startswith("emails of members from their public GitHub profile")
    expected = {
        "insufficient_scopes": "INSUFFICIENT_SCOPES: Your token has not been granted",
        "forbidden": "FORBIDDEN: Resource not accessible",
        "member": "not an org owner's",
    }[access]
    assert expected in line and "identity_mapping_file" in line
    if access != "member":
        assert "organization.samlIdentityProvider" in line and "read:org" in line
    assert "Traceback" not in "\n".join(lines)
    assert not [u["email"] for u in simulator.users if u.get("email") and u["email"] in line]
    pulled = load_api(config(simulator), tmp_path / "api.duckdb")
    assert pulled.published
    assert_same_raw(files_warehouse, tmp_path / "api.duckdb", SOURCE)


def test_the_mapping_file_wins_over_saml_identities(simulator, demo_exports, tmp_path):
    """The admin's word wins: with a mapping file GraphQL is not asked, and each
    login gets the mapping's email even where its SAML identity says another."""
    import shutil

    users = read_export(demo_exports / SOURCE / "users.jsonl")
    humans = [u for u in users if u.get("email")]
    rotated = {u["login"]: humans[(i + 1) % len(humans)]["email"] for i, u in enumerate(humans)}
    mapping = tmp_path / "sso.csv"
    with mapping.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["login", "email"])
        writer.writerows(rotated.items())
    # what the mapping means, loaded from files: the exports with the mapping's emails
    exports = tmp_path / "exports"
    shutil.copytree(demo_exports / SOURCE, exports / SOURCE)
    with (exports / SOURCE / "users.jsonl").open("w") as handle:
        for user in users:
            handle.write(json.dumps({**user, "email": rotated.get(user["login"])}) + "\n")
    load_files(SOURCE, exports, tmp_path / "mapped.duckdb")

    settings = config(simulator, identity_mapping_file=str(mapping))
    pulled = load_api(settings, tmp_path / "api.duckdb")
    assert _graphql_posts(pulled) == [] and simulator.graphql_calls == []
    assert pulled.requests.notes == []  # the mapping file links everyone it names
    api_users = raw_tables(tmp_path / "api.duckdb", SOURCE)["raw_github.users"]
    assert api_users == raw_tables(tmp_path / "mapped.duckdb", SOURCE)["raw_github.users"]
    plain = load_api(config(simulator), tmp_path / "saml.duckdb")
    assert _graphql_posts(plain)
    assert api_users != raw_tables(tmp_path / "saml.duckdb", SOURCE)["raw_github.users"]
    simulator.graphql_calls.clear()
    text = "\n".join(check_source(SOURCE, settings.api))
    assert f"identity mapping file {mapping} (identity_mapping_file): {len(humans)} of" in text
    assert simulator.graphql_calls == []


def test_the_graphql_endpoint_and_the_identity_email():
    from outcomes.config import ApiConfig
    from pipelines.common.api import Pull
    from pipelines.common.http import ApiClient
    from pipelines.github.api import _identity_email, graphql_url

    def url(base, **scope):
        api = ApiConfig(base_url=base, scope=tuple(sorted(scope.items())))
        return graphql_url(Pull(SOURCE, api, ApiClient(SOURCE, base)))

    assert url("https://api.github.com") == "https://api.github.com/graphql"
    assert url("https://ghe.example.com/api/v3/") == "https://ghe.example.com/api/graphql"
    assert url("https://ghe.example.com/api/v3", graphql_url="https://x/gql") == "https://x/gql"
    saml = {"nameId": "ab12", "emails": [{"value": "b@x.io"}, {"value": "a@x.io", "primary": True}]}
    assert _identity_email({"samlIdentity": saml}) == "a@x.io"
    assert _identity_email({"samlIdentity": {"nameId": "n@x.io", "emails": []}}) == "n@x.io"
    scim = {"username": "jdoe", "emails": [{"value": "s@x.io", "primary": True}]}
    assert _identity_email({"samlIdentity": {"nameId": "ab12"}, "scimIdentity": scim}) == "s@x.io"
    assert _identity_email({"samlIdentity": {"nameId": "ab12", "emails": []}}) is None
    assert _identity_email({"samlIdentity": None, "scimIdentity": None}) is None


def test_the_window_keeps_each_pull_requests_children_and_names_what_it_left_out(
    simulator, files_warehouse, tmp_path
):
    """`since:` on the API path: a pull request opened inside the window keeps
    its commits authored before it; one opened before brings none of its
    commits, reviews or timeline events, even those dated inside. Each table
    holds the exports' rows of the kept pull requests, no other, and the run
    summary names, per table, the rows left outside."""
    from outcomes.config import SourceConfig
    from outcomes.summary import RunSummary, render
    from pipelines.common.load import load_source
    from tests.api.conftest import LOADED_AT, NOW, SALT

    opened = sorted(p["created_at"] for p in simulator.pulls)
    since = opened[len(opened) // 2][:10]  # about half the pull requests are opened before
    windowed = SourceConfig(SOURCE, api=config(simulator).api, since=since)
    load = load_source(windowed, tmp_path / "api.duckdb", SALT, LOADED_AT, now=NOW)
    assert load.published
    rows = raw_tables(tmp_path / "api.duckdb", SOURCE)
    full = raw_tables(files_warehouse, SOURCE)

    kept = {p["id"] for p in simulator.pulls if p["created_at"][:10] >= since}
    assert 0 < len(kept) < len(simulator.pulls)
    column = {
        t: _column_index(files_warehouse, t, "pull_request_id")
        for t in ("pull_requests", "commits", "reviews", "pull_request_events")
    }
    outside: dict[str, int] = {}
    for table, index in column.items():
        name = f"raw_github.{table}"
        # every child of a kept pull request, and none of another's
        assert rows[name] == [r for r in full[name] if r[index] in kept], table
        outside[table] = len(full[name]) - len(rows[name])
    # children dated before the window stay with their pull request; children
    # dated inside it leave with theirs
    authored = _column_index(files_warehouse, "commits", "authored_at")
    assert any(str(r[authored])[:10] < since for r in rows["raw_github.commits"])
    submitted = _column_index(files_warehouse, "reviews", "submitted_at")
    assert any(
        r[column["reviews"]] not in kept and str(r[submitted])[:10] >= since
        for r in full["raw_github.reviews"]
    )
    reported = {r.table.name: r.outside_window for r in load.reads if r.outside_window}
    assert {t: reported.get(t, 0) for t in outside} == outside
    assert all(outside.values())
    text = render(RunSummary(loads=[load]), tmp_path / "api.duckdb")
    line = next(s for s in text.splitlines() if "outside the since/until window" in s)
    for table, count in outside.items():
        assert f"{table} {count:,}" in line


def _column_index(warehouse, table: str, column: str) -> int:
    """Where a column sits in `raw_tables` rows (their columns sorted by name)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        columns = [
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = "
                "'raw_github' and table_name = ? and not starts_with(column_name, '_dlt') "
                "order by 1",
                [table],
            ).fetchall()
        ]
    finally:
        con.close()
    return columns.index(column)
