"""Opt-outs: the list is stored hashed, and the canonical-model filter drops the
person's rows of opt-out sources and nothing else."""

from __future__ import annotations

import duckdb
import pytest

from outcomes.config import PROJECT_DIR
from outcomes.errors import OutcomesError
from outcomes.privacy.opt_out import (
    load_opt_outs,
    opt_out_filter,
    opt_out_sources,
    read_opt_out_emails,
)
from outcomes.privacy.people import audit_log_for
from outcomes.privacy.pseudonym import pseudonymize
from tests.conftest import DEMO_SALT
from tests.privacy.helpers import text_columns

# Rebuilds here run the models only (tests/conftest.py says why).
pytestmark = pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")

# Someone acting in two sources that allow opting out. (PagerDuty, which does
# not, has no person actors in the demo: see the in-memory test below.)
GITHUB_AND_JIRA_ACTOR = """
select identity.email
from identity.people_identity as identity
inner join marts.fct_work_events as events on events.actor_person_id = identity.person_key
group by identity.email
having count(distinct case when events.source_system in ('github', 'jira')
    then events.source_system end) = 2
order by identity.email
limit 1
"""


def test_opt_out_sources_follow_the_policies():
    assert opt_out_sources() == ("calendar", "git", "github", "hubspot", "jira", "zendesk")


def test_list_is_normalized_and_the_example_parses(tmp_path):
    path = tmp_path / "opt_out.csv"
    path.write_text(
        "# people who opted out\nemail\n Ann@Example.com \nann@example.com\n\nbo@x.io\n"
    )
    assert read_opt_out_emails(path) == ["ann@example.com", "bo@x.io"]
    assert read_opt_out_emails(tmp_path / "missing.csv") == []
    assert read_opt_out_emails(PROJECT_DIR / "privacy" / "opt_out.example.csv") == [
        "someone@example.com"
    ]
    path.write_text("mail\nann@example.com\n")
    with pytest.raises(OutcomesError, match="needs an `email` column"):
        read_opt_out_emails(path)


def test_opted_out_person_leaves_the_events_of_opt_out_sources(demo_warehouse, tmp_path):
    warehouse = demo_warehouse.copy_to(tmp_path).path
    email = demo_warehouse.query(GITHUB_AND_JIRA_ACTOR)[0][0]
    person_key = pseudonymize(email, DEMO_SALT, "email", "roster")
    opt_out_file = tmp_path / "opt_out.csv"
    opt_out_file.write_text(f"email\n{email.upper()}\n")

    assert load_opt_outs(warehouse, DEMO_SALT, opt_out_file, actor="dpo") == 1

    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute(
        "select person_key, source_system from privacy.opt_outs order by 2"
    ).fetchall() == [(person_key, source) for source in opt_out_sources()]

    def counts(where: str) -> dict[tuple[str, bool], int]:
        rows = con.execute(
            "select source_system, actor_person_id is not distinct from ?, count(*) "
            f"from marts.fct_work_events as events where {where} group by 1, 2",
            [person_key],
        ).fetchall()
        return {(source, is_them): n for source, is_them, n in rows}

    before = counts("true")
    after = counts(opt_out_filter("events.actor_person_id", "events.source_system"))
    con.close()
    expected = {
        (source, is_them): n
        for (source, is_them), n in before.items()
        if not (is_them and source in opt_out_sources())
    }
    assert after == expected
    assert before[("github", True)] > 0 and before[("jira", True)] > 0
    assert ("github", True) not in after and ("jira", True) not in after
    assert audit_log_for(warehouse).entries()[0]["details"] == {"people": 1}
    assert email not in audit_log_for(warehouse).path.read_text().lower()


def test_filter_keeps_sources_that_do_not_allow_opting_out():
    con = duckdb.connect()
    con.execute("create schema privacy")
    con.execute(
        "create table privacy.opt_outs as select 'k1' as person_key, 'github' as source_system"
    )
    con.execute(
        "create table events as select * from (values ('github', 'k1'), ('pagerduty', 'k1'), "
        "('github', 'k2'), ('github', null)) as t(source_system, actor_person_id)"
    )
    kept = con.execute(
        "select * from events where "
        + opt_out_filter("events.actor_person_id", "events.source_system")
    )
    assert set(kept.fetchall()) == {("github", "k2"), ("github", None), ("pagerduty", "k1")}


def test_an_empty_list_still_creates_the_table(demo_warehouse, tmp_path):
    warehouse = demo_warehouse.copy_to(tmp_path).path
    assert load_opt_outs(warehouse, DEMO_SALT, tmp_path / "none.csv") == 0
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select count(*) from privacy.opt_outs").fetchone() == (0,)
    con.close()


GITHUB_JIRA_AND_CALENDAR_ACTOR = """
select identity.email
from identity.people_identity as identity
inner join marts.fct_work_events as events on events.actor_person_id = identity.person_key
group by identity.email
having count(distinct case when events.source_system in ('github', 'jira', 'calendar')
    then events.source_system end) = 3
order by identity.email
limit 1
"""

