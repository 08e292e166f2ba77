{#
    The calibration backtest: the forecast the team would have been given at
    the start of each past week W, checked against what happened. At W (a
    Monday with forecast_history_weeks full weeks of the team's series before
    it and forecast_backtest_days days after it, all before the as-of date),
    the same Monte Carlo as fct_forecast_trials (whole weeks drawn with
    replacement from the forecast_history_weeks weeks before W, by the same
    portable hash) runs
    forecast_backtest_trials trials (fewer than the live forecast's, to keep
    the build small) of forecast_backtest_days days. Its 85% forecast is
    "at least done_p15 items" (nearest rank ceil(0.15 * trials) of the trial
    totals); it held when the team then actually finished at least that many.
    Over many weeks a calibrated forecast holds about 85% of the time.
#}
{%- set trials = forecast_setting('forecast_backtest_trials') | int -%}
{%- set weeks = (forecast_setting('forecast_backtest_days') | int) // 7 -%}
{%- set days = 7 * weeks -%}
{%- set history_weeks = forecast_setting('forecast_history_weeks') | int -%}
{%- set history_days = 7 * history_weeks -%}
{%- set seed = forecast_setting('forecast_seed') | int -%}

with throughput as (

    select * from {{ ref('fct_team_throughput_daily') }}

),

team_series as (

    select
        team_id,
        max(days_before_as_of) as first_days_before,
        min(days_before_as_of) as last_days_before
    from throughput
    group by team_id

),

origins as (

    select
        throughput.team_id,
        throughput.throughput_date as origin_date,
        throughput.days_before_as_of as origin_days_before,
        {{ days_between("cast('1970-01-01' as date)", 'throughput.throughput_date') }}
            as origin_day_number
    from throughput
    inner join team_series
        on throughput.team_id = team_series.team_id
    where
        throughput.throughput_date = {{ week_start('throughput.throughput_date') }}
        and throughput.days_before_as_of + {{ history_days }} <= team_series.first_days_before
        and throughput.days_before_as_of - {{ days - 1 }} >= team_series.last_days_before

),

origin_inputs as (

    select
        team_id,
        origin_date,
        origin_days_before,
        {{ prng_add(prng_mix_constant(seed), prng_text_key('team_id')) }} as team_input,
        origin_day_number
    from origins

),

origin_states as (

    select
        team_id,
        origin_date,
        origin_days_before,
        {{ prng_add(prng_mix('team_input'), 'origin_day_number') }} as origin_input
    from origin_inputs

),

origin_mixed as (

    select
        team_id,
        origin_date,
        origin_days_before,
        {{ prng_mix('origin_input') }} as origin_state
    from origin_states

),

trial_numbers as (

    select cast(generated_number as bigint) as trial_number
    from {{ integer_series(trials) }} as series

),

week_numbers as (

    select cast(generated_number as bigint) as week_number
    from {{ integer_series(weeks) }} as series

),

{# The weeks before W: week 1 is the seven days just before it (Monday to Sunday). #}
origin_history as (

    select
        origins.team_id,
        origins.origin_date,
        {{ int_div('throughput.days_before_as_of - origins.origin_days_before + 6', 7) }}
            as history_week_number,
        sum(throughput.done_count) as week_done_count
    from origins
    inner join throughput
        on
            origins.team_id = throughput.team_id
            and origins.origin_days_before < throughput.days_before_as_of
            and throughput.days_before_as_of <= origins.origin_days_before + {{ history_days }}
    group by
        origins.team_id,
        origins.origin_date,
        {{ int_div('throughput.days_before_as_of - origins.origin_days_before + 6', 7) }}

),

trial_inputs as (

    select
        origin_mixed.team_id,
        origin_mixed.origin_date,
        trial_numbers.trial_number,
        {{ prng_add('origin_mixed.origin_state', 'trial_numbers.trial_number') }} as trial_input
    from origin_mixed
    cross join trial_numbers

),

trial_states as (

    select
        team_id,
        origin_date,
        trial_number,
        {{ prng_mix('trial_input') }} as trial_state
    from trial_inputs

),

draw_inputs as (

    select
        trial_states.team_id,
        trial_states.origin_date,
        trial_states.trial_number,
        {{ prng_add('trial_states.trial_state', 'week_numbers.week_number * 40503') }}
            as draw_input
    from trial_states
    cross join week_numbers

),

draw_mixed as (

    select
        team_id,
        origin_date,
        trial_number,
        {{ prng_mix('draw_input') }} as draw_state
    from draw_inputs

),

draws as (

    select
        team_id,
        origin_date,
        trial_number,
        {{ prng_below(prng_mix('draw_state'), history_weeks) }} + 1 as drawn_history_week_number
    from draw_mixed

),

trial_totals as (

    select
        draws.team_id,
        draws.origin_date,
        draws.trial_number,
        sum(origin_history.week_done_count) as simulated_done_count
    from draws
    inner join origin_history
        on
            draws.team_id = origin_history.team_id
            and draws.origin_date = origin_history.origin_date
            and draws.drawn_history_week_number = origin_history.history_week_number
    group by
        draws.team_id,
        draws.origin_date,
        draws.trial_number

),

ranked as (

    select
        team_id,
        origin_date,
        simulated_done_count,
        row_number() over (
            partition by team_id, origin_date
            order by simulated_done_count, trial_number
        ) as total_rank
    from trial_totals

),

forecast as (

    select
        team_id,
        origin_date,
        max(
            case when total_rank = {{ (15 * trials + 99) // 100 }} then simulated_done_count end
        ) as forecast_done_p15,
        max(
            case when total_rank = {{ (50 * trials + 99) // 100 }} then simulated_done_count end
        ) as forecast_done_p50
    from ranked
    group by
        team_id,
        origin_date

),

actual as (

    select
        origins.team_id,
        origins.origin_date,
        sum(throughput.done_count) as actual_done_count
    from origins
    inner join throughput
        on
            origins.team_id = throughput.team_id
            and origins.origin_days_before >= throughput.days_before_as_of
            and throughput.days_before_as_of > origins.origin_days_before - {{ days }}
    group by
        origins.team_id,
        origins.origin_date

),

final as (

    select
        {{ stable_id('forecast.team_id', 'forecast.origin_date') }} as forecast_backtest_id,
        forecast.team_id,
        forecast.origin_date,
        {{ add_days('forecast.origin_date', -history_days) }}
            as history_start_date,
        {{ add_days('forecast.origin_date', days - 1) }} as outcome_end_date,
        cast({{ trials }} as bigint) as trial_count,
        cast(forecast.forecast_done_p15 as bigint) as forecast_done_p15,
        cast(forecast.forecast_done_p50 as bigint) as forecast_done_p50,
        cast(actual.actual_done_count as bigint) as actual_done_count,
        actual.actual_done_count >= forecast.forecast_done_p15 as is_held_85,
        actual.actual_done_count >= forecast.forecast_done_p50 as is_held_50
    from forecast
    inner join actual
        on
            forecast.team_id = actual.team_id
            and forecast.origin_date = actual.origin_date

)

select * from final
