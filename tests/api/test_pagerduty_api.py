"""PagerDuty through its simulator: the same raw rows as the exports, incremental,
resilient to faults, resumable after a kill."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest

from outcomes.errors import OutcomesError
from outcomes.simulators import simulator_class
from pipelines.common.api import check_source
from tests.api.conftest import (
    LOADED_AT,
    NOW,
    SALT,
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

SOURCE = "pagerduty"


def test_pull_lands_the_same_raw_rows_as_the_exports(simulator, demo_exports, tmp_path):
    load_files(SOURCE, demo_exports, tmp_path / "files.duckdb")
    pulled = load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    assert pulled.published
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)
    assert raw_tables(tmp_path / "api.duckdb", SOURCE)["raw_pagerduty.incidents"]
    assert pulled.requests is not None and pulled.requests.records


def test_a_rerun_asks_only_for_recent_windows_and_changes_nothing(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator)
    first = load_api(config, warehouse)
    before = raw_tables(warehouse, SOURCE)
    simulator.clear_log()
    second = load_api(config, warehouse)
    assert raw_tables(warehouse, SOURCE) == before
    windows = [t for t in simulator.requests if t.startswith("/incidents?since")]
    assert len(windows) < len(
        [r for r in first.requests.targets() if r.startswith("/incidents?since")]
    )
    assert second.published


def test_a_changed_incident_is_merged(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator)
    load_api(config, warehouse)
    incident = simulator.incidents[-1]
    simulator.update_incident(incident["id"], status="resolved", updated_at="2026-11-16T10:00:00Z")
    load_api(config, warehouse)
    rows = raw_tables(warehouse, SOURCE)["raw_pagerduty.incidents"]
    assert len(rows) == len({r for r in rows})


def _incident_reads(requests: list[str]) -> dict[str, list[str]]:
    """The pull's reads of incidents: the creation windows' `since`, the
    open-incident listings, the incidents read by id and the logs read."""
    out: dict[str, list[str]] = {"windows": [], "open": [], "by_id": [], "logs": []}
    for target in requests:
        parts = urlsplit(target)
        query = parse_qs(parts.query)
        segments = parts.path.strip("/").split("/")
        if parts.path == "/incidents" and "since" in query:
            out["windows"].append(query["since"][0])
        elif parts.path == "/incidents":
            out["open"].append(target)
        elif segments[0] == "incidents" and len(segments) == 2:
            out["by_id"].append(segments[1])
        elif segments[0] == "incidents" and segments[2:] == ["log_entries"]:
            out["logs"].append(segments[1])
    return out


def test_incremental_pulls_ask_only_for_what_changed(simulator, tmp_path):
    """Three incidents change between two pulls: the oldest, open at the first
    pull and created long before the lookback, is resolved; of the two newest,
    one changes urgency and one gets a note in its log. The next pull reads
    the creation windows from the cursor less the lookback, the open
    incidents, the one that was open by id, and the logs of those only; it
    ends as a fresh full pull."""
    by_age = sorted(simulator.incidents, key=lambda i: i["created_at"])
    oldest, newer, newest = by_age[0], by_age[-2], by_age[-1]
    # the lookback reaches the two newest incidents, not the oldest
    created = dt.datetime.fromisoformat(newer["created_at"])
    reopen_days = (dt.datetime.now(dt.UTC) - created).days + 2
    config = api_config(SOURCE, simulator, reopen_days=reopen_days)
    # the oldest incident is still open at the first pull: acknowledged, no resolution yet
    resolution = {k: oldest[k] for k in ("status", "resolved_at", "updated_at")}
    log = simulator.log_entries[oldest["id"]]
    resolves = [e for e in log if e["type"] == "resolve_log_entry"]
    assert resolution["status"] == "resolved" and resolves
    log[:] = [e for e in log if e not in resolves]
    simulator.update_incident(
        oldest["id"], status="acknowledged", resolved_at=None, updated_at=log[0]["created_at"]
    )
    before_first = dt.datetime.now(dt.UTC)
    first = load_api(config, tmp_path / "api.duckdb")
    after_first = dt.datetime.now(dt.UTC)
    assert first.published
    first_reads = _incident_reads(first.requests.targets())
    assert len(first_reads["logs"]) == len(simulator.incidents)

    # the changes
    simulator.update_incident(oldest["id"], **resolution)
    log[:0] = resolves
    urgency = "low" if newer.get("urgency") == "high" else "high"
    simulator.update_incident(newer["id"], urgency=urgency, updated_at="2026-11-16T09:00:00Z")
    note = {
        **simulator.log_entries[newest["id"]][-1],
        "id": "RNOTE0001",
        "type": "annotate_log_entry",
        "summary": "Note added",
        "created_at": "2026-11-16T09:30:00Z",
        "channel": {"type": "note", "summary": "Rolled back by hand"},
    }
    simulator.log_entries[newest["id"]].insert(0, note)
    simulator.update_incident(newest["id"], updated_at="2026-11-16T09:30:00Z")

    simulator.clear_log()
    second = load_api(config, tmp_path / "api.duckdb")
    assert second.published
    reads = _incident_reads(list(simulator.requests))
    # the windows start at the first pull's cursor less the overlap and the lookback
    start = dt.datetime.fromisoformat(reads["windows"][0])
    lookback = dt.timedelta(days=reopen_days, minutes=60)
    assert before_first - lookback - dt.timedelta(seconds=1) <= start <= after_first - lookback
    assert reads["windows"] == sorted(reads["windows"]) and len(reads["open"]) == 1
    recent = {
        i["id"] for i in simulator.incidents if dt.datetime.fromisoformat(i["created_at"]) >= start
    }
    assert {newer["id"], newest["id"]} <= recent and oldest["id"] not in recent
    assert reads["by_id"] == [oldest["id"]]
    assert sorted(reads["logs"]) == sorted(recent | {oldest["id"]})
    assert len(simulator.requests) < len(first.requests.records) / 3

    rows = staged(
        tmp_path / "api.duckdb",
        "pagerduty",
        "stg_pagerduty__incidents",
        "incident_id, resolved_at",
    )
    assert dict(rows)[oldest["id"]] is not None
    con = duckdb.connect(str(tmp_path / "api.duckdb"), read_only=True)
    assert con.execute(
        "select urgency from raw_pagerduty.incidents where incident_id = ?", [newer["id"]]
    ).fetchall() == [(urgency,)]
    assert con.execute(
        "select incident_id, log_entry_type from raw_pagerduty.log_entries "
        "where log_entry_id = 'RNOTE0001'"
    ).fetchall() == [(newest["id"], "annotate_log_entry")]
    con.close()

    # the same as a full pull into a fresh warehouse
    load_api(config, tmp_path / "fresh.duckdb")
    assert_same_raw(tmp_path / "api.duckdb", tmp_path / "fresh.duckdb", SOURCE)


@pytest.mark.parametrize(
    "fault", ["429", "502", "truncate", "bad_json", "slow", "new_field", "drop_optional"]
)
def test_faults_are_retried_and_the_pull_is_complete(simulator, demo_exports, tmp_path, fault):
    load_files(SOURCE, demo_exports, tmp_path / "files.duckdb")
    simulator.inject(fault, path="/incidents", seconds=0.5)
    load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)


def test_bad_credentials_name_the_source_and_the_answer(simulator, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCES__PAGERDUTY__API_KEY", "wrong")
    with pytest.raises(OutcomesError) as failure:
        load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    message = str(failure.value)
    assert "'pagerduty'" in message and "401" in message and "Traceback" not in message


def test_sources_check(simulator):
    lines = check_source(SOURCE, api_config(SOURCE, simulator).api)
    assert any("accepted" in line for line in lines)


def test_a_killed_pull_resumes_identical(simulator, tmp_path):
    """A real kill of the pulling process mid-way; the rerun ends as an uninterrupted pull."""
    clean = tmp_path / "clean.duckdb"
    load_api(api_config(SOURCE, simulator), clean)
    killed = tmp_path / "killed.duckdb"
    kill_a_pull(SOURCE, simulator, killed, slow_path="/incidents")
    load_api(api_config(SOURCE, simulator), killed)
    assert_same_raw(clean, killed, SOURCE)


def test_loaded_at_and_clock_are_fixed():
    assert LOADED_AT < NOW and len(SALT) >= 32


def test_a_new_field_is_reported_and_not_stored(simulator, tmp_path):
    simulator.inject("new_field", path="/incidents", times=100)
    load = load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    assert any("x_added_by_vendor" in keys for keys in load.new_columns.values())
    columns = raw_tables(tmp_path / "api.duckdb", SOURCE)
    assert columns  # landed; the new field is in no raw table (default deny)


def test_no_free_text_reaches_the_disk(simulator, demo_exports, tmp_path):
    """Incident titles and people's names come with every API answer; none of it
    is written anywhere: not raw, not dlt's extract/normalize/load files."""
    from tests.api.conftest import read_export

    incidents = read_export(demo_exports / SOURCE / "incidents.jsonl")
    users = read_export(demo_exports / SOURCE / "users.jsonl")
    secrets = {r["title"] for r in incidents if r.get("title")} | {
        r["name"] for r in users if r.get("name")
    }
    assert len(secrets) > 10
    folder = tmp_path / "pull"
    folder.mkdir()
    load_api(api_config(SOURCE, simulator), folder / "api.duckdb")
    written = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    leaked = [s for s in secrets if s.encode() in written]
    assert leaked == []


