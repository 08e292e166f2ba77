{#
    Deterministic id: md5 (32 hex chars) of the values joined by '|', with a
    marker for nulls so (null, 'a') and ('', 'a') differ. Accepts columns or
    quoted literals as separate arguments, or one list:
    stable_id('source_system', 'ticket_id') / stable_id(['a', 'b']).
#}
{% macro stable_id() -%}
    {%- set columns = varargs[0] if (varargs | length == 1
        and varargs[0] is iterable and varargs[0] is not string) else varargs -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('stable_id', 'outcomes')(columns)) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__stable_id(columns)) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__stable_id(columns) -%}
    md5(
    {%- for column in columns -%}
        coalesce(cast({{ column }} as varchar), '<null>')
        {%- if not loop.last %} || '|' || {% endif -%}
    {%- endfor -%}
    )
{%- endmacro %}

{% macro default__stable_id(columns) -%}
    md5(
    {%- for column in columns -%}
        coalesce(cast({{ column }} as text), '<null>')
        {%- if not loop.last %} || '|' || {% endif -%}
    {%- endfor -%}
    )
{%- endmacro %}
