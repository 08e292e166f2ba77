"""A gzip-compressed export loads the same raw rows as the same file uncompressed (issue 14).

An export tool often writes `issues.jsonl.gz` or `incidents.csv.gz`: the
reader (pipelines.common.reader.export_files) takes a policy's file name
with `.gz` after it, and DuckDB reads it compressed. Hand-written records:
the rows each table must land are counted here, record by record.
"""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from pathlib import Path

import duckdb
import pytest

from outcomes.config import SourceConfig
from pipelines.common.load import load_source
from pipelines.common.source import check_export_folder

SALT = b"gzip-export-test-salt-0123456789ab"
LOADED_AT = dt.datetime(2026, 6, 1, 12, 0, 0)

JIRA_USERS = (
    '{"accountId": "acc-1", "emailAddress": "ada@example.com", "accountType": "atlassian", '
    '"active": true, "displayName": "Ada"}\n'
    '{"accountId": "acc-2", "emailAddress": "bo@example.com", "accountType": "atlassian", '
    '"active": false, "displayName": "Bo"}\n'
)
_LINK_OUT = '{"id": "201", "type": {"name": "Causes"}, "outwardIssue": {"id": "102"}}'
_LINK_IN = '{"id": "201", "type": {"name": "Causes"}, "inwardIssue": {"id": "101"}}'
JIRA_ISSUES = (
    # 1: issue 101 as first exported
    '{"id": "101", "key": "PAYM-1", "fields": {"project": {"key": "PAYM"}, '
    '"issuetype": {"name": "Story"}, "status": {"name": "To Do"}, '
    '"assignee": {"accountId": "acc-1"}, "labels": ["api", "q-goal"], '
    '"created": "2026-05-01T09:00:00.000+0000", "updated": "2026-05-01T09:00:00.000+0000", '
    f'"issuelinks": [{_LINK_OUT}], "customfield_10020": [{{"id": 7, "name": "Sprint 7"}}]}}}}\n'
    # 2: issue 102, the other side of link 201
    '{"id": "102", "key": "PAYM-2", "fields": {"project": {"key": "PAYM"}, '
    '"issuetype": {"name": "Bug"}, "status": {"name": "In Progress"}, '
    '"reporter": {"accountId": "acc-2"}, "labels": [], '
    '"created": "2026-05-02T09:00:00.000+0000", "updated": "2026-05-02T09:00:00.000+0000", '
    f'"issuelinks": [{_LINK_IN}]}}}}\n'
    # 3: issue 101 again, newer: it wins over line 1
    '{"id": "101", "key": "PAYM-1", "fields": {"project": {"key": "PAYM"}, '
    '"issuetype": {"name": "Story"}, "status": {"name": "Done"}, '
    '"assignee": {"accountId": "acc-1"}, "labels": ["api", "q-goal"], '
    '"created": "2026-05-01T09:00:00.000+0000", "updated": "2026-05-03T17:00:00.000+0000", '
    '"resolutiondate": "2026-05-03T17:00:00.000+0000", '
    f'"issuelinks": [{_LINK_OUT}], "customfield_10020": [{{"id": 7, "name": "Sprint 7"}}]}}}}\n'
    # 4: a creation time that is no time: quarantined
    '{"id": "103", "key": "PAYM-3", "fields": {"issuetype": {"name": "Task"}, '
    '"created": "last tuesday"}}\n'
)
JIRA_CHANGELOGS = (
    '{"id": "301", "issueId": "101", "author": {"accountId": "acc-1"}, '
    '"created": "2026-05-03T17:00:00.000+0000", "items": ['
    '{"field": "status", "fromString": "To Do", "toString": "Done"}, '
    '{"field": "summary", "fromString": "old words", "toString": "new words"}]}\n'
)
JIRA_FILES = {
    "users.jsonl": JIRA_USERS,
    "issues.jsonl": JIRA_ISSUES,
    "changelogs.jsonl": JIRA_CHANGELOGS,
}
# Counted from the records above.
JIRA_ROWS = {
    "users": 2,  # acc-1, acc-2
    "issues": 2,  # 101 (line 3 wins over line 1), 102; 103 quarantined
    "issue_links": 2,  # link 201 on each of its issues
    "issue_sprints": 1,  # (101, 7)
    "sprints": 0,  # optional file, not exported
    "changelog_items": 2,  # history 301, items 0 and 1
}

