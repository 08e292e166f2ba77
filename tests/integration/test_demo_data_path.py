"""The data path on the demo organisation: what `make demo` promises.

Planted patterns are read from the generator's manifest (its ground truth)
and must be found by the marts; quarantine and reruns are checked against
the manifest's list of broken records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from outcomes.runner import demo_config, run
from outcomes.warehouse import table_counts
from tests.conftest import DEMO_SALT


def team_id(demo_warehouse, team_name: str) -> str:
    rows = demo_warehouse.query(
        "select team_id from marts.dim_teams where team_name = ?", [team_name]
    )
    assert rows, f"team {team_name!r} missing from dim_teams"
    return rows[0][0]


def kpi_by_team(demo_warehouse, kpi_id: str) -> dict[str, float]:
    """Median over the weeks of a KPI's published values, per team."""
    return dict(
        demo_warehouse.query(
            "select team_id, median(value) from marts.fct_team_kpis_weekly "
            "where kpi_id = ? and not is_suppressed group by 1",
            [kpi_id],
        )
    )


def test_slow_review_team_has_the_slowest_pickup(demo_warehouse):
    planted = demo_warehouse.manifest["planted"]["slow_review_team"]
    pickup = kpi_by_team(demo_warehouse, "pr_pickup_time_p50")
    slow = team_id(demo_warehouse, planted["team"])
    others = [v for t, v in pickup.items() if t != slow]
    assert max(pickup, key=pickup.get) == slow
    assert pickup[slow] > 3 * max(others)


def test_the_planted_deployment_is_blamed_for_its_incident(demo_warehouse):
    planted = demo_warehouse.manifest["planted"]["incident_after_deployment"]
    rows = demo_warehouse.query(
        "select attributed_deployment_id from intermediate.int_incident_attribution "
        "where incident_id = ?",
        [planted["incident_id"]],
    )
    assert rows == [(planted["deployment_id"],)]
    week = dt.date.fromisoformat(planted["deployment_finished_at"][:10])
    week -= dt.timedelta(days=week.weekday())
    cfr = demo_warehouse.query(
        "select value, is_suppressed from marts.fct_team_kpis_weekly "
        "where kpi_id = 'change_failure_rate' and team_id = ? and week_start = ?",
        [team_id(demo_warehouse, planted["team"]), week],
    )
    assert cfr and (cfr[0][1] or cfr[0][0] > 0)


