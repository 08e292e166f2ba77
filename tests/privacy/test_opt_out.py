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


def test_next_run_drops_an_opted_out_person_from_the_marts(demo_warehouse, tmp_path, monkeypatch):
    """End to end: list the person, run the data path again, and their events
    of opt-out sources are gone from the canonical marts; everyone else's stay."""
    from outcomes.privacy.opt_out import OPT_OUT_ENV
    from outcomes.runner import demo_config, run

    copy = demo_warehouse.copy_to(tmp_path / "wh")
    email = copy.query(GITHUB_AND_JIRA_ACTOR)[0][0]
    key = pseudonymize(email, DEMO_SALT, "email", "roster")
    events_before = copy.query("select count(*) from marts.fct_work_events")[0][0]
    theirs_before = copy.query(
        "select count(*) from marts.fct_work_events where actor_person_id = ? "
        "and source_system in ('github', 'jira')",
        [key],
    )[0][0]
    assert theirs_before > 0
    (tmp_path / "opt_out.csv").write_text(f"email\n{email.upper()}\n")
    monkeypatch.setenv(OPT_OUT_ENV, str(tmp_path / "opt_out.csv"))
    run(demo_config(copy.exports, copy.path), DEMO_SALT)
    for table, column in [
        ("fct_work_events", "actor_person_id"),
        ("fct_work_items", "owner_person_id"),
    ]:
        left = copy.query(
            f"select count(*) from marts.{table} where {column} = ? "
            "and source_system in ('github', 'jira', 'zendesk', 'hubspot', 'calendar')",
            [key],
        )[0][0]
        assert left == 0, f"{table} still holds the opted-out person's rows"
    events_after = copy.query("select count(*) from marts.fct_work_events")[0][0]
    assert events_before - events_after >= theirs_before
