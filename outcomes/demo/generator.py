"""`generate()`: build the organisation, run every tool, write manifest.json.

Each tool draws from its own RNG stream (seed, tool salt), so tools are
independent of each other and of the order they run in: they can run in
parallel processes and the files stay byte-identical. The only cross-tool
dependency is PagerDuty needing GitHub's deployments (the planted incident),
so those two run in the same worker.
"""

from __future__ import annotations

import gc
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import orjson

from . import gcalendar, github, hubspot, jira, pagerduty, roster, zendesk
from .org import Org, build_org
from .writer import ToolOutput

TOOLS = ("roster", "github", "jira", "pagerduty", "zendesk", "hubspot", "calendar")
# Work units for the process pool, largest first so two workers stay busy.
_UNITS = (
    ("github", "pagerduty"),
    ("zendesk",),
    ("jira",),
    ("calendar",),
    ("hubspot",),
    ("roster",),
)
_PARALLEL_FROM = 20_000  # people * weeks; below this a process pool costs more than it saves


@dataclass(frozen=True)
class GenerationResult:
    out_dir: Path
    files: dict[str, int]  # "<tool>/<file>.jsonl" -> lines written (duplicates and broken included)
    planted: dict[str, Any]
    broken_records: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def __str__(self) -> str:
        rows = sum(self.files.values())
        lines = [
            f"Demo data in {self.out_dir}: {len(self.files)} files, {rows:,} records, {self.seconds:.1f} s"
        ]
        lines += [f"  {name:<36} {count:>10,}" for name, count in self.files.items()]
        lines.append("Planted: " + ", ".join(self.planted))
        lines.append(f"Broken records: {len(self.broken_records)} (listed in manifest.json)")
        return "\n".join(lines)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The generators allocate millions of short-lived, acyclic dicts; the
    cyclic GC would rescan them over and over (measured: ~2x slower)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_unit(unit: tuple[str, ...], org: Org, out_dir: Path) -> list[dict[str, Any]]:
    with _gc_paused():
        return _run_tools(unit, org, out_dir)


def _run_tools(unit: tuple[str, ...], org: Org, out_dir: Path) -> list[dict[str, Any]]:
    results = []
    deployments = None
    for tool in unit:
        out = ToolOutput(out_dir, tool, org.seed, TOOLS.index(tool) + 1)
        if tool == "github":
            deployments = github.generate(org, out)
        elif tool == "pagerduty":
            assert deployments is not None
            pagerduty.generate(org, out, deployments)
        else:
            {
                "roster": roster,
                "jira": jira,
                "zendesk": zendesk,
                "hubspot": hubspot,
                "calendar": gcalendar,
            }[tool].generate(org, out)
        results.append(out.close())
    return results


def generate(
    out_dir: Path,
    people: int = 120,
    weeks: int = 26,
    seed: int = 7,
    end_date: date = date(2026, 11, 16),
    *,
    workers: int | None = None,
) -> GenerationResult:
    """Write the raw exports of a demo organisation under `out_dir/<tool>/`.

    Deterministic: the same (people, weeks, seed, end_date) gives byte-identical
    files, whatever `workers` is (default: 2 processes for large runs).
    Existing `<tool>/` folders under `out_dir` are replaced; nothing else is touched.
    The window is [end_date - weeks, end_date); `end_date` (a Monday) is the export time.
    """
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    org = build_org(people, weeks, seed, end_date)
    for tool in TOOLS:
        shutil.rmtree(out_dir / tool, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)

    if workers is None:
        workers = 2 if people * weeks >= _PARALLEL_FROM else 1
    if workers > 1:
        # fork, not spawn: spawn re-runs the caller's script in each child (an
        # unguarded script would recurse). Children only touch numpy and their
        # own files; pass workers=1 from a process that holds busy threads.
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            futures = [pool.submit(_run_unit, unit, org, out_dir) for unit in _UNITS]
            parts = [r for f in futures for r in f.result()]
    else:
        parts = [r for unit in _UNITS for r in _run_unit(unit, org, out_dir)]

    by_tool = {p["tool"]: p for p in parts}
    files: dict[str, int] = {}
    duplicates: dict[str, int] = {}
    broken: list[dict[str, Any]] = []
    planted: dict[str, Any] = {}
    for tool in TOOLS:
        part = by_tool[tool]
        files.update(part["files"])
        duplicates.update(part["duplicates"])
        broken.extend(part["broken_records"])
        planted.update(part["planted"])
    people_ops = next(t for t in org.teams if t.name == "People Ops")
    planted["small_team"] = {
        "team": people_ops.name,
        "members": len(people_ops.members),
        "function": people_ops.function,
    }
    planted = dict(sorted(planted.items()))

    manifest = {
        "generator": "outcomes.demo",
        "params": {
            "people": people,
            "weeks": weeks,
            "seed": seed,
            "end_date": end_date.isoformat(),
        },
        "window": {
            "start": datetime.fromtimestamp(org.start, UTC).date().isoformat(),
            "end": end_date.isoformat(),
            "note": "activity in [start, end); end is the export time",
        },
        "teams": [
            {
                "name": t.name,
                "function": t.function,
                "members": len(t.members),
                "repositories": t.repos,
            }
            for t in org.teams
        ],
        "files": files,
        "duplicates": duplicates,
        "broken_records": broken,
        "planted": planted,
    }
    (out_dir / "manifest.json").write_bytes(
        orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n"
    )
    return GenerationResult(
        out_dir=out_dir,
        files=files,
        planted=planted,
        broken_records=broken,
        seconds=time.perf_counter() - t0,
    )
