{#
    Cast that yields null instead of failing on a malformed value. dbt.safe_cast
    is a plain cast on several adapters (docs/stack-notes.md).
#}
{% macro try_cast(expr, type) -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('try_cast', 'outcomes')(expr, type)) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__try_cast(expr, type)) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}

{#
    Postgres before 16 has no try-cast: guard the common types with a pattern
    on the text value; other types fall back to a plain cast.
#}
{% macro postgres__try_cast(expr, type) -%}
    {%- set t = type | lower | trim -%}
    {%- set as_text = "trim(cast(" ~ expr ~ " as text))" -%}
    {%- if t in ['smallint', 'integer', 'int', 'int4', 'int8', 'bigint'] -%}
        {#- DuckDB rounds a decimal text to the integer ('3.5' -> 4): do the same. -#}
        case
            when {{ as_text }} ~ '^[-+]?[0-9]+([.][0-9]*)?$'
                then cast(round(cast({{ as_text }} as numeric)) as {{ type }})
        end
    {%- elif t in ['double', 'double precision', 'float8', 'float', 'real', 'numeric']
        or t.startswith('numeric(') or t.startswith('decimal') -%}
        case
            when {{ as_text }} ~ '^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$'
                then cast({{ expr }} as {{ 'double precision' if t == 'double' else type }})
        end
    {%- elif t in ['boolean', 'bool'] -%}
        case
            when lower({{ as_text }}) in ('true', 't', 'yes', 'y', '1') then true
            when lower({{ as_text }}) in ('false', 'f', 'no', 'n', '0') then false
        end
    {%- elif t == 'date' -%}
        case when {{ as_text }} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then cast({{ expr }} as date) end
    {%- elif t.startswith('timestamp') -%}
        case
            when {{ as_text }} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9:.]+)?$'
                then cast({{ expr }} as {{ type }})
        end
    {%- else -%}
        cast({{ expr }} as {{ type }})
    {%- endif -%}
{%- endmacro %}

{% macro default__try_cast(expr, type) -%}
    {{ dbt.safe_cast(expr, type) }}
{%- endmacro %}