def test_services_land_as_from_the_exports(demo_exports, tmp_path, monkeypatch):
    """The demo's export has no services.jsonl: one is written here, with every
    service its incidents name (105 in all, past a page of 100)."""
    folder = tmp_path / "exports" / SOURCE
    shutil.copytree(demo_exports / SOURCE, folder)
    names = sorted({i["service"]["summary"] for i in read_export(folder / "incidents.jsonl")})
    names += [f"batch-worker-{n}" for n in range(105 - len(names))]
    services = [
        {
            "id": f"PSVC{n:03d}",
            "type": "service",
            "summary": name,
            "self": f"https://api.pagerduty.com/services/PSVC{n:03d}",
            "html_url": f"https://acme.pagerduty.com/service-directory/PSVC{n:03d}",
            "name": name,
            "description": "Pages the on-call engineer at home",
            "status": "active" if n % 7 else "disabled",
            "created_at": "2025-06-01T08:00:00Z",
            "updated_at": "2026-10-01T08:00:00Z",
            "last_incident_timestamp": "2026-11-10T08:00:00Z",
            "escalation_policy": {"id": "PESC001", "type": "escalation_policy_reference"},
            "teams": [{"id": "PTEAM01", "type": "team_reference"}],
            "acknowledgement_timeout": 1800,
            "auto_resolve_timeout": 14400,
            "alert_creation": "create_alerts_and_incidents",
        }
        for n, name in enumerate(names)
    ]
    (folder / "services.jsonl").write_text("".join(json.dumps(s) + "\n" for s in services))
    load_files(SOURCE, folder.parent, tmp_path / "files.duckdb")
    sim = simulator_class(SOURCE)(folder)
    for key, value in credentials(SOURCE, sim).items():
        monkeypatch.setenv(key, value)
    with sim:
        assert load_api(api_config(SOURCE, sim), tmp_path / "api.duckdb").published
        pages = [r for r in sim.requests if r.startswith("/services")]
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)
    rows = staged(tmp_path / "api.duckdb", "pagerduty", "stg_pagerduty__services", "service_status")
    assert len(rows) == 105 and rows.count(("disabled",)) == 15  # n = 0, 7, ..., 98
    assert len(pages) == 2  # 100, then 5
    con = duckdb.connect(str(tmp_path / "api.duckdb"), read_only=True)
    text = str(con.execute("select * from raw_pagerduty.services").fetchall())
    con.close()
    assert "on-call engineer" not in text


