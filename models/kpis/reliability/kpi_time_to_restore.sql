{#
    Time to restore (reliability, engineering): resolved - started, in calendar
    hours, for ALL resolved incidents, attributed to a deployment or not
    (docs/kpi-definitions.md), in the week the incident was resolved, for the team
    owning the incident's service. Published as the interpolated median
    (time_to_restore_p50) and 85th percentile (time_to_restore_p85).
    contributor_count is the distinct first assignees (responders) of the
    incidents.
#}
with incident_attribution as (

    select * from {{ ref('int_incident_attribution') }}

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
        period_grain,
        period_start,
        {{ percentile('restore_hours', 0.5) }} as restore_p50_hours,
        {{ percentile('restore_hours', 0.85) }} as restore_p85_hours,
        count(*) as incident_count,
        count(distinct first_assignee_person_id) as responder_count
    from {{ kpi_periods('restored') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'time_to_restore_p50',
         'value': 'restore_p50_hours',
         'sample_size': 'incident_count', 'contributor_count': 'responder_count'},
        {'kpi_id': 'time_to_restore_p85',
         'value': 'restore_p85_hours',
         'sample_size': 'incident_count', 'contributor_count': 'responder_count'},
    ]) }}

)

select * from final
