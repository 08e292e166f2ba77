{#
    The current time as a naive UTC timestamp, comparable with the warehouse's
    UTC timestamp columns whatever the session time zone. Unit tests override
    it to pin "now".
#}
{% macro utc_now() -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('utc_now', 'outcomes')()) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__utc_now()) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__utc_now() -%}
    cast(timezone('UTC', current_timestamp) as timestamp)
{%- endmacro %}

{% macro default__utc_now() -%}
    cast((current_timestamp at time zone 'UTC') as timestamp)
{%- endmacro %}
