"""One bad byte in one row of a ServiceNow CSV export, in a whole `outcomes run` (issue 14).

The CSV export path (pipelines/servicenow: `*.csv`, one header row) must
treat a byte that is not UTF-8 as the JSONL path does: that row is
quarantined as "not valid UTF-8 text" with its data row number, the other
rows land, the sources after it in the config's order (hubspot, calendar)
load, and nothing the run prints or writes outside the warehouse names a
person of the export (the corrupted row's assignee, or anyone else: an
error that quotes a row quotes people).

One run of the installed command for the module, load only (`--skip-build`):
the build after a bad byte is the JSONL module's (test_a_bad_byte_in_a_run).
"""

from __future__ import annotations

import pytest

from outcomes.demo import generate
from tests.robustness.cli_runs import (
    END,
    PEOPLE,
    SEED,
    WEEKS,
    Run,
    landed_per_file,
    outcomes_run,
    write_config,
)

pytestmark = pytest.mark.xdist_group("bad_byte_csv_run")

LOGIN = b"kofi.mensah"  # INC2's assignee, in no other row
BAD_LOGIN = b"kofi\xff.mensah"
HEADER = (
    b"number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,"
    b"caller_id,opened_by,opened_at,sys_updated_by,sys_updated_at,contact_type,category,"
    b"impact,urgency,priority,assignment_group,assigned_to,closed_code,resolved_by,"
    b"resolved_at,closed_at"
)
ROWS = [
    b"INC1,New,true,0,0,0,true,ines.caller,omar.opener,02-11-2026 09:00,mira.okafor,"
    b"02-11-2026 09:00,Phone,Category 1,2 - Medium,2 - Medium,3 - Moderate,Group 1,"
    b"mira.okafor,?,?,?,?",
    # data row 2: the bad byte inside the assignee's login
    b"INC2,Active,true,1,0,2,true,tariq.caller,omar.opener,03-11-2026 10:00,omar.opener,"
    b"03-11-2026 11:00,Email,Category 2,1 - High,1 - High,2 - High,Group 2,"
    + BAD_LOGIN
    + b",?,?,?,?",
    b"INC3,Resolved,false,0,0,3,false,ines.caller,omar.opener,04-11-2026 08:30,mira.okafor,"
    b"05-11-2026 16:45,Phone,Category 1,3 - Low,3 - Low,4 - Low,Group 1,mira.okafor,code 1,"
    b"mira.okafor,05-11-2026 16:45,?",
]
BAD_ROW = 2  # data rows are numbered from 1, the header not counted
# Every person named in the export (caller, opener, updater, assignee, resolver).
PEOPLE_LABELS = [b"ines.caller", b"tariq.caller", b"omar.opener", b"mira.okafor", LOGIN]
SOURCES = ("roster", "servicenow", "hubspot", "calendar")  # the config's (load) order
LATER = {
    # the sources after servicenow: the file's records less its planted repeats and broken
    "raw_hubspot.owners": ("hubspot/owners.jsonl", 6),
    "raw_hubspot.contacts": ("hubspot/contacts.jsonl", 111),  # 112 - 1 broken
    "raw_hubspot.deals": ("hubspot/deals.jsonl", 14),
    "raw_hubspot.engagements": ("hubspot/engagements.jsonl", 167),
    "raw_calendar.events": ("calendar/events.jsonl", 273),  # 275 - 1 repeat - 1 broken
}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    root = tmp_path_factory.mktemp("bad_byte_csv_run")
    exports = root / "exports"
    generate(exports, people=PEOPLE, weeks=WEEKS, seed=SEED, end_date=END)
    servicenow = exports / "servicenow"
    servicenow.mkdir()
    (servicenow / "incident_event_log.csv").write_bytes(b"\n".join([HEADER, *ROWS]) + b"\n")
    config = write_config(root / "outcomes.yml", {name: exports / name for name in SOURCES})
    return outcomes_run(root / "run", config, "--skip-build", exports=exports)


def test_the_run_goes_on(run):
    assert b"Traceback" not in run.stderr, run.failure()
    assert run.returncode == 0, run.failure()
    loaded = [line.split()[0] for line in run.lines if line.startswith("  ") and "->" in line]
    assert loaded == list(SOURCES)


def test_the_other_rows_land(run):
    assert run.returncode == 0, run.failure()
    assert run.query(
        "select incident_number, sys_mod_count from raw_servicenow.incident_updates order by 1"
    ) == [("INC1", 0), ("INC3", 3)]
    assert run.query("select incident_number from raw_servicenow.incidents order by 1") == [
        ("INC1",),
        ("INC3",),
    ]


def test_the_sources_after_it_load(run):
    derived = landed_per_file(run.exports)
    assert {table: derived[file] for table, (file, _) in LATER.items()} == {
        table: rows for table, (_, rows) in LATER.items()
    }  # the hand count agrees with the generator's manifest
    assert {table: run.count(table) for table in LATER} == {
        table: rows for table, (_, rows) in LATER.items()
    }, run.failure()


def test_the_row_is_quarantined_without_its_values(run):
    assert run.returncode == 0, run.failure()
    assert run.query(
        "select table_name, file_name, record_number, record_key, reason, bad_value "
        "from quarantine.records where source_system = 'servicenow' order by all"
    ) == [
        ("incident_updates", "incident_event_log.csv", BAD_ROW, None, "not valid UTF-8 text", None),
        ("incidents", "incident_event_log.csv", BAD_ROW, None, "not valid UTF-8 text", None),
    ]


@pytest.mark.parametrize(
    "needle",
    [LOGIN, LOGIN[:4], LOGIN[5:], BAD_LOGIN],  # "kofi", "mensah",
    ids=["login", "before-the-byte", "after-the-byte", "as-corrupted"],
)
def test_nothing_the_run_prints_or_writes_names_the_login(run, needle):
    exported = (run.exports / "servicenow" / "incident_event_log.csv").read_bytes()
    assert needle in exported + exported.replace(BAD_LOGIN, LOGIN)  # what the search looks for
    assert needle not in run.stdout
    assert needle not in run.stderr
    assert run.files_holding(needle) == []


@pytest.mark.parametrize("label", PEOPLE_LABELS, ids=lambda b: b.decode())
def test_nothing_the_run_prints_or_writes_names_anyone_in_the_export(run, label):
    assert label not in run.stdout
    assert label not in run.stderr
    assert run.files_holding(label) == []
