"""ServiceNow's Table API (incident + sys_audit), served from the real incident
event log: the updates rebuilt from sys_audit are the export's updates, and the
incidents land exactly as from the CSV export."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from outcomes.simulators.servicenow import NOT_AUDITED, ServiceNowSimulator
from tests.api.conftest import api_config, load_api, load_files, raw_tables

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