def _log_requests(targets: list[str]) -> list[str]:
    return [t for t in targets if "/log_entries" in t]


def test_log_entries_agree_with_their_incidents(simulator, tmp_path):
    """The demo's logs, pulled per incident: every incident has its trigger; an
    acknowledged one its acknowledgement at acknowledged_at, a resolved one its
    resolution at resolved_at; agents are pseudonyms, never a name or a title."""
    warehouse = tmp_path / "api.duckdb"
    pulled = load_api(api_config(SOURCE, simulator), warehouse)
    incidents = staged(
        warehouse,
        "pagerduty",
        "stg_pagerduty__incidents",
        "incident_id, acknowledged_at, resolved_at",
    )
    entries = staged(
        warehouse,
        "pagerduty",
        "stg_pagerduty__log_entries",
        "incident_id, action, created_at, agent_type, agent_account_id, channel_type",
    )
    assert len(_log_requests(pulled.requests.targets())) == len(incidents)
    by_incident: dict[str, dict[str, list[tuple]]] = {}
    for incident_id, action, created_at, *rest in entries:
        by_incident.setdefault(incident_id, {}).setdefault(action, []).append((created_at, *rest))
    assert set(by_incident) == {i for i, _, _ in incidents}
    for incident_id, acknowledged_at, resolved_at in incidents:
        log = by_incident[incident_id]
        assert len(log["trigger"]) == 1 and len(log["assign"]) == 1
        if acknowledged_at is None:
            assert "acknowledge" not in log and "escalate" not in log
        else:
            ((at, agent_type, agent, channel),) = log["acknowledge"]
            assert at == acknowledged_at and agent_type == "user_reference"
            assert len(agent) == 32 and channel in ("website", "mobile")
            # escalated exactly when the acknowledgement took longer than 30 min
            late = (acknowledged_at - log["trigger"][0][0]).total_seconds() > 1800
            assert ("escalate" in log) == late
        if resolved_at is None:
            assert "resolve" not in log
        else:
            ((at, _, _, channel),) = log["resolve"]
            assert at == resolved_at
            assert channel == ("auto" if acknowledged_at is None else "website")
    con = duckdb.connect(str(warehouse), read_only=True)
    text = str(con.execute("select * from raw_pagerduty.log_entries").fetchall())
    con.close()
    assert "Acknowledged by" not in text and "Triggered" not in text


