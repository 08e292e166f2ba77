{#
    One row per day, the time spine MetricFlow needs (models/semantic/
    _semantic__models.yml, time_spine). It covers every week the marts can
    hold: 2000 to 2100, far wider than any export, and cheap (36,890 rows).
#}
with bounds as (

    select
        cast('2000-01-01' as date) as first_date,
        cast('2100-12-31' as date) as last_date

),

days as (

    select {{ date_series('first_date', 'last_date') }} as date_day
    from bounds

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
