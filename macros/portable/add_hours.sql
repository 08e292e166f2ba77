{#
    A timestamp shifted by n hours (n may be fractional or a column). Not
    dbt.dateadd('hour', n, ts): dbt-duckdb casts n to bigint (1.5 h -> 2 h),
    and business-hours arithmetic shifts by fractions of an hour.
#}
{% macro add_hours(ts, n) -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('add_hours', 'outcomes')(ts, n)) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__add_hours(ts, n)) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__add_hours(ts, n) -%}
    ({{ ts }} + to_microseconds(cast(round(({{ n }}) * 3600000000.0) as bigint)))
{%- endmacro %}

{% macro default__add_hours(ts, n) -%}
    ({{ ts }} + make_interval(secs => cast(({{ n }}) as double precision) * 3600.0))
{%- endmacro %}
