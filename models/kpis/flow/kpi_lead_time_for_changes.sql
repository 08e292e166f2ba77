{#
    Lead time for changes (flow, engineering; DORA): deployed - the pull
    request's start, for the pull requests shipped by the team's successful
    production deployments, in the week the deployment finished
    (docs/kpi-definitions.md#lead_time_for_changes_p50). The start is the earlier
    of the earliest commit and the opening, the same as the PR's cycle time:
    fct_pull_requests.cycle_time_hours ends at the deployment for a shipped
    PR, and is null where the start is unknown (a squash merge) or after the
    deployment. So the week's value equals fct_dora_team_weekly's 1-week
    lead_time_p50_hours and lead_time_p85_hours. The team is the team owning
    the repository, as for deployment_days; kpi_base_shipped_changes holds
    the changes, for the DORA windows too. Bots' pull requests are changes
    too, but never contributors: contributor_count is the distinct roster
    authors of the measured pull requests.
#}
with shipped_changes as (

    select * from {{ ref('kpi_base_shipped_changes') }}
    where lead_time_hours is not null

),

contributor_counts as (

    {{ period_contributor_counts('shipped_changes', ['author_person_id']) }}

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        {{ percentile('lead_time_hours', 0.5) }} as lead_time_p50_hours,
        {{ percentile('lead_time_hours', 0.85) }} as lead_time_p85_hours,
        count(*) as change_count
    from {{ kpi_periods('shipped_changes') }}
    group by team_id, period_grain, period_start

),

measured as (

    select
        aggregated.*,
        coalesce(contributor_counts.contributor_count, 0) as contributor_count
    from aggregated
    left join contributor_counts
        on aggregated.team_id = contributor_counts.team_id
            and aggregated.period_grain = contributor_counts.period_grain
            and aggregated.period_start = contributor_counts.period_start

),

final as (

    {{ kpi_rows('measured', [
        {'kpi_id': 'lead_time_for_changes_p50',
         'value': 'lead_time_p50_hours', 'sample_size': 'change_count'},
        {'kpi_id': 'lead_time_for_changes_p85',
         'value': 'lead_time_p85_hours', 'sample_size': 'change_count'},
    ]) }}

)

select * from final
