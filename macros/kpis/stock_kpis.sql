{#
    The KPIs that are stocks: valued at a period's end (the backlog then),
    not summed over the period's weeks. Their models count an item only in
    the period's last week (kpi_periods(..., at_period_end=true)), so a
    longer period repeats the weekly cell of its last week. Every model and
    test that treats additive KPIs apart reads this one list, as SQL string
    literals for an `in (...)`: fct_team_kpis_by_period (the differencing
    guard), fct_team_kpi_status (per-week normalising) and the test
    kpi_periods_hide_suppressed_weeks.
#}
{% macro stock_kpis() -%}
    {%- set kpi_ids = [
        'backlog_age_p50', 'backlog_over_7_days',
        'task_backlog_age_p50', 'task_backlog_over_30_days',
    ] -%}
    {{ return("'" ~ (kpi_ids | join("', '")) ~ "'") }}
{%- endmacro %}
