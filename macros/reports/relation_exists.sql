{#
    True when the relation exists in the warehouse (checked at execution; at
    parse time, and under sqlfluff, assumed true so the SQL reading it is
    parsed and linted). For tables that a load creates only when it first
    needs them (quarantine.records).
#}
{% macro relation_exists(relation) -%}
    {%- if adapter is defined and execute -%}
        {{ return(load_relation(relation) is not none) }}
    {%- else -%}
        {{ return(true) }}
    {%- endif -%}
{%- endmacro %}
