{#
    Each forecast team's daily throughput: items of the forecast types
    (forecast_setting('forecast_work_item_types'), tasks by default) done per
    calendar day, zero days included, from the first day the warehouse holds
    an event of those types for the team to the day before the data's as-of
    date (the last complete day). An item counts on the UTC date of its final
    done (fct_work_items.done_at), for the team that owns it now. The
    forecasts draw their days from the last forecast_history_weeks weeks of
    this series; the calibration backtest reads all of it.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}

),

work_events as (

    select * from {{ ref('fct_work_events') }}

),

{#
    The data's as-of time for the forecast types: the latest such event the
    warehouse holds, never later than now (as kpi_base_data_as_of, which is a
    layer later than the marts), so an old export is not read as if nobody
    had worked since.
#}
data_as_of as (

    select
        {{ to_date('least(max(occurred_at), ' ~ utc_now() ~ ')') }} as as_of_date
    from work_events
    where work_item_type in {{ forecast_work_item_types_sql() }}

),

team_starts as (

    select
        team_id,
        min({{ to_date('occurred_at') }}) as first_date
    from work_events
    where
        work_item_type in {{ forecast_work_item_types_sql() }}
        and team_id is not null
    group by team_id

),

team_bounds as (

    select
        team_starts.team_id,
        team_starts.first_date,
        data_as_of.as_of_date,
        {{ add_days('data_as_of.as_of_date', -1) }} as last_date
    from team_starts
    cross join data_as_of
    where team_starts.first_date < data_as_of.as_of_date

),

team_days as (

    select
        team_id,
        as_of_date,
        {{ date_series('first_date', 'last_date') }} as throughput_date
    from team_bounds

),

done_per_day as (

    select
        team_id,
        {{ to_date('done_at') }} as done_date,
        count(*) as done_count
    from work_items
    where
        work_item_type in {{ forecast_work_item_types_sql() }}
        and canonical_state = 'done'
        and done_at is not null
        and team_id is not null
    group by
        team_id,
        {{ to_date('done_at') }}

),

final as (

    select
        {{ stable_id('team_days.team_id', 'team_days.throughput_date') }} as team_day_id,
        team_days.team_id,
        team_days.throughput_date,
        team_days.as_of_date,
        {{ days_between('team_days.throughput_date', 'team_days.as_of_date') }}
            as days_before_as_of,
        cast(coalesce(done_per_day.done_count, 0) as bigint) as done_count
    from team_days
    left join done_per_day
        on
            team_days.team_id = done_per_day.team_id
            and team_days.throughput_date = done_per_day.done_date

)

select * from final
