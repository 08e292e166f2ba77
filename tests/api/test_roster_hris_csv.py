"""The roster from an HRIS CSV export (`users.csv`): converted to the SCIM users
the policy reads, landing the same raw rows as the SCIM export."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from outcomes.config import SourceConfig
from outcomes.errors import OutcomesError
from outcomes.privacy.pseudonym import pseudonymize
from outcomes.sources_check import _check_files
from pipelines.roster.hris_csv import ENTERPRISE, SCHEDULE, csv_to_scim_records
from tests.api.conftest import LOADED_AT, SALT, assert_same_raw, load_files, raw_tables

SOURCE = "roster"

SIX_PEOPLE = """\
employee_id,email,display_name,title,department,division,manager_employee_id,time_zone,active,work_days,work_start,work_end,start_date,last_modified,salary
E1,ada@acme.example,Ada One,VP Engineering,Platform,Engineering,,Europe/Berlin,true,Mon|Tue|Wed|Thu|Fri,09:00,17:00,2021-03-01,2026-10-01T08:00:00Z,100
E2,bo@acme.example,Bo Two,Engineer,Platform,Engineering,E1,Europe/Berlin,yes,"Mon,Tue,Wed,Thu",08:00,16:00,2023-06-15,2026-10-02 09:30:00,90
E3,cy@acme.example,Cy Three,Support Agent,Support,Customer,E1,America/New_York,0,Mon;Tue;Wed;Thu;Fri,09:00,17:00,2024-01-08,2026-10-03T10:00:00+02:00,80

