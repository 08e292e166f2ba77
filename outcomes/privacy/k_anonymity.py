"""Minimum group size k (docs/privacy.md, small groups), as plain functions.

`suppress` mirrors the rule of `fct_team_kpis_weekly` (a cell backed by
fewer than k distinct people: value null, is_suppressed true); a test
cross-checks it against the built mart. `differencing_leaks` finds the back
door: a published total over a group of cells in which exactly one cell is
suppressed gives that cell away (total minus the published others), and
`close_differencing` suppresses one more cell (the smallest published one)
in every such group until none is left. The mart publishes no totals over
teams today, so it has nothing to close; anything that adds one (an
organisation row, a function roll-up) must run through these.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace

MIN_GROUP_SIZE = 5


@dataclass(frozen=True)
class Cell:
    key: Hashable
    value: float | None
    people: frozenset[str]
    is_suppressed: bool = False

    @property
    def contributor_count(self) -> int:
        return len(self.people)


def suppress(cells: Iterable[Cell], k: int = MIN_GROUP_SIZE) -> list[Cell]:
    """The mart's rule: fewer than k distinct people -> value None, suppressed."""
    return [
        replace(c, value=None, is_suppressed=True) if c.contributor_count < k else c for c in cells
    ]


def differencing_leaks(
    cells: Mapping[Hashable, Cell], totals: Mapping[Hashable, tuple[Hashable, ...]]
) -> list[tuple[Hashable, Hashable]]:
    """(total, member) pairs where a published total exposes its one suppressed member."""
    leaks = []
    for total_key, members in totals.items():
        total = cells[total_key]
        if total.is_suppressed:
            continue
        hidden = [m for m in members if cells[m].is_suppressed]
        if len(hidden) == 1:
            leaks.append((total_key, hidden[0]))
    return leaks


def close_differencing(
    cells: Mapping[Hashable, Cell], totals: Mapping[Hashable, tuple[Hashable, ...]]
) -> dict[Hashable, Cell]:
    """Suppress the smallest published sibling of each lone suppressed member
    (or the total when it has no published sibling) until no leak is left."""
    result = dict(cells)
    while leaks := differencing_leaks(result, totals):
        total_key, hidden = leaks[0]
        siblings = [m for m in totals[total_key] if m != hidden and not result[m].is_suppressed]
        if siblings:
            victim = min(siblings, key=lambda m: (result[m].contributor_count, str(m)))
        else:
            victim = total_key
        result[victim] = replace(result[victim], value=None, is_suppressed=True)
    return result
