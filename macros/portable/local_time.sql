{#
    Time zone conversion between naive UTC timestamps (the warehouse's) and
    naive wall-clock timestamps of an IANA time zone (a column or a literal).
    DST is honoured by the engine's time zone database (ICU on DuckDB).
#}
{% macro utc_to_local(utc_ts, time_zone) -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('utc_to_local', 'outcomes')(utc_ts, time_zone)) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__utc_to_local(utc_ts, time_zone)) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__utc_to_local(utc_ts, time_zone) -%}
    timezone({{ time_zone }}, timezone('UTC', {{ utc_ts }}))
{%- endmacro %}

{% macro postgres__utc_to_local(utc_ts, time_zone) -%}
    ((({{ utc_ts }}) at time zone 'UTC') at time zone {{ time_zone }})
{%- endmacro %}

{% macro default__utc_to_local(utc_ts, time_zone) -%}
    {{ return(postgres__utc_to_local(utc_ts, time_zone)) }}
{%- endmacro %}

{% macro local_to_utc(local_ts, time_zone) -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('local_to_utc', 'outcomes')(local_ts, time_zone)) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__local_to_utc(local_ts, time_zone)) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__local_to_utc(local_ts, time_zone) -%}
    cast(timezone('UTC', timezone({{ time_zone }}, {{ local_ts }})) as timestamp)
{%- endmacro %}

{% macro postgres__local_to_utc(local_ts, time_zone) -%}
    ((({{ local_ts }}) at time zone {{ time_zone }}) at time zone 'UTC')
{%- endmacro %}

{% macro default__local_to_utc(local_ts, time_zone) -%}
    {{ return(postgres__local_to_utc(local_ts, time_zone)) }}
{%- endmacro %}
