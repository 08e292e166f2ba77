{#
    Due-date risk of every open item of the forecast types with a due date,
    for a forecast team: the share of the trials of fct_forecast_trials in
    which the team has not finished the item's remaining items by the end of
    its due date. remaining_items = the team's open items of the forecast
    types due on or before it, itself included: the team is assumed to finish
    dated work in due-date order (docs/forecasts.md#due-date-risk).
    - Due before the as-of date (overdue): 1.0, it can no longer be met.
    - Due within the horizon: the trials' running totals on its due day.
    - Due after the horizon: the running totals on the last simulated day, so
      an item reachable within the horizon in every trial is 0.0 and the
      share is an upper bound otherwise (is_beyond_horizon).
    Work items only, never their owners.
#}
{%- set trials = forecast_setting('forecast_trials') | int -%}
{%- set horizon = 7 * ((forecast_setting('forecast_horizon_days') | int) // 7) -%}
{%- set at_risk = forecast_setting('forecast_at_risk_miss_probability') -%}

with work_items as (

    select * from {{ ref('fct_work_items') }}

),

forecasts as (

    select * from {{ ref('fct_team_delivery_forecast') }}

),

trials as (

    select * from {{ ref('fct_forecast_trials') }}

),

history as (

    select * from {{ ref('fct_team_forecast_history') }}

),

open_dated as (

    select
        work_items.work_item_id,
        work_items.work_item_type,
        work_items.source_system,
        work_items.source_item_id,
        work_items.team_id,
        work_items.canonical_state,
        work_items.due_date,
        forecasts.as_of_date
    from work_items
    inner join forecasts
        on work_items.team_id = forecasts.team_id
    where
        work_items.work_item_type in {{ forecast_work_item_types_sql() }}
        and work_items.canonical_state in ('todo', 'in_progress', 'blocked', 'in_review')
        and work_items.due_date is not null

),

queued as (

    select
        mine.work_item_id,
        cast(count(*) as bigint) as remaining_items
    from open_dated as mine
    inner join open_dated as ahead
        on
            mine.team_id = ahead.team_id
            and mine.due_date >= ahead.due_date
    group by mine.work_item_id

),

placed as (

    select
        open_dated.*,
        queued.remaining_items,
        {# Day 1 is the as-of date, so an item due that day has one day of work. #}
        {{ days_between('open_dated.as_of_date', 'open_dated.due_date') }} + 1 as due_day_number
    from open_dated
    inner join queued
        on open_dated.work_item_id = queued.work_item_id

),

{#
    The day judged: the due day, or the horizon's last day when later; as a
    week of the trials and a day of that week.
#}
judged_days as (

    select
        work_item_id,
        team_id,
        remaining_items,
        {{ int_div('least(due_day_number, ' ~ horizon ~ ') + 6', 7) }} as week_number,
        cast(
            least(due_day_number, {{ horizon }})
            - 7 * ({{ int_div('least(due_day_number, ' ~ horizon ~ ') + 6', 7) }} - 1)
            as bigint
        ) as week_day_number
    from placed
    where due_day_number >= 1

),

{# Running total on the day = total before its week + the drawn week's days so far. #}
missed as (

    select
        judged_days.work_item_id,
        cast(count(
            case
                when
                    trials.cumulative_done_count - trials.done_count
                    + history.week_running_done_count < judged_days.remaining_items
                    then 1
            end
        ) as bigint) as missed_trial_count
    from judged_days
    inner join trials
        on
            judged_days.team_id = trials.team_id
            and judged_days.week_number = trials.week_number
    inner join history
        on
            trials.team_id = history.team_id
            and trials.drawn_history_week_number = history.history_week_number
            and judged_days.week_day_number = history.week_day_number
    group by judged_days.work_item_id

),

judged as (

    select
        placed.work_item_id,
        placed.team_id,
        placed.work_item_type,
        placed.source_system,
        placed.source_item_id,
        placed.canonical_state,
        placed.due_date,
        placed.as_of_date,
        cast(placed.due_day_number - 1 as bigint) as days_until_due,
        placed.remaining_items,
        case
            when placed.due_day_number < 1 then cast(1.0 as float8)
            else {{ round_float('cast(missed.missed_trial_count as float8) / ' ~ trials, 4) }}
        end as miss_probability,
        placed.due_day_number < 1 as is_overdue,
        placed.due_day_number > {{ horizon }} as is_beyond_horizon
    from placed
    left join missed
        on placed.work_item_id = missed.work_item_id

),

final as (

    select
        work_item_id,
        team_id,
        work_item_type,
        source_system,
        source_item_id,
        canonical_state,
        due_date,
        as_of_date,
        days_until_due,
        remaining_items,
        miss_probability,
        is_overdue,
        is_beyond_horizon,
        miss_probability > {{ at_risk }} as is_at_risk
    from judged

)

select * from final
