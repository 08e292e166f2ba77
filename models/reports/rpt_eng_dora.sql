{#
    DORA figures per team over rolling windows, as fct_dora_team_rolling
    publishes them (already suppressed there), with the team's name.
#}
with dora as (

    select * from {{ ref('fct_dora_team_rolling') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

final as (

    select
        dora.team_id,
        teams.team_name,
        dora.week_start,
        dora.window_weeks,
        dora.deployment_count,
        dora.incident_count,
        dora.failed_deployment_count,
        dora.deployment_days_per_week_p50,
        dora.deployments_per_week_p50,
        dora.deployment_days_per_month,
        dora.lead_time_p50_hours,
        dora.lead_time_p85_hours,
        dora.change_failure_rate,
        dora.deployment_rework_rate,
        dora.failed_deployment_recovery_p50_hours,
        dora.time_to_restore_p50_hours,
        dora.deployment_frequency_level,
        dora.lead_time_for_changes_level,
        dora.change_failure_rate_level,
        dora.failed_deployment_recovery_time_level,
        dora.contributor_count,
        dora.is_suppressed
    from dora
    inner join teams
        on dora.team_id = teams.team_id

)

select * from final
