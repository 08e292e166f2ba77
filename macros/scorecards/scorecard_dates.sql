{#
    The calendar quarter of a date as `YYYY-Qn` (2026-Q4), the way the team
    file and the OKR file name quarters.
#}
{% macro scorecard_quarter_label(day) -%}
    cast(cast(extract(year from {{ day }}) as integer) as varchar)
    || '-Q'
    || cast(cast(extract(quarter from {{ day }}) as integer) as varchar)
{%- endmacro %}

{#
    Whole days from one date to a later one (dbt.datediff in days, exact for
    dates); wrapped because sqlfluff's jinja templater has no `dbt` namespace.
#}
{% macro scorecard_days_between(first_day, last_day) -%}
    {%- if adapter is defined -%}
        {{ return(dbt.datediff(first_day, last_day, 'day')) }}
    {%- else -%}
        {{ return('(' ~ last_day ~ ' - ' ~ first_day ~ ')') }}
    {%- endif -%}
{%- endmacro %}
