"""Minimum group size k, as properties that must hold for any team-week input
(hypothesis), plus a cross-check of the rule against the built mart."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomes.privacy.k_anonymity import (
    MIN_GROUP_SIZE,
    Cell,
    close_differencing,
    differencing_leaks,
    suppress,
)

PEOPLE = [f"p{i:02d}" for i in range(14)]
TEAMS = ["alpha", "beta", "gamma", "delta"]

# One team-week: who contributed and how much (e.g. weighted throughput).
contributions = st.lists(
    st.tuples(st.sampled_from(PEOPLE), st.integers(min_value=0, max_value=20)), max_size=10
)
team_weeks = st.dictionaries(
    st.tuples(st.sampled_from(TEAMS), st.integers(min_value=0, max_value=2)),
    contributions,
    min_size=1,
    max_size=12,
)


def cells_with_totals(data, k):
    """Team-week cells and, per week, an organisation total over the teams."""
    cells = {
        key: Cell(key, float(sum(a for _, a in rows)), frozenset(p for p, _ in rows))
        for key, rows in data.items()
    }
    totals = {}
    for week in sorted({w for _, w in data}):
        members = tuple(sorted(key for key in data if key[1] == week))
        total_key = ("all", week)
        cells[total_key] = Cell(
            total_key,
            sum(cells[m].value for m in members),
            frozenset().union(*(cells[m].people for m in members)),
        )
        totals[total_key] = members
    suppressed = {c.key: c for c in suppress(cells.values(), k)}
    return cells, suppressed, totals


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=team_weeks, k=st.integers(min_value=MIN_GROUP_SIZE, max_value=7))
def test_no_published_cell_below_k_and_no_differencing(data, k):
    raw, suppressed, totals = cells_with_totals(data, k)
    published = close_differencing(suppressed, totals)

    for key, cell in published.items():
        if not cell.is_suppressed:
            # Backed by k distinct people, counted from the input itself.
            assert len(raw[key].people) >= k
            assert cell.value == raw[key].value  # published values are untouched
        else:
            assert cell.value is None
    assert differencing_leaks(published, totals) == []
    # No published total leaves exactly one hidden member: total minus the
    # published members is the sum of at least two hidden cells, or nothing.
    for total_key, members in totals.items():
        if not published[total_key].is_suppressed:
            assert sum(published[m].is_suppressed for m in members) != 1


def test_a_lone_small_team_under_a_published_total_is_a_leak_and_is_closed():
    # By hand: alpha has 6 people (12 items), beta 2 people (3 items); the
    # week's total (8 people, 15 items) minus alpha gives beta's 3 away.
    alpha = Cell(("alpha", 0), 12.0, frozenset(PEOPLE[:6]))
    beta = Cell(("beta", 0), 3.0, frozenset(PEOPLE[6:8]))
    total = Cell(("all", 0), 15.0, alpha.people | beta.people)
    cells = {c.key: c for c in suppress([alpha, beta, total])}
    totals = {("all", 0): (("alpha", 0), ("beta", 0))}
    assert [c.is_suppressed for c in cells.values()] == [False, True, False]
    assert differencing_leaks(cells, totals) == [(("all", 0), ("beta", 0))]

    closed = close_differencing(cells, totals)
    assert closed[("alpha", 0)].is_suppressed  # the only published sibling
    assert closed[("all", 0)].value == 15.0
    assert differencing_leaks(closed, totals) == []


def test_rule_matches_the_built_mart(demo_warehouse):
    rows = demo_warehouse.query(
        "select team_kpi_week_id, value, contributor_count, is_suppressed "
        "from marts.fct_team_kpis_weekly"
    )
    assert rows
    mirrored = suppress(
        Cell(key, value, frozenset(str(i) for i in range(count))) for key, value, count, _ in rows
    )
    assert [c.is_suppressed for c in mirrored] == [row[3] for row in rows]
    assert all(value is None for _, value, _, suppressed in rows if suppressed)
    assert any(suppressed for *_, suppressed in rows)
    assert any(not suppressed for *_, suppressed in rows)
    # Team level only: no roll-up row over teams is published, so no total
    # can be differenced against a suppressed team.
    teams = {t for (t,) in demo_warehouse.query("select team_id from marts.dim_teams")}
    kpi_teams = {
        t
        for (t,) in demo_warehouse.query("select distinct team_id from marts.fct_team_kpis_weekly")
    }
    assert kpi_teams <= teams


# KPIs whose value over a period is a sum over its weeks (for a rate or a mean, value x
# sample_size is): the ones a longer period could give a suppressed week away
# by. A backlog is a stock valued at the period's end, not a sum: the stocks are the ids
# the dbt macro stock_kpis() lists.
ADDITIVE = ("sum", "count", "rate", "mean")
_STOCK_MACRO = (Path(__file__).parents[2] / "macros" / "kpis" / "stock_kpis.sql").read_text()
STOCKS = tuple(re.findall(r"'(\w+)'", re.search(r"set kpi_ids = \[(.*?)\]", _STOCK_MACRO, re.S)[1]))


def _period_cells(demo_warehouse):
    rows = demo_warehouse.query(
        "select p.team_id, p.kpi_id, p.period_grain, p.period_start, p.period_end,"
        " p.value, p.sample_size, p.contributor_count, p.is_suppressed, c.statistic"
        " from marts.fct_team_kpis_by_period p join seeds.kpi_catalog c using (kpi_id)"
    )
    assert rows
    return rows


def test_by_period_mart_keeps_the_k_rule_at_every_grain(demo_warehouse):
    rows = _period_cells(demo_warehouse)
    for team, kpi, grain, start, _, value, _, people, suppressed, _ in rows:
        if people < MIN_GROUP_SIZE or grain == "week":
            # Under k: suppressed at every grain; a week is the weekly mart's rule.
            assert suppressed == (people < MIN_GROUP_SIZE), (team, kpi, grain, start)
        if suppressed:
            assert value is None
        else:
            assert value is not None
    assert any(s for *_, s, _ in rows) and any(not s for *_, s, _ in rows)


def test_no_longer_period_gives_a_suppressed_week_away(demo_warehouse):
    """The differencing guard across grains, as properties of the built mart.

    For each team and additive KPI, the unknowns are its suppressed weeks
    with items (a suppressed week without items is a known zero). A published
    rolling window, quarter or baseline is a linear equation over the
    unknowns it holds (its total minus the published weeks). No suppressed
    week may be determined by these equations, whatever a reader combines:
    - no total with exactly one hidden member (k_anonymity.differencing_leaks,
      e.g. a 4-week sum minus three published weekly sums);
    - no hidden week in the row space of all the published totals together
      (e.g. two overlapping rolling windows subtracted from each other).
    """
    rows = _period_cells(demo_warehouse)
    weeks = {}
    for team, kpi, grain, start, _, value, sample, _people, suppressed, statistic in rows:
        if grain == "week" and statistic in ADDITIVE and kpi not in STOCKS:
            weeks.setdefault((team, kpi), {})[start] = (suppressed and sample > 0, value)
    cells, totals, equations = {}, {}, {}
    for (team, kpi), by_week in weeks.items():
        for start, (hidden, value) in by_week.items():
            people = frozenset(range(MIN_GROUP_SIZE - 1 if hidden else MIN_GROUP_SIZE))
            cells[(team, kpi, "week", start)] = Cell(start, value, people, hidden)
    for team, kpi, grain, start, end, value, _, people, suppressed, statistic in rows:
        if grain == "week" or statistic not in ADDITIVE or kpi in STOCKS:
            continue
        members = tuple(
            (team, kpi, "week", w) for w in weeks.get((team, kpi), {}) if start <= w <= end
        )
        key = (team, kpi, grain, start)
        cells[key] = Cell(key, value, frozenset(range(people)), suppressed)
        totals[key] = members
        if not suppressed:
            hidden = [m[3] for m in members if cells[m].is_suppressed]
            if hidden:
                equations.setdefault((team, kpi), []).append(hidden)
    assert totals
    assert differencing_leaks(cells, totals) == []
    for (team, kpi), published in equations.items():
        unknowns = sorted({w for hidden in published for w in hidden})
        matrix = np.array([[w in hidden for w in unknowns] for hidden in published], float)
        rank = np.linalg.matrix_rank(matrix)
        for i, week in enumerate(unknowns):
            alone = np.zeros((1, len(unknowns)))
            alone[0, i] = 1.0
            determined = np.linalg.matrix_rank(np.vstack([matrix, alone])) == rank
            assert not determined, (team, kpi, week)
