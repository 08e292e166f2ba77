{#
    The calendar date (UTC) of a UTC timestamp: dbt's dbt.cast(ts, 'date'),
    wrapped only because sqlfluff's jinja templater has no `dbt` namespace.
#}
{% macro to_date(ts) -%}
    {%- if adapter is defined -%}
        {{ return(dbt.cast(ts, 'date')) }}
    {%- else -%}
        {{ return('cast(' ~ ts ~ ' as date)') }}
    {%- endif -%}
{%- endmacro %}
