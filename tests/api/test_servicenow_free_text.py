"""ServiceNow's Table API answers every field of an incident, and sys_audit
the old and new value of each change: short descriptions, descriptions,
comments, work notes, close notes, people's names, an email written in a
comment. None of it is written anywhere (warehouse, dlt's files on disk) nor
logged; only the policy's columns land, people pseudonymized."""

from __future__ import annotations

import csv
import logging

import pytest

from outcomes.simulators.servicenow import ServiceNowSimulator
from tests.api.conftest import api_config, load_api
from tests.api.free_text import NO_LEAK, leaks

SOURCE = "servicenow"
COLUMNS = [
    "number", "incident_state", "active", "reassignment_count", "reopen_count",
    "sys_mod_count", "made_sla", "caller_id", "opened_by", "opened_at", "sys_updated_by",
    "sys_updated_at", "priority", "assignment_group", "assigned_to", "short_description",
    "description", "comments", "work_notes", "close_notes",
]  # fmt: skip
PEOPLE = ["Marta Okonkwo-Lindqvist", "Tobias Fairweather", "Ines Castellanos"]
EMAIL = "marta.okonkwo@acme.example"


def _updates() -> list[dict[str, str]]:
    """Three incidents, three updates each; every update changes its texts, so
    sys_audit holds each text as an old and a new value."""
    rows = []
    for n in range(3):
        caller, agent = PEOPLE[n], PEOPLE[(n + 1) % 3]
        for count, state in enumerate(["New", "Active", "Resolved"]):
            rows.append(
                {
                    "number": f"INC00100{n}",
                    "incident_state": state,
                    "active": "FALSE" if state == "Resolved" else "TRUE",
                    "reassignment_count": "0",
                    "reopen_count": "0",
                    "sys_mod_count": str(count),
                    "made_sla": "TRUE",
                    "caller_id": caller,
                    "opened_by": caller,
                    "opened_at": f"0{n + 1}-10-2026 09:00",
                    "sys_updated_by": agent if count else caller,
                    "sys_updated_at": f"0{n + 1}-10-2026 1{count}:30",
                    "priority": "3 - Moderate",
                    "assignment_group": "Service Desk",
                    "assigned_to": agent if count else "?",
                    "short_description": f"Badge reader at door {n} rejects valid badges v{count}",
                    "description": f"Since Monday the badge reader at door {n} refuses my "
                    f"badge; reach me at {EMAIL} (revision {count})",
                    "comments": f"Caller {caller} says the reader blinks red twice, note {count}",
                    "work_notes": f"Firmware on reader {n} rolled back by {agent}, step {count}",
                    "close_notes": f"Replaced the reader's card module {n}" if count == 2 else "?",
                }
            )
    return rows


@pytest.fixture
def simulator(tmp_path, monkeypatch):
    folder = tmp_path / "exports" / SOURCE
    folder.mkdir(parents=True)
    with (folder / "incidents.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(_updates())
    sim = ServiceNowSimulator(folder)
    for key, value in sim.credentials().items():
        monkeypatch.setenv(key, value)
    with sim:
        yield sim


def test_no_free_text_name_or_email_is_written_or_logged(simulator, tmp_path, caplog, capfd):
    free = ("short_description", "description", "comments", "work_notes", "close_notes")
    texts = {row[f] for row in _updates() for f in free if row[f] != "?"}
    # the texts come over the wire: the incident's current ones, the earlier
    # ones as sys_audit's old values
    audited = {a["oldvalue"] for a in simulator.audits} | {a["newvalue"] for a in simulator.audits}
    assert texts <= audited | {v for r in simulator.incidents.values() for v in r.values()}
    assert len(texts) == 3 * (4 * 3 + 1)
    caplog.set_level(logging.DEBUG)
    folder = tmp_path / "pull"
    folder.mkdir()
    pulled = load_api(api_config(SOURCE, simulator), folder / "api.duckdb")
    assert pulled.published
    captured = capfd.readouterr()
    logs = caplog.text + captured.out + captured.err
    assert leaks(texts | set(PEOPLE) | {EMAIL}, folder, folder / "api.duckdb", logs) == NO_LEAK
    # the scan sees what is kept: the incident numbers are in raw and on disk
    numbers = {f"INC00100{n}" for n in range(3)}
    seen = leaks(numbers, folder, folder / "api.duckdb", logs)
    assert seen["warehouse"] == seen["files"] == sorted(numbers)
