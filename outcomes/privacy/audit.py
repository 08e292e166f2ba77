"""Append-only, keyed, hash-chained audit log of privacy commands (privacy/README.md).

Each entry is one JSON line carrying the MAC of the entry before it, so
editing or deleting any entry breaks the chain at that point. The MAC is
HMAC-SHA256 under a key derived from the pseudonym salt (`audit_key`):
without the salt nobody can recompute a chain after an edit. The newest
entry's sequence number and MAC are also kept in a head file beside the log,
itself MACed: cutting entries off the end (which a chain alone cannot show)
and rewriting the head to match are both detected.

Crash safety. An append takes a lock, writes the whole line with one write
and fsync, then replaces the head atomically (write a temporary file,
fsync, rename). A crash can therefore leave only:

- a torn last line (the crash came mid-write): readers skip it, verify
  reports it as a note, and the next append removes it and says so in a
  `audit.torn_line_removed` entry (its length and SHA-256, not its text);
- a last entry the head does not record yet (the crash came between the
  line and the head): the entry's own MAC proves it was written with the
  key, so verify reports a note, not tampering, and the next append moves
  the head.

Entries name people only by pseudonym, never by email. Entries written
before the log was keyed (no `v`) are chained by plain SHA-256; the first
keyed entry's MAC covers their last hash, so they cannot be edited either
once a keyed entry follows them.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outcomes.faults import fault_point

GENESIS = "0" * 64
VERSION = 2  # keyed entries
_KEY_LABEL = b"outcomes|audit-log|v1"

# Keys of the warehouses whose salt this process has checked (check_salt).
_KEYS: dict[str, bytes] = {}


def audit_key(salt: bytes) -> bytes:
    """The log's MAC key: derived from the pseudonym salt, never stored."""
    return hmac.new(salt, _KEY_LABEL, hashlib.sha256).digest()


def register_key(log_path: Path, salt: bytes) -> None:
    """Remember the key of a log for this process (the salt was checked)."""
    _KEYS[str(log_path.resolve())] = audit_key(salt)


def registered_key(log_path: Path) -> bytes | None:
    return _KEYS.get(str(log_path.resolve()))


