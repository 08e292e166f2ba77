"""The audit log under faults (issue 14): a torn last line, a crash between
the line and its head, and a cut-off entry with a rewritten head.

A crash leaves a state the next append repairs and verify reports as a note;
an edit without the key (the log is keyed by the pseudonym salt) is a problem.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from outcomes.cli_privacy import privacy
from outcomes.privacy.audit import AuditLog, audit_key
from outcomes.privacy.people import audit_log_for
from outcomes.privacy.policy_audit import last_policy_entry

SALT = "audit-crash-salt-0123456789"


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_SALT", SALT)
    path = tmp_path / "outcomes.duckdb"
    log = audit_log_for(path, SALT.encode())
    for n in range(3):
        log.append("privacy.export", {"person": f"{n}" * 32, "rows": n}, actor="dpo")
    return path


def _log(warehouse) -> AuditLog:
    return audit_log_for(warehouse, SALT.encode())


def _verify(warehouse):
    return CliRunner().invoke(privacy, ["verify-audit", "--warehouse", str(warehouse)])


def test_a_torn_last_line_is_a_note_and_the_next_append_repairs_it(warehouse):
    log = _log(warehouse)
    line = json.dumps({"v": 2, "seq": 4, "action": "privacy.erase", "details": {}})
    with log.path.open("a") as out:
        out.write(line[:25])  # the crash came mid-write

    # Readers go on: the run's policy check reads the log on every load.
    assert [e["seq"] for e in log.entries()] == [1, 2, 3]
    assert last_policy_entry(log, "github") is None
    check = log.check()
    assert check.problems == []
    assert any("last line is incomplete" in n for n in check.notes)
    result = _verify(warehouse)
    assert result.exit_code == 0, result.output
    assert "note: its last line is incomplete" in result.output
    assert "Traceback" not in result.output

    log.append("privacy.export", {"person": "d" * 32}, actor="dpo")

    entries = log.entries()
    assert [(e["seq"], e["action"]) for e in entries][-2:] == [
        (4, "audit.torn_line_removed"),
        (5, "privacy.export"),
    ]
    assert entries[-2]["details"]["bytes"] == 25
    assert log.check().problems == [] and log.check().notes == []


def test_a_crash_between_the_line_and_its_head_is_not_tampering(warehouse):
    log = _log(warehouse)
    head = log.head_path.read_text()
    log.append("privacy.export", {"person": "d" * 32}, actor="dpo")
    log.head_path.write_text(head)  # the crash came before the head moved

    check = log.check()
    assert check.problems == []
    assert check.notes == [
        "entry 4 was written but the head not moved (a crash between the two); "
        "the next privacy command moves it"
    ]
    assert _verify(warehouse).exit_code == 0

    log.append("privacy.export", {"person": "e" * 32}, actor="dpo")
    assert log.check().problems == [] and log.check().notes == []
    assert json.loads(log.head_path.read_text())["seq"] == 5


def test_deleting_the_last_entry_and_rewriting_the_head_is_detected(warehouse):
    log = _log(warehouse)
    entries = log.entries()
    log.path.write_text("".join(json.dumps(e, sort_keys=True) + "\n" for e in entries[:2]))
    # the forger rewrites the head to the new last entry, without the key
    log.head_path.write_text(json.dumps({"seq": 2, "hash": entries[1]["hash"]}) + "\n")
    assert log.verify() == ["outcomes_privacy_audit.head (the head) is not keyed: it was rewritten"]
    # ... or with a MAC under a key guessed from another salt
    from outcomes.privacy.audit import head_mac

    forged = head_mac(2, entries[1]["hash"], audit_key(b"guessed-salt-0123456789"))
    log.head_path.write_text(json.dumps({"seq": 2, "hash": entries[1]["hash"], "mac": forged}))
    assert log.verify() == ["outcomes_privacy_audit.head (the head) was edited (MAC mismatch)"]
    result = _verify(warehouse)
    assert result.exit_code == 1
    assert "the head) was edited" in result.output


def test_an_entry_rewritten_under_another_key_is_detected(warehouse):
    other = AuditLog(_log(warehouse).path, audit_key(b"another-salt-0123456789"))
    assert "entry 1: content was edited (MAC mismatch)" in other.verify()


def test_verify_audit_without_the_salt_is_one_clear_line(warehouse, monkeypatch):
    monkeypatch.delenv("OUTCOMES_PSEUDONYM_SALT")
    monkeypatch.chdir(warehouse.parent)
    result = _verify(warehouse)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        line for line in result.output.strip().splitlines() if line.startswith("error:")
    ]
    assert "pseudonym salt" in result.output and "Traceback" not in result.output
