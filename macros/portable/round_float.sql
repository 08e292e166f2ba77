{#
    A double rounded to n decimals, as a double. Postgres has round(numeric, n)
    only (no round(double precision, n)): round through numeric there.
#}
{% macro round_float(expr, n) -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('round_float', 'outcomes')(expr, n)) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__round_float(expr, n)) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__round_float(expr, n) -%}
    round({{ expr }}, {{ n }})
{%- endmacro %}

{% macro default__round_float(expr, n) -%}
    cast(round(cast({{ expr }} as numeric), {{ n }}) as double precision)
{%- endmacro %}
