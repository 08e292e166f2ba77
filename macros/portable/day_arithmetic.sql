{#
    Whole-day arithmetic on dates and integer series, through dbt's own
    cross-database macros (exact for days). Wrapped only because sqlfluff's
    jinja templater has no `dbt` namespace: under dbt these render dbt's
    macro for the target adapter, under sqlfluff the DuckDB SQL.
#}

{# date + n days (n may be negative or a column), as a date. #}
{% macro add_days(date_expr, n) -%}
    {%- if adapter is defined -%}
        {{ return(dbt.cast(dbt.dateadd('day', n, date_expr), 'date')) }}
    {%- else -%}
        {%- set shifted = date_expr ~ ' + (cast(' ~ n ~ ' as bigint)) * interval 1 day' -%}
        {{ return('cast(' ~ shifted ~ ' as date)') }}
    {%- endif -%}
{%- endmacro %}

{# end_date - start_date in days (an integer; negative when end is earlier). #}
{% macro days_between(start_date, end_date) -%}
    {%- if adapter is defined -%}
        {{ return('cast(' ~ dbt.datediff(start_date, end_date, 'day') ~ ' as bigint)') }}
    {%- else -%}
        {{ return('cast(date_diff(\'day\', ' ~ start_date ~ ', ' ~ end_date ~ ') as bigint)') }}
    {%- endif -%}
{%- endmacro %}

{#
    A subquery of the integers 1..n as column generated_number (n known at
    compile time), as dbt.generate_series: cross joins, no engine function.
#}
{% macro integer_series(n) -%}
    {%- if adapter is defined -%}
        {{ return('(' ~ dbt.generate_series(n) ~ ')') }}
    {%- else -%}
        {%- set series = 'generate_series(1, ' ~ n ~ ')' -%}
        {{ return('(select generate_series as generated_number from ' ~ series ~ ')') }}
    {%- endif -%}
{%- endmacro %}
