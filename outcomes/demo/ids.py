"""Identifier helpers: every id is drawn from the caller's seeded RNG."""

from __future__ import annotations

import numpy as np

_B32 = "abcdefghijklmnopqrstuv0123456789"  # Google Calendar ids use base32hex-ish lowercase
_PD = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def hex_ids(rng: np.random.Generator, n: int, length: int = 40) -> np.ndarray:
    """Git-style lowercase hex ids (commit shas by default) as a compact bytes array.

    Use `as_str(arr[lo:hi])` to get Python strings for the records being written.
    """
    nbytes = (length + 1) // 2
    blob = rng.bytes(nbytes * n).hex().encode()
    return np.frombuffer(blob, dtype=f"S{nbytes * 2}").astype(f"S{length}")


def as_str(arr: np.ndarray) -> list[str]:
    """Bytes ids -> list of str."""
    return [x.decode() for x in arr.tolist()]


def increasing_ids(
    rng: np.random.Generator, order_key: np.ndarray, base: int, max_gap: int = 30
) -> np.ndarray:
    """Numeric ids that grow with `order_key` (time), with random gaps like real
    auto-increment ids shared with records we never see."""
    n = len(order_key)
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(order_key, kind="stable")] = np.arange(n)
    steps = np.cumsum(rng.integers(1, max_gap + 1, n))
    return base + steps[rank]


def _alphabet_ids(rng: np.random.Generator, n: int, length: int, alphabet: str) -> np.ndarray:
    table = np.frombuffer(alphabet.encode(), dtype="S1")
    chars = table[rng.integers(0, len(alphabet), (n, length))]
    return np.ascontiguousarray(chars).reshape(n * length).view(f"S{length}")


def unique_alphabet_ids(rng: np.random.Generator, n: int, length: int, alphabet: str) -> np.ndarray:
    """Random ids over an alphabet (bytes array), redrawn until unique (collisions are rare)."""
    out = _alphabet_ids(rng, n, length, alphabet)
    while True:
        _, first = np.unique(out, return_index=True)
        if len(first) == n:
            return out
        dup = np.setdiff1d(np.arange(n), first)
        out[dup] = _alphabet_ids(rng, len(dup), length, alphabet)


def pagerduty_ids(rng: np.random.Generator, n: int) -> list[str]:
    """PagerDuty-style ids such as P1A2B3C."""
    return ["P" + x for x in as_str(unique_alphabet_ids(rng, n, 6, _PD))]


def calendar_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Google Calendar event ids: 26 lowercase base32hex characters (bytes array)."""
    return unique_alphabet_ids(rng, n, 26, _B32)


def group_rank(groups: np.ndarray) -> np.ndarray:
    """0-based position of each element among the elements of its group, in array order."""
    groups = np.asarray(groups)
    n = len(groups)
    order = np.argsort(groups, kind="stable")
    g = groups[order]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1] if n else np.zeros(0, dtype=np.int64)
    rank_sorted = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = rank_sorted
    return rank


def time_key(group: np.ndarray, secs: np.ndarray) -> np.ndarray:
    """One sortable int64 per (group, time) pair, for searchsorted lookups per group."""
    return np.asarray(group, dtype=np.int64) * (np.int64(1) << np.int64(33)) + np.asarray(
        secs, dtype=np.int64
    )


def distinct_ints(rng: np.random.Generator, n: int, lo: int, hi: int) -> np.ndarray:
    """n distinct integers in [lo, hi), in random order (no O(hi - lo) arrays)."""
    step = max(1, (hi - lo) // max(n, 1))
    values = lo + np.cumsum(rng.integers(1, step + 1, n)) - 1
    return rng.permutation(values)
