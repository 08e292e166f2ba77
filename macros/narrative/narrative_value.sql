{#
    A KPI value as a sentence shows it (docs/narrative.md): a ratio as a
    percentage with one decimal, hours as hours under 48 and as days from
    48 on, currency and counts as whole numbers, weights with one decimal.
    `unit_expr` is the catalog's unit column.

    narrative_fixed rounds before it formats: DuckDB's printf rounds a
    binary half to even (38.5 -> '38') where Postgres rounds half away from
    zero ('39'); rounding first (round_float, half away from zero on both)
    makes the two engines write the same text for the medians of counts.
#}
{% macro narrative_fixed(expr, n) -%}
    {{ format_fixed(round_float(expr, n), n) }}
{%- endmacro %}

{% macro narrative_value(value_expr, unit_expr) -%}
    case
        when {{ value_expr }} is null then 'n/a'
        when {{ unit_expr }} = 'ratio'
            then {{ narrative_fixed('(' ~ value_expr ~ ') * 100', 1) }} || '%'
        when {{ unit_expr }} = 'hours' and abs({{ value_expr }}) >= 48
            then {{ narrative_fixed('(' ~ value_expr ~ ') / 24', 1) }} || ' days'
        when {{ unit_expr }} = 'hours'
            then {{ narrative_fixed(value_expr, 1) }} || ' h'
        when {{ unit_expr }} = 'currency'
            then {{ narrative_fixed(value_expr, 0) }}
        when {{ unit_expr }} in ('count', 'days')
            then {{ narrative_fixed(value_expr, 0) }}
        else {{ narrative_fixed(value_expr, 1) }}
    end
{%- endmacro %}
