"""Zendesk Support through its simulator: the same raw rows as the exports,
incremental by the exports' cursors, deleted tickets, resilient to faults."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

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

SOURCE = "zendesk"
TICKETS = "/api/v2/incremental/tickets/cursor.json"
USERS = "/api/v2/incremental/users/cursor.json"
RATINGS = "/api/v2/satisfaction_ratings.json"


def _query(target: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(target).query)


def _audit_requests(targets: list[str]) -> list[str]:
    return [t for t in targets if t.startswith("/api/v2/tickets/")]


def test_pull_lands_the_same_raw_rows_as_the_exports(simulator, files_warehouse, tmp_path):
    # small export pages, so the pull follows after_url over several pages
    pulled = load_api(api_config(SOURCE, simulator, per_page=100), tmp_path / "api.duckdb")
    assert pulled.published
    assert_same_raw(files_warehouse, tmp_path / "api.duckdb", SOURCE)
    tables = raw_tables(tmp_path / "api.duckdb", SOURCE)
    assert tables["raw_zendesk.ticket_audit_events"] and tables["raw_zendesk.satisfaction_ratings"]
    targets = pulled.requests.targets()
    exports = [t for t in targets if t.startswith(TICKETS)]
    assert len(exports) > 1 and "start_time" in _query(exports[0])
    assert all(set(_query(t)) == {"cursor", "per_page"} for t in exports[1:])
    # one audits listing per ticket the export returned, nothing else
    assert len(_audit_requests(targets)) == len(simulator.tickets.records)


def test_a_rerun_asks_from_the_saved_cursors_and_changes_nothing(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator)
    load_api(config, warehouse)
    before = raw_tables(warehouse, SOURCE)
    simulator.clear_log()
    second = load_api(config, warehouse)
    assert second.published
    assert raw_tables(warehouse, SOURCE) == before
    requests = list(simulator.requests)
    # one request per export (from the saved after_cursor), no audits, one ratings page
    assert [t for t in requests if t.startswith(TICKETS)] == [
        t for t in requests if t.startswith(TICKETS) and "cursor" in _query(t)
    ]
    assert len([t for t in requests if t.startswith(TICKETS)]) == 1
    assert len([t for t in requests if t.startswith(USERS)]) == 1
    assert _audit_requests(requests) == []
    assert len(requests) <= 4, requests


def test_changed_tickets_are_fetched_alone_and_end_as_a_full_pull(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator, overlap_minutes=30)
    first = load_api(config, warehouse)
    export_cursor = _saved_cursor(first.requests.targets(), simulator)
    newest_rating = max(r["updated_at"] for r in simulator.ratings)
    ids = [k for k, t in simulator.tickets.records.items() if t.get("status") == "open"][:2]
    assert len(ids) == 2
    simulator.update_ticket(ids[0], status="solved", updated_at="2026-11-16T20:00:00Z")
    simulator.add_audit(
        ids[1],
        {
            "id": 19_999_000_000_000,
            "ticket_id": ids[1],
            "created_at": "2026-11-16T21:00:00Z",
            "author_id": -1,
            "metadata": {"system": {}, "custom": {}},
            "via": {"channel": "rule", "source": {"from": {}, "to": {}, "rel": None}},
            "events": [
                {
                    "id": 19_999_000_000_001,
                    "type": "Change",
                    "value": "pending",
                    "field_name": "status",
                    "previous_value": "open",
                }
            ],
        },
    )
    rating = simulator.ratings[-1]
    simulator.update_rating(rating["id"], score="bad", updated_at="2026-11-16T22:00:00Z")
    simulator.clear_log()
    second = load_api(config, warehouse)
    requests = second.requests.targets()
    exports = [t for t in requests if t.startswith(TICKETS)]
    assert _query(exports[0]) == {"cursor": [export_cursor]}
    assert sorted(_audit_requests(requests)) == sorted(
        f"/api/v2/tickets/{i}/audits.json?page%5Bsize%5D=100" for i in ids
    )
    # ratings: from the newest rating seen less the overlap and the lookback
    (ratings,) = [t for t in requests if t.startswith(RATINGS)]
    expected = _epoch(newest_rating) - 30 * 60 - 28 * 86400
    assert _query(ratings)["start_time"] == [str(expected)]
    fresh = tmp_path / "fresh.duckdb"
    load_api(config, fresh)
    assert_same_raw(warehouse, fresh, SOURCE)
    statuses = dict(_rows(warehouse, "tickets", "ticket_id", "ticket_status"))
    assert statuses[ids[0]] == "solved" and statuses[ids[1]] == "open"


def test_a_deleted_ticket_lands_with_status_deleted(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator)
    load_api(config, warehouse)
    ticket_id = next(iter(k for k in simulator.tickets.records if isinstance(k, int) and k > 0))
    simulator.delete_ticket(ticket_id, updated_at="2026-11-16T20:00:00Z")
    simulator.clear_log()
    second = load_api(config, warehouse)
    assert second.published
    rows = dict(_rows(warehouse, "tickets", "ticket_id", "ticket_status"))
    assert rows[ticket_id] == "deleted"
    # a deleted ticket has no audits to list: none asked for
    assert _audit_requests(second.requests.targets()) == []


@pytest.fixture(scope="module")
def files_warehouse(demo_exports, tmp_path_factory):
    """The demo's exports loaded from files, once for the module."""
    warehouse = tmp_path_factory.mktemp("zendesk-files") / "files.duckdb"
    load_files(SOURCE, demo_exports, warehouse)
    return warehouse


FAULT_PATHS = (TICKETS, "/api/v2/tickets/", RATINGS, USERS)


