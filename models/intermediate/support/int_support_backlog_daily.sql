{#
    Daily help desk backlog per team, before suppression: one row per team
    and UTC day with the cases (Zendesk tickets, ServiceNow incidents)
    unsolved at the END of the day (next midnight UTC): in a canonical state
    other than done or canceled (new, open, pending, on-hold, and
    ServiceNow's New, Active, Awaiting ...). Age = end of day - created,
    calendar hours. A day without backlog has no row. Days run from the first
    case status entry to the last one the warehouse holds. Team = the case's
    team (fct_work_items). Read by fct_support_backlog_daily (published,
    suppressed) and kpi_support_backlog (the week's last snapshot).
#}
with state_intervals as (

    select * from {{ ref('int_work_item_state_intervals') }}
    where work_item_type = 'case'

),

work_items as (

    select * from {{ ref('int_work_items') }}
    where work_item_type = 'case' and team_id is not null

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

unsolved_at_day_end as (

    select
        days.snapshot_date,
        work_items.team_id,
        work_items.work_item_id,
        work_items.owner_person_id,
        {{ elapsed_hours('work_items.created_at', 'days.day_end_at') }} as age_hours
    from days
    inner join state_intervals
        on days.day_end_at > state_intervals.entered_at
            and (
                state_intervals.exited_at is null
                or days.day_end_at <= state_intervals.exited_at
            )
    inner join work_items
        on state_intervals.work_item_id = work_items.work_item_id
    where
        state_intervals.canonical_state in ('todo', 'in_progress', 'blocked', 'in_review')
        and days.day_end_at >= work_items.created_at

),

aggregated as (

    select
        snapshot_date,
        team_id,
        count(*) as backlog_count,
        count(case when age_hours > 7 * 24 then 1 end) as aged_over_7_days_count,
        {{ percentile('age_hours', 0.5) }} as backlog_age_p50_hours,
        {{ percentile('age_hours', 0.85) }} as backlog_age_p85_hours,
        count(distinct owner_person_id) as contributor_count
    from unsolved_at_day_end
    group by snapshot_date, team_id

),

final as (

    select
        {{ stable_id('team_id', 'snapshot_date') }} as team_day_id,
        team_id,
        snapshot_date,
        backlog_count,
        aged_over_7_days_count,
        backlog_age_p50_hours,
        backlog_age_p85_hours,
        contributor_count
    from aggregated

)

select * from final
