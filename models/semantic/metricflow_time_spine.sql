{#
    One row per day, the time spine MetricFlow needs (models/semantic/
    _semantic__models.yml, time_spine). It covers every week the marts can
    hold: from 2000 to 2100, far wider than any export, and cheap (36,500 rows).
#}
with days as (

    {{ dbt.date_spine(
        'day',
        "cast('2000-01-01' as date)",
        "cast('2100-01-01' as date)",
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
