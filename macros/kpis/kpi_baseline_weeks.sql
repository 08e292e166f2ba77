{#
    N of the default baseline (docs/kpi-definitions.md, "Periods and
    baselines"): var('scorecard_baseline_weeks'), default 4, the team's first
    N weeks with data. Anything but a whole number of at least 1 stops
    compilation with a message naming the var.
#}
{% macro kpi_baseline_weeks() -%}
    {#- sqlfluff's lint-only templater has no `exceptions`: lint with the default. -#}
    {%- if exceptions is not defined -%}
        {{ return(4) }}
    {%- endif -%}
    {%- set raw = var('scorecard_baseline_weeks', 4) -%}
    {%- set n = raw | int(-1) -%}
    {%- if (raw | string | trim) != (n | string) or n < 1 -%}
        {{ exceptions.raise_compiler_error(
            "var('scorecard_baseline_weeks') is " ~ raw ~ ": the baseline must be a "
            ~ "whole number of weeks, at least 1 (docs/kpi-definitions.md)."
        ) }}
    {%- endif -%}
    {{ return(n) }}
{%- endmacro %}
