{#
    One row per forecast team: "when will the team's open items be done", at
    50, 85 and 95% confidence, from the trials of fct_forecast_trials. A
    trial finishes the open items on the first day its running total reaches
    their count; the p% answer is the nearest-rank percentile of those days
    over all trials (rank ceil(p * trials)): in at least p% of the trials the
    items were done by then. A trial that has not finished by the horizon
    ranks last; when the rank falls on one, the answer is null ("more than the
    horizon"). Also the recent throughput the forecast drew from (the capacity
    shown beside it).
#}
{%- set trials = forecast_setting('forecast_trials') | int -%}
{%- set horizon = 7 * ((forecast_setting('forecast_horizon_days') | int) // 7) -%}

with throughput as (

    select * from {{ ref('fct_team_throughput_daily') }}

),

history as (

    select * from {{ ref('fct_team_forecast_history') }}

),

trials as (

    select * from {{ ref('fct_forecast_trials') }}

),

work_items as (

    select * from {{ ref('fct_work_items') }}

),

recent as (

    select
        throughput.team_id,
        max(throughput.as_of_date) as as_of_date,
        min(history.throughput_date) as history_start_date,
        max(history.throughput_date) as history_end_date,
        cast(count(*) as bigint) as history_day_count,
        cast(sum(history.done_count) as bigint) as history_done_count
    from history
    inner join throughput
        on
            history.team_id = throughput.team_id
            and history.throughput_date = throughput.throughput_date
    group by throughput.team_id

),

open_items as (

    select
        team_id,
        cast(count(*) as bigint) as open_item_count
    from work_items
    where
        work_item_type in {{ forecast_work_item_types_sql() }}
        and canonical_state in ('todo', 'in_progress', 'blocked', 'in_review')
        and team_id is not null
    group by team_id

),

teams as (

    select
        recent.team_id,
        recent.as_of_date,
        recent.history_start_date,
        recent.history_end_date,
        recent.history_day_count,
        recent.history_done_count,
        coalesce(open_items.open_item_count, 0) as open_item_count
    from recent
    left join open_items
        on recent.team_id = open_items.team_id

),

{#
    The week in which each trial's running total reaches the open item count
    (the running total before it is below), then the day of that week, from
    the drawn week's own days. A trial that never reaches it has no row.
#}
crossings as (

    select
        trials.team_id,
        trials.trial_number,
        trials.week_number,
        trials.drawn_history_week_number,
        trials.cumulative_done_count - trials.done_count as done_before_week,
        teams.open_item_count
    from trials
    inner join teams
        on trials.team_id = teams.team_id
    where
        teams.open_item_count > 0
        and trials.cumulative_done_count >= teams.open_item_count
        and trials.cumulative_done_count - trials.done_count < teams.open_item_count

),

trial_finish as (

    select
        crossings.team_id,
        crossings.trial_number,
        7 * (crossings.week_number - 1) + min(history.week_day_number) as finish_day
    from crossings
    inner join history
        on
            crossings.team_id = history.team_id
            and crossings.drawn_history_week_number = history.history_week_number
            and crossings.done_before_week + history.week_running_done_count
            >= crossings.open_item_count
    group by
        crossings.team_id,
        crossings.trial_number,
        crossings.week_number

),

ranked as (

    select
        team_id,
        finish_day,
        row_number() over (partition by team_id order by finish_day, trial_number) as finish_rank
    from trial_finish

),

{# A rank beyond the finished trials falls on one that never finished: null. #}
percentiles as (

    select
        team_id,
        max(case when finish_rank = {{ (50 * trials + 99) // 100 }} then finish_day end) as p50_day,
        max(case when finish_rank = {{ (85 * trials + 99) // 100 }} then finish_day end) as p85_day,
        max(case when finish_rank = {{ (95 * trials + 99) // 100 }} then finish_day end) as p95_day,
        cast(count(*) as bigint) as finished_trial_count
    from ranked
    group by team_id

),

{# No open items: done on day 0 in every trial. Beyond the horizon: null. #}
answered as (

    select
        teams.team_id,
        teams.as_of_date,
        teams.history_start_date,
        teams.history_end_date,
        teams.history_day_count,
        teams.history_done_count,
        teams.open_item_count,
        case
            when teams.open_item_count = 0 then 0
            when percentiles.p50_day <= {{ horizon }} then percentiles.p50_day
        end as p50_days,
        case
            when teams.open_item_count = 0 then 0
            when percentiles.p85_day <= {{ horizon }} then percentiles.p85_day
        end as p85_days,
        case
            when teams.open_item_count = 0 then 0
            when percentiles.p95_day <= {{ horizon }} then percentiles.p95_day
        end as p95_days,
        case
            when teams.open_item_count = 0 then {{ trials }}
            else coalesce(percentiles.finished_trial_count, 0)
        end as finished_trial_count
    from teams
    left join percentiles
        on teams.team_id = percentiles.team_id

),

final as (

    select
        team_id,
        as_of_date,
        history_start_date,
        history_end_date,
        history_day_count,
        history_done_count,
        {{ round_float('cast(history_done_count as float8) * 7 / history_day_count', 2) }}
            as throughput_per_week,
        open_item_count,
        cast({{ trials }} as bigint) as trial_count,
        cast({{ horizon }} as bigint) as horizon_days,
        cast(p50_days as bigint) as p50_days,
        cast(p85_days as bigint) as p85_days,
        cast(p95_days as bigint) as p95_days,
        {# Day 1 is the as-of date: n days of work end on as_of_date + n - 1. #}
        case
            when p50_days > 0
                then {{ add_days('as_of_date', 'p50_days - 1') }}
            when p50_days = 0 then as_of_date
        end as p50_date,
        case
            when p85_days > 0
                then {{ add_days('as_of_date', 'p85_days - 1') }}
            when p85_days = 0 then as_of_date
        end as p85_date,
        case
            when p95_days > 0
                then {{ add_days('as_of_date', 'p95_days - 1') }}
            when p95_days = 0 then as_of_date
        end as p95_date,
        {{ round_float('cast(finished_trial_count as float8) / ' ~ trials, 4) }}
            as finished_within_horizon_share
    from answered

)

select * from final
