{#
    Lowercase slug of a name ('Platform Engineering ' -> 'platform-engineering'),
    used for team_id. Same SQL on DuckDB and Postgres; dispatched for the rest.
#}
{% macro slugify(expr) -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('slugify', 'outcomes')(expr)) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__slugify(expr)) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__slugify(expr) -%}
    trim(both '-' from regexp_replace(lower(trim({{ expr }})), '[^a-z0-9]+', '-', 'g'))
{%- endmacro %}

{% macro duckdb__slugify(expr) -%}
    trim(both '-' from regexp_replace(lower(trim({{ expr }})), '[^a-z0-9]+', '-', 'g'))
{%- endmacro %}