SERVICENOW_HEADER = (
    "number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,"
    "caller_id,opened_by,opened_at,sys_updated_by,sys_updated_at,contact_type,category,"
    "impact,urgency,priority,assignment_group,assigned_to,closed_code,resolved_by,"
    "resolved_at,closed_at"
)
SERVICENOW_ROWS = (
    "INC1,New,true,0,0,0,false,Caller 1,Opener 1,01-05-2026 09:00,Agent 1,01-05-2026 09:00,"
    "Phone,Category 1,2 - Medium,2 - Medium,3 - Moderate,Group 1,Agent 1,?,?,?,?",
    "INC1,Resolved,false,1,0,1,true,Caller 1,Opener 1,01-05-2026 09:00,Agent 2,02-05-2026 10:00,"
    "Phone,Category 1,2 - Medium,2 - Medium,3 - Moderate,Group 1,Agent 2,code 1,Agent 2,"
    "02-05-2026 10:00,?",
    "INC2,Active,true,0,0,0,true,Caller 2,Opener 2,03-05-2026 11:30,Agent 1,03-05-2026 11:30,"
    "Email,Category 2,1 - High,1 - High,2 - High,Group 2,Agent 1,?,?,?,?",
)
SERVICENOW_CSV = "\n".join([SERVICENOW_HEADER, *SERVICENOW_ROWS]) + "\n"
SERVICENOW_ROWS_BY_TABLE = {
    "incident_updates": 3,  # (INC1, 0), (INC1, 1), (INC2, 0)
    "incidents": 2,  # INC1 as its second update left it, INC2
}


def _folder(root: Path, tool: str, files: dict[str, str], gzipped: set[str]) -> Path:
    folder = root / tool
    folder.mkdir(parents=True)
    for name, text in files.items():
        if name in gzipped:
            with gzip.open(folder / f"{name}.gz", "wt", encoding="utf-8") as out:
                out.write(text)
        else:
            (folder / name).write_text(text, encoding="utf-8")
    return folder


def _raw_tables(warehouse: Path, schema: str) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = ? "
                "and not starts_with(table_name, '_dlt') order by 1",
                [schema],
            ).fetchall()
        ]
        return {
            name: con.execute(f'select * from {schema}."{name}" order by all').fetchall()
            for name in names
        }
    finally:
        con.close()


def _quarantine(warehouse: Path) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select table_name, file_name, record_number, field_name, reason "
            "from quarantine.records order by all"
        ).fetchall()
    finally:
        con.close()


def _load(tool: str, folder: Path, warehouse: Path):
    load = load_source(SourceConfig(tool, folder), warehouse, SALT, LOADED_AT)
    assert load.published, load.gate_report()
    return load


