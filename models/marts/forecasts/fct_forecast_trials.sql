{#
    The Monte Carlo simulation, once per team: for each of forecast_trials
    trials and each week of the horizon (forecast_horizon_days / 7 weeks from
    the data's as-of date; the as-of date is day 1 of week 1), one week of
    the team's daily throughput drawn at random, with replacement, from the
    weeks of fct_team_forecast_history, and the running total through the
    end of each week. A drawn week brings its seven days in order (zero days
    included), so the day on which a running total reaches a count is read
    from the drawn week's own days. Every forecast (how long for N items,
    how many by a date, each due date's risk) reads these same trials, so
    they agree with each other.

    Whole weeks, not single days, are drawn: 1/7 of the rows of a day-by-day
    draw (the build stays a few seconds: docs/forecasts.md#cost), and a
    simulated week keeps the weekday pattern and within-week ups and downs
    of a real one. The draw for (seed, team, trial, week) is the portable
    hash of macros/portable/prng.sql: the same on every engine and rebuild.
#}
{%- set trials = forecast_setting('forecast_trials') | int -%}
{%- set horizon_weeks = (forecast_setting('forecast_horizon_days') | int) // 7 -%}
{%- set seed = forecast_setting('forecast_seed') | int -%}

{%- set history_weeks = forecast_setting('forecast_history_weeks') | int -%}
{%- set weeks = range(1, horizon_weeks + 1) -%}

with history as (

    select * from {{ ref('fct_team_forecast_history') }}

),

history_weeks as (

    select distinct
        team_id,
        history_week_number,
        week_done_count
    from history

),

{#
    One row per team with its history weeks' totals as columns, so a draw is
    a CASE over a few columns rather than a join, and the running totals are
    sums of columns rather than a window sorted over millions of rows.
#}
teams as (

    select
        team_id,
        cast(count(*) as bigint) as history_week_count,
        {%- for k in range(1, history_weeks + 1) %}
        max(case when history_week_number = {{ k }} then week_done_count end)
            as history_week_{{ k }}_done,
        {%- endfor %}
        {{ prng_text_key('team_id') }} as team_key
    from history_weeks
    group by team_id

),

team_inputs as (

    select
        *,
        cast(dense_rank() over (order by team_id) as bigint) as team_rank,
        {{ prng_add(prng_mix_constant(seed), 'team_key') }} as team_input
    from teams

),

team_states as {{ materialized_cte() }} (

    select
        *,
        {{ prng_mix('team_input') }} as team_state
    from team_inputs

),

trial_numbers as (

    select cast(generated_number as bigint) as trial_number
    from {{ integer_series(trials) }} as series

),

week_numbers as (

    select cast(generated_number as bigint) as week_number
    from {{ integer_series(horizon_weeks) }} as series

),

trial_inputs as (

    select
        team_states.*,
        trial_numbers.trial_number,
        {{ prng_add('team_states.team_state', 'trial_numbers.trial_number') }} as trial_input
    from team_states
    cross join trial_numbers

),

trial_states as {{ materialized_cte() }} (

    select
        *,
        {{ prng_mix('trial_input') }} as trial_state
    from trial_inputs

),

{# Hash of (seed, team, trial, week): add the week, mix twice, then draw. #}
draw_states as {{ materialized_cte() }} (

    select
    {%- for w in weeks %}
        {{ prng_mix(prng_add('trial_state', w * 40503)) }} as week_{{ w }}_state,
        {%- endfor %}
        *
    from trial_states

),

draws as {{ materialized_cte() }} (

    select
    {%- for w in weeks %}
        {{ prng_below(prng_mix('week_' ~ w ~ '_state'), 'history_week_count') }} + 1
            as week_{{ w }}_drawn,
        {%- endfor %}
        *
    from draw_states

),

drawn_counts as {{ materialized_cte() }} (

    select
    {%- for w in weeks %}
        case week_{{ w }}_drawn
            {%- for k in range(1, history_weeks + 1) %}
            when {{ k }} then history_week_{{ k }}_done
            {%- endfor %}
        end as week_{{ w }}_done,
        {%- endfor %}
        *
    from draws

),

running_totals as {{ materialized_cte() }} (

    select
    {%- for w in weeks %}
        {% for v in range(1, w + 1) %}week_{{ v }}_done{{ ' + ' if not loop.last }}{% endfor %}
            as week_{{ w }}_cumulative,
        {%- endfor %}
        *
    from drawn_counts

),

final as (

    select
        {# Integer key: cheap to test on millions of rows, unlike a text hash. #}
        cast(
            running_totals.team_rank * 10000000000
            + running_totals.trial_number * 1000
            + week_numbers.week_number as bigint
        ) as forecast_trial_week_id,
        running_totals.team_id,
        running_totals.trial_number,
        week_numbers.week_number,
        {%- for column, name in [('drawn', 'drawn_history_week_number'), ('done', 'done_count'),
            ('cumulative', 'cumulative_done_count')] %}
        cast(
            case week_numbers.week_number
            {%- for w in weeks %}
            when {{ w }} then running_totals.week_{{ w }}_{{ column }}
            {%- endfor %}
            end as bigint
        ) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
    from running_totals
    cross join week_numbers

)

select * from final
