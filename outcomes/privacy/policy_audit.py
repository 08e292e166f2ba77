"""Policy changes are audit-logged (docs/privacy.md#audit-log).

Whenever a source is loaded, the SHA-256 of its policy file is compared with
the last version the warehouse's audit log recorded for that source. The
first load logs `policy_adopted`; a load under a different file logs
`policy_changed` with the old and new hash and a structured summary of what
changed: columns added or removed, columns whose action (keep, pseudonymize,
derive, identity) changed, and changed settings (retention, opt-out,
purpose). Entries hold only names from the reviewed policy file (tables,
columns, actions) and hashes: no free text, nothing from the data. Each entry
carries a snapshot of the policy's columns and settings, so the next change
can be summarized against it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from outcomes.privacy.audit import AuditLog
from pipelines.common.policy import SourcePolicy

POLICY_ADOPTED = "policy_adopted"
POLICY_CHANGED = "policy_changed"


def policy_hash(policy: SourcePolicy) -> str:
    """SHA-256 of the policy file's bytes: any edit, even of a comment, changes it."""
    return hashlib.sha256(policy.path.read_bytes()).hexdigest()


def policy_snapshot(policy: SourcePolicy) -> dict[str, Any]:
    """The policy's structure: every table's column -> action, and its settings.

    The purpose is a sentence, so only its hash is kept.
    """
    return {
        "columns": {
            table.name: {column.name: column.action for column in table.columns}
            for table in policy.tables
        },
        "settings": {
            "retention_days": policy.retention_days,
            "opt_out_allowed": policy.opt_out_allowed,
            "purpose_sha256": hashlib.sha256(policy.purpose.encode()).hexdigest(),
        },
    }


def policy_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list]:
    """What differs between two snapshots, as sorted lists of `table.column` names."""
    old_columns = {
        f"{t}.{c}": action
        for t, columns in old.get("columns", {}).items()
        for c, action in columns.items()
    }
    new_columns = {
        f"{t}.{c}": action for t, columns in new["columns"].items() for c, action in columns.items()
    }
    old_settings, new_settings = old.get("settings", {}), new["settings"]
    return {
        "columns_added": sorted(set(new_columns) - set(old_columns)),
        "columns_removed": sorted(set(old_columns) - set(new_columns)),
        "actions_changed": [
            {"column": name, "old": old_columns[name], "new": new_columns[name]}
            for name in sorted(set(old_columns) & set(new_columns))
            if old_columns[name] != new_columns[name]
        ],
        "settings_changed": sorted(
            key
            for key in set(old_settings) | set(new_settings)
            if old_settings.get(key) != new_settings.get(key)
        ),
    }


def last_policy_entry(log: AuditLog, source: str) -> dict[str, Any] | None:
    """The newest policy_adopted / policy_changed entry of `source`, if any."""
    for entry in reversed(log.entries()):
        if entry.get("action") in {POLICY_ADOPTED, POLICY_CHANGED} and (
            entry.get("details", {}).get("source") == source
        ):
            return entry
    return None


def log_policy_version(
    warehouse: Path, policy: SourcePolicy, actor: str | None = None
) -> dict[str, Any] | None:
    """Append `policy_adopted` or `policy_changed` when the policy file differs
    from the version last logged for its source; return the entry, or None when
    the logged version is current."""
    from outcomes.privacy.people import audit_log_for  # people imports every policy

    log = audit_log_for(warehouse)
    new_hash = policy_hash(policy)
    snapshot = policy_snapshot(policy)
    last = last_policy_entry(log, policy.source)
    if last is None:
        details = {"source": policy.source, "hash": new_hash, "snapshot": snapshot}
        return log.append(POLICY_ADOPTED, details, actor=actor)
    old_hash = last["details"].get("new_hash") or last["details"].get("hash")
    if old_hash == new_hash:
        return None
    details = {
        "source": policy.source,
        "old_hash": old_hash,
        "new_hash": new_hash,
        "changes": policy_changes(last["details"].get("snapshot", {}), snapshot),
        "snapshot": snapshot,
    }
    return log.append(POLICY_CHANGED, details, actor=actor)
