"""The roster through a SCIM 2.0 simulator, and from an HRIS CSV export: the same
raw rows as the SCIM JSONL export, incremental, resilient to faults."""

from __future__ import annotations

import datetime as dt
import urllib.parse

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
)

SOURCE = "roster"


def _params(target: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(target).query))


def test_pull_lands_the_same_raw_rows_as_the_exports(simulator, demo_exports, tmp_path):
    load_files(SOURCE, demo_exports, tmp_path / "files.duckdb")
    pulled = load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    assert pulled.published
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)
    tables = raw_tables(tmp_path / "api.duckdb", SOURCE)
    assert set(tables) == {
        "raw_roster.users",
        "raw_roster.user_versions",
        "identity.people_identity",
    }
    assert len(tables["raw_roster.users"]) == len(simulator.users)
    # an API serves each user's current version only: one version each
    assert len(tables["raw_roster.user_versions"]) == len(simulator.users)
    assert len(tables["identity.people_identity"]) == len(simulator.users)


def test_pages_follow_what_the_server_returned(simulator, demo_exports, tmp_path):
    """A server caps `count` below what was asked: the next page starts after the
    resources returned (1-based), to `totalResults`."""
    simulator.max_count = 7
    load_files(SOURCE, demo_exports, tmp_path / "files.duckdb")
    load_api(api_config(SOURCE, simulator, page_size=100), tmp_path / "api.duckdb")
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)
    starts = [int(_params(t)["startIndex"]) for t in simulator.requests if t.startswith("/Users")]
    per_pull = list(range(1, len(simulator.users) + 1, 7))
    assert starts == per_pull  # one pull, read by both datasets (raw_roster, identity)


def test_a_full_pull_rerun_changes_nothing(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator)
    load_api(config, warehouse)
    before = raw_tables(warehouse, SOURCE)
    simulator.clear_log()
    second = load_api(config, warehouse)
    assert second.published
    assert raw_tables(warehouse, SOURCE) == before
    # the roster is small: a full pull is one page, no filter asked
    assert all("filter" not in _params(t) for t in simulator.requests)
    assert len(simulator.requests) == 1


def test_incremental_filter_asks_only_for_changed_users(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator, incremental_filter=True, overlap_minutes=60)
    first = load_api(config, warehouse)
    assert all("filter" not in _params(t) for t in first.requests.targets())
    newest = max(u["meta"]["lastModified"] for u in simulator.users)
    before = raw_tables(warehouse, SOURCE)

    simulator.clear_log()
    load_api(config, warehouse)
    assert raw_tables(warehouse, SOURCE) == before
    # the cursor (the newest lastModified seen) less the overlap
    cursor = dt.datetime.fromisoformat(newest.replace("Z", "+00:00")) - dt.timedelta(hours=1)
    expected = f'meta.lastModified gt "{cursor.strftime("%Y-%m-%dT%H:%M:%SZ")}"'
    assert [_params(t).get("filter") for t in simulator.requests] == [expected]

    changed = [simulator.users[3]["id"], simulator.users[11]["id"]]
    simulator.update_user(changed[0], modified="2026-11-16T09:00:00Z", title="Staff Engineer")
    simulator.update_user(changed[1], modified="2026-11-16T10:00:00Z", active=False)
    simulator.clear_log()
    third = load_api(config, warehouse)
    assert third.published
    assert [_params(t).get("filter") for t in simulator.requests] == [expected]
    # the two changed, and whoever changed within the overlap before the cursor
    floor = cursor.strftime("%Y-%m-%dT%H:%M:%SZ")
    in_overlap = {u["id"] for u in simulator.users if u["meta"]["lastModified"] > floor}
    assert set(changed) <= in_overlap and len(in_overlap) < len(simulator.users)
    assert {r.table.name: r.data.num_rows for r in third.reads} == {
        "users": len(in_overlap),
        "user_versions": len(in_overlap),
        "people_identity": len(in_overlap),
    }
    fresh = tmp_path / "fresh.duckdb"
    load_api(api_config(SOURCE, simulator), fresh)
    assert_same_raw(fresh, warehouse, SOURCE, with_loaded_at=False)
    simulator.clear_log()
    load_api(config, warehouse)  # the cursor moved to the newest change
    moved = 'meta.lastModified gt "2026-11-16T09:00:00Z"'
    assert [_params(t).get("filter") for t in simulator.requests] == [moved]


def test_a_server_without_filters_says_so(simulator, tmp_path):
    """incremental_filter on a server that does not filter on meta.lastModified:
    the 400 invalidFilter names the source and what the server said."""
    config = api_config(SOURCE, simulator, incremental_filter=True)
    load_api(config, tmp_path / "api.duckdb")
    simulator.filtering = False
    with pytest.raises(OutcomesError) as failure:
        load_api(config, tmp_path / "api.duckdb")
    message = str(failure.value)
    assert "'roster'" in message and "400" in message and "filter is not supported" in message


