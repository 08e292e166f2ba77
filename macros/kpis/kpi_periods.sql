{#
    The item rows of `relation` (a CTE with team_id and week_start, the ISO
    week of the item's date), once per period they count in, as a subquery
    aliased `relation` with two more columns, period_grain and period_start:
    the item's own week (grain 'week', always), and each period of the spine
    kpi_base_periods (rolling_4_weeks, quarter, baseline) of the item's team
    whose weeks hold the item's week. A KPI model aggregates FROM it grouped
    by team_id, period_grain and period_start, so every grain is computed
    from the items themselves (a 4-week p85 is the p85 of the four weeks'
    items, not a mean of weekly p85s; contributors are distinct over the
    period):

        aggregated as (
            select team_id, period_grain, period_start, {{ percentile('x', 0.85) }} ...
            from {{ kpi_periods('done_tasks') }}
            group by team_id, period_grain, period_start
        ),

    at_period_end=true counts a row only in the period's LAST week, for
    stocks measured at the end of a week (the support backlog): a period's
    backlog is the one at its end.
#}
{% macro kpi_periods(relation, at_period_end=false) -%}
    {%- if at_period_end -%}
        {%- set holds_week = 'items_in.week_start = spine.period_end - 6' -%}
    {%- else -%}
        {%- set holds_week =
            'items_in.week_start between spine.period_start and spine.period_end' -%}
    {%- endif -%}
    (
        select
            items_in.*,
            cast('week' as varchar) as period_grain,
            items_in.week_start as period_start
        from {{ relation }} as items_in

        union all

        select
            items_in.*,
            spine.period_grain,
            spine.period_start
        from {{ relation }} as items_in
        inner join {{ ref('kpi_base_periods') }} as spine
            on items_in.team_id = spine.team_id and {{ holds_week }}
        where spine.period_grain <> 'week'
    ) as {{ relation }}
{%- endmacro %}
