{# The calendar date (UTC) of a UTC timestamp. #}
{% macro to_date(ts) -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('to_date', 'outcomes')(ts)) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__to_date(ts)) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__to_date(ts) -%}
    cast({{ ts }} as date)
{%- endmacro %}

{% macro default__to_date(ts) -%}
    cast({{ ts }} as date)
{%- endmacro %}