@pytest.mark.parametrize(
    "fault",
    ["429", "502", "truncate", "bad_json", "slow", "new_field", "drop_optional", "expired_once"],
)
def test_faults_are_retried_and_the_pull_is_complete(simulator, demo_exports, tmp_path, fault):
    load_files(SOURCE, demo_exports, tmp_path / "files.duckdb")
    simulator.max_count = 15  # three pages: the fault hits one of them
    if fault == "expired_once":  # a 401 is not retried: the pull fails, the rerun completes
        simulator.inject("expired_token", path="/Users")
        with pytest.raises(OutcomesError, match="401"):
            load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    else:
        simulator.inject(fault, path="/Users", seconds=0.5)
    load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)


def test_a_new_attribute_is_reported_and_not_stored(simulator, tmp_path):
    simulator.inject("new_field", path="/Users", times=100)
    load = load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    assert any("x_added_by_vendor" in keys for keys in load.new_columns.values())
    for rows in raw_tables(tmp_path / "api.duckdb", SOURCE).values():
        assert all("new" not in row for row in rows)


def test_bad_credentials_name_the_source_and_the_answer(simulator, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCES__ROSTER__ACCESS_TOKEN", "wrong")
    with pytest.raises(OutcomesError) as failure:
        load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    message = str(failure.value)
    assert "'roster'" in message and "401" in message and "Traceback" not in message


def test_sources_check(simulator, tmp_path):
    lines = check_source(SOURCE, api_config(SOURCE, simulator).api)
    assert any("accepted" in line and f"{len(simulator.users)} users" in line for line in lines)
    assert any("every user" in line for line in lines)
    incremental = api_config(SOURCE, simulator, incremental_filter=True).api
    assert any("changed since" in line for line in check_source(SOURCE, incremental))


def test_email_from_emails_reads_the_primary_address(simulator, demo_exports, tmp_path):
    """Entra ID's userName is the user principal name, not always the email."""
    for user in simulator.users:
        user["userName"] = user["userName"].split("@")[0] + "@acme.onmicrosoft.example"
    load_files(SOURCE, demo_exports, tmp_path / "files.duckdb")
    load_api(api_config(SOURCE, simulator, email_from="emails"), tmp_path / "api.duckdb")
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)


def test_no_personal_values_reach_the_disk_outside_identity(simulator, demo_exports, tmp_path):
    """Names, phone numbers and photos come with every SCIM user; none is written
    (emails and display names live only in identity.people_identity)."""
    from tests.api.conftest import read_export

    users = read_export(demo_exports / SOURCE / "users.jsonl")
    secrets = {u["name"]["familyName"] + "," for u in users} | {
        u["phoneNumbers"][0]["value"] for u in users
    }
    folder = tmp_path / "pull"
    folder.mkdir()
    load_api(api_config(SOURCE, simulator), folder / "api.duckdb")
    written = b"".join(
        p.read_bytes() for p in folder.rglob("*") if p.is_file() and p.suffix != ".duckdb"
    )
    assert [s for s in secrets if s.encode() in written] == []


def test_an_empty_answer_without_resources_ends_the_pull(simulator, tmp_path):
    """RFC 7644 requires `Resources` only when totalResults is not zero: a server
    may leave it out of an empty answer (nothing changed since the cursor)."""
    config = api_config(SOURCE, simulator, incremental_filter=True)
    warehouse = tmp_path / "api.duckdb"
    load_api(config, warehouse)
    before = raw_tables(warehouse, SOURCE)
    for user in simulator.users:  # nothing changed within the overlap either
        user["meta"] = {**user["meta"], "lastModified": "2026-01-01T00:00:00Z"}
    listed = simulator._list

    def without_resources(request):
        response = listed(request)
        if not response.body.get("Resources"):
            response.body.pop("Resources")
        return response

    simulator._list = without_resources
    third = load_api(config, warehouse)
    assert third.published and third.rows_landed == 0
    assert raw_tables(warehouse, SOURCE) == before


def test_attributes_a_server_leaves_out(simulator, tmp_path):
    """SCIM servers omit attributes without a value (Entra ID does): a missing
    optional one lands as null; a user without the enterprise extension has no
    team and is quarantined in raw_roster.users, while identity still lands."""
    first, second = simulator.users[0], simulator.users[1]
    first.pop("title")
    first.pop("timezone")
    second.pop("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
    load = load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    assert load.published
    reads = {r.table.name: r for r in load.reads if r.data.num_rows or r.quarantine.num_rows}
    users = reads["users"]
    assert users.data.num_rows == len(simulator.users) - 1
    (problem,) = users.quarantine.to_pylist()
    assert (problem["field_name"], problem["reason"]) == ("team_name", "missing required field")
    assert problem["file_name"] == "roster API users" and problem["bad_value"] is None
    assert reads["people_identity"].data.num_rows == len(simulator.users)
    assert users.data.column("job_title").to_pylist().count(None) == 1


def test_a_killed_pull_resumes_identical(simulator, tmp_path):
    """A real kill of the pulling process between two pages; the rerun ends as an
    uninterrupted pull."""
    simulator.max_count = 5
    clean = tmp_path / "clean.duckdb"
    load_api(api_config(SOURCE, simulator), clean)
    killed = tmp_path / "killed.duckdb"
    kill_a_pull(
        SOURCE, simulator, killed, slow_path="/Users", slow_times=6, until=lambda r: len(r) >= 3
    )
    load_api(api_config(SOURCE, simulator), killed)
    assert_same_raw(clean, killed, SOURCE, with_loaded_at=False)
