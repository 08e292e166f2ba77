{#
    The differencing guard of fct_team_kpis_by_period (docs/privacy.md,
    "Differencing"), checked on the built mart independently of how the mart
    chose what to suppress. For an additive KPI (catalog statistic sum, count
    or rate; not a stock valued at the period's end) a suppressed week with
    items is hidden, and each published longer period (rolling_4_weeks,
    quarter, baseline) is an equation over the hidden weeks it holds (its
    total minus its published weeks). A hidden week held by a published
    period is safe when it has a twin: another hidden week of the same team
    and KPI that no published period holds without it or it without the
    twin; then moving any amount between the two changes no published
    number. Returns every hidden week held by a published period that has no
    twin (e.g. the one hidden week of a published 4-week total).
#}
{% test kpi_periods_hide_suppressed_weeks(model) %}

with additive as (

    select cells.*
    from {{ model }} as cells
    inner join {{ ref('kpi_catalog') }} as kpi_catalog
        on cells.kpi_id = kpi_catalog.kpi_id
    where
        kpi_catalog.statistic in ('sum', 'count', 'rate')
        and cells.kpi_id not in ({{ stock_kpis() }})

),

published_periods as (

    select * from additive
    where period_grain <> 'week' and not is_suppressed

),

hidden as (

    select
        team_id,
        kpi_id,
        period_start as week_start
    from additive
    where period_grain = 'week' and is_suppressed and sample_size > 0

),

exposed as (

    select distinct
        hidden.team_id,
        hidden.kpi_id,
        hidden.week_start
    from hidden
    inner join published_periods
        on hidden.team_id = published_periods.team_id
            and hidden.kpi_id = published_periods.kpi_id
            and hidden.week_start between published_periods.period_start
            and published_periods.period_end

)

select exposed.*
from exposed
where not exists (
    select 1
    from hidden as twin
    where
        twin.team_id = exposed.team_id
        and twin.kpi_id = exposed.kpi_id
        and twin.week_start <> exposed.week_start
        and not exists (
            select 1
            from published_periods as period
            where
                period.team_id = exposed.team_id
                and period.kpi_id = exposed.kpi_id
                and (exposed.week_start between period.period_start and period.period_end)
                <> (twin.week_start between period.period_start and period.period_end)
        )
)

{% endtest %}
