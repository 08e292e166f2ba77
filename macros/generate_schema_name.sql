{#
    Use the custom schema name as-is (staging, intermediate, marts, seeds), so
    the warehouse layout is the same for every developer and engine. Without a
    custom schema, fall back to the target's schema.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
