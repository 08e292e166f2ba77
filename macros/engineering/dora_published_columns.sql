{#
    The published columns of the DORA marts (fct_dora_team_weekly: windows of
    1 week; fct_dora_team_rolling: 4 and 13), read from
    kpi_base_dora_team_windows_graded: below k contributors (is_suppressed) every
    measure and level is null; the counts of deployments and incidents and
    the contributor count stay (they say why a window is suppressed).
    One list, so both marts publish the same contract.
#}
{% macro dora_published_columns() -%}
    cast(team_window_id as varchar) as team_window_id,
    cast(team_id as varchar) as team_id,
    cast(week_start as date) as week_start,
    cast(window_weeks as integer) as window_weeks,
    cast(weeks_in_window as integer) as weeks_in_window,
    cast(deployment_count as bigint) as deployment_count,
    cast(incident_count as bigint) as incident_count,
    {% for column in [
        'deployment_day_count',
        'deployed_change_count',
        'failed_deployment_count',
        'unplanned_deployment_count',
    ] %}
        cast(case when not is_suppressed then {{ column }} end as bigint)
            as {{ column }},
    {% endfor %}
    {% for column in [
        'deployment_days_per_week_p50',
        'deployments_per_week_p50',
        'deployment_days_per_month',
        'lead_time_p50_hours',
        'lead_time_p85_hours',
        'change_failure_rate',
        'deployment_rework_rate',
        'failed_deployment_recovery_p50_hours',
        'time_to_restore_p50_hours',
        'time_to_restore_p85_hours',
    ] %}
        cast(case when not is_suppressed then {{ column }} end as float8)
            as {{ column }},
    {% endfor %}
    {% for column in [
        'deployment_frequency_level',
        'lead_time_for_changes_level',
        'change_failure_rate_level',
        'failed_deployment_recovery_time_level',
        'time_to_restore_level',
    ] %}
        cast(case when not is_suppressed then {{ column }} end as varchar)
            as {{ column }},
    {% endfor %}
    cast(contributor_count as bigint) as contributor_count,
    cast(is_suppressed as boolean) as is_suppressed
{%- endmacro %}