def test_a_rerun_reads_the_log_of_recent_incidents_only_and_changes_nothing(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator)
    first = load_api(config, warehouse)
    before = raw_tables(warehouse, SOURCE)
    simulator.clear_log()
    second = load_api(config, warehouse)
    assert second.published
    assert raw_tables(warehouse, SOURCE) == before
    again = _log_requests(list(simulator.requests))
    # only the incidents the rerun saw again: the reopen window and the open ones
    assert 0 < len(again) < len(_log_requests(first.requests.targets()))


def test_a_long_log_pages_to_the_last_page_as_the_exports(demo_exports, tmp_path, monkeypatch):
    """An incident notified 230 times: its log is read in pages of 100 to the last
    (`more: false`), and lands as from the export file."""
    folder = tmp_path / "exports" / SOURCE
    shutil.copytree(demo_exports / SOURCE, folder)
    incident = read_export(folder / "incidents.jsonl")[0]
    own = [
        e
        for e in read_export(folder / "log_entries.jsonl")
        if e["incident"]["id"] == incident["id"]
    ]
    notes = [
        {
            **own[0],
            "id": f"RNOTE{n:04d}",
            "type": "notify_log_entry",
            "summary": "Notified Jane Doe by SMS",
            "created_at": incident["created_at"],
            "agent": None,
            "channel": {"type": "sms", "notification": {"address": "+44 7700 900123"}},
            "user": {"id": "PUSER01", "type": "user_reference", "summary": "Jane Doe"},
        }
        for n in range(230)
    ]
    with (folder / "log_entries.jsonl").open("a") as handle:
        handle.write("".join(json.dumps(e) + "\n" for e in notes))
    load_files(SOURCE, folder.parent, tmp_path / "files.duckdb")
    sim = simulator_class(SOURCE)(folder)
    for key, value in credentials(SOURCE, sim).items():
        monkeypatch.setenv(key, value)
    with sim:
        assert load_api(api_config(SOURCE, sim), tmp_path / "api.duckdb").published
        pages = [
            r for r in sim.requests if r.startswith(f"/incidents/{incident['id']}/log_entries")
        ]
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)
    total = len(own) + 230
    assert len(pages) == -(-total // 100)  # 100, 100, then the rest
    rows = staged(
        tmp_path / "api.duckdb",
        "pagerduty",
        "stg_pagerduty__log_entries",
        "action, channel_type",
    )
    assert rows.count(("notify", "sms")) == 230
    con = duckdb.connect(str(tmp_path / "api.duckdb"), read_only=True)
    text = str(con.execute("select * from raw_pagerduty.log_entries").fetchall())
    con.close()
    assert "Jane Doe" not in text and "7700" not in text


def test_an_incidents_log_follows_its_incident_through_the_window(demo_exports, tmp_path):
    """`until:` keeps an incident created before it with its whole log, the
    acknowledgements and resolutions after `until` too; it keeps no entry of
    an incident left outside."""
    import datetime as dt

    from outcomes.config import SourceConfig
    from pipelines.common.load import load_source

    folder = demo_exports / SOURCE
    incidents = {i["id"]: i for i in read_export(folder / "incidents.jsonl")}
    # the first midnight an incident was open across, its resolution after it
    until = min(
        i["resolved_at"][:10]
        for i in incidents.values()
        if i.get("resolved_at") and i["resolved_at"][:10] > i["created_at"][:10]
    )
    kept = {k for k, i in incidents.items() if i["created_at"][:10] < until}
    log = {e["id"]: e for e in read_export(folder / "log_entries.jsonl")}
    expected = {k for k, e in log.items() if e["incident"]["id"] in kept}
    late = {k for k in expected if log[k]["created_at"][:10] >= until}
    assert kept and late  # some of the kept incidents were resolved after `until`
    warehouse = tmp_path / "files.duckdb"
    load_source(SourceConfig(SOURCE, folder, until=until), warehouse, SALT, LOADED_AT, now=NOW)
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(
        "select log_entry_id, incident_id, created_at from raw_pagerduty.log_entries"
    ).fetchall()
    con.close()
    assert {r[0] for r in rows} == expected
    assert {r[1] for r in rows} <= kept
    assert max(r[2] for r in rows) >= dt.datetime.fromisoformat(until)
