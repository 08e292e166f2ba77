"""Zendesk Support through its simulator: the same raw rows as the exports,
incremental by the exports' cursors, deleted tickets, resilient to faults."""

from __future__ import annotations

import time
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
GROUPS = "/api/v2/groups"
SLA_POLICIES = "/api/v2/slas/policies"
METRIC_EVENTS = "/api/v2/incremental/ticket_metric_events"


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
    assert tables["raw_zendesk.ticket_metric_events"]
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
    # groups and SLA policies are small and read in full: one page each
    assert len([t for t in requests if t.startswith(GROUPS)]) == 1
    assert len([t for t in requests if t.startswith(SLA_POLICIES)]) == 1
    # the metric events: one page, from the newest event seen less the overlap
    assert len([t for t in requests if t.startswith(METRIC_EVENTS)]) == 1
    assert len(requests) <= 7, requests


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


@pytest.mark.parametrize(
    ("fault", "retry_after", "answered"),
    [("502", 1, "HTTP 502: bad gateway"), ("429", 60, "HTTP 429: rate limited")],
)
def test_a_fault_that_persists_fails_clearly_within_the_bound(
    simulator, tmp_path, monkeypatch, fault, retry_after, answered
):
    """Every request answered 502 (backoff 1 s, 2 s, ... would pass the bound),
    or 429 asking to wait a minute each time: with `max_wait_seconds: 2` the
    retries of the first request stop 2 s after it was first sent, never
    later, and the pull fails naming the source, the request and the answer."""
    simulator.inject(fault, path="", times=10_000, retry_after=retry_after)
    served: list[float] = []
    take_fault = simulator._take_fault

    def timed(path: str):  # when each request reached the simulator
        served.append(time.monotonic())
        return take_fault(path)

    monkeypatch.setattr(simulator, "_take_fault", timed)
    config = api_config(SOURCE, simulator, max_wait_seconds=2, max_attempts=50)
    with pytest.raises(OutcomesError) as failure:
        load_api(config, tmp_path / "api.duckdb")
    message = str(failure.value)
    assert message.startswith("source 'zendesk': GET /api/v2/") and answered in message
    assert "Traceback" not in message and "\n" not in message
    # one request, retried: 502 at 0, 1 and 2 s (the last wait cut to the bound);
    # 429 at 0 and 2 s (the minute asked for cut to the bound)
    assert len(served) == (3 if fault == "502" else 2)
    assert 1.9 <= served[-1] - served[0] <= 2.5


def test_a_retry_bound_that_is_not_a_number_is_named(simulator, tmp_path):
    config = api_config(SOURCE, simulator, max_wait_seconds="soon")
    with pytest.raises(OutcomesError, match=r"source 'zendesk': api.max_wait_seconds: expected"):
        load_api(config, tmp_path / "api.duckdb")


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


def test_the_demo_writes_a_group_per_support_team_and_the_seed_sla_targets(
    demo_exports, files_warehouse
):
    """The demo's groups are the groups its tickets are assigned to; its one SLA
    policy promises the first replies seeds/kpis/sla_targets.csv says (the KPIs
    still read the seed), in calendar hours."""
    import csv
    from pathlib import Path

    from tests.api.conftest import read_export

    folder = demo_exports / SOURCE
    groups = read_export(folder / "groups.jsonl")
    tickets = read_export(folder / "tickets.jsonl")
    assert {g["id"] for g in groups} == {t["group_id"] for t in tickets if t.get("group_id")}
    seed = Path(__file__).parents[2] / "seeds/kpis/sla_targets.csv"
    with seed.open() as handle:
        hours = {
            row["priority"]: int(row["first_reply_target_hours"]) for row in csv.DictReader(handle)
        }
    assert hours == {"urgent": 1, "high": 4, "normal": 8, "low": 24}
    rows = sorted(
        _rows(
            files_warehouse,
            "sla_policy_metrics",
            "priority",
            "metric",
            "target_minutes",
            "in_business_hours",
        )
    )
    assert rows == sorted(
        (priority, "first_reply_time", h * 60, False) for priority, h in hours.items()
    )
    assert len(_rows(files_warehouse, "groups", "group_id")) == len(groups)
    assert len(_rows(files_warehouse, "sla_policies", "sla_policy_id")) == 1


