{#
    The current time as a naive UTC timestamp, comparable with the warehouse's
    UTC timestamp columns whatever the session time zone. Unit tests override
    it to pin "now". `--vars '{as_of_utc: "2026-03-31 12:00:00"}'` pins it for
    a whole build, so two builds (two engines, or a rebuild) give the same
    "so far" durations. Not dbt.current_timestamp(): a time zone-aware now()
    on Postgres, not implemented by dbt-duckdb, and not pinnable.
#}
{% macro utc_now() -%}
    {%- if adapter is defined -%}
        {{ return(pinned_utc_now() or adapter.dispatch('utc_now', 'outcomes')()) }}
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

{# The timestamp literal of var('as_of_utc') (naive UTC, ISO 8601), or none. #}
{% macro pinned_utc_now() -%}
    {%- set as_of = var('as_of_utc', none) -%}
    {%- if as_of is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set pinned = modules.datetime.datetime.fromisoformat(as_of | string) -%}
    {%- if pinned.tzinfo is not none -%}
        {{ exceptions.raise_compiler_error(
            "var('as_of_utc') must be a naive UTC timestamp, got " ~ as_of) }}
    {%- endif -%}
    {{ return("cast('" ~ pinned.isoformat(' ') ~ "' as timestamp)") }}
{%- endmacro %}
