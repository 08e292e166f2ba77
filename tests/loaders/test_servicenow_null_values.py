"""ServiceNow's export writes `?` for "no value": the policy's `null_values`
reads it as null at ingest (pipelines/servicenow/policy.yml), so a `?` person
is nobody, a `?` flag or count is unknown, and staging needs no
`*_is_unknown` flags. Hand-written CSV rows."""

from __future__ import annotations

import datetime as dt

import duckdb

from outcomes.config import SourceConfig
from pipelines.common.load import load_source, source_module

SALT = b"servicenow-null-salt-0123456789"
LOADED_AT = dt.datetime(2026, 6, 1, 12, 0, 0)
HEADER = (
    "number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,"
    "caller_id,opened_by,opened_at,sys_updated_by,sys_updated_at,contact_type,category,"
    "impact,urgency,priority,assignment_group,assigned_to,closed_code,resolved_by,"
    "resolved_at,closed_at"
)
ROWS = [
    # every optional cell `?`
    "INC1,New,true,?,?,0,?,Caller 1,?,01-03-2026 09:00,?,01-03-2026 09:00,?,?,?,?,?,?,?,?,?,?,?",
    "INC2,Resolved,false,1,0,3,true,Caller 2,Opener 5,01-03-2026 09:00,Updater 7,"
    "02-03-2026 10:00,Phone,Category 9,2 - Medium,2 - Medium,3 - Moderate,Group 4,"
    "Agent 3,code 1,Agent 3,02-03-2026 09:30,?",
]


def test_question_marks_land_as_nulls_and_nothing_is_quarantined(tmp_path):
    folder = tmp_path / "servicenow"
    folder.mkdir()
    (folder / "incident_event_log.csv").write_text("\n".join([HEADER, *ROWS]) + "\n")
    warehouse = tmp_path / "w.duckdb"
    load = load_source(SourceConfig("servicenow", folder), warehouse, SALT, LOADED_AT)
    assert load.published, load.gate_report()
    assert load.quarantined == 0  # a `?` flag (made_sla) used to be an unparsable boolean
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        incident = con.execute(
            "select incident_number, made_sla, reassignment_count, opened_by_user_key, "
            "assigned_to_user_key, resolved_by_user_key, category, priority, "
            "assignment_group, closed_code, resolved_at_text, closed_at_text "
            "from raw_servicenow.incidents order by 1"
        ).fetchall()
        update = con.execute(
            "select updated_by_user_key, assigned_to_user_key, made_sla "
            "from raw_servicenow.incident_updates where incident_number = 'INC1'"
        ).fetchall()
    finally:
        con.close()
    assert incident[0] == ("INC1", None, None, None, None, None, None, None, None, None, None, None)
    second = incident[1]
    assert second[:3] == ("INC2", True, 1)
    assert all(v is not None and v not in {"Opener 5", "Agent 3"} for v in second[3:6])
    assert second[6:] == (
        "Category 9",
        "3 - Moderate",
        "Group 4",
        "code 1",
        "02-03-2026 09:30",
        None,
    )
    assert update == [(None, None, None)]


def test_the_policy_has_no_unknown_flags_left():
    for table in source_module("servicenow").policy.tables:
        assert table.null_values == ("?",)
        assert not [c.name for c in table.columns if c.name.endswith("_is_unknown")]
