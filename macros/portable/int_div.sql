{#
    Integer division of non-negative integers, rounded down, as bigint: the
    same on every engine (DuckDB's and Spark's / return a double, Postgres'
    truncates; dividing an exact multiple, then casting, agrees on all).
#}
{% macro int_div(numerator, denominator) -%}
    cast((({{ numerator }}) - mod({{ numerator }}, {{ denominator }})) / ({{ denominator }}) as bigint)
{%- endmacro %}
