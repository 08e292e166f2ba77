{#
    Exact elapsed time between two timestamps in hours (double). Not
    dbt.datediff: that counts hour boundaries on DuckDB/Postgres and rounds on
    Spark (docs/stack-notes.md).
#}
{% macro elapsed_hours(start, end) -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('elapsed_hours', 'outcomes')(start, end)) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__elapsed_hours(start, end)) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__elapsed_hours(start, end) -%}
    (cast(epoch_us({{ end }}) - epoch_us({{ start }}) as double) / 3600000000.0)
{%- endmacro %}

{% macro default__elapsed_hours(start, end) -%}
    (cast(extract(epoch from ({{ end }}) - ({{ start }})) as double precision) / 3600.0)
{%- endmacro %}
