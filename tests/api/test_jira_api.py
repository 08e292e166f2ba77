"""Jira Cloud through its simulator: the same raw rows as the exports, the
changelog paged beyond what search embeds, incremental by `updated >=` (the
cursor less the overlap, in the API user's time zone), resilient to faults."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest

from outcomes.errors import OutcomesError
from outcomes.simulators import simulator_class
from outcomes.simulators.jira import EMBEDDED_HISTORIES
from pipelines.common.api import check_source
from tests.api.conftest import (
    api_config,
    assert_same_raw,
    credentials,
    kill_a_pull,
    load_api,
    load_files,
    raw_tables,
    read_export,
    staged,
)

SOURCE = "jira"
SEARCH = "/rest/api/3/search/jql"


@pytest.fixture(scope="module")
def files_warehouse(demo_exports, tmp_path_factory) -> Path:
    warehouse = tmp_path_factory.mktemp("jira-files") / "files.duckdb"
    load_files(SOURCE, demo_exports, warehouse)
    return warehouse


def searches(requests: list[str]) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(r).query) for r in requests if urlsplit(r).path == SEARCH]


def changelog_reads(requests: list[str]) -> set[str]:
    return {
        m[1]
        for r in requests
        if (m := re.match(r"/rest/api/3/issue/(\d+)/changelog", r)) is not None
    }


def test_pull_lands_the_same_raw_rows_as_the_exports(simulator, files_warehouse, tmp_path):
    pulled = load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    assert pulled.published
    assert_same_raw(files_warehouse, tmp_path / "api.duckdb", SOURCE)
    tables = raw_tables(tmp_path / "api.duckdb", SOURCE)
    assert tables["raw_jira.issue_links"] and tables["raw_jira.changelog_items"]
    # the search asked for the policy's fields only (no summary), paged by token
    asked = searches(simulator.requests)
    assert len(asked) >= 2 and "nextPageToken" in asked[1] and "startAt" not in asked[0]
    fields = asked[0]["fields"][0].split(",")
    assert "summary" not in fields and {"status", "issuelinks", "updated"} <= set(fields)
    assert asked[0]["jql"] == ['updated >= "2025/11/01 00:00" ORDER BY updated ASC']
    # only issues with more histories than search embeds had their changelog paged
    long = {
        i["id"]
        for i in simulator.issues
        if len(simulator.histories.get(i["id"], [])) > EMBEDDED_HISTORIES
    }
    assert long and changelog_reads(simulator.requests) == long
    assert not any(urlsplit(r).path == "/rest/api/3/search" for r in simulator.requests)


def test_a_changelog_is_paged_to_its_last_page(simulator, files_warehouse, tmp_path):
    simulator.changelog_page_cap = 2  # the server gives fewer than asked: startAt follows it
    load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    assert_same_raw(files_warehouse, tmp_path / "api.duckdb", SOURCE)
    starts = [
        parse_qs(urlsplit(r).query)["startAt"][0] for r in simulator.requests if "/changelog" in r
    ]
    assert "2" in starts and "4" in starts


def test_incremental_asks_from_the_cursor_less_overlap_and_ends_as_a_full_pull(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator)
    load_api(config, warehouse)
    newest = max(
        dt.datetime.fromisoformat(i["fields"]["updated"]) for i in simulator.issues
    ).astimezone(dt.UTC)
    before = raw_tables(warehouse, SOURCE)

    # a rerun with no change: one search from the cursor less the overlap, no row changes
    simulator.clear_log()
    load_api(config, warehouse)
    assert raw_tables(warehouse, SOURCE) == before
    since = (newest - dt.timedelta(minutes=60)).strftime("%Y/%m/%d %H:%M")
    asked = searches(simulator.requests)
    assert [a["jql"] for a in asked] == [[f'updated >= "{since}" ORDER BY updated ASC']]
    assert len(simulator.requests) < 12

    # two issues move (a transition each, with a long changelog): only they are read again
    changed = [
        i["id"]
        for i in simulator.issues
        if len(simulator.histories.get(i["id"], [])) > EMBEDDED_HISTORIES
    ][:2]
    later = newest + dt.timedelta(minutes=30)
    for issue_id in changed:
        simulator.update_issue(
            issue_id, status="Done", updated=later.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        )
    simulator.clear_log()
    load_api(config, warehouse)
    asked = searches(simulator.requests)
    assert [a["jql"] for a in asked] == [[f'updated >= "{since}" ORDER BY updated ASC']]
    recent = {
        i["id"]
        for i in simulator.issues
        if dt.datetime.fromisoformat(i["fields"]["updated"]) >= newest - dt.timedelta(minutes=60)
    }
    assert set(changed) <= changelog_reads(simulator.requests) <= recent

    # the next run starts from the moved cursor; the end equals a full pull
    simulator.clear_log()
    load_api(config, warehouse)
    moved = (later - dt.timedelta(minutes=60)).strftime("%Y/%m/%d %H:%M")
    assert searches(simulator.requests)[0]["jql"] == [f'updated >= "{moved}" ORDER BY updated ASC']
    fresh = tmp_path / "fresh.duckdb"
    load_api(config, fresh)
    assert_same_raw(warehouse, fresh, SOURCE, with_loaded_at=False)


def test_jql_dates_are_written_in_the_api_users_time_zone(simulator, files_warehouse, tmp_path):
    simulator.user_time_zone = "Europe/Berlin"
    load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    assert searches(simulator.requests)[0]["jql"] == [
        'updated >= "2025/11/01 01:00" ORDER BY updated ASC'
    ]
    assert_same_raw(files_warehouse, tmp_path / "api.duckdb", SOURCE)


def test_projects_scope_the_search(simulator, tmp_path):
    key = simulator.issues[0]["fields"]["project"]["key"]
    load_api(api_config(SOURCE, simulator, projects=[key]), tmp_path / "api.duckdb")
    jql = searches(simulator.requests)[0]["jql"][0]
    assert jql.startswith(f'project in ("{key}") AND updated >= ')
    projects = {r[-1] for r in _project_keys(tmp_path / "api.duckdb")}
    assert projects == {key}


def test_a_jql_filter_is_anded_with_the_cursor(simulator, tmp_path):
    key = simulator.issues[0]["fields"]["project"]["key"]
    load_api(api_config(SOURCE, simulator, jql=f"project = {key}"), tmp_path / "api.duckdb")
    jql = searches(simulator.requests)[0]["jql"][0]
    assert jql.startswith(f"(project = {key}) AND updated >= ")
    assert {r[-1] for r in _project_keys(tmp_path / "api.duckdb")} == {key}


def test_a_jql_with_order_by_is_refused(simulator, tmp_path):
    with pytest.raises(OutcomesError, match="ORDER BY"):
        load_api(
            api_config(SOURCE, simulator, jql="project = X ORDER BY created"),
            tmp_path / "api.duckdb",
        )


def _project_keys(warehouse: Path) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select issue_id, project_key from raw_jira.issues").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize(
    "fault,path",
    [
        ("429", SEARCH),
        ("502", "/rest/api/3/issue/"),
        ("truncate", SEARCH),
        ("bad_json", "/rest/api/3/users/search"),
        ("slow", SEARCH),
        ("expired_token", SEARCH),
        ("new_field", SEARCH),
        ("drop_optional", SEARCH),
    ],
)
def test_faults_are_retried_and_the_pull_is_complete(
    simulator, files_warehouse, tmp_path, fault, path
):
    simulator.inject(fault, path=path, seconds=0.5)
    load = load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    assert_same_raw(files_warehouse, tmp_path / "api.duckdb", SOURCE)
    if fault == "expired_token":
        asked = searches(simulator.requests)
        restarted = [a for a in asked[1:] if "nextPageToken" not in a]
        assert restarted and restarted[0]["jql"] != asked[0]["jql"]
    if fault == "new_field":
        assert any("x_added_by_vendor" in keys for keys in load.new_columns.values())


def test_a_deleted_issue_is_swept_and_leaves_staging(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator, deletion_sweep_hours=0)
    load_api(config, warehouse)
    issues_before = staged(warehouse, "jira", "stg_jira__issues", "issue_id")
    # the first backfill is the first listing: it sweeps nothing
    assert not [a for a in searches(simulator.requests) if a["fields"] == ["id"]]
    gone = simulator.issues[-1]
    simulator.delete_issue(gone["id"])
    simulator.clear_log()
    assert load_api(config, warehouse).published
    # one ids-only listing of the whole scope, 5,000 a page (the demo's fit in one)
    sweeps = [a for a in searches(simulator.requests) if a["fields"] == ["id"]]
    assert [(s["jql"], s["maxResults"]) for s in sweeps] == [(["ORDER BY created ASC"], ["5000"])]
    con = duckdb.connect(str(warehouse), read_only=True)
    row = con.execute(
        "select issue_key, is_deleted, status_name, created_at is not null from raw_jira.issues "
        "where issue_id = ?",
        [int(gone["id"])],
    ).fetchall()
    con.close()
    assert row == [(gone["key"], True, None, True)]  # its row replaced: id, key, created only
    after = staged(warehouse, "jira", "stg_jira__issues", "issue_id")
    assert after == [r for r in issues_before if r != (int(gone["id"]),)]
    assert len(after) == len(issues_before) - 1
    # a rerun sweeps again and finds nothing more gone: no row changes
    before = raw_tables(warehouse, SOURCE)
    load_api(config, warehouse)
    assert raw_tables(warehouse, SOURCE) == before


def test_a_deleted_issues_changelog_and_links_leave_staging(simulator, tmp_path):
    """Children follow their parent: once the sweep finds an issue deleted, its
    changelog items and its links (read from it, or from the issue on the other
    side, whose raw row stays) leave staging with it; nothing else moves."""
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator, deletion_sweep_hours=0)
    load_api(config, warehouse)
    gone = next(
        i
        for i in simulator.issues
        if simulator.histories.get(i["id"]) and (i.get("fields") or {}).get("issuelinks")
    )
    gone_id = int(gone["id"])
    items = staged(warehouse, "jira", "stg_jira__changelog_items", "issue_id, changelog_item_id")
    links = staged(
        warehouse,
        "jira",
        "stg_jira__issue_links",
        "issue_link_side_id, issue_id, coalesce(outward_issue_id, inward_issue_id)",
    )
    of_gone = [link for link in links if gone_id in link[1:]]
    assert [i for i in items if i[0] == gone_id] and of_gone
    assert any(link[1] != gone_id for link in of_gone)  # the other side's row too
    simulator.delete_issue(gone["id"])
    assert load_api(config, warehouse).published
    raw = raw_tables(warehouse, SOURCE)
    # raw keeps the children (their keys are their own): staging drops them
    assert any(row for row in raw["raw_jira.issue_links"] if gone_id in row)
    assert staged(
        warehouse, "jira", "stg_jira__changelog_items", "issue_id, changelog_item_id"
    ) == [i for i in items if i[0] != gone_id]
    assert staged(
        warehouse,
        "jira",
        "stg_jira__issue_links",
        "issue_link_side_id, issue_id, coalesce(outward_issue_id, inward_issue_id)",
    ) == [link for link in links if gone_id not in link[1:]]


def test_the_sweep_waits_for_its_cadence(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator)  # default: once a day
    load_api(config, warehouse)
    before = staged(warehouse, "jira", "stg_jira__issues", "issue_id")
    simulator.delete_issue(simulator.issues[-1]["id"])
    simulator.clear_log()
    load_api(config, warehouse)
    assert not [a for a in searches(simulator.requests) if a["fields"] == ["id"]]
    # not swept yet: still there until the day is over
    assert staged(warehouse, "jira", "stg_jira__issues", "issue_id") == before


def test_a_sweep_that_would_delete_most_issues_is_refused(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator, deletion_sweep_hours=0)
    load_api(config, warehouse)
    before = raw_tables(warehouse, SOURCE)
    for issue in list(simulator.issues)[: len(simulator.issues) * 2 // 3]:
        simulator.delete_issue(issue["id"])
    with pytest.raises(OutcomesError, match=r"deletion sweep of issues found \d+ of \d+"):
        load_api(config, warehouse)
    assert raw_tables(warehouse, SOURCE) == before


def test_bad_credentials_name_the_source_and_the_answer(simulator, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCES__JIRA__API_TOKEN", "wrong")
    with pytest.raises(OutcomesError) as failure:
        load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    message = str(failure.value)
    assert "'jira'" in message and "401" in message and "Traceback" not in message
    assert "wrong" not in message


def test_a_missing_site_is_named(simulator):
    from outcomes.config import ApiConfig

    with pytest.raises(OutcomesError, match="base_url"):
        check_source(SOURCE, ApiConfig(base_url=None, start_date="2025-11-01"))


def test_sources_check(simulator):
    lines = check_source(SOURCE, api_config(SOURCE, simulator).api)
    assert any("accepted" in line for line in lines)
    assert any("2025-11-01" in line and "changelogs" in line for line in lines)
    assert "deletions: issues (ids only) swept every 24 h (deletion_sweep_hours)" in lines
    assert len(simulator.requests) == 2


def test_no_free_text_reaches_the_disk(simulator, demo_exports, tmp_path):
    """Summaries, descriptions and names are never written: search does not
    even ask for the summary; descriptions and changelog texts are read in
    memory only."""
    from tests.api.conftest import read_export

    issues = read_export(demo_exports / SOURCE / "issues.jsonl")
    changelogs = read_export(demo_exports / SOURCE / "changelogs.jsonl")
    users = read_export(demo_exports / SOURCE / "users.jsonl")
    secrets = (
        {i["fields"]["summary"] for i in issues if i.get("fields", {}).get("summary")}
        | {
            item["toString"]
            for h in changelogs
            for item in h.get("items", [])
            if item.get("field") in {"summary", "description"} and item.get("toString")
        }
        | {u["displayName"] for u in users if u.get("displayName")}
    )
    assert len(secrets) > 10
    folder = tmp_path / "pull"
    folder.mkdir()
    load_api(api_config(SOURCE, simulator), folder / "api.duckdb")
    written = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert [s for s in secrets if s.encode() in written] == []


def test_a_killed_pull_resumes_identical(simulator, tmp_path):
    """A real kill of the pulling process while it reads changelogs; the rerun
    ends as an uninterrupted pull."""
    clean = tmp_path / "clean.duckdb"
    load_api(api_config(SOURCE, simulator), clean)
    killed = tmp_path / "killed.duckdb"
    kill_a_pull(
        SOURCE,
        simulator,
        killed,
        slow_path="/rest/api/3/issue/",
        until=changelog_reads,
        timeout=120,
    )
    load_api(api_config(SOURCE, simulator), killed)
    assert_same_raw(clean, killed, SOURCE)


def _with_sprints(demo_exports: Path, folder: Path) -> tuple[list[dict], int]:
    """The demo's Jira export plus sprints on two boards (55 on the first, past
    the Agile API's page of 50) and the issues' Sprint field; returns the
    sprints and how many issue/sprint pairs."""
    shutil.copytree(demo_exports / SOURCE, folder)
    sprints = [
        {
            "id": n,
            "self": f"https://example.atlassian.net/rest/agile/1.0/sprint/{n}",
            "state": "closed" if n < 56 else "active",
            "name": f"Team sprint {n}",
            "goal": "Ship the secret roadmap item",
            "startDate": "2026-10-01T09:00:00.000Z",
            "endDate": "2026-10-15T09:00:00.000Z",
            **({"completeDate": "2026-10-15T10:00:00.000Z"} if n < 56 else {}),
            "createdDate": "2026-09-30T09:00:00.000Z",
            "originBoardId": 1 if n <= 55 else 2,
        }
        for n in range(1, 58)
    ]
    (folder / "sprints.jsonl").write_text("".join(json.dumps(s) + "\n" for s in sprints))
    issues = read_export(folder / "issues.jsonl")
    pairs = 0
    for i, issue in enumerate(issues[:10]):
        chosen = sprints[:2] if i == 0 else [sprints[56]]
        issue["fields"]["customfield_10020"] = [
            {k: s[k] for k in ("id", "name", "state", "startDate", "endDate", "goal")}
            | {"boardId": s["originBoardId"]}
            for s in chosen
        ]
        pairs += len(chosen)
    (folder / "issues.jsonl").write_text("".join(json.dumps(r) + "\n" for r in issues))
    return sprints, pairs


def test_sprints_and_issue_sprints_land_as_from_the_exports(demo_exports, tmp_path, monkeypatch):
    folder = tmp_path / "exports" / SOURCE
    sprints, pairs = _with_sprints(demo_exports, folder)
    load_files(SOURCE, folder.parent, tmp_path / "files.duckdb")
    sim = simulator_class(SOURCE)(folder)
    for key, value in credentials(SOURCE, sim).items():
        monkeypatch.setenv(key, value)
    with sim:
        assert load_api(api_config(SOURCE, sim), tmp_path / "api.duckdb").published
        boards = [parse_qs(urlsplit(r).query) for r in sim.requests if "/agile/" in r]
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)
    tables = raw_tables(tmp_path / "api.duckdb", SOURCE)
    assert len(tables["raw_jira.sprints"]) == len(sprints) == 57
    assert len(tables["raw_jira.issue_sprints"]) == pairs == 11
    # the first board's 55 sprints took two pages of 50; the board listing asked scrum only
    assert boards[0]["type"] == ["scrum"]
    assert [b["startAt"] for b in boards[1:]] == [["0"], ["50"], ["0"]]
    staged_sprints = staged(tmp_path / "api.duckdb", "jira", "stg_jira__sprints", "sprint_state")
    assert staged_sprints.count(("closed",)) == 55 and staged_sprints.count(("active",)) == 2
    # names and goals are team-written text: nowhere in the warehouse
    con = duckdb.connect(str(tmp_path / "api.duckdb"), read_only=True)
    text = str(con.execute("select * from raw_jira.sprints").fetchall())
    con.close()
    assert "Team sprint" not in text and "secret roadmap" not in text


def test_a_full_refresh_backfills_from_start_date_and_ends_as_a_first_pull(simulator, tmp_path):
    """The backfill is widened: a first pull from a late `start_date`, then
    `start_date` moved back. An incremental pull still asks from its cursor
    (the older issues stay out); `--full-refresh` asks from `start_date`, as a
    first pull does, and ends identical to a first pull into a fresh warehouse."""
    updated = sorted(
        dt.datetime.fromisoformat(i["fields"]["updated"]).astimezone(dt.UTC)
        for i in simulator.issues
    )
    late = updated[len(updated) // 2].date().isoformat()
    warehouse = tmp_path / "api.duckdb"
    assert load_api(api_config(SOURCE, simulator, start_date=late), warehouse).published
    narrow = raw_tables(warehouse, SOURCE)
    assert 0 < len(narrow["raw_jira.issues"]) < len(simulator.issues)

    wide = api_config(SOURCE, simulator)  # start_date 2025-11-01, before every issue
    assert load_api(wide, warehouse).published
    assert raw_tables(warehouse, SOURCE) == narrow

    simulator.clear_log()
    refreshed = load_api(dataclasses.replace(wide, full_refresh=True), warehouse)
    assert refreshed.published
    asked = searches(simulator.requests)
    assert asked[0]["jql"] == ['updated >= "2025/11/01 00:00" ORDER BY updated ASC']
    simulator.clear_log()
    fresh = tmp_path / "fresh.duckdb"
    load_api(wide, fresh)
    assert asked == searches(simulator.requests)
    assert len(raw_tables(fresh, SOURCE)["raw_jira.issues"]) > len(narrow["raw_jira.issues"])
    assert_same_raw(warehouse, fresh, SOURCE)
