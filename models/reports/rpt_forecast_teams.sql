{#
    The forecast page's one row per forecast team (docs/forecasts.md#the-page):
    when the open items will be done at 50/85/95% confidence, how many items
    by the end of week 4, the capacity beside it (throughput per week, people)
    and the calibration of the 85% forecast in the team's own backtest, with
    its wording. A team of fewer than k people is suppressed: every figure
    drawn from its throughput stays empty.
#}
{%- set k = kpi_min_group_size() -%}
{%- set min_forecasts = forecast_setting('forecast_backtest_min_forecasts') | int -%}
{%- set poor_below = forecast_setting('forecast_calibration_poor_below') | float -%}
{%- set by_week = 4 -%}

with forecasts as (

    select * from {{ ref('fct_team_delivery_forecast') }}

),

weekly as (

    select * from {{ ref('fct_team_forecast_weekly') }}

),

backtest as (

    select * from {{ ref('fct_forecast_backtest') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

by_date as (

    select
        team_id,
        forecast_date,
        done_p15,
        done_p50
    from weekly
    where week_number = {{ by_week }}

),

calibration as (

    select
        team_id,
        cast(count(*) as bigint) as backtest_count,
        cast(count(case when is_held_85 then 1 end) as bigint) as held_85_count
    from backtest
    group by team_id

),

joined as (

    select
        forecasts.team_id,
        teams.team_name,
        teams.function_name,
        cast(coalesce(teams.member_count, 0) as bigint) as member_count,
        coalesce(teams.member_count, 0) < {{ k }} as is_suppressed,
        forecasts.as_of_date,
        forecasts.open_item_count,
        forecasts.throughput_per_week,
        forecasts.history_day_count,
        forecasts.horizon_days,
        forecasts.p50_days,
        forecasts.p85_days,
        forecasts.p95_days,
        forecasts.p50_date,
        forecasts.p85_date,
        forecasts.p95_date,
        forecasts.finished_within_horizon_share,
        by_date.forecast_date as by_date,
        by_date.done_p15 as by_date_done_85,
        by_date.done_p50 as by_date_done_50,
        coalesce(calibration.backtest_count, 0) as backtest_count,
        coalesce(calibration.held_85_count, 0) as held_85_count
    from forecasts
    left join teams
        on forecasts.team_id = teams.team_id
    left join by_date
        on forecasts.team_id = by_date.team_id
    left join calibration
        on forecasts.team_id = calibration.team_id

),

judged as (

    select
        *,
        cast(held_85_count as double precision)
        / nullif(backtest_count, 0) as held_85_share,
        case
            when backtest_count < {{ min_forecasts }} then 'too few past forecasts'
            when held_85_count < {{ poor_below }} * backtest_count then 'poor'
            else 'calibrated'
        end as calibration_status
    from joined

),

worded as (

    select
        *,
        'the 85% forecast held in ' || cast(held_85_count as varchar) || ' of '
        || cast(backtest_count as varchar) || ' backtest'
        || case when backtest_count = 1 then '' else 's' end
        || case
            when backtest_count > 0
                then ' (' || cast(
                        cast(round(100.0 * held_85_count / backtest_count) as bigint)
                        as varchar
                    ) || '%)'
            else ''
        end as held_85_words
    from judged

),

final as (

    select
        team_id,
        team_name,
        function_name,
        member_count,
        as_of_date,
        case when not is_suppressed then open_item_count end as open_item_count,
        case when not is_suppressed then throughput_per_week end as throughput_per_week,
        case when not is_suppressed then history_day_count end as history_day_count,
        horizon_days,
        case when not is_suppressed then p50_days end as p50_days,
        case when not is_suppressed then p85_days end as p85_days,
        case when not is_suppressed then p95_days end as p95_days,
        case when not is_suppressed then p50_date end as p50_date,
        case when not is_suppressed then p85_date end as p85_date,
        case when not is_suppressed then p95_date end as p95_date,
        case
            when not is_suppressed then finished_within_horizon_share
        end as finished_within_horizon_share,
        by_date,
        case when not is_suppressed then by_date_done_85 end as by_date_done_85,
        case when not is_suppressed then by_date_done_50 end as by_date_done_50,
        case when not is_suppressed then backtest_count end as backtest_count,
        case when not is_suppressed then held_85_count end as held_85_count,
        case
            when not is_suppressed then {{ round_float('held_85_share', 4) }}
        end as held_85_share,
        case
            when is_suppressed then 'suppressed' else calibration_status
        end as calibration_status,
        case
            when is_suppressed
                then 'Suppressed: fewer than {{ k }} people are on the team.'
            when calibration_status = 'poor'
                then 'Poor calibration: ' || held_85_words
                    || ', so this forecast claims more confidence than the team''s'
                    || ' history supports.'
            when calibration_status = 'too few past forecasts'
                then 'Too few past forecasts to judge: ' || held_85_words
                    || ' ({{ min_forecasts }} needed).'
            else 'Calibrated: ' || held_85_words || '.'
        end as calibration_text,
        {# The table's short form, so the column does not wrap a sentence per row. #}
        case
            when is_suppressed then 'suppressed'
            else calibration_status || ' (' || cast(held_85_count as varchar) || ' of '
                || cast(backtest_count as varchar) || ' held)'
        end as calibration_label,
        is_suppressed
    from worded

)

select * from final
