{#
    Handoff time (flow, operations; measured on every team's task-tracker
    work): an item assigned to another team -> that team's first action on it
    (docs/kpi-definitions.md). Counts for the receiving team, in the week of
    its first action; a handoff not acted on yet is left out
    (int_work_item_handoffs). Calendar hours; the interpolated median
    (handoff_time_p50) and 85th percentile (handoff_time_p85).
#}
with handoffs as (

    select * from {{ ref('int_work_item_handoffs') }}

),

answered_handoffs as (

    select
        to_team_id as team_id,
        {{ week_start('first_action_at') }} as week_start,
        to_person_id,
        handoff_hours
    from handoffs
    where first_action_at is not null

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        {{ percentile('handoff_hours', 0.5) }} as handoff_p50_hours,
        {{ percentile('handoff_hours', 0.85) }} as handoff_p85_hours,
        count(*) as handoff_count,
        count(distinct to_person_id) as receiver_count
    from {{ kpi_periods('answered_handoffs') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'handoff_time_p50',
         'value': 'handoff_p50_hours',
         'sample_size': 'handoff_count', 'contributor_count': 'receiver_count'},
        {'kpi_id': 'handoff_time_p85',
         'value': 'handoff_p85_hours',
         'sample_size': 'handoff_count', 'contributor_count': 'receiver_count'},
    ]) }}

)

select * from final
