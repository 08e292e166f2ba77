{#
    dbt's own cross-database macros, used where they are exact (dbt.dateadd,
    dbt.bool_or, dbt.listagg). Wrapped only because sqlfluff's jinja templater
    has no `dbt` namespace: under dbt these render dbt's macro for the target
    adapter, under sqlfluff the DuckDB SQL so the models can be linted.
#}

{# ts + n weeks (n may be negative), as dbt.dateadd('week', n, ts). #}
{% macro add_weeks(ts, n) -%}
    {%- if adapter is defined -%}
        {{ return(dbt.dateadd('week', n, ts)) }}
    {%- else -%}
        {{ return('(' ~ ts ~ ' + (cast(' ~ n ~ ' as bigint) * 7) * interval 1 day)') }}
    {%- endif -%}
{%- endmacro %}

{# True when the condition holds for any row of the group, as dbt.bool_or. #}
{% macro any_true(condition) -%}
    {%- if adapter is defined -%}
        {{ return(dbt.bool_or(condition)) }}
    {%- else -%}
        {{ return('bool_or(' ~ condition ~ ')') }}
    {%- endif -%}
{%- endmacro %}

{# The group's values joined by delimiter_text (a SQL string literal), as dbt.listagg. #}
{% macro text_list(measure, delimiter_text, order_by_clause) -%}
    {%- if adapter is defined -%}
        {{ return(dbt.listagg(measure, delimiter_text, order_by_clause)) }}
    {%- else -%}
        {{ return('string_agg(' ~ measure ~ ', ' ~ delimiter_text ~ ' ' ~ order_by_clause ~ ')') }}
    {%- endif -%}
{%- endmacro %}
