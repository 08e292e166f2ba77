{#
    The ISO week (starting Monday) of a UTC timestamp or date, as a date. Not
    dbt.date_trunc('week', ts) alone: that starts weeks on Sunday on BigQuery
    and follows the session's WEEK_START on Snowflake; KPI weeks are Monday
    weeks on every engine, and a date, not a timestamp.
#}
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