def test_overloaded_support_queue_replies_slower_in_its_month(demo_warehouse):
    planted = demo_warehouse.manifest["planted"]["overloaded_support_queue"]
    weeks = {dt.date.fromisoformat(w) for w in planted["weeks"]}
    rows = demo_warehouse.query(
        "select week_start, value from marts.fct_team_kpis_weekly "
        "where kpi_id = 'first_reply_time_p50' and team_id = ? and not is_suppressed",
        [team_id(demo_warehouse, planted["team"])],
    )
    overloaded = sorted(v for w, v in rows if w in weeks)
    normal = sorted(v for w, v in rows if w not in weeks)
    assert len(overloaded) == 4
    assert min(overloaded) > 2 * normal[len(normal) // 2]


def test_overloaded_support_queue_runs_over_its_capacity_in_its_month(demo_warehouse):
    # The planted month brings about three times the usual tickets; the queue
    # load (tickets arriving / the median solved a week before) must show it
    # in those four weeks and in no other.
    planted = demo_warehouse.manifest["planted"]["overloaded_support_queue"]
    weeks = {dt.date.fromisoformat(w) for w in planted["weeks"]}
    rows = demo_warehouse.query(
        "select week_start, value from marts.fct_team_kpis_weekly "
        "where kpi_id = 'support_queue_load' and team_id = ? and not is_suppressed",
        [team_id(demo_warehouse, planted["team"])],
    )
    overloaded = [v for w, v in rows if w in weeks]
    normal = [v for w, v in rows if w not in weeks]
    assert len(overloaded) == 4 and len(normal) >= 10
    assert min(overloaded) > 2.0 > 1.6 > max(normal)


def test_slow_sales_team_touches_leads_last(demo_warehouse):
    planted = demo_warehouse.manifest["planted"]["slow_sales_team"]
    speed = kpi_by_team(demo_warehouse, "speed_to_lead_p50")
    slow = team_id(demo_warehouse, planted["team"])
    assert max(speed, key=speed.get) == slow
    assert speed[slow] > 5 * min(speed.values())


def test_declined_recurring_meeting_is_a_review_candidate(demo_warehouse):
    planted = demo_warehouse.manifest["planted"]["declined_recurring_meeting"]
    rows = demo_warehouse.query(
        "select decline_rate, is_review_candidate, distinct_invitees "
        "from marts.fct_recurring_meeting_series where recurring_series_id = ?",
        [planted["recurring_event_id"]],
    )
    assert rows, "the planted series is missing"
    decline_rate, is_candidate, invitees = rows[0]
    assert abs(decline_rate - planted["decline_rate"]) < 0.01
    assert is_candidate and invitees == planted["invitees"]
    highest = demo_warehouse.query(
        "select recurring_series_id from marts.fct_recurring_meeting_series "
        "where distinct_invitees >= 15 order by decline_rate desc limit 1"
    )
    assert highest == [(planted["recurring_event_id"],)]


def test_team_smaller_than_five_is_always_suppressed(demo_warehouse):
    small = team_id(demo_warehouse, demo_warehouse.manifest["planted"]["small_team"]["team"])
    cells = demo_warehouse.query(
        "select count(*), count(*) filter (where is_suppressed and value is null) "
        "from marts.fct_team_kpis_weekly where team_id = ?",
        [small],
    )[0]
    assert cells[0] > 0 and cells[0] == cells[1]


def test_kpis_cover_every_category_and_four_functions(demo_warehouse):
    rows = demo_warehouse.query(
        "select c.category, count(distinct k.kpi_id), count(distinct c.function_name) "
        "from marts.fct_team_kpis_weekly as k "
        "join seeds.kpi_catalog as c using (kpi_id) where not k.is_suppressed group by 1"
    )
    by_category = {category: kpis for category, kpis, _ in rows}
    assert set(by_category) == {"delivery", "quality", "impact", "flow", "reliability"}
    assert all(n >= 2 for n in by_category.values())
    functions = demo_warehouse.query(
        "select distinct function_name from seeds.kpi_catalog where kpi_id in "
        "(select kpi_id from marts.fct_team_kpis_weekly where not is_suppressed)"
    )
    assert len(functions) >= 4


def test_broken_records_are_quarantined_by_file_line_and_field(demo_warehouse):
    expected = {
        (b["file"].split("/")[1], b["line"]) for b in demo_warehouse.manifest["broken_records"]
    }
    found = set(
        demo_warehouse.query("select distinct file_name, record_number from quarantine.records")
    )
    assert found == expected
    summary_count = sum(load.quarantined for load in demo_warehouse.first_run.loads)
    assert summary_count == demo_warehouse.query("select count(*) from quarantine.records")[0][0]


def test_event_orphans_come_only_from_quarantined_records(demo_warehouse):
    orphans = demo_warehouse.query(
        "select distinct split_part(work_item_id, ':', 3) from marts.fct_work_events as e "
        "where work_item_type in ('task', 'case', 'pull_request', 'lead', 'deal', 'incident') "
        "and not exists (select 1 from marts.fct_work_items as i where i.work_item_id = e.work_item_id)"
    )
    quarantined = {k for (k,) in demo_warehouse.query("select record_key from quarantine.records")}
    assert {o for (o,) in orphans} <= quarantined | {None}


def test_event_types_are_the_closed_vocabulary(demo_warehouse):
    used = {
        t for (t,) in demo_warehouse.query("select distinct event_type from marts.fct_work_events")
    }
    vocabulary = {t for (t,) in demo_warehouse.query("select event_type from seeds.event_types")}
    assert used <= vocabulary
    assert len(used) >= 25


def test_warehouse_opens_in_duckdb_1_4(demo_warehouse):
    tags = demo_warehouse.query(
        "select tags from duckdb_databases() where path = ?", [str(demo_warehouse.path)]
    )
    assert tags[0][0]["storage_version"].startswith("v1.4.0")


# Its rebuilds run the models only (tests/conftest.py says why).
@pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")
def test_rerun_is_idempotent(demo_warehouse, tmp_path):
    """On a copy: the session's demo warehouse stays as its first run left it."""
    warehouse = demo_warehouse.copy_to(tmp_path)
    before = table_counts(warehouse.path)
    config = demo_config(warehouse.exports, warehouse.path)
    # A plain rerun reads no export again: nothing changed, nothing is logged.
    rerun = run(config, DEMO_SALT)
    assert table_counts(warehouse.path) == before
    assert all(x.unchanged for x in rerun.loads if x.source != "git")
    # A full refresh reads everything and lands the same rows. quality.row_counts
    # logs every load's counts (the gate's baseline): one more row per table.
    full = replace(config, sources=tuple(replace(s, full_refresh=True) for s in config.sources))
    refreshed = run(full, DEMO_SALT)
    logged = ("quality", "row_counts")
    assert table_counts(warehouse.path) == {**before, logged: 2 * before[logged]}
    assert [(x.source, x.rows_landed, x.quarantined) for x in refreshed.loads] == [
        (x.source, x.rows_landed, x.quarantined) for x in demo_warehouse.first_run.loads
    ]


def test_every_planted_escaped_defect_is_counted_once(demo_warehouse):
    """The generator links each production bug of an engineering team to one
    story of that team done before the bug was filed ("is caused by"): the
    KPI model's weekly counts add up to exactly those bugs, and the shown
    quarter cells equal the model's."""
    planted = demo_warehouse.manifest["planted"]["escaped_defects"]["production_bugs_linked"]
    assert planted > 0
    [(counted,)] = demo_warehouse.query(
        "select sum(value) from kpis.kpi_escaped_defects where period_grain = 'week'"
    )
    assert counted == planted
    shown = demo_warehouse.query(
        "select published.value, computed.value "
        "from marts.fct_team_kpis_by_period as published "
        "inner join kpis.kpi_escaped_defects as computed using "
        "(team_id, period_grain, period_start, kpi_id) "
        "where published.period_grain = 'quarter' and not published.is_suppressed"
    )
    assert all(published == computed for published, computed in shown)
