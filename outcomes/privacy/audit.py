"""Append-only, hash-chained audit log of privacy commands (PRIVACY.md "Prove it").

Each entry is one JSON line carrying the SHA-256 of the entry before it, so
editing or deleting any entry breaks the chain at that point. The newest
entry's sequence number and hash are also kept in a head file beside the log:
cutting entries off the end (which a chain alone cannot show) is detected by
comparing the two. Entries name people only by pseudonym, never by email.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GENESIS = "0" * 64


def _canonical(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def entry_hash(entry: dict[str, Any]) -> str:
    """Hash of an entry's content (everything but its own `hash`)."""
    return hashlib.sha256(_canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


@dataclass(frozen=True)
class AuditLog:
    path: Path

    @property
    def head_path(self) -> Path:
        return self.path.with_suffix(".head")

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    def append(self, action: str, details: dict[str, Any], actor: str | None = None) -> dict:
        """Write one entry and move the head. `details` must hold no clear-text PII."""
        entries = self.entries()
        previous = entries[-1] if entries else None
        entry = {
            "seq": (previous["seq"] + 1) if previous else 1,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "actor": actor or os.environ.get("USER", "unknown"),
            "action": action,
            "details": details,
            "prev_hash": previous["hash"] if previous else GENESIS,
        }
        entry["hash"] = entry_hash(entry)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as log:
            log.write(json.dumps(entry, sort_keys=True) + "\n")
        self.head_path.write_text(json.dumps({"seq": entry["seq"], "hash": entry["hash"]}) + "\n")
        return entry

    def verify(self) -> list[str]:
        """Every problem found, as a sentence naming the entry; empty when intact."""
        problems: list[str] = []
        try:
            entries = self.entries()
        except json.JSONDecodeError as exc:
            return [f"{self.path}: a line is not valid JSON ({exc})"]
        expected_prev, expected_seq = GENESIS, 1
        for entry in entries:
            seq = entry.get("seq")
            if seq != expected_seq:
                problems.append(
                    f"entry {seq}: expected sequence number {expected_seq} "
                    "(an entry was deleted or inserted)"
                )
            if entry.get("prev_hash") != expected_prev:
                problems.append(f"entry {seq}: does not chain to the entry before it")
            if entry.get("hash") != entry_hash(entry):
                problems.append(f"entry {seq}: content was edited (hash mismatch)")
            expected_prev = entry.get("hash", "")
            expected_seq = (seq or expected_seq) + 1
        if self.head_path.exists():
            head = json.loads(self.head_path.read_text())
            last = entries[-1] if entries else {"seq": 0, "hash": GENESIS}
            if (head.get("seq"), head.get("hash")) != (last["seq"], last["hash"]):
                problems.append(
                    f"the log ends at entry {last['seq']} but its head records entry "
                    f"{head.get('seq')}: entries were cut off the end"
                )
        elif entries:
            problems.append(f"{self.head_path} is missing")
        return problems
