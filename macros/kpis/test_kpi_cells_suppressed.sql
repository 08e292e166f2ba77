{#
    Privacy proof for a published KPI table (docs/privacy.md, "Show less"): returns
    every row that breaks suppression, so the test fails on any of them:
    - a cell backed by fewer than k people that is not suppressed;
    - a suppressed cell that still shows a value;
    - a cell suppressed although k or more people are behind it, unless it
      is one `guarded_where` (SQL) allows: the differencing guard of
      fct_team_kpis_by_period suppresses longer periods that hold a
      suppressed week (its own test, kpi_periods_hide_suppressed_weeks).
    k defaults to var('min_group_size') through kpi_min_group_size(), so the
    test follows the threshold the models were built with.
#}
{% test kpi_cells_suppressed(
    model,
    min_group_size=none,
    contributor_column='contributor_count',
    value_column='value',
    flag_column='is_suppressed',
    guarded_where=none
) %}

{%- set k = min_group_size if min_group_size is not none else kpi_min_group_size() %}

select *
from {{ model }}
where
    ({{ contributor_column }} < {{ k }} and not {{ flag_column }})
    or ({{ flag_column }} and {{ value_column }} is not null)
    or (
        {{ contributor_column }} >= {{ k }}
        and {{ flag_column }}
        and not ({{ guarded_where or 'false' }})
    )
    or {{ flag_column }} is null
    or {{ contributor_column }} is null

{% endtest %}
