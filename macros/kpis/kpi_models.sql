{#
    The KPI models (models/kpis/<category>/kpi_*.sql) the published KPI marts
    union, fct_team_kpis_weekly and fct_team_kpis_by_period alike. dbt needs a
    model's refs when it parses the project, so the list is written here;
    kpi_models_in_catalog checks it against the catalog's model_name when a
    mart is built, and `make lint` against the model files.
#}
{% macro kpi_models() -%}
    {{ return([
        'kpi_weighted_throughput',
        'kpi_deployment_days',
        'kpi_weighted_cases_resolved',
        'kpi_rework_rate',
        'kpi_change_failure_rate',
        'kpi_case_reopen_rate',
        'kpi_csat',
        'kpi_win_rate',
        'kpi_pipeline_generated',
        'kpi_task_cycle_time',
        'kpi_pr_pickup_time',
        'kpi_first_reply_time',
        'kpi_speed_to_lead',
        'kpi_time_to_restore',
        'kpi_on_time_delivery',
        'kpi_ticket_sla',
        'kpi_full_resolution_time',
        'kpi_one_touch_resolution',
        'kpi_csat_response_rate',
        'kpi_support_backlog',
        'kpi_time_use',
        'kpi_after_hours_support_load',
        'kpi_support_queue_load',
        'kpi_sales_cycle',
        'kpi_meeting_no_show_rate',
        'kpi_escaped_defects',
        'kpi_approval_latency',
        'kpi_brief_to_publish_time',
        'kpi_campaigns_on_schedule',
        'kpi_task_backlog',
        'kpi_handoff_time',
        'kpi_wip',
        'kpi_review_latency',
        'kpi_lead_time_for_changes',
    ]) }}
{%- endmacro %}
