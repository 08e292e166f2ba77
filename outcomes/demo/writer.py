"""Streaming JSONL writer that also injects the planned data-quality defects.

Real exports are not clean, so every file gets:
- duplicates (~0.5% of records): the identical line again, or, for tables
  the loader deduplicates by an `updated` field, an OLDER version of the
  record written AFTER the newer one (out of order);
- for a few chosen files, one broken record (primary key missing or an
  unparsable timestamp), reported with its 1-based line number.

Records are serialised with orjson as they arrive; only the first
`HEAD` records are held back so the broken record can be chosen among
records that exist at every scale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

Record = dict[str, Any]
# Makes an older version of a record (mutating the copy it is given), or
# returns None when the record has no earlier state to show.
OlderFn = Callable[[Record, np.random.Generator], Record | None]

HEAD = 1000
DUP_RATE = 0.005


@dataclass(frozen=True)
class Breakage:
    """A planned broken record: `path` is a dotted key path inside the record."""

    reason: str  # "missing_primary_key" | "unparsable_timestamp"
    path: str


def _set_path(rec: Record, path: str, value: Any, delete: bool) -> None:
    *parents, leaf = path.split(".")
    node = rec
    for key in parents:
        node = node[key]
    if delete:
        node.pop(leaf, None)
    else:
        node[leaf] = value


class JsonlWriter:
    def __init__(
        self,
        path: Path,
        rng: np.random.Generator,
        *,
        older: OlderFn | None = None,
        breakage: Breakage | None = None,
        protect: Callable[[Record], bool] | None = None,
        dup_rate: float = DUP_RATE,
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fh = path.open("wb")
        self._rng = rng
        self._older = older
        self._breakage = breakage
        self._protect = protect
        self._dup_rate = dup_rate
        self._head: list[Record] | None = []
        self.lines = 0
        self.duplicates = 0
        self.broken: list[dict[str, Any]] = []

    def write(self, records: Iterable[Record]) -> None:
        batch = records if isinstance(records, list) else list(records)
        if self._head is None:
            self._emit(batch, broken_at=-1)
            return
        room = HEAD - len(self._head)
        self._head.extend(batch[:room])
        if len(self._head) >= HEAD:
            self._flush_head()
            self._emit(batch[room:], broken_at=-1)

    def close(self) -> None:
        if self._head is not None:
            self._flush_head()
        self._fh.close()

    def _flush_head(self) -> None:
        head, self._head = self._head or [], None
        broken_at = -1
        if self._breakage is not None and head:
            candidates = [i for i, r in enumerate(head) if not (self._protect and self._protect(r))]
            if candidates:
                broken_at = candidates[int(self._rng.integers(0, len(candidates)))]
                b = self._breakage
                _set_path(
                    head[broken_at], b.path, "not-a-date", delete=b.reason == "missing_primary_key"
                )
        self._emit(head, broken_at)

    def _emit(self, batch: list[Record], broken_at: int) -> None:
        n = len(batch)
        if n == 0:
            return
        lines = [orjson.dumps(r) for r in batch]
        picks = np.flatnonzero(self._rng.random(n) < self._dup_rate).tolist()
        inserts: dict[int, list[bytes]] = {}
        for i in picks:
            if i == broken_at:
                continue
            extra = lines[i]
            if self._older is not None and self._rng.random() < 0.6:
                older = self._older(orjson.loads(lines[i]), self._rng)
                if older is not None:
                    extra = orjson.dumps(older)
            # Later in the file (never before the original): out of order.
            at = min(n - 1, i + int(self._rng.integers(1, 40)))
            inserts.setdefault(at, []).append(extra)
            self.duplicates += 1
        if broken_at >= 0:
            before = sum(len(v) for k, v in inserts.items() if k < broken_at)
            self.broken.append(
                {
                    "file": "",  # filled in by the caller, who knows the relative name
                    "line": self.lines + broken_at + before + 1,
                    "reason": self._breakage.reason if self._breakage else "",
                    "path": self._breakage.path if self._breakage else "",
                }
            )
        if inserts:
            out: list[bytes] = []
            prev = 0
            for at in sorted(inserts):
                out.extend(lines[prev : at + 1])
                out.extend(inserts[at])
                prev = at + 1
            out.extend(lines[prev:])
            lines = out
        self._fh.write(b"\n".join(lines) + b"\n")
        self.lines += len(lines)


class ToolOutput:
    """The files of one tool: opens writers and collects their statistics."""

    def __init__(self, out_dir: Path, tool: str, seed: int, tool_salt: int) -> None:
        self.dir = out_dir / tool
        self.tool = tool
        self._seed = seed
        self._salt = tool_salt
        self._writers: dict[str, JsonlWriter] = {}
        self.planted: dict[str, Any] = {}

    def open(
        self,
        file: str,
        *,
        older: OlderFn | None = None,
        breakage: Breakage | None = None,
        protect: Callable[[Record], bool] | None = None,
    ) -> JsonlWriter:
        # Each file draws its defects from its own stream, so adding a file
        # never changes the defects of another.
        rng = np.random.default_rng([self._seed, 100 + self._salt, len(self._writers)])
        w = JsonlWriter(self.dir / file, rng, older=older, breakage=breakage, protect=protect)
        self._writers[file] = w
        return w

    def close(self) -> dict[str, Any]:
        files: dict[str, int] = {}
        dups: dict[str, int] = {}
        broken: list[dict[str, Any]] = []
        for name, w in self._writers.items():
            w.close()
            rel = f"{self.tool}/{name}"
            files[rel] = w.lines
            dups[rel] = w.duplicates
            for b in w.broken:
                broken.append({**b, "file": rel})
        return {
            "tool": self.tool,
            "files": files,
            "duplicates": dups,
            "broken_records": broken,
            "planted": self.planted,
        }


CHUNK = 5000


def chunks(n: int, size: int = CHUNK) -> Iterable[slice]:
    """Slices of `size` records, so columns become Python objects a slice at a time."""
    for lo in range(0, n, size):
        yield slice(lo, min(n, lo + size))
