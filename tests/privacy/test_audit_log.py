"""The audit log detects an edited, deleted or cut-off entry."""

import json

import pytest

from outcomes.privacy.audit import AuditLog, audit_key

KEY = audit_key(b"audit-test-salt-0123456789")


@pytest.fixture
def log(tmp_path):
    log = AuditLog(tmp_path / "privacy_audit.jsonl", KEY)
    log.append("privacy.export", {"person": "a" * 32, "rows": 12}, actor="dpo")
    log.append("privacy.erase", {"person": "b" * 32, "rows": 30}, actor="dpo")
    log.append("policy.change", {"source": "github", "sha256": "c" * 64}, actor="dpo")
    return log


def rewrite(log, entries):
    log.path.write_text("".join(json.dumps(e, sort_keys=True) + "\n" for e in entries))


def test_intact_log_verifies(log):
    assert log.verify() == []
    assert [e["seq"] for e in log.entries()] == [1, 2, 3]


def test_edited_entry_is_detected(log):
    entries = log.entries()
    entries[1]["details"]["rows"] = 29
    rewrite(log, entries)
    assert log.verify() == ["entry 2: content was edited (MAC mismatch)"]


def test_deleted_entry_is_detected(log):
    entries = log.entries()
    rewrite(log, [entries[0], entries[2]])
    problems = log.verify()
    assert "entry 3: expected sequence number 2 (an entry was deleted or inserted)" in problems
    assert "entry 3: does not chain to the entry before it" in problems


def test_cut_off_tail_is_detected(log):
    rewrite(log, log.entries()[:2])
    assert log.verify() == [
        "the log ends at entry 2 but its head records entry 3: entries were cut off the end"
    ]


def test_recomputed_hash_without_the_key_is_detected(log):
    from outcomes.privacy.audit import entry_hash

    entries = log.entries()
    entries[0]["details"]["rows"] = 1
    # a forger recomputes this entry's MAC, but has no key but a guess
    entries[0]["hash"] = entry_hash(entries[0], audit_key(b"a-guessed-salt-0123456789"))
    rewrite(log, entries)
    assert log.verify() == [
        "entry 1: content was edited (MAC mismatch)",
        "entry 2: does not chain to the entry before it",
    ]
