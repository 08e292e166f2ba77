{#
    Daily WIP snapshot of task-tracker work (docs/kpi-definitions.md, Canonical
    states): one row per team and UTC day with the tasks in in_progress,
    blocked or in_review at the end of the day, and their age (end of day -
    first entry into in_progress, else created), calendar hours. Days run
    from the first task state change to the last one the warehouse holds.
    Privacy: a team-day with fewer than var('min_group_size') distinct owners
    behind its WIP is suppressed (counts and ages null, is_suppressed true).
#}
{%- set min_group_size = kpi_min_group_size() %}

with state_intervals as (

    select * from {{ ref('int_work_item_state_intervals') }}
    where work_item_type = 'task'

),

work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'task' and team_id is not null

),

bounds as (

    select
        min({{ to_date('entered_at') }}) as first_date,
        max({{ to_date('coalesce(exited_at, entered_at)') }}) as last_date
    from state_intervals

),

dates as (

    select {{ date_series('first_date', 'last_date') }} as snapshot_date
    from bounds

),

days as (

    select
        snapshot_date,
        cast(snapshot_date + 1 as timestamp) as day_end_at
    from dates

),

in_progress_at_day_end as (

    select
        days.snapshot_date,
        work_items.team_id,
        work_items.work_item_id,
        work_items.owner_person_id,
        state_intervals.canonical_state,
        case
            when days.day_end_at >= coalesce(work_items.started_at, work_items.created_at)
                then {{ elapsed_hours(
                    'coalesce(work_items.started_at, work_items.created_at)',
                    'days.day_end_at'
                ) }}
        end as age_hours
    from days
    inner join state_intervals
        on days.day_end_at > state_intervals.entered_at
            and (
                state_intervals.exited_at is null
                or days.day_end_at <= state_intervals.exited_at
            )
    inner join work_items
        on state_intervals.work_item_id = work_items.work_item_id
    where state_intervals.canonical_state in ('in_progress', 'blocked', 'in_review')

),

aggregated as (

    select
        snapshot_date,
        team_id,
        count(*) as wip_count,
        count(case when canonical_state = 'blocked' then 1 end) as blocked_count,
        count(case when canonical_state = 'in_review' then 1 end) as in_review_count,
        count(case when age_hours > 14 * 24 then 1 end) as aged_over_14_days_count,
        {{ percentile('age_hours', 0.5) }} as wip_age_p50_hours,
        {{ percentile('age_hours', 0.85) }} as wip_age_p85_hours,
        count(distinct owner_person_id) as contributor_count
    from in_progress_at_day_end
    group by snapshot_date, team_id

),

final as (

    select
        cast({{ stable_id('team_id', 'snapshot_date') }} as varchar) as team_day_id,
        cast(team_id as varchar) as team_id,
        cast(snapshot_date as date) as snapshot_date,
        {% for column in [
            'wip_count', 'blocked_count', 'in_review_count', 'aged_over_14_days_count'
        ] %}
            cast(
                case when contributor_count >= {{ min_group_size }} then {{ column }} end
                as bigint
            ) as {{ column }},
        {% endfor %}
        cast(
            case when contributor_count >= {{ min_group_size }} then wip_age_p50_hours end
            as float8
        ) as wip_age_p50_hours,
        cast(
            case when contributor_count >= {{ min_group_size }} then wip_age_p85_hours end
            as float8
        ) as wip_age_p85_hours,
        cast(contributor_count as bigint) as contributor_count,
        cast(contributor_count < {{ min_group_size }} as boolean) as is_suppressed
    from aggregated

)

select * from final
