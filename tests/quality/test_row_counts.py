"""Row counts per load: a collapse is caught and never becomes the baseline."""

from __future__ import annotations

import datetime as dt

from outcomes.quality.row_counts import check_counts, record_counts
from outcomes.warehouse import ensure_warehouse

T0 = dt.datetime(2026, 11, 1)


def _load(warehouse, rows: int, day: int):
    checks = check_counts(warehouse, "raw_github", {"pull_requests": rows})
    check = checks["pull_requests"]
    good = {"pull_requests"} if check.passed else set()
    record_counts(warehouse, [check], T0 + dt.timedelta(days=day), good)
    return check


def test_collapse_is_caught_against_the_last_good_load(tmp_path):
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    first = _load(warehouse, 400, 0)
    assert first.passed and first.previous is None
    assert _load(warehouse, 380, 1).passed  # a small drop is fine
    collapsed = _load(warehouse, 150, 2)  # < 50% of 380
    assert not collapsed.passed and collapsed.previous == 380
    assert "COLLAPSED" in collapsed.describe()
    # the collapsed load is not the baseline: 190 is still judged against 380
    assert _load(warehouse, 190, 3).passed
    assert not _load(warehouse, 94, 4).passed  # vs 190, the last good load


def test_small_baselines_are_not_judged(tmp_path):
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    _load(warehouse, 10, 0)
    assert _load(warehouse, 1, 1).passed