# Work items the person owned, acted on or was invited to: their rows leave the
# marts, so figures of these items may change for others too (a colleague's
# 1:1 with them is no longer a meeting, a status change they made is gone).
TOUCHED_ITEMS = """
select work_item_id from marts.fct_work_events
where actor_person_id = $key and source_system in (select unnest($sources))
union
select work_item_id from marts.fct_work_items
where owner_person_id = $key and source_system in (select unnest($sources))
union
select 'calendar:meeting:' || calendar_event_id from staging.stg_calendar__event_attendees
where attendee_person_id = $key
"""

# Open intervals count up to the build time, so these grow between two builds.
BUILD_TIME_COLUMNS = ("blocked_hours", "in_review_hours")


def _marts_rows_naming(path, keys: list[str]) -> dict[str, dict[str, int]]:
    """marts table -> source_system ('-' when the table has none) -> rows that hold
    one of `keys` in any text column (the whole value, or after a ':')."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        found: dict[str, dict[str, int]] = {}
        for (schema, table), columns in text_columns(con).items():
            if schema != "marts":
                continue
            mentions = " or ".join(
                f"""("{c}" in (select unnest($keys))
                    or regexp_extract("{c}", ':([0-9a-f]{{32}})$', 1) in (select unnest($keys)))"""
                for c in columns
            )
            source = "source_system" if "source_system" in columns else "'-'"
            rows = con.execute(
                f'select {source}, count(*) from marts."{table}" where {mentions} group by 1',
                {"keys": keys},
            ).fetchall()
            if rows:
                found[table] = dict(rows)
        return found
    finally:
        con.close()


def _marts_tables(path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
    finally:
        con.close()


def test_next_run_drops_an_opted_out_person_from_every_mart(demo_warehouse, tmp_path, monkeypatch):
    """End to end: list a person active in GitHub, Jira and Calendar, run the data
    path again, and scan every column of every row of every marts table: nothing
    names them or their accounts in a source that allows opting out (only the
    roster's dim_people and PagerDuty, which does not allow it, still do), and
    other people's rows on items they never touched are unchanged."""
    from outcomes.privacy.opt_out import OPT_OUT_ENV
    from outcomes.runner import demo_config, run

    copy = demo_warehouse.copy_to(tmp_path / "wh")
    email = copy.query(GITHUB_JIRA_AND_CALENDAR_ACTOR)[0][0]
    key = pseudonymize(email, DEMO_SALT, "email", "roster")
    accounts = sorted(
        a
        for (a,) in copy.query(
            "select account_id from intermediate.int_accounts_mapped where person_id = ?", [key]
        )
    )
    sources = list(opt_out_sources())
    keys = [key, *accounts]
    before = _marts_rows_naming(copy.path, keys)
    assert {"github", "jira", "calendar"} <= set(before["fct_work_events"])
    assert before["fct_pull_requests"]["github"] > 0
    touched = {item for (item,) in copy.query(TOUCHED_ITEMS, {"key": key, "sources": sources})}
    others_events = """
        select * from marts.fct_work_events
        where actor_person_id is not null and actor_person_id <> ?
            and (work_item_id is null or work_item_id not in (select unnest(?)))
        order by event_id
    """
    columns = [
        c
        for (c,) in copy.query(
            "select column_name from information_schema.columns where table_schema = 'marts' "
            "and table_name = 'fct_work_items' order by ordinal_position"
        )
        if c not in BUILD_TIME_COLUMNS
    ]
    others_items = f"""
        select {", ".join(columns)} from marts.fct_work_items
        where owner_person_id is not null and owner_person_id <> ?
            and work_item_id not in (select unnest(?))
        order by work_item_id
    """
    events_before = copy.query(others_events, [key, sorted(touched)])
    items_before = copy.query(others_items, [key, sorted(touched)])
    assert len(events_before) > 1000 and len(items_before) > 100

    (tmp_path / "opt_out.csv").write_text(f"email\n{email.upper()}\n")
    monkeypatch.setenv(OPT_OUT_ENV, str(tmp_path / "opt_out.csv"))
    run(demo_config(copy.exports, copy.path), DEMO_SALT)

    after = _marts_rows_naming(copy.path, keys)
    left = {
        (table, source): n
        for table, by_source in after.items()
        for source, n in by_source.items()
        if n and source not in {"pagerduty"}
    }
    # Every marts table was scanned; the roster row of dim_people is the only one.
    assert set(_marts_tables(copy.path)) >= {"fct_work_events", "fct_pull_requests"}
    assert left == {("dim_people", "-"): 1}, f"opted-out person still in marts: {left}"
    assert copy.query(others_events, [key, sorted(touched)]) == events_before
    assert copy.query(others_items, [key, sorted(touched)]) == items_before
