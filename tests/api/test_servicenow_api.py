"""ServiceNow's Table API (incident + sys_audit), served from the real incident
event log: the updates rebuilt from sys_audit are the export's updates, and the
incidents land exactly as from the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from outcomes.simulators.servicenow import NOT_AUDITED, ServiceNowSimulator
from tests.api.conftest import (
    api_config,
    assert_same_raw,
    kill_a_pull,
    load_api,
    load_files,
    raw_tables,
)

SOURCE = "servicenow"
REALDATA = (
    Path(__file__).resolve().parents[2].parent / "shared" / "realdata" / "servicenow_incidents"
)


@pytest.fixture
def exports(tmp_path) -> Path:
    csv_file = REALDATA / "incident_event_log.csv"
    if not csv_file.exists():
        if os.environ.get("CI"):
            pytest.fail(f"the real ServiceNow event log is missing: {csv_file}")
        pytest.skip("../shared/realdata is not beside this clone")
    folder = tmp_path / "exports" / SOURCE
    folder.mkdir(parents=True)
    shutil.copy(csv_file, folder / "incident_event_log.csv")
    return tmp_path / "exports"


@pytest.fixture
def simulator(exports, monkeypatch):
    sim = ServiceNowSimulator(exports / SOURCE)
    for key, value in sim.credentials().items():
        monkeypatch.setenv(key, value)
    with sim:
        yield sim


def _recoverable_updates(path: Path) -> int:
    """Updates sys_audit keeps, counted from the CSV alone: per incident, the
    updates (one per update count, the later row winning) that changed a field
    ServiceNow audits, plus each incident's first, plus its current state (the
    incident table holds it whether or not its last update changed anything)."""
    renamed = {"sys_updated_at": "sys_updated_on", "closed_code": "close_code"}
    by_incident: dict[str, dict[int, dict]] = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            by_incident.setdefault(row["number"], {})[int(row["sys_mod_count"])] = row
    count = 0
    for updates in by_incident.values():
        previous = None
        changed = False
        for key in sorted(updates):
            row = updates[key]
            audited = {k: v for k, v in row.items() if renamed.get(k, k) not in NOT_AUDITED}
            changed = previous is None or audited != previous
            count += changed
            previous = audited
        count += not changed
    return count


def test_the_pull_rebuilds_the_updates_and_lands_the_incidents(simulator, exports, tmp_path):
    load_files(SOURCE, exports, tmp_path / "files.duckdb")
    pulled = load_api(
        api_config(SOURCE, simulator, start_date="2015-01-01"), tmp_path / "api.duckdb"
    )
    assert pulled.published
    files = raw_tables(tmp_path / "files.duckdb", SOURCE)
    api = raw_tables(tmp_path / "api.duckdb", SOURCE)
    assert api["raw_servicenow.incidents"] == files["raw_servicenow.incidents"]
    updates = set(api["raw_servicenow.incident_updates"])
    assert updates <= set(files["raw_servicenow.incident_updates"])
    assert len(updates) == _recoverable_updates(exports / SOURCE / "incident_event_log.csv")


def test_an_update_since_the_last_pull_is_the_only_thing_asked_for(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator, start_date="2015-01-01", overlap_minutes=0)
    load_api(config, warehouse)
    before = raw_tables(warehouse, SOURCE)["raw_servicenow.incident_updates"]
    cursor = max(r["sys_updated_on"] for r in simulator.incidents.values())
    number = next(iter(simulator.incidents))
    simulator.update_incident(number, "2018-01-01 10:00:00", incident_state="Closed")
    simulator.clear_log()
    load_api(config, warehouse)
    asked = [parse_qs(urlsplit(t).query)["sysparm_query"][0] for t in simulator.requests]
    assert asked and all(f">={cursor}^" in query for query in asked)
    after = raw_tables(warehouse, SOURCE)["raw_servicenow.incident_updates"]
    assert len(after) == len(before) + 1


@pytest.mark.parametrize("fault", ["429", "502", "truncate"])
def test_faults_are_retried(simulator, exports, tmp_path, fault):
    clean = load_api(api_config(SOURCE, simulator, start_date="2015-01-01"), tmp_path / "a.duckdb")
    simulator.inject(fault, path="/api/now/table/sys_audit")
    again = load_api(api_config(SOURCE, simulator, start_date="2015-01-01"), tmp_path / "b.duckdb")
    assert again.rows_read_by_table == clean.rows_read_by_table


def test_bad_credentials_and_the_check(simulator, monkeypatch, tmp_path):
    from outcomes.errors import OutcomesError
    from pipelines.common.api import check_source

    config = api_config(SOURCE, simulator, start_date="2015-01-01")
    assert any("credentials accepted" in line for line in check_source(SOURCE, config.api))
    monkeypatch.setenv("SOURCES__SERVICENOW__PASSWORD", "wrong")
    with pytest.raises(OutcomesError, match=r"'servicenow'.*HTTP 401"):
        load_api(config, tmp_path / "api.duckdb")


def _newest_update(simulator: ServiceNowSimulator) -> dt.datetime:
    return max(
        dt.datetime.strptime(r["sys_updated_on"], "%Y-%m-%d %H:%M:%S")
        for r in simulator.incidents.values()
    )


def test_an_incremental_pull_after_changes_ends_as_a_full_pull(simulator, tmp_path):
    """Three incidents change after a pull: one twice (reassigned, then closed),
    one once, one with no audited field (its update leaves no sys_audit row).
    The next pull asks from the cursor less the overlap only, and the warehouse
    ends as a full pull of the instance into a fresh one."""
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator, start_date="2015-01-01")
    first = load_api(config, warehouse)
    assert first.published
    before = raw_tables(warehouse, SOURCE)
    newest = _newest_update(simulator)
    oldest_first = sorted(
        simulator.incidents, key=lambda n: simulator.incidents[n]["sys_updated_on"]
    )
    twice, once, silent = oldest_first[:3]

    def at(minutes: int) -> str:
        return (newest + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S")

    simulator.update_incident(twice, at(10), assignment_group="Group 1", reassignment_count="9")
    simulator.update_incident(twice, at(20), incident_state="Closed", active="false")
    simulator.update_incident(once, at(30), priority="1 - Critical")
    simulator.update_incident(silent, at(40), sys_updated_by="Updated by 1")
    simulator.clear_log()
    second = load_api(config, warehouse)
    assert second.published
    since = (newest - dt.timedelta(minutes=60)).strftime("%Y-%m-%d %H:%M:%S")
    asked = [parse_qs(urlsplit(t).query)["sysparm_query"][0] for t in simulator.requests]
    assert asked == [
        f"sys_updated_on>={since}^ORDERBYsys_updated_on",
        f"tablename=incident^sys_created_on>={since}^ORDERBYsys_created_on",
    ]
    after = raw_tables(warehouse, SOURCE)
    # four updates more (two of one incident); the incidents table keeps one row each
    assert len(after["raw_servicenow.incident_updates"]) == (
        len(before["raw_servicenow.incident_updates"]) + 4
    )
    assert len(after["raw_servicenow.incidents"]) == len(before["raw_servicenow.incidents"])

    fresh = tmp_path / "fresh.duckdb"
    load_api(config, fresh)
    assert_same_raw(warehouse, fresh, SOURCE)


def test_a_killed_pull_resumes_identical(simulator, tmp_path):
    """A real kill of the pulling process while it reads sys_audit; the rerun
    ends as an uninterrupted pull."""
    clean = tmp_path / "clean.duckdb"
    load_api(api_config(SOURCE, simulator, start_date="2015-01-01"), clean)
    killed = tmp_path / "killed.duckdb"
    kill_a_pull(
        SOURCE,
        simulator,
        killed,
        slow_path="/api/now/table/sys_audit",
        until=lambda requests: any("sys_audit" in t for t in requests),
        settle_seconds=0.2,
        start_date="2015-01-01",
    )
    assert any("sys_audit" in t for t in simulator.requests)
    load_api(api_config(SOURCE, simulator, start_date="2015-01-01"), killed)
    assert_same_raw(clean, killed, SOURCE)
