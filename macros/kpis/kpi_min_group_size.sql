{#
    The privacy threshold k (docs/privacy.md, "Show less"): var('min_group_size'),
    default 5. Configuration may raise it, never lower it: a value below 5 (or
    not a whole number) stops compilation, so no published KPI can be built
    with a weaker threshold.
#}
{% macro kpi_min_group_size() -%}
    {#
        sqlfluff's lint-only templater has no `exceptions` and a placeholder
        var(): lint with the default. dbt always defines `exceptions`.
    #}
    {%- if exceptions is not defined -%}
        {{ return(5) }}
    {%- endif -%}
    {%- set raw = var('min_group_size', 5) -%}
    {%- set k = raw | int(-1) -%}
    {%- if (raw | string | trim) != (k | string) or k < 5 -%}
        {{ exceptions.raise_compiler_error(
            "var('min_group_size') is " ~ raw ~ ": the privacy threshold must be a "
            ~ "whole number of at least 5 (docs/privacy.md). Raise it, never lower it."
        ) }}
    {%- endif -%}
    {{ return(k) }}
{%- endmacro %}
