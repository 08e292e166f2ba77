"""The forecast is reproducible: the SQL draws are the documented portable hash
(checked against a Python version of it), two builds give identical forecast
rows, and another seed gives other trials (docs/forecasts.md#the-random-numbers)."""

from __future__ import annotations

import hashlib

import duckdb

from tests.forecasts.conftest import FORECAST_MODELS, copy_warehouse, rebuild, rows

P = 2147483647
SEED = 20261202  # forecast_seed's default (macros/forecasts/forecast_setting.sql)


def mix(x: int) -> int:
    return x * (x + 1013904223) % P


def add(state: int, value: int) -> int:
    return (state + value % P) % P


def drawn_week(seed: int, team_id: str, trial: int, week: int, history_weeks: int) -> int:
    key = int(hashlib.md5(team_id.encode()).hexdigest()[:7], 16)
    state = mix(add(mix(seed % P), key))
    state = mix(add(state, trial))
    draw = mix(mix(add(state, week * 40503)))
    return draw * history_weeks // P + 1


def test_sql_draws_are_the_documented_hash(demo_warehouse):
    weeks = dict(
        demo_warehouse.query(
            "select team_id, max(history_week_number) from marts.fct_team_forecast_history"
            " group by team_id"
        )
    )
    sample = demo_warehouse.query(
        "select team_id, trial_number, week_number, drawn_history_week_number"
        " from marts.fct_forecast_trials where trial_number <= 40 or trial_number > 9990"
    )
    assert len(sample) == len(weeks) * 50 * 26
    for team_id, trial, week, drawn in sample:
        assert drawn == drawn_week(SEED, team_id, trial, week, weeks[team_id]), (team_id, trial)


def test_draws_are_uniform_over_the_history_weeks(demo_warehouse):
    # 10,000 trials x 26 weeks per team over 12 weeks: each week drawn 1/12 of
    # the time; 21,667 expected draws, a binomial sd of 141, so 2% (3 sd) holds.
    counts = demo_warehouse.query(
        "select team_id, drawn_history_week_number, count(*) from marts.fct_forecast_trials"
        " group by all"
    )
    for team_id, _, count in counts:
        assert abs(count - 260000 / 12) < 0.02 * 260000 / 12, team_id


def _table_differences(original, copy, table: str) -> int:
    con = duckdb.connect(str(copy))
    try:
        con.execute(f"attach '{original}' as original (read_only)")
        return con.execute(
            f"select count(*) from ((select * from marts.{table}"
            f" except all select * from original.marts.{table})"
            f" union all (select * from original.marts.{table}"
            f" except all select * from marts.{table}))"
        ).fetchone()[0]
    finally:
        con.close()


def test_two_builds_give_identical_forecasts_and_the_seed_decides(
    demo_warehouse, tmp_path, monkeypatch
):
    copy = copy_warehouse(demo_warehouse, tmp_path / "rebuilt")
    rebuild(copy, FORECAST_MODELS, monkeypatch)
    for table in FORECAST_MODELS:
        assert rows(copy, f"select count(*) from marts.{table}") == demo_warehouse.query(
            f"select count(*) from marts.{table}"
        )
        assert _table_differences(demo_warehouse.path, copy, table) == 0, table

    rebuild(copy, ["fct_forecast_trials"], monkeypatch, dbt_vars={"forecast_seed": 7})
    changed = _table_differences(demo_warehouse.path, copy, "fct_forecast_trials")
    total = demo_warehouse.query("select count(*) from marts.fct_forecast_trials")[0][0]
    # Another seed redraws (nearly) every week; 1/12 of the draws pick the same week.
    assert changed > total


def test_forecasts_are_ordered_and_bounded(demo_warehouse):
    assert demo_warehouse.query(
        "select count(*) from marts.fct_team_delivery_forecast"
        " where not (p50_days <= p85_days and p85_days <= p95_days)"
    ) == [(0,)]
    assert demo_warehouse.query(
        "select count(*) from marts.fct_team_forecast_weekly where not ("
        " done_p05 <= done_p15 and done_p15 <= done_p50 and done_p50 <= done_p85"
        " and done_p85 <= done_p95)"
    ) == [(0,)]
    # Bands never shrink week over week: running totals only grow.
    assert demo_warehouse.query(
        "select count(*) from marts.fct_team_forecast_weekly as later"
        " inner join marts.fct_team_forecast_weekly as earlier"
        " on later.team_id = earlier.team_id and later.week_number = earlier.week_number + 1"
        " where later.done_p15 < earlier.done_p15 or later.done_p50 < earlier.done_p50"
    ) == [(0,)]
    assert demo_warehouse.query(
        "select count(*) from marts.fct_work_item_due_date_risk"
        " where miss_probability < 0 or miss_probability > 1"
        " or (is_overdue and miss_probability <> 1)"
    ) == [(0,)]
    # A later due date with more remaining items is judged on more simulated days.
    assert demo_warehouse.query("select count(*) from marts.fct_forecast_trials") == [
        (
            demo_warehouse.query("select count(*) from marts.fct_team_delivery_forecast")[0][0]
            * 10000
            * 26,
        )
    ]
