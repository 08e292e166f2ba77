"""The check that the KPI catalog and the metrics agree, both ways (#16):
outcomes/lint_manifest.py (`make lint`) on the demo build's manifest."""

from __future__ import annotations

import copy

from outcomes.lint_manifest import _semantic_layer_problems

CATALOG = "seeds/kpis/kpi_catalog.csv"
SEMANTIC_YML = "models/semantic/_semantic__models.yml"


def test_the_built_project_has_a_metric_per_catalog_kpi(dbt_manifest):
    assert _semantic_layer_problems(dbt_manifest) == []
    names = {m["name"] for m in dbt_manifest["metrics"].values()}
    assert {"first_reply_time_p85", "weighted_throughput", "dora_lead_time_p85_hours"} <= names


def test_a_catalog_row_without_a_metric_fails(dbt_manifest):
    manifest = copy.deepcopy(dbt_manifest)
    del manifest["metrics"]["metric.outcomes.first_reply_time_p85"]
    assert _semantic_layer_problems(manifest) == [
        f"{CATALOG}: KPI first_reply_time_p85 has no metric in models/semantic/"
    ]


def test_a_metric_without_a_catalog_row_fails(dbt_manifest):
    manifest = copy.deepcopy(dbt_manifest)
    extra = copy.deepcopy(manifest["metrics"]["metric.outcomes.first_reply_time_p85"])
    extra["name"] = "first_reply_time_p99"
    manifest["metrics"]["metric.outcomes.first_reply_time_p99"] = extra
    assert _semantic_layer_problems(manifest) == [
        f"{SEMANTIC_YML}: metric first_reply_time_p99 has no row in {CATALOG} "
        "(only dora_* metrics over fct_dora_team_weekly may have none)"
    ]


def test_a_metric_aggregating_a_percentile_by_sum_or_drifting_from_the_catalog_fails(
    dbt_manifest,
):
    manifest = copy.deepcopy(dbt_manifest)
    metric = manifest["metrics"]["metric.outcomes.first_reply_time_p85"]
    metric["type_params"]["measure"]["name"] = "kpi_value_total"
    metric["description"] = "First reply time, roughly."
    metric["filter"]["where_filters"][0]["where_sql_template"] = (
        "{{ Dimension('team_kpi_week__kpi_id') }} = 'first_reply_time_p50'"
    )
    assert _semantic_layer_problems(manifest) == [
        f"{SEMANTIC_YML}: metric first_reply_time_p85's description is not the definition "
        f"in {CATALOG}",
        f"{SEMANTIC_YML}: metric first_reply_time_p85 (statistic p85) aggregates with sum, "
        "should be average",
        f"{SEMANTIC_YML}: metric first_reply_time_p85 does not filter the mart on kpi_id "
        "'first_reply_time_p85'",
    ]
