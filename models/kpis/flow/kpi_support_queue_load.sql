{#
    Support queue load (flow, support): tickets entering a team's queue in
    the week (created, week of creation) / the queue's capacity for that
    week. The capacity is the one the data team states in seed
    support_queue_capacity (tickets a week), else the team's demonstrated
    capacity: the median of the tickets it finally solved per week over the
    12 weeks before (weeks of its active range, kpi_base_team_weeks, with
    none solved counting as 0; at least 4 such weeks, and a median above 0).
    1.0 is a queue filling exactly as fast as the team has been emptying
    it; above 1 the backlog grows. A period's load is its tickets over the
    sum of its weeks' capacities (weeks without a capacity are left out of
    both). contributor_count is the distinct assignees of the arriving
    tickets.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'case'

),

team_weeks as (

    select * from {{ ref('kpi_base_team_weeks') }}

),

stated_capacity as (

    select * from {{ ref('support_queue_capacity') }}

),

solved_weekly as (

    select
        team_weeks.team_id,
        team_weeks.week_start,
        count(work_items.work_item_id) as solved_count
    from team_weeks
    left join work_items
        on team_weeks.team_id = work_items.team_id
            and work_items.canonical_state = 'done'
            and {{ week_start('work_items.done_at') }} = team_weeks.week_start
    group by team_weeks.team_id, team_weeks.week_start

),

demonstrated_capacity as (

    select
        this_week.team_id,
        this_week.week_start,
        {{ percentile('prior_weeks.solved_count', 0.5) }} as median_solved,
        count(*) as prior_week_count
    from solved_weekly as this_week
    inner join solved_weekly as prior_weeks
        on this_week.team_id = prior_weeks.team_id
            and this_week.week_start > prior_weeks.week_start
            and {{ add_days('this_week.week_start', -84) }} <= prior_weeks.week_start
    group by this_week.team_id, this_week.week_start

),

capacity_weekly as (

    select
        solved_weekly.team_id,
        solved_weekly.week_start,
        coalesce(
            stated_capacity.weekly_ticket_capacity,
            case
                when demonstrated_capacity.prior_week_count >= 4
                    and demonstrated_capacity.median_solved > 0
                    then demonstrated_capacity.median_solved
            end
        ) as capacity
    from solved_weekly
    left join demonstrated_capacity
        on solved_weekly.team_id = demonstrated_capacity.team_id
            and solved_weekly.week_start = demonstrated_capacity.week_start
    left join stated_capacity
        on solved_weekly.team_id = stated_capacity.team_id

),

measured_weeks as (

    select * from capacity_weekly
    where capacity is not null

),

arrivals as (

    select
        work_items.team_id,
        {{ week_start('work_items.created_at') }} as week_start,
        work_items.work_item_id,
        work_items.owner_person_id
    from work_items
    inner join measured_weeks
        on work_items.team_id = measured_weeks.team_id
            and {{ week_start('work_items.created_at') }} = measured_weeks.week_start

),

period_capacity as (

    select
        team_id,
        period_grain,
        period_start,
        sum(capacity) as capacity
    from {{ kpi_periods('measured_weeks') }}
    group by team_id, period_grain, period_start

),

period_arrivals as (

    select
        team_id,
        period_grain,
        period_start,
        count(*) as arrival_count,
        count(distinct owner_person_id) as owner_count
    from {{ kpi_periods('arrivals') }}
    group by team_id, period_grain, period_start

),

aggregated as (

    select
        period_capacity.team_id,
        period_capacity.period_grain,
        period_capacity.period_start,
        period_capacity.capacity,
        coalesce(period_arrivals.arrival_count, 0) as arrival_count,
        coalesce(period_arrivals.owner_count, 0) as owner_count
    from period_capacity
    left join period_arrivals
        on period_capacity.team_id = period_arrivals.team_id
            and period_capacity.period_grain = period_arrivals.period_grain
            and period_capacity.period_start = period_arrivals.period_start

),

final as (

    {{ kpi_rows('aggregated', [
        {'kpi_id': 'support_queue_load',
         'value': 'cast(arrival_count as float8) / capacity',
         'sample_size': 'arrival_count', 'contributor_count': 'owner_count'},
    ]) }}

)

select * from final
