{#
    The history each team's forecast draws from: its last
    forecast_history_weeks complete weeks of daily throughput before the
    as-of date, zero days included, as weeks of seven consecutive calendar
    days. History week 1 is the seven days before the as-of date; a week's
    day 1 falls on the as-of date's weekday, so a drawn week lines up with
    the simulated week it becomes (weekends stay weekends). A team with a
    shorter series has fewer weeks (a partial oldest week is left out).
#}
{%- set history_weeks = forecast_setting('forecast_history_weeks') | int -%}

with throughput as (

    select * from {{ ref('fct_team_throughput_daily') }}

),

placed as (

    select
        team_id,
        throughput_date,
        days_before_as_of,
        done_count,
        {{ int_div('days_before_as_of + 6', 7) }} as history_week_number,
        {# days_before_as_of 7k is day 1 of week k, 7k - 6 its day 7. #}
        cast(
            7 * {{ int_div('days_before_as_of + 6', 7) }} - days_before_as_of + 1 as bigint
        ) as week_day_number
    from throughput
    where days_before_as_of between 1 and {{ 7 * history_weeks }}

),

complete_weeks as (

    select
        team_id,
        history_week_number,
        sum(done_count) as week_done_count
    from placed
    group by
        team_id,
        history_week_number
    having count(*) = 7

),

final as (

    select
        {{ stable_id('placed.team_id', 'placed.throughput_date') }} as team_history_day_id,
        placed.team_id,
        placed.history_week_number,
        placed.week_day_number,
        placed.throughput_date,
        placed.done_count,
        cast(sum(placed.done_count) over (
            partition by placed.team_id, placed.history_week_number
            order by placed.week_day_number
            rows between unbounded preceding and current row
        ) as bigint) as week_running_done_count,
        cast(complete_weeks.week_done_count as bigint) as week_done_count
    from placed
    inner join complete_weeks
        on
            placed.team_id = complete_weeks.team_id
            and placed.history_week_number = complete_weeks.history_week_number

)

select * from final