@pytest.mark.parametrize(
    "faults",
    [("429", "502", "truncate", "bad_json"), ("slow", "new_field", "drop_optional", "502")],
)
def test_faults_are_retried_and_the_pull_is_complete(simulator, files_warehouse, tmp_path, faults):
    for fault, path in zip(faults, FAULT_PATHS, strict=True):
        simulator.inject(fault, path=path, seconds=0.5)
    pulled = load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    assert not simulator._faults  # every fault was served
    assert any(r.status in (429, 502) for r in pulled.requests.records)
    assert_same_raw(files_warehouse, tmp_path / "api.duckdb", SOURCE)


def test_the_exports_rate_limit_is_waited_out(simulator, files_warehouse, tmp_path):
    """Over the exports' per-minute limit (here 2 requests a second) the API answers
    429 with Retry-After; the pull waits and completes."""
    simulator.rate_limit_per_minute = 2
    simulator.rate_window_seconds = 1.0
    pulled = load_api(api_config(SOURCE, simulator, per_page=100), tmp_path / "api.duckdb")
    statuses = [r.status for r in pulled.requests.records if r.target.startswith("/api/v2/incr")]
    assert 429 in statuses
    assert_same_raw(files_warehouse, tmp_path / "api.duckdb", SOURCE)


def test_an_expired_cursor_exports_again_from_the_cursor_time(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator, overlap_minutes=60)
    load_api(config, warehouse)
    newest = max(t["updated_at"] for t in _file_tickets(simulator))
    ticket_id = next(k for k, t in simulator.tickets.records.items() if t.get("status") == "open")
    simulator.update_ticket(ticket_id, status="pending", updated_at="2026-11-16T20:00:00Z")
    simulator.inject("expired_cursor", path=TICKETS)
    simulator.clear_log()
    second = load_api(config, warehouse)
    exports = [r for r in second.requests.records if r.target.startswith(TICKETS)]
    assert exports[0].status == 400 and "cursor" in _query(exports[0].target)
    assert _query(exports[1].target)["start_time"] == [str(_epoch(newest) - 3600)]
    fresh = tmp_path / "fresh.duckdb"
    load_api(config, fresh)
    assert_same_raw(warehouse, fresh, SOURCE)


def test_bad_credentials_name_the_source_and_the_answer(simulator, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCES__ZENDESK__API_TOKEN", "wrong")
    with pytest.raises(OutcomesError) as failure:
        load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    message = str(failure.value)
    assert "'zendesk'" in message and "401" in message and "Traceback" not in message


def test_an_oauth_access_token_is_sent_as_bearer(simulator, monkeypatch):
    monkeypatch.delenv("SOURCES__ZENDESK__API_TOKEN")
    monkeypatch.delenv("SOURCES__ZENDESK__EMAIL")
    monkeypatch.setenv("SOURCES__ZENDESK__ACCESS_TOKEN", simulator.token)
    lines = check_source(SOURCE, api_config(SOURCE, simulator).api)
    assert any("accepted" in line for line in lines)


def test_sources_check(simulator, monkeypatch):
    lines = check_source(SOURCE, api_config(SOURCE, simulator).api)
    assert any("accepted" in line and "admin" in line for line in lines)
    assert any("2025-11-01T00:00:00Z" in line for line in lines)
    simulator.role = "agent"
    with pytest.raises(OutcomesError, match="admin"):
        check_source(SOURCE, api_config(SOURCE, simulator).api)


def test_no_subdomain_nor_base_url_is_named(monkeypatch):
    from outcomes.config import ApiConfig
    from pipelines.zendesk.api import client

    monkeypatch.setenv("SOURCES__ZENDESK__EMAIL", "a@b.example")
    monkeypatch.setenv("SOURCES__ZENDESK__API_TOKEN", "t")
    with pytest.raises(OutcomesError, match="subdomain"):
        client(ApiConfig())
    assert client(ApiConfig(scope=(("subdomain", "acme"),))).base_url == "https://acme.zendesk.com"


# -- helpers ------------------------------------------------------------------------


def _epoch(value: str) -> int:
    from pipelines.common.api import parse_cursor

    return int(parse_cursor(value).timestamp())


def _saved_cursor(targets: list[str], simulator) -> str:
    """The after_cursor the last ticket export page handed out (asked again here)."""
    import requests

    last = [t for t in targets if t.startswith(TICKETS)][-1]
    body = requests.get(
        simulator.base_url + last,
        auth=(f"{simulator.email}/token", simulator.token),
        timeout=10,
    ).json()
    return body["after_cursor"]


def _file_tickets(simulator) -> list[dict]:
    return [t for t in simulator.tickets.records.values() if isinstance(t.get("updated_at"), str)]


def _rows(warehouse, table: str, *columns: str) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        select = ", ".join(columns)
        return con.execute(f"select {select} from raw_zendesk.{table}").fetchall()
    finally:
        con.close()


def test_a_killed_pull_resumes_identical(simulator, tmp_path):
    """A real kill of the pulling process mid-way (the export's cursor saved in its
    state must not count); the rerun ends as an uninterrupted pull."""
    clean = tmp_path / "clean.duckdb"
    load_api(api_config(SOURCE, simulator, per_page=100), clean)
    killed = tmp_path / "killed.duckdb"
    kill_a_pull(
        SOURCE,
        simulator,
        killed,
        slow_path="/api/v2/tickets/",
        until=lambda r: len(_audit_requests(r)) >= 6,
        per_page=100,
    )
    simulator.clear_log()
    load_api(api_config(SOURCE, simulator, per_page=100), killed)
    # nothing was published: the rerun exports from start_time again
    assert "start_time" in _query(next(t for t in simulator.requests if t.startswith(TICKETS)))
    assert_same_raw(clean, killed, SOURCE)
