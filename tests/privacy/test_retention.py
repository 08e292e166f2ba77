"""Retention (docs/privacy.md#retention) on a copy of the demo warehouse."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from outcomes.privacy.people import audit_log_for
from outcomes.privacy.retention import (
    apply_retention,
    expiry_sql,
    retention_children,
    retention_cutoffs,
)
from pipelines.common.policy import load_policy
from tests.conftest import DEMO_SALT

# Rebuilds here run the models only (tests/conftest.py says why).
pytestmark = pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")


def _count(con, sql: str, params=None) -> int:
    return con.execute(sql, params or []).fetchone()[0]


def test_rows_past_each_sources_window_are_deleted_and_logged(demo_warehouse, tmp_path):
    warehouse = demo_warehouse.copy_to(tmp_path).path
    # `now` puts GitHub's cutoff in the middle of its pull requests.
    (middle,) = demo_warehouse.query(
        "select min(created_at) + (max(created_at) - min(created_at)) / 2 "
        "from raw_github.pull_requests"
    )[0]
    now = (middle + dt.timedelta(days=load_policy("github").retention_days)).replace(tzinfo=dt.UTC)
    cutoffs = retention_cutoffs(now)
    assert cutoffs[("raw_github", "pull_requests")] == ("created_at", middle)
    children = retention_children(now)
    assert children[("raw_calendar", "event_attendees")][:2] == (
        "event_id",
        ("raw_calendar", "events"),
    )

    con = duckdb.connect(str(warehouse), read_only=True)
    kept_before, expired_before, age = {}, {}, {}
    for (schema, table), (field, cutoff) in cutoffs.items():
        name = f'"{schema}"."{table}"'
        columns = {d[0] for d in con.execute(f"select * from {name} limit 0").description}
        age[(schema, table)] = expiry_sql(field, columns)
        kept_before[(schema, table)] = _count(
            con, f"select count(*) from {name} where {age[(schema, table)]} >= ?", [cutoff]
        )
        expired_before[(schema, table)] = _count(
            con, f"select count(*) from {name} where {age[(schema, table)]} < ?", [cutoff]
        )
    # All-day meetings have no start time: judged by created_at instead.
    assert (
        age[("raw_calendar", "events")]
        == 'coalesce("start_at", "created_at", "_outcomes_loaded_at")'
    )
    all_day_expired = _count(
        con,
        "select count(*) from raw_calendar.events where start_at is null and created_at < ?",
        [cutoffs[("raw_calendar", "events")][1]],
    )
    assert all_day_expired > 0
    attendees_before = _count(con, "select count(*) from raw_calendar.event_attendees")
    con.close()
    assert expired_before[("raw_github", "pull_requests")] > 0

    deleted = apply_retention(warehouse, now, actor="scheduler", salt=DEMO_SALT)

    con = duckdb.connect(str(warehouse), read_only=True)
    for (schema, table), (_field, cutoff) in cutoffs.items():
        name = f'"{schema}"."{table}"'
        # Nothing older than the window is left; everything inside it is kept.
        assert (
            _count(con, f"select count(*) from {name} where {age[(schema, table)]} < ?", [cutoff])
            == 0
        )
        assert _count(con, f"select count(*) from {name}") == kept_before[(schema, table)]
        assert deleted.get(f"{schema}.{table}", 0) == expired_before[(schema, table)]
    # No attendee row is left without its (kept) meeting.
    orphans = _count(
        con,
        "select count(*) from raw_calendar.event_attendees as a where not exists "
        "(select 1 from raw_calendar.events as e where e.event_id = a.event_id)",
    )
    assert orphans == 0
    attendees_after = _count(con, "select count(*) from raw_calendar.event_attendees")
    assert attendees_before - attendees_after == deleted["raw_calendar.event_attendees"] > 0
    # Reference tables without a time field are kept whole.
    assert (
        _count(con, "select count(*) from raw_github.users")
        == demo_warehouse.query("select count(*) from raw_github.users")[0][0]
    )
    con.close()

    (entry,) = audit_log_for(warehouse).entries()
    assert entry["action"] == "privacy.retention"
    assert entry["details"]["deleted"] == deleted

    # A second pass at the same time finds nothing more to delete.
    assert apply_retention(warehouse, now, salt=DEMO_SALT) == {}
    # keyed by the salt: verifies under it
    assert audit_log_for(warehouse, DEMO_SALT).verify() == []
