{#
    Interpolated percentile (p between 0 and 1) as an aggregate:
    percentile(x, 0.5) is the KPI median, percentile(x, 0.85) the p85.
    dbt has no percentile macro; Spark's percentile_approx is not the exact
    median (docs/stack-notes.md), so the interpolated one is ours.
#}
{% macro percentile(expr, p) -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('percentile', 'outcomes')(expr, p)) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__percentile(expr, p)) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__percentile(expr, p) -%}
    quantile_cont({{ expr }}, {{ p }})
{%- endmacro %}

{% macro default__percentile(expr, p) -%}
    percentile_cont({{ p }}) within group (order by {{ expr }})
{%- endmacro %}
