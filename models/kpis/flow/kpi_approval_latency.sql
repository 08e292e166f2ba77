{#
    Approval latency (flow, operations; measured on every team's task-tracker
    work): approval requested -> decided (docs/kpi-definitions.md). A task asks
    for approval when it enters in_review and is decided when it leaves it,
    approved (on to done) or sent back (to in_progress or any other state).
    Every decided visit counts, in the week of the decision, so a task sent back
    and approved later counts twice. A visit still waiting has no decision yet
    and is left out. Calendar hours; the interpolated median
    (approval_latency_p50) and 85th percentile (approval_latency_p85).
#}
with state_intervals as (

    select * from {{ ref('int_work_item_state_intervals') }}

),

work_items as (

    select * from {{ ref('fct_work_items') }}

),

decided_approvals as (

    select
        work_items.team_id,
        {{ week_start('state_intervals.exited_at') }} as week_start,
        work_items.work_item_id,
        work_items.owner_person_id,
        state_intervals.duration_hours as approval_hours
    from state_intervals
    inner join work_items
        on state_intervals.work_item_id = work_items.work_item_id
    where
        state_intervals.work_item_type = 'task'
        and state_intervals.canonical_state = 'in_review'
        and state_intervals.exited_at is not null
        and work_items.team_id is not null

),

aggregated as (

    select
        team_id,
        period_grain,
        period_start,
        {{ percentile('approval_hours', 0.5) }} as approval_p50_hours,
        {{ percentile('approval_hours', 0.85) }} as approval_p85_hours,
        count(*) as decision_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('decided_approvals') }}
    group by team_id, period_grain, period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'approval_latency_p50',
         'value': 'approval_p50_hours',
         'sample_size': 'decision_count', 'contributor_count': 'owner_count'},
        {'kpi_id': 'approval_latency_p85',
         'value': 'approval_p85_hours',
         'sample_size': 'decision_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
