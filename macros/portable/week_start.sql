{# The ISO week (starting Monday) of a UTC timestamp or date, as a date. #}
{% macro week_start(ts) -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('week_start', 'outcomes')(ts)) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__week_start(ts)) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__week_start(ts) -%}
    cast(date_trunc('week', {{ ts }}) as date)
{%- endmacro %}

{% macro default__week_start(ts) -%}
    cast(date_trunc('week', cast({{ ts }} as timestamp)) as date)
{%- endmacro %}
