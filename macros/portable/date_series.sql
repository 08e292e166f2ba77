{#
    Select-list expression: one row per calendar date from start_date to
    end_date inclusive (a set-returning expression; use it in the select list
    of a query over a one-row table of bounds). Not dbt.date_spine: that is a
    whole query of a fixed range, not a per-row series between two columns.
#}
{% macro date_series(start_date, end_date) -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('date_series', 'outcomes')(start_date, end_date)) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__date_series(start_date, end_date)) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__date_series(start_date, end_date) -%}
    cast(unnest(generate_series(
        cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 day
    )) as date)
{%- endmacro %}

{% macro postgres__date_series(start_date, end_date) -%}
    cast(generate_series(
        cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval '1 day'
    ) as date)
{%- endmacro %}

{% macro default__date_series(start_date, end_date) -%}
    {{ return(postgres__date_series(start_date, end_date)) }}
{%- endmacro %}