def test_groups_and_sla_policies_page_to_the_last_page_as_the_exports(
    demo_exports, tmp_path, monkeypatch
):
    """105 groups (a page of 100, then 5) and two SLA policies, one with business
    hour targets: the pull lands what the files land, one row per policy x
    priority x metric, and no title, description or filter value."""
    import json
    import shutil

    import duckdb

    from outcomes.simulators import simulator_class
    from tests.api.conftest import credentials, staged

    folder = tmp_path / "exports" / SOURCE
    shutil.copytree(demo_exports / SOURCE, folder)
    groups = [
        {
            "url": f"https://acme.zendesk.com/api/v2/groups/{360_000_900_000 + n}.json",
            "id": 360_000_900_000 + n,
            "is_public": n % 4 != 0,
            "name": f"Queue {n:03d}",
            "description": "Only for the Henderson account, ask Priya first",
            "default": n == 0,
            "deleted": n % 10 == 9,
            "created_at": f"2025-{1 + n % 12:02d}-01T08:00:00Z",
            "updated_at": "2026-10-01T08:00:00Z",
        }
        for n in range(105)
    ]
    (folder / "groups.jsonl").write_text("".join(json.dumps(g) + "\n" for g in groups))
    vip = {
        "url": "https://acme.zendesk.com/api/v2/slas/policies/77.json",
        "id": 77,
        "title": "Henderson VIP contract",
        "description": "Signed by Priya Raman in March",
        "position": 2,
        "filter": {
            "all": [{"field": "current_tags", "operator": "includes", "value": "henderson"}],
            "any": [],
        },
        "policy_metrics": [
            {
                "priority": "urgent",
                "metric": "first_reply_time",
                "target": 30,
                "business_hours": True,
            },
            {
                "priority": "urgent",
                "metric": "next_reply_time",
                "target": 120,
                "business_hours": True,
            },
            {
                "priority": "high",
                "metric": "agent_work_time",
                "target": 2880,
                "business_hours": False,
            },
        ],
        "created_at": "2026-03-02T09:00:00Z",
        "updated_at": "2026-03-02T09:00:00Z",
    }
    with (folder / "sla_policies.jsonl").open("a") as handle:
        handle.write(json.dumps(vip) + "\n")
    load_files(SOURCE, folder.parent, tmp_path / "files.duckdb")
    sim = simulator_class(SOURCE)(folder)
    for key, value in credentials(SOURCE, sim).items():
        monkeypatch.setenv(key, value)
    with sim:
        assert load_api(api_config(SOURCE, sim), tmp_path / "api.duckdb").published
        group_pages = [r for r in sim.requests if r.startswith(GROUPS)]
        sla_requests = [r for r in sim.requests if r.startswith(SLA_POLICIES)]
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)
    assert len(group_pages) == 2 and "after" in group_pages[1]  # 100, then 5
    assert len(sla_requests) == 1
    warehouse = tmp_path / "api.duckdb"
    staged_groups = staged(warehouse, SOURCE, "stg_zendesk__groups", "is_deleted, is_public")
    assert len(staged_groups) == 105
    assert sum(deleted for deleted, _ in staged_groups) == 10  # n = 9, 19, ..., 99
    assert sum(not public for _, public in staged_groups) == 27  # n = 0, 4, ..., 104
    metrics = staged(
        warehouse,
        SOURCE,
        "stg_zendesk__sla_policy_metrics",
        "sla_policy_id, priority, metric, target_minutes, in_business_hours",
    )
    assert [m for m in metrics if m[0] == 77] == [
        (77, "high", "agent_work_time", 2880, False),
        (77, "urgent", "first_reply_time", 30, True),
        (77, "urgent", "next_reply_time", 120, True),
    ]
    assert len(metrics) == 4 + 3
    policies = staged(
        warehouse,
        SOURCE,
        "stg_zendesk__sla_policies",
        "sla_policy_id, policy_position, metric_count",
    )
    assert (77, 2, 3) in policies and len(policies) == 2
    con = duckdb.connect(str(warehouse), read_only=True)
    text = str(
        [
            con.execute(f"select * from raw_zendesk.{table}").fetchall()
            for table in ("groups", "sla_policies", "sla_policy_metrics")
        ]
    )
    con.close()
    for secret in ("Henderson", "henderson", "Priya", "Standard support", "Tickets for"):
        assert secret not in text


def test_the_demo_applies_its_sla_policy_as_the_matched_policy_would(demo_exports, files_warehouse):
    """The demo's apply_sla events are its one policy's first reply target at
    the ticket's priority: at creation for every ticket with a priority that
    is not a task (the policy's filter), again at a priority change. So the
    applied target agrees with the matched policy and the demo's SLA numbers
    stay what the policy gave."""
    from tests.api.conftest import read_export

    folder = demo_exports / SOURCE
    events = read_export(folder / "ticket_metric_events.jsonl")
    tickets = {t["id"]: t for t in read_export(folder / "tickets.jsonl")}
    policy = read_export(folder / "sla_policies.jsonl")[0]
    minutes = {m["priority"]: m["target"] for m in policy["policy_metrics"]}
    assert events and {e["type"] for e in events} == {"apply_sla"}
    assert {(e["metric"], e["instance_id"]) for e in events} == {("reply_time", 1)}
    # oldest first (the writer's duplicate lines aside)
    events = list({e["id"]: e for e in events}.values())
    assert [e["time"] for e in events] == sorted(e["time"] for e in events)
    targets = {e["sla"]["target"] for e in events}
    assert targets <= set(minutes.values()) and len(targets) > 1
    assert all(e["sla"]["target_in_seconds"] == 60 * e["sla"]["target"] for e in events)
    assert {e["sla"]["policy"]["id"] for e in events} == {policy["id"]}
    created_priority = {
        a["ticket_id"]: e["value"]
        for a in read_export(folder / "ticket_audits.jsonl")
        for e in a.get("events", [])
        if e.get("type") == "Create" and e.get("field_name") == "priority"
    }
    first = {}
    for event in events:
        first.setdefault(event["ticket_id"], event)
    for ticket_id, event in first.items():
        ticket = tickets.get(ticket_id)
        if ticket is None:
            continue
        assert ticket.get("type") != "task"
        if event["time"] == ticket["created_at"]:
            assert event["sla"]["target"] == minutes[created_priority[ticket_id]]
    landed = _rows(files_warehouse, "ticket_metric_events", "metric_event_id")
    assert len(landed) == len({e["id"] for e in events})


