{#
    The differencing guard of fct_team_kpis_by_period (docs/privacy.md,
    "Differencing"), as a test over the built mart: returns every published
    longer period (rolling_4_weeks, quarter, baseline) of an additive KPI
    (catalog statistic sum, count or rate; not a stock valued at the period's
    end) that holds a suppressed week with items of the same team and KPI.
    Such a period minus its published weeks would give the suppressed week
    away (for a rate: value times sample_size is the week's numerator).
#}
{% test kpi_periods_hide_suppressed_weeks(
    model, stock_kpis=['backlog_age_p50', 'backlog_over_7_days']
) %}

select longer.*
from {{ model }} as longer
inner join {{ ref('kpi_catalog') }} as kpi_catalog
    on longer.kpi_id = kpi_catalog.kpi_id
inner join {{ model }} as week
    on longer.team_id = week.team_id
        and longer.kpi_id = week.kpi_id
        and week.period_grain = 'week'
        and week.period_start >= longer.period_start
        and week.period_start <= longer.period_end
where
    longer.period_grain <> 'week'
    and not longer.is_suppressed
    and kpi_catalog.statistic in ('sum', 'count', 'rate')
    and longer.kpi_id not in ('{{ stock_kpis | join("', '") }}')
    and week.is_suppressed
    and week.sample_size > 0

{% endtest %}
