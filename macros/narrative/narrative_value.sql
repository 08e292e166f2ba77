{#
    A KPI value as a sentence shows it (docs/narrative.md): a ratio as a
    percentage with one decimal, hours as hours under 48 and as days from
    48 on, currency and counts as whole numbers, weights with one decimal.
    `unit_expr` is the catalog's unit column.
#}
{% macro narrative_value(value_expr, unit_expr) -%}
    case
        when {{ value_expr }} is null then 'n/a'
        when {{ unit_expr }} = 'ratio'
            then {{ format_fixed('(' ~ value_expr ~ ') * 100', 1) }} || '%'
        when {{ unit_expr }} = 'hours' and abs({{ value_expr }}) >= 48
            then {{ format_fixed('(' ~ value_expr ~ ') / 24', 1) }} || ' days'
        when {{ unit_expr }} = 'hours'
            then {{ format_fixed(value_expr, 1) }} || ' h'
        when {{ unit_expr }} = 'currency'
            then {{ format_fixed(value_expr, 0) }}
        when {{ unit_expr }} in ('count', 'days')
            then {{ format_fixed(value_expr, 0) }}
        else {{ format_fixed(value_expr, 1) }}
    end
{%- endmacro %}