def test_ticket_metric_events_page_by_time_as_the_exports(demo_exports, tmp_path, monkeypatch):
    """2,400 more events of every type (apply_sla of two policies, one in
    business hours whose target_in_seconds wins over its minutes), four a
    second: the time-based export is followed page by page (next_page, to
    end_of_stream), the events a page boundary repeats land once, the pull
    lands what the files land, and no policy title or description is
    written."""
    import json
    import shutil

    import duckdb

    from outcomes.simulators import simulator_class
    from tests.api.conftest import credentials, read_export, staged

    folder = tmp_path / "exports" / SOURCE
    shutil.copytree(demo_exports / SOURCE, folder)
    ticket_ids = sorted(t["id"] for t in read_export(folder / "tickets.jsonl") if "id" in t)[:50]
    kinds = ("activate", "pause", "fulfill", "apply_sla", "breach", "update_status")
    extra = []
    for n in range(2400):
        kind = kinds[n % len(kinds)]
        event = {
            "id": 500_000 + n,
            "ticket_id": ticket_ids[n % 50],
            "metric": "resolution_time" if n % 12 == 3 else "reply_time",
            "instance_id": 1 + n % 2,
            "type": kind,
            # four events a second: pages of 1000 end inside a second
            "time": f"2026-10-{1 + n // 1200:02d}T{(n // 4) // 3600 % 24:02d}:"
            f"{(n // 4) // 60 % 60:02d}:{(n // 4) % 60:02d}Z",
            "deleted": False,
        }
        if kind == "apply_sla":
            event["sla"] = {
                "target": 60,
                "business_hours": n % 12 == 3,
                "policy": {
                    "id": 77 if n % 12 == 3 else 78,
                    "title": "Henderson VIP contract",
                    "description": "Signed by Priya Raman in March",
                },
            }
            if n % 12 == 3:
                event["sla"]["target_in_seconds"] = 5400  # 90 minutes, wins over target
        if kind == "update_status":
            event["status"] = {"calendar": 30, "business": 20}
        extra.append(event)
    with (folder / "ticket_metric_events.jsonl").open("a") as handle:
        handle.write("".join(json.dumps(e) + "\n" for e in extra))
    load_files(SOURCE, folder.parent, tmp_path / "files.duckdb")
    sim = simulator_class(SOURCE)(folder)
    for key, value in credentials(SOURCE, sim).items():
        monkeypatch.setenv(key, value)
    with sim:
        assert load_api(api_config(SOURCE, sim), tmp_path / "api.duckdb").published
        pages = [r for r in sim.requests if r.startswith(METRIC_EVENTS)]
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)
    total = len(extra) + len(read_export_ids(demo_exports))
    assert len(pages) >= total // 1000 + 1
    assert all(set(_query(p)) == {"start_time"} for p in pages)
    starts = [int(_query(p)["start_time"][0]) for p in pages]
    assert starts == sorted(starts)
    warehouse = tmp_path / "api.duckdb"
    rows = staged(
        warehouse,
        SOURCE,
        "stg_zendesk__ticket_metric_events",
        "metric_event_id, metric, event_type, sla_policy_id, sla_target_minutes, "
        "sla_in_business_hours",
    )
    assert len(rows) == total
    ours = {r[0]: r[1:] for r in rows if r[0] >= 500_000}
    assert ours[500_003] == ("resolution_time", "apply_sla", 77, 90.0, True)
    assert ours[500_009] == ("reply_time", "apply_sla", 78, 60.0, False)
    assert ours[500_000] == ("reply_time", "activate", None, None, None)
    con = duckdb.connect(str(warehouse), read_only=True)
    text = str(con.execute("select * from raw_zendesk.ticket_metric_events").fetchall())
    con.close()
    for secret in ("Henderson", "Priya", "Standard support", "First reply promised"):
        assert secret not in text


def read_export_ids(exports):
    from tests.api.conftest import read_export

    return {e["id"] for e in read_export(exports / SOURCE / "ticket_metric_events.jsonl")}
