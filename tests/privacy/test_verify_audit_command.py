"""`outcomes privacy verify-audit`: exit 0 on an intact log, 1 naming the problem."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from outcomes.cli_privacy import privacy
from outcomes.privacy.people import audit_log_for


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    # The log is keyed by the pseudonym salt, which verify-audit needs too.
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_SALT", "verify-audit-salt-0123456789")
    path = tmp_path / "outcomes.duckdb"
    log = audit_log_for(path)
    assert log.path == tmp_path / "outcomes_privacy_audit.jsonl"
    log.append("privacy.export", {"person": "a" * 32, "rows": 12}, actor="dpo")
    log.append("privacy.erase", {"person": "b" * 32, "deleted": {"raw_x.y": 3}}, actor="dpo")
    return path


def verify(warehouse):
    return CliRunner().invoke(privacy, ["verify-audit", "--warehouse", str(warehouse)])


def test_intact_log_passes(warehouse):
    result = verify(warehouse)
    assert result.exit_code == 0
    assert "2 entries, chain intact" in result.output


def test_edited_entry_fails_naming_it(warehouse):
    log = audit_log_for(warehouse)
    entries = log.entries()
    entries[0]["details"]["rows"] = 11
    log.path.write_text("".join(json.dumps(e, sort_keys=True) + "\n" for e in entries))
    result = verify(warehouse)
    assert result.exit_code == 1
    assert "entry 1: content was edited (MAC mismatch)" in result.output


def test_deleted_entry_fails_naming_it(warehouse):
    log = audit_log_for(warehouse)
    first = log.path.read_text().splitlines()[0]
    log.path.write_text(first + "\n")
    result = verify(warehouse)
    assert result.exit_code == 1
    assert "entries were cut off the end" in result.output
