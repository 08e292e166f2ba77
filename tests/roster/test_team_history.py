"""The roster's history (docs/connectors/roster.md#team-history): every version
of a user record a load sees lands in `raw_roster.user_versions`, so a team
move between two runs is remembered, and int_people_team_history turns the
versions into team spells. Hand-written exports; every number by hand."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

from outcomes.build import run_dbt
from outcomes.config import SourceConfig
from outcomes.privacy.pseudonym import pseudonymize
from pipelines.common.load import declare_unconfigured_sources, load_source

SALT = b"roster-history-salt-0123456789ab"
NOW = dt.datetime(2026, 7, 1, 0, 0, 0)
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
TEAM = "urn:outcomes:params:scim:schemas:extension:team:1.0:User"
SPELLS = "intermediate.int_people_team_history"


def user(scim_id: str, email: str, team: str, modified: str, **extra) -> dict:
    record = {
        "id": scim_id,
        "userName": email,
        "displayName": email.split("@")[0].title(),
        "active": True,
        ENTERPRISE: {"department": team, "division": "Engineering"},
        "meta": {"created": "2026-01-05T09:00:00Z", "lastModified": modified},
    }
    record.update(extra)
    return record


def write(folder: Path, records: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "users.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return folder


def load(folder: Path, warehouse: Path, loaded_at: dt.datetime) -> None:
    done = load_source(SourceConfig("roster", folder), warehouse, SALT, loaded_at, now=NOW)
    assert done.published, done.gate_report()


def rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def key(value: str, kind: str) -> str:
    return pseudonymize(value, SALT, kind, "roster")


ADA_PLATFORM = user("u-ada", "ada@acme.example", "Platform", "2026-05-01T09:00:00Z")
BO = user("u-bo", "bo@acme.example", "Support", "2026-05-02T09:00:00Z")
# Between the two runs Ada moved to Payments; SCIM says nothing but lastModified.
ADA_PAYMENTS = user("u-ada", "ada@acme.example", "Payments", "2026-06-10T14:00:00Z")


def build_spells(warehouse: Path, tmp_path: Path) -> list[tuple]:
    declare_unconfigured_sources({"roster"}, warehouse, SALT, NOW)
    run_dbt(
        ["run", "-s", "int_people_team_history", "+int_people_team_history"],
        warehouse,
        target_path=tmp_path / "target",
    )
    return rows(
        warehouse,
        f"select person_id, team_id, valid_from, valid_to from {SPELLS} "
        "order by person_id, spell_number",
    )


def test_a_move_between_two_runs_is_kept_and_dated_by_the_roster(tmp_path):
    warehouse = tmp_path / "outcomes.duckdb"
    load(write(tmp_path / "run1", [ADA_PLATFORM, BO]), warehouse, dt.datetime(2026, 5, 3))
    ada, bo = key("u-ada", "account"), key("u-bo", "account")
    # The first run knows only today's team: one version each.
    versions = "select scim_user_key, team_name, last_modified_at from raw_roster.user_versions"
    assert sorted(rows(warehouse, versions)) == [
        (ada, "Platform", dt.datetime(2026, 5, 1, 9)),
        (bo, "Support", dt.datetime(2026, 5, 2, 9)),
    ]

    load(write(tmp_path / "run2", [ADA_PAYMENTS, BO]), warehouse, dt.datetime(2026, 6, 11))
    assert sorted(rows(warehouse, versions)) == sorted(
        [
            (ada, "Platform", dt.datetime(2026, 5, 1, 9)),
            (ada, "Payments", dt.datetime(2026, 6, 10, 14)),
            (bo, "Support", dt.datetime(2026, 5, 2, 9)),
        ]
    )
    current = f"select team_name from raw_roster.users where scim_user_key = '{ada}'"
    assert rows(warehouse, current) == [("Payments",)]

    # The same export again changes nothing.
    every = "select * exclude (_outcomes_loaded_at) from raw_roster.user_versions order by all"
    before = rows(warehouse, every)
    load(tmp_path / "run2", warehouse, dt.datetime(2026, 6, 12))
    assert rows(warehouse, every) == before

    # Platform until the record changed (the move happened at or before it),
    # Payments since; Bo's one spell reaches back and on.
    spells = build_spells(warehouse, tmp_path)
    ada_person, bo_person = key("ada@acme.example", "email"), key("bo@acme.example", "email")
    assert sorted(spells) == sorted(
        [
            (ada_person, "platform", None, dt.datetime(2026, 6, 10, 14)),
            (ada_person, "payments", dt.datetime(2026, 6, 10, 14), None),
            (bo_person, "support", None, None),
        ]
    )


def test_an_hris_export_with_effective_dates_lands_its_whole_history(tmp_path):
    """An HRIS CSV with a row per change (its job history) and `team_since`:
    one run lands every version with its effective date (the spells they
    make: unit test test_team_spells_from_record_versions, and the demo's
    mover in tests/integration/test_team_history.py)."""
    folder = tmp_path / "hris"
    folder.mkdir()
    (folder / "users.csv").write_text(
        "employee_id,email,department,team_since,last_modified\n"
        "E1,cy@acme.example,Payments,2026-04-15,2026-04-20T08:00:00Z\n"
        "E1,cy@acme.example,Platform,2025-02-01,2025-02-03T08:00:00Z\n"
    )
    warehouse = tmp_path / "outcomes.duckdb"
    load(folder, warehouse, dt.datetime(2026, 5, 1))
    assert rows(
        warehouse,
        "select scim_user_key, team_name, team_effective_date, last_modified_at "
        "from raw_roster.user_versions order by 3",
    ) == [
        (key("E1", "account"), "Platform", dt.date(2025, 2, 1), dt.datetime(2025, 2, 3, 8)),
        (key("E1", "account"), "Payments", dt.date(2026, 4, 15), dt.datetime(2026, 4, 20, 8)),
    ]
    # the newest version is the current record
    assert rows(warehouse, "select team_name from raw_roster.users") == [("Payments",)]
