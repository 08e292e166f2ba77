"""No metric query reveals a suppressed cell (#16, docs/privacy.md "Show less").

Why it holds: every measure of the semantic layer reads a column that is null
on every suppressed row of its mart, and SQL aggregates skip nulls, so any
metric at any grouping is computed from published cells only. The tests
prove both halves on the demo warehouse: the columns, then the differencing
attack itself (total without the team dimension minus the per-team rows a
reader sees), which must give nothing, not the hidden values the KPI layer
holds for the suppressed cells."""

from __future__ import annotations

import math
from collections import defaultdict
from statistics import fmean

BY_WEEK = ("metric_time__week",)
BY_TEAM_BY_WEEK = ("team", "metric_time__week")


def test_every_measure_reads_a_column_null_on_suppressed_rows(demo_warehouse, semantic_manifest):
    checked = 0
    for model in semantic_manifest["semantic_models"]:
        relation = model["node_relation"]
        table = f"{relation['schema_name']}.{relation['alias']}"
        (suppressed,) = demo_warehouse.query(f"select count(*) from {table} where is_suppressed")[0]
        assert suppressed > 0, f"{table}: no suppressed row in the demo, the check would be empty"
        for measure in model["measures"]:
            column = measure["expr"] or measure["name"]
            (shown,) = demo_warehouse.query(
                f"select count(*) from {table} where is_suppressed and {column} is not null"
            )[0]
            assert shown == 0, (
                f"measure {measure['name']} reads {table}.{column}, shown when suppressed"
            )
            checked += 1
    assert checked >= 2


def hidden_values(demo_warehouse, kpi_id: str) -> dict[str, list[float]]:
    """week -> the unsuppressed values (KPI layer, schema kpis) of the cells the
    mart suppresses for this KPI: what an attacker would want to recover."""
    (model_name,) = demo_warehouse.query(
        "select model_name from seeds.kpi_catalog where kpi_id = ?", [kpi_id]
    )[0]
    found: dict[str, list[float]] = defaultdict(list)
    for week, value in demo_warehouse.query(
        f"select mart.week_start, kpi.value from marts.fct_team_kpis_weekly as mart "
        f"inner join kpis.{model_name} as kpi on kpi.team_id = mart.team_id "
        "and kpi.period_start = mart.week_start and kpi.kpi_id = mart.kpi_id "
        "and kpi.period_grain = 'week' "
        "where mart.kpi_id = ? and mart.is_suppressed and kpi.value is not null and kpi.value <> 0",
        [kpi_id],
    ):
        found[str(week)].append(value)
    return found


def by_week(rows: list[dict], metric: str) -> dict[str, list[float]]:
    found: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        if row[metric] is not None:
            found[row["metric_time__week"]].append(row[metric])
    return found


def assert_total_is_published_only(demo_warehouse, metrics_query, kpi_id: str, combine) -> None:
    totals = {r["metric_time__week"]: r[kpi_id] for r in metrics_query([kpi_id], BY_WEEK)}
    per_team = by_week(metrics_query([kpi_id], BY_TEAM_BY_WEEK), kpi_id)
    hidden = hidden_values(demo_warehouse, kpi_id)
    assert hidden, f"{kpi_id}: no suppressed cell hides a value in the demo; nothing to prove"
    for week, total in totals.items():
        if total is None:
            assert week not in per_team
            continue
        assert math.isclose(total, combine(per_team[week]), rel_tol=1e-9), (kpi_id, week)
    for week, values in hidden.items():
        # What differencing recovers: the total minus what the team rows show.
        if week in per_team:
            leaked = totals[week] - combine(per_team[week])
            assert math.isclose(leaked, 0.0, abs_tol=1e-6), (kpi_id, week, leaked)
            assert not math.isclose(leaked, sum(values), abs_tol=1e-6), (kpi_id, week)
        else:  # every team of the week suppressed: no total at all
            assert totals.get(week) is None, (kpi_id, week)


def test_a_sum_kpi_total_without_teams_hides_the_suppressed_cells(demo_warehouse, metrics_query):
    """weighted_throughput (statistic sum): the week's total is the sum of the
    published team cells; subtracting them leaves zero, not the hidden cells."""
    assert_total_is_published_only(demo_warehouse, metrics_query, "weighted_throughput", sum)


def test_a_percentile_kpi_across_teams_hides_the_suppressed_cells(demo_warehouse, metrics_query):
    """task_cycle_time_p85 (statistic p85): across teams the mean of the
    published team cells, so the suppressed teams' p85 do not enter it."""
    assert_total_is_published_only(demo_warehouse, metrics_query, "task_cycle_time_p85", fmean)
