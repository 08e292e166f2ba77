{#
    Time to restore (reliability, engineering): resolved - started, in calendar
    hours, for ALL resolved incidents, attributed to a deployment or not
    (KPI_DEFINITIONS.md), in the week the incident was resolved, for the team
    owning the incident's service. Published as the interpolated median
    (time_to_restore_p50) and 85th percentile (time_to_restore_p85).
    contributor_count is the distinct first assignees (responders) of the
    incidents.
#}
with incident_attribution as (

    select * from {{ ref('int_kpi__incident_attribution') }}

),

restored as (

    select
        team_id,
        {{ week_start('resolved_at') }} as week_start,
        incident_id,
        first_assignee_person_id,
        {{ elapsed_hours('started_at', 'resolved_at') }} as restore_hours
    from incident_attribution
    where
        resolved_at is not null
        and incident_status = 'resolved'
        and resolved_at >= started_at
        and team_id is not null

),

aggregated as (

    select
        team_id,
        week_start,
        {{ percentile('restore_hours', 0.5) }} as restore_p50_hours,
        {{ percentile('restore_hours', 0.85) }} as restore_p85_hours,
        count(*) as incident_count,
        count(distinct first_assignee_person_id) as responder_count
    from restored
    group by team_id, week_start

),

kpi_rows as (

    select
        cast(team_id as varchar) as team_id,
        week_start,
        cast('time_to_restore_p50' as varchar) as kpi_id,
        cast(restore_p50_hours as float8) as value,
        cast(incident_count as bigint) as sample_size,
        cast(responder_count as bigint) as contributor_count
    from aggregated

    union all

    select
        cast(team_id as varchar) as team_id,
        week_start,
        cast('time_to_restore_p85' as varchar) as kpi_id,
        cast(restore_p85_hours as float8) as value,
        cast(incident_count as bigint) as sample_size,
        cast(responder_count as bigint) as contributor_count
    from aggregated

),

final as (

    select
        {{ stable_id('team_id', 'week_start', 'kpi_id') }} as team_kpi_week_id,
        team_id,
        week_start,
        kpi_id,
        value,
        sample_size,
        contributor_count
    from kpi_rows

)

select * from final