@pytest.fixture(scope="module")
def plain_jira(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("plain_jira")
    folder = _folder(root, "jira", JIRA_FILES, gzipped=set())
    warehouse = root / "w.duckdb"
    load = _load("jira", folder, warehouse)
    assert load.rows_read_by_table == JIRA_ROWS
    return warehouse


@pytest.mark.parametrize(
    "gzipped",
    [{"issues.jsonl"}, set(JIRA_FILES)],
    ids=["issues.jsonl.gz", "every-file.gz"],
)
def test_a_gzipped_jira_export_lands_the_rows_of_the_plain_one(tmp_path, plain_jira, gzipped):
    folder = _folder(tmp_path, "jira", JIRA_FILES, gzipped)
    assert check_export_folder("jira", folder) == []  # every file found (sprints is optional)
    warehouse = tmp_path / "w.duckdb"

    load = _load("jira", folder, warehouse)

    assert load.rows_read_by_table == JIRA_ROWS
    files = {read.table.name: read.files for read in load.reads}
    issues_file = "issues.jsonl.gz" if "issues.jsonl" in gzipped else "issues.jsonl"
    assert [Path(f).name for f in files["issues"]] == [issues_file]
    landed = _raw_tables(warehouse, "raw_jira")
    assert landed == _raw_tables(plain_jira, "raw_jira")  # row for row, pseudonyms alike
    assert {name: len(rows) for name, rows in landed.items()} == JIRA_ROWS
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        issues = con.execute(
            "select issue_id, issue_key, status_name, label_names from raw_jira.issues order by 1"
        ).fetchall()
        links = con.execute(
            "select issue_link_id, issue_id from raw_jira.issue_links order by all"
        ).fetchall()
    finally:
        con.close()
    # 101 as line 3 left it; 102's empty label list is no labels
    assert issues == [(101, "PAYM-1", "Done", "api|q-goal"), (102, "PAYM-2", "In Progress", None)]
    assert links == [(201, 101), (201, 102)]
    # the bad record is quarantined with its line, as from the plain file
    assert _quarantine(warehouse) == [
        ("issues", issues_file, 4, "created_at", "unparsable timestamp"),
    ]


@pytest.mark.parametrize("name", ["incident_event_log.csv", "incident_event_log.csv.gz"])
def test_a_gzipped_servicenow_csv_lands_the_rows_of_the_plain_one(tmp_path, name):
    folder = tmp_path / "servicenow"
    folder.mkdir()
    if name.endswith(".gz"):
        with gzip.open(folder / name, "wt", encoding="utf-8") as out:
            out.write(SERVICENOW_CSV)
    else:
        (folder / name).write_text(SERVICENOW_CSV, encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"

    load = _load("servicenow", folder, warehouse)

    assert load.rows_read_by_table == SERVICENOW_ROWS_BY_TABLE
    assert load.quarantined == 0
    assert {read.table.name: [Path(f).name for f in read.files] for read in load.reads} == {
        "incident_updates": [name],
        "incidents": [name],
    }
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        incidents = con.execute(
            "select incident_number, incident_state, sys_mod_count, made_sla "
            "from raw_servicenow.incidents order by 1"
        ).fetchall()
        updates = con.execute(
            "select incident_number, sys_mod_count, incident_state "
            "from raw_servicenow.incident_updates order by 1, 2"
        ).fetchall()
    finally:
        con.close()
    assert incidents == [("INC1", "Resolved", 1, True), ("INC2", "Active", 0, True)]
    assert updates == [("INC1", 0, "New"), ("INC1", 1, "Resolved"), ("INC2", 0, "Active")]


def test_the_csv_gz_and_the_csv_land_the_same_rows(tmp_path):
    warehouses = []
    for name in ("incident_event_log.csv", "incident_event_log.csv.gz"):
        folder = tmp_path / name / "servicenow"
        folder.mkdir(parents=True)
        plain = folder / "incident_event_log.csv"
        plain.write_text(SERVICENOW_CSV, encoding="utf-8")
        if name.endswith(".gz"):
            with plain.open("rb") as source, gzip.open(folder / name, "wb") as out:
                shutil.copyfileobj(source, out)
            plain.unlink()
        _load("servicenow", folder, tmp_path / name / "w.duckdb")
        warehouses.append(tmp_path / name / "w.duckdb")

    plain_rows, gzip_rows = (_raw_tables(w, "raw_servicenow") for w in warehouses)
    assert gzip_rows == plain_rows
    assert {name: len(rows) for name, rows in gzip_rows.items()} == SERVICENOW_ROWS_BY_TABLE
