{#
    Flow of task-tracker work per team and ISO week (docs/kpi-definitions.md,
    Canonical states), over the tasks reaching final done in the week:
    cycle time and blocked time (interpolated medians, calendar hours) and
    flow efficiency = (cycle - blocked - in review) / cycle, summed over the
    week's tasks (a task's active time never below 0: time blocked or in
    review before its start is not cycle time). WIP comes from fct_wip_daily:
    the snapshot of the week's last day with WIP, and its median age.
    Privacy: fewer than var('min_group_size') distinct owners of the week's
    done tasks -> measures null, is_suppressed true.
#}
{%- set min_group_size = kpi_min_group_size() %}

with work_items as (

    select * from {{ ref('fct_work_items') }}
    where
        work_item_type = 'task'
        and team_id is not null
        and canonical_state = 'done'
        and cycle_time_hours is not null
        and cycle_time_hours >= 0

),

wip_daily as (

    select * from {{ ref('fct_wip_daily') }}

),

done_tasks as (

    select
        team_id,
        {{ week_start('done_at') }} as week_start,
        owner_person_id,
        cycle_time_hours,
        blocked_hours,
        greatest(cycle_time_hours - blocked_hours - in_review_hours, 0) as active_hours
    from work_items

),

weekly_done as (

    select
        team_id,
        week_start,
        count(*) as done_count,
        count(distinct owner_person_id) as contributor_count,
        {{ percentile('cycle_time_hours', 0.5) }} as cycle_time_p50_hours,
        {{ percentile('blocked_hours', 0.5) }} as blocked_time_p50_hours,
        sum(blocked_hours) as blocked_hours,
        sum(active_hours) / nullif(sum(cycle_time_hours), 0) as flow_efficiency
    from done_tasks
    group by team_id, week_start

),

last_snapshots as (

    select
        team_id,
        {{ week_start('snapshot_date') }} as week_start,
        wip_count,
        wip_age_p50_hours,
        row_number() over (
            partition by team_id, {{ week_start('snapshot_date') }}
            order by snapshot_date desc
        ) as snapshot_rank
    from wip_daily

),

final as (

    select
        cast({{ stable_id('weekly_done.team_id', 'weekly_done.week_start') }} as varchar)
            as team_week_id,
        cast(weekly_done.team_id as varchar) as team_id,
        cast(weekly_done.week_start as date) as week_start,
        cast(weekly_done.done_count as bigint) as done_count,
        {% for column in [
            'cycle_time_p50_hours',
            'blocked_time_p50_hours',
            'blocked_hours',
            'flow_efficiency',
        ] %}
            cast(
                case
                    when weekly_done.contributor_count >= {{ min_group_size }}
                        then weekly_done.{{ column }}
                end as float8
            ) as {{ column }},
        {% endfor %}
        cast(
            case
                when weekly_done.contributor_count >= {{ min_group_size }}
                    then last_snapshots.wip_count
            end as bigint
        ) as end_of_week_wip_count,
        cast(
            case
                when weekly_done.contributor_count >= {{ min_group_size }}
                    then last_snapshots.wip_age_p50_hours
            end as float8
        ) as end_of_week_wip_age_p50_hours,
        cast(weekly_done.contributor_count as bigint) as contributor_count,
        cast(weekly_done.contributor_count < {{ min_group_size }} as boolean)
            as is_suppressed
    from weekly_done
    left join last_snapshots
        on weekly_done.team_id = last_snapshots.team_id
            and weekly_done.week_start = last_snapshots.week_start
            and last_snapshots.snapshot_rank = 1

)

select * from final