E4,di@acme.example,Di Four,Engineer,Platform,Engineering,E1,,,,,,,2026-10-04T00:00:00Z,70
E5,ed@acme.example,Ed Five,Engineer,,Engineering,E1,Europe/London,true,Mon,09:00,17:00,2024-02-01,2026-10-05T00:00:00Z,60
E6,fay@acme.example,Fay Six,Engineer,Platform,Engineering,E1,Europe/London,true,Mon,09:00,17:00,2024-31-12,2026-10-06T00:00:00Z,50
E2,bo@acme.example,Bo Two,Senior Engineer,Platform,Engineering,E1,Europe/Berlin,yes,"Mon,Tue,Wed,Thu",08:00,16:00,2023-06-15,2026-10-09T09:30:00Z,95
"""


def _p(value: str, kind: str) -> str:
    return pseudonymize(value, SALT, kind, SOURCE)


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_six_people_land_as_computed_by_hand(tmp_path):
    exports = tmp_path / "exports" / SOURCE
    exports.mkdir(parents=True)
    (exports / "users.csv").write_text(SIX_PEOPLE)
    load = load_files(SOURCE, tmp_path / "exports", tmp_path / "csv.duckdb")
    tables = raw_tables(tmp_path / "csv.duckdb", SOURCE, with_loaded_at=False)
    # columns in name order: created_at, employment_start_date, function_name, is_active,
    # job_title, last_modified_at, manager_scim_user_key, person_key, scim_user_key,
    # team_name, time_zone, work_days, work_end_time, work_start_time
    expected = [
        (
            None,
            dt.date(2021, 3, 1),
            "Engineering",
            True,
            "VP Engineering",
            _ts("2026-10-01 08:00:00"),
            None,
            _p("ada@acme.example", "email"),
            _p("E1", "account"),
            "Platform",
            "Europe/Berlin",
            "Mon|Tue|Wed|Thu|Fri",
            "17:00",
            "09:00",
        ),
        # the newer of E2's two rows (2026-10-09), the text time read as UTC
        (
            None,
            dt.date(2023, 6, 15),
            "Engineering",
            True,
            "Senior Engineer",
            _ts("2026-10-09 09:30:00"),
            _p("E1", "account"),
            _p("bo@acme.example", "email"),
            _p("E2", "account"),
            "Platform",
            "Europe/Berlin",
            "Mon|Tue|Wed|Thu",
            "16:00",
            "08:00",
        ),
        # +02:00 to UTC; active 0 is false; ; separates days
        (
            None,
            dt.date(2024, 1, 8),
            "Customer",
            False,
            "Support Agent",
            _ts("2026-10-03 08:00:00"),
            _p("E1", "account"),
            _p("cy@acme.example", "email"),
            _p("E3", "account"),
            "Support",
            "America/New_York",
            "Mon|Tue|Wed|Thu|Fri",
            "17:00",
            "09:00",
        ),
        # empty optional cells are missing values
        (
            None,
            None,
            "Engineering",
            None,
            "Engineer",
            _ts("2026-10-04 00:00:00"),
            _p("E1", "account"),
            _p("di@acme.example", "email"),
            _p("E4", "account"),
            "Platform",
            None,
            None,
            None,
            None,
        ),
    ]
    assert tables["raw_roster.users"] == sorted(expected, key=repr)
    identity = tables["identity.people_identity"]
    assert sorted((row[0], row[1]) for row in identity) == sorted(
        [
            ("Ada One", "ada@acme.example"),
            ("Bo Two", "bo@acme.example"),
            ("Cy Three", "cy@acme.example"),
            ("Di Four", "di@acme.example"),
            ("Ed Five", "ed@acme.example"),  # identity needs no team
            ("Fay Six", "fay@acme.example"),  # nor a start date
        ]
    )
    # E5 (no department) and E6 (a 31st month) are quarantined: file, data row, column.
    # The team history needs the department too (not the start date).
    con = duckdb.connect(str(tmp_path / "csv.duckdb"), read_only=True)
    quarantined = con.execute(
        "select table_name, file_name, record_number, field_name, reason, bad_value "
        "from quarantine.records order by record_number, table_name"
    ).fetchall()
    con.close()
    assert quarantined == [
        ("user_versions", "users.csv", 5, "team_name", "missing required field", None),
        ("users", "users.csv", 5, "team_name", "missing required field", None),
        ("users", "users.csv", 6, "employment_start_date", "unparsable date", "2024-31-12"),
    ]
    assert load.quarantined == 3
    # every version lands in the history: E2's two rows, the others' one
    versions = tables["raw_roster.user_versions"]
    assert len(versions) == 6 and {r[-1] for r in versions} >= {"Platform", "Support"}
    assert all("salary" not in keys for keys in load.new_columns.values())  # never read


def test_the_demo_roster_as_csv_lands_as_its_scim_export(demo_exports, tmp_path):
    users = [json.loads(line) for line in (demo_exports / SOURCE / "users.jsonl").open()]
    exports = tmp_path / "exports" / SOURCE
    exports.mkdir(parents=True)
    with (exports / "users.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["Employee_ID", "email", "display_name", "title", "department", "division",
             "manager_employee_id", "time_zone", "active", "work_days", "work_start",
             "work_end", "start_date", "created", "last_modified"]
        )  # fmt: skip
        for u in users:
            ent, sched = u[ENTERPRISE], u[SCHEDULE]
            out.writerow(
                [u["id"], u["userName"], u["displayName"], u["title"], ent["department"],
                 ent["division"], (ent.get("manager") or {}).get("value", ""), u["timezone"],
                 str(u["active"]).lower(), "|".join(sched["workDays"]), sched["workStart"],
                 sched["workEnd"], ent["startDate"], u["meta"]["created"],
                 u["meta"]["lastModified"]]
            )  # fmt: skip
    load_files(SOURCE, demo_exports, tmp_path / "jsonl.duckdb")
    load_files(SOURCE, tmp_path / "exports", tmp_path / "csv.duckdb")
    assert_same_raw(tmp_path / "jsonl.duckdb", tmp_path / "csv.duckdb", SOURCE)
    assert len(raw_tables(tmp_path / "csv.duckdb", SOURCE)["raw_roster.users"]) == len(
        {u["id"] for u in users}
    )
    ok, lines = _check_files(SourceConfig(SOURCE, exports))
    assert ok and any("users.csv" in line for line in lines)


def test_a_missing_required_column_names_file_row_and_column(tmp_path):
    exports = tmp_path / "exports" / SOURCE
    exports.mkdir(parents=True)
    header, *rows = SIX_PEOPLE.splitlines()
    (exports / "users.csv").write_text(
        "\n".join([header.replace("department,", "team,"), *rows]) + "\n"
    )
    with pytest.raises(OutcomesError) as failure:
        load_files(SOURCE, tmp_path / "exports", tmp_path / "csv.duckdb")
    message = str(failure.value)
    assert "users.csv" in message and "row 1" in message and "'department'" in message
    assert "acme.example" not in message and "Platform" not in message


def test_the_converter_yields_scim_users(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("\ufeffEmail,employee_id,department,last_modified,active\n"
                    "x@y.example,E9,Ops,2026-01-01,maybe\n")  # fmt: skip
    (record,) = list(csv_to_scim_records(path))
    assert record["id"] == "E9" and record["userName"] == "x@y.example"
    assert record[ENTERPRISE] == {"department": "Ops"}
    assert record["active"] == "maybe"  # left as it is: the reader quarantines it
    assert record["meta"]["lastModified"] == "2026-01-01"


def test_loaded_at_is_fixed():
    assert isinstance(LOADED_AT, dt.datetime) and Path(__file__).exists()
