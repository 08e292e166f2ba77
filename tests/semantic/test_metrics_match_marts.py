"""Metrics by team by week are the published mart rows, value for value (#16).

Real `mf query` (through `outcomes metrics query`) on the session demo
warehouse; each metric's non-null cells must equal the mart's non-null cells
of that KPI exactly: same (team, week) keys, same floats. A suppressed cell
has no value in the mart, so none in the metric either."""

from __future__ import annotations

KPI_METRICS = (
    "first_reply_time_p85",
    "weighted_throughput",
    "task_cycle_time_p85",
    "win_rate",
    "deployment_days",
    "deployments",
)
DORA_METRICS = ("dora_lead_time_p85_hours", "dora_deployment_day_count", "dora_change_failure_rate")
BY_TEAM_BY_WEEK = ("team", "metric_time__week")


def cells(rows: list[dict], metric: str) -> dict[tuple[str, str], float]:
    """(team, week) -> value of one metric, nulls left out."""
    found: dict[tuple[str, str], float] = {}
    for row in rows:
        if row[metric] is not None:
            key = (row["team"], row["metric_time__week"])
            assert key not in found, f"{metric}: two rows for {key}"
            found[key] = row[metric]
    return found


def test_kpi_metrics_by_team_by_week_are_the_mart_rows(demo_warehouse, metrics_query):
    rows = metrics_query(KPI_METRICS, BY_TEAM_BY_WEEK)
    for kpi_id in KPI_METRICS:
        mart = {
            (team, str(week)): value
            for team, week, value in demo_warehouse.query(
                "select team_id, week_start, value from marts.fct_team_kpis_weekly "
                "where kpi_id = ? and value is not null",
                [kpi_id],
            )
        }
        assert mart, f"the demo publishes no {kpi_id} cell: the comparison would be empty"
        assert cells(rows, kpi_id) == mart, kpi_id
        suppressed = {
            (team, str(week))
            for team, week in demo_warehouse.query(
                "select team_id, week_start from marts.fct_team_kpis_weekly "
                "where kpi_id = ? and is_suppressed",
                [kpi_id],
            )
        }
        assert not suppressed & set(cells(rows, kpi_id)), kpi_id


def test_dora_metrics_by_team_by_week_are_the_mart_rows(demo_warehouse, metrics_query):
    rows = metrics_query(DORA_METRICS, BY_TEAM_BY_WEEK)
    for metric in DORA_METRICS:
        column = metric.removeprefix("dora_")
        mart = {
            (team, str(week)): value
            for team, week, value in demo_warehouse.query(
                f"select team_id, week_start, {column} from marts.fct_dora_team_weekly "
                f"where {column} is not null"
            )
        }
        assert mart, f"the demo publishes no {column}: the comparison would be empty"
        assert cells(rows, metric) == {key: float(value) for key, value in mart.items()}, metric
