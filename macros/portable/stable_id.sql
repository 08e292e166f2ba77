{#
    Deterministic id: md5 (32 hex chars) of the values joined by '|', with a
    marker for nulls so (null, 'a') and ('', 'a') differ. Accepts columns or
    quoted literals as separate arguments, or one list:
    stable_id('source_system', 'ticket_id') / stable_id(['a', 'b']).
    dbt's own dbt.hash, dbt.concat and dbt.type_string do the engine-specific
    part (hex md5 on every engine: BigQuery's md5 returns bytes, dbt.hash hexes
    them); ours only adds the null marker and the separator.
#}
{% macro stable_id() -%}
    {%- set columns = varargs[0] if (varargs | length == 1
        and varargs[0] is iterable and varargs[0] is not string) else varargs -%}
    {#- sqlfluff's jinja templater has no adapter nor dbt: lint the DuckDB SQL. -#}
    {%- set text_type = dbt.type_string() if adapter is defined else 'varchar' -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first -%}{%- do parts.append("'|'") -%}{%- endif -%}
        {%- do parts.append(
            "coalesce(cast(" ~ column ~ " as " ~ text_type ~ "), '<null>')") -%}
    {%- endfor -%}
    {%- if adapter is defined -%}
        {{ return(dbt.hash(dbt.concat(parts))) }}
    {%- else -%}
        {{ return('md5(' ~ parts | join(' || ') ~ ')') }}
    {%- endif -%}
{%- endmacro %}