def _canonical(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def entry_hash(entry: dict[str, Any], key: bytes | None = None) -> str:
    """MAC of an entry's content (everything but its own `hash`); plain SHA-256
    for an entry written before keys (no `v`) or without a key."""
    content = _canonical({k: v for k, v in entry.items() if k != "hash"})
    if entry.get("v") == VERSION and entry.get("keyed", True):
        if key is None:
            raise ValueError("a keyed entry needs the key")
        return hmac.new(key, content, hashlib.sha256).hexdigest()
    return hashlib.sha256(content).hexdigest()


def head_mac(seq: int, last_hash: str, key: bytes) -> str:
    return hmac.new(key, f"head|{seq}|{last_hash}".encode(), hashlib.sha256).hexdigest()


@dataclass
class _Read:
    entries: list[dict[str, Any]] = field(default_factory=list)
    bad_lines: list[int] = field(default_factory=list)  # 1-based, not the last
    torn: bytes | None = None  # an incomplete last line
    complete_size: int = 0  # bytes up to the end of the last complete line


@dataclass(frozen=True)
class AuditCheck:
    """What verify found: `problems` mean an edit, a deletion or a missing key;
    `notes` are what a crash leaves, which the next append repairs."""

    entries: int
    problems: list[str]
    notes: list[str]


@dataclass(frozen=True)
class AuditLog:
    path: Path
    key: bytes | None = None

    @property
    def head_path(self) -> Path:
        return self.path.with_suffix(".head")

    @property
    def lock_path(self) -> Path:
        return self.path.with_suffix(".lock")

    def _key(self) -> bytes | None:
        return self.key if self.key is not None else registered_key(self.path)

    def _read(self) -> _Read:
        read = _Read()
        if not self.path.exists():
            return read
        data = self.path.read_bytes()
        lines = data.split(b"\n")
        tail = lines.pop()  # after the last newline: b"" when the file ends cleanly
        offset = 0
        for number, line in enumerate(lines, start=1):
            offset += len(line) + 1
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            if not isinstance(entry, dict):
                if number == len(lines) and not tail:
                    # a last line that ends in a newline but is not JSON: torn too
                    read.torn = line + b"\n"
                    break
                read.bad_lines.append(number)
                continue
            read.entries.append(entry)
            read.complete_size = offset
        if tail.strip():
            try:
                entry = json.loads(tail)
            except ValueError:
                entry = None
            if isinstance(entry, dict) and "hash" in entry:
                read.entries.append(entry)  # complete but for its newline
                read.complete_size = len(data)
            else:
                read.torn = tail
        return read

    def entries(self) -> list[dict[str, Any]]:
        """Every complete entry (a torn last line is skipped, never an error)."""
        return self._read().entries

    @contextmanager
    def _locked(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write_line(self, entry: dict[str, Any]) -> None:
        line = (json.dumps(entry, sort_keys=True) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def _write_head(self, entry: dict[str, Any], key: bytes | None) -> None:
        head: dict[str, Any] = {"seq": entry["seq"], "hash": entry["hash"]}
        if key is not None:
            head["mac"] = head_mac(entry["seq"], entry["hash"], key)
        temporary = self.head_path.with_suffix(".head.tmp")
        with temporary.open("w") as out:
            out.write(json.dumps(head) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.head_path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _new_entry(
        self, previous: dict | None, action: str, details: dict, actor: str | None, key
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "v": VERSION,
            "seq": (previous["seq"] + 1) if previous else 1,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "actor": actor or os.environ.get("USER", "unknown"),
            "action": action,
            "details": details,
            "prev_hash": previous["hash"] if previous else GENESIS,
        }
        if key is None:
            entry["keyed"] = False  # verify reports it: a process without the salt wrote it
        entry["hash"] = entry_hash(entry, key)
        return entry

    def append(self, action: str, details: dict[str, Any], actor: str | None = None) -> dict:
        """Write one entry and move the head. `details` must hold no clear-text PII.

        Repairs first what a crash left: a torn last line is removed (and the
        removal logged), a head behind the last entry is moved."""
        key = self._key()
        with self._locked():
            read = self._read()
            size = self.path.stat().st_size if self.path.exists() else 0
            torn = read.torn or b""
            if size > read.complete_size:
                with self.path.open("r+b") as log:
                    log.truncate(read.complete_size)
                    log.flush()
                    os.fsync(log.fileno())
                size = read.complete_size
            if size:
                with self.path.open("rb") as log:
                    log.seek(-1, os.SEEK_END)
                    ends_cleanly = log.read(1) == b"\n"
                if not ends_cleanly:  # a complete last entry whose newline was not written
                    with self.path.open("ab") as log:
                        log.write(b"\n")
            if torn.strip():
                repair = self._new_entry(
                    read.entries[-1] if read.entries else None,
                    "audit.torn_line_removed",
                    {"bytes": len(torn), "sha256": hashlib.sha256(torn).hexdigest()},
                    "outcomes",
                    key,
                )
                self._write_line(repair)
                read.entries.append(repair)
            previous = read.entries[-1] if read.entries else None
            entry = self._new_entry(previous, action, details, actor, key)
            self._write_line(entry)
            fault_point("audit.line_written", action)
            self._write_head(entry, key)
        return entry

    def check(self) -> AuditCheck:
        """Every problem and note found, each a sentence naming the entry."""
        key = self._key()
        read = self._read()
        entries = read.entries
        problems: list[str] = []
        notes: list[str] = []
        for number in read.bad_lines:
            problems.append(f"line {number} is not a valid entry (the log was edited)")
        expected_prev, expected_seq = GENESIS, 1
        legacy = 0
        for entry in entries:
            seq = entry.get("seq")
            if seq != expected_seq:
                problems.append(
                    f"entry {seq}: expected sequence number {expected_seq} "
                    "(an entry was deleted or inserted)"
                )
            if entry.get("prev_hash") != expected_prev:
                problems.append(f"entry {seq}: does not chain to the entry before it")
            if entry.get("v") != VERSION:
                legacy += 1
            elif not entry.get("keyed", True):
                problems.append(
                    f"entry {seq}: written without the key (by a process that had no "
                    "pseudonym salt): it could have been forged"
                )
            try:
                if entry.get("hash") != entry_hash(entry, key):
                    problems.append(f"entry {seq}: content was edited (MAC mismatch)")
            except ValueError:
                pass  # no key: reported once below
            expected_prev = entry.get("hash", "")
            expected_seq = (seq if isinstance(seq, int) else expected_seq) + 1
        keyed = any(e.get("v") == VERSION and e.get("keyed", True) for e in entries)
        if keyed and key is None:
            problems.append("cannot check the entries' MACs without the pseudonym salt")
        if legacy and legacy == len(entries):
            notes.append(
                f"its {legacy} entries predate keyed entries: chained by SHA-256 only, so an "
                "edit with recomputed hashes would not show; the next entry keys the chain"
            )
        self._check_head(entries, key, keyed, problems, notes)
        if read.torn is not None:
            notes.append(
                f"its last line is incomplete ({len(read.torn)} bytes: a crash while it was "
                "written); the next privacy command removes it and logs that"
            )
        return AuditCheck(len(entries), problems, notes)

    def _check_head(self, entries, key, keyed, problems: list[str], notes: list[str]) -> None:
        last = entries[-1] if entries else {"seq": 0, "hash": GENESIS}
        if not self.head_path.exists():
            if len(entries) == 1 and entries[0].get("v") == VERSION:
                notes.append(
                    "entry 1 was written but the head not yet (a crash between the two); "
                    "the next privacy command writes it"
                )
            elif entries:
                problems.append(f"{self.head_path.name} (the head) is missing")
            return
        try:
            head = json.loads(self.head_path.read_text())
            seq, last_hash = int(head["seq"]), str(head["hash"])
        except (ValueError, KeyError, TypeError):
            problems.append(f"{self.head_path.name} (the head) is not valid")
            return
        moved_late = (
            len(entries) >= 2
            and (seq, last_hash) == (entries[-2]["seq"], entries[-2]["hash"])
            and entries[-1].get("v") == VERSION
            and entries[-1].get("keyed", True)
        )
        if "mac" not in head and keyed and not (moved_late and entries[-2].get("v") != VERSION):
            problems.append(f"{self.head_path.name} (the head) is not keyed: it was rewritten")
            return
        if "mac" in head:
            if key is None:
                return  # reported above
            if head["mac"] != head_mac(seq, last_hash, key):
                problems.append(f"{self.head_path.name} (the head) was edited (MAC mismatch)")
                return
        if (seq, last_hash) == (last["seq"], last["hash"]):
            return
        if moved_late:
            notes.append(
                f"entry {last['seq']} was written but the head not moved (a crash between "
                "the two); the next privacy command moves it"
            )
            return
        if seq > last["seq"]:
            problems.append(
                f"the log ends at entry {last['seq']} but its head records entry "
                f"{seq}: entries were cut off the end"
            )
        else:
            problems.append(
                f"the head records entry {seq}, which is not the log's last entry ({last['seq']})"
            )

    def verify(self) -> list[str]:
        """Every problem found, as a sentence naming the entry; empty when intact."""
        return self.check().problems


def rekey(log: AuditLog, old_key: bytes, new_key: bytes) -> int:
    """Re-sign the whole chain under `new_key` (a salt rotation); returns the entries.

    Refused (ValueError naming the problem) unless the log verifies under
    `old_key`: a rotation never launders an edit. Written to a temporary file
    and renamed, so a crash leaves the old log or the new one, never a mix;
    the rotation's own entries record the old chain's last MAC."""
    with log._locked():
        old = AuditLog(log.path, old_key)
        problems = old.check().problems
        if problems:
            raise ValueError(problems[0])
        entries = old._read().entries
        previous = GENESIS
        lines = []
        for entry in entries:
            if entry.get("v") == VERSION or entry.get("prev_hash") != previous:
                entry = {**entry, "prev_hash": previous}
                entry["hash"] = entry_hash(entry, new_key)
            previous = entry["hash"]
            lines.append(json.dumps(entry, sort_keys=True) + "\n")
        temporary = log.path.with_suffix(".jsonl.tmp")
        with temporary.open("w") as out:
            out.write("".join(lines))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, log.path)
        if entries:
            AuditLog(log.path, new_key)._write_head({**entries[-1], "hash": previous}, new_key)
        return len(entries)
