"""The real ServiceNow incident event log loads through the CSV export path
and reaches the canonical case events and work items.

Every expected value is computed here from the CSV itself (pandas), not
through the loader or the models.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from outcomes.build import run_dbt
from outcomes.config import WAREHOUSE_ENV, SourceConfig
from outcomes.warehouse import STORAGE_COMPATIBILITY
from pipelines.common.load import declare_unconfigured_sources, load_source

REALDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "realdata"
EVENT_LOG = REALDATA / "servicenow_incidents" / "incident_event_log.csv"
SALT = b"servicenow-test-salt-0123456789abcdef"
LOADED_AT = dt.datetime(2026, 11, 1, 6, 0)
CANONICAL = {
    "New": "todo",
    "Active": "in_progress",
    "Awaiting User Info": "blocked",
    "Awaiting Problem": "blocked",
    "Awaiting Vendor": "blocked",
    "Awaiting Evidence": "blocked",
    "Resolved": "done",
    "Closed": "done",
    "-100": "todo",
}
# People labels of the export; none may land in clear text.
PEOPLE_COLUMNS = ["caller_id", "opened_by", "sys_updated_by", "assigned_to", "resolved_by"]


def _require_realdata() -> None:
    if EVENT_LOG.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"real data missing in CI: {EVENT_LOG}")
    pytest.skip(f"real data not here: {EVENT_LOG}")


def query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(
        str(warehouse), config={"storage_compatibility_version": STORAGE_COMPATIBILITY}
    )
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _dmy(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series.where(series != "?"), format="%d-%m-%Y %H:%M")


@pytest.fixture(scope="module")
def expected() -> dict:
    """The figures, straight from the CSV."""
    _require_realdata()
    log = pd.read_csv(EVENT_LOG, dtype=str, keep_default_na=False)
    log["line"] = range(len(log))
    log["updated_at"] = _dmy(log["sys_updated_at"])
    log["opened"] = _dmy(log["opened_at"])
    log["mod"] = log["sys_mod_count"].astype(int)
    log["state"] = log["incident_state"].map(CANONICAL)
    # The incident as its newest update left it (ties: the later line).
    latest = log.sort_values(["updated_at", "line"]).groupby("number").tail(1).set_index("number")
    # The history in update order: time, then modification count.
    history = log.sort_values(["number", "updated_at", "mod", "line"])
    previous = history.groupby("number")["incident_state"].shift()
    changed = previous.notna() & (history["incident_state"] != previous)
    solved = changed & (
        (history["incident_state"] == "Resolved")
        | ((history["incident_state"] == "Closed") & (previous != "Resolved"))
    )
    previous_state = history.groupby("number")["state"].shift()
    run_starts = history[previous_state.isna() | (history["state"] != previous_state)]
    last_done = run_starts[run_starts["state"] == "done"].groupby("number")["updated_at"].max()
    done = latest[latest["state"] == "done"]
    lead_hours = (last_done.reindex(done.index) - done["opened"]).dt.total_seconds() / 3600
    high = lead_hours[done["priority"] == "2 - High"]
    reopens = (
        (run_starts["state"] != "done") & (run_starts.groupby("number")["state"].shift() == "done")
    ).sum()
    return {
        "rows": len(log),
        "incidents": log["number"].nunique(),
        "status_changes": int(changed.sum()),
        "solved_events": int(solved.sum()),
        "reopens": int(reopens),
        "done": len(done),
        "with_resolved_at": int((latest["resolved_at"] != "?").sum()),
        "high_count": len(high),
        "high_median_hours": float(high.median()),
        "people": {v for c in PEOPLE_COLUMNS for v in log[c] if v != "?"},
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    _require_realdata()
    root = tmp_path_factory.mktemp("servicenow")
    folder = root / "servicenow"
    folder.mkdir()
    shutil.copy(EVENT_LOG, folder / EVENT_LOG.name)
    path = root / "w.duckdb"
    load = load_source(SourceConfig("servicenow", folder), path, SALT, LOADED_AT)
    assert load.published, load.gate_report()
    assert load.quarantined == 0
    assert load.new_columns == {}  # every CSV column is kept, pseudonymized or dropped
    declare_unconfigured_sources({"servicenow"}, path, SALT, LOADED_AT)
    previous = os.environ.get(WAREHOUSE_ENV)
    try:
        run_dbt(
            ["build", "--select", "+fct_work_events", "--indirect-selection", "cautious"], path, 5
        )
    finally:
        if previous is None:
            os.environ.pop(WAREHOUSE_ENV, None)
        else:
            os.environ[WAREHOUSE_ENV] = previous
    return path


def test_raw_tables_hold_every_update_and_incident(warehouse, expected):
    assert query(warehouse, "select count(*) from raw_servicenow.incident_updates") == [
        (expected["rows"],)
    ]
    assert query(warehouse, "select count(*) from raw_servicenow.incidents") == [
        (expected["incidents"],)
    ]


def test_people_never_land_in_clear_text(warehouse, expected):
    """No caller, opener, updater, assignee or resolver label in any table or
    view outside identity and quarantine (raw, staging, marts)."""
    columns = query(
        warehouse,
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' "
        "and table_schema not in ('identity', 'quarantine', 'information_schema', 'pg_catalog')",
    )
    assert any(schema == "raw_servicenow" for schema, _, _ in columns)
    leaks = []
    con = duckdb.connect(
        str(warehouse), config={"storage_compatibility_version": STORAGE_COMPATIBILITY}
    )
    try:
        for schema, table, column in columns:
            sql = f'select distinct "{column}" from {schema}."{table}"'
            if {v for (v,) in con.execute(sql).fetchall()} & expected["people"]:
                leaks.append(f"{schema}.{table}.{column}")
    finally:
        con.close()
    assert leaks == []


def test_incidents_become_case_events(warehouse, expected):
    counts = dict(
        query(
            warehouse,
            "select event_type, count(*) from marts.fct_work_events "
            "where source_system = 'servicenow' group by 1",
        )
    )
    assert counts == {
        "case.created": expected["incidents"],
        "case.status_changed": expected["status_changes"],
        "case.solved": expected["solved_events"],
        "case.reopened": expected["reopens"],
    }


def test_incidents_become_case_work_items(warehouse, expected):
    assert query(
        warehouse,
        "select count(*), count(*) filter (where canonical_state = 'done') "
        "from marts.fct_work_items where source_system = 'servicenow' and work_item_type = 'case'",
    ) == [(expected["incidents"], expected["done"])]
    assert query(
        warehouse,
        "select count(resolved_at) from staging.stg_servicenow__incidents",
    ) == [(expected["with_resolved_at"],)]


def test_median_resolution_time_of_high_priority(warehouse, expected):
    ((count, median),) = query(
        warehouse,
        "select count(*), median(lead_time_hours) from marts.fct_work_items "
        "where source_system = 'servicenow' and work_type = '2 - high' "
        "and canonical_state = 'done'",
    )
    assert count == expected["high_count"]
    assert median == pytest.approx(expected["high_median_hours"], abs=1e-9)


def test_an_unconfigured_servicenow_gets_empty_typed_tables(tmp_path):
    path = tmp_path / "w.duckdb"
    empty = tmp_path / "empty"
    empty.mkdir()
    load_source(SourceConfig("servicenow", empty), path, SALT, LOADED_AT, declare_only=True)
    types = dict(
        query(
            path,
            "select table_name || '.' || column_name, data_type from information_schema.columns "
            "where table_schema = 'raw_servicenow'",
        )
    )
    assert types["incident_updates.sys_updated_at"] == "TIMESTAMP"
    assert types["incident_updates.sys_mod_count"] == "BIGINT"
    assert types["incidents.opened_at"] == "TIMESTAMP"
    assert types["incidents.made_sla"] == "BOOLEAN"
    assert query(path, "select count(*) from raw_servicenow.incidents") == [(0,)]


def test_an_unknown_incident_state_quarantines_its_row(tmp_path):
    """A state outside the seed status_mappings (a customised instance) would
    map to no canonical state: that row is quarantined in both tables that
    read it, and the rest of the export loads (issue 14)."""
    folder = tmp_path / "servicenow"
    folder.mkdir()
    (folder / "incidents.csv").write_text(
        "number,incident_state,sys_mod_count,opened_at,sys_updated_at\n"
        "INC1,New,0,01-03-2026 09:00,01-03-2026 09:00\n"
        "INC1,Escalated Elsewhere,1,01-03-2026 09:00,01-03-2026 10:30\n"
    )
    path = tmp_path / "w.duckdb"
    load = load_source(SourceConfig("servicenow", folder), path, SALT, LOADED_AT)
    assert load.published, load.gate_report()
    reason = "unknown value (not in seeds/status_mappings.csv)"
    assert query(
        path,
        "select table_name, file_name, record_number, record_key, field_name, reason "
        "from quarantine.records order by 1",
    ) == [
        ("incident_updates", "incidents.csv", 2, "INC1", "incident_state", reason),
        ("incidents", "incidents.csv", 2, "INC1", "incident_state", reason),
    ]
    assert query(path, "select incident_state from raw_servicenow.incident_updates") == [("New",)]
