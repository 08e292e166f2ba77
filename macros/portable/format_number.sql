{#
    Text of a number for a sentence on a page (the report models' "now 96.9 h").
    format_fixed(x, n): exactly n decimals ('96.9', '5.0'); format_general(x):
    C's %g, the shortest form of a cut-off ('24', '0.5', '15' for 0.15 * 100).
    DuckDB has printf; Postgres formats through numeric (round half away from
    zero on the decimal value, where printf rounds the binary one: the two can
    differ in the last digit only for values exactly halfway).
#}
{% macro format_fixed(expr, n) -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('format_fixed', 'outcomes')(expr, n)) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__format_fixed(expr, n)) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__format_fixed(expr, n) -%}
    printf('%.{{ n }}f', {{ expr }})
{%- endmacro %}

{% macro default__format_fixed(expr, n) -%}
    cast(round(cast({{ expr }} as numeric), {{ n }}) as text)
{%- endmacro %}

{% macro format_general(expr) -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('format_general', 'outcomes')(expr)) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__format_general(expr)) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__format_general(expr) -%}
    printf('%g', {{ expr }})
{%- endmacro %}

{#- %g keeps 6 significant digits; the cut-offs a page states have fewer. -#}
{% macro default__format_general(expr) -%}
    rtrim(rtrim(cast(round(cast({{ expr }} as numeric), 6) as text), '0'), '.')
{%- endmacro %}

{#-
    format_grouped(x, n): n decimals with a comma between thousands
    ('1,234,568', '12.5'). DuckDB's format() takes fmt's '{:,.nf}'; Postgres
    to_char with a literal ',' group separator (FM drops the padding).
-#}
{% macro format_grouped(expr, n) -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('format_grouped', 'outcomes')(expr, n)) }}
    {%- else -%}
        {#- sqlfluff's jinja templater has no adapter: lint the DuckDB SQL. -#}
        {{ return(duckdb__format_grouped(expr, n)) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__format_grouped(expr, n) -%}
    format('{:,.{{ n }}f}', cast({{ expr }} as double))
{%- endmacro %}

{% macro default__format_grouped(expr, n) -%}
    to_char(
        cast({{ expr }} as numeric),
        'FM999,999,999,999,990{{ "." ~ ("0" * n) if n > 0 else "" }}'
    )
{%- endmacro %}
