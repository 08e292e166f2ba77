{#
    `with name as {{ materialized_cte() }} (...)`: compute this CTE once.

    Postgres inlines a CTE that is read once into the query that reads it, and
    with it every expression of its select list, each time the outer query
    names the column. A chain of CTEs whose columns reuse the previous one's
    (the forecast's hash steps read their input twice, a draw four times)
    then grows as a product of those counts: fct_forecast_trials took over ten
    minutes for 200 trials on Postgres, and 0.1 s materialized. DuckDB takes
    the keyword too; an engine without it (Spark) gets nothing, and computes
    a CTE once anyway.
#}
{% macro materialized_cte() -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('materialized_cte', 'outcomes')()) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__materialized_cte()) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro postgres__materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro default__materialized_cte() -%}
{%- endmacro %}
