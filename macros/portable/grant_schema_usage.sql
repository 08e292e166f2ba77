{#
    on-run-end (dbt_project.yml): a role granted SELECT on models through the
    `grants` config also needs USAGE on their schemas to read them. Grants
    USAGE on exactly the schemas of the models whose grants name the role (the
    marts), nothing else. DuckDB has no roles: nothing to do there.
#}
{% macro grant_schema_usage() -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('grant_schema_usage', 'outcomes')()) }}
    {%- endif -%}
{%- endmacro %}

{% macro postgres__grant_schema_usage() -%}
    {%- if execute -%}
        {%- set usage = {} -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
            {%- for grantees in (node.config.grants or {}).values() -%}
                {%- for grantee in ([grantees] if grantees is string else grantees) -%}
                    {%- do usage.setdefault(node.schema, []) -%}
                    {%- if grantee not in usage[node.schema] -%}
                        {%- do usage[node.schema].append(grantee) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- for schema, grantees in usage.items() | sort %}
            grant usage on schema {{ adapter.quote(schema) }} to {{ grantees | join(', ') }};
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{% macro default__grant_schema_usage() -%}
{%- endmacro %}
