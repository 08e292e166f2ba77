{#
    The first day of the calendar quarter of a date, as a date
    (dbt.date_trunc('quarter', d)), and the first day of the quarter after it.
    Wrapped only because sqlfluff's jinja templater has no `dbt` namespace.
#}
{% macro kpi_quarter_start(day) -%}
    {%- if adapter is defined -%}
        {{ return('cast(' ~ dbt.date_trunc('quarter', day) ~ ' as date)') }}
    {%- else -%}
        {{ return("cast(date_trunc('quarter', " ~ day ~ ") as date)") }}
    {%- endif -%}
{%- endmacro %}

{% macro kpi_next_quarter_start(day) -%}
    {%- if adapter is defined -%}
        {{ return('cast(' ~ dbt.dateadd('month', 3, dbt.date_trunc('quarter', day)) ~ ' as date)') }}
    {%- else -%}
        {{ return("cast(date_trunc('quarter', " ~ day ~ ") + interval 3 month as date)") }}
    {%- endif -%}
{%- endmacro %}

{# Whole days from one date to a later one (dbt.datediff in days: exact for dates). #}
{% macro kpi_days_between(first_day, last_day) -%}
    {%- if adapter is defined -%}
        {{ return(dbt.datediff(first_day, last_day, 'day')) }}
    {%- else -%}
        {{ return('(' ~ last_day ~ ' - ' ~ first_day ~ ')') }}
    {%- endif -%}
{%- endmacro %}
