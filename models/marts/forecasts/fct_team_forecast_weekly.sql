{#
    "How many items by date D", for D = the end of each week of the horizon
    (day 7, 14, ... counting the as-of date as day 1): the
    nearest-rank percentiles (rank ceil(p * trials)) of the trials' running
    totals that day. With 85% confidence the team finishes at least
    done_p15 items by then (in at least 85% of the trials it did), with 95%
    at least done_p05; done_p50 is the median, done_p85 and done_p95 the
    optimistic side of the band.
#}
{%- set trials = forecast_setting('forecast_trials') | int -%}

with trials as (

    select * from {{ ref('fct_forecast_trials') }}

),

forecasts as (

    select * from {{ ref('fct_team_delivery_forecast') }}

),

{#
    Nearest-rank percentiles from a histogram of the totals (a count per
    value, then the running count in value order) instead of sorting every
    trial: the smallest total whose running count reaches rank ceil(p * trials).
#}
histogram as (

    select
        team_id,
        week_number,
        cumulative_done_count,
        count(*) as trial_count
    from trials
    group by
        team_id,
        week_number,
        cumulative_done_count

),

running as (

    select
        team_id,
        week_number,
        cumulative_done_count,
        sum(trial_count) over (
            partition by team_id, week_number
            order by cumulative_done_count
            rows between unbounded preceding and current row
        ) as running_trial_count
    from histogram

),

percentiles as (

    select
        team_id,
        week_number,
    {%- for p in [5, 15, 50, 85, 95] %}
        min(
            case
                when running_trial_count >= {{ (p * trials + 99) // 100 }}
                    then cumulative_done_count
            end
        ) as done_p{{ '%02d' % p }}{{ ',' if not loop.last }}
    {%- endfor %}
    from running
    group by
        team_id,
        week_number

),

final as (

    select
        {{ stable_id('percentiles.team_id', 'percentiles.week_number') }} as team_forecast_week_id,
        percentiles.team_id,
        cast(percentiles.week_number as bigint) as week_number,
        cast(7 * percentiles.week_number as bigint) as day_number,
        forecasts.as_of_date,
        {{ add_days('forecasts.as_of_date', '7 * percentiles.week_number - 1') }}
            as forecast_date,
        forecasts.open_item_count,
        cast(percentiles.done_p05 as bigint) as done_p05,
        cast(percentiles.done_p15 as bigint) as done_p15,
        cast(percentiles.done_p50 as bigint) as done_p50,
        cast(percentiles.done_p85 as bigint) as done_p85,
        cast(percentiles.done_p95 as bigint) as done_p95
    from percentiles
    inner join forecasts
        on percentiles.team_id = forecasts.team_id

)

select * from final
