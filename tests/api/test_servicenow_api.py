"""ServiceNow's Table API (incident + sys_audit, sys_choice, sys_user,
sys_user_group), served from the real incident event log: the updates rebuilt
from sys_audit (whose old values are stored values: codes and sys_ids) are the
export's updates in display values, and the incidents land exactly as from the
CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import logging
import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest

from outcomes.privacy.pseudonym import pseudonymize
from outcomes.simulators.servicenow import NOT_AUDITED, ServiceNowSimulator
from tests.api.conftest import (
    SALT,
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
    asked = _queries(simulator, "incident", "sys_audit")
    assert len(asked) == 2 and all(f">={cursor}^" in query for query in asked)
    # besides: the label of the state the update undoes, once (it is a code in sys_audit)
    assert [_table(t) for t in simulator.requests] == ["incident", "sys_audit", "sys_choice"]
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


def _table(target: str) -> str:
    return urlsplit(target).path.removeprefix("/api/now/table/")


def _queries(simulator: ServiceNowSimulator, *tables: str) -> list[str]:
    return [
        parse_qs(urlsplit(t).query)["sysparm_query"][0]
        for t in simulator.requests
        if _table(t) in tables
    ]


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
    assert _queries(simulator, "incident", "sys_audit") == [
        f"sys_updated_on>={since}^ORDERBYsys_updated_on",
        f"tablename=incident^sys_created_on>={since}^ORDERBYsys_created_on",
    ]
    # the old values the window's incidents do not show now, looked up once each:
    # a state and a priority (codes), a group (a sys_id)
    lookups = [_table(t) for t in simulator.requests][2:]
    assert sorted(lookups) == ["sys_choice", "sys_user_group"]
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


# -- stored values in sys_audit, display values in the export ---------------------

COLUMNS = [
    "number", "incident_state", "active", "reassignment_count", "reopen_count",
    "sys_mod_count", "made_sla", "caller_id", "opened_by", "opened_at", "sys_updated_by",
    "sys_updated_at", "impact", "urgency", "priority", "assignment_group", "assigned_to",
    "closed_code", "resolved_at",
]  # fmt: skip
# One incident's updates (display values, as the export has them): assigned,
# then escalated to another group and person with a higher priority, then
# resolved. (state, priority, assignment_group, assigned_to, updated at)
UPDATES = [
    ("New", "3 - Moderate", "Service Desk", "?", "01-10-2026 09:00"),
    ("Active", "3 - Moderate", "Service Desk", "Ana Ruiz", "01-10-2026 09:30"),
    ("Active", "1 - Critical", "Network", "Bo Lind", "01-10-2026 10:15"),
    ("Resolved", "1 - Critical", "Network", "Bo Lind", "01-10-2026 11:00"),
]


def _event_log() -> list[dict[str, str]]:
    rows = []
    for count, (state, priority, group, person, at) in enumerate(UPDATES):
        rows.append(
            {
                "number": "INC0090001",
                "incident_state": state,
                "active": "FALSE" if state == "Resolved" else "TRUE",
                "reassignment_count": "1" if count >= 2 else "0",
                "reopen_count": "0",
                "sys_mod_count": str(count),
                "made_sla": "TRUE",
                "caller_id": "Caller 7",
                "opened_by": "Caller 7",
                "opened_at": "01-10-2026 09:00",
                "sys_updated_by": "agent.one",
                "sys_updated_at": at,
                "impact": "2 - Medium",
                "urgency": "1 - High" if count >= 2 else "2 - Medium",
                "priority": priority,
                "assignment_group": group,
                "assigned_to": person,
                "closed_code": "Solved (Permanently)" if state == "Resolved" else "?",
                "resolved_at": at if state == "Resolved" else "?",
            }
        )
    return rows


@pytest.fixture
def escalated(tmp_path, monkeypatch):
    """The instance holding INC0090001, and its event log exported as CSV."""
    folder = tmp_path / "exports" / SOURCE
    folder.mkdir(parents=True)
    with (folder / "incidents.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(_event_log())
    sim = ServiceNowSimulator(folder)
    for key, value in sim.credentials().items():
        monkeypatch.setenv(key, value)
    with sim:
        yield sim


def _updates(warehouse: Path) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select sys_mod_count, strftime(sys_updated_at, '%H:%M'), incident_state, priority,"
            " assignment_group, assigned_to_user_key, is_active"
            " from raw_servicenow.incident_updates order by sys_mod_count"
        ).fetchall()
    finally:
        con.close()


def test_the_simulator_stores_codes_and_sys_ids_as_an_instance_does(escalated):
    changes = {
        (a["record_checkpoint"], a["fieldname"]): (a["oldvalue"], a["newvalue"])
        for a in escalated.audits
    }
    ana, bo = (escalated.instance.stored("assigned_to", n) for n in ("Ana Ruiz", "Bo Lind"))
    assert len(ana) == len(bo) == 32 and ana != bo
    assert changes["1", "incident_state"] == ("1", "2")  # New -> Active
    assert changes["2", "priority"] == ("3", "1")
    assert changes["2", "assigned_to"] == (ana, bo)
    assert changes["3", "incident_state"] == ("2", "6")  # Active -> Resolved
    assert changes["3", "resolved_at"] == ("", "2026-10-01 11:00:00")


def test_past_updates_are_shown_in_display_values(escalated, tmp_path):
    """The earlier updates come back with the labels and names the export has:
    sys_audit's codes through sys_choice, its sys_ids through sys_user and
    sys_user_group (one lookup each), the current state from the display values."""
    load_files(SOURCE, escalated.exports.parent, tmp_path / "files.duckdb")
    pulled = load_api(api_config(SOURCE, escalated), tmp_path / "api.duckdb")
    assert pulled.published and pulled.quarantined == 0

    def key(name: str) -> str:
        return pseudonymize(name, SALT, "account", SOURCE)

    ana, bo = key("Ana Ruiz"), key("Bo Lind")
    assert _updates(tmp_path / "api.duckdb") == [
        (0, "09:00", "New", "3 - Moderate", "Service Desk", None, True),
        (1, "09:30", "Active", "3 - Moderate", "Service Desk", ana, True),
        (2, "10:15", "Active", "1 - Critical", "Network", bo, True),
        (3, "11:00", "Resolved", "1 - Critical", "Network", bo, False),
    ]
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)
    tables = [_table(t) for t in escalated.requests]
    assert tables == ["incident", "sys_audit", "sys_choice", "sys_user", "sys_user_group"]
    # only the old values the current state does not show are looked up
    users = parse_qs(urlsplit(escalated.requests[3]).query)
    ana_id = escalated.instance.stored("assigned_to", "Ana Ruiz")
    assert users["sysparm_query"] == [f"sys_idIN{ana_id}"]
    assert users["sysparm_fields"] == ["sys_id,name"]
    incident = parse_qs(urlsplit(escalated.requests[0]).query)
    assert incident["sysparm_display_value"] == ["all"]
    assert "short_description" not in incident["sysparm_fields"][0].split(",")


def test_a_code_without_a_label_stays_as_stored_and_is_quarantined(escalated, tmp_path, caplog):
    """A state whose choice was deleted: the update holding it lands nowhere
    (its state is no state the seed names), a warning names the incident and
    the field, and the other updates load."""
    escalated.instance.choices = [
        c
        for c in escalated.instance.choices
        if (c["element"], c["value"]) != ("incident_state", "1")
    ]
    with caplog.at_level(logging.WARNING, logger="pipelines.servicenow.api"):
        pulled = load_api(api_config(SOURCE, escalated), tmp_path / "api.duckdb")
    assert pulled.published
    assert [r[0] for r in _updates(tmp_path / "api.duckdb")] == [1, 2, 3]
    quarantined = [q for r in pulled.reads for q in r.quarantine.to_pylist()]
    # both tables read the update log (incidents keeps each one's newest update)
    assert sorted((q["table_name"], q["field_name"], q["bad_value"]) for q in quarantined) == [
        ("incident_updates", "incident_state", "1"),
        ("incidents", "incident_state", "1"),
    ]
    assert quarantined[0]["reason"].startswith("unknown value")
    assert (
        "incident INC0090001, field incident_state: an earlier value (code '1') has no "
        "label in sys_choice" in caplog.text
    )


def test_an_inherited_choice_list_and_an_inactive_choice_still_label(escalated, tmp_path):
    """Priority's labels held under `task` (incident does not override them), and
    a state since made inactive: earlier updates still show their labels."""
    for choice in escalated.instance.choices:
        if choice["element"] == "priority":
            choice["name"] = "task"
        if (choice["element"], choice["value"]) == ("incident_state", "1"):
            choice["inactive"] = "true"
    escalated.instance.choices.append(
        {"name": "task", "element": "incident_state", "value": "1", "label": "Draft",
         "language": "en", "inactive": "false"}
    )  # fmt: skip
    load_api(api_config(SOURCE, escalated), tmp_path / "api.duckdb")
    rows = _updates(tmp_path / "api.duckdb")
    assert [(r[2], r[3]) for r in rows] == [
        ("New", "3 - Moderate"),  # incident's own list of states wins over task's
        ("Active", "3 - Moderate"),
        ("Active", "1 - Critical"),
        ("Resolved", "1 - Critical"),
    ]


def test_a_person_gone_from_sys_user_stays_a_sys_id_and_is_not_logged(escalated, tmp_path, caplog):
    """An earlier assignee deleted since: that update keeps the stored sys_id
    (pseudonymized like a name), the warning names the incident and field,
    never the sys_id."""
    ana = escalated.instance.stored("assigned_to", "Ana Ruiz")
    users = escalated.instance.records["sys_user"]
    users[:] = [u for u in users if u["sys_id"] != ana]
    with caplog.at_level(logging.WARNING, logger="pipelines.servicenow.api"):
        pulled = load_api(api_config(SOURCE, escalated), tmp_path / "api.duckdb")
    assert pulled.published and pulled.quarantined == 0
    keys = [r[5] for r in _updates(tmp_path / "api.duckdb")]
    assert keys[1] == pseudonymize(ana, SALT, "account", SOURCE)
    assert keys[2] == pseudonymize("Bo Lind", SALT, "account", SOURCE)
    assert "incident INC0090001, field assigned_to: an earlier value refers to a sys_user" in (
        caplog.text
    )
    assert ana not in caplog.text
