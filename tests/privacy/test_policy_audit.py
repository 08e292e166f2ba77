"""Policy changes are written to the hash-chained audit log (docs/privacy.md#audit-log):
`policy_adopted` on the first load of a source, `policy_changed` with old and new
hash and a structured summary whenever its policy file differs."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from click.testing import CliRunner

from outcomes.cli_privacy import privacy
from outcomes.config import KNOWN_SOURCES
from outcomes.privacy.people import audit_log_for
from outcomes.privacy.policy_audit import log_policy_version
from pipelines.common.policy import POLICY_DIR, load_policy


@pytest.fixture(autouse=True)
def salt(monkeypatch):
    """Every load has the pseudonym salt, which keys the audit log."""
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_SALT", "policy-audit-salt-0123456789")


@pytest.fixture
def policy_dir(tmp_path):
    """A private copy of the calendar policy a test may edit."""
    folder = tmp_path / "policies"
    (folder / "calendar").mkdir(parents=True)
    shutil.copy(POLICY_DIR / "calendar" / "policy.yml", folder / "calendar" / "policy.yml")
    return folder


def _edit(policy_dir, old: str, new: str) -> None:
    path = policy_dir / "calendar" / "policy.yml"
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def _sha(policy_dir) -> str:
    return hashlib.sha256((policy_dir / "calendar" / "policy.yml").read_bytes()).hexdigest()


def verify(warehouse):
    return CliRunner().invoke(privacy, ["verify-audit", "--warehouse", str(warehouse)])


def test_first_load_adopts_then_changes_are_summarized(policy_dir, tmp_path):
    warehouse = tmp_path / "outcomes.duckdb"
    log = audit_log_for(warehouse)
    first_hash = _sha(policy_dir)

    adopted = log_policy_version(warehouse, load_policy("calendar", policy_dir), actor="ci")
    assert adopted["action"] == "policy_adopted"
    assert adopted["details"]["source"] == "calendar"
    assert adopted["details"]["hash"] == first_hash
    assert adopted["details"]["snapshot"]["columns"]["events"]["organizer_person_key"] == (
        "pseudonymize"
    )
    # The same file again: nothing to log.
    assert log_policy_version(warehouse, load_policy("calendar", policy_dir)) is None

    # A column added, one removed, an action changed, retention shortened.
    _edit(policy_dir, "retention_days: 396", "retention_days: 200")
    _edit(
        policy_dir,
        "      event_type: {path: eventType, action: keep}\n",
        "      event_type: {path: eventType, action: keep}\n"
        "      is_locked: {path: locked, type: boolean, action: keep}\n",
    )
    _edit(policy_dir, "      transparency: {path: transparency, action: keep}\n", "")
    _edit(
        policy_dir,
        "start_time_zone: {path: start.timeZone, action: keep}",
        "start_time_zone: {path: start.timeZone, action: derive, derive: is_present}",
    )
    changed = log_policy_version(warehouse, load_policy("calendar", policy_dir), actor="ci")

    assert changed["action"] == "policy_changed"
    assert changed["details"]["old_hash"] == first_hash
    assert changed["details"]["new_hash"] == _sha(policy_dir) != first_hash
    assert changed["details"]["changes"] == {
        "columns_added": ["events.is_locked"],
        "columns_removed": ["events.transparency"],
        "actions_changed": [{"column": "events.start_time_zone", "old": "keep", "new": "derive"}],
        "settings_changed": ["retention_days"],
    }

    # A comment-only edit still changes the file: logged, with nothing structural.
    _edit(policy_dir, "source: calendar\n", "source: calendar  # reviewed\n")
    comment = log_policy_version(warehouse, load_policy("calendar", policy_dir))
    assert comment["details"]["old_hash"] == changed["details"]["new_hash"]
    assert comment["details"]["changes"] == {
        "columns_added": [],
        "columns_removed": [],
        "actions_changed": [],
        "settings_changed": [],
    }

    assert [e["action"] for e in log.entries()] == [
        "policy_adopted",
        "policy_changed",
        "policy_changed",
    ]
    assert log.verify() == []
    result = verify(warehouse)
    assert result.exit_code == 0, result.output
    assert "3 entries, chain intact" in result.output


def test_tampering_with_a_policy_entry_is_detected(policy_dir, tmp_path):
    warehouse = tmp_path / "outcomes.duckdb"
    log = audit_log_for(warehouse)
    log_policy_version(warehouse, load_policy("calendar", policy_dir))
    _edit(policy_dir, "retention_days: 396", "retention_days: 30")
    log_policy_version(warehouse, load_policy("calendar", policy_dir))

    entries = log.entries()
    # Hide the retention change, as someone covering it up would.
    entries[1]["details"]["changes"]["settings_changed"] = []
    log.path.write_text("".join(json.dumps(e, sort_keys=True) + "\n" for e in entries))

    result = verify(warehouse)
    assert result.exit_code == 1
    assert "entry 2: content was edited (MAC mismatch)" in result.output


def test_a_run_adopts_every_loaded_policy_once(demo_warehouse):
    """The demo run loaded every source (unconfigured ones empty): each policy is
    adopted once, with the hash of its file, and nothing else is policy-logged."""
    log = audit_log_for(demo_warehouse.path)
    adopted = [e for e in log.entries() if e["action"].startswith("policy_")]
    assert sorted(e["details"]["source"] for e in adopted) == sorted(KNOWN_SOURCES)
    assert {e["action"] for e in adopted} == {"policy_adopted"}
    for entry in adopted:
        source = entry["details"]["source"]
        expected = hashlib.sha256((POLICY_DIR / source / "policy.yml").read_bytes()).hexdigest()
        assert entry["details"]["hash"] == expected
    assert log.verify() == []
