{#
    The DORA measures per team and window of 1, 4 or 13 ISO weeks ending
    with week_start (docs/kpi-definitions.md#dora-marts), before privacy
    suppression; fct_dora_team_weekly and fct_dora_team_rolling publish them.

    A team is the team owning the repository (deployments, changes) or the
    service (incidents). Weeks are the team's active weeks (kpi_base_team_weeks)
    plus any week with a production deployment; a window only counts the weeks
    it holds (weeks_in_window), so a team's first weeks have short windows.
    - deployment frequency: production deployments and distinct deployment
      days; deployment_days_per_week_p50 is the median over the window's
      weeks (zero weeks included), deployment_days_per_month the window's
      deployment days scaled to a month (52/12 weeks).
    - lead time for changes: deployed - the PR's start over the PRs shipped
      by the window's deployments (kpi_base_shipped_changes, which the weekly
      KPI reads too; negative -> left out): its cycle time
      (fct_pull_requests.cycle_time_hours, which ends at the deployment for a
      shipped PR), so the start is the same, the earlier of the earliest
      commit and the opening; bots' PRs are changes too, but never
      contributors.
    - change failure rate: deployments that caused a failure / deployments.
    - deployment rework rate: unplanned (hotfix or rollback) deployments /
      deployments.
    - failed deployment recovery time: resolved - deployment finished, over
      attributed incidents resolved in the window; time to restore: resolved
      - started over all incidents resolved in the window.
    contributor_count = distinct roster authors of the PRs shipped by the
    window's deployments.
#}
with deployments as (

    select * from {{ ref('fct_deployments') }}
    where is_live and team_id is not null

),

incidents as (

    select * from {{ ref('fct_incidents') }}
    where team_id is not null and time_to_restore_hours is not null

),

team_weeks as (

    select * from {{ ref('kpi_base_team_weeks') }}

),

windows as (

    select 1 as window_weeks
    union all
    select 4 as window_weeks
    union all
    select 13 as window_weeks

),

dated_deployments as (

    select
        team_id,
        deployment_id,
        {{ week_start('finished_at') }} as week_start,
        {{ to_date('finished_at') }} as deployment_date,
        has_caused_failure,
        is_unplanned
    from deployments

),

dated_changes as (

    select * from {{ ref('kpi_base_shipped_changes') }}

),

dated_incidents as (

    select
        team_id,
        {{ week_start('resolved_at') }} as week_start,
        time_to_restore_hours,
        failed_deployment_recovery_hours
    from incidents

),

deploying_teams as (

    select distinct team_id from dated_deployments

),

spine as (

    select
        team_weeks.team_id,
        team_weeks.week_start
    from team_weeks
    inner join deploying_teams
        on team_weeks.team_id = deploying_teams.team_id

    union

    select
        team_id,
        week_start
    from dated_deployments

),

weekly_days as (

    select
        spine.team_id,
        spine.week_start,
        count(distinct dated_deployments.deployment_date) as deployment_day_count,
        count(dated_deployments.deployment_id) as deployment_count
    from spine
    left join dated_deployments
        on spine.team_id = dated_deployments.team_id
            and spine.week_start = dated_deployments.week_start
    group by spine.team_id, spine.week_start

),

cells as (

    select
        spine.team_id,
        spine.week_start,
        windows.window_weeks,
        spine.week_start - 7 * (windows.window_weeks - 1) as window_start
    from spine
    cross join windows

),

frequency as (

    select
        cells.team_id,
        cells.week_start,
        cells.window_weeks,
        count(*) as weeks_in_window,
        sum(weekly_days.deployment_day_count) as deployment_day_count,
        {{ percentile('weekly_days.deployment_day_count', 0.5) }}
            as deployment_days_per_week_p50,
        {{ percentile('weekly_days.deployment_count', 0.5) }}
            as deployments_per_week_p50
    from cells
    inner join weekly_days
        on cells.team_id = weekly_days.team_id
            and weekly_days.week_start between cells.window_start and cells.week_start
    group by cells.team_id, cells.week_start, cells.window_weeks

),

deployment_counts as (

    select
        cells.team_id,
        cells.week_start,
        cells.window_weeks,
        count(*) as deployment_count,
        count(case when dated_deployments.has_caused_failure then 1 end)
            as failed_deployment_count,
        count(case when dated_deployments.is_unplanned then 1 end)
            as unplanned_deployment_count
    from cells
    inner join dated_deployments
        on cells.team_id = dated_deployments.team_id
            and dated_deployments.week_start between cells.window_start and cells.week_start
    group by cells.team_id, cells.week_start, cells.window_weeks

),

change_measures as (

    select
        cells.team_id,
        cells.week_start,
        cells.window_weeks,
        count(*) as deployed_change_count,
        count(distinct dated_changes.author_person_id) as contributor_count,
        {{ percentile('dated_changes.lead_time_hours', 0.5) }} as lead_time_p50_hours,
        {{ percentile('dated_changes.lead_time_hours', 0.85) }} as lead_time_p85_hours
    from cells
    inner join dated_changes
        on cells.team_id = dated_changes.team_id
            and dated_changes.week_start between cells.window_start and cells.week_start
    group by cells.team_id, cells.week_start, cells.window_weeks

),

incident_measures as (

    select
        cells.team_id,
        cells.week_start,
        cells.window_weeks,
        count(*) as incident_count,
        {{ percentile('dated_incidents.time_to_restore_hours', 0.5) }}
            as time_to_restore_p50_hours,
        {{ percentile('dated_incidents.time_to_restore_hours', 0.85) }}
            as time_to_restore_p85_hours,
        {{ percentile('dated_incidents.failed_deployment_recovery_hours', 0.5) }}
            as failed_deployment_recovery_p50_hours
    from cells
    inner join dated_incidents
        on cells.team_id = dated_incidents.team_id
            and dated_incidents.week_start between cells.window_start and cells.week_start
    group by cells.team_id, cells.week_start, cells.window_weeks

),

final as (

    select
        {{ stable_id('frequency.team_id', 'frequency.week_start', 'frequency.window_weeks') }}
            as team_window_id,
        frequency.team_id,
        frequency.week_start,
        frequency.window_weeks,
        frequency.weeks_in_window,
        coalesce(deployment_counts.deployment_count, 0) as deployment_count,
        frequency.deployment_day_count,
        cast(frequency.deployment_days_per_week_p50 as float8)
            as deployment_days_per_week_p50,
        cast(frequency.deployments_per_week_p50 as float8) as deployments_per_week_p50,
        cast(frequency.deployment_day_count as float8) * 52.0
        / (12.0 * frequency.weeks_in_window) as deployment_days_per_month,
        coalesce(change_measures.deployed_change_count, 0) as deployed_change_count,
        cast(change_measures.lead_time_p50_hours as float8) as lead_time_p50_hours,
        cast(change_measures.lead_time_p85_hours as float8) as lead_time_p85_hours,
        coalesce(deployment_counts.failed_deployment_count, 0) as failed_deployment_count,
        cast(deployment_counts.failed_deployment_count as float8)
        / nullif(deployment_counts.deployment_count, 0) as change_failure_rate,
        coalesce(deployment_counts.unplanned_deployment_count, 0)
            as unplanned_deployment_count,
        cast(deployment_counts.unplanned_deployment_count as float8)
        / nullif(deployment_counts.deployment_count, 0) as deployment_rework_rate,
        coalesce(incident_measures.incident_count, 0) as incident_count,
        cast(incident_measures.failed_deployment_recovery_p50_hours as float8)
            as failed_deployment_recovery_p50_hours,
        cast(incident_measures.time_to_restore_p50_hours as float8)
            as time_to_restore_p50_hours,
        cast(incident_measures.time_to_restore_p85_hours as float8)
            as time_to_restore_p85_hours,
        coalesce(change_measures.contributor_count, 0) as contributor_count
    from frequency
    left join deployment_counts
        on frequency.team_id = deployment_counts.team_id
            and frequency.week_start = deployment_counts.week_start
            and frequency.window_weeks = deployment_counts.window_weeks
    left join change_measures
        on frequency.team_id = change_measures.team_id
            and frequency.week_start = change_measures.week_start
            and frequency.window_weeks = change_measures.window_weeks
    left join incident_measures
        on frequency.team_id = incident_measures.team_id
            and frequency.week_start = incident_measures.week_start
            and frequency.window_weeks = incident_measures.window_weeks

)

select * from final
