"""History that stays true (issue 14): the demo's planted mover moved team in
the middle of the window (mid-quarter). Every event is credited to the team
they were on when it happened, every done work item to the team they were on
when it was done, and the team sizes per week follow the move; last quarter's
figures do not move with them. Everyone else's history is one spell: one load
knows only today's team."""

from __future__ import annotations

import datetime as dt

from outcomes.privacy.pseudonym import pseudonymize
from tests.conftest import DEMO_SALT


def _move(demo_warehouse) -> tuple[str, str, str, dt.datetime]:
    move = demo_warehouse.manifest["planted"]["team_move"]
    person = pseudonymize(move["email"], DEMO_SALT, "email", "roster")

    def team(name: str) -> str:
        (row,) = demo_warehouse.query(
            "select team_id from marts.dim_teams where team_name = ?", [name]
        )
        return row[0]

    moved = dt.datetime.fromisoformat(move["moved_on"])
    return person, team(move["from_team"]), team(move["to_team"]), moved


def test_the_movers_events_stay_with_the_team_they_were_on(demo_warehouse):
    person, old, new, moved = _move(demo_warehouse)
    rows = demo_warehouse.query(
        "select occurred_at < ? as before_move, team_id, count(*) from marts.fct_work_events "
        "where actor_person_id = ? group by all order by all",
        [moved, person],
    )
    teams = {(before, team) for before, team, _ in rows}
    # before the move: the old team only; from it on: the new team only
    assert teams == {(True, old), (False, new)}
    assert all(count > 20 for *_, count in rows)
    # today's team is the new one: dim_people says so, for today
    assert demo_warehouse.query(
        "select team_id from marts.dim_people where person_id = ?", [person]
    ) == [(new,)]


def test_the_movers_done_items_count_where_they_were_done(demo_warehouse):
    person, old, new, moved = _move(demo_warehouse)
    rows = demo_warehouse.query(
        "select done_at < ? as before_move, team_id from marts.fct_work_items "
        "where owner_person_id = ? and done_at is not null group by all",
        [moved, person],
    )
    assert set(rows) == {(True, old), (False, new)}
    # the pull requests they merged before the move are the old team's too
    prs = demo_warehouse.query(
        "select distinct team_id from marts.fct_pull_requests "
        "where author_person_id = ? and merged_at < ?",
        [person, moved],
    )
    assert prs == [(old,)]


def test_team_sizes_per_week_follow_the_move(demo_warehouse):
    _, old, new, moved = _move(demo_warehouse)
    week_of_move = (moved - dt.timedelta(days=moved.weekday())).date()
    sizes = dict(
        ((team, week), size)
        for team, week, size in demo_warehouse.query(
            "select team_id, week_start, member_count from kpis.kpi_base_team_weeks "
            "where team_id in (?, ?)",
            [old, new],
        )
    )
    before, after = week_of_move - dt.timedelta(days=7), week_of_move
    # at the end of the week of the move they are in the new team
    assert sizes[(old, before)] - sizes[(old, after)] == 1
    assert sizes[(new, after)] - sizes[(new, before)] == 1


def test_one_load_knows_only_todays_team_for_everyone_else(demo_warehouse):
    person, *_ = _move(demo_warehouse)
    spells = demo_warehouse.query(
        "select person_id, count(*), count(valid_from), count(valid_to) "
        "from intermediate.int_people_team_history group by 1"
    )
    people = demo_warehouse.query("select count(*) from marts.dim_people")[0][0]
    assert len(spells) == people
    others = {(n, starts, ends) for p, n, starts, ends in spells if p != person}
    assert others == {(1, 0, 0)}  # one spell, reaching back and on
    assert [(n, s, e) for p, n, s, e in spells if p == person] == [(2, 1, 1)]
    # every spell's team is a roster team; the current one is dim_people's
    assert demo_warehouse.query(
        "select count(*) from intermediate.int_people_team_history as s "
        "inner join marts.dim_people as p using (person_id) "
        "where s.is_current and s.team_id <> p.team_id"
    ) == [(0,)]
